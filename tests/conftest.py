"""The suite's synthesis fixtures. Synthesis runs once per session: the tests that only read JSON share its result.

The Terraform scheduling (the `terraform` marker, `plan_case`, `background_terraform`, `stack_plan`, ...) is the
plugin testkit/pytest_terraform.py, registered below; the project's paths and the tests' own environment files are
in testkit/project.py. Test files import from those modules, never from this file.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("CHECKPOINT_DISABLE", "1")

from generator.commands import pipeline  # noqa: E402
from generator.synthesis import tree  # noqa: E402
from modules import all_modules  # noqa: E402
from testkit.assertions import TerraformJson  # noqa: E402
from testkit.project import fixture_environment_files  # noqa: E402

pytest_plugins = ["testkit.pytest_terraform"]

# Fixtures that read the team's environments/ (or the committed tree made from them): a test asking for one is
# marked `team_files`, and ci/pipeline.sh team-edits runs it again after the team's edits (testkit/team_edits.py).
TEAM_FIXTURES = frozenset({"shipped", "shipped_stack_plan"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if TEAM_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.team_files)


@pytest.fixture(scope="session")
def produced() -> pipeline.Result:
    """The modules and the stacks of the tests' own environment files (tests/fixtures/environments/)."""
    return pipeline.produce(fixture_environment_files(), modules=all_modules())


@pytest.fixture(scope="session")
def shipped() -> pipeline.Result:
    """What `python main.py` makes of the project as it is: the modules and the team's environments/*.toml."""
    return pipeline.produce(modules=all_modules())


@pytest.fixture(scope="session")
def generated_tree(produced: pipeline.Result, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `produced` tree written to a folder (what the Terraform plugin plans)."""
    root = tmp_path_factory.mktemp("synth") / "generated"
    tree.write_tree(root, produced.files)
    return root


@pytest.fixture(scope="session")
def module_json(produced: pipeline.Result):
    def load(name: str) -> TerraformJson:
        return TerraformJson.from_files(produced.files, f"modules/{name}")

    return load
