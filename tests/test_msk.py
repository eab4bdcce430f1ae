"""MSK: private, encrypted and authenticated by default; broker count and auth combinations checked."""

from __future__ import annotations

import pytest

from generator.assertions import ABSENT, Plan
from modules.msk import MODULE
from tests.conftest import plan_case, refusal_case

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
    assert MODULE.inputs.warnings(values) == []


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
                     'kafka_version: must be one of "3.7.x", "3.7.x.kraft", "3.8.x", "3.8.x.kraft", "3.9.x", '
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
                                     "client_authentication_unauthenticated_enabled": True})
    assert MODULE.inputs.warnings(values) == [
        "client_authentication_unauthenticated_enabled = true lets clients connect without authentication"
    ]


def test_module_json(module_json):
    module = module_json("msk")
    module.assert_resource(
        "aws_msk_configuration", "this",
        {"name": '${local.cluster_name}-${replace(var.kafka_version, ".", "-")}',
         "lifecycle": {"create_before_destroy": True}},
    )
    module.assert_resource(
        "aws_msk_cluster", "this",
        {"broker_node_group_info": {"connectivity_info": {"public_access": {"type": "DISABLED"}}},
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
    # Only the enabled listeners: TLS (9094) and IAM (9098).
    assert [a for a in plan.addresses() if "from_security_groups" in a] == [
        'module.under_test.aws_vpc_security_group_ingress_rule.from_security_groups["9094/sg-0123456789abcdef0"]',
        'module.under_test.aws_vpc_security_group_ingress_rule.from_security_groups["9098/sg-0123456789abcdef0"]',
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
        f'module.under_test.aws_vpc_security_group_ingress_rule.from_cidr_blocks["{port}/10.20.0.0/16"]'
        for port in (9094, 9096, 9098)
    ]
    plan.assert_resource(
        'module.under_test.aws_vpc_security_group_ingress_rule.from_cidr_blocks["9096/10.20.0.0/16"]',
        {"cidr_ipv4": "10.20.0.0/16", "from_port": 9096, "to_port": 9096, "cidr_ipv6": ABSENT},
    )


BROKERS_NOT_A_MULTIPLE = refusal_case("msk", {**BASE, "subnet_ids": SUBNETS3, "number_of_broker_nodes": 4})


def test_terraform_refuses_broker_count(refused):
    error = refused(BROKERS_NOT_A_MULTIPLE)
    assert "number_of_broker_nodes must be a multiple of the number of subnet_ids" in error
