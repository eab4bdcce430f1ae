"""The project as the tests see it: its folders, the tests' own environment files, a copy of the sources to run
`main.py` on, git in a test's own repository, and a resource of a `terraform show -json` state.

The team's environments/*.toml are theirs: no test reads what they hold; they are checked only by properties that
hold for any valid file (tests/test_shipped_environments.py). The tests synthesize their own files instead,
tests/fixtures/environments/ (`fixture_environment("dev")`, `fixture_config_args()`)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path
from typing import Any, Mapping

from generator.commands import review

PROJECT = Path(__file__).resolve().parent.parent
FIXTURE_ENVIRONMENTS = PROJECT / "tests" / "fixtures" / "environments"
SHIPPED_TREE = PROJECT / "generated"


def fixture_environment(name: str) -> Path:
    """`fixture_environment("dev")`: the path of the tests' own dev environment file."""
    return FIXTURE_ENVIRONMENTS / f"{name}.toml"


def fixture_environment_files() -> list[tuple[Path, str]]:
    """The tests' own environment files, each with its path relative to the project (as `pipeline.produce` takes
    them)."""
    return [(p, p.relative_to(PROJECT).as_posix()) for p in sorted(FIXTURE_ENVIRONMENTS.glob("*.toml"))]


def fixture_config_args() -> list[str]:
    """`python main.py` arguments that synthesize the tests' own environment files (the `produced` tree), not the
    team's: `--config` for each."""
    return [arg for path, _ in fixture_environment_files() for arg in ("--config", str(path))]


def shipped_stacks() -> list[str]:
    """The stacks of the committed generated/, whatever the team's environments/ holds."""
    folder = SHIPPED_TREE / "stacks"
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []


def plan_key(tree_root: Path, stack: str) -> str:
    """The digest of what an offline plan of `stacks/<stack>` reads: the stack's and the modules' Terraform files."""
    digest = hashlib.sha256()
    for folder in (tree_root / "modules", tree_root / "stacks" / stack):
        for path in sorted(folder.rglob("*.tf.json")):
            digest.update(f"{path.relative_to(tree_root).as_posix()}\0{len(path.read_bytes())}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def copy_project(destination: Path) -> Path:
    """A copy of the project's sources (not its virtualenv) for tests that run main.py on their own tree."""
    shutil.copytree(
        PROJECT,
        destination,
        ignore=shutil.ignore_patterns(".venv*", ".git", "__pycache__", ".pytest_cache", "node_modules", ".tools",
                                      "cdktf.out"),
    )
    return destination


def git(repo: Path, *args: str) -> str:
    """git in a test's own repository, as a fixed author, whatever a hook around the session points git at."""
    result = subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c",
         "commit.gpgsign=false", "-c", "init.defaultBranch=main", *args],
        capture_output=True, text=True, env=review.git_environment(), check=True,
    )
    return result.stdout.strip()


def shown_resource(shown: Mapping[str, Any], address: str) -> dict[str, Any]:
    """The resource at `address` in a child module of a `terraform show -json` state."""
    for module in shown["values"]["root_module"]["child_modules"]:
        for item in module["resources"]:
            if item["address"] == address:
                return item
    raise KeyError(address)
