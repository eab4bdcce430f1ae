"""DynamoDB inputs and the schema rules AWS enforces (../shared/reference/aws-constraints.md §2).

The most common failed DynamoDB change is a schema that plans and then dies at apply: an attribute declared but
not used by any key ("all attributes must be indexed"), a key without a declared attribute, an LSI on a table
without a range key. Every one of those is a check here, in Python and as a Terraform precondition.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from generator import rules
from generator.inputs import Check, Input, InputSet, Rule
from generator.types import BOOL, NUMBER, STRING, list_of, object_of, optional
from modules.shared import alarms
from modules.shared import inputs as shared
from modules.catalog import AWS_REGIONS

ATTRIBUTE_TYPES = ("S", "N", "B")
PROJECTION_TYPES = ("ALL", "KEYS_ONLY", "INCLUDE")
STREAM_VIEW_TYPES = ("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES")
# AWS "Supported data types and naming rules": table and index names are 3-255 of [a-zA-Z0-9_.-].
NAME = re.compile(r"[A-Za-z0-9_.-]{3,255}")
MAX_GSIS = 20  # CreateTable: "the maximum is 20" (default quota)
MAX_LSIS = 5
MAX_PROJECTED = 100  # non_key_attributes across all indexes

GSI = object_of(
    name=STRING,
    hash_key=STRING,
    range_key=optional(STRING),
    projection_type=optional(STRING, "ALL"),
    non_key_attributes=optional(list_of(STRING)),
    read_capacity=optional(NUMBER),
    write_capacity=optional(NUMBER),
    max_read_request_units=optional(NUMBER),
    max_write_request_units=optional(NUMBER),
)
LSI = object_of(
    name=STRING,
    range_key=STRING,
    projection_type=optional(STRING, "ALL"),
    non_key_attributes=optional(list_of(STRING)),
)
# ImportTable (DynamoDB API Reference, read 2026-11): InputFormat, InputCompressionType, S3BucketSource
# {S3Bucket, S3BucketOwner, S3KeyPrefix}, InputFormatOptions.Csv {Delimiter, HeaderList}.
IMPORT_FORMATS = ("CSV", "DYNAMODB_JSON", "ION")
IMPORT_COMPRESSIONS = ("GZIP", "ZSTD", "NONE")
CSV_DELIMITERS = (",", ";", ":", "|", "\t", " ")  # CsvOptions.Delimiter: one of [,;:|\t ]
MAX_CSV_HEADERS = 255  # CsvOptions.HeaderList: 1 to 255 headers
MAX_KEY_PREFIX = 1024  # S3BucketSource.S3KeyPrefix: at most 1024 characters
IMPORT_TABLE = object_of(
    input_format=STRING,
    s3_bucket=STRING,
    s3_bucket_owner=optional(STRING),
    s3_key_prefix=optional(STRING),
    input_compression_type=optional(STRING),
    csv_delimiter=optional(STRING),
    csv_header_list=optional(list_of(STRING)),
)
_S3_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")


def _import_ok(v: Mapping[str, Any]) -> bool:
    csv_options = v["csv_delimiter"] is not None or v["csv_header_list"] is not None
    headers = v["csv_header_list"]
    return (
        v["input_format"] in IMPORT_FORMATS
        and (v["input_compression_type"] is None or v["input_compression_type"] in IMPORT_COMPRESSIONS)
        and (not csv_options or v["input_format"] == "CSV")
        and (v["csv_delimiter"] is None or v["csv_delimiter"] in CSV_DELIMITERS)
        and (headers is None or (1 <= len(headers) <= MAX_CSV_HEADERS and all(headers)))
        and _S3_BUCKET.fullmatch(v["s3_bucket"]) is not None
        and (v["s3_bucket_owner"] is None or re.fullmatch(r"[0-9]{12}", v["s3_bucket_owner"]) is not None)
        and (v["s3_key_prefix"] is None or len(v["s3_key_prefix"]) <= MAX_KEY_PREFIX)
    )


def _on_demand_ok(value: Any) -> bool:
    # OnDemandThroughput (DynamoDB API Reference): a positive number of request units, or -1 to remove the limit.
    return value is None or (float(value).is_integer() and (value >= 1 or value == -1))


_HCL_ON_DEMAND = "({u} == null ? true : floor({u}) == {u} && ({u} >= 1 || {u} == -1))"


def on_demand_limited(values: Mapping[str, Any]) -> bool:
    """Whether the table or an index sets an on-demand throughput limit."""
    units = [values["on_demand_max_read_request_units"], values["on_demand_max_write_request_units"]]
    for index in values["global_secondary_indexes"]:
        units += [index["max_read_request_units"], index["max_write_request_units"]]
    return any(u is not None for u in units)


_HCL_ON_DEMAND_LIMITED = (
    "(var.on_demand_max_read_request_units != null || var.on_demand_max_write_request_units != null || "
    "anytrue([for i in var.global_secondary_indexes : i.max_read_request_units != null || "
    "i.max_write_request_units != null]))"
)

REPLICA = object_of(
    region_name=STRING,
    kms_key_arn=optional(STRING),
    propagate_tags=optional(BOOL, True),
    point_in_time_recovery=optional(BOOL, True),
)


def table_name(values: Mapping[str, Any]) -> str:
    return f"{values['name_prefix']}{values['table_name']}"


def key_attributes(values: Mapping[str, Any]) -> list[str]:
    """Every attribute some key uses: the table's, each GSI's and each LSI's."""
    keys = [values["hash_key"], values["range_key"]]
    for index in values["global_secondary_indexes"]:
        keys += [index["hash_key"], index["range_key"]]
    keys += [index["range_key"] for index in values["local_secondary_indexes"]]
    return [k for k in keys if k is not None]


def declared(values: Mapping[str, Any]) -> list[str]:
    return [a["name"] for a in values["attributes"]]


def _unused(values: Mapping[str, Any]) -> list[str]:
    used = set(key_attributes(values))
    return [name for name in declared(values) if name not in used and name != values["ttl_attribute_name"]]


def _undeclared_index_keys(values: Mapping[str, Any]) -> list[str]:
    names = set(declared(values))
    keys = [k for i in values["global_secondary_indexes"] for k in (i["hash_key"], i["range_key"]) if k is not None]
    keys += [i["range_key"] for i in values["local_secondary_indexes"]]
    return sorted({k for k in keys if k not in names})


def _projection_ok(index: Mapping[str, Any]) -> bool:
    # AWS: NonKeyAttributes only, and always, with ProjectionType INCLUDE.
    return (index["projection_type"] == "INCLUDE") == bool(index["non_key_attributes"])


def _capacities(values: Mapping[str, Any]) -> list[Any]:
    caps = [values["read_capacity"], values["write_capacity"]]
    for index in values["global_secondary_indexes"]:
        caps += [index["read_capacity"], index["write_capacity"]]
    return caps


def kms_key_needed(values: Mapping[str, Any]) -> bool:
    return values["server_side_encryption_enabled"] and values["server_side_encryption_kms_key_arn"] is None


def _provisioned(values: Mapping[str, Any]) -> bool:
    return values["billing_mode"] == "PROVISIONED"


_NAME_INPUTS = ("table_name", "name_prefix")
# Every name the module gives AWS (resources.py), with AWS's limit. The table name is checked below (3-255); the KMS
# alias and the scaling policy names add to it, so a long table name can push them past their limits.
AWS_NAMES = (
    rules.AwsName("DynamoDB table", _NAME_INPUTS, "<name_prefix + table_name>", table_name, 255,
                  "DynamoDB naming rules"),
    rules.AwsName(
        "KMS alias", _NAME_INPUTS, "alias/dynamodb/<table name, dots as hyphens>",
        lambda v: f"alias/dynamodb/{table_name(v).replace('.', '-')}"
        if v["server_side_encryption_enabled"] and v["server_side_encryption_kms_key_arn"] is None else None,
        256, "KMS CreateAlias: AliasName is at most 256 characters",
        hcl_length='length("alias/dynamodb/") + length(local.table_name)',
        hcl_created="var.server_side_encryption_enabled && var.server_side_encryption_kms_key_arn == null",
        # A table name of 246 (within DynamoDB's 255) gives an alias of 260.
        example={"table_name": "x" * 235},
    ),
    *(
        rules.AwsName(
            "Application Auto Scaling policy", _NAME_INPUTS, f"<table name>-{direction}-capacity",
            lambda v, direction=direction: f"{table_name(v)}-{direction}-capacity" if _provisioned(v) else None,
            # AWS allows 256 (PutScalingPolicy PolicyName); the provider's schema stops at 255.
            255, "aws_appautoscaling_policy: name is at most 255 characters",
            hcl_length=f'length(local.table_name) + length("-{direction}-capacity")',
            # The read policy's name is one character shorter than the write policy's, so the write precondition
            # refuses every table name the read one would: no name can break the read limit alone.
            precondition=direction == "write",
            hcl_created='var.billing_mode == "PROVISIONED"',
            unique=False,  # unique per scalable target, and the target is the table
            # A table name of 241 gives a write policy name of 256 (and a read policy name of 255).
            example={"table_name": "x" * 230, "billing_mode": "PROVISIONED", "read_capacity": 5, "write_capacity": 5}
            if direction == "write" else None,
        )
        for direction in ("read", "write")
    ),
)

_HCL_DECLARED = "[for a in var.attributes : a.name]"
_HCL_KEYS = (
    "compact(concat([var.hash_key, var.range_key], "
    "flatten([for i in var.global_secondary_indexes : [i.hash_key, i.range_key]]), "
    "[for i in var.local_secondary_indexes : i.range_key]))"
)
_HCL_INDEX_KEYS = (
    "compact(concat(flatten([for i in var.global_secondary_indexes : [i.hash_key, i.range_key]]), "
    "[for i in var.local_secondary_indexes : i.range_key]))"
)


def _index_rules(kinds: str, limit: int, index: dict[str, Any]) -> tuple[Rule, ...]:
    """`index`: a valid index of this kind, from which each rule's failing example is made."""
    return (
        rules.items_between(0, limit, f"{kinds} (AWS limit)",
                            example=[{**index, "name": f"index_{i}"} for i in range(limit + 1)]),
        Rule(
            "have unique names of 3 to 255 letters, digits, '_', '.' or '-'",
            lambda v: len({i["name"] for i in v}) == len(v) and all(NAME.fullmatch(i["name"]) for i in v),
            'length(distinct([for i in {v} : i.name])) == length({v}) && '
            'alltrue([for i in {v} : can(regex("^[A-Za-z0-9_.-]{3,255}$", i.name))])',
            example=[index, index],
        ),
        Rule(
            "have projection_type ALL, KEYS_ONLY or INCLUDE, with non_key_attributes exactly when INCLUDE",
            lambda v: all(i["projection_type"] in PROJECTION_TYPES and _projection_ok(i) for i in v),
            'alltrue([for i in {v} : contains(["ALL", "KEYS_ONLY", "INCLUDE"], i.projection_type) && '
            '(i.projection_type == "INCLUDE") == (length(coalesce(i.non_key_attributes, [])) > 0)])',
            example=[{**index, "projection_type": "INCLUDE"}],
        ),
    )


# DynamoDB's AWS managed key: a table with server_side_encryption enabled and no key uses it.
AWS_MANAGED_KEY = "alias/aws/dynamodb"

INPUTS = InputSet(
    inputs=(
        Input(
            "name_prefix",
            STRING,
            shared.NAME_PREFIX_DESCRIPTION,
            rules=(rules.matches("[A-Za-z0-9_.-]*", "be letters, digits, '_', '.' or '-'"),),
            example="mapzip-dev-",
        ),
        Input("table_name", STRING, "Table name after the prefix: the table is name_prefix + table_name.", example="reviews"),
        Input("hash_key", STRING, "Partition key attribute; declare it in attributes.", example="review_id"),
        Input("range_key", STRING, "Sort key attribute; declare it in attributes. Needed for LSIs.", default=None),
        Input(
            "attributes",
            list_of(object_of(name=STRING, type=STRING)),
            "Key attributes of the table and its indexes, each {name, type} with type S, N or B. Declare only "
            "attributes some key uses: DynamoDB is schemaless for the rest.",
            rules=(
                Rule(
                    "have types S, N or B",
                    lambda v: all(a["type"] in ATTRIBUTE_TYPES for a in v),
                    'alltrue([for a in {v} : contains(["S", "N", "B"], a.type)])',
                    example=[{"name": "review_id", "type": "X"}],
                ),
                Rule(
                    "declare each name once",
                    lambda v: len({a["name"] for a in v}) == len(v),
                    "length(distinct([for a in {v} : a.name])) == length({v})",
                    example=[{"name": "review_id", "type": "S"}, {"name": "review_id", "type": "S"}],
                ),
            ),
            example=[{"name": "review_id", "type": "S"}],
        ),
        Input(
            "billing_mode",
            STRING,
            "PAY_PER_REQUEST (on demand) or PROVISIONED (capacities required, auto scaled).",
            default="PAY_PER_REQUEST",
            rules=(rules.one_of(["PAY_PER_REQUEST", "PROVISIONED"]),),
        ),
        Input("read_capacity", NUMBER, "Read capacity units of a PROVISIONED table (the auto scaling floor).",
              default=None, rules=(rules.between(1, 40000),)),
        Input("write_capacity", NUMBER, "Write capacity units of a PROVISIONED table (the auto scaling floor).",
              default=None, rules=(rules.between(1, 40000),)),
        Input(
            "autoscaling_read_max_capacity",
            NUMBER,
            "Auto scaling ceiling for reads of a PROVISIONED table. Default: read_capacity (fixed capacity).",
            default=None,
            rules=(rules.between(1, 40000),),
        ),
        Input(
            "autoscaling_write_max_capacity",
            NUMBER,
            "Auto scaling ceiling for writes of a PROVISIONED table. Default: write_capacity (fixed capacity).",
            default=None,
            rules=(rules.between(1, 40000),),
        ),
        Input(
            "autoscaling_target_value",
            NUMBER,
            "Target utilization (percent) auto scaling keeps consumed capacity at.",
            default=70,
            rules=(rules.between(20, 90),),
        ),
        Input(
            "global_secondary_indexes",
            list_of(GSI),
            "Global secondary indexes: name, hash_key, optional range_key, projection_type (default ALL), "
            "non_key_attributes (INCLUDE only) and, for PROVISIONED tables, read_capacity and write_capacity "
            "(default: the table's). On a PROVISIONED table each index is auto scaled like the table, from its own "
            "capacity up to the table's ceiling (autoscaling_*_max_capacity) or its own capacity if higher. An apply "
            "after the scaler moved an index sets it back to that floor (the provider cannot ignore one index's "
            "capacity without ignoring every index change); the scaler then moves it again.",
            default=[],
            rules=(
                *_index_rules("global secondary indexes", MAX_GSIS, {"name": "by_place", "hash_key": "review_id"}),
                Rule(
                    "have max_read_request_units and max_write_request_units of at least 1, or -1 (no limit)",
                    lambda v: all(_on_demand_ok(i[k]) for i in v for k in ("max_read_request_units", "max_write_request_units")),
                    "alltrue([for i in {v} : " + _HCL_ON_DEMAND.replace("{u}", "i.max_read_request_units") + " && "
                    + _HCL_ON_DEMAND.replace("{u}", "i.max_write_request_units") + "])",
                    example=[{"name": "by_place", "hash_key": "review_id", "max_read_request_units": 0}],
                ),
            ),
        ),
        Input(
            "on_demand_max_read_request_units",
            NUMBER,
            "On-demand (PAY_PER_REQUEST) tables only: the most read request units per second the table may consume; "
            "beyond it, requests are throttled. -1 removes a limit set before (leaving the input out keeps it). "
            "Indexes take their own limit: max_read_request_units in global_secondary_indexes.",
            default=None,
            rules=(
                Rule(
                    "be a whole number of at least 1, or -1 (no limit)",
                    _on_demand_ok,
                    _HCL_ON_DEMAND.replace("{u}", "{v}"),
                    example=0,
                ),
            ),
        ),
        Input(
            "on_demand_max_write_request_units",
            NUMBER,
            "On-demand (PAY_PER_REQUEST) tables only: the most write request units per second the table may consume; "
            "-1 removes a limit set before. Indexes take their own: max_write_request_units in global_secondary_indexes.",
            default=None,
            rules=(
                Rule(
                    "be a whole number of at least 1, or -1 (no limit)",
                    _on_demand_ok,
                    _HCL_ON_DEMAND.replace("{u}", "{v}"),
                    example=0,
                ),
            ),
        ),
        Input(
            "import_table",
            IMPORT_TABLE,
            "Create the table from an S3 import (ImportTable): input_format (CSV, DYNAMODB_JSON or ION), s3_bucket, "
            "optional s3_bucket_owner (12-digit account), s3_key_prefix, input_compression_type (GZIP, ZSTD or NONE) "
            "and, for CSV, csv_delimiter and csv_header_list. Applies only when the table is created: later changes "
            "are ignored (the provider would replace the table otherwise).",
            default=None,
            rules=(
                Rule(
                    "have input_format CSV, DYNAMODB_JSON or ION; input_compression_type GZIP, ZSTD or NONE; "
                    "csv_delimiter (one of , ; : | tab space) and csv_header_list (1 to 255 non-empty names) only "
                    "with CSV; s3_bucket a bucket name; s3_bucket_owner a 12-digit account; s3_key_prefix at most "
                    "1024 characters",
                    _import_ok,
                    'contains(["CSV", "DYNAMODB_JSON", "ION"], {v}.input_format) && '
                    '({v}.input_compression_type == null ? true : contains(["GZIP", "ZSTD", "NONE"], {v}.input_compression_type)) && '
                    '({v}.input_format == "CSV" || ({v}.csv_delimiter == null && {v}.csv_header_list == null)) && '
                    '({v}.csv_delimiter == null ? true : contains([",", ";", ":", "|", "\\t", " "], {v}.csv_delimiter)) && '
                    '({v}.csv_header_list == null ? true : length({v}.csv_header_list) >= 1 && '
                    'length({v}.csv_header_list) <= 255 && alltrue([for h in {v}.csv_header_list : h != ""])) && '
                    'can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", {v}.s3_bucket)) && '
                    '({v}.s3_bucket_owner == null ? true : can(regex("^[0-9]{12}$", {v}.s3_bucket_owner))) && '
                    '({v}.s3_key_prefix == null ? true : length({v}.s3_key_prefix) <= 1024)',
                    example={"input_format": "PARQUET", "s3_bucket": "mapzip-imports"},
                ),
            ),
        ),
        Input(
            "local_secondary_indexes",
            list_of(LSI),
            "Local secondary indexes (created with the table only): name, range_key, projection_type, non_key_attributes.",
            default=[],
            rules=_index_rules("local secondary indexes", MAX_LSIS, {"name": "by_rating", "range_key": "review_id"}),
        ),
        Input(
            "ttl_attribute_name",
            STRING,
            "Attribute holding the expiry time (epoch seconds); setting it turns TTL on. Not a declared attribute.",
            default=None,
            rules=(rules.length_between(1, 255),),
        ),
        Input(
            "point_in_time_recovery_enabled",
            BOOL,
            "Continuous backups with point-in-time restore (35 days).",
            default=True,
            weakens=(False, "turns off point-in-time recovery (continuous backups)"),
        ),
        Input(
            "server_side_encryption_enabled",
            BOOL,
            "Encrypt with a customer managed KMS key: server_side_encryption_kms_key_arn, or one the module creates. "
            "false falls back to an AWS owned key you cannot audit.",
            default=True,
            weakens=(False, "falls back from KMS encryption to an AWS owned key"),
        ),
        Input(
            "server_side_encryption_kms_key_arn",
            STRING,
            "Customer managed KMS key. Default: a key the module creates (rotation on). alias/aws/dynamodb keeps "
            "DynamoDB's AWS managed key for a table that already uses it; synth warns.",
            default=None,
            rules=shared.kms_key("DynamoDB", AWS_MANAGED_KEY),
            weakens=shared.aws_managed_key_warning(AWS_MANAGED_KEY),
        ),
        shared.create_kms_key("the table", kms_key_needed),
        Input("stream_enabled", BOOL, "Turn DynamoDB Streams on.", default=False),
        Input(
            "stream_view_type",
            STRING,
            "What a stream record holds: KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES. Only with streams on.",
            default=None,
            rules=(rules.one_of(STREAM_VIEW_TYPES),),
        ),
        Input(
            "deletion_protection_enabled",
            BOOL,
            "Refuse DeleteTable (and so destroy or replacement) while on.",
            default=True,
            weakens=(False, "lets the table be deleted"),
        ),
        Input(
            "table_class",
            STRING,
            "STANDARD or STANDARD_INFREQUENT_ACCESS.",
            default="STANDARD",
            rules=(rules.one_of(["STANDARD", "STANDARD_INFREQUENT_ACCESS"]),),
        ),
        Input(
            "replica_regions",
            list_of(REPLICA),
            "Global table replicas: region_name, optional kms_key_arn, propagate_tags and point_in_time_recovery "
            "(both default true). Needs streams with NEW_AND_OLD_IMAGES.",
            default=[],
            rules=(
                Rule(
                    "name each region once",
                    lambda v: len({r["region_name"] for r in v}) == len(v),
                    "length(distinct([for r in {v} : r.region_name])) == length({v})",
                    example=[{"region_name": "ap-northeast-1"}, {"region_name": "ap-northeast-1"}],
                ),
                Rule(
                    "name AWS Regions that exist (modules/catalog.py)",
                    lambda v: all(r["region_name"] in AWS_REGIONS for r in v),
                    "alltrue([for r in {v} : contains([" + ", ".join(f'"{r}"' for r in AWS_REGIONS) + "], r.region_name)])",
                    got=lambda v: rules.unknown_keys(
                        {r["region_name"]: None for r in v if r["region_name"] not in AWS_REGIONS}, AWS_REGIONS
                    ),
                    example=[{"region_name": "ap-northeast-9"}],
                ),
            ),
        ),
        Input(
            "resource_policy",
            STRING,
            "Resource-based policy (JSON) attached to the table.",
            default=None,
            rules=(Rule("be a JSON object", lambda v: v.lstrip().startswith("{"), "can(jsondecode({v}).Statement)",
                         example="not a policy"),),
        ),
        Input(
            "create_resource_policy",
            BOOL,
            "Attach resource_policy to the table. A switch of its own because Terraform must know at plan time "
            "whether the policy resource exists, and a policy document often holds ARNs created in the same apply. "
            "Environment files need not set it: the generator writes it when the file gives resource_policy.",
            default=False,
            derived=lambda v: v["resource_policy"] is not None,
        ),
        shared.TAGS,
        *alarms.alarm_inputs(alarms.DYNAMODB_ALARMS, operations=True),
    ),
    checks=(
        *alarms.ALARM_CHECKS,
        alarms.DYNAMODB_ALARM_NAME_LENGTH,
        Check(
            ("table_name", "name_prefix"),
            "must give a table name (name_prefix + table_name) of 3 to 255 letters, digits, '_', '.' or '-'",
            lambda v: NAME.fullmatch(table_name(v)) is not None,
            'can(regex("^[A-Za-z0-9_.-]{3,255}$", local.table_name))',
            example={"name_prefix": "", "table_name": "ab"},
        ),
        Check(
            ("hash_key", "attributes"),
            "must be declared in attributes",
            lambda v: v["hash_key"] in declared(v),
            f"contains({_HCL_DECLARED}, var.hash_key)",
            shown=("hash_key",),
            example={"hash_key": "place_id", "range_key": "review_id"},
        ),
        Check(
            ("range_key", "attributes"),
            "must be declared in attributes",
            lambda v: v["range_key"] is None or v["range_key"] in declared(v),
            f"var.range_key == null ? true : contains({_HCL_DECLARED}, var.range_key)",
            shown=("range_key",),
            example={"range_key": "created_at"},
        ),
        Check(
            ("attributes", "global_secondary_indexes", "local_secondary_indexes"),
            lambda v: f"must declare every index key; missing: {', '.join(_undeclared_index_keys(v))}",
            lambda v: not _undeclared_index_keys(v),
            f"length(setsubtract(toset({_HCL_INDEX_KEYS}), toset({_HCL_DECLARED}))) == 0",
            hcl_message="attributes must declare every key of every index.",
            shown=("attributes",),
            example={"global_secondary_indexes": [{"name": "by_place", "hash_key": "place_id"}]},
        ),
        Check(
            ("attributes", "hash_key", "range_key", "global_secondary_indexes", "local_secondary_indexes"),
            lambda v: (
                f"must only declare attributes some key uses; not used by any key: {', '.join(_unused(v))} "
                "(declare non-key attributes nowhere: DynamoDB is schemaless)"
            ),
            lambda v: not _unused(v),
            # The TTL attribute is left to its own check below (one message per mistake).
            f"length(setsubtract(toset({_HCL_DECLARED}), toset(concat({_HCL_KEYS}, compact([var.ttl_attribute_name]))))) == 0",
            hcl_message="attributes must only declare attributes a key of the table or of an index uses "
            "(AWS: all attributes must be indexed).",
            shown=("attributes",),
            example={"attributes": [{"name": "review_id", "type": "S"}, {"name": "title", "type": "S"}]},
        ),
        Check(
            ("ttl_attribute_name", "attributes"),
            "must not be declared in attributes unless it is a key (declared attributes must be indexed)",
            lambda v: v["ttl_attribute_name"] is None
            or v["ttl_attribute_name"] not in declared(v)
            or v["ttl_attribute_name"] in key_attributes(v),
            f"var.ttl_attribute_name == null ? true : (!contains({_HCL_DECLARED}, var.ttl_attribute_name) || "
            f"contains({_HCL_KEYS}, var.ttl_attribute_name))",
            shown=("ttl_attribute_name",),
            example={
                "ttl_attribute_name": "expires_at",
                "attributes": [{"name": "review_id", "type": "S"}, {"name": "expires_at", "type": "N"}],
            },
        ),
        Check(
            ("local_secondary_indexes", "range_key"),
            "need a table range_key (an LSI shares the table's hash key and sorts by another attribute)",
            lambda v: not v["local_secondary_indexes"] or v["range_key"] is not None,
            "length(var.local_secondary_indexes) == 0 || var.range_key != null",
            shown=("range_key",),
            example={"local_secondary_indexes": [{"name": "by_rating", "range_key": "review_id"}]},
        ),
        Check(
            ("read_capacity", "billing_mode", "write_capacity"),
            "must be set, with write_capacity, when billing_mode is PROVISIONED (indexes without their own "
            "capacity use the table's)",
            lambda v: not _provisioned(v) or (v["read_capacity"] is not None and v["write_capacity"] is not None),
            'var.billing_mode != "PROVISIONED" || (var.read_capacity != null && var.write_capacity != null)',
            example={"billing_mode": "PROVISIONED"},
        ),
        Check(
            ("read_capacity", "billing_mode", "write_capacity", "global_secondary_indexes"),
            "must not be set, nor write_capacity nor any index capacity, when billing_mode is PAY_PER_REQUEST",
            lambda v: _provisioned(v) or all(c is None for c in _capacities(v)),
            'var.billing_mode == "PROVISIONED" || (var.read_capacity == null && var.write_capacity == null && '
            "alltrue([for i in var.global_secondary_indexes : i.read_capacity == null && i.write_capacity == null]))",
            shown=("billing_mode", "read_capacity", "write_capacity"),
            example={"read_capacity": 5, "write_capacity": 5},
        ),
        Check(
            ("autoscaling_read_max_capacity", "billing_mode", "autoscaling_write_max_capacity"),
            "must only be set, like autoscaling_write_max_capacity, when billing_mode is PROVISIONED",
            lambda v: _provisioned(v)
            or (v["autoscaling_read_max_capacity"] is None and v["autoscaling_write_max_capacity"] is None),
            'var.billing_mode == "PROVISIONED" || (var.autoscaling_read_max_capacity == null && '
            "var.autoscaling_write_max_capacity == null)",
            example={"autoscaling_read_max_capacity": 50},
        ),
        Check(
            ("autoscaling_read_max_capacity", "read_capacity"),
            "must be at least read_capacity",
            lambda v: v["autoscaling_read_max_capacity"] is None
            or v["read_capacity"] is None
            or v["autoscaling_read_max_capacity"] >= v["read_capacity"],
            "var.autoscaling_read_max_capacity == null || var.read_capacity == null ? true : "
            "var.autoscaling_read_max_capacity >= var.read_capacity",
            example={
                "billing_mode": "PROVISIONED",
                "read_capacity": 10,
                "write_capacity": 5,
                "autoscaling_read_max_capacity": 5,
            },
        ),
        Check(
            ("autoscaling_write_max_capacity", "write_capacity"),
            "must be at least write_capacity",
            lambda v: v["autoscaling_write_max_capacity"] is None
            or v["write_capacity"] is None
            or v["autoscaling_write_max_capacity"] >= v["write_capacity"],
            "var.autoscaling_write_max_capacity == null || var.write_capacity == null ? true : "
            "var.autoscaling_write_max_capacity >= var.write_capacity",
            example={
                "billing_mode": "PROVISIONED",
                "read_capacity": 5,
                "write_capacity": 10,
                "autoscaling_write_max_capacity": 5,
            },
        ),
        Check(
            ("global_secondary_indexes", "local_secondary_indexes"),
            f"must project at most {MAX_PROJECTED} non_key_attributes across all indexes",
            lambda v: sum(
                len(i["non_key_attributes"] or [])
                for i in v["global_secondary_indexes"] + v["local_secondary_indexes"]
            )
            <= MAX_PROJECTED,
            "length(flatten([for i in concat(var.global_secondary_indexes, var.local_secondary_indexes) : "
            f"coalesce(i.non_key_attributes, [])])) <= {MAX_PROJECTED}",
            example={
                "attributes": [{"name": "review_id", "type": "S"}, {"name": "place_id", "type": "S"}],
                "global_secondary_indexes": [{"name": "by_place", "hash_key": "place_id", "projection_type": "INCLUDE", "non_key_attributes": [f"attribute_{i}" for i in range(MAX_PROJECTED + 1)]}],
            },
        ),
        Check(
            ("stream_view_type", "stream_enabled"),
            "must only be set when stream_enabled = true",
            lambda v: v["stream_view_type"] is None or v["stream_enabled"],
            "var.stream_view_type == null || var.stream_enabled",
            example={"stream_view_type": "NEW_IMAGE"},
        ),
        Check(
            ("stream_enabled", "stream_view_type"),
            "needs stream_view_type",
            lambda v: not v["stream_enabled"] or v["stream_view_type"] is not None,
            "!var.stream_enabled || var.stream_view_type != null",
            example={"stream_enabled": True},
        ),
        Check(
            ("server_side_encryption_kms_key_arn", "server_side_encryption_enabled"),
            "needs server_side_encryption_enabled = true",
            lambda v: v["server_side_encryption_kms_key_arn"] is None or v["server_side_encryption_enabled"],
            "var.server_side_encryption_kms_key_arn == null || var.server_side_encryption_enabled",
            example={
                "server_side_encryption_kms_key_arn": "arn:aws:kms:ap-northeast-2:111122223333:key/example",
                "server_side_encryption_enabled": False,
            },
        ),
        Check(
            ("replica_regions", "stream_enabled", "stream_view_type"),
            "need stream_enabled = true with stream_view_type NEW_AND_OLD_IMAGES (AWS turns it on for replicas; "
            "anything else is a perpetual diff)",
            lambda v: not v["replica_regions"] or (v["stream_enabled"] and v["stream_view_type"] == "NEW_AND_OLD_IMAGES"),
            'length(var.replica_regions) == 0 || (var.stream_enabled && var.stream_view_type == "NEW_AND_OLD_IMAGES")',
            shown=("stream_enabled", "stream_view_type"),
            example={
                "replica_regions": [{"region_name": "ap-northeast-1", "kms_key_arn": "arn:aws:kms:ap-northeast-1:111122223333:key/example"}],
            },
        ),
        Check(
            ("replica_regions", "server_side_encryption_enabled"),
            "each need a kms_key_arn in their region when the table is encrypted with a customer managed key "
            "(AWS: KMSMasterKeyId must be specified for each replica)",
            lambda v: not v["server_side_encryption_enabled"]
            or all(r["kms_key_arn"] is not None for r in v["replica_regions"]),
            "!var.server_side_encryption_enabled || alltrue([for r in var.replica_regions : r.kms_key_arn != null])",
            example={
                "replica_regions": [{"region_name": "ap-northeast-1"}],
                "stream_enabled": True,
                "stream_view_type": "NEW_AND_OLD_IMAGES",
            },
        ),
        Check(
            ("billing_mode", "on_demand_max_read_request_units", "on_demand_max_write_request_units",
             "global_secondary_indexes"),
            "must be PAY_PER_REQUEST for on-demand throughput limits (on_demand_max_*_request_units, an index's "
            "max_*_request_units)",
            lambda v: not on_demand_limited(v) or not _provisioned(v),
            f'var.billing_mode == "PAY_PER_REQUEST" || !{_HCL_ON_DEMAND_LIMITED}',
            shown=("billing_mode",),
            example={"billing_mode": "PROVISIONED", "read_capacity": 5, "write_capacity": 5,
                     "on_demand_max_read_request_units": 100},
        ),
        *rules.name_length_checks(AWS_NAMES),
        *shared.create_kms_key_checks(
            ("server_side_encryption_kms_key_arn", "server_side_encryption_enabled"),
            ("server_side_encryption_kms_key_arn",),
            needs="needs server_side_encryption_kms_key_arn when false and server_side_encryption_enabled: the module "
            "then creates no key",
            unused="must be false when server_side_encryption_kms_key_arn is given (the module's key would encrypt "
            "nothing)",
            key_needed=kms_key_needed,
            encrypts_anything=lambda v: v["server_side_encryption_enabled"],
        ),
        Check(
            ("create_resource_policy", "resource_policy"),
            "needs resource_policy when true",
            lambda v: not v["create_resource_policy"] or v["resource_policy"] is not None,
            "!var.create_resource_policy || var.resource_policy != null",
            shown=("create_resource_policy",),
            example={"create_resource_policy": True},
        ),
        Check(
            ("resource_policy", "create_resource_policy"),
            "needs create_resource_policy = true (Terraform must know at plan time that the policy exists)",
            lambda v: v["resource_policy"] is None or v["create_resource_policy"],
            "var.resource_policy == null || var.create_resource_policy",
            shown=("create_resource_policy",),
            example={"create_resource_policy": False,
                     "resource_policy": '{"Version": "2012-10-17", "Statement": []}'},
        ),
    ),
    aws_names=AWS_NAMES,
    advice=(alarms.NOBODY_NOTIFIED,),
)
KMS_KEY_NEEDED_HCL = "var.server_side_encryption_enabled && var.server_side_encryption_kms_key_arn == null"
KMS_KEY_UNUSED = (
    "create_kms_key must be false when server_side_encryption_kms_key_arn is given (the module's key would "
    "encrypt nothing)."
)
