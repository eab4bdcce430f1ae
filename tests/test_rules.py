"""The shared rules (generator/language/rules.py, modules/shared): their examples say what they claim, and the conditions that
stand in for a computation (the union of CIDR blocks, the create_kms_key checks) decide what the computation would.
Terraform's side of every one is tests/test_rule_agreement.py."""

from __future__ import annotations

import ipaddress
import itertools

import pytest

from generator.language import expr, rules
from generator.language.expr import Local, var
from generator.language.inputs import NO_EXAMPLE
from modules import all_modules
from modules.shared import inputs as shared

MODULES = all_modules()


def _rules():
    for kind, module in sorted(MODULES.items()):
        for spec in module.inputs.inputs:
            for n, rule in enumerate(spec.rules):
                yield pytest.param(kind, spec, rule, id=f"{kind}-{spec.name}-{n}")


@pytest.mark.parametrize(("kind", "spec", "rule"), list(_rules()))
def test_each_rule_refuses_its_example_and_accepts_its_passing_value(kind, spec, rule):
    """As the input receives them: converted to its type (an object's optional attributes get their defaults)."""
    if rule.example is not None:
        assert rule.check(spec.type.convert(rule.example)) is False, rule.must
    if rule.passing is not NO_EXAMPLE:
        assert rule.check(spec.type.convert(rule.passing)) is True, rule.must


def _checks():
    for kind, module in sorted(MODULES.items()):
        for n, check in enumerate(module.inputs.checks):
            if check.passing is not None:
                yield pytest.param(kind, module.inputs, check, id=f"{kind}-{n}-{check.inputs[0]}")


@pytest.mark.parametrize(("kind", "inputs", "check"), list(_checks()))
def test_each_check_accepts_its_passing_inputs(kind, inputs, check):
    required = inputs.example_call()
    values, problems = inputs.problems({**required, **check.passing})
    assert check.check(values) is True
    assert problems == []  # a whole configuration a user could give


# --- patterns ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("pattern", "example"), [
    ("[a-z]{2}(-gov)?-[a-z]+-[0-9]+", "aa-a-0"),
    ("[^,]+", "a"),
    ("[^a0A]", "-"),
    ("(sun|mon):([01][0-9]|2[0-3])", "sun:00"),
    ("[A-Za-z0-9!&#$^<>-]{16,128}", "A" * 16),
    ("[a-z](?:[a-z0-9]|-[a-z0-9])*", "a"),
    ("arn:aws[a-z-]*:acm-pca:.+", "arn:aws:acm-pca:x"),
    ("[A-Za-z0-9_.-]*", ""),
])
def test_the_passing_example_of_a_pattern_is_its_shortest_first_match(pattern, example):
    assert rules.example_matching(pattern) == example


def test_matches_takes_a_passing_value_or_makes_one():
    assert rules.matches("[a-z]+", "be letters").passing == "a"
    assert rules.matches("[a-z]+", "be letters", passing="cache").passing == "cache"
    assert rules.matches("[a-z]+", "be letters").example == ""


# --- every address -------------------------------------------------------------------------------------------------
_BLOCKS = ("0.0.0.0/1", "128.0.0.0/1", "0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2", "10.0.0.0/8",
           "128.0.0.0/3", "::/1", "8000::/1", "::/2", "c000::/2")


def _covers_exactly(blocks: tuple[str, ...]) -> bool:
    networks = [ipaddress.ip_network(b) for b in blocks]
    for whole in (ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0")):
        if whole in ipaddress.collapse_addresses(n for n in networks if n.version == whole.version):
            return True
    return False


def test_covers_every_address_is_the_union_of_the_blocks():
    """Every list of up to five of the blocks (nested, overlapping, both versions): the condition is the union."""
    condition = rules.covers_every_address(var("blocks"))
    covering = 0
    for size in range(6):
        for blocks in itertools.combinations(_BLOCKS, size):
            expected = _covers_exactly(blocks)
            covering += expected
            assert condition.evaluate({"blocks": list(blocks)}) is expected, blocks
    assert covering > 100  # the cases cover both answers


def test_the_every_address_check_reads_open_blocks_and_the_switch():
    check = shared.NO_INGRESS_COVERING_EVERY_ADDRESS
    values = {"allowed_cidr_blocks": ["0.0.0.0/1", "128.0.0.0/1"], "allow_ingress_from_anywhere": False}
    assert check.check(values) is False
    assert check.message(values) == (
        "allowed_cidr_blocks: must not add up to every IPv4 or every IPv6 address (such as 0.0.0.0/1 with "
        "128.0.0.0/1) unless allow_ingress_from_anywhere = true, got allowed_cidr_blocks = [\"0.0.0.0/1\", "
        "\"128.0.0.0/1\"], allow_ingress_from_anywhere = false")
    assert check.check({**values, "allow_ingress_from_anywhere": True}) is True
    # 0.0.0.0/0 itself is NO_OPEN_INGRESS's to report.
    assert check.check({**values, "allowed_cidr_blocks": ["0.0.0.0/0"]}) is True
    assert check.check({**values, "allowed_cidr_blocks": ["::/1", "8000::/1"]}) is False


# --- create_kms_key checks -----------------------------------------------------------------------------------------
KEY_NEEDED = Local("kms_key_needed", (var("encrypted") & var("kms_key_arn").is_null())
                   | (var("logs") & var("log_kms_key_arn").is_null()))


def _kms_checks():
    return shared.create_kms_key_checks(
        ("kms_key_arn", "log_kms_key_arn"),
        ("kms_key_arn", "log_kms_key_arn"),
        needs="needs both keys when false",
        unused="must be false when both keys are given",
        key_needed=KEY_NEEDED,
        encrypts_anything=var("encrypted") | var("logs"),
    )


def test_create_kms_key_checks_from_conditions():
    needs, unused = _kms_checks()
    # The inputs the conditions read are the checks' inputs; the messages show only the ones named.
    assert needs.inputs == ("create_kms_key", "kms_key_arn", "log_kms_key_arn", "encrypted", "logs")
    assert needs.shown == unused.shown == ("create_kms_key", "kms_key_arn", "log_kms_key_arn")
    assert needs.hcl == "var.create_kms_key || !local.kms_key_needed"
    assert needs.example == {"create_kms_key": False}
    assert needs.passing == {"create_kms_key": False, "kms_key_arn": shared.KEY_ARN_EXAMPLE,
                             "log_kms_key_arn": shared.KEY_ARN_EXAMPLE}
    # Terraform checks the second as the key's own precondition (modules/shared/kms.py), not on the main resource.
    assert unused.hcl is None and unused.exception is not None
    values = {"create_kms_key": False, "kms_key_arn": None, "log_kms_key_arn": None, "encrypted": True, "logs": False}
    assert needs.check(values) is False
    assert needs.message(values) == ("create_kms_key: needs both keys when false, got create_kms_key = false, "
                                     "kms_key_arn = null, log_kms_key_arn = null")
    assert needs.check({**values, "encrypted": False}) is True  # nothing encrypted: no key needed
    assert needs.check({**values, "kms_key_arn": expr.SUPPLIED_AT_APPLY}) is True


@pytest.mark.parametrize(("given", "holds"), [
    ({"create_kms_key": True}, True),  # the module's key encrypts the data
    ({"create_kms_key": True, "kms_key_arn": "k"}, False),  # nothing left for it: logs are off
    ({"create_kms_key": True, "kms_key_arn": "k", "logs": True}, True),  # the logs
    ({"create_kms_key": True, "kms_key_arn": "k", "logs": True, "log_kms_key_arn": "l"}, False),
    ({"create_kms_key": True, "kms_key_arn": "k", "encrypted": False}, True),  # no key is created at all
    ({"create_kms_key": False, "kms_key_arn": "k"}, True),
])
def test_the_unused_key_check_is_the_key_precondition_where_the_key_exists(given, holds):
    _, unused = _kms_checks()
    values = {"create_kms_key": True, "kms_key_arn": None, "log_kms_key_arn": None, "encrypted": True, "logs": False,
              **given}
    assert unused.check(values) is holds
