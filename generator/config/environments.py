"""Environment files: `environments/<env>.toml` → a root configuration of module calls.

The file is data a reviewer reads. Its shape:

    name_prefix = "mapzip-dev-"        # top level: name_prefix, region, vpc_id, subnet_ids
    region = "ap-northeast-2"
    [tags]                             # the provider's default tags
    [backend]                          # type = "local" (default) or "s3" with bucket, key, region, use_lockfile
    [elasticache_auth]                 # any other table: one module block, named by the table
    cluster_name = "auth"

A table's kind is its `module` key, else the longest module kind its name is or starts with (followed by `_`:
[elasticache_auth] is an elasticache, [valkey_serverless_x] a valkey_serverless). Its other keys are exactly that
module's input names, checked against the modules' own input declarations; top-level name_prefix, vpc_id and
subnet_ids go to every module that takes them unless the table sets its own. Every problem is reported, each as
`environments/dev.toml: [msk] number_of_broker_nodes: must be …, got 4`.
"""

from __future__ import annotations

import datetime
import difflib
import math
import os
import re
import stat
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from generator.language.aws import REGION
from generator.config import limits
from generator.language import rules, secrets
from generator.language.inputs import InputError
from generator.language.types import STRING, TypeMismatch, clip, list_of, literal, map_of

if TYPE_CHECKING:  # importing the module machinery starts the jsii runtime; precheck() must run before it
    from generator.model.module import ModuleDefinition

PROJECT = Path(__file__).resolve().parents[2]
RESERVED_TABLES = ("tags", "backend")
# Arrays of tables: [[moved]] (from, to) and [[removed]] (from, destroy = false), written by `--adopt`.
RESERVED_ARRAYS = ("moved", "removed", "import")
# A Terraform address as `moved`/`removed` take it: module calls (with an optional index), then a resource type and
# name (with an optional index), or a module call alone.
_KEY = r'(\[(?:[0-9]+|"[^"\\]*")\])?'
_MODULE_PATH = rf"(?:module\.[A-Za-z_][A-Za-z0-9_-]*{_KEY}\.)*"
RESOURCE_ADDRESS = re.compile(rf"{_MODULE_PATH}[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*{_KEY}")
MODULE_ADDRESS = re.compile(rf"{_MODULE_PATH}module\.[A-Za-z_][A-Za-z0-9_-]*{_KEY}")
# Construct ids of the root stack that are not a table's: the provider block and the backend.
GENERATED_NAMES = {"aws": 'provider block "aws"', "backend": "backend"}
SHARED_KEYS = {"name_prefix": STRING, "region": STRING, "vpc_id": STRING, "subnet_ids": list_of(STRING)}
REQUIRED_SHARED_KEYS = ("name_prefix", "region")
INHERITED_KEYS = ("name_prefix", "vpc_id", "subnet_ids")
TABLE_NAME = re.compile(r"[a-z][a-z0-9_]*")
BACKEND_KEYS = {
    "local": {"type": STRING, "path": STRING},
    "s3": {"type": STRING, "bucket": STRING, "key": STRING, "region": STRING, "use_lockfile": None, "encrypt": None},
}
BACKEND_REQUIRED = {"local": (), "s3": ("bucket", "key", "region")}


@dataclass(frozen=True)
class ModuleCall:
    name: str  # the table's name, and the module block's
    kind: str
    arguments: dict[str, Any]  # as written in the file (after inheritance), in the module's input order
    values: dict[str, Any]  # resolved against the module's defaults
    secrets: tuple[str, ...]  # secret inputs, passed from root variables `<name>_<input>`
    # Inputs set from another table's module output (ModuleDefinition.references): (input, table, output, many),
    # wired by the root as module.<table>.<output> (in a list when many); not in `arguments`.
    references: tuple[tuple[str, str, str, bool], ...] = ()


@dataclass(frozen=True)
class Environment:
    name: str
    source: str  # the file as the user named it, for messages
    region: str
    tags: dict[str, str]
    backend: dict[str, Any]
    modules: tuple[ModuleCall, ...]
    warnings: tuple[str, ...] = field(default=())
    # [[moved]] and [[removed]] entries: `moved` and `removed` (destroy = false) blocks of the root.
    moved: tuple[tuple[str, str], ...] = field(default=())
    removed: tuple[str, ...] = field(default=())
    # [[import]] entries (to, id): `import` blocks, for an object AWS has that no state holds (an inline security
    # group rule the module manages as its own resource).
    imports: tuple[tuple[str, str], ...] = field(default=())
    # The file as generated READMEs name it: relative to the project, whatever folder the command ran from.
    origin: str = ""


def _nearest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def kind_of(table: str, body: Mapping[str, Any], kinds: Iterable[str]) -> str:
    """The table's module kind: its `module` key; else the longest kind the table's name is, or starts with
    followed by `_` ([msk], [msk_events], [valkey_serverless_sessions] for a kind valkey_serverless); else the word
    before its first `_`, which the caller reports as unknown."""
    explicit = body.get("module")
    if isinstance(explicit, str):
        return explicit
    named = [kind for kind in kinds if table == kind or table.startswith(kind + "_")]
    return max(named, key=len) if named else table.split("_", 1)[0]


def origin(path: Path) -> str:
    """How a generated README names an environment file: project-relative, so the bytes do not depend on the
    folder the command ran from; a file outside the project by its name alone."""
    resolved = path.resolve()
    if resolved.is_relative_to(PROJECT):
        return resolved.relative_to(PROJECT).as_posix()
    return resolved.name


# The file's name names the stack: the folder generated/stacks/<name>, and a construct id.
ENVIRONMENT_NAME = re.compile(r"[a-z][a-z0-9_-]{0,62}")


def _name_problem(path: Path, where: str) -> str | None:
    if path.suffix != ".toml":
        return f"{where}: an environment file is named <environment>.toml"
    if not ENVIRONMENT_NAME.fullmatch(path.stem):
        return (
            f"{where}: the environment name {literal(path.stem)} must be 1 to 63 lowercase letters, digits, \"-\" and "
            "\"_\", starting with a letter (it names the folder generated/stacks/<name>)"
        )
    return None


def secret_variable(call_name: str, input_name: str) -> str:
    return f"{call_name}_{input_name}"


ENVIRONMENTS = PROJECT / "environments"


def default_files() -> list[tuple[Path, str]]:
    """Every environments/*.toml, each with the name messages give it."""
    return [(p, f"environments/{p.name}") for p in sorted(ENVIRONMENTS.glob("*.toml"))]


def precheck(paths: list[tuple[Path, str]]) -> None:
    """What can be refused before the module definitions load (and with them the jsii runtime, ~1.5 s): a file
    that cannot be read, is not TOML, has a bad name, or holds values no module takes (dates, NaN, huge integers,
    deep nesting). load() checks the same again, with the same messages."""
    problems: list[str] = []
    for path, display in paths:
        try:
            _read(path, display)
        except InputError as err:
            problems.extend(err.problems)
    if problems:
        raise InputError(problems)


# An environment file is a few KiB; reading stops here, whatever the file (a FIFO, /dev/zero behind a symlink) is.
MAX_FILE_BYTES = 1024 * 1024
_FILE_KINDS = {stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device",
               stat.S_IFSOCK: "a socket"}


def read_file(path: Path, where: str, limit: int = MAX_FILE_BYTES, what: str = "an environment file such as environments/dev.toml") -> bytes:
    """The bytes of a regular file of at most `limit` bytes, or InputError in one line. Opened without blocking
    (a FIFO would wait for a writer forever) and checked on the open file itself, so a name swapped after a check
    cannot slip a device in; at most limit + 1 bytes are ever read."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError([f"{where}: no such file"]) from None
    except OSError as err:
        try:  # a socket cannot even be opened (ENXIO): say what it is
            _regular(os.stat(path).st_mode, where, what)
        except OSError:
            pass
        raise InputError([f"{where}: cannot be read: {err.strerror or err}"]) from None
    try:
        info = os.fstat(fd)
        _regular(info.st_mode, where, what)
        if info.st_size > limit:
            raise InputError([f"{where}: cannot be read: larger than {_size(limit)} ({info.st_size} bytes)"])
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # it grew since fstat
            raise InputError([f"{where}: cannot be read: larger than {_size(limit)}"])
        return b"".join(chunks)
    except OSError as err:
        raise InputError([f"{where}: cannot be read: {err.strerror or err}"]) from None
    finally:
        os.close(fd)


def _regular(mode: int, where: str, what: str) -> None:
    if stat.S_ISDIR(mode):
        raise InputError([f"{where}: is a folder; name {what}"])
    if not stat.S_ISREG(mode):
        kind = _FILE_KINDS.get(stat.S_IFMT(mode), "not a file")
        raise InputError([f"{where}: cannot be read: is {kind}, not a regular file; name {what}"])


def _size(limit: int) -> str:
    return f"{limit // 2**20} MiB" if limit % 2**20 == 0 else f"{limit} bytes"


def _read(path: Path, where: str) -> dict[str, Any]:
    """The file's data, or InputError: unreadable, not TOML, a bad name, or a value no module takes."""
    try:
        text = read_file(path, where).decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError([f"{where}: cannot be read: not UTF-8 text (byte {err.start})"]) from None
    name_problem = _name_problem(path, where)
    if name_problem:
        raise InputError([name_problem])
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        # tomllib's message carries the line and column: "Expected '=' … (at line 3, column 7)".
        raise InputError([f"{where}: invalid TOML: {err}"]) from None
    except RecursionError:
        raise InputError([f"{where}: invalid TOML: nested too deeply to read (at most {MAX_DEPTH} levels)"]) from None
    except ValueError:  # not a TOMLDecodeError: an integer longer than Python converts (sys.int_max_str_digits)
        raise InputError([f"{where}: invalid TOML: {_long_integer(text)}"]) from None

    value_problems = _unsupported_values(data, where)
    if value_problems:
        # Reported before anything else reads the values: nothing below expects a date, an unbounded depth, a
        # NaN or a number the jsii bridge would round.
        raise InputError(value_problems)
    return data


def _long_integer(text: str) -> str:
    digits = sys.get_int_max_str_digits()
    line = next((number for number, line in enumerate(text.splitlines(), start=1)
                 if re.search(rf"(?<![0-9A-Za-z_])[+-]?[0-9][0-9_]{{{digits},}}", line)), None)
    at = f" (at line {line})" if line else ""
    return f"an integer of more than {digits} digits{at}; no input takes a number that long"


def load(path: Path, modules: Mapping[str, ModuleDefinition], display: str | None = None) -> Environment:
    """Read and check one environment file; raises InputError with every problem found."""
    where = display or path.as_posix()
    data = _read(path, where)
    secret_problems = _secret_problems(data, modules, where)
    if secret_problems:
        # Reported alone: any later check could quote the value.
        raise InputError(secret_problems)

    problems: list[str] = []
    shared: dict[str, Any] = {}
    moved, removed = _address_moves(data, where, problems)
    imports = _imports(data, where, problems)
    for key, value in data.items():
        if isinstance(value, dict) or key in RESERVED_ARRAYS:
            continue
        if key in RESERVED_TABLES:
            problems.append(f"{where}: {key}: must be a table, written [{key}] (see docs/environments.md), got {literal(value)}")
            continue
        if key not in SHARED_KEYS:
            problems.append(
                f"{where}: {key}: unknown top-level key{_nearest(key, list(SHARED_KEYS))}; "
                f"top-level keys are {', '.join(SHARED_KEYS)}, and tables are modules, [tags] or [backend]"
            )
            continue
        try:
            shared[key] = SHARED_KEYS[key].convert(value)
        except TypeMismatch as err:
            problems.append(f"{where}: {key}: must be {err.expected}, got {literal(err.value)}")
    for key in REQUIRED_SHARED_KEYS:
        if key not in data:
            problems.append(f"{where}: {key}: is required at the top level")
    if isinstance(shared.get("region"), str) and not REGION.fullmatch(shared["region"]):
        problems.append(f"{where}: region: must be an AWS region such as ap-northeast-2, got {literal(shared['region'])}")

    tags = _tags(data["tags"] if isinstance(data.get("tags"), dict) else {}, where, problems)
    backend = _backend(data["backend"] if isinstance(data.get("backend"), dict) else {"type": "local"}, where, problems)

    calls: list[ModuleCall] = []
    warnings: list[str] = []
    tables = {k: v for k, v in data.items() if isinstance(v, dict) and k not in RESERVED_TABLES}
    if not tables:
        problems.append(f"{where}: no module tables: add one, such as [dynamodb], for each module block")
    # A table that names another (user_group = "<table>") is judged after the tables it may name.
    referring = [t for t, body in tables.items() if _references_of(t, body, modules)]
    built: dict[str, ModuleCall | None] = {}
    for table in [*(t for t in tables if t not in referring), *referring]:
        built[table] = _module_call(table, tables[table], shared, modules, where, problems, warnings, tables, built)
    calls.extend(call for table in tables if (call := built.get(table)) is not None)
    problems.extend(limits.environment_problems(where, shared, tags, backend, calls, modules))  # generator/config/limits.py
    _check_move_targets(moved, tables, where, problems)
    _check_import_calls(imports, tables, where, problems)
    problems.extend(_collisions(calls, modules, where))
    if problems:
        raise InputError(problems)
    return Environment(
        name=path.stem,
        source=where,
        region=shared["region"],
        tags=tags,
        backend=backend,
        modules=tuple(calls),
        warnings=tuple(warnings),
        moved=moved,
        removed=removed,
        imports=imports,
        origin=origin(path),
    )


def _resource_type(address: str) -> str | None:
    """`module.msk.aws_msk_cluster.kafka` → `aws_msk_cluster`; None for a module address."""
    if MODULE_ADDRESS.fullmatch(address):
        return None
    return re.sub(rf"^{_MODULE_PATH}", "", address).split(".")[0]


def _address(entry: dict[str, Any], key: str, at: str, problems: list[str]) -> str | None:
    value = entry.get(key)
    if value is None:
        problems.append(f"{at} {key}: is required (a Terraform address such as module.msk.aws_msk_cluster.this)")
        return None
    if not isinstance(value, str) or not (RESOURCE_ADDRESS.fullmatch(value) or MODULE_ADDRESS.fullmatch(value)):
        problems.append(
            f"{at} {key}: must be a Terraform address such as module.msk.aws_msk_cluster.this or module.msk, "
            f"got {literal(value)}"
        )
        return None
    return value


def _address_moves(
    data: Mapping[str, Any], where: str, problems: list[str]
) -> tuple[tuple[tuple[str, str], ...], tuple[str, ...]]:
    """[[moved]] and [[removed]] → (from, to) pairs and the addresses to forget; each entry checked by shape."""
    moved: list[tuple[str, str]] = []
    removed: list[str] = []
    sources: dict[str, str] = {}
    targets: dict[str, int] = {}  # a [[moved]] to → the entry that has it
    for kind in ("moved", "removed"):
        entries = data.get(kind, [])
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            problems.append(f"{where}: {kind}: must be an array of tables, written [[{kind}]], got {literal(entries)}")
            continue
        allowed = ("from", "to") if kind == "moved" else ("from", "destroy")
        for number, entry in enumerate(entries, start=1):
            at = f"{where}: [[{kind}]] #{number}"
            for key in entry:
                if key not in allowed:
                    problems.append(f"{at} {key}: unknown key{_nearest(key, list(allowed))}; allowed: {', '.join(allowed)}")
            source = _address(entry, "from", at, problems)
            if source is not None and source in sources:
                problems.append(f"{at} from: {literal(source)} is already the from of {sources[source]}")
                source = None
            if source is not None:
                sources[source] = f"[[{kind}]] #{number}"
            if kind == "removed":
                if entry.get("destroy", False) is not False:
                    problems.append(
                        f"{at} destroy: must be false (forget the resource, keep it in AWS), got "
                        f"{literal(entry.get('destroy'))}; to destroy it, delete the entry and let the plan show it"
                    )
                elif source is not None:
                    removed.append(source)
                continue
            target = _address(entry, "to", at, problems)
            if source is None or target is None:
                continue
            if _resource_type(source) != _resource_type(target):
                problems.append(
                    f"{at}: from {literal(source)} and to {literal(target)} must be the same resource type (or both "
                    "module calls); Terraform moves state between addresses, not between types"
                )
                continue
            if target in targets:
                # Terraform: "Ambiguous move statements" (two objects cannot become one).
                problems.append(
                    f"{at} to: {literal(target)} is already the to of [[moved]] #{targets[target]}; one address can "
                    "take one object: keep the entry of the object that belongs there"
                )
                continue
            targets[target] = number
            moved.append((source, target))
    return tuple(moved), tuple(removed)


def _imports(data: Mapping[str, Any], where: str, problems: list[str]) -> tuple[tuple[str, str], ...]:
    """[[import]] → (to, id) pairs: `to` a resource address (its instance key included), `id` the id AWS gave."""
    entries = data.get("import", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        problems.append(f"{where}: import: must be an array of tables, written [[import]], got {literal(entries)}")
        return ()
    found: list[tuple[str, str]] = []
    targets: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        at = f"{where}: [[import]] #{number}"
        for key in entry:
            if key not in ("to", "id"):
                problems.append(f"{at} {key}: unknown key{_nearest(key, ['to', 'id'])}; allowed: to, id")
        target = _address(entry, "to", at, problems)
        if target is not None and MODULE_ADDRESS.fullmatch(target):
            problems.append(f"{at} to: must name a resource, not a module call, got {literal(target)}")
            target = None
        if target is not None and target in targets:
            problems.append(f"{at} to: {literal(target)} is imported twice")
            target = None
        identity = entry.get("id")
        if not isinstance(identity, str) or not identity.strip():
            problems.append(f"{at} id: must be the id AWS gave the object (such as sgr-0123456789abcdef0), got "
                            f"{literal(identity)}")
            continue
        if target is not None:
            targets.add(target)
            found.append((target, identity))
    return tuple(found)


def _check_move_targets(
    moved: tuple[tuple[str, str], ...], tables: Mapping[str, Any], where: str, problems: list[str]
) -> None:
    """A move into `module.<name>` needs the module block the [<name>] table makes."""
    for number, (_, target) in enumerate(moved, start=1):
        call = re.match(r"module\.([A-Za-z_][A-Za-z0-9_-]*)", target)
        if call and call.group(1) not in tables:
            problems.append(
                f"{where}: [[moved]] to: {literal(target)} names module.{call.group(1)}, but the file has no "
                f"[{call.group(1)}] table"
            )


def _check_import_calls(
    imports: tuple[tuple[str, str], ...], tables: Mapping[str, Any], where: str, problems: list[str]
) -> None:
    """An [[import]] `to` names a resource inside a module call of the stack: the stack declares nothing else.
    Which resources each module declares is known once the modules are synthesized: import_target_problems."""
    for number, (target, _) in enumerate(imports, start=1):
        at = f"{where}: [[import]] #{number} to: {literal(target)}"
        call = re.match(r"module\.([A-Za-z_][A-Za-z0-9_-]*)", target)
        if call is None:
            problems.append(f"{at} is not an address of the stack, which declares module calls only: name a resource "
                            "inside one, such as module.msk.aws_vpc_security_group_ingress_rule.between_brokers[0]")
        elif call.group(1) not in tables:
            problems.append(f"{at} names module.{call.group(1)}, but the file has no [{call.group(1)}] table")


_INSIDE = re.compile(rf'module\.([A-Za-z_][A-Za-z0-9_-]*)\.(.+?)\.([A-Za-z_][A-Za-z0-9_-]*)((?:\[(?:[0-9]+|"[^"\\]*")\])?)')


def import_target_problems(environment: Environment, modules: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Each [[import]] `to` and [[moved]] `to` against the resources its module declares (`modules`: each kind's
    synthesized main.tf.json). An import into a resource block the module does not have, or with an index its
    block does not take, is what Terraform's plan refuses as "Configuration for import target does not exist"; a
    move into a resource the module does not declare is worse: Terraform moves the object there and plans to
    destroy it. (A move's index is not checked: the module's own `moved` blocks may carry it on, this → this[0].)"""
    calls = {call.name: call.kind for call in environment.modules}
    found: list[str] = []
    entries = [("import", number, target) for number, (target, _) in enumerate(environment.imports, start=1)]
    entries += [("moved", number, target) for number, (_, target) in enumerate(environment.moved, start=1)]
    for kind_of_entry, number, target in entries:
        at = f"{environment.source}: [[{kind_of_entry}]] #{number} to: {literal(target)}"
        match = _INSIDE.fullmatch(target)
        if match is None or match.group(1) not in calls:
            continue  # a module call, or refused by the environment check already
        call, type_, name, index = match.groups()
        kind = calls[call]
        blocks = (modules.get(kind) or {}).get("resource", {}).get(type_, {})
        if "." in type_ or name not in blocks:
            names = ", ".join(f"{type_}.{n}" for n in sorted(blocks)) if "." not in type_ else ""
            consequence = "" if kind_of_entry == "import" else "; Terraform would move the object there and destroy it"
            found.append(f"{at}: the {kind} module of [{call}] declares no {type_}.{name}"
                         + (f" (its {type_} resources: {names})" if names else "") + consequence)
            continue
        if kind_of_entry == "moved":
            continue
        block = blocks[name]
        wanted = "[0]" if "count" in block else '["…"]' if "for_each" in block else ""
        given = "" if not index else "[0]" if index[1] != '"' else '["…"]'
        if given != wanted:
            shape = {"[0]": "an index such as [0] (it has count)", '["…"]': 'a key such as ["…"] (it has for_each)',
                     "": "no index (it is a single resource)"}[wanted]
            found.append(f"{at}: {type_}.{name} of the {kind} module takes {shape}")
    return found


def _tags(value: Any, where: str, problems: list[str]) -> dict[str, str]:
    try:
        return map_of(STRING).convert(value)
    except TypeMismatch as err:
        problems.append(f"{where}: [tags] {err.path}: must be {err.expected}, got {literal(err.value)}")
        return {}


# A local backend's state stays in its stack folder, where the tree writer knows it as Terraform's own file
# (tree.is_terraform_file: ".tfstate" in its name) and never removes it: `..` or an absolute path would write the
# state elsewhere (over another stack's, or anywhere on the disk), and any other name would be a file of the tree.
STATE_PATH_RULE = (
    'must be a relative path inside the stack folder, without ".." or "\\", naming a file that ends in .tfstate '
    "(such as terraform.tfstate)"
)


def _state_path_ok(path: str) -> bool:
    parts = path.split("/")
    return (
        not path.startswith("/")
        and "\\" not in path
        and ":" not in path  # a Windows drive, C:...
        and all(part not in ("", ".", "..") for part in parts)
        and not any(ord(c) < 32 or ord(c) == 127 for c in path)
        and parts[-1].endswith(".tfstate")
        and parts[-1] != ".tfstate"
    )


def _backend(value: Any, where: str, problems: list[str]) -> dict[str, Any]:
    kind = value.get("type", "local")
    if not isinstance(kind, str) or kind not in BACKEND_KEYS:
        problems.append(f"{where}: [backend] type: must be one of \"local\", \"s3\", got {literal(kind)}")
        return {"type": "local"}
    allowed = BACKEND_KEYS[kind]
    result: dict[str, Any] = {"type": kind}
    for key, item in value.items():
        if key not in allowed:
            problems.append(
                f"{where}: [backend] {key}: unknown key for type = {literal(kind)}{_nearest(key, list(allowed))}; "
                f"allowed: {', '.join(allowed)}"
            )
        elif allowed[key] is STRING and not isinstance(item, str):
            problems.append(f"{where}: [backend] {key}: must be string, got {literal(item)}")
        elif allowed[key] is None and not isinstance(item, bool):
            problems.append(f"{where}: [backend] {key}: must be bool, got {literal(item)}")
        else:
            result[key] = item
    for key in BACKEND_REQUIRED[kind]:
        if key not in value:
            problems.append(f"{where}: [backend] {key}: is required for type = {literal(kind)}")
    path = result.get("path")
    if kind == "local" and isinstance(path, str) and not _state_path_ok(path):
        problems.append(f"{where}: [backend] path: {STATE_PATH_RULE}, got {literal(path)}")
        del result["path"]
    if kind == "s3":
        # Secure by default: an encrypted state object, locked with S3-native locking (no DynamoDB table needed).
        result.setdefault("encrypt", True)
        result.setdefault("use_lockfile", True)
    return result


def _module_call(
    table: str,
    body: Mapping[str, Any],
    shared: Mapping[str, Any],
    modules: Mapping[str, ModuleDefinition],
    where: str,
    problems: list[str],
    warnings: list[str],
    tables: Mapping[str, Any] | None = None,
    built: Mapping[str, ModuleCall | None] | None = None,
) -> ModuleCall | None:
    at = f"{where}: [{table}]"
    if not TABLE_NAME.fullmatch(table):
        problems.append(f"{at}: the table name must be lowercase letters, digits and underscores (it names a module block)")
        return None
    if "module" in body and not isinstance(body["module"], str):
        problems.append(
            f"{at} module: must be a string naming one of {', '.join(sorted(modules))}, got {literal(body['module'])}"
        )
        return None
    kind = kind_of(table, body, modules)
    if kind not in modules:
        problems.append(
            f"{at}: unknown module kind {literal(kind)}{_nearest(kind, list(modules))}; "
            f"name the table after one of {', '.join(sorted(modules))} (such as {sorted(modules)[0]}_main) "
            "or set module = \"…\""
        )
        return None
    definition = modules[kind]
    inputs = definition.inputs
    given: dict[str, Any] = {}
    references = {r.key: r for r in definition.references}
    wired: list[tuple[str, str, str, bool]] = []
    for key, value in body.items():
        if key == "module":
            continue
        if key in references:
            found = _reference(references[key], value, body, at, modules, tables or {}, built or {}, problems)
            if found is None:
                return None  # reported, or the named table's own problems are
            given[references[key].input], wiring = found
            wired.append(wiring)
            continue
        spec = inputs.by_name.get(key)
        if spec is None:
            problems.append(f"{at} {key}: unknown input of module {kind}{_nearest(key, inputs.names())}")
        elif not spec.secret:  # a secret input was refused by _secret_problems
            given[key] = value
    for key in INHERITED_KEYS:
        if key in inputs.by_name and key not in given and key in shared:
            given[key] = shared[key]
    secrets = tuple(spec.name for spec in inputs.inputs if spec.secret and _secret_wanted(spec, given, inputs))
    values, module_problems = inputs.problems(given, supplied=secrets, context=rules.stack_context(shared.get("region")))
    # A message that names an input a reference set says which key set it: the file never wrote that input.
    said = {input_name: f" ({key} = {literal(body[key])} sets {input_name})"
            for key, (input_name, *_) in zip([k for k in body if k in references], wired)}
    problems.extend(f"{at} {message}" + "".join(note for name, note in said.items() if name in message)
                    for _, message in module_problems)
    if module_problems:
        return None
    warnings.extend(f"{at} {line}" for line in inputs.warnings(values))
    # Switches Terraform must know at plan time (create_kms_key …) follow from the file's literal values.
    given.update(inputs.derived_arguments(given, values))
    wired_inputs = {input_name for input_name, *_ in wired}
    ordered = {name: given[name] for name in inputs.names() if name in given and name not in wired_inputs}
    return ModuleCall(name=table, kind=kind, arguments=ordered, values=values, secrets=secrets,
                      references=tuple(wired))


def _references_of(table: str, body: Mapping[str, Any], modules: Mapping[str, ModuleDefinition]) -> list[str]:
    """The reference keys (ModuleDefinition.references) a table sets."""
    definition = modules.get(kind_of(table, body, modules))
    return [r.key for r in definition.references if r.key in body] if definition else []


def _reference(
    reference: Any,
    value: Any,
    body: Mapping[str, Any],
    at: str,
    modules: Mapping[str, ModuleDefinition],
    tables: Mapping[str, Any],
    built: Mapping[str, ModuleCall | None],
    problems: list[str],
) -> tuple[Any, tuple[str, str, str, bool]] | None:
    """`user_group = "<table>"`: the value the environment check judges the input with (the named call's output as
    known at synth), and the wiring the root writes; None once a problem is reported (or the named table has its
    own)."""
    key, kind = reference.key, reference.kind
    candidates = sorted(t for t, b in tables.items() if kind_of(t, b, modules) == kind)
    if reference.input in body:
        problems.append(f"{at} {key}: must not be set together with {reference.input} ({key} names the table whose "
                        f"{reference.output} sets {reference.input})")
        return None
    if not isinstance(value, str) or value not in candidates:
        named = f"; its {kind} tables: {', '.join(candidates)}" if candidates else f"; it has no {kind} table"
        hint = _nearest(value, candidates) if isinstance(value, str) else ""
        problems.append(f"{at} {key}: must name a [{kind}_…] table of this file (whose {reference.output} sets "
                        f"{reference.input}){named}, got {literal(value)}{hint}")
        return None
    target = built.get(value)
    if target is None:
        return None  # the named table's problems are reported under its own name
    known = modules[kind].known_outputs
    assert known is not None, f"{kind}: a Reference target declares known_outputs"
    output = known(target.values)[reference.output]
    return ([output] if reference.many else output), (reference.input, value, reference.output, reference.many)


def _secret_wanted(spec: Any, given: Mapping[str, Any], inputs: Any) -> bool:
    """A secret tied to a switch (auth_token to transit_encryption_enabled) is passed only while the switch is on,
    and only when the file's values want it at all (Input.secret_wanted: no AUTH token with RBAC)."""
    if spec.secret_wanted is not None and not spec.secret_wanted(given):
        return False
    if spec.secret_only_with is None:
        return True
    switch = spec.secret_only_with
    return given.get(switch, inputs.by_name[switch].default) is True
# TOML can nest without limit; no module input nests more than a few levels.
MAX_DEPTH = 16
# Numbers travel to Terraform through JSON and the jsii bridge (JavaScript doubles): beyond 2^53 an integer is
# silently rounded.
LARGEST_INTEGER = 2**53 - 1


# The CDK toolkit encodes its own placeholders in strings ("${TfToken[TOKEN.1]}", "#{TfToken[…]}") and resolves
# them wherever they appear, including in a literal from a file: a tag could then take the value of any internal
# token, or fail the synth. No escaping survives that, so such a string is refused.
TOOLKIT_TOKEN = "TfToken["
TOKEN_RULE = 'contains "TfToken[", which the CDK toolkit reads as one of its placeholders; remove it'
# No input, tag (128) or parameter has a longer name: a longer key is refused before a message repeats it.
MAX_KEY = 256
KEY_RULE = f"a key longer than {MAX_KEY} characters; no input, tag or parameter has a name that long"


def _unsupported_values(data: Mapping[str, Any], where: str) -> list[str]:
    """Values TOML allows and Terraform cannot take, anywhere in the file: dates and times, NaN and infinities,
    integers that would be rounded, nesting deeper than MAX_DEPTH. Under a secret-looking key nothing is
    reported here (the secret check refuses it without quoting it)."""
    found: list[str] = []

    def visit(value: Any, label: str, path: str, depth: int) -> None:
        if depth > MAX_DEPTH:
            found.append(f"{label} {path}: nested more than {MAX_DEPTH} levels deep")
        elif isinstance(value, dict):
            for key, item in value.items():
                where = f"{path}.{key}" if path else key
                if len(key) > MAX_KEY:
                    found.append(f"{label} {clip(where)}: {KEY_RULE}")
                elif TOOLKIT_TOKEN in key:
                    found.append(f"{label} {where}: the key {TOKEN_RULE}")
                elif not secrets.is_secret_name(key):
                    visit(item, label, where, depth + 1)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                visit(item, label, f"{path}[{index}]", depth + 1)
        elif isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
            found.append(
                f"{label} {path}: TOML dates and times are not supported (Terraform has no such type); write it as "
                f"a quoted string, got {value.isoformat()}"
            )
        elif isinstance(value, float) and not math.isfinite(value):
            found.append(f"{label} {path}: must be a finite number, got {value}")
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) > LARGEST_INTEGER:
            # Also keeps out the huge negative doubles the toolkit uses to encode number tokens.
            found.append(
                f"{label} {path}: must be at most {LARGEST_INTEGER} in size (a larger number is rounded on its way "
                f"to Terraform), got {clip(str(value))}"
            )
        elif isinstance(value, str) and TOOLKIT_TOKEN in value:
            found.append(f"{label} {path}: the value {TOKEN_RULE}")

    for key, value in data.items():
        if len(key) > MAX_KEY:
            found.append(f"{where}: {f'[{clip(key)}]' if isinstance(value, dict) else clip(key)}: {KEY_RULE}")
            continue
        if secrets.is_secret_name(key):
            continue
        if isinstance(value, dict):
            for name, item in value.items():
                if len(name) > MAX_KEY:
                    found.append(f"{where}: [{key}] {clip(name)}: {KEY_RULE}")
                elif TOOLKIT_TOKEN in name:
                    found.append(f"{where}: [{key}] {name}: the key {TOKEN_RULE}")
                elif not secrets.is_secret_name(name):
                    visit(item, f"{where}: [{key}]", name, 2)
        else:
            visit(value, f"{where}:", key, 1)
    return found


def _collisions(calls: list[ModuleCall], modules: Mapping[str, ModuleDefinition], where: str) -> list[str]:
    """Names the root stack generates beside the tables' own: the provider `aws` and the backend, one root
    variable per secret input (`<table>_<input>`), one output per re-exported module output (`<table>_<output>`).
    Module blocks and variables share the toolkit's construct namespace, outputs share Terraform's."""
    found: list[str] = []
    taken: dict[str, str] = {name: f"the stack's {what}" for name, what in GENERATED_NAMES.items()}
    for call in calls:
        for name in call.secrets:
            variable = secret_variable(call.name, name)
            taken.setdefault(variable, f"the root variable {variable} that [{call.name}] generates for its {name}")
    for call in calls:
        if call.name in taken:
            found.append(f"{where}: [{call.name}]: the table's name collides with {taken[call.name]}; rename the table")
    outputs: dict[str, str] = {}
    for call in calls:
        for name in modules[call.kind].exported:
            output = f"{call.name}_{name}"
            if output in outputs:
                found.append(
                    f"{where}: [{call.name}]: its output {output} (module output {name}) collides with the one of "
                    f"[{outputs[output]}]; rename one of the two tables"
                )
            else:
                outputs[output] = call.name
    return found


SECRET_RULE = "looks like a secret; secrets never go in an environment file: remove it (its value is not shown)"


def _secrets_in(value: Any, label: str, path: str) -> list[str]:
    """Secret-looking keys (generator.language.secrets) and secret-looking strings at any depth of a value."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else key
            if isinstance(key, str) and secrets.is_secret_name(key):
                found.append(f"{label} {where}: {SECRET_RULE}")
            else:
                found.extend(_secrets_in(item, label, where))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(_secrets_in(item, label, f"{path}[{index}]"))
    elif isinstance(value, str):
        what = secrets.secret_pattern(value)
        if what:
            found.append(f"{label} {path}: holds {what}; secrets never go in an environment file: remove it (its value is not shown)")
    return found


def _secret_problems(data: Mapping[str, Any], modules: Mapping[str, ModuleDefinition], where: str) -> list[str]:
    """Every secret an environment file names, without ever quoting its value: a module's secret input, a
    secret-looking key anywhere (tags, parameters, server_properties, any map), a secret-bearing engine
    parameter, a string that is a key on its face."""
    found: list[str] = []
    for key, value in data.items():
        if not isinstance(value, dict):
            if secrets.is_secret_name(key):
                found.append(f"{where}: {key}: {SECRET_RULE}")
            else:
                found.extend(_secrets_in(value, f"{where}:", key))
            continue
        if key in RESERVED_TABLES:
            found.extend(_secrets_in(value, f"{where}: [{key}]", ""))
            continue
        definition = modules.get(kind_of(key, value, modules))
        declared = definition.inputs.by_name if definition else {}
        for name, item in value.items():
            spec = declared.get(name)
            if spec is not None and spec.secret:
                variable = secret_variable(key, name)
                found.append(
                    f"{where}: [{key}] {name}: secrets never go in an environment file; remove it and supply it when "
                    f"you apply, as the sensitive root variable {variable} (export TF_VAR_{variable}=…)"
                )
            elif spec is None and name != "module" and secrets.is_secret_name(name):
                found.append(f"{where}: [{key}] {name}: {SECRET_RULE}")
            else:
                found.extend(_secrets_in(item, f"{where}: [{key}]", name))
    return found


def load_all(paths: list[tuple[Path, str]], modules: Mapping[str, ModuleDefinition]) -> list[Environment]:
    """Load every file, reporting the problems of all of them together."""
    environments: list[Environment] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for path, display in paths:
        if path.stem in seen:
            problems.append(f"{display}: names the environment {path.stem!r}, as {seen[path.stem]} does")
            continue
        seen[path.stem] = display
        try:
            environments.append(load(path, modules, display))
        except InputError as err:
            problems.extend(err.problems)
    if problems:
        raise InputError(problems)
    return environments
