"""Mutation testing of the files where a silent bug costs most: `python -m benchmarks.mutation [FILE ...]`.

mutmut (the `mutation` extra of pyproject.toml) makes small deliberate bugs in a source file, one at a time (an
operator flipped, a string or a number changed, a condition negated, a list entry or a keyword argument dropped);
each is written into a copy of the project and the fast test layer runs on it; a bug some test notices is killed,
one no test notices survived. A survivor is a missing test, or a change that makes no difference (an equivalent
mutant), which docs/mutation-testing.md lists with why.

Each file runs against the test files that test it (TARGETS), in the fast layer only (`-m "not terraform"`, `-x`),
so a mutant costs one pytest process of a few seconds. Everything happens in a copy of the project's tracked files:
the work tree is never mutated, even when the run is interrupted.

mutmut makes and applies the mutants (its `list_mutations` and `mutate`); this file runs them, one pytest process
each with a timeout, and keeps the results in a JSON file per source file: mutmut 2.5's own runner keeps them in a
database that it corrupts when a run is resumed ("Attribute Mutant.line is required"), and waits forever when its
worker process is killed from outside, both seen on the shared machine.

Prints, per file: the mutants, killed (a test failed, or the tests ran past the timeout), survived, skipped, the
kill rate (killed / tested), and the minutes it took; then the diff of every survivor. Options:

    --sample K     test one mutant in K (chosen by a hash of the mutant, the same ones every run), for a quick
                   estimate; the rest count as skipped
    --keep DIR     work in DIR instead of a temporary folder, and keep it (results in DIR/.mutation/); run again with
                   the same DIR to resume where it stopped

Exit status 0 when it ran (whatever the kill rate), 1 when it could not (a test already failing without mutants).
"""

from __future__ import annotations

import argparse
import ast
import difflib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Target:
    tests: tuple[str, ...]  # the fast test files that test the file, quickest first (-x stops at the first failure)
    functions: tuple[str, ...] | None = None  # mutate only inside these functions and methods (None: the whole file)
    why: str = ""


# The files where a silent bug costs most, and their tests.
TARGETS: dict[str, Target] = {
    "generator/language/secrets.py": Target(
        ("tests/test_secrets_definition.py", "tests/test_security.py", "tests/test_hardening_secrets.py"),
        why="the secrets scan: a leak is written to a repository"),
    "generator/commands/review.py": Target(
        ("tests/test_diff_summary.py", "tests/test_diff_folders.py", "tests/test_review.py",
         "tests/test_hardening_corpus.py"),
        why="--diff: what a reviewer approves"),
    "modules/shared/kms.py": Target(
        ("tests/test_key_policies.py", "tests/test_secure_defaults.py"),
        why="the key policies: who may use the keys"),
    "generator/commands/adopt.py": Target(
        ("tests/test_adopt_pins.py", "tests/test_adopt_moved.py", "tests/test_adopt_versions.py", "tests/test_adopt.py"),
        why="--adopt: a wrong pin replaces a production resource"),
    "generator/language/expr.py": Target(
        ("tests/test_expr.py", "tests/test_remainder_matches_terraform.py", "tests/test_rules.py", "tests/test_msk_listener_ports.py"),
        # The evaluator: what decides, in Python, whether an input is accepted (the HCL rendering is held to it by
        # tests/test_rule_agreement.py, which needs Terraform).
        functions=("evaluate", "_equal", "_kind", "_number", "_bool", "_remainder", "_sorted_keys", "_iterate",
                   "_length", "_distinct", "_list", "_map", "_string", "_coalesce", "_contains", "_is_cidr_network",
                   "_json", "_tag_text", "_cidrsubnet", "_tonumber", "holds", "_FUNCTIONS"),
        why="the rule language's evaluator: the Python side of every input rule"),
    "generator/synthesis/tree.py": Target(
        ("tests/test_tree_writer.py", "tests/test_pipeline.py", "tests/test_hardening_output.py"),
        why="the tree writer and --check: what lands in generated/"),
}

def mutable_lines(source: str, functions: tuple[str, ...]) -> set[int]:
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
    return lines


def copy_project(destination: Path) -> None:
    """The tracked files as they are in the work tree (uncommitted edits included), in a git repository of its own
    (tests of the tree writer ask git what it ignores)."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=PROJECT, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = PROJECT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    subprocess.run(["git", "init", "-q"], cwd=destination, check=True)
    subprocess.run(["git", "add", "-A"], cwd=destination, check=True)
    (destination / ".mutation").mkdir()


def _mutmut():
    # mutmut imports `mutmut_config` from the current folder when it is imported; there is none here.
    from mutmut import Context, RelativeMutationID, list_mutations, mutate

    return Context, RelativeMutationID, list_mutations, mutate


def mutants(name: str, source: str, target: Target, sample: int) -> tuple[list[Any], int]:
    """(the mutants to test, how many the file has): every mutant, or those of Target.functions, one in `sample`."""
    Context, _, list_mutations, _ = _mutmut()
    every = list_mutations(Context(source=source, filename=name, dict_synonyms=[]))
    lines = mutable_lines(source, target.functions) if target.functions is not None else None
    chosen = [m for m in every if lines is None or m.line_number in lines]
    if sample > 1:
        chosen = [m for m in chosen
                  if int(hashlib.sha256(f"{name}:{m.line}:{m.index}".encode()).hexdigest(), 16) % sample == 0]
    return chosen, len([m for m in every if lines is None or m.line_number in lines])


def _key(mutant: Any) -> str:
    return f"{mutant.line_number}:{mutant.index}:{hashlib.sha256(mutant.line.encode()).hexdigest()[:12]}"


def _tests(folder: Path, command: list[str], timeout: float) -> str:
    """passed, failed or timeout: one pytest process in its own session, ended whole at the timeout."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}  # a stale .pyc must never stand in for a mutant
    process = subprocess.Popen(command, cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        return "passed" if process.wait(timeout=timeout) == 0 else "failed"
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return "timeout"


def run(name: str, target: Target, folder: Path, sample: int) -> tuple[dict[str, int], float, list[str]]:
    """Test the mutants of one file; resumes from the results a previous run of the same folder left."""
    _, _, _, mutate = _mutmut()
    Context = _mutmut()[0]
    path = folder / name
    pristine = folder / ".mutation" / (name.replace("/", ".") + ".orig")
    if pristine.exists():
        path.write_bytes(pristine.read_bytes())  # a mutant left in place by an interrupted run
    else:
        shutil.copy2(path, pristine)
    source = path.read_text()
    results_file = folder / ".mutation" / (name.replace("/", ".") + ".json")
    results: dict[str, str] = json.loads(results_file.read_text()) if results_file.exists() else {}
    for cache in folder.rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-m", "not terraform",
               *target.tests]
    start = time.monotonic()
    if _tests(folder, command, timeout=1800) != "passed":
        raise SystemExit(f"{name}: its tests fail without any mutant: {' '.join(command[1:])}")
    # The machine is shared: a mutant's tests may take three times the clean run, plus two minutes.
    timeout = 3 * (time.monotonic() - start) + 120
    chosen, total = mutants(name, source, target, sample)
    for mutant in chosen:
        if _key(mutant) in results:
            continue
        mutated, _ = mutate(Context(source=source, filename=name, dict_synonyms=[], mutation_id=mutant))
        path.write_text(mutated)
        try:
            outcome = _tests(folder, command, timeout)
        finally:
            path.write_text(source)
        results[_key(mutant)] = {"passed": "survived", "failed": "killed", "timeout": "timeout"}[outcome]
        scratch = results_file.with_suffix(".tmp")
        scratch.write_text(json.dumps(results, indent=1, sort_keys=True))
        scratch.replace(results_file)
    elapsed = time.monotonic() - start
    statuses = [results.get(_key(m)) for m in chosen]
    counted = {"mutants": total, "killed": statuses.count("killed") + statuses.count("timeout"),
               "survived": statuses.count("survived"), "skipped": total - len(chosen)}
    shown = []
    for mutant in chosen:
        if results.get(_key(mutant)) == "survived":
            mutated, _ = mutate(Context(source=source, filename=name, dict_synonyms=[], mutation_id=mutant))
            diff = difflib.unified_diff(source.splitlines(), mutated.splitlines(), name, name, n=1, lineterm="")
            shown.append(f"--- survivor on line {mutant.line_number + 1} of {name}\n" + "\n".join(list(diff)[2:]))
    return counted, elapsed, shown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.mutation", description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", metavar="FILE", help=f"files to mutate (default: all of {', '.join(TARGETS)})")
    parser.add_argument("--sample", type=int, default=1, metavar="K", help="test one mutant in K")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="work in DIR and keep it; the same DIR resumes")
    args = parser.parse_args(argv)
    if args.sample < 1:
        parser.error("--sample must be 1 or more")
    unknown = [name for name in args.files if name not in TARGETS]
    if unknown:
        parser.error(f"not a target: {', '.join(unknown)} (the targets: {', '.join(TARGETS)})")
    names = args.files or list(TARGETS)
    if args.keep is not None:
        folder = args.keep.resolve()
        if folder.exists() and not (folder / ".mutation").is_dir():
            parser.error(f"--keep {args.keep}: exists and is not a folder this command kept")
    else:
        folder = Path(tempfile.mkdtemp(prefix="mutation-"))
    try:
        if not (folder / ".mutation").is_dir():
            folder.mkdir(parents=True, exist_ok=True)
            copy_project(folder)
        rows, shown = [], []
        for name in names:
            result, elapsed, diffs = run(name, TARGETS[name], folder, args.sample)
            tested = result["killed"] + result["survived"]
            rate = f"{100 * result['killed'] / tested:.1f}%" if tested else "-"
            rows.append((name, result, rate, elapsed))
            shown.extend(diffs)
            print(f"{name}: {result['mutants']} mutants, {result['killed']} killed, {result['survived']} survived, "
                  f"{result['skipped']} skipped: kill rate {rate} ({elapsed / 60:.1f} min)", flush=True)
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
