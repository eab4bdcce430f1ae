"""Valkey Serverless is adoptable (modules/valkeyserverless/adopt.py): a hand-written root's serverless cache and its
security group (tests/fixtures/adopt_serverless: old/ and the state its apply would have left, built offline by
build_state.py and checked there to plan "No changes") go to `--adopt`, and the written file, synthesized as
written, plans against that same state with nothing replaced or destroyed.

What the adopter pins for each value a state can hold is in tests/test_adopt_pins.py (the valkeyserverless-* cases)."""

from __future__ import annotations

import io
import json
import re
import tomllib
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from generator.commands import cli
from testkit import terraform
from tests.conftest import background_terraform

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "adopt_serverless"
KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/5d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"
APP = "sg-0e0e0e0e0e0e0e0e1"


def adopt(folder: Path) -> tuple[Path, int, str, str]:
    config = folder / "environments" / "chat.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(["--adopt", str(FIXTURE / "state.show.json"), "--config", str(config)])
    return config, code, out.getvalue(), err.getvalue()


def test_the_cache_and_its_group_are_moved_and_pinned(tmp_path):
    config, code, out, err = adopt(tmp_path)
    document = tomllib.loads(config.read_text())
    assert document["presence"] == {
        "module": "valkeyserverless", "cache_name": "presence", "description": "Who is online, for the chat service",
        "cache_usage_limits": {"data_storage_maximum": 10, "ecpu_per_second_maximum": 5000},
        "allowed_security_group_ids": [APP], "security_group_name": "mapzip-prod-presence-cache",
        "security_group_description": "Valkey serverless mapzip-prod-presence", "kms_key_arn": KEY,
        "snapshot_retention_limit": 14, "daily_snapshot_time": "04:00",
    }
    assert document["moved"] == [
        {"from": "module.presence.aws_elasticache_serverless_cache.cache",
         "to": "module.presence.aws_elasticache_serverless_cache.this"},
        # The module's group is counted from the start and ships no move of its own: straight to this[0].
        {"from": "module.presence.aws_security_group.cache", "to": "module.presence.aws_security_group.this[0]"},
    ]
    assert "removed" not in document
    # The group's two inline rules are what the module's rules would create again: the only problems.
    problems = [line for line in err.splitlines() if line.startswith("problem: ")]
    assert [re.search(r"the inline rule (tcp \S+ from \S+) exists", line).group(1) for line in problems] == [
        f"tcp 6379-6379 from {APP}", f"tcp 6380-6380 from {APP}"]
    assert code == 1


def synthesize_adopted(workdir: Path) -> None:
    config = adopt(workdir)[0]
    code = cli.main(["--out", str(workdir / "generated"), "--config", str(config)])
    assert code == 0
    stack = workdir / "generated" / "stacks" / "chat"
    (stack / "terraform.tfstate").write_text((FIXTURE / "state.json").read_text())
    (stack / "offline_override.tf.json").write_text(json.dumps({"provider": terraform.OFFLINE_OVERRIDE["provider"]}))


@background_terraform(prepare=synthesize_adopted)
def adopted_plan(generated_tree: Path, workdir: Path) -> dict:
    return terraform.plan_root(workdir / "generated" / "stacks" / "chat")


def test_terraform_plans_the_adopted_cache_with_nothing_replaced(background):
    plan = background(adopted_plan)
    changes = {rc["address"]: rc for rc in plan["resource_changes"]}
    actions = {address: rc["change"]["actions"] for address, rc in changes.items()}
    assert {a: rc["change"].get("replace_paths") for a, rc in changes.items() if "delete" in actions[a]} == {}
    cache = changes["module.presence.aws_elasticache_serverless_cache.this"]
    assert cache["previous_address"] == "module.presence.aws_elasticache_serverless_cache.cache"
    assert cache["change"]["actions"] in (["no-op"], ["update"])
    group = changes["module.presence.aws_security_group.this[0]"]
    assert group["previous_address"] == "module.presence.aws_security_group.cache"
    assert group["change"]["actions"] in (["no-op"], ["update"])
    # Created: only the two rules the problems name (the inline rules' [[import]] way out), and no key (the cache's
    # own is pinned).
    assert sorted(a for a, act in actions.items() if act == ["create"]) == [
        'module.presence.aws_vpc_security_group_ingress_rule.from_security_groups["6379/0"]',
        'module.presence.aws_vpc_security_group_ingress_rule.from_security_groups["6380/0"]',
    ]
