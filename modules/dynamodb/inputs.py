"""DynamoDB inputs and the schema rules AWS enforces (../shared/reference/aws-constraints.md §2).

The most common failed DynamoDB change is a schema that plans and then dies at apply: an attribute declared but
not used by any key ("all attributes must be indexed"), a key without a declared attribute, an LSI on a table
without a range key. Every one of those is a check here, written once in the rule language (generator.language.expr): the
Python check of an environment file and the Terraform precondition are both rendered from it.
"""

from __future__ import annotations

from typing import Any, Callable

from generator.language import expr, rules
from generator.language.expr import Local, all_, all_of, any_, any_of, call, for_, if_, implies, not_, text, unless_null, value, var
from generator.language.inputs import Check, Input, InputSet, Rule
from generator.language.types import BOOL, NUMBER, STRING, list_of, object_of, optional
from modules.shared import alarms
from modules.shared import inputs as shared
from modules.catalog import AWS_REGIONS

ATTRIBUTE_TYPES = ("S", "N", "B")
PROJECTION_TYPES = ("ALL", "KEYS_ONLY", "INCLUDE")
STREAM_VIEW_TYPES = ("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES")
# AWS "Supported data types and naming rules": table and index names are 3-255 of [a-zA-Z0-9_.-].
NAME = "[A-Za-z0-9_.-]{3,255}"
MAX_GSIS = 20  # CreateTable: "the maximum is 20" (default quota)
MAX_LSIS = 5
MAX_PROJECTED = 100  # non_key_attributes across all indexes
# "Supported data types and naming rules": the names of key attributes (of the table and of its indexes) are 1 to
# 255 bytes of UTF-8; every declared attribute is a key (the schema checks below). CreateTable answers
# ValidationException for longer ones, at apply.
MAX_KEY_NAME_BYTES = 255
# PutResourcePolicy: "The maximum size supported for a resource-based policy document is 20 KB" (whitespace counts).
MAX_POLICY_BYTES = 20 * 1024


def _key_name_ok(name: expr.Expr) -> expr.Expr:
    return expr.utf8_bytes(name).between(1, MAX_KEY_NAME_BYTES)


def key_name_rule(what: str) -> Rule:
    """A key attribute's name: 1 to 255 bytes of UTF-8 (an empty hash_key plans and fails at apply)."""
    return Rule(
        f"be 1 to {MAX_KEY_NAME_BYTES} bytes of UTF-8 ({what}: a DynamoDB key attribute name)",
        when=_key_name_ok(value),
        got=lambda v: f"{rules.literal(v)} ({len(v.encode('utf-8'))} bytes)",
        example="",
        # 127 two-byte letters and one ASCII one: exactly the limit, in bytes (and 128 characters).
        passing="é" * 127 + "x",
    )


def _capacity_ok(capacity: expr.Expr) -> expr.Expr:
    return unless_null(capacity, capacity.is_whole() & capacity.between(1, 40000))

GSI = object_of(
    name=STRING,
    hash_key=STRING,
    range_key=optional(STRING),
    projection_type=optional(STRING, "ALL"),
    non_key_attributes=optional(list_of(STRING)),
    read_capacity=optional(NUMBER),
    write_capacity=optional(NUMBER),
    autoscaling_read_max_capacity=optional(NUMBER),
    autoscaling_write_max_capacity=optional(NUMBER),
    autoscaling_target_value=optional(NUMBER),
    autoscaling_scale_in_cooldown=optional(NUMBER),
    autoscaling_scale_out_cooldown=optional(NUMBER),
    autoscaling_read_policy_name=optional(STRING),
    autoscaling_write_policy_name=optional(STRING),
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
S3_BUCKET_NAME = "[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"
ACCOUNT_ID = "[0-9]{12}"


def _import_table_ok(table: expr.Expr) -> expr.Expr:
    compression, delimiter, headers = table["input_compression_type"], table["csv_delimiter"], table["csv_header_list"]
    return expr.all_of(
        table["input_format"].is_in(IMPORT_FORMATS),
        unless_null(compression, compression.is_in(IMPORT_COMPRESSIONS)),
        # CSV options only with CSV.
        (table["input_format"] == "CSV") | (delimiter.is_null() & headers.is_null()),
        unless_null(delimiter, delimiter.is_in(CSV_DELIMITERS)),
        unless_null(headers, headers.length().between(1, MAX_CSV_HEADERS) & all_(headers, lambda h: h != "")),
        table["s3_bucket"].matches(S3_BUCKET_NAME),
        unless_null(table["s3_bucket_owner"], table["s3_bucket_owner"].matches(ACCOUNT_ID)),
        unless_null(table["s3_key_prefix"], table["s3_key_prefix"].length() <= MAX_KEY_PREFIX),
    )


def _on_demand_units_ok(units: expr.Expr) -> expr.Expr:
    # OnDemandThroughput (DynamoDB API Reference): a positive whole number of request units, or -1 to remove the limit.
    return units.is_whole() & ((units >= 1) | (units == -1))


def _optional_on_demand_units_ok(units: expr.Expr) -> expr.Expr:
    return unless_null(units, _on_demand_units_ok(units))


# Whether the table or an index sets an on-demand throughput limit.
ON_DEMAND_LIMITED = any_of(
    var("on_demand_max_read_request_units").not_null(),
    var("on_demand_max_write_request_units").not_null(),
    any_(var("global_secondary_indexes"),
         lambda i: i["max_read_request_units"].not_null() | i["max_write_request_units"].not_null()),
)

REPLICA = object_of(
    region_name=STRING,
    kms_key_arn=optional(STRING),
    propagate_tags=optional(BOOL, True),
    point_in_time_recovery=optional(BOOL, True),
)

# --- what the module derives from its inputs: `locals` of the module (resources.py writes them from these) ----------
TABLE_NAME = Local("table_name", text(var("name_prefix"), var("table_name")))
PROVISIONED = Local("provisioned", var("billing_mode") == "PROVISIONED")
# The module creates its own key when the table is encrypted and no key is given.
KMS_KEY_NEEDED = Local(
    "kms_key_needed", var("server_side_encryption_enabled") & var("server_side_encryption_kms_key_arn").is_null()
)


# --- the schema: which attributes are declared, which some key uses --------------------------------------------------
DECLARED = for_(var("attributes"), lambda a: a["name"])
# The attributes the indexes key on (a GSI's range key is optional: compact drops the nulls).
INDEX_KEYS = call(
    "compact",
    call(
        "concat",
        for_(var("global_secondary_indexes"), lambda i: i["hash_key"]),
        for_(var("global_secondary_indexes"), lambda i: i["range_key"]),
        for_(var("local_secondary_indexes"), lambda i: i["range_key"]),
    ),
)


def _is_key(attribute: expr.Expr) -> expr.Expr:
    """Whether a key of the table or of an index uses the attribute."""
    return any_of(attribute == var("hash_key"), attribute == var("range_key"), attribute.is_in(INDEX_KEYS))


INDEX_NAMES_SHARED = call(
    "setintersection",
    for_(var("global_secondary_indexes"), lambda i: i["name"]),
    for_(var("local_secondary_indexes"), lambda i: i["name"]),
)
UNDECLARED_INDEX_KEYS = for_(INDEX_KEYS, lambda k: k, keep=lambda k: not_(k.is_in(DECLARED)))
# The TTL attribute is left to its own check below (one message per mistake).
UNUSED_ATTRIBUTES = for_(
    var("attributes"), lambda a: a["name"],
    keep=lambda a: not_(_is_key(a["name"]) | (a["name"] == var("ttl_attribute_name"))),
)


_NAME_INPUTS = ("table_name", "name_prefix")
# Every name the module gives AWS (resources.py), with AWS's limit. The table name is checked below (3-255); the KMS
# alias and the scaling policy names add to it, so a long table name can push them past their limits.
AWS_NAMES = (
    rules.AwsName("DynamoDB table", _NAME_INPUTS, "<name_prefix + table_name>", TABLE_NAME, 255,
                  "DynamoDB naming rules", bounded=True),
    rules.AwsName(
        "KMS alias", _NAME_INPUTS, "alias/dynamodb/<table name, dots as hyphens>",
        text("alias/dynamodb/", call("replace", TABLE_NAME, ".", "-")),
        256, "KMS CreateAlias: AliasName is at most 256 characters",
        created=KMS_KEY_NEEDED,
        # A table name of 246 (within DynamoDB's 255) gives an alias of 260.
        example={"table_name": "x" * 235},
    ),
    *(
        rules.AwsName(
            # A policy name given is the name (its own rule keeps it within 255): only the table's name can push the
            # default past the limit.
            "Application Auto Scaling policy", _NAME_INPUTS,
            f"<table name>-{direction}-capacity",
            if_(var(f"autoscaling_{direction}_policy_name").is_null(), text(TABLE_NAME, f"-{direction}-capacity"),
                var(f"autoscaling_{direction}_policy_name")),
            # AWS allows 256 (PutScalingPolicy PolicyName); the provider's schema stops at 255.
            255, "aws_appautoscaling_policy: name is at most 255 characters",
            created=PROVISIONED,
            # The read policy's name is one character shorter than the write policy's, so the write precondition
            # refuses every table name the read one would: no name can break the read limit alone.
            precondition=direction == "write",
            unique=False,  # unique per scalable target, and the target is the table
            # A table name of 241 gives a write policy name of 256 (and a read policy name of 255).
            example={"table_name": "x" * 230, "billing_mode": "PROVISIONED", "read_capacity": 5, "write_capacity": 5}
            if direction == "write" else None,
        )
        for direction in ("read", "write")
    ),
)


def _index_ceiling_at_least_floor(direction: str) -> Callable[[expr.Expr], expr.Expr]:
    """For all_(): an index's own auto scaling ceiling, when set, is at least its floor (its capacity, else the
    table's)."""
    def holds(i: expr.Expr) -> expr.Expr:
        ceiling = i[f"autoscaling_{direction}_max_capacity"]
        return unless_null(ceiling, ceiling >= call("coalesce", i[f"{direction}_capacity"], var(f"{direction}_capacity"), 0))
    return holds


def _index_rules(kinds: str, limit: int, index: dict[str, Any]) -> tuple[Rule, ...]:
    """`index`: a valid index of this kind, from which each rule's failing and passing examples are made."""
    return (
        rules.items_between(0, limit, f"{kinds} (AWS limit)",
                            example=[{**index, "name": f"index_{i}"} for i in range(limit + 1)]),
        Rule(
            "have unique names of 3 to 255 letters, digits, '_', '.' or '-'",
            when=(call("length", call("distinct", for_(value, lambda i: i["name"]))) == value.length())
            & all_(value, lambda i: i["name"].matches(NAME)),
            example=[index, index],
            passing=[index, {**index, "name": "by.rating-2_x"}],
        ),
        Rule(
            "have projection_type ALL, KEYS_ONLY or INCLUDE, with non_key_attributes exactly when INCLUDE",
            # AWS: NonKeyAttributes only, and always, with ProjectionType INCLUDE.
            when=all_(value, lambda i: i["projection_type"].is_in(PROJECTION_TYPES)
                      & ((i["projection_type"] == "INCLUDE")
                         == (call("length", call("coalesce", i["non_key_attributes"], [])) > 0))),
            example=[{**index, "projection_type": "INCLUDE"}],
            passing=[{**index, "projection_type": "INCLUDE", "non_key_attributes": ["title"]},
                     {**index, "name": "keys_only", "projection_type": "KEYS_ONLY"}],
        ),
    )


# A resource policy document, for the examples of the rules on it.
POLICY_EXAMPLE = '{"Version": "2012-10-17", "Statement": []}'


def policy_of_bytes(size: int) -> str:
    """A policy document of exactly `size` bytes: the example's, with an Id that fills it up."""
    head = '{"Version": "2012-10-17", "Statement": [], "Id": "'
    return head + "x" * (size - len(head) - 2) + '"}'


def first_refused_index(indexes: list[dict[str, Any]], condition: Callable[[expr.Expr], expr.Expr]) -> str:
    """The name of the first index the per-index condition refuses: what a message quotes."""
    return rules.first_refused(indexes, condition)["name"]

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
        Input("hash_key", STRING, "Partition key attribute; declare it in attributes.", example="review_id",
              rules=(key_name_rule("the partition key"),)),
        Input("range_key", STRING, "Sort key attribute; declare it in attributes. Needed for LSIs. Without it the table has a partition key only.", default=None,
              rules=(key_name_rule("the sort key"),)),
        Input(
            "attributes",
            list_of(object_of(name=STRING, type=STRING)),
            "Key attributes of the table and its indexes, each {name, type} with type S, N or B. Declare only "
            "attributes some key uses: DynamoDB is schemaless for the rest.",
            rules=(
                # Passing: the required example, [{"name": "review_id", "type": "S"}].
                Rule(
                    "have types S, N or B",
                    when=all_(value, lambda a: a["type"].is_in(ATTRIBUTE_TYPES)),
                    example=[{"name": "review_id", "type": "X"}],
                ),
                Rule(
                    "declare each name once",
                    when=call("length", call("distinct", for_(value, lambda a: a["name"]))) == value.length(),
                    example=[{"name": "review_id", "type": "S"}, {"name": "review_id", "type": "S"}],
                ),
                Rule(
                    f"have names of 1 to {MAX_KEY_NAME_BYTES} bytes of UTF-8 (DynamoDB key attribute names)",
                    when=all_(value, lambda a: _key_name_ok(a["name"])),
                    got=lambda v: (lambda n: f"{rules.literal(n)} ({len(n.encode('utf-8'))} bytes)")(
                        next(a["name"] for a in v if not 1 <= len(a["name"].encode("utf-8")) <= MAX_KEY_NAME_BYTES)),
                    example=[{"name": "x" * (MAX_KEY_NAME_BYTES + 1), "type": "S"}],
                    passing=[{"name": "é" * 127 + "x", "type": "S"}],
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
        Input("read_capacity", NUMBER, "Read capacity units of a PROVISIONED table (the auto scaling floor). Required with PROVISIONED; null for PAY_PER_REQUEST.",
              default=None, rules=(rules.between(1, 40000),)),
        Input("write_capacity", NUMBER, "Write capacity units of a PROVISIONED table (the auto scaling floor). Required with PROVISIONED; null for PAY_PER_REQUEST.",
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
        *(
            Input(
                f"autoscaling_scale_{way}_cooldown",
                NUMBER,
                f"Seconds after a scale-{way} activity before another scale-{way} starts, for the table and its "
                "indexes (PROVISIONED only). Default: Application Auto Scaling's own for DynamoDB (none sent).",
                default=None,
                rules=(Rule("be a whole number of seconds, at least 0", when=value.is_whole() & (value >= 0),
                            example=-1, passing=60),),
            )
            for way in ("in", "out")
        ),
        Input(
            "autoscaling_target_value",
            NUMBER,
            "Target utilization (percent) auto scaling keeps consumed capacity at.",
            default=70,
            rules=(rules.between(20, 90),),
        ),
        *(
            Input(
                f"autoscaling_{direction}_policy_name",
                STRING,
                f"Name of the table's {direction} scaling policy, to keep an existing policy's (the name cannot "
                f"change: another one replaces the policy). Default: <table name>-{direction}-capacity.",
                default=None,
                rules=(rules.length_between(1, 255),),
            )
            for direction in ("read", "write")
        ),
        Input(
            "global_secondary_indexes",
            list_of(GSI),
            "Global secondary indexes: name, hash_key, optional range_key, projection_type (default ALL), "
            "non_key_attributes (INCLUDE only) and, for PROVISIONED tables, read_capacity and write_capacity "
            "(default: the table's). On a PROVISIONED table each index is auto scaled like the table, from its own "
            "capacity up to its own autoscaling_read_max_capacity / autoscaling_write_max_capacity, by default the "
            "table's ceiling (autoscaling_*_max_capacity) or its own capacity if higher; autoscaling_target_value, "
            "autoscaling_scale_in_cooldown, autoscaling_scale_out_cooldown (default: the table's) and "
            "autoscaling_read_policy_name / autoscaling_write_policy_name (default: <table name>-<index>-read-capacity, "
            "-write-capacity; an existing policy's name cannot change) are the index's own. An apply "
            "after the scaler moved an index sets it back to that floor (the provider cannot ignore one index's "
            "capacity without ignoring every index change); the scaler then moves it again.",
            default=[],
            rules=(
                *_index_rules("global secondary indexes", MAX_GSIS, {"name": "by_place", "hash_key": "review_id"}),
                Rule(
                    "have read_capacity and write_capacity that are whole numbers between 1 and 40000",
                    when=all_(value, lambda i: _capacity_ok(i["read_capacity"]) & _capacity_ok(i["write_capacity"])),
                    got=lambda v: (lambda i: f"{rules.literal(i['name'])} with read_capacity = "
                                   f"{rules.literal(i.get('read_capacity'))}, write_capacity = "
                                   f"{rules.literal(i.get('write_capacity'))}")(rules.first_refused(
                        v, lambda i: _capacity_ok(i["read_capacity"]) & _capacity_ok(i["write_capacity"]))),
                    example=[{"name": "by_place", "hash_key": "review_id", "read_capacity": -5,
                              "write_capacity": 0.5}],
                    passing=[{"name": "by_place", "hash_key": "review_id", "read_capacity": 1,
                              "write_capacity": 40000}],
                ),
                Rule(
                    "have a range_key other than their hash_key (a key schema names an attribute once)",
                    when=all_(value, lambda i: i["range_key"] != i["hash_key"]),
                    got=lambda v: rules.literal(first_refused_index(v, lambda i: i["range_key"] != i["hash_key"])),
                    example=[{"name": "by_place", "hash_key": "review_id", "range_key": "review_id"}],
                    passing=[{"name": "by_place", "hash_key": "review_id", "range_key": "created_at"}],
                ),
                Rule(
                    "have max_read_request_units and max_write_request_units of at least 1, or -1 (no limit)",
                    when=all_(value, lambda i: _optional_on_demand_units_ok(i["max_read_request_units"])
                              & _optional_on_demand_units_ok(i["max_write_request_units"])),
                    example=[{"name": "by_place", "hash_key": "review_id", "max_read_request_units": 0}],
                    passing=[{"name": "by_place", "hash_key": "review_id", "max_read_request_units": 100,
                              "max_write_request_units": -1}],
                ),
                Rule(
                    "have autoscaling_read_max_capacity and autoscaling_write_max_capacity that are whole numbers "
                    "between 1 and 40000",
                    when=all_(value, lambda i: all_of(*(
                        unless_null(i[f"autoscaling_{d}_max_capacity"],
                                    i[f"autoscaling_{d}_max_capacity"].is_whole()
                                    & i[f"autoscaling_{d}_max_capacity"].between(1, 40000))
                        for d in ("read", "write")))),
                    example=[{"name": "by_place", "hash_key": "review_id", "autoscaling_read_max_capacity": 0}],
                    passing=[{"name": "by_place", "hash_key": "review_id", "autoscaling_read_max_capacity": 30,
                              "autoscaling_write_max_capacity": 30}],
                ),
                Rule(
                    "have an autoscaling_target_value between 20 and 90 and cooldowns that are whole numbers of "
                    "seconds, at least 0",
                    when=all_(value, lambda i: all_of(
                        unless_null(i["autoscaling_target_value"], i["autoscaling_target_value"].between(20, 90)),
                        *(unless_null(i[f"autoscaling_scale_{way}_cooldown"],
                                      i[f"autoscaling_scale_{way}_cooldown"].is_whole()
                                      & (i[f"autoscaling_scale_{way}_cooldown"] >= 0)) for way in ("in", "out")))),
                    example=[{"name": "by_place", "hash_key": "review_id", "autoscaling_target_value": 95}],
                    passing=[{"name": "by_place", "hash_key": "review_id", "autoscaling_target_value": 70,
                              "autoscaling_scale_in_cooldown": 0, "autoscaling_scale_out_cooldown": 60}],
                ),
                Rule(
                    "have autoscaling_read_policy_name and autoscaling_write_policy_name of 1 to 255 characters",
                    when=all_(value, lambda i: all_of(*(
                        unless_null(i[f"autoscaling_{d}_policy_name"],
                                    i[f"autoscaling_{d}_policy_name"].length().between(1, 255))
                        for d in ("read", "write")))),
                    example=[{"name": "by_place", "hash_key": "review_id", "autoscaling_read_policy_name": ""}],
                    passing=[{"name": "by_place", "hash_key": "review_id",
                              "autoscaling_read_policy_name": "DynamoDBReadCapacityUtilization:table/t/index/by_place"}],
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
                    when=_on_demand_units_ok(value),
                    example=0,
                    passing=-1,
                ),
            ),
        ),
        Input(
            "on_demand_max_write_request_units",
            NUMBER,
            "On-demand (PAY_PER_REQUEST) tables only: the most write request units per second the table may consume; "
            "-1 removes a limit set before (leaving the input out keeps it). Indexes take their own: max_write_request_units in "
            "global_secondary_indexes.",
            default=None,
            rules=(
                Rule(
                    "be a whole number of at least 1, or -1 (no limit)",
                    when=_on_demand_units_ok(value),
                    example=0,
                    passing=-1,
                ),
            ),
        ),
        Input(
            "import_table",
            IMPORT_TABLE,
            "Create the table from an S3 import (ImportTable): input_format (CSV, DYNAMODB_JSON or ION), s3_bucket, "
            "optional s3_bucket_owner (12-digit account), s3_key_prefix, input_compression_type (GZIP, ZSTD or NONE) "
            "and, for CSV, csv_delimiter and csv_header_list. Applies only when the table is created: later changes "
            "are ignored (the provider would replace the table otherwise). Without it the table is created empty.",
            default=None,
            rules=(
                Rule(
                    "have input_format CSV, DYNAMODB_JSON or ION; input_compression_type GZIP, ZSTD or NONE; "
                    "csv_delimiter (one of , ; : | tab space) and csv_header_list (1 to 255 non-empty names) only "
                    "with CSV; s3_bucket a bucket name; s3_bucket_owner a 12-digit account; s3_key_prefix at most "
                    "1024 characters",
                    when=_import_table_ok(value),
                    example={"input_format": "PARQUET", "s3_bucket": "mapzip-imports"},
                    passing={"input_format": "CSV", "s3_bucket": "mapzip-imports", "s3_bucket_owner": "111122223333",
                             "s3_key_prefix": "reviews/", "input_compression_type": "GZIP", "csv_delimiter": "\t",
                             "csv_header_list": ["review_id", "place_id"]},
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
        shared.create_kms_key("the table", KMS_KEY_NEEDED),
        Input("stream_enabled", BOOL, "Turn DynamoDB Streams on.", default=False),
        Input(
            "stream_view_type",
            STRING,
            "What a stream record holds: KEYS_ONLY, NEW_IMAGE, OLD_IMAGE or NEW_AND_OLD_IMAGES. Required with streams on; null (no stream) otherwise.",
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
                    when=call("length", call("distinct", for_(value, lambda r: r["region_name"]))) == value.length(),
                    example=[{"region_name": "ap-northeast-1"}, {"region_name": "ap-northeast-1"}],
                    passing=[{"region_name": "ap-northeast-1"}, {"region_name": "ap-northeast-3"}],
                ),
                Rule(
                    "name AWS Regions that exist (modules/catalog.py)",
                    when=all_(value, lambda r: r["region_name"].is_in(AWS_REGIONS)),
                    got=lambda v: rules.unknown_keys(
                        {r["region_name"]: None for r in v if r["region_name"] not in AWS_REGIONS}, AWS_REGIONS
                    ),
                    example=[{"region_name": "ap-northeast-9"}],
                    passing=[{"region_name": "us-gov-west-1"}],
                ),
            ),
        ),
        Input(
            "resource_policy",
            STRING,
            "Resource-based policy (JSON) attached to the table. Without it the table has no resource policy.",
            default=None,
            rules=(
                Rule(
                    "be a JSON object",
                    # Valid JSON whose first character is "{". Python once checked only that "{" and Terraform that
                    # the text decoded with a Statement: "{not json" passed Python and failed `terraform plan`.
                    when=call("is_json", value) & call("startswith", call("trimspace", value), "{"),
                    example="{not json",
                    passing=POLICY_EXAMPLE,
                ),
                Rule(
                    f"be at most {MAX_POLICY_BYTES} bytes (20 KB, whitespace included: DynamoDB's limit on a "
                    "resource policy)",
                    when=expr.utf8_bytes(value) <= MAX_POLICY_BYTES,
                    got=lambda v: f"{len(v.encode('utf-8'))} bytes",
                    example=policy_of_bytes(MAX_POLICY_BYTES + 1),
                    passing=policy_of_bytes(MAX_POLICY_BYTES),
                ),
            ),
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
            when=TABLE_NAME.matches(NAME),
            example={"name_prefix": "", "table_name": "ab"},
            passing={"name_prefix": "", "table_name": "abc"},
        ),
        Check(
            ("hash_key", "attributes"),
            "must be declared in attributes",
            when=var("hash_key").is_in(DECLARED),
            shown=("hash_key",),
            example={"hash_key": "place_id", "range_key": "review_id"},
            # Passing: the required examples (hash_key review_id, declared).
        ),
        Check(
            ("range_key", "hash_key"),
            "must differ from hash_key (a key schema names an attribute once: AWS refuses a duplicate)",
            when=var("range_key") != var("hash_key"),
            example={"range_key": "review_id"},
            passing={"range_key": "created_at", "attributes": [{"name": "review_id", "type": "S"},
                                                               {"name": "created_at", "type": "N"}]},
        ),
        Check(
            ("global_secondary_indexes", "local_secondary_indexes"),
            lambda v: "must not share a name with a local secondary index (index names are unique per table); "
            f"both have {', '.join(sorted(INDEX_NAMES_SHARED.evaluate(v)))}",
            when=INDEX_NAMES_SHARED.length() == 0,
            hcl_message="global_secondary_indexes must not share a name with a local secondary index (index names "
            "are unique per table).",
            shown=("global_secondary_indexes",),
            example={"attributes": [{"name": "review_id", "type": "S"}, {"name": "created_at", "type": "N"}],
                     "range_key": "created_at",
                     "global_secondary_indexes": [{"name": "by_date", "hash_key": "created_at"}],
                     "local_secondary_indexes": [{"name": "by_date", "range_key": "created_at"}]},
            passing={"attributes": [{"name": "review_id", "type": "S"}, {"name": "created_at", "type": "N"}],
                     "range_key": "created_at",
                     "global_secondary_indexes": [{"name": "by_date", "hash_key": "created_at"}],
                     "local_secondary_indexes": [{"name": "by_date_local", "range_key": "created_at"}]},
        ),
        Check(
            ("range_key", "attributes"),
            "must be declared in attributes",
            when=unless_null(var("range_key"), var("range_key").is_in(DECLARED)),
            shown=("range_key",),
            example={"range_key": "created_at"},
            passing={"range_key": "created_at", "attributes": [{"name": "review_id", "type": "S"},
                                                               {"name": "created_at", "type": "N"}]},
        ),
        Check(
            ("attributes", "global_secondary_indexes", "local_secondary_indexes"),
            lambda v: f"must declare every index key; missing: {', '.join(sorted(set(UNDECLARED_INDEX_KEYS.evaluate(v))))}",
            when=UNDECLARED_INDEX_KEYS.length() == 0,
            hcl_message="attributes must declare every key of every index.",
            shown=("attributes",),
            example={"global_secondary_indexes": [{"name": "by_place", "hash_key": "place_id"}]},
            passing={"attributes": [{"name": "review_id", "type": "S"}, {"name": "place_id", "type": "S"}],
                     "global_secondary_indexes": [{"name": "by_place", "hash_key": "place_id",
                                                   "range_key": "review_id"}]},
        ),
        Check(
            ("attributes", "hash_key", "range_key", "global_secondary_indexes", "local_secondary_indexes",
             "ttl_attribute_name"),
            lambda v: (
                f"must only declare attributes some key uses; not used by any key: "
                f"{', '.join(UNUSED_ATTRIBUTES.evaluate(v))} (declare non-key attributes nowhere: DynamoDB is schemaless)"
            ),
            when=UNUSED_ATTRIBUTES.length() == 0,
            hcl_message="attributes must only declare attributes a key of the table or of an index uses "
            "(AWS: all attributes must be indexed).",
            shown=("attributes",),
            example={"attributes": [{"name": "review_id", "type": "S"}, {"name": "title", "type": "S"}]},
            passing={"attributes": [{"name": "review_id", "type": "S"}, {"name": "created_at", "type": "N"},
                                    {"name": "rating", "type": "N"}],
                     "range_key": "created_at",
                     "local_secondary_indexes": [{"name": "by_rating", "range_key": "rating"}]},
        ),
        Check(
            ("ttl_attribute_name", "attributes", "hash_key", "range_key", "global_secondary_indexes",
             "local_secondary_indexes"),
            "must not be declared in attributes unless it is a key (declared attributes must be indexed)",
            when=unless_null(var("ttl_attribute_name"), not_(var("ttl_attribute_name").is_in(DECLARED))
                             | _is_key(var("ttl_attribute_name"))),
            shown=("ttl_attribute_name",),
            example={
                "ttl_attribute_name": "expires_at",
                "attributes": [{"name": "review_id", "type": "S"}, {"name": "expires_at", "type": "N"}],
            },
            # A TTL attribute that is also a key is declared, and allowed (AWS reads it as a number of seconds).
            passing={
                "ttl_attribute_name": "expires_at", "range_key": "expires_at",
                "attributes": [{"name": "review_id", "type": "S"}, {"name": "expires_at", "type": "N"}],
            },
        ),
        Check(
            ("local_secondary_indexes", "range_key"),
            "need a table range_key (an LSI shares the table's hash key and sorts by another attribute)",
            when=(var("local_secondary_indexes").length() == 0) | var("range_key").not_null(),
            shown=("range_key",),
            example={"local_secondary_indexes": [{"name": "by_rating", "range_key": "review_id"}]},
            # Passing: the unused-attributes check's passing example (an LSI on a table with a range key).
        ),
        Check(
            ("read_capacity", "billing_mode", "write_capacity"),
            "must be set, with write_capacity, when billing_mode is PROVISIONED (indexes without their own "
            "capacity use the table's)",
            when=implies(PROVISIONED, var("read_capacity").not_null() & var("write_capacity").not_null()),
            example={"billing_mode": "PROVISIONED"},
            passing={"billing_mode": "PROVISIONED", "read_capacity": 5, "write_capacity": 5},
        ),
        Check(
            ("read_capacity", "billing_mode", "write_capacity", "global_secondary_indexes"),
            "must not be set, nor write_capacity nor any index capacity, when billing_mode is PAY_PER_REQUEST",
            when=PROVISIONED | expr.all_of(
                var("read_capacity").is_null(),
                var("write_capacity").is_null(),
                all_(var("global_secondary_indexes"),
                     lambda i: i["read_capacity"].is_null() & i["write_capacity"].is_null()),
            ),
            shown=("billing_mode", "read_capacity", "write_capacity"),
            example={"read_capacity": 5, "write_capacity": 5},
            passing={"billing_mode": "PROVISIONED", "read_capacity": 5, "write_capacity": 5,
                     "attributes": [{"name": "review_id", "type": "S"}, {"name": "place_id", "type": "S"}],
                     "global_secondary_indexes": [{"name": "by_place", "hash_key": "place_id", "read_capacity": 2,
                                                   "write_capacity": 2}]},
        ),
        Check(
            ("autoscaling_read_max_capacity", "billing_mode", "autoscaling_write_max_capacity"),
            "must only be set, like autoscaling_write_max_capacity, when billing_mode is PROVISIONED",
            when=PROVISIONED
            | (var("autoscaling_read_max_capacity").is_null() & var("autoscaling_write_max_capacity").is_null()),
            example={"autoscaling_read_max_capacity": 50},
            passing={"billing_mode": "PROVISIONED", "read_capacity": 5, "write_capacity": 5,
                     "autoscaling_read_max_capacity": 50, "autoscaling_write_max_capacity": 20},
        ),
        Check(
            ("global_secondary_indexes", "billing_mode", "autoscaling_scale_in_cooldown",
             "autoscaling_scale_out_cooldown"),
            "must set an index's autoscaling_read_max_capacity / autoscaling_write_max_capacity, and the "
            "autoscaling_scale_*_cooldown inputs, only when billing_mode is PROVISIONED",
            when=PROVISIONED | expr.all_of(
                var("autoscaling_scale_in_cooldown").is_null(),
                var("autoscaling_scale_out_cooldown").is_null(),
                all_(var("global_secondary_indexes"), lambda i: i["autoscaling_read_max_capacity"].is_null()
                     & i["autoscaling_write_max_capacity"].is_null()),
            ),
            shown=("billing_mode", "autoscaling_scale_in_cooldown", "autoscaling_scale_out_cooldown"),
            example={"autoscaling_scale_in_cooldown": 60},
            passing={"billing_mode": "PROVISIONED", "read_capacity": 5, "write_capacity": 5,
                     "autoscaling_scale_in_cooldown": 60, "autoscaling_scale_out_cooldown": 0},
        ),
        *(
            Check(
                ("global_secondary_indexes", f"{direction}_capacity"),
                # RegisterScalableTarget refuses a MaxCapacity below MinCapacity (the index's floor).
                f"must give each index an autoscaling_{direction}_max_capacity of at least its {direction}_capacity "
                f"(default: the table's {direction}_capacity)",
                when=all_(var("global_secondary_indexes"), _index_ceiling_at_least_floor(direction)),
                shown=("global_secondary_indexes",),
                example={
                    "billing_mode": "PROVISIONED", "read_capacity": 5, "write_capacity": 5,
                    "attributes": [{"name": "review_id", "type": "S"}, {"name": "place_id", "type": "S"}],
                    "global_secondary_indexes": [{"name": "by_place", "hash_key": "place_id",
                                                  f"{direction}_capacity": 10,
                                                  f"autoscaling_{direction}_max_capacity": 8}],
                },
                passing={
                    "billing_mode": "PROVISIONED", "read_capacity": 5, "write_capacity": 5,
                    "attributes": [{"name": "review_id", "type": "S"}, {"name": "place_id", "type": "S"}],
                    "global_secondary_indexes": [{"name": "by_place", "hash_key": "place_id",
                                                  f"{direction}_capacity": 10,
                                                  f"autoscaling_{direction}_max_capacity": 30}],
                },
            )
            for direction in ("read", "write")
        ),
        *(
            Check(
                (f"autoscaling_{direction}_max_capacity", f"{direction}_capacity"),
                f"must be at least {direction}_capacity",
                when=if_(var(f"autoscaling_{direction}_max_capacity").is_null() | var(f"{direction}_capacity").is_null(),
                         True, var(f"autoscaling_{direction}_max_capacity") >= var(f"{direction}_capacity")),
                example={
                    "billing_mode": "PROVISIONED",
                    "read_capacity": 5,
                    "write_capacity": 5,
                    f"{direction}_capacity": 10,
                    f"autoscaling_{direction}_max_capacity": 5,
                },
                passing={
                    "billing_mode": "PROVISIONED",
                    "read_capacity": 5,
                    "write_capacity": 5,
                    f"{direction}_capacity": 10,
                    f"autoscaling_{direction}_max_capacity": 10,
                },
            )
            for direction in ("read", "write")
        ),
        Check(
            ("global_secondary_indexes", "local_secondary_indexes"),
            f"must project at most {MAX_PROJECTED} non_key_attributes across all indexes",
            when=call("length", call("flatten", for_(
                call("concat", var("global_secondary_indexes"), var("local_secondary_indexes")),
                lambda i: call("coalesce", i["non_key_attributes"], []),
            ))) <= MAX_PROJECTED,
            example={
                "attributes": [{"name": "review_id", "type": "S"}, {"name": "place_id", "type": "S"}],
                "global_secondary_indexes": [{"name": "by_place", "hash_key": "place_id", "projection_type": "INCLUDE", "non_key_attributes": [f"attribute_{i}" for i in range(MAX_PROJECTED + 1)]}],
            },
            # Exactly the limit, split over a global and a local index.
            passing={
                "attributes": [{"name": "review_id", "type": "S"}, {"name": "place_id", "type": "S"},
                               {"name": "created_at", "type": "N"}, {"name": "rating", "type": "N"}],
                "range_key": "created_at",
                "global_secondary_indexes": [{"name": "by_place", "hash_key": "place_id", "projection_type": "INCLUDE", "non_key_attributes": [f"attribute_{i}" for i in range(MAX_PROJECTED - 1)]}],
                "local_secondary_indexes": [{"name": "by_rating", "range_key": "rating", "projection_type": "INCLUDE", "non_key_attributes": ["title"]}],
            },
        ),
        Check(
            ("stream_view_type", "stream_enabled"),
            "must only be set when stream_enabled = true",
            when=var("stream_view_type").is_null() | var("stream_enabled"),
            example={"stream_view_type": "NEW_IMAGE"},
            passing={"stream_view_type": "NEW_IMAGE", "stream_enabled": True},
        ),
        Check(
            ("stream_enabled", "stream_view_type"),
            "needs stream_view_type",
            when=implies(var("stream_enabled"), var("stream_view_type").not_null()),
            example={"stream_enabled": True},
            # Passing: the previous check's passing example.
        ),
        Check(
            ("server_side_encryption_kms_key_arn", "server_side_encryption_enabled"),
            "needs server_side_encryption_enabled = true",
            when=var("server_side_encryption_kms_key_arn").is_null() | var("server_side_encryption_enabled"),
            example={
                "server_side_encryption_kms_key_arn": "arn:aws:kms:ap-northeast-2:111122223333:key/example",
                "server_side_encryption_enabled": False,
            },
            passing={
                "server_side_encryption_kms_key_arn": "arn:aws:kms:ap-northeast-2:111122223333:key/example",
                "create_kms_key": False,
            },
        ),
        Check(
            ("replica_regions", "stream_enabled", "stream_view_type"),
            "need stream_enabled = true with stream_view_type NEW_AND_OLD_IMAGES (AWS turns it on for replicas; "
            "anything else is a perpetual diff)",
            when=(var("replica_regions").length() == 0)
            | (var("stream_enabled") & (var("stream_view_type") == "NEW_AND_OLD_IMAGES")),
            shown=("stream_enabled", "stream_view_type"),
            example={
                "replica_regions": [{"region_name": "ap-northeast-1", "kms_key_arn": "arn:aws:kms:ap-northeast-1:111122223333:key/example"}],
            },
            passing={
                "replica_regions": [{"region_name": "ap-northeast-1", "kms_key_arn": "arn:aws:kms:ap-northeast-1:111122223333:key/example"}],
                "stream_enabled": True,
                "stream_view_type": "NEW_AND_OLD_IMAGES",
            },
        ),
        Check(
            ("replica_regions", "server_side_encryption_enabled"),
            "each need a kms_key_arn in their region when the table is encrypted with a customer managed key "
            "(AWS: KMSMasterKeyId must be specified for each replica)",
            when=implies(var("server_side_encryption_enabled"),
                         all_(var("replica_regions"), lambda r: r["kms_key_arn"].not_null())),
            example={
                "replica_regions": [{"region_name": "ap-northeast-1"}],
                "stream_enabled": True,
                "stream_view_type": "NEW_AND_OLD_IMAGES",
            },
            # Passing: the previous check's passing example (a replica with its key).
        ),
        Check(
            ("billing_mode", "on_demand_max_read_request_units", "on_demand_max_write_request_units",
             "global_secondary_indexes"),
            "must be PAY_PER_REQUEST for on-demand throughput limits (on_demand_max_*_request_units, an index's "
            "max_*_request_units)",
            when=implies(ON_DEMAND_LIMITED, not_(PROVISIONED)),
            shown=("billing_mode",),
            example={"billing_mode": "PROVISIONED", "read_capacity": 5, "write_capacity": 5,
                     "on_demand_max_read_request_units": 100},
            passing={"on_demand_max_read_request_units": 100, "on_demand_max_write_request_units": -1},
        ),
        *rules.name_length_checks(AWS_NAMES),
        *shared.create_kms_key_checks(
            ("server_side_encryption_kms_key_arn", "server_side_encryption_enabled"),
            ("server_side_encryption_kms_key_arn",),
            needs="needs server_side_encryption_kms_key_arn when false and server_side_encryption_enabled: the module "
            "then creates no key",
            unused="must be false when server_side_encryption_kms_key_arn is given (the module's key would encrypt "
            "nothing)",
            key_needed=KMS_KEY_NEEDED,
            encrypts_anything=var("server_side_encryption_enabled"),
        ),
        shared.key_region_check("server_side_encryption_kms_key_arn", create_kms_key=False),
        Check(
            ("replica_regions",),
            lambda v: f"must not name the stack's own region {v.get(rules.REGION_KEY)}: the table is there (AWS: "
            "Cannot add, delete, or update the local region through ReplicaUpdates)",
            when=all_(var("replica_regions"),
                      lambda r: if_(rules.STACK_REGION.is_null(), True, r["region_name"] != rules.STACK_REGION)),
            hcl_message="replica_regions must not name the module's own region (the provider's, "
            "data.aws_region.current): the table is there.",
            example={"replica_regions": [{"region_name": "ap-northeast-2", "kms_key_arn": shared.KEY_ARN_EXAMPLE}],
                     "stream_enabled": True, "stream_view_type": "NEW_AND_OLD_IMAGES"},
            # Passing: the replica checks' passing example (a replica in ap-northeast-1).
        ),
        Check(
            ("replica_regions",),
            "must give each replica a kms_key_arn of its own region_name and of the stack's partition (a KMS key "
            "encrypts in its own region only)",
            when=all_(var("replica_regions"), lambda r: rules.in_region(r["kms_key_arn"], r["region_name"])
                      & rules.in_stack_partition(r["kms_key_arn"])),
            example={"replica_regions": [{"region_name": "ap-northeast-1", "kms_key_arn": shared.KEY_ARN_EXAMPLE}],
                     "stream_enabled": True, "stream_view_type": "NEW_AND_OLD_IMAGES"},
            # Passing: the replica checks' passing example (a replica in ap-northeast-1, its key there).
        ),
        Check(
            ("create_resource_policy", "resource_policy"),
            "needs resource_policy when true",
            when=implies(var("create_resource_policy"), var("resource_policy").not_null()),
            shown=("create_resource_policy",),
            example={"create_resource_policy": True},
            passing={"create_resource_policy": True, "resource_policy": POLICY_EXAMPLE},
        ),
        Check(
            ("resource_policy", "create_resource_policy"),
            "needs create_resource_policy = true (Terraform must know at plan time that the policy exists)",
            when=var("resource_policy").is_null() | var("create_resource_policy"),
            shown=("create_resource_policy",),
            example={"create_resource_policy": False, "resource_policy": POLICY_EXAMPLE},
            # Passing: the previous check's passing example.
        ),
    ),
    aws_names=AWS_NAMES,
    advice=(alarms.NOBODY_NOTIFIED,),
)
KMS_KEY_UNUSED = (
    "create_kms_key must be false when server_side_encryption_kms_key_arn is given (the module's key would "
    "encrypt nothing)."
)
