"""Reading `terraform show -json` output for `--adopt`: its shape checked once, at the entry.

Whatever the adopter reads is declared here as a shape (an object with these keys, an array of those, a string, a
whole number); `read` checks a document against it and returns a copy that holds only what was declared, so an
attribute the adopter reads is either there with its declared type or reported, as one line naming the file and
the JSON path, before anything is adopted. A key no shape declares is not in the copy: the adopter cannot read what
was not checked.

The state also says which values are sensitive (`sensitive_values`): their strings are collected, so that what the
adopter would write or print can be held against them (generator.commands.adopt).
"""

from __future__ import annotations

import json
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

from generator.language.inputs import InputError

_MISSING = object()


class Wrong(Exception):
    """A value of the state that is not what its shape says: `path` is where, `problem` what."""

    def __init__(self, path: tuple[str | int, ...], problem: str, address: str | None = None):
        self.path = path
        self.problem = problem
        self.address = address  # the resource the value belongs to, once known
        super().__init__(problem)

    def line(self, display: str) -> str:
        where = json_path(self.path) + (f" ({self.address})" if self.address else "")
        return f"{display}: {where}: {self.problem}"


def json_path(path: tuple[str | int, ...]) -> str:
    shown = ""
    for part in path:
        shown += f"[{part}]" if isinstance(part, int) else (f".{part}" if shown else part)
    return shown or "the document"


def kind(value: Any) -> str:
    """What a JSON value is, in words (never the value itself: it could be a secret)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


class Shape:
    expected = ""

    def read(self, value: Any, path: tuple[str | int, ...]) -> Any:
        raise NotImplementedError

    def wrong(self, value: Any, path: tuple[str | int, ...]) -> Wrong:
        return Wrong(path, f"must be {self.expected}, got {kind(value)}")


class Scalar(Shape):
    def __init__(self, expected: str, test: Callable[[Any], bool]):
        self.expected = expected
        self.test = test

    def read(self, value: Any, path: tuple[str | int, ...]) -> Any:
        if not self.test(value):
            raise self.wrong(value, path)
        return value


STRING = Scalar("a string", lambda v: isinstance(v, str))
INTEGER = Scalar("a whole number", lambda v: isinstance(v, int) and not isinstance(v, bool))
BOOLEAN = Scalar("true or false", lambda v: isinstance(v, bool))
# The provider keeps some tri-state booleans as strings.
BOOLEAN_OR_STRING = Scalar('true or false (or "true", "false")', lambda v: isinstance(v, bool) or v in ("true", "false"))


class ListOf(Shape):
    def __init__(self, item: Shape, at_least: int = 0):
        self.item = item
        self.at_least = at_least
        self.expected = "an array" if not at_least else f"an array of at least {at_least} item(s)"

    def read(self, value: Any, path: tuple[str | int, ...]) -> Any:
        if not isinstance(value, list) or len(value) < self.at_least:
            raise self.wrong(value, path)
        return [self.item.read(item, (*path, index)) for index, item in enumerate(value)]


class MapOf(Shape):
    expected = "an object"

    def __init__(self, value: Shape):
        self.value = value

    def read(self, value: Any, path: tuple[str | int, ...]) -> Any:
        if not isinstance(value, dict):
            raise self.wrong(value, path)
        return {key: self.value.read(item, (*path, key)) for key, item in value.items()}


class Object(Shape):
    """An object with these keys: `name` must be there (and not null), `name?` may be missing or null (then it is
    left out of the copy, so that `.get(name, default)` gives the default). Other keys are left out."""

    expected = "an object"

    def __init__(self, fields: Mapping[str, Shape]):
        self.fields = {name.rstrip("?"): (shape, name.endswith("?")) for name, shape in fields.items()}

    def read(self, value: Any, path: tuple[str | int, ...]) -> Any:
        if not isinstance(value, dict):
            raise self.wrong(value, path)
        copy: dict[str, Any] = {}
        for name, (shape, optional) in self.fields.items():
            item = value.get(name, _MISSING)
            if item is _MISSING or item is None:
                if optional:
                    continue
                raise Wrong((*path, name), "is missing" if item is _MISSING else f"must be {shape.expected}, got null")
            copy[name] = shape.read(item, (*path, name))
        return copy


class Lenient(Shape):
    """An object of which only the keys whose value has the shape are kept: what is read of resources no adopter
    reads (a name or an id to say what is forgotten), from any provider."""

    expected = "an object"

    def __init__(self, fields: Mapping[str, Shape]):
        self.fields = fields

    def read(self, value: Any, path: tuple[str | int, ...]) -> Any:
        if not isinstance(value, dict):
            raise self.wrong(value, path)
        copy = {}
        for name, shape in self.fields.items():
            try:
                copy[name] = shape.read(value[name], (*path, name))
            except (KeyError, Wrong):
                continue
        return copy


def objects(**fields: Shape) -> ListOf:
    """A block of the provider's schema as the state holds it: an array of objects."""
    return ListOf(Object(fields))


# --- the document --------------------------------------------------------------------------------------------------


@dataclass
class State:
    # {"address", "type", "provider_name", "values"}: values hold only what the resource type's shape declares
    resources: list[dict[str, Any]]
    sensitive: frozenset[str]  # every string the state marks sensitive


def read_text(path: Path, display: str, named: str = "the file terraform show -json wrote") -> str:
    """The file's text, or InputError: missing, a folder, not a regular file (a FIFO would block, /dev/zero never
    end), not UTF-8. `named`: what the user should name instead."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise InputError([f"{display}: no such file (write it with: terraform show -json > {display})"]) from None
    except OSError as err:
        raise InputError([f"{display}: cannot be read: {err.strerror or err}"]) from None
    if stat.S_ISDIR(mode):
        raise InputError([f"{display}: is a folder; name {named}"])
    if not stat.S_ISREG(mode):
        raise InputError([f"{display}: is not a regular file; name {named}"])
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        raise InputError([f"{display}: cannot be read: not UTF-8 text (byte {err.start})"]) from None
    except OSError as err:
        raise InputError([f"{display}: cannot be read: {err.strerror or err}"]) from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


def parse(text: str, display: str) -> Any:
    hint = f"write it with: terraform show -json > {display}"
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as err:
        raise InputError([f"{display}: not JSON ({err.msg} at line {err.lineno}, column {err.colno}); {hint}"]) from None
    except RecursionError:
        raise InputError([f"{display}: not the output of terraform show -json (arrays or objects nested too deeply "
                          f"to read); {hint}"]) from None
    except ValueError as err:
        # A NaN or Infinity, or an integer of more digits than Python converts (4300): neither is in Terraform's JSON.
        reason = str(err) if "JSON value" in str(err) else "an integer too long to read"
        raise InputError([f"{display}: not JSON ({reason}); {hint}"]) from None


def resources(
    document: Mapping[str, Any], display: str, shapes: Mapping[str, Shape], provider: str, unknown: Shape,
    foreign: Shape,
) -> State:
    """The managed resources of every module of `document` (a `terraform show -json` object), each one's values
    read through `shapes[type]`; a type without a shape through `unknown` for `provider`'s resources and `foreign`
    for other providers'."""
    from generator.config.environments import RESOURCE_ADDRESS

    found: list[dict[str, Any]] = []
    sensitive: set[str] = set()
    try:
        values = document.get("values")
        if values is None:
            return State([], frozenset())
        if not isinstance(values, dict):
            raise Wrong(("values",), f"must be an object, got {kind(values)}")
        root = values.get("root_module")
        if root is None:
            return State([], frozenset())
        pending: list[tuple[Any, tuple[str | int, ...]]] = [(root, ("values", "root_module"))]
        while pending:  # iteratively: child modules may nest as deep as the JSON parser allows
            module, path = pending.pop()
            if not isinstance(module, dict):
                raise Wrong(path, f"must be an object (a module), got {kind(module)}")
            for key in ("resources", "child_modules"):
                if not isinstance(module.get(key, []), list):
                    raise Wrong((*path, key), f"must be an array, got {kind(module[key])}")
            for index, resource in enumerate(module.get("resources", [])):
                at = (*path, "resources", index)
                read = _resource(resource, at, shapes, provider, unknown, foreign, RESOURCE_ADDRESS.fullmatch)
                if read is not None:
                    found.append(read)
                    sensitive.update(_sensitive_strings(resource["values"], resource.get("sensitive_values")))
            children = module.get("child_modules", [])
            pending.extend(reversed([(child, (*path, "child_modules", i)) for i, child in enumerate(children)]))
    except Wrong as err:
        raise InputError([err.line(display)]) from None
    return State(found, frozenset(s for s in sensitive if s))


def _resource(
    resource: Any,
    at: tuple[str | int, ...],
    shapes: Mapping[str, Shape],
    provider: str,
    unknown: Shape,
    foreign: Shape,
    is_address: Callable[[str], Any],
) -> dict[str, Any] | None:
    if not isinstance(resource, dict):
        raise Wrong(at, f"must be an object (a resource), got {kind(resource)}")
    head = Object({"address": STRING, "mode": STRING}).read(resource, at)
    if head["mode"] != "managed":
        return None  # data sources: nothing to adopt
    head = Object({"address": STRING, "type": STRING, "provider_name": STRING}).read(resource, at)
    if not is_address(head["address"]):
        raise Wrong((*at, "address"), "must be a resource address such as module.cache.aws_elasticache_replication_group.this")
    shape = shapes.get(head["type"]) or (unknown if head["provider_name"] == provider else foreign)
    try:
        values = Object({"values": shape}).read(resource, at)["values"]
    except Wrong as err:
        raise Wrong(err.path, err.problem, head["address"]) from None
    return {"address": head["address"], "type": head["type"], "provider_name": head["provider_name"], "values": values}


def _sensitive_strings(values: Any, marks: Any) -> Iterator[str]:
    """The strings of `values` that `marks` (the resource's sensitive_values, the same structure with true where a
    value is sensitive) marks; iteratively, and whatever `marks` holds."""
    pending = [(values, marks)]
    while pending:
        value, mark = pending.pop()
        if mark is True:
            pending.extend((item, True) for item in _children(value))
            if isinstance(value, str):
                yield value
        elif isinstance(mark, dict) and isinstance(value, dict):
            pending.extend((value[key], item) for key, item in mark.items() if key in value)
        elif isinstance(mark, list) and isinstance(value, list):
            pending.extend(zip(value, mark))


def _children(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, list):
        return list(value)
    return []
