"""The vocabulary a module's adopter (modules/<kind>/adopt.py) writes in, and what every adopter shares.

An adopter reads the resources of one module call of the old root's state and says, for the table of the
environment file that call becomes: which resources move to which address of the module (`Adopted.moves`), which
input keeps which value the state holds (`Adopted.pin`, with what another value would do), and what cannot be kept
(`Report.problems`) or is worth knowing (`Report.notes`). The engine (generator.commands.adopt) finds the calls,
withholds secrets, forgets what no module manages and writes the file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from generator.adoption.statefile import BOOLEAN, INTEGER, STRING, ListOf, MapOf, Object, Scalar, Shape, objects

NUMBER = Scalar("a number", lambda v: isinstance(v, (int, float)) and not isinstance(v, bool))

# How a pin's reason is phrased, by what a different value would do (aws-constraints.md, confirmed by the
# replace_paths of the adoption test's plan).
IDENTITY = "identity"  # a name AWS knows the resource by: another value replaces it
FORCES_NEW = "forces new"  # another value replaces the resource
IN_PLACE = "in place"  # another value is an in-place change you can make later


class _ModuleDefault:
    def __repr__(self) -> str:
        return "MODULE_DEFAULT"


MODULE_DEFAULT: Any = _ModuleDefault()
"""A pin's default when it is the input's declared default (read from the module, so the two cannot drift)."""


@dataclass
class Pin:
    key: str
    value: Any
    why: str  # what the state holds, in words ("the cluster runs it")
    effect: str  # IDENTITY, FORCES_NEW or IN_PLACE
    default: Any = None  # the module's value without the pin, for the message
    source: str = ""  # the address of the resource the value is read from
    attribute: str = ""  # the attribute of that resource


@dataclass
class Adopted:
    """One module call of the old root, as a table of the environment file."""

    table: str
    kind: str
    pins: list[Pin] = field(default_factory=list)
    moves: list[tuple[str, str]] = field(default_factory=list)
    defaults: Mapping[str, Any] = field(default_factory=dict)  # the module's declared defaults
    # The ports the module's security group opens for given input values (ModuleDefinition.ingress_ports).
    ingress_ports: Callable[[Mapping[str, Any]], list[int]] | None = None
    source: str = ""  # the resource the adopter reads its next pins from

    def pin(self, key: str, value: Any, why: str, effect: str, default: Any = MODULE_DEFAULT,
            attribute: str | None = None) -> None:
        """Pin `value` (read from the `attribute` of the current source, by default the input's own name) unless it
        is what the module does anyway (`default`; computed names pass their own)."""
        if default is MODULE_DEFAULT:
            default = self.defaults.get(key)
        if value == default and effect != IDENTITY:
            return
        self.pins.append(Pin(key, value, why, effect, default, self.source, attribute or key))


@dataclass
class Report:
    tables: list[Adopted] = field(default_factory=list)
    shared: dict[str, Any] = field(default_factory=dict)
    removed: list[tuple[str, str]] = field(default_factory=list)  # (address, why)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    imported: set[str] = field(default_factory=set)  # [[import]] targets the environment file already has
    # The pins every table agreed on, written once at the top of the file instead (vpc_id, subnet_ids): each table's
    # own comes back when the file already has another top-level value.
    shared_pins: dict[str, list[tuple[Adopted, Pin]]] = field(default_factory=dict)


Resource = dict[str, Any]  # {"address", "type", "provider_name", "values"} (generator.adoption.statefile.State)
AdoptFunction = Callable[[Adopted, Report, list[Resource], set[str], "str | None"], None]


@dataclass(frozen=True)
class Adopter:
    """How a module's resources are recognised in a state and adopted (a module's `ADOPTER`, named by
    ModuleDefinition.adopter as "modules.<kind>.adopt:ADOPTER").

    A module call of the old root is this module's when it holds exactly one resource of `main_types` that
    `recognises` accepts. `adopt(adopted, report, resources, moved, prefix)` is then given the call's resources: it
    moves and pins (adding every address it moves to `moved`). `shapes` declares what it reads of each resource type
    (generator.adoption.statefile: a key not declared is not in the values it gets); `name` is the main resource's
    name, from which the environment's name_prefix is guessed. A resource of `main_types` that `recognises` refuses
    is forgotten like any resource no module manages, with a note saying `condition`."""

    main_types: tuple[str, ...]
    adopt: AdoptFunction
    shapes: Mapping[str, Shape]
    name: Callable[[Mapping[str, Any]], str]
    recognises: Callable[[Mapping[str, Any]], bool] = lambda values: True
    condition: str = ""  # what `recognises` asks, in words, for the note on a resource it does not recognise
    # Into an existing file: reconcile(key, value, table) says, when the table's own keys already say what the pin
    # `key = value` would (in another input), why the pin is not needed; None when they contradict it.
    reconcile: Callable[[str, Any, Mapping[str, Any]], "str | None"] | None = None


# --- what adopters read -------------------------------------------------------------------------------------------

TAGS = MapOf(STRING)
COMMON = {"arn?": STRING, "tags?": TAGS, "tags_all?": TAGS, "id?": STRING, "name?": STRING}
PORT_RULE = {"protocol": STRING, "from_port": INTEGER, "to_port": INTEGER, "self?": BOOLEAN,
             "security_groups?": ListOf(STRING), "cidr_blocks?": ListOf(STRING), "ipv6_cidr_blocks?": ListOf(STRING)}
ENABLED = objects(**{"enabled?": BOOLEAN})
# What security_group() reads: every adopter of a module with a security group reads it.
SHAPES: dict[str, Shape] = {
    "aws_security_group": Object({
        **COMMON, "name": STRING, "description": STRING, "vpc_id?": STRING,
        "ingress?": objects(**PORT_RULE), "egress?": objects(**PORT_RULE),
    }),
    # Application Auto Scaling of a table, its indexes, a cluster's storage (scaling_target, scaling_policy).
    # (What a target or policy lacks, it is not recognised by: it is left to the engine, as any other resource.)
    "aws_appautoscaling_target": Object({
        **COMMON, "resource_id?": STRING, "scalable_dimension?": STRING, "service_namespace?": STRING,
        "min_capacity?": INTEGER, "max_capacity?": INTEGER,
    }),
    "aws_appautoscaling_policy": Object({
        **COMMON, "name?": STRING, "resource_id?": STRING, "scalable_dimension?": STRING,
        "target_tracking_scaling_policy_configuration?": objects(**{
            "target_value?": NUMBER, "scale_in_cooldown?": INTEGER, "scale_out_cooldown?": INTEGER,
            "disable_scale_in?": BOOLEAN,
        }),
    }),
    # The group's rules as separate resources (terraform-aws-modules' and cloudposse's modules write them so).
    "aws_vpc_security_group_ingress_rule": Object({
        **COMMON, "security_group_id": STRING, "ip_protocol": STRING, "from_port?": INTEGER, "to_port?": INTEGER,
        "cidr_ipv4?": STRING, "cidr_ipv6?": STRING, "prefix_list_id?": STRING,
        "referenced_security_group_id?": STRING, "description?": STRING,
    }),
    "aws_security_group_rule": Object({
        **COMMON, "type": STRING, "security_group_id": STRING, "protocol": STRING, "from_port": INTEGER,
        "to_port": INTEGER, "cidr_blocks?": ListOf(STRING), "ipv6_cidr_blocks?": ListOf(STRING),
        "prefix_list_ids?": ListOf(STRING), "source_security_group_id?": STRING, "self?": BOOLEAN,
        "description?": STRING, "security_group_rule_id?": STRING,
    }),
}


# --- helpers --------------------------------------------------------------------------------------------------------


def split_name(name: str, prefix: str | None) -> tuple[str, str]:
    """A full name → (name_prefix, name after it): the environment's prefix when the name starts with it, else up
    to the last hyphen."""
    if prefix and name.startswith(prefix) and len(name) > len(prefix):
        return prefix, name[len(prefix):]
    head, _, tail = name.rpartition("-")
    return (head + "-", tail) if head and tail else ("", name)



def as_bool(value: Any) -> Any:
    # The provider keeps some tri-state booleans as strings ("true"/"false").
    return {"true": True, "false": False}.get(value, value) if isinstance(value, str) else value



def one(resources: list[dict[str, Any]], type_: str, test: Callable[[dict[str, Any]], bool]) -> dict[str, Any] | None:
    found = [r for r in resources if r["type"] == type_ and test(r["values"])]
    return found[0] if found else None


def security_group(
    adopted: Adopted,
    report: Report,
    resources: list[dict[str, Any]],
    group_ids: list[str],
    default_description: str,
    module_rules: Callable[[list[str], list[str]], dict[tuple[int, int, str], str]],
    moved: set[str],
    groups_effect: str = IN_PLACE,
    group_address: str = "aws_security_group.this",
) -> None:
    """The module's security group: the first of the resource's groups that the state manages in this call, moved
    to `group_address` in the module (`this` for a module that ships its own `moved { this → this[0] }`; `this[0]`
    for one whose group was counted from the start). `groups_effect`: what another set of groups does to the
    resource (MSK: replaces the cluster)."""
    group = next((r for gid in group_ids for r in resources if r["type"] == "aws_security_group"
                  and r["values"].get("id") == gid), None)
    others = [gid for gid in group_ids if group is None or gid != group["values"]["id"]]
    if group is None:
        # The groups belong to someone else (the root, another call, another team): the module must not add its own
        # beside them, which would change the resource's groups (for MSK, a new cluster).
        adopted.pin("create_security_group", False, "the groups the resource is in are not this call's: the "
                    "module's own group would be added to them", groups_effect)
        adopted.pin("associated_security_group_ids", others, "the groups attached today", groups_effect)
        report.notes.append(f"[{adopted.table}] the groups {', '.join(others)} are kept as they are, with their "
                            "rules: create_security_group = false, and the module adds no rule to them")
        return
    values = group["values"]
    adopted.source = group["address"]
    # To `this`, not `this[0]`: the module itself ships `moved { this → this[0] }` (its group became counted with
    # create_security_group), and Terraform follows the chain; a second move into this[0] would be ambiguous.
    # A group already at this[0] (a root of the same call name that counted its group too) stays: a move from it to
    # `this`, chained with the module's own, would move it onto itself ("Moved object still exists").
    target = f"module.{adopted.table}.{group_address}"
    if group["address"] not in (target, f"{target}[0]"):
        adopted.moves.append((group["address"], target))
    moved.add(group["address"])
    adopted.pin("security_group_name", values["name"], "the security group's name", IDENTITY, attribute="name")
    adopted.pin("security_group_description", values["description"], "the security group's description",
                FORCES_NEW, default_description, "description")
    adopted.pin("associated_security_group_ids", others, "other groups attached today", FORCES_NEW)
    # Inline rules: sources on the service port become the module's allowed_* inputs, which the module creates as
    # separate rule resources. AWS refuses a rule identical to one that exists, and the provider's documentation says
    # never to mix inline rules and rule resources on one group: each collision is a problem.
    # The group's rules that are resources of their own in the state: each becomes an ingress_rules entry (its
    # description kept), the resource moved to the module's rule of that name. AWS lists them in a refreshed group's
    # `ingress` too: those are not inline rules.
    separate, rules = _rule_resources(adopted, report, resources, values["id"], moved)
    adopted.pin("ingress_rules", rules, "the group's rules, each under the name its resource had, with its "
                "description", IN_PLACE)
    inline = [rule for rule in values.get("ingress") or [] if _listed(rule) - separate]
    values = {**values, "ingress": [{**rule, **_unlisted(rule, separate)} for rule in inline]}
    from_groups: list[str] = []
    from_cidrs: list[str] = []
    ports = set()
    for rule in values.get("ingress") or []:
        if rule["protocol"] == "tcp" and rule["from_port"] == rule["to_port"] and not rule.get("self"):
            ports.add(rule["from_port"])
            from_groups += [g for g in rule.get("security_groups") or [] if g not in from_groups]
            from_cidrs += [c for c in (rule.get("cidr_blocks") or []) + (rule.get("ipv6_cidr_blocks") or [])
                           if c not in from_cidrs]
    adopted.pin("allowed_security_group_ids", from_groups, "the sources the group's inline rules allow", IN_PLACE)
    adopted.pin("allowed_cidr_blocks", from_cidrs, "the CIDR blocks the group's inline rules allow", IN_PLACE)
    created = module_rules(from_groups, from_cidrs)
    address = f"module.{adopted.table}.{group_address}"
    for rule in values.get("ingress") or []:
        sources = (rule.get("security_groups") or []) + (rule.get("cidr_blocks") or []) + \
            (rule.get("ipv6_cidr_blocks") or []) + (["self"] if rule.get("self") else [])
        for source in sources:
            shown = f"{rule['protocol']} {rule['from_port']}-{rule['to_port']} from {source}"
            rule_resource = created.get((rule["from_port"], rule["to_port"], source))
            if rule_resource is not None and rule["protocol"] == "tcp":
                target = f"module.{adopted.table}.{rule_resource}"
                if target in report.imported:
                    report.notes.append(f"{address}: ingress: the inline rule {shown} is imported as {target}")
                    continue
                report.problems.append(
                    f"{address}: ingress: the inline rule {shown} exists; the module creates the same rule as "
                    f"{target} and AWS refuses the duplicate at apply (InvalidPermission.Duplicate). Add an "
                    f"[[import]] entry with to = {json.dumps(target)} and the rule's id (sgr-…, from aws ec2 "
                    f"describe-security-group-rules --filters Name=group-id,Values={values['id']}), or delete the "
                    "inline rule just before applying"
                )
            else:
                report.notes.append(
                    f"{address}: ingress: the inline rule {shown} stays in AWS unmanaged (Terraform leaves inline "
                    "rules it is not given in place); remove it by hand once the module's rules cover it"
                )
    for rule in values.get("egress") or []:
        sources = (rule.get("cidr_blocks") or []) + (rule.get("security_groups") or [])
        report.notes.append(
            f"{address}: egress: the inline rule {rule['protocol']} {rule['from_port']}-{rule['to_port']} to "
            f"{', '.join(sources) or 'itself'} stays in AWS unmanaged; the module's groups have no egress rules"
        )


def own_tags(adopted: Adopted, values: Mapping[str, Any], what: str) -> None:
    adopted.pin("tags", dict(values.get("tags") or {}), f"the {what}'s own tags", IN_PLACE)


_RuleKey = tuple[str, int, int, str]  # protocol, from port, to port, source


def _listed(rule: Mapping[str, Any]) -> set[_RuleKey]:
    """What a group's `ingress` entry allows, one key per source."""
    sources = [*(rule.get("security_groups") or []), *(rule.get("cidr_blocks") or []),
               *(rule.get("ipv6_cidr_blocks") or []), *(rule.get("prefix_list_ids") or []),
               *(["self"] if rule.get("self") else [])]
    return {(rule["protocol"], rule["from_port"], rule["to_port"], source) for source in sources}


def _unlisted(rule: Mapping[str, Any], separate: set[_RuleKey]) -> dict[str, Any]:
    """The sources of an `ingress` entry that no rule resource owns."""
    def kept(source: str) -> bool:
        return (rule["protocol"], rule["from_port"], rule["to_port"], source) not in separate
    return {"security_groups": [s for s in rule.get("security_groups") or [] if kept(s)],
            "cidr_blocks": [s for s in rule.get("cidr_blocks") or [] if kept(s)],
            "ipv6_cidr_blocks": [s for s in rule.get("ipv6_cidr_blocks") or [] if kept(s)],
            "prefix_list_ids": [s for s in rule.get("prefix_list_ids") or [] if kept(s)],
            "self": bool(rule.get("self")) and kept("self")}


def _rule_name(address: str) -> str:
    """The name an ingress_rules entry gets: the rule resource's for_each key, else its name (and count index)."""
    name = address.rsplit(".", 1)[-1]
    block, _, index = name.partition("[")
    index = index.rstrip("]")
    if index.startswith('"'):
        return json.loads(index)
    return f"{block}_{index}" if index else block


def _rule_resources(adopted: Adopted, report: Report, resources: list[dict[str, Any]], group_id: str,
                    moved: set[str]) -> tuple[set[_RuleKey], dict[str, dict[str, Any]]]:
    """The ingress rule resources of the group, moved to the module's rules. Returns what they allow, as the
    group's `ingress` lists it, and the ingress_rules entries that keep them (names and descriptions kept)."""
    rules: dict[str, dict[str, Any]] = {}
    owned: set[_RuleKey] = set()
    for resource in resources:
        v = resource["values"]
        if v.get("security_group_id") != group_id:
            continue
        name = _rule_name(resource["address"])
        if resource["type"] == "aws_vpc_security_group_ingress_rule":
            protocol = v["ip_protocol"]
            entry = {"ip_protocol": protocol, "from_port": v.get("from_port"), "to_port": v.get("to_port"),
                     **{peer: v[peer] for peer in ("cidr_ipv4", "cidr_ipv6", "prefix_list_id",
                                                    "referenced_security_group_id") if v.get(peer)},
                     "description": v.get("description")}
            rules[name] = {k: value for k, value in entry.items() if value is not None}
            source = v.get("cidr_ipv4") or v.get("cidr_ipv6") or v.get("prefix_list_id") or \
                v.get("referenced_security_group_id")
            owned.add((protocol, v.get("from_port") if protocol != "-1" else 0,
                       v.get("to_port") if protocol != "-1" else 0, source))
            adopted.moves.append((resource["address"], f'module.{adopted.table}.aws_vpc_security_group_ingress_rule.'
                                                       f'extra[{json.dumps(name)}]'))
            moved.add(resource["address"])
        elif resource["type"] == "aws_security_group_rule" and v["type"] == "ingress":
            listed = _listed(v)
            owned |= listed
            # Another resource type: Terraform cannot move it. It is forgotten (destroy = false) and the rule imported
            # into the module's by its sgr- id, which the state holds only for a rule of one source.
            sources = sorted(source for _, _, _, source in listed)
            for position, source in enumerate(sources):
                key = name if len(sources) == 1 else f"{name}_{position}"
                peer = ("referenced_security_group_id" if source.startswith("sg-") else "prefix_list_id"
                        if source.startswith("pl-") else "cidr_ipv6" if ":" in source else "cidr_ipv4")
                entry = {"ip_protocol": v["protocol"], "from_port": v["from_port"], "to_port": v["to_port"],
                         peer: source, "description": v.get("description")}
                rules[key] = {k: value for k, value in entry.items() if value is not None}
                target = f'module.{adopted.table}.aws_vpc_security_group_ingress_rule.extra[{json.dumps(key)}]'
                if target in report.imported:
                    continue
                known = v.get("security_group_rule_id") if len(sources) == 1 else None
                report.problems.append(
                    f"{resource['address']}: the rule {v['protocol']} {v['from_port']}-{v['to_port']} from {source} "
                    f"becomes {target} (another resource type: Terraform cannot move it). Add an [[import]] entry "
                    f"with to = {json.dumps(target)} and id = "
                    + (json.dumps(known) if known else "the rule's id (sgr-…, from aws ec2 describe-security-group-rules "
                       f"--filters Name=group-id,Values={group_id})")
                )
    return owned, dict(sorted(rules.items()))


def scaling_target(resources: list[dict[str, Any]], resource_id: str, dimension: str) -> dict[str, Any] | None:
    """The call's aws_appautoscaling_target of `resource_id` (a table, an index, a cluster's ARN) and dimension."""
    return one(resources, "aws_appautoscaling_target",
               lambda v: v.get("resource_id") == resource_id and v.get("scalable_dimension") == dimension
               and v.get("max_capacity") is not None and v.get("min_capacity") is not None)


def scaling_policy(resources: list[dict[str, Any]], resource_id: str, dimension: str) -> dict[str, Any] | None:
    """The call's target tracking aws_appautoscaling_policy of the same target."""
    return one(resources, "aws_appautoscaling_policy",
               lambda v: v.get("resource_id") == resource_id and v.get("scalable_dimension") == dimension
               and v.get("name") is not None)


def tracking(policy: dict[str, Any] | None) -> dict[str, Any]:
    """A policy's target tracking configuration (target_value, cooldowns), {} without one."""
    if policy is None:
        return {}
    return next(iter(policy["values"].get("target_tracking_scaling_policy_configuration") or []), {})


def move(adopted: Adopted, moved: set[str], resource: dict[str, Any] | None, target: str) -> None:
    """Move `resource` to `target` of the table's module call; where it already is, nothing (a move onto itself
    is Terraform's "Moved object still exists"), but it is adopted all the same (never forgotten)."""
    if resource is None:
        return
    full = f"module.{adopted.table}.{target}"
    if resource["address"] != full:
        adopted.moves.append((resource["address"], full))
    moved.add(resource["address"])
