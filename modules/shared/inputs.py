"""Inputs and checks several modules declare alike: naming, networking, logs and tags."""

from __future__ import annotations

import dataclasses

from generator import rules
from generator.inputs import Check, Input, Rule
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
            rules=(rules.resource_ids("sg"), rules.distinct("security group")),
        ),
        Input(
            "allowed_cidr_blocks",
            list_of(STRING),
            f"CIDR blocks allowed to reach {reached}. 0.0.0.0/0 and ::/0 are refused unless "
            "allow_ingress_from_anywhere is true.",
            default=[],
            rules=(rules.cidr_blocks(), rules.distinct("CIDR block")),
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
            rules=(rules.resource_ids("sg"), rules.distinct("security group")),
        ),
    )


NO_OPEN_INGRESS = Check(
    ("allowed_cidr_blocks", "allow_ingress_from_anywhere"),
    "must not contain 0.0.0.0/0 or ::/0 unless allow_ingress_from_anywhere = true",
    lambda v: v["allow_ingress_from_anywhere"] or not rules.open_to_internet(v["allowed_cidr_blocks"]),
    f"var.allow_ingress_from_anywhere || {rules.OPEN_CIDRS_HCL}",
)

# Blocks that add up to every address open the service as 0.0.0.0/0 does (0.0.0.0/1 + 128.0.0.0/1). Not repeated
# when the list holds 0.0.0.0/0 or ::/0 itself (NO_OPEN_INGRESS says so).
NO_INGRESS_COVERING_EVERY_ADDRESS = Check(
    ("allowed_cidr_blocks", "allow_ingress_from_anywhere"),
    "must not add up to every IPv4 or every IPv6 address (such as 0.0.0.0/1 with 128.0.0.0/1) unless "
    "allow_ingress_from_anywhere = true",
    lambda v: v["allow_ingress_from_anywhere"]
    or rules.open_to_internet(v["allowed_cidr_blocks"])
    or not rules.covers_every_address(v["allowed_cidr_blocks"]),
    f"var.allow_ingress_from_anywhere || !({rules.OPEN_CIDRS_HCL}) || ({rules.COVERS_EVERY_ADDRESS_HCL})",
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
            rules=(rules.arn("kms"), rules.arn_shape("kms")),
        ),
    )


TAGS = Input(
    "tags", map_of(STRING), "Tags for every resource, merged over the provider's default tags.", default={},
    rules=rules.tag_rules(),
)
# The modules with a security group add a Name tag to it, which counts against AWS's 50.
TAGS_WITH_NAME = dataclasses.replace(TAGS, rules=rules.tag_rules(added=("Name",)))


# --- Adoption: names and keys an existing estate already uses -----------------------------------------------------
# A security group's name and description are ForceNew (aws-constraints.md; confirmed by replace_paths in the
# adoption test): a group created by hand-written HCL keeps its own, or the first plan replaces it.
def security_group_naming(default_description: str) -> tuple[Input, ...]:
    return (
        Input(
            "security_group_name",
            STRING,
            "Exact name of the security group, for a group that already exists. Default: a name_prefix from the "
            "module's name (a new group on every name change, created before the old one is destroyed).",
            default=None,
            rules=(rules.length_between(1, 255),),
        ),
        Input(
            "security_group_description",
            STRING,
            f"Description of the security group (changing it replaces the group). Default: {default_description}.",
            default=None,
            rules=(rules.length_between(1, 255),),
        ),
    )


def kms_key(service: str, alias: str) -> tuple[Rule, ...]:
    """A customer managed key's ARN (of the whole shape), or the service's AWS managed key by its alias
    (`alias/aws/<service>`), which an existing resource may use: its at-rest key is ForceNew, so adopting it means
    keeping that key."""
    arn, shape = rules.arn("kms"), rules.arn_shape("kms")
    return (
        Rule(
            must=f"be an ARN of the kms service (arn:aws:kms:…), or {alias} for {service}'s AWS managed key",
            check=lambda v: v == alias or arn.check(v),
            hcl=f'{{v}} == "{alias}" || ({arn.hcl})',
        ),
        Rule(
            must=f"{shape.must}, or {alias}",
            check=lambda v: v == alias or shape.check(v),
            hcl=f'{{v}} == "{alias}" || ({shape.hcl})',
            got=shape.got,
        ),
    )


def aws_managed_key_warning(alias: str) -> tuple[str, str]:
    return (
        alias,
        "uses the AWS managed key instead of a customer managed one: its policy cannot be restricted and its use "
        "is not yours to audit or rotate (kept to adopt an existing resource: the at-rest key cannot change in place)",
    )
