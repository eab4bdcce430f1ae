"""MSK resources: a provisioned cluster, its configuration, security group, broker log group and, if asked for,
storage auto scaling."""

from __future__ import annotations

from typing import Any

from generator.cdk import address, aws, boolean, local, moved, number, string_map, strings
from generator.model.wiring import InputRefs
from modules.shared.alarms import MSK_ALARMS, metric_alarms
from modules.shared.kms import customer_managed_key
from modules.shared.logs import log_group
from modules.msk.inputs import (
    BROKERS, CLUSTER, CLUSTER_POLICY_ACTIONS, INPUTS, KMS_KEY_NEEDED, KMS_KEY_UNUSED, PUBLIC_ACCESS,
)
from modules.shared.network import security_group, security_group_ids

# The module's inputs, each checked to exist when a resource reads it.
INPUT = InputRefs.of("msk", INPUTS)

_PUBLIC = f'{INPUT.public_access_type} == "{PUBLIC_ACCESS}"'

# Ports of the listeners that are on (AWS "Port information",
# https://docs.aws.amazon.com/msk/latest/developerguide/port-info.html, and the open monitoring guide):
# - 9092 plaintext: when client_broker allows plaintext (TLS_PLAINTEXT or PLAINTEXT); it is unauthenticated.
# - 9094 TLS: a TLS listener exists only for TLS clients that authenticate by certificate (mutual TLS) or not at
#   all (unauthenticated over TLS). IAM and SCRAM clients use their own listeners, so an IAM-only cluster has no
#   TLS bootstrap brokers and the port stays closed.
# - 9096 SASL/SCRAM, 9098 SASL/IAM: when that authentication is on.
# - 11001 JMX exporter, 11002 node exporter: when open monitoring turns them on (Prometheus scrapes the brokers).
# - 9194 TLS, 9196 SASL/SCRAM, 9198 SASL/IAM: the same listeners for clients outside the VPC, when
#   public_access_type is SERVICE_PROVIDED_EIPS.
# ZooKeeper (2181/2182) is no listener of clients: ZooKeeper-mode admin tools that need it get it through
# ingress_rules. Every operand is a literal or a boolean, so the list is known at plan time.
LISTENER_PORTS = (
    '${concat('
    f'{INPUT.encryption_in_transit_client_broker} != "TLS" ? [9092] : [], '
    f'{INPUT.encryption_in_transit_client_broker} != "PLAINTEXT" && '
    f'({INPUT.client_authentication_unauthenticated_enabled} || '
    f'length({INPUT.client_authentication_tls_certificate_authority_arns}) > 0) ? [9094] : [], '
    f'{INPUT.client_authentication_scram_enabled} ? [9096] : [], '
    f'{INPUT.client_authentication_iam_enabled} ? [9098] : [], '
    f'{_PUBLIC} && {INPUT.encryption_in_transit_client_broker} != "PLAINTEXT" && '
    f'({INPUT.client_authentication_unauthenticated_enabled} || '
    f'length({INPUT.client_authentication_tls_certificate_authority_arns}) > 0) ? [9194] : [], '
    f'{_PUBLIC} && {INPUT.client_authentication_scram_enabled} ? [9196] : [], '
    f'{_PUBLIC} && {INPUT.client_authentication_iam_enabled} ? [9198] : [], '
    f'{INPUT.jmx_exporter_enabled} ? [11001] : [], '
    f'{INPUT.node_exporter_enabled} ? [11002] : []'
    ')}'
)


def build(stack: Any) -> Any:
    """The cluster (returned: it carries the module's checks) and what it needs and serves, concern by concern."""
    _derived_locals(stack)
    configuration = _configuration(stack)
    _security_group(stack)
    key, module_key_arn = _encryption_key(stack)
    _broker_log_group(stack, key, module_key_arn)
    cluster = _cluster(stack, configuration, module_key_arn)
    _multi_vpc_connectivity(cluster)
    _tls_client_authentication(cluster)
    _storage_autoscaling(stack, cluster)
    _cluster_policy(stack, cluster)
    _broker_dns_records(stack, cluster)
    _alarms(stack)
    return cluster


def _derived_locals(stack: Any) -> None:
    """The locals the checks of inputs.py read too: the cluster name and the number of broker nodes."""
    local(stack, CLUSTER.name, CLUSTER.declaration())
    local(stack, BROKERS.name, BROKERS.declaration())


def _configuration(stack: Any) -> Any:
    """The brokers' configuration (server properties; topic auto-creation off by default), one per Kafka version."""
    server_properties = local(
        stack,
        "server_properties",
        f'${{merge({{ "auto.create.topics.enable" = "false" }}, {INPUT.server_properties})}}',
    )
    configuration = aws.MskConfiguration(
        stack,
        "configuration",
        # The Kafka version is part of the name, and the new configuration is created before the old one is
        # destroyed: an upgrade never tries to delete a configuration the cluster still uses ("configuration is in
        # use", terraform-aws-msk-kafka-cluster#16).
        name=f'${{{INPUT.configuration_name} != null ? {INPUT.configuration_name} : '
        f'"${{local.cluster_name}}-${{replace({INPUT.kafka_version}, ".", "-")}}"}}',
        kafka_versions=strings(f"[{INPUT.kafka_version}]"),
        server_properties=f'${{{INPUT.server_properties_text} != null ? {INPUT.server_properties_text} : '
        f'join("\\n", [for key, value in {server_properties} : "${{key}}=${{value}}"])}}',
        # "" is no description at all (null), as an existing configuration created without one holds.
        description=f'${{{INPUT.configuration_description} == null ? "Broker properties of ${{local.cluster_name}}" : '
        f'{INPUT.configuration_description} == "" ? null : {INPUT.configuration_description}}}',
        lifecycle={"create_before_destroy": True},
    )
    address(configuration, "this")
    return configuration


def _security_group(stack: Any) -> None:
    """The security group (enabled listeners from allowed sources, brokers among themselves) and its `moved` blocks."""
    ingress_ports = local(stack, "ingress_ports", LISTENER_PORTS)
    moves = security_group(
        stack,
        inputs=INPUT,
        ports=ingress_ports,
        name="local.cluster_name",
        description="MSK ${local.cluster_name}: enabled listeners from allowed sources only",
        service="Kafka",
    )
    # Brokers talk to each other on the same listeners.
    aws.VpcSecurityGroupIngressRule(
        stack,
        "between_brokers",
        security_group_id="${aws_security_group.this[0].id}",
        description="Kafka between brokers",
        ip_protocol="tcp",
        from_port=9092,
        to_port=9098,
        referenced_security_group_id="${aws_security_group.this[0].id}",
        tags=string_map(INPUT.tags),
        count=number(f"{INPUT.create_security_group} ? 1 : 0"),
    )
    rule = "aws_vpc_security_group_ingress_rule.between_brokers"
    moved(stack, [*moves, (rule, f"{rule}[0]")])  # the rule existed before create_security_group


def _encryption_key(stack: Any) -> tuple[Any, str]:
    """The module's KMS key for data at rest and broker logs; returns it and `local.module_kms_key_arn`."""
    local(stack, KMS_KEY_NEEDED.name, KMS_KEY_NEEDED.declaration())
    key = customer_managed_key(
        stack,
        inputs=INPUT,
        # MSK always encrypts at rest: the switch alone decides.
        create=INPUT.create_kms_key,
        used="local.kms_key_needed",
        unused_message=KMS_KEY_UNUSED,
        description="MSK ${local.cluster_name}: data at rest and broker logs",
        alias="alias/msk/${local.cluster_name}",
        log_groups="/aws/msk/${local.cluster_name}/*",
    )
    # Read by the log group, the cluster and the kms_key_arn output.
    return key, local(stack, "module_kms_key_arn", "${" + key.arn + "}")


def _broker_log_group(stack: Any, key: Any, module_key_arn: str) -> None:
    """The CloudWatch log group of the broker logs, when cloudwatch_logs_enabled (shared log inputs, KMS-encrypted)."""
    log_group(
        stack,
        "broker_logs",
        name="/aws/msk/${local.cluster_name}/broker",
        inputs=INPUT,
        enabled=INPUT.cloudwatch_logs_enabled,
        module_key_arn=module_key_arn,
        key_policy=key.policy,
    )


def _cluster(stack: Any, configuration: Any, module_key_arn: str) -> Any:
    """The provisioned cluster (address `this`), its blocks built by the functions below it, one concern each."""
    cluster = aws.MskCluster(
        stack,
        "cluster",
        cluster_name="${local.cluster_name}",
        kafka_version=INPUT.ref("kafka_version"),
        number_of_broker_nodes=number("local.number_of_broker_nodes"),
        enhanced_monitoring=INPUT.ref("enhanced_monitoring"),
        broker_node_group_info=_broker_node_group(),
        encryption_info=_encryption_info(module_key_arn),
        client_authentication=_client_authentication(),
        configuration_info={"arn": configuration.arn, "revision": number("aws_msk_configuration.this.latest_revision")},
        open_monitoring=_open_monitoring(),
        logging_info=_logging_info(),
        tags=string_map(INPUT.tags),
        # Storage auto scaling grows the volumes, and AWS refuses to shrink them ("To update storage, you must
        # increase it by at least 10 GiB"): a plan that wrote ebs_volume_size back after a growth would fail. One
        # resource cannot ignore a change only when auto scaling is on (ignore_changes takes no condition), and two
        # resources would move the cluster between addresses when auto scaling is toggled; so, like
        # terraform-aws-modules/msk-kafka-cluster, the size is ignored after creation in every case, and
        # ebs_volume_size says so.
        lifecycle={"ignore_changes": ["broker_node_group_info[0].storage_info[0].ebs_storage_info[0].volume_size"]},
    )
    address(cluster, "this")
    return cluster


def _broker_node_group() -> dict[str, Any]:
    """The brokers' instance type, subnets, security groups and storage, reachable from inside the VPC only."""
    return {
        "instance_type": INPUT.ref("broker_instance_type"),
        "client_subnets": strings(INPUT.subnet_ids),
        "security_groups": strings(security_group_ids(INPUT)),
        "storage_info": {"ebs_storage_info": {"volume_size": number(INPUT.ebs_volume_size)}},
        # Private unless public_access_type opens it (an update of an existing cluster: AWS refuses it at creation,
        # which the module's checks hold the caller to).
        "connectivity_info": {"public_access": {"type": INPUT.ref("public_access_type")}},
    }


def _encryption_info(module_key_arn: str) -> dict[str, Any]:
    """Encryption at rest (the caller's key, the module's, or AWS's) and in transit, always written explicitly."""
    their_key = INPUT.kms_key_arn
    return {
        # The AWS managed key is what MSK uses when sent none.
        "encryption_at_rest_kms_key_arn": f'${{{their_key} == "alias/aws/kafka" ? null : '
        f"{their_key} != null ? {their_key} : {module_key_arn}}}",
        "encryption_in_transit": {
            # Always explicit: AWS documents different defaults (TLS in CloudFormation, TLS_PLAINTEXT elsewhere).
            "client_broker": INPUT.ref("encryption_in_transit_client_broker"),
            "in_cluster": boolean(INPUT.encryption_in_transit_in_cluster),
        },
    }


def _client_authentication() -> dict[str, Any]:
    """The SASL (IAM, SCRAM) and unauthenticated switches; TLS is a block of its own (_tls_client_authentication)."""
    return {
        "sasl": {
            "iam": boolean(INPUT.client_authentication_iam_enabled),
            "scram": boolean(INPUT.client_authentication_scram_enabled),
        },
        "unauthenticated": boolean(INPUT.client_authentication_unauthenticated_enabled),
    }


def _open_monitoring() -> dict[str, Any]:
    """The Prometheus exporters on the brokers (JMX, node), each off unless asked for."""
    return {
        "prometheus": {
            "jmx_exporter": {"enabled_in_broker": boolean(INPUT.jmx_exporter_enabled)},
            "node_exporter": {"enabled_in_broker": boolean(INPUT.node_exporter_enabled)},
        }
    }


def _logging_info() -> dict[str, Any]:
    """Where the broker logs go: the module's log group, an S3 bucket, a Firehose stream, each written on or off."""
    return {
        "broker_logs": {
            "cloudwatch_logs": {
                "enabled": boolean(INPUT.cloudwatch_logs_enabled),
                "log_group": f"${{{INPUT.cloudwatch_logs_enabled} ? "
                "aws_cloudwatch_log_group.broker_logs[0].name : null}",
            },
            # Always written, off by default: AWS then turns a destination off when its input is removed.
            "s3": {
                "enabled": boolean(f"{INPUT.s3_logs_bucket} != null"),
                "bucket": INPUT.ref("s3_logs_bucket"),
                "prefix": INPUT.ref("s3_logs_prefix"),
            },
            "firehose": {
                "enabled": boolean(f"{INPUT.firehose_logs_delivery_stream} != null"),
                "delivery_stream": INPUT.ref("firehose_logs_delivery_stream"),
            },
        }
    }


def _multi_vpc_connectivity(cluster: Any) -> None:
    """Multi-VPC private connectivity: the client authentication schemes of managed VPC connections from other VPCs."""
    # The provider creates the cluster without it (AWS refuses vpc connectivity schemes in CreateCluster) and turns
    # it on with UpdateConnectivity once the cluster is active. The block is written only while a scheme is on:
    # clusters that never used it (AWS reports no block) see no change.
    cluster.add_override(
        "broker_node_group_info.connectivity_info.dynamic.vpc_connectivity",
        {
            "for_each": f"${{{INPUT.vpc_connectivity_iam_enabled} || {INPUT.vpc_connectivity_scram_enabled} || "
            f"{INPUT.vpc_connectivity_tls_enabled} ? [1] : []}}",
            "content": {
                "client_authentication": {
                    "tls": INPUT.ref("vpc_connectivity_tls_enabled"),
                    "sasl": {"iam": INPUT.ref("vpc_connectivity_iam_enabled"), "scram": INPUT.ref("vpc_connectivity_scram_enabled")},
                },
            },
        },
    )


def _tls_client_authentication(cluster: Any) -> None:
    """Mutual TLS client authentication, a block written only when certificate authorities are given."""
    cluster.add_override(
        "client_authentication.dynamic.tls",
        {
            "for_each": f"${{length({INPUT.client_authentication_tls_certificate_authority_arns}) > 0 ? [1] : []}}",
            "content": {"certificate_authority_arns": INPUT.ref("client_authentication_tls_certificate_authority_arns")},
        },
    )


def _storage_autoscaling(stack: Any, cluster: Any) -> None:
    """Storage auto scaling of the brokers' volumes (grow only), when storage_autoscaling_max_capacity is given."""
    target = aws.AppautoscalingTarget(
        stack,
        "storage_target",
        service_namespace="kafka",
        resource_id=cluster.arn,
        scalable_dimension="kafka:broker-storage:VolumeSize",
        min_capacity=1,
        max_capacity=number(INPUT.storage_autoscaling_max_capacity),
        count=number(f"{INPUT.storage_autoscaling_max_capacity} == null ? 0 : 1"),
    )
    address(target, "storage")
    policy = aws.AppautoscalingPolicy(
        stack,
        "storage_policy",
        name=f'${{{INPUT.storage_autoscaling_policy_name} != null ? {INPUT.storage_autoscaling_policy_name} : '
        '"${local.cluster_name}-broker-storage"}',

        policy_type="TargetTrackingScaling",
        service_namespace="${aws_appautoscaling_target.storage[0].service_namespace}",
        resource_id="${aws_appautoscaling_target.storage[0].resource_id}",
        scalable_dimension="${aws_appautoscaling_target.storage[0].scalable_dimension}",
        target_tracking_scaling_policy_configuration={
            "target_value": number(INPUT.storage_autoscaling_target_value),
            "predefined_metric_specification": {"predefined_metric_type": "KafkaBrokerStorageUtilization"},
            # MSK cannot shrink volumes.
            "disable_scale_in": True,
        },
        count=number(f"{INPUT.storage_autoscaling_max_capacity} == null ? 0 : 1"),
    )
    address(policy, "storage")


def _cluster_policy(stack: Any, cluster: Any) -> None:
    """The cluster policy, when create_cluster_policy: who may reach the cluster through multi-VPC connectivity."""
    # Lets the named accounts and roles create managed VPC connections to the cluster (AWS "Attach a cluster
    # policy"). The switch, not the principals, decides the count: principals may be ARNs created in the same apply.
    cluster_policy = aws.MskClusterPolicy(
        stack,
        "cluster_policy",
        cluster_arn=cluster.arn,
        policy="${jsonencode({"
        ' Version = "2012-10-17",'
        " Statement = [{"
        ' Sid = "MultiVpcConnectivity",'
        ' Effect = "Allow",'
        f" Principal = {{ AWS = {INPUT.vpc_connectivity_allowed_principals} }},"
        " Action = [" + ", ".join(f'"{a}"' for a in CLUSTER_POLICY_ACTIONS) + "],"
        " Resource = aws_msk_cluster.this.arn"
        " }]"
        " })}",
        count=number(f"{INPUT.create_cluster_policy} ? 1 : 0"),
    )
    address(cluster_policy, "this")


def _broker_dns_records(stack: Any, cluster: Any) -> None:
    """One CNAME record per broker in zone_id (cloudposse's msk-apache-kafka-cluster writes them alike), when given."""
    # The count is the number of brokers, known at plan time (a number, or the length of the subnet list), never
    # the data source's list, which is read only once the cluster exists. MSK numbers brokers 1 to n: record n
    # names broker n.
    nodes = aws.DataAwsMskBrokerNodes(
        stack,
        "broker_nodes",
        cluster_arn=cluster.arn,
        count=number(f"{INPUT.zone_id} != null ? 1 : 0"),
    )
    address(nodes, "this")
    prefix = local(
        stack,
        "broker_dns_name_prefix",
        f'${{{INPUT.broker_dns_name_prefix} != null ? {INPUT.broker_dns_name_prefix} : '
        f'"${{lower(local.cluster_name)}}-broker-"}}',
    )
    record = aws.Route53Record(
        stack,
        "broker_dns",
        zone_id=INPUT.ref("zone_id"),
        name=f"${{{prefix}}}${{count.index + 1}}",
        type="CNAME",
        ttl=number(INPUT.broker_dns_ttl),
        # Broker n's endpoint (its set of names, the first in order), by broker id. While the cluster is created
        # or changed, Terraform reads the data source during apply and plans its broker list as a known empty list
        # (the provider's nested block) but its id as unknown: the fallback, unknown then, keeps the record unknown
        # until the list is read (a known value planned now would differ from the one applied). Once read, a
        # broker without a node gives a null record, which Terraform refuses at plan.
        records=strings(
            "[lookup({ for node in data.aws_msk_broker_nodes.this[0].node_info_list : "
            "tostring(node.broker_id) => tolist(node.endpoints)[0] }, tostring(count.index + 1), "
            "data.aws_msk_broker_nodes.this[0].id == null ? null : null)]"
        ),
        count=number(f"{INPUT.zone_id} != null ? local.number_of_broker_nodes : 0"),
    )
    address(record, "brokers")


def _alarms(stack: Any) -> None:
    """Opt-in (alarms_enabled): the alarms of modules.shared.alarms, named after the cluster."""
    metric_alarms(
        stack, MSK_ALARMS, inputs=INPUT, name="local.cluster_name", subject='"MSK ${local.cluster_name}"',
        values={"broker_count": "local.number_of_broker_nodes"},
    )
