"""The peer modules' examples, written with the generated modules as a team with its own HCL would write them, and
planned offline: terraform-aws-modules elasticache `redis-cluster-mode` (with its user group), dynamodb-table
`autoscaling` and `basic`, msk-kafka-cluster `complete`, elasticache `serverless-cache` (its user group from the
elasticacheusers module) (multi-VPC connectivity, cluster policy, broker logs), and
cloudposse elasticache-redis `complete` (with its CloudWatch alarms).

The roots are HCL files in tests/fixtures/peers/, one file per example; each says at its top which peer commit it
follows, what maps to which input, and each setting not expressed with the reason (docs/modules.md: "The peer modules'
examples, written with these modules"). They form one root, so the whole file costs three Terraform runs (init,
plan, show) and one provider load per run, whatever the number of examples. The assertions are on what each
example is about, read from the plan. The same module settings, written as an environment file, go through the
generator (checks, derived switches, synth of a stack) and must say what the roots' literals say.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from generator.commands import pipeline
from testkit import terraform
from testkit.assertions import Plan
from generator.language.inputs import InputError
from modules import all_modules
from modules.msk import MODULE as MSK
from testkit.pytest_terraform import background_terraform
from testkit.project import PROJECT

FIXTURES = PROJECT / "tests" / "fixtures" / "peers"

# The passwords of redis-cluster-mode's users, as the example writes them; the root takes them as a sensitive
# variable (TF_VAR_cluster_mode_user_passwords), never from a file.
USER_PASSWORDS = {
    "defaultexredisclustermode": ["password123456789"],
    "moe": ["password123456789"],
    "curly": ["password123456789", "password987654321"],
}
ALARM_TOPIC = "arn:aws:sns:ap-northeast-2:111122223333:eg-test-alarms"
# The cloudposse cache's AUTH token (the example has none; the module refuses a cache without authentication unless
# told), a sensitive variable as well.
CLOUDPOSSE_AUTH_TOKEN = "cloudposse-token-0123456789"
# redis-replication-group's token (a literal in the example) and the Global Datastore's groups' token.
REPLICATION_GROUP_AUTH_TOKEN = "PickSomethingMoreSecure123!"
GLOBAL_AUTH_TOKEN = "global-token-0123456789"
# The Global Datastore from environment files: one stack per Region (tests/fixtures/environments/global/).
GLOBAL_ENVIRONMENTS = PROJECT / "tests" / "fixtures" / "environments" / "global"
# serverless-cache's users take no password in the example; here each has one (TF_VAR_serverless_cache_user_passwords).
SERVERLESS_USER_PASSWORDS = {"ex-serverless-cache-default": ["default-password-0123"],
                             "ex-serverless-cache": ["redis-password-0123456"]}


@background_terraform
def plan_of_the_peers_root(generated_tree: Path, root: Path) -> dict:
    shutil.copytree(FIXTURES, root, dirs_exist_ok=True)
    shutil.copytree(generated_tree / "modules", root / "generated" / "modules")
    # Placeholder credentials, a local backend and no calls to AWS, as the project's offline plans do.
    # The Global Datastore's secondary Region has a provider of its own (aws.eu_west_1), offline too.
    offline = {**terraform.OFFLINE_OVERRIDE, "provider": {"aws": [
        terraform.OFFLINE_OVERRIDE["provider"]["aws"],
        {**terraform.OFFLINE_OVERRIDE["provider"]["aws"], "alias": "eu_west_1"},
    ]}}
    (root / "offline_override.tf.json").write_text(json.dumps(offline, indent=2))
    variables = {"cluster_mode_user_passwords": json.dumps(USER_PASSWORDS),
                 "replication_group_auth_token": REPLICATION_GROUP_AUTH_TOKEN, "global_auth_token": GLOBAL_AUTH_TOKEN,
                 "cloudposse_auth_token": CLOUDPOSSE_AUTH_TOKEN,
                 "serverless_cache_user_passwords": json.dumps(SERVERLESS_USER_PASSWORDS)}
    # Two provider configurations (two Regions) need two provider processes: a shared one (the test tools' reuse of
    # a thread's provider) would be configured twice, the last Region winning for every module.
    terraform.run(root, "init", "-input=false", "-no-color", attach=False)
    terraform.run(root, "plan", "-input=false", "-no-color", "-lock=false", "-refresh=false", "-out=plan.tfplan",
                  variables=variables, attach=False)
    return json.loads(terraform.run(root, "show", "-json", "plan.tfplan", attach=False))


@pytest.fixture(scope="module")
def peers(background) -> Plan:
    """The plan of the peers' root."""
    return Plan(background(plan_of_the_peers_root))


def _change(plan: Plan, address: str) -> dict:
    return next(c for c in plan.raw["resource_changes"] if c["address"] == address)["change"]


def _under(plan: Plan, prefix: str) -> list[str]:
    return [a.removeprefix(prefix) for a in plan.addresses() if a.startswith(prefix)]


def _check_status(plan: Plan, module: str, variable: str) -> str:
    """How the plan judged a module input's validation blocks: pass, fail or unknown (a value known only at apply)."""
    return next(c["status"] for c in plan.raw["checks"]
                if c["address"]["kind"] == "var" and c["address"].get("module") == module
                and c["address"]["name"] == variable)


# --- terraform-aws-modules/elasticache examples/redis-cluster-mode ----------------------------------------------

@pytest.mark.terraform
def test_cluster_mode_group_has_its_users_attached_and_no_auth_token(peers):
    group = "module.elasticache_cluster_mode.aws_elasticache_replication_group.this"
    peers.assert_resource(group, {
        "replication_group_id": "ex-redis-cluster-mode", "engine": "valkey", "engine_version": "7.2",
        "node_type": "cache.t4g.small", "num_node_groups": 2, "replicas_per_node_group": 3,
        "automatic_failover_enabled": True, "multi_az_enabled": True, "transit_encryption_enabled": True,
        "auth_token": None, "user_group_ids": ["ex-redis-cluster-mode"],
        "maintenance_window": "sun:05:00-sun:09:00", "apply_immediately": True, "subnet_group_name": "ex-redis-cluster-mode",
    })
    peers.assert_resource("module.elasticache_cluster_mode.aws_elasticache_user_group.this[0]", {
        "user_group_id": "ex-redis-cluster-mode", "engine": "valkey",
        "user_ids": ["curly", "defaultexredisclustermode", "larry", "moe"],
    })
    users = {
        user_id: (values["user_name"], values["access_string"], values["authentication_mode"])
        for user_id, values in ((a.split('"')[1], peers.resource(a)) for a in peers.addresses()
                                if a.startswith("module.elasticache_cluster_mode.aws_elasticache_user.this["))
    }
    assert users == {
        "defaultexredisclustermode": ("default", "on ~* +@read", [{"type": "password", "passwords": ["password123456789"]}]),
        "moe": ("moe", "on ~* +@all", [{"type": "password", "passwords": ["password123456789"]}]),
        "larry": ("larry", "on ~* +@all", [{"type": "iam", "passwords": None}]),
        "curly": ("curly", "on ~* +@all", [{"type": "password", "passwords": ["password123456789", "password987654321"]}]),
    }
    # Each user is a Valkey user, as the group is; the module's rules on users and passwords ran at plan time.
    for user_id in users:
        user = peers.resource(f'module.elasticache_cluster_mode.aws_elasticache_user.this["{user_id}"]')
        assert user["engine"] == "valkey"
    assert _check_status(peers, "module.elasticache_cluster_mode", "users") == "pass"
    assert _check_status(peers, "module.elasticache_cluster_mode", "user_passwords") == "pass"


@pytest.mark.terraform
def test_cluster_mode_parameters_and_the_vpc_rule(peers):
    peers.assert_resource("module.elasticache_cluster_mode.aws_elasticache_parameter_group.this[0]", {
        "family": "valkey7", "description": "Ex-Redis-Cluster-Mode parameter group",
        "parameter": [{"name": "cluster-enabled", "value": "yes"}, {"name": "latency-tracking", "value": "yes"}],
    })
    # The example's one rule, "VPC traffic" on the engine's port; nothing else is opened.
    assert _under(peers, "module.elasticache_cluster_mode.aws_vpc_security_group_") == [
        'ingress_rule.extra["ingress_vpc"]'
    ]
    peers.assert_resource('module.elasticache_cluster_mode.aws_vpc_security_group_ingress_rule.extra["ingress_vpc"]', {
        "description": "VPC traffic", "cidr_ipv4": "10.0.0.0/16", "ip_protocol": "tcp", "from_port": 6379, "to_port": 6379,
    })


# --- terraform-aws-modules/elasticache examples/serverless-cache, its user group from elasticacheusers ----------

@pytest.mark.terraform
def test_serverless_cache_takes_the_user_group_the_users_module_creates(peers):
    prefix = "module.elasticacheusers_serverless_cache."
    peers.assert_resource(prefix + "aws_elasticache_user_group.this", {
        "user_group_id": "ex-redis", "engine": "valkey", "user_ids": ["ex-serverless-cache", "ex-serverless-cache-default"],
    })
    users = {a.split('"')[1]: peers.resource(a) for a in peers.addresses() if a.startswith(prefix + "aws_elasticache_user.this[")}
    assert {user_id: (u["user_name"], u["access_string"], u["engine"], u["authentication_mode"][0]["passwords"])
            for user_id, u in users.items()} == {
        "ex-serverless-cache-default": ("default", "on ~* +@read", "valkey", SERVERLESS_USER_PASSWORDS["ex-serverless-cache-default"]),
        "ex-serverless-cache": ("redis", "on ~* -@all +@read", "valkey", SERVERLESS_USER_PASSWORDS["ex-serverless-cache"]),
    }
    cache = "module.valkeyserverless_serverless_cache.aws_elasticache_serverless_cache.this"
    peers.assert_resource(cache, {
        "name": "ex-serverless-cache-rbac", "engine": "valkey", "major_engine_version": "7", "user_group_id": "ex-redis",
        "description": "ex-serverless-cache serverless cluster", "daily_snapshot_time": "22:00",
        "snapshot_retention_limit": 7,
    })
    limits = peers.resource(cache)["cache_usage_limits"][0]
    assert (limits["data_storage"][0]["maximum"], limits["data_storage"][0]["unit"]) == (2, "GB")
    assert limits["ecpu_per_second"][0]["maximum"] == 1000
    assert _change(peers, cache)["after_unknown"]["kms_key_id"] is True  # the root's key, created by the same apply
    # The cache waits for the group: the id is the users module's output, not a literal.
    call = peers.raw["configuration"]["root_module"]["module_calls"]["valkeyserverless_serverless_cache"]
    assert call["expressions"]["user_group_id"]["references"][0] == "module.elasticacheusers_serverless_cache.user_group_id"
    assert sorted(_under(peers, "module.valkeyserverless_serverless_cache.aws_vpc_security_group_ingress_rule.")) == [
        'from_cidr_blocks["6379/0"]', 'from_cidr_blocks["6380/0"]']


# --- terraform-aws-modules/dynamodb-table examples/autoscaling and examples/basic -------------------------------

@pytest.mark.terraform
def test_autoscaling_scales_the_table_and_each_index(peers):
    prefix = "module.dynamodb_autoscaling."
    peers.assert_resource(prefix + "aws_dynamodb_table.this", {
        "name": "my-table-autoscaling", "billing_mode": "PROVISIONED", "hash_key": "id", "range_key": "title",
        "read_capacity": 5, "write_capacity": 5,
        "global_secondary_index": [{
            "name": "TitleIndex", "hash_key": "title", "range_key": "age", "projection_type": "INCLUDE",
            "non_key_attributes": ["id"], "read_capacity": 10, "write_capacity": 10, "on_demand_throughput": [],
        }],
    })
    targets = {
        address: (values["resource_id"], values["scalable_dimension"], values["min_capacity"], values["max_capacity"])
        for address in _under(peers, prefix + "aws_appautoscaling_target.")
        for values in [peers.resource(prefix + "aws_appautoscaling_target." + address)]
    }
    table, index = "table/my-table-autoscaling", "table/my-table-autoscaling/index/TitleIndex"
    assert targets == {
        "read[0]": (table, "dynamodb:table:ReadCapacityUnits", 5, 10),
        "write[0]": (table, "dynamodb:table:WriteCapacityUnits", 5, 10),
        'index_read["TitleIndex"]': (index, "dynamodb:index:ReadCapacityUnits", 10, 30),
        'index_write["TitleIndex"]': (index, "dynamodb:index:WriteCapacityUnits", 10, 30),
    }
    policies = {
        address: (values["resource_id"], values["target_tracking_scaling_policy_configuration"][0])
        for address in _under(peers, prefix + "aws_appautoscaling_policy.")
        for values in [peers.resource(prefix + "aws_appautoscaling_policy." + address)]
    }
    assert sorted(policies) == sorted(targets)
    for address, (resource_id, tracking) in policies.items():
        direction = "Write" if "write" in address else "Read"
        assert resource_id == targets[address][0]
        assert (tracking["target_value"], tracking["scale_in_cooldown"], tracking["scale_out_cooldown"]) == (45, 50, 40)
        assert tracking["predefined_metric_specification"][0]["predefined_metric_type"] == (
            f"DynamoDB{direction}CapacityUtilization"
        )


@pytest.mark.terraform
def test_basic_limits_the_table_and_its_index_on_demand(peers):
    prefix = "module.dynamodb_basic."
    table = peers.resource(prefix + "aws_dynamodb_table.this")
    assert (table["billing_mode"], table["deletion_protection_enabled"]) == ("PAY_PER_REQUEST", False)
    assert table["on_demand_throughput"] == [{"max_read_request_units": 1, "max_write_request_units": 1}]
    assert table["global_secondary_index"] == [{
        "name": "TitleIndex", "hash_key": "title", "range_key": "age", "projection_type": "INCLUDE",
        "non_key_attributes": ["id"], "on_demand_throughput": [{"max_read_request_units": 1, "max_write_request_units": 1}],
    }]
    assert _under(peers, prefix + "aws_appautoscaling_") == []  # on demand: nothing to scale
    # The policy names the table it is attached to, by the ARN the root builds (the peer's __DYNAMODB_TABLE_ARN__).
    policy = json.loads(peers.resource(prefix + "aws_dynamodb_resource_policy.this[0]")["policy"])
    assert policy["Statement"] == [{
        "Sid": "AllowDummyRoleAccess", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:role/DummyRole"},
        "Action": "dynamodb:GetItem", "Resource": f"arn:aws:dynamodb:ap-northeast-2:111122223333:table/{table['name']}",
    }]


# --- terraform-aws-modules/msk-kafka-cluster examples/complete --------------------------------------------------

@pytest.mark.terraform
def test_complete_reaches_other_vpcs_with_scram_only(peers):
    cluster = peers.resource("module.msk_complete.aws_msk_cluster.this")
    assert (cluster["cluster_name"], cluster["kafka_version"], cluster["number_of_broker_nodes"],
            cluster["enhanced_monitoring"]) == ("ex-complete", "3.9.x", 3, "PER_TOPIC_PER_PARTITION")
    broker = cluster["broker_node_group_info"][0]
    assert broker["instance_type"] == "kafka.m5.large"
    assert broker["connectivity_info"] == [{
        "public_access": [{"type": "DISABLED"}],
        "vpc_connectivity": [{"client_authentication": [{"sasl": [{"iam": False, "scram": True}], "tls": False}]}],
    }]
    assert cluster["client_authentication"] == [{"sasl": [{"iam": False, "scram": True}], "tls": [], "unauthenticated": False}]
    assert cluster["encryption_info"][0]["encryption_in_transit"] == [{"client_broker": "TLS", "in_cluster": True}]
    # AWS refuses SCRAM across VPCs unless ACLs are enforced: the example's "true" became "false".
    peers.assert_resource("module.msk_complete.aws_msk_configuration.this", {
        "name": "complete-example-configuration", "description": "Complete example configuration",
        "server_properties": "allow.everyone.if.no.acl.found=false\nauto.create.topics.enable=true\ndelete.topic.enable=true",
    })
    # The client side, in the root: the managed VPC connection to the module's cluster, and one association per
    # SCRAM secret (the module associates none on purpose).
    peers.assert_resource("aws_msk_vpc_connection.connection_one", {"authentication": "SASL_SCRAM"})
    assert _change(peers, "aws_msk_vpc_connection.connection_one")["after_unknown"]["target_cluster_arn"] is True
    assert _under(peers, "aws_msk_single_scram_secret_association.") == ['msk["consumer"]', 'msk["producer"]']


@pytest.mark.terraform
def test_complete_cluster_policy_grants_the_account(peers):
    assert _under(peers, "module.msk_complete.aws_msk_cluster_policy.") == ["this[0]"]
    # The policy names the cluster's ARN, known only after apply; its principals passed the module's validation at
    # plan time (account root ARN), and its statement is the module's fixed one.
    assert _change(peers, "module.msk_complete.aws_msk_cluster_policy.this[0]")["after_unknown"]["policy"] is True
    assert _check_status(peers, "module.msk_complete", "vpc_connectivity_allowed_principals") == "pass"
    module = peers.raw["configuration"]["root_module"]["module_calls"]["msk_complete"]["module"]
    policy = next(r for r in module["resources"] if r["address"] == "aws_msk_cluster_policy.this")
    assert policy["expressions"]["policy"]["references"] == [
        "var.vpc_connectivity_allowed_principals", "aws_msk_cluster.this.arn", "aws_msk_cluster.this",
    ]
    for action in ("CreateVpcConnection", "GetBootstrapBrokers", "DescribeCluster", "DescribeClusterV2"):
        assert f'"kafka:{action}"' in policy["expressions"]["policy"]["constant_value"]


@pytest.mark.terraform
def test_complete_broker_logs_storage_scaling_and_ports(peers):
    cluster = peers.resource("module.msk_complete.aws_msk_cluster.this")
    logs = cluster["logging_info"][0]["broker_logs"][0]
    assert logs["cloudwatch_logs"] == [{"enabled": True, "log_group": "/aws/msk/ex-complete/broker"}]
    assert logs["s3"] == [{"prefix": "ex-complete"}]  # bucket (and so enabled): the root's bucket, known at apply
    unknown = _change(peers, "module.msk_complete.aws_msk_cluster.this")["after_unknown"]
    assert unknown["logging_info"][0]["broker_logs"][0]["s3"] == [{"bucket": True, "enabled": True}]
    assert logs["firehose"] == [{"enabled": False, "delivery_stream": None}]
    assert cluster["open_monitoring"] == [{"prometheus": [{"jmx_exporter": [{"enabled_in_broker": True}],
                                                           "node_exporter": [{"enabled_in_broker": True}]}]}]
    peers.assert_resource("module.msk_complete.aws_appautoscaling_target.storage[0]", {"max_capacity": 512})
    assert peers.resource("module.msk_complete.aws_appautoscaling_policy.storage[0]")[
        "target_tracking_scaling_policy_configuration"][0]["target_value"] == 80
    # The private subnets reach the listeners that are on: SCRAM and the two exporters, not 9092 or 9094.
    assert _under(peers, "module.msk_complete.aws_vpc_security_group_ingress_rule.from_cidr_blocks") == [
        f'["{port}/{i}"]' for port in (11001, 11002, 9096) for i in range(3)
    ]


def test_complete_settings_the_module_refuses_as_the_example_writes_them():
    """The two settings of `complete` not carried over, refused with the module's messages (the same rules refuse
    them in HCL)."""
    base = {"name_prefix": "ex-", "cluster_name": "complete", "vpc_id": "vpc-0a1b2c3d4e5f60718",
            "subnet_ids": ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"],
            "client_authentication_scram_enabled": True, "client_authentication_iam_enabled": False,
            "vpc_connectivity_scram_enabled": True}
    _, found = MSK.inputs.problems({**base, "server_properties": {"allow.everyone.if.no.acl.found": "true"}})
    assert [message for _, message in found] == [
        'server_properties: must set "allow.everyone.if.no.acl.found" = "false" (or server_properties_text the line '
        "allow.everyone.if.no.acl.found=false) with multi-VPC SCRAM or mutual TLS (AWS refuses the connectivity "
        'otherwise), got {"allow.everyone.if.no.acl.found": "true"}'
    ]
    # cluster_policy_statements.firehose: a service principal, which the cluster policy input does not take.
    _, found = MSK.inputs.problems({**base, "server_properties": {"allow.everyone.if.no.acl.found": "false"},
                                    "vpc_connectivity_allowed_principals": ["firehose.amazonaws.com"],
                                    "create_cluster_policy": True})
    assert [message for _, message in found] == [
        "vpc_connectivity_allowed_principals: must hold only 12-digit account ids or IAM ARNs "
        '(arn:aws:iam::<account>:root, :role/..., :user/...), got "firehose.amazonaws.com"'
    ]


# --- terraform-aws-modules/msk-kafka-cluster examples/serverless ------------------------------------------------

@pytest.mark.terraform
def test_serverless_cluster_is_iam_only_in_the_private_subnets(peers):
    prefix = "module.mskserverless_example."
    peers.assert_resource(prefix + "aws_msk_serverless_cluster.this", {
        "cluster_name": "ex-serverless",
        "client_authentication": [{"sasl": [{"iam": [{"enabled": True}]}]}],
        "tags": {"Example": "ex-serverless", "GithubRepo": "terraform-aws-msk-kafka-cluster",
                 "GithubOrg": "terraform-aws-modules"},
    })
    # One VPC configuration: the stand-in VPC's subnets and the module's group, all known only after apply.
    unknown = _change(peers, prefix + "aws_msk_serverless_cluster.this")["after_unknown"]
    assert unknown["vpc_config"] == [{"subnet_ids": True, "security_group_ids": True}]
    assert unknown["bootstrap_brokers_sasl_iam"] is True
    # The example's group: its description, SASL/IAM from each private subnet (CIDRs unknown until apply), no egress.
    peers.assert_resource(prefix + "aws_security_group.this[0]", {
        "description": "Security group for ex-serverless", "name_prefix": "ex-serverless-",
        "tags": {"Example": "ex-serverless", "GithubRepo": "terraform-aws-msk-kafka-cluster",
                 "GithubOrg": "terraform-aws-modules", "Name": "ex-serverless"},
    })
    assert _under(peers, prefix + "aws_vpc_security_group_") == [
        f'ingress_rule.from_cidr_blocks["9098/{i}"]' for i in range(3)
    ]
    for i in range(3):
        peers.assert_resource(prefix + f'aws_vpc_security_group_ingress_rule.from_cidr_blocks["9098/{i}"]', {
            "ip_protocol": "tcp", "from_port": 9098, "to_port": 9098,
        })


@pytest.mark.terraform
def test_serverless_cluster_policy_grants_firehose(peers):
    address = "module.mskserverless_example.aws_msk_cluster_policy.this[0]"
    assert _change(peers, address)["after_unknown"]["policy"] is True  # it names the cluster's ARN
    assert _check_status(peers, "module.mskserverless_example", "cluster_policy_allowed_services") == "pass"
    module = peers.raw["configuration"]["root_module"]["module_calls"]["mskserverless_example"]["module"]
    policy = next(r for r in module["resources"] if r["address"] == "aws_msk_cluster_policy.this")
    assert set(policy["expressions"]["policy"]["references"]) == set([
        "var.cluster_policy_allowed_principals", "var.cluster_policy_allowed_services",
        "var.cluster_policy_actions", "aws_msk_serverless_cluster.this.arn", "aws_msk_serverless_cluster.this",
    ])


# --- cloudposse/elasticache-redis examples/complete -------------------------------------------------------------

@pytest.mark.terraform
def test_cloudposse_complete_alarms_go_to_the_topic(peers):
    prefix = "module.elasticache_cloudposse.aws_cloudwatch_metric_alarm.this"
    # One node: its four alarms, and no replication lag alarm (no replica).
    alarms = {key: peers.resource(f"{prefix}{key}") for key in _under(peers, prefix)}
    assert {key: (a["metric_name"], a["statistic"], a["threshold"]) for key, a in alarms.items()} == {
        '["cpu-node1"]': ("CPUUtilization", "Average", 75),  # cloudposse's alarm_cpu_threshold_percent
        '["engine-cpu-node1"]': ("EngineCPUUtilization", "Average", 90),
        '["evictions-node1"]': ("Evictions", "Sum", 1000),
        '["memory-node1"]': ("DatabaseMemoryUsagePercentage", "Average", 80),
    }
    for key, alarm in alarms.items():
        assert alarm["alarm_name"] == "eg-test-redis-test-" + key.strip('[]"')
        assert (alarm["namespace"], alarm["comparison_operator"]) == ("AWS/ElastiCache", "GreaterThanThreshold")
        assert (alarm["alarm_actions"], alarm["ok_actions"]) == ([ALARM_TOPIC], [ALARM_TOPIC])
        assert (alarm["period"], alarm["evaluation_periods"]) == (300, 3)
        # The node's CacheClusterId: the group's member cluster, known once the group exists.
        assert _change(peers, f"{prefix}{key}")["after_unknown"]["dimensions"] is True


@pytest.mark.terraform
def test_cloudposse_complete_cache(peers):
    peers.assert_resource("module.elasticache_cloudposse.aws_elasticache_replication_group.this", {
        "replication_group_id": "eg-test-redis-test", "engine": "valkey", "engine_version": "7.2",
        "node_type": "cache.m6g.large", "num_cache_clusters": 1, "automatic_failover_enabled": False,
        "multi_az_enabled": False, "apply_immediately": True, "transit_encryption_enabled": True,
        "auth_token": CLOUDPOSSE_AUTH_TOKEN,  # the example's cache without AUTH is not carried over
        "at_rest_encryption_enabled": "true",  # the example's false is not carried over
        "log_delivery_configuration": [{
            "destination": "/aws/elasticache/eg-test-redis-test/engine-log", "destination_type": "cloudwatch-logs",
            "log_format": "json", "log_type": "engine-log",
        }],
        "tags": {"Namespace": "eg", "Stage": "test", "Name": "eg-test-redis-test"},
    })
    peers.assert_resource("module.elasticache_cloudposse.aws_elasticache_parameter_group.this[0]", {
        "family": "valkey7", "parameter": [{"name": "notify-keyspace-events", "value": "lK"}],
    })
    assert _under(peers, "module.elasticache_cloudposse.aws_vpc_security_group_") == [
        'ingress_rule.from_security_groups["6379/0"]'
    ]
    # zone_id: the cluster's hostname in the private zone, on the module's primary endpoint.
    peers.assert_resource("aws_route53_record.cloudposse", {"name": "eg-test-redis-test", "type": "CNAME", "ttl": 60})
    assert _change(peers, "aws_route53_record.cloudposse")["after_unknown"]["records"] is True


# --- the same settings from an environment file -----------------------------------------------------------------

# The examples' module settings, as a team that keeps environment files would write them: literal ids where the
# roots pass their own resources' (the VPC connection, the secrets, the zone and the VPCs stay in a root).
ENVIRONMENT = """\
name_prefix = "ex-"
region = "ap-northeast-2"
vpc_id = "vpc-0a1b2c3d4e5f60718"
subnet_ids = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"]

[elasticache_cluster_mode]
cluster_name = "redis-cluster-mode"
engine_version = "7.2"
node_type = "cache.t4g.small"
num_node_groups = 2
replicas_per_node_group = 3
automatic_failover_enabled = true
multi_az_enabled = true
users = { defaultexredisclustermode = { user_name = "default", access_string = "on ~* +@read" }, moe = { access_string = "on ~* +@all" }, larry = { access_string = "on ~* +@all", authentication_type = "iam" }, curly = { access_string = "on ~* +@all" } }
maintenance_window = "sun:05:00-sun:09:00"
apply_immediately = true
ingress_rules = { ingress_vpc = { description = "VPC traffic", cidr_ipv4 = "10.0.0.0/16", from_port = 6379 } }
subnet_group_name = "ex-redis-cluster-mode"
parameter_group_description = "Ex-Redis-Cluster-Mode parameter group"
parameters = { latency-tracking = "yes" }

[dynamodb_autoscaling]
name_prefix = "my-table-"
table_name = "autoscaling"
hash_key = "id"
range_key = "title"
billing_mode = "PROVISIONED"
read_capacity = 5
write_capacity = 5
autoscaling_target_value = 45
autoscaling_read_max_capacity = 10
autoscaling_write_max_capacity = 10
autoscaling_scale_in_cooldown = 50
autoscaling_scale_out_cooldown = 40
attributes = [{ name = "id", type = "N" }, { name = "title", type = "S" }, { name = "age", type = "N" }]
global_secondary_indexes = [{ name = "TitleIndex", hash_key = "title", range_key = "age", projection_type = "INCLUDE", non_key_attributes = ["id"], write_capacity = 10, read_capacity = 10, autoscaling_read_max_capacity = 30, autoscaling_write_max_capacity = 30 }]
tags = { Terraform = "true", Environment = "staging" }

[dynamodb_basic]
name_prefix = "my-table-"
table_name = "basic"
hash_key = "id"
range_key = "title"
table_class = "STANDARD"
deletion_protection_enabled = false
attributes = [{ name = "id", type = "N" }, { name = "title", type = "S" }, { name = "age", type = "N" }]
global_secondary_indexes = [{ name = "TitleIndex", hash_key = "title", range_key = "age", projection_type = "INCLUDE", non_key_attributes = ["id"], max_write_request_units = 1, max_read_request_units = 1 }]
on_demand_max_read_request_units = 1
on_demand_max_write_request_units = 1
resource_policy = '{"Version":"2012-10-17","Statement":[{"Action":"dynamodb:GetItem","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:role/DummyRole"},"Resource":"arn:aws:dynamodb:ap-northeast-2:111122223333:table/my-table-basic","Sid":"AllowDummyRoleAccess"}]}'
tags = { Terraform = "true", Environment = "staging" }

[msk_complete]
cluster_name = "complete"
kafka_version = "3.9.x"
number_of_broker_nodes = 3
enhanced_monitoring = "PER_TOPIC_PER_PARTITION"
allowed_cidr_blocks = ["10.0.10.0/24", "10.0.11.0/24", "10.0.12.0/24"]
broker_instance_type = "kafka.m5.large"
ebs_volume_size = 100
vpc_connectivity_scram_enabled = true
encryption_in_transit_client_broker = "TLS"
encryption_in_transit_in_cluster = true
configuration_name = "complete-example-configuration"
configuration_description = "Complete example configuration"
server_properties = { "allow.everyone.if.no.acl.found" = "false", "auto.create.topics.enable" = "true", "delete.topic.enable" = "true" }
jmx_exporter_enabled = true
node_exporter_enabled = true
cloudwatch_logs_enabled = true
s3_logs_bucket = "ex-complete-broker-logs"
s3_logs_prefix = "ex-complete"
storage_autoscaling_max_capacity = 512
storage_autoscaling_target_value = 80
client_authentication_scram_enabled = true
client_authentication_iam_enabled = false
vpc_connectivity_allowed_principals = ["arn:aws:iam::111122223333:root"]

[elasticache_redis_replication_group]
module = "elasticache"
cluster_name = "redis-replication-group"
engine = "redis"
engine_version = "7.1"
node_type = "cache.t4g.small"
transit_encryption_enabled = true
maintenance_window = "sun:05:00-sun:09:00"
apply_immediately = true
ingress_rules = { ingress_vpc = { description = "VPC traffic", cidr_ipv4 = "10.0.0.0/16", from_port = 6379 } }
subnet_group_name = "ex-redis-replication-group"
parameter_group_name = "ex-redis-replication-group"
parameter_group_description = "Ex-Redis-Replication-Group parameter group"
parameters = { latency-tracking = "yes" }
tags = { Name = "ex-redis-replication-group", Example = "ex-redis-replication-group", Repository = "https://github.com/terraform-aws-modules/terraform-aws-elasticache" }

[elasticache_serverless_redis]
module = "valkeyserverless"
cache_name = "serverless-cache"
engine = "redis"
major_engine_version = "7"
cache_usage_limits = { data_storage_maximum = 2, ecpu_per_second_maximum = 1000 }
daily_snapshot_time = "22:00"
description = "ex-serverless-cache serverless cluster"
kms_key_arn = "arn:aws:kms:ap-northeast-2:111122223333:key/0b5e5d1c-6d0a-4f5e-9a51-7a3f2c1e8d40"
create_kms_key = false
snapshot_retention_limit = 7
allowed_cidr_blocks = ["10.0.0.0/16"]
user_group_id = "redis"
tags = { Name = "ex-serverless-cache", Example = "ex-serverless-cache", Repository = "https://github.com/terraform-aws-modules/terraform-aws-elasticache" }
[mskserverless_example]
cluster_name = "serverless"
create_security_group = true
allowed_cidr_blocks = ["10.0.10.0/24", "10.0.11.0/24", "10.0.12.0/24"]
security_group_description = "Security group for ex-serverless"
cluster_policy_allowed_services = ["firehose.amazonaws.com"]
cluster_policy_actions = ["kafka:CreateVpcConnection", "kafka:GetBootstrapBrokers", "kafka:DescribeClusterV2"]
tags = { Example = "ex-serverless", GithubRepo = "terraform-aws-msk-kafka-cluster", GithubOrg = "terraform-aws-modules" }

[elasticache_cloudposse]
module = "elasticache"
name_prefix = "eg-test-"
cluster_name = "redis-test"
subnet_ids = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
allowed_security_group_ids = ["sg-0e0e0e0e0e0e0e0e1"]
num_cache_clusters = 1
automatic_failover_enabled = false
multi_az_enabled = false
node_type = "cache.m6g.large"
apply_immediately = true
engine_version = "7.2"
transit_encryption_enabled = true
parameters = { notify-keyspace-events = "lK" }
engine_log_enabled = true
slow_log_enabled = false
alarms_enabled = true
alarm_actions = ["arn:aws:sns:ap-northeast-2:111122223333:eg-test-alarms"]
ok_actions = ["arn:aws:sns:ap-northeast-2:111122223333:eg-test-alarms"]
alarm_thresholds = { cpu = 75 }
tags = { Namespace = "eg", Stage = "test", Name = "eg-test-redis-test" }

[elasticacheusers_serverless_cache]
user_group_name = "redis"
users = { ex-serverless-cache-default = { user_name = "default", access_string = "on ~* +@read" }, ex-serverless-cache = { user_name = "redis", access_string = "on ~* -@all +@read" } }

[valkeyserverless_serverless_cache]
cache_name = "serverless-cache-rbac"
description = "ex-serverless-cache serverless cluster"
major_engine_version = "7"
cache_usage_limits = { data_storage_maximum = 2, ecpu_per_second_maximum = 1000 }
daily_snapshot_time = "22:00"
snapshot_retention_limit = 7
kms_key_arn = "arn:aws:kms:ap-northeast-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
allowed_cidr_blocks = ["10.0.0.0/16"]
user_group = "elasticacheusers_serverless_cache"
"""


@pytest.fixture(scope="module")
def peer_stack(tmp_path_factory: pytest.TempPathFactory) -> pipeline.Result:
    """The environment file through the generator: checked, derived and synthesized into stacks/peers/."""
    path = tmp_path_factory.mktemp("peers-environment") / "peers.toml"
    path.write_text(ENVIRONMENT)
    try:
        return pipeline.produce([(path, "environments/peers.toml")], modules=all_modules())
    except InputError as err:  # every problem, one line each
        pytest.fail("\n".join(err.problems))


def test_environment_file_is_accepted_with_derived_switches_and_secrets(peer_stack):
    (environment,) = peer_stack.environments
    assert environment.warnings == (
        "environments/peers.toml: [dynamodb_basic] deletion_protection_enabled = false lets the table be deleted",
    )
    modules = json.loads(peer_stack.files["stacks/peers/main.tf.json"])["module"]
    assert {name: block["source"] for name, block in modules.items()} == {
        "elasticache_cluster_mode": "../../modules/elasticache", "dynamodb_autoscaling": "../../modules/dynamodb",
        "dynamodb_basic": "../../modules/dynamodb", "msk_complete": "../../modules/msk",
        "elasticache_cloudposse": "../../modules/elasticache",
        "elasticache_redis_replication_group": "../../modules/elasticache",
        "elasticache_serverless_redis": "../../modules/valkeyserverless",
        "elasticacheusers_serverless_cache": "../../modules/elasticacheusers",
        "valkeyserverless_serverless_cache": "../../modules/valkeyserverless",
        "mskserverless_example": "../../modules/mskserverless",
    }
    # Derived from what the file names: the cluster policy from its principals, the resource policy's switch.
    assert modules["msk_complete"]["create_cluster_policy"] is True
    assert modules["mskserverless_example"]["create_cluster_policy"] is True
    assert modules["dynamodb_basic"]["create_resource_policy"] is True
    # RBAC: the users' passwords come from a sensitive root variable and there is no AUTH token variable. The
    # cloudposse cache, TLS without RBAC, gets an AUTH token variable, as every such environment block does (the
    # example has none).
    assert modules["elasticache_cluster_mode"]["user_passwords"] == "${var.elasticache_cluster_mode_user_passwords}"
    assert "auth_token" not in modules["elasticache_cluster_mode"]
    variables = json.loads(peer_stack.files["stacks/peers/variables.tf.json"])["variable"]
    assert {name: (v["type"], v["sensitive"]) for name, v in variables.items()} == {
        "elasticache_cloudposse_auth_token": ("string", True),
        "elasticache_cluster_mode_user_passwords": ("map(list(string))", True),
        "elasticache_redis_replication_group_auth_token": ("string", True),
        "elasticacheusers_serverless_cache_user_passwords": ("map(list(string))", True),
    }
    # The serverless cache names the users' table; the root wires the group's id from the users module's output.
    assert modules["valkeyserverless_serverless_cache"]["user_group_id"] == (
        "${module.elasticacheusers_serverless_cache.user_group_id}")


# The serverless example sets few things (a serverless cluster has no brokers, storage or configuration to size).
LITERALS_AT_LEAST = {"mskserverless_example": 7}


@pytest.mark.terraform
def test_environment_file_says_what_the_hcl_roots_say(peers, peer_stack, global_stacks):
    """Every literal input of the roots' module calls has the same value in the environment file (written there,
    derived, or the module's default), so the file and the roots cannot drift apart. The Global Datastore's calls
    are in their Regions' files."""
    calls = {call.name: call for environment in (*peer_stack.environments, *global_stacks[0].environments)
             for call in environment.modules}
    module_calls = peers.raw["configuration"]["root_module"]["module_calls"]
    assert sorted(name for name in module_calls if not name.startswith("vpc")) == sorted(calls)
    for name, call in calls.items():
        literals = {key: expression["constant_value"] for key, expression in module_calls[name]["expressions"].items()
                    if "constant_value" in expression}
        # A Global Datastore's secondary says little of its own: the global group dictates the rest. Smaller
        # modules have fewer inputs: the users module 3 (name_prefix, user_group_name, users).
        minimum = 7 if name.startswith("elasticache_global_") else {"elasticacheusers": 3, "valkeyserverless": 7}.get(call.kind, 10)
        assert len(literals) >= LITERALS_AT_LEAST.get(name, minimum), (name, sorted(literals))
        said = {key: call.arguments[key] if key in call.arguments else call.values[key] for key in literals}
        assert said == literals, name


def test_readme_section_lists_every_example_file():
    """docs/modules.md's section and tests/fixtures/peers/ name the same examples; each file states what it leaves out."""
    readme = (PROJECT / "docs" / "modules.md").read_text(encoding="utf-8")
    section = readme.split("## The peer modules' examples, written with these modules\n", 1)[1].split("\n## ", 1)[0]
    examples = sorted(p.name for p in FIXTURES.glob("*.tf") if p.name != "main.tf")
    assert sorted(set(re.findall(r"\| `([a-z_]+\.tf)` \|", section))) == examples
    for name in examples:
        text = (FIXTURES / name).read_text(encoding="utf-8")
        assert "# Not expressed, and why:" in text, f"tests/fixtures/peers/{name} does not list what it leaves out"


# --- terraform-aws-modules/elasticache examples/redis-replication-group and serverless-cache (issue 28) ----------

@pytest.mark.terraform
def test_redis_replication_group_runs_redis_with_its_redis7_parameter_group(peers):
    prefix = "module.elasticache_redis_replication_group."
    peers.assert_resource(prefix + "aws_elasticache_replication_group.this", {
        "replication_group_id": "ex-redis-replication-group", "engine": "redis", "engine_version": "7.1",
        "node_type": "cache.t4g.small", "transit_encryption_enabled": True,
        "auth_token": REPLICATION_GROUP_AUTH_TOKEN, "parameter_group_name": "ex-redis-replication-group",
        "description": "Redis OSS replication group ex-redis-replication-group",
        "maintenance_window": "sun:05:00-sun:09:00", "apply_immediately": True,
    })
    peers.assert_resource(prefix + "aws_elasticache_parameter_group.this[0]", {
        "name": "ex-redis-replication-group", "family": "redis7",
        "description": "Ex-Redis-Replication-Group parameter group",
        "parameter": [{"name": "latency-tracking", "value": "yes"}],
    })
    assert _check_status(peers, "module.elasticache_redis_replication_group", "engine") == "pass"


@pytest.mark.terraform
def test_serverless_cache_runs_redis_7_within_its_limits(peers):
    cache = peers.resource("module.elasticache_serverless_redis.aws_elasticache_serverless_cache.this")
    assert (cache["name"], cache["engine"], cache["major_engine_version"], cache["daily_snapshot_time"],
            cache["snapshot_retention_limit"], cache["user_group_id"], cache["description"]) == (
        "ex-serverless-cache", "redis", "7", "22:00", 7, "redis", "ex-serverless-cache serverless cluster")
    assert cache["cache_usage_limits"] == [{"data_storage": [{"maximum": 2, "minimum": None, "unit": "GB"}],
                                            "ecpu_per_second": [{"maximum": 1000, "minimum": None}]}]
    # The root's key, known after apply; the module creates none.
    assert _change(peers, "module.elasticache_serverless_redis.aws_elasticache_serverless_cache.this")[
        "after_unknown"]["kms_key_id"] is True
    assert _under(peers, "module.elasticache_serverless_redis.aws_kms_key.") == []


# --- terraform-aws-modules/elasticache examples/redis-global-replication-group (issue 28) ------------------------

@pytest.mark.terraform
def test_global_datastore_primary_leads_the_global_group(peers):
    primary = "module.elasticache_global_primary."
    peers.assert_resource(primary + "aws_elasticache_global_replication_group.this[0]", {
        "global_replication_group_id_suffix": "ex-redis-global-replication-group",
        "global_replication_group_description": "Redis OSS Global Datastore of ex-redis-global-replication-group",
    })
    assert _change(peers, primary + "aws_elasticache_global_replication_group.this[0]")["after_unknown"][
        "primary_replication_group_id"] is True
    peers.assert_resource(primary + "aws_elasticache_replication_group.this", {
        "engine": "redis", "engine_version": "7.1", "node_type": "cache.r7g.large",
        "at_rest_encryption_enabled": "true", "transit_encryption_enabled": True,
    })


@pytest.mark.terraform
def test_global_datastore_secondary_joins_in_its_region_with_what_the_global_group_dictates(peers):
    secondary = "module.elasticache_global_secondary."
    group = peers.resource(secondary + "aws_elasticache_replication_group.this")
    # What the global group dictates is not sent (the provider's ConflictsWith); the id is the primary's, at apply.
    # engine is the provider's default, "redis" (the schema's Default; the global group's engine here).
    assert {k: group.get(k) for k in ("engine", "engine_version", "parameter_group_name",
                                      "transit_encryption_enabled", "num_node_groups")} == {
        "engine": "redis", "engine_version": None, "parameter_group_name": None,
        "transit_encryption_enabled": None, "num_node_groups": None}
    unknown = _change(peers, secondary + "aws_elasticache_replication_group.this")["after_unknown"]
    assert (unknown["global_replication_group_id"], unknown["node_type"]) == (True, True)  # the global group's
    assert _under(peers, secondary + "aws_elasticache_parameter_group.") == []
    assert _under(peers, secondary + "aws_elasticache_global_replication_group.") == []
    # Its own Region's resources, through the alias: its VPC's subnets are eu-west-1's.
    assert peers.resource("module.vpc_global_secondary.aws_subnet.private[0]")["availability_zone"] == "eu-west-1a"
    for variable in ("engine", "engine_version", "node_type"):
        assert _check_status(peers, "module.elasticache_global_secondary", variable) == "pass"


def synthesize_global(workdir: Path) -> None:
    files = [(p, p.relative_to(PROJECT).as_posix()) for p in sorted(GLOBAL_ENVIRONMENTS.glob("*.toml"))]
    result = pipeline.produce(files, modules=all_modules())
    from generator.synthesis import tree
    tree.write_tree(workdir / "generated", result.files)


@background_terraform(prepare=synthesize_global)
def global_stacks_planned(generated_tree: Path, workdir: Path) -> dict[str, dict]:
    """Each Region's stack of the Global Datastore's environment files, planned offline."""
    plans = {}
    for stack in ("seoul", "ireland"):
        folder = workdir / "generated" / "stacks" / stack
        (folder / "offline_override.tf.json").write_text(json.dumps({"provider": terraform.OFFLINE_OVERRIDE["provider"]}))
        plans[stack] = terraform.plan_root(folder, {f"elasticache_global_{role}_auth_token": GLOBAL_AUTH_TOKEN
                                                    for role in ("primary", "secondary")
                                                    if (stack == "seoul") == (role == "primary")})
    return plans


@pytest.fixture(scope="module")
def global_stacks(background) -> tuple[pipeline.Result, dict[str, Plan]]:
    files = [(p, p.relative_to(PROJECT).as_posix()) for p in sorted(GLOBAL_ENVIRONMENTS.glob("*.toml"))]
    result = pipeline.produce(files, modules=all_modules())
    return result, {stack: Plan(plan) for stack, plan in background(global_stacks_planned).items()}


@pytest.mark.terraform
def test_global_datastore_from_environment_files_one_stack_per_region(global_stacks):
    _, plans = global_stacks
    seoul, ireland = plans["seoul"], plans["ireland"]
    seoul.assert_resource("module.elasticache_global_primary.aws_elasticache_global_replication_group.this[0]", {
        "global_replication_group_id_suffix": "ex-redis-global-replication-group"})
    group = "module.elasticache_global_secondary.aws_elasticache_replication_group.this"
    ireland.assert_resource(group, {"replication_group_id": "ex-redis-global-replication-group",
                                    "global_replication_group_id": "ldgnf-ex-redis-global-replication-group"})
    # The global group's version and parameter group: not sent, known once the group joins.
    unknown = next(c for c in ireland.raw["resource_changes"] if c["address"] == group)["change"]["after_unknown"]
    assert (unknown["engine_version"], unknown["parameter_group_name"]) == (True, True)
    assert [a for a in ireland.addresses() if "global_replication_group." in a or "parameter_group." in a] == []
    region = ireland.raw["configuration"]["provider_config"]["aws"]["expressions"]["region"]["constant_value"]
    assert region == "eu-west-1"


def test_global_datastore_environment_file_refused_when_it_breaks_aws_rules(tmp_path):
    """A secondary's file that says another engine version, and a primary's that names three secondaries: one
    message each, naming the file, the key and the rule."""
    secondary = (GLOBAL_ENVIRONMENTS / "ireland.toml").read_text().replace(
        'engine_version = "7.1"\nnode_type', 'engine_version = "6.2"\nnode_type')
    primary = (GLOBAL_ENVIRONMENTS / "seoul.toml").read_text().replace(
        'global_secondary_regions = ["eu-west-1"]', 'global_secondary_regions = ["eu-west-1", "us-east-1", "us-west-2"]')
    (tmp_path / "ireland.toml").write_text(secondary)
    (tmp_path / "seoul.toml").write_text(primary)
    with pytest.raises(InputError) as refused:
        pipeline.produce([(tmp_path / "ireland.toml", "environments/ireland.toml"),
                          (tmp_path / "seoul.toml", "environments/seoul.toml")], modules=all_modules())
    assert refused.value.problems == [
        "environments/ireland.toml: [elasticache_global_secondary] global_datastore: must be joined with the Global "
        "Datastore's engine and major version (AWS: a secondary runs the primary's): set engine and engine_version "
        'as the primary does, got engine = "redis", engine_version = "6.2"',
        "environments/seoul.toml: [elasticache_global_primary] global_secondary_regions: must have 0 to 2 Regions "
        '(AWS allows two secondaries), got ["eu-west-1", "us-east-1", "us-west-2"]',
    ]
