"""`python main.py --diff` when whole folders come and go: a stack whose environment file is deleted or added, a
module that is dropped or new. Every entry of such a folder is in the summary, under the folder's name."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from generator.synthesis import tree
from generator.synthesis.normalize import serialize
from generator.commands.review import summarize
from testkit.project import FIXTURE_ENVIRONMENTS, copy_project

KEPT = {"modules/cache/main.tf.json": serialize({"resource": {"aws_sns_topic": {"t": {"name": "a"}}}})}
STACK = {
    "stacks/qa/main.tf.json": serialize({
        "module": {"cache": {"source": "../../modules/cache"}},
        "terraform": {"backend": {"local": {}}},
        "moved": [{"from": "module.old", "to": "module.cache"}],
    }),
    "stacks/qa/variables.tf.json": serialize({"variable": {"cache_auth_token": {"type": "string", "sensitive": True}}}),
    "stacks/qa/outputs.tf.json": serialize({"output": {"endpoint": {"value": "${module.cache.endpoint}"}}}),
    "stacks/qa/README.md": b"# qa\n",
}
MODULE = {
    "modules/queue/main.tf.json": serialize({
        "resource": {"aws_sqs_queue": {"this": {"name": "q"}}},
        "data": {"aws_region": {"current": {}}},
        "locals": {"n": 1},
    }),
    "modules/queue/variables.tf.json": serialize({"variable": {"name": {"type": "string"}}}),
    "modules/queue/README.md": b"# queue\n",
}


def lines(sign: str) -> list[str]:
    return [
        "modules/queue:",
        f"  {sign} aws_sqs_queue.this",
        f"  {sign} data.aws_region.current",
        f"  {sign} local.n",
        f"  {sign} variable.name",
        "  ~ README.md (documentation)",
        "stacks/qa:",
        f"  {sign} module.cache",
        f"  {sign} moved module.old",
        f"  {sign} output.endpoint",
        f"  {sign} terraform",
        f"  {sign} variable.cache_auth_token",
        "  ~ README.md (documentation)",
    ]


def test_removed_stack_and_module_folders_are_in_the_summary():
    summary, changed = summarize({**KEPT, **STACK, **MODULE}, KEPT, tree.everything)
    assert summary.splitlines() == lines("-") + ["0 added, 9 removed, 0 changed, 2 documentation files updated"]
    assert changed is True


def test_added_stack_and_module_folders_are_in_the_summary():
    summary, changed = summarize(KEPT, {**KEPT, **STACK, **MODULE}, tree.everything)
    assert summary.splitlines() == lines("+") + ["9 added, 0 removed, 0 changed, 2 documentation files updated"]
    assert changed is True


def test_a_folder_replaced_by_another():
    summary, _ = summarize({**KEPT, **MODULE}, {**KEPT, **STACK}, tree.everything)
    assert summary.splitlines()[0:5] == ["modules/queue:", "  - aws_sqs_queue.this", "  - data.aws_region.current",
                                         "  - local.n", "  - variable.name"]
    assert "stacks/qa:" in summary.splitlines()
    assert summary.splitlines()[-1] == "5 added, 4 removed, 0 changed, 2 documentation files updated"


def test_a_folder_out_of_scope_is_not_reported_removed():
    # `--diff --config environments/dev.toml`: the other stacks are not part of the run.
    summary, changed = summarize({**KEPT, **STACK}, KEPT, lambda path: not path.startswith("stacks/"))
    assert (summary, changed) == ("0 added, 0 removed, 0 changed", False)


def module_blocks(project, stack: str) -> list[str]:
    main = json.loads((project / "generated" / "stacks" / stack / "main.tf.json").read_text())
    return sorted(main["module"])


@pytest.fixture(scope="module")
def project_without_prod_with_qa(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("diff") / "project")
    # The tests' own environment files, and the tree they give, in place of the team's (whatever those hold).
    shutil.rmtree(project / "environments")
    shutil.copytree(FIXTURE_ENVIRONMENTS, project / "environments")
    subprocess.run([sys.executable, "main.py"], cwd=project, capture_output=True, text=True, check=True)
    (project / "environments" / "prod.toml").unlink()
    dev = (project / "environments" / "dev.toml").read_text()
    assert 'name_prefix = "mapzip-dev-"' in dev
    (project / "environments" / "qa.toml").write_text(dev.replace('name_prefix = "mapzip-dev-"', 'name_prefix = "mapzip-qa-"'))
    result = subprocess.run([sys.executable, "main.py", "--diff"], cwd=project, capture_output=True, text=True)
    return project, result


def test_diff_of_a_deleted_and_an_added_environment_file(project_without_prod_with_qa):
    project, result = project_without_prod_with_qa
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    out = result.stdout.splitlines()
    prod, qa = out.index("stacks/prod:"), out.index("stacks/qa:")
    prod_section = out[prod + 1:out.index(next(line for line in out[prod + 1:] if not line.startswith("  ")))]
    qa_section = out[qa + 1:out.index(next(line for line in out[qa + 1:] if not line.startswith("  ")))]
    for name in module_blocks(project, "prod"):
        assert f"  - module.{name}" in prod_section
    for name in module_blocks(project, "dev"):
        assert f"  + module.{name}" in qa_section
    assert "  - terraform" in prod_section and "  + terraform" in qa_section
    assert not any(line.startswith("  + ") for line in prod_section)
    assert not any(line.startswith("  - ") for line in qa_section)
    # --diff writes nothing: the removed stack is still on disk.
    assert (project / "generated" / "stacks" / "prod" / "main.tf.json").is_file()
    assert not (project / "generated" / "stacks" / "qa").exists()
