"""`--verify OLD_STATE`: the proof, before any apply, that the generated stack takes over an existing root's state
without destroying or replacing anything.

OLD_STATE is the old root's raw state (`terraform state pull > old.tfstate`). The environment file is synthesized
into a temporary folder (generated/ is not touched), and Terraform plans the environment's stack offline against a
copy of OLD_STATE: placeholder credentials, `-refresh=false`, the hashicorp/aws provider from the local mirror the
tests use too (generator.commands.offline). What Terraform plans is then counted and read:

- `N moved, N updated in place, N created, N destroyed, N replaced` (a moved resource that is also updated counts in
  both); each in-place update with the attributes it changes, each creation, each `[[removed]]` resource Terraform
  forgets;
- a problem for each replacement, with the plan's `replace_paths` and, where an input keeps the old value, the pin
  that avoids it; for each destruction; and for each security group ingress rule the stack creates that repeats
  one the old state already has (same group, protocol, ports and source: AWS refuses it at apply,
  InvalidPermission.Duplicate).

What --adopt says of a pin ("an in-place change") is what the modules' rules expect; this plan is what Terraform
will do, and where the two differ, the plan is right.

An `[[import]]` entry's object is in AWS and in no state: offline, Terraform cannot read it, so its `import` block
is left out of the plan and the resource counts as imported, not created.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

from generator.commands import offline
from generator.language import secrets
from generator.language.inputs import InputError
from generator.language.types import clip


class VerifyFailed(Exception):
    """Terraform could not plan: one line that says why."""


@dataclass
class Verdict:
    lines: list[str] = field(default_factory=list)  # what the plan does (stdout)
    problems: list[str] = field(default_factory=list)  # what must not be applied (stderr, exit 1)


# --- the old state -------------------------------------------------------------------------------------------------

def read_old_state(path: Path, shown: str) -> bytes:
    """The raw state's bytes, once they are a Terraform state (format 4); InputError with one line otherwise."""
    how = f"write it in the old root with: terraform state pull > {shown}"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError([f"{shown}: no such file ({how})"]) from None
    except IsADirectoryError:
        raise InputError([f"{shown}: is a folder, not a state file ({how})"]) from None
    except OSError as err:
        raise InputError([f"{shown}: cannot read it: {err.strerror or err}"]) from None
    if not data.strip():
        raise InputError([f"{shown}: is empty; {how}"])
    try:
        state = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        where = f" ({err.msg} at line {err.lineno}, column {err.colno})" if isinstance(err, json.JSONDecodeError) else ""
        raise InputError([f"{shown}: not JSON{where}; {how}"]) from None
    if isinstance(state, dict) and "format_version" in state:
        raise InputError([f"{shown}: is the output of terraform show -json, not a state; --verify plans against the "
                          f"state itself: terraform state pull > {shown}"])
    if not isinstance(state, dict) or "version" not in state or not isinstance(state.get("resources"), list):
        raise InputError([f"{shown}: not a Terraform state (no \"version\" and \"resources\"); {how}"])
    if state["version"] != 4:
        raise InputError([f"{shown}: state format {clip(json.dumps(state['version']))}; Terraform 0.12 and later "
                          f"write format 4 ({how})"])
    if not all(isinstance(r, dict) and isinstance(r.get("instances", []), list) for r in state["resources"]):
        raise InputError([f"{shown}: not a Terraform state (a resource that is not an object with instances); {how}"])
    return data


def precheck(path: Path, shown: str) -> bytes:
    """What --verify can refuse before anything is written: its state file, terraform on PATH, a provider mirror
    named by TF_PROVIDER_MIRROR that holds no provider. The state's bytes."""
    state = read_old_state(path, shown)
    terraform_binary()
    try:
        offline.provider_mirror()
    except offline.NoProvider as err:
        raise InputError([str(err)]) from None
    return state


def terraform_binary() -> str:
    found = offline.binary()
    if found is None:
        raise InputError(["--verify plans with the terraform CLI, and there is no terraform on PATH: install "
                          "Terraform 1.10 or later, or put it on PATH"])
    return found


# --- the plan ------------------------------------------------------------------------------------------------------

def plan(files: Mapping[str, bytes], stack: str, state: bytes, shown_state: str) -> tuple[dict[str, Any], list[str]]:
    """Terraform's plan (`show -json`) of stacks/<stack> of the tree `files`, against the state `state`, offline;
    and the `[[import]]` targets left out of it."""
    terraform = terraform_binary()
    try:
        mirror = offline.provider_mirror()
    except offline.NoProvider as err:
        raise VerifyFailed(str(err)) from None
    with tempfile.TemporaryDirectory(prefix="mapzip-verify-") as scratch:
        tree = Path(scratch) / "generated"
        for relative, content in files.items():
            target = tree / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        workdir = tree / "stacks" / stack
        main_file = workdir / "main.tf.json"
        main = json.loads(main_file.read_text(encoding="utf-8"))
        imported = [entry["to"] for entry in main.pop("import", [])]
        main_file.write_text(json.dumps(main, indent=2), encoding="utf-8")
        (workdir / "offline_override.tf.json").write_text(json.dumps(offline.OFFLINE_OVERRIDE, indent=2))
        (workdir / offline.OFFLINE_OVERRIDE["terraform"]["backend"]["local"]["path"]).write_bytes(state)
        env = {**offline.base_environment(), **offline.variables_environment(offline.placeholder_variables(workdir))}
        with offline.mirror_configuration(env, mirror) as env:
            def command(*args: str) -> subprocess.CompletedProcess:
                return subprocess.run([terraform, *args], cwd=workdir, env=env, capture_output=True, text=True)

            result = command("init", "-input=false", "-no-color")
            if result.returncode != 0:
                output = result.stdout + result.stderr
                raise VerifyFailed(offline.install_failure(output) or
                                   f"terraform init of stacks/{stack} failed: {_errors(output)}")
            result = command("plan", "-input=false", "-no-color", "-lock=false", "-refresh=false", "-out=plan.tfplan")
            if result.returncode != 0:
                raise VerifyFailed(f"terraform plan of stacks/{stack} against {shown_state} failed: "
                                   f"{_errors(result.stdout + result.stderr)}")
            result = command("show", "-json", "plan.tfplan")
            if result.returncode != 0:
                raise VerifyFailed(f"terraform show of the plan of stacks/{stack} failed: {_errors(result.stderr)}")
            return json.loads(result.stdout), imported


def _errors(output: str) -> str:
    """Terraform's errors on one line: each "<summary>: <the first paragraph of its detail>"."""
    lines = [line.strip(" │╷╵") for line in output.splitlines()]
    found = []
    for i, line in enumerate(lines):
        if not line.startswith("Error: "):
            continue
        paragraphs: list[list[str]] = [[]]
        for following in lines[i + 1:]:
            if following.startswith(("Error: ", "Warning: ")):
                break
            if following:
                paragraphs[-1].append(following)
            elif paragraphs[-1]:
                paragraphs.append([])
        # The detail: the first paragraph that is not the source snippet ("on main.tf.json line 3", "3: …").
        detail = next((" ".join(p) for p in paragraphs if p and not p[0].startswith("on ")), "")
        summary = line.removeprefix("Error: ")
        found.append(f"{summary}: {detail}" if detail else summary)
    text = "; ".join(found) or " ".join(output.split())
    return text if len(text) <= 600 else f"{text[:600]}… ({len(text) - 600} more characters)"


# --- reading the plan ----------------------------------------------------------------------------------------------

# Where an input keeps the value a replacement would change: (resource type, the replace path's first attribute, its
# last attribute or None for any), the inputs, and the pin in words ({before} is the old value, as TOML).
_PINS: list[tuple[str, str, str | None, tuple[str, ...], str]] = [
    ("aws_msk_cluster", "broker_node_group_info", "security_groups",
     ("create_security_group", "associated_security_group_ids"),
     "create_security_group = false and associated_security_group_ids = {before} (the groups the brokers are in "
     "today): the module then puts the brokers in no group of its own"),
    ("aws_elasticache_replication_group", "security_group_ids", None,
     ("create_security_group", "associated_security_group_ids"),
     "create_security_group = false and associated_security_group_ids = {before} (the groups the cache is in "
     "today): the module then puts it in no group of its own"),
    ("aws_msk_cluster", "broker_node_group_info", "client_subnets", ("subnet_ids",), "subnet_ids = {before}"),
    ("aws_msk_cluster", "cluster_name", None, ("name_prefix", "cluster_name"),
     "name_prefix and cluster_name, which together give the name {before}"),
    ("aws_elasticache_replication_group", "replication_group_id", None, ("name_prefix", "cluster_name"),
     "name_prefix and cluster_name, which together give the id {before}"),
    ("aws_dynamodb_table", "name", None, ("name_prefix", "table_name"),
     "name_prefix and table_name, which together give the name {before}"),
    ("aws_dynamodb_table", "range_key", None, ("range_key",), "range_key = {before}"),
    # A scaling policy's name forces a new policy: the table's, an index's (in global_secondary_indexes) or MSK's.
    ("aws_appautoscaling_policy", "name", None, ("autoscaling_read_policy_name", "autoscaling_write_policy_name"),
     "autoscaling_read_policy_name or autoscaling_write_policy_name (an index's own in global_secondary_indexes) "
     "= {before}"),
    ("aws_appautoscaling_policy", "name", None, ("storage_autoscaling_policy_name",),
     "storage_autoscaling_policy_name = {before}"),
    ("aws_msk_cluster", "encryption_info", "encryption_at_rest_kms_key_arn", ("kms_key_arn",), "kms_key_arn = {before}"),
    ("aws_elasticache_replication_group", "kms_key_id", None, ("kms_key_arn",), "kms_key_arn = {before}"),
    ("aws_elasticache_replication_group", "port", None, ("port",), "port = {before}"),
    ("aws_elasticache_replication_group", "at_rest_encryption_enabled", None, ("at_rest_encryption_enabled",),
     "at_rest_encryption_enabled = {before}"),
    ("aws_elasticache_parameter_group", "name", None, ("parameter_group_name",), "parameter_group_name = {before}"),
    ("aws_elasticache_subnet_group", "name", None, ("subnet_group_name",), "subnet_group_name = {before}"),
    ("aws_security_group", "name", None, ("security_group_name",), "security_group_name = {before}"),
    ("aws_security_group", "description", None, ("security_group_description",),
     "security_group_description = {before}"),
    ("aws_msk_configuration", "name", None, ("configuration_name",), "configuration_name = {before}"),
]


def _path_text(path: Iterable[Any]) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


def _at(value: Any, path: Iterable[Any]) -> Any:
    for step in path:
        if isinstance(step, int) and isinstance(value, list) and step < len(value):
            value = value[step]
        elif isinstance(step, str) and isinstance(value, dict):
            value = value.get(step)
        else:
            return None
    return value


def _marked(sensitive: Any) -> bool:
    """Whether a part of a plan's `before_sensitive` marks anything sensitive (true, or a true inside)."""
    if isinstance(sensitive, dict):
        return any(_marked(v) for v in sensitive.values())
    if isinstance(sensitive, list):
        return any(_marked(v) for v in sensitive)
    return sensitive is True


def _pin_advice(change: Mapping[str, Any], inputs: Mapping[str, Iterable[str]]) -> str:
    """How to keep a replaced resource: the pin, where an input of its module holds the value; else the old value."""
    table = (change.get("module_address") or "").removeprefix("module.").split(".")[0].split("[")[0]
    declared = set(inputs.get(table, ()))
    advice = []
    for path in change["change"].get("replace_paths") or []:
        before = _at(change["change"].get("before"), path)
        hidden = _marked(_at(change["change"].get("before_sensitive"), path)) or secrets.is_secret_name(str(path[-1]))
        shown = "(sensitive)" if hidden else clip(json.dumps(before))
        first, last = path[0], path[-1]
        pin = next((p for p in _PINS if p[0] == change["type"] and p[1] == first and p[2] in (None, last)
                    and set(p[3]) <= declared), None)
        if pin is not None:
            advice.append(f"pin [{table}] " + pin[4].format(before=shown))
        else:
            advice.append(f"{_path_text(path)} is {shown} today: no input of the module is known to keep it")
    return "; ".join(advice) or "the plan gives no replace_paths"


# Terraform's reasons for a deletion (`action_reason`), in words.
_DELETE_REASONS = {
    "delete_because_no_resource_config": "the old state has it and no resource of the stack is it",
    "delete_because_no_module": "its module call is not in the stack",
    "delete_because_wrong_repetition": "the stack declares it with another count or for_each",
    "delete_because_count_index": "the stack's count no longer has its index",
    "delete_because_each_key": "the stack's for_each no longer has its key",
}


def _changed_attributes(change: Mapping[str, Any]) -> list[str]:
    before, after = change.get("before") or {}, change.get("after") or {}
    unknown = change.get("after_unknown") or {}
    return sorted(k for k in set(before) | set(after) | set(unknown)
                  if before.get(k) != after.get(k) or unknown.get(k) is True)


_DETAIL_ORDER = ("in place", "created", "forgotten", "imported")


def read_plan(show: Mapping[str, Any], old_state: Mapping[str, Any], imported: Iterable[str], shown_state: str,
              inputs: Mapping[str, Iterable[str]]) -> Verdict:
    """What the plan does, counted; and what it must not do, as problems."""
    verdict = Verdict()
    imported = set(imported)
    moved = updated = created = destroyed = replaced = 0
    details: list[str] = []
    for change in show.get("resource_changes", []):
        if change.get("mode") != "managed":
            continue
        address, actions = change["address"], change["change"]["actions"]
        if change.get("previous_address"):
            moved += 1
        if actions == ["update"]:
            updated += 1
            details.append(f"in place: {address}: {', '.join(_changed_attributes(change['change']))}")
        elif actions == ["create"] and address in imported:
            details.append(f"imported: {address} (an [[import]] entry: offline, Terraform cannot read it from AWS, so "
                           "the plan leaves its import out)")
        elif actions == ["create"]:
            created += 1
            details.append(f"created: {address}")
        elif actions == ["delete"]:
            destroyed += 1
            reason = _DELETE_REASONS.get(change.get("action_reason", ""), "the plan destroys it")
            verdict.problems.append(
                f"{address}: destroyed ({reason}); to keep it in AWS, add a [[removed]] entry (from = "
                f"{json.dumps(address)}, destroy = false), or a [[moved]] entry to the module's address")
        elif sorted(actions) == ["create", "delete"]:
            replaced += 1
            paths = ", ".join(_path_text(p) for p in change["change"].get("replace_paths") or []) or "none given"
            verdict.problems.append(f"{address}: replaced (replace_paths: {paths}); to keep it, "
                                    f"{_pin_advice(change, inputs)}")
        elif actions == ["forget"]:
            details.append(f"forgotten: {address} (a [[removed]] entry, destroy = false: Terraform forgets it, AWS "
                           "keeps it)")
    verdict.lines.append(f"{moved} moved, {updated} updated in place, {created} created, {destroyed} destroyed, "
                         f"{replaced} replaced")
    verdict.lines += sorted(details, key=lambda line: _DETAIL_ORDER.index(line.split(":", 1)[0]))  # stable
    verdict.problems += repeated_rules(show, old_state, imported, shown_state)
    return verdict


# --- ingress rules created twice -----------------------------------------------------------------------------------

_PROTOCOLS = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", "all": "-1", "-1": "-1"}


def _rule_key(group: str, protocol: Any, from_port: Any, to_port: Any, source: tuple[str, str]) -> tuple:
    name = _PROTOCOLS.get(str(protocol).lower(), str(protocol).lower())
    ports = (None, None) if name == "-1" else (from_port, to_port)
    return (group, name, *ports, source)


def _sources(values: Mapping[str, Any], group: str, groups_key: str) -> list[tuple[str, str]]:
    found = [("cidr", c) for c in values.get("cidr_blocks") or []]
    found += [("cidr", c) for c in values.get("ipv6_cidr_blocks") or []]
    found += [("prefix list", p) for p in values.get("prefix_list_ids") or []]
    groups = values.get(groups_key)
    found += [("group", g) for g in (groups if isinstance(groups, list) else [groups] if groups else [])]
    if values.get("self"):
        found.append(("group", group))
    return found


def _rule_keys(type_: str, values: Mapping[str, Any]) -> list[tuple]:
    """The ingress rules a rule resource holds, as (group, protocol, from, to, source)."""
    group = values.get("security_group_id")
    if not isinstance(group, str):
        return []
    if type_ == "aws_vpc_security_group_ingress_rule":
        sources = [(kind, values[key]) for kind, key in (("cidr", "cidr_ipv4"), ("cidr", "cidr_ipv6"),
                                                         ("prefix list", "prefix_list_id"),
                                                         ("group", "referenced_security_group_id")) if values.get(key)]
        return [_rule_key(group, values.get("ip_protocol"), values.get("from_port"), values.get("to_port"), s)
                for s in sources]
    if type_ == "aws_security_group_rule" and values.get("type") == "ingress":
        return [_rule_key(group, values.get("protocol"), values.get("from_port"), values.get("to_port"), s)
                for s in _sources(values, group, "source_security_group_id")]
    return []


def _describe(key: tuple) -> str:
    group, protocol, from_port, to_port, (kind, source) = key
    ports = "all ports" if protocol == "-1" else f"{from_port}-{to_port}"
    where = "self" if (kind, source) == ("group", group) else source
    return f"{'all traffic' if protocol == '-1' else protocol + ' ' + ports} from {where} on {group}"


def _address(resource: Mapping[str, Any], instance: Mapping[str, Any]) -> str:
    address = f"{resource['module'] + '.' if resource.get('module') else ''}{resource['type']}.{resource['name']}"
    key = instance.get("index_key")
    return address + (f"[{json.dumps(key)}]" if key is not None else "")


def existing_rules(old_state: Mapping[str, Any]) -> dict[tuple, str]:
    """Every ingress rule of the old state (inline in a group, or a rule resource), with where it is."""
    found: dict[tuple, str] = {}
    for resource in old_state.get("resources", []):
        if resource.get("mode") != "managed":
            continue
        for instance in resource.get("instances", []):
            values = instance.get("attributes") or {}
            address = _address(resource, instance)
            if resource["type"] == "aws_security_group" and isinstance(values.get("id"), str):
                for rule in values.get("ingress") or []:
                    for source in _sources(rule, values["id"], "security_groups"):
                        key = _rule_key(values["id"], rule.get("protocol"), rule.get("from_port"), rule.get("to_port"),
                                        source)
                        found.setdefault(key, f"inline in {address}")
            for key in _rule_keys(resource["type"], values):
                found.setdefault(key, address)
    return found


def repeated_rules(show: Mapping[str, Any], old_state: Mapping[str, Any], imported: set[str],
                   shown_state: str) -> list[str]:
    existing = existing_rules(old_state)
    problems = []
    for change in show.get("resource_changes", []):
        if "create" not in change["change"]["actions"] or change["address"] in imported:
            continue
        for key in _rule_keys(change["type"], change["change"].get("after") or {}):
            if key in existing:
                problems.append(
                    f"{change['address']}: created, and {shown_state} already has this ingress rule "
                    f"({_describe(key)}, {existing[key]}): AWS refuses the duplicate at apply "
                    f"(InvalidPermission.Duplicate); add an [[import]] entry with to = {json.dumps(change['address'])} "
                    "and the existing rule's id (sgr-…)")
    return problems


# --- the command ---------------------------------------------------------------------------------------------------

def verify(files: Mapping[str, bytes], stack: str, state: bytes, shown_state: str,
           inputs: Mapping[str, Iterable[str]]) -> Verdict:
    """Plan stacks/<stack> of the synthesized tree `files` against the raw state `state`, and read the plan.
    `inputs` names, by table, the inputs its module declares (for the pins that avoid a replacement)."""
    show, imported = plan(files, stack, state, shown_state)
    verdict = read_plan(show, json.loads(state), imported, shown_state, inputs)
    verdict.lines.insert(0, f"verify: stacks/{stack} planned against {shown_state} (offline, -refresh=false)")
    if not verdict.problems:
        verdict.lines.append(f"verified: nothing destroyed or replaced, no ingress rule created twice: stacks/{stack} "
                             f"can take over {shown_state}")
    return verdict


def run(config: Path, shown_config: str, state: bytes, shown_state: str, modules: Mapping[str, Any],
        adopting: bool) -> list[str]:
    """The command: synthesize the one environment file (in memory), plan its stack against the old state, print
    what the plan does (stdout) and the synthesis' warnings (stderr); returns the problems. After --adopt, a file
    that does not synthesize is a problem of the adoption; alone, it is refused as synth refuses it (InputError)."""
    from generator.commands import pipeline

    try:
        result = pipeline.produce([(config, shown_config)], {}, modules=modules)
    except InputError as err:
        if not adopting:
            raise
        return [*err.problems, f"{shown_config} does not synthesize: --verify did not plan"]
    environment = result.environments[0]
    for warning in environment.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    inputs = {call.name: modules[call.kind].inputs.names() for call in environment.modules}
    verdict = verify(result.files, environment.name, state, shown_state, inputs)
    for line in verdict.lines:
        print(line, flush=True)
    return verdict.problems
