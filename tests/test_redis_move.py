"""A Redis OSS 7 estate moved to Valkey with this project plans as an update in place (issue 28).

The state is built offline (tests/fixtures/redis_move/build_state.py): the fixture root calls the elasticache module
(a replication group) and the serverless module with engine = "redis", and its state is what that apply would have
left. The same root with engine = "valkey" is then planned against it, as a team would after changing one line:
the replication group and the serverless cache are updated, not replaced (the provider keeps both for redis →
valkey), and the replication group's parameter group is the one resource created anew, in the valkey7 family,
before the redis7 one is destroyed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from testkit.pytest_terraform import background_terraform
from tests.fixtures.redis_move import build_state

GROUP = "module.sessions.aws_elasticache_replication_group.this"
PARAMETER_GROUP = "module.sessions.aws_elasticache_parameter_group.this[0]"
SERVERLESS = "module.serverless.aws_elasticache_serverless_cache.this"


@background_terraform
def redis_state_and_its_move(generated_tree: Path, workdir: Path) -> dict:
    root = build_state.prepare(workdir, generated_tree)
    state = build_state.build(root)
    unchanged, _ = build_state.plan(root, build_state.REDIS)
    code, moved = build_state.plan(root, build_state.VALKEY)
    return {"state": state, "redis_exit_code": unchanged, "valkey_exit_code": code, "plan": moved}


@pytest.fixture(scope="module")
def move(background) -> dict:
    return background(redis_state_and_its_move)


def _attributes(state: dict, module: str, kind: str) -> dict:
    return next(r["instances"][0]["attributes"] for r in state["resources"]
                if r["module"] == module and r["type"] == kind)


def _changes(plan: dict) -> dict[str, dict]:
    return {c["address"]: c for c in plan["resource_changes"] if c["change"]["actions"] != ["no-op"]}


@pytest.mark.terraform
def test_the_state_is_a_redis_estate_the_redis_call_leaves_unchanged(move):
    group = _attributes(move["state"], "module.sessions", "aws_elasticache_replication_group")
    assert (group["engine"], group["engine_version"], group["parameter_group_name"]) == (
        "redis", "7.1", "acme-sessions-redis7")
    assert _attributes(move["state"], "module.sessions", "aws_elasticache_parameter_group")["family"] == "redis7"
    cache = _attributes(move["state"], "module.serverless", "aws_elasticache_serverless_cache")
    assert (cache["engine"], cache["major_engine_version"]) == ("redis", "7")
    assert move["redis_exit_code"] == 0  # -detailed-exitcode: no changes


@pytest.mark.terraform
def test_the_move_to_valkey_updates_in_place_and_replaces_nothing_that_holds_data(move):
    assert move["valkey_exit_code"] == 2
    changes = _changes(move["plan"])
    assert {address: c["change"]["actions"] for address, c in changes.items()} == {
        GROUP: ["update"],
        SERVERLESS: ["update"],
        # The new family's group exists before the group moves to it; the redis7 one goes after.
        PARAMETER_GROUP: ["create", "delete"],
    }
    group = changes[GROUP]["change"]
    assert {k: (group["before"][k], group["after"][k]) for k in ("engine", "engine_version", "parameter_group_name")} == {
        "engine": ("redis", "valkey"),
        "engine_version": ("7.1", "7.2"),  # AWS needs the version in the same request
        "parameter_group_name": ("acme-sessions-redis7", "acme-sessions-valkey7"),
    }
    assert group["after"]["primary_endpoint_address"] == group["before"]["primary_endpoint_address"]
    parameter_group = changes[PARAMETER_GROUP]["change"]["after"]
    assert (parameter_group["family"], parameter_group["parameter"]) == (
        "valkey7", [{"name": "maxmemory-policy", "value": "allkeys-lru"}])
    cache = changes[SERVERLESS]["change"]
    assert (cache["before"]["engine"], cache["after"]["engine"]) == ("redis", "valkey")
    assert cache["after"]["major_engine_version"] == "7"
