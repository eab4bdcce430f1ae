"""A customer managed KMS key, created by a module when the caller brings none.

AWS managed keys cannot be audited, rotated on your schedule or restricted by policy; checkov asks for customer
managed keys on ElastiCache (CKV_AWS_191), DynamoDB (CKV_AWS_119) and CloudWatch log groups (CKV_AWS_158).

The key policy is its own resource (`aws_kms_key_policy`) because it names the account, the region and the
partition, which it reads from the key's own ARN: a module needs no `aws_caller_identity` lookup, so it plans
without calling AWS. It keeps the account's default administration statement and lets CloudWatch Logs use the
key for the module's own log groups only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.cdk import address, aws, number, precondition, string_map
from generator.model.wiring import InputRefs


@dataclass(frozen=True)
class ManagedKey:
    """What customer_managed_key makes."""

    arn: str  # HCL (without "${}") of the key's ARN: null when the key is not created
    policy: Any  # the key policy resource: log groups encrypted with the key depend on it


def customer_managed_key(
    stack: Any,
    *,
    inputs: InputRefs,
    create: str,
    used: str,
    unused_message: str,
    description: str,
    alias: str,
    log_groups: str | None,
) -> ManagedKey:
    """`create`: HCL condition for creating the key, over inputs Terraform always knows at plan time (create_kms_key
    and the booleans that turn encryption or logs on), never over a key ARN the caller passes, which may be unknown
    until apply. `used`: HCL condition that some enabled use has no key of the caller's (it may be unknown at plan
    time); checked before the key is created, so a caller who passes every key but leaves create_kms_key on gets
    `unused_message` instead of a key that encrypts nothing. `alias`: a template for the alias name; `log_groups`:
    a template of the log-group names (ARN pattern) the key may encrypt, or None when the module has none.

    `inputs`: the calling module's handles (it must declare `tags`). Returns the key's ARN expression and its
    policy; the caller decides how its resources and outputs read the ARN (the modules name it
    `local.module_kms_key_arn`).
    """
    count = number(f"{create} ? 1 : 0")
    key = aws.KmsKey(
        stack,
        "kms_key",
        description=description,
        enable_key_rotation=True,
        deletion_window_in_days=30,
        tags=string_map(inputs.tags),
        count=count,
    )
    address(key, "this")
    precondition(key, [{"condition": "${" + used + "}", "error_message": unused_message}])
    arn = 'split(":", aws_kms_key.this[0].arn)'
    statements = [
        "{ Sid = \"AccountAdministration\", Effect = \"Allow\", "
        f'Principal = {{ AWS = "arn:${{{arn}[1]}}:iam::${{{arn}[4]}}:root" }}, Action = "kms:*", Resource = "*" }}'
    ]
    if log_groups is not None:
        statements.append(
            "{ Sid = \"CloudWatchLogs\", Effect = \"Allow\", "
            f'Principal = {{ Service = "logs.${{{arn}[3]}}.amazonaws.com" }}, '
            'Action = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"], '
            'Resource = "*", '
            f'Condition = {{ ArnLike = {{ "kms:EncryptionContext:aws:logs:arn" = '
            f'"arn:${{{arn}[1]}}:logs:${{{arn}[3]}}:${{{arn}[4]}}:log-group:{log_groups}" }} }} }}'
        )
    policy = aws.KmsKeyPolicy(
        stack,
        "kms_key_policy",
        key_id="${aws_kms_key.this[0].id}",
        policy='${jsonencode({ Version = "2012-10-17", Statement = [' + ", ".join(statements) + "] })}",
        count=count,
    )
    address(policy, "this")
    kms_alias = aws.KmsAlias(stack, "kms_alias", name=alias, target_key_id="${aws_kms_key.this[0].key_id}", count=count)
    address(kms_alias, "this")
    return ManagedKey(arn="one(aws_kms_key.this[*].arn)", policy=policy)
