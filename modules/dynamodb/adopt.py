"""Adopting DynamoDB tables (generator.adoption.kit.Adopter): what --adopt reads of them and pins."""

from __future__ import annotations

from typing import Any

from generator.adoption.kit import (COMMON, ENABLED, FORCES_NEW, IDENTITY, IN_PLACE, Adopted, Adopter, Report, one, own_tags,
                                    split_name)
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
        }),
        "local_secondary_index?": objects(**{
            "name": STRING, "range_key": STRING, "projection_type?": STRING, "non_key_attributes?": ListOf(STRING),
        }),
        "ttl?": objects(**{"enabled?": BOOLEAN, "attribute_name?": STRING}),
        "point_in_time_recovery?": ENABLED,
        "server_side_encryption?": objects(**{"enabled?": BOOLEAN, "kms_key_arn?": STRING}),
        "stream_enabled?": BOOLEAN, "stream_view_type?": STRING, "deletion_protection_enabled?": BOOLEAN,
        "table_class?": STRING, "replica?": objects(**{"region_name": STRING, "kms_key_arn?": STRING, "propagate_tags?": BOOLEAN, "point_in_time_recovery?": BOOLEAN}),
    }),
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
    if provisioned:
        adopted.pin("read_capacity", v.get("read_capacity"), "the table's capacity", IN_PLACE)
        adopted.pin("write_capacity", v.get("write_capacity"), "the table's capacity", IN_PLACE)
    indexes = []
    for index in sorted(v.get("global_secondary_index") or [], key=lambda i: i["name"]):
        item = {"name": index["name"], "hash_key": index["hash_key"]}
        if index.get("range_key"):
            item["range_key"] = index["range_key"]
        if index.get("projection_type", "ALL") != "ALL":
            item["projection_type"] = index["projection_type"]
        if index.get("non_key_attributes"):
            item["non_key_attributes"] = sorted(index["non_key_attributes"])
        if provisioned:
            item["read_capacity"] = index.get("read_capacity")
            item["write_capacity"] = index.get("write_capacity")
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


ADOPTER = Adopter(
    main_types=("aws_dynamodb_table",),
    adopt=_dynamodb,
    shapes=STATE_SHAPES,
    name=lambda values: values["name"],
)
