"""AWS limits that span an environment file: what one module block cannot see on its own.

A module's inputs check its own values (generator.language.inputs, modules/<kind>/inputs.py). What only the whole file shows
is checked here, before anything is written:

- the region exists (generator/language/aws.py), for the provider and for an S3 backend;
- an S3 backend bucket name follows S3's naming rules;
- the provider's default tags ([tags]) follow AWS's tag rules, and default tags plus a block's own tags stay within
  AWS's 50 per resource;
- no two module blocks create the same AWS name (a table, a replication group, a cluster, or a name derived from
  one: a KMS alias, a log group...).

Every message names the file, the table and key, the rule and the value, like the other environment messages.
"""

from __future__ import annotations

import ipaddress
import re
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from generator.language import rules
from generator.language.types import literal
from generator.language.aws import AWS_REGIONS, REGION

if TYPE_CHECKING:  # the module machinery starts the jsii runtime; checking a file must not
    from generator.model.module import ModuleDefinition

# S3 "General purpose bucket naming rules" (AmazonS3/latest/userguide/bucketnamingrules), read 2026-11: 3-63
# characters; lowercase letters, digits, dots and hyphens; begins and ends with a letter or digit; no two adjacent
# dots; not an IP address; not the reserved prefixes xn--, sthree-, amzn-s3-demo-; not the reserved suffixes
# -s3alias, --ol-s3, .mrap, --x-s3, --table-s3.
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_BUCKET_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_BUCKET_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def bucket_name_problem(name: str) -> str | None:
    """What is wrong with an S3 bucket name, or None."""
    if not 3 <= len(name) <= 63:
        return f"must be 3 to 63 characters long (S3 bucket naming rules), got {literal(name)} ({len(name)} characters)"
    if not _BUCKET.fullmatch(name):
        return (
            "must be lowercase letters, digits, dots and hyphens, beginning and ending with a letter or digit "
            f"(S3 bucket naming rules), got {literal(name)}"
        )
    if ".." in name:
        return f"must not hold two adjacent dots (S3 bucket naming rules), got {literal(name)}"
    try:
        ipaddress.IPv4Address(name)
    except ValueError:
        pass
    else:
        return f"must not be an IP address (S3 bucket naming rules), got {literal(name)}"
    for prefix in _BUCKET_PREFIXES:
        if name.startswith(prefix):
            return f"must not begin with {prefix} (reserved by S3), got {literal(name)}"
    for suffix in _BUCKET_SUFFIXES:
        if name.endswith(suffix):
            return f"must not end with {suffix} (reserved by S3), got {literal(name)}"
    return None


def region_problem(region: Any) -> str | None:
    """An unknown region of the right shape (a wrong shape is reported by generator.config.environments)."""
    if not isinstance(region, str) or not REGION.fullmatch(region) or region in AWS_REGIONS:
        return None
    return f"{_REGION_RULE}, got {rules._unknown(region, AWS_REGIONS, None)}"


_REGION_RULE = "must be an AWS Region that exists (generator/language/aws.py)"


def tag_problems(tags: Mapping[str, str]) -> list[str]:
    """The count, then each tag that breaks a rule, named by its key: `Owner: must use only letters…`."""
    count, *per_tag = rules.tag_rules()
    problems = [] if count.check(tags) else [f"must {count.must}, got {count.got(tags)}"]
    for key, value in tags.items():
        one = {key: value}
        problems.extend(f"{key}: must {rule.must}, got {rule.got(one)}" for rule in per_tag if not rule.check(one))
    return problems


def environment_problems(
    where: str,
    shared: Mapping[str, Any],
    tags: Mapping[str, str],
    backend: Mapping[str, Any],
    calls: Iterable[Any],
    modules: Mapping[str, ModuleDefinition],
) -> list[str]:
    """Every environment-wide problem, one line each; `calls` are the module blocks that passed their own checks."""
    problems: list[str] = []
    region = region_problem(shared.get("region"))
    if region:
        problems.append(f"{where}: region: {region}")
    if backend.get("type") == "s3":
        bucket = backend.get("bucket")
        if isinstance(bucket, str) and (problem := bucket_name_problem(bucket)):
            problems.append(f"{where}: [backend] bucket: {problem}")
        region = backend.get("region")
        if isinstance(region, str) and region not in AWS_REGIONS:
            # Any string: unlike the top-level region, no shape check before this one (mars-1 passed to init).
            problems.append(f"{where}: [backend] region: {_REGION_RULE}, got {rules._unknown(region, AWS_REGIONS, None)}")
    problems.extend(f"{where}: [tags] {problem}" for problem in tag_problems(tags))
    calls = list(calls)
    problems.extend(_tag_count_problems(where, tags, calls, modules))
    problems.extend(_duplicate_name_problems(where, calls, modules))
    return problems


def _tag_count_problems(
    where: str, default_tags: Mapping[str, str], calls: list[Any], modules: Mapping[str, ModuleDefinition]
) -> list[str]:
    """The provider merges its default tags into every resource's: together they count against AWS's 50."""
    problems = []
    for call in calls:
        spec = modules[call.kind].inputs.by_name.get("tags")
        if spec is None or not spec.rules or not default_tags or len(default_tags) > rules.MAX_TAGS:
            continue  # no default tags, or too many already (reported on [tags] itself)
        count = spec.rules[0]  # rules.tag_rules: the first rule is the count
        merged = {**default_tags, **call.values["tags"]}
        if not count.check(merged):
            problems.append(
                f"{where}: [{call.name}] tags: with the default tags of [tags], must {count.must}, got {count.got(merged)}"
            )
    return problems


def _duplicate_name_problems(where: str, calls: list[Any], modules: Mapping[str, ModuleDefinition]) -> list[str]:
    """Two blocks that would create the same AWS name: the second apply fails (AlreadyExists), or worse, the two
    blocks fight over one resource. One message per pair of blocks, naming the first name they share."""
    owners: dict[tuple[str, str], tuple[str, str]] = {}  # (what, name) → (block, name as created)
    problems = []
    reported: set[tuple[str, str]] = set()
    for call in calls:
        for aws_name in modules[call.kind].inputs.aws_names:
            if not aws_name.unique:
                continue
            key = aws_name.key(call.values)
            if key is None:
                continue
            owner = owners.setdefault((aws_name.what, key), (call.name, aws_name.value(call.values)))
            if owner[0] == call.name or (owner[0], call.name) in reported:
                continue
            reported.add((owner[0], call.name))
            problems.append(
                f"{where}: [{call.name}] {aws_name.inputs[0]}: creates the {aws_name.what} "
                f"{literal(aws_name.value(call.values))}, as [{owner[0]}] does (AWS refuses a second one in the same "
                "account and Region)"
            )
    return problems
