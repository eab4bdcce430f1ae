"""[[moved]] and [[removed]] entries of an environment file → `moved` and `removed` blocks of the stack."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from generator.commands import pipeline
from generator.config import environments
from generator.language.inputs import InputError
from modules import all_modules

HEAD = """\
name_prefix = "mapzip-prod-"
region = "ap-northeast-2"
vpc_id = "vpc-0a1b2c3d4e5f60718"
subnet_ids = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"]

[msk]
cluster_name = "events"
"""
MOVES = """
[[moved]]
from = "module.msk.aws_msk_cluster.kafka"
to = "module.msk.aws_msk_cluster.this"

[[moved]]
from = 'module.msk.aws_security_group.kafka["main"]'
to = "module.msk.aws_security_group.this"

[[removed]]
from = "module.msk.aws_cloudwatch_log_group.kafka"
destroy = false
"""


def load(tmp_path: Path, text: str):
    path = tmp_path / "prod.toml"
    path.write_text(textwrap.dedent(text))
    return environments.load(path, all_modules(), "environments/prod.toml")


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(InputError) as err:
        load(tmp_path, text)
    return err.value.problems


def test_entries_are_read_in_order(tmp_path):
    environment = load(tmp_path, HEAD + MOVES)
    assert environment.moved == (
        ("module.msk.aws_msk_cluster.kafka", "module.msk.aws_msk_cluster.this"),
        ('module.msk.aws_security_group.kafka["main"]', "module.msk.aws_security_group.this"),
    )
    assert environment.removed == ("module.msk.aws_cloudwatch_log_group.kafka",)


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        pytest.param('[[moved]]\nfrom = "module.msk.aws_msk_cluster.kafka"\n', [
            "environments/prod.toml: [[moved]] #1 to: is required (a Terraform address such as "
            "module.msk.aws_msk_cluster.this)",
        ], id="missing-to"),
        pytest.param('[[moved]]\nfrom = "module.msk.aws_msk_cluster"\nto = "module.msk.aws_msk_cluster.this"\n', [
            "environments/prod.toml: [[moved]] #1 from: must be a Terraform address such as "
            'module.msk.aws_msk_cluster.this or module.msk, got "module.msk.aws_msk_cluster"',
        ], id="not-an-address"),
        pytest.param('[[moved]]\nfrom = "module.msk.aws_msk_configuration.kafka"\n'
                     'to = "module.msk.aws_msk_cluster.this"\n', [
            'environments/prod.toml: [[moved]] #1: from "module.msk.aws_msk_configuration.kafka" and to '
            '"module.msk.aws_msk_cluster.this" must be the same resource type (or both module calls); Terraform '
            "moves state between addresses, not between types",
        ], id="type-change"),
        pytest.param('[[moved]]\nfrom = "module.kafka.aws_msk_cluster.kafka"\nto = "module.kafka.aws_msk_cluster.this"\n', [
            'environments/prod.toml: [[moved]] to: "module.kafka.aws_msk_cluster.this" names module.kafka, but '
            "the file has no [kafka] table",
        ], id="unknown-call"),
        pytest.param('[[removed]]\nfrom = "module.msk.aws_cloudwatch_log_group.kafka"\ndestroy = true\n', [
            "environments/prod.toml: [[removed]] #1 destroy: must be false (forget the resource, keep it in AWS), "
            "got true; to destroy it, delete the entry and let the plan show it",
        ], id="destroy"),
        pytest.param('[[moved]]\nfrom = "module.msk.aws_msk_cluster.kafka"\nto = "module.msk.aws_msk_cluster.this"\n'
                     'by = "me"\n', [
            "environments/prod.toml: [[moved]] #1 by: unknown key; allowed: from, to",
        ], id="unknown-key"),
        pytest.param('[[moved]]\nfrom = "module.msk.aws_msk_cluster.kafka"\nto = "module.msk.aws_msk_cluster.this"\n'
                     '[[removed]]\nfrom = "module.msk.aws_msk_cluster.kafka"\n', [
            'environments/prod.toml: [[removed]] #1 from: "module.msk.aws_msk_cluster.kafka" is already the from '
            "of [[moved]] #1",
        ], id="twice"),
        pytest.param('[[import]]\nto = "module.msk"\nid = "sgr-0123456789abcdef0"\n', [
            'environments/prod.toml: [[import]] #1 to: must name a resource, not a module call, got "module.msk"',
        ], id="import-module"),
        pytest.param('[[import]]\nto = "module.msk.aws_vpc_security_group_ingress_rule.between_brokers"\nid = ""\n', [
            "environments/prod.toml: [[import]] #1 id: must be the id AWS gave the object (such as "
            'sgr-0123456789abcdef0), got ""',
        ], id="import-id"),
        pytest.param('moved = "module.msk"\n', [
            'environments/prod.toml: moved: must be an array of tables, written [[moved]], got "module.msk"',
        ], id="not-an-array"),
    ],
)
def test_mistakes(tmp_path, entries, expected):
    head, table = HEAD.split("\n[msk]")
    assert problems(tmp_path, head + entries + "\n[msk]" + table) == expected


def test_synth_writes_moved_and_removed_blocks(tmp_path):
    path = tmp_path / "prod.toml"
    path.write_text(HEAD + MOVES)
    main = json.loads(pipeline.produce([(path, "environments/prod.toml")], modules=all_modules()).files["stacks/prod/main.tf.json"])
    assert main["moved"] == [
        {"from": "module.msk.aws_msk_cluster.kafka", "to": "module.msk.aws_msk_cluster.this"},
        {"from": 'module.msk.aws_security_group.kafka["main"]', "to": "module.msk.aws_security_group.this"},
    ]
    assert main["removed"] == [{"from": "module.msk.aws_cloudwatch_log_group.kafka", "lifecycle": {"destroy": False}}]


def test_a_cache_without_tls_gets_no_auth_token_variable(tmp_path):
    path = tmp_path / "prod.toml"
    path.write_text(HEAD.replace("[msk]\ncluster_name = \"events\"\n", "[elasticache_auth]\ncluster_name = \"auth\"\n"
                                 "transit_encryption_enabled = false\nauthentication_disabled = true\n"))
    environment = environments.load(path, all_modules(), "environments/prod.toml")
    assert environment.modules[0].secrets == ()
    assert "[elasticache_auth] transit_encryption_enabled = false turns off encryption in transit (and with it " \
        "AUTH)" in " ".join(environment.warnings)
    assert "[elasticache_auth] authentication_disabled = true lets clients connect without authentication (no AUTH " \
        "token, no RBAC)" in " ".join(environment.warnings)
