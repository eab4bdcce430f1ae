"""Secrets never reach generated files; weakening security is explicit and warned about."""

from __future__ import annotations

import json
import re

from generator.commands import cli
from generator.language import secrets
from tests.conftest import PROJECT, fixture_environment, plan_case


def test_generated_tree_holds_no_secret(produced):
    assert secrets.find_secrets(produced.files) == []
    # The committed tree too, as it is on disk.
    on_disk = {p.relative_to(PROJECT / "generated").as_posix(): p.read_bytes()
               for p in (PROJECT / "generated").rglob("*") if p.is_file()}
    assert secrets.find_secrets(on_disk) == []


def test_a_planted_secret_is_found(produced):
    main = json.loads(produced.files["stacks/dev/main.tf.json"])
    main["module"]["elasticache_auth"]["auth_token"] = "planted-token-1234567890"
    planted = dict(produced.files, **{"stacks/dev/main.tf.json": json.dumps(main).encode()})
    assert secrets.find_secrets(planted) == [
        "stacks/dev/main.tf.json: module.elasticache_auth.auth_token: a literal value where only a reference to a "
        "sensitive variable may stand"
    ]
    planted["README.md"] = b"key: AKIAIOSFODNN7EXAMPLE\n"
    assert secrets.find_secrets(planted)[0] == "README.md: contains an AWS access key id"


def test_secret_inputs_are_sensitive_everywhere(produced):
    variables = json.loads(produced.files["modules/elasticache/variables.tf.json"])["variable"]
    assert variables["auth_token"]["sensitive"] is True and variables["auth_token"]["default"] is None
    roots = json.loads(produced.files["stacks/dev/variables.tf.json"])["variable"]
    assert {name: (v["sensitive"], "default" in v) for name, v in roots.items()} == {
        "elasticache_auth_auth_token": (True, False),
        "elasticache_recommend_auth_token": (True, False),
    }


def test_weakening_security_prints_a_warning(tmp_path, capsys):
    env = tmp_path / "lab.toml"
    env.write_text(fixture_environment("dev").read_text().replace(
        'cluster_name = "auth"', 'cluster_name = "auth"\nsnapshot_retention_limit = 0'
    ).replace('table_name = "reviews"', 'table_name = "reviews"\npoint_in_time_recovery_enabled = false'))
    assert cli.main(["--config", str(env), "--out", str(tmp_path / "out")]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning:")]
    assert warnings == [
        f"warning: {env.as_posix()}: [elasticache_auth] snapshot_retention_limit = 0 turns off automatic backups",
        f"warning: {env.as_posix()}: [dynamodb] point_in_time_recovery_enabled = false turns off point-in-time "
        "recovery (continuous backups)",
    ]


def test_every_checkov_skip_gives_its_reason():
    """A skipped check without a reason is a defect: each `- CKV…` entry carries a `# reason` on its line."""
    lines = (PROJECT / ".checkov.yaml").read_text().splitlines()
    skips = [line for line in lines if re.match(r"\s*-\s*CKV", line)]
    assert all(re.search(r"#\s*\S.{10,}", line) for line in skips), skips


def test_gate_counts_the_main_resources():
    from testkit.security_gate import main_resource_types, main_resources

    plan = {"planned_values": {"root_module": {"child_modules": [{"resources": [
        {"address": "module.m.aws_msk_cluster.this", "type": "aws_msk_cluster", "mode": "managed"},
        {"address": "module.m.aws_kms_key.this[0]", "type": "aws_kms_key", "mode": "managed"},
        {"address": "module.m.aws_cloudwatch_log_group.broker_logs[0]", "type": "aws_cloudwatch_log_group", "mode": "managed"},
    ]}]}}}
    assert main_resources(plan, main_resource_types()) == {
        "module.m.aws_msk_cluster.this", "module.m.aws_cloudwatch_log_group.broker_logs[0]"}


def test_gate_reads_the_main_resource_types_the_modules_declare():
    """No list in the gate: the union of every discovered module's declaration (the list the gate once held)."""
    from testkit.security_gate import main_resource_types

    assert main_resource_types() == (
        "aws_cloudwatch_log_group", "aws_dynamodb_table", "aws_elasticache_replication_group",
        "aws_elasticache_serverless_cache", "aws_msk_cluster", "aws_msk_serverless_cluster", "aws_security_group",
    )


TABLE_WITH_MODULE_KEY = plan_case("dynamodb", {
    "name_prefix": "mapzip-dev-", "table_name": "reviews", "hash_key": "id", "attributes": [{"name": "id", "type": "S"}],
})
TABLE_WITH_OWN_KEY = plan_case("dynamodb", {
    "name_prefix": "mapzip-dev-", "table_name": "reviews", "hash_key": "id", "attributes": [{"name": "id", "type": "S"}],
    "server_side_encryption_kms_key_arn": "arn:aws:kms:ap-northeast-2:111122223333:key/1", "create_kms_key": False,
})


def test_modules_create_a_rotated_customer_managed_key(planned):
    from testkit.assertions import Plan

    plan = Plan(planned(TABLE_WITH_MODULE_KEY))
    plan.assert_resource("module.under_test.aws_kms_key.this[0]", {"enable_key_rotation": True, "deletion_window_in_days": 30})
    plan.assert_resource("module.under_test.aws_kms_alias.this[0]", {"name": "alias/dynamodb/mapzip-dev-reviews"})
    with_own_key = Plan(planned(TABLE_WITH_OWN_KEY))
    with_own_key.assert_count("module.under_test.aws_kms", 0)
    with_own_key.assert_resource("module.under_test.aws_dynamodb_table.this", {
        "server_side_encryption": [{"enabled": True, "kms_key_arn": "arn:aws:kms:ap-northeast-2:111122223333:key/1"}]})
