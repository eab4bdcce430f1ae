"""DynamoDB resources: one table (address `this`, whatever the billing mode) and, for PROVISIONED tables, the
application auto scaling that owns its capacity.

One resource for every mode: terraform-aws-modules models the table as three resources (`this`, `autoscaled`,
`autoscaled_gsi_ignore`), so toggling auto scaling moves the table to another address and replaces it. If an
address here ever changes, ship a `moved` block with it.
"""

from __future__ import annotations

from typing import Any

from generator.cdk import address, aws, boolean, local, number, string_map
from generator.model.wiring import InputRefs
from modules.dynamodb.inputs import INPUTS, KMS_KEY_NEEDED, KMS_KEY_UNUSED, PROVISIONED, TABLE_NAME
from modules.shared.alarms import DYNAMODB_ALARMS, metric_alarms
from modules.shared.kms import customer_managed_key

# The module's inputs: every resource below reads them through these handles, checked to exist when it is built.
INPUT = InputRefs.of("dynamodb", INPUTS)


def build(stack: Any) -> Any:
    """The table (returned: it carries the module's checks), then its blocks, capacity scaling, policy and alarms."""
    _derived_locals(stack)
    module_key_arn = _encryption_key(stack)
    table = _table(stack, module_key_arn)
    _attributes(table)
    _global_secondary_indexes(table)
    _local_secondary_indexes(table)
    _on_demand_throughput(table)
    _import_table(table)
    _time_to_live(table)
    _replicas(table)
    _capacity_autoscaling(stack)
    _resource_policy(stack, table)
    _alarms(stack, table)
    return table


def _derived_locals(stack: Any) -> None:
    """The locals the checks of inputs.py read too: the table name, PROVISIONED or not, whether the key is needed."""
    for derived in (TABLE_NAME, PROVISIONED, KMS_KEY_NEEDED):
        local(stack, derived.name, derived.declaration())


def _encryption_key(stack: Any) -> str:
    """The module's KMS key, created when asked for and encryption is on; returns `local.module_kms_key_arn`."""
    key = customer_managed_key(
        stack,
        inputs=INPUT,
        create=f"{INPUT.create_kms_key} && {INPUT.server_side_encryption_enabled}",
        used="local.kms_key_needed",
        unused_message=KMS_KEY_UNUSED,
        description="DynamoDB ${local.table_name}",
        alias='alias/dynamodb/${replace(local.table_name, ".", "-")}',
        log_groups=None,
    )
    # Read by the table and the kms_key_arn output.
    return local(stack, "module_kms_key_arn", "${" + key.arn + "}")


def _table(stack: Any, module_key_arn: str) -> Any:
    """The table (address `this`): its settings and encryption; the functions below add its nested blocks."""
    encrypted, their_key = INPUT.server_side_encryption_enabled, INPUT.server_side_encryption_kms_key_arn
    table = aws.DynamodbTable(
        stack,
        "table",
        name="${local.table_name}",
        # Always written: left out, the provider assumes PROVISIONED and sends zero capacity.
        billing_mode=INPUT.ref("billing_mode"),
        hash_key=INPUT.ref("hash_key"),
        range_key=INPUT.ref("range_key"),
        read_capacity=number(f"local.provisioned ? {INPUT.read_capacity} : null"),
        write_capacity=number(f"local.provisioned ? {INPUT.write_capacity} : null"),
        stream_enabled=boolean(INPUT.stream_enabled),
        stream_view_type=f"${{{INPUT.stream_enabled} ? {INPUT.stream_view_type} : null}}",
        deletion_protection_enabled=boolean(INPUT.deletion_protection_enabled),
        table_class=INPUT.ref("table_class"),
        point_in_time_recovery={"enabled": boolean(INPUT.point_in_time_recovery_enabled)},
        server_side_encryption={
            "enabled": boolean(encrypted),
            # The AWS managed key is what DynamoDB uses when encryption is on and no key is sent.
            "kms_key_arn": f'${{!{encrypted} || {their_key} == "alias/aws/dynamodb" ? null : '
            f"{their_key} != null ? {their_key} : {module_key_arn}}}",
        },
        tags=string_map(INPUT.tags),
        # A PROVISIONED table's capacity belongs to application auto scaling (below): without this, every apply
        # would reset what the scaler set. Capacity is changed through read_capacity/write_capacity, which are
        # the scaler's floor. Index capacity is not ignored: ignore_changes cannot name one attribute of the
        # elements of a set, and ignoring all of global_secondary_index (terraform-aws-modules' autoscaled_gsi_ignore
        # table) would silently skip adding or removing an index, the schema change this module exists to get
        # right. An apply after the scaler moved an index sets it back to its floor; the scaler moves it again.
        #
        # import_table is read by ImportTable once, when the table is created; the provider marks it ForceNew and
        # cannot read it back, so without ignoring it, editing or removing the block (or adopting an imported table
        # that had one) would plan to replace the table and its data.
        lifecycle={"ignore_changes": ["read_capacity", "write_capacity", "import_table"]},
    )
    address(table, "this")
    return table


def _attributes(table: Any) -> None:
    """The attribute definitions: the types of the attributes that the table's and its indexes' keys name."""
    table.add_override(
        "dynamic.attribute",
        {"for_each": INPUT.ref("attributes"), "content": {"name": "${attribute.value.name}", "type": "${attribute.value.type}"}},
    )


def _global_secondary_indexes(table: Any) -> None:
    """The global secondary indexes, each with its capacity (if PROVISIONED) and its on-demand ceilings (if given)."""
    table.add_override(
        "dynamic.global_secondary_index",
        {
            "for_each": INPUT.ref("global_secondary_indexes"),
            "content": {
                "name": "${global_secondary_index.value.name}",
                "hash_key": "${global_secondary_index.value.hash_key}",
                "range_key": "${global_secondary_index.value.range_key}",
                "projection_type": "${global_secondary_index.value.projection_type}",
                "non_key_attributes": "${global_secondary_index.value.non_key_attributes}",
                # An index without its own capacity uses the table's (the DynamoDB console's convention).
                "read_capacity": "${local.provisioned ? coalesce(global_secondary_index.value.read_capacity, "
                f"{INPUT.read_capacity}) : null}}",
                "write_capacity": "${local.provisioned ? coalesce(global_secondary_index.value.write_capacity, "
                f"{INPUT.write_capacity}) : null}}",
                "dynamic": {
                    "on_demand_throughput": {
                        "for_each": "${global_secondary_index.value.max_read_request_units == null && "
                        "global_secondary_index.value.max_write_request_units == null ? [] : [global_secondary_index.value]}",
                        "content": {
                            "max_read_request_units": "${on_demand_throughput.value.max_read_request_units}",
                            "max_write_request_units": "${on_demand_throughput.value.max_write_request_units}",
                        },
                    },
                },
            },
        },
    )


def _local_secondary_indexes(table: Any) -> None:
    """The local secondary indexes: the table's hash key with another range key, fixed at creation."""
    table.add_override(
        "dynamic.local_secondary_index",
        {
            "for_each": INPUT.ref("local_secondary_indexes"),
            "content": {
                "name": "${local_secondary_index.value.name}",
                "range_key": "${local_secondary_index.value.range_key}",
                "projection_type": "${local_secondary_index.value.projection_type}",
                "non_key_attributes": "${local_secondary_index.value.non_key_attributes}",
            },
        },
    )


def _on_demand_throughput(table: Any) -> None:
    """The table's on-demand request ceilings, a block written only when one of them is given."""
    table.add_override(
        "dynamic.on_demand_throughput",
        {
            "for_each": f"${{{INPUT.on_demand_max_read_request_units} == null && "
            f"{INPUT.on_demand_max_write_request_units} == null ? [] : [1]}}",
            "content": {
                "max_read_request_units": INPUT.ref("on_demand_max_read_request_units"),
                "max_write_request_units": INPUT.ref("on_demand_max_write_request_units"),
            },
        },
    )


def _import_table(table: Any) -> None:
    """The import from S3 that fills a new table, a block written only when import_table is given."""
    table.add_override(
        "dynamic.import_table",
        {
            "for_each": f"${{{INPUT.import_table} == null ? [] : [{INPUT.import_table}]}}",
            "content": {
                "input_format": "${import_table.value.input_format}",
                "input_compression_type": "${import_table.value.input_compression_type}",
                "s3_bucket_source": {
                    "bucket": "${import_table.value.s3_bucket}",
                    "bucket_owner": "${import_table.value.s3_bucket_owner}",
                    "key_prefix": "${import_table.value.s3_key_prefix}",
                },
                "dynamic": {
                    "input_format_options": {
                        "for_each": "${import_table.value.csv_delimiter == null && import_table.value.csv_header_list == null"
                        " ? [] : [import_table.value]}",
                        "content": {
                            "csv": {
                                "delimiter": "${input_format_options.value.csv_delimiter}",
                                "header_list": "${input_format_options.value.csv_header_list}",
                            },
                        },
                    },
                },
            },
        },
    )


def _time_to_live(table: Any) -> None:
    """Time to live on the attribute ttl_attribute_name names, a block written only when it is given."""
    table.add_override(
        "dynamic.ttl",
        {
            "for_each": f"${{{INPUT.ttl_attribute_name} == null ? [] : [{INPUT.ttl_attribute_name}]}}",
            "content": {"attribute_name": "${ttl.value}", "enabled": True},
        },
    )


def _replicas(table: Any) -> None:
    """One replica (global table) per entry of replica_regions."""
    table.add_override(
        "dynamic.replica",
        {
            "for_each": INPUT.ref("replica_regions"),
            "content": {
                "region_name": "${replica.value.region_name}",
                "kms_key_arn": "${replica.value.kms_key_arn}",
                "propagate_tags": "${replica.value.propagate_tags}",
                "point_in_time_recovery": "${replica.value.point_in_time_recovery}",
            },
        },
    )


def _capacity_autoscaling(stack: Any) -> None:
    """Application auto scaling of a PROVISIONED table's read and write capacity, and of each index's."""
    # Auto scaling of each index, keyed by index name: names are literals of the input, known at plan time. Each
    # index scales from its capacity (default: the table's) to its own ceiling, by default the table's ceiling or its
    # own capacity if higher.
    autoscaled_indexes = local(
        stack,
        "autoscaled_indexes",
        f"${{local.provisioned ? {{ for i in {INPUT.global_secondary_indexes} : i.name => {{"
        f" read = coalesce(i.read_capacity, {INPUT.read_capacity}), write = coalesce(i.write_capacity, {INPUT.write_capacity}),"
        f" read_max = i.autoscaling_read_max_capacity, write_max = i.autoscaling_write_max_capacity,"
        f" target = i.autoscaling_target_value != null ? i.autoscaling_target_value : {INPUT.autoscaling_target_value},"
        f" scale_in = i.autoscaling_scale_in_cooldown != null ? i.autoscaling_scale_in_cooldown : {INPUT.autoscaling_scale_in_cooldown},"
        f" scale_out = i.autoscaling_scale_out_cooldown != null ? i.autoscaling_scale_out_cooldown : {INPUT.autoscaling_scale_out_cooldown},"
        " read_policy = i.autoscaling_read_policy_name, write_policy = i.autoscaling_write_policy_name"
        " } } : {}}",
    )
    # Sent only when given: Application Auto Scaling keeps its own defaults otherwise.
    cooldowns = {
        "scale_in_cooldown": number(INPUT.autoscaling_scale_in_cooldown),
        "scale_out_cooldown": number(INPUT.autoscaling_scale_out_cooldown),
    }
    for direction in ("read", "write"):
        capacity = getattr(INPUT, f"{direction}_capacity")
        ceiling = f"coalesce({getattr(INPUT, f'autoscaling_{direction}_max_capacity')}, {capacity})"
        tracking = {
            "target_value": number(INPUT.autoscaling_target_value),
            "predefined_metric_specification": {
                "predefined_metric_type": f"DynamoDB{direction.capitalize()}CapacityUtilization",
            },
            **cooldowns,
        }
        _table_scaling(stack, direction, capacity, ceiling, tracking)
        # Each index's own target and cooldowns (default: the table's, resolved in local.autoscaled_indexes).
        index_tracking = {**tracking, "target_value": number("each.value.target"),
                          "scale_in_cooldown": number("each.value.scale_in"),
                          "scale_out_cooldown": number("each.value.scale_out")}
        _index_scaling(stack, direction, ceiling, index_tracking, autoscaled_indexes)


def _table_scaling(stack: Any, direction: str, capacity: str, ceiling: str, tracking: dict[str, Any]) -> None:
    """The scalable target and target tracking policy of the table's read or write capacity, only if PROVISIONED."""
    target = aws.AppautoscalingTarget(
        stack,
        f"{direction}_target",
        service_namespace="dynamodb",
        resource_id="table/${aws_dynamodb_table.this.name}",
        scalable_dimension=f"dynamodb:table:{direction.capitalize()}CapacityUnits",
        min_capacity=number(capacity),
        max_capacity=number(ceiling),
        count=number("local.provisioned ? 1 : 0"),
    )
    address(target, direction)
    policy = aws.AppautoscalingPolicy(
        stack,
        f"{direction}_policy",
        name=f"${{{getattr(INPUT, f'autoscaling_{direction}_policy_name')} != null ? "
        f"{getattr(INPUT, f'autoscaling_{direction}_policy_name')} : \"${{local.table_name}}-{direction}-capacity\"}}",
        policy_type="TargetTrackingScaling",
        service_namespace=f"${{aws_appautoscaling_target.{direction}[0].service_namespace}}",
        resource_id=f"${{aws_appautoscaling_target.{direction}[0].resource_id}}",
        scalable_dimension=f"${{aws_appautoscaling_target.{direction}[0].scalable_dimension}}",
        target_tracking_scaling_policy_configuration=tracking,
        count=number("local.provisioned ? 1 : 0"),
    )
    address(policy, direction)


def _index_scaling(stack: Any, direction: str, ceiling: str, tracking: dict[str, Any], indexes: str) -> None:
    """The scalable target and target tracking policy of each autoscaled index's read or write capacity."""
    index_target = aws.AppautoscalingTarget(
        stack,
        f"index_{direction}_target",
        service_namespace="dynamodb",
        resource_id="table/${aws_dynamodb_table.this.name}/index/${each.key}",
        scalable_dimension=f"dynamodb:index:{direction.capitalize()}CapacityUnits",
        min_capacity=number(f"each.value.{direction}"),
        # The index's own ceiling; else the table's, or the index's own floor when that is higher.
        max_capacity=number(f"each.value.{direction}_max != null ? each.value.{direction}_max : "
                            f"max(each.value.{direction}, {ceiling})"),
    )
    address(index_target, f"index_{direction}")
    index_target.add_override("for_each", "${" + indexes + "}")
    index_policy = aws.AppautoscalingPolicy(
        stack,
        f"index_{direction}_policy",
        name=f"${{each.value.{direction}_policy != null ? each.value.{direction}_policy : "
        f"\"${{local.table_name}}-${{each.key}}-{direction}-capacity\"}}",
        policy_type="TargetTrackingScaling",
        service_namespace=f"${{aws_appautoscaling_target.index_{direction}[each.key].service_namespace}}",
        resource_id=f"${{aws_appautoscaling_target.index_{direction}[each.key].resource_id}}",
        scalable_dimension=f"${{aws_appautoscaling_target.index_{direction}[each.key].scalable_dimension}}",
        target_tracking_scaling_policy_configuration=tracking,
    )
    address(index_policy, f"index_{direction}")
    index_policy.add_override("for_each", "${" + indexes + "}")


def _resource_policy(stack: Any, table: Any) -> None:
    """The table's resource-based policy, when create_resource_policy asks for it."""
    policy = aws.DynamodbResourcePolicy(
        stack,
        "table_resource_policy",
        resource_arn=table.arn,
        policy=INPUT.ref("resource_policy"),
        # The switch, not the document: a policy that names ARNs created in the same apply is unknown at plan time.
        count=number(f"{INPUT.create_resource_policy} ? 1 : 0"),
    )
    address(policy, "this")


def _alarms(stack: Any, table: Any) -> None:
    """Opt-in (alarms_enabled): the alarms of modules.shared.alarms, named after the table."""
    # After the table: its precondition on the alarm names' length (modules/shared/alarms.py) then refuses a long
    # table name alone, before the provider's own alarm_name validation would refuse each alarm too.
    metric_alarms(stack, DYNAMODB_ALARMS, inputs=INPUT, name="local.table_name",
                  subject='"DynamoDB ${local.table_name}"', after=table)
