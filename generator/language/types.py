"""Terraform type constraints, as data.

One value of these classes gives three things: the `type` string of a `variable` block, the check of a value
that arrives from an environment file (TOML) before it is written into a module block, and the README's type
column. Values are checked the way Terraform converts them: a missing `optional()` attribute becomes its default,
an unknown attribute is an error (Terraform would drop it silently, which hides typos).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


class TypeMismatch(Exception):
    """A value does not fit a type; `path` locates it inside the value (`[0].name`)."""

    def __init__(self, path: str, expected: str, value: Any):
        self.path = path
        self.expected = expected
        self.value = value
        super().__init__(f"{path}: expected {expected}, got {literal(value)}")


# How much of a user's value an error message repeats: enough to read a list of objects with their defaults filled
# in, never a 10 MB line.
MAX_SHOWN = 1000


def exact(value: Any) -> str:
    """A value as a reader of Terraform or TOML would write it, whole: for documentation and comparisons."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(", ", ": "))


def clip(text: str) -> str:
    """Text a message repeats from the user (a value, a key), cut to MAX_SHOWN characters with its length said."""
    if len(text) <= MAX_SHOWN:
        return text
    return f"{text[:MAX_SHOWN]}… ({len(text) - MAX_SHOWN} more characters)"


def literal(value: Any) -> str:
    """A value as a reader of Terraform or TOML would write it, for messages: the one helper every message that
    quotes a user's value goes through, so none repeats more than MAX_SHOWN characters of it."""
    return clip(exact(value))


class TfType:
    def hcl(self) -> str:
        raise NotImplementedError

    def convert(self, value: Any, path: str = "") -> Any:
        """Return the value as Terraform would see it, or raise TypeMismatch."""
        raise NotImplementedError

    def __str__(self) -> str:
        return self.hcl()


@dataclass(frozen=True)
class _Primitive(TfType):
    name: str

    def hcl(self) -> str:
        return self.name

    def convert(self, value: Any, path: str = "") -> Any:
        if value is None:
            return None
        ok = {
            "string": isinstance(value, str),
            # bool is an int in Python; Terraform keeps them apart.
            "number": isinstance(value, (int, float)) and not isinstance(value, bool),
            "bool": isinstance(value, bool),
        }[self.name]
        if not ok:
            raise TypeMismatch(path, self.name, value)
        return value


STRING = _Primitive("string")
NUMBER = _Primitive("number")
BOOL = _Primitive("bool")


@dataclass(frozen=True)
class _Collection(TfType):
    kind: str  # list | map
    element: TfType

    def hcl(self) -> str:
        return f"{self.kind}({self.element.hcl()})"

    def convert(self, value: Any, path: str = "") -> Any:
        if value is None:
            return None
        if self.kind == "map":
            if not isinstance(value, dict):
                raise TypeMismatch(path, self.hcl(), value)
            return {k: self.element.convert(v, f"{path}.{k}" if path else k) for k, v in value.items()}
        if not isinstance(value, list):
            raise TypeMismatch(path, self.hcl(), value)
        return [self.element.convert(v, f"{path}[{i}]") for i, v in enumerate(value)]


def list_of(element: TfType) -> TfType:
    return _Collection("list", element)


def map_of(element: TfType) -> TfType:
    return _Collection("map", element)


@dataclass(frozen=True)
class Attr:
    """One attribute of an object type; `optional` attributes may be left out by the caller."""

    type: TfType
    optional: bool = False
    default: Any = None


@dataclass(frozen=True)
class _Object(TfType):
    attrs: tuple[tuple[str, Attr], ...] = field(default_factory=tuple)

    def hcl(self) -> str:
        parts = []
        for name, attr in self.attrs:
            if not attr.optional:
                parts.append(f"{name} = {attr.type.hcl()}")
            elif attr.default is None:
                parts.append(f"{name} = optional({attr.type.hcl()})")
            else:
                parts.append(f"{name} = optional({attr.type.hcl()}, {exact(attr.default)})")
        return "object({" + ", ".join(parts) + "})"

    def convert(self, value: Any, path: str = "") -> Any:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise TypeMismatch(path, "an object", value)
        known = dict(self.attrs)
        for key in value:
            if key not in known:
                raise TypeMismatch(
                    f"{path}.{key}" if path else key, "no such attribute (one of " + ", ".join(known) + ")", value[key]
                )
        result = {}
        for name, attr in self.attrs:
            where = f"{path}.{name}" if path else name
            if name not in value:
                if not attr.optional:
                    raise TypeMismatch(where, f"a required {attr.type.hcl()}", None)
                result[name] = attr.default
            else:
                result[name] = attr.type.convert(value[name], where)
        return result


def object_of(**attrs: Attr | TfType) -> TfType:
    return _Object(tuple((name, a if isinstance(a, Attr) else Attr(a)) for name, a in attrs.items()))


def optional(type_: TfType, default: Any = None) -> Attr:
    return Attr(type_, optional=True, default=default)
