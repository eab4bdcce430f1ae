"""ElastiCache (Valkey, or Redis OSS) resources: a replication group and what it needs, and the Global Datastore it
leads (primary) or joins (secondary).

Valkey exists only as a replication group (or serverless), never as `aws_elasticache_cluster`.
Addresses are part of the module's contract: renaming one replaces infrastructure.
"""

from __future__ import annotations

from typing import Any

from generator.cdk import address, aws, boolean, local, moved, number, string_map, strings
from generator.model.wiring import InputRefs
from modules.shared.alarms import ELASTICACHE_ALARMS, metric_alarms
from modules.shared.kms import customer_managed_key
from modules.shared.logs import log_group
from modules.elasticache.inputs import (
    CLUSTER_MODE,
    ENCRYPTS_ANYTHING_HCL,
    ENGINE,
    ENGINE_VERSION,
    GROUP_CLUSTER_MODE,
    SECONDARY,
    INPUTS,
    KMS_KEY_NEEDED,
    KMS_KEY_UNUSED,
    PARAMETER_GROUP_FAMILY,
    REPLICATION_GROUP_ID,
    WINDOW_LOCALS,
)
from modules.shared.network import security_group, security_group_ids

# The module's inputs, each checked to exist when a resource reads it.
INPUT = InputRefs.of("elasticache", INPUTS)


def build(stack: Any) -> Any:
    """The replication group (returned: it carries the module's checks) and what it needs, concern by concern."""
    _derived_locals(stack)
    parameter_group = _parameter_group(stack)
    subnet_group = _subnet_group(stack)
    # The parameter group is counted since secondaries of a Global Datastore have none: its older address moves.
    _security_group(stack, [("aws_elasticache_parameter_group.this", "aws_elasticache_parameter_group.this[0]")])
    key, module_key_arn = _encryption_key(stack)
    _log_groups(stack, key, module_key_arn)
    _users(stack)
    user_group_ids = _user_group(stack)
    group = _replication_group(stack, parameter_group, subnet_group, module_key_arn, user_group_ids)
    _log_delivery(stack, group)
    _global_datastore(stack)
    _alarms(stack)
    return group


def _derived_locals(stack: Any) -> None:
    """The locals the checks of inputs.py read too: the group id, cluster mode, parameter family, the windows."""
    # Declared with the checks that read them (modules/elasticache/inputs.py).
    for derived in (REPLICATION_GROUP_ID, CLUSTER_MODE, ENGINE, ENGINE_VERSION, SECONDARY, GROUP_CLUSTER_MODE,
                    PARAMETER_GROUP_FAMILY, *WINDOW_LOCALS):
        local(stack, derived.name, derived.declaration())
    # The engine's name in descriptions.
    local(stack, "engine_name", '${local.engine == "redis" ? "Redis OSS" : "Valkey"}')


def _parameter_group(stack: Any) -> Any:
    """The parameter group: the caller's parameters, plus cluster-enabled in cluster mode. None on a secondary of a
    Global Datastore (the global group's parameter group applies)."""
    parameters = local(
        stack,
        "parameter_group_parameters",
        f'${{merge({INPUT.parameters}, local.cluster_mode ? {{ "cluster-enabled" = "yes" }} : {{}})}}',
    )
    parameter_group = aws.ElasticacheParameterGroup(
        stack,
        "parameter_group",
        count=number("local.global_secondary ? 0 : 1"),
        # The family and mode are part of the name: a version upgrade or a switch to cluster mode creates a new
        # group before the old one is destroyed, instead of modifying a group that is in use.
        name=f'${{{INPUT.parameter_group_name} != null ? {INPUT.parameter_group_name} : '
        '"${local.replication_group_id}-${local.parameter_group_family}${local.cluster_mode ? "-cluster" : ""}"}',
        family="${local.parameter_group_family}",
        description=f'${{{INPUT.parameter_group_description} != null ? {INPUT.parameter_group_description} : '
        '"${local.engine_name} parameters of ${local.replication_group_id}"}',
        tags=string_map(INPUT.tags),
        lifecycle={"create_before_destroy": True},
    )
    address(parameter_group, "this")
    parameter_group.add_override(
        "dynamic.parameter",
        {"for_each": "${" + parameters + "}", "content": {"name": "${parameter.key}", "value": "${parameter.value}"}},
    )
    return parameter_group


def _subnet_group(stack: Any) -> Any:
    """The subnet group: the subnets the nodes are placed in."""
    subnet_group = aws.ElasticacheSubnetGroup(
        stack,
        "subnet_group",
        name=f"${{{INPUT.subnet_group_name} != null ? {INPUT.subnet_group_name} : local.replication_group_id}}",
        description=f'${{{INPUT.subnet_group_description} != null ? {INPUT.subnet_group_description} : '
        '"Subnets of ${local.replication_group_id}"}',

        subnet_ids=strings(INPUT.subnet_ids),
        tags=string_map(INPUT.tags),
    )
    address(subnet_group, "this")
    return subnet_group


def _security_group(stack: Any, other_moves: list[tuple[str, str]]) -> None:
    """The security group (the cache port from allowed sources only) and the `moved` blocks of its older addresses,
    with the module's `other_moves` (one override holds every `moved` block)."""
    moves = security_group(
        stack,
        inputs=INPUT,
        ports=local(stack, "ingress_ports", "${[" + INPUT.port + "]}"),
        name="local.replication_group_id",
        description="Valkey ${local.replication_group_id}: cache port from allowed sources only",
        service="Valkey",
    )
    moved(stack, [*moves, *other_moves])


def _encryption_key(stack: Any) -> tuple[Any, str]:
    """The module's KMS key for data at rest and logs; returns it and `local.module_kms_key_arn`."""
    local(stack, KMS_KEY_NEEDED.name, KMS_KEY_NEEDED.declaration())
    key = customer_managed_key(
        stack,
        inputs=INPUT,
        create=f"{INPUT.create_kms_key} && ({ENCRYPTS_ANYTHING_HCL})",
        used="local.kms_key_needed",
        unused_message=KMS_KEY_UNUSED,
        description="Valkey ${local.replication_group_id}: data at rest and logs",
        alias="alias/elasticache/${local.replication_group_id}",
        log_groups="/aws/elasticache/${local.replication_group_id}/*",
    )
    # Read by the log groups, the replication group and the kms_key_arn output.
    return key, local(stack, "module_kms_key_arn", "${" + key.arn + "}")


def _log_groups(stack: Any, key: Any, module_key_arn: str) -> None:
    """A CloudWatch log group per log type (slow, engine) that is on and not sent to Firehose."""
    for log_type, flag in (("slow_log", "slow_log_enabled"), ("engine_log", "engine_log_enabled")):
        # One group per log type: a shared group is a known collision (terraform-aws-elasticache#16).
        log_group(
            stack,
            log_type,
            name=f"/aws/elasticache/${{local.replication_group_id}}/{log_type.replace('_', '-')}",
            inputs=INPUT,
            enabled=f"{getattr(INPUT, flag)} && {getattr(INPUT, log_type + '_firehose_stream')} == null && "
            f"{getattr(INPUT, log_type + '_group_name')} == null",
            module_key_arn=module_key_arn,
            key_policy=key.policy,
        )


def _users(stack: Any) -> None:
    """The RBAC users: one per entry of var.users, with its access string and authentication."""
    # RBAC: one user per entry of var.users (keys are user ids, known at plan), in one group named after the
    # replication group. Engine valkey: AWS refuses a Valkey replication group's user group of another engine.
    user = aws.ElasticacheUser(
        stack,
        "user",
        user_id="${each.key}",
        user_name="${each.value.user_name != null ? each.value.user_name : each.key}",
        access_string="${each.value.access_string}",
        engine="${local.engine}",
        tags=string_map(INPUT.tags),
    )
    address(user, "this")
    user.add_override("for_each", INPUT.ref("users"))
    user.add_override(
        "authentication_mode",
        {
            "type": "${each.value.authentication_type}",
            "passwords": '${each.value.authentication_type == "password" ? '
            f"lookup({INPUT.user_passwords}, each.key, null) : null}}",
        },
    )


def _user_group(stack: Any) -> str:
    """The users' group, if any users; returns `local.user_group_ids`: it, else the caller's groups, else null."""
    user_group = aws.ElasticacheUserGroup(
        stack,
        "user_group",
        count=number(f"length({INPUT.users}) > 0 ? 1 : 0"),
        user_group_id="${local.replication_group_id}",
        engine="${local.engine}",
        user_ids=strings("[for u in aws_elasticache_user.this : u.user_id]"),
        tags=string_map(INPUT.tags),
    )
    address(user_group, "this")
    return local(
        stack,
        "user_group_ids",
        f"${{length({INPUT.users}) > 0 ? aws_elasticache_user_group.this[*].user_group_id : "
        f"length({INPUT.user_group_ids}) > 0 ? {INPUT.user_group_ids} : null}}",
    )


def _replication_group(
    stack: Any, parameter_group: Any, subnet_group: Any, module_key_arn: str, user_group_ids: str
) -> Any:
    """The replication group (address `this`): engine, node type and network here, the rest by concern below."""
    group = aws.ElasticacheReplicationGroup(
        stack,
        "replication_group",
        replication_group_id="${local.replication_group_id}",
        description=f"${{{INPUT.description} != null ? {INPUT.description} : "
        '"${local.engine_name} replication group ${local.replication_group_id}"}',
        # Without an explicit engine the provider sends "redis". A secondary of a Global Datastore sends none of
        # these: the global group's apply (the provider's ConflictsWith).
        engine="${local.global_secondary ? null : local.engine}",
        engine_version="${local.global_secondary ? null : local.engine_version}",
        node_type=f"${{local.global_secondary ? null : {INPUT.node_type}}}",
        global_replication_group_id="${try(var.global_datastore.id, null)}",
        port=number(INPUT.port),
        parameter_group_name="${one(aws_elasticache_parameter_group.this[*].name)}",
        subnet_group_name=subnet_group.name,
        security_group_ids=strings(security_group_ids(INPUT)),
        **_topology(),
        **_encryption_and_access(module_key_arn, user_group_ids),
        **_snapshots_and_maintenance(),
        data_tiering_enabled=boolean(INPUT.data_tiering_enabled),
        tags=string_map(INPUT.tags),
    )
    address(group, "this")
    return group


def _topology() -> dict[str, Any]:
    """How many nodes in how many shards (cluster mode or not), and failover: automatic, across Availability Zones."""
    return {
        "num_cache_clusters": number(f"local.group_cluster_mode ? null : coalesce({INPUT.num_cache_clusters}, 2)"),
        "num_node_groups": number(INPUT.num_node_groups),
        "replicas_per_node_group": number(
            f"local.group_cluster_mode ? coalesce({INPUT.replicas_per_node_group}, 1) : null"),
        "automatic_failover_enabled": boolean(f"local.group_cluster_mode ? true : {INPUT.automatic_failover_enabled}"),
        "multi_az_enabled": boolean(INPUT.multi_az_enabled),
    }


def _encryption_and_access(module_key_arn: str, user_group_ids: str) -> dict[str, Any]:
    """Encryption at rest (the caller's key, the module's, or AWS's) and in transit, the AUTH token, the RBAC groups."""
    their_key = INPUT.kms_key_arn
    return {
        # A secondary of a Global Datastore takes the global group's encryption (its checks say the call agrees).
        "at_rest_encryption_enabled": f"${{local.global_secondary ? null : {INPUT.at_rest_encryption_enabled}}}",
        # The AWS managed key is ElastiCache's default: asked for by sending no key.
        "kms_key_id": f'${{!{INPUT.at_rest_encryption_enabled} || {their_key} == "alias/aws/elasticache" ? null : '
        f"{their_key} != null ? {their_key} : {module_key_arn}}}",
        "transit_encryption_enabled": boolean(f"local.global_secondary ? null : {INPUT.transit_encryption_enabled}"),
        "transit_encryption_mode": INPUT.ref("transit_encryption_mode"),
        "auth_token": INPUT.ref("auth_token"),
        "auth_token_update_strategy": INPUT.ref("auth_token_update_strategy"),
        "user_group_ids": strings(user_group_ids),
    }


def _snapshots_and_maintenance() -> dict[str, Any]:
    """Snapshots (restore, retention, window, final), the maintenance window, notifications and how changes apply."""
    return {
        "snapshot_arns": strings(f"length({INPUT.snapshot_arns}) > 0 ? {INPUT.snapshot_arns} : null"),
        "snapshot_name": INPUT.ref("snapshot_name"),
        "snapshot_retention_limit": number(INPUT.snapshot_retention_limit),
        "snapshot_window": INPUT.ref("snapshot_window"),
        "maintenance_window": INPUT.ref("maintenance_window"),
        "final_snapshot_identifier": INPUT.ref("final_snapshot_identifier"),
        "notification_topic_arn": INPUT.ref("notification_topic_arn"),
        "apply_immediately": boolean(INPUT.apply_immediately),
        "auto_minor_version_upgrade": INPUT.ref("auto_minor_version_upgrade"),
    }


def _log_delivery(stack: Any, group: Any) -> None:
    """The group's log delivery: each log type that is on, to its CloudWatch log group or its Firehose stream."""
    log_deliveries = local(
        stack,
        "log_deliveries",
        # One delivery per log type (AWS refuses two for one type): its log group, or its Firehose stream.
        '${concat('
        '[for g in aws_cloudwatch_log_group.slow_log : { log_type = "slow-log", destination = g.name, '
        'destination_type = "cloudwatch-logs" }], '
        '[for g in aws_cloudwatch_log_group.engine_log : { log_type = "engine-log", destination = g.name, '
        'destination_type = "cloudwatch-logs" }], '
        f'[for g in compact([{INPUT.slow_log_enabled} && {INPUT.slow_log_firehose_stream} == null ? '
        f'{INPUT.slow_log_group_name} : null]) : '
        '{ log_type = "slow-log", destination = g, destination_type = "cloudwatch-logs" }], '
        f'[for g in compact([{INPUT.engine_log_enabled} && {INPUT.engine_log_firehose_stream} == null ? '
        f'{INPUT.engine_log_group_name} : null]) : '
        '{ log_type = "engine-log", destination = g, destination_type = "cloudwatch-logs" }], '
        f'[for s in compact([{INPUT.slow_log_enabled} ? {INPUT.slow_log_firehose_stream} : null]) : '
        '{ log_type = "slow-log", destination = s, destination_type = "kinesis-firehose" }], '
        f'[for s in compact([{INPUT.engine_log_enabled} ? {INPUT.engine_log_firehose_stream} : null]) : '
        '{ log_type = "engine-log", destination = s, destination_type = "kinesis-firehose" }])}',
    )
    group.add_override(
        "dynamic.log_delivery_configuration",
        {
            "for_each": "${" + log_deliveries + "}",
            "content": {
                "destination": "${log_delivery_configuration.value.destination}",
                "destination_type": "${log_delivery_configuration.value.destination_type}",
                "log_format": "json",
                "log_type": "${log_delivery_configuration.value.log_type}",
            },
        },
    )


def _global_datastore(stack: Any) -> None:
    """The Global Datastore this group leads, when global_replication_group_id_suffix makes it a primary; its
    secondaries are other calls of the module, in other Regions, given the `global_datastore` output."""
    global_group = aws.ElasticacheGlobalReplicationGroup(
        stack,
        "global_replication_group",
        count=number(f"{INPUT.global_replication_group_id_suffix} != null ? 1 : 0"),
        global_replication_group_id_suffix=INPUT.ref("global_replication_group_id_suffix"),
        global_replication_group_description="${local.engine_name} Global Datastore of ${local.replication_group_id}",
        primary_replication_group_id="${aws_elasticache_replication_group.this.id}",
    )
    address(global_group, "this")


def _alarms(stack: Any) -> None:
    """Opt-in (alarms_enabled): the alarms of modules.shared.alarms, named after the replication group."""
    metric_alarms(
        stack, ELASTICACHE_ALARMS, inputs=INPUT, name="local.replication_group_id",
        subject='"Valkey ${local.replication_group_id}"', values={"cluster_mode": "local.cluster_mode"},
    )
