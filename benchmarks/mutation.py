"""Mutation testing of the files where a silent bug costs most: `python -m benchmarks.mutation [FILE ...]`.

mutmut (the `mutation` extra of pyproject.toml) makes small deliberate bugs in a source file, one at a time (an
operator flipped, a string or a number changed, a condition negated, a list entry or a keyword argument dropped),
runs the fast test layer on each, and counts the bugs some test notices (killed) and the ones no test notices
(survived). A survivor is a missing test, or a change that makes no difference (an equivalent mutant), which
docs/mutation-testing.md lists with why.

Each file runs against the test files that test it (TARGETS), in the fast layer only (`-m "not terraform"`, `-x`),
so a mutant costs one pytest process of a few seconds. Everything happens in a copy of the project's tracked files
under a temporary folder: the work tree is never mutated, even when the run is interrupted.

Prints, per file: the mutants, killed (with those that only timed out or ran suspiciously long), survived, skipped,
the kill rate (killed / tested), and the minutes it took; then the diff of every survivor. Options:

    --sample K     test one mutant in K (chosen by a hash of the mutant, the same ones every run), for a quick
                   estimate; the rest count as skipped
    --keep DIR     work in DIR instead of a temporary folder, and keep it: mutmut's results per file
                   (.mutmut-cache.<file>), its log; run again with the same DIR to resume where it stopped (a
                   mutant already tested is not tested again while the tests are unchanged)

Exit status 0 when it ran (whatever the kill rate), 1 when it could not (a test already failing without mutants).
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Target:
    tests: tuple[str, ...]  # the fast test files that test the file, quickest first (-x stops at the first failure)
    functions: tuple[str, ...] | None = None  # mutate only inside these functions and methods (None: the whole file)
    why: str = ""


# The files where a silent bug costs most, and their tests.
TARGETS: dict[str, Target] = {
    "generator/secrets.py": Target(
        ("tests/test_secrets_definition.py", "tests/test_security.py", "tests/test_hardening_secrets.py"),
        why="the secrets scan: a leak is written to a repository"),
    "generator/review.py": Target(
        ("tests/test_diff_folders.py", "tests/test_review.py"),
        why="--diff: what a reviewer approves"),
    "modules/shared/kms.py": Target(
        ("tests/test_key_policies.py", "tests/test_secure_defaults.py"),
        why="the key policies: who may use the keys"),
    "generator/adopt.py": Target(
        ("tests/test_adopt_pins.py", "tests/test_adopt_moved.py", "tests/test_adopt_versions.py", "tests/test_adopt.py"),
        why="--adopt: a wrong pin replaces a production resource"),
    "generator/expr.py": Target(
        ("tests/test_expr.py", "tests/test_expr_remainder.py", "tests/test_rules.py", "tests/test_msk_listener_ports.py"),
        # The evaluator: what decides, in Python, whether an input is accepted (the HCL rendering is held to it by
        # tests/test_rule_agreement.py, which needs Terraform).
        functions=("evaluate", "_equal", "_kind", "_number", "_bool", "_remainder", "_sorted_keys", "_iterate",
                   "_length", "_distinct", "_list", "_map", "_string", "_coalesce", "_contains", "_is_cidr_network",
                   "_json", "_tag_text", "_cidrsubnet", "_tonumber", "holds", "_FUNCTIONS"),
        why="the rule language's evaluator: the Python side of every input rule"),
    "generator/tree.py": Target(
        ("tests/test_pipeline.py", "tests/test_hardening_output.py"),
        why="the tree writer and --check: what lands in generated/"),
}

STATUSES = {
    "ok_killed": "killed", "ok_suspicious": "killed", "bad_timeout": "killed",
    "bad_survived": "survived", "skipped": "skipped", "untested": "skipped",
}

# Read by mutmut from the folder it runs in: skips what --sample and Target.functions leave out.
CONFIG = '''
import hashlib, json, os

_LINES = json.loads(os.environ.get("MUTATION_LINES", "null"))
_SAMPLE = int(os.environ.get("MUTATION_SAMPLE", "1"))


def pre_mutation(context):
    line = context.mutation_id.line_number  # 0-based
    if _LINES is not None and line not in _LINES:
        context.skip = True
        return
    key = f"{context.filename}:{context.mutation_id.line}:{context.mutation_id.index}".encode()
    if _SAMPLE > 1 and int(hashlib.sha256(key).hexdigest(), 16) % _SAMPLE:
        context.skip = True
'''


def mutable_lines(source: str, functions: tuple[str, ...]) -> list[int]:
    """0-based numbers of the lines inside the named functions, methods or assignments."""
    lines: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        name = getattr(node, "name", None)
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            name = node.target.id
        if isinstance(node, (ast.FunctionDef, ast.Assign, ast.AnnAssign)) and name in functions:
            lines.update(range(node.lineno - 1, node.end_lineno))
    return sorted(lines)


def copy_project(destination: Path) -> None:
    """The tracked files as they are in the work tree (uncommitted edits included), in a git repository."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=PROJECT, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = PROJECT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    # A repository of its own: tests ask git (what it ignores, what it tracks).
    subprocess.run(["git", "init", "-q"], cwd=destination, check=True)
    subprocess.run(["git", "add", "-A"], cwd=destination, check=True)
    (destination / "mutmut_config.py").write_text(CONFIG)


def counts(folder: Path, name: str) -> dict[str, int]:
    result = {"mutants": 0, "killed": 0, "survived": 0, "skipped": 0}
    with sqlite3.connect(folder / ".mutmut-cache") as db:
        rows = db.execute(
            "SELECT Mutant.status FROM Mutant JOIN Line ON Mutant.line = Line.id "
            "JOIN SourceFile ON Line.sourcefile = SourceFile.id WHERE SourceFile.filename = ?", (name,)).fetchall()
    for (status,) in rows:
        result["mutants"] += 1
        result[STATUSES[status]] += 1
    return result


def survivors(folder: Path, name: str) -> list[str]:
    """The diff of each surviving mutant, made again from mutmut's record of it (its line, its number there)."""
    from mutmut import Context, RelativeMutationID, mutate

    with sqlite3.connect(folder / ".mutmut-cache") as db:
        rows = db.execute(
            'SELECT Line.line, Line.line_number, Mutant."index" FROM Mutant JOIN Line ON Mutant.line = Line.id '
            "JOIN SourceFile ON Line.sourcefile = SourceFile.id WHERE SourceFile.filename = ? AND "
            "Mutant.status = 'bad_survived' ORDER BY Line.line_number, Mutant.\"index\"", (name,)).fetchall()
    source = (folder / name).read_text()
    shown = []
    for line, number, index in rows:
        context = Context(source=source, filename=name, dict_synonyms=[],
                          mutation_id=RelativeMutationID(line=line, index=index, line_number=number))
        mutated, _ = mutate(context)
        diff = difflib.unified_diff(source.splitlines(), mutated.splitlines(), name, name, n=1, lineterm="")
        shown.append(f"--- survivor on line {number + 1} of {name}\n" + "\n".join(list(diff)[2:]))
    return shown


def _workers(pid: int) -> list[int]:
    """mutmut's processes that test mutants: the children of `pid` other than multiprocessing's resource tracker."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                command = cmdline.read()
        except (OSError, IndexError, ValueError):
            continue
        if parent == pid and b"resource_tracker" not in command:
            found.append(int(entry))
    return found


def _cache(folder: Path, name: str) -> Path:
    return folder / f".mutmut-cache.{name.replace('/', '.')}"


def run(name: str, target: Target, folder: Path, sample: int) -> tuple[dict[str, int], float]:
    """mutmut on one file; resumes from the file's cache when a previous run of the same folder left one."""
    runner = (f"{sys.executable} -m pytest -x -q -p no:cacheprovider -m 'not terraform' "
              + " ".join(target.tests))
    env = {**os.environ, "MUTATION_SAMPLE": str(sample)}
    env.pop("MUTATION_LINES", None)
    if target.functions is not None:
        env["MUTATION_LINES"] = json.dumps(mutable_lines((folder / name).read_text(), target.functions))
    if _cache(folder, name).exists():
        _cache(folder, name).rename(folder / ".mutmut-cache")
    else:
        (folder / ".mutmut-cache").unlink(missing_ok=True)
    command = [sys.executable, "-m", "mutmut", "run", "--paths-to-mutate", name, "--runner", runner,
               "--tests-dir", "tests",
               # A mutant whose tests run past 3 times the clean run plus two minutes (a shared machine) times out.
               "--test-time-multiplier", "3", "--test-time-base", "120", "--simple-output", "--no-progress"]
    start = time.monotonic()
    for attempt in range(6):
        backup = folder / f"{name}.bak"
        if backup.exists():  # a mutant left in place by a worker that was killed
            backup.replace(folder / name)
        with open(folder / "mutmut.log", "a") as log:
            process = subprocess.Popen(command, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT)
            # mutmut tests mutants in a worker process; when that worker dies (killed from outside), mutmut waits
            # for it forever. Two minutes without a worker: stop it and start again, from its cache.
            idle = 0.0
            while process.poll() is None:
                time.sleep(5)
                idle = 0.0 if _workers(process.pid) else idle + 5
                if idle >= 120:
                    process.kill()
                    process.wait()
                    print(f"{name}: mutmut's worker died; resuming from its cache", file=sys.stderr, flush=True)
        if process.returncode is not None and process.returncode >= 0 and idle < 120:
            break
    else:
        raise SystemExit(f"{name}: mutmut's worker died six times; see {folder / 'mutmut.log'}")
    elapsed = time.monotonic() - start
    if process.returncode & 1:
        log = (folder / "mutmut.log").read_text()
        raise SystemExit(f"mutmut could not run on {name} (do its tests pass?):\n{log[-3000:]}")
    return counts(folder, name), elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.mutation", description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", metavar="FILE", help=f"files to mutate (default: all of {', '.join(TARGETS)})")
    parser.add_argument("--sample", type=int, default=1, metavar="K", help="test one mutant in K")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="keep the project copy and mutmut's cache in DIR")
    args = parser.parse_args(argv)
    if args.sample < 1:
        parser.error("--sample must be 1 or more")
    unknown = [name for name in args.files if name not in TARGETS]
    if unknown:
        parser.error(f"not a target: {', '.join(unknown)} (the targets: {', '.join(TARGETS)})")
    names = args.files or list(TARGETS)
    if args.keep is not None:
        folder = args.keep.resolve()
        if folder.exists() and not (folder / "mutmut_config.py").is_file():
            parser.error(f"--keep {args.keep}: exists and is not a folder this command kept")
    else:
        folder = Path(tempfile.mkdtemp(prefix="mutation-"))
    try:
        if not (folder / "mutmut_config.py").is_file():
            copy_project(folder)
        rows, shown = [], []
        for name in names:
            result, elapsed = run(name, TARGETS[name], folder, args.sample)
            tested = result["killed"] + result["survived"]
            rate = f"{100 * result['killed'] / tested:.1f}%" if tested else "-"
            rows.append((name, result, rate, elapsed))
            print(f"{name}: {result['mutants']} mutants, {result['killed']} killed, {result['survived']} survived, "
                  f"{result['skipped']} skipped: kill rate {rate} ({elapsed / 60:.1f} min)", flush=True)
            shown.extend(survivors(folder, name))
            (folder / ".mutmut-cache").rename(_cache(folder, name))
        print()
        print(f"{'file':<24} {'mutants':>8} {'killed':>7} {'survived':>9} {'skipped':>8} {'kill rate':>10} {'minutes':>8}")
        for name, result, rate, elapsed in rows:
            print(f"{name:<24} {result['mutants']:>8} {result['killed']:>7} {result['survived']:>9} "
                  f"{result['skipped']:>8} {rate:>10} {elapsed / 60:>8.1f}")
        for text in shown:
            print()
            print(text)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
