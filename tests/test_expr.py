"""The rule language's semantics that Python and Terraform must share (generator/language/expr.py).

tests/test_rule_agreement.py has Terraform judge every rule and check of the modules; these tests pin, without
Terraform, the parts of the Python side that agreement rests on: what Terraform evaluates (both sides of && and ||,
one branch of a conditional), what is an error (null where a number is needed), the order of a map, how a string
literal is written into HCL, and which regular expressions both engines read alike. The Terraform values quoted in
the cidrsubnet test were printed by `terraform console` (Terraform 1.11).
"""

from __future__ import annotations

import re
from typing import Iterator

import pytest

from generator.language import expr, rules
from generator.language.expr import (EvalError, Local, all_, call, can, for_, holds, if_, lift, portable_regex, text, try_,
                            unless_null, value, var)


def _fails(expression: expr.Expr, env: dict) -> str:
    with pytest.raises(EvalError) as raised:
        expression.evaluate(env)
    return str(raised.value)


# --- && and || evaluate both operands ------------------------------------------------------------------------------
def test_and_evaluates_its_right_operand_when_the_left_is_false():
    guarded = lift(False) & (var("x") > 1)
    assert guarded.hcl() == "false && var.x > 1"
    # Terraform 1.11 does not short-circuit: `false && null > 1` is an error, not false.
    assert _fails(guarded, {"x": None}) == ">: a number is required, got null"
    assert holds(guarded, {"x": None}) is False


def test_or_evaluates_its_right_operand_when_the_left_is_true():
    guarded = var("x").is_null() | (var("x") > 1)
    assert guarded.hcl() == "var.x == null || var.x > 1"
    assert _fails(guarded, {"x": None}) == ">: a number is required, got null"
    assert guarded.evaluate({"x": 2}) is True
    assert guarded.evaluate({"x": 0}) is False


def test_and_of_non_booleans_is_an_error():
    assert _fails(lift(True) & lift("true"), {}) == "&&: a bool is required, got string"


# --- null ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("expression", "message"), [
    (var("x") < 1, "<: a number is required, got null"),
    (var("x") <= 1, "<=: a number is required, got null"),
    (lift(1) > var("x"), ">: a number is required, got null"),
    (var("x") >= 1, ">=: a number is required, got null"),
    (var("x") + 1, "+: a number is required, got null"),
    (var("x").length(), "length: a collection or string is required, got null"),
    (text("a-", var("x")), "a template cannot hold null"),
])
def test_null_where_a_value_is_needed_is_an_error(expression, message):
    assert _fails(expression, {"x": None}) == message
    assert holds(expression, {"x": None}) is False  # Terraform: an error refuses


def test_null_compares_equal_only_to_null():
    assert (var("x") == None).evaluate({"x": None}) is True  # noqa: E711 (an Expr, not a Python comparison)
    assert var("x").is_null().evaluate({"x": ""}) is False
    assert var("x").not_null().evaluate({"x": 0}) is True
    # Values of different types are unequal in Terraform (true != 1, "1" != 1).
    assert (var("x") == 1).evaluate({"x": True}) is False
    assert (var("x") == "1").evaluate({"x": 1}) is False


# --- conditionals evaluate one branch ------------------------------------------------------------------------------
def test_conditional_evaluates_only_the_branch_taken():
    rule = if_(var("x").is_null(), True, var("x") > 1)
    assert rule.hcl() == "var.x == null ? true : var.x > 1"
    assert rule.evaluate({"x": None}) is True  # the other branch would be an error
    assert rule.evaluate({"x": 0}) is False
    assert if_(var("x").is_null(), var("x") + 1, 0).evaluate({"x": 5}) == 0


def test_unless_null_is_the_conditional_guard():
    rule = unless_null(value, value.length() <= 3)
    assert rule.hcl() == "{v} == null ? true : length({v}) <= 3"
    assert rule.evaluate({expr.VALUE_KEY: None}) is True
    assert rule.evaluate({expr.VALUE_KEY: "abcd"}) is False


def test_a_condition_of_a_conditional_must_be_a_bool():
    assert _fails(if_(var("x"), 1, 2), {"x": "yes"}) == "condition: a bool is required, got string"


# --- maps are read in the order of their keys ----------------------------------------------------------------------
def test_keys_and_values_are_sorted_by_key():
    given = {"m": {"b": 1, "c": 3, "a": 2}}
    assert call("keys", var("m")).evaluate(given) == ["a", "b", "c"]
    assert call("values", var("m")).evaluate(given) == [2, 1, 3]


def test_a_for_over_a_map_iterates_in_key_order():
    pairs = for_(var("m"), lambda k, v: text(k, "=", v))
    assert pairs.hcl() == '[for k, v in var.m : "${k}=${v}"]'
    assert pairs.evaluate({"m": {"z": 1, "a": "x"}}) == ["a=x", "z=1"]


def test_a_for_keeps_what_its_condition_keeps():
    kept = for_(var("l"), lambda x: x * 2, keep=lambda x: x > 1)
    assert kept.hcl() == "[for x in var.l : x * 2 if x > 1]"
    assert kept.evaluate({"l": [1, 2, 3]}) == [4, 6]


def test_all_of_an_empty_list_holds():
    rule = all_(var("l"), lambda x: x > 0)
    assert rule.hcl() == "alltrue([for x in var.l : x > 0])"
    assert rule.evaluate({"l": []}) is True
    assert rule.evaluate({"l": [1, 0]}) is False


# --- functions -----------------------------------------------------------------------------------------------------
def test_coalesce_skips_null_and_the_empty_string():
    assert call("coalesce", var("a"), var("b"), "x").evaluate({"a": None, "b": ""}) == "x"
    assert call("coalesce", var("a"), "x").evaluate({"a": "given"}) == "given"
    assert _fails(call("coalesce", var("a"), ""), {"a": None}) == "coalesce: no non-null, non-empty-string arguments"


def test_distinct_keeps_the_first_of_each_value_and_compares_by_type():
    assert call("distinct", var("l")).evaluate({"l": ["b", "a", "b", 1, "1"]}) == ["b", "a", 1, "1"]


def test_can_and_try_turn_an_error_into_false_or_the_fallback():
    assert can(var("x") > 1).evaluate({"x": None}) is False
    assert can(var("x") > 1).evaluate({"x": 0}) is True  # can() says it evaluates, not that it holds
    assert try_(var("x") + 1, 0).evaluate({"x": None}) == 0
    assert try_(var("m")["a"], "none").hcl() == 'try(var.m.a, "none")'
    assert try_(var("m")["a"], "none").evaluate({"m": {}}) == "none"


def test_missing_attribute_and_index_are_errors():
    assert _fails(var("m")["a"], {"m": {"b": 1}}) == "no attribute a in map"
    assert _fails(var("l")[2], {"l": [1]}) == "invalid index 2"


def test_numbers_become_text_as_terraform_writes_them():
    assert text(var("n"), "/", var("f"), "/", var("b")).evaluate({"n": 3, "f": 2.5, "b": True}) == "3/2.5/true"


def test_a_value_supplied_at_apply_is_set_and_never_read():
    supplied = {"token": expr.SUPPLIED_AT_APPLY}
    assert var("token").not_null().evaluate(supplied) is True
    assert _fails(var("token") == "x", supplied) == "a value supplied at apply cannot be compared"


def test_local_reads_its_definition_and_is_declared_once():
    name = Local("full_name", text(var("prefix"), var("name")))
    assert name.hcl() == "local.full_name"
    assert name.declaration() == "${var.prefix}${var.name}"
    assert name.evaluate({"prefix": "dev-", "name": "cache"}) == "dev-cache"
    assert (name.length() > 3).inputs() == {"prefix", "name"}
    assert Local("n", var("a").length()).declaration() == "${length(var.a)}"


# cidrsubnet: the values Terraform 1.11's console prints, or None where it reports an error.
@pytest.mark.parametrize(("prefix", "newbits", "netnum", "terraform"), [
    ("10.1.2.3/16", 0, 0, "10.1.0.0/16"),
    ("10.0.0.0/8", 8, 3, "10.3.0.0/16"),
    ("fd00::/8", 8, 255, "fdff::/16"),
    ("FD00::/8", 0, 0, "fd00::/8"),
    ("::/64", 0, 0, "::/64"),
    ("::/1", 0, 0, "::/1"),  # an IPv6 block whose address is 0 stays IPv6
    ("::/0", 1, 1, "8000::/1"),
    ("::5/16", 0, 0, "::/16"),
    ("8000::5/2", 0, 0, "8000::/2"),
    ("010.0.0.0/8", 0, 0, "10.0.0.0/8"),  # Go 1.16's parser: leading zeros are decimal
    ("10.0.0.0/08", 0, 0, "10.0.0.0/8"),
    ("::ffff:102:300/120", 0, 0, "1.2.3.0/24"),  # IPv4-mapped: written as IPv4
    ("::ffff:0:0/96", 0, 0, "0.0.0.0/0"),
    ("::ffff:0:0/95", 0, 0, "::fffe:0:0/95"),
    ("10.0.0.0", 0, 0, None),
    ("10.0.0.0/255.0.0.0", 0, 0, None),
    (" 10.0.0.0/8", 0, 0, None),
    ("10.0.0.0/8", 0.5, 0, None),
    ("10.0.0.0/8", 8, 256, None),
])
def test_cidrsubnet_gives_what_terraform_gives(prefix, newbits, netnum, terraform):
    subnet = call("cidrsubnet", prefix, newbits, netnum)
    assert subnet.hcl() == f'cidrsubnet("{prefix}", {newbits}, {netnum})'
    if terraform is None:
        with pytest.raises(EvalError):
            subnet.evaluate({})
    else:
        assert subnet.evaluate({}) == terraform


# --- HCL text ------------------------------------------------------------------------------------------------------
def test_template_sequences_in_a_string_literal_are_escaped():
    assert lift("a${b}%{c}").hcl() == '"a$${b}%%{c}"'
    assert (var("x") == "${x}").hcl() == 'var.x == "$${x}"'
    assert text("x${", var("a")).hcl() == '"x$${${var.a}"'
    # The literal's value is unchanged on the Python side.
    assert (var("x") == "${x}").evaluate({"x": "${x}"}) is True


def test_operators_print_the_parentheses_hcl_needs():
    assert ((var("a") | var("b")) & var("c")).hcl() == "(var.a || var.b) && var.c"
    assert (var("a") | var("b") & var("c")).hcl() == "var.a || var.b && var.c"
    assert ((var("a") == "-1") == var("b").is_null()).hcl() == '(var.a == "-1") == (var.b == null)'
    assert (var("a") - (var("b") - 1)).hcl() == "var.a - (var.b - 1)"
    assert (~(var("a") > 1)).hcl() == "!(var.a > 1)"
    assert (if_(var("a"), 1, 0) + 1).hcl() == "(var.a ? 1 : 0) + 1"


def test_an_expr_has_no_truth_value():
    with pytest.raises(TypeError, match="no truth value"):
        bool(var("a") == 1)


# --- regular expressions -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("pattern", "message"), [
    (r"\d+", r"'\\d+': no backslash escapes (write [.] for a dot, [0-9] for a digit)"),
    (r"a[.]\Z", r"'a[.]\\Z': no backslash escapes (write [.] for a dot, [0-9] for a digit)"),
    ("(?=a)b", "'(?=a)b': only (?:...) groups (no lookaround, flags or named groups)"),
    ("(?!a)b", "'(?!a)b': only (?:...) groups (no lookaround, flags or named groups)"),
    ("(?i)a", "'(?i)a': only (?:...) groups (no lookaround, flags or named groups)"),
    ("(?P<n>a)", "'(?P<n>a)': only (?:...) groups (no lookaround, flags or named groups)"),
    ("a+?", "'a+?': no lazy or possessive quantifiers"),
    ("a*?", "'a*?': no lazy or possessive quantifiers"),
    ("a{2,3}?", "'a{2,3}?': no lazy or possessive quantifiers"),
    ("a*+", "'a*+': no lazy or possessive quantifiers"),
    ("^a", "'^a': ^ is implied (a pattern matches the whole text)"),
    ("a$", "'a$': $ is implied (a pattern matches the whole text)"),
    ("a|^b", "'a|^b': ^ is implied (a pattern matches the whole text)"),
    ("[[:alpha:]]", "'[[:alpha:]]': no nested classes or [: :] names in a class"),
    ("[a[b]", "'[a[b]': no nested classes or [: :] names in a class"),
    ("[a-z", "'[a-z': unclosed class"),
])
def test_portable_regex_refuses_what_the_engines_read_differently(pattern, message):
    with pytest.raises(ValueError) as raised:
        portable_regex(pattern)
    assert str(raised.value) == message
    with pytest.raises(ValueError) as raised:
        value.matches(pattern)  # refused where the rule is written, not when it is rendered
    assert str(raised.value) == message


@pytest.mark.parametrize("pattern", [
    "[A-Za-z0-9!&#$^<>-]{16,128}",  # ^ and $ inside a class are characters
    "[^,]+",
    "a(?:b|c){0,3}[.]x?",
    "arn:(aws|aws-cn):s3:::.+",
])
def test_portable_regex_accepts_the_subset(pattern):
    assert portable_regex(pattern) == pattern


def test_a_pattern_matches_the_whole_text_on_both_sides():
    rule = value.matches("[a-z]+")
    assert rule.hcl() == 'can(regex("^(?:[a-z]+)$", {v}))'
    assert rule.evaluate({expr.VALUE_KEY: "abc"}) is True
    assert rule.evaluate({expr.VALUE_KEY: "abc1"}) is False
    assert rule.evaluate({expr.VALUE_KEY: "1abc"}) is False
    # Alternatives are grouped before anchoring: "a|b" is not "^a" or "b$".
    assert value.matches("a|bc").hcl() == 'can(regex("^(?:a|bc)$", {v}))'
    assert value.matches("a|bc").evaluate({expr.VALUE_KEY: "abc"}) is False
    # A value that is not text matches nothing (regex() would fail, can() gives false).
    assert rule.evaluate({expr.VALUE_KEY: None}) is False
    assert rule.evaluate({expr.VALUE_KEY: 5}) is False


# --- every pattern the modules use ---------------------------------------------------------------------------------
def _nodes(expression: expr.Expr) -> Iterator[expr.Expr]:
    for node in expression.walk():
        yield node
        if isinstance(node, Local):
            yield from _nodes(node.definition)


def module_patterns() -> dict[str, str]:
    """Every pattern of every module's rules, checks and AWS names: pattern → where it is used."""
    from modules import all_modules

    found: dict[str, str] = {}
    for kind, module in sorted(all_modules().items()):
        conditions = [(f"{kind} {spec.name} rule {n}", rule.when)
                      for spec in module.inputs.inputs for n, rule in enumerate(spec.rules)]
        conditions += [(f"{kind} check on {check.inputs[0]}", check.when) for check in module.inputs.checks]
        conditions += [(f"{kind} {name.what} name", part) for name in module.inputs.aws_names
                       for part in (name.name, name.created) if isinstance(part, expr.Expr)]
        for where, condition in conditions:
            for node in _nodes(condition) if condition is not None else ():
                if isinstance(node, expr._Matches):
                    found.setdefault(node.pattern, where)
    return found


@pytest.mark.every_kind
def test_every_pattern_the_modules_use_is_portable():
    patterns = module_patterns()
    # The shapes every module shares, written by generator.language.rules: ids, ARNs, names.
    assert "vpc-([0-9a-f]{8}|[0-9a-f]{17})" in patterns
    assert ("arn:(aws|aws-cn|aws-us-gov):kms:[a-z]{2}(-gov)?-[a-z]+-[0-9]+:[0-9]{12}:key/[A-Za-z0-9-]+"
            in patterns)
    assert "arn:aws[a-z-]*:acm-pca:.+" in patterns
    assert "[A-Za-z0-9!&#$^<>-]{16,128}" in patterns
    assert len(patterns) >= 25
    refused = {}
    for pattern, where in patterns.items():
        try:
            portable_regex(pattern)
        except ValueError as err:
            refused[where] = str(err)
    assert refused == {}


def test_every_pattern_the_modules_use_has_a_passing_example():
    for pattern in module_patterns():
        example = rules.example_matching(pattern)
        assert re.fullmatch(pattern, example), (pattern, example)
        assert value.matches(pattern).evaluate({expr.VALUE_KEY: example}) is True
