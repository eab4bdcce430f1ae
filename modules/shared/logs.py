"""A CloudWatch log group for a module's own logs, configured by the shared log inputs (shared.inputs.logs)."""

from __future__ import annotations

from typing import Any

from generator.cdk import aws, number, string_map
from generator.model.wiring import InputRefs


def log_group(
    stack: Any, address: str, *, inputs: InputRefs, name: str, enabled: str, module_key_arn: str, key_policy: Any
) -> Any:
    """`aws_cloudwatch_log_group.<address>`, created when the HCL condition `enabled` holds, encrypted with
    log_kms_key_arn or else `module_key_arn` (HCL: the module's own key, modules.shared.kms). `inputs`: the calling
    module's handles (it must declare the shared log inputs and `tags`)."""
    return aws.CloudwatchLogGroup(
        stack,
        address,
        name=name,
        retention_in_days=number(inputs.log_retention_in_days),
        kms_key_id=(
            f"${{{inputs.log_kms_key_arn} != null ? {inputs.log_kms_key_arn} : {module_key_arn}}}"
        ),
        tags=string_map(inputs.tags),
        count=number(f"{enabled} ? 1 : 0"),
        # CloudWatch Logs checks at creation that the key's policy lets it in.
        depends_on=[key_policy],
    )
