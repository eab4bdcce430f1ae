"""Every rule and check says the same thing in Python and in Terraform, case by case.

The environment files are checked in Python; a team calling a module from its own HCL is checked by the same rules
as `validation` blocks and `precondition`s. If the two disagree, one of those teams gets the wrong answer (the
DynamoDB `resource_policy` once passed Python with "{not json" and failed `terraform plan`).

For each module: the cases are its required examples, and those with each rule's and check's failing example and
passing example put in. Each case is judged by every rule and every check, in Python and by Terraform itself:
one root (no provider, no resource) holds each module's cases as a typed list and, per case, every condition
exactly as generated (`evaluator_root`); one `terraform plan` evaluates them all.

Checks are compared on the cases every rule accepts: Terraform evaluates preconditions only after every variable
validated, and Python skips a check on an input that already failed its own rule.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping

import pytest

from generator.language import expr, rules
from generator.synthesis.normalize import escape_templates
from testkit import terraform
from testkit.pytest_terraform import background_terraform
from generator.language.inputs import NO_EXAMPLE, Check, Input, InputSet, Rule
from generator.language.types import NUMBER, TypeMismatch
from modules import all_modules

PROJECT = Path(__file__).resolve().parent.parent
MODULES = all_modules()

pytestmark = pytest.mark.terraform


# --- cases ---------------------------------------------------------------------------------------------------------
def _resolve(inputs: InputSet, given: Mapping[str, Any]) -> dict[str, Any] | None:
    """Every input's value as Terraform sees it (type conversion, optional attributes' defaults); None when a value
    is not of its input's type (a type test, not a rule test: Terraform would stop before any rule)."""
    values = {}
    for spec in inputs.inputs:
        if spec.name not in given:
            values[spec.name] = spec.default if spec.default is None else spec.type.convert(spec.default)
            continue
        try:
            value = spec.type.convert(given[spec.name])
        except TypeMismatch:
            return None
        values[spec.name] = spec.default if value is None and not spec.is_nullable else value
    return values


def module_cases(inputs: InputSet) -> list[tuple[str, dict[str, Any]]]:
    base = inputs.example_call()
    given: list[tuple[str, dict[str, Any]]] = [("required examples", base)]
    for spec in inputs.inputs:
        for n, rule in enumerate(spec.rules):
            if rule.example is not None:
                given.append((f"{spec.name} rule {n} refused example", {**base, spec.name: rule.example}))
            if rule.passing is not NO_EXAMPLE:
                given.append((f"{spec.name} rule {n} passing example", {**base, spec.name: rule.passing}))
            for edge in rule.boundaries:  # a rule written by hand, at its edges
                given.append((f"{spec.name} rule {n} boundary {edge!r}", {**base, spec.name: edge}))
    for n, check in enumerate(inputs.checks):
        if check.example is not None:
            given.append((f"check {n} ({check.inputs[0]}) refused example", {**base, **check.example}))
        if check.passing is not None:
            given.append((f"check {n} ({check.inputs[0]}) passing example", {**base, **check.passing}))
        for edge in check.boundaries:
            given.append((f"check {n} ({check.inputs[0]}) boundary {edge!r}", {**base, **edge}))
    cases = []
    for name, values in given:
        resolved = _resolve(inputs, values)
        if resolved is not None:
            cases.append((name, resolved))
    return cases


# --- Python's verdicts ---------------------------------------------------------------------------------------------
def _verdict(condition: expr.Expr | None, legacy: Any, env: Mapping[str, Any], python_env: Any) -> str:
    if condition is not None:
        try:
            result = condition.evaluate(env)
        except expr.EvalError:
            return "error"
        return "pass" if result is True else "fail"
    return "pass" if legacy(python_env) else "fail"


def rule_verdict(spec: Input, rule: Rule, value: Any) -> str:
    if value is None and spec.is_nullable:
        return "pass"  # the validation block's `var.x == null ? true : (...)`
    return _verdict(rule.when, rule.check, {expr.VALUE_KEY: value}, value)


# Where the cases are judged: Python reads the region the examples are written for, Terraform the same from the
# data sources the checks read (replaced by their literal values in the evaluator root, which has no provider).
CONTEXT = rules.stack_context(rules.EXAMPLE_REGION)
CONTEXT_HCL = {
    "data.aws_region.current.endpoint": json.dumps(f"ec2.{rules.EXAMPLE_REGION}.amazonaws.com"),
    "data.aws_partition.current.partition": json.dumps(CONTEXT[rules.PARTITION_KEY]),
}


def check_verdict(check: Check, values: Mapping[str, Any]) -> str:
    judged = {**values, **CONTEXT}
    return _verdict(check.when, check.check, judged, judged)


def _in_context(text: str) -> str:
    for reference, literal in CONTEXT_HCL.items():
        text = text.replace(reference, literal)
    return text


def outputs(inputs: InputSet) -> Iterator[tuple[str, str, Any, Any]]:
    """(output name, HCL condition, the rule or check, its input or None) for everything the module checks."""
    for spec in inputs.inputs:
        blocks = iter(spec.validation_blocks())
        for n, rule in enumerate(spec.rules):
            if rule.hcl is not None:
                yield f"rule_{spec.name}_{n}", next(blocks)["condition"][2:-1], rule, spec
    for n, check in enumerate(inputs.checks):
        if check.hcl is not None:
            yield f"check_{n}", check.hcl, check, None


# --- Terraform's verdicts ------------------------------------------------------------------------------------------
def _generated(kind: str) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for path in sorted((PROJECT / "generated" / "modules" / kind).glob("*.tf.json")):
        for key, block in json.loads(path.read_text()).items():
            merged.setdefault(key, {}).update(block)
    return merged


_VAR = re.compile(r"\bvar\.")


def _single_interpolation(text: str) -> bool:
    """Whether a local's value is one `${...}` (an expression), not a template with literal parts."""
    if not (text.startswith("${") and text.endswith("}")):
        return False
    depth = 0
    for position, character in enumerate(text[1:], start=1):
        depth += {"{": 1, "}": -1}.get(character, 0)
        if depth == 0 and position < len(text) - 1:
            return False
    return True


CASE = "case_values"  # the for-expression's name for one case's inputs (no condition uses it)
_LOCAL = re.compile(r"\blocal\.([a-z0-9_]+)")


def _inline_locals(text: str, defined: Mapping[str, Any]) -> str:
    """`text` with every `local.x` replaced by its definition, in parentheses (recursively): inside a for-expression
    over the cases there are no per-case locals. A local that is one `${...}` becomes `try(..., null)`: the
    evaluator has no validation blocks, so a local computed from a value only a rule refuses (minutes parsed from a
    malformed window) would error; checks are judged only on cases every rule accepts, where the local is what the
    module computes. A template local becomes a quoted template."""

    def expand(match: re.Match[str]) -> str:
        definition = defined[match.group(1)]
        if _single_interpolation(definition):
            return f"try({_inline_locals(definition[2:-1], defined)}, null)"
        # A .tf.json string is a template: quoted as it is (its literal parts hold no quote or backslash).
        return '("' + _inline_locals(definition, defined) + '")'

    return _LOCAL.sub(expand, text)


def evaluator_root(modules: Mapping[str, InputSet] | None = None,
                   generated: Callable[[str], Mapping[str, Any]] = _generated) -> dict[str, Any]:
    """One root, no module, no provider, no resource: per module a variable `<kind>_cases`, a list of objects with
    the module's inputs as attributes (each of the input's type, so values convert as the module's variables
    convert them), its cases as default; and an output holding, for each case, every condition as generated
    (`var.x` read as the case's `x`, locals inlined) judged "pass", "fail" or "error". One variable and one output
    per module keep Terraform's graph small (a module call per case took a minute for 300 cases)."""
    root: dict[str, Any] = {"variable": {}, "output": {}}
    modules = {kind: definition.inputs for kind, definition in MODULES.items()} if modules is None else modules
    for kind, inputs in modules.items():
        written = generated(kind)
        fields = ", ".join(f"{name} = {block['type']}" for name, block in written["variable"].items())
        defined = written.get("locals", {})
        verdicts = ", ".join(
            f'{name} = try(({_VAR.sub(CASE + ".", _in_context(_inline_locals(condition, defined)))}) ? "pass" : '
            '"fail", "error")'
            for name, condition, _, _ in outputs(inputs)
        )
        root["variable"][f"{kind}_cases"] = {
            "type": f"list(object({{{fields}}}))",
            "default": [escape_templates(values) for _, values in module_cases(inputs)],
        }
        root["output"][kind] = {"value": f"${{[for {CASE} in var.{kind}_cases : {{{verdicts}}}]}}"}
    return root


def terraform_verdicts(workdir: Path, root: Mapping[str, Any] | None = None) -> dict[str, dict[str, dict[str, str]]]:
    """Evaluate every module's conditions on every case in one run: {kind: {case index: {output: verdict}}}."""
    root = evaluator_root() if root is None else root
    (workdir / "main.tf.json").write_text(json.dumps(root, indent=1))
    terraform.run(workdir, "init", "-input=false", "-no-color", "-backend=false")
    terraform.run(workdir, "plan", "-input=false", "-no-color", "-out=verdicts.tfplan")
    produced = json.loads(terraform.run(workdir, "show", "-json", "verdicts.tfplan"))["planned_values"]["outputs"]
    return {kind: {str(n): verdict for n, verdict in enumerate(produced[kind]["value"])} for kind in root["output"]}


@background_terraform
def condition_verdicts(generated_tree: Path, workdir: Path) -> dict[str, dict[str, dict[str, str]]]:
    return terraform_verdicts(workdir)


@pytest.fixture(scope="module")
def judged(background) -> dict[str, dict[str, dict[str, str]]]:
    return background(condition_verdicts)


def disagreements(inputs: InputSet, by_terraform: Mapping[str, Mapping[str, str]]) -> list[str]:
    """Where Python's verdict on a case differs from Terraform's (`by_terraform`: {case index: {output: verdict}})."""
    found = []
    for n, (case, values) in enumerate(module_cases(inputs)):
        judged_here = by_terraform[str(n)]
        rule_results = {}
        for name, _, rule, spec in outputs(inputs):
            if spec is None:
                continue
            mine = rule_verdict(spec, rule, values[spec.name])
            rule_results[name] = mine
            if mine != judged_here[name]:
                found.append(f"{case}: {name} ({spec.name} must {rule.must}) on {values[spec.name]!r}: "
                             f"Python {mine}, Terraform {judged_here[name]}")
        if any(result != "pass" for result in rule_results.values()):
            continue
        for name, _, check, spec in outputs(inputs):
            if spec is not None:
                continue
            mine = check_verdict(check, values)
            if mine != judged_here[name]:
                shown = {k: values[k] for k in check.inputs}
                found.append(f"{case}: {name} ({check.terraform_message()}) on {shown!r}: "
                             f"Python {mine}, Terraform {judged_here[name]}")
    return found


@pytest.mark.parametrize("kind", sorted(MODULES))
def test_python_and_terraform_agree_on_every_case(kind: str, judged) -> None:
    assert disagreements(MODULES[kind].inputs, judged[kind]) == []


# --- a rule written by hand is held at its edges ---------------------------------------------------------------------
# The drift issue #27 found: Python `<= 43200`, HCL `<= 4320`. Its failing example (43201) and passing one (60) get
# the same verdict from both; only a case at the HCL's bound tells them apart.
DRIFTED = InputSet((
    Input("ttl_minutes", NUMBER, "Minutes.", default=60, rules=(
        Rule("be at most 43200", check=lambda v: v <= 43200, hcl="{v} <= 4320", example=43201, passing=60,
             exception="written by hand, for this test"),
    )),
))


def _drifted_module(kind: str) -> dict[str, Any]:
    return {"variable": {spec.name: {"type": spec.type.hcl()} for spec in DRIFTED.inputs}}


@background_terraform
def drifted_verdicts(generated_tree: Path, workdir: Path) -> dict[str, dict[str, dict[str, str]]]:
    return terraform_verdicts(workdir, evaluator_root({"drifted": DRIFTED}, _drifted_module))


def test_a_rule_written_by_hand_gets_cases_at_the_bound_its_hcl_compares_with() -> None:
    assert DRIFTED.inputs[0].rules[0].boundaries == (4319, 4320, 4321)
    assert [name for name, _ in module_cases(DRIFTED)] == [
        "required examples", "ttl_minutes rule 0 refused example", "ttl_minutes rule 0 passing example",
        "ttl_minutes rule 0 boundary 4319", "ttl_minutes rule 0 boundary 4320", "ttl_minutes rule 0 boundary 4321",
    ]


def test_a_rule_whose_python_and_hcl_bounds_drifted_apart_is_caught(background) -> None:
    assert disagreements(DRIFTED, background(drifted_verdicts)["drifted"]) == [
        "ttl_minutes rule 0 boundary 4321: rule_ttl_minutes_0 (ttl_minutes must be at most 43200) on 4321: "
        "Python pass, Terraform fail",
    ]


def test_a_rule_written_by_hand_without_a_boundary_case_is_refused() -> None:
    with pytest.raises(ValueError) as refused:
        Rule("be a log group name", check=lambda v: v.startswith("/"), hcl='startswith({v}, "/")',
             exception="written by hand, for this test")
    assert str(refused.value) == (
        "rule 'be a log group name' is written by hand (exception=) and has no boundary case: its HCL "
        "'startswith({v}, \"/\")' compares the value with no number; give boundaries=(...), values at its edges")
    given = Rule("be a log group name", check=lambda v: v.startswith("/"), hcl='startswith({v}, "/")',
                 exception="written by hand, for this test", boundaries=("/", "a/"))
    assert given.boundaries == ("/", "a/")


def test_a_check_written_by_hand_gets_cases_at_the_bounds_its_hcl_compares_inputs_with() -> None:
    check = Check(("brokers", "subnets"), "must be at most 30 per subnet", check=lambda v: v["brokers"] <= 30,
                  hcl="var.brokers <= 30 || 2 > var.subnets", exception="written by hand, for this test")
    assert check.boundaries == ({"brokers": 29}, {"brokers": 30}, {"brokers": 31},
                                {"subnets": 1}, {"subnets": 2}, {"subnets": 3})
    with pytest.raises(ValueError) as refused:
        Check(("name",), "must be free", check=lambda v: True, hcl="!contains(local.taken, var.name)",
              exception="written by hand, for this test")
    assert str(refused.value) == (
        "check on name is written by hand (exception=) and has no boundary case: its HCL "
        "'!contains(local.taken, var.name)' compares no input with a number; give boundaries=({...},), inputs at its "
        "edges")


def test_every_rule_written_by_hand_has_boundary_cases() -> None:
    """Over all modules: a rule or check with hand-written HCL (exception=) is judged at its edges."""
    unheld = [name for name, item in _all_rules_and_checks()
              if item.exception is not None and item.hcl is not None and not item.boundaries]
    assert unheld == []


# --- every rule written once, and every rule exercised both ways -----------------------------------------------------
def _all_rules_and_checks() -> Iterator[tuple[str, Any]]:
    for kind, definition in MODULES.items():
        for spec in definition.inputs.inputs:
            for n, rule in enumerate(spec.rules):
                yield f"{kind}: {spec.name} rule {n} ({rule.must})", rule
        for n, check in enumerate(definition.inputs.checks):
            yield f"{kind}: check {n} on {check.inputs[0]}", check


@pytest.mark.every_kind
def test_every_rule_and_check_is_one_expression_or_a_marked_exception() -> None:
    """No condition written twice (a Python predicate beside an HCL string): `when=`, or `exception=` saying why."""
    written_twice = [name for name, item in _all_rules_and_checks() if item.when is None and item.exception is None]
    assert written_twice == []


@pytest.mark.every_kind
def test_every_terraform_rule_and_check_has_a_failing_and_a_passing_case() -> None:
    """Over the cases the agreement test judges: each condition Terraform evaluates is seen to pass and to fail
    (checks: on cases every rule accepts)."""
    missing = []
    for kind, definition in MODULES.items():
        inputs = definition.inputs
        seen: dict[str, set[str]] = {}
        for _, values in module_cases(inputs):
            rules_pass = True
            for name, _, rule, spec in outputs(inputs):
                if spec is not None:
                    verdict = rule_verdict(spec, rule, values[spec.name])
                    # A null value passes by the validation's null guard alone: not a passing case of the rule.
                    seen.setdefault(name, set()).add(verdict if values[spec.name] is not None else "null")
                    rules_pass &= verdict == "pass"
            if rules_pass:
                for name, _, check, spec in outputs(inputs):
                    if spec is None:
                        seen.setdefault(name, set()).add(check_verdict(check, values))
        for name, _, item, spec in outputs(inputs):
            verdicts = seen.get(name, set())
            if "pass" not in verdicts or not verdicts - {"pass", "null"}:
                what = f"{spec.name} must {item.must}" if spec is not None else item.terraform_message()
                missing.append(f"{kind} {name} ({what}): seen {sorted(verdicts)}")
    assert not missing, "\n" + "\n".join(missing)
