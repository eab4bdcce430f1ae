"""Adopting Valkey serverless caches (generator.adoption.kit.Adopter): what --adopt reads of them and pins.

A serverless cache has no parameter group, subnet group or nodes: the cache itself, in the security group the
module creates (counted from the start: `aws_security_group.this[0]`), is all there is to move. Its key, subnets and
the snapshots it was restored from cannot change in place (the provider replaces the cache), so each is pinned as
the state holds it.
"""

from __future__ import annotations

from typing import Any

from generator.adoption.kit import (COMMON, FORCES_NEW, IDENTITY, IN_PLACE, Adopted, Adopter, Report, one, own_tags,
                                    security_group, split_name)
from generator.adoption.statefile import INTEGER, STRING, ListOf, Object, objects
from generator.language.types import literal
from modules.catalog import VALKEY_SERVERLESS_MAJOR_VERSIONS
from modules.valkeyserverless.inputs import AWS_MANAGED_KEY, PORT, READER_PORT

# What the adopter reads of the cache (generator.adoption.statefile); the security group is kit.SHAPES'.
STATE_SHAPES = {
    "aws_elasticache_serverless_cache": Object({
        **COMMON, "name": STRING, "engine": STRING, "major_engine_version?": STRING, "description?": STRING,
        "kms_key_id?": STRING, "security_group_ids?": ListOf(STRING), "subnet_ids?": ListOf(STRING),
        "user_group_id?": STRING, "snapshot_retention_limit?": INTEGER, "daily_snapshot_time?": STRING,
        "snapshot_arns_to_restore?": ListOf(STRING),
        "cache_usage_limits?": objects(**{
            "data_storage?": objects(**{"minimum?": INTEGER, "maximum?": INTEGER, "unit?": STRING}),
            "ecpu_per_second?": objects(**{"minimum?": INTEGER, "maximum?": INTEGER}),
        }),
    }),
}
KMS_ARN_PREFIX = "arn:"


def _usage_limits(values: dict[str, Any]) -> dict[str, int]:
    """The cache_usage_limits input as the state's blocks say it: only the bounds that are set."""
    limits = (values.get("cache_usage_limits") or [{}])[0]
    found: dict[str, int] = {}
    for block, prefix in (("data_storage", "data_storage"), ("ecpu_per_second", "ecpu_per_second")):
        bounds = (limits.get(block) or [{}])[0]
        for bound in ("minimum", "maximum"):
            if bounds.get(bound) is not None:
                found[f"{prefix}_{bound}"] = bounds[bound]
    return found


def _valkeyserverless(adopted: Adopted, report: Report, resources: list[dict[str, Any]], moved: set[str],
                      prefix: str | None) -> None:
    cache = one(resources, "aws_elasticache_serverless_cache", lambda v: v["engine"] == "valkey")
    assert cache is not None
    v = cache["values"]
    table = adopted.table
    name = v["name"]
    adopted.source = cache["address"]
    adopted.moves.append((cache["address"], f"module.{table}.aws_elasticache_serverless_cache.this"))
    moved.add(cache["address"])
    name_prefix, cache_name = split_name(name, prefix)
    adopted.pin("name_prefix", name_prefix, "with cache_name, the serverless cache's name", IDENTITY)
    adopted.pin("cache_name", cache_name, f"with name_prefix, the serverless cache's name {name}", IDENTITY)
    description = v.get("description") or ""
    if description:
        adopted.pin("description", description, "the cache's description", IN_PLACE,
                    f"Valkey serverless cache {name}")
    else:
        report.notes.append(f"[{table}] the cache has no description: the module gives it \"Valkey serverless cache "
                            f"{name}\" (an in-place change)")
    version = v.get("major_engine_version")
    if version is not None and version not in VALKEY_SERVERLESS_MAJOR_VERSIONS:
        report.problems.append(f"{cache['address']}: major_engine_version: the cache runs {literal(version)}; the "
                               f"module runs {', '.join(VALKEY_SERVERLESS_MAJOR_VERSIONS)}")
    else:
        adopted.pin("major_engine_version", version, "the cache runs it", IN_PLACE)
    adopted.pin("cache_usage_limits", _usage_limits(v), "the bounds AWS scales the cache within", IN_PLACE)
    adopted.pin("subnet_ids", list(v.get("subnet_ids") or []) or None,
                "the cache's subnets; they cannot change in place", FORCES_NEW)
    key = v.get("kms_key_id") or AWS_MANAGED_KEY
    if key == AWS_MANAGED_KEY or key.startswith(KMS_ARN_PREFIX):
        adopted.pin("kms_key_arn", key, "the key the cache's data is encrypted with; it cannot change in place"
                    f" (if it is ElastiCache's AWS managed key, {AWS_MANAGED_KEY} says the same)", FORCES_NEW, None,
                    "kms_key_id")
    else:
        report.problems.append(f"{cache['address']}: kms_key_id: the cache names its key {literal(key)}, not by "
                               "its ARN; kms_key_arn takes an ARN, and another value replaces the cache: write the "
                               "key's ARN in kms_key_id in the old root and apply there first")
    adopted.pin("user_group_id", v.get("user_group_id") or None, "the cache's RBAC user group", IN_PLACE)
    adopted.pin("snapshot_retention_limit", v.get("snapshot_retention_limit"), "the cache keeps that many days",
                IN_PLACE)
    adopted.pin("daily_snapshot_time", v.get("daily_snapshot_time") or None, "the cache's snapshot time", IN_PLACE)
    adopted.pin("snapshot_arns_to_restore", list(v.get("snapshot_arns_to_restore") or []),
                "the snapshots the cache was created from", FORCES_NEW)
    own_tags(adopted, v, "cache")
    security_group(
        adopted, report, resources, list(v.get("security_group_ids") or []),
        f"Valkey serverless {name}: cache ports from allowed sources only",
        lambda groups, cidrs: {
            **{(p, p, g): f'aws_vpc_security_group_ingress_rule.from_security_groups["{p}/{i}"]'
               for p in (PORT, READER_PORT) for i, g in enumerate(groups)},
            **{(p, p, c): f'aws_vpc_security_group_ingress_rule.from_cidr_blocks["{p}/{i}"]'
               for p in (PORT, READER_PORT) for i, c in enumerate(cidrs)},
        },
        moved,
        group_address="aws_security_group.this[0]",
    )
    vpc = next((r["values"].get("vpc_id") for r in resources if r["type"] == "aws_security_group"
                and r["address"] in moved), None)
    adopted.pin("vpc_id", vpc, "the security group's VPC", IDENTITY)


ADOPTER = Adopter(
    main_types=("aws_elasticache_serverless_cache",),
    adopt=_valkeyserverless,
    shapes=STATE_SHAPES,
    name=lambda values: values["name"],
    recognises=lambda values: values["engine"] == "valkey",
    condition="engine valkey",
)
