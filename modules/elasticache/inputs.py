"""ElastiCache (Valkey) inputs and the rules AWS enforces on them (../shared/reference/aws-constraints.md §1).

Most rules below are ones the provider leaves to `terraform apply` (AWS rejects the request); checking them here
turns a failed apply into a message at synth time, and, as `validation`/`precondition` blocks, at plan time.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from generator import rules
from generator.inputs import Check, Input, InputSet, Rule
from generator.types import BOOL, NUMBER, STRING, list_of, literal, map_of
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

# --- identity ----------------------------------------------------------------------------------------------------
# AWS CreateReplicationGroup ReplicationGroupId: 1-40 characters, letters, digits and hyphens, begins with a letter,
# no two consecutive hyphens, no trailing hyphen. AWS stores it in lowercase, so only lowercase is accepted here:
# an uppercase id would differ from the one in state.
REPLICATION_GROUP_ID = re.compile(r"[a-z](?:[a-z0-9]|-[a-z0-9])*")


def replication_group_id(values: Mapping[str, Any]) -> str:
    return f"{values['name_prefix']}{values['cluster_name']}"


def _cluster_mode(values: Mapping[str, Any]) -> bool:
    return values["num_node_groups"] is not None


def _logs(values: Mapping[str, Any]) -> bool:
    return values["slow_log_enabled"] or values["engine_log_enabled"]


def kms_key_needed(values: Mapping[str, Any]) -> bool:
    """Something is encrypted that the caller gave no key for: the module's own key is needed."""
    return (values["at_rest_encryption_enabled"] and values["kms_key_arn"] is None) or (
        _logs(values) and values["log_kms_key_arn"] is None
    )


def _encrypts_anything(values: Mapping[str, Any]) -> bool:
    return values["at_rest_encryption_enabled"] or _logs(values)


# The same conditions in HCL: `local.kms_key_needed` is defined by the module (resources.py).
KMS_KEY_NEEDED_HCL = (
    "(var.at_rest_encryption_enabled && var.kms_key_arn == null) || "
    "((var.slow_log_enabled || var.engine_log_enabled) && var.log_kms_key_arn == null)"
)
ENCRYPTS_ANYTHING_HCL = "var.at_rest_encryption_enabled || var.slow_log_enabled || var.engine_log_enabled"
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
        (values["slow_log_enabled"] or values["engine_log_enabled"]) and values["log_kms_key_arn"] is None
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
            lambda v, log=log, flag=flag: f"/aws/elasticache/{replication_group_id(v)}/{log}" if v[flag] else None,
            512, "CloudWatch Logs CreateLogGroup",
        )
        for log, flag in (("slow-log", "slow_log_enabled"), ("engine-log", "engine_log_enabled"))
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
                rules=(rules.not_empty("subnet"), rules.resource_ids("subnet"), rules.distinct("subnet")),
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
            # AWS is stricter than the provider, which only bans @, " and /.
            rules=(rules.matches("[A-Za-z0-9!&#$^<>-]{16,128}", "be 16 to 128 letters, digits or !&#$^<>-"),),
        ),
        Input(
            "user_group_ids",
            list_of(STRING),
            "RBAC user group (AWS accepts one). Excludes auth_token.",
            default=[],
            rules=(rules.items_between(0, 1, "user groups"),),
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
        ),
        Check(
            ("num_cache_clusters", "num_node_groups"),
            "must not be set together with num_node_groups (cluster mode sizes the group by shards and replicas)",
            lambda v: v["num_cache_clusters"] is None or v["num_node_groups"] is None,
            "var.num_cache_clusters == null || var.num_node_groups == null",
        ),
        Check(
            ("replicas_per_node_group", "num_node_groups"),
            "must only be set in cluster mode (with num_node_groups)",
            lambda v: v["replicas_per_node_group"] is None or v["num_node_groups"] is not None,
            "var.replicas_per_node_group == null || var.num_node_groups != null",
        ),
        Check(
            ("automatic_failover_enabled", "num_node_groups"),
            "must be true in cluster mode (num_node_groups set): AWS cannot turn failover off there",
            lambda v: v["automatic_failover_enabled"] or not _cluster_mode(v),
            "var.automatic_failover_enabled || var.num_node_groups == null",
        ),
        Check(
            ("automatic_failover_enabled", "num_cache_clusters", "num_node_groups"),
            "needs num_cache_clusters of 2 or more without cluster mode (num_node_groups unset); "
            "for a single node set automatic_failover_enabled and multi_az_enabled to false",
            lambda v: not v["automatic_failover_enabled"] or _cluster_mode(v) or (v["num_cache_clusters"] or 2) >= 2,
            "!var.automatic_failover_enabled || var.num_node_groups != null || coalesce(var.num_cache_clusters, 2) >= 2",
        ),
        Check(
            ("multi_az_enabled", "automatic_failover_enabled"),
            "needs automatic_failover_enabled = true",
            lambda v: not v["multi_az_enabled"] or v["automatic_failover_enabled"],
            "!var.multi_az_enabled || var.automatic_failover_enabled",
        ),
        Check(
            ("auth_token", "transit_encryption_enabled"),
            "needs transit_encryption_enabled = true (AWS accepts AUTH only over TLS)",
            lambda v: v["auth_token"] is None or v["transit_encryption_enabled"],
            "var.auth_token == null || var.transit_encryption_enabled",
            shown=("transit_encryption_enabled",),  # never echo a secret
        ),
        Check(
            ("auth_token", "user_group_ids"),
            "must not be set together with user_group_ids (AUTH token or RBAC, not both)",
            lambda v: v["auth_token"] is None or not v["user_group_ids"],
            "var.auth_token == null || length(var.user_group_ids) == 0",
            shown=("user_group_ids",),
        ),
        Check(
            ("transit_encryption_mode", "transit_encryption_enabled"),
            "needs transit_encryption_enabled = true",
            lambda v: v["transit_encryption_mode"] is None or v["transit_encryption_enabled"],
            "var.transit_encryption_mode == null || var.transit_encryption_enabled",
        ),
        Check(
            ("kms_key_arn", "at_rest_encryption_enabled"),
            "needs at_rest_encryption_enabled = true",
            lambda v: v["kms_key_arn"] is None or v["at_rest_encryption_enabled"],
            "var.kms_key_arn == null || var.at_rest_encryption_enabled",
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
        ),
        *shared.NETWORK_CHECKS,
        Check(
            ("create_kms_key", "kms_key_arn", "log_kms_key_arn"),
            "needs kms_key_arn (data at rest) and log_kms_key_arn (slow and engine logs) for what is encrypted "
            "when false: the module then creates no key",
            lambda v: v["create_kms_key"] or not kms_key_needed(v),
            "var.create_kms_key || !local.kms_key_needed",
        ),
        Check(
            ("create_kms_key", "kms_key_arn", "log_kms_key_arn"),
            "must be false when kms_key_arn and log_kms_key_arn cover everything that is encrypted (the module's "
            "key would encrypt nothing)",
            lambda v: not v["create_kms_key"] or not _encrypts_anything(v) or kms_key_needed(v),
            f"!var.create_kms_key || !({ENCRYPTS_ANYTHING_HCL}) || local.kms_key_needed",
        ),
        Check(
            ("parameters",),
            "must not set cluster-enabled: the module sets it from num_node_groups",
            lambda v: "cluster-enabled" not in v["parameters"],
            '!contains(keys(var.parameters), "cluster-enabled")',
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
        ),
        Check(
            ("parameters",),
            lambda v: (lambda name: f"must give {name} one of "
                       f"{', '.join(VALKEY_PARAMETER_VALUES[name])}")(_bad_parameter_value(v)),
            lambda v: _bad_parameter_value(v) is None,
            f"alltrue([for k, value in var.parameters : contains(lookup({_HCL_PARAMETER_VALUES}, k, [value]), value)])",
            hcl_message="parameters must give each parameter one of its allowed values (maxmemory-policy, yes/no flags).",
        ),
        Check(
            ("parameters", "node_type"),
            "must set maxmemory-policy to noeviction, volatile-lru or allkeys-lru on r6gd (data tiering) nodes",
            lambda v: not _data_tiering_node(v["node_type"])
            or v["parameters"].get("maxmemory-policy", "volatile-lru") in DATA_TIERING_MAXMEMORY_POLICIES,
            'split(".", var.node_type)[1] != "r6gd" || contains('
            f'{_hcl_list(DATA_TIERING_MAXMEMORY_POLICIES)}, lookup(var.parameters, "maxmemory-policy", "volatile-lru"))',
        ),
    ),
    aws_names=AWS_NAMES,
    advice=(alarms.NOBODY_NOTIFIED, shared.unreachable("the cache port"),),
)
