"""`python main.py --adopt STATE --config environments/<env>.toml`: move an existing root onto the generated modules.

STATE is what `terraform show -json` prints in the old root. From it, adoption writes the environment file that
makes the generated stack describe the same resources:

- one table per module call found, named after the call, with every value the state holds that the module would
  otherwise set differently (names, versions, sizes, keys, encryption and authentication, windows, tags): a pin;
- a `[[moved]]` entry for each resource the module creates, matched by type and by the identity AWS knows it by
  (a replication group's id, the parameter group its group names, the security group its group uses, the
  configuration its cluster runs), never by the address's name;
- a `[[removed]]` entry (destroy = false) for each resource no module creates: Terraform forgets it, AWS keeps it.

This is the engine; what a module's resources are and which inputs keep their values is the module's own adopter
(modules/<kind>/adopt.py, a generator.adoption.kit.Adopter named by ModuleDefinition.adopter), found through module
discovery: adopting a new module touches only its folder. A call whose main resource no adopter recognises is
forgotten like any other resource, with a note when a module without an adopter creates it.

STATE is read through the shapes of what the adopters read (each Adopter.shapes, generator.adoption.statefile): a
state of another shape is one line naming the file and the JSON path, and nothing is written. A value that looks like
a secret (generator.language.secrets) or that the state marks sensitive is never pinned nor printed: it is left out,
with a problem naming the address and the attribute. A resource the stack's call of the same name declares is never
`[[removed]]`, and nothing is moved onto its own address.

What still cannot be kept (a security group rule the module would create again, a setting no input expresses) is a
problem: printed with the address and the attribute, exit status 1. An existing file keeps its values, comments and
layout (tomlkit); only missing pins and entries are added, so a second run changes nothing.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Collection, Iterable, Mapping

import tomlkit

from generator.adoption import kit, statefile
from generator.adoption.kit import FORCES_NEW, IDENTITY, IN_PLACE, Adopted, Adopter, Pin, Report
from generator.adoption.statefile import STRING, Lenient, Object, Shape, State
from generator.config.environments import INHERITED_KEYS, kind_of
from generator.language import secrets
from generator.language.inputs import InputError
from generator.language.types import literal

if TYPE_CHECKING:  # the module machinery starts the jsii runtime
    from generator.model.module import ModuleDefinition

AWS_PROVIDER = "registry.terraform.io/hashicorp/aws"
TABLE_NAME = re.compile(r"[a-z][a-z0-9_]*")

# --- reading STATE -------------------------------------------------------------------------------------------------


# Any other resource of the AWS provider: what says what it is, its region and its tags (the default tags).
OTHER_AWS = Object(kit.COMMON)
# A resource of another provider: its name or id, when they are strings.
OTHER = Lenient({"name": STRING, "id": STRING})


def read_document(path: Path, display: str) -> Any:
    """The `terraform show -json` output at `path`, as JSON, once it is known to be one: InputError (one line)
    otherwise. Its resources are read with the adopters' shapes (read_state), once the modules are loaded."""
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
    return document


def state_shapes(adopters: Mapping[str, Adopter]) -> dict[str, Shape]:
    """What the adopters read of each resource type (kit.SHAPES, which every adopter shares, and each adopter's own).
    Two adopters that read one type must read it alike: a module's declaration, not user input."""
    shapes: dict[str, Shape] = dict(kit.SHAPES)
    for kind, adopter in adopters.items():
        for type_, shape in adopter.shapes.items():
            if shapes.setdefault(type_, shape) is not shape:
                raise ValueError(f"modules/{kind}/adopt.py: reads {type_}, which another adopter reads differently")
    return shapes


def read_state(document: Any, display: str, shapes: Mapping[str, Shape]) -> State:
    """Every managed resource of the document (read_document), read through `shapes`; InputError (one line)
    otherwise."""
    state = statefile.resources(document, display, shapes, AWS_PROVIDER, OTHER_AWS, OTHER)
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


# --- names ------------------------------------------------------------------------------------------------------------


def _common_prefix(names: list[str]) -> str:
    if not names:
        return ""
    prefix = os.path.commonprefix(names)
    prefix = prefix[: prefix.rfind("-") + 1] if "-" in prefix else ""
    return prefix


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


def plan_adoption(
    resources: list[dict[str, Any]],
    prefix: str | None,
    input_order: Mapping[str, list[str]] | None = None,
    imported: Iterable[str] = (),
    defaults: Mapping[str, Mapping[str, Any]] | None = None,
    ingress_ports: Mapping[str, Callable[[Mapping[str, Any]], list[int]] | None] | None = None,
    sensitive: frozenset[str] = frozenset(),
    declared: Mapping[str, Collection[str]] | None = None,
    adopters: Mapping[str, Adopter] | None = None,
    unadopted: Mapping[str, str] | None = None,
) -> Report:
    """`input_order`: each module's input names, the order a table's keys are written in; `defaults`: each
    module's declared input defaults; `ingress_ports`: each module's ModuleDefinition.ingress_ports; `sensitive`:
    the strings the state marks sensitive (never pinned, like anything else that looks like a secret); `declared`:
    each module's resources (`type.name`), which are never forgotten where the module call declares them;
    `adopters`: each module's adopter (ModuleDefinition.adopter), by kind; `unadopted`: the main resource types of
    the modules that have none, each to its module (such a resource is forgotten, with a note saying why)."""
    input_order = input_order or {}
    defaults = defaults or {}
    report = Report(imported=set(imported))

    def adopter_of(resource: Mapping[str, Any]) -> tuple[str, Adopter] | None:
        return next(((kind, adopter) for kind, adopter in (adopters or {}).items()
                     if resource["type"] in adopter.main_types and adopter.recognises(resource["values"])), None)

    calls: dict[str | None, list[dict[str, Any]]] = {}
    for resource in resources:
        calls.setdefault(_call(resource["address"]), []).append(resource)
    names = []
    for call, members in calls.items():
        for resource in members:
            found = adopter_of(resource)
            if found is not None:
                names.append(found[1].name(resource["values"]) or "")
    prefix = prefix if prefix is not None else _common_prefix([n for n in names if n])
    report.shared["name_prefix"] = prefix
    moved: set[str] = set()
    unresolved: set[str | None] = set()  # calls with a problem: their resources are neither moved nor forgotten
    tables: dict[str, str] = {}  # table → the call it adopts
    kinds: dict[str | None, str] = {}  # an adopted call → its module
    for call, members in calls.items():
        mains = [(r, found) for r in members if (found := adopter_of(r)) is not None]
        if call is None or not mains:
            continue
        if len(mains) > 1:
            unresolved.add(call)
            report.problems.append(
                f"module.{call}: holds {', '.join(r['address'] for r, _ in mains)}; a generated module manages one, so "
                "split the call in the old root first"
            )
            continue
        kind, adopter = mains[0][1]
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
        adopter.adopt(adopted, report, members, moved, prefix)
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
        refused = next(((kind, adopter) for kind, adopter in (adopters or {}).items()
                        if resource["type"] in adopter.main_types and adopter.condition), None)
        if refused is not None and adopter_of(resource) is None:
            report.notes.append(f"{address}: the {refused[0]} module adopts {resource['type']} resources only with "
                                f"{refused[1].condition}: --adopt forgets this one (destroy = false) instead of "
                                "moving it into the module")
        if resource["type"] in (unadopted or {}):
            kind = (unadopted or {})[resource["type"]]
            report.notes.append(f"{address}: the {kind} module creates {resource['type']} resources but declares no adopter "
                                f"(ModuleDefinition.adopter, modules/{kind}/adopt.py): --adopt forgets it (destroy = "
                                "false) instead of moving it into the module")
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
                report.shared_pins.setdefault(key, []).extend((t, p) for p in t.pins if p.key == key)
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


def _toml_value(value: Any, top: bool = True) -> Any:
    """A pin's value as TOML writes it: a list of maps one map a line (at the top only: an inline table is one
    line), nested maps (the users of a user group) spaced like the outer one."""
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        array = tomlkit.array()
        array.multiline(top)
        for item in value:
            array.append(_toml_value(item, False))
        return array
    if isinstance(value, dict):
        inline = tomlkit.inline_table()
        inline.update({key: _toml_value(item, False) for key, item in value.items()})
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


def _last_key(table: Any) -> str | None:
    """The last key of a table of the document, before the comments and blank lines that end it (tomlkit keeps
    the comment above the next table header in the table before it)."""
    keys = [key.key for key, _ in table.value.body if key is not None]
    return keys[-1] if keys else None


def _add_key(table: Any, after: str | None, key: str, value: Any) -> str:
    """`key = value` added to an existing table right after its key `after` (its first line when None), so that it
    stays above the comments that belong to the next table. tomlkit has no public insert: Container._insert_after
    and _insert_at are its own (tomlkit is pinned)."""
    if after is None and not table.value.body:
        table[key] = value
    elif after is None:
        table.value._insert_at(0, key, value)
    else:
        table.value._insert_after(after, key, value)
    return key


def _last_top_level_key(document: Any) -> str | None:
    keys = [key.key for key, item in document.body
            if key is not None and not isinstance(item, (tomlkit.items.Table, tomlkit.items.AoT))]
    return keys[-1] if keys else None


def _add_top_level_key(document: Any, after: str | None, key: str, value: Any) -> str:
    """`key = value` added to an existing document after its last top-level key `after`, or, with none, above the
    comments that introduce its first table (tomlkit would append it below them; see _add_key)."""
    if after is not None:
        document._insert_after(after, key, value)
        return key
    body = document.body
    index = next((i for i, (_, item) in enumerate(body)
                  if isinstance(item, (tomlkit.items.Table, tomlkit.items.AoT))), len(body))
    while index > 0 and body[index - 1][0] is None and isinstance(body[index - 1][1], tomlkit.items.Comment):
        index -= 1
    if index < len(body):
        document._insert_at(index, key, value)
    else:
        document[key] = value
    return key


def _contradictions(adopted: Adopted, table: Mapping[str, Any], inherited: Mapping[str, Any],
                    definition: ModuleDefinition, adopter: Adopter | None, report: Report) -> set[str]:
    """The pins that would contradict a key the existing table already has, by the module's own cross-input checks
    (a check the table passes without the pins and fails with them): never added. Where the table's keys say what
    the pins say (the adopter's `reconcile`), a note; otherwise one problem naming both sides. Returns the keys of the
    pins left out."""
    inputs = definition.inputs
    existing = {key: value for key, value in table.items() if key != "module"}
    pins = {pin.key: pin.value for pin in adopted.pins if pin.key not in table and pin.value is not None}
    base = {**inherited, **existing}

    def resolved(given: Mapping[str, Any]) -> dict[str, Any]:
        return inputs.problems(given)[0]

    def holds(check: Any, values: Mapping[str, Any]) -> bool:
        try:
            return bool(check.check(values))
        except (KeyError, TypeError, ValueError, AttributeError):  # a value its own rule refuses: said elsewhere
            return True

    with_pins = resolved({**base, **pins})
    found: dict[tuple[str, ...], tuple[tuple[str, ...], Any]] = {}
    for check in inputs.checks:
        involved = set(check.inputs) | set(check.shown or ())
        ours, theirs = tuple(sorted(involved & pins.keys())), tuple(sorted(involved & existing.keys()))
        if not ours or not theirs or ours in found or holds(check, with_pins):
            continue
        if holds(check, resolved({**base, **{k: v for k, v in pins.items() if k not in ours}})):
            found[ours] = (theirs, check)
    dropped: set[str] = set()
    for ours, (theirs, check) in found.items():
        dropped.update(ours)
        said = [adopter.reconcile(key, pins[key], existing) if adopter and adopter.reconcile else None
                for key in ours]
        if all(said):
            report.notes.extend(f"[{adopted.table}] {key}: not pinned: {reason}" for key, reason in zip(ours, said))
            continue
        must = check.must if isinstance(check.must, str) else check.must(with_pins)
        state = ", ".join(f"{key} = {literal(pins[key])}" for key in ours)
        yours = ", ".join(f"{key} = {literal(existing[key])}" for key in theirs)
        names = " and ".join(theirs)
        report.problems.append(
            f"[{adopted.table}] {state} (what the state holds) contradicts your {yours}: {check.inputs[0]} {must}. "
            f"Not pinned: remove {names} from [{adopted.table}] to keep what AWS runs, then run --adopt again; or "
            f"keep {'them' if len(theirs) > 1 else 'it'} and read what the plan changes"
        )
    return dropped


def apply_to_document(document: Any, report: Report, region: str | None, tags: dict[str, str],
                      modules: Mapping[str, ModuleDefinition] | None = None,
                      adopters: Mapping[str, Adopter] | None = None) -> list[str]:
    """Add what is missing to the environment document (new or existing); returns what was pinned, as messages.
    `modules` and `adopters`: what decides, in a table the file already has, which pins would contradict its keys
    (_contradictions)."""
    pinned: list[str] = []
    fresh = not document
    if fresh:
        document.add(tomlkit.comment("Written by python main.py --adopt from the old root's state. Every value below"))
        document.add(tomlkit.comment("is what AWS runs today; change one only when you mean to change the resource."))
    anchor = first_anchor = _last_top_level_key(document)
    for key in ("name_prefix", "region", "vpc_id", "subnet_ids"):
        value = report.shared.get(key) if key != "region" else region
        if value is not None and key not in document:
            if fresh:
                document[key] = value
            else:
                anchor = _add_top_level_key(document, anchor, key, value)
            pinned.append(f"{key} = {literal(value)}: shared by every module call of the state")
    if not fresh and first_anchor is None and anchor is not None:
        document.item(anchor).trivia.trail = "\n\n"  # a blank line before the comment of the first table
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
    for key, pins in report.shared_pins.items():
        # The file's own top-level value differs from the state's: each table that takes it keeps the state's.
        if key in document and document[key] != report.shared.get(key):
            for adopted, pin in pins:
                adopted.pins.append(pin)
    for adopted in report.tables:
        existed = adopted.table in document
        if existed:
            body = document[adopted.table]
        else:
            body = tomlkit.table()
            document[adopted.table] = body
        dropped: set[str] = set()
        if existed and modules is not None and adopted.kind in modules:
            inherited = {key: document[key] for key in INHERITED_KEYS if key in document}
            dropped = _contradictions(adopted, body.unwrap(), inherited, modules[adopted.kind],
                                      (adopters or {}).get(adopted.kind), report)
        anchor = _last_key(body)
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
            if pin.value is None or pin.key in dropped:
                continue  # the state holds nothing there (nor does the module), or the file says otherwise
            anchor = _add_key(body, anchor, pin.key, _toml_value(pin.value))
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


def unadopted_types(modules: Mapping[str, ModuleDefinition], adopters: Mapping[str, Adopter]) -> dict[str, str]:
    """{resource type: module} for the main resource types of the modules without an adopter that no other module
    creates too (a security group or a log group says nothing of which module it was)."""
    owners: dict[str, set[str]] = {}
    for name, definition in modules.items():
        for type_ in definition.main_resource_types:
            owners.setdefault(type_, set()).add(name)
    return {type_: next(iter(names)) for type_, names in sorted(owners.items())
            if len(names) == 1 and next(iter(names)) not in adopters}


def adopt(
    state: Path,
    config: Path,
    state_display: str,
    config_display: str,
    load_modules: Callable[[], Mapping[str, ModuleDefinition]],
) -> tuple[list[str], list[str], list[str]]:
    """Adopt STATE into the environment file CONFIG. Returns (pinned, notes, problems); writes CONFIG only when
    something was added. Raises InputError (nothing written) for a bad STATE or an unreadable CONFIG; a STATE that is
    not `terraform show -json` output before `load_modules` (the discovered module definitions) is called, since the
    resources are read with what the modules' adopters declare."""
    shown = read_document(state, state_display)
    modules = load_modules()
    adopters = {name: adopter for name, definition in modules.items()
                if (adopter := definition.load_adopter()) is not None}
    read = read_state(shown, state_display, state_shapes(adopters))
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
    order = {name: definition.inputs.names() for name, definition in modules.items()}
    defaults = {name: {i.name: i.default for i in d.inputs.inputs if not i.required} for name, d in modules.items()}
    imports = document.get("import")
    imported = [entry.get("to") for entry in imports] if imports is not None else []
    ports = {name: definition.ingress_ports for name, definition in modules.items()}
    report = plan_adoption(resources, prefix if isinstance(prefix, str) else None, order, imported, defaults, ports,
                           sensitive, declared_resources(modules), adopters, unadopted_types(modules, adopters))
    tags = default_tags(resources)
    carrier = next((r["address"] for r in resources if "tags_all" in r["values"]), "")
    tags, found = without_secrets(tags, "tags_all", sensitive)
    report.problems.extend(_secret_problem(carrier, where, "[tags]") for where in found)
    region = region_of(resources)
    if region is not None and looks_secret(region, sensitive):
        report.problems.append(_secret_problem(carrier, "arn", "region"))
        region = None
    for adopted in report.tables:
        body = document.get(adopted.table)
        if body is not None and not isinstance(body, (tomlkit.items.Table, tomlkit.items.InlineTable)):
            raise InputError([f"{config_display}: {adopted.table}: must be a table, written [{adopted.table}], for the "
                              f"module call {adopted.table} of {state_display}; got {literal(body.unwrap())[:80]}"])
    pinned = apply_to_document(document, report, region, tags, modules, adopters)
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
