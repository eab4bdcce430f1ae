"""The command line behind main.py (and `cdktf synth`, which runs main.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = PROJECT / "generated"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python main.py",
        description="Synthesize the Terraform modules and environment stacks into generated/.",
        epilog="Without options: synthesize every module and every environments/*.toml into generated/, "
        "removing files that are no longer produced.",
    )
    parser.add_argument("--out", metavar="DIR", type=Path, help="write the tree under DIR instead of generated/")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 0 when the tree matches a fresh synth, else list stale, missing and orphaned files and exit 1",
    )
    mode.add_argument(
        "--diff",
        action="store_true",
        help="write nothing; summarize what a fresh synth changes in the tree (resources, variables, outputs, attributes); exit 1 when anything changed",
    )
    mode.add_argument(
        "--adopt",
        metavar="STATE",
        type=Path,
        help="write the environment file named by --config from STATE (terraform show -json of an existing root): "
        "pins, [[moved]] and [[removed]] entries, so that nothing is replaced; exit 1 listing what cannot be kept",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        type=Path,
        action="append",
        help="synthesize the modules and only this environment file (repeatable); other stacks are left as they are",
    )
    return parser


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # Imported here so that --help answers without starting the jsii runtime.
    from generator.inputs import InputError

    try:
        return _run(args)
    except InputError as err:  # bad input a user can give, including a wrong CDK_TOOLKIT
        for line in str(err).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    if args.adopt is not None:
        return _adopt(args)
    from generator import pipeline, tree

    out = args.out if args.out is not None else DEFAULT_OUT
    existing = tree.read_tree(out)
    files = [(p, _display(p)) for p in args.config] if args.config else None
    result = pipeline.produce(files, existing)
    for environment in result.environments:
        for warning in environment.warnings:
            print(f"warning: {warning}", file=sys.stderr)

    if args.check:
        drift = tree.compare(existing, result.files, result.scope)
        for line in drift.lines():
            print(line)
        if drift:
            print(f"{_display(out)} is out of date: run python main.py and commit the result", file=sys.stderr)
            return 1
        print(f"{_display(out)} matches a fresh synth ({len(result.files)} files)")
        return 0
    if args.diff:
        from generator import review

        summary, changed = review.summarize(existing, result.files, result.scope)
        print(summary)
        return 1 if changed else 0
    tree.write_tree(out, result.files, result.scope)
    print(f"wrote {len(result.files)} files to {_display(out)}")
    return 0


def _adopt(args: argparse.Namespace) -> int:
    from generator.adopt import adopt
    from generator.inputs import InputError

    if not args.config or len(args.config) != 1:
        raise InputError(["--adopt needs exactly one --config FILE: the environment file to write or complete"])
    config = args.config[0]
    pinned, notes, problems = adopt(args.adopt, config, _display(args.adopt), _display(config))
    for line in pinned:
        print(line)
    if not pinned:
        print(f"{_display(config)} already holds everything the state needs: nothing added")
    else:
        print(f"wrote {_display(config)}: run python main.py --config {_display(config)}, then terraform plan")
    for line in notes:
        print(f"note: {line}")
    from generator import environments
    from modules import all_modules

    try:
        # What was written must synthesize: a value a module's rules refuse is a problem of the adoption.
        environments.load(config, all_modules(), _display(config))
    except InputError as err:
        problems = [*problems, *err.problems]
    for line in problems:
        print(f"problem: {line}", file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s): resolve them before the first apply", file=sys.stderr)
        return 1
    return 0
