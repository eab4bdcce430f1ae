"""MSK Serverless is adoptable (modules/mskserverless/adopt.py): a hand-written root's serverless cluster, its
security group and its cluster policy (tests/fixtures/adopt_mskserverless: old/ and the state its apply would have
left, built offline by build_state.py and checked there to plan "No changes") go to `--adopt`, and the written file,
synthesized as written, plans against that same state with nothing replaced or destroyed.

What the adopter pins for each value a state can hold is in tests/test_adopt_pins.py (the mskserverless case)."""

from __future__ import annotations

import io
import json
import re
import tomllib
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from generator.commands import cli
from testkit import terraform
from testkit.pytest_terraform import background_terraform

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "adopt_mskserverless"
APP = "sg-0e0e0e0e0e0e0e0e1"
CONSUMER = "arn:aws:iam::210987654321:role/stream-consumers"


def adopt(folder: Path) -> tuple[Path, int, str, str]:
    config = folder / "environments" / "streams.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(["--adopt", str(FIXTURE / "state.show.json"), "--config", str(config)])
    return config, code, out.getvalue(), err.getvalue()


def test_the_cluster_its_group_and_its_policy_are_moved_and_pinned(tmp_path):
    config, code, out, err = adopt(tmp_path)
    document = tomllib.loads(config.read_text())
    assert document["streams"] == {
        "module": "mskserverless", "cluster_name": "streams", "allowed_security_group_ids": [APP],
        "security_group_name": "mapzip-prod-streams-msk",
        "security_group_description": "MSK Serverless mapzip-prod-streams",
        "cluster_policy_allowed_principals": [CONSUMER],
        "cluster_policy_actions": ["kafka:CreateVpcConnection", "kafka:GetBootstrapBrokers",
                                   "kafka:DescribeClusterV2"],
        "tags": {"Service": "streams"},
    }
    assert document["moved"] == [
        {"from": "module.streams.aws_msk_serverless_cluster.kafka",
         "to": "module.streams.aws_msk_serverless_cluster.this"},
        # The policy and the group are counted from the start, and the module ships no move of its own.
        {"from": "module.streams.aws_msk_cluster_policy.kafka", "to": "module.streams.aws_msk_cluster_policy.this[0]"},
        {"from": "module.streams.aws_security_group.kafka", "to": "module.streams.aws_security_group.this[0]"},
    ]
    assert "removed" not in document
    # The group's inline rule is what the module's rule would create again: the only problem.
    problems = [line for line in err.splitlines() if line.startswith("problem: ")]
    assert [re.search(r"the inline rule (tcp \S+ from \S+) exists", line).group(1) for line in problems] == [
        f"tcp 9098-9098 from {APP}"]
    assert code == 1


def synthesize_adopted(workdir: Path) -> None:
    config = adopt(workdir)[0]
    code = cli.main(["--out", str(workdir / "generated"), "--config", str(config)])
    assert code == 0
    stack = workdir / "generated" / "stacks" / "streams"
    (stack / "terraform.tfstate").write_text((FIXTURE / "state.json").read_text())
    (stack / "offline_override.tf.json").write_text(json.dumps({"provider": terraform.OFFLINE_OVERRIDE["provider"]}))


@background_terraform(prepare=synthesize_adopted)
def adopted_plan(generated_tree: Path, workdir: Path) -> dict:
    return terraform.plan_root(workdir / "generated" / "stacks" / "streams")


def test_terraform_plans_the_adopted_cluster_with_nothing_replaced(background):
    plan = background(adopted_plan)
    changes = {rc["address"]: rc for rc in plan["resource_changes"]}
    actions = {address: rc["change"]["actions"] for address, rc in changes.items()}
    assert {a: rc["change"].get("replace_paths") for a, rc in changes.items() if "delete" in actions[a]} == {}
    for old, new in (("aws_msk_serverless_cluster.kafka", "aws_msk_serverless_cluster.this"),
                     ("aws_security_group.kafka", "aws_security_group.this[0]"),
                     ("aws_msk_cluster_policy.kafka", "aws_msk_cluster_policy.this[0]")):
        change = changes[f"module.streams.{new}"]
        assert change["previous_address"] == f"module.streams.{old}"
        assert change["change"]["actions"] in (["no-op"], ["update"])
    # The cluster itself is untouched; the policy is rewritten in the module's words (its Sid), in place.
    assert actions["module.streams.aws_msk_serverless_cluster.this"] == ["no-op"]
    # Created: only the rule the problem names (the inline rule's [[import]] way out).
    assert sorted(a for a, act in actions.items() if act == ["create"]) == [
        'module.streams.aws_vpc_security_group_ingress_rule.from_security_groups["9098/0"]',
    ]
