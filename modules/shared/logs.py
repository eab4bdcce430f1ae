"""A CloudWatch log group for a module's own logs, configured by the shared log inputs (shared.inputs.logs)."""

from __future__ import annotations

from typing import Any

from generator.cdk import aws, number, string_map


def log_group(stack: Any, address: str, *, name: str, enabled: str, key_policy: Any) -> Any:
    """`aws_cloudwatch_log_group.<address>`, created when the HCL condition `enabled` holds, encrypted with
    log_kms_key_arn or the module's own key (generator: modules.shared.kms)."""
    return aws.CloudwatchLogGroup(
        stack,
        address,
        name=name,
        retention_in_days=number("var.log_retention_in_days"),
        kms_key_id="${var.log_kms_key_arn != null ? var.log_kms_key_arn : local.module_kms_key_arn}",
        tags=string_map("var.tags"),
        count=number(f"{enabled} ? 1 : 0"),
        # CloudWatch Logs checks at creation that the key's policy lets it in.
        depends_on=[key_policy],
    )
