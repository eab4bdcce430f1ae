"""Inputs adoption needs: the names, descriptions and keys an existing estate already uses. Defaults are unchanged
(the module tests' default plans still hold); these tests give the new inputs and read the plan."""

from __future__ import annotations

from testkit.assertions import ABSENT, Plan
from modules import all_modules
from testkit.pytest_terraform import plan_case

MODULES = all_modules()
NETWORK = {
    "name_prefix": "mapzip-prod-",
    "vpc_id": "vpc-0a1b2c3d4e5f60718",
    "subnet_ids": ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"],
}
CACHE = {
    **NETWORK,
    "cluster_name": "auth",
    "engine_version": "7.2",
    "parameter_group_name": "mapzip-prod-auth-params",
    "parameter_group_description": "Managed by Terraform",
    "subnet_group_name": "mapzip-prod-auth-subnets",
    "security_group_name": "mapzip-prod-auth-cache",
    "security_group_description": "Valkey mapzip-prod-auth",
    "kms_key_arn": "alias/aws/elasticache",
    "create_kms_key": False,  # an HCL caller that passes every key says so (modules.shared.inputs.create_kms_key)
    "transit_encryption_enabled": False,
    "authentication_disabled": True,  # no TLS, so no AUTH: what adopt pins for such a group
    "slow_log_enabled": False,
    "engine_log_enabled": False,
}
AWS_MANAGED_WARNING = (
    "uses the AWS managed key instead of a customer managed one: its policy cannot be restricted and its use is not "
    "yours to audit or rotate (kept to adopt an existing resource: the at-rest key cannot change in place)"
)


ELASTICACHE_KEEPS_EXISTING_NAMES_AND_THE_DEFAULT_KEY_CASE_1 = plan_case("elasticache", CACHE)


def test_elasticache_keeps_existing_names_and_the_default_key(planned):
    plan = Plan(planned(ELASTICACHE_KEEPS_EXISTING_NAMES_AND_THE_DEFAULT_KEY_CASE_1))
    plan.assert_resource("module.under_test.aws_elasticache_parameter_group.this[0]",
                         {"name": "mapzip-prod-auth-params", "description": "Managed by Terraform", "family": "valkey7"})
    plan.assert_resource("module.under_test.aws_elasticache_subnet_group.this", {"name": "mapzip-prod-auth-subnets"})
    plan.assert_resource("module.under_test.aws_security_group.this[0]",
                         {"name": "mapzip-prod-auth-cache", "description": "Valkey mapzip-prod-auth"})
    plan.assert_resource("module.under_test.aws_elasticache_replication_group.this",
                         {"kms_key_id": ABSENT, "at_rest_encryption_enabled": "true",
                          "transit_encryption_enabled": False})
    # The AWS managed key, and no logs: the module creates no key of its own.
    plan.assert_count("module.under_test.aws_kms_key.", 0)


MSK_KEEPS_AN_EXISTING_CONFIGURATION_NAME_CASE = plan_case("msk", {
    **NETWORK, "cluster_name": "events", "kafka_version": "3.6.0", "kms_key_arn": "alias/aws/kafka",
    "create_kms_key": False, "configuration_name": "mapzip-prod-events-config", "security_group_name": "mapzip-prod-events-msk",
    "cloudwatch_logs_enabled": False})


def test_msk_keeps_an_existing_configuration_name_and_the_aws_managed_key(planned):
    plan = Plan(planned(MSK_KEEPS_AN_EXISTING_CONFIGURATION_NAME_CASE))
    plan.assert_resource("module.under_test.aws_msk_configuration.this",
                         {"name": "mapzip-prod-events-config", "kafka_versions": ["3.6.0"]})
    plan.assert_resource("module.under_test.aws_msk_cluster.this", {"kafka_version": "3.6.0"})
    cluster = next(r for r in plan.raw["resource_changes"] if r["address"] == "module.under_test.aws_msk_cluster.this")
    # No key sent: MSK uses its AWS managed key (the value is MSK's answer, unknown until apply).
    assert cluster["change"]["after_unknown"]["encryption_info"][0]["encryption_at_rest_kms_key_arn"] is True
    plan.assert_count("module.under_test.aws_kms_key.", 0)


def test_the_aws_managed_key_warns_and_other_aliases_are_refused():
    cache = MODULES["elasticache"].inputs
    values, problems = cache.problems(CACHE)
    assert problems == []
    assert f'kms_key_arn = "alias/aws/elasticache" {AWS_MANAGED_WARNING}' in cache.warnings(values)
    _, problems = cache.problems({**CACHE, "kms_key_arn": "alias/aws/kafka"})
    assert problems == [("kms_key_arn", 'kms_key_arn: must be an ARN of the kms service (arn:aws:kms:…), or '
                         "alias/aws/elasticache for ElastiCache's AWS managed key, got \"alias/aws/kafka\"")]
    table = MODULES["dynamodb"].inputs
    values, problems = table.problems({"name_prefix": "mapzip-prod-", "table_name": "reviews", "hash_key": "id",
                                       "attributes": [{"name": "id", "type": "S"}],
                                       "server_side_encryption_kms_key_arn": "alias/aws/dynamodb"})
    assert problems == []
    assert f'server_side_encryption_kms_key_arn = "alias/aws/dynamodb" {AWS_MANAGED_WARNING}' in table.warnings(values)


def test_module_variables_carry_the_same_key_rule():
    condition = MODULES["msk"].inputs.by_name["kms_key_arn"].validation_blocks()[0]["condition"]
    assert condition.startswith('${var.kms_key_arn == null ? true : (var.kms_key_arn == "alias/aws/kafka" || ')
