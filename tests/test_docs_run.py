"""The doc runner (testkit/docs_run.py): which fenced blocks it runs, how, and how it reports a block that fails.
Its run over the real README.md and docs/ is a step of .ci/run; these run it on small projects of their own."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from testkit import docs_run
from testkit.docs_run import Block, DocError, extract
from tests.conftest import PROJECT

DOC = '''# A page

```sh
echo one
```

1. A step:

   ```sh needs-aws
   terraform apply
   ```

   ```text
   sample output
   ```

````text
```
nested
```
````

```python
print("two")
```

```sh ci
# a comment
.venv/bin/python -m pytest
```
'''


def test_extract_finds_every_block_with_its_line_and_action():
    blocks = extract(DOC, "docs/page.md")
    assert [(b.line, b.info, b.action) for b in blocks] == [
        (3, "sh", "run-sh"),
        (9, "sh needs-aws", "needs-aws"),
        (13, "text", "sample"),
        (17, "text", "sample"),
        (23, "python", "run-python"),
        (27, "sh ci", "ci"),
    ]
    assert blocks[0].text == "echo one\n"
    assert blocks[1].text == "terraform apply\n"  # the list item's indentation is not part of the command
    assert blocks[3].text == "```\nnested\n```\n"  # a shorter fence inside a longer one is content


def test_a_block_without_an_info_string_is_refused():
    with pytest.raises(DocError) as refused:
        extract("text\n\n```\npython main.py\n```\n", "README.md")
    assert str(refused.value) == ("README.md:3: a fenced block without an info string (sh, python, text, …): "
                                  "say whether it runs")


def test_an_unclosed_fence_and_an_unknown_marker_are_refused():
    with pytest.raises(DocError) as unclosed:
        extract("```sh\necho\n", "docs/a.md")
    assert str(unclosed.value) == "docs/a.md:1: the fence ``` is never closed"
    with pytest.raises(DocError) as unknown:
        Block("docs/a.md", 4, "sh slow", "echo\n").action
    assert str(unknown.value).startswith("docs/a.md:4: unknown info string 'sh slow' (sh, sh ci, sh needs-aws,")


def test_ci_blocks_must_be_lines_of_the_ci_script():
    block = Block("README.md", 5, "sh ci", "# set up\npython3 -m venv .venv && .venv/bin/pip install -e '.[test]'\n")
    assert docs_run.check_ci(block, "set -e\n  python3 -m venv .venv && .venv/bin/pip install -e '.[test]'\n") is None
    assert docs_run.check_ci(block, "python3 -m venv .venv\n") == (
        "\"python3 -m venv .venv && .venv/bin/pip install -e '.[test]'\" is not a line of .ci/run, "
        "which is what runs an `sh ci` block"
    )


def test_the_project_ci_script_runs_the_readme_commands_and_the_docs():
    """The README's two commands are `sh ci` blocks, so .ci/run must hold them, and the runner as a step."""
    readme = extract((PROJECT / "README.md").read_text(encoding="utf-8"), "README.md")
    ci_script = (PROJECT / ".ci" / "run").read_text(encoding="utf-8")
    two_commands = [b for b in readme if b.action == "ci"][0]
    assert docs_run.ci_commands(two_commands) == [
        "python3 -m venv .venv && .venv/bin/pip install -e '.[test]'", ".venv/bin/python -m pytest"]
    assert docs_run.check_ci(two_commands, ci_script) is None
    assert "\n.venv/bin/python -m testkit.docs_run\n" in ci_script


def test_every_doc_parses():
    """Every block of README.md and docs/*.md has an info string the runner knows (what runs is .ci/run's step)."""
    for name in docs_run.default_files(PROJECT):
        for block in extract((PROJECT / name).read_text(encoding="utf-8"), name):
            assert block.action in ("run-sh", "run-python", "ci", "needs-aws", "sample"), block.where()


def small_project(root: Path, docs: dict[str, str]) -> Path:
    """A git repository with a .ci/run, the given docs (one committed, the others left as working changes)."""
    root.mkdir()
    (root / ".ci").mkdir()
    (root / ".ci" / "run").write_text("#!/usr/bin/env bash\n.venv/bin/python -m pytest\n")
    (root / ".gitignore").write_text(".venv/\n")
    subprocess.run(["git", "init", "--quiet", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "--quiet",
                    "-m", "start"], check=True)
    for name, text in docs.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def run_docs(project: Path, *files: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "testkit.docs_run", "--project", str(project), *files],
                          cwd=PROJECT, capture_output=True, text=True, timeout=300)


def test_blocks_run_in_order_in_a_clone_and_a_failure_names_file_and_line(tmp_path):
    project = small_project(tmp_path / "project", {
        "README.md": (
            "```sh\necho hello > note.txt\ngit status --short\n```\n\n"
            "```python\nfrom pathlib import Path\nprint(Path('note.txt').read_text().upper(), end='')\n```\n\n"
            "```sh ci\n.venv/bin/python -m pytest\n```\n\n"
            "```sh needs-aws\nexit 3\n```\n"
        ),
        "docs/broken.md": (
            "# Broken\n\n```sh\necho first\n```\n\n```sh\ntrue | false | cat\necho never\n```\n\n"
            "```sh\necho not reached\n```\n"
        ),
    })
    result = run_docs(project, "README.md", "docs/broken.md")
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("README.md:1 sh: ran (")
    assert lines[1].startswith("README.md:6 python: ran (")
    assert lines[2:5] == ["README.md:11 sh ci: in .ci/run", "README.md:15 sh needs-aws: needs-aws",
                          "docs/broken.md:3 sh: ran (" + lines[4].split("(", 1)[1]]
    assert lines[5].startswith("docs/broken.md:7 sh: failed (")
    assert lines[6] == "docs_run: docs/broken.md:7: exit status 1"  # pipefail: the false in the pipe fails it
    assert "not reached" not in result.stdout
    assert lines[-1].startswith("docs_run: 1 failed, 1 in .ci/run, 1 needs-aws, 3 ran in ")
    assert lines[-1].endswith("; 1 file(s) failed")
    assert not (project / "note.txt").exists()  # the blocks ran in a clone, not in the project


def test_the_clone_holds_the_working_changes_and_its_own_venv(tmp_path):
    project = small_project(tmp_path / "project", {
        "README.md": (
            "```sh\ntest -f uncommitted.txt\ntest -z \"$(git status --porcelain)\"\n"
            "test \"$(.venv/bin/python -c 'import sys; print(sys.prefix)')\" = \"$PWD/.venv\"\n"
            ".venv/bin/python -c 'import jinja2'\n"  # the project's venv's packages
            "! .venv/bin/python -c 'import generator' 2>/dev/null\n```\n"  # but not the project's editable install
        ),
        "uncommitted.txt": "a working change\n",
        "staged.txt": "a staged change\n",
    })
    subprocess.run(["git", "-C", str(project), "add", "staged.txt"], check=True)
    (project / ".gitignore").write_text(".venv/\nold.txt\n")  # committed, then changed
    (project / ".ci" / "old").write_text("committed, then deleted\n")
    subprocess.run(["git", "-C", str(project), "add", ".ci/old"], check=True)
    subprocess.run(["git", "-C", str(project), "-c", "user.name=t", "-c", "user.email=t@localhost", "commit",
                    "--quiet", "-m", "old", ".ci/old"], check=True)
    (project / ".ci" / "old").unlink()
    (project / "README.md").write_text((project / "README.md").read_text().replace(
        "test -f uncommitted.txt\n", "test -f uncommitted.txt && test -f staged.txt && test ! -e .ci/old\n"
        "grep -q old.txt .gitignore\n"))
    result = run_docs(project)
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines()[0].startswith("README.md:1 sh: ran (")


def test_an_output_block_without_info_string_fails_the_file(tmp_path):
    project = small_project(tmp_path / "project", {"README.md": "```\n$ python main.py\n```\n"})
    result = run_docs(project)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == ("docs_run: README.md:1: a fenced block without an info string (sh, "
                                             "python, text, …): say whether it runs")


def test_the_readme_is_for_the_daily_user():
    """The README stays short (what it is, the two commands, the daily workflow, adopting an existing root with its
    exact commands (issue 25), links); the rest is in docs/."""
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 250
    headings = re.findall(r"^## (.+)$", readme, flags=re.M)
    assert headings == ["Requirements", "Two commands", "The daily workflow", "Adopting an existing root",
                        "Documentation"]
    for page in sorted((PROJECT / "docs").glob("*.md")):
        if page.name != "README.md":
            assert f"(docs/{page.name})" in readme or f"({page.name})" in (PROJECT / "docs" / "README.md").read_text(), page.name
