"""ElastiCache (Valkey) resources: a replication group and what it needs.

Valkey exists only as a replication group (or serverless), never as `aws_elasticache_cluster`.
Addresses are part of the module's contract: renaming one replaces infrastructure.
"""

from __future__ import annotations

from typing import Any

from generator.cdk import address, aws, boolean, local, moved, number, string_map, strings
from modules.shared.alarms import ELASTICACHE_ALARMS, metric_alarms
from modules.shared.kms import customer_managed_key
from modules.shared.logs import log_group
from modules.elasticache.inputs import (
    CLUSTER_MODE,
    ENCRYPTS_ANYTHING_HCL,
    KMS_KEY_NEEDED,
    KMS_KEY_UNUSED,
    PARAMETER_GROUP_FAMILY,
    REPLICATION_GROUP_ID,
    WINDOW_LOCALS,
)
from modules.shared.network import security_group, security_group_ids


def build(stack: Any) -> Any:
    # Declared with the checks that read them (modules/elasticache/inputs.py).
    for derived in (REPLICATION_GROUP_ID, CLUSTER_MODE, PARAMETER_GROUP_FAMILY, *WINDOW_LOCALS):
        local(stack, derived.name, derived.declaration())
    local(
        stack,
        "parameter_group_parameters",
        '${merge(var.parameters, local.cluster_mode ? { "cluster-enabled" = "yes" } : {})}',
    )
    local(
        stack,
        "log_deliveries",
        # One delivery per log type (AWS refuses two for one type): its log group, or its Firehose stream.
        '${concat('
        '[for g in aws_cloudwatch_log_group.slow_log : { log_type = "slow-log", destination = g.name, '
        'destination_type = "cloudwatch-logs" }], '
        '[for g in aws_cloudwatch_log_group.engine_log : { log_type = "engine-log", destination = g.name, '
        'destination_type = "cloudwatch-logs" }], '
        '[for s in compact([var.slow_log_enabled ? var.slow_log_firehose_stream : null]) : { log_type = "slow-log", '
        'destination = s, destination_type = "kinesis-firehose" }], '
        '[for s in compact([var.engine_log_enabled ? var.engine_log_firehose_stream : null]) : '
        '{ log_type = "engine-log", destination = s, destination_type = "kinesis-firehose" }])}',
    )

    parameter_group = aws.ElasticacheParameterGroup(
        stack,
        "parameter_group",
        # The family and mode are part of the name: a version upgrade or a switch to cluster mode creates a new
        # group before the old one is destroyed, instead of modifying a group that is in use.
        name='${var.parameter_group_name != null ? var.parameter_group_name : '
        '"${local.replication_group_id}-${local.parameter_group_family}${local.cluster_mode ? "-cluster" : ""}"}',
        family="${local.parameter_group_family}",
        description='${var.parameter_group_description != null ? var.parameter_group_description : '
        '"Valkey parameters of ${local.replication_group_id}"}',
        tags=string_map("var.tags"),
        lifecycle={"create_before_destroy": True},
    )
    address(parameter_group, "this")
    parameter_group.add_override(
        "dynamic.parameter",
        {"for_each": "${local.parameter_group_parameters}", "content": {"name": "${parameter.key}", "value": "${parameter.value}"}},
    )

    subnet_group = aws.ElasticacheSubnetGroup(
        stack,
        "subnet_group",
        name="${var.subnet_group_name != null ? var.subnet_group_name : local.replication_group_id}",
        description="Subnets of ${local.replication_group_id}",
        subnet_ids=strings("var.subnet_ids"),
        tags=string_map("var.tags"),
    )

    address(subnet_group, "this")
    local(stack, "ingress_ports", "${[var.port]}")
    moves = security_group(
        stack,
        name="local.replication_group_id",
        description="Valkey ${local.replication_group_id}: cache port from allowed sources only",
        service="Valkey",
    )

    moved(stack, moves)

    local(stack, KMS_KEY_NEEDED.name, KMS_KEY_NEEDED.declaration())
    key_policy = customer_managed_key(
        stack,
        create=f"var.create_kms_key && ({ENCRYPTS_ANYTHING_HCL})",
        used="local.kms_key_needed",
        unused_message=KMS_KEY_UNUSED,
        description="Valkey ${local.replication_group_id}: data at rest and logs",
        alias="alias/elasticache/${local.replication_group_id}",
        log_groups="/aws/elasticache/${local.replication_group_id}/*",
    )
    for log_type, flag in (("slow_log", "slow_log_enabled"), ("engine_log", "engine_log_enabled")):
        # One group per log type: a shared group is a known collision (terraform-aws-elasticache#16).
        log_group(
            stack,
            log_type,
            name=f"/aws/elasticache/${{local.replication_group_id}}/{log_type.replace('_', '-')}",
            enabled=f"var.{flag} && var.{log_type}_firehose_stream == null",
            key_policy=key_policy,
        )

    # RBAC: one user per entry of var.users (keys are user ids, known at plan), in one group named after the
    # replication group. Engine valkey: AWS refuses a Valkey replication group's user group of another engine.
    user = aws.ElasticacheUser(
        stack,
        "user",
        user_id="${each.key}",
        user_name="${each.value.user_name != null ? each.value.user_name : each.key}",
        access_string="${each.value.access_string}",
        engine="valkey",
        tags=string_map("var.tags"),
    )
    address(user, "this")
    user.add_override("for_each", "${var.users}")
    user.add_override(
        "authentication_mode",
        {
            "type": "${each.value.authentication_type}",
            "passwords": '${each.value.authentication_type == "password" ? lookup(var.user_passwords, each.key, null) : null}',
        },
    )
    user_group = aws.ElasticacheUserGroup(
        stack,
        "user_group",
        count=number("length(var.users) > 0 ? 1 : 0"),
        user_group_id="${local.replication_group_id}",
        engine="valkey",
        user_ids=strings("[for u in aws_elasticache_user.this : u.user_id]"),
        tags=string_map("var.tags"),
    )
    address(user_group, "this")
    local(
        stack,
        "user_group_ids",
        "${length(var.users) > 0 ? aws_elasticache_user_group.this[*].user_group_id : "
        "length(var.user_group_ids) > 0 ? var.user_group_ids : null}",
    )

    group = aws.ElasticacheReplicationGroup(
        stack,
        "replication_group",
        replication_group_id="${local.replication_group_id}",
        description='${var.description != null ? var.description : "Valkey replication group ${local.replication_group_id}"}',
        # Without an explicit engine the provider sends "redis".
        engine="valkey",
        engine_version="${var.engine_version}",
        node_type="${var.node_type}",
        port=number("var.port"),
        parameter_group_name=parameter_group.name,
        subnet_group_name=subnet_group.name,
        security_group_ids=strings(security_group_ids()),
        num_cache_clusters=number("local.cluster_mode ? null : coalesce(var.num_cache_clusters, 2)"),
        num_node_groups=number("var.num_node_groups"),
        replicas_per_node_group=number("local.cluster_mode ? coalesce(var.replicas_per_node_group, 1) : null"),
        automatic_failover_enabled=boolean("local.cluster_mode ? true : var.automatic_failover_enabled"),
        multi_az_enabled=boolean("var.multi_az_enabled"),
        at_rest_encryption_enabled="${var.at_rest_encryption_enabled}",
        # The AWS managed key is ElastiCache's default: asked for by sending no key.
        kms_key_id='${!var.at_rest_encryption_enabled || var.kms_key_arn == "alias/aws/elasticache" ? null : '
        "var.kms_key_arn != null ? var.kms_key_arn : local.module_kms_key_arn}",
        transit_encryption_enabled=boolean("var.transit_encryption_enabled"),
        transit_encryption_mode="${var.transit_encryption_mode}",
        auth_token="${var.auth_token}",
        auth_token_update_strategy="${var.auth_token_update_strategy}",
        user_group_ids=strings("local.user_group_ids"),
        snapshot_arns=strings("length(var.snapshot_arns) > 0 ? var.snapshot_arns : null"),
        snapshot_name="${var.snapshot_name}",
        snapshot_retention_limit=number("var.snapshot_retention_limit"),
        snapshot_window="${var.snapshot_window}",
        maintenance_window="${var.maintenance_window}",
        final_snapshot_identifier="${var.final_snapshot_identifier}",
        notification_topic_arn="${var.notification_topic_arn}",
        apply_immediately=boolean("var.apply_immediately"),
        auto_minor_version_upgrade="${var.auto_minor_version_upgrade}",
        data_tiering_enabled=boolean("var.data_tiering_enabled"),
        tags=string_map("var.tags"),
    )
    address(group, "this")
    group.add_override(
        "dynamic.log_delivery_configuration",
        {
            "for_each": "${local.log_deliveries}",
            "content": {
                "destination": "${log_delivery_configuration.value.destination}",
                "destination_type": "${log_delivery_configuration.value.destination_type}",
                "log_format": "json",
                "log_type": "${log_delivery_configuration.value.log_type}",
            },
        },
    )
    # Opt-in (alarms_enabled): the alarms of modules.shared.alarms, named after the elasticache resource.
    metric_alarms(stack, ELASTICACHE_ALARMS, name="local.replication_group_id", subject='"Valkey ${local.replication_group_id}"')
    return group
