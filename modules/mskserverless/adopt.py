"""Adopting MSK Serverless clusters (generator.adoption.kit.Adopter): what --adopt reads of them and pins.

The cluster moves to `aws_msk_serverless_cluster.this`, its security group (the first group of its first VPC
configuration that the state manages) to `aws_security_group.this[0]` (counted from the start) and its cluster
policy, if the state has one, to `aws_msk_cluster_policy.this[0]`. The cluster's name and VPC configurations cannot
change in place (the provider replaces the cluster), so each is pinned as the state holds it; the policy's
principals and actions are read from its one statement (a policy the module's inputs cannot say is forgotten,
kept in AWS as it is).
"""

from __future__ import annotations

import json
from typing import Any

from generator.adoption.kit import (COMMON, FORCES_NEW, IDENTITY, IN_PLACE, Adopted, Adopter, Report, one, own_tags,
                                    security_group, split_name)
from generator.adoption.statefile import STRING, ListOf, Object, objects
from modules.mskserverless.inputs import PORT

# What the adopter reads of the cluster and its policy; the security group is kit.SHAPES'.
STATE_SHAPES = {
    "aws_msk_serverless_cluster": Object({
        **COMMON, "cluster_name": STRING,
        "vpc_config?": objects(**{"subnet_ids?": ListOf(STRING), "security_group_ids?": ListOf(STRING)}),
    }),
    "aws_msk_cluster_policy": Object({**COMMON, "cluster_arn": STRING, "policy?": STRING}),
}


def _as_list(value: Any) -> list[Any]:
    return [] if value is None else list(value) if isinstance(value, list) else [value]


def _policy(adopted: Adopted, report: Report, resources: list[dict[str, Any]], moved: set[str],
            cluster_arn: str | None) -> None:
    """The cluster policy: moved, and its one Allow statement's principals and actions pinned; forgotten (kept in
    AWS) when the module's inputs cannot say it."""
    policy = one(resources, "aws_msk_cluster_policy", lambda v: cluster_arn is None or v["cluster_arn"] == cluster_arn)
    if policy is None:
        return
    table = adopted.table
    try:
        statements = _as_list(json.loads(policy["values"].get("policy") or "{}").get("Statement"))
    except (ValueError, AttributeError):
        statements = []
    shape = statements[0] if len(statements) == 1 and isinstance(statements[0], dict) else {}
    principal = shape.get("Principal") if isinstance(shape.get("Principal"), dict) else {}
    principals = [str(p) for p in _as_list(principal.get("AWS"))]
    services = [str(s) for s in _as_list(principal.get("Service"))]
    if shape.get("Effect") != "Allow" or set(shape) - {"Sid", "Effect", "Principal", "Action", "Resource"} or \
            set(principal) - {"AWS", "Service"} or not (principals or services):
        # Not moved: without principals the module has no policy (count 0), and a move there would destroy it.
        report.notes.append(f"[{table}] {policy['address']}: the policy is not one Allow statement of principals "
                            "and actions: forgotten, it stays in AWS as it is; for the module to manage it, set "
                            "cluster_policy_allowed_principals, cluster_policy_allowed_services and "
                            "cluster_policy_actions to what it should grant (the module then writes its own)")
        return
    adopted.source = policy["address"]
    adopted.moves.append((policy["address"], f"module.{table}.aws_msk_cluster_policy.this[0]"))
    moved.add(policy["address"])
    adopted.pin("cluster_policy_allowed_principals", principals,
                "the accounts and roles the cluster policy grants", IN_PLACE, attribute="policy")
    adopted.pin("cluster_policy_allowed_services", services,
                "the AWS services the cluster policy grants", IN_PLACE, attribute="policy")
    adopted.pin("cluster_policy_actions", [str(a) for a in _as_list(shape.get("Action"))],
                "the actions the cluster policy grants", IN_PLACE, attribute="policy")


def _mskserverless(adopted: Adopted, report: Report, resources: list[dict[str, Any]], moved: set[str],
                   prefix: str | None) -> None:
    cluster = one(resources, "aws_msk_serverless_cluster", lambda v: True)
    assert cluster is not None
    v = cluster["values"]
    table = adopted.table
    name = v["cluster_name"]
    adopted.source = cluster["address"]
    adopted.moves.append((cluster["address"], f"module.{table}.aws_msk_serverless_cluster.this"))
    moved.add(cluster["address"])
    name_prefix, cluster_name = split_name(name, prefix)
    adopted.pin("name_prefix", name_prefix, "with cluster_name, the cluster's name", IDENTITY)
    adopted.pin("cluster_name", cluster_name, f"with name_prefix, the cluster's name {name}", IDENTITY)
    configs = list(v.get("vpc_config") or [])
    first = configs[0] if configs else {}
    adopted.pin("subnet_ids", list(first.get("subnet_ids") or []) or None,
                "the subnets of the cluster's first VPC configuration; they cannot change in place", FORCES_NEW,
                attribute="vpc_config")
    adopted.pin("additional_vpc_configs",
                [{"subnet_ids": list(c.get("subnet_ids") or []),
                  "security_group_ids": list(c.get("security_group_ids") or [])} for c in configs[1:]],
                "the cluster's other VPC configurations; they cannot change in place", FORCES_NEW,
                attribute="vpc_config")
    own_tags(adopted, v, "cluster")
    _policy(adopted, report, resources, moved, v.get("arn"))
    security_group(
        adopted, report, resources, list(first.get("security_group_ids") or []),
        f"MSK Serverless {name}: SASL/IAM from allowed sources only",
        lambda groups, cidrs: {
            **{(PORT, PORT, g): f'aws_vpc_security_group_ingress_rule.from_security_groups["{PORT}/{i}"]'
               for i, g in enumerate(groups)},
            **{(PORT, PORT, c): f'aws_vpc_security_group_ingress_rule.from_cidr_blocks["{PORT}/{i}"]'
               for i, c in enumerate(cidrs)},
        },
        moved,
        group_address="aws_security_group.this[0]",
    )
    vpc = next((r["values"].get("vpc_id") for r in resources if r["type"] == "aws_security_group"
                and r["address"] in moved), None)
    adopted.pin("vpc_id", vpc, "the security group's VPC", IDENTITY)


ADOPTER = Adopter(
    main_types=("aws_msk_serverless_cluster",),
    adopt=_mskserverless,
    shapes=STATE_SHAPES,
    name=lambda values: values["cluster_name"],
)
