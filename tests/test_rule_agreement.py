"""Every rule and check says the same thing in Python and in Terraform, case by case.

The environment files are checked in Python; a team calling a module from its own HCL is checked by the same rules
as `validation` blocks and `precondition`s. If the two disagree, one of those teams gets the wrong answer (the
DynamoDB `resource_policy` once passed Python with "{not json" and failed `terraform plan`).

For each module: the cases are its required examples, and those with each rule's and check's failing example and
passing example put in. Each case is judged by every rule and every check, in Python and by Terraform itself:
an evaluator module (the module's variables without their validation, the locals it derives from inputs, and one
output per rule or check: its condition exactly as generated, as "pass", "fail" or "error") is called once per
case from one root, and one `terraform plan` with no provider and no resource evaluates them all (about 25 s for ~300 cases).

Checks are compared on the cases every rule accepts: Terraform evaluates preconditions only after every variable
validated, and Python skips a check on an input that already failed its own rule.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterator, Mapping

import pytest

from generator import expr
from testkit import terraform
from generator.inputs import NO_EXAMPLE, Check, Input, InputSet, Rule
from generator.types import TypeMismatch
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
    base = {spec.name: spec.example for spec in inputs.inputs if spec.required}
    given: list[tuple[str, dict[str, Any]]] = [("required examples", base)]
    for spec in inputs.inputs:
        for n, rule in enumerate(spec.rules):
            if rule.example is not None:
                given.append((f"{spec.name} rule {n} refused example", {**base, spec.name: rule.example}))
            if rule.passing is not NO_EXAMPLE:
                given.append((f"{spec.name} rule {n} passing example", {**base, spec.name: rule.passing}))
    for n, check in enumerate(inputs.checks):
        if check.example is not None:
            given.append((f"check {n} ({check.inputs[0]}) refused example", {**base, **check.example}))
        if check.passing is not None:
            given.append((f"check {n} ({check.inputs[0]}) passing example", {**base, **check.passing}))
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


def check_verdict(check: Check, values: Mapping[str, Any]) -> str:
    return _verdict(check.when, check.check, values, values)


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


def _template_escape(value: Any) -> Any:
    """A value written into .tf.json as a literal: `${` and `%{` would start a template."""
    if isinstance(value, str):
        return value.replace("${", "$${").replace("%{", "%%{")
    if isinstance(value, list):
        return [_template_escape(v) for v in value]
    if isinstance(value, dict):
        return {_template_escape(k): _template_escape(v) for k, v in value.items()}
    return value


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


def _evaluator_local(definition: str) -> str:
    """A local as the evaluator declares it. The evaluator has no validation blocks, so a local that computes with a
    value only a rule refuses (minutes parsed from a malformed window) would fail, and stop the whole plan; null
    there instead. Checks are judged only on cases every rule accepts, where the local is what the module computes
    (and a local failing there still fails the check: null in arithmetic or length() is an error)."""
    definition = _VAR.sub("var.v.", definition)
    return f"${{try({definition[2:-1]}, null)}}" if _single_interpolation(definition) else definition


def evaluator_module(kind: str, inputs: InputSet) -> dict[str, Any]:
    """The module's conditions over one object variable `v` holding every input (one variable and one output per
    call keep Terraform's graph small: a variable and an output per input and rule made a run of ~300 calls take
    a minute). `var.x` becomes `var.v.x`; each attribute has the input's type, so values convert as they would."""
    generated = _generated(kind)
    fields = ", ".join(f"{name} = {block['type']}" for name, block in generated["variable"].items())
    # The module's own locals, as generated: those the conditions read, and those these read.
    defined = generated.get("locals", {})
    wanted: set[str] = set()
    texts = [condition for _, condition, _, _ in outputs(inputs)]
    while texts:
        for name in re.findall(r"\blocal\.([a-z0-9_]+)", texts.pop()):
            if name not in wanted:
                wanted.add(name)
                texts.append(json.dumps(defined[name]))
    verdicts = ", ".join(
        f'{name} = try(({_VAR.sub("var.v.", condition)}) ? "pass" : "fail", "error")'
        for name, condition, _, _ in outputs(inputs)
    )
    module: dict[str, Any] = {
        "variable": {"v": {"type": f"object({{{fields}}})"}},
        "output": {"verdicts": {"value": "${{" + verdicts + "}}"}},
    }
    if wanted:
        module["locals"] = {name: _evaluator_local(defined[name]) for name in sorted(wanted)}
    return module


def terraform_verdicts(workdir: Path) -> dict[str, dict[str, dict[str, str]]]:
    """Evaluate every module's conditions on every case in one run: {kind: {case index: {output: verdict}}}."""
    root: dict[str, Any] = {"module": {}, "output": {}}
    for kind, definition in MODULES.items():
        folder = workdir / f"evaluate_{kind}"
        folder.mkdir(parents=True)
        (folder / "main.tf.json").write_text(json.dumps(evaluator_module(kind, definition.inputs), indent=1))
        for n, (_, values) in enumerate(module_cases(definition.inputs)):
            call = f"{kind}_{n}"
            root["module"][call] = {"source": f"./evaluate_{kind}", "v": _template_escape(values)}
            root["output"][call] = {"value": f"${{module.{call}.verdicts}}"}
    (workdir / "main.tf.json").write_text(json.dumps(root, indent=1))
    terraform.run(workdir, "init", "-input=false", "-no-color", "-backend=false")
    terraform.run(workdir, "plan", "-input=false", "-no-color", "-out=verdicts.tfplan")
    produced = json.loads(terraform.run(workdir, "show", "-json", "verdicts.tfplan"))["planned_values"]["outputs"]
    verdicts: dict[str, dict[str, dict[str, str]]] = {kind: {} for kind in MODULES}
    for call, output in produced.items():
        kind, n = call.rsplit("_", 1)
        verdicts[kind][n] = output["value"]
    return verdicts


@pytest.fixture(scope="module")
def judged(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, dict[str, str]]]:
    return terraform_verdicts(tmp_path_factory.mktemp("agreement"))


@pytest.mark.parametrize("kind", sorted(MODULES))
def test_python_and_terraform_agree_on_every_case(kind: str, judged) -> None:
    inputs = MODULES[kind].inputs
    disagreements = []
    for n, (case, values) in enumerate(module_cases(inputs)):
        by_terraform = judged[kind][str(n)]
        rule_results = {}
        for name, _, rule, spec in outputs(inputs):
            if spec is None:
                continue
            mine = rule_verdict(spec, rule, values[spec.name])
            rule_results[name] = mine
            if mine != by_terraform[name]:
                disagreements.append(f"{case}: {name} ({spec.name} must {rule.must}) on {values[spec.name]!r}: "
                                     f"Python {mine}, Terraform {by_terraform[name]}")
        if any(result != "pass" for result in rule_results.values()):
            continue
        for name, _, check, spec in outputs(inputs):
            if spec is not None:
                continue
            mine = check_verdict(check, values)
            if mine != by_terraform[name]:
                shown = {k: values[k] for k in check.inputs}
                disagreements.append(f"{case}: {name} ({check.terraform_message()}) on {shown!r}: "
                                     f"Python {mine}, Terraform {by_terraform[name]}")
    assert disagreements == []


# --- every rule written once, and every rule exercised both ways -----------------------------------------------------
def _all_rules_and_checks() -> Iterator[tuple[str, Any]]:
    for kind, definition in MODULES.items():
        for spec in definition.inputs.inputs:
            for n, rule in enumerate(spec.rules):
                yield f"{kind}: {spec.name} rule {n} ({rule.must})", rule
        for n, check in enumerate(definition.inputs.checks):
            yield f"{kind}: check {n} on {check.inputs[0]}", check


def test_every_rule_and_check_is_one_expression_or_a_marked_exception() -> None:
    """No condition written twice (a Python predicate beside an HCL string): `when=`, or `exception=` saying why."""
    written_twice = [name for name, item in _all_rules_and_checks() if item.when is None and item.exception is None]
    assert written_twice == []


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
