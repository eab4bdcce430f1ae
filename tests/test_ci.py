"""The pull-request pipeline: ci/pipeline.sh (one definition of the steps), the GitHub workflow that calls it,
and the pre-commit hooks. The shell steps that need no cloud run here for real."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import PROJECT, background_terraform, copy_project, require_terraform

SCRIPT = PROJECT / "ci" / "pipeline.sh"
WORKFLOW = PROJECT / ".github" / "workflows" / "pull-request.yml"


def pipeline(*args: str, cwd: Path = PROJECT, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(cwd / "ci" / "pipeline.sh"), *args], cwd=cwd, capture_output=True, text=True,
        env={**os.environ, "PYTHON": sys.executable, **env},
    )


def test_the_workflow_runs_every_step_through_the_script():
    workflow = WORKFLOW.read_text()
    steps = re.findall(r"^  ([a-z-]+)\)$", SCRIPT.read_text(), flags=re.M)
    # The checks of the project itself (heavier, and about the project, not a pull request's change) run in .ci/run.
    project_checks = ["team-edits", "sandbox"]
    assert [s for s in steps if s not in project_checks] == [
        "install", "check", "diff", "test", "validate", "module-tests", "gate", "plan", "apply"]
    for step in steps:
        if step in project_checks:
            assert re.search(rf"^ci/pipeline\.sh {step}$", (PROJECT / ".ci" / "run").read_text(), flags=re.M), step
        else:
            assert re.search(rf"ci/pipeline\.sh {step}\b", workflow), step
    # The apply job is gated by the environment's protection rules and applies the plan file of the plan job.
    apply = workflow[workflow.index("\n  apply:"):]
    assert "environment: ${{ matrix.environment }}" in apply
    assert "actions/download-artifact" in apply and '"$RUNNER_TEMP/plan/$STACK.tfplan"' in apply
    assert "if: github.event_name == 'push'" in apply


def test_unknown_step_prints_the_usage():
    result = pipeline("deploy-everything")
    assert result.returncode == 2
    assert "ci/pipeline.sh check" in result.stderr


def test_diff_step(tmp_path):
    # The base branch's tree: the same, but the MSK broker type was smaller there.
    base = tmp_path / "generated"
    shutil.copytree(PROJECT / "generated", base)
    variables = base / "modules" / "msk" / "variables.tf.json"
    document = json.loads(variables.read_text())
    current = document["variable"]["broker_instance_type"]["default"]
    document["variable"]["broker_instance_type"]["default"] = "kafka.t3.small"
    variables.write_text(json.dumps(document, indent=2) + "\n")
    result = pipeline("diff", str(base))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("### `python main.py --diff`\n\n```\nmodules/msk:\n")
    assert f'~ variable.broker_instance_type.default: "kafka.t3.small" → "{current}"' in result.stdout
    assert result.stdout.endswith("```\n")


def test_diff_step_fails_on_a_bad_environment_file(tmp_path):
    project = tmp_path / "project"
    copy_project(project)
    (project / "environments" / "dev.toml").write_text('name_prefix = "mapzip-dev-"\nregion = 7\n')
    result = pipeline("diff", str(project / "generated"), cwd=project)
    assert result.returncode == 1
    assert "error: environments/dev.toml" in result.stderr
    assert "###" not in result.stdout


@background_terraform
def validate_step_on_a_broken_module(generated_tree: Path, workdir: Path) -> subprocess.CompletedProcess:
    """`ci/pipeline.sh validate` on a project holding one module broken by a hand edit."""
    project = workdir / "project"
    shutil.copytree(PROJECT / "ci", project / "ci")
    for package in ("generator", "testkit"):  # the step runs python -m testkit.terraform, which reads generator
        shutil.copytree(PROJECT / package, project / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(PROJECT / "generated" / "modules" / "dynamodb", project / "generated" / "modules" / "dynamodb")
    main = project / "generated" / "modules" / "dynamodb" / "main.tf.json"
    main.write_text(main.read_text().replace("${var.table_class}", "${var.no_such_input}"))
    return pipeline("validate", cwd=project)


def test_validate_step_reports_a_broken_module(background):
    """`ci/pipeline.sh validate` on a project holding one module broken by a hand edit (.ci/run runs the step on
    the whole tree, where it passes)."""
    result = background(validate_step_on_a_broken_module)
    assert result.returncode == 1, result.stdout
    assert "error: modules/dynamodb: " in result.stderr
    assert "Reference to undeclared input variable" in result.stderr
    assert not (PROJECT / "generated" / "modules" / "dynamodb" / ".terraform").exists()  # validated in a copy


def test_pre_commit_hooks_are_local_and_guard_the_tree():
    config = (PROJECT / ".pre-commit-config.yaml").read_text()
    assert re.findall(r"^  - repo: (\S+)$", config, flags=re.M) == ["local"]  # nothing fetched
    assert "entry: .venv/bin/python main.py --check" in config
    assert '-m "not terraform"' in config
    assert "entry: .venv/bin/zizmor --offline" in config  # the workflows' audit never goes online


def test_every_action_is_pinned_to_a_commit_and_no_checkout_keeps_its_token():
    """What zizmor enforces in pre-commit, read here too so that the rule tests say it without the ci extras."""
    workflow = WORKFLOW.read_text()
    uses = re.findall(r"uses: (\S+)(.*)$", workflow, flags=re.M)
    assert len(uses) == 19
    for action, comment in uses:
        assert re.fullmatch(r"[\w-]+/[\w-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r" # v\d+\.\d+\.\d+", comment), (action, comment)
    assert workflow.count("persist-credentials: false") == workflow.count("uses: actions/checkout@") == 4


def test_find_mirror_uses_an_implied_local_mirror_directory(tmp_path):
    """Without TF_PROVIDER_MIRROR, Terraform's implied mirror $XDG_DATA_HOME/terraform/plugins comes first."""
    implied = tmp_path / "data" / "terraform" / "plugins"
    (implied / "registry.terraform.io" / "hashicorp" / "aws").mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k != "TF_PROVIDER_MIRROR"}
    result = subprocess.run([sys.executable, "-m", "testkit.terraform", "--find-mirror"], cwd=PROJECT,
                            capture_output=True, text=True, env={**env, "XDG_DATA_HOME": str(tmp_path / "data")})
    assert (result.returncode, result.stdout, result.stderr) == (0, f"{implied}\n", "")


def test_a_wrong_mirror_variable_is_one_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "testkit.terraform", "--find-mirror"], cwd=PROJECT,
                            capture_output=True, text=True, env={**os.environ, "TF_PROVIDER_MIRROR": str(tmp_path)})
    assert result.returncode == 1
    assert result.stderr == (
        f"error: TF_PROVIDER_MIRROR={tmp_path} holds no registry.terraform.io/hashicorp/aws: set it to the folder "
        "that holds registry.terraform.io/ (`terraform providers mirror DIR` makes one)\n"
    )


# The next two set TF_PROVIDER_MIRROR in a process of their own: the variable is process-wide, and the session's
# Terraform work runs in other threads meanwhile.
WRONG_MIRROR_SESSION = """
import sys
from pathlib import Path

import pytest

from tests.conftest import TerraformWork

work = TerraformWork(Path(sys.argv[1]), Path(sys.argv[2]), [], wanted=set())
try:
    work.ready()
except pytest.exit.Exception as stopped:
    print(stopped, end="")
finally:
    work.close()
"""


def test_a_wrong_mirror_stops_the_session_with_one_line(tmp_path):
    """What the first Terraform test of a session does when the provider cannot be had: pytest.exit, one line."""
    tree = tmp_path / "generated"
    (tree / "modules").mkdir(parents=True)
    (tree / "stacks").mkdir()
    result = subprocess.run([sys.executable, "-c", WRONG_MIRROR_SESSION, str(tree), str(tmp_path / "work")],
                            cwd=PROJECT, capture_output=True, text=True,
                            env={**os.environ, "TF_PROVIDER_MIRROR": str(tmp_path / "empty")})
    assert result.returncode == 0, result.stderr
    message = result.stdout
    assert "\n" not in message
    assert message.startswith(f"TF_PROVIDER_MIRROR={tmp_path / 'empty'} holds no registry.terraform.io/hashicorp/aws")


PROVIDER_CHECK = """
import sys
from pathlib import Path

from testkit import terraform

try:
    terraform.check_provider(Path(sys.argv[1]))
except terraform.ProviderUnavailable as failed:
    print(failed, end="")
"""


@pytest.mark.terraform
def test_a_mirror_without_the_provider_package_is_one_line(tmp_path):
    require_terraform()
    mirror = tmp_path / "mirror"
    (mirror / "registry.terraform.io" / "hashicorp" / "aws").mkdir(parents=True)  # the folders, no package
    result = subprocess.run([sys.executable, "-c", PROVIDER_CHECK, str(tmp_path / "probe")], cwd=PROJECT,
                            capture_output=True, text=True, env={**os.environ, "TF_PROVIDER_MIRROR": str(mirror)})
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        f"terraform could not install registry.terraform.io/hashicorp/aws from the mirror {mirror}: failed to query "
        "available provider packages. Set TF_PROVIDER_MIRROR to a folder that holds registry.terraform.io/hashicorp/aws "
        "(`terraform providers mirror DIR` makes one), or give the machine registry access"
    )
