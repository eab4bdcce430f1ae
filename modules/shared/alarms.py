"""CloudWatch alarms a module creates when asked (alarms_enabled), from a per-module list of alarm definitions.

One resource, `aws_cloudwatch_metric_alarm.this`, with for_each over `local.alarms`: a map whose keys are
`<alarm>-<member>` (`cpu-node1`, `disk-used-broker3`) or `<alarm>` for an alarm on the whole resource. Every key
comes from inputs known at plan time (the node count, the broker count, a list of operations); the dimension
values may be known only after apply (a replication group's member cluster ids), which Terraform allows in a
for_each value, never in a key.

The metrics, their namespaces, dimensions and statistics are listed in modules.catalog.ALARM_METRICS with the AWS
pages they come from. The inputs (`alarm_inputs`) are declared once here and added to each module's InputSet.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

from generator.language import expr, rules
from generator.language.expr import all_, all_of, call, value, var
from generator.language.inputs import Advice, Check, Input, Rule
from generator.language.types import BOOL, NUMBER, STRING, list_of, object_of, optional
from generator.model.wiring import InputRefs, WiringError, module_of
from modules.catalog import ALARM_METRICS, DYNAMODB_OPERATIONS

# Every alarm looks at 5-minute periods: the services publish these metrics every 60 s, and a shorter period makes
# one slow minute page someone.
PERIOD_SECONDS = 300
# PutMetricAlarm: AlarmActions and OKActions hold at most 5 ARNs each (CloudWatch API Reference, PutMetricAlarm).
MAX_ACTIONS = 5


@dataclass(frozen=True)
class Alarm:
    key: str  # the attribute of alarm_thresholds and the start of the for_each key
    metric: str  # a key of modules.catalog.ALARM_METRICS
    # HCL expression of a map: member key ("" for the whole resource) → the metric's dimensions. Keys known at plan
    # time. `$name` stands for the watched resource's name and `$<value>` for the values the module passes to
    # metric_alarms (`$cluster_mode`): the definition reads nothing of the module that the call does not hand it.
    members: str
    threshold: float  # default of alarm_thresholds.<key>
    what: str  # README and alarm description: what crosses the threshold
    unit: str  # of the threshold, for the README ("percent", "seconds", "events per 5 minutes")
    evaluation_periods: int = 3
    comparison: str = "GreaterThanThreshold"
    # A replica-only metric (ReplicationLag) is missing on the primary: that is no breach.
    treat_missing_data: str = "missing"
    # HCL: the alarm exists for this configuration (a lag alarm needs replicas); `$<value>` as in members.
    condition: str = "true"

    @property
    def namespace(self) -> str:
        return ALARM_METRICS[self.metric][0]

    @property
    def statistic(self) -> str:
        return ALARM_METRICS[self.metric][2]


def _threshold_rules(alarms: tuple[Alarm, ...]) -> tuple[Rule, ...]:
    percent = [a.key for a in alarms if a.unit == "percent"]

    def at_least_zero(threshold: expr.Expr) -> expr.Expr:
        return threshold >= 0

    def a_percentage(threshold: expr.Expr) -> expr.Expr:
        return threshold <= 100

    non_negative = Rule(
        "hold thresholds of 0 or more",
        when=all_(call("values", value), lambda t: at_least_zero(t)),
        got=lambda v: next(f"{k} = {t:g}" for k, t in v.items() if not expr.holds(at_least_zero(expr.lift(t)), {})),
        example={alarms[0].key: -1},
        passing={alarms[0].key: 0},
    )
    if not percent:
        return (non_negative,)
    return (
        non_negative,
        Rule(
            "hold percentages of at most 100 (" + ", ".join(percent) + ")",
            when=all_of(*(a_percentage(value[k]) for k in percent)),
            got=lambda v: next(f"{k} = {v[k]:g}" for k in percent if not expr.holds(a_percentage(expr.lift(v[k])), {})),
            example={percent[0]: 101},
            passing={k: 100 for k in percent},
        ),
    )


def alarm_inputs(alarms: tuple[Alarm, ...], *, operations: bool = False) -> tuple[Input, ...]:
    """alarms_enabled, alarm_actions, ok_actions and alarm_thresholds (one attribute per alarm, with its default);
    with `operations`, the DynamoDB operations whose SystemErrors are watched."""
    actions_rules = (
        rules.items_between(0, MAX_ACTIONS, "ARNs"),
        rules.arns_shape("sns"),
        rules.distinct("ARN"),
    )
    inputs = (
        Input(
            "alarms_enabled",
            BOOL,
            "Create the module's CloudWatch alarms (README: \"CloudWatch alarms\"). Off by default: alarms cost "
            "money and need somewhere to send them.",
            default=False,
        ),
        Input(
            "alarm_actions",
            list_of(STRING),
            f"SNS topic ARNs notified when an alarm goes to ALARM (at most {MAX_ACTIONS}). Empty: the alarms "
            "change state in the console and in EventBridge only (synth warns).",
            default=[],
            rules=actions_rules,
        ),
        Input(
            "ok_actions",
            list_of(STRING),
            f"SNS topic ARNs notified when an alarm goes back to OK (at most {MAX_ACTIONS}).",
            default=[],
            rules=actions_rules,
        ),
        Input(
            "alarm_thresholds",
            object_of(**{a.key: optional(NUMBER, a.threshold) for a in alarms}),
            "Thresholds of the alarms, each optional: "
            + "; ".join(f"{a.key} ({a.what}, {a.unit}, default {a.threshold:g})" for a in alarms)
            + ".",
            default={},
            rules=_threshold_rules(alarms),
        ),
    )
    if operations:
        inputs += (
            Input(
                "alarm_operations",
                list_of(STRING),
                "DynamoDB operations whose SystemErrors get an alarm each (AWS publishes SystemErrors per "
                "operation only).",
                default=["GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "BatchWriteItem"],
                rules=(_operations_rule(), rules.distinct("operation")),
            ),
        )
    return inputs


def _operations_rule() -> Rule:
    listing = ", ".join(DYNAMODB_OPERATIONS)

    def published(operation: expr.Expr) -> expr.Expr:
        return operation.is_in(DYNAMODB_OPERATIONS)

    return Rule(
        f"hold only operations AWS publishes SystemErrors for ({listing})",
        when=all_(value, lambda op: published(op)),
        got=lambda v: '"' + rules.first_refused(v, published) + '"',
        example=["NotAnOperation"],
        passing=list(DYNAMODB_OPERATIONS),
    )


ACTIONS_NEED_ALARMS = Check(
    ("alarm_actions", "ok_actions", "alarms_enabled"),
    "must be empty while alarms_enabled = false: no alarm exists to send them (set alarms_enabled = true)",
    when=var("alarms_enabled") | (var("alarm_actions").length() + var("ok_actions").length() == 0),
    example={"alarm_actions": ["arn:aws:sns:ap-northeast-2:111122223333:alerts"]},
    passing={"alarms_enabled": True, "ok_actions": ["arn:aws:sns:ap-northeast-2:111122223333:alerts"]},
)
# CloudWatch sends an alarm's actions to an SNS topic of the alarm's own region (PutMetricAlarm refuses another
# region's topic, or another partition's ARN, at apply).
ALARM_CHECKS = (
    ACTIONS_NEED_ALARMS,
    *(rules.region_check(name, "ARNs (SNS topics)", many=True,
                         example={"alarms_enabled": True, name: ["arn:aws:sns:us-east-1:111122223333:alerts"]},
                         passing={"alarms_enabled": True, name: ["arn:aws:sns:ap-northeast-2:111122223333:alerts"]})
      for name in ("alarm_actions", "ok_actions")),
)
NOBODY_NOTIFIED = Advice(
    ("alarms_enabled", "alarm_actions"),
    lambda v: rules.holds(var("alarms_enabled") & (var("alarm_actions").length() == 0), v),
    "= true, but alarm_actions is empty: the alarms change state in the console and in EventBridge only, and "
    "notify nobody",
)


def _hcl_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# A value slot of an alarm definition: `$name`, never HCL's own `${`.
_SLOT = re.compile(r"\$([a-z_]+)(?![\w{])")


def _fill(alarm: Alarm, text: str, values: Mapping[str, str], inputs: InputRefs) -> str:
    def value(match: re.Match[str]) -> str:
        if match.group(1) not in values:
            raise WiringError([
                f"{module_of(inputs)}: alarm {alarm.key} reads ${match.group(1)}, which the module does not pass to "
                f"metric_alarms (it passes {', '.join(sorted(values))})"
            ])
        return values[match.group(1)]

    return _SLOT.sub(value, text)


def alarms_local(alarms: tuple[Alarm, ...], subject: str, inputs: InputRefs, values: Mapping[str, str]) -> str:
    """`local.alarms`: one for-expression per alarm definition, merged. `subject` is HCL naming what is watched in
    the alarm's description (`"Valkey ${local.replication_group_id}"`); `values` fill the definitions' slots."""
    thresholds, enabled = inputs.alarm_thresholds, inputs.alarms_enabled
    parts = []
    for alarm in alarms:
        members, condition = _fill(alarm, alarm.members, values, inputs), _fill(alarm, alarm.condition, values, inputs)
        key = f'"{alarm.key.replace("_", "-")}${{member == "" ? "" : "-${{member}}"}}"'
        description = (
            f'"${{{subject}}}${{member == "" ? "" : " ${{member}}"}}: {alarm.what} '
            f'({alarm.metric}, {alarm.statistic}) {"above" if alarm.comparison.startswith("Greater") else "below"} '
            f'${{{thresholds}.{alarm.key}}} {alarm.unit} for {alarm.evaluation_periods * PERIOD_SECONDS // 60} minutes"'
        )
        parts.append(
            f"{{ for member, dimensions in {members} : {key} => {{ "
            f"metric_name = {_hcl_string(alarm.metric)}, namespace = {_hcl_string(alarm.namespace)}, "
            f"statistic = {_hcl_string(alarm.statistic)}, comparison_operator = {_hcl_string(alarm.comparison)}, "
            f"threshold = {thresholds}.{alarm.key}, evaluation_periods = {alarm.evaluation_periods}, "
            f"treat_missing_data = {_hcl_string(alarm.treat_missing_data)}, dimensions = tomap(dimensions), "
            f"description = {description} }} if {enabled} && ({condition}) }}"
        )
    return "${merge(" + ", ".join(parts) + ")}"


def metric_alarms(
    stack: Any,
    alarms: tuple[Alarm, ...],
    *,
    inputs: InputRefs,
    name: str,
    subject: str,
    values: Mapping[str, str] | None = None,
    after: Any = None,
) -> Any:
    """`aws_cloudwatch_metric_alarm.this`, one per entry of `local.alarms` (which it defines), named
    `<name>-<key>` (`name`: HCL, also the definitions' `$name`). `values`: HCL of the definitions' other slots
    (`{"cluster_mode": "local.cluster_mode"}`). `inputs`: the calling module's handles (generator.model.wiring.InputRefs; it must declare the alarm
    inputs and `tags`). `after`: the watched resource, when the alarms read nothing of it: planned after it, they
    are not planned at all when its preconditions refuse the inputs (the alarm name length check's message, not
    the provider's, then explains)."""
    # The thin cdk layer, imported here so that the inputs above stay importable without it (environment checks).
    from generator.cdk import address, aws, local, number, string_map, strings

    entries = local(stack, "alarms", alarms_local(alarms, subject, inputs, {"name": name, **(values or {})}))
    alarm = aws.CloudwatchMetricAlarm(
        stack,
        "metric_alarm",
        alarm_name=f"${{{name}}}-${{each.key}}",
        alarm_description="${each.value.description}",
        namespace="${each.value.namespace}",
        metric_name="${each.value.metric_name}",
        statistic="${each.value.statistic}",
        comparison_operator="${each.value.comparison_operator}",
        threshold=number("each.value.threshold"),
        evaluation_periods=number("each.value.evaluation_periods"),
        period=PERIOD_SECONDS,
        dimensions=string_map("each.value.dimensions"),
        treat_missing_data="${each.value.treat_missing_data}",
        alarm_actions=strings(inputs.alarm_actions),
        ok_actions=strings(inputs.ok_actions),
        tags=string_map(inputs.tags),
        **({"depends_on": [after]} if after is not None else {}),
    )
    alarm.add_override("for_each", "${" + entries + "}")
    address(alarm, "this")
    return alarm


# --- The alarms of each module -------------------------------------------------------------------------------------
# ElastiCache: one alarm per member cluster (each holds one node). Their ids are known only after apply, so the key is
# the node's position (node1…nodeN, N from the inputs: num_cache_clusters, or num_node_groups × (replicas + 1)) and
# the CacheClusterId is the sorted member_clusters at that position, as cloudposse's elasticache-redis does. Nothing
# here relies on how AWS names member clusters.
_CACHE_NODES = (
    "{ for i in range($cluster_mode ? coalesce(var.num_node_groups, 1) * (coalesce(var.replicas_per_node_group, 1) "
    "+ 1) : coalesce(var.num_cache_clusters, 2)) : \"node${i + 1}\" => "
    "{ CacheClusterId = sort(aws_elasticache_replication_group.this.member_clusters)[i] } }"
)
ELASTICACHE_ALARMS = (
    Alarm("cpu", "CPUUtilization", _CACHE_NODES, 90, "host CPU", "percent"),
    Alarm("engine_cpu", "EngineCPUUtilization", _CACHE_NODES, 90, "engine CPU (the Valkey threads)", "percent"),
    Alarm("memory", "DatabaseMemoryUsagePercentage", _CACHE_NODES, 80, "memory used of maxmemory", "percent"),
    Alarm("evictions", "Evictions", _CACHE_NODES, 1000, "keys evicted", "keys per 5 minutes"),
    Alarm(
        "replication_lag", "ReplicationLag", _CACHE_NODES, 30, "replica lag behind its primary", "seconds",
        # Only replicas publish ReplicationLag, and which node is the primary changes with each failover.
        treat_missing_data="notBreaching",
        condition="$cluster_mode ? coalesce(var.replicas_per_node_group, 1) > 0 : "
        "coalesce(var.num_cache_clusters, 2) > 1",
    ),
)

_BROKERS = (
    '{ for b in range(1, $broker_count + 1) : "broker${b}" => '
    '{ "Cluster Name" = $name, "Broker ID" = tostring(b) } }'
)
_KAFKA_CLUSTER = '{ "" = { "Cluster Name" = $name } }'
MSK_ALARMS = (
    # Standard brokers only (the module refuses Express ones, which publish no KafkaDataLogsDiskUsed).
    Alarm("disk_used", "KafkaDataLogsDiskUsed", _BROKERS, 85, "data log disk used", "percent"),
    Alarm("under_replicated", "UnderReplicatedPartitions", _BROKERS, 0, "under-replicated partitions", "partitions"),
    Alarm(
        "offline_partitions", "OfflinePartitionsCount", _KAFKA_CLUSTER, 0, "offline partitions", "partitions",
        evaluation_periods=1,
    ),
)

# DynamoDB: the table, and each global secondary index (its throttles are published under
# {TableName, GlobalSecondaryIndexName}); names are inputs, so known at plan time.
_TABLE_AND_INDEXES = (
    '{ for member, dimensions in merge({ "" = { TableName = $name } }, '
    "{ for index in var.global_secondary_indexes : index.name => "
    "{ TableName = $name, GlobalSecondaryIndexName = index.name } }) : member => tomap(dimensions) }"
)
_OPERATIONS = "{ for op in var.alarm_operations : op => { TableName = $name, Operation = op } }"
DYNAMODB_ALARMS = (
    Alarm("read_throttles", "ReadThrottleEvents", _TABLE_AND_INDEXES, 10, "throttled reads", "events per 5 minutes",
          evaluation_periods=2),
    Alarm("write_throttles", "WriteThrottleEvents", _TABLE_AND_INDEXES, 10, "throttled writes",
          "events per 5 minutes", evaluation_periods=2),
    Alarm("system_errors", "SystemErrors", _OPERATIONS, 0, "DynamoDB internal errors", "errors per 5 minutes",
          evaluation_periods=1),
)


# PutMetricAlarm: AlarmName is 1 to 255 characters. Only DynamoDB can exceed it: a table name may be 255 characters
# itself, and index and operation names follow it in the alarm's name.
MAX_ALARM_NAME = 255


def _longest_dynamodb_alarm_name(v: Any) -> str:
    keys = ["write-throttles"]
    keys += [f"write-throttles-{index['name']}" for index in v["global_secondary_indexes"] or ()]
    keys += [f"system-errors-{op}" for op in v["alarm_operations"] or ()]
    return f"{v['name_prefix']}{v['table_name']}-{max(keys, key=len)}"


def _alarm_names_fit() -> expr.Expr:
    """Every alarm name, <name_prefix><table_name>-<key>, within the limit: the table's own keys (write-throttles is
    the longest, 15), one per index (write-throttles-<index>, 16 + its name) and one per operation
    (system-errors-<operation>, 14 + its name)."""
    table = var("name_prefix").length() + var("table_name").length() + 1
    return expr.implies(var("alarms_enabled"), all_of(
        table + 15 <= MAX_ALARM_NAME,
        all_(var("global_secondary_indexes"), lambda index: table + 16 + index["name"].length() <= MAX_ALARM_NAME),
        all_(var("alarm_operations"), lambda op: table + 14 + op.length() <= MAX_ALARM_NAME),
    ))


DYNAMODB_ALARM_NAME_LENGTH = Check(
    ("table_name", "name_prefix", "alarms_enabled", "global_secondary_indexes", "alarm_operations"),
    lambda v: "must leave room for the alarm names when alarms_enabled = true: name_prefix + table_name + "
    f"\"{_longest_dynamodb_alarm_name(v)[len(v['name_prefix'] + v['table_name']):]}\" is "
    f"{len(_longest_dynamodb_alarm_name(v))} characters, AWS allows {MAX_ALARM_NAME}",
    when=_alarm_names_fit(),
    hcl_message=f"table_name must leave room for the alarm names when alarms_enabled = true: name_prefix + "
    f"table_name + the longest alarm key (such as -write-throttles-<index>) must be at most {MAX_ALARM_NAME} "
    "characters.",
    shown=("table_name",),
    # 11 + 230 characters of table name (within DynamoDB's 255 and the KMS alias's 256) and the longest default
    # alarm key, -system-errors-BatchWriteItem (29): 270.
    example={"name_prefix": "mapzip-dev-", "table_name": "x" * 230, "alarms_enabled": True},
    # The same with 215 characters: 255, AWS's limit exactly.
    passing={"name_prefix": "mapzip-dev-", "table_name": "x" * 215, "alarms_enabled": True},
)
