"""The security group a module creates (unless the caller brings their own): ingress on the ports of the enabled
listeners from the sources the caller names, the caller's extra rules, and nothing else.

Every `count` and `for_each` here is decided by values Terraform knows at plan time, whatever the caller passes:
the create_security_group boolean, the ports (the caller's, from port numbers and booleans), the
*positions* in allowed_security_group_ids / allowed_cidr_blocks and the caller's names in ingress_rules /
egress_rules. Never by a group id or a CIDR: a root that creates the EKS node group in the same apply passes an id
that is unknown until apply, and a `for_each` keyed by it fails ("Invalid for_each argument").

Keys by position: removing a source other than the last renumbers the sources after it, which Terraform applies
as in-place updates of those rules. Callers who want keys that never move use ingress_rules, keyed by name.
"""

from __future__ import annotations

from typing import Any, Mapping

from generator.model.wiring import InputRefs

# Addresses that became instances of a `count` when create_security_group arrived (the group existed before).
MOVED_TO_COUNT = ("aws_security_group.this",)


def _pairs(inputs: InputRefs, ports: str, sources: str) -> str:
    """The for_each of the rules from one list of sources: one rule per (port, position of the source), keyed
    "<port>/<position>"."""
    return (
        f"${{{inputs.create_security_group} ? {{ for pair in setproduct({ports}, range(length({sources}))) : "
        f'"${{pair[0]}}/${{pair[1]}}" => {{ port = pair[0], source = {sources}[pair[1]] }} }} : {{}}}}'
    )


def security_group(
    stack: Any, *, inputs: InputRefs, ports: str, name: str, description: str, service: str
) -> list[tuple[str, str]]:
    """`aws_security_group.this[0]` (when create_security_group) with rules `from_security_groups`,
    `from_cidr_blocks` over `ports`, `extra` ingress and egress rules.

    `inputs`: the calling module's handles; the module must declare the security group inputs
    (modules.shared.inputs), or this call fails naming the first one missing. `ports`: HCL of the list of ports to
    open, decided by values known at plan time. `name`: HCL of the group's name. Returns the `moved` pairs the module
    must ship (one `moved` override per stack: the module writes them all at once)."""
    # Imported here: a module's declaration (its __init__) reads rule_key_moves from this file, and loading a
    # declaration must not start the jsii runtime (generator.model.module, ModuleDefinition.build).
    from generator.cdk import address, aws, number, string_map

    group = aws.SecurityGroup(
        stack,
        "security_group",
        # security_group_name / security_group_description (shared.inputs.security_group_naming) keep an existing
        # group's own; both are ForceNew.
        name=inputs.ref("security_group_name"),
        name_prefix=f"${{{inputs.security_group_name} == null ? \"${{{name}}}-\" : null}}",
        description=(
            f"${{{inputs.security_group_description} != null ? {inputs.security_group_description} : "
            f"\"{description}\"}}"
        ),
        vpc_id=inputs.ref("vpc_id"),
        # No inline egress: Terraform removes the allow-all egress rule AWS adds to a new group, and the only egress
        # rules are the caller's egress_rules (separate rule resources; inline and separate rules fight).
        tags=string_map(f"merge({inputs.tags}, {{ Name = {name} }})"),
        lifecycle={"create_before_destroy": True},
        count=number(f"{inputs.create_security_group} ? 1 : 0"),
    )
    address(group, "this")
    group_id = "${aws_security_group.this[0].id}"
    from_groups = aws.VpcSecurityGroupIngressRule(
        stack,
        "from_security_groups",
        security_group_id=group_id,
        description=f"{service} ${{each.value.port}} from allowed_security_group_ids",
        ip_protocol="tcp",
        from_port=number("each.value.port"),
        to_port=number("each.value.port"),
        referenced_security_group_id="${each.value.source}",
        tags=string_map(inputs.tags),
    )
    from_groups.add_override("for_each", _pairs(inputs, ports, inputs.allowed_security_group_ids))
    from_cidrs = aws.VpcSecurityGroupIngressRule(
        stack,
        "from_cidr_blocks",
        security_group_id=group_id,
        description=f"{service} ${{each.value.port}} from allowed_cidr_blocks",
        ip_protocol="tcp",
        from_port=number("each.value.port"),
        to_port=number("each.value.port"),
        # A value, not a key: it may be unknown at plan time.
        cidr_ipv4='${strcontains(each.value.source, ":") ? null : each.value.source}',
        cidr_ipv6='${strcontains(each.value.source, ":") ? each.value.source : null}',
        tags=string_map(inputs.tags),
    )
    from_cidrs.add_override("for_each", _pairs(inputs, ports, inputs.allowed_cidr_blocks))
    for kind, cls in (("ingress", aws.VpcSecurityGroupIngressRule), ("egress", aws.VpcSecurityGroupEgressRule)):
        rule = cls(
            stack,
            f"extra_{kind}_rule",
            security_group_id=group_id,
            description=f'${{coalesce(each.value.description, "{service} ${{each.key}} ({kind}_rules)")}}',
            ip_protocol="${each.value.ip_protocol}",
            from_port=number("each.value.from_port"),
            to_port=number("each.value.from_port == null ? null : coalesce(each.value.to_port, each.value.from_port)"),
            cidr_ipv4="${each.value.cidr_ipv4}",
            cidr_ipv6="${each.value.cidr_ipv6}",
            prefix_list_id="${each.value.prefix_list_id}",
            referenced_security_group_id="${each.value.referenced_security_group_id}",
            tags=string_map(inputs.tags),
        )
        address(rule, "extra")
        rules = getattr(inputs, f"{kind}_rules")
        rule.add_override("for_each", f"${{{inputs.create_security_group} ? {rules} : {{}}}}")
    return [(source, f"{source}[0]") for source in MOVED_TO_COUNT]


def security_group_ids(inputs: InputRefs) -> str:
    """The groups the cluster is attached to (HCL, without "${}")."""
    return (
        f"concat(aws_security_group.this[*].id, {inputs.associated_security_group_ids}, {inputs.security_group_ids})"
    )


def rule_key_moves(values: Mapping[str, Any], old_ports: list[int], new_ports: list[int]) -> list[tuple[str, str]]:
    """The ingress rules of a module call whose values are known, from the keys of the modules before 2026-11
    ("<port>/<source id or CIDR>", unknown at plan time when a root creates the source) to "<port>/<position>".
    A rule whose port is no longer open (TLS 9094 on an IAM-only MSK) has no move: it is destroyed."""
    moves = []
    for resource, sources in (
        ("from_security_groups", values["allowed_security_group_ids"]),
        ("from_cidr_blocks", values["allowed_cidr_blocks"]),
    ):
        for position, source in enumerate(sources):
            if source in sources[:position]:
                continue  # the old keys collapsed a repeated source into one rule
            for port in old_ports:
                if port in new_ports:
                    moves.append((
                        f'aws_vpc_security_group_ingress_rule.{resource}["{port}/{source}"]',
                        f'aws_vpc_security_group_ingress_rule.{resource}["{port}/{position}"]',
                    ))
    return moves
