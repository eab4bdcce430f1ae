"""ElastiCache (Valkey) inputs and the rules AWS enforces on them (../shared/reference/aws-constraints.md §1).

Most rules below are ones the provider leaves to `terraform apply` (AWS rejects the request); checking them here
turns a failed apply into a message at synth time, and, as `validation`/`precondition` blocks, at plan time.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from generator import rules
from generator.inputs import SUPPLIED, Check, Input, InputSet, Rule
from generator.types import BOOL, NUMBER, STRING, list_of, literal, map_of, object_of, optional
from modules.shared import alarms
from modules.shared import inputs as shared
from modules.catalog import (
    DATA_TIERING_MAXMEMORY_POLICIES,
    ELASTICACHE_NODE_TYPES,
    VALKEY_DEFAULT_ENGINE_VERSION,
    VALKEY_ENGINE_VERSIONS,
    VALKEY_PARAMETER_VALUES,
    VALKEY_PARAMETERS,
    VALKEY_END_OF_SUPPORT,
    VALKEY_KNOWN_VERSIONS,
    VALKEY_SUPPORT_SOURCE,
    version_advice,
)

# ElastiCache's own key: a group created with at-rest encryption and no KmsKeyId uses it, and reports no key.
AWS_MANAGED_KEY = "alias/aws/elasticache"

# --- windows -----------------------------------------------------------------------------------------------------
_HHMM = "([01][0-9]|2[0-3]):[0-5][0-9]"
_DAY = "(sun|mon|tue|wed|thu|fri|sat)"
DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def daily_window(window: str) -> tuple[int, int]:
    """`hh24:mi-hh24:mi` → (start, length) in minutes; a window may run past midnight."""
    start, end = (_minutes(part) for part in window.split("-"))
    return start, (end - start) % MINUTES_PER_DAY


def weekly_window(window: str) -> tuple[int, int]:
    """`ddd:hh24:mi-ddd:hh24:mi` → (start minute of the week, length)."""
    start, end = (DAYS.index(part[:3]) * MINUTES_PER_DAY + _minutes(part[4:]) for part in window.lower().split("-"))
    return start, (end - start) % MINUTES_PER_WEEK


def windows_overlap(snapshot_window: str, maintenance_window: str) -> bool:
    snap_start, snap_length = daily_window(snapshot_window)
    maint_start, maint_length = weekly_window(maintenance_window)
    for day in range(7):
        start = day * MINUTES_PER_DAY + snap_start
        # Compare on a circle of one week: two intervals overlap when either starts inside the other.
        if (start - maint_start) % MINUTES_PER_WEEK < maint_length or (maint_start - start) % MINUTES_PER_WEEK < snap_length:
            return True
    return False


# AWS: "Snapshot window must be at least 60 minutes"; maintenance windows likewise (PreferredMaintenanceWindow).
SNAPSHOT_WINDOW_RULES = (
    rules.matches(f"{_HHMM}-{_HHMM}", "be a daily window hh24:mi-hh24:mi in UTC, such as 03:00-05:00"),
    Rule("last at least 60 minutes", lambda v: daily_window(v)[1] >= 60, None),
)
MAINTENANCE_WINDOW_RULES = (
    rules.matches(
        f"{_DAY}:{_HHMM}-{_DAY}:{_HHMM}", "be a weekly window ddd:hh24:mi-ddd:hh24:mi in UTC, such as sun:05:00-sun:07:00"
    ),
    Rule("last at least 60 minutes", lambda v: weekly_window(v)[1] >= 60, None),
)

# An .rdb file in S3 (AWS "Seeding a new cluster with an externally created backup"): the bucket (3-63 lowercase
# letters, digits, dots and hyphens) and the object key; the provider refuses commas (the API joins the list).
S3_OBJECT_ARN = "arn:(aws|aws-cn|aws-us-gov):s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[^,]+"

# --- RBAC users (aws_elasticache_user, aws_elasticache_user_group) --------------------------------------------------
# AWS CreateUser UserId: begins with a letter; letters, digits and hyphens; no two hyphens in a row, no trailing
# hyphen. Lowercase only here, like the other ids, so that the id in state is the one written.
USER_ID = "[a-z](?:[a-z0-9]|-[a-z0-9])*"
_USER_ID = re.compile(USER_ID)
USER = object_of(user_name=optional(STRING), access_string=STRING, authentication_type=optional(STRING, "password"))
AUTHENTICATION_TYPES = ("password", "iam")


def _user_name(user_id: str, user: Mapping[str, Any]) -> str:
    return user["user_name"] if user.get("user_name") is not None else user_id


def _first_user(users: Mapping[str, Any], broken: Any) -> str:
    return literal(next(user_id for user_id, user in users.items() if broken(user_id, user)))


def _rbac_secret_wanted(given: Mapping[str, Any]) -> bool:
    """Environment files: the AUTH token's root variable exists only without RBAC (users or user_group_ids)."""
    return not given.get("users") and not given.get("user_group_ids")


def _password_users(users: Any) -> list[str]:
    if not isinstance(users, Mapping):
        return []
    return [user_id for user_id, user in users.items()
            if not isinstance(user, Mapping) or user.get("authentication_type", "password") == "password"]


def _passwords_match_users(values: Mapping[str, Any]) -> bool:
    passwords = values["user_passwords"]
    if passwords is SUPPLIED:  # an environment file: the map arrives at apply, Terraform checks it there
        return True
    return set(passwords) == set(_password_users(values["users"]))


# The smallest valid RBAC setup (the user AWS requires, named "default", with its password): the failing examples of
# the RBAC checks add the one thing each refuses.
_RBAC_EXAMPLE = {
    "users": {"default-user": {"user_name": "default", "access_string": "off ~* -@all"}},
    "user_passwords": {"default-user": ["example-password-0123"]},
}

USER_RULES = (
    Rule(
        f"have keys (user ids) of lowercase letters, digits and single hyphens, starting with a letter, other than "
        f'"default" (AWS\'s own default user has that id in every Region)',
        lambda v: all(_USER_ID.fullmatch(k) and k != "default" for k in v),
        f'alltrue([for k in keys({{v}}) : can(regex("^{USER_ID}$", k)) && k != "default"])',
        got=lambda v: literal(next(k for k in v if not _USER_ID.fullmatch(k) or k == "default")),
        example={"default": {"access_string": "off ~* -@all"}},
    ),
    Rule(
        "give each user an access_string (such as \"on ~* +@all\")",
        lambda v: all(user["access_string"].strip() for user in v.values()),
        'alltrue([for u in values({v}) : trimspace(u.access_string) != ""])',
        got=lambda v: _first_user(v, lambda _, user: not user["access_string"].strip()),
        example={"app": {"access_string": " "}},
    ),
    Rule(
        "give each user an authentication_type of \"password\" or \"iam\"",
        lambda v: all(user["authentication_type"] in AUTHENTICATION_TYPES for user in v.values()),
        'alltrue([for u in values({v}) : contains(["password", "iam"], u.authentication_type)])',
        got=lambda v: _first_user(v, lambda _, user: user["authentication_type"] not in AUTHENTICATION_TYPES),
        example={"app": {"access_string": "on ~* +@all", "authentication_type": "token"}},
    ),
    Rule(
        "give each user a user_name of at least one character when set",
        lambda v: all(user["user_name"] is None or user["user_name"] != "" for user in v.values()),
        'alltrue([for u in values({v}) : u.user_name == null || u.user_name != ""])',
        got=lambda v: _first_user(v, lambda _, user: user["user_name"] == ""),
        example={"app": {"user_name": "", "access_string": "on ~* +@all"}},
    ),
    # AWS "Authenticating with IAM" (ElastiCache): an IAM-enabled user's id and name must be identical.
    Rule(
        "give IAM users (authentication_type = \"iam\") a user_name equal to their id, or none",
        lambda v: all(user["authentication_type"] != "iam" or _user_name(k, user) == k for k, user in v.items()),
        'alltrue([for k, u in {v} : u.authentication_type != "iam" || coalesce(u.user_name, k) == k])',
        got=lambda v: _first_user(v, lambda k, user: user["authentication_type"] == "iam" and _user_name(k, user) != k),
        example={"app": {"user_name": "application", "access_string": "on ~* +@all", "authentication_type": "iam"}},
    ),
)

# AWS CreateUser Passwords: 1 or 2 passwords per user (two while rotating), each 16 to 128 printable characters.
USER_PASSWORD_RULES = (
    Rule(
        "give each user 1 or 2 passwords of 16 to 128 printable characters",
        lambda v: all(1 <= len(pw) <= 2 and all(16 <= len(p) <= 128 and p.isprintable() for p in pw) for pw in v.values()),
        "alltrue([for pw in values({v}) : length(pw) >= 1 && length(pw) <= 2 && "
        "alltrue([for p in pw : length(p) >= 16 && length(p) <= 128])])",
        example={"app": ["too-short"]},
    ),
)

# --- identity ----------------------------------------------------------------------------------------------------
# AWS CreateReplicationGroup ReplicationGroupId: 1-40 characters, letters, digits and hyphens, begins with a letter,
# no two consecutive hyphens, no trailing hyphen. AWS stores it in lowercase, so only lowercase is accepted here:
# an uppercase id would differ from the one in state.
REPLICATION_GROUP_ID = re.compile(r"[a-z](?:[a-z0-9]|-[a-z0-9])*")


def replication_group_id(values: Mapping[str, Any]) -> str:
    return f"{values['name_prefix']}{values['cluster_name']}"


def _cluster_mode(values: Mapping[str, Any]) -> bool:
    return values["num_node_groups"] is not None


# Each log type goes to one destination (AWS: one LogDeliveryConfiguration per log type): its CloudWatch log
# group, which the module creates and encrypts, or a Kinesis Data Firehose delivery stream the caller owns.
LOG_TYPES = (("slow-log", "slow_log_enabled", "slow_log_firehose_stream"),
             ("engine-log", "engine_log_enabled", "engine_log_firehose_stream"))
# AWS Firehose CreateDeliveryStream DeliveryStreamName: 1-64 letters, digits, underscores, hyphens and periods.
FIREHOSE_STREAM_RULES = (rules.matches("[a-zA-Z0-9_.-]{1,64}", "be a Firehose delivery stream name: 1 to 64 letters, "
                                       "digits, _, - or ."),)


def _cloudwatch_log(values: Mapping[str, Any], flag: str, stream: str) -> bool:
    return values[flag] and values[stream] is None


def _logs(values: Mapping[str, Any]) -> bool:
    """Logs in the module's CloudWatch log groups (Firehose streams are encrypted by their owner)."""
    return any(_cloudwatch_log(values, flag, stream) for _, flag, stream in LOG_TYPES)


def kms_key_needed(values: Mapping[str, Any]) -> bool:
    """Something is encrypted that the caller gave no key for: the module's own key is needed."""
    return (values["at_rest_encryption_enabled"] and values["kms_key_arn"] is None) or (
        _logs(values) and values["log_kms_key_arn"] is None
    )


def _encrypts_anything(values: Mapping[str, Any]) -> bool:
    return values["at_rest_encryption_enabled"] or _logs(values)


# The same conditions in HCL: `local.kms_key_needed` is defined by the module (resources.py).
CLOUDWATCH_LOGS_HCL = (
    "((var.slow_log_enabled && var.slow_log_firehose_stream == null) || "
    "(var.engine_log_enabled && var.engine_log_firehose_stream == null))"
)
KMS_KEY_NEEDED_HCL = (
    "(var.at_rest_encryption_enabled && var.kms_key_arn == null) || "
    f"({CLOUDWATCH_LOGS_HCL} && var.log_kms_key_arn == null)"
)
ENCRYPTS_ANYTHING_HCL = f"var.at_rest_encryption_enabled || {CLOUDWATCH_LOGS_HCL}"
KMS_KEY_UNUSED = (
    "create_kms_key must be false when kms_key_arn and log_kms_key_arn cover everything that is encrypted "
    "(the module's key would encrypt nothing)."
)


def _data_tiering_node(node_type: str) -> bool:
    # Data tiering exists only on r6gd nodes, and is mandatory there (API doc DataTieringEnabled).
    return node_type.split(".")[1:2] == ["r6gd"]


def parameter_group_family(values: Mapping[str, Any]) -> str:
    return f"valkey{values['engine_version'].split('.')[0]}"


def _module_key_needed(values: Mapping[str, Any]) -> bool:
    # As resources.py's condition for creating the module's KMS key.
    return (values["at_rest_encryption_enabled"] and values["kms_key_arn"] is None) or (
        _logs(values) and values["log_kms_key_arn"] is None
    )


_ID_INPUTS = ("cluster_name", "name_prefix")
# Every name the module gives AWS (resources.py), with AWS's limit. All follow from the replication group id, whose
# own check (at most 40 characters) keeps every one of them within its limit: no length check of their own.
AWS_NAMES = (
    rules.AwsName("ElastiCache replication group", _ID_INPUTS, "<name_prefix + cluster_name>", replication_group_id, 40,
                  "CreateReplicationGroup", fold_case=True),
    rules.AwsName(
        "ElastiCache parameter group", _ID_INPUTS, "<replication group id>-valkey<major>[-cluster]",
        lambda v: f"{replication_group_id(v)}-{parameter_group_family(v)}{'-cluster' if _cluster_mode(v) else ''}",
        255, "CreateCacheParameterGroup", fold_case=True,
    ),
    rules.AwsName("ElastiCache subnet group", _ID_INPUTS, "<replication group id>", replication_group_id, 255,
                  "CreateCacheSubnetGroup", fold_case=True),
    rules.AwsName(
        "KMS alias", _ID_INPUTS, "alias/elasticache/<replication group id>",
        lambda v: f"alias/elasticache/{replication_group_id(v)}" if _module_key_needed(v) else None,
        256, "KMS CreateAlias",
    ),
    *(
        rules.AwsName(
            "CloudWatch log group", _ID_INPUTS, f"/aws/elasticache/<replication group id>/{log}",
            lambda v, log=log, flag=flag, stream=stream: f"/aws/elasticache/{replication_group_id(v)}/{log}"
            if _cloudwatch_log(v, flag, stream) else None,
            512, "CloudWatch Logs CreateLogGroup",
        )
        for log, flag, stream in LOG_TYPES
    ),
    # name_prefix: Terraform appends a 26-character unique suffix.
    rules.AwsName("security group", _ID_INPUTS, "<replication group id>-<26 characters>",
                  lambda v: f"{replication_group_id(v)}-{'0' * 26}", 255, "EC2 CreateSecurityGroup", unique=False),
)


def _unknown_parameters(values: Mapping[str, Any]) -> list[str]:
    known = VALKEY_PARAMETERS.get(parameter_group_family(values), ())
    return [name for name in values["parameters"] if name not in known]


def _unknown_parameter(values: Mapping[str, Any]) -> str:
    family, name = parameter_group_family(values), _unknown_parameters(values)[0]
    for other, names in VALKEY_PARAMETERS.items():
        if other != family and name in names:
            return f"{literal(name)} (a parameter of the {other} family only)"
    return rules.unknown_keys({name: None}, VALKEY_PARAMETERS[family])


def _bad_parameter_value(values: Mapping[str, Any]) -> str | None:
    for name, value in values["parameters"].items():
        if name in VALKEY_PARAMETER_VALUES and value not in VALKEY_PARAMETER_VALUES[name]:
            return name
    return None


def _hcl_list(items: Any) -> str:
    return "[" + ", ".join(f'"{item}"' for item in items) + "]"


_HCL_PARAMETER_VALUES = (
    "tomap({ " + ", ".join(f'"{k}" = {_hcl_list(v)}' for k, v in sorted(VALKEY_PARAMETER_VALUES.items())) + " })"
)

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
            "Description of the replication group. Default: \"Valkey replication group <id>\".",
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
            "engine_version",
            STRING,
            "Valkey version (major.minor). The parameter group family follows from it: 7.2 → valkey7, 8.x → valkey8.",
            default=VALKEY_DEFAULT_ENGINE_VERSION,
            rules=(rules.one_of(VALKEY_KNOWN_VERSIONS),),
            advice=lambda v: version_advice(
                v, VALKEY_END_OF_SUPPORT, VALKEY_SUPPORT_SOURCE, VALKEY_DEFAULT_ENGINE_VERSION, "replication groups"
            ),
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
            "Description of the parameter group (ForceNew). Default: \"Valkey parameters of <replication group id>\".",
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
            "Valkey parameters, merged into the module's parameter group (cluster-enabled is set by the module).",
            default={},
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
        shared.create_kms_key("data at rest and the logs", kms_key_needed),
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
            "Pass it as a sensitive variable, never in a file.",
            default=None,
            sensitive=True,
            secret=True,
            secret_only_with="transit_encryption_enabled",
            secret_wanted=_rbac_secret_wanted,
            # AWS is stricter than the provider, which only bans @, " and /.
            rules=(rules.matches("[A-Za-z0-9!&#$^<>-]{16,128}", "be 16 to 128 letters, digits or !&#$^<>-"),),
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
        Input(
            "users",
            map_of(USER),
            "RBAC users the module creates, by user id: { user_name (default: the id), access_string, "
            "authentication_type = \"password\" (default) or \"iam\" }. The module puts them in a user group "
            "named after the replication group and attaches it. AWS requires a user named \"default\" in every "
            "group (give it a restrictive access string, such as \"off ~* -@all\"). Excludes auth_token and "
            "user_group_ids; needs transit encryption.",
            default={},
            rules=USER_RULES,
        ),
        Input(
            "user_passwords",
            map_of(list_of(STRING)),
            "Passwords of the password users, by user id: 1 or 2 each (two while rotating), 16-128 characters. "
            "Pass it as a sensitive variable, never in a file.",
            default={},
            sensitive=True,
            secret=True,
            secret_wanted=lambda given: bool(_password_users(given.get("users"))),
            rules=USER_PASSWORD_RULES,
        ),
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
            "data). Excludes snapshot_arns.",
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
        Input("apply_immediately", BOOL, "Apply changes now instead of in the maintenance window.", default=False),
        Input("auto_minor_version_upgrade", BOOL, "Take minor engine upgrades in the maintenance window.", default=True),
        Input(
            "notification_topic_arn",
            STRING,
            "SNS topic for ElastiCache events.",
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
        *shared.logs("the slow and engine log groups"),
        shared.TAGS_WITH_NAME,
        *alarms.alarm_inputs(alarms.ELASTICACHE_ALARMS),
    ),
    checks=(
        *alarms.ALARM_CHECKS,
        Check(
            ("cluster_name", "name_prefix"),
            "must give a replication group id (name_prefix + cluster_name) of at most 40 lowercase letters, digits "
            "and single hyphens, starting with a letter and not ending with a hyphen",
            lambda v: len(replication_group_id(v)) <= 40 and REPLICATION_GROUP_ID.fullmatch(replication_group_id(v)) is not None,
            'length(local.replication_group_id) <= 40 && can(regex("^[a-z]([a-z0-9]|-[a-z0-9])*$", local.replication_group_id))',
            example={"cluster_name": "a-cache-name-too-long-for-an-id"},
        ),
        Check(
            ("num_cache_clusters", "num_node_groups"),
            "must not be set together with num_node_groups (cluster mode sizes the group by shards and replicas)",
            lambda v: v["num_cache_clusters"] is None or v["num_node_groups"] is None,
            "var.num_cache_clusters == null || var.num_node_groups == null",
            example={"num_cache_clusters": 2, "num_node_groups": 2},
        ),
        Check(
            ("replicas_per_node_group", "num_node_groups"),
            "must only be set in cluster mode (with num_node_groups)",
            lambda v: v["replicas_per_node_group"] is None or v["num_node_groups"] is not None,
            "var.replicas_per_node_group == null || var.num_node_groups != null",
            example={"replicas_per_node_group": 1},
        ),
        Check(
            ("automatic_failover_enabled", "num_node_groups"),
            "must be true in cluster mode (num_node_groups set): AWS cannot turn failover off there",
            lambda v: v["automatic_failover_enabled"] or not _cluster_mode(v),
            "var.automatic_failover_enabled || var.num_node_groups == null",
            example={"automatic_failover_enabled": False, "multi_az_enabled": False, "num_node_groups": 2},
        ),
        Check(
            ("automatic_failover_enabled", "num_cache_clusters", "num_node_groups"),
            "needs num_cache_clusters of 2 or more without cluster mode (num_node_groups unset); "
            "for a single node set automatic_failover_enabled and multi_az_enabled to false",
            lambda v: not v["automatic_failover_enabled"] or _cluster_mode(v) or (v["num_cache_clusters"] or 2) >= 2,
            "!var.automatic_failover_enabled || var.num_node_groups != null || coalesce(var.num_cache_clusters, 2) >= 2",
            example={"num_cache_clusters": 1},
        ),
        Check(
            ("multi_az_enabled", "automatic_failover_enabled"),
            "needs automatic_failover_enabled = true",
            lambda v: not v["multi_az_enabled"] or v["automatic_failover_enabled"],
            "!var.multi_az_enabled || var.automatic_failover_enabled",
            example={"automatic_failover_enabled": False},
        ),
        Check(
            ("auth_token", "transit_encryption_enabled"),
            "needs transit_encryption_enabled = true (AWS accepts AUTH only over TLS)",
            lambda v: v["auth_token"] is None or v["transit_encryption_enabled"],
            "var.auth_token == null || var.transit_encryption_enabled",
            shown=("transit_encryption_enabled",),  # never echo a secret
            example={"auth_token": "example-token-0123456789", "transit_encryption_enabled": False},
        ),
        Check(
            ("auth_token", "user_group_ids"),
            "must not be set together with user_group_ids (AUTH token or RBAC, not both)",
            lambda v: v["auth_token"] is None or not v["user_group_ids"],
            "var.auth_token == null || length(var.user_group_ids) == 0",
            shown=("user_group_ids",),
            example={"auth_token": "example-token-0123456789", "user_group_ids": ["sessions"]},
        ),
        # The provider's authTokenUpdateStrategyValidate (aws-constraints.md §1): ROTATE and SET need a token, DELETE
        # needs none; AWS allows DELETE only on the way to RBAC (ModifyReplicationGroup AuthTokenUpdateStrategy).
        Check(
            ("auth_token_update_strategy", "auth_token"),
            "needs auth_token for ROTATE and SET",
            lambda v: v["auth_token_update_strategy"] in (None, "DELETE") or v["auth_token"] is not None,
            'var.auth_token_update_strategy == null || var.auth_token_update_strategy == "DELETE" || '
            "var.auth_token != null",
            shown=("auth_token_update_strategy",),
            example={"auth_token_update_strategy": "ROTATE"},
        ),
        Check(
            ("auth_token_update_strategy", "auth_token", "user_group_ids", "users"),
            "must only be DELETE with auth_token unset and users or user_group_ids set (AWS removes AUTH only on the "
            "way to RBAC)",
            lambda v: v["auth_token_update_strategy"] != "DELETE"
            or (v["auth_token"] is None and bool(v["user_group_ids"] or v["users"])),
            'var.auth_token_update_strategy != "DELETE" || '
            "(var.auth_token == null && length(var.user_group_ids) + length(var.users) > 0)",
            shown=("auth_token_update_strategy",),
            example={"auth_token_update_strategy": "DELETE"},
        ),
        Check(
            ("snapshot_arns", "snapshot_name"),
            "must not be set together with snapshot_name (AWS restores from one source)",
            lambda v: not v["snapshot_arns"] or v["snapshot_name"] is None,
            "length(var.snapshot_arns) == 0 || var.snapshot_name == null",
            example={"snapshot_arns": ["arn:aws:s3:::backups/cache/dump.rdb"], "snapshot_name": "nightly"},
        ),
        Check(
            ("users",),
            'must include a user named "default" (AWS requires one in every user group)',
            lambda v: not v["users"] or any(_user_name(k, u) == "default" for k, u in v["users"].items()),
            'length(var.users) == 0 || anytrue([for k, u in var.users : coalesce(u.user_name, k) == "default"])',
            example={"users": {"app": {"access_string": "on ~* +@all"}}, "user_passwords": {"app": ["example-password-0123"]}},
        ),
        Check(
            ("users", "user_group_ids"),
            "must not be set together with user_group_ids (the module attaches the group it creates; AWS accepts one)",
            lambda v: not v["users"] or not v["user_group_ids"],
            "length(var.users) == 0 || length(var.user_group_ids) == 0",
            shown=("user_group_ids",),
            example={**_RBAC_EXAMPLE, "user_group_ids": ["sessions"]},
        ),
        Check(
            ("users", "auth_token"),
            "must not be set together with auth_token (AUTH token or RBAC, not both)",
            lambda v: not v["users"] or v["auth_token"] is None,
            "length(var.users) == 0 || var.auth_token == null",
            shown=("users",),  # never echo a secret
            example={**_RBAC_EXAMPLE, "auth_token": "example-token-0123456789"},
        ),
        Check(
            ("users", "transit_encryption_enabled"),
            "needs transit_encryption_enabled = true (ElastiCache RBAC works only over TLS)",
            lambda v: not v["users"] or v["transit_encryption_enabled"],
            "length(var.users) == 0 || var.transit_encryption_enabled",
            shown=("transit_encryption_enabled",),
            example={**_RBAC_EXAMPLE, "transit_encryption_enabled": False},
        ),
        Check(
            ("user_passwords", "users"),
            "must give passwords to exactly the users with authentication_type = \"password\" (IAM users take none)",
            _passwords_match_users,
            # keys() of a sensitive map is sensitive; user ids are not secret.
            "alltrue([for k in nonsensitive(keys(var.user_passwords)) : "
            'contains(keys(var.users), k) && try(var.users[k].authentication_type == "password", false)]) && '
            'alltrue([for k, u in var.users : u.authentication_type != "password" || '
            "contains(nonsensitive(keys(var.user_passwords)), k)])",
            shown=("users",),  # never echo a secret
            example={**_RBAC_EXAMPLE, "user_passwords": {}},
        ),
        *(
            Check(
                (stream, flag),
                f"needs {flag} = true (the {log.replace('-', ' ')} is delivered only while it is on)",
                lambda v, flag=flag, stream=stream: v[stream] is None or v[flag],
                f"var.{stream} == null || var.{flag}",
                shown=(flag,),
                example={stream: f"cache-{log}", flag: False},
            )
            for log, flag, stream in LOG_TYPES
        ),
        Check(
            ("transit_encryption_mode", "transit_encryption_enabled"),
            "needs transit_encryption_enabled = true",
            lambda v: v["transit_encryption_mode"] is None or v["transit_encryption_enabled"],
            "var.transit_encryption_mode == null || var.transit_encryption_enabled",
            example={"transit_encryption_mode": "preferred", "transit_encryption_enabled": False},
        ),
        Check(
            ("kms_key_arn", "at_rest_encryption_enabled"),
            "needs at_rest_encryption_enabled = true",
            lambda v: v["kms_key_arn"] is None or v["at_rest_encryption_enabled"],
            "var.kms_key_arn == null || var.at_rest_encryption_enabled",
            example={
                "kms_key_arn": "arn:aws:kms:ap-northeast-2:111122223333:key/example",
                "at_rest_encryption_enabled": False,
            },
        ),
        Check(
            ("maintenance_window", "snapshot_window"),
            "must not overlap snapshot_window",
            lambda v: not windows_overlap(v["snapshot_window"], v["maintenance_window"]),
            None,  # interval arithmetic on weekly windows is beyond a readable Terraform condition
        ),
        Check(
            ("data_tiering_enabled", "node_type"),
            "must be true exactly when node_type is an r6gd type (data tiering exists only there, and is required there)",
            lambda v: v["data_tiering_enabled"] == _data_tiering_node(v["node_type"]),
            'var.data_tiering_enabled == (split(".", var.node_type)[1] == "r6gd")',
            example={"data_tiering_enabled": True},
        ),
        *shared.NETWORK_CHECKS,
        *shared.create_kms_key_checks(
            ("kms_key_arn", "log_kms_key_arn"),
            ("kms_key_arn", "log_kms_key_arn"),
            needs="needs kms_key_arn (data at rest) and log_kms_key_arn (slow and engine logs) for what is encrypted "
            "when false: the module then creates no key",
            unused="must be false when kms_key_arn and log_kms_key_arn cover everything that is encrypted (the "
            "module's key would encrypt nothing)",
            key_needed=kms_key_needed,
            encrypts_anything=_encrypts_anything,
        ),
        Check(
            ("parameters",),
            "must not set cluster-enabled: the module sets it from num_node_groups",
            lambda v: "cluster-enabled" not in v["parameters"],
            '!contains(keys(var.parameters), "cluster-enabled")',
            example={"parameters": {"cluster-enabled": "yes"}},
        ),
        shared.NO_INGRESS_COVERING_EVERY_ADDRESS,
        # The security group's name starts with the replication group id; EC2 refuses group names starting with sg- (and the
        # provider's name_prefix validation says so at plan).
        Check(
            ("cluster_name", "name_prefix"),
            "must not give a replication group id (name_prefix + cluster_name) starting with sg-: it begins the security "
            "group's name, and EC2 refuses group names starting with sg-",
            lambda v: not replication_group_id(v).startswith("sg-"),
            '!startswith(local.replication_group_id, "sg-")',
            # Without the module's group: the provider's own name_prefix validation would refuse the group first.
            example={"name_prefix": "sg-", "create_security_group": False,
                     "associated_security_group_ids": ["sg-0123456789abcdef0"]},
        ),
        # AWS refuses a parameter its family does not have (InvalidParameterValue) when creating the group.
        Check(
            ("parameters", "engine_version"),
            lambda v: f"must name only parameters of the {parameter_group_family(v)} family (modules/catalog.py); "
            f"unknown: {_unknown_parameter(v)}",
            lambda v: not _unknown_parameters(v),
            'length(setsubtract(keys(var.parameters), split(".", var.engine_version)[0] == "7" ? '
            f'{_hcl_list(VALKEY_PARAMETERS["valkey7"])} : {_hcl_list(VALKEY_PARAMETERS["valkey8"])})) == 0',
            hcl_message="parameters must name only parameters of the parameter group family (valkey7 for 7.2, "
            "valkey8 for 8.x; see modules/catalog.py in the generator).",
            example={"parameters": {"not-a-parameter": "yes"}},
        ),
        Check(
            ("parameters",),
            lambda v: (lambda name: f"must give {name} one of "
                       f"{', '.join(VALKEY_PARAMETER_VALUES[name])}")(_bad_parameter_value(v)),
            lambda v: _bad_parameter_value(v) is None,
            f"alltrue([for k, value in var.parameters : contains(lookup({_HCL_PARAMETER_VALUES}, k, [value]), value)])",
            hcl_message="parameters must give each parameter one of its allowed values (maxmemory-policy, yes/no flags).",
            example={"parameters": {"maxmemory-policy": "sometimes"}},
        ),
        Check(
            ("parameters", "node_type"),
            "must set maxmemory-policy to noeviction, volatile-lru or allkeys-lru on r6gd (data tiering) nodes",
            lambda v: not _data_tiering_node(v["node_type"])
            or v["parameters"].get("maxmemory-policy", "volatile-lru") in DATA_TIERING_MAXMEMORY_POLICIES,
            'split(".", var.node_type)[1] != "r6gd" || contains('
            f'{_hcl_list(DATA_TIERING_MAXMEMORY_POLICIES)}, lookup(var.parameters, "maxmemory-policy", "volatile-lru"))',
            example={"node_type": "cache.r6gd.xlarge", "data_tiering_enabled": True,
                     "parameters": {"maxmemory-policy": "allkeys-lfu"}},
        ),
    ),
    aws_names=AWS_NAMES,
    advice=(alarms.NOBODY_NOTIFIED, shared.unreachable("the cache port"),),
)
