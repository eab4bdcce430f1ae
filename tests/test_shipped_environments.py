"""The team's environment files (environments/*.toml), checked only by what holds for any valid file.

They are the team's data, not the tests' fixtures (those are in tests/fixtures/environments/): adding, renaming or
deleting an environment, a table or a cache changes no test here. Whatever files there are, each one loads, its
stack is synthesized with one module block per table and a sensitive root variable per secret, and the committed
stack plans offline with the main resources of every block (what the security gate scans: .ci/run runs checkov on
every stack of generated/, `ci/pipeline.sh gate`). Every number below comes from the file being checked.
`ci/pipeline.sh team-edits` proves it: it edits the files of a copy of the project and runs the whole suite there.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from generator.config import environments
from generator.language import secrets
from modules import all_modules
from testkit.security_gate import main_resource_types, main_resources
from testkit.project import PROJECT, shipped_stacks

SHIPPED = sorted((PROJECT / "environments").glob("*.toml"))
NAMES = [path.stem for path in SHIPPED]


def tables_of(path: Path) -> set[str]:
    """The file's module tables, read with a plain TOML parser: every table but [tags] and [backend]."""
    data = tomllib.loads(path.read_text())
    return {key for key, value in data.items() if isinstance(value, dict)} - {"tags", "backend"}


def load(name: str) -> environments.Environment:
    return environments.load(PROJECT / "environments" / f"{name}.toml", all_modules(), f"environments/{name}.toml")


@pytest.mark.parametrize("name", NAMES)
def test_each_file_loads_with_a_module_block_per_table(name):
    environment = load(name)
    assert environment.name == name
    assert {call.name for call in environment.modules} == tables_of(PROJECT / "environments" / f"{name}.toml")


@pytest.mark.parametrize("name", NAMES)
def test_each_file_synthesizes_its_stack(shipped, name):
    environment = load(name)
    main = json.loads(shipped.files[f"stacks/{name}/main.tf.json"])
    assert {call: block["source"] for call, block in main["module"].items()} == {
        call.name: f"../../modules/{call.kind}" for call in environment.modules}
    variables = json.loads(shipped.files.get(f"stacks/{name}/variables.tf.json", b'{"variable": {}}'))["variable"]
    wanted = {environments.secret_variable(call.name, secret) for call in environment.modules for secret in call.secrets}
    assert {name: (v.get("sensitive"), "default" in v) for name, v in variables.items() if name in wanted} == {
        name: (True, False) for name in wanted}
    assert secrets.find_secrets(shipped.files) == []


def test_the_committed_stacks_are_the_files_stacks():
    """One stack per environment file, no other (the committed tree is current: test_pipeline, pre-commit)."""
    assert shipped_stacks() == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_each_committed_stack_plans_offline_with_the_main_resources_of_every_block(shipped_stack_plan, name):
    plan = shipped_stack_plan(name)
    found = main_resources(plan, main_resource_types())
    blocks = {call.name for call in load(name).modules}
    assert {call for call in blocks if not any(a.startswith(f"module.{call}.") for a in found)} == set()
    actions = {action for change in plan.get("resource_changes", []) for action in change["change"]["actions"]}
    assert "delete" not in actions
