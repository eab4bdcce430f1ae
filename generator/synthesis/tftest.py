"""Native Terraform tests shipped with each module: generated/modules/<kind>/tests/<kind>.tftest.hcl.

Rendered with Jinja2 (templates/module.tftest.hcl.j2) from the same declarations as the module, so a team that
consumes only the HCL can run `terraform test` in the module folder:

- `secure_defaults`: with only the required inputs (their README examples), every input that can weaken security
  (`Input.weakens`) keeps its secure default on the resource attribute it feeds;
- `rejects_inputs_<n>`: each input's rules, through their failing examples (`Rule.example`), refused by the
  variables' validation: one run holds one example per input (Terraform reports each expected failure by name);
- `check_<input>`: each cross-input check through its failing example (`Check.example`), refused by its
  precondition on the module's main resource: one run each, as they share that resource.

The provider is mocked (`mock_provider`, Terraform 1.7+): the runs plan without credentials or network, and what
they test (validations, preconditions, the values the module sets) is Terraform's own evaluation. `terraform init`
still installs hashicorp/aws for its schema. `secure_defaults` plans with a second mock (`override_during = plan`,
Terraform 1.9+) whose computed values are known at plan, so that an attribute computed from the module's own key is
compared. The modules themselves need Terraform 1.5.7+; only these tests need 1.9+. The real provider's offline plan of every module is the project's own test suite (tests/).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any, Iterator, Mapping

from generator.language import rules
from generator.synthesis import docs
from generator.language.inputs import Input
from generator.model.module import ModuleDefinition
from generator.language.types import TypeMismatch

TEST_TERRAFORM_VERSION = ">= 1.9.0"  # mock_provider (1.7), override_during (1.9)


def test_path(kind: str) -> str:
    return f"modules/{kind}/tests/{kind}.tftest.hcl"


def _paths_to(value: Any, target: str, path: str) -> Iterator[str]:
    """HCL paths (nested blocks as `[0]`) at which `value` holds exactly `target`."""
    if value == target:
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            if key in ("dynamic", "lifecycle", "count", "for_each", "depends_on", "provider"):
                continue
            step = f"{path}.{key}" if path else key
            yield from _paths_to(item, target, step + ("[0]" if isinstance(item, dict) else ""))
    elif isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
        yield from _paths_to(value[0], target, path)


def _expressions_reading(value: Any, reference: re.Pattern[str], path: str) -> Iterator[tuple[str, str]]:
    """(HCL path, expression) of the attributes whose one interpolation reads `reference` among other values."""
    if isinstance(value, str):
        whole = reference.fullmatch(value[2:-1]) is not None  # the input itself: _paths_to's assertion
        if value.startswith("${") and value.endswith("}") and value.count("${") == 1 and not whole \
                and reference.search(value):
            yield path, value[2:-1]
    elif isinstance(value, dict):
        for key, item in value.items():
            if key in ("dynamic", "lifecycle", "count", "for_each", "depends_on", "provider"):
                continue
            step = f"{path}.{key}" if path else key
            yield from _expressions_reading(item, reference, step + ("[0]" if isinstance(item, dict) else ""))
    elif isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
        yield from _expressions_reading(value[0], reference, path)


def _secure_defaults(definition: ModuleDefinition, main: Mapping[str, Any]) -> list[dict[str, str]]:
    """One assertion per attribute of an uncounted resource that reads a weakening input. An attribute that is the
    input itself must hold its default; one that reads it in an expression (a key ARN, where the AWS managed
    alias means "no key of yours") must differ from what the same expression gives with the weakening value."""
    asserts = []
    for spec in definition.inputs.inputs:
        if spec.weakens is None or spec.required:
            continue
        reference = "${var." + spec.name + "}"
        read = re.compile(r"\bvar\." + re.escape(spec.name) + r"\b")
        weakening = hcl_value(spec.weakens[0])
        for kind, items in sorted(main.get("resource", {}).items()):
            for name, body in sorted(items.items()):
                if "count" in body or "for_each" in body:
                    continue
                attribute = f"{kind}.{name}"
                for path in _paths_to(body, reference, ""):
                    asserts.append({
                        "condition": f"tostring({attribute}.{path}) == {json.dumps(_hcl_text(spec.default))}",
                        "message": _default_message(spec, f"{attribute}.{path}"),
                    })
                for path, expression in _expressions_reading(body, read, ""):
                    asserts.append({
                        "condition": f"{attribute}.{path} != ({read.sub(lambda _: weakening, expression)})",
                        "message": _default_message(spec, f"{attribute}.{path}"),
                    })
    return asserts


def _default_message(spec: Input, attribute: str) -> str:
    return (f"{spec.name} must default to {_hcl_text(spec.default)} on {attribute}: "
            f"{_hcl_text(spec.weakens[0])} {spec.weakens[1]}.")


def _hcl_text(value: Any) -> str:
    """The text tostring() gives for a bool or number default (null for none)."""
    if value is None:
        return "null"
    return json.dumps(value) if isinstance(value, bool) else str(value)


# Resource types whose ARN the module reads (`<type>.<name>[...].arn`).
_ARN_READ = re.compile(r"\b(aws_[a-z0-9_]+)\.[a-z0-9_]+(?:\[[^\]]*\])?\.arn\b")


def _mocked_arns(main: Mapping[str, Any]) -> list[dict[str, str]]:
    """Resource types whose `arn` the plan-time mock provider sets to an ARN of the module's own shape: values the
    secure_defaults assertions compare are then known at plan, and expressions that take an ARN apart (a key
    policy's account, split on ":") get one; the mock's random text would not split."""
    created = set(main.get("resource", {}))
    types = sorted({m.group(1) for m in _ARN_READ.finditer(json.dumps(main))} & created)
    return [{"type": t, "arn": f"arn:aws:mock:us-east-1:111122223333:{t}/mock"} for t in types]


# What the mocked provider answers for the data sources through which the checks read where the module is applied
# (generator.language.rules.STACK_REGION, STACK_PARTITION): the region the examples are written for, so that the region
# checks judge them as Python and the real provider do.
_MOCKED_DATA = {
    "aws_region": {"endpoint": f"ec2.{rules.EXAMPLE_REGION}.amazonaws.com"},
    "aws_partition": {"partition": "aws"},
}


def _mocked_data(main: Mapping[str, Any]) -> str:
    """The `mock_data` blocks of a mock provider (indented, blank lines between), or "" for a module without them."""
    blocks = []
    for kind in sorted(main.get("data", {})):
        if kind in _MOCKED_DATA:
            defaults = "".join(f"      {k} = {json.dumps(v)}\n" for k, v in _MOCKED_DATA[kind].items())
            blocks.append(f'  mock_data "{kind}" {{\n    defaults = {{\n{defaults}    }}\n  }}')
    return "\n\n".join(blocks)


def _main_resource(main: Mapping[str, Any]) -> str:
    # Not a counted resource: the module's KMS key carries a precondition of its own (modules/shared/kms.py).
    for kind, items in sorted(main.get("resource", {}).items()):
        for name, body in sorted(items.items()):
            if body.get("lifecycle", {}).get("precondition") and "count" not in body and "for_each" not in body:
                return f"{kind}.{name}"
    raise ValueError("the module has no resource carrying its checks (preconditions)")


def _rule_examples(spec: Input) -> list[Any]:
    """The failing examples of an input's Terraform rules, each of the input's type and refused by its rule."""
    examples = []
    for rule in spec.rules:
        if rule.hcl is None or rule.example is None:
            continue
        try:
            converted = spec.type.convert(rule.example)
        except TypeMismatch:
            continue
        if not rule.check(converted):
            examples.append(rule.example)
    return examples


def hcl_value(value: Any) -> str:
    """A value on one line (objects as `{ key = value, ... }`), so that a block's `=` align as `terraform fmt`
    aligns them."""
    if isinstance(value, dict):
        items = ", ".join(f"{k if k.isidentifier() else json.dumps(k)} = {hcl_value(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    if isinstance(value, list):
        return "[" + ", ".join(hcl_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _variables(values: Mapping[str, Any]) -> list[dict[str, str]]:
    width = max((len(name) for name in values), default=0)
    return [{"name": name.ljust(width), "value": hcl_value(value)} for name, value in values.items()]


def module_context(definition: ModuleDefinition, main_file: bytes) -> dict[str, Any]:
    main = json.loads(main_file)
    required = definition.inputs.example_call()
    by_input = {spec.name: _rule_examples(spec) for spec in definition.inputs.inputs}
    rounds = max((len(e) for e in by_input.values()), default=0)
    rule_runs = []
    for n in range(rounds):
        values = {name: examples[n] for name, examples in by_input.items() if len(examples) > n}
        rule_runs.append({"name": f"rejects_inputs_{n + 1}", "variables": _variables(values),
                          "expect": [f"var.{name}" for name in values]})
    seen: Counter[str] = Counter()
    check_runs = []
    for check in definition.inputs.checks:
        if check.hcl is None or check.example is None:
            continue
        seen[check.inputs[0]] += 1
        suffix = "" if seen[check.inputs[0]] == 1 else f"_{seen[check.inputs[0]]}"
        check_runs.append({"name": f"check_{check.inputs[0]}{suffix}", "message": check.terraform_message(),
                           "variables": _variables(check.example)})
    return {
        "name": definition.name,
        "regenerate": docs.REGENERATE,
        "terraform_version": TEST_TERRAFORM_VERSION,
        "variables": _variables(required),
        "secure_defaults": _secure_defaults(definition, main),
        "mocked_arns": _mocked_arns(main),
        "mocked_data": _mocked_data(main),
        "rule_runs": rule_runs,
        "check_runs": check_runs,
        # The resource whose preconditions the check runs expect to fail; a module without checks has none.
        "main_resource": _main_resource(main) if check_runs else None,
    }


def render(modules: Mapping[str, ModuleDefinition], files: Mapping[str, bytes]) -> dict[str, bytes]:
    template = docs.environment().get_template("module.tftest.hcl.j2")
    return {
        test_path(d.name): template.render(module_context(d, files[f"modules/{d.name}/main.tf.json"])).encode()
        for d in modules.values()
    }
