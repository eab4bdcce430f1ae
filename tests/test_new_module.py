"""A module is one folder (README, "Adding a module"): a new module folder passes the suite's module-generic tests with
no other file changed.

In a copy of the project, the tests' example module (tests/fixtures/example_modules/example_queue/, one SQS queue)
becomes modules/example_queue/; `python main.py` writes generated/ (the README's step 4), and that is the only other
change. An environment file of the test's own, passed with --config (never environments/), calls the module as
[example_queue_orders]. Then pytest runs in the copy with testkit/kind_selection.py: every test parametrized by the
new kind and every test marked `every_kind` (those reading the whole list of kinds without a parameter for it),
Terraform's included (the module's plan with its longest names, its native `terraform test`). Not the literal whole
suite: the other tests do not depend on which modules exist, and running them twice would double the suite's cost.
The selection's report proves the point: every test function parametrized by all the shipped modules is
parametrized by the new one too, and ran.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from modules import all_modules
from testkit.project import PROJECT, copy_project
from testkit.pytest_terraform import require_terraform

KIND = "example_queue"
EXAMPLE = PROJECT / "tests" / "fixtures" / "example_modules" / KIND
CONFIG = """\
name_prefix = "mapzip-lab-"
region = "ap-northeast-2"

[example_queue_orders]
queue_name = "orders"
"""
# Tests parametrized by the shipped modules that a new module does not join, each for its reason. Any other test
# parametrized by every shipped module must take the new one (the proof below).
BY_NAME = {
    # Each secure default decided module by module; a new module's are held by its native test's `secure_defaults`
    # run (generator/synthesis/tftest.py: every input that can weaken security keeps its default).
    "tests/test_secure_defaults.py": "secure defaults decided per shipped module",
    "tests/test_key_policies.py": "the statements each shipped module's own KMS key policy holds",
    "tests/test_apply_time_rules.py::test_terraform_accepts_the_boundaries": "boundary values per shipped rule",
    # adopt.py is optional: the adopter test takes the modules that name one (a module without is forgotten, with a
    # note: tests/test_adopt_engine.py).
    "tests/test_adopt_engine.py::test_each_modules_adopter_recognises_what_the_module_creates": "modules with an adopter",
    "tests/test_adopt_pins.py::test_every_pinnable_value_has_a_state_that_differs_from_the_default":
        "modules with an adopter, each with its pins cases",
    # One instance per rule or check of every module: the example module declares none.
    "tests/test_rules.py::test_each_rule_refuses_its_example_and_accepts_its_passing_value": "one per rule",
    "tests/test_rules.py::test_each_check_accepts_its_passing_inputs": "one per check",
}
IGNORED = shutil.ignore_patterns("__pycache__", ".pytest_cache")
CACHES = {"__pycache__", ".pytest_cache", ".terraform"}

# The selection runs Terraform (plans, native tests) and costs about what the Terraform layer costs: not in the
# default run (pyproject's addopts deselect new_module), but in CI's own step, `ci/pipeline.sh new-module`.
pytestmark = [pytest.mark.terraform, pytest.mark.new_module]


def snapshot(root: Path) -> dict[str, str]:
    """{relative path: sha256} of every file under `root`, caches left out."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not CACHES & set(path.relative_to(root).parts)
    }


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))


def run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)


def test_a_new_module_folder_passes_the_module_generic_tests(tmp_path):
    require_terraform()
    copy = copy_project(tmp_path / "project")
    before = snapshot(copy)
    shutil.copytree(EXAMPLE, copy / "modules" / KIND, ignore=IGNORED)
    env = dict(os.environ, PYTHONPATH=str(copy))  # the copy's code, whatever the venv's editable install names
    env.pop("PYTHONHASHSEED", None)

    made = run([sys.executable, "main.py"], copy, env)
    assert made.returncode == 0, made.stderr
    where = run([sys.executable, "-c", "import modules; print(modules.__file__)"], copy, env).stdout.strip()
    assert Path(where).resolve().is_relative_to(copy.resolve())
    edited = changed(before, snapshot(copy))
    assert [p for p in edited if not p.startswith("generated/")] == [
        f"modules/{KIND}/{name}" for name in ("__init__.py", "inputs.py", "outputs.py", "resources.py")]
    assert f"generated/modules/{KIND}/main.tf.json" in edited  # and generated/README.md, which lists the modules

    config = tmp_path / "lab.toml"
    config.write_text(CONFIG)
    out = tmp_path / "out"
    called = run([sys.executable, "main.py", "--config", str(config), "--out", str(out)], copy, env)
    assert called.returncode == 0, called.stderr
    stack = json.loads((out / "stacks" / "lab" / "main.tf.json").read_text())
    assert stack["module"]["example_queue_orders"]["source"] == f"../../modules/{KIND}"

    report = tmp_path / "selection.json"
    tested = run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "testkit.kind_selection",
                  "--kind", KIND, "--kind-report", str(report), "--basetemp", str(tmp_path / "inner")], copy, env)
    assert tested.returncode == 0, tested.stdout[-6000:] + tested.stderr[-2000:]

    collected = json.loads(report.read_text())
    selected = [item for item in collected if item["selected"]]
    assert selected == [item for item in collected if KIND in item["kinds"] or item["every_kind"]]
    # Every test parametrized by every shipped module takes the new one: the kinds come from discovery.
    shipped = set(all_modules())
    functions: dict[str, set[str]] = {}
    for item in collected:
        functions.setdefault(item["function"], set()).update(item["kinds"])
    left_out = sorted(f for f, kinds in functions.items()
                      if shipped <= kinds and KIND not in kinds and f not in BY_NAME and f.split("::")[0] not in BY_NAME)
    assert left_out == []
    # All of them ran and passed (a skip only where the module has nothing to check, and says so).
    summary = tested.stdout.strip().splitlines()[-1]
    counts = {word: int(n) for n, word in re.findall(r"(\d+) (passed|skipped|failed|errors?|deselected)", summary)}
    assert counts.get("passed", 0) + counts.get("skipped", 0) == len(selected), summary
    ran = {item["id"] for item in selected}
    # (Its native `terraform test` runs in the pipeline's module-tests step, not in pytest.)
    assert {f"tests/test_limits.py::test_derived_names_are_the_names_terraform_plans[{KIND}]",  # its offline plan
            f"tests/test_contract.py::test_every_reference_is_declared[{KIND}]"} <= ran
