"""The team's daily edits change no test and block no commit (`ci/pipeline.sh team-edits`).

In a copy of the project as committed (a `git clone` of HEAD), the environment files are edited the way a team
does: environments/dev.toml gains a DynamoDB table and a cache, environments/prod.toml is removed, and
environments/staging.toml is added. The tree is regenerated (`python main.py`), the edit is staged as a commit would
be, then the tests that can see the team's files and every pre-commit hook run in the copy, with no other change,
and the security gate (checkov on the offline plan of every stack) when checkov is installed (.venv-checkov, as
`ci/pipeline.sh gate` makes it; .ci/run runs that step first). Any failure means a test reads the team's files as
its data (tests keep theirs in tests/fixtures/environments/).

The tests that can see the team's files (`SELECTED`): every test without Terraform, and the Terraform tests marked
`team_files` (tests/conftest.py marks each test that asks for the `shipped` synthesis or `shipped_stack_plan`). The
other Terraform tests plan what the tests declare themselves: module cases, the stacks of tests/fixtures/
environments/, roots a test file builds; the team's edits change none of their inputs, and they ran in the suite
before (ci/pipeline.sh test, .ci/run's first step). The whole suite here cost a second full run (about 200 s of
CPU) for no check the first run did not make.

The copy uses this project's .venv (linked, not installed again); PYTHONPATH puts the copy's packages first so that
every process, the tests' subprocesses included, runs the copy's code against the copy's files.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent

# Appended to environments/dev.toml: a table and a cache, written as the environments documentation shows.
ADDED_TO_DEV = """
# Added by the team-edits check (ci/pipeline.sh team-edits): one more table and one more cache.
[dynamodb_profiles]
table_name = "profiles"
hash_key = "user_id"
attributes = [{ name = "user_id", type = "S" }]

[elasticache_sessions]
cluster_name = "sessions"
"""

# A new environment, written from scratch.
STAGING = """# The staging environment (added by the team-edits check, ci/pipeline.sh team-edits).
name_prefix = "mapzip-staging-"
region = "ap-northeast-2"
vpc_id = "vpc-0c1d2e3f4a5b60718"
subnet_ids = ["subnet-0c1d2e3f4a5b60001", "subnet-0c1d2e3f4a5b60002", "subnet-0c1d2e3f4a5b60003"]

[tags]
Project = "mapzip"
Environment = "staging"

[backend]
type = "local"

[elasticache_auth]
cluster_name = "auth"

[dynamodb]
table_name = "reviews"
hash_key = "review_id"
attributes = [{ name = "review_id", type = "S" }]
"""

# The tests run after the edits (see above).
SELECTED = "not terraform or team_files"

# What a dev.toml that is missing starts from (the team may have renamed theirs).
DEV_HEAD = STAGING.split("\n[elasticache_auth]", 1)[0].replace("staging", "dev")


def edit(environments: Path) -> None:
    """Make the team's edits in the folder `environments`."""
    dev = environments / "dev.toml"
    dev.write_text((dev.read_text() if dev.exists() else DEV_HEAD) + ADDED_TO_DEV)
    (environments / "prod.toml").unlink(missing_ok=True)
    (environments / "staging.toml").write_text(STAGING)


def _step(title: str, args: list[str], cwd: Path, env: dict[str, str]) -> None:
    print(f"== team-edits: {title}", flush=True)
    started = time.monotonic()
    status = subprocess.run(args, cwd=cwd, env=env).returncode
    print(f"== team-edits: {title}: exit {status} in {time.monotonic() - started:.0f} s", flush=True)
    if status != 0:
        raise SystemExit(f"error: team-edits: {title} failed (exit {status}) after the team's edits: a test or hook "
                         "depends on what environments/ holds")


def run(project: Path, venv: Path, workdir: Path, checkov: Path | None = None) -> None:
    copy = workdir / "project"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(project), str(copy)], check=True)
    (copy / ".venv").symlink_to(venv.resolve(), target_is_directory=True)
    with (copy / ".git" / "info" / "exclude").open("a") as exclude:
        exclude.write("/.venv\n")  # the link is a file to git: `.venv/` in .gitignore does not cover it
    env = dict(os.environ, PYTHONPATH=str(copy))
    env.pop("PYTHONHASHSEED", None)
    python = str(copy / ".venv" / "bin" / "python")
    # The copy's code runs, not this project's (the venv's editable install points here).
    where = subprocess.run([python, "-c", "import generator; print(generator.__file__)"], cwd=workdir, env=env,
                           capture_output=True, text=True, check=True).stdout.strip()
    if not Path(where).resolve().is_relative_to(copy.resolve()):
        raise SystemExit(f"error: team-edits: the copy imports generator from {where}, not from {copy}")
    edit(copy / "environments")
    print("== team-edits: dev.toml + [dynamodb_profiles] + [elasticache_sessions], prod.toml removed, staging.toml added")
    _step("python main.py", [python, "main.py"], copy, env)
    subprocess.run(["git", "add", "--all"], cwd=copy, check=True)
    _step(f"the tests that can see the team's files (-m {SELECTED!r})",
          [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", SELECTED], copy, env)
    _step("pre-commit run --all-files", [str(copy / ".venv" / "bin" / "pre-commit"), "run", "--all-files"], copy, env)
    if checkov is None:
        print("== team-edits: security gate not run: no checkov here (ci/pipeline.sh gate installs it in .venv-checkov)")
    else:
        _step("security gate", [python, "-m", "testkit.security_gate", "--checkov", str(checkov.resolve())], copy, env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m testkit.team_edits", description=__doc__.split("\n\n")[0])
    parser.add_argument("--venv", type=Path, default=PROJECT / ".venv", help="the virtual environment to run with")
    parser.add_argument("--checkov", type=Path, default=PROJECT / ".venv-checkov" / "bin" / "checkov",
                        help="checkov executable for the security gate (skipped when it does not exist)")
    args = parser.parse_args(argv)
    if not (args.venv / "bin" / "pre-commit").exists():
        print(f"error: {args.venv}: no pre-commit; install the ci extra: {args.venv}/bin/pip install -e '.[test,ci]'",
              file=sys.stderr)
        return 1
    workdir = Path(tempfile.mkdtemp(prefix="team-edits-"))
    try:
        run(PROJECT, args.venv, workdir, args.checkov if args.checkov.exists() else None)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print("team-edits: the suite and every hook pass after the team's edits")
    return 0


if __name__ == "__main__":
    sys.exit(main())
