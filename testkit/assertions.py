"""Terratest-style assertions for the team's infrastructure tests, on synthesized JSON and on real plans.

    from testkit.assertions import TerraformJson, Plan, ABSENT

    module = TerraformJson.from_dir("generated/modules/msk")
    module.assert_resource("aws_msk_cluster", "this", {"encryption_info": {"encryption_in_transit": {"in_cluster": True}}})

    plan = Plan(terraform.plan_offline(Path("generated"), "dev", {...}))   # like Terratest's InitAndPlan
    plan.assert_resource("module.msk.aws_msk_cluster.this", {"kafka_version": "3.8.x", "client_authentication": [...]})

Matching is partial: a dict matches when every expected key matches (extra keys are fine); a list matches
element by element and must have the same length; `ABSENT` asserts that a key is missing (or null, as a plan
shows unset attributes). Failures list every mismatch with its path.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Mapping

from generator.synthesis.normalize import join


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()


def mismatches(actual: Any, expected: Any, path: str = "") -> list[str]:
    """Every way `actual` fails to match `expected`, as `path: expected X, got Y` lines."""
    here = path or "(value)"
    if isinstance(expected, Mapping):
        if not isinstance(actual, Mapping):
            return [f"{here}: expected an object, got {json.dumps(actual)}"]
        found: list[str] = []
        for key, want in expected.items():
            where = f"{path}.{key}" if path else str(key)
            if want is ABSENT:
                if actual.get(key) is not None:
                    found.append(f"{where}: expected no value, got {json.dumps(actual[key])}")
            elif key not in actual:
                found.append(f"{where}: missing (expected {json.dumps(want, default=repr)})")
            else:
                found.extend(mismatches(actual[key], want, where))
        return found
    if isinstance(expected, (list, tuple)):
        if not isinstance(actual, list):
            return [f"{here}: expected a list, got {json.dumps(actual)}"]
        if len(actual) != len(expected):
            return [f"{here}: expected {len(expected)} items, got {len(actual)}: {json.dumps(actual)}"]
        found = []
        for index, (got, want) in enumerate(zip(actual, expected)):
            found.extend(mismatches(got, want, f"{path}[{index}]"))
        return found
    # true is not 1: a bool matches only a bool; 2 and 2.0 are the same number (plans give floats).
    same_kind = isinstance(actual, bool) == isinstance(expected, bool)
    if not same_kind or actual != expected:
        return [f"{here}: expected {json.dumps(expected)}, got {json.dumps(actual)}"]
    return []


def assert_matches(actual: Any, expected: Any, what: str) -> None:
    found = mismatches(actual, expected)
    if found:
        raise AssertionError(f"{what} does not match:\n  " + "\n  ".join(found))


class TerraformJson:
    """A Terraform JSON configuration (one document, or the merged *.tf.json files of a folder)."""

    def __init__(self, document: Mapping[str, Any]):
        self.document = document

    @classmethod
    def from_dir(cls, folder: str | Path) -> "TerraformJson":
        return cls(join(json.loads(f.read_text(encoding="utf-8")) for f in sorted(Path(folder).glob("*.tf.json"))))

    @classmethod
    def from_files(cls, files: Mapping[str, bytes], folder: str) -> "TerraformJson":
        prefix = folder.rstrip("/") + "/"
        return cls(join(json.loads(files[p]) for p in sorted(files) if p.startswith(prefix) and p.endswith(".tf.json")))

    def _block(self, section: str, *names: str) -> Any:
        node: Any = self.document.get(section, {})
        trail = [section]
        for name in names:
            if not isinstance(node, Mapping) or name not in node:
                available = ", ".join(sorted(node)) if isinstance(node, Mapping) else "none"
                raise AssertionError(f"no {'.'.join(trail + [name])}; {'.'.join(trail)} has: {available or 'nothing'}")
            node = node[name]
            trail.append(name)
        return node

    def resource(self, kind: str, name: str) -> Mapping[str, Any]:
        return self._block("resource", kind, name)

    def resources(self) -> list[str]:
        return [f"{kind}.{name}" for kind, items in sorted(self.document.get("resource", {}).items()) for name in sorted(items)]

    def variable(self, name: str) -> Mapping[str, Any]:
        return self._block("variable", name)

    def output(self, name: str) -> Mapping[str, Any]:
        return self._block("output", name)

    def module(self, name: str) -> Mapping[str, Any]:
        return self._block("module", name)

    def assert_resource(self, kind: str, name: str, expected: Mapping[str, Any]) -> None:
        assert_matches(self.resource(kind, name), expected, f"{kind}.{name}")

    def assert_variable(self, name: str, expected: Mapping[str, Any]) -> None:
        assert_matches(self.variable(name), expected, f"variable.{name}")

    def assert_output(self, name: str, expected: Mapping[str, Any]) -> None:
        assert_matches(self.output(name), expected, f"output.{name}")


class Plan:
    """A plan as `terraform show -json` gives it: the planned values of every resource, by address."""

    def __init__(self, show_json: Mapping[str, Any]):
        self.raw = show_json
        self.values: dict[str, Mapping[str, Any]] = {}
        for resource in _walk(show_json.get("planned_values", {}).get("root_module", {})):
            self.values[resource["address"]] = resource.get("values", {})
        self.actions = {c["address"]: c["change"]["actions"] for c in show_json.get("resource_changes", [])}

    def addresses(self) -> list[str]:
        return sorted(self.values)

    def resource(self, address: str) -> Mapping[str, Any]:
        if address not in self.values:
            raise AssertionError(f"the plan has no {address}; it plans: {', '.join(self.addresses()) or 'nothing'}")
        return self.values[address]

    def assert_resource(self, address: str, expected: Mapping[str, Any]) -> None:
        assert_matches(self.resource(address), expected, address)

    def assert_count(self, prefix: str, count: int) -> None:
        found = [a for a in self.addresses() if a.startswith(prefix)]
        if len(found) != count:
            raise AssertionError(f"expected {count} resources at {prefix}, the plan has {len(found)}: {found}")


def _walk(module: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    yield from module.get("resources", [])
    for child in module.get("child_modules", []):
        yield from _walk(child)
