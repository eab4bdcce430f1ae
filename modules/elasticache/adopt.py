"""Adopting Valkey and Redis OSS replication groups (generator.adoption.kit.Adopter): what --adopt reads of them and pins."""

from __future__ import annotations

from typing import Any

from generator.adoption.kit import (COMMON, FORCES_NEW, IDENTITY, IN_PLACE, Adopted, Adopter, Report, as_bool, one,
                                    own_tags, security_group, split_name)
from generator.adoption.statefile import BOOLEAN, BOOLEAN_OR_STRING, INTEGER, STRING, ListOf, Object, objects
from generator.language.types import literal
from modules.catalog import ENGINE_FAMILIES, ENGINE_NAMES

# What the adopter reads of each resource type, and nothing more (generator.adoption.statefile): a value of another
# type, a missing key or a null where a value is read is one line naming the file and the JSON path. Reading a new
# attribute: declare it here.
STATE_SHAPES = {
    "aws_elasticache_replication_group": Object({
        **COMMON, "replication_group_id": STRING, "engine?": STRING, "description": STRING, "node_type": STRING,
        "engine_version": STRING, "port": INTEGER, "cluster_enabled?": BOOLEAN_OR_STRING,
        "num_node_groups?": INTEGER, "replicas_per_node_group?": INTEGER, "num_cache_clusters?": INTEGER,
        "automatic_failover_enabled": BOOLEAN, "multi_az_enabled": BOOLEAN,
        "at_rest_encryption_enabled?": BOOLEAN_OR_STRING, "kms_key_id?": STRING, "transit_encryption_enabled": BOOLEAN,
        "transit_encryption_mode?": STRING, "user_group_ids?": ListOf(STRING), "snapshot_retention_limit": INTEGER,
        "snapshot_window": STRING, "maintenance_window": STRING, "final_snapshot_identifier?": STRING,
        "notification_topic_arn?": STRING, "auto_minor_version_upgrade?": BOOLEAN_OR_STRING,
        "data_tiering_enabled?": BOOLEAN, "log_delivery_configuration?": objects(**{
            "log_type": STRING, "destination?": STRING, "destination_type?": STRING}),
        "parameter_group_name": STRING, "subnet_group_name": STRING, "security_group_ids?": ListOf(STRING),
        # Read only as there or not (the AUTH token itself is never pinned, and marked sensitive by the state).
        "auth_token?": STRING, "apply_immediately?": BOOLEAN,
    }),
    "aws_elasticache_parameter_group": Object({
        **COMMON, "name": STRING, "description": STRING, "parameter?": objects(name=STRING, value=STRING),
    }),
    "aws_elasticache_subnet_group": Object({
        **COMMON, "name": STRING, "subnet_ids": ListOf(STRING), "vpc_id?": STRING, "description?": STRING,
    }),
}


def _elasticache(adopted: Adopted, report: Report, resources: list[dict[str, Any]], moved: set[str], prefix: str | None) -> None:
    group = one(resources, "aws_elasticache_replication_group", lambda v: True)
    assert group is not None
    v = group["values"]
    table = adopted.table
    group_id = v["replication_group_id"]
    adopted.source = group["address"]
    adopted.moves.append((group["address"], f"module.{table}.aws_elasticache_replication_group.this"))
    moved.add(group["address"])
    name_prefix, cluster_name = split_name(group_id, prefix)
    adopted.pin("name_prefix", name_prefix, "with cluster_name, the replication group id", IDENTITY)
    adopted.pin("cluster_name", cluster_name, f"with name_prefix, the replication group id {group_id}", IDENTITY)
    # The provider's default engine is redis: a group written without one runs Redis OSS.
    engine = v.get("engine") or "redis"
    if engine not in ENGINE_NAMES:
        report.problems.append(f"{group['address']}: engine: the group runs {literal(engine)}; the module runs "
                               "valkey or redis (a change of engine the module cannot express)")
    # Redis OSS: pinned, so that the group keeps its engine; engine = "valkey" later moves it in place.
    adopted.pin("engine", engine, "the group runs Redis OSS (engine = \"valkey\" with a Valkey version moves it in "
                "place: docs/redis.md)", IN_PLACE)
    engine_name = ENGINE_NAMES.get(engine, engine)
    adopted.pin("description", v["description"], "the group's description", IN_PLACE,
                f"{engine_name} replication group {group_id}")
    adopted.pin("node_type", v["node_type"], "the group's nodes", IN_PLACE)
    version = v["engine_version"]
    adopted.pin("engine_version", version, "the group runs it", IN_PLACE)
    adopted.pin("port", v["port"], "the group's port", FORCES_NEW)
    cluster_mode = bool(v.get("cluster_enabled"))
    if cluster_mode:
        adopted.pin("num_node_groups", v.get("num_node_groups"), "the group's shards", IN_PLACE)
        adopted.pin("replicas_per_node_group", v.get("replicas_per_node_group"), "the group's replicas per shard",
                    IN_PLACE, 1)
    else:
        adopted.pin("num_cache_clusters", v.get("num_cache_clusters"), "the group's nodes", IN_PLACE, None)
    adopted.pin("automatic_failover_enabled", v["automatic_failover_enabled"], "the group has it", IN_PLACE)
    adopted.pin("multi_az_enabled", v["multi_az_enabled"], "the group has it", IN_PLACE)
    at_rest = as_bool(v.get("at_rest_encryption_enabled"))
    adopted.pin("at_rest_encryption_enabled", at_rest, "the group has it; it cannot change in place", FORCES_NEW)
    if at_rest:
        key = v.get("kms_key_id") or "alias/aws/elasticache"
        adopted.pin("kms_key_arn", key, "the key the group's data is encrypted with; it cannot change in place",
                    FORCES_NEW, None)
    adopted.pin("transit_encryption_enabled", v["transit_encryption_enabled"], "the group has it", IN_PLACE)
    adopted.pin("transit_encryption_mode", v.get("transit_encryption_mode") or None, "the group has it", IN_PLACE)
    adopted.pin("user_group_ids", sorted(v.get("user_group_ids") or []), "the group's RBAC user groups", IN_PLACE)
    if not v.get("auth_token") and not v.get("user_group_ids"):
        # The module refuses a group without authentication unless told: the group has none today.
        adopted.pin("authentication_disabled", True, "the group has no AUTH token and no RBAC user group "
                    "(clients connect without authentication)", IN_PLACE)
    adopted.pin("snapshot_retention_limit", v["snapshot_retention_limit"], "the group keeps that many days", IN_PLACE)
    adopted.pin("snapshot_window", v["snapshot_window"], "the group's snapshot window", IN_PLACE)
    adopted.pin("maintenance_window", v["maintenance_window"], "the group's maintenance window", IN_PLACE,
                "sun:05:00-sun:06:00")
    adopted.pin("final_snapshot_identifier", v.get("final_snapshot_identifier"), "the group has it", IN_PLACE)
    adopted.pin("notification_topic_arn", v.get("notification_topic_arn") or None, "the group notifies it", IN_PLACE)
    adopted.pin("auto_minor_version_upgrade", as_bool(v.get("auto_minor_version_upgrade")), "the group has it",
                IN_PLACE)
    adopted.pin("data_tiering_enabled", bool(v.get("data_tiering_enabled")), "the group has it", FORCES_NEW)
    # Not AWS's: how the old root applied changes (now, not in the maintenance window). Kept, so that the first
    # apply behaves as the team's applies did; null (never set) is the module's default.
    adopted.pin("apply_immediately", bool(v.get("apply_immediately")), "the old root applied changes at once",
                IN_PLACE)
    deliveries = {d["log_type"]: d for d in v.get("log_delivery_configuration") or []}
    adopted.pin("slow_log_enabled", "slow-log" in deliveries, "the group delivers no slow log today", IN_PLACE)
    adopted.pin("engine_log_enabled", "engine-log" in deliveries, "the group delivers no engine log today", IN_PLACE)
    # Where the logs go today is kept: a CloudWatch log group by name (the old group itself is forgotten, not
    # destroyed), a Firehose stream by name.
    for key in ("slow_log", "engine_log"):
        delivery = deliveries.get(key.replace("_", "-")) or {}
        kind = delivery.get("destination_type")
        adopted.pin(f"{key}_group_name", delivery.get("destination") if kind == "cloudwatch-logs" else None,
                    "the log group the group delivers it to", IN_PLACE, attribute="log_delivery_configuration")
        adopted.pin(f"{key}_firehose_stream", delivery.get("destination") if kind == "kinesis-firehose" else None,
                    "the Firehose stream the group delivers it to", IN_PLACE, attribute="log_delivery_configuration")
    if v.get("transit_encryption_enabled") and v.get("auth_token"):
        report.notes.append(f"[{table}] auth_token: keep supplying the group's AUTH token when you apply, as "
                            f"TF_VAR_{table}_auth_token (never in the file)")
    own_tags(adopted, v, "group")

    family = ENGINE_FAMILIES.get((engine, version), f"{engine}{version.split('.')[0]}")
    parameters = one(resources, "aws_elasticache_parameter_group", lambda p: p["name"] == v["parameter_group_name"])
    if parameters is None:
        report.notes.append(f"[{table}] the group uses the parameter group {v['parameter_group_name']}, which the "
                            "state does not manage: the module creates its own (an in-place change of the group)")
    else:
        p = parameters["values"]
        adopted.source = parameters["address"]
        # To `this`: the module's own moved block takes it on to this[0] (counted: a Global Datastore's secondary
        # has none); a move straight to this[0] would be ambiguous with that block. One already at `this` or
        # `this[0]` of a call of the table's name (terraform-aws-modules counts its group too) stays where it is: a
        # move from this[0] to `this`, chained with the module's own, would be "Moved object still exists".
        target = f"module.{table}.aws_elasticache_parameter_group.this"
        if parameters["address"] not in (target, f"{target}[0]"):
            adopted.moves.append((parameters["address"], target))
        moved.add(parameters["address"])
        default_name = f"{group_id}-{family}{'-cluster' if cluster_mode else ''}"
        adopted.pin("parameter_group_name", p["name"], "the parameter group's name", FORCES_NEW, default_name, "name")
        adopted.pin("parameter_group_description", p["description"], "the parameter group's description",
                    FORCES_NEW, f"{engine_name} parameters of {group_id}", "description")
        values = {item["name"]: item["value"] for item in p.get("parameter") or []}
        if cluster_mode:
            values.pop("cluster-enabled", None)  # the module sets it in cluster mode
        adopted.pin("parameters", dict(sorted(values.items())), "the group's parameters", IN_PLACE,
                    attribute="parameter")
    subnets = one(resources, "aws_elasticache_subnet_group", lambda s: s["name"] == v["subnet_group_name"])
    if subnets is None:
        report.problems.append(f"{group['address']}: subnet_group_name: the group uses {v['subnet_group_name']}, "
                               "which the state does not manage; the module creates its own and a new subnet group "
                               "replaces the replication group")
    else:
        s = subnets["values"]
        adopted.source = subnets["address"]
        adopted.moves.append((subnets["address"], f"module.{table}.aws_elasticache_subnet_group.this"))
        moved.add(subnets["address"])
        adopted.pin("subnet_group_name", s["name"], "the subnet group's name; the replication group names it",
                    FORCES_NEW, group_id, "name")
        adopted.pin("subnet_group_description", s.get("description"), "the subnet group's description",
                    IN_PLACE, f"Subnets of {group_id}", "description")
        adopted.pin("subnet_ids", list(s["subnet_ids"]), "the subnet group's subnets", IN_PLACE)
        adopted.pin("vpc_id", s.get("vpc_id"), "the subnet group's VPC", IDENTITY)
    port = v["port"]
    security_group(
        adopted, report, resources, list(v.get("security_group_ids") or []),
        f"Valkey {group_id}: cache port from allowed sources only",
        lambda groups, cidrs: {
            **{(port, port, g): f'aws_vpc_security_group_ingress_rule.from_security_groups["{port}/{i}"]'
               for i, g in enumerate(groups)},
            **{(port, port, c): f'aws_vpc_security_group_ingress_rule.from_cidr_blocks["{port}/{i}"]'
               for i, c in enumerate(cidrs)},
        },
        moved,
    )


ADOPTER = Adopter(
    main_types=("aws_elasticache_replication_group",),
    adopt=_elasticache,
    shapes=STATE_SHAPES,
    name=lambda values: values["replication_group_id"],
)
