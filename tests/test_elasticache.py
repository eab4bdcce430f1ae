"""ElastiCache (Valkey): synthesized JSON, the Python rules with their exact messages, and real plans."""

from __future__ import annotations

import pytest

from testkit.assertions import ABSENT, Plan
from generator.language.inputs import InputError
from modules.elasticache import MODULE
from modules.elasticache.inputs import windows_overlap
from testkit.pytest_terraform import background_terraform, plan_case, refusal_case

BASE = {
    "name_prefix": "mapzip-dev-",
    "cluster_name": "auth",
    "vpc_id": "vpc-0a1b2c3d4e5f60718",
    "subnet_ids": ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
    # Clients authenticate: a call without a token, RBAC or authentication_disabled is refused.
    "auth_token": "example-token-0123456789",
}


def problems(**overrides):
    _, found = MODULE.inputs.problems({**BASE, **overrides})
    return [message for _, message in found]


def test_secure_defaults_resolve_without_problems():
    values = MODULE.inputs.validate(BASE)
    assert values["engine_version"].startswith("8.")
    assert values["at_rest_encryption_enabled"] is True
    assert values["transit_encryption_enabled"] is True
    assert values["automatic_failover_enabled"] is True
    assert values["multi_az_enabled"] is True
    assert values["snapshot_retention_limit"] == 7
    assert values["slow_log_enabled"] is True
    assert values["allowed_cidr_blocks"] == []
    assert values["create_kms_key"] is True
    # No source named: valid, and said out loud (a cluster nothing can reach is rarely what was meant).
    assert MODULE.inputs.warnings(values) == [
        "create_security_group = true, but allowed_security_group_ids, allowed_cidr_blocks and ingress_rules are "
        "empty: the module's group opens the cache port to nobody (associated_security_group_ids attach groups, "
        "they do not let anyone in)"
    ]
    assert MODULE.inputs.warnings({**values, "allowed_security_group_ids": ["sg-0123456789abcdef0"]}) == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param(
            {"cluster_name": "a-very-long-cache-name-that-goes-on"},
            'cluster_name: must give a replication group id (name_prefix + cluster_name) of at most 40 lowercase '
            'letters, digits and single hyphens, starting with a letter and not ending with a hyphen, got '
            'cluster_name = "a-very-long-cache-name-that-goes-on", name_prefix = "mapzip-dev-"',
            id="id-too-long",
        ),
        pytest.param(
            {"cluster_name": "auth-"},
            'cluster_name: must give a replication group id (name_prefix + cluster_name) of at most 40 lowercase '
            'letters, digits and single hyphens, starting with a letter and not ending with a hyphen, got '
            'cluster_name = "auth-", name_prefix = "mapzip-dev-"',
            id="id-trailing-hyphen",
        ),
        pytest.param(
            {"cluster_name": "Auth"},
            'cluster_name: must be lowercase letters, digits and hyphens, got "Auth"',
            id="id-uppercase",
        ),
        pytest.param(
            {"node_type": "r7g.large"},
            'node_type: must be a node type cache.<family>.<size>, such as cache.r7g.large, got "r7g.large"',
            id="node-type-prefix",
        ),
        pytest.param(
            {"engine_version": "7.1"},
            'engine_version: must be a Valkey version with engine = "valkey" (7.2, 8.0, 8.1, 8.2), got '
            'engine_version = "7.1", engine = "valkey"',
            id="engine-version-redis",
        ),
        pytest.param(
            {"engine_version": "6.x"},
            'engine_version: must be one of "7.2", "8.0", "8.1", "8.2", "7.1", "7.0", "6.2", "6.0", got "6.x"',
            id="engine-version-unknown",
        ),
        pytest.param(
            {"num_cache_clusters": 7},
            "num_cache_clusters: must be a whole number between 1 and 6, got 7",
            id="num-cache-clusters-range",
        ),
        pytest.param(
            {"num_cache_clusters": 3, "num_node_groups": 2},
            "num_cache_clusters: must not be set together with num_node_groups (cluster mode sizes the group by "
            "shards and replicas), got num_cache_clusters = 3, num_node_groups = 2",
            id="cache-clusters-with-shards",
        ),
        pytest.param(
            {"replicas_per_node_group": 2},
            "replicas_per_node_group: must only be set in cluster mode (with num_node_groups), got "
            "replicas_per_node_group = 2, num_node_groups = null",
            id="replicas-without-cluster-mode",
        ),
        pytest.param(
            {"replicas_per_node_group": 6, "num_node_groups": 2},
            "replicas_per_node_group: must be a whole number between 0 and 5, got 6",
            id="replicas-range",
        ),
        pytest.param(
            {"num_node_groups": 2, "automatic_failover_enabled": False, "multi_az_enabled": False},
            "automatic_failover_enabled: must be true in cluster mode (num_node_groups set): AWS cannot turn "
            "failover off there, got automatic_failover_enabled = false, num_node_groups = 2",
            id="cluster-mode-without-failover",
        ),
        pytest.param(
            {"num_cache_clusters": 1},
            "automatic_failover_enabled: needs num_cache_clusters of 2 or more without cluster mode "
            "(num_node_groups unset); for a single node set automatic_failover_enabled and multi_az_enabled to "
            "false, got automatic_failover_enabled = true, num_cache_clusters = 1, num_node_groups = null",
            id="failover-single-node",
        ),
        pytest.param(
            {"automatic_failover_enabled": False},
            "multi_az_enabled: needs automatic_failover_enabled = true, got multi_az_enabled = true, "
            "automatic_failover_enabled = false",
            id="multi-az-without-failover",
        ),
        pytest.param(
            {"kms_key_arn": "arn:aws:kms:ap-northeast-2:111122223333:key/abcd", "at_rest_encryption_enabled": False},
            "kms_key_arn: needs at_rest_encryption_enabled = true, got kms_key_arn = "
            '"arn:aws:kms:ap-northeast-2:111122223333:key/abcd", at_rest_encryption_enabled = false',
            id="kms-without-at-rest",
        ),
        pytest.param(
            {"kms_key_arn": "alias/cache"},
            'kms_key_arn: must be an ARN of the kms service (arn:aws:kms:…), or alias/aws/elasticache for '
            'ElastiCache\'s AWS managed key, got "alias/cache"',
            id="kms-not-arn",
        ),
        pytest.param(
            {"transit_encryption_mode": "optional"},
            'transit_encryption_mode: must be one of "preferred", "required", got "optional"',
            id="transit-mode-value",
        ),
        pytest.param(
            {"snapshot_window": "3:00-5:00"},
            'snapshot_window: must be a daily window hh24:mi-hh24:mi in UTC, such as 03:00-05:00, got "3:00-5:00"',
            id="snapshot-window-format",
        ),
        pytest.param(
            {"snapshot_window": "03:00-03:30"},
            'snapshot_window: must last at least 60 minutes, got "03:00-03:30"',
            id="snapshot-window-short",
        ),
        pytest.param(
            {"maintenance_window": "sunday:05:00-sunday:06:00"},
            'maintenance_window: must be a weekly window ddd:hh24:mi-ddd:hh24:mi in UTC, such as '
            'sun:05:00-sun:07:00, got "sunday:05:00-sunday:06:00"',
            id="maintenance-window-format",
        ),
        pytest.param(
            {"maintenance_window": "sun:05:00-sun:05:30"},
            'maintenance_window: must last at least 60 minutes, got "sun:05:00-sun:05:30"',
            id="maintenance-window-short",
        ),
        pytest.param(
            {"snapshot_window": "04:30-05:30", "maintenance_window": "wed:05:00-wed:06:00"},
            'maintenance_window: must not overlap snapshot_window, got maintenance_window = "wed:05:00-wed:06:00", '
            'snapshot_window = "04:30-05:30"',
            id="windows-overlap",
        ),
        pytest.param(
            {"snapshot_retention_limit": 36},
            "snapshot_retention_limit: must be a whole number between 0 and 35, got 36",
            id="retention-range",
        ),
        pytest.param(
            {"allowed_cidr_blocks": ["0.0.0.0/0"]},
            'allowed_cidr_blocks: must not contain 0.0.0.0/0 or ::/0 unless allow_ingress_from_anywhere = true, got '
            'allowed_cidr_blocks = ["0.0.0.0/0"], allow_ingress_from_anywhere = false',
            id="open-ingress",
        ),
        pytest.param(
            {"allowed_cidr_blocks": ["10.0.0.1/16"]},
            'allowed_cidr_blocks: must be CIDR blocks such as 10.0.0.0/16 (network address, no host bits set), got '
            '["10.0.0.1/16"]',
            id="cidr-host-bits",
        ),
        pytest.param(
            {"node_type": "cache.r6gd.xlarge"},
            'data_tiering_enabled: must be true exactly when node_type is an r6gd type (data tiering exists only '
            'there, and is required there), got data_tiering_enabled = false, node_type = "cache.r6gd.xlarge"',
            id="r6gd-needs-tiering",
        ),
        pytest.param(
            {"parameters": {"cluster-enabled": "yes"}},
            'parameters: must not set cluster-enabled: the module sets it from num_node_groups, got '
            '{"cluster-enabled": "yes"}',
            id="cluster-enabled-parameter",
        ),
        pytest.param(
            {"user_group_ids": ["a", "b"]},
            'user_group_ids: must have 0 to 1 user groups, got ["a", "b"]',
            id="one-user-group",
        ),
        pytest.param(
            {"port": "6379"},
            'port: must be number, got "6379"',
            id="port-type",
        ),
        pytest.param(
            {"subnet_ids": []},
            "subnet_ids: must have at least one subnet, got []",
            id="no-subnets",
        ),
    ],
)
def test_fails_if(overrides, message):
    assert problems(**overrides) == [message]


def test_auth_token_rules_never_echo_the_secret():
    found = problems(auth_token="short", transit_encryption_enabled=False)
    assert found == ["auth_token: must be 16 to 128 letters, digits or !&#$^<>-, got (sensitive value)"]
    found = problems(auth_token="a-valid-token-1234567", transit_encryption_enabled=False)
    assert found == [
        "auth_token: needs transit_encryption_enabled = true (AWS accepts AUTH only over TLS), got false"
    ]
    found = problems(auth_token="a-valid-token-1234567", user_group_ids=["users"])
    assert found == [
        'auth_token: must not be set together with user_group_ids (AUTH token or RBAC, not both), got ["users"]'
    ]


def test_missing_required_input():
    given = dict(BASE)
    del given["vpc_id"]
    with pytest.raises(InputError) as err:
        MODULE.inputs.validate(given)
    assert err.value.problems == ["vpc_id: is required (string): VPC of the security group."]


def test_null_means_default_and_is_refused_for_required_inputs():
    assert MODULE.inputs.validate({**BASE, "port": None})["port"] == 6379
    assert problems(vpc_id=None) == ["vpc_id: is required (string), got null"]


def test_weakening_inputs_warn():
    values = MODULE.inputs.validate({**BASE, "transit_encryption_enabled": False, "snapshot_retention_limit": 0,
                                     "allowed_security_group_ids": ["sg-0123456789abcdef0"], "auth_token": None,
                                     "authentication_disabled": True})
    assert MODULE.inputs.warnings(values) == [
        "transit_encryption_enabled = false turns off encryption in transit (and with it AUTH)",
        "authentication_disabled = true lets clients connect without authentication (no AUTH token, no RBAC)",
        "snapshot_retention_limit = 0 turns off automatic backups",
    ]


@pytest.mark.parametrize(
    ("snapshot", "maintenance", "overlap"),
    [
        ("03:00-04:00", "sun:05:00-sun:06:00", False),
        ("03:00-04:00", "sun:04:00-sun:05:00", False),  # touching is not overlapping
        ("03:00-04:00", "tue:03:30-tue:04:30", True),
        ("23:30-00:30", "mon:00:00-mon:01:00", True),  # across midnight
        ("23:30-00:30", "sat:23:45-sun:00:45", True),  # across the week's end
    ],
)
def test_window_overlap(snapshot, maintenance, overlap):
    assert windows_overlap(snapshot, maintenance) is overlap


def test_module_json(module_json):
    module = module_json("elasticache")
    module.assert_resource(
        "aws_elasticache_replication_group",
        "this",
        {
            # A secondary of a Global Datastore sends no engine, version or encryption: the global group's.
            "engine": "${local.global_secondary ? null : local.engine}",
            "at_rest_encryption_enabled": "${local.global_secondary ? null : var.at_rest_encryption_enabled}",
            "transit_encryption_enabled": "${local.global_secondary ? null : var.transit_encryption_enabled}",
            "num_cache_clusters": "${local.group_cluster_mode ? null : coalesce(var.num_cache_clusters, 2)}",
            "automatic_failover_enabled": "${local.group_cluster_mode ? true : var.automatic_failover_enabled}",
            "dynamic": {"log_delivery_configuration": {"for_each": "${local.log_deliveries}"}},
        },
    )
    assert module.document["locals"]["engine"] == "${try(var.global_datastore.engine, var.engine)}"
    assert module.document["locals"]["parameter_group_family"].startswith(
        '${lookup({ "valkey 7.2" = "valkey7", "valkey 8.0" = "valkey8", ')
    module.assert_variable("engine", {"default": "valkey", "nullable": False})
    module.assert_variable("auth_token", {"sensitive": True, "nullable": True, "default": None, "type": "string"})
    module.assert_variable("engine_version", {"default": "8.2", "nullable": False})
    # Valkey exists only as a replication group.
    assert not [r for r in module.resources() if r.startswith("aws_elasticache_cluster.")]
    assert module.resources() == [
        "aws_cloudwatch_log_group.engine_log",
        "aws_cloudwatch_log_group.slow_log",
        "aws_cloudwatch_metric_alarm.this",
        "aws_elasticache_global_replication_group.this",
        "aws_elasticache_parameter_group.this",
        "aws_elasticache_replication_group.this",
        "aws_elasticache_subnet_group.this",
        "aws_elasticache_user.this",
        "aws_elasticache_user_group.this",
        "aws_kms_alias.this",
        "aws_kms_key.this",
        "aws_kms_key_policy.this",
        "aws_security_group.this",
        "aws_vpc_security_group_egress_rule.extra",
        "aws_vpc_security_group_ingress_rule.extra",
        "aws_vpc_security_group_ingress_rule.from_cidr_blocks",
        "aws_vpc_security_group_ingress_rule.from_security_groups",
    ]
    preconditions = module.resource("aws_elasticache_replication_group", "this")["lifecycle"]["precondition"]
    assert len(preconditions) == len([c for c in MODULE.inputs.checks if c.hcl])
    assert set(module.document["output"]) >= {
        "replication_group_id", "arn", "primary_endpoint_address", "reader_endpoint_address",
        "configuration_endpoint_address", "port", "security_group_id", "parameter_group_name",
        "subnet_group_name", "member_clusters",
    }


DEFAULTS = plan_case("elasticache", BASE)


def test_plan_defaults(planned):
    plan = Plan(planned(DEFAULTS))
    plan.assert_resource(
        "module.under_test.aws_elasticache_replication_group.this",
        {
            "replication_group_id": "mapzip-dev-auth",
            "engine": "valkey",
            "engine_version": "8.2",
            "num_cache_clusters": 2,
            "automatic_failover_enabled": True,
            "multi_az_enabled": True,
            "at_rest_encryption_enabled": "true",
            "transit_encryption_enabled": True,
            "snapshot_retention_limit": 7,
            "port": 6379,
            "log_delivery_configuration": [
                {"destination": "/aws/elasticache/mapzip-dev-auth/engine-log", "destination_type": "cloudwatch-logs",
                 "log_format": "json", "log_type": "engine-log"},
                {"destination": "/aws/elasticache/mapzip-dev-auth/slow-log", "destination_type": "cloudwatch-logs",
                 "log_format": "json", "log_type": "slow-log"},
            ],
        },
    )
    plan.assert_resource(
        "module.under_test.aws_elasticache_parameter_group.this[0]",
        {"family": "valkey8", "name": "mapzip-dev-auth-valkey8", "parameter": []},
    )
    # No source given: no ingress at all.
    plan.assert_count("module.under_test.aws_vpc_security_group_ingress_rule.", 0)


CLUSTER_MODE = plan_case("elasticache", {**BASE, "num_node_groups": 3, "engine_version": "7.2",
                                          "parameters": {"maxmemory-policy": "allkeys-lru"}})


def test_plan_cluster_mode(planned):
    plan = Plan(planned(CLUSTER_MODE))
    plan.assert_resource(
        "module.under_test.aws_elasticache_replication_group.this",
        {"num_node_groups": 3, "replicas_per_node_group": 1, "automatic_failover_enabled": True,
         "num_cache_clusters": ABSENT},
    )
    plan.assert_resource(
        "module.under_test.aws_elasticache_parameter_group.this[0]",
        {
            "family": "valkey7",
            "name": "mapzip-dev-auth-valkey7-cluster",
            "parameter": [{"name": "cluster-enabled", "value": "yes"}, {"name": "maxmemory-policy", "value": "allkeys-lru"}],
        },
    )


FULLY_SPECIFIED = {
    **BASE,
    "description": "Sessions",
    "node_type": "cache.r7g.large",
    "engine_version": "8.1",
    "port": 6380,
    "allowed_security_group_ids": ["sg-0123456789abcdef0"],
    "allowed_cidr_blocks": ["10.20.0.0/16", "fd00::/8"],
    "associated_security_group_ids": ["sg-0fedcba987654321f"],
    "num_cache_clusters": 3,
    "kms_key_arn": "arn:aws:kms:ap-northeast-2:111122223333:key/1234abcd",
    "log_kms_key_arn": "arn:aws:kms:ap-northeast-2:111122223333:key/5678abcd",
    "create_kms_key": False,
    "transit_encryption_mode": "required",
    "auth_token": "a-valid-token-1234567",
    "snapshot_retention_limit": 14,
    "snapshot_window": "02:00-03:00",
    "maintenance_window": "mon:04:00-mon:05:00",
    "final_snapshot_identifier": "mapzip-dev-auth-final",
    "apply_immediately": True,
    "notification_topic_arn": "arn:aws:sns:ap-northeast-2:111122223333:cache-events",
    "engine_log_enabled": False,
    "log_retention_in_days": 731,
    "tags": {"Team": "platform"},
}
FULLY_SPECIFIED_CASE = plan_case("elasticache", FULLY_SPECIFIED)


def test_plan_fully_specified(planned):
    assert MODULE.inputs.problems(FULLY_SPECIFIED)[1] == []
    plan = Plan(planned(FULLY_SPECIFIED_CASE))
    plan.assert_resource(
        "module.under_test.aws_elasticache_replication_group.this",
        {
            "description": "Sessions",
            "port": 6380,
            "num_cache_clusters": 3,
            "kms_key_id": "arn:aws:kms:ap-northeast-2:111122223333:key/1234abcd",
            "transit_encryption_mode": "required",
            "snapshot_window": "02:00-03:00",
            "maintenance_window": "mon:04:00-mon:05:00",
            "final_snapshot_identifier": "mapzip-dev-auth-final",
            "tags": {"Team": "platform"},
            "log_delivery_configuration": [{"log_type": "slow-log", "destination": "/aws/elasticache/mapzip-dev-auth/slow-log",
                                            "destination_type": "cloudwatch-logs", "log_format": "json"}],
        },
    )
    plan.assert_count("module.under_test.aws_cloudwatch_log_group.engine_log", 0)
    plan.assert_resource("module.under_test.aws_cloudwatch_log_group.slow_log[0]", {"retention_in_days": 731})
    plan.assert_resource(
        'module.under_test.aws_vpc_security_group_ingress_rule.from_cidr_blocks["6380/1"]',
        {"cidr_ipv6": "fd00::/8", "cidr_ipv4": ABSENT, "from_port": 6380, "to_port": 6380, "ip_protocol": "tcp"},
    )
    plan.assert_resource(
        'module.under_test.aws_vpc_security_group_ingress_rule.from_security_groups["6380/0"]',
        {"referenced_security_group_id": "sg-0123456789abcdef0", "from_port": 6380},
    )


SINGLE_NODE_WITH_FAILOVER = refusal_case("elasticache", {**BASE, "num_cache_clusters": 1})
UNKNOWN_ENGINE_VERSION = refusal_case("elasticache", {**BASE, "engine_version": "7.1"})
SHORT_AUTH_TOKEN = refusal_case("elasticache", {**BASE, "auth_token": "short"})


def test_terraform_refuses_what_python_refuses(refused):
    """The same rules protect a team calling the module from its own HCL."""
    error = refused(SINGLE_NODE_WITH_FAILOVER)
    assert "automatic_failover_enabled needs num_cache_clusters of 2 or more" in error
    error = refused(UNKNOWN_ENGINE_VERSION)
    assert ("engine_version must be a version of the engine: Valkey 7.2, 8.0, 8.1, 8.2; Redis OSS 7.1, 7.0, 6.2, "
            "6.0.") in error
    error = refused(SHORT_AUTH_TOKEN)
    assert "auth_token must be 16 to 128 letters, digits or !&#$^<>-." in error


# --- real roots (issue 13): attach vs allow, bring your own group and key, outputs ------------------------------


def test_attaching_a_group_is_not_allowing_it():
    """`security_group_ids` attaches and opens nothing: passing the EKS group there left the cache unreachable
    without a word. The old name still works, and synth says what it does."""
    values = MODULE.inputs.validate({**BASE, "security_group_ids": ["sg-0e0e0e0e0e0e0e0e1"]})
    assert MODULE.inputs.warnings(values) == [
        "security_group_ids is deprecated: it attaches the groups to the cluster and opens nothing; name them in "
        "associated_security_group_ids to attach them, or in allowed_security_group_ids to let their members in",
        "create_security_group = true, but allowed_security_group_ids, allowed_cidr_blocks and ingress_rules are "
        "empty: the module's group opens the cache port to nobody (associated_security_group_ids attach groups, "
        "they do not let anyone in)",
    ]


PLAN_ATTACH_AND_ALLOW_CASE_1 = plan_case("elasticache", {
        **BASE,
        "allowed_security_group_ids": ["sg-0e0e0e0e0e0e0e0e1"],
        "associated_security_group_ids": ["sg-0aaaaaaaaaaaaaaa1"],
        "security_group_ids": ["sg-0aaaaaaaaaaaaaaa2"],  # the deprecated name keeps working
        "ingress_rules": {"office": {"prefix_list_id": "pl-0123456789abcdef0", "from_port": 6379}},
        "egress_rules": {"dns": {"ip_protocol": "udp", "from_port": 53, "cidr_ipv4": "10.0.0.2/32"}},
    })


def test_plan_attach_and_allow(planned):
    plan = Plan(planned(PLAN_ATTACH_AND_ALLOW_CASE_1))
    # The module's group (unknown until apply), then the attached ones.
    change = next(c for c in plan.raw["resource_changes"]
                  if c["address"] == "module.under_test.aws_elasticache_replication_group.this")
    assert change["change"]["after_unknown"]["security_group_ids"] is True
    plan.assert_resource('module.under_test.aws_vpc_security_group_ingress_rule.from_security_groups["6379/0"]',
                         {"referenced_security_group_id": "sg-0e0e0e0e0e0e0e0e1", "from_port": 6379, "to_port": 6379})
    plan.assert_resource('module.under_test.aws_vpc_security_group_ingress_rule.extra["office"]',
                         {"prefix_list_id": "pl-0123456789abcdef0", "from_port": 6379, "to_port": 6379,
                          "ip_protocol": "tcp", "description": "Valkey office (ingress_rules)"})
    plan.assert_resource('module.under_test.aws_vpc_security_group_egress_rule.extra["dns"]',
                         {"cidr_ipv4": "10.0.0.2/32", "from_port": 53, "to_port": 53, "ip_protocol": "udp"})
    plan.assert_count("module.under_test.aws_vpc_security_group_", 3)


PLAN_BRING_YOUR_OWN_GROUP_AND_KEYS_CASE_1 = plan_case("elasticache", {
        **BASE,
        "create_security_group": False,
        "associated_security_group_ids": ["sg-0aaaaaaaaaaaaaaa1"],
        "kms_key_arn": "arn:aws:kms:ap-northeast-2:111122223333:key/data",
        "log_kms_key_arn": "arn:aws:kms:ap-northeast-2:111122223333:key/logs",
        "create_kms_key": False,
    })


def test_plan_bring_your_own_group_and_keys(planned):
    plan = Plan(planned(PLAN_BRING_YOUR_OWN_GROUP_AND_KEYS_CASE_1))
    plan.assert_resource("module.under_test.aws_elasticache_replication_group.this",
                         {"security_group_ids": ["sg-0aaaaaaaaaaaaaaa1"],
                          "kms_key_id": "arn:aws:kms:ap-northeast-2:111122223333:key/data"})
    plan.assert_resource("module.under_test.aws_cloudwatch_log_group.slow_log[0]",
                         {"kms_key_id": "arn:aws:kms:ap-northeast-2:111122223333:key/logs"})
    plan.assert_count("module.under_test.aws_security_group", 0)
    plan.assert_count("module.under_test.aws_vpc_security_group", 0)
    plan.assert_count("module.under_test.aws_kms", 0)


def test_outputs_a_root_needs(module_json):
    module = module_json("elasticache")
    module.assert_output("engine_version_actual",
                         {"value": "${aws_elasticache_replication_group.this.engine_version_actual}"})
    module.assert_output("security_group_arn", {"value": "${one(aws_security_group.this[*].arn)}"})
    module.assert_output("security_group_id", {"value": "${one(aws_security_group.this[*].id)}"})


def test_the_group_moves_to_its_count_index(module_json):
    """The group existed before create_security_group: a root that applied the old module keeps it."""
    assert module_json("elasticache").document["moved"] == [
        {"from": "aws_security_group.this", "to": "aws_security_group.this[0]"},
        # Counted since a Global Datastore's secondaries have none (issue 28).
        {"from": "aws_elasticache_parameter_group.this", "to": "aws_elasticache_parameter_group.this[0]"},
    ]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"create_kms_key": False, "kms_key_arn": "arn:aws:kms:ap-northeast-2:111122223333:key/data"},
                     "create_kms_key: needs kms_key_arn (data at rest) and log_kms_key_arn (slow and engine logs) for "
                     "what is encrypted when false: the module then creates no key, got create_kms_key = false, "
                     'kms_key_arn = "arn:aws:kms:ap-northeast-2:111122223333:key/data", log_kms_key_arn = null',
                     id="logs-without-key"),
        pytest.param({"kms_key_arn": "arn:aws:kms:ap-northeast-2:111122223333:key/data", "create_kms_key": True,
                      "slow_log_enabled": False, "engine_log_enabled": False},
                     "create_kms_key: must be false when kms_key_arn and log_kms_key_arn cover everything that is "
                     "encrypted (the module's key would encrypt nothing), got create_kms_key = true, kms_key_arn = "
                     '"arn:aws:kms:ap-northeast-2:111122223333:key/data", log_kms_key_arn = null', id="unused-key"),
    ],
)
def test_fails_if_keys_inconsistent(overrides, message):
    assert problems(**overrides) == [message]


def test_environment_files_derive_create_kms_key():
    """An environment file never needs create_kms_key: its literal keys decide it, and the generator writes it."""
    given = {**BASE, "kms_key_arn": "arn:aws:kms:ap-northeast-2:111122223333:key/data",
             "log_kms_key_arn": "arn:aws:kms:ap-northeast-2:111122223333:key/logs"}
    values, found = MODULE.inputs.problems(given)
    assert found == [] and values["create_kms_key"] is False
    assert MODULE.inputs.derived_arguments(given, values) == {"create_kms_key": False}
    only_data = {**BASE, "kms_key_arn": "arn:aws:kms:ap-northeast-2:111122223333:key/data"}
    values, found = MODULE.inputs.problems(only_data)
    assert found == [] and values["create_kms_key"] is True  # the logs still need the module's key
    assert MODULE.inputs.derived_arguments(only_data, values) == {}


@background_terraform
def plan_over_a_group_applied_before_create_security_group(generated_tree, workdir):
    """A root that applied the module before create_security_group existed holds `aws_security_group.this`; the
    module's `moved` block carries it to `this[0]`: no new group, no replaced cluster."""
    import json
    import uuid

    from testkit import terraform

    harness = terraform.ModuleHarness(generated_tree / "modules" / "elasticache", workdir)
    planned = Plan(harness.plan(BASE)).values["module.under_test.aws_security_group.this[0]"]
    group = {**planned, "id": "sg-0123456789abcdef0", "arn": "arn:aws:ec2:ap-northeast-2:111122223333:security-group/sg-0123456789abcdef0",
             "name": "mapzip-dev-auth-20261101000000000000000001", "owner_id": "111122223333", "egress": [], "ingress": []}
    (workdir / "offline.tfstate").write_text(json.dumps({
        "version": 4, "terraform_version": "1.11.0", "serial": 1, "lineage": str(uuid.UUID(int=14)), "outputs": {},
        "resources": [{"module": "module.under_test", "mode": "managed", "type": "aws_security_group", "name": "this",
                       "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
                       "instances": [{"schema_version": 1, "attributes": group}]}],
    }))
    return next(c for c in harness.plan(BASE)["resource_changes"] if c["type"] == "aws_security_group")


def test_plan_moves_an_existing_group_instead_of_replacing_it(background):
    change = background(plan_over_a_group_applied_before_create_security_group)
    assert change["address"] == "module.under_test.aws_security_group.this[0]"
    assert change["previous_address"] == "module.under_test.aws_security_group.this"
    assert change["change"]["actions"] in (["no-op"], ["update"])
