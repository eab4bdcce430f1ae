"""Adopting DynamoDB tables (generator.adoption.kit.Adopter): what --adopt reads of them and pins."""

from __future__ import annotations

from typing import Any

import json

from generator.adoption.kit import (COMMON, ENABLED, FORCES_NEW, IDENTITY, IN_PLACE, Adopted, Adopter, Report, move, one,
                                    own_tags, scaling_policy, scaling_target, split_name, tracking)
from generator.adoption.statefile import BOOLEAN, INTEGER, STRING, ListOf, Object, objects

# What the adopter reads of each resource type, and nothing more (generator.adoption.statefile): a value of another
# type, a missing key or a null where a value is read is one line naming the file and the JSON path. Reading a new
# attribute: declare it here.
STATE_SHAPES = {
    "aws_dynamodb_table": Object({
        **COMMON, "name": STRING, "hash_key": STRING, "range_key?": STRING,
        "attribute": objects(name=STRING, type=STRING), "billing_mode?": STRING,
        "read_capacity?": INTEGER, "write_capacity?": INTEGER,
        "global_secondary_index?": objects(**{
            "name": STRING, "hash_key": STRING, "range_key?": STRING, "projection_type?": STRING,
            "non_key_attributes?": ListOf(STRING), "read_capacity?": INTEGER, "write_capacity?": INTEGER,
            "on_demand_throughput?": objects(**{"max_read_request_units?": INTEGER,
                                                "max_write_request_units?": INTEGER}),
        }),
        "on_demand_throughput?": objects(**{"max_read_request_units?": INTEGER, "max_write_request_units?": INTEGER}),
        "local_secondary_index?": objects(**{
            "name": STRING, "range_key": STRING, "projection_type?": STRING, "non_key_attributes?": ListOf(STRING),
        }),
        "ttl?": objects(**{"enabled?": BOOLEAN, "attribute_name?": STRING}),
        "point_in_time_recovery?": ENABLED,
        "server_side_encryption?": objects(**{"enabled?": BOOLEAN, "kms_key_arn?": STRING}),
        "stream_enabled?": BOOLEAN, "stream_view_type?": STRING, "deletion_protection_enabled?": BOOLEAN,
        "table_class?": STRING, "replica?": objects(**{"region_name": STRING, "kms_key_arn?": STRING, "propagate_tags?": BOOLEAN, "point_in_time_recovery?": BOOLEAN}),
    }),
    "aws_dynamodb_resource_policy": Object({**COMMON, "resource_arn": STRING, "policy": STRING}),
}


def _dynamodb(adopted: Adopted, report: Report, resources: list[dict[str, Any]], moved: set[str], prefix: str | None) -> None:
    table_resource = one(resources, "aws_dynamodb_table", lambda v: True)
    assert table_resource is not None
    v = table_resource["values"]
    table = adopted.table
    adopted.source = table_resource["address"]
    adopted.moves.append((table_resource["address"], f"module.{table}.aws_dynamodb_table.this"))
    moved.add(table_resource["address"])
    name_prefix, table_name = split_name(v["name"], prefix)
    adopted.pin("name_prefix", name_prefix, "with table_name, the table's name", IDENTITY)
    adopted.pin("table_name", table_name, f"with name_prefix, the table's name {v['name']}", IDENTITY)
    adopted.pin("hash_key", v["hash_key"], "the table's partition key", IDENTITY)
    adopted.pin("range_key", v.get("range_key") or None, "the table's sort key; it cannot change", FORCES_NEW)
    adopted.pin("attributes", sorted(({"name": a["name"], "type": a["type"]} for a in v["attribute"]),
                                     key=lambda a: a["name"]), "the table's key attributes", IDENTITY)
    billing = v.get("billing_mode") or "PROVISIONED"
    adopted.pin("billing_mode", billing, "the table's billing mode", IN_PLACE)
    provisioned = billing == "PROVISIONED"
    scaling = _table_scaling(adopted, report, resources, moved, v["name"]) if provisioned else {}
    if provisioned:
        for direction in ("read", "write"):
            # Auto scaled: the target's floor is the capacity the module sets (the table's own moves with load).
            floor = scaling.get(direction, {}).get("min_capacity")
            adopted.pin(f"{direction}_capacity", floor if floor is not None else v.get(f"{direction}_capacity"),
                        "the table's capacity" if floor is None else "the table's auto scaling floor", IN_PLACE)
        pins = scaling.get("pins", {})
        for direction in ("read", "write"):
            adopted.pin(f"autoscaling_{direction}_max_capacity", pins.get(f"autoscaling_{direction}_max_capacity"),
                        "the table's auto scaling ceiling", IN_PLACE)
            adopted.pin(f"autoscaling_{direction}_policy_name", pins.get(f"autoscaling_{direction}_policy_name"),
                        "the table's scaling policy's name", FORCES_NEW)
        adopted.pin("autoscaling_target_value", pins.get("autoscaling_target_value", adopted.defaults.get(
            "autoscaling_target_value")), "the utilization the table's scaling policies keep", IN_PLACE)
        for way in ("in", "out"):
            adopted.pin(f"autoscaling_scale_{way}_cooldown", pins.get(f"autoscaling_scale_{way}_cooldown"),
                        "the table's scaling policies' cooldown", IN_PLACE)
    limits = next(iter(v.get("on_demand_throughput") or []), {})
    for direction in ("read", "write"):
        adopted.pin(f"on_demand_max_{direction}_request_units",
                    (limits.get(f"max_{direction}_request_units") or None) if not provisioned else None,
                    "the table's on-demand throughput limit", IN_PLACE, attribute="on_demand_throughput")
    indexes = []
    for index in sorted(v.get("global_secondary_index") or [], key=lambda i: i["name"]):
        item = {"name": index["name"], "hash_key": index["hash_key"]}
        if index.get("range_key"):
            item["range_key"] = index["range_key"]
        if index.get("projection_type", "ALL") != "ALL":
            item["projection_type"] = index["projection_type"]
        if index.get("non_key_attributes"):
            item["non_key_attributes"] = sorted(index["non_key_attributes"])
        limits = next(iter(index.get("on_demand_throughput") or []), {})
        for direction in ("read", "write"):
            if not provisioned and limits.get(f"max_{direction}_request_units"):
                item[f"max_{direction}_request_units"] = limits[f"max_{direction}_request_units"]
        if provisioned:
            item["read_capacity"] = index.get("read_capacity")
            item["write_capacity"] = index.get("write_capacity")
            item.update(_index_scaling(adopted, resources, moved, v["name"], index["name"], item, scaling))
        indexes.append(item)
    adopted.pin("global_secondary_indexes", indexes, "the table's global secondary indexes", IN_PLACE)
    local = []
    for index in sorted(v.get("local_secondary_index") or [], key=lambda i: i["name"]):
        item = {"name": index["name"], "range_key": index["range_key"]}
        if index.get("projection_type", "ALL") != "ALL":
            item["projection_type"] = index["projection_type"]
        if index.get("non_key_attributes"):
            item["non_key_attributes"] = sorted(index["non_key_attributes"])
        local.append(item)
    adopted.pin("local_secondary_indexes", local, "the table's local secondary indexes; they cannot change",
                FORCES_NEW)
    ttl = next((t for t in v.get("ttl") or [] if t.get("enabled")), None)
    adopted.pin("ttl_attribute_name", ttl.get("attribute_name") if ttl else None, "the table's TTL", IN_PLACE)
    pitr = next(iter(v.get("point_in_time_recovery") or []), {})
    adopted.pin("point_in_time_recovery_enabled", bool(pitr.get("enabled")), "the table has it", IN_PLACE)
    sse = next(iter(v.get("server_side_encryption") or []), {})
    adopted.pin("server_side_encryption_enabled", bool(sse.get("enabled")), "the table has it", IN_PLACE)
    if sse.get("enabled"):
        adopted.pin("server_side_encryption_kms_key_arn", sse.get("kms_key_arn") or "alias/aws/dynamodb",
                    "the key the table is encrypted with (if it is DynamoDB's AWS managed key, alias/aws/dynamodb "
                    "says the same)", IN_PLACE, None)
    adopted.pin("stream_enabled", bool(v.get("stream_enabled")), "the table has it", IN_PLACE)
    adopted.pin("stream_view_type", v.get("stream_view_type") or None if v.get("stream_enabled") else None,
                "the table's stream", IN_PLACE)
    adopted.pin("deletion_protection_enabled", bool(v.get("deletion_protection_enabled")), "the table has it",
                IN_PLACE)
    adopted.pin("table_class", v.get("table_class") or "STANDARD", "the table's class", IN_PLACE)
    replicas = []
    for replica in v.get("replica") or []:
        # What the module's replica object takes, as the state holds it: a replica's own key (each Region's key
        # encrypts its replica) and the two settings the module turns on by default when the state has them off.
        item: dict[str, Any] = {"region_name": replica["region_name"]}
        if replica.get("kms_key_arn"):
            item["kms_key_arn"] = replica["kms_key_arn"]
        for setting in ("propagate_tags", "point_in_time_recovery"):
            if replica.get(setting) is False:
                item[setting] = False
        replicas.append(item)
    adopted.pin("replica_regions", replicas, "the table's replicas", IN_PLACE)
    own_tags(adopted, v, "table")
    policy = one(resources, "aws_dynamodb_resource_policy", lambda p: p["resource_arn"] == v.get("arn"))
    if policy is not None:
        # The module declares it too (count: create_resource_policy, which the file's resource_policy turns on):
        # without the pin the module would destroy it.
        adopted.source = policy["address"]
        move(adopted, moved, policy, "aws_dynamodb_resource_policy.this[0]")
        adopted.pin("resource_policy", policy["values"]["policy"], "the table's resource policy", IN_PLACE,
                    attribute="policy")


def _table_scaling(adopted: Adopted, report: Report, resources: list[dict[str, Any]], moved: set[str],
                   name: str) -> dict[str, Any]:
    """The table's scalable targets and target tracking policies: moved to the module's, their ceilings, target,
    cooldowns and names pinned. Returns each direction's target values, and the pins."""
    found: dict[str, Any] = {"pins": {}}
    configurations = []
    for direction in ("read", "write"):
        dimension = f"dynamodb:table:{direction.capitalize()}CapacityUnits"
        target = scaling_target(resources, f"table/{name}", dimension)
        policy = scaling_policy(resources, f"table/{name}", dimension)
        if target is None:
            continue
        move(adopted, moved, target, f"aws_appautoscaling_target.{direction}[0]")
        move(adopted, moved, policy, f"aws_appautoscaling_policy.{direction}[0]")
        found[direction] = target["values"]
        found["pins"][f"autoscaling_{direction}_max_capacity"] = target["values"]["max_capacity"]
        if policy is not None:
            found["pins"][f"autoscaling_{direction}_policy_name"] = policy["values"]["name"]
            configurations.append((policy["address"], tracking(policy)))
    if configurations:
        first = configurations[0][1]
        for key, input_key in (("target_value", "autoscaling_target_value"),
                               ("scale_in_cooldown", "autoscaling_scale_in_cooldown"),
                               ("scale_out_cooldown", "autoscaling_scale_out_cooldown")):
            if first.get(key) is not None:
                found["pins"][input_key] = first[key]
            for address, other in configurations[1:]:
                if other.get(key) != first.get(key):
                    report.notes.append(f"{address}: {key} {other.get(key)}: the module gives the table's read and "
                                        f"write policies one {input_key} ({first.get(key)}); an in-place change")
    return found


def _index_scaling(adopted: Adopted, resources: list[dict[str, Any]], moved: set[str], table: str, index: str,
                   item: dict[str, Any], scaling: dict[str, Any]) -> dict[str, Any]:
    """An index's scalable targets and policies: moved to the module's (keyed by the index's name), and what differs
    from the table's (ceiling, target, cooldowns) or from the module's own name pinned in the index's entry."""
    pins: dict[str, Any] = {}
    table_pins = scaling.get("pins", {})
    key = json.dumps(index)
    for direction in ("read", "write"):
        dimension = f"dynamodb:index:{direction.capitalize()}CapacityUnits"
        resource_id = f"table/{table}/index/{index}"
        target = scaling_target(resources, resource_id, dimension)
        policy = scaling_policy(resources, resource_id, dimension)
        if target is None:
            continue
        move(adopted, moved, target, f"aws_appautoscaling_target.index_{direction}[{key}]")
        move(adopted, moved, policy, f"aws_appautoscaling_policy.index_{direction}[{key}]")
        floor = target["values"]["min_capacity"]
        if floor is not None:
            pins[f"{direction}_capacity"] = floor
        table_ceiling = table_pins.get(f"autoscaling_{direction}_max_capacity")
        ceiling = target["values"]["max_capacity"]
        if ceiling != max(floor or 0, table_ceiling or 0):
            pins[f"autoscaling_{direction}_max_capacity"] = ceiling
        if policy is not None:
            pins[f"autoscaling_{direction}_policy_name"] = policy["values"]["name"]
            configuration = tracking(policy)
            for state_key, input_key in (("target_value", "autoscaling_target_value"),
                                         ("scale_in_cooldown", "autoscaling_scale_in_cooldown"),
                                         ("scale_out_cooldown", "autoscaling_scale_out_cooldown")):
                if configuration.get(state_key) is not None and configuration[state_key] != table_pins.get(
                        input_key, adopted.defaults.get(input_key)):
                    pins[input_key] = configuration[state_key]
    return pins


ADOPTER = Adopter(
    main_types=("aws_dynamodb_table",),
    adopt=_dynamodb,
    shapes=STATE_SHAPES,
    name=lambda values: values["name"],
)
