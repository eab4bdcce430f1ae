"""How a module's resources reach its inputs and locals, checked when the module is built.

Terraform reports a misspelled `var.`/`local.` reference only at `terraform validate`, long after the generator
wrote the module. Two things here catch it at synth, naming the module and the name:

- `InputRefs`: handles on one module's inputs. `inputs.hash_key` is the HCL `var.hash_key`, and
  `inputs.ref("hash_key")` the template `${var.hash_key}`, each only if the module declares `hash_key`
  (WiringError otherwise, with the closest declared name). Shared pieces (modules/shared) take the caller's
  handles as a parameter, so a module that calls one without declaring the inputs it needs fails at that call.
- `unresolved_references`: every `var.NAME`, `local.NAME` and AWS resource or data source that the module's JSON
  (resources, data sources, locals, outputs, variable validations) reads, against what it declares.
  generator.model.module.add_module_stack runs it on every module as it is built, so the expressions still written as
  text are checked too.

Pure Python: no cdktf, no Node (generator.cdk hands over the stack's JSON).
"""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping

from generator.language import expr

if TYPE_CHECKING:
    from generator.language.inputs import InputSet


class WiringError(Exception):
    """A module's definition reads an input, local or resource it does not declare: a bug in the module, found at
    synth. One line per unresolved reference."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


def _did_you_mean(name: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(candidates), n=1)
    return f" (did you mean {close[0]}?)" if close else ""


class InputRefs:
    """Handles on the inputs of one module: `refs.NAME` is `var.NAME` (HCL, without "${}") and `refs.ref(NAME)` is
    `${var.NAME}`, once NAME is known to be an input of the module."""

    def __init__(self, module: str, names: Iterable[str]):
        self._module = module
        self._names = frozenset(names)
        # `refs.ref` is the method: an input of that name would be unreachable as an attribute.
        assert "ref" not in self._names, f"modules/{module}: an input named ref hides InputRefs.ref"

    @classmethod
    def of(cls, module: str, inputs: InputSet) -> InputRefs:
        """The handles of a generator.language.inputs.InputSet."""
        return cls(module, inputs.names())

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):  # Python's own protocol lookups (copy, pickle, __deepcopy__...)
            raise AttributeError(name)
        if name not in self._names:
            raise WiringError([f"{module_of(self)}: no input named {name}{_did_you_mean(name, self._names)}"])
        return expr.var(name).hcl()

    def ref(self, name: str) -> str:
        """The template `${var.NAME}`: an attribute's whole value."""
        return "${" + getattr(self, name) + "}"


def module_of(inputs: InputRefs) -> str:
    """`modules/<name>`, for messages about the module whose handles these are (a function, not an attribute:
    every attribute name of InputRefs is an input's)."""
    return f"modules/{inputs._module}"


# --- Reading the references of synthesized Terraform JSON ---------------------------------------------------------
# In Terraform JSON every string is a template: expressions sit in `${…}` (and directives in `%{…}`), `$${` and
# `%%{` are literal text. Only the expressions are read: a description that mentions "var.x" in prose is no reference.
_REFERENCE = re.compile(r"(var|local)\.([A-Za-z_][A-Za-z0-9_-]*)")
# A resource (`aws_kms_key.this`) or data source (`data.aws_region.current`) of the AWS provider, the only one the
# modules use.
_RESOURCE = re.compile(r"(data\.)?(aws_[a-z0-9_]+)\.([A-Za-z_][A-Za-z0-9_-]*)")
_IDENTIFIER = re.compile(r"[A-Za-z0-9_.\-\]]")


def template_references(template: str) -> Iterator[tuple[str, str]]:
    """(kind, name) of each `var.NAME` / `local.NAME` read by the expressions of a Terraform JSON string, and of
    each AWS resource (kind "resource", name "aws_x.y") or data source (kind "data", name "aws_x.y")."""
    yield from _scan_template(template, 0, None)[0]


def _scan_template(text: str, i: int, closing: str | None) -> tuple[list[tuple[str, str]], int]:
    """Template text from i up to `closing` (a quote, or None for the end); returns its references and the index
    after the closing quote."""
    found: list[tuple[str, str]] = []
    while i < len(text):
        char = text[i]
        if closing is not None and char == "\\":
            i += 2
            continue
        if closing is not None and char == closing:
            return found, i + 1
        if text.startswith(("$${", "%%{"), i):
            i += 3
            continue
        if text.startswith(("${", "%{"), i):
            inner, i = _scan_expression(text, i + 2)
            found += inner
            continue
        i += 1
    return found, i


def _scan_expression(text: str, i: int) -> tuple[list[tuple[str, str]], int]:
    """An expression from i up to its closing brace; returns its references and the index after the brace."""
    found: list[tuple[str, str]] = []
    depth = 0
    while i < len(text):
        char = text[i]
        if char == '"':
            inner, i = _scan_template(text, i + 1, '"')
            found += inner
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return found, i + 1
            depth -= 1
        elif char.isalpha() or char == "_":
            if i == 0 or not _IDENTIFIER.match(text[i - 1]):
                match = _REFERENCE.match(text, i)
                if match:
                    found.append((match.group(1), match.group(2)))
                elif match := _RESOURCE.match(text, i):
                    kind = "data" if match.group(1) else "resource"
                    found.append((kind, f"{match.group(2)}.{match.group(3)}"))
            # Skip the whole identifier (and its attribute path) so that `each.value.var.x` reads nothing.
            while i < len(text) and _IDENTIFIER.match(text[i]):
                i += 1
            continue
        i += 1
    return found, i


def strings(value: Any) -> Iterator[str]:
    """Every string of a JSON value, map keys included (Terraform JSON reads both as templates)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from strings(key)
            yield from strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from strings(item)


def _readers(document: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """(what reads, its JSON) for each block of a module whose expressions may read inputs or locals."""
    for kind in ("resource", "data"):
        for type_name, named in (document.get(kind) or {}).items():
            for name, body in named.items():
                yield (f"data.{type_name}.{name}" if kind == "data" else f"{type_name}.{name}"), body
    for name, value in (document.get("locals") or {}).items():
        yield f"local.{name}", value
    for name, body in (document.get("output") or {}).items():
        yield f"output {name}", body.get("value")
    for name, body in (document.get("variable") or {}).items():
        yield f"variable {name}", body.get("validation")


def unresolved_references(module: str, document: Mapping[str, Any]) -> list[str]:
    """One line per `var.NAME`, `local.NAME`, resource or data source that the module's JSON reads and does not
    declare, in the order of the document, each naming the module, the reader and the name, with the closest
    declared name."""
    declared = {
        "var": set(document.get("variable") or {}),
        "local": set(document.get("locals") or {}),
        "resource": {f"{t}.{n}" for t, named in (document.get("resource") or {}).items() for n in named},
        "data": {f"{t}.{n}" for t, named in (document.get("data") or {}).items() for n in named},
    }
    what = {"var": "an input", "local": "a local", "resource": "a resource of the module",
            "data": "a data source of the module"}
    prefix = {"var": "var.", "local": "local.", "resource": "", "data": "data."}
    problems: list[str] = []
    for reader, body in _readers(document):
        for text in strings(body):
            for kind, name in template_references(text):
                if name in declared[kind]:
                    continue
                line = (
                    f"modules/{module}: {reader} reads {prefix[kind]}{name}, which is not {what[kind]}"
                    f"{_did_you_mean(name, declared[kind])}"
                )
                if line not in problems:
                    problems.append(line)
    return problems
