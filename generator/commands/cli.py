"""The command line behind main.py (and `cdktf synth`, which runs main.py)."""

from __future__ import annotations

import argparse
import atexit
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any, Callable, Mapping

PROJECT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = PROJECT / "generated"
# The project's modules folder, discovered when main.py hands no loader (tests calling main() directly).
MODULES = PROJECT / "modules"


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage mistake reported like every other failure: one line, exit 1."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"error: {message} (see python main.py --help)", file=sys.stderr)
        sys.exit(1)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python main.py",
        description="Synthesize the Terraform modules and environment stacks into generated/.",
        epilog="Without options: synthesize every module and every environments/*.toml into generated/, "
        "removing files that are no longer produced.",
    )
    parser.add_argument(
        "--out",
        metavar="DIR",
        help="write the tree under DIR instead of generated/: a new or empty folder, or one python main.py wrote",
    )
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
        "--verify",
        metavar="OLD_STATE",
        type=Path,
        help="with one --config FILE (after --adopt, or alone after a hand edit): plan FILE's stack offline against "
        "OLD_STATE (terraform state pull of the old root); print what is moved, updated, created, destroyed, "
        "replaced; exit 1 on a destruction, a replacement or an ingress rule created twice. Writes nothing",
    )
    parser.add_argument(
        "--base",
        metavar="REF",
        help="with --diff: compare with the tree as committed at the git ref REF (a branch, a tag, a commit), "
        "whatever the working tree holds",
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
    """A path as messages name it: relative to the working folder when inside it, cut as any user value is."""
    from generator.language.types import clip

    try:
        return clip(path.resolve().relative_to(Path.cwd().resolve()).as_posix())
    except (ValueError, OSError, RuntimeError):  # outside the working folder, a name too long, a loop of links
        return clip(path.as_posix())


class _Failed(Exception):
    """A failure already explained in one line."""


def _discover_project_modules() -> Mapping[str, Any]:
    from generator.model.discovery import discover

    return discover(MODULES, "modules")


def main(argv: list[str] | None = None, modules: Callable[[], Mapping[str, Any]] | None = None) -> int:
    """`modules` loads the module definitions (main.py hands modules.all_modules); it is called only once the
    cheap checks passed, since loading them starts the jsii runtime."""
    args = _parser().parse_args(argv)
    load_modules = modules or _discover_project_modules
    # Imported here so that --help answers without starting the jsii runtime.
    from generator.language.inputs import InputError
    from generator.model.wiring import WiringError

    shown = args.out if args.out is not None else _display(DEFAULT_OUT)
    interrupted = _Interrupted()
    try:
        with interrupted:
            return _run(args, load_modules)
    except InputError as err:  # bad input a user can give, including a wrong CDK_TOOLKIT
        for line in str(err).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return 1
    except WiringError as err:  # a module that reads an input, local or resource it does not declare
        for line in str(err).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return 1
    except _Failed as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except Exception:
        if not interrupted.happened:
            raise
        return _interrupted(shown)  # Ctrl-C killed the Node process first: jsii fails instead of Python
    except KeyboardInterrupt:
        return _interrupted(shown)


def _interrupted(shown: str) -> int:
    # The swap is one atomic step: whenever Ctrl-C lands, the folder holds a whole tree, old or new.
    print(f"interrupted: {shown} holds a complete tree; leftovers are cleaned on the next run", file=sys.stderr)
    if _WORK["script"]:
        # The process leaves with this line as its last word: a jsii kernel interrupted while it started is
        # collected as the exception unwinds, and its __del__ would add "Exception ignored in ... __del__" and a
        # traceback below the line.
        _quiet()
    return INTERRUPTED


INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a command stopped by Ctrl-C


class _Interrupted:
    """Notes that Ctrl-C arrived (then raises KeyboardInterrupt as Python does). The terminal sends SIGINT to the
    Node process of the jsii runtime too; when it dies first, the pending call fails with a jsii error instead."""

    def __init__(self) -> None:
        self.happened = False
        self._previous: Any = None

    def _handler(self, signum: int, frame: Any) -> None:
        self.happened = True
        if _WORK["done"]:  # the tree is written: nothing left to stop (run_script leaves quietly)
            _WORK["late"] = True
            return
        raise KeyboardInterrupt

    def __enter__(self) -> "_Interrupted":
        _WORK.update(done=False, late=False)
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handler)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
        _WORK["done"] = True  # a Ctrl-C from now on comes after the work


# Whether the command's work has ended (the tree is written, or the guarded block is left), and whether a Ctrl-C
# came after that: set by _Interrupted and _run, read by run_script and exit_with.
_WORK = {"done": False, "late": False, "script": False}


def run_script(command: Callable[[], int]) -> None:
    """main.py's entry point: run `command` (main) and leave with its status. A Ctrl-C that lands once the command's
    work is done and said (between the end of the work and the exit, or while the process winds down: the jsii
    runtime stopping its Node process, Python joining its threads) would interrupt those steps with a traceback,
    and there is nothing left to stop: it is noted, and the process leaves at once with the command's status.
    Before the work starts, Ctrl-C stops the process as usual."""
    def ctrl_c(signum: int, frame: Any) -> None:
        if not _WORK["done"]:
            raise KeyboardInterrupt
        _WORK["late"] = True

    _WORK["script"] = True
    signal.signal(signal.SIGINT, ctrl_c)
    # Registered before the jsii runtime registers its own exit handler, so it runs after it (last in, first out):
    # from then on Python finalizes, resetting a handler to the default action (death by the signal, exit -2)
    # unless it is "ignore". Nothing is left to stop by then.
    atexit.register(signal.signal, signal.SIGINT, signal.SIG_IGN)
    exit_with(command())


def exit_with(status: int) -> None:
    """Leave the process with `status`. After Ctrl-C, the jsii runtime's exit handlers would print tracebacks
    about its dead Node process below the one line already printed: leave without running them; the same for a
    Ctrl-C that came after the work, or comes while the process winds down.

    Otherwise the exit handlers run now (the jsii runtime stops its Node process and removes its files, the phase
    times are written), and the process leaves without Python's finalization, which only frees memory: ~0.3 s, and
    seconds on a loaded machine, in which the process looked busy though the tree was written. A Ctrl-C there, meant
    for a synth that seemed to run, was a late one: exit 0 and the new tree, a Ctrl-C "swallowed". Now the process
    ends within ~0.1 s of its last line, which is flushed at once."""
    signal.signal(signal.SIGINT, lambda signum, frame: _leave(status))
    if status == INTERRUPTED or _WORK["late"]:
        _leave(status)
    sys.stdout.flush()
    atexit._run_exitfuncs()
    _leave(status)


def _quiet() -> None:
    """Nothing more on stderr: what is written is flushed, then stderr goes to /dev/null."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stderr.fileno())


def _leave(status: int) -> None:
    """Exit now, without the exit handlers, and with nothing more on stderr."""
    _quiet()
    os._exit(status)


def _run(args: argparse.Namespace, load_modules: Callable[[], Mapping[str, Any]]) -> int:
    if args.base is not None and not args.diff:
        from generator.language.inputs import InputError

        raise InputError(["--base REF goes with --diff: python main.py --diff --base REF"])
    old_state = _verify_check(args)  # before anything is written
    if args.adopt is not None:
        return _adopt(args, load_modules, old_state)
    if old_state is not None:
        return _verify_only(args, load_modules, old_state)
    from generator.synthesis import tree

    # Before anything heavy (the jsii runtime starts with the modules): a refused --out, or an environment file
    # that cannot be read or holds what no module takes, answers at once.
    writing = not (args.check or args.diff)
    out = tree.check_output(args.out, PROJECT, writing) if args.out is not None else DEFAULT_OUT
    problem = tree.ownership_problem(out, _display(out), writing) if args.out is None else None
    if problem:
        raise tree.UnsafeOutput([problem])
    files = [(p, _display(p)) for p in args.config] if args.config else None
    from generator.config import environments

    environments.precheck(files if files is not None else environments.default_files())
    from generator.commands import pipeline

    try:
        if args.base is not None:  # the tree as committed at REF: what a reviewer compares
            from generator.commands import review

            existing = review.committed_tree(out, args.base, _display(out))
        else:
            existing = tree.read_tree(out)
    except OSError as err:
        raise _Failed(f"cannot read {_display(out)}: {err.strerror or err}") from None
    result = pipeline.produce(files, existing, modules=load_modules())
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
        from generator.commands import review

        summary, changed = review.summarize(existing, result.files, result.scope)
        print(summary)
        return 1 if changed else 0
    unsaid: list[OSError] = []

    def written() -> None:
        # Called with Ctrl-C held, the moment the new tree is in place: a Ctrl-C from now on finds the new tree
        # written, so it is not an interruption, and the line says so at once.
        _WORK["done"] = True
        try:
            print(f"wrote {len(result.files)} files to {_display(out)}", flush=True)
        except OSError as err:  # stdout is gone (a closed pipe): raised below as before, not as a failed write
            unsaid.append(err)

    try:
        tree.write_tree(out, result.files, result.scope, written=written)
    except OSError as err:
        raise _Failed(f"cannot write {_display(out)}: {err.strerror or err}; it is unchanged") from None
    except tree.Incomplete as err:
        raise _Failed(
            f"cannot write {_display(out)}: {err}, after {err.done} of {err.total} files were replaced or removed one by "
            f"one (a mount point): it holds old and new files, and its {tree.MARKER} says so (python main.py --check "
            "lists them); run python main.py again to complete it"
        ) from None
    if unsaid:
        raise unsaid[0]
    return 0


def _adopt(args: argparse.Namespace, load_modules: Callable[[], Mapping[str, Any]], old_state: bytes | None) -> int:
    try:
        from generator.commands.adopt import adopt
    except ModuleNotFoundError as err:  # tomlkit, which only --adopt uses (it edits the file keeping its layout)
        if (err.name or "").partition(".")[0] in ("generator", "modules"):
            raise
        raise _Failed(
            f"--adopt needs the package {err.name!r}, which {sys.executable} does not have: install the project "
            "into the Python you run (.venv/bin/pip install -e '.[test]') and run .venv/bin/python main.py"
        ) from None
    from generator.language.inputs import InputError

    if not args.config or len(args.config) != 1:
        raise InputError(["--adopt needs exactly one --config FILE: the environment file to write or complete"])
    config = args.config[0]
    pinned, notes, problems = adopt(args.adopt, config, _display(args.adopt), _display(config), load_modules)
    for line in pinned:
        print(line)
    if not pinned:
        print(f"{_display(config)} already holds everything the state needs: nothing added")
    else:
        print(f"wrote {_display(config)}: run python main.py --config {_display(config)}, then terraform plan")
    for line in notes:
        print(f"note: {line}")
    from generator.config import environments

    try:
        # What was written must synthesize: a value a module's rules refuse is a problem of the adoption.
        environments.load(config, load_modules(), _display(config))
    except InputError as err:
        problems = [*problems, *err.problems]
    else:
        if old_state is not None:
            problems = [*problems, *_verified(args, load_modules, old_state)]
    return _problems(problems)


def _problems(problems: list[str]) -> int:
    for line in problems:
        print(f"problem: {line}", file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s): resolve them before the first apply", file=sys.stderr)
        return 1
    return 0


def _verify_check(args: argparse.Namespace) -> bytes | None:
    """--verify's own checks, before anything is written or loaded: how it is called, its state file, terraform on
    PATH. The old state's bytes, or None without --verify."""
    if args.verify is None:
        return None
    from generator.commands import verify
    from generator.language.inputs import InputError

    if args.check or args.diff or args.out is not None or not args.config or len(args.config) != 1:
        raise InputError(["--verify needs exactly one --config FILE, alone or after --adopt: python main.py "
                          "[--adopt STATE] --config FILE --verify OLD_STATE"])
    return verify.precheck(args.verify, _display(args.verify))


def _verify_only(args: argparse.Namespace, load_modules: Callable[[], Mapping[str, Any]], old_state: bytes) -> int:
    from generator.config import environments

    environments.precheck([(args.config[0], _display(args.config[0]))])
    return _problems(_verified(args, load_modules, old_state))


def _verified(args: argparse.Namespace, load_modules: Callable[[], Mapping[str, Any]], old_state: bytes) -> list[str]:
    """generator.commands.verify: what the plan does, printed; its problems returned."""
    from generator.commands import verify

    config = args.config[0]
    try:
        return verify.run(config, _display(config), old_state, _display(args.verify), load_modules(),
                          adopting=args.adopt is not None)
    except verify.VerifyFailed as err:
        raise _Failed(str(err)) from None
