"""The security group every module creates: ingress on the service's ports from the sources the caller names,
and nothing else."""

from __future__ import annotations

from typing import Any

from generator.cdk import address, aws, number, string_map

# One rule per (port, source): a source added or removed changes one rule, not the group.
_PAIRS = '${{ for pair in setproduct(local.ingress_ports, var.%s) : "${pair[0]}/${pair[1]}" => { port = pair[0], source = pair[1] } }}'


def security_group(stack: Any, *, name: str, description: str, service: str) -> Any:
    """`aws_security_group.this` with rules `from_security_groups` and `from_cidr_blocks` over
    `local.ingress_ports` (which the module defines); `name` is the expression of the resource's name."""
    group = aws.SecurityGroup(
        stack,
        "security_group",
        # security_group_name / security_group_description (shared.inputs.security_group_naming) keep an existing
        # group's own; both are ForceNew.
        name="${var.security_group_name}",
        name_prefix=f"${{var.security_group_name == null ? \"${{{name}}}-\" : null}}",
        description=f"${{var.security_group_description != null ? var.security_group_description : \"{description}\"}}",
        vpc_id="${var.vpc_id}",
        # No egress rules: the service answers on established connections. Terraform removes the allow-all egress
        # rule AWS adds to a new group.
        tags=string_map(f"merge(var.tags, {{ Name = {name} }})"),
        lifecycle={"create_before_destroy": True},
    )
    address(group, "this")
    from_groups = aws.VpcSecurityGroupIngressRule(
        stack,
        "from_security_groups",
        security_group_id=group.id,
        description=f"{service} ${{each.value.port}} from an allowed security group",
        ip_protocol="tcp",
        from_port=number("each.value.port"),
        to_port=number("each.value.port"),
        referenced_security_group_id="${each.value.source}",
        tags=string_map("var.tags"),
    )
    from_groups.add_override("for_each", _PAIRS % "allowed_security_group_ids")
    from_cidrs = aws.VpcSecurityGroupIngressRule(
        stack,
        "from_cidr_blocks",
        security_group_id=group.id,
        description=f"{service} ${{each.value.port}} from an allowed CIDR block",
        ip_protocol="tcp",
        from_port=number("each.value.port"),
        to_port=number("each.value.port"),
        cidr_ipv4='${strcontains(each.value.source, ":") ? null : each.value.source}',
        cidr_ipv6='${strcontains(each.value.source, ":") ? each.value.source : null}',
        tags=string_map("var.tags"),
    )
    from_cidrs.add_override("for_each", _PAIRS % "allowed_cidr_blocks")
    return group
