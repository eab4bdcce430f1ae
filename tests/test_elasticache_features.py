"""ElastiCache features teams ask the peer modules for (issue 17): AUTH token rotation, restore from a snapshot,
RBAC from an environment file, log delivery to Firehose. Exact refusals, real offline plans, environment files."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from generator import environments
from generator.assertions import Plan
from generator.inputs import InputError
from modules import all_modules
from modules.elasticache import MODULE

BASE = {
    "name_prefix": "mapzip-dev-",
    "cluster_name": "auth",
    "vpc_id": "vpc-0a1b2c3d4e5f60718",
    "subnet_ids": ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
}
TOKEN = "a-valid-token-1234567"
HEAD = """\
name_prefix = "mapzip-dev-"
region = "ap-northeast-2"
vpc_id = "vpc-0a1b2c3d4e5f60718"
subnet_ids = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
"""
GROUP = "module.under_test.aws_elasticache_replication_group.this"


def problems(**overrides):
    _, found = MODULE.inputs.problems({**BASE, **overrides})
    return [message for _, message in found]


def load(tmp_path: Path, text: str):
    path = tmp_path / "dev.toml"
    path.write_text(textwrap.dedent(text))
    return environments.load(path, all_modules(), "environments/dev.toml")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"auth_token_update_strategy": "rotate"},
                     'auth_token_update_strategy: must be one of "ROTATE", "SET", "DELETE", got "rotate"', id="strategy-case"),
        pytest.param({"auth_token_update_strategy": "SET"},
                     'auth_token_update_strategy: needs auth_token for ROTATE and SET, got "SET"', id="set-without-token"),
        pytest.param({"auth_token_update_strategy": "DELETE", "auth_token": TOKEN},
                     "auth_token_update_strategy: must only be DELETE with auth_token unset and user_group_ids set (AWS "
                     'removes AUTH only on the way to RBAC), got "DELETE"', id="delete-with-token"),
        pytest.param({"auth_token_update_strategy": "DELETE"},
                     "auth_token_update_strategy: must only be DELETE with auth_token unset and user_group_ids set (AWS "
                     'removes AUTH only on the way to RBAC), got "DELETE"', id="delete-without-rbac"),
        pytest.param({"snapshot_name": "nightly", "snapshot_arns": ["arn:aws:s3:::backups/cache/dump.rdb"]},
                     "snapshot_arns: must not be set together with snapshot_name (AWS restores from one source), got "
                     'snapshot_arns = ["arn:aws:s3:::backups/cache/dump.rdb"], snapshot_name = "nightly"', id="two-sources"),
        pytest.param({"snapshot_arns": ["arn:aws:s3:::backups/a.rdb,arn:aws:s3:::backups/b.rdb"]},
                     "snapshot_arns: must hold only ARNs of S3 objects without commas, such as "
                     'arn:aws:s3:::backups/cache/dump.rdb, got ["arn:aws:s3:::backups/a.rdb,arn:aws:s3:::backups/b.rdb"]',
                     id="comma"),
        pytest.param({"snapshot_arns": ["arn:aws:s3:::backups"]},
                     "snapshot_arns: must hold only ARNs of S3 objects without commas, such as "
                     'arn:aws:s3:::backups/cache/dump.rdb, got ["arn:aws:s3:::backups"]', id="bucket-only"),
        pytest.param({"snapshot_name": ""}, 'snapshot_name: must be 1 to 255 characters long, got ""', id="empty-name"),
    ],
)
def test_rotation_and_restore_refusals(overrides, message):
    assert problems(**overrides) == [message]


def test_rotation_and_restore_accepted():
    assert problems(auth_token=TOKEN, auth_token_update_strategy="SET") == []
    assert problems(auth_token_update_strategy="DELETE", user_group_ids=["orders-users"]) == []
    assert problems(snapshot_arns=["arn:aws:s3:::backups/cache/shard-1.rdb", "arn:aws:s3:::backups/cache/shard-2.rdb"]) == []


def test_plan_rotation_and_restore(harness):
    plan = Plan(harness("elasticache").plan({
        **BASE, "auth_token": TOKEN, "auth_token_update_strategy": "SET",
        "snapshot_arns": ["arn:aws:s3:::backups/cache/dump.rdb"],
    }))
    plan.assert_resource(GROUP, {"auth_token_update_strategy": "SET", "snapshot_arns": ["arn:aws:s3:::backups/cache/dump.rdb"],
                                 "snapshot_name": None})
    plan = Plan(harness("elasticache").plan({**BASE, "snapshot_name": "nightly"}))
    plan.assert_resource(GROUP, {"snapshot_name": "nightly", "snapshot_arns": None, "auth_token_update_strategy": "ROTATE"})


def test_terraform_refuses_rotation_and_restore_mistakes(harness):
    error = harness("elasticache").plan_error({**BASE, "snapshot_name": "nightly",
                                              "snapshot_arns": ["arn:aws:s3:::backups/cache/dump.rdb"]})
    assert "snapshot_arns must not be set together with snapshot_name (AWS restores from one source)" in error
    error = harness("elasticache").plan_error({**BASE, "auth_token_update_strategy": "DELETE"})
    assert "auth_token_update_strategy must only be DELETE with auth_token unset and user_group_ids set" in error


def test_environment_file_rbac_gets_no_auth_token_variable(tmp_path):
    """Before: every TLS block got a required auth_token variable, and user_group_ids was refused for it."""
    env = load(tmp_path, HEAD + """
[elasticache_auth]
cluster_name = "auth"
user_group_ids = ["orders-users"]
auth_token_update_strategy = "DELETE"
snapshot_name = "nightly"
""")
    call = env.modules[0]
    assert call.secrets == ()
    assert call.arguments["user_group_ids"] == ["orders-users"]
    assert call.arguments["auth_token_update_strategy"] == "DELETE"
    env = load(tmp_path, HEAD + """
[elasticache_auth]
cluster_name = "auth"
auth_token_update_strategy = "SET"
""")
    assert env.modules[0].secrets == ("auth_token",)


def test_environment_file_names_the_table_for_rotation_mistakes(tmp_path):
    with pytest.raises(InputError) as err:
        load(tmp_path, HEAD + """
[elasticache_auth]
cluster_name = "auth"
auth_token_update_strategy = "DELETE"
""")
    assert err.value.problems == [
        "environments/dev.toml: [elasticache_auth] auth_token_update_strategy: must only be DELETE with auth_token "
        'unset and user_group_ids set (AWS removes AUTH only on the way to RBAC), got "DELETE"'
    ]
