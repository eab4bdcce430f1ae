"""The module contract: what every module folder must hold, checked without Terraform and without a synth (on the
module's definition and its committed generated JSON). tests/test_contract.py runs it on every discovered module
and on the tests' own example module.

1. Its kind is usable from an environment file: a valid table name, not one the file reserves, and both
   [<kind>] and [<kind>_<name>] resolve to it among all the kinds (generator.config.environments.kind_of).
2. Every input is documented (DESCRIPTION_RULE): a description that is a sentence; an input with a default
   other than null is documented by that default, which its variable block must declare (the README's Default
   column shows it); an input whose default is null says what null does, in words NULL_BEHAVIOUR recognizes.
3. Every `var.X` and `local.Y` that an expression of the module's JSON reads is declared by the module (a variable
   block, a `locals` entry): Terraform would refuse the module at validate, this says so without Terraform.
4. Its declaration holds what the tests need to call it without knowing it by name (declaration_problems): an
   example for every required input, an example call (ModuleDefinition.example_call) its own checks accept, and
   `longest_names` (inputs only) whose call they accept too, where one character more on any name is refused.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Iterator, Mapping

from generator.model import wiring
from generator.model.discovery import KIND, RESERVED_KINDS
from generator.config.environments import kind_of
from generator.language.inputs import Input
from generator.model.module import ModuleDefinition

DESCRIPTION_RULE = (
    "a description ending with \".\"; with default null, it says what null does (\"Default: …\", \"Without …\", "
    "\"… instead of …\", \"Setting it …\", \"null …\", \"none\")"
)
# How a description says what the module does when the input is null. A description of a null-default input must
# match one of these: "Default: a key the module creates", "Without one, any client …", "deliver … instead of the
# module's log group", "Setting it turns cluster mode on", "null keeps …", "Default: none".
NULL_BEHAVIOUR = re.compile(
    r"\bDefault\b|\bdefault\b|\bnull\b|\b[Ww]ithout\b|\binstead of\b|\b[Ss]etting it\b|\b[Nn]one\b|\bleft out\b"
    r"|\bleaving (?:it|the input) out\b"
)
# An expression's reference to an input or a local value (not `each.value.var.x`, not `data.local_file`).


def kind_problems(kind: str, kinds: Iterable[str]) -> list[str]:
    """Why [<kind>] or [<kind>_main] in an environment file would not reach the module `kind`."""
    kinds = list(kinds)
    if not KIND.fullmatch(kind) or kind in RESERVED_KINDS:
        return [f"{kind}: the kind must be a table name (lowercase letters, digits, \"_\") and none of "
                f"{', '.join(RESERVED_KINDS)}"]
    found = []
    for table in (kind, f"{kind}_main"):
        reached = kind_of(table, {}, kinds)
        if reached != kind:
            found.append(f"{kind}: the table [{table}] reaches the module {reached!r}, not {kind!r}")
    return found


def description_problems(kind: str, inputs: Iterable[Input], variables: Mapping[str, Any]) -> list[str]:
    """Each input whose description breaks DESCRIPTION_RULE, or whose default its variable block does not declare
    (`variables`: the `variable` object of the module's variables.tf.json)."""
    found = []
    for spec in inputs:
        at = f"{kind}: input {spec.name}"
        text = spec.description.strip()
        if not text.endswith("."):
            found.append(f"{at}: the description must be sentences ending with \".\", got {text!r}")
            continue
        block = variables.get(spec.name)
        if block is None:
            found.append(f"{at}: no variable block in variables.tf.json")
        elif spec.required:
            if "default" in block:
                found.append(f"{at}: required, but its variable block declares a default")
        elif spec.default is None:
            if not NULL_BEHAVIOUR.search(text):
                found.append(f"{at}: default null, but the description does not say what null does: {text!r}")
        elif "default" not in block:
            found.append(f"{at}: its variable block does not declare its default {spec.default!r}")
    return found


def references(document: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(`var` or `local`, name) of each reference an expression of the JSON document reads, as the synth-time
    check reads them (generator.model.wiring: nested templates, string literals and `$${` handled)."""
    for text in wiring.strings(document):
        for kind, name in wiring.template_references(text):
            if kind in ("var", "local"):
                yield kind, name


def reference_problems(kind: str, documents: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """Every `var.X` / `local.Y` read in an expression of the module's JSON files (`documents`: file name → parsed
    JSON) that no variable block or `locals` entry of those files declares."""
    variables: set[str] = set()
    local_values: set[str] = set()
    for document in documents.values():
        variables.update(document.get("variable", {}))
        local_values.update(document.get("locals", {}))
    found: set[str] = set()
    for name, document in sorted(documents.items()):
        for what, ref in references(document):
            declared = variables if what == "var" else local_values
            if ref not in declared:
                kind_of_block = "variable" if what == "var" else "local value"
                found.add(f"{kind}: {name} reads {what}.{ref}, but the module declares no {kind_of_block} {ref}")
    return sorted(found)


def declaration_problems(definition: ModuleDefinition) -> list[str]:
    """What the module's declaration lacks for the tests to call it by discovery alone (item 4 of the contract)."""
    kind = definition.name
    found = [f"{kind}: input {spec.name}: required, but declares no example (Input(..., example=...))"
             for spec in definition.inputs.inputs if spec.required and spec.example is None]
    if found:
        return found
    for what, call in (("example call", definition.example_call()), ("longest call", definition.longest_call())):
        _, problems = definition.inputs.problems(call)
        found += [f"{kind}: its {what} is refused by its own checks: {message}" for _, message in problems]
    unknown = sorted(set(definition.longest_names) - set(definition.input_names()))
    if unknown:
        return found + [f"{kind}: longest_names names no input {', '.join(unknown)}"]
    if found:
        return found
    named = {name for aws_name in definition.inputs.aws_names for name in aws_name.inputs}
    for name, value in definition.longest_names.items():
        if isinstance(value, str) and name in named:
            longer = {**definition.longest_call(), name: value + (value[-1:] or "a")}
            if not definition.inputs.problems(longer)[1]:
                found.append(f"{kind}: longest_names {name} is not the longest the module's checks allow: "
                             f"{len(value) + 1} characters pass")
    return found
