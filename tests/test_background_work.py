"""The session's background work (the plugin testkit/pytest_terraform.py), without running Terraform: what a job's
failing preparation does, a declaration made twice, which cases a selection plans, and no test file importing the
conftest."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from testkit.project import PROJECT
from testkit import pytest_terraform
from testkit.pytest_terraform import Declarations, TerraformWork, refuse_a_second, selected_cases


def _bare_work(workdir: Path, prepare) -> TerraformWork:
    """A TerraformWork with only its folder and preparations: enough to prepare a job, no provider check started."""
    work = TerraformWork.__new__(TerraformWork)
    work.workdir = workdir
    work._prepare = prepare
    return work


@pytest.mark.parametrize("failure", [SystemExit("error: --config: no such file"), ValueError("bad toml")],
                         ids=["parser-exit", "exception"])
def test_a_failing_prepare_is_the_jobs_outcome_and_the_job_never_runs(tmp_path, failure):
    ran = []

    def job(generated_tree: Path, workdir: Path) -> None:
        ran.append(workdir)

    def prepare(workdir: Path) -> None:
        raise failure  # cli.main's parser raises SystemExit on a bad argument

    outcome = _bare_work(tmp_path, {job: prepare})._start_job(job)
    assert outcome.exception() is failure
    assert ran == []
    assert (tmp_path / f"job-{__name__}-job").is_dir()  # its folder, where the preparation wrote


def test_a_declaration_made_twice_is_refused():
    def twin(generated_tree: Path, workdir: Path) -> None:
        """The first declaration."""

    first = twin

    def twin(generated_tree: Path, workdir: Path) -> None:  # noqa: F811 - the same module and name, on purpose
        """Another function under the same name: its folder would be the first one's."""

    refuse_a_second(first, [first])  # declaring the same function object again is not a second declaration
    with pytest.raises(TypeError) as refused:
        refuse_a_second(twin, [first])
    assert str(refused.value) == f"{__name__}.twin is declared twice"


def test_no_test_file_imports_the_conftest():
    """pytest imports tests/conftest.py once, as `conftest`; a test file importing it again (as `tests.conftest`)
    made a second copy of its state. The helpers are testkit.project's and testkit.pytest_terraform's."""
    importing = []
    for path in sorted((PROJECT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else (
                [alias.name for alias in node.names] if isinstance(node, ast.Import) else [])
            if any(name in ("conftest", "tests.conftest") or name.endswith(".conftest") for name in names):
                importing.append(f"{path.relative_to(PROJECT)}:{node.lineno}")
    assert importing == []


def test_a_case_belongs_to_the_test_modules_that_declare_it_and_only_their_selection_plans_it():
    """plan_case / refusal_case record the module they are called from (as a test file calls them at import time);
    a session plans the cases of the files whose selected tests read cases, so running one file, or the new-module
    check's selection, does not plan every case of the suite."""
    declared = len(pytest_terraform.DECLARED.cases)
    namespace = {"__name__": "test_somewhere", "plan_case": pytest_terraform.plan_case,
                 "refusal_case": pytest_terraform.refusal_case}
    try:
        exec("ACCEPTED = plan_case('dynamodb', {'table_name': 'only-here'})\n"
             "REFUSED = refusal_case('dynamodb', {'table_name': ''})", namespace)
        accepted, refused = namespace["ACCEPTED"], namespace["REFUSED"]
        assert pytest_terraform.DECLARED.case_files[accepted] == {"test_somewhere"}
        assert pytest_terraform.DECLARED.case_files[refused] == {"test_somewhere"}
    finally:
        del pytest_terraform.DECLARED.cases[declared:]
        pytest_terraform.DECLARED.case_files.pop(namespace.get("ACCEPTED"), None)
        pytest_terraform.DECLARED.case_files.pop(namespace.get("REFUSED"), None)

    shared, mine, theirs = (pytest_terraform.ModuleCase.of("msk", {"n": n}) for n in range(3))
    selection = Declarations(cases=[shared, mine, theirs, shared],
                             case_files={shared: {"test_a", "test_b"}, mine: {"test_a"}, theirs: {"test_b"}})
    assert selected_cases(selection, {"test_a"}) == [shared, mine]
    assert selected_cases(selection, {"test_b"}) == [shared, theirs]
    assert selected_cases(selection, set()) == []
    assert selected_cases(selection, None) == [shared, mine, theirs]
