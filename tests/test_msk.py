"""MSK: private, encrypted and authenticated by default; broker count and auth combinations checked."""

from __future__ import annotations

import pytest

from testkit.assertions import ABSENT, Plan
from modules.msk import MODULE
from testkit.pytest_terraform import background_terraform, plan_case, refusal_case

SUBNETS3 = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"]
BASE = {
    "name_prefix": "mapzip-dev-",
    "cluster_name": "events",
    "vpc_id": "vpc-0a1b2c3d4e5f60718",
    "subnet_ids": SUBNETS3[:2],
}


def problems(**overrides):
    _, found = MODULE.inputs.problems({**BASE, **overrides})
    return [message for _, message in found]


def test_secure_defaults():
    values = MODULE.inputs.validate(BASE)
    assert values["encryption_in_transit_client_broker"] == "TLS"
    assert values["encryption_in_transit_in_cluster"] is True
    assert values["client_authentication_iam_enabled"] is True
    assert values["client_authentication_unauthenticated_enabled"] is False
    assert values["cloudwatch_logs_enabled"] is True
    assert values["kafka_version"] == "3.8.x"
    assert values["create_kms_key"] is True and values["create_security_group"] is True
    assert MODULE.inputs.warnings({**values, "allowed_cidr_blocks": ["10.0.0.0/16"]}) == []


@pytest.mark.parametrize("version", ["3.7.x", "3.8.x.kraft", "3.9.x", "4.0.x.kraft", "4.1.x.kraft"])
def test_accepts_versions_aws_accepts(version):
    assert problems(kafka_version=version) == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"cluster_name": "events_bus"},
                     "cluster_name: must give a cluster name (name_prefix + cluster_name) of 1 to 64 letters, digits "
                     'and hyphens, starting with a letter or digit, got cluster_name = "events_bus", '
                     'name_prefix = "mapzip-dev-"', id="name-chars"),
        pytest.param({"cluster_name": "e" * 60},
                     "cluster_name: must give a cluster name (name_prefix + cluster_name) of 1 to 64 letters, digits "
                     f'and hyphens, starting with a letter or digit, got cluster_name = "{"e" * 60}", '
                     'name_prefix = "mapzip-dev-"', id="name-length"),
        pytest.param({"kafka_version": "2.8.1"},
                     'kafka_version: must be one of "2.8.2.tiered", "3.1.1", "3.2.0", "3.3.1", "3.3.2", "3.4.0", '
                     '"3.5.1", "3.6.0", "3.7.x", "3.7.x.kraft", "3.8.x", "3.8.x.kraft", "3.9.x", '
                     '"3.9.x.kraft", "4.0.x.kraft", "4.1.x.kraft", got "2.8.1"', id="version"),
        pytest.param({"subnet_ids": SUBNETS3, "number_of_broker_nodes": 4},
                     "number_of_broker_nodes: must be a multiple of the 3 subnets, got 4", id="brokers-multiple"),
        pytest.param({"number_of_broker_nodes": 0},
                     "number_of_broker_nodes: must be a whole number between 1 and 30, got 0", id="brokers-positive"),
        pytest.param({"subnet_ids": SUBNETS3[:1]},
                     'subnet_ids: must have 2 to 3 subnets, got ["subnet-0a1b2c3d4e5f60001"]', id="one-subnet"),
        pytest.param({"subnet_ids": SUBNETS3 + ["subnet-0a1b2c3d4e5f60004"]},
                     'subnet_ids: must have 2 to 3 subnets, got ["subnet-0a1b2c3d4e5f60001", '
                     '"subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003", "subnet-0a1b2c3d4e5f60004"]',
                     id="four-subnets"),
        pytest.param({"broker_instance_type": "m5.large"},
                     'broker_instance_type: must be a broker type kafka.<family>.<size>, such as kafka.m7g.large, '
                     'got "m5.large"', id="instance-type"),
        pytest.param({"ebs_volume_size": 16385},
                     "ebs_volume_size: must be a whole number between 1 and 16384, got 16385", id="volume-size"),
        pytest.param({"encryption_in_transit_client_broker": "SSL"},
                     'encryption_in_transit_client_broker: must be one of "TLS", "TLS_PLAINTEXT", "PLAINTEXT", '
                     'got "SSL"', id="client-broker-value"),
        pytest.param({"encryption_in_transit_client_broker": "PLAINTEXT", "client_authentication_unauthenticated_enabled": True},
                     "client_authentication_iam_enabled: needs encryption_in_transit_client_broker TLS or "
                     "TLS_PLAINTEXT (SASL runs over TLS), got client_authentication_iam_enabled = true, "
                     'encryption_in_transit_client_broker = "PLAINTEXT"', id="iam-over-plaintext"),
        pytest.param({"client_authentication_iam_enabled": False, "client_authentication_scram_enabled": True,
                      "encryption_in_transit_client_broker": "PLAINTEXT",
                      "client_authentication_unauthenticated_enabled": True},
                     "client_authentication_scram_enabled: needs encryption_in_transit_client_broker TLS or "
                     "TLS_PLAINTEXT (SASL runs over TLS), got client_authentication_scram_enabled = true, "
                     'encryption_in_transit_client_broker = "PLAINTEXT"', id="scram-over-plaintext"),
        pytest.param({"encryption_in_transit_in_cluster": False},
                     "encryption_in_transit_in_cluster: must be true when SASL (IAM or SCRAM) authentication is on, "
                     "got encryption_in_transit_in_cluster = false, client_authentication_iam_enabled = true, "
                     "client_authentication_scram_enabled = false", id="sasl-needs-in-cluster"),
        pytest.param({"client_authentication_tls_certificate_authority_arns":
                      ["arn:aws:acm-pca:ap-northeast-2:111122223333:certificate-authority/1"],
                      "encryption_in_transit_client_broker": "TLS_PLAINTEXT",
                      "client_authentication_unauthenticated_enabled": True},
                     'client_authentication_tls_certificate_authority_arns: need encryption_in_transit_client_broker = '
                     '"TLS" and encryption_in_transit_in_cluster = true (mutual TLS), got '
                     'encryption_in_transit_client_broker = "TLS_PLAINTEXT", encryption_in_transit_in_cluster = true',
                     id="mtls-needs-tls"),
        pytest.param({"encryption_in_transit_client_broker": "TLS_PLAINTEXT"},
                     "client_authentication_unauthenticated_enabled: must be true when encryption_in_transit_client_broker "
                     "is TLS_PLAINTEXT or PLAINTEXT (the plaintext listener has no authentication), got "
                     'client_authentication_unauthenticated_enabled = false, encryption_in_transit_client_broker = '
                     '"TLS_PLAINTEXT"', id="plaintext-is-unauthenticated"),
        pytest.param({"client_authentication_iam_enabled": False},
                     "client_authentication_iam_enabled: must be true, or another client authentication chosen (SCRAM, "
                     "mutual TLS, or explicitly client_authentication_unauthenticated_enabled = true), got "
                     "client_authentication_iam_enabled = false, client_authentication_scram_enabled = false, "
                     "client_authentication_tls_certificate_authority_arns = [], "
                     "client_authentication_unauthenticated_enabled = false", id="no-authentication"),
        pytest.param({"storage_autoscaling_max_capacity": 100},
                     "storage_autoscaling_max_capacity: must be greater than ebs_volume_size, got "
                     "storage_autoscaling_max_capacity = 100, ebs_volume_size = 100", id="autoscaling-ceiling"),
        pytest.param({"allowed_cidr_blocks": ["::/0"]},
                     'allowed_cidr_blocks: must not contain 0.0.0.0/0 or ::/0 unless allow_ingress_from_anywhere = true, '
                     'got allowed_cidr_blocks = ["::/0"], allow_ingress_from_anywhere = false', id="open-ingress"),
    ],
)
def test_fails_if(overrides, message):
    assert problems(**overrides) == [message]


def test_weakening_is_explicit_and_warned():
    values = MODULE.inputs.validate({**BASE, "encryption_in_transit_client_broker": "TLS_PLAINTEXT",
                                     "client_authentication_unauthenticated_enabled": True,
                                     "allowed_security_group_ids": ["sg-0123456789abcdef0"]})
    assert MODULE.inputs.warnings(values) == [
        "client_authentication_unauthenticated_enabled = true lets clients connect without authentication"
    ]


def test_module_json(module_json):
    module = module_json("msk")
    module.assert_resource(
        "aws_msk_configuration", "this",
        {"name": '${var.configuration_name != null ? var.configuration_name : '
                 '"${local.cluster_name}-${replace(var.kafka_version, ".", "-")}"}',
         "lifecycle": {"create_before_destroy": True}},
    )
    module.assert_resource(
        "aws_msk_cluster", "this",
        {"broker_node_group_info": {"connectivity_info": {"public_access": {"type": "${var.public_access_type}"}}},
         "configuration_info": {"arn": "${aws_msk_configuration.this.arn}"}},
    )
    assert set(module.document["output"]) >= {
        "cluster_arn", "cluster_name", "bootstrap_brokers_tls", "bootstrap_brokers_sasl_iam",
        "bootstrap_brokers_sasl_scram", "zookeeper_connect_string", "current_version", "security_group_id",
        "configuration_arn",
    }


DEFAULTS = plan_case("msk", {**BASE, "allowed_security_group_ids": ["sg-0123456789abcdef0"]})


def test_plan_defaults(planned):
    plan = Plan(planned(DEFAULTS))
    plan.assert_resource(
        "module.under_test.aws_msk_cluster.this",
        {
            "cluster_name": "mapzip-dev-events",
            "kafka_version": "3.8.x",
            "number_of_broker_nodes": 2,
            "encryption_info": [{"encryption_in_transit": [{"client_broker": "TLS", "in_cluster": True}]}],
            "client_authentication": [{"sasl": [{"iam": True, "scram": False}], "tls": [], "unauthenticated": False}],
            "logging_info": [{"broker_logs": [{"cloudwatch_logs": [{"enabled": True, "log_group": "/aws/msk/mapzip-dev-events/broker"}]}]}],
        },
    )
    plan.assert_resource("module.under_test.aws_msk_configuration.this",
                         {"name": "mapzip-dev-events-3-8-x", "kafka_versions": ["3.8.x"],
                          "server_properties": "auto.create.topics.enable=false"})
    # Only the enabled listener: IAM (9098). IAM clients never use the TLS listener (9094).
    assert [a for a in plan.addresses() if "from_security_groups" in a] == [
        'module.under_test.aws_vpc_security_group_ingress_rule.from_security_groups["9098/0"]',
    ]
    plan.assert_count("module.under_test.aws_appautoscaling", 0)


THREE_AZ_SIX_BROKERS = plan_case("msk", {
    **BASE,
    "subnet_ids": SUBNETS3,
    "number_of_broker_nodes": 6,
    "kafka_version": "3.9.x.kraft",
    "storage_autoscaling_max_capacity": 1000,
    "server_properties": {"default.replication.factor": "3", "min.insync.replicas": "2"},
})


def test_plan_three_az_six_brokers_custom_properties(planned):
    plan = Plan(planned(THREE_AZ_SIX_BROKERS))
    plan.assert_resource(
        "module.under_test.aws_msk_cluster.this",
        {"number_of_broker_nodes": 6, "kafka_version": "3.9.x.kraft",
         "broker_node_group_info": [{"client_subnets": SUBNETS3}]},
    )
    plan.assert_resource(
        "module.under_test.aws_msk_configuration.this",
        {"name": "mapzip-dev-events-3-9-x-kraft",
         "server_properties": "auto.create.topics.enable=false\ndefault.replication.factor=3\nmin.insync.replicas=2"},
    )
    plan.assert_resource("module.under_test.aws_appautoscaling_target.storage[0]",
                         {"max_capacity": 1000, "scalable_dimension": "kafka:broker-storage:VolumeSize"})


SCRAM = plan_case("msk", {
    **BASE,
    "client_authentication_scram_enabled": True,
    "allowed_cidr_blocks": ["10.20.0.0/16"],
})


def test_plan_scram(planned):
    plan = Plan(planned(SCRAM))
    plan.assert_resource(
        "module.under_test.aws_msk_cluster.this",
        {"client_authentication": [{"sasl": [{"iam": True, "scram": True}], "unauthenticated": False}]},
    )
    assert [a for a in plan.addresses() if "from_cidr_blocks" in a] == [
        f'module.under_test.aws_vpc_security_group_ingress_rule.from_cidr_blocks["{port}/0"]' for port in (9096, 9098)
    ]
    plan.assert_resource(
        'module.under_test.aws_vpc_security_group_ingress_rule.from_cidr_blocks["9096/0"]',
        {"cidr_ipv4": "10.20.0.0/16", "from_port": 9096, "to_port": 9096, "cidr_ipv6": ABSENT},
    )


BROKERS_NOT_A_MULTIPLE = refusal_case("msk", {**BASE, "subnet_ids": SUBNETS3, "number_of_broker_nodes": 4})


def test_terraform_refuses_broker_count(refused):
    error = refused(BROKERS_NOT_A_MULTIPLE)
    assert "number_of_broker_nodes must be a multiple of the number of subnet_ids" in error


# --- real roots (issue 13): listener ports, storage, outputs, bring your own group and key ---------------------

CA = "arn:aws:acm-pca:ap-northeast-2:111122223333:certificate-authority/1"


@pytest.mark.parametrize(
    ("overrides", "ports"),
    [
        pytest.param({}, [9098], id="iam-only-has-no-tls-listener"),
        pytest.param({"client_authentication_scram_enabled": True}, [9096, 9098], id="iam-and-scram"),
        pytest.param({"client_authentication_tls_certificate_authority_arns": [CA]}, [9094, 9098], id="mutual-tls"),
        pytest.param({"encryption_in_transit_client_broker": "TLS_PLAINTEXT", "client_authentication_iam_enabled": False,
                      "client_authentication_unauthenticated_enabled": True}, [9092, 9094], id="unauthenticated"),
        pytest.param({"jmx_exporter_enabled": True, "node_exporter_enabled": True}, [9098, 11001, 11002],
                     id="exporters"),
    ],
)
def test_opens_the_ports_of_the_listeners_that_are_on(overrides, ports):
    from modules.msk.inputs import ingress_ports

    assert ingress_ports(MODULE.inputs.validate({**BASE, **overrides})) == ports


PLAN_OPENS_EXPORTER_PORTS_AND_NO_TLS_PORT_FOR_IAM_CASE_1 = plan_case(
    "msk", {**BASE, "allowed_security_group_ids": ["sg-0123456789abcdef0"],
                                     "jmx_exporter_enabled": True, "node_exporter_enabled": True})


def test_plan_opens_exporter_ports_and_no_tls_port_for_iam(planned):
    plan = Plan(planned(PLAN_OPENS_EXPORTER_PORTS_AND_NO_TLS_PORT_FOR_IAM_CASE_1))
    assert [a.split("[")[1] for a in plan.addresses() if ".from_security_groups[" in a] == [
        '"11001/0"]', '"11002/0"]', '"9098/0"]'
    ]
    plan.assert_resource(
        "module.under_test.aws_msk_cluster.this",
        {"open_monitoring": [{"prometheus": [{"jmx_exporter": [{"enabled_in_broker": True}],
                                              "node_exporter": [{"enabled_in_broker": True}]}]}]},
    )


def test_volume_size_is_left_to_auto_scaling(module_json):
    """After storage auto scaling grew the volumes, a plan must not write ebs_volume_size back (AWS refuses to
    shrink: "To update storage, you must increase it by at least 10 GiB")."""
    cluster = module_json("msk").resource("aws_msk_cluster", "this")
    assert cluster["lifecycle"]["ignore_changes"] == [
        "broker_node_group_info[0].storage_info[0].ebs_storage_info[0].volume_size"
    ]


def test_outputs_a_root_needs(module_json):
    module = module_json("msk")
    module.assert_output("cluster_uuid", {"value": "${aws_msk_cluster.this.cluster_uuid}"})
    module.assert_output("kafka_version", {"value": "${aws_msk_cluster.this.kafka_version}"})
    module.assert_output("security_group_id", {"value": "${one(aws_security_group.this[*].id)}"})
    module.assert_output("security_group_arn", {"value": "${one(aws_security_group.this[*].arn)}"})
    module.assert_output("security_group_ids", {
        "value": "${concat(aws_security_group.this[*].id, var.associated_security_group_ids, var.security_group_ids)}"})


BRING_YOUR_OWN_SECURITY_GROUP_CASE_1 = plan_case("msk", {**BASE, "create_security_group": False,
                                     "associated_security_group_ids": ["sg-0aaaaaaaaaaaaaaa1"]})


def test_bring_your_own_security_group(planned):
    plan = Plan(planned(BRING_YOUR_OWN_SECURITY_GROUP_CASE_1))
    plan.assert_resource("module.under_test.aws_msk_cluster.this",
                         {"broker_node_group_info": [{"security_groups": ["sg-0aaaaaaaaaaaaaaa1"]}]})
    plan.assert_count("module.under_test.aws_security_group", 0)
    plan.assert_count("module.under_test.aws_vpc_security_group", 0)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"create_security_group": False},
                     "create_security_group: needs at least one group in associated_security_group_ids when false (the "
                     "cluster would otherwise get the VPC's default group), got create_security_group = false, "
                     "associated_security_group_ids = [], security_group_ids = []", id="own-group-none-attached"),
        pytest.param({"create_security_group": False, "associated_security_group_ids": ["sg-0aaaaaaaaaaaaaaa1"],
                      "allowed_security_group_ids": ["sg-0bbbbbbbbbbbbbbb1"]},
                     "create_security_group: must be true to open ports: the module adds no rule to a group it does "
                     "not own (add the rules to your own group), got false", id="own-group-with-rules"),
        pytest.param({"ingress_rules": {"all": {"from_port": 9098, "cidr_ipv4": "0.0.0.0/0"}}},
                     "ingress_rules: must not open 0.0.0.0/0 or ::/0 unless allow_ingress_from_anywhere = true, "
                     "got false", id="open-extra-rule"),
        pytest.param({"ingress_rules": {"zk": {"from_port": 2181, "cidr_ipv4": "10.0.0.0/8",
                                               "referenced_security_group_id": "sg-0bbbbbbbbbbbbbbb1"}}},
                     "ingress_rules: must name exactly one peer per rule: cidr_ipv4, cidr_ipv6, prefix_list_id or "
                     'referenced_security_group_id, got {"zk": {"cidr_ipv4": "10.0.0.0/8", "cidr_ipv6": null, '
                     '"description": null, "from_port": 2181, "ip_protocol": "tcp", "prefix_list_id": null, '
                     '"referenced_security_group_id": "sg-0bbbbbbbbbbbbbbb1", "to_port": null}}', id="two-peers"),
        pytest.param({"create_kms_key": False},
                     "create_kms_key: needs kms_key_arn (data at rest) and, with cloudwatch_logs_enabled, "
                     "log_kms_key_arn when false: the module then creates no key, got create_kms_key = false, "
                     "kms_key_arn = null, log_kms_key_arn = null", id="no-key-at-all"),
        pytest.param({"create_kms_key": True, "kms_key_arn": "arn:aws:kms:ap-northeast-2:111122223333:key/1",
                      "cloudwatch_logs_enabled": False},
                     "create_kms_key: must be false when kms_key_arn and log_kms_key_arn cover everything that is "
                     "encrypted (the module's key would encrypt nothing), got create_kms_key = true, kms_key_arn = "
                     '"arn:aws:kms:ap-northeast-2:111122223333:key/1", log_kms_key_arn = null', id="unused-key"),
    ],
)
def test_fails_if_security_group_or_key_inconsistent(overrides, message):
    assert problems(**overrides) == [message]


TERRAFORM_REFUSES_A_KEY_THAT_WOULD_ENCRYPT_NOTHING_CASE_1 = refusal_case(
    "msk", {**BASE, "kms_key_arn": "arn:aws:kms:ap-northeast-2:111122223333:key/1",
                                       "cloudwatch_logs_enabled": False})


def test_terraform_refuses_a_key_that_would_encrypt_nothing(refused):
    """A caller who passes every key and leaves create_kms_key on is told so at plan time, naming both inputs."""
    error = refused(TERRAFORM_REFUSES_A_KEY_THAT_WOULD_ENCRYPT_NOTHING_CASE_1)
    assert ("create_kms_key must be false when kms_key_arn and log_kms_key_arn cover everything that is encrypted "
            "(the module's key would encrypt nothing).") in error


@background_terraform
def plan_after_auto_scaling_grew_the_volumes(generated_tree, workdir):
    """A state in which storage auto scaling grew the volumes to 200 GiB (ebs_volume_size = 100): the next plan
    must not write 100 back, which AWS refuses ("you must increase it by at least 10 GiB")."""
    import json
    import uuid

    from testkit import terraform

    harness = terraform.ModuleHarness(generated_tree / "modules" / "msk", workdir)
    given = {**BASE, "create_security_group": False, "associated_security_group_ids": ["sg-0aaaaaaaaaaaaaaa1"],
             "kms_key_arn": "arn:aws:kms:ap-northeast-2:111122223333:key/1", "create_kms_key": False,
             "cloudwatch_logs_enabled": False, "storage_autoscaling_max_capacity": 1000, "ebs_volume_size": 100}
    planned = Plan(harness.plan(given)).values
    configuration_arn = "arn:aws:kafka:ap-northeast-2:111122223333:configuration/mapzip-dev-events-3-8-x/1"
    configuration = {**planned["module.under_test.aws_msk_configuration.this"], "id": configuration_arn,
                     "arn": configuration_arn, "latest_revision": 1}
    cluster = json.loads(json.dumps(planned["module.under_test.aws_msk_cluster.this"]))
    cluster_arn = "arn:aws:kafka:ap-northeast-2:111122223333:cluster/mapzip-dev-events/uuid-1"
    cluster.update(id=cluster_arn, arn=cluster_arn, cluster_uuid="uuid-1", current_version="K1",
                   configuration_info=[{"arn": configuration_arn, "revision": 1}])
    cluster["broker_node_group_info"][0]["storage_info"][0]["ebs_storage_info"][0]["volume_size"] = 200

    def state_entry(kind, attributes):
        return {"module": "module.under_test", "mode": "managed", "type": kind, "name": "this",
                "provider": 'provider["registry.terraform.io/hashicorp/aws"]',
                "instances": [{"schema_version": 0, "attributes": attributes}]}

    (workdir / "offline.tfstate").write_text(json.dumps({
        "version": 4, "terraform_version": "1.11.0", "serial": 1, "lineage": str(uuid.UUID(int=13)), "outputs": {},
        "resources": [state_entry("aws_msk_configuration", configuration), state_entry("aws_msk_cluster", cluster)],
    }))
    return next(c["change"] for c in harness.plan(given)["resource_changes"]
                if c["address"] == "module.under_test.aws_msk_cluster.this")


def test_plan_after_auto_scaling_grew_the_volumes_keeps_them(background):
    change = background(plan_after_auto_scaling_grew_the_volumes)
    assert "delete" not in change["actions"]
    assert change["after"]["broker_node_group_info"][0]["storage_info"][0]["ebs_storage_info"][0]["volume_size"] == 200
