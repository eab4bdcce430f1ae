"""`python -m testkit.docs_run [FILE ...]`: every fenced block of README.md and docs/*.md runs as written.

Each block's info string says what happens to it:

- `sh` (or `bash`, `shell`): run with bash under `set -euo pipefail`, from the root of the clone;
- `python`: run with the clone's `.venv/bin/python`, from the root (read from stdin, so that the clone's own
  packages are the ones imported);
- `sh ci`: not run here: every command line of the block must be a line of `.ci/run`, which runs it (the README's
  two commands; running the whole test suite from inside it would run this runner again);
- `sh needs-aws` (or `python needs-aws`): skipped, it needs real AWS credentials or a real root's state;
- any other language (`text`, `toml`, `hcl`, `json`, …): a sample, never run.

A block without an info string is an error: whether it should run would be a guess.

The blocks of one file run in order in one temporary clone of the repository: `git clone` of HEAD, with the
working tree's changes (modified, new and deleted files) committed on top, so that a block sees the files the blocks
before it wrote, and a reader's fresh clone is what it runs in. The clone's `.venv` is a venv of its own whose
packages come from the project's venv (a path entry, not a copy): `pip install` in a block installs into the
clone's venv, never into the project's, and the project's console scripts are there with the clone's interpreter.
Terraform finds the hashicorp/aws provider as the tests do (testkit.terraform.provider_mirror), through a CLI
configuration of the run's own (from a local mirror, `terraform init` links the provider instead of copying it).

One line per block (file:line, what was done, seconds); a block that fails prints its output and
`docs_run: <file>:<line>: <why>`, the rest of its file is not run, and the exit status is 1.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import venv
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

PROJECT = Path(__file__).resolve().parent.parent
CI_SCRIPT = ".ci/run"
SHELLS = {"sh", "bash", "shell"}
BLOCK_TIMEOUT = 900  # seconds; the slowest block (an npm install) takes under a minute here

FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")


class DocError(Exception):
    """A doc that cannot be run as it stands: one line naming the file and the line."""


@dataclass(frozen=True)
class Block:
    path: str  # as given (project-relative)
    line: int  # the line of the opening fence, from 1
    info: str  # the info string, stripped
    text: str  # the content, without the fence's indentation

    @property
    def words(self) -> list[str]:
        return self.info.split()

    @property
    def action(self) -> str:
        """run-sh, run-python, ci, needs-aws or sample."""
        language, *markers = self.words or [""]
        if language in SHELLS | {"python"}:
            unknown = [m for m in markers if m not in ("ci", "needs-aws")]
            if unknown or len(markers) > 1 or (language == "python" and "ci" in markers):
                raise DocError(f"{self.path}:{self.line}: unknown info string {self.info!r} (sh, sh ci, sh needs-aws, "
                               "python, python needs-aws, or a language that is not run such as text)")
            if "needs-aws" in markers:
                return "needs-aws"
            if "ci" in markers:
                return "ci"
            return "run-sh" if language in SHELLS else "run-python"
        return "sample"

    def where(self) -> str:
        return f"{self.path}:{self.line}"


def extract(text: str, path: str) -> list[Block]:
    """The fenced blocks of a Markdown text, in order (CommonMark fences, indented ones inside list items
    included). A block without an info string, or a fence never closed, is a DocError."""
    found: list[Block] = []
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        indent, fence, info = len(opening["indent"]), opening["fence"], opening["info"].strip()
        if fence[0] == "`" and "`" in info:  # not a fence: inline code at the start of a line
            index += 1
            continue
        start = index
        body: list[str] = []
        index += 1
        while index < len(lines):
            closing = FENCE.match(lines[index])
            if (closing and closing["fence"][0] == fence[0] and len(closing["fence"]) >= len(fence)
                    and not closing["info"].strip()):
                break
            line = lines[index]
            body.append(line[min(indent, len(line) - len(line.lstrip(" "))):])
            index += 1
        else:
            raise DocError(f"{path}:{start + 1}: the fence {fence} is never closed")
        if not info:
            raise DocError(f"{path}:{start + 1}: a fenced block without an info string (sh, python, text, …): "
                           "say whether it runs")
        found.append(Block(path, start + 1, info, "\n".join(body) + "\n"))
        index += 1
    return found


def ci_commands(block: Block) -> list[str]:
    """The command lines of an `sh ci` block: not blank, not comments."""
    return [line.strip() for line in block.text.splitlines() if line.strip() and not line.strip().startswith("#")]


def check_ci(block: Block, ci_script: str) -> str | None:
    """None when every command of the block is a line of .ci/run; else why not."""
    lines = {line.strip() for line in ci_script.splitlines()}
    missing = [command for command in ci_commands(block) if command not in lines]
    if missing:
        return f"{missing[0]!r} is not a line of {CI_SCRIPT}, which is what runs an `sh ci` block"
    if not ci_commands(block):
        return "an `sh ci` block without a command"
    return None


def default_files(project: Path) -> list[str]:
    return ["README.md", *sorted(p.relative_to(project).as_posix() for p in (project / "docs").glob("*.md"))]


# --- the clone ---------------------------------------------------------------------------------------------------

def _git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def clone(project: Path, destination: Path) -> Path:
    """HEAD of `project`, with its working tree's changes committed on top (ignored files stay out)."""
    # --shared: the clone borrows the project's objects (read-only for it) instead of copying them.
    _git("clone", "--quiet", "--shared", str(project), str(destination), cwd=project)
    # Staged or not, against HEAD (renames as a deletion and an addition), and the new files git does not ignore.
    changed = [*_git("diff", "--name-only", "--no-renames", "-z", "HEAD", cwd=project).split("\0"),
               *_git("ls-files", "-z", "--others", "--exclude-standard", cwd=project).split("\0")]
    for name in sorted(set(filter(None, changed))):
        source, target = project / name, destination / name
        if source.is_file() or source.is_symlink():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target, follow_symlinks=False)
        elif not source.exists():
            target.unlink(missing_ok=True)
    if _git("status", "--porcelain", cwd=destination).strip():
        _git("add", "-A", cwd=destination)
        _git("-c", "user.name=docs_run", "-c", "user.email=docs_run@localhost", "commit", "--quiet",
             "--no-verify", "-m", "the working tree's changes", cwd=destination)
    return destination


def package_dirs() -> list[Path]:
    """Where this interpreter's packages come from: its site-packages folders in import order (a venv layered by
    this runner has two, its own and the project's)."""
    dirs: list[Path] = []
    for entry in sys.path:
        path = Path(entry or ".").resolve()
        if path.name in ("site-packages", "dist-packages") and path.is_dir() and path not in dirs:
            dirs.append(path)
    return dirs


def layered_venv(root: Path, base_prefix: Path, base_dirs: list[Path]) -> Path:
    """`root`/.venv: a venv of its own whose import path ends with the project's venv's packages. The clone's root
    comes first (its generator, modules and testkit, not the project's editable install). The base's console
    scripts (pip among them) are copied with their interpreter line pointed at this venv's python, so that what
    they install goes into this venv."""
    target = root / ".venv"
    venv.EnvBuilder(with_pip=False, symlinks=True).create(target)
    purelib = Path(sysconfig.get_path("purelib", vars={"base": str(target), "platbase": str(target)}))
    (purelib / "_docs_run_layers.pth").write_text("".join(f"{line}\n" for line in (root, *base_dirs)))
    base_python = f"#!{base_prefix / 'bin' / 'python'}"
    for script in sorted((base_prefix / "bin").iterdir()):
        copy = target / "bin" / script.name
        if copy.exists() or copy.is_symlink() or script.name.startswith(("python", "activate", "Activate")):
            continue
        head = script.read_bytes()[:200] if script.is_file() else b""
        if head.startswith(base_python.encode()):
            text = script.read_text()
            copy.write_text(f"#!{target / 'bin' / 'python'}" + text[len(base_python):])
            copy.chmod(0o755)
        else:
            copy.symlink_to(script.resolve())
    return target


def terraform_environment(workdir: Path) -> dict[str, str]:
    """A provider mirror for plain `terraform init` in a block, when the machine has one; else one plugin cache."""
    from testkit import terraform

    env: dict[str, str] = {"CHECKPOINT_DISABLE": "1"}
    mirror = terraform.provider_mirror()
    if not mirror:  # from the registry: downloaded once for the run (from a mirror, init links to it instead)
        cache = workdir / "plugin-cache"
        cache.mkdir()
        env["TF_PLUGIN_CACHE_DIR"] = str(cache)
    else:
        config = workdir / "mirror.tfrc"
        config.write_text(f'provider_installation {{\n  filesystem_mirror {{\n    path = {json.dumps(str(mirror))}\n  }}\n}}\n')
        env["TF_CLI_CONFIG_FILE"] = str(config)
        env["TF_PROVIDER_MIRROR"] = str(mirror)
    return env


# --- running -----------------------------------------------------------------------------------------------------

@dataclass
class Outcome:
    block: Block
    status: str  # ran, in .ci/run, needs-aws, sample, failed
    seconds: float = 0.0
    why: str = ""
    output: str = ""


def run_block(block: Block, root: Path, env: dict[str, str]) -> tuple[int, str]:
    if block.action == "run-sh":
        command = ["bash", "-c", "set -euo pipefail\n" + block.text]
        given = None
    else:
        command = [str(root / ".venv" / "bin" / "python"), "-"]
        given = block.text
    try:
        feed = {"stdin": subprocess.DEVNULL} if given is None else {"input": given}
        result = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=BLOCK_TIMEOUT,
                                **feed)
    except subprocess.TimeoutExpired as err:
        output = (err.stdout or b"").decode() if isinstance(err.stdout, bytes) else (err.stdout or "")
        return -1, output + f"\n(still running after {BLOCK_TIMEOUT} s: stopped)"
    return result.returncode, result.stdout + result.stderr


def run_file(path: str, project: Path, workdir: Path, base_env: dict[str, str]) -> Iterator[Outcome]:
    """The blocks of one file, in order, in a clone of its own; stops at the first that fails."""
    blocks = extract((project / path).read_text(encoding="utf-8"), path)
    for block in blocks:
        block.action  # an unknown info string is refused before anything runs
    ci_script = (project / CI_SCRIPT).read_text(encoding="utf-8")
    runnable = [b for b in blocks if b.action.startswith("run-")]
    root = None
    if runnable:
        root = clone(project, workdir / "clone" / path.replace("/", "_"))
        layered_venv(root, Path(sys.prefix), package_dirs())
    env = {**base_env, "VIRTUAL_ENV": str(root / ".venv")} if root else base_env
    for block in blocks:
        action = block.action
        if action == "ci":
            why = check_ci(block, ci_script)
            yield Outcome(block, "failed" if why else "in .ci/run", why=why or "")
            if why:
                return
        elif action in ("needs-aws", "sample"):
            yield Outcome(block, action)
        else:
            started = time.monotonic()
            code, output = run_block(block, root, env)
            seconds = time.monotonic() - started
            if code != 0:
                yield Outcome(block, "failed", seconds, f"exit status {code}", output)
                return
            yield Outcome(block, "ran", seconds)


def run(files: Iterable[str], project: Path = PROJECT, out=sys.stdout) -> int:
    started = time.monotonic()
    counts: dict[str, int] = {}
    failed = 0
    with tempfile.TemporaryDirectory(prefix="docs-run-") as scratch:
        workdir = Path(scratch)
        env = {k: v for k, v in os.environ.items()
               if k not in ("VIRTUAL_ENV", "PYTHONHOME", "PYTHONPATH", "TF_CLI_CONFIG_FILE")}
        env.update(terraform_environment(workdir))
        for path in files:
            try:
                for outcome in run_file(path, project, workdir, env):
                    counts[outcome.status] = counts.get(outcome.status, 0) + 1
                    if outcome.status == "sample":
                        continue
                    timing = f" ({outcome.seconds:.1f} s)" if outcome.status in ("ran", "failed") and outcome.seconds else ""
                    print(f"{outcome.block.where()} {outcome.block.info}: {outcome.status}{timing}", file=out)
                    if outcome.status == "failed":
                        failed += 1
                        if outcome.output:
                            print(outcome.output.rstrip("\n"), file=out)
                        print(f"docs_run: {outcome.block.where()}: {outcome.why}", file=out)
            except DocError as err:
                failed += 1
                print(f"docs_run: {err}", file=out)
            except (OSError, subprocess.CalledProcessError) as err:
                failed += 1
                detail = getattr(err, "stderr", "") or err
                print(f"docs_run: {path}: cannot prepare a clone to run it in: {str(detail).strip()}", file=out)
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    print(f"docs_run: {summary or 'no blocks'} in {time.monotonic() - started:.0f} s"
          + (f"; {failed} file(s) failed" if failed else ""), file=out)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m testkit.docs_run", description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", help="Markdown files, relative to the project (default: README.md and docs/*.md)")
    parser.add_argument("--project", type=Path, default=PROJECT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    project = args.project.resolve()
    files = args.files or default_files(project)
    for name in files:
        if not (project / name).is_file():
            print(f"docs_run: {name}: no such file in {project}", file=sys.stderr)
            return 1
    return run(files, project)


if __name__ == "__main__":
    sys.exit(main())
