"""The rule language's `remainder` (Terraform's `%`, added for MSK's brokers-per-subnet check): Python computes what
Terraform computes, including the cases no module input reaches (a negative dividend or divisor, a fraction, zero)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator import expr
from testkit import terraform
from generator.expr import call, var

# (dividend, divisor, Terraform's answer): the sign of the dividend; x % 0 is x.
CASES = [(6, 3, 0), (4, 3, 1), (-7, 3, -1), (7, -3, 1), (7.5, 2, 1.5), (5, 0, 5)]


@pytest.mark.parametrize("a, b, expected", CASES)
def test_python_computes_terraforms_remainder(a, b, expected):
    assert call("remainder", var("a"), var("b")).evaluate({"a": a, "b": b}) == expected


def test_null_is_an_error_as_in_terraform():
    with pytest.raises(expr.EvalError):
        call("remainder", var("a"), var("b")).evaluate({"a": None, "b": 3})


def test_printed_in_parentheses():
    assert (call("remainder", var("a"), var("b").length()) == 0).hcl() == "(var.a % length(var.b)) == 0"


@pytest.mark.terraform
def test_terraform_agrees(tmp_path: Path):
    values = ", ".join(call("remainder", a, b).hcl() for a, b, _ in CASES)
    (tmp_path / "main.tf.json").write_text(json.dumps({"output": {"r": {"value": "${[" + values + "]}"}}}))
    terraform.run(tmp_path, "init", "-input=false", "-no-color", "-backend=false")
    terraform.run(tmp_path, "plan", "-input=false", "-no-color", "-out=r.tfplan")
    produced = json.loads(terraform.run(tmp_path, "show", "-json", "r.tfplan"))["planned_values"]["outputs"]["r"]["value"]
    assert produced == [expected for _, _, expected in CASES]
