"""`python main.py --adopt STATE --config environments/<env>.toml`: move an existing root onto the generated modules.

STATE is what `terraform show -json` prints in the old root. From it, adoption writes the environment file that
makes the generated stack describe the same resources:

- one table per module call found, named after the call, with every value the state holds that the module would
  otherwise set differently (names, versions, sizes, keys, encryption and authentication, windows, tags): a pin;
- a `[[moved]]` entry for each resource the module creates, matched by type and by the identity AWS knows it by
  (a replication group's id, the parameter group its group names, the security group its group uses, the
  configuration its cluster runs), never by the address's name;
- a `[[removed]]` entry (destroy = false) for each resource no module creates: Terraform forgets it, AWS keeps it.

STATE is read through the shapes of what the adopters read (STATE_SHAPES, generator.commands.statefile): a state of another
shape is one line naming the file and the JSON path, and nothing is written. A value that looks like a secret
(generator.language.secrets) or that the state marks sensitive is never pinned nor printed: it is left out, with a problem
naming the address and the attribute. A resource the stack's call of the same name declares is never `[[removed]]`,
and nothing is moved onto its own address.

What still cannot be kept (a security group rule the module would create again, a setting no input expresses) is a
problem: printed with the address and the attribute, exit status 1. An existing file keeps its values, comments and
layout (tomlkit); only missing pins and entries are added, so a second run changes nothing.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Collection, Iterable, Mapping

import tomlkit

from generator.commands import statefile
from generator.language import secrets
from generator.config.environments import kind_of
from generator.language.inputs import InputError
from generator.commands.statefile import (BOOLEAN, BOOLEAN_OR_STRING, INTEGER, STRING, Lenient, ListOf, MapOf, Object, Shape,
                                 State, objects)
from generator.language.types import literal

if TYPE_CHECKING:  # the module machinery starts the jsii runtime
    from generator.model.module import ModuleDefinition

AWS_PROVIDER = "registry.terraform.io/hashicorp/aws"
TABLE_NAME = re.compile(r"[a-z][a-z0-9_]*")

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


# --- reading STATE -------------------------------------------------------------------------------------------------


# What the adopters below read of each resource type, and nothing more (generator.commands.statefile): a value of another
# type, a missing key or a null where a value is read is one line naming the file and the JSON path, and a key not
# declared here is not in what the adopters get. Reading a new attribute: declare it here.
_TAGS = MapOf(STRING)
_COMMON = {"arn?": STRING, "tags?": _TAGS, "tags_all?": _TAGS, "id?": STRING, "name?": STRING}
_PORT_RULE = {"protocol": STRING, "from_port": INTEGER, "to_port": INTEGER, "self?": BOOLEAN,
              "security_groups?": ListOf(STRING), "cidr_blocks?": ListOf(STRING), "ipv6_cidr_blocks?": ListOf(STRING)}
_ENABLED = objects(**{"enabled?": BOOLEAN})
STATE_SHAPES: dict[str, Shape] = {
    "aws_elasticache_replication_group": Object({
        **_COMMON, "replication_group_id": STRING, "engine?": STRING, "description": STRING, "node_type": STRING,
        "engine_version": STRING, "port": INTEGER, "cluster_enabled?": BOOLEAN_OR_STRING,
        "num_node_groups?": INTEGER, "replicas_per_node_group?": INTEGER, "num_cache_clusters?": INTEGER,
        "automatic_failover_enabled": BOOLEAN, "multi_az_enabled": BOOLEAN,
        "at_rest_encryption_enabled?": BOOLEAN_OR_STRING, "kms_key_id?": STRING, "transit_encryption_enabled": BOOLEAN,
        "transit_encryption_mode?": STRING, "user_group_ids?": ListOf(STRING), "snapshot_retention_limit": INTEGER,
        "snapshot_window": STRING, "maintenance_window": STRING, "final_snapshot_identifier?": STRING,
        "notification_topic_arn?": STRING, "auto_minor_version_upgrade?": BOOLEAN_OR_STRING,
        "data_tiering_enabled?": BOOLEAN, "log_delivery_configuration?": objects(log_type=STRING),
        "parameter_group_name": STRING, "subnet_group_name": STRING, "security_group_ids?": ListOf(STRING),
        # Read only as there or not (the AUTH token itself is never pinned, and marked sensitive by the state).
        "auth_token?": STRING,
    }),
    "aws_elasticache_parameter_group": Object({
        **_COMMON, "name": STRING, "description": STRING, "parameter?": objects(name=STRING, value=STRING),
    }),
    "aws_elasticache_subnet_group": Object({
        **_COMMON, "name": STRING, "subnet_ids": ListOf(STRING), "vpc_id?": STRING,
    }),
    "aws_security_group": Object({
        **_COMMON, "name": STRING, "description": STRING, "vpc_id?": STRING,
        "ingress?": objects(**_PORT_RULE), "egress?": objects(**_PORT_RULE),
    }),
    "aws_msk_cluster": Object({
        **_COMMON, "cluster_name": STRING, "kafka_version": STRING, "number_of_broker_nodes": INTEGER,
        "broker_node_group_info": ListOf(Object({
            "client_subnets": ListOf(STRING), "instance_type": STRING, "security_groups?": ListOf(STRING),
            "storage_info?": objects(**{"ebs_storage_info?": objects(**{
                "volume_size?": INTEGER, "provisioned_throughput?": _ENABLED})}),
        }), at_least=1),
        "encryption_info?": objects(**{
            "encryption_at_rest_kms_key_arn?": STRING,
            "encryption_in_transit?": objects(**{"client_broker?": STRING, "in_cluster?": BOOLEAN}),
        }),
        "client_authentication?": objects(**{
            "sasl?": objects(**{"iam?": BOOLEAN, "scram?": BOOLEAN}),
            "tls?": objects(**{"certificate_authority_arns?": ListOf(STRING)}),
            "unauthenticated?": BOOLEAN,
        }),
        "enhanced_monitoring?": STRING,
        "open_monitoring?": objects(**{"prometheus?": objects(**{
            "jmx_exporter?": objects(**{"enabled_in_broker?": BOOLEAN}),
            "node_exporter?": objects(**{"enabled_in_broker?": BOOLEAN}),
        })}),
        "logging_info?": objects(**{"broker_logs?": objects(**{
            "cloudwatch_logs?": objects(**{"enabled?": BOOLEAN, "log_group?": STRING}),
            "firehose?": _ENABLED, "s3?": _ENABLED,
        })}),
        "configuration_info?": objects(**{"arn?": STRING}),
    }),
    "aws_msk_configuration": Object({
        **_COMMON, "name": STRING, "description?": STRING, "server_properties?": STRING,
    }),
    "aws_dynamodb_table": Object({
        **_COMMON, "name": STRING, "hash_key": STRING, "range_key?": STRING,
        "attribute": objects(name=STRING, type=STRING), "billing_mode?": STRING,
        "read_capacity?": INTEGER, "write_capacity?": INTEGER,
        "global_secondary_index?": objects(**{
            "name": STRING, "hash_key": STRING, "range_key?": STRING, "projection_type?": STRING,
            "non_key_attributes?": ListOf(STRING), "read_capacity?": INTEGER, "write_capacity?": INTEGER,
        }),
        "local_secondary_index?": objects(**{
            "name": STRING, "range_key": STRING, "projection_type?": STRING, "non_key_attributes?": ListOf(STRING),
        }),
        "ttl?": objects(**{"enabled?": BOOLEAN, "attribute_name?": STRING}),
        "point_in_time_recovery?": _ENABLED,
        "server_side_encryption?": objects(**{"enabled?": BOOLEAN, "kms_key_arn?": STRING}),
        "stream_enabled?": BOOLEAN, "stream_view_type?": STRING, "deletion_protection_enabled?": BOOLEAN,
        "table_class?": STRING, "replica?": objects(**{"region_name": STRING, "kms_key_arn?": STRING, "propagate_tags?": BOOLEAN, "point_in_time_recovery?": BOOLEAN}),
    }),
}
# Any other resource of the AWS provider: what says what it is, its region and its tags (the default tags).
OTHER_AWS = Object(_COMMON)
# A resource of another provider: its name or id, when they are strings.
OTHER = Lenient({"name": STRING, "id": STRING})


def read_state(path: Path, display: str) -> State:
    """Every managed resource in the `terraform show -json` output at `path`; InputError (one line) otherwise."""
    text = statefile.read_text(path, display)
    if not text.strip():
        raise InputError([f"{display}: is empty; write it in the old root with: terraform show -json > {display}"])
    document = statefile.parse(text, display)
    if isinstance(document, dict) and "resources" in document and "version" in document:
        raise InputError([f"{display}: is a raw state file (format {literal(document.get('version'))[:20]}), not "
                          f"the output of terraform show -json; run terraform show -json > {display} in the old root"])
    if not isinstance(document, dict) or "format_version" not in document:
        raise InputError([f"{display}: not the output of terraform show -json (no format_version)"])
    if "planned_values" in document:
        raise InputError([f"{display}: is a plan, not a state; run terraform show -json without a plan file"])
    state = statefile.resources(document, display, STATE_SHAPES, AWS_PROVIDER, OTHER_AWS, OTHER)
    if not state.resources:
        raise InputError([f"{display}: holds no resources (an empty state: nothing to adopt)"])
    if not any(r["provider_name"] == AWS_PROVIDER for r in state.resources):
        providers = sorted({r["provider_name"] for r in state.resources})
        raise InputError([f"{display}: holds no hashicorp/aws resources (found {', '.join(providers)[:200]})"])
    return state


def _call(address: str) -> str | None:
    """`module.msk.aws_msk_cluster.kafka` → `msk`; None for a root resource (nested calls count as their parent)."""
    match = re.match(r"module\.([A-Za-z_][A-Za-z0-9_-]*)", address)
    return match.group(1) if match else None


def _without_index(address: str) -> str:
    return re.sub(r"\[[^\]]*\]$", "", address)


# --- names -----------------------------------------------------------------------------------------------------------


def _split_name(name: str, prefix: str | None) -> tuple[str, str]:
    """A full name → (name_prefix, name after it): the environment's prefix when the name starts with it, else up
    to the last hyphen."""
    if prefix and name.startswith(prefix) and len(name) > len(prefix):
        return prefix, name[len(prefix):]
    head, _, tail = name.rpartition("-")
    return (head + "-", tail) if head and tail else ("", name)


def _common_prefix(names: list[str]) -> str:
    if not names:
        return ""
    prefix = os.path.commonprefix(names)
    prefix = prefix[: prefix.rfind("-") + 1] if "-" in prefix else ""
    return prefix


def _bool(value: Any) -> Any:
    # The provider keeps some tri-state booleans as strings ("true"/"false").
    return {"true": True, "false": False}.get(value, value) if isinstance(value, str) else value


# --- per kind --------------------------------------------------------------------------------------------------------


def _one(resources: list[dict[str, Any]], type_: str, test: Callable[[dict[str, Any]], bool]) -> dict[str, Any] | None:
    found = [r for r in resources if r["type"] == type_ and test(r["values"])]
    return found[0] if found else None


def _security_group(
    adopted: Adopted,
    report: Report,
    resources: list[dict[str, Any]],
    group_ids: list[str],
    default_description: str,
    module_rules: Callable[[list[str], list[str]], dict[tuple[int, int, str], str]],
    moved: set[str],
) -> None:
    """The module's security group: the first of the resource's groups that the state manages in this call."""
    group = next((r for gid in group_ids for r in resources if r["type"] == "aws_security_group"
                  and r["values"].get("id") == gid), None)
    others = [gid for gid in group_ids if group is None or gid != group["values"]["id"]]
    if group is None:
        report.notes.append(f"[{adopted.table}] no security group of the state is attached: the module creates its "
                            "own and attaches it beside associated_security_group_ids (an in-place change)")
        adopted.pin("associated_security_group_ids", others, "the groups attached today", IN_PLACE)
        return
    values = group["values"]
    adopted.source = group["address"]
    # To `this`, not `this[0]`: the module itself ships `moved { this → this[0] }` (its group became counted with
    # create_security_group), and Terraform follows the chain; a second move into this[0] would be ambiguous.
    # A group already at this[0] (a root of the same call name that counted its group too) stays: a move from it to
    # `this`, chained with the module's own, would move it onto itself ("Moved object still exists").
    target = f"module.{adopted.table}.aws_security_group.this"
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
    address = f"module.{adopted.table}.aws_security_group.this"
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


def _tags(adopted: Adopted, values: Mapping[str, Any], what: str) -> None:
    adopted.pin("tags", dict(values.get("tags") or {}), f"the {what}'s own tags", IN_PLACE)


def _elasticache(adopted: Adopted, report: Report, resources: list[dict[str, Any]], moved: set[str], prefix: str | None) -> None:
    group = _one(resources, "aws_elasticache_replication_group", lambda v: True)
    assert group is not None
    v = group["values"]
    table = adopted.table
    group_id = v["replication_group_id"]
    adopted.source = group["address"]
    adopted.moves.append((group["address"], f"module.{table}.aws_elasticache_replication_group.this"))
    moved.add(group["address"])
    name_prefix, cluster_name = _split_name(group_id, prefix)
    adopted.pin("name_prefix", name_prefix, "with cluster_name, the replication group id", IDENTITY)
    adopted.pin("cluster_name", cluster_name, f"with name_prefix, the replication group id {group_id}", IDENTITY)
    if v.get("engine") != "valkey":
        report.problems.append(f"{group['address']}: engine: the group runs {literal(v.get('engine'))}; the module "
                               "runs valkey only (a change of engine the module cannot express)")
    adopted.pin("description", v["description"], "the group's description", IN_PLACE,
                f"Valkey replication group {group_id}")
    adopted.pin("node_type", v["node_type"], "the group's nodes", IN_PLACE)
    version = v["engine_version"]
    adopted.pin("engine_version", version, "the group runs it", IN_PLACE)
    adopted.pin("port", v["port"], "the group's port", FORCES_NEW)
    cluster_mode = bool(v.get("cluster_enabled"))
    if cluster_mode:
        adopted.pin("num_node_groups", v.get("num_node_groups"), "the group's shards", IN_PLACE)
        adopted.pin("replicas_per_node_group", v.get("replicas_per_node_group"), "the group's replicas per shard",
                    IN_PLACE, 1)
    else:
        adopted.pin("num_cache_clusters", v.get("num_cache_clusters"), "the group's nodes", IN_PLACE, None)
    adopted.pin("automatic_failover_enabled", v["automatic_failover_enabled"], "the group has it", IN_PLACE)
    adopted.pin("multi_az_enabled", v["multi_az_enabled"], "the group has it", IN_PLACE)
    at_rest = _bool(v.get("at_rest_encryption_enabled"))
    adopted.pin("at_rest_encryption_enabled", at_rest, "the group has it; it cannot change in place", FORCES_NEW)
    if at_rest:
        key = v.get("kms_key_id") or "alias/aws/elasticache"
        adopted.pin("kms_key_arn", key, "the key the group's data is encrypted with; it cannot change in place",
                    FORCES_NEW, None)
    adopted.pin("transit_encryption_enabled", v["transit_encryption_enabled"], "the group has it", IN_PLACE)
    adopted.pin("transit_encryption_mode", v.get("transit_encryption_mode") or None, "the group has it", IN_PLACE)
    adopted.pin("user_group_ids", sorted(v.get("user_group_ids") or []), "the group's RBAC user groups", IN_PLACE)
    if not v.get("auth_token") and not v.get("user_group_ids"):
        # The module refuses a group without authentication unless told: the group has none today.
        adopted.pin("authentication_disabled", True, "the group has no AUTH token and no RBAC user group "
                    "(clients connect without authentication)", IN_PLACE)
    adopted.pin("snapshot_retention_limit", v["snapshot_retention_limit"], "the group keeps that many days", IN_PLACE)
    adopted.pin("snapshot_window", v["snapshot_window"], "the group's snapshot window", IN_PLACE)
    adopted.pin("maintenance_window", v["maintenance_window"], "the group's maintenance window", IN_PLACE,
                "sun:05:00-sun:06:00")
    adopted.pin("final_snapshot_identifier", v.get("final_snapshot_identifier"), "the group has it", IN_PLACE)
    adopted.pin("notification_topic_arn", v.get("notification_topic_arn") or None, "the group notifies it", IN_PLACE)
    adopted.pin("auto_minor_version_upgrade", _bool(v.get("auto_minor_version_upgrade")), "the group has it",
                IN_PLACE)
    adopted.pin("data_tiering_enabled", bool(v.get("data_tiering_enabled")), "the group has it", FORCES_NEW)
    deliveries = {d["log_type"]: d for d in v.get("log_delivery_configuration") or []}
    adopted.pin("slow_log_enabled", "slow-log" in deliveries, "the group delivers no slow log today", IN_PLACE)
    adopted.pin("engine_log_enabled", "engine-log" in deliveries, "the group delivers no engine log today", IN_PLACE)
    if deliveries:
        report.notes.append(f"[{table}] the group's log deliveries move to the module's own log groups "
                            "(/aws/elasticache/<id>/…): an in-place change")
    if v.get("transit_encryption_enabled") and v.get("auth_token"):
        report.notes.append(f"[{table}] auth_token: keep supplying the group's AUTH token when you apply, as "
                            f"TF_VAR_{table}_auth_token (never in the file)")
    _tags(adopted, v, "group")

    family = f"valkey{version.split('.')[0]}"
    parameters = _one(resources, "aws_elasticache_parameter_group", lambda p: p["name"] == v["parameter_group_name"])
    if parameters is None:
        report.notes.append(f"[{table}] the group uses the parameter group {v['parameter_group_name']}, which the "
                            "state does not manage: the module creates its own (an in-place change of the group)")
    else:
        p = parameters["values"]
        adopted.source = parameters["address"]
        adopted.moves.append((parameters["address"], f"module.{table}.aws_elasticache_parameter_group.this"))
        moved.add(parameters["address"])
        default_name = f"{group_id}-{family}{'-cluster' if cluster_mode else ''}"
        adopted.pin("parameter_group_name", p["name"], "the parameter group's name", FORCES_NEW, default_name, "name")
        adopted.pin("parameter_group_description", p["description"], "the parameter group's description",
                    FORCES_NEW, f"Valkey parameters of {group_id}", "description")
        values = {item["name"]: item["value"] for item in p.get("parameter") or []}
        if cluster_mode:
            values.pop("cluster-enabled", None)  # the module sets it in cluster mode
        adopted.pin("parameters", dict(sorted(values.items())), "the group's parameters", IN_PLACE,
                    attribute="parameter")
    subnets = _one(resources, "aws_elasticache_subnet_group", lambda s: s["name"] == v["subnet_group_name"])
    if subnets is None:
        report.problems.append(f"{group['address']}: subnet_group_name: the group uses {v['subnet_group_name']}, "
                               "which the state does not manage; the module creates its own and a new subnet group "
                               "replaces the replication group")
    else:
        s = subnets["values"]
        adopted.source = subnets["address"]
        adopted.moves.append((subnets["address"], f"module.{table}.aws_elasticache_subnet_group.this"))
        moved.add(subnets["address"])
        adopted.pin("subnet_group_name", s["name"], "the subnet group's name; the replication group names it",
                    FORCES_NEW, group_id, "name")
        adopted.pin("subnet_ids", list(s["subnet_ids"]), "the subnet group's subnets", IN_PLACE)
        adopted.pin("vpc_id", s.get("vpc_id"), "the subnet group's VPC", IDENTITY)
    port = v["port"]
    _security_group(
        adopted, report, resources, list(v.get("security_group_ids") or []),
        f"Valkey {group_id}: cache port from allowed sources only",
        lambda groups, cidrs: {
            **{(port, port, g): f'aws_vpc_security_group_ingress_rule.from_security_groups["{port}/{i}"]'
               for i, g in enumerate(groups)},
            **{(port, port, c): f'aws_vpc_security_group_ingress_rule.from_cidr_blocks["{port}/{i}"]'
               for i, c in enumerate(cidrs)},
        },
        moved,
    )


def _msk_properties(text: str) -> tuple[dict[str, str], str]:
    properties = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            properties[key.strip()] = value.strip()
    merged = {"auto.create.topics.enable": "false", **properties}
    written = "\n".join(f"{key}={value}" for key, value in sorted(merged.items()))
    return properties, written


def _msk(adopted: Adopted, report: Report, resources: list[dict[str, Any]], moved: set[str], prefix: str | None) -> None:
    cluster = _one(resources, "aws_msk_cluster", lambda v: True)
    assert cluster is not None
    v = cluster["values"]
    table = adopted.table
    name = v["cluster_name"]
    adopted.source = cluster["address"]
    adopted.moves.append((cluster["address"], f"module.{table}.aws_msk_cluster.this"))
    moved.add(cluster["address"])
    name_prefix, cluster_name = _split_name(name, prefix)
    adopted.pin("name_prefix", name_prefix, "with cluster_name, the cluster's name", IDENTITY)
    adopted.pin("cluster_name", cluster_name, f"with name_prefix, the cluster's name {name}", IDENTITY)
    version = v["kafka_version"]
    adopted.pin("kafka_version", version, "the cluster runs it", IN_PLACE)
    nodes = v["broker_node_group_info"][0]
    subnets = list(nodes["client_subnets"])
    adopted.pin("subnet_ids", subnets, "the brokers' client subnets; they cannot change in place", FORCES_NEW)
    adopted.pin("number_of_broker_nodes", v["number_of_broker_nodes"], "the cluster's brokers", IN_PLACE, len(subnets))
    adopted.pin("broker_instance_type", nodes["instance_type"], "the brokers' type", IN_PLACE)
    ebs = ((nodes.get("storage_info") or [{}])[0].get("ebs_storage_info") or [{}])[0]
    adopted.pin("ebs_volume_size", ebs.get("volume_size"), "the brokers' storage; AWS only grows it", IN_PLACE)
    if any(t.get("enabled") for t in ebs.get("provisioned_throughput") or []):
        report.problems.append(f"{cluster['address']}: broker_node_group_info.storage_info.ebs_storage_info."
                               "provisioned_throughput: on in the cluster; the module has no input for it")
    encryption = (v.get("encryption_info") or [{}])[0]
    key = encryption.get("encryption_at_rest_kms_key_arn") or "alias/aws/kafka"
    adopted.pin("kms_key_arn", key, "the key the cluster's data is encrypted with; it cannot change after creation"
                " (if it is MSK's AWS managed key, alias/aws/kafka says the same)", FORCES_NEW, None)
    transit = (encryption.get("encryption_in_transit") or [{}])[0]
    adopted.pin("encryption_in_transit_client_broker", transit.get("client_broker", "TLS"), "the cluster has it",
                IN_PLACE)
    adopted.pin("encryption_in_transit_in_cluster", transit.get("in_cluster", True),
                "the cluster has it; it cannot change after creation", FORCES_NEW)
    auth = (v.get("client_authentication") or [{}])[0]
    sasl = (auth.get("sasl") or [{}])[0]
    adopted.pin("client_authentication_iam_enabled", bool(sasl.get("iam")), "the cluster has it", IN_PLACE)
    adopted.pin("client_authentication_scram_enabled", bool(sasl.get("scram")), "the cluster has it", IN_PLACE)
    cas = sorted({arn for t in auth.get("tls") or [] for arn in t.get("certificate_authority_arns") or []})
    adopted.pin("client_authentication_tls_certificate_authority_arns", cas, "the cluster trusts them", IN_PLACE)
    # No client authentication at all, or a plaintext listener (which takes clients without it): the cluster is
    # open to unauthenticated clients, and the module's rules want that said (client_authentication_unauthenticated_
    # enabled = true, with the warning synth gives), not an authentication the cluster does not have.
    plaintext = transit.get("client_broker", "TLS") in ("TLS_PLAINTEXT", "PLAINTEXT")
    authenticated = bool(sasl.get("iam") or sasl.get("scram") or cas)
    unauthenticated = bool(auth.get("unauthenticated")) or not authenticated or plaintext
    adopted.pin("client_authentication_unauthenticated_enabled", unauthenticated,
                "the cluster has it" if auth.get("unauthenticated") else "the cluster has no client authentication"
                if not authenticated else "the cluster's plaintext listener takes clients without authentication",
                IN_PLACE)
    adopted.pin("enhanced_monitoring", v.get("enhanced_monitoring") or "DEFAULT", "the cluster's metrics level",
                IN_PLACE)
    prometheus = ((v.get("open_monitoring") or [{}])[0].get("prometheus") or [{}])[0]
    for exporter in ("jmx_exporter", "node_exporter"):
        enabled = bool(((prometheus.get(exporter) or [{}])[0]).get("enabled_in_broker"))
        adopted.pin(f"{exporter}_enabled", enabled, "the cluster has it", IN_PLACE)
    logs = ((v.get("logging_info") or [{}])[0].get("broker_logs") or [{}])[0]
    cloudwatch = (logs.get("cloudwatch_logs") or [{}])[0]
    if cloudwatch.get("enabled"):
        report.notes.append(
            f"[{table}] broker logs move from {cloudwatch.get('log_group')} to the module's group "
            f"/aws/msk/{name}/broker, encrypted with the module's key (an in-place change of the cluster)"
        )
    else:
        adopted.pin("cloudwatch_logs_enabled", False, "the cluster sends no broker logs to CloudWatch today",
                    IN_PLACE)
    for other in ("firehose", "s3"):
        if any(item.get("enabled") for item in logs.get(other) or []):
            report.problems.append(f"{cluster['address']}: logging_info.broker_logs.{other}: on in the cluster; "
                                   "the module has no input for it and would turn it off")
    _tags(adopted, v, "cluster")

    arn = ((v.get("configuration_info") or [{}])[0]).get("arn")
    configuration = _one(resources, "aws_msk_configuration", lambda c: c.get("arn") == arn)
    if configuration is None:
        report.notes.append(f"[{table}] the cluster runs a configuration the state does not manage ({arn}): the "
                            "module creates its own, and the cluster takes it in place (a rolling restart)")
    else:
        c = configuration["values"]
        adopted.source = configuration["address"]
        adopted.moves.append((configuration["address"], f"module.{table}.aws_msk_configuration.this"))
        moved.add(configuration["address"])
        adopted.pin("configuration_name", c["name"], "the configuration's name", FORCES_NEW,
                    f"{name}-{version.replace('.', '-')}", "name")
        # Any change of the configuration (its text, its description) is a new revision, which the cluster takes
        # with a rolling restart of the brokers: both are kept exactly.
        adopted.pin("configuration_description", c.get("description") or "", "the configuration's description "
                    "(a new one is a new revision, and a rolling restart)", IN_PLACE, f"Broker properties of {name}",
                    "description")
        text = c.get("server_properties") or ""
        properties, written = _msk_properties(text)
        if written == text:
            pinned = {k: val for k, val in sorted(properties.items())
                      if not (k == "auto.create.topics.enable" and val == "false")}
            adopted.pin("server_properties", pinned, "the configuration's properties", IN_PLACE,
                        attribute="server_properties")
        else:
            adopted.pin("server_properties_text", text, "the configuration's properties as written (the module "
                        "writes them as sorted key=value lines; other text is a new revision, and a rolling "
                        "restart of the brokers)", IN_PLACE, attribute="server_properties")
    # The ports the module opens, decided by the module's own function from the values pinned above.
    if adopted.ingress_ports is None:
        raise ValueError("the msk module declares no ingress_ports")  # a broken declaration, not user input
    ports = adopted.ingress_ports({
        "encryption_in_transit_client_broker": transit.get("client_broker", "TLS"),
        "client_authentication_unauthenticated_enabled": unauthenticated,
        "client_authentication_tls_certificate_authority_arns": cas,
        "client_authentication_scram_enabled": bool(sasl.get("scram")),
        "client_authentication_iam_enabled": bool(sasl.get("iam")),
        "jmx_exporter_enabled": bool(((prometheus.get("jmx_exporter") or [{}])[0]).get("enabled_in_broker")),
        "node_exporter_enabled": bool(((prometheus.get("node_exporter") or [{}])[0]).get("enabled_in_broker")),
    })
    _security_group(
        adopted, report, resources, list(nodes.get("security_groups") or []),
        f"MSK {name}: enabled listeners from allowed sources only",
        lambda groups, cidrs: {
            **{(p, p, g): f'aws_vpc_security_group_ingress_rule.from_security_groups["{p}/{i}"]'
               for p in ports for i, g in enumerate(groups)},
            **{(p, p, c): f'aws_vpc_security_group_ingress_rule.from_cidr_blocks["{p}/{i}"]'
               for p in ports for i, c in enumerate(cidrs)},
            (9092, 9098, "self"): "aws_vpc_security_group_ingress_rule.between_brokers[0]",
        },
        moved,
    )
    vpc = next((r["values"].get("vpc_id") for r in resources if r["type"] == "aws_security_group"
                and r["address"] in moved), None)
    adopted.pin("vpc_id", vpc, "the security group's VPC", IDENTITY)


def _dynamodb(adopted: Adopted, report: Report, resources: list[dict[str, Any]], moved: set[str], prefix: str | None) -> None:
    table_resource = _one(resources, "aws_dynamodb_table", lambda v: True)
    assert table_resource is not None
    v = table_resource["values"]
    table = adopted.table
    adopted.source = table_resource["address"]
    adopted.moves.append((table_resource["address"], f"module.{table}.aws_dynamodb_table.this"))
    moved.add(table_resource["address"])
    name_prefix, table_name = _split_name(v["name"], prefix)
    adopted.pin("name_prefix", name_prefix, "with table_name, the table's name", IDENTITY)
    adopted.pin("table_name", table_name, f"with name_prefix, the table's name {v['name']}", IDENTITY)
    adopted.pin("hash_key", v["hash_key"], "the table's partition key", IDENTITY)
    adopted.pin("range_key", v.get("range_key") or None, "the table's sort key; it cannot change", FORCES_NEW)
    adopted.pin("attributes", sorted(({"name": a["name"], "type": a["type"]} for a in v["attribute"]),
                                     key=lambda a: a["name"]), "the table's key attributes", IDENTITY)
    billing = v.get("billing_mode") or "PROVISIONED"
    adopted.pin("billing_mode", billing, "the table's billing mode", IN_PLACE)
    provisioned = billing == "PROVISIONED"
    if provisioned:
        adopted.pin("read_capacity", v.get("read_capacity"), "the table's capacity", IN_PLACE)
        adopted.pin("write_capacity", v.get("write_capacity"), "the table's capacity", IN_PLACE)
    indexes = []
    for index in sorted(v.get("global_secondary_index") or [], key=lambda i: i["name"]):
        item = {"name": index["name"], "hash_key": index["hash_key"]}
        if index.get("range_key"):
            item["range_key"] = index["range_key"]
        if index.get("projection_type", "ALL") != "ALL":
            item["projection_type"] = index["projection_type"]
        if index.get("non_key_attributes"):
            item["non_key_attributes"] = sorted(index["non_key_attributes"])
        if provisioned:
            item["read_capacity"] = index.get("read_capacity")
            item["write_capacity"] = index.get("write_capacity")
        indexes.append(item)
    adopted.pin("global_secondary_indexes", indexes, "the table's global secondary indexes", IN_PLACE)
    local = []
    for index in sorted(v.get("local_secondary_index") or [], key=lambda i: i["name"]):
        item = {"name": index["name"], "range_key": index["range_key"]}
        if index.get("projection_type", "ALL") != "ALL":
            item["projection_type"] = index["projection_type"]
        if index.get("non_key_attributes"):
            item["non_key_attributes"] = sorted(index["non_key_attributes"])
        local.append(item)
    adopted.pin("local_secondary_indexes", local, "the table's local secondary indexes; they cannot change",
                FORCES_NEW)
    ttl = next((t for t in v.get("ttl") or [] if t.get("enabled")), None)
    adopted.pin("ttl_attribute_name", ttl.get("attribute_name") if ttl else None, "the table's TTL", IN_PLACE)
    pitr = next(iter(v.get("point_in_time_recovery") or []), {})
    adopted.pin("point_in_time_recovery_enabled", bool(pitr.get("enabled")), "the table has it", IN_PLACE)
    sse = next(iter(v.get("server_side_encryption") or []), {})
    adopted.pin("server_side_encryption_enabled", bool(sse.get("enabled")), "the table has it", IN_PLACE)
    if sse.get("enabled"):
        adopted.pin("server_side_encryption_kms_key_arn", sse.get("kms_key_arn") or "alias/aws/dynamodb",
                    "the key the table is encrypted with (if it is DynamoDB's AWS managed key, alias/aws/dynamodb "
                    "says the same)", IN_PLACE, None)
    adopted.pin("stream_enabled", bool(v.get("stream_enabled")), "the table has it", IN_PLACE)
    adopted.pin("stream_view_type", v.get("stream_view_type") or None if v.get("stream_enabled") else None,
                "the table's stream", IN_PLACE)
    adopted.pin("deletion_protection_enabled", bool(v.get("deletion_protection_enabled")), "the table has it",
                IN_PLACE)
    adopted.pin("table_class", v.get("table_class") or "STANDARD", "the table's class", IN_PLACE)
    replicas = []
    for replica in v.get("replica") or []:
        # What the module's replica object takes, as the state holds it: a replica's own key (each Region's key
        # encrypts its replica) and the two settings the module turns on by default when the state has them off.
        item: dict[str, Any] = {"region_name": replica["region_name"]}
        if replica.get("kms_key_arn"):
            item["kms_key_arn"] = replica["kms_key_arn"]
        for setting in ("propagate_tags", "point_in_time_recovery"):
            if replica.get(setting) is False:
                item[setting] = False
        replicas.append(item)
    adopted.pin("replica_regions", replicas, "the table's replicas", IN_PLACE)
    _tags(adopted, v, "table")


# --- what looks like a secret ---------------------------------------------------------------------------------------

_WITHHELD: Any = object()


def looks_secret(text: str, sensitive: frozenset[str]) -> bool:
    """A string that looks like a secret (generator.language.secrets), or holds one the state marks sensitive."""
    return bool(secrets.secret_pattern(text)) or text in sensitive or \
        any(len(secret) >= 8 and secret in text for secret in sensitive)


def _shown_key(key: str, sensitive: frozenset[str]) -> str:
    """A map key as a message names it: plain, or quoted and capped (a key may hold a line break or a megabyte)."""
    if looks_secret(key, sensitive):
        return "(a key that looks like a secret)"
    if re.fullmatch(r"[A-Za-z0-9_.:/@+=-]{1,128}", key):
        return key
    shown = json.dumps(key, ensure_ascii=False)
    return shown if len(shown) <= 80 else shown[:79] + "…"


def without_secrets(value: Any, path: str, sensitive: frozenset[str]) -> tuple[Any, list[str]]:
    """`value` without what looks like a secret, and the paths left out: a map loses the entries whose key names a
    secret or whose value looks like one; a string or an array that holds one is withheld whole (_WITHHELD)."""
    if isinstance(value, str):
        return (_WITHHELD, [path]) if looks_secret(value, sensitive) else (value, [])
    if isinstance(value, dict):
        kept: dict[str, Any] = {}
        found: list[str] = []
        for key, item in value.items():
            where = f"{path}.{_shown_key(key, sensitive)}"
            if secrets.is_secret_name(key) or looks_secret(key, sensitive):
                found.append(where)
                continue
            inner, inner_found = without_secrets(item, where, sensitive)
            if inner_found:
                found.extend(inner_found)
            else:
                kept[key] = inner
        return kept, found
    if isinstance(value, list):
        found = [where for index, item in enumerate(value)
                 for where in without_secrets(item, f"{path}[{index}]", sensitive)[1]]
        return (_WITHHELD, found) if found else (value, [])
    return value, []


def _secret_problem(where: str, attribute: str, left_out: str) -> str:
    return (f"{where}: {attribute}: looks like a secret (its value is not shown); --adopt leaves it out of "
            f"{left_out}, since secrets never go in an environment file: take it out of the resource in AWS, or the "
            "first apply sets the module's value instead")


def _withhold_secrets(adopted: Adopted, report: Report, sensitive: frozenset[str]) -> None:
    """Pins are what the file gets and what is printed: none keeps a value that looks like a secret."""
    kept = []
    for pin in adopted.pins:
        value, found = without_secrets(pin.value, pin.attribute or pin.key, sensitive)
        for attribute in found:
            report.problems.append(_secret_problem(pin.source or f"[{adopted.table}]", attribute,
                                                   f"[{adopted.table}] {pin.key}"))
        if value is _WITHHELD or (found and value == pin.default and pin.effect != IDENTITY):
            continue
        pin.value = value
        kept.append(pin)
    adopted.pins = kept


def scrub(line: str, sensitive: frozenset[str]) -> str:
    """A line to print, with anything that looks like a secret replaced (a last guard: pins are withheld first)."""
    for secret in sorted(sensitive, key=len, reverse=True):
        if len(secret) >= 4:
            line = line.replace(secret, "(not shown)")
    return secrets.redact(line)


ADOPTERS = {
    "aws_elasticache_replication_group": ("elasticache", _elasticache),
    "aws_msk_cluster": ("msk", _msk),
    "aws_dynamodb_table": ("dynamodb", _dynamodb),
}


def plan_adoption(
    resources: list[dict[str, Any]],
    prefix: str | None,
    input_order: Mapping[str, list[str]] | None = None,
    imported: Iterable[str] = (),
    defaults: Mapping[str, Mapping[str, Any]] | None = None,
    ingress_ports: Mapping[str, Callable[[Mapping[str, Any]], list[int]] | None] | None = None,
    sensitive: frozenset[str] = frozenset(),
    declared: Mapping[str, Collection[str]] | None = None,
) -> Report:
    """`input_order`: each module's input names, the order a table's keys are written in; `defaults`: each
    module's declared input defaults; `ingress_ports`: each module's ModuleDefinition.ingress_ports; `sensitive`:
    the strings the state marks sensitive (never pinned, like anything else that looks like a secret); `declared`:
    each module's resources (`type.name`), which are never forgotten where the module call declares them."""
    input_order = input_order or {}
    defaults = defaults or {}
    report = Report(imported=set(imported))
    calls: dict[str | None, list[dict[str, Any]]] = {}
    for resource in resources:
        calls.setdefault(_call(resource["address"]), []).append(resource)
    names = []
    for call, members in calls.items():
        for resource in members:
            if resource["type"] in ADOPTERS:
                v = resource["values"]
                names.append(v.get("replication_group_id") or v.get("cluster_name") or v.get("name") or "")
    prefix = prefix if prefix is not None else _common_prefix([n for n in names if n])
    report.shared["name_prefix"] = prefix
    moved: set[str] = set()
    unresolved: set[str | None] = set()  # calls with a problem: their resources are neither moved nor forgotten
    tables: dict[str, str] = {}  # table → the call it adopts
    kinds: dict[str | None, str] = {}  # an adopted call → its module
    for call, members in calls.items():
        mains = [r for r in members if r["type"] in ADOPTERS]
        if call is None or not mains:
            continue
        if len(mains) > 1:
            unresolved.add(call)
            report.problems.append(
                f"module.{call}: holds {', '.join(r['address'] for r in mains)}; a generated module manages one, so "
                "split the call in the old root first"
            )
            continue
        kind, adopter = ADOPTERS[mains[0]["type"]]
        table = call if TABLE_NAME.fullmatch(call) else re.sub(r"[^a-z0-9_]", "_", call.lower()).lstrip("_0123456789")
        if table in tables:
            # Both calls' resources would move into one module call: Terraform refuses two moves to one address.
            unresolved.add(call)
            report.problems.append(
                f"module.{call}: becomes the table [{table}], as module.{tables[table]} does; one module call cannot "
                f"hold both: rename one of the two calls in the old root first (terraform state mv)"
            )
            continue
        tables[table] = call
        kinds[call] = kind
        adopted = Adopted(table=table, kind=kind, defaults=defaults.get(kind, {}),
                          ingress_ports=(ingress_ports or {}).get(kind))
        if kind_of(table, {}, {*input_order, kind}) != kind:
            adopted.pins.append(Pin("module", kind, "the table's name does not start with the module's", IDENTITY))
        adopter(adopted, report, members, moved, prefix)
        _withhold_secrets(adopted, report, sensitive)
        order = ["module", *input_order.get(kind, [])]
        adopted.pins.sort(key=lambda p: order.index(p.key) if p.key in order else len(order))
        report.tables.append(adopted)
    for resource in resources:
        if resource["address"] in moved or _call(resource["address"]) in unresolved:
            continue
        address = _without_index(resource["address"])
        if any(address == a for a, _ in report.removed):
            continue
        call = _call(resource["address"])
        inside = re.fullmatch(rf"module\.{re.escape(call or '')}\.([a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*)", address)
        if call in kinds and tables.get(call or "") == call and inside and inside.group(1) in (declared or {}).get(kinds[call], ()):
            # The stack's call of the same name declares this resource: a `removed` block would be Terraform's
            # "Removed resource still exists". It stays where it is, and the module manages it from now on.
            if not any(note.startswith(f"{address}: ") for note in report.notes):
                report.notes.append(f"{address}: the {kinds[call]} module declares {inside.group(1)} too: it is "
                                    "neither moved nor forgotten, and the module manages it from now on (the plan "
                                    "shows what that changes)")
            continue
        report.removed.append(
            (address, f"{resource['type']} {resource['values'].get('name') or resource['values'].get('id') or ''}"
             .strip() + ": no generated module manages it")
        )
    _shared_values(report)
    return report


def _shared_values(report: Report) -> None:
    """Values every table agrees on go to the top level, as a hand-written file would have them."""
    for key in ("vpc_id", "subnet_ids"):
        values = [next((p.value for p in t.pins if p.key == key), None) for t in report.tables]
        present = [value for value in values if value is not None]
        # A module without the input (DynamoDB has no VPC) does not take the top-level value either.
        if present and all(value == present[0] for value in present):
            report.shared[key] = present[0]
            for t in report.tables:
                t.pins = [p for p in t.pins if p.key != key]
    for t in report.tables:
        t.pins = [p for p in t.pins if not (p.key == "name_prefix" and p.value == report.shared["name_prefix"])]


def default_tags(resources: list[dict[str, Any]]) -> dict[str, str]:
    """The provider's default tags: what every resource carries in tags_all beyond its own tags."""
    common: dict[str, str] | None = None
    for resource in resources:
        values = resource["values"]
        if "tags_all" not in values:
            continue
        extra = {k: v for k, v in (values.get("tags_all") or {}).items() if k not in (values.get("tags") or {})}
        common = extra if common is None else {k: v for k, v in common.items() if extra.get(k) == v}
    return dict(sorted((common or {}).items()))


def region_of(resources: list[dict[str, Any]]) -> str | None:
    for resource in resources:
        arn = resource["values"].get("arn")
        if isinstance(arn, str) and arn.count(":") >= 5 and arn.split(":")[3]:
            return arn.split(":")[3]
    return None


# --- writing the environment file ---------------------------------------------------------------------------------


def _toml_value(value: Any) -> Any:
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        array = tomlkit.array()
        array.multiline(True)
        for item in value:
            inline = tomlkit.inline_table()
            inline.update(item)
            array.append(inline)
        return array
    if isinstance(value, dict):
        inline = tomlkit.inline_table()
        inline.update(value)
        return inline
    return value


def _message(table: str, pin: Pin) -> str:
    shown = f"[{table}] {pin.key} = {literal(pin.value)}"
    if pin.effect == IDENTITY:
        return f"{shown}: {pin.why}; another value would replace it"
    if pin.effect == FORCES_NEW:
        default = "the module's default" if pin.default is None else f"the module's default {literal(pin.default)}"
        return f"{shown}: {pin.why}; {default} would replace it"
    default = "the module's default" if pin.default is None else f"the module's default {literal(pin.default)}"
    if pin.key.endswith("_version"):
        return f"{shown}: {pin.why}; {default} is an in-place upgrade you can do later"
    return f"{shown}: {pin.why}; {default} is an in-place change you can make later"


def apply_to_document(document: Any, report: Report, region: str | None, tags: dict[str, str]) -> list[str]:
    """Add what is missing to the environment document (new or existing); returns what was pinned, as messages."""
    pinned: list[str] = []
    fresh = not document
    if fresh:
        document.add(tomlkit.comment("Written by python main.py --adopt from the old root's state. Every value below"))
        document.add(tomlkit.comment("is what AWS runs today; change one only when you mean to change the resource."))
    for key in ("name_prefix", "region", "vpc_id", "subnet_ids"):
        value = report.shared.get(key) if key != "region" else region
        if value is not None and key not in document:
            document[key] = value
            pinned.append(f"{key} = {literal(value)}: shared by every module call of the state")
    if tags and "tags" not in document:
        table = tomlkit.table()
        table.update(tags)
        document["tags"] = table
        pinned.append(f"[tags] {literal(tags)}: the old root's default tags (every resource carries them)")
    if "backend" not in document:
        backend = tomlkit.table()
        backend.add(tomlkit.comment("Point this at the old root's backend before the first plan: the stack takes over"))
        backend.add(tomlkit.comment("its state (type = \"s3\" with bucket, key, region)."))
        backend["type"] = "local"
        document["backend"] = backend
    for adopted in report.tables:
        if adopted.table in document:
            body = document[adopted.table]
        else:
            body = tomlkit.table()
            document[adopted.table] = body
        for pin in adopted.pins:
            if pin.key in body:
                if pin.value is not None and body[pin.key] != pin.value:
                    kept = f"[{adopted.table}] {pin.key}: kept your {literal(body[pin.key])}; the state holds " \
                        f"{literal(pin.value)}"
                    if pin.effect == IN_PLACE:
                        report.notes.append(f"{kept} (an in-place change)")
                    else:
                        report.problems.append(f"{kept}, and another value replaces the resource: write "
                                               f"{literal(pin.value)} to keep it")
                continue
            if pin.value is None:
                continue  # the state holds nothing there, and neither does the module
            body[pin.key] = _toml_value(pin.value)
            pinned.append(_message(adopted.table, pin))
    moved = document.get("moved")
    existing = {entry.get("from") for entry in moved} if moved is not None else set()
    for adopted in report.tables:
        for source, target in adopted.moves:
            if source == target or source in existing:
                continue
            if moved is None:
                document.add(tomlkit.nl())
                moved = tomlkit.aot()
                document["moved"] = moved
            entry = tomlkit.table()
            entry["from"] = source
            entry["to"] = target
            moved.append(entry)
            existing.add(source)
            pinned.append(f"[[moved]] {source} → {target}")
    removed = document.get("removed")
    forgotten = {entry.get("from") for entry in removed} if removed is not None else set()
    for address, why in report.removed:
        if address in forgotten or address in existing:
            continue
        if removed is None:
            document.add(tomlkit.nl())
            removed = tomlkit.aot()
            document["removed"] = removed
        entry = tomlkit.table()
        entry["from"] = address
        entry["destroy"] = False
        removed.append(entry)
        forgotten.add(address)
        pinned.append(f"[[removed]] {address} (destroy = false): {why}; Terraform forgets it and AWS keeps it "
                      "(delete the entry to destroy it instead)")
    return pinned


_DECLARED: dict[tuple[tuple[str, int], ...], dict[str, set[str]]] = {}


def declared_resources(modules: Mapping[str, ModuleDefinition]) -> dict[str, set[str]]:
    """Each module's resources (`type.name`), read from its synthesized main.tf.json: once per process."""
    key = tuple(sorted((name, id(definition)) for name, definition in modules.items()))
    if key not in _DECLARED:
        from generator.synthesis import synth  # starts the jsii runtime

        files = synth.synthesize(modules, [])
        _DECLARED[key] = {
            kind: {f"{type_}.{name}" for type_, blocks in json.loads(files[f"modules/{kind}/main.tf.json"])
                   .get("resource", {}).items() for name in blocks}
            for kind in modules if f"modules/{kind}/main.tf.json" in files
        }
    return _DECLARED[key]


def adopt(
    state: Path,
    config: Path,
    state_display: str,
    config_display: str,
    load_modules: Callable[[], Mapping[str, ModuleDefinition]],
) -> tuple[list[str], list[str], list[str]]:
    """Adopt STATE into the environment file CONFIG. Returns (pinned, notes, problems); writes CONFIG only when
    something was added. Raises InputError (nothing written) for a bad STATE or an unreadable CONFIG, before
    `load_modules` (the discovered module definitions, whose loading starts the jsii runtime) is called."""
    read = read_state(state, state_display)
    resources, sensitive = read.resources, read.sensitive
    if config.is_symlink() and not config.exists():
        raise InputError([f"{config_display}: is a symbolic link to a file that does not exist"])
    if config.exists():
        text = statefile.read_text(config, config_display, "an environment file such as environments/prod.toml")
        try:
            document = tomlkit.parse(text)
        except tomlkit.exceptions.ParseError as err:
            raise InputError([f"{config_display}: invalid TOML: {err}"]) from None
        except RecursionError:
            raise InputError([f"{config_display}: invalid TOML: nested too deeply to read"]) from None
        except ValueError:  # an integer of more digits than Python converts (4300)
            raise InputError([f"{config_display}: invalid TOML: an integer too long to read"]) from None
    else:
        if not config.parent.is_dir():
            raise InputError([f"{config_display}: its folder {config.parent.as_posix()} does not exist"])
        text = None
        document = tomlkit.document()
    for key in ("moved", "removed", "import"):
        entries = document.get(key)
        if entries is not None and not (isinstance(entries, list) and all(isinstance(e, dict) for e in entries)):
            raise InputError([f"{config_display}: {key}: must be an array of tables, written [[{key}]]"])
    prefix = document.get("name_prefix")
    modules = load_modules()
    order = {name: definition.inputs.names() for name, definition in modules.items()}
    defaults = {name: {i.name: i.default for i in d.inputs.inputs if not i.required} for name, d in modules.items()}
    imports = document.get("import")
    imported = [entry.get("to") for entry in imports] if imports is not None else []
    ports = {name: definition.ingress_ports for name, definition in modules.items()}
    report = plan_adoption(resources, prefix if isinstance(prefix, str) else None, order, imported, defaults, ports,
                           sensitive, declared_resources(modules))
    tags = default_tags(resources)
    carrier = next((r["address"] for r in resources if "tags_all" in r["values"]), "")
    tags, found = without_secrets(tags, "tags_all", sensitive)
    report.problems.extend(_secret_problem(carrier, where, "[tags]") for where in found)
    region = region_of(resources)
    if region is not None and looks_secret(region, sensitive):
        report.problems.append(_secret_problem(carrier, "arn", "region"))
        region = None
    pinned = apply_to_document(document, report, region, tags)
    output = tomlkit.dumps(document)
    if not output.endswith("\n"):
        output += "\n"
    # The last guard: whatever the pins missed (an address with a secret-looking instance key), nothing that looks
    # like a secret is written.
    leaks = [number for number, line in enumerate(output.splitlines(), start=1)
             if looks_secret(line, sensitive) and (text is None or line not in text.splitlines())]
    if leaks:
        raise InputError([f"{config_display}: not written: line {leaks[0]} would hold a value of {state_display} that "
                          "looks like a secret (not shown)"])
    if output != text:
        # Written whole or not at all: a crash mid-write must not leave half an environment file.
        handle, scratch = tempfile.mkstemp(dir=config.parent, prefix=f".{config.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(output)
            os.replace(scratch, config)
        except BaseException:
            Path(scratch).unlink(missing_ok=True)
            raise
    return ([scrub(line, sensitive) for line in pinned], [scrub(line, sensitive) for line in report.notes],
            [scrub(line, sensitive) for line in report.problems])
