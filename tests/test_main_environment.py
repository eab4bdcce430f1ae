"""`python main.py` under a Python that lacks the project's dependencies: one line saying which Python to use,
exit 1, no traceback. The commands run as a user's shell runs them, in a process of their own."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
from pathlib import Path

from testkit.project import PROJECT

# The interpreter the project's venv was made from: a Python without the project's dependencies (no jsii).
BASE_PYTHON = str(Path(sys.base_prefix) / "bin" / "python3")


def small_project(destination: Path) -> Path:
    """main.py with the packages it imports first: enough for the check, which runs before anything else."""
    destination.mkdir()
    shutil.copy(PROJECT / "main.py", destination / "main.py")
    for package in ("generator", "modules"):
        shutil.copytree(PROJECT / package, destination / package, ignore=shutil.ignore_patterns("__pycache__"))
    return destination


def run(python: str, *args: str, cwd: Path, isolated: bool = False) -> subprocess.CompletedProcess:
    command = [python, *(["-I"] if isolated else []), "main.py", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)


def test_the_base_python_is_told_to_use_the_venv(tmp_path):
    project = small_project(tmp_path / "project")
    venv.create(project / ".venv", with_pip=False)
    # -I: no script folder on sys.path either (the project's own packages are missing too).
    isolated = run(BASE_PYTHON, "--check", cwd=project, isolated=True)
    assert (isolated.returncode, isolated.stdout) == (1, "")
    assert isolated.stderr == (
        f"error: {BASE_PYTHON} does not have the project's dependencies (no module 'generator'); "
        "use .venv/bin/python, the project's environment\n"
    )
    # As a fresh shell runs it: the project's packages are found beside main.py, its dependencies are not.
    plain = run(BASE_PYTHON, "--adopt", "state.json", "--config", "environments/prod.toml", cwd=project)
    assert (plain.returncode, plain.stdout) == (1, "")
    assert plain.stderr == (
        f"error: {BASE_PYTHON} does not have the project's dependencies (no module 'jsii'); "
        "use .venv/bin/python, the project's environment\n"
    )
    assert not (project / "generated").exists() and not (project / "environments").exists()


def test_from_another_folder_the_venv_is_named_by_its_path(tmp_path):
    project = small_project(tmp_path / "project")
    venv.create(project / ".venv", with_pip=False)
    below = tmp_path / "work"
    below.mkdir()
    inside = subprocess.run([BASE_PYTHON, "../project/main.py"], cwd=below, capture_output=True, text=True)
    assert inside.returncode == 1
    assert inside.stderr.endswith(f"; use {project / '.venv'}/bin/python, the project's environment\n")
    above = subprocess.run([BASE_PYTHON, "project/main.py"], cwd=tmp_path, capture_output=True, text=True)
    assert above.stderr.endswith("; use project/.venv/bin/python, the project's environment\n")


def test_an_empty_venv_is_told_to_install_the_project(tmp_path):
    project = small_project(tmp_path / "project")
    venv.create(project / ".venv", with_pip=False)  # the project's .venv itself, made but never installed into
    python = str(project / ".venv" / "bin" / "python")
    result = run(python, "--check", cwd=project)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"error: {python} does not have the project's dependencies (no module 'jinja2'); set the project up: "
        "python3 -m venv .venv && .venv/bin/pip install -e '.[test]'\n"
    )


def test_without_a_venv_the_set_up_is_named(tmp_path):
    project = small_project(tmp_path / "project")
    elsewhere = tmp_path / "empty-venv"
    venv.create(elsewhere, with_pip=False)
    python = str(elsewhere / "bin" / "python")
    result = subprocess.run([python, str(project / "main.py"), "--diff"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr == (
        f"error: {python} does not have the project's dependencies (no module 'jinja2'); set the project up: "
        f"cd {project} && python3 -m venv .venv && .venv/bin/pip install -e '.[test]'\n"
    )


ADOPT_WITHOUT_TOMLKIT = """
import runpy, sys
sys.modules["tomlkit"] = None  # an import of tomlkit now fails as it does where the package is not installed
sys.argv = ["main.py", *sys.argv[1:]]
runpy.run_path("main.py", run_name="__main__")
"""


def test_adopt_without_tomlkit_is_one_line(tmp_path):
    state = tmp_path / "state.json"
    state.write_text("{}")
    config = tmp_path / "prod.toml"
    result = subprocess.run([sys.executable, "-c", ADOPT_WITHOUT_TOMLKIT, "--adopt", str(state), "--config", str(config)],
                            cwd=PROJECT, capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"error: --adopt needs the package 'tomlkit', which {sys.executable} does not have: install the project into "
        "the Python you run (.venv/bin/pip install -e '.[test]') and run .venv/bin/python main.py\n"
    )
    assert not config.exists()
