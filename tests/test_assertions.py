"""The Terratest-style helper: partial matching and readable failures."""

from __future__ import annotations

import pytest

from testkit.assertions import ABSENT, Plan, TerraformJson, mismatches

DOCUMENT = {
    "resource": {"aws_msk_cluster": {"this": {"kafka_version": "3.8.x", "tags": {"A": "1"}, "ports": [1, 2]}}},
    "variable": {"port": {"type": "number", "default": 6379}},
}


def test_partial_match_passes():
    TerraformJson(DOCUMENT).assert_resource("aws_msk_cluster", "this", {"tags": {"A": "1"}})


def test_failures_name_every_path():
    assert mismatches(
        DOCUMENT["resource"]["aws_msk_cluster"]["this"],
        {"kafka_version": "3.9.x", "tags": {"B": "2"}, "ports": [1], "missing": ABSENT, "kafka_versionx": 1},
    ) == [
        'kafka_version: expected "3.9.x", got "3.8.x"',
        'tags.B: missing (expected "2")',
        "ports: expected 1 items, got 2: [1, 2]",
        "kafka_versionx: missing (expected 1)",
    ]


def test_absent_and_bool_strictness():
    assert mismatches({"a": 1}, {"a": ABSENT}) == ["a: expected no value, got 1"]
    assert mismatches({"a": None}, {"a": ABSENT}) == []
    assert mismatches({"a": 1}, {"a": True}) == ["a: expected true, got 1"]
    assert mismatches({"a": 2.0}, {"a": 2}) == []


def test_unknown_resource_lists_what_exists():
    with pytest.raises(AssertionError) as err:
        TerraformJson(DOCUMENT).resource("aws_msk_cluster", "main")
    assert str(err.value) == "no resource.aws_msk_cluster.main; resource.aws_msk_cluster has: this"


def test_assert_resource_message():
    with pytest.raises(AssertionError) as err:
        TerraformJson(DOCUMENT).assert_variable("port", {"default": 6380})
    assert str(err.value) == "variable.port does not match:\n  default: expected 6380, got 6379"


def test_plan_reads_nested_modules():
    plan = Plan({
        "planned_values": {"root_module": {"child_modules": [{"resources": [
            {"address": "module.m.aws_x.this", "values": {"name": "n"}}]}]}},
        "resource_changes": [{"address": "module.m.aws_x.this", "change": {"actions": ["create"]}}],
    })
    plan.assert_resource("module.m.aws_x.this", {"name": "n"})
    assert plan.actions == {"module.m.aws_x.this": ["create"]}
    with pytest.raises(AssertionError) as err:
        plan.resource("module.m.aws_x.that")
    assert str(err.value) == "the plan has no module.m.aws_x.that; it plans: module.m.aws_x.this"
