"""The adoption issue's "done when", as a user runs it, on each peer estate (tests/fixtures/estates/): with no hand
edit, `python main.py --adopt STATE --config FILE --verify OLD_STATE` writes the file, synthesizes it and plans it
offline against the estate's own raw state: nothing destroyed, nothing replaced, no ingress rule created twice,
exit 0. (The hand-written estate, tests/fixtures/estate, has inline rules whose `sgr-` ids only AWS knows: its
`--verify` is tests/test_verify.py.)"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from testkit.project import PROJECT
from testkit.pytest_terraform import Command, background_process, require_terraform, user_environment

ESTATES = PROJECT / "tests" / "fixtures" / "estates"


def adopt_and_verify(estate: str, workdir: Path) -> Command:
    config = workdir / "environments" / "estate.toml"
    config.parent.mkdir(parents=True)
    estate_folder = (ESTATES / estate).relative_to(PROJECT).as_posix()  # as the README writes it
    command = [sys.executable, "main.py", "--adopt", f"{estate_folder}/state.show.json", "--config", str(config),
               "--verify", f"{estate_folder}/state.json"]
    return Command(command, user_environment(), PROJECT)


# As a user runs it: its Terraform commands install the provider from the mirror themselves (not attached).
@background_process(attach=False)
def terraform_aws_modules_adopted_and_verified(workdir: Path) -> Command:
    return adopt_and_verify("terraform-aws-modules", workdir)


@background_process(attach=False)
def terraform_aws_modules_basic_adopted_and_verified(workdir: Path) -> Command:
    return adopt_and_verify("terraform-aws-modules-basic", workdir)


COUNTS = re.compile(r"(\d+) moved, (\d+) updated in place, (\d+) created, (\d+) destroyed, (\d+) replaced")


@pytest.mark.terraform
@pytest.mark.parametrize("job", [terraform_aws_modules_adopted_and_verified,
                                 terraform_aws_modules_basic_adopted_and_verified], ids=lambda job: job.__name__)
def test_a_peer_estate_adopts_with_nothing_destroyed_or_replaced(background, job):
    require_terraform()
    result, workdir = background(job)
    config = workdir / "environments" / "estate.toml"
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    summary = next(line for line in lines if COUNTS.fullmatch(line))
    moved, _, created, destroyed, replaced = (int(n) for n in COUNTS.fullmatch(summary).groups())
    assert (destroyed, replaced) == (0, 0), summary
    assert moved > 0 and created == 0, summary  # everything the module manages was there already
    estate = "terraform-aws-modules-basic" if "basic" in job.__name__ else "terraform-aws-modules"
    assert lines[-1] == ("verified: nothing destroyed or replaced, no ingress rule created twice: stacks/estate can "
                         f"take over {(ESTATES / estate / 'state.json').relative_to(PROJECT).as_posix()}")
    assert not [line for line in result.stderr.splitlines() if line.startswith(("problem: ", "error: "))]
    # The file written is the one committed beside the estate (tests/test_adopt_estates.py reads it too).
    assert config.read_text() == (ESTATES / estate / "adopted.toml").read_text()
