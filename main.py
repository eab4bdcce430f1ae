"""Synthesize the Terraform modules and environment stacks into generated/. Run `python main.py --help`.

The composition root: the generator never imports modules/; main.py hands it the discovered modules."""

import importlib.util
import sys
from pathlib import Path

# What every run needs before it can say anything else: the project's own packages and the dependencies both CDK
# toolkits share. Checked by name only (nothing is imported), with the standard library alone, so that a Python
# without the project's environment (`python main.py` in a fresh shell) gets one line instead of a traceback.
NEEDED = ("generator", "modules", "jinja2", "jsii", "constructs")


def _missing() -> str | None:
    for name in NEEDED:
        try:
            if importlib.util.find_spec(name) is None:
                return name
        except (ImportError, ValueError):
            return name
    return None


def _environment_check() -> None:
    missing = _missing()
    if missing is None:
        return
    root = Path(__file__).resolve().parent
    venv = root / ".venv"
    try:
        shown = venv.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        shown = str(venv)
    this = sys.executable or "this Python"
    if (venv / "bin" / "python").exists() and Path(sys.prefix).resolve() != venv.resolve():
        advice = f"use {shown}/bin/python, the project's environment"
    else:
        here = "" if Path.cwd().resolve() == root else f"cd {root} && "
        advice = f"set the project up: {here}python3 -m venv .venv && .venv/bin/pip install -e '.[test]'"
    print(f"error: {this} does not have the project's dependencies (no module {missing!r}); {advice}",
          file=sys.stderr)
    sys.exit(1)


if __name__ == "__main__":
    _environment_check()
    from generator.commands.cli import main, run_script
    from modules import all_modules

    run_script(lambda: main(modules=all_modules))
