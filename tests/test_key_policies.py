"""The KMS key policies, exactly: every module that creates a key, its policy's statements and conditions as AWS
will read them. The policy is an HCL expression (it reads the account, region and partition from the key's own
ARN); the test evaluates it with the rule language's evaluator (testkit/hcl.py) for a key ARN and compares the
JSON document whole."""

from __future__ import annotations

import json

import pytest

from testkit import hcl

KEY_ARN = "arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/0b6c6d5e-1111-2222-3333-444455556666"
LOCALS = {"replication_group_id": "acme-cache", "cluster_name": "acme-kafka"}

ADMINISTRATION = {
    "Sid": "AccountAdministration",
    "Effect": "Allow",
    "Principal": {"AWS": "arn:aws-us-gov:iam::111122223333:root"},
    "Action": "kms:*",
    "Resource": "*",
}


def logs(log_groups: str) -> dict:
    """CloudWatch Logs may use the key, for the module's own log groups only."""
    return {
        "Sid": "CloudWatchLogs",
        "Effect": "Allow",
        "Principal": {"Service": "logs.us-gov-west-1.amazonaws.com"},
        "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        "Resource": "*",
        "Condition": {"ArnLike": {
            "kms:EncryptionContext:aws:logs:arn": f"arn:aws-us-gov:logs:us-gov-west-1:111122223333:log-group:{log_groups}",
        }},
    }


POLICIES = {
    "dynamodb": [ADMINISTRATION],
    "elasticache": [ADMINISTRATION, logs("/aws/elasticache/acme-cache/*")],
    "msk": [ADMINISTRATION, logs("/aws/msk/acme-kafka/*")],
    "valkeyserverless": [ADMINISTRATION],
}


def modules_with_a_key(produced) -> list[str]:
    kinds = sorted({path.split("/")[1] for path in produced.files if path.startswith("modules/")})
    return [kind for kind in kinds if b'"aws_kms_key"' in b"".join(
        content for path, content in produced.files.items() if path.startswith(f"modules/{kind}/"))]


def test_every_module_that_creates_a_key_has_its_policy_here(produced):
    assert modules_with_a_key(produced) == sorted(POLICIES)


@pytest.mark.parametrize("kind", sorted(POLICIES))
def test_key_policy_statements_and_conditions(module_json, kind):
    module = module_json(kind)
    resource = module.resource("aws_kms_key_policy", "this")
    key = module.resource("aws_kms_key", "this")
    assert resource["key_id"] == "${aws_kms_key.this[0].id}"
    assert resource["count"] == key["count"]  # a policy whenever there is a key
    expression = hcl.parse_value(resource["policy"])
    assert "${" + expression.hcl() + "}" == resource["policy"]
    document = json.loads(expression.evaluate({"aws_kms_key": {"this": [{"arn": KEY_ARN}]}, "local": LOCALS}))
    assert document == {"Version": "2012-10-17", "Statement": POLICIES[kind]}


@pytest.mark.parametrize("kind", sorted(POLICIES))
def test_key_rotates_and_waits_thirty_days_before_deletion(module_json, kind):
    key = module_json(kind).resource("aws_kms_key", "this")
    assert key["enable_key_rotation"] is True
    assert key["deletion_window_in_days"] == 30


@pytest.mark.parametrize("kind", ["elasticache", "msk"])
def test_log_groups_encrypted_with_the_key_wait_for_its_policy(module_json, kind):
    groups = module_json(kind).document["resource"]["aws_cloudwatch_log_group"]
    assert groups and all("aws_kms_key_policy.this" in body.get("depends_on", []) for body in groups.values())


# The rest of what customer_managed_key makes (modules/shared/kms.py): an alias on the key, the ARN the module's
# resources read, and the refusal of a key that would encrypt nothing.
ALIASES = {
    "dynamodb": 'alias/dynamodb/${replace(local.table_name, ".", "-")}',
    "elasticache": "alias/elasticache/${local.replication_group_id}",
    "msk": "alias/msk/${local.cluster_name}",
    "valkeyserverless": "alias/elasticache-serverless/${local.cache_name}",
}
UNUSED_KEY_CONDITIONS = {
    "dynamodb": "${local.kms_key_needed}",
    "elasticache": "${local.kms_key_needed}",
    "msk": "${local.kms_key_needed}",
    "valkeyserverless": "${var.kms_key_arn == null}",
}


@pytest.mark.parametrize("kind", sorted(POLICIES))
def test_key_alias_names_the_key(module_json, kind):
    module = module_json(kind)
    alias = module.resource("aws_kms_alias", "this")
    assert alias == {"count": module.resource("aws_kms_key", "this")["count"], "name": ALIASES[kind],
                     "target_key_id": "${aws_kms_key.this[0].key_id}"}


@pytest.mark.parametrize("kind", sorted(POLICIES))
def test_module_resources_read_the_key_arn_when_there_is_one(module_json, kind):
    assert module_json(kind).document["locals"]["module_kms_key_arn"] == "${one(aws_kms_key.this[*].arn)}"


@pytest.mark.parametrize("kind", sorted(POLICIES))
def test_key_that_would_encrypt_nothing_is_refused(module_json, kind):
    key = module_json(kind).resource("aws_kms_key", "this")
    [precondition] = key["lifecycle"]["precondition"]
    assert precondition["condition"] == UNUSED_KEY_CONDITIONS[kind]
    assert precondition["error_message"].startswith("create_kms_key must be false when ")
    assert precondition["error_message"].endswith(" (the module's key would encrypt nothing).")
