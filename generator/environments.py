"""Environment files: `environments/<env>.toml` → a root configuration of module calls.

The file is data a reviewer reads. Its shape:

    name_prefix = "mapzip-dev-"        # top level: name_prefix, region, vpc_id, subnet_ids
    region = "ap-northeast-2"
    [tags]                             # the provider's default tags
    [backend]                          # type = "local" (default) or "s3" with bucket, key, region, use_lockfile
    [elasticache_auth]                 # any other table: one module block, named by the table
    cluster_name = "auth"

A table's kind is its `module` key, else the word before the first `_` of its name. Its other keys are exactly that
module's input names, checked against the modules' own input declarations; top-level name_prefix, vpc_id and
subnet_ids go to every module that takes them unless the table sets its own. Every problem is reported, each as
`environments/dev.toml: [msk] number_of_broker_nodes: must be …, got 4`.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from generator.inputs import InputError
from generator.module import ModuleDefinition
from generator.types import STRING, TypeMismatch, list_of, literal, map_of

RESERVED_TABLES = ("tags", "backend")
SHARED_KEYS = {"name_prefix": STRING, "region": STRING, "vpc_id": STRING, "subnet_ids": list_of(STRING)}
REQUIRED_SHARED_KEYS = ("name_prefix", "region")
INHERITED_KEYS = ("name_prefix", "vpc_id", "subnet_ids")
REGION = re.compile(r"[a-z]{2}(-gov)?-[a-z]+-[0-9]")
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


@dataclass(frozen=True)
class Environment:
    name: str
    source: str  # the file as the user named it, for messages
    region: str
    tags: dict[str, str]
    backend: dict[str, Any]
    modules: tuple[ModuleCall, ...]
    warnings: tuple[str, ...] = field(default=())


def _nearest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def _kind(table: str, body: Mapping[str, Any]) -> str:
    explicit = body.get("module")
    return explicit if isinstance(explicit, str) else table.split("_", 1)[0]


def secret_variable(call_name: str, input_name: str) -> str:
    return f"{call_name}_{input_name}"


def load(path: Path, modules: Mapping[str, ModuleDefinition], display: str | None = None) -> Environment:
    """Read and check one environment file; raises InputError with every problem found."""
    where = display or path.as_posix()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError([f"{where}: no such file"]) from None
    except (OSError, UnicodeDecodeError) as err:
        raise InputError([f"{where}: cannot be read: {err}"]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        # tomllib's message carries the line and column: "Expected '=' … (at line 3, column 7)".
        raise InputError([f"{where}: invalid TOML: {err}"]) from None

    problems: list[str] = []
    shared: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
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

    tags = _tags(data.get("tags", {}), where, problems)
    backend = _backend(data.get("backend", {"type": "local"}), where, problems)

    calls: list[ModuleCall] = []
    warnings: list[str] = []
    tables = {k: v for k, v in data.items() if isinstance(v, dict) and k not in RESERVED_TABLES}
    if not tables:
        problems.append(f"{where}: no module tables: add one, such as [dynamodb], for each module block")
    for table, body in tables.items():
        call = _module_call(table, body, shared, modules, where, problems, warnings)
        if call is not None:
            calls.append(call)
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
    )


def _tags(value: Any, where: str, problems: list[str]) -> dict[str, str]:
    try:
        return map_of(STRING).convert(value)
    except TypeMismatch as err:
        problems.append(f"{where}: [tags] {err.path}: must be {err.expected}, got {literal(err.value)}")
        return {}


def _backend(value: Any, where: str, problems: list[str]) -> dict[str, Any]:
    kind = value.get("type", "local")
    if kind not in BACKEND_KEYS:
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
) -> ModuleCall | None:
    at = f"{where}: [{table}]"
    if not TABLE_NAME.fullmatch(table):
        problems.append(f"{at}: the table name must be lowercase letters, digits and underscores (it names a module block)")
        return None
    kind = _kind(table, body)
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
    for key, value in body.items():
        if key == "module":
            continue
        spec = inputs.by_name.get(key)
        if spec is None:
            problems.append(f"{at} {key}: unknown input of module {kind}{_nearest(key, inputs.names())}")
        elif spec.secret:
            variable = secret_variable(table, key)
            problems.append(
                f"{at} {key}: secrets never go in an environment file; remove it and supply it when you apply, as "
                f"the sensitive root variable {variable} (export TF_VAR_{variable}=…)"
            )
        else:
            given[key] = value
    for key in INHERITED_KEYS:
        if key in inputs.by_name and key not in given and key in shared:
            given[key] = shared[key]
    secrets = tuple(spec.name for spec in inputs.inputs if spec.secret)
    values, module_problems = inputs.problems(given, supplied=secrets)
    problems.extend(f"{at} {message}" for _, message in module_problems)
    if module_problems:
        return None
    warnings.extend(f"{at} {line}" for line in inputs.warnings(values))
    # Switches Terraform must know at plan time (create_kms_key …) follow from the file's literal values.
    given.update(inputs.derived_arguments(given, values))
    ordered = {name: given[name] for name in inputs.names() if name in given}
    return ModuleCall(name=table, kind=kind, arguments=ordered, values=values, secrets=secrets)


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
