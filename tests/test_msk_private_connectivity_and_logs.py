"""MSK features of issue 17: multi-VPC private connectivity with its cluster policy and bootstrap outputs, broker
logs to S3 and Firehose."""

from __future__ import annotations

import json
import textwrap

import pytest

from generator.config import environments
from testkit.assertions import Plan
from generator.language.inputs import InputError
from modules import all_modules
from modules.msk import MODULE
from testkit.pytest_terraform import plan_case, refusal_case

SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
CA = "arn:aws:acm-pca:ap-northeast-2:111122223333:certificate-authority/0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f"
BASE = {"name_prefix": "mapzip-dev-", "cluster_name": "events", "vpc_id": "vpc-0a1b2c3d4e5f60718", "subnet_ids": SUBNETS}
# terraform-aws-modules msk-kafka-cluster `complete`: IAM, SCRAM and mutual TLS, all reachable from other VPCs.
MULTI_VPC = {
    **BASE,
    "client_authentication_scram_enabled": True,
    "client_authentication_tls_certificate_authority_arns": [CA],
    "server_properties": {"allow.everyone.if.no.acl.found": "false"},
    "vpc_connectivity_iam_enabled": True,
    "vpc_connectivity_scram_enabled": True,
    "vpc_connectivity_tls_enabled": True,
    "vpc_connectivity_allowed_principals": ["444455556666", "arn:aws:iam::777788889999:role/kafka-clients"],
    "create_cluster_policy": True,
    "s3_logs_bucket": "mapzip-broker-logs",
    "s3_logs_prefix": "msk/events/",
    "firehose_logs_delivery_stream": "mapzip-broker-logs",
}
NEEDS_NO_ACL = (
    'server_properties: must set "allow.everyone.if.no.acl.found" = "false" (or server_properties_text the line '
    "allow.everyone.if.no.acl.found=false) with multi-VPC SCRAM or mutual TLS (AWS refuses the connectivity "
    "otherwise), got {}"
)


def problems(base=BASE, **overrides):
    _, found = MODULE.inputs.problems({**base, **overrides})
    return [message for _, message in found]


def test_multi_vpc_example_is_valid():
    assert problems(MULTI_VPC) == []


def test_server_properties_text_may_carry_the_acl_setting():
    text = "auto.create.topics.enable=false\r\nallow.everyone.if.no.acl.found = false\r\n"
    assert problems(MULTI_VPC, server_properties={}, server_properties_text=text) == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"vpc_connectivity_iam_enabled": True, "client_authentication_iam_enabled": False,
                      "client_authentication_scram_enabled": True},
                     "vpc_connectivity_iam_enabled: needs client_authentication_iam_enabled = true (multi-VPC "
                     "connectivity uses only schemes the cluster has on), got false", id="iam-off"),
        pytest.param({"vpc_connectivity_scram_enabled": True, "server_properties": {"allow.everyone.if.no.acl.found": "false"}},
                     "vpc_connectivity_scram_enabled: needs client_authentication_scram_enabled = true (multi-VPC "
                     "connectivity uses only schemes the cluster has on), got false", id="scram-off"),
        pytest.param({"vpc_connectivity_tls_enabled": True, "server_properties": {"allow.everyone.if.no.acl.found": "false"}},
                     "vpc_connectivity_tls_enabled: needs client_authentication_tls_certificate_authority_arns "
                     "(multi-VPC connectivity uses only schemes the cluster has on), got []", id="tls-off"),
        pytest.param({"vpc_connectivity_iam_enabled": True, "broker_instance_type": "kafka.t3.small"},
                     "broker_instance_type: must not be kafka.t3.small with multi-VPC connectivity (AWS does not offer "
                     'it on t3.small brokers), got "kafka.t3.small"', id="t3-small"),
        pytest.param({"vpc_connectivity_scram_enabled": True, "client_authentication_scram_enabled": True},
                     NEEDS_NO_ACL, id="scram-without-acl-setting"),
        pytest.param({"vpc_connectivity_allowed_principals": ["444455556666"], "create_cluster_policy": True},
                     'vpc_connectivity_allowed_principals: need multi-VPC connectivity on (vpc_connectivity_iam_enabled, '
                     "_scram_enabled or _tls_enabled): the cluster policy only grants creating VPC connections, got "
                     '["444455556666"]', id="principals-without-connectivity"),
        pytest.param({"vpc_connectivity_iam_enabled": True, "vpc_connectivity_allowed_principals": ["4444"],
                      "create_cluster_policy": True},
                     "vpc_connectivity_allowed_principals: must hold only 12-digit account ids or IAM ARNs "
                     '(arn:aws:iam::<account>:root, :role/..., :user/...), got "4444"', id="principal-shape"),
        pytest.param({"vpc_connectivity_iam_enabled": True, "create_cluster_policy": True},
                     "create_cluster_policy: needs vpc_connectivity_allowed_principals when true, got true",
                     id="switch-without-principals"),
        pytest.param({"s3_logs_prefix": "msk/"}, 's3_logs_prefix: needs s3_logs_bucket, got "msk/"', id="prefix-only"),
        pytest.param({"s3_logs_bucket": "Broker_Logs"},
                     "s3_logs_bucket: must be an S3 bucket name (3 to 63 lowercase letters, digits, dots and hyphens), "
                     'got "Broker_Logs"', id="bucket"),
        pytest.param({"firehose_logs_delivery_stream": "broker logs"},
                     "firehose_logs_delivery_stream: must be a Firehose stream name (1 to 64 letters, digits, '_', '.' "
                     "or '-'), got \"broker logs\"", id="stream"),
    ],
)
def test_refuses(overrides, message):
    assert problems(**overrides) == [message]


PLAN_MULTI_VPC_POLICY_AND_LOG_DESTINATIONS_CASE_1 = plan_case("msk", MULTI_VPC)


def test_plan_multi_vpc_policy_and_log_destinations(planned):
    plan = Plan(planned(PLAN_MULTI_VPC_POLICY_AND_LOG_DESTINATIONS_CASE_1))
    cluster = plan.resource("module.under_test.aws_msk_cluster.this")
    assert cluster["broker_node_group_info"][0]["connectivity_info"][0]["vpc_connectivity"] == [
        {"client_authentication": [{"tls": True, "sasl": [{"iam": True, "scram": True}]}]}
    ]
    assert cluster["logging_info"][0]["broker_logs"][0]["s3"] == [
        {"enabled": True, "bucket": "mapzip-broker-logs", "prefix": "msk/events/"}
    ]
    assert cluster["logging_info"][0]["broker_logs"][0]["firehose"] == [
        {"enabled": True, "delivery_stream": "mapzip-broker-logs"}
    ]
    plan.assert_count("module.under_test.aws_msk_cluster_policy.this", 1)
    # The policy names the cluster's ARN, known only after apply; the plan holds the principals and actions.
    change = next(r for r in plan.raw["resource_changes"] if r["address"] == "module.under_test.aws_msk_cluster_policy.this[0]")
    assert change["change"]["after_unknown"]["policy"] is True


PLAN_DEFAULTS_HAVE_NO_CONNECTIVITY_POLICY_OR_EXTRA_DESTINATIONS_CASE_1 = plan_case("msk", BASE)


def test_plan_defaults_have_no_connectivity_policy_or_extra_destinations(planned):
    plan = Plan(planned(PLAN_DEFAULTS_HAVE_NO_CONNECTIVITY_POLICY_OR_EXTRA_DESTINATIONS_CASE_1))
    cluster = plan.resource("module.under_test.aws_msk_cluster.this")
    assert cluster["broker_node_group_info"][0]["connectivity_info"][0].get("vpc_connectivity", []) == []
    assert cluster["logging_info"][0]["broker_logs"][0]["s3"] == [{"enabled": False, "bucket": None, "prefix": None}]
    assert cluster["logging_info"][0]["broker_logs"][0]["firehose"] == [{"enabled": False, "delivery_stream": None}]
    plan.assert_count("module.under_test.aws_msk_cluster_policy", 0)


TERRAFORM_REFUSES_T3_SMALL_AND_PRINCIPALS_WITHOUT_THEIR_SWITCH_CASE_1 = refusal_case(
    "msk", {**BASE, "vpc_connectivity_iam_enabled": True, "broker_instance_type": "kafka.t3.small",
                                       "vpc_connectivity_allowed_principals": ["444455556666"]})


def test_terraform_refuses_t3_small_and_principals_without_their_switch(refused):
    # An HCL caller gets no derived switch: naming principals without create_cluster_policy is refused.
    error = refused(TERRAFORM_REFUSES_T3_SMALL_AND_PRINCIPALS_WITHOUT_THEIR_SWITCH_CASE_1)
    assert "broker_instance_type must not be kafka.t3.small with multi-VPC connectivity" in error
    assert "vpc_connectivity_allowed_principals need create_cluster_policy = true" in error


def test_policy_document(module_json):
    policy = module_json("msk").resource("aws_msk_cluster_policy", "this")
    assert policy["count"] == "${var.create_cluster_policy ? 1 : 0}"
    assert '"kafka:CreateVpcConnection", "kafka:GetBootstrapBrokers", "kafka:DescribeCluster", "kafka:DescribeClusterV2"' in policy["policy"]
    assert "Principal = { AWS = var.vpc_connectivity_allowed_principals }" in policy["policy"]


def test_outputs(module_json):
    module = module_json("msk")
    for scheme in ("sasl_iam", "sasl_scram", "tls"):
        module.assert_output(f"bootstrap_brokers_vpc_connectivity_{scheme}",
                             {"value": f"${{aws_msk_cluster.this.bootstrap_brokers_vpc_connectivity_{scheme}}}"})


def test_environment_file_derives_the_policy_switch(tmp_path):
    path = tmp_path / "dev.toml"
    path.write_text(textwrap.dedent("""\
        name_prefix = "mapzip-dev-"
        region = "ap-northeast-2"
        vpc_id = "vpc-0a1b2c3d4e5f60718"
        subnet_ids = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]

        [msk]
        cluster_name = "events"
        vpc_connectivity_iam_enabled = true
        vpc_connectivity_allowed_principals = ["444455556666"]
        s3_logs_bucket = "mapzip-broker-logs"
    """))
    env = environments.load(path, all_modules(), "environments/dev.toml")
    (call,) = env.modules
    assert call.values["create_cluster_policy"] is True
    assert call.arguments["create_cluster_policy"] is True  # written into the module call


def test_environment_file_refusal(tmp_path):
    path = tmp_path / "dev.toml"
    path.write_text(textwrap.dedent("""\
        name_prefix = "mapzip-dev-"
        region = "ap-northeast-2"
        vpc_id = "vpc-0a1b2c3d4e5f60718"
        subnet_ids = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]

        [msk]
        cluster_name = "events"
        broker_instance_type = "kafka.t3.small"
        vpc_connectivity_iam_enabled = true
    """))
    with pytest.raises(InputError) as err:
        environments.load(path, all_modules(), "environments/dev.toml")
    assert err.value.problems == [
        "environments/dev.toml: [msk] broker_instance_type: must not be kafka.t3.small with multi-VPC connectivity "
        '(AWS does not offer it on t3.small brokers), got "kafka.t3.small"'
    ]
