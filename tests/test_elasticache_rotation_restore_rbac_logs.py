"""ElastiCache features teams ask the peer modules for (issue 17): AUTH token rotation, restore from a snapshot,
RBAC from an environment file, log delivery to Firehose. Exact refusals, real offline plans, environment files."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from generator.config import environments
from generator.synthesis import synth, tree
from testkit import terraform
from testkit.assertions import Plan
from generator.language.inputs import InputError
from modules import all_modules
from modules.elasticache import MODULE
from testkit.pytest_terraform import background_terraform, plan_case, refusal_case

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
    """Clients authenticate: with the AUTH token unless the case gives RBAC or a token of its own (a call with none of
    them is refused unless authentication_disabled = true)."""
    rbac = {"users", "user_group_ids", "auth_token"} & set(overrides)
    _, found = MODULE.inputs.problems({**BASE, **({} if rbac else {"auth_token": TOKEN}), **overrides})
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
        pytest.param({"auth_token_update_strategy": "SET", "auth_token": None, "authentication_disabled": True},
                     'auth_token_update_strategy: needs auth_token for ROTATE and SET, got "SET"', id="set-without-token"),
        pytest.param({"auth_token_update_strategy": "DELETE", "auth_token": TOKEN},
                     "auth_token_update_strategy: must only be DELETE with auth_token unset and users or "
                     'user_group_ids set (AWS removes AUTH only on the way to RBAC), got "DELETE"', id="delete-with-token"),
        pytest.param({"auth_token_update_strategy": "DELETE"},
                     "auth_token_update_strategy: must only be DELETE with auth_token unset and users or "
                     'user_group_ids set (AWS removes AUTH only on the way to RBAC), got "DELETE"', id="delete-without-rbac"),
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


PLAN_ROTATION_AND_RESTORE_CASE_1 = plan_case("elasticache", {
        **BASE, "auth_token": TOKEN, "auth_token_update_strategy": "SET",
        "snapshot_arns": ["arn:aws:s3:::backups/cache/dump.rdb"],
    })
PLAN_ROTATION_AND_RESTORE_CASE_2 = plan_case("elasticache", {**BASE, "auth_token": TOKEN, "snapshot_name": "nightly"})


def test_plan_rotation_and_restore(planned):
    plan = Plan(planned(PLAN_ROTATION_AND_RESTORE_CASE_1))
    plan.assert_resource(GROUP, {"auth_token_update_strategy": "SET", "snapshot_arns": ["arn:aws:s3:::backups/cache/dump.rdb"],
                                 "snapshot_name": None})
    plan = Plan(planned(PLAN_ROTATION_AND_RESTORE_CASE_2))
    plan.assert_resource(GROUP, {"snapshot_name": "nightly", "snapshot_arns": None, "auth_token_update_strategy": "ROTATE"})


TERRAFORM_REFUSES_ROTATION_AND_RESTORE_MISTAKES_CASE_1 = refusal_case(
    "elasticache", {**BASE, "snapshot_name": "nightly",
                                              "snapshot_arns": ["arn:aws:s3:::backups/cache/dump.rdb"]})
TERRAFORM_REFUSES_ROTATION_AND_RESTORE_MISTAKES_CASE_2 = refusal_case(
    "elasticache", {**BASE, "auth_token_update_strategy": "DELETE"})


def test_terraform_refuses_rotation_and_restore_mistakes(refused):
    error = refused(TERRAFORM_REFUSES_ROTATION_AND_RESTORE_MISTAKES_CASE_1)
    assert "snapshot_arns must not be set together with snapshot_name (AWS restores from one source)" in error
    error = refused(TERRAFORM_REFUSES_ROTATION_AND_RESTORE_MISTAKES_CASE_2)
    assert "auth_token_update_strategy must only be DELETE with auth_token unset and users or user_group_ids set" in error


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
        'unset and users or user_group_ids set (AWS removes AUTH only on the way to RBAC), got "DELETE"'
    ]


# --- RBAC: users and a user group the module creates -----------------------------------------------------------
PASSWORD = "orders-password-000001"
USERS = {
    "orders-default": {"user_name": "default", "access_string": "off ~* -@all"},
    "orders-app": {"access_string": "on ~orders:* +@all"},
    "orders-reader": {"access_string": "on ~orders:* -@all +@read", "authentication_type": "iam"},
}
PASSWORDS = {"orders-default": [PASSWORD], "orders-app": [PASSWORD, "orders-password-000002"]}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"users": {"orders-app": {"access_string": "on ~* +@all"}}, "user_passwords": {"orders-app": [PASSWORD]}},
                     'users: must include a user named "default" (AWS requires one in every user group), got '
                     '{"orders-app": {"access_string": "on ~* +@all", "authentication_type": "password", "user_name": null}}',
                     id="no-default-user"),
        pytest.param({"users": {"default": {"access_string": "on ~* +@all"}}, "user_passwords": {"default": [PASSWORD]}},
                     "users: must have keys (user ids) of lowercase letters, digits and single hyphens, starting with a "
                     'letter, other than "default" (AWS\'s own default user has that id in every Region), got "default"',
                     id="default-id"),
        pytest.param({"users": {**USERS, "Orders--x": {"access_string": "on"}}, "user_passwords": PASSWORDS},
                     "users: must have keys (user ids) of lowercase letters, digits and single hyphens, starting with a "
                     'letter, other than "default" (AWS\'s own default user has that id in every Region), got "Orders--x"',
                     id="bad-id"),
        pytest.param({"users": {**USERS, "orders-empty": {"access_string": " ", "authentication_type": "iam"}},
                      "user_passwords": PASSWORDS},
                     'users: must give each user an access_string (such as "on ~* +@all"), got "orders-empty"', id="no-access"),
        pytest.param({"users": {**USERS, "orders-x": {"access_string": "on", "authentication_type": "no-password"}},
                      "user_passwords": PASSWORDS},
                     'users: must give each user an authentication_type of "password" or "iam", got "orders-x"',
                     id="auth-type"),
        pytest.param({"users": {**USERS, "orders-x": {"access_string": "on", "authentication_type": "iam",
                                                      "user_name": "reports"}}, "user_passwords": PASSWORDS},
                     'users: must give IAM users (authentication_type = "iam") a user_name equal to their id, or none, '
                     'got "orders-x"', id="iam-name"),
        pytest.param({"users": USERS, "user_passwords": {**PASSWORDS, "orders-app": ["short"]}},
                     "user_passwords: must give each user 1 or 2 passwords of 16 to 128 printable characters, got "
                     "(sensitive value)", id="short-password"),
        pytest.param({"users": USERS, "user_passwords": {**PASSWORDS, "orders-app": [PASSWORD] * 3}},
                     "user_passwords: must give each user 1 or 2 passwords of 16 to 128 printable characters, got "
                     "(sensitive value)", id="three-passwords"),
        pytest.param({"users": USERS, "user_passwords": {**PASSWORDS, "orders-reader": [PASSWORD]}},
                     'user_passwords: must give passwords to exactly the users with authentication_type = "password" '
                     '(IAM users take none), got {"orders-app": {"access_string": "on ~orders:* +@all", '
                     '"authentication_type": "password", "user_name": null}, "orders-default": {"access_string": '
                     '"off ~* -@all", "authentication_type": "password", "user_name": "default"}, "orders-reader": '
                     '{"access_string": "on ~orders:* -@all +@read", "authentication_type": "iam", "user_name": null}}',
                     id="iam-with-password"),
    ],
)
def test_rbac_refusals(overrides, message):
    found = problems(**overrides)
    assert found == [message]
    assert PASSWORD not in " ".join(found)


def test_rbac_excludes_auth_token_other_groups_and_plain_text():
    found = problems(users=USERS, user_passwords=PASSWORDS, auth_token=TOKEN, user_group_ids=["other"],
                     transit_encryption_enabled=False)
    assert "users: must not be set together with user_group_ids (the module attaches the group it creates; AWS " \
           'accepts one), got ["other"]' in found
    assert any(m.startswith("users: must not be set together with auth_token (AUTH token or RBAC, not both), got {")
               for m in found)
    assert "users: needs transit_encryption_enabled = true (ElastiCache RBAC works only over TLS), got false" in found
    assert TOKEN not in " ".join(found) and PASSWORD not in " ".join(found)


PLAN_RBAC_USERS_AND_GROUP_CASE_1 = plan_case("elasticache", {**BASE, "users": USERS, "user_passwords": PASSWORDS,
                                             "auth_token_update_strategy": "DELETE"})


def test_plan_rbac_users_and_group(planned):
    plan = Plan(planned(PLAN_RBAC_USERS_AND_GROUP_CASE_1))
    plan.assert_resource('module.under_test.aws_elasticache_user.this["orders-default"]', {
        "user_id": "orders-default", "user_name": "default", "access_string": "off ~* -@all", "engine": "valkey",
        "authentication_mode": [{"type": "password", "passwords": [PASSWORD]}],
    })
    plan.assert_resource('module.under_test.aws_elasticache_user.this["orders-reader"]', {
        "user_id": "orders-reader", "user_name": "orders-reader", "engine": "valkey",
        "authentication_mode": [{"type": "iam", "passwords": None}],
    })
    plan.assert_resource("module.under_test.aws_elasticache_user_group.this[0]", {
        "user_group_id": "mapzip-dev-auth", "engine": "valkey",
        "user_ids": ["orders-app", "orders-default", "orders-reader"],
    })
    plan.assert_resource(GROUP, {"auth_token": None, "auth_token_update_strategy": "DELETE"})


TERRAFORM_REFUSES_RBAC_MISTAKES_CASE_1 = refusal_case(
    "elasticache", {**BASE, "users": {"orders-app": {"access_string": "on ~* +@all"}},
                                              "user_passwords": {"orders-app": [PASSWORD]}})
TERRAFORM_REFUSES_RBAC_MISTAKES_CASE_2 = refusal_case(
    "elasticache", {**BASE, "users": USERS, "user_passwords": {"orders-default": [PASSWORD]}})


def test_terraform_refuses_rbac_mistakes(refused):
    error = refused(TERRAFORM_REFUSES_RBAC_MISTAKES_CASE_1)
    assert 'users must include a user named "default" (AWS requires one in every user group).' in error
    error = refused(TERRAFORM_REFUSES_RBAC_MISTAKES_CASE_2)
    assert 'user_passwords must give passwords to exactly the users with authentication_type = "password"' in error
    assert PASSWORD not in error


def test_environment_file_rbac_users_take_passwords_from_one_variable(tmp_path):
    env = load(tmp_path, HEAD + """
[elasticache_orders]
cluster_name = "orders"
users = { orders-default = { user_name = "default", access_string = "off ~* -@all" }, orders-app = { access_string = "on ~orders:* +@all" } }
""")
    assert env.modules[0].secrets == ("user_passwords",)
    env = load(tmp_path, HEAD + """
[elasticache_orders]
cluster_name = "orders"
users = { orders-default = { user_name = "default", access_string = "off ~* -@all" }, orders-reader = { access_string = "on ~* +@read", authentication_type = "iam" } }
auth_token_update_strategy = "DELETE"
""")
    # RBAC: no AUTH token variable, even with TLS on (the default).
    assert env.modules[0].secrets == ("user_passwords",)
    assert env.modules[0].arguments["users"]["orders-reader"] == {"access_string": "on ~* +@read", "authentication_type": "iam"}


def test_environment_file_refuses_passwords_in_the_file(tmp_path):
    with pytest.raises(InputError) as err:
        load(tmp_path, HEAD + """
[elasticache_orders]
cluster_name = "orders"
users = { orders-default = { user_name = "default", access_string = "off ~* -@all" } }
user_passwords = { orders-default = ["orders-password-000001"] }
""")
    assert err.value.problems == [
        "environments/dev.toml: [elasticache_orders] user_passwords: secrets never go in an environment file; remove "
        "it and supply it when you apply, as the sensitive root variable elasticache_orders_user_passwords "
        "(export TF_VAR_elasticache_orders_user_passwords=…)",
    ]


# --- log delivery to Kinesis Data Firehose ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"slow_log_firehose_stream": "cache/slow"},
                     "slow_log_firehose_stream: must be a Firehose delivery stream name: 1 to 64 letters, digits, _, - or "
                     '., got "cache/slow"', id="stream-name"),
        pytest.param({"engine_log_firehose_stream": "cache-engine", "engine_log_enabled": False},
                     "engine_log_firehose_stream: needs engine_log_enabled = true (the engine log is delivered only while "
                     "it is on), got false", id="stream-without-log"),
    ],
)
def test_firehose_refusals(overrides, message):
    assert problems(**overrides) == [message]


def test_firehose_logs_need_no_module_key():
    """Both logs to Firehose and a key of one's own for data: nothing left for the module's key to encrypt."""
    values = MODULE.inputs.validate({**BASE, "auth_token": TOKEN, "slow_log_firehose_stream": "cache-slow",
                                     "engine_log_firehose_stream": "cache-engine",
                                     "kms_key_arn": "arn:aws:kms:ap-northeast-2:111122223333:key/data",
                                     "create_kms_key": False})
    assert values["create_kms_key"] is False


PLAN_FIREHOSE_AND_CLOUDWATCH_LOGS_CASE_1 = plan_case("elasticache", {**BASE, "auth_token": TOKEN,
                                                                  "slow_log_firehose_stream": "cache-slow"})


def test_plan_firehose_and_cloudwatch_logs(planned):
    plan = Plan(planned(PLAN_FIREHOSE_AND_CLOUDWATCH_LOGS_CASE_1))
    plan.assert_resource(GROUP, {"log_delivery_configuration": [
        {"destination": "/aws/elasticache/mapzip-dev-auth/engine-log", "destination_type": "cloudwatch-logs",
         "log_format": "json", "log_type": "engine-log"},
        {"destination": "cache-slow", "destination_type": "kinesis-firehose", "log_format": "json",
         "log_type": "slow-log"},
    ]})
    # The slow log's CloudWatch group is not created; the engine log's is.
    plan.assert_count("module.under_test.aws_cloudwatch_log_group.slow_log", 0)
    plan.assert_count("module.under_test.aws_cloudwatch_log_group.engine_log", 1)


TERRAFORM_REFUSES_FIREHOSE_MISTAKES_CASE_1 = refusal_case(
    "elasticache", {**BASE, "slow_log_firehose_stream": "cache-slow", "slow_log_enabled": False})


def test_terraform_refuses_firehose_mistakes(refused):
    error = refused(TERRAFORM_REFUSES_FIREHOSE_MISTAKES_CASE_1)
    assert "slow_log_firehose_stream needs slow_log_enabled = true (the slow log is delivered only while it is on)." in error


def test_environment_file_firehose(tmp_path):
    env = load(tmp_path, HEAD + """
[elasticache_auth]
cluster_name = "auth"
slow_log_firehose_stream = "cache-slow"
engine_log_firehose_stream = "cache-engine"
kms_key_arn = "arn:aws:kms:ap-northeast-2:111122223333:key/data"
""")
    # The file leaves create_kms_key out: derived false, as nothing is left for the module's key.
    assert env.modules[0].arguments["create_kms_key"] is False
    assert env.modules[0].arguments["slow_log_firehose_stream"] == "cache-slow"


RBAC_ENVIRONMENT = HEAD + """
[elasticache_orders]
cluster_name = "orders"
users = { orders-default = { user_name = "default", access_string = "off ~* -@all" }, orders-app = { access_string = "on ~orders:* +@all" } }
auth_token_update_strategy = "DELETE"
snapshot_name = "orders-nightly"
engine_log_firehose_stream = "cache-engine"
"""


def synthesize_rbac_environment(workdir: Path) -> None:
    tree.write_tree(workdir / "generated", synth.synthesize(all_modules(), [load(workdir, RBAC_ENVIRONMENT)]))


@background_terraform(prepare=synthesize_rbac_environment)
def rbac_stack(generated_tree: Path, workdir: Path) -> tuple[dict, dict]:
    """The RBAC environment's root variables and its stack's offline plan, the passwords given as a team would."""
    variables = json.loads((workdir / "generated" / "stacks" / "dev" / "variables.tf.json").read_text())["variable"]
    passwords = {"orders-default": [PASSWORD], "orders-app": [PASSWORD]}
    return variables, terraform.plan_offline(workdir / "generated", "dev",
                                             {"elasticache_orders_user_passwords": json.dumps(passwords)},
                                             scratch=workdir)


def test_environment_stack_with_rbac_plans_offline(background):
    """An environment file with RBAC users, rotation, restore and Firehose logs: synthesized, then planned the way
    a team applies it, the passwords arriving as the one sensitive root variable."""
    variables, shown = background(rbac_stack)
    assert set(variables) == {"elasticache_orders_user_passwords"}
    assert variables["elasticache_orders_user_passwords"]["sensitive"] is True
    plan = Plan(shown)
    plan.assert_resource("module.elasticache_orders.aws_elasticache_user_group.this[0]", {
        "user_group_id": "mapzip-dev-orders", "user_ids": ["orders-app", "orders-default"]})
    plan.assert_resource("module.elasticache_orders.aws_elasticache_replication_group.this", {
        "auth_token": None, "snapshot_name": "orders-nightly", "auth_token_update_strategy": "DELETE"})
    deliveries = plan.resource("module.elasticache_orders.aws_elasticache_replication_group.this")["log_delivery_configuration"]
    assert {(d["log_type"], d["destination_type"]) for d in deliveries} == {
        ("engine-log", "kinesis-firehose"), ("slow-log", "cloudwatch-logs")}


def test_secrets_supplied_at_apply_count_as_set_and_are_never_read():
    """An environment file's secrets arrive at apply: checks see them as set (not null), and a check that would read
    one (the passwords against the users) leaves it to Terraform instead of failing."""
    _, found = MODULE.inputs.problems({**BASE, "users": USERS}, supplied=("user_passwords",))
    assert found == []
    _, found = MODULE.inputs.problems({**BASE, "transit_encryption_enabled": False, "auth_token_update_strategy": "SET"},
                                      supplied=("auth_token",))
    assert [message for _, message in found] == [
        "auth_token: needs transit_encryption_enabled = true (AWS accepts AUTH only over TLS), got false"
    ]
    _, found = MODULE.inputs.problems({**BASE, "users": USERS}, supplied=("auth_token", "user_passwords"))
    assert [message for _, message in found] == [
        "users: must not be set together with auth_token (AUTH token or RBAC, not both), got "
        '{"orders-app": {"access_string": "on ~orders:* +@all", "authentication_type": "password", "user_name": null}, '
        '"orders-default": {"access_string": "off ~* -@all", "authentication_type": "password", "user_name": "default"}, '
        '"orders-reader": {"access_string": "on ~orders:* -@all +@read", "authentication_type": "iam", "user_name": null}}'
    ]


CONTROL_CHARACTER_PASSWORD = "orders-password-00000\n"


def test_python_refuses_a_password_with_a_control_character():
    assert problems(users=USERS, user_passwords={**PASSWORDS, "orders-app": [CONTROL_CHARACTER_PASSWORD]}) == [
        "user_passwords: must give each user 1 or 2 passwords of 16 to 128 printable characters, got (sensitive value)"
    ]


TERRAFORM_REFUSES_A_PASSWORD_WITH_A_CONTROL_CHARACTER_CASE_1 = refusal_case(
    "elasticache", {**BASE, "users": USERS, "user_passwords": {
        **PASSWORDS, "orders-app": [CONTROL_CHARACTER_PASSWORD]}})


@pytest.mark.terraform
def test_terraform_refuses_a_password_with_a_control_character(refused):
    """Before: the validation measured only the length, and a caller's HCL got a newline through to AWS."""
    error = refused(TERRAFORM_REFUSES_A_PASSWORD_WITH_A_CONTROL_CHARACTER_CASE_1)
    # (The harness passes the map as a literal, which Terraform quotes; a root passes it as a sensitive variable.)
    assert "user_passwords must give each user 1 or 2 passwords of 16 to 128 printable characters." in error


TERRAFORM_REFUSES_SHORT_AND_OVERLAPPING_WINDOWS_CASE_1 = refusal_case(
    "elasticache", {**BASE, "snapshot_window": "03:00-03:30"})
TERRAFORM_REFUSES_SHORT_AND_OVERLAPPING_WINDOWS_CASE_2 = refusal_case(
    "elasticache", {**BASE, "snapshot_window": "23:30-00:30",
                                               "maintenance_window": "sat:23:45-sun:00:45"})


@pytest.mark.terraform
def test_terraform_refuses_short_and_overlapping_windows(refused):
    """Before: both were checked only when an environment file was synthesized; a caller's HCL reached AWS."""
    error = refused(TERRAFORM_REFUSES_SHORT_AND_OVERLAPPING_WINDOWS_CASE_1)
    assert "snapshot_window must last at least 60 minutes." in error
    error = refused(TERRAFORM_REFUSES_SHORT_AND_OVERLAPPING_WINDOWS_CASE_2)
    assert "maintenance_window must not overlap snapshot_window." in error
