"""MSK Serverless (issue 28): AWS's rules checked before apply with exact messages, from environment files and from
HCL; the offline plan of the module's defaults, of further VPC configurations and of the cluster policy; the tests'
dev environment's table through the generator."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from generator.commands import cli
from generator.config import environments
from generator.language.inputs import InputError
from modules import all_modules
from modules.mskserverless import MODULE
from testkit.assertions import Plan
from testkit.project import fixture_environment
from testkit.pytest_terraform import plan_case, refusal_case

SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
NODES = "sg-0e0e0e0e0e0e0e0e1"
BASE = {"name_prefix": "mapzip-dev-", "cluster_name": "events", "vpc_id": "vpc-0a1b2c3d4e5f60718", "subnet_ids": SUBNETS}
OTHER_VPC = {"subnet_ids": ["subnet-0b1b2c3d4e5f60001", "subnet-0b1b2c3d4e5f60002"],
             "security_group_ids": ["sg-0b0b0b0b0b0b0b0b1"]}
GROUPS = [f"sg-0123456789abcdef{i}" for i in range(6)]


def problems(**overrides):
    _, found = MODULE.inputs.problems({**BASE, **overrides})
    return [message for _, message in found]


def test_defaults_are_accepted_and_warn_only_that_nobody_is_let_in():
    values = MODULE.inputs.validate(BASE)
    assert values["create_cluster_policy"] is False and values["additional_vpc_configs"] == []
    assert MODULE.inputs.warnings(values) == [
        "create_security_group = true, but allowed_security_group_ids, allowed_cidr_blocks and ingress_rules are "
        "empty: the module's group opens the SASL/IAM listener (9098) to nobody (associated_security_group_ids "
        "attach groups, they do not let anyone in)"
    ]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"subnet_ids": SUBNETS[:1]},
                     'subnet_ids: must have at least 2 subnets (a serverless cluster spans at least two Availability '
                     'Zones), got ["subnet-0a1b2c3d4e5f60001"]', id="one-subnet"),
        pytest.param({"additional_vpc_configs": [OTHER_VPC] * 5},
                     "additional_vpc_configs: must have at most 4 VPC configurations (AWS allows 5 per cluster, the "
                     "module's own included), got 5 configurations",
                     id="six-vpc-configs"),
        pytest.param({"additional_vpc_configs": [{**OTHER_VPC, "subnet_ids": ["subnet-0b1b2c3d4e5f60001"]}]},
                     "additional_vpc_configs: must give each VPC configuration at least 2 subnets (a serverless "
                     'cluster spans at least two Availability Zones), got ["subnet-0b1b2c3d4e5f60001"]',
                     id="vpc-config-one-subnet"),
        pytest.param({"additional_vpc_configs": [{**OTHER_VPC, "security_group_ids": GROUPS}]},
                     "additional_vpc_configs: must give each VPC configuration 1 to 5 security group ids "
                     "(sg-<hex>), each once (without one, AWS would attach the VPC's default group), got " + json.dumps(GROUPS, separators=(", ", ": ")),
                     id="vpc-config-six-groups"),
        pytest.param({"additional_vpc_configs": [{**OTHER_VPC, "security_group_ids": []}]},
                     "additional_vpc_configs: must give each VPC configuration 1 to 5 security group ids (sg-<hex>), "
                     "each once (without one, AWS would attach the VPC's default group), got []",
                     id="vpc-config-without-group"),
        pytest.param({"additional_vpc_configs": [{**OTHER_VPC, "subnet_ids": ["subnet-0b1b2c3d4e5f60001",
                                                                                "subnet-0b1b2c3d4e5f60001"]}]},
                     "additional_vpc_configs: must give each VPC configuration subnet ids (subnet-<hex>), each once, "
                     'got ["subnet-0b1b2c3d4e5f60001", "subnet-0b1b2c3d4e5f60001"]', id="vpc-config-repeated-subnet"),
        pytest.param({"associated_security_group_ids": GROUPS[:5]},
                     "associated_security_group_ids: must leave at most 5 security groups in the first VPC "
                     "configuration, the module's own included (AWS allows 5 per VPC configuration), got "
                     + json.dumps(GROUPS[:5], separators=(", ", ": ")), id="own-group-and-five"),
        pytest.param({"allowed_cidr_blocks": ["0.0.0.0/0"]},
                     "allowed_cidr_blocks: must not contain 0.0.0.0/0 or ::/0 unless allow_ingress_from_anywhere = "
                     'true, got allowed_cidr_blocks = ["0.0.0.0/0"], allow_ingress_from_anywhere = false',
                     id="open-ingress"),
        pytest.param({"cluster_policy_allowed_principals": ["firehose.amazonaws.com"], "create_cluster_policy": True},
                     "cluster_policy_allowed_principals: must hold only 12-digit account ids or IAM ARNs "
                     '(arn:aws:iam::<account>:root, :role/..., :user/...), got "firehose.amazonaws.com"',
                     id="service-as-account"),
        pytest.param({"cluster_policy_allowed_services": ["111122223333"], "create_cluster_policy": True},
                     "cluster_policy_allowed_services: must hold only AWS service principals "
                     '(<service>.amazonaws.com), got ["111122223333"]', id="account-as-service"),
        pytest.param({"cluster_policy_actions": ["kafka:*"], "cluster_policy_allowed_services": ["firehose.amazonaws.com"],
                      "create_cluster_policy": True},
                     "cluster_policy_actions: must hold only kafka:CreateVpcConnection, kafka:GetBootstrapBrokers, "
                     'kafka:DescribeCluster, kafka:DescribeClusterV2, got "kafka:*"', id="wildcard-action"),
        pytest.param({"create_cluster_policy": True},
                     "create_cluster_policy: needs cluster_policy_allowed_principals or "
                     "cluster_policy_allowed_services when true, got true", id="policy-without-principals"),
        pytest.param({"cluster_policy_allowed_principals": ["111122223333"], "create_cluster_policy": False},
                     "cluster_policy_allowed_principals: need create_cluster_policy = true (Terraform must know at "
                     "plan time that the policy exists), got false", id="principals-without-switch"),
        pytest.param({"cluster_name": "events_v2"},
                     "cluster_name: must give a cluster name (name_prefix + cluster_name) of 1 to 64 letters, digits "
                     'and hyphens, starting with a letter or digit, got cluster_name = "events_v2", name_prefix = '
                     '"mapzip-dev-"', id="underscore"),
    ],
)
def test_refuses(overrides, message):
    assert problems(**overrides) == [message]


def test_five_vpc_configurations_with_five_groups_each_are_accepted():
    four = [{**OTHER_VPC, "security_group_ids": GROUPS[:5]}] * 4
    assert problems(additional_vpc_configs=four, associated_security_group_ids=GROUPS[:4]) == []


ENVIRONMENT = """\
name_prefix = "mapzip-dev-"
region = "ap-northeast-2"
vpc_id = "vpc-0a1b2c3d4e5f60718"
subnet_ids = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"]

[mskserverless_events]
cluster_name = "events"
allowed_security_group_ids = ["sg-0e0e0e0e0e0e0e0e1"]
"""


def test_environment_file_refusal_names_file_table_key_rule_and_value(tmp_path):
    """python main.py on a bad table: one line naming all of it, exit 1, nothing written, no traceback."""
    config = tmp_path / "events.toml"
    config.write_text(ENVIRONMENT + 'cluster_policy_allowed_services = ["firehose"]\n')
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = cli.main(["--out", str(tmp_path / "generated"), "--config", str(config)])
    assert code == 1
    assert out.getvalue() == (
        f"error: {config}: [mskserverless_events] cluster_policy_allowed_services: must hold only AWS service "
        'principals (<service>.amazonaws.com), got ["firehose"]\n'
    )
    assert not (tmp_path / "generated").exists()


def test_environment_file_derives_the_policy_switch(tmp_path):
    config = tmp_path / "events.toml"
    config.write_text(ENVIRONMENT + 'cluster_policy_allowed_services = ["firehose.amazonaws.com"]\n')
    (call,) = environments.load(config, all_modules(), "environments/events.toml").modules
    assert call.arguments["create_cluster_policy"] is True


def test_the_tests_dev_environment_calls_the_module(produced):
    """tests/fixtures/environments/dev.toml's [mskserverless] table: the module call, and the stack's outputs."""
    main = json.loads(produced.files["stacks/dev/main.tf.json"])
    call = main["module"]["mskserverless"]
    assert call["source"] == "../../modules/mskserverless"
    assert (call["cluster_name"], call["allowed_security_group_ids"], call["cluster_policy_allowed_principals"],
            call["create_cluster_policy"]) == ("partner-events", ["sg-0e0e0e0e0e0e0e0e1"], ["444455556666"], True)
    outputs = json.loads(produced.files["stacks/dev/outputs.tf.json"])["output"]
    assert {name for name in outputs if name.startswith("mskserverless_")} == {
        "mskserverless_cluster_arn", "mskserverless_bootstrap_brokers_sasl_iam", "mskserverless_security_group_id",
    }
    assert "[mskserverless]" in fixture_environment("dev").read_text()


def test_module_json_policy_and_vpc_configurations(module_json):
    module = module_json("mskserverless")
    policy = module.resource("aws_msk_cluster_policy", "this")
    assert policy["count"] == "${var.create_cluster_policy ? 1 : 0}"
    assert ("Principal = merge(length(var.cluster_policy_allowed_principals) > 0 ? { AWS = "
            "var.cluster_policy_allowed_principals } : {}, length(var.cluster_policy_allowed_services) > 0 ? { "
            "Service = var.cluster_policy_allowed_services } : {})") in policy["policy"]
    assert "Action = var.cluster_policy_actions" in policy["policy"]
    cluster = module.resource("aws_msk_serverless_cluster", "this")
    assert cluster["client_authentication"] == {"sasl": {"iam": {"enabled": True}}}
    assert cluster["dynamic"]["vpc_config"]["for_each"] == (
        "${concat([{ subnet_ids = var.subnet_ids, security_group_ids = concat(aws_security_group.this[*].id, "
        "var.associated_security_group_ids, var.security_group_ids) }], var.additional_vpc_configs)}"
    )


DEFAULTS = plan_case("mskserverless", {**BASE, "allowed_security_group_ids": [NODES]})


def test_plan_defaults(planned):
    plan = Plan(planned(DEFAULTS))
    plan.assert_resource("module.under_test.aws_msk_serverless_cluster.this", {
        "cluster_name": "mapzip-dev-events",
        "client_authentication": [{"sasl": [{"iam": [{"enabled": True}]}]}],
    })
    change = next(c for c in plan.raw["resource_changes"]
                  if c["address"] == "module.under_test.aws_msk_serverless_cluster.this")["change"]
    # One configuration: the caller's subnets and the module's group (its id known after apply).
    assert change["after"]["vpc_config"] == [{"subnet_ids": SUBNETS}]
    assert change["after_unknown"]["vpc_config"] == [{"security_group_ids": True, "subnet_ids": [False, False]}]
    assert sorted(a for a in plan.values if "security_group" in a) == [
        "module.under_test.aws_security_group.this[0]",
        'module.under_test.aws_vpc_security_group_ingress_rule.from_security_groups["9098/0"]',
    ]
    plan.assert_resource('module.under_test.aws_vpc_security_group_ingress_rule.from_security_groups["9098/0"]', {
        "referenced_security_group_id": NODES, "from_port": 9098, "to_port": 9098, "ip_protocol": "tcp",
        "description": "Kafka 9098 from allowed_security_group_ids",
    })
    plan.assert_resource("module.under_test.aws_security_group.this[0]", {
        "description": "MSK Serverless mapzip-dev-events: SASL/IAM from allowed sources only",
        "name_prefix": "mapzip-dev-events-",
    })
    plan.assert_count("module.under_test.aws_msk_cluster_policy", 0)


MORE_VPCS_AND_POLICY = plan_case("mskserverless", {
    **BASE, "allowed_cidr_blocks": ["10.0.0.0/16"], "associated_security_group_ids": [NODES],
    "additional_vpc_configs": [OTHER_VPC, {"subnet_ids": ["subnet-0c1b2c3d4e5f60001", "subnet-0c1b2c3d4e5f60002"],
                                           "security_group_ids": ["sg-0c0c0c0c0c0c0c0c1", "sg-0c0c0c0c0c0c0c0c2"]}],
    "cluster_policy_allowed_principals": ["444455556666"], "cluster_policy_allowed_services": ["firehose.amazonaws.com"],
    "create_cluster_policy": True,
})


def test_plan_more_vpc_configurations_and_the_policy(planned):
    plan = Plan(planned(MORE_VPCS_AND_POLICY))
    change = next(c for c in plan.raw["resource_changes"]
                  if c["address"] == "module.under_test.aws_msk_serverless_cluster.this")["change"]
    configs = change["after"]["vpc_config"]
    # The module's first (its group's id unknown until apply, then the attached group), the caller's in order.
    assert [c["subnet_ids"] for c in configs] == [SUBNETS, OTHER_VPC["subnet_ids"],
                                                 ["subnet-0c1b2c3d4e5f60001", "subnet-0c1b2c3d4e5f60002"]]
    assert configs[1]["security_group_ids"] == OTHER_VPC["security_group_ids"]
    assert configs[2]["security_group_ids"] == ["sg-0c0c0c0c0c0c0c0c1", "sg-0c0c0c0c0c0c0c0c2"]
    assert change["after_unknown"]["vpc_config"][0]["security_group_ids"] is True
    plan.assert_count("module.under_test.aws_msk_cluster_policy.this", 1)
    policy_change = next(c for c in plan.raw["resource_changes"]
                         if c["address"] == "module.under_test.aws_msk_cluster_policy.this[0]")["change"]
    assert policy_change["after_unknown"]["policy"] is True  # it names the cluster's ARN


REFUSED = refusal_case("mskserverless", {
    **BASE, "associated_security_group_ids": GROUPS[:5],
    "cluster_policy_allowed_principals": ["444455556666"],
})


def test_terraform_refuses_what_python_refuses(refused):
    # From HCL nothing derives the switch: principals without create_cluster_policy are refused, as are six groups.
    error = refused(REFUSED)
    assert ("associated_security_group_ids must leave at most 5 security groups in the first VPC configuration, "
            "the module's own included (AWS allows 5 per VPC configuration).") in error
    assert ("cluster_policy_allowed_principals need create_cluster_policy = true (Terraform must know at plan time "
            "that the policy exists).") in error
