"""MSK Serverless resources: the serverless cluster, its security group and, if asked for, its cluster policy.

Addresses are part of the module's contract: renaming one replaces infrastructure.
"""

from __future__ import annotations

from typing import Any

from generator.cdk import address, aws, local, number, string_map, strings
from generator.model.wiring import InputRefs
from modules.mskserverless.inputs import CLUSTER, INPUTS, PORT
from modules.shared.network import security_group, security_group_ids

# The module's inputs, each checked to exist when a resource reads it.
INPUT = InputRefs.of("mskserverless", INPUTS)


def build(stack: Any) -> Any:
    """The cluster (returned: it carries the module's checks), its security group and its policy."""
    local(stack, CLUSTER.name, CLUSTER.declaration())
    # SASL/IAM is the only listener of a serverless cluster: one port, AWS's.
    ingress_ports = local(stack, "ingress_ports", f"${{[{PORT}]}}")
    # A new module: its group was counted from the start, so no `moved` pair applies.
    security_group(
        stack,
        inputs=INPUT,
        ports=ingress_ports,
        name="local.cluster_name",
        description="MSK Serverless ${local.cluster_name}: SASL/IAM from allowed sources only",
        service="Kafka",
    )
    cluster = aws.MskServerlessCluster(
        stack,
        "cluster",
        cluster_name="${local.cluster_name}",
        # IAM is the only client authentication AWS offers a serverless cluster; always on.
        client_authentication={"sasl": {"iam": {"enabled": True}}},
        vpc_config=[],  # written below: the module's configuration, then the caller's
        tags=string_map(INPUT.tags),
    )
    address(cluster, "this")
    # The first configuration is the module's (its subnets, its group in vpc_id); the caller's others follow it in
    # their order. Every one is a value, never a key: ids created in the same apply are fine.
    first = f"{{ subnet_ids = {INPUT.subnet_ids}, security_group_ids = {security_group_ids(INPUT)} }}"
    cluster.add_override(
        "dynamic.vpc_config",
        {
            "for_each": f"${{concat([{first}], {INPUT.additional_vpc_configs})}}",
            "content": {
                "subnet_ids": "${vpc_config.value.subnet_ids}",
                "security_group_ids": "${vpc_config.value.security_group_ids}",
            },
        },
    )
    _cluster_policy(stack, cluster)
    return cluster


def _cluster_policy(stack: Any, cluster: Any) -> None:
    """The cluster policy, when create_cluster_policy: the accounts, roles and services that may reach the cluster."""
    principals, services = INPUT.cluster_policy_allowed_principals, INPUT.cluster_policy_allowed_services
    policy = aws.MskClusterPolicy(
        stack,
        "cluster_policy",
        cluster_arn=cluster.arn,
        # One statement; a principal kind without entries is left out (IAM refuses an empty list).
        policy="${jsonencode({"
        ' Version = "2012-10-17",'
        " Statement = [{"
        ' Sid = "ClusterAccess",'
        ' Effect = "Allow",'
        f" Principal = merge(length({principals}) > 0 ? {{ AWS = {principals} }} : {{}},"
        f" length({services}) > 0 ? {{ Service = {services} }} : {{}}),"
        f" Action = {INPUT.cluster_policy_actions},"
        " Resource = aws_msk_serverless_cluster.this.arn"
        " }]"
        " })}",
        count=number(f"{INPUT.create_cluster_policy} ? 1 : 0"),
    )
    address(policy, "this")
