"""The estate fixture: the team's hand-written root (tests/fixtures/estate/old) and the state it left, built offline
by tests/fixtures/estate/build_state.py. The other adoption tests trust these files; these tests keep them honest."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from testkit.pytest_terraform import background_terraform

ESTATE = Path(__file__).resolve().parent / "fixtures" / "estate"


def _builder():
    spec = importlib.util.spec_from_file_location("estate_build_state", ESTATE / "build_state.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _without_terraform_version(shown: bytes) -> dict:
    # `terraform show -json` stamps the version of the binary that printed it.
    document = json.loads(shown)
    document.pop("terraform_version")
    return document


@background_terraform
def old_root_against_the_committed_state(generated_tree: Path, workdir: Path) -> tuple[int, str]:
    return _builder().plan_against((ESTATE / "state.json").read_bytes(), workdir)


@background_terraform
def rebuilt_fixture(generated_tree: Path, workdir: Path) -> tuple[bytes, bytes]:
    return _builder().build(workdir)


def test_old_root_plans_no_changes_against_the_committed_state(background):
    code, output = background(old_root_against_the_committed_state)
    assert code == 0, output  # -detailed-exitcode: 0 means no changes, 2 means changes
    assert "No changes." in output


def test_build_state_reproduces_the_committed_files(background):
    state, shown = background(rebuilt_fixture)
    assert state == (ESTATE / "state.json").read_bytes()
    assert _without_terraform_version(shown) == _without_terraform_version((ESTATE / "state.show.json").read_bytes())


def test_the_fixture_is_the_estate_the_issue_describes():
    """Inline rules, aws_msk_configuration, AWS managed keys, TLS off on the cache, Kafka 3.6.0, own names."""
    shown = json.loads((ESTATE / "state.show.json").read_bytes())
    resources = {
        r["address"]: r["values"] for m in shown["values"]["root_module"]["child_modules"] for r in m["resources"]
    }
    cache = resources["module.elasticache_auth.aws_elasticache_replication_group.cache"]
    assert cache["transit_encryption_enabled"] is False and cache["kms_key_id"] == ""
    assert resources["module.elasticache_auth.aws_security_group.cache"]["ingress"][0]["from_port"] == 6379
    assert resources["module.msk.aws_msk_cluster.kafka"]["kafka_version"] == "3.6.0"
    assert resources["module.msk.aws_msk_configuration.kafka"]["name"] == "mapzip-prod-events-config"
    key = resources["module.dynamodb.aws_dynamodb_table.reviews"]["server_side_encryption"][0]["kms_key_arn"]
    assert key.startswith("arn:aws:kms:ap-northeast-2:123456789012:key/")

