"""Valkey Serverless: the Python rules with their exact messages, real offline plans, and an environment file."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import pytest

from generator.commands import cli
from generator.config import environments
from testkit import terraform
from testkit.assertions import ABSENT, Plan
from modules import all_modules
from modules.valkeyserverless import MODULE
from testkit.pytest_terraform import background_terraform, plan_case, refusal_case

BASE = {
    "name_prefix": "mapzip-dev-",
    "cache_name": "sessions",
    "vpc_id": "vpc-0a1b2c3d4e5f60718",
    "subnet_ids": ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
}
KEY = "arn:aws:kms:ap-northeast-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SNAPSHOT = "arn:aws:elasticache:ap-northeast-2:111122223333:serverlesscachesnapshot:sessions-2026-11-01"
NODE = "sg-0a1b2c3d4e5f60001"


def problems(**overrides):
    _, found = MODULE.inputs.problems({**BASE, **overrides})
    return [message for _, message in found]


def test_registered_under_a_name_an_environment_table_can_reach():
    assert all_modules()["valkeyserverless"] is MODULE
    assert environments.kind_of("valkeyserverless_sessions", {}, all_modules()) == "valkeyserverless"


def test_secure_defaults_resolve_without_problems():
    values = MODULE.inputs.validate(BASE)
    assert values["major_engine_version"] == "8"
    assert values["snapshot_retention_limit"] == 7  # backups on
    assert values["create_kms_key"] is True  # a customer managed key
    assert values["allowed_cidr_blocks"] == [] and values["allow_ingress_from_anywhere"] is False
    assert MODULE.inputs.warnings(values) == [
        "create_security_group = true, but allowed_security_group_ids, allowed_cidr_blocks and ingress_rules are "
        "empty: the module's group opens the cache ports to nobody (associated_security_group_ids attach groups, "
        "they do not let anyone in)",
        "user_group_id is not set: any client the security group lets in connects as the default user, without a "
        "password (create an aws_elasticache_user_group and pass its id)",
    ]


def test_weakening_inputs_warn():
    values = MODULE.inputs.validate({**BASE, "snapshot_retention_limit": 0, "kms_key_arn": "alias/aws/elasticache",
                                     "create_kms_key": False, "allowed_security_group_ids": [NODE],
                                     "user_group_id": "sessions-users"})
    assert MODULE.inputs.warnings(values) == [
        "kms_key_arn = \"alias/aws/elasticache\" uses the AWS managed key instead of a customer managed one: its "
        "policy cannot be restricted and its use is not yours to audit or rotate (kept to adopt an existing "
        "resource: the at-rest key cannot change in place)",
        "snapshot_retention_limit = 0 turns off automatic backups",
    ]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"cache_name": "a" * 30}, "cache_name: must give a serverless cache name (name_prefix + "
                     "cache_name) of at most 40 lowercase letters, digits and single hyphens, starting with a letter "
                     f'and not ending with a hyphen, got cache_name = "{"a" * 30}", name_prefix = "mapzip-dev-"',
                     id="name-too-long"),
        pytest.param({"cache_name": "sessions-"}, "cache_name: must give a serverless cache name (name_prefix + "
                     "cache_name) of at most 40 lowercase letters, digits and single hyphens, starting with a letter "
                     'and not ending with a hyphen, got cache_name = "sessions-", name_prefix = "mapzip-dev-"',
                     id="trailing-hyphen"),
        pytest.param({"cache_name": "Sessions"}, 'cache_name: must be lowercase letters, digits and hyphens, got '
                     '"Sessions"', id="uppercase"),
        pytest.param({"name_prefix": "sg-", "cache_name": "x"}, "cache_name: must not give a cache name (name_prefix "
                     "+ cache_name) starting with sg-: it begins the security group's name, and EC2 refuses group "
                     'names starting with sg-, got cache_name = "x", name_prefix = "sg-"', id="sg-prefix"),
        pytest.param({"major_engine_version": "9"}, 'major_engine_version: must be one of "7", "8", got "9"',
                     id="version"),
        pytest.param({"major_engine_version": "8.1"}, 'major_engine_version: must be one of "7", "8", got "8.1"',
                     id="minor-version"),
        pytest.param({"cache_usage_limits": {"ecpu_per_second_maximum": 999}},
                     "cache_usage_limits: must have ecpu_per_second_maximum null or a whole number between 1000 and "
                     "15000000, got ecpu_per_second_maximum = 999", id="ecpu-low"),
        pytest.param({"cache_usage_limits": {"ecpu_per_second_minimum": 15_000_001}},
                     "cache_usage_limits: must have ecpu_per_second_minimum null or a whole number between 1000 and "
                     "15000000, got ecpu_per_second_minimum = 15000001", id="ecpu-high"),
        pytest.param({"cache_usage_limits": {"data_storage_maximum": 5001}},
                     "cache_usage_limits: must have data_storage_maximum null or a whole number between 1 and 5000, "
                     "got data_storage_maximum = 5001", id="storage-high"),
        pytest.param({"cache_usage_limits": {"data_storage_minimum": 0.5}},
                     "cache_usage_limits: must have data_storage_minimum null or a whole number between 1 and 5000, "
                     "got data_storage_minimum = 0.5", id="storage-fraction"),
        pytest.param({"cache_usage_limits": {"data_storage_minimum": 20, "data_storage_maximum": 10}},
                     "cache_usage_limits: must have data_storage_minimum at most data_storage_maximum, got "
                     "data_storage_minimum = 20, data_storage_maximum = 10", id="storage-order"),
        pytest.param({"cache_usage_limits": {"ecpu_per_second_minimum": 5000, "ecpu_per_second_maximum": 1000}},
                     "cache_usage_limits: must have ecpu_per_second_minimum at most ecpu_per_second_maximum, got "
                     "ecpu_per_second_minimum = 5000, ecpu_per_second_maximum = 1000", id="ecpu-order"),
        pytest.param({"cache_usage_limits": {"ecpu_maximum": 5000}},
                     'cache_usage_limits.ecpu_maximum: must be no such attribute (one of data_storage_minimum, '
                     'data_storage_maximum, ecpu_per_second_minimum, ecpu_per_second_maximum), got 5000',
                     id="limits-unknown-attribute"),
        pytest.param({"snapshot_retention_limit": 36},
                     "snapshot_retention_limit: must be a whole number between 0 and 35, got 36", id="retention"),
        pytest.param({"daily_snapshot_time": "3:00"},
                     'daily_snapshot_time: must be a time hh24:mi in UTC, such as 03:00, got "3:00"', id="time"),
        pytest.param({"daily_snapshot_time": "24:00"},
                     'daily_snapshot_time: must be a time hh24:mi in UTC, such as 03:00, got "24:00"', id="time-24"),
        pytest.param({"subnet_ids": ["subnet-0a1b2c3d4e5f60001"]},
                     'subnet_ids: must have at least 2 subnets, got ["subnet-0a1b2c3d4e5f60001"]', id="one-subnet"),
        pytest.param({"subnet_ids": ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60001"]},
                     'subnet_ids: must list each subnet once (AWS treats the list as a set), got '
                     '"subnet-0a1b2c3d4e5f60001" more than once', id="repeated-subnet"),
        pytest.param({"snapshot_arns_to_restore": ["arn:aws:s3:::bucket/sessions.rdb"]},
                     "snapshot_arns_to_restore: must hold only ElastiCache snapshot ARNs (arn:aws:elasticache:<region>"
                     ":<account>:serverlesscachesnapshot:<name> or …:snapshot:<name>), got "
                     '["arn:aws:s3:::bucket/sessions.rdb"]', id="snapshot-arn"),
        pytest.param({"user_group_id": "1users"},
                     'user_group_id: must be letters, digits and hyphens, starting with a letter, got "1users"',
                     id="user-group"),
        pytest.param({"description": ""}, 'description: must be 1 to 255 characters long, got ""', id="description"),
        pytest.param({"kms_key_arn": KEY, "create_kms_key": True}, "create_kms_key: must be false when kms_key_arn is given (the module's "
                     f'key would encrypt nothing), got create_kms_key = true, kms_key_arn = "{KEY}"', id="unused-key"),
        pytest.param({"create_kms_key": False}, "create_kms_key: needs kms_key_arn when false: the cache is always "
                     "encrypted at rest, and the module then creates no key, got create_kms_key = false, kms_key_arn "
                     "= null", id="no-key"),
        pytest.param({"allowed_cidr_blocks": ["0.0.0.0/0"]}, "allowed_cidr_blocks: must not contain 0.0.0.0/0 or "
                     "::/0 unless allow_ingress_from_anywhere = true, got allowed_cidr_blocks = [\"0.0.0.0/0\"], "
                     "allow_ingress_from_anywhere = false", id="open-ingress"),
    ],
)
def test_fails_if(overrides, message):
    assert problems(**overrides) == [message]


def test_environment_files_derive_create_kms_key():
    given = {**BASE, "kms_key_arn": KEY}
    values, found = MODULE.inputs.problems(given)
    assert found == [] and values["create_kms_key"] is False
    assert MODULE.inputs.derived_arguments(given, values) == {"create_kms_key": False}


def _cache(plan: Plan) -> dict:
    return plan.values["module.under_test.aws_elasticache_serverless_cache.this"]


PLAN_DEFAULTS_CASE_1 = plan_case("valkeyserverless", {**BASE, "allowed_security_group_ids": [NODE]})


def test_plan_defaults(planned):
    plan = Plan(planned(PLAN_DEFAULTS_CASE_1))
    plan.assert_resource("module.under_test.aws_elasticache_serverless_cache.this", {
        "name": "mapzip-dev-sessions",
        "engine": "valkey",
        "major_engine_version": "8",
        "description": "Valkey serverless cache mapzip-dev-sessions",
        "snapshot_retention_limit": 7,
        "daily_snapshot_time": "03:00",
        "subnet_ids": BASE["subnet_ids"],
        "cache_usage_limits": [],
        "snapshot_arns_to_restore": None,
        "user_group_id": None,
    })
    plan.assert_resource("module.under_test.aws_kms_key.this[0]", {"enable_key_rotation": True})
    plan.assert_resource("module.under_test.aws_kms_alias.this[0]",
                         {"name": "alias/elasticache-serverless/mapzip-dev-sessions"})
    # The endpoint and the reader endpoint, from the allowed group only; nothing else, no egress.
    rules = {address: values for address, values in plan.values.items() if "aws_vpc_security_group" in address}
    assert sorted(rules) == [
        'module.under_test.aws_vpc_security_group_ingress_rule.from_security_groups["6379/0"]',
        'module.under_test.aws_vpc_security_group_ingress_rule.from_security_groups["6380/0"]',
    ]
    assert {(r["from_port"], r["referenced_security_group_id"]) for r in rules.values()} == {(6379, NODE), (6380, NODE)}


PLAN_FULLY_SPECIFIED_CASE = plan_case("valkeyserverless", {
    **BASE,
    "description": "Sessions of the web tier",
    "major_engine_version": "7",
    "cache_usage_limits": {"data_storage_minimum": 2, "data_storage_maximum": 100,
                           "ecpu_per_second_minimum": 1000, "ecpu_per_second_maximum": 50000},
    "daily_snapshot_time": "22:30",
    "snapshot_retention_limit": 35,
    "snapshot_arns_to_restore": [SNAPSHOT],
    "kms_key_arn": KEY,
    "create_kms_key": False,
    "user_group_id": "sessions-users",
    "allowed_cidr_blocks": ["10.0.0.0/16"],
    "associated_security_group_ids": ["sg-0a1b2c3d4e5f60002"],
    "tags": {"Team": "web"},
})


def test_plan_fully_specified(planned):
    plan = Plan(planned(PLAN_FULLY_SPECIFIED_CASE))
    plan.assert_resource("module.under_test.aws_elasticache_serverless_cache.this", {
        "description": "Sessions of the web tier",
        "major_engine_version": "7",
        "cache_usage_limits": [{
            "data_storage": [{"minimum": 2, "maximum": 100, "unit": "GB"}],
            "ecpu_per_second": [{"minimum": 1000, "maximum": 50000}],
        }],
        "daily_snapshot_time": "22:30",
        "snapshot_retention_limit": 35,
        "snapshot_arns_to_restore": [SNAPSHOT],
        "kms_key_id": KEY,
        "user_group_id": "sessions-users",
        "tags": {"Team": "web"},
    })
    assert "module.under_test.aws_kms_key.this[0]" not in plan.values  # the caller's key, no module key
    assert sorted(a for a in plan.values if "ingress_rule" in a) == [
        'module.under_test.aws_vpc_security_group_ingress_rule.from_cidr_blocks["6379/0"]',
        'module.under_test.aws_vpc_security_group_ingress_rule.from_cidr_blocks["6380/0"]',
    ]


TERRAFORM_REFUSES_WHAT_PYTHON_REFUSES_CASE_1 = refusal_case(
    "valkeyserverless", {**BASE, "cache_usage_limits": {"ecpu_per_second_minimum": 5000, "ecpu_per_second_maximum": 1000}})


def test_terraform_refuses_what_python_refuses(refused):
    error = refused(TERRAFORM_REFUSES_WHAT_PYTHON_REFUSES_CASE_1)
    assert "cache_usage_limits must have ecpu_per_second_minimum at most ecpu_per_second_maximum." in error


SESSIONS_ENVIRONMENT = (
    'name_prefix = "mapzip-dev-"\nregion = "ap-northeast-2"\nvpc_id = "vpc-0a1b2c3d4e5f60718"\n'
    'subnet_ids = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"]\n\n'
    '[cache_sessions]\nmodule = "valkeyserverless"\ncache_name = "sessions"\n'
    f'kms_key_arn = "{KEY}"\nallowed_security_group_ids = ["{NODE}"]\n'
    'cache_usage_limits = { data_storage_maximum = 10, ecpu_per_second_maximum = 5000 }\n'
)


def synthesize_sessions_environment(workdir: Path) -> None:
    """`python main.py --out generated --config sessions.toml`, as a team runs it."""
    config = workdir / "sessions.toml"
    config.write_text(SESSIONS_ENVIRONMENT)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        code = cli.main(["--out", str(workdir / "generated"), "--config", str(config)])
    assert code == 0, printed.getvalue()


@background_terraform(prepare=synthesize_sessions_environment)
def sessions_stack(generated_tree: Path, workdir: Path) -> tuple[dict, dict, dict]:
    """The sessions stack's main.tf.json and outputs, and its offline plan."""
    stack = workdir / "generated" / "stacks" / "sessions"
    main = json.loads((stack / "main.tf.json").read_text())
    outputs = json.loads((stack / "outputs.tf.json").read_text())["output"]
    return main, outputs, terraform.plan_offline(workdir / "generated", "sessions", scratch=workdir)


def test_an_environment_file_names_the_module_by_its_module_key(tmp_path: Path):
    """`[cache_sessions] module = "valkeyserverless"`: the table's own name says nothing of the kind."""
    config = tmp_path / "sessions.toml"
    config.write_text(SESSIONS_ENVIRONMENT)
    env = environments.load(config, all_modules())
    (call,) = env.modules
    assert call.kind == "valkeyserverless" and call.name == "cache_sessions"


def test_an_environment_file_reaches_the_module_by_its_module_key(background):
    """The stack of that file passes the shared network values and the derived create_kms_key, re-exports the
    endpoints, and plans."""
    main, outputs, shown = background(sessions_stack)
    block = main["module"]["cache_sessions"]
    assert block["source"] == "../../modules/valkeyserverless"
    assert block["create_kms_key"] is False and block["subnet_ids"][2] == "subnet-0a1b2c3d4e5f60003"
    assert outputs["cache_sessions_endpoint_address"]["value"] == "${module.cache_sessions.endpoint_address}"
    plan = Plan(shown)
    plan.assert_resource("module.cache_sessions.aws_elasticache_serverless_cache.this", {
        "name": "mapzip-dev-sessions",
        "kms_key_id": KEY,
        "cache_usage_limits": [{"data_storage": [{"maximum": 10, "minimum": None, "unit": "GB"}],
                                "ecpu_per_second": [{"maximum": 5000, "minimum": None}]}],
    })
    assert plan.values.get("module.cache_sessions.aws_kms_key.this[0]", ABSENT) is ABSENT


ROOT_CREATING_EVERYTHING = """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

provider "aws" { region = "ap-northeast-2" }

resource "aws_vpc" "this" { cidr_block = "10.0.0.0/16" }

resource "aws_subnet" "private" {
  count             = 2
  vpc_id            = aws_vpc.this.id
  cidr_block        = cidrsubnet("10.0.0.0/16", 4, count.index)
  availability_zone = ["ap-northeast-2a", "ap-northeast-2b"][count.index]
}

resource "aws_security_group" "node" {
  name_prefix = "eks-node-"
  vpc_id      = aws_vpc.this.id
}

resource "aws_kms_key" "data" { enable_key_rotation = true }

module "cache_sessions" {
  source                     = "./modules/valkeyserverless"
  name_prefix                = "mapzip-dev-"
  cache_name                 = "sessions"
  vpc_id                     = aws_vpc.this.id
  subnet_ids                 = aws_subnet.private[*].id
  allowed_security_group_ids = [aws_security_group.node.id]
  allowed_cidr_blocks        = [aws_vpc.this.cidr_block]
  kms_key_arn                = aws_kms_key.data.arn
  create_kms_key             = false
}
"""


@background_terraform
def plan_of_a_root_creating_everything(generated_tree: Path, workdir: Path) -> dict:
    (workdir / "modules").mkdir()
    shutil.copytree(generated_tree / "modules" / "valkeyserverless", workdir / "modules" / "valkeyserverless")
    (workdir / "main.tf").write_text(ROOT_CREATING_EVERYTHING)
    (workdir / "offline_override.tf.json").write_text(json.dumps(terraform.OFFLINE_OVERRIDE))
    return terraform.plan_root(workdir)


def test_plans_in_a_root_that_creates_every_id_and_key_in_the_same_apply(background):
    """Every count and for_each is decided by what Terraform knows at plan time: the VPC, subnets, the allowed
    group and the key are created by the same apply, so their ids and ARN are unknown when it plans."""
    plan = Plan(background(plan_of_a_root_creating_everything))
    cache = next(c for c in plan.raw["resource_changes"]
                 if c["address"] == "module.cache_sessions.aws_elasticache_serverless_cache.this")
    assert cache["change"]["after_unknown"]["kms_key_id"] is True  # really unknown at plan time
    assert not [a for a in plan.values if a.startswith("module.cache_sessions.aws_kms_key")]
    assert sorted(a.removeprefix("module.cache_sessions.") for a in plan.values if "ingress_rule" in a) == [
        'aws_vpc_security_group_ingress_rule.from_cidr_blocks["6379/0"]',
        'aws_vpc_security_group_ingress_rule.from_cidr_blocks["6380/0"]',
        'aws_vpc_security_group_ingress_rule.from_security_groups["6379/0"]',
        'aws_vpc_security_group_ingress_rule.from_security_groups["6380/0"]',
    ]
