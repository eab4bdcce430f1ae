"""Shared fixtures. Synthesis runs once per session: the tests that only read JSON share its result."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("CHECKPOINT_DISABLE", "1")

from generator import pipeline, terraform, tree  # noqa: E402
from generator.assertions import TerraformJson  # noqa: E402

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def produced() -> pipeline.Result:
    return pipeline.produce()


@pytest.fixture(scope="session")
def generated_tree(produced: pipeline.Result, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("synth") / "generated"
    tree.write_tree(root, produced.files)
    return root


@pytest.fixture(scope="session")
def module_json(produced: pipeline.Result):
    def load(name: str) -> TerraformJson:
        return TerraformJson.from_files(produced.files, f"modules/{name}")

    return load


def require_terraform() -> None:
    if terraform.binary() is None:
        if os.environ.get("CI"):
            pytest.fail("terraform is not on PATH; CI must have it")
        pytest.skip("terraform is not on PATH")


@pytest.fixture(scope="session")
def harness(generated_tree: Path, tmp_path_factory: pytest.TempPathFactory):
    """`harness("msk").plan({...})`: an offline plan of one module with the given inputs (init once per module)."""
    require_terraform()
    made: dict[str, terraform.ModuleHarness] = {}

    def get(kind: str) -> terraform.ModuleHarness:
        if kind not in made:
            made[kind] = terraform.ModuleHarness(generated_tree / "modules" / kind, tmp_path_factory.mktemp(f"harness-{kind}"))
        return made[kind]

    return get


def copy_project(destination: Path) -> Path:
    """A copy of the project's sources (not its virtualenv) for tests that run main.py on their own tree."""
    shutil.copytree(
        PROJECT,
        destination,
        ignore=shutil.ignore_patterns(".venv*", ".git", "__pycache__", ".pytest_cache", "node_modules", ".tools", "cdktf.out"),
    )
    return destination
