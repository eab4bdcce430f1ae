"""The rule language's `%` (Terraform's remainder, for MSK's brokers per subnet and ElastiCache's windows): Python computes what
Terraform computes, including the cases no module input reaches (a negative dividend or divisor, a fraction, zero)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.language import expr
from testkit import terraform
from generator.language.expr import lift, var

# (dividend, divisor, Terraform's answer): the sign of the dividend; x % 0 is x.
CASES = [(6, 3, 0), (4, 3, 1), (-7, 3, -1), (7, -3, 1), (7.5, 2, 1.5), (5, 0, 5)]


@pytest.mark.parametrize("a, b, expected", CASES)
def test_python_computes_terraforms_remainder(a, b, expected):
    assert (var("a") % var("b")).evaluate({"a": a, "b": b}) == expected


def test_null_is_an_error_as_in_terraform():
    with pytest.raises(expr.EvalError):
        (var("a") % var("b")).evaluate({"a": None, "b": 3})


def test_printed_with_hcls_precedence():
    assert ((var("a") % var("b").length()) == 0).hcl() == "var.a % length(var.b) == 0"
    assert ((var("a") + 1440) % 1440).hcl() == "(var.a + 1440) % 1440"
    assert (var("a") % (var("b") * 2)).hcl() == "var.a % (var.b * 2)"


@pytest.mark.terraform
def test_terraform_agrees(tmp_path: Path):
    values = ", ".join((lift(a) % lift(b)).hcl() for a, b, _ in CASES)
    (tmp_path / "main.tf.json").write_text(json.dumps({"output": {"r": {"value": "${[" + values + "]}"}}}))
    terraform.run(tmp_path, "init", "-input=false", "-no-color", "-backend=false")
    terraform.run(tmp_path, "plan", "-input=false", "-no-color", "-out=r.tfplan")
    produced = json.loads(terraform.run(tmp_path, "show", "-json", "r.tfplan"))["planned_values"]["outputs"]["r"]["value"]
    assert produced == [expected for _, _, expected in CASES]
