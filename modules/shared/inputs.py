"""Inputs and checks several modules declare alike: naming, networking, logs and tags."""

from __future__ import annotations

from generator import rules
from generator.inputs import Check, Input
from generator.types import BOOL, NUMBER, STRING, list_of, map_of
from modules.catalog import LOG_RETENTION_DAYS

NAME_PREFIX_DESCRIPTION = "Prefix of every name the module creates, such as \"mapzip-dev-\"."


def network(reached: str, subnets: Input) -> tuple[Input, ...]:
    """vpc_id, subnet_ids (given, as each service constrains them differently) and the security group inputs."""
    return (
        Input("vpc_id", STRING, "VPC of the security group.", rules=(rules.resource_id("vpc"),),
              example="vpc-0123456789abcdef0"),
        subnets,
        Input(
            "allowed_security_group_ids",
            list_of(STRING),
            f"Security groups (such as the EKS nodes') allowed to reach {reached}.",
            default=[],
            rules=(rules.resource_ids("sg"),),
        ),
        Input(
            "allowed_cidr_blocks",
            list_of(STRING),
            f"CIDR blocks allowed to reach {reached}. 0.0.0.0/0 and ::/0 are refused unless "
            "allow_ingress_from_anywhere is true.",
            default=[],
            rules=(rules.cidr_blocks(),),
        ),
        Input(
            "allow_ingress_from_anywhere",
            BOOL,
            "Explicitly allow 0.0.0.0/0 or ::/0 in allowed_cidr_blocks. Weakens security; synth prints a warning.",
            default=False,
            weakens=(True, f"opens {reached} to any address"),
        ),
        Input(
            "security_group_ids",
            list_of(STRING),
            "Existing security groups to attach besides the one the module creates.",
            default=[],
            rules=(rules.resource_ids("sg"),),
        ),
    )


NO_OPEN_INGRESS = Check(
    ("allowed_cidr_blocks", "allow_ingress_from_anywhere"),
    "must not contain 0.0.0.0/0 or ::/0 unless allow_ingress_from_anywhere = true",
    lambda v: v["allow_ingress_from_anywhere"] or not rules.open_to_internet(v["allowed_cidr_blocks"]),
    f"var.allow_ingress_from_anywhere || {rules.OPEN_CIDRS_HCL}",
    example={"allowed_cidr_blocks": ["0.0.0.0/0"]},
)


def logs(what: str) -> tuple[Input, ...]:
    return (
        Input(
            "log_retention_in_days",
            NUMBER,
            f"Retention of {what}, in days.",
            default=365,
            rules=(rules.one_of(LOG_RETENTION_DAYS),),
        ),
        Input(
            "log_kms_key_arn",
            STRING,
            f"KMS key that encrypts {what} (its policy must let CloudWatch Logs use it). Default: the module's key.",
            default=None,
            rules=(rules.arn("kms"),),
        ),
    )


TAGS = Input("tags", map_of(STRING), "Tags for every resource, merged over the provider's default tags.", default={})
