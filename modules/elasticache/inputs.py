"""ElastiCache (Valkey) inputs and the rules AWS enforces on them (../shared/reference/aws-constraints.md §1).

Most rules below are ones the provider leaves to `terraform apply` (AWS rejects the request); checking them here
turns a failed apply into a message at synth time, and, as `validation`/`precondition` blocks, at plan time.
Every condition is written once in the rule language (generator.language.expr): Python evaluates it on an environment
file's values, Terraform on a caller's.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from generator.language import expr, rules
from generator.language.expr import (Expr, Local, all_, any_, any_of, call, if_, implies, not_, text, try_, unless_null, value,
                           var)
from generator.language.inputs import Check, Input, InputSet, Rule
from generator.language.types import BOOL, NUMBER, STRING, list_of, literal, map_of, object_of, optional
from modules.shared import alarms
from modules.shared import inputs as shared
from modules.shared import rbac
from modules.catalog import (
    DATA_TIERING_MAXMEMORY_POLICIES,
    ELASTICACHE_NODE_TYPES,
    ENGINE_FAMILIES,
    ENGINE_NAMES,
    ENGINE_VERSIONS,
    PARAMETERS_BY_FAMILY,
    REDIS_ENGINE_VERSIONS,
    VALKEY_DEFAULT_ENGINE_VERSION,
    VALKEY_ENGINE_VERSIONS,
    VALKEY_PARAMETER_TYPES,
    VALKEY_END_OF_SUPPORT,
    VALKEY_KNOWN_VERSIONS,
    VALKEY_SUPPORT_SOURCE,
    redis_support_advice,
    version_advice,
)

# ElastiCache's own key: a group created with at-rest encryption and no KmsKeyId uses it, and reports no key.
AWS_MANAGED_KEY = "alias/aws/elasticache"

# --- windows -----------------------------------------------------------------------------------------------------
_HHMM = "([01][0-9]|2[0-3]):[0-5][0-9]"
_DAY = "(sun|mon|tue|wed|thu|fri|sat)"
DAILY_WINDOW = f"{_HHMM}-{_HHMM}"
WEEKLY_WINDOW = f"{_DAY}:{_HHMM}-{_DAY}:{_HHMM}"
DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
# The first minute of each day in a week that starts on Sunday (the windows' days are lowercase: the pattern says so).
_DAY_START = expr.lift({day: n * MINUTES_PER_DAY for n, day in enumerate(DAYS)})


def _minute_of_day(hhmm: Expr) -> Expr:
    """`hh:mm` → minutes since midnight."""
    parts = call("split", ":", hhmm)
    return call("tonumber", parts[0]) * 60 + call("tonumber", parts[1])


def _minute_of_week(ddd_hhmm: Expr) -> Expr:
    """`ddd:hh:mm` → minutes since Sunday 00:00."""
    parts = call("split", ":", ddd_hhmm)
    return _DAY_START[parts[0]] + call("tonumber", parts[1]) * 60 + call("tonumber", parts[2])


def _modulo(difference: Expr, period: int) -> Expr:
    """`difference` (strictly between -period and period) brought into [0, period)."""
    return (difference + period) % period


def _window(window: Expr, minute: Callable[[Expr], Expr], period: int) -> tuple[Expr, Expr]:
    """(start, length) in minutes of a window `<start>-<end>`; a window may run past midnight or the week's end."""
    ends = call("split", "-", window)
    start, end = minute(ends[0]), minute(ends[1])
    return start, _modulo(end - start, period)


def daily_window(window: Any) -> tuple[Expr, Expr]:
    """`hh24:mi-hh24:mi` → (start, length) in minutes."""
    return _window(expr.lift(window), _minute_of_day, MINUTES_PER_DAY)


def weekly_window(window: Any) -> tuple[Expr, Expr]:
    """`ddd:hh24:mi-ddd:hh24:mi` → (start minute of the week, length)."""
    return _window(expr.lift(window), _minute_of_week, MINUTES_PER_WEEK)


def _overlap(snap_start: Expr, snap_length: Expr, maint_start: Expr, maint_length: Expr) -> Expr:
    # The daily window on each day of the week, against the weekly one on a circle of one week: two intervals
    # overlap when either starts inside the other.
    return any_(list(range(7)), lambda day: any_of(
        _modulo(day * MINUTES_PER_DAY + snap_start - maint_start, MINUTES_PER_WEEK) < maint_length,
        _modulo(maint_start - (day * MINUTES_PER_DAY + snap_start), MINUTES_PER_WEEK) < snap_length,
    ))


# The windows in minutes, as the module's locals (resources.py): the overlap precondition reads them.
_SNAPSHOT_ENDS = call("split", "-", var("snapshot_window"))
_MAINTENANCE_ENDS = call("split", "-", var("maintenance_window"))
SNAPSHOT_WINDOW_START = Local("snapshot_window_start", _minute_of_day(_SNAPSHOT_ENDS[0]))
MAINTENANCE_WINDOW_START = Local("maintenance_window_start", _minute_of_week(_MAINTENANCE_ENDS[0]))
WINDOW_LOCALS = (
    SNAPSHOT_WINDOW_START,
    Local("snapshot_window_minutes",
          _modulo(_minute_of_day(_SNAPSHOT_ENDS[1]) - SNAPSHOT_WINDOW_START, MINUTES_PER_DAY)),
    MAINTENANCE_WINDOW_START,
    Local("maintenance_window_minutes",
          _modulo(_minute_of_week(_MAINTENANCE_ENDS[1]) - MAINTENANCE_WINDOW_START, MINUTES_PER_WEEK)),
)
WINDOWS_OVERLAP = _overlap(*WINDOW_LOCALS)


def windows_overlap(snapshot_window: str, maintenance_window: str) -> bool:
    return expr.holds(WINDOWS_OVERLAP, {"snapshot_window": snapshot_window, "maintenance_window": maintenance_window})


# AWS: "Snapshot window must be at least 60 minutes"; maintenance windows likewise (PreferredMaintenanceWindow).
# Terraform evaluates every validation block, so the length rule keeps a malformed window (the format rule's to
# report) away from its arithmetic.
SNAPSHOT_WINDOW_RULES = (
    rules.matches(DAILY_WINDOW, "be a daily window hh24:mi-hh24:mi in UTC, such as 03:00-05:00"),
    Rule("last at least 60 minutes", when=if_(value.matches(DAILY_WINDOW), daily_window(value)[1] >= 60, True),
         example="03:00-03:30", passing="23:30-00:30"),
)
MAINTENANCE_WINDOW_RULES = (
    rules.matches(WEEKLY_WINDOW, "be a weekly window ddd:hh24:mi-ddd:hh24:mi in UTC, such as sun:05:00-sun:07:00"),
    Rule("last at least 60 minutes", when=if_(value.matches(WEEKLY_WINDOW), weekly_window(value)[1] >= 60, True),
         example="sun:05:00-sun:05:59", passing="sat:23:30-sun:00:30"),
)

# An .rdb file in S3 (AWS "Seeding a new cluster with an externally created backup"): the bucket (3-63 lowercase
# letters, digits, dots and hyphens) and the object key; the provider refuses commas (the API joins the list).
S3_OBJECT_ARN = "arn:(aws|aws-cn|aws-us-gov):s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[^,]+"

# --- RBAC users (aws_elasticache_user, aws_elasticache_user_group): declared once in modules/shared/rbac.py --------
USER_RULES, USER_PASSWORD_RULES, ACL_CATEGORIES = rbac.USER_RULES, rbac.USER_PASSWORD_RULES, rbac.ACL_CATEGORIES


def _rbac_secret_wanted(given: Mapping[str, Any]) -> bool:
    """Environment files: the AUTH token's root variable exists only without RBAC (users or user_group_ids) and
    without authentication_disabled."""
    return not given.get("users") and not given.get("user_group_ids") and given.get("authentication_disabled") is not True


# The smallest valid RBAC setup (the user AWS requires, named "default", with its password): the failing examples of
# the RBAC checks add the one thing each refuses.
_RBAC_EXAMPLE = {
    "auth_token": None,  # the module's example call has a token (AUTH_TOKEN_EXAMPLE): RBAC replaces it
    "users": rbac.DEFAULT_USER_ONLY,
    "user_passwords": rbac.DEFAULT_USER_PASSWORDS,
}
# The module's example call authenticates clients with an AUTH token (a call without authentication is refused
# unless authentication_disabled says so).
AUTH_TOKEN_EXAMPLE = "example-token-0123456789"
# What a call needs to run without authentication: no token, and the opt-out.
_NO_AUTHENTICATION = {"auth_token": None, "authentication_disabled": True}
AUTHENTICATED = any_of(var("auth_token").not_null(), var("users").length() > 0, var("user_group_ids").length() > 0)


# --- identity ----------------------------------------------------------------------------------------------------
# AWS CreateReplicationGroup ReplicationGroupId: 1-40 characters, letters, digits and hyphens, begins with a letter,
# no two consecutive hyphens, no trailing hyphen. AWS stores it in lowercase, so only lowercase is accepted here:
# an uppercase id would differ from the one in state.
REPLICATION_GROUP_ID_PATTERN = "[a-z](?:[a-z0-9]|-[a-z0-9])*"

# Values the module derives from its inputs, written into its `locals` by resources.py and read by the checks below.
REPLICATION_GROUP_ID = Local("replication_group_id", text(var("name_prefix"), var("cluster_name")))
# Cluster mode is on exactly when the caller sizes the group by shards.
CLUSTER_MODE = Local("cluster_mode", var("num_node_groups").not_null())
# A secondary of a Global Datastore is in cluster mode when the global group is (its shards are the primary's).
GROUP_CLUSTER_MODE = Local("group_cluster_mode", CLUSTER_MODE
                           | try_(var("global_datastore")["num_node_groups"].not_null(), False))
# Nodes in cluster mode: shards × (replicas + 1), with the module's default of one replica (resources.py).
MAX_NODES = 500
NODES = var("num_node_groups") * (call("coalesce", var("replicas_per_node_group"), 1) + 1)
# A secondary of a Global Datastore (global_datastore set) runs the global group's engine and version; otherwise
# the caller's.
ENGINE = Local("engine", try_(var("global_datastore")["engine"], var("engine")))
ENGINE_VERSION = Local("engine_version", try_(var("global_datastore")["engine_version"], var("engine_version")))
SECONDARY = Local("global_secondary", var("global_datastore").not_null())
# The parameter group family follows the engine and its major version (modules/catalog.py ENGINE_FAMILIES: Valkey
# 7.2 → valkey7, 8.x → valkey8; Redis OSS 7.x → redis7, 6.x → redis6.x); a group of the wrong family is refused by
# AWS ("Expected a parameter group of family …"). A pair the catalog does not have (refused by the engine_version
# check) gives "".
PARAMETER_GROUP_FAMILY = Local("parameter_group_family", call(
    "lookup", expr.lift({f"{engine} {version}": family for (engine, version), family in ENGINE_FAMILIES.items()}),
    text(ENGINE, " ", ENGINE_VERSION), ""))

# Each log type goes to one destination (AWS: one LogDeliveryConfiguration per log type): its CloudWatch log
# group, which the module creates and encrypts, or a Kinesis Data Firehose delivery stream the caller owns.
LOG_TYPES = (("slow-log", "slow_log_enabled", "slow_log_firehose_stream"),
             ("engine-log", "engine_log_enabled", "engine_log_firehose_stream"))
# AWS Firehose CreateDeliveryStream DeliveryStreamName: 1-64 letters, digits, underscores, hyphens and periods.
FIREHOSE_STREAM_RULES = (rules.matches("[a-zA-Z0-9_.-]{1,64}", "be a Firehose delivery stream name: 1 to 64 letters, "
                                       "digits, _, - or ."),)


def _cloudwatch_log(flag: str, stream: str) -> Expr:
    """The log type goes to the module's CloudWatch log group (on, no Firehose stream, no group of the caller's)."""
    return var(flag) & var(stream).is_null() & var(stream.replace("_firehose_stream", "_group_name")).is_null()


# Logs in the module's CloudWatch log groups (Firehose streams are encrypted by their owner).
CLOUDWATCH_LOGS = any_of(*(_cloudwatch_log(flag, stream) for _, flag, stream in LOG_TYPES))
# Something is encrypted that the caller gave no key for: the module's own key is needed (and created).
KMS_KEY_NEEDED = Local(
    "kms_key_needed",
    any_of(var("at_rest_encryption_enabled") & var("kms_key_arn").is_null(),
           CLOUDWATCH_LOGS & var("log_kms_key_arn").is_null()),
)
ENCRYPTS_ANYTHING = any_of(var("at_rest_encryption_enabled"), CLOUDWATCH_LOGS)
# The same condition in HCL, for the module key's `count` (resources.py).
ENCRYPTS_ANYTHING_HCL = ENCRYPTS_ANYTHING.hcl()
KMS_KEY_UNUSED = (
    "create_kms_key must be false when kms_key_arn and log_kms_key_arn cover everything that is encrypted "
    "(the module's key would encrypt nothing)."
)


# Data tiering exists only on r6gd nodes, and is mandatory there (API doc DataTieringEnabled).
_NODE_FAMILY = call("split", ".", var("node_type"))[1]
DATA_TIERING_NODE = _NODE_FAMILY == "r6gd"

_ID_INPUTS = ("cluster_name", "name_prefix")
# Every name the module gives AWS (resources.py), with AWS's limit. All follow from the replication group id, whose
# own check (at most 40 characters) keeps every one of them within its limit: no length check of their own.
AWS_NAMES = (
    rules.AwsName("ElastiCache replication group", _ID_INPUTS, "<name_prefix + cluster_name>",
                  REPLICATION_GROUP_ID, 40, "CreateReplicationGroup", fold_case=True, bounded=True),
    rules.AwsName(
        "ElastiCache parameter group", _ID_INPUTS, "<replication group id>-valkey<major>[-cluster]",
        text(REPLICATION_GROUP_ID, "-", PARAMETER_GROUP_FAMILY, if_(CLUSTER_MODE, "-cluster", "")),
        255, "CreateCacheParameterGroup", fold_case=True, bounded=True,
    ),
    rules.AwsName("ElastiCache subnet group", _ID_INPUTS, "<replication group id>", REPLICATION_GROUP_ID, 255,
                  "CreateCacheSubnetGroup", fold_case=True, bounded=True),
    rules.AwsName("KMS alias", _ID_INPUTS, "alias/elasticache/<replication group id>",
                  text("alias/elasticache/", REPLICATION_GROUP_ID), 256, "KMS CreateAlias", created=KMS_KEY_NEEDED,
                  bounded=True),
    *(
        rules.AwsName(
            "CloudWatch log group", _ID_INPUTS, f"/aws/elasticache/<replication group id>/{log}",
            text("/aws/elasticache/", REPLICATION_GROUP_ID, f"/{log}"), 512, "CloudWatch Logs CreateLogGroup",
            created=_cloudwatch_log(flag, stream), bounded=True,
        )
        for log, flag, stream in LOG_TYPES
    ),
    # name_prefix: Terraform appends a 26-character unique suffix.
    rules.AwsName("security group", _ID_INPUTS, "<replication group id>-<26 characters>",
                  text(REPLICATION_GROUP_ID, "-" + "0" * 26), 255, "EC2 CreateSecurityGroup", unique=False,
                  bounded=True),
)


def _unknown_parameters(values: Mapping[str, Any]) -> list[str]:
    """For the message: the parameters the family does not have (the check itself is UNKNOWN_PARAMETERS)."""
    known = PARAMETERS_BY_FAMILY.get(PARAMETER_GROUP_FAMILY.evaluate(values), ())
    return [name for name in values["parameters"] if name not in known]


def _unknown_parameter(values: Mapping[str, Any]) -> str:
    """The first parameter the family lacks: a Valkey-only or Redis-only one says which families have it."""
    family, name = PARAMETER_GROUP_FAMILY.evaluate(values), _unknown_parameters(values)[0]
    others = [other for other, names in PARAMETERS_BY_FAMILY.items() if other != family and name in names]
    if others:
        listed = others[0] if len(others) == 1 else ", ".join(others[:-1]) + " and " + others[-1]
        return f"{literal(name)} (a parameter of the {listed} famil{'ies' if len(others) > 1 else 'y'} only)"
    return rules.unknown_keys({name: None}, PARAMETERS_BY_FAMILY[family])


# A parameter its family does not have (AWS InvalidParameterValue); an unknown family (a refused engine and version)
# has none.
UNKNOWN_PARAMETERS = call("setsubtract", call("keys", var("parameters")), call(
    "lookup", expr.lift({family: list(names) for family, names in PARAMETERS_BY_FAMILY.items()}),
    PARAMETER_GROUP_FAMILY, expr.lift([])))

# The value each parameter takes (modules/catalog.py), a value AWS refuses with InvalidParameterValue; a name the
# family does not have is the check's above.
PARAMETER_VALUE = rules.typed_value(VALKEY_PARAMETER_TYPES)


def _parameter_got(parameters: Mapping[str, str], accepts: Callable[[str, str], bool], typed: bool = False) -> str:
    name = next(k for k in sorted(parameters) if not accepts(k, parameters[k]))
    also = f" (it takes {VALKEY_PARAMETER_TYPES[name].description})" if typed else ""
    return f"{name} = {rules.shown(parameters[name])}{also}"


PARAMETER_RULES = (
    Rule(
        "give each parameter a value without control characters",
        when=all_(value, lambda name, given: rules.no_control_characters(given)),
        got=lambda v: _parameter_got(v, lambda k, given: expr.holds(rules.no_control_characters(expr.lift(given)), {})),
        example={"notify-keyspace-events": "Ex\n"},
        passing={"maxmemory-policy": " ~\u00a0"},  # the characters either side of the control ranges
    ),
    Rule(
        "give each parameter a value (to go back to the default, leave the parameter out)",
        when=all_(value, lambda name, given: given != ""),
        got=lambda v: _parameter_got(v, lambda k, given: given != ""),
        example={"notify-keyspace-events": ""},
        passing={"notify-keyspace-events": "x"},
    ),
    Rule(
        "give each parameter a value of its type (AWS's documented values and ranges, in modules/catalog.py)",
        when=all_(value, lambda name, given: PARAMETER_VALUE(name, given)),
        got=lambda v: _parameter_got(v, lambda k, given: expr.holds(PARAMETER_VALUE(k, expr.lift(given)), {}), True),
        example={"reserved-memory-percent": "101"},
        passing={"reserved-memory-percent": "100", "maxmemory-samples": "64", "timeout": "0",
                 "notify-keyspace-events": "KEg$lshzxtemdnA", "maxmemory-policy": "allkeys-lru",
                 "slowlog-log-slower-than": "-1", "rename-commands": "flushall nuke-all keys all-keys"},
    ),
)

# --- Global Datastore (aws_elasticache_global_replication_group) ---------------------------------------------------
# The primary's settings a secondary needs, as the primary's `global_datastore` output gives them: a secondary takes
# the global group's engine, version, node type, shards and encryption (the provider's global_replication_group_id
# ConflictsWith those arguments), and AWS refuses a secondary whose settings differ (aws-constraints.md §1).
GLOBAL_DATASTORE = object_of(
    id=STRING, engine=STRING, engine_version=STRING, node_type=STRING, num_node_groups=optional(NUMBER),
    at_rest_encryption_enabled=BOOL, transit_encryption_enabled=BOOL, auth_token_enabled=BOOL,
    secondary_regions=list_of(STRING),
)
_GLOBAL = var("global_datastore")
_PRIMARY_EXAMPLE = {"global_replication_group_id_suffix": "sessions", "node_type": "cache.r7g.large"}
_SECONDARY_EXAMPLE = {
    "global_datastore": {
        "id": "ldgnf-sessions", "engine": "valkey", "engine_version": "8.2", "node_type": "cache.r7g.large",
        "num_node_groups": None, "at_rest_encryption_enabled": True, "transit_encryption_enabled": True,
        "auth_token_enabled": True, "secondary_regions": [rules.EXAMPLE_REGION],
    },
}


def _secondary(**changes: Any) -> dict[str, Any]:
    return {"global_datastore": {**_SECONDARY_EXAMPLE["global_datastore"], **changes}}


def _major(version: Expr) -> Expr:
    return call("split", ".", version)[0]


# AWS "Global Datastore prerequisites and limitations": M5, R5 and later node types only (no T, C or 4th generation).
GLOBAL_NODE_TYPE = "cache[.][mr][5-9][a-z]*[.].*"

INPUTS = InputSet(
    inputs=(
        Input(
            "name_prefix",
            STRING,
            shared.NAME_PREFIX_DESCRIPTION,
            example="mapzip-dev-",
            rules=(rules.matches("[a-z][a-z0-9-]*", "be lowercase letters, digits and hyphens, starting with a letter"),),
        ),
        Input(
            "cluster_name",
            STRING,
            "Name of the cache; the replication group id is name_prefix + cluster_name.",
            example="auth",
            rules=(rules.matches("[a-z0-9][a-z0-9-]*", "be lowercase letters, digits and hyphens"),),
        ),
        Input(
            "description",
            STRING,
            "Description of the replication group. Default: \"Valkey replication group <id>\" (\"Redis OSS ...\" "
            "with engine = \"redis\").",
            default=None,
            rules=(rules.length_between(1, 255),),
        ),
        Input(
            "node_type",
            STRING,
            "Node type, such as cache.t4g.small or cache.r7g.large.",
            default="cache.r7g.large",
            rules=(
                rules.matches("cache[.][a-z0-9-]+[.][a-z0-9]+", "be a node type cache.<family>.<size>, such as cache.r7g.large"),
                rules.in_catalog(
                    ELASTICACHE_NODE_TYPES,
                    "a node type ElastiCache offers for Valkey (modules/catalog.py)",
                    listing="the families " + ", ".join(dict.fromkeys(t.rsplit(".", 1)[0] for t in ELASTICACHE_NODE_TYPES)),
                ),
            ),
        ),
        Input(
            "engine",
            STRING,
            "Cache engine: \"valkey\" or \"redis\" (Redis OSS, for a group that runs it today). A Redis OSS group "
            "moves to Valkey in place: engine = \"valkey\" with a Valkey engine_version (docs/redis.md).",
            default="valkey",
            rules=(rules.one_of(["valkey", "redis"]),),
        ),
        Input(
            "engine_version",
            STRING,
            "Engine version (major.minor): Valkey " + ", ".join(VALKEY_ENGINE_VERSIONS) + "; Redis OSS "
            + ", ".join(REDIS_ENGINE_VERSIONS) + ". The parameter group family follows from the engine and version: "
            "valkey7, valkey8, redis7 or redis6.x.",
            default=VALKEY_DEFAULT_ENGINE_VERSION,
            rules=(rules.one_of(dict.fromkeys(VALKEY_KNOWN_VERSIONS + REDIS_ENGINE_VERSIONS)),),
            advice=lambda v: version_advice(
                v, VALKEY_END_OF_SUPPORT, VALKEY_SUPPORT_SOURCE, VALKEY_DEFAULT_ENGINE_VERSION, "replication groups"
            ) or redis_support_advice(v),
        ),
        Input("port", NUMBER, "Port the cache listens on; the security group opens only this port.", default=6379,
              rules=(rules.between(1024, 65535),)),
        *shared.network(
            "the cache port",
            Input(
                "subnet_ids",
                list_of(STRING),
                "Private subnets of the cache subnet group, one per Availability Zone the nodes may use.",
                rules=(rules.not_empty("subnet"), rules.resource_ids("subnet"), rules.distinct("subnet", "subnet-0123456789abcdef0")),
                example=["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
            ),
        ),
        *shared.security_group_naming('"Valkey <replication group id>: cache port from allowed sources only"'),
        Input(
            "subnet_group_name",
            STRING,
            "Exact name of the cache subnet group, for one that already exists (the name is ForceNew). "
            "Default: the replication group id.",
            default=None,
            # AWS CreateCacheSubnetGroup: at most 255 letters, digits or hyphens, stored in lowercase.
            rules=(rules.matches("[a-z0-9-]{1,255}", "be 1 to 255 lowercase letters, digits or hyphens"),),
        ),
        Input(
            "subnet_group_description",
            STRING,
            "Description of the cache subnet group, to keep an existing group's (AWS's default is \"Managed by "
            "Terraform\" for one Terraform created without it). Default: Subnets of <replication group id>.",
            default=None,
            # CreateCacheSubnetGroup: CacheSubnetGroupDescription is required, at most 255 characters.
            rules=(rules.length_between(1, 255),),
        ),
        Input(
            "parameter_group_name",
            STRING,
            "Exact name of the parameter group, for one that already exists (the name is ForceNew). Default: "
            "<replication group id>-<family>, with -cluster in cluster mode, so that a new family or mode gets a "
            "new group. With a fixed name, a change of family replaces the group in place of creating a new one.",
            default=None,
            # AWS: begins with a letter; letters, digits and hyphens; no two hyphens in a row; no trailing hyphen.
            rules=(rules.matches("[a-z](?:[a-z0-9]|-[a-z0-9]){0,254}", "be up to 255 lowercase letters, digits and single hyphens, starting with a letter"),),
        ),
        Input(
            "parameter_group_description",
            STRING,
            "Description of the parameter group (ForceNew). Default: \"Valkey parameters of <replication group id>\" "
            "(\"Redis OSS ...\" with engine = \"redis\").",
            default=None,
            rules=(rules.length_between(1, 255),),
        ),
        Input(
            "num_cache_clusters",
            NUMBER,
            "Nodes (primary + replicas) without cluster mode, 1 to 6. Default: 2 (one replica). "
            "Leave unset in cluster mode.",
            default=None,
            rules=(rules.between(1, 6),),
        ),
        Input(
            "num_node_groups",
            NUMBER,
            "Shards. Setting it turns cluster mode on (cluster-enabled parameter group, configuration endpoint).",
            default=None,
            # AWS allows 1-90 shards by default, up to 500 with a quota increase.
            rules=(rules.between(1, 500),),
        ),
        Input(
            "replicas_per_node_group",
            NUMBER,
            "Replicas per shard in cluster mode, 0 to 5. Default: 1.",
            default=None,
            rules=(rules.between(0, 5),),
        ),
        Input(
            "automatic_failover_enabled",
            BOOL,
            "Promote a replica when the primary fails. Always on in cluster mode; needs 2+ nodes otherwise.",
            default=True,
        ),
        Input("multi_az_enabled", BOOL, "Spread nodes across Availability Zones (needs automatic failover).", default=True),
        Input(
            "parameters",
            map_of(STRING),
            "Engine parameters, merged into the module's parameter group (cluster-enabled is set by the module). "
            "Each value is of its parameter's type and range as AWS documents them (the generator's "
            "modules/catalog.py), without control characters.",
            default={},
            rules=PARAMETER_RULES,
        ),
        Input(
            "at_rest_encryption_enabled",
            BOOL,
            "Encrypt data at rest. Turning it off weakens security.",
            default=True,
            weakens=(False, "turns off encryption at rest"),
        ),
        Input(
            "kms_key_arn",
            STRING,
            "Customer managed KMS key for encryption at rest. Default: a key the module creates (rotation on). "
            "alias/aws/elasticache keeps ElastiCache's default key for a group that already uses it (the key is "
            "ForceNew); synth warns.",
            default=None,
            rules=shared.kms_key("ElastiCache", AWS_MANAGED_KEY),
            weakens=shared.aws_managed_key_warning(AWS_MANAGED_KEY),
        ),
        shared.create_kms_key("data at rest and the logs", KMS_KEY_NEEDED),
        Input(
            "transit_encryption_enabled",
            BOOL,
            "TLS between clients and nodes. Turning it off weakens security.",
            default=True,
            weakens=(False, "turns off encryption in transit (and with it AUTH)"),
        ),
        Input(
            "transit_encryption_mode",
            STRING,
            "\"preferred\" while migrating clients to TLS, else \"required\". Default: AWS's (required).",
            default=None,
            rules=(rules.one_of(["preferred", "required"]),),
        ),
        Input(
            "auth_token",
            STRING,
            "AUTH password (16-128 characters: letters, digits and !&#$^<>-). Needs transit encryption. "
            "Pass it as a sensitive variable, never in a file. Without it, users or user_group_ids (RBAC) are "
            "needed, or authentication_disabled = true.",
            default=None,
            example=AUTH_TOKEN_EXAMPLE,
            sensitive=True,
            secret=True,
            secret_only_with="transit_encryption_enabled",
            secret_wanted=_rbac_secret_wanted,
            # AWS is stricter than the provider, which only bans @, " and /.
            rules=(rules.matches("[A-Za-z0-9!&#$^<>-]{16,128}", "be 16 to 128 letters, digits or !&#$^<>-"),),
        ),
        Input(
            "authentication_disabled",
            BOOL,
            "Let clients connect without authentication: no auth_token, users or user_group_ids. Weakens security; "
            "synth prints a warning. Without it, a call that gives none of them is refused.",
            default=False,
            weakens=(True, "lets clients connect without authentication (no AUTH token, no RBAC)"),
        ),
        Input(
            "auth_token_update_strategy",
            STRING,
            "How a change of auth_token reaches a running group: ROTATE (the provider's default) adds the new token "
            "and keeps the old one valid; SET then makes the new one the only token; DELETE removes AUTH, only on the "
            "way to RBAC (user_group_ids, auth_token unset). Ignored when the group is created.",
            default=None,
            rules=(rules.one_of(["ROTATE", "SET", "DELETE"]),),
        ),
        Input(
            "user_group_ids",
            list_of(STRING),
            "RBAC user group (AWS accepts one). Excludes auth_token.",
            default=[],
            rules=(rules.items_between(0, 1, "user groups"),),
        ),
        rbac.users_input(
            "RBAC users the module creates, by user id: { user_name (default: the id), access_string, "
            "authentication_type = \"password\" (default) or \"iam\" }. The module puts them in a user group "
            "named after the replication group and attaches it. AWS requires a user named \"default\" in every "
            "group (give it a restrictive access string, such as \"off ~* -@all\"). Excludes auth_token and "
            "user_group_ids; needs transit encryption.",
            default={},
        ),
        rbac.user_passwords_input(),
        Input(
            "snapshot_retention_limit",
            NUMBER,
            "Days to keep automatic snapshots, 0 to 35; 0 turns backups off.",
            default=7,
            rules=(rules.between(0, 35),),
            weakens=(0, "turns off automatic backups"),
        ),
        Input("snapshot_window", STRING, "Daily snapshot window (UTC).", default="03:00-04:00", rules=SNAPSHOT_WINDOW_RULES),
        Input(
            "maintenance_window",
            STRING,
            "Weekly maintenance window (UTC); must not overlap the snapshot window.",
            default="sun:05:00-sun:06:00",
            rules=MAINTENANCE_WINDOW_RULES,
        ),
        Input(
            "snapshot_arns",
            list_of(STRING),
            "RDB files in S3 to seed the group with when it is created (ForceNew: a change replaces the group and "
            "its data). Excludes snapshot_name.",
            default=[],
            rules=(rules.each_matches(S3_OBJECT_ARN, "hold only ARNs of S3 objects without commas, such as "
                                      "arn:aws:s3:::backups/cache/dump.rdb"),),
        ),
        Input(
            "snapshot_name",
            STRING,
            "ElastiCache snapshot to restore when the group is created (ForceNew: a change replaces the group and its "
            "data). Excludes snapshot_arns. Without it (and snapshot_arns) the group starts empty.",
            default=None,
            # AWS CreateSnapshot SnapshotName: 1-255 characters; the provider's only check is that it is not empty.
            rules=(rules.length_between(1, 255),),
        ),
        Input(
            "final_snapshot_identifier",
            STRING,
            "Name of a snapshot taken when the group is deleted. Default: none.",
            default=None,
            rules=(rules.matches("[a-z](?:[a-z0-9]|-[a-z0-9])*", "be lowercase letters, digits and single hyphens"),),
        ),
        Input(
            "global_replication_group_id_suffix",
            STRING,
            "Make this group the primary of an ElastiCache Global Datastore (aws_elasticache_global_replication_group) "
            "whose id is AWS's prefix + this suffix. The module's `global_datastore` output is what a secondary's "
            "call takes. Excludes global_datastore. Without it the module creates no Global Datastore.",
            default=None,
            rules=(rules.matches("[a-z0-9](?:[a-z0-9]|-[a-z0-9]){0,39}", "be 1 to 40 lowercase letters, digits and "
                                 "single hyphens"),),
        ),
        Input(
            "global_secondary_regions",
            list_of(STRING),
            "The Regions of the Global Datastore's secondaries (at most two, AWS's limit), on the primary: each "
            "secondary's call checks that its Region is one of them.",
            default=[],
            rules=(rules.items_between(0, 2, "Regions (AWS allows two secondaries)"),
                   rules.each_matches("[a-z]{2}(-[a-z]+)+-[0-9]", "hold only Region names, such as eu-west-1"),
                   rules.distinct("Region", "eu-west-1")),
        ),
        Input(
            "global_datastore",
            GLOBAL_DATASTORE,
            "Join a Global Datastore as a secondary: the primary module's `global_datastore` output (from an "
            "environment file: that output's value, read with terraform output). The group then takes the global "
            "group's engine, version, node type, shards and encryption; the module checks that this call says the "
            "same and creates no parameter group. Without it the group is no secondary.",
            default=None,
        ),
        Input("apply_immediately", BOOL, "Apply changes now instead of in the maintenance window.", default=False),
        Input("auto_minor_version_upgrade", BOOL, "Take minor engine upgrades in the maintenance window.", default=True),
        Input(
            "notification_topic_arn",
            STRING,
            "SNS topic for ElastiCache events. Without it no events are sent.",
            default=None,
            rules=(rules.arn("sns"), rules.arn_shape("sns")),
        ),
        Input(
            "data_tiering_enabled",
            BOOL,
            "Keep less-used data on SSD; required on, and only possible on, r6gd node types.",
            default=False,
        ),
        Input("slow_log_enabled", BOOL, "Deliver the slow log to CloudWatch Logs.", default=True),
        Input("engine_log_enabled", BOOL, "Deliver the engine log to CloudWatch Logs.", default=True),
        *(
            Input(
                f"{log.replace('-', '_')}_firehose_stream",
                STRING,
                f"Name of a Kinesis Data Firehose delivery stream to deliver the {log.replace('-', ' ')} to instead of "
                "the module's CloudWatch log group (which is then not created). The stream, its encryption and its "
                "destination are yours.",
                default=None,
                rules=FIREHOSE_STREAM_RULES,
            )
            for log, _, _ in LOG_TYPES
        ),
        *(
            Input(
                f"{log.replace('-', '_')}_group_name",
                STRING,
                f"Name of an existing CloudWatch log group to deliver the {log.replace('-', ' ')} to instead of the "
                "module's own (which is then not created): to keep where an existing replication group delivers it. "
                "The group, its retention and its encryption are yours.",
                default=None,
                # CloudWatch Logs CreateLogGroup: logGroupName is 1-512 of [.-_/#A-Za-z0-9].
                rules=(rules.matches("[.\\-_/#A-Za-z0-9]{1,512}", "be a CloudWatch log group name: 1 to 512 "
                                     "letters, digits, ., -, _, / or #"),),
            )
            for log, _, _ in LOG_TYPES
        ),
        *shared.logs("the slow and engine log groups"),
        shared.TAGS_WITH_NAME,
        *alarms.alarm_inputs(alarms.ELASTICACHE_ALARMS),
    ),
    checks=(
        *alarms.ALARM_CHECKS,
        *(
            Check(
                (f"{log.replace('-', '_')}_group_name", stream),
                f"must not be set together with {stream} (a log type has one destination)",
                when=var(f"{log.replace('-', '_')}_group_name").is_null() | var(stream).is_null(),
                example={f"{log.replace('-', '_')}_group_name": "/team/cache", stream: "cache-logs"},
                passing={f"{log.replace('-', '_')}_group_name": "/team/cache"},
            )
            for log, _, stream in LOG_TYPES
        ),
        Check(
            ("cluster_name", "name_prefix"),
            "must give a replication group id (name_prefix + cluster_name) of at most 40 lowercase letters, digits "
            "and single hyphens, starting with a letter and not ending with a hyphen",
            when=(REPLICATION_GROUP_ID.length() <= 40) & REPLICATION_GROUP_ID.matches(REPLICATION_GROUP_ID_PATTERN),
            example={"cluster_name": "a-cache-name-too-long-for-an-id"},
        ),
        Check(
            ("engine_version", "engine"),
            lambda v: f"must be a {ENGINE_NAMES.get(v['engine'], v['engine'])} version with engine = "
            f"{literal(v['engine'])} ({', '.join(ENGINE_VERSIONS.get(v['engine'], ()))})",
            when=call("contains", expr.lift({e: list(vs) for e, vs in ENGINE_VERSIONS.items()})[var("engine")],
                      var("engine_version")),
            hcl_message="engine_version must be a version of the engine: Valkey " + ", ".join(VALKEY_KNOWN_VERSIONS)
            + "; Redis OSS " + ", ".join(REDIS_ENGINE_VERSIONS) + ".",
            example={"engine": "redis"},
            passing={"engine": "redis", "engine_version": "7.1"},
        ),
        Check(
            ("global_datastore", "global_replication_group_id_suffix"),
            "must not be set together with global_replication_group_id_suffix (a group is the Global Datastore's "
            "primary or one of its secondaries)",
            when=unless_null(_GLOBAL, var("global_replication_group_id_suffix").is_null()),
            shown=("global_replication_group_id_suffix",),
            example={**_SECONDARY_EXAMPLE, **_PRIMARY_EXAMPLE},
            passing=_SECONDARY_EXAMPLE,
        ),
        Check(
            ("global_secondary_regions", "global_replication_group_id_suffix"),
            "must only be set on a Global Datastore's primary (global_replication_group_id_suffix)",
            when=(var("global_secondary_regions").length() == 0) | var("global_replication_group_id_suffix").not_null(),
            example={"global_secondary_regions": ["eu-west-1"]},
            passing={**_PRIMARY_EXAMPLE, "global_secondary_regions": ["eu-west-1"]},
        ),
        Check(
            ("global_secondary_regions",),
            lambda v: f"must not name the primary's own Region, {v.get(rules.REGION_KEY)}",
            when=if_(rules.STACK_REGION.is_null(), True,
                     not_(call("contains", var("global_secondary_regions"), rules.STACK_REGION))),
            hcl_message="global_secondary_regions must not name the primary's own Region (the provider's, "
            "data.aws_region.current).",
            example={**_PRIMARY_EXAMPLE, "global_secondary_regions": [rules.EXAMPLE_REGION]},
            passing={**_PRIMARY_EXAMPLE, "global_secondary_regions": ["eu-west-1"]},
        ),
        Check(
            ("global_replication_group_id_suffix", "node_type"),
            "needs an M5, R5 or later node type (AWS's Global Datastore runs on no T, C or 4th generation node)",
            when=var("global_replication_group_id_suffix").is_null() | var("node_type").matches(GLOBAL_NODE_TYPE),
            shown=("node_type",),
            example={"global_replication_group_id_suffix": "sessions", "node_type": "cache.t4g.small"},
            passing=_PRIMARY_EXAMPLE,
        ),
        Check(
            ("global_datastore", "engine", "engine_version"),
            "must be joined with the Global Datastore's engine and major version (AWS: a secondary runs the "
            "primary's): set engine and engine_version as the primary does",
            when=unless_null(_GLOBAL, ((_GLOBAL["engine"] == var("engine"))
                                      & (_major(_GLOBAL["engine_version"]) == _major(var("engine_version"))))),
            shown=("engine", "engine_version"),
            example={**_SECONDARY_EXAMPLE, "engine_version": "7.2"},
            passing=_SECONDARY_EXAMPLE,
        ),
        Check(
            ("global_datastore", "node_type"),
            "must be joined with a node_type of the Global Datastore's node type family (AWS: the secondaries' "
            "nodes are the primary's)",
            when=unless_null(_GLOBAL, (call("split", ".", _GLOBAL["node_type"])[1] == _NODE_FAMILY)),
            shown=("node_type",),
            example={**_SECONDARY_EXAMPLE, "node_type": "cache.m7g.large"},
            passing=_SECONDARY_EXAMPLE,
        ),
        Check(
            ("global_datastore", "at_rest_encryption_enabled", "transit_encryption_enabled"),
            "must be joined with the Global Datastore's encryption (the primary's at_rest_encryption_enabled and "
            "transit_encryption_enabled, which a secondary cannot set otherwise)",
            when=unless_null(_GLOBAL, ((_GLOBAL["at_rest_encryption_enabled"] == var("at_rest_encryption_enabled"))
                                      & (_GLOBAL["transit_encryption_enabled"] == var("transit_encryption_enabled")))),
            shown=("at_rest_encryption_enabled", "transit_encryption_enabled"),
            example={**_SECONDARY_EXAMPLE, "at_rest_encryption_enabled": False},
            passing=_SECONDARY_EXAMPLE,
        ),
        Check(
            ("global_datastore", "auth_token", "transit_encryption_mode"),
            "must be joined with an auth_token exactly when the primary has one, and without transit_encryption_mode "
            "(the Global Datastore dictates both)",
            when=unless_null(_GLOBAL, ((_GLOBAL["auth_token_enabled"] == var("auth_token").not_null())
                                      & var("transit_encryption_mode").is_null())),
            shown=("transit_encryption_mode",),  # never echo a secret
            example={**_SECONDARY_EXAMPLE, "transit_encryption_mode": "preferred"},
            passing=_SECONDARY_EXAMPLE,
        ),
        Check(
            ("global_datastore", "num_node_groups", "parameters", "snapshot_arns", "snapshot_name"),
            "must be joined without num_node_groups, parameters, snapshot_arns or snapshot_name (the Global "
            "Datastore's shards and parameter group are the primary's, and a secondary starts from its data)",
            when=unless_null(_GLOBAL, (var("num_node_groups").is_null() & (var("parameters").length() == 0)
                                      & (var("snapshot_arns").length() == 0) & var("snapshot_name").is_null())),
            shown=("num_node_groups", "parameters", "snapshot_arns", "snapshot_name"),
            example={**_SECONDARY_EXAMPLE, "num_node_groups": 2},
            passing=_SECONDARY_EXAMPLE,
        ),
        Check(
            ("global_datastore",),
            lambda v: f"must list this stack's Region, {v.get(rules.REGION_KEY)}, in its secondary_regions (the "
            "primary's global_secondary_regions: AWS allows two secondaries, each declared on the primary)",
            when=unless_null(_GLOBAL, if_(rules.STACK_REGION.is_null(), True,
                                          call("contains", _GLOBAL["secondary_regions"], rules.STACK_REGION))),
            hcl_message="global_datastore must list this stack's Region (data.aws_region.current) in its "
            "secondary_regions (the primary's global_secondary_regions).",
            example=_secondary(secondary_regions=["eu-west-1"]),
            passing=_SECONDARY_EXAMPLE,
        ),
        Check(
            ("num_cache_clusters", "num_node_groups"),
            "must not be set together with num_node_groups (cluster mode sizes the group by shards and replicas)",
            when=var("num_cache_clusters").is_null() | var("num_node_groups").is_null(),
            example={"num_cache_clusters": 2, "num_node_groups": 2},
            passing={"num_node_groups": 2},
        ),
        Check(
            ("replicas_per_node_group", "num_node_groups"),
            "must only be set in cluster mode (with num_node_groups)",
            when=var("replicas_per_node_group").is_null() | CLUSTER_MODE,
            example={"replicas_per_node_group": 1},
            passing={"replicas_per_node_group": 1, "num_node_groups": 2},
        ),
        Check(
            ("automatic_failover_enabled", "num_node_groups"),
            "must be true in cluster mode (num_node_groups set): AWS cannot turn failover off there",
            when=var("automatic_failover_enabled") | not_(CLUSTER_MODE),
            example={"automatic_failover_enabled": False, "multi_az_enabled": False, "num_node_groups": 2},
            passing={"num_node_groups": 2},
        ),
        Check(
            ("automatic_failover_enabled", "num_cache_clusters", "num_node_groups"),
            "needs num_cache_clusters of 2 or more without cluster mode (num_node_groups unset); "
            "for a single node set automatic_failover_enabled and multi_az_enabled to false",
            # AWS's default without cluster mode is the module's: 2 nodes (resources.py).
            when=any_of(not_(var("automatic_failover_enabled")), CLUSTER_MODE,
                        call("coalesce", var("num_cache_clusters"), 2) >= 2),
            example={"num_cache_clusters": 1},
            passing={"num_cache_clusters": 1, "automatic_failover_enabled": False, "multi_az_enabled": False},
        ),
        Check(
            ("multi_az_enabled", "automatic_failover_enabled"),
            "needs automatic_failover_enabled = true",
            when=implies(var("multi_az_enabled"), var("automatic_failover_enabled")),
            example={"automatic_failover_enabled": False},
            passing={"automatic_failover_enabled": False, "multi_az_enabled": False},
        ),
        Check(
            ("auth_token", "users", "user_group_ids", "authentication_disabled"),
            "is needed, or users or user_group_ids (RBAC): without them clients connect without authentication "
            "(authentication_disabled = true allows that, and weakens security)",
            when=AUTHENTICATED | var("authentication_disabled"),
            shown=("users", "user_group_ids", "authentication_disabled"),  # never echo a secret
            hcl_message="auth_token is needed, or users or user_group_ids (RBAC): without them clients connect "
            "without authentication (authentication_disabled = true allows that, and weakens security).",
            example={"auth_token": None},
            passing=_NO_AUTHENTICATION,
        ),
        Check(
            ("authentication_disabled", "auth_token", "users", "user_group_ids"),
            "must not be true with auth_token, users or user_group_ids (clients authenticate)",
            when=not_(var("authentication_disabled") & AUTHENTICATED),
            shown=("authentication_disabled",),  # never echo a secret
            example={"authentication_disabled": True},
            passing={"authentication_disabled": False},
        ),
        Check(
            ("auth_token", "transit_encryption_enabled"),
            "needs transit_encryption_enabled = true (AWS accepts AUTH only over TLS)",
            when=var("auth_token").is_null() | var("transit_encryption_enabled"),
            shown=("transit_encryption_enabled",),  # never echo a secret
            example={"auth_token": "example-token-0123456789", "transit_encryption_enabled": False},
            passing={"auth_token": "example-token-0123456789"},
        ),
        Check(
            ("auth_token", "user_group_ids"),
            "must not be set together with user_group_ids (AUTH token or RBAC, not both)",
            when=var("auth_token").is_null() | (var("user_group_ids").length() == 0),
            shown=("user_group_ids",),
            example={"auth_token": "example-token-0123456789", "user_group_ids": ["sessions"]},
            passing={"auth_token": None, "user_group_ids": ["sessions"]},
        ),
        # The provider's authTokenUpdateStrategyValidate (aws-constraints.md §1): ROTATE and SET need a token, DELETE
        # needs none; AWS allows DELETE only on the way to RBAC (ModifyReplicationGroup AuthTokenUpdateStrategy).
        Check(
            ("auth_token_update_strategy", "auth_token"),
            "needs auth_token for ROTATE and SET",
            when=any_of(var("auth_token_update_strategy").is_null(), var("auth_token_update_strategy") == "DELETE",
                        var("auth_token").not_null()),
            shown=("auth_token_update_strategy",),
            example={"auth_token_update_strategy": "ROTATE", **_NO_AUTHENTICATION},
            passing={"auth_token_update_strategy": "SET", "auth_token": "example-token-0123456789"},
        ),
        Check(
            ("auth_token_update_strategy", "auth_token", "user_group_ids", "users"),
            "must only be DELETE with auth_token unset and users or user_group_ids set (AWS removes AUTH only on the "
            "way to RBAC)",
            when=(var("auth_token_update_strategy") != "DELETE")
            | (var("auth_token").is_null() & (var("user_group_ids").length() + var("users").length() > 0)),
            shown=("auth_token_update_strategy",),
            example={"auth_token_update_strategy": "DELETE"},
            passing={"auth_token_update_strategy": "DELETE", "auth_token": None, "user_group_ids": ["sessions"]},
        ),
        Check(
            ("snapshot_arns", "snapshot_name"),
            "must not be set together with snapshot_name (AWS restores from one source)",
            when=(var("snapshot_arns").length() == 0) | var("snapshot_name").is_null(),
            example={"snapshot_arns": ["arn:aws:s3:::backups/cache/dump.rdb"], "snapshot_name": "nightly"},
            passing={"snapshot_arns": ["arn:aws:s3:::backups/cache/dump.rdb"]},
        ),
        Check(
            ("users",),
            rbac.DEFAULT_USER_RULE,
            when=(var("users").length() == 0) | rbac.HAS_DEFAULT_USER,
            example={"users": {"app": {"access_string": "on ~* +@all"}}, "user_passwords": {"app": ["example-password-0123"]},
                     "auth_token": None},
            passing=_RBAC_EXAMPLE,
        ),
        Check(
            ("users", "user_group_ids"),
            "must not be set together with user_group_ids (the module attaches the group it creates; AWS accepts one)",
            when=(var("users").length() == 0) | (var("user_group_ids").length() == 0),
            shown=("user_group_ids",),
            example={**_RBAC_EXAMPLE, "user_group_ids": ["sessions"]},
            passing=_RBAC_EXAMPLE,
        ),
        Check(
            ("users", "auth_token"),
            "must not be set together with auth_token (AUTH token or RBAC, not both)",
            when=(var("users").length() == 0) | var("auth_token").is_null(),
            shown=("users",),  # never echo a secret
            example={**_RBAC_EXAMPLE, "auth_token": "example-token-0123456789"},
            passing=_RBAC_EXAMPLE,
        ),
        Check(
            ("users", "transit_encryption_enabled"),
            "needs transit_encryption_enabled = true (ElastiCache RBAC works only over TLS)",
            when=(var("users").length() == 0) | var("transit_encryption_enabled"),
            shown=("transit_encryption_enabled",),
            example={**_RBAC_EXAMPLE, "transit_encryption_enabled": False},
            passing=_RBAC_EXAMPLE,
        ),
        rbac.passwords_match_check({"auth_token": None}),
        *(
            Check(
                (stream, flag),
                f"needs {flag} = true (the {log.replace('-', ' ')} is delivered only while it is on)",
                when=var(stream).is_null() | var(flag),
                shown=(flag,),
                example={stream: f"cache-{log}", flag: False},
                passing={stream: f"cache-{log}"},
            )
            for log, flag, stream in LOG_TYPES
        ),
        Check(
            ("transit_encryption_mode", "transit_encryption_enabled"),
            "needs transit_encryption_enabled = true",
            when=var("transit_encryption_mode").is_null() | var("transit_encryption_enabled"),
            example={"transit_encryption_mode": "preferred", "transit_encryption_enabled": False, **_NO_AUTHENTICATION},
            passing={"transit_encryption_mode": "preferred"},
        ),
        Check(
            ("kms_key_arn", "at_rest_encryption_enabled"),
            "needs at_rest_encryption_enabled = true",
            when=var("kms_key_arn").is_null() | var("at_rest_encryption_enabled"),
            example={
                "kms_key_arn": "arn:aws:kms:ap-northeast-2:111122223333:key/example",
                "at_rest_encryption_enabled": False,
            },
            passing={"kms_key_arn": "arn:aws:kms:ap-northeast-2:111122223333:key/example"},
        ),
        Check(
            ("maintenance_window", "snapshot_window"),
            "must not overlap snapshot_window",
            when=not_(WINDOWS_OVERLAP),
            # Across midnight and the week's end.
            example={"snapshot_window": "23:30-00:30", "maintenance_window": "sat:23:45-sun:00:45"},
            passing={"snapshot_window": "23:30-00:30", "maintenance_window": "sun:00:30-sun:01:30"},
        ),
        Check(
            ("data_tiering_enabled", "node_type"),
            "must be true exactly when node_type is an r6gd type (data tiering exists only there, and is required there)",
            when=var("data_tiering_enabled") == DATA_TIERING_NODE,
            example={"data_tiering_enabled": True},
            passing={"data_tiering_enabled": True, "node_type": "cache.r6gd.xlarge"},
        ),
        *shared.NETWORK_CHECKS,
        *shared.create_kms_key_checks(
            ("kms_key_arn", "log_kms_key_arn"),
            ("kms_key_arn", "log_kms_key_arn"),
            needs="needs kms_key_arn (data at rest) and log_kms_key_arn (slow and engine logs) for what is encrypted "
            "when false: the module then creates no key",
            unused="must be false when kms_key_arn and log_kms_key_arn cover everything that is encrypted (the "
            "module's key would encrypt nothing)",
            key_needed=KMS_KEY_NEEDED,
            encrypts_anything=ENCRYPTS_ANYTHING,
        ),
        Check(
            ("parameters",),
            "must not set cluster-enabled: the module sets it from num_node_groups",
            when=not_(call("contains", call("keys", var("parameters")), "cluster-enabled")),
            example={"parameters": {"cluster-enabled": "yes"}},
            passing={"parameters": {"maxmemory-policy": "allkeys-lru"}},
        ),
        shared.NO_INGRESS_COVERING_EVERY_ADDRESS,
        shared.key_region_check("kms_key_arn", create_kms_key=False, log_kms_key_arn=shared.KEY_ARN_EXAMPLE),
        shared.key_region_check("log_kms_key_arn", create_kms_key=False, kms_key_arn=shared.KEY_ARN_EXAMPLE),
        rules.region_check("notification_topic_arn", "an SNS topic",
                           example={"notification_topic_arn": "arn:aws:sns:us-east-1:111122223333:cache-events"},
                           passing={"notification_topic_arn": "arn:aws:sns:ap-northeast-2:111122223333:cache-events"}),
        # S3 ARNs name no region (the bucket's may differ): only the partition is checked.
        rules.region_check("snapshot_arns", "ARNs of S3 objects", regional=False, many=True,
                           example={"snapshot_arns": ["arn:aws-cn:s3:::backups/cache/dump.rdb"]},
                           passing={"snapshot_arns": ["arn:aws:s3:::backups/cache/dump.rdb"]}),
        shared.duplicate_ingress_check(
            expr.list_(var("port")),
            example={"allowed_security_group_ids": ["sg-0123456789abcdef0"],
                     "ingress_rules": {"nodes": {"from_port": 6379,
                                                 "referenced_security_group_id": "sg-0123456789abcdef0"}}},
            # The same group on another port, and the port from another group: rules of their own.
            passing={"allowed_security_group_ids": ["sg-0123456789abcdef0"],
                     "ingress_rules": {"tls": {"from_port": 6380,
                                               "referenced_security_group_id": "sg-0123456789abcdef0"},
                                       "other": {"from_port": 6379,
                                                 "referenced_security_group_id": "sg-0123456789abcdef1"}}},
        ),
        # ElastiCache quotas: at most 500 nodes per cluster (shards × (replicas + 1)), whatever the shard quota.
        Check(
            ("num_node_groups", "replicas_per_node_group"),
            lambda v: f"must keep num_node_groups × (replicas_per_node_group + 1) within {MAX_NODES} nodes per "
            f"cluster (ElastiCache quota); it would have {NODES.evaluate(v)}",
            when=unless_null(var("num_node_groups"), NODES <= MAX_NODES),
            hcl_message=f"num_node_groups must keep num_node_groups × (replicas_per_node_group + 1) within "
            f"{MAX_NODES} nodes per cluster (ElastiCache quota).",
            example={"num_node_groups": 101, "replicas_per_node_group": 4},
            passing={"num_node_groups": 100, "replicas_per_node_group": 4},
        ),
        # The security group's name starts with the replication group id; EC2 refuses group names starting with sg- (and the
        # provider's name_prefix validation says so at plan).
        Check(
            ("cluster_name", "name_prefix"),
            "must not give a replication group id (name_prefix + cluster_name) starting with sg-: it begins the security "
            "group's name, and EC2 refuses group names starting with sg-",
            when=not_(call("startswith", REPLICATION_GROUP_ID, "sg-")),
            # Without the module's group: the provider's own name_prefix validation would refuse the group first.
            example={"name_prefix": "sg-", "create_security_group": False,
                     "associated_security_group_ids": ["sg-0123456789abcdef0"]},
        ),
        # AWS refuses a parameter its family does not have (InvalidParameterValue) when creating the group.
        Check(
            ("parameters", "engine_version", "engine", "global_datastore"),
            lambda v: f"must name only parameters of the {PARAMETER_GROUP_FAMILY.evaluate(v)} family "
            f"(modules/catalog.py); unknown: {_unknown_parameter(v)}",
            shown=("parameters", "engine_version"),
            when=UNKNOWN_PARAMETERS.length() == 0,
            hcl_message="parameters must name only parameters of the parameter group family (valkey7 for Valkey "
            "7.2, valkey8 for 8.x, redis7 for Redis OSS 7.x, redis6.x for 6.x; see modules/catalog.py in the "
            "generator).",
            example={"parameters": {"not-a-parameter": "yes"}},
            passing={"parameters": {"maxmemory-policy": "allkeys-lru"}, "engine_version": "7.2"},
        ),
        Check(
            ("parameters", "node_type"),
            "must set maxmemory-policy to noeviction, volatile-lru or allkeys-lru on r6gd (data tiering) nodes",
            when=(_NODE_FAMILY != "r6gd")
            | call("lookup", var("parameters"), "maxmemory-policy", "volatile-lru").is_in(DATA_TIERING_MAXMEMORY_POLICIES),
            example={"node_type": "cache.r6gd.xlarge", "data_tiering_enabled": True,
                     "parameters": {"maxmemory-policy": "allkeys-lfu"}},
            passing={"node_type": "cache.r6gd.xlarge", "data_tiering_enabled": True,
                     "parameters": {"maxmemory-policy": "allkeys-lru"}},
        ),
    ),
    aws_names=AWS_NAMES,
    advice=(alarms.NOBODY_NOTIFIED, shared.unreachable("the cache port"),),
)
