"""The elasticacheusers module: RBAC users and one user group that several caches share (issue #28).

Its rules on users are the elasticache module's own (modules/shared/rbac.py); the caches take the group's id
(elasticache user_group_ids, valkeyserverless user_group_id). From HCL the id comes from the module's output and is
unknown until apply; from an environment file a cache table names the users' table (`user_group = "<table>"`) and
the root wires the output.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator.config import environments
from generator.language.inputs import InputError
from modules import all_modules
from modules.elasticacheusers import MODULE
from testkit import terraform
from testkit.assertions import Plan
from testkit.project import FIXTURE_ENVIRONMENTS
from testkit.pytest_terraform import background_terraform

SHARED = FIXTURE_ENVIRONMENTS / "rbac" / "shared.toml"
PASSWORDS = {"default-user": ["default-password-0123"], "reporting": ["reporting-password-0123"]}
USERS = {
    "default-user": {"user_name": "default", "access_string": "off ~* -@all"},
    "app": {"access_string": "on ~app:* +@all", "authentication_type": "iam"},
    "reporting": {"access_string": "on ~* +@read"},
}
BASE = {"name_prefix": "mapzip-dev-", "user_group_name": "app-users", "users": USERS, "user_passwords": PASSWORDS}


def _load(tmp_path: Path, text: str) -> environments.Environment:
    path = tmp_path / "shared.toml"
    path.write_text(text)
    return environments.load(path, all_modules(), "shared.toml")


def _problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(InputError) as refused:
        _load(tmp_path, text)
    return refused.value.problems


FIXTURE = SHARED.read_text()
SESSIONS_REFERENCE = 'user_group = "elasticacheusers_app"\n\n[valkeyserverless_search]'


def _sessions(extra: str) -> str:
    """The fixture with `extra` lines added to [elasticache_sessions]."""
    assert SESSIONS_REFERENCE in FIXTURE
    return FIXTURE.replace(SESSIONS_REFERENCE, f'user_group = "elasticacheusers_app"\n{extra}\n\n[valkeyserverless_search]')


# --- the module's rules, exact messages ---------------------------------------------------------------------------

def test_the_users_rules_are_the_elasticache_modules_own():
    """Declared once: the same Rule objects, not copies."""
    cache = all_modules()["elasticache"].inputs.by_name
    users = MODULE.inputs.by_name
    assert users["users"].rules is cache["users"].rules
    assert users["user_passwords"].rules is cache["user_passwords"].rules
    assert users["user_passwords"].secret and users["user_passwords"].sensitive


@pytest.mark.parametrize(("change", "message"), [
    ({"users": {"app": {"access_string": "on ~* +@all", "authentication_type": "iam"}}, "user_passwords": {}},
     'users: must include a user named "default" (AWS requires one in every user group), got {"app": '
     '{"access_string": "on ~* +@all", "authentication_type": "iam", "user_name": null}}'),
    ({"user_group_name": "app--users"},
     "name_prefix: must give a user group id (name_prefix + user_group_name) of lowercase letters, digits and single "
     'hyphens, starting with a letter and not ending with a hyphen, got name_prefix = "mapzip-dev-", '
     'user_group_name = "app--users"'),
    ({"users": {**USERS, "ops": {"access_string": "on ~* +@bogus"}}},
     "users: must give each user an access_string whose +@ and -@ name ACL categories Valkey has (all, keyspace, "
     "read, write, set, sortedset, list, hash, string, bitmap, hyperloglog, geo, stream, pubsub, admin, fast, slow, "
     'blocking, dangerous, connection, transaction, scripting), got "ops" (+@bogus)'),
    ({"user_passwords": {"default-user": ["too-short"], "reporting": PASSWORDS["reporting"]}},
     "user_passwords: must give each user 1 or 2 passwords of 16 to 128 printable characters, got (sensitive value)"),
    ({"user_passwords": {"default-user": PASSWORDS["default-user"]}},
     'user_passwords: must give passwords to exactly the users with authentication_type = "password" (IAM users '
     'take none), got {"app": {"access_string": "on ~app:* +@all", "authentication_type": "iam", '
     '"user_name": null}, "default-user": {"access_string": "off ~* -@all", "authentication_type": "password", '
     '"user_name": "default"}, "reporting": {"access_string": "on ~* +@read", "authentication_type": "password", '
     '"user_name": null}}'),
])
def test_refused_with_its_message(change, message):
    _, problems = MODULE.inputs.problems({**BASE, **change})
    assert [m for _, m in problems] == [message]


def test_accepts_the_shared_group():
    values, problems = MODULE.inputs.problems(BASE)
    assert problems == []
    assert MODULE.known_outputs(values) == {"user_group_id": "mapzip-dev-app-users"}


# --- environment files --------------------------------------------------------------------------------------------

def test_the_fixture_wires_both_caches_to_the_groups_output(tmp_path):
    environment = _load(tmp_path, FIXTURE)
    calls = {call.name: call for call in environment.modules}
    assert [call.name for call in environment.modules] == ["elasticacheusers_app", "elasticache_sessions",
                                                             "valkeyserverless_search"]
    assert calls["elasticache_sessions"].references == (
        ("user_group_ids", "elasticacheusers_app", "user_group_id", True),)
    assert calls["valkeyserverless_search"].references == (
        ("user_group_id", "elasticacheusers_app", "user_group_id", False),)
    # Checked with the id the group will have; the cache needs no AUTH token, the group its users' passwords.
    assert calls["elasticache_sessions"].values["user_group_ids"] == ["mapzip-dev-app-users"]
    assert calls["valkeyserverless_search"].values["user_group_id"] == "mapzip-dev-app-users"
    assert calls["elasticache_sessions"].secrets == ()
    assert calls["elasticacheusers_app"].secrets == ("user_passwords",)
    assert "user_group_ids" not in calls["elasticache_sessions"].arguments
    # The serverless cache's advice "any client … connects as the default user" is not given: it has a group.
    assert environment.warnings == ()


@pytest.mark.parametrize(("text", "message"), [
    (FIXTURE.replace(SESSIONS_REFERENCE, 'user_group = "elasticacheusers_ap"\n\n[valkeyserverless_search]'),
     "shared.toml: [elasticache_sessions] user_group: must name a [elasticacheusers_…] table of this file (whose "
     "user_group_id sets user_group_ids); its elasticacheusers tables: elasticacheusers_app, got "
     '"elasticacheusers_ap" (did you mean elasticacheusers_app?)'),
    (FIXTURE.replace(SESSIONS_REFERENCE, 'user_group = "valkeyserverless_search"\n\n[valkeyserverless_search]'),
     "shared.toml: [elasticache_sessions] user_group: must name a [elasticacheusers_…] table of this file (whose "
     "user_group_id sets user_group_ids); its elasticacheusers tables: elasticacheusers_app, got "
     '"valkeyserverless_search"'),
    (FIXTURE.rsplit('user_group = "elasticacheusers_app"', 1)[0] + "user_group = 3\n",
     "shared.toml: [valkeyserverless_search] user_group: must name a [elasticacheusers_…] table of this file (whose "
     "user_group_id sets user_group_id); its elasticacheusers tables: elasticacheusers_app, got 3"),
    (_sessions('user_group_ids = ["mapzip-dev-other"]'),
     "shared.toml: [elasticache_sessions] user_group: must not be set together with user_group_ids (user_group "
     "names the table whose user_group_id sets user_group_ids)"),
    # The module's own rule (mutually exclusive with its users), told with the key the file wrote.
    (_sessions('users = { default-user = { user_name = "default", access_string = "off ~* -@all" } }'),
     "shared.toml: [elasticache_sessions] users: must not be set together with user_group_ids (the module attaches "
     'the group it creates; AWS accepts one), got ["mapzip-dev-app-users"] (user_group = "elasticacheusers_app" '
     "sets user_group_ids)"),
    # The group counts as authentication: turning authentication off is then a contradiction.
    (_sessions("authentication_disabled = true"),
     "shared.toml: [elasticache_sessions] authentication_disabled: must not be true with auth_token, users or "
     'user_group_ids (clients authenticate), got true (user_group = "elasticacheusers_app" sets user_group_ids)'),
])
def test_a_wrong_reference_is_refused_with_its_message(tmp_path, text, message):
    assert _problems(tmp_path, text) == [message]


def test_a_broken_group_is_reported_once_under_its_own_table(tmp_path):
    """The caches naming a group that fails its own rules add nothing: the group's problem is the one to fix."""
    text = FIXTURE.replace('user_group_name = "app-users"', 'user_group_name = "app--users"')
    assert _problems(tmp_path, text) == [
        "shared.toml: [elasticacheusers_app] name_prefix: must give a user group id (name_prefix + user_group_name) "
        "of lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen, got "
        'name_prefix = "mapzip-dev-", user_group_name = "app--users"']


def test_a_cache_without_a_group_still_wants_its_auth_token(tmp_path):
    """No breaking change: the in-module AUTH token and users work as before beside the new key."""
    text = FIXTURE.replace(SESSIONS_REFERENCE, "\n[valkeyserverless_search]")
    calls = {call.name: call for call in _load(tmp_path, text).modules}
    assert calls["elasticache_sessions"].secrets == ("auth_token",)
    assert calls["elasticache_sessions"].references == ()


# --- plans --------------------------------------------------------------------------------------------------------

# From HCL: the group's name (so its id) comes from a key created in the same apply, unknown at plan; both caches
# take the module's output.
ROOT = """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

provider "aws" { region = "ap-northeast-2" }

variable "user_passwords" {
  type      = map(list(string))
  sensitive = true
}

resource "aws_kms_key" "data" { enable_key_rotation = true }

module "users" {
  source          = "./modules/elasticacheusers"
  name_prefix     = "mapzip-dev-"
  user_group_name = "app-${substr(aws_kms_key.data.key_id, 0, 8)}"
  users = {
    default-user = { user_name = "default", access_string = "off ~* -@all" }
    app          = { access_string = "on ~app:* +@all", authentication_type = "iam" }
    reporting    = { access_string = "on ~* +@read" }
  }
  user_passwords = var.user_passwords
}

module "sessions" {
  source                     = "./modules/elasticache"
  name_prefix                = "mapzip-dev-"
  cluster_name               = "sessions"
  vpc_id                     = "vpc-0123456789abcdef0"
  subnet_ids                 = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
  allowed_security_group_ids = ["sg-0123456789abcdef0"]
  user_group_ids             = [module.users.user_group_id]
}

module "search" {
  source                     = "./modules/valkeyserverless"
  name_prefix                = "mapzip-dev-"
  cache_name                 = "search"
  vpc_id                     = "vpc-0123456789abcdef0"
  subnet_ids                 = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
  allowed_security_group_ids = ["sg-0123456789abcdef0"]
  user_group_id              = module.users.user_group_id
}
"""
# The same cache given users of its own as well: refused at plan, although the group's id is still unknown.
REFUSED_ROOT = ROOT.replace(
    "  user_group_ids             = [module.users.user_group_id]\n",
    "  user_group_ids             = [module.users.user_group_id]\n"
    '  users                      = { default-user = { user_name = "default", access_string = "off ~* -@all" } }\n'
    '  user_passwords             = { default-user = ["default-password-0123"] }\n',
)


def _root(generated_tree: Path, workdir: Path, text: str) -> None:
    (workdir / "modules").mkdir()
    for kind in ("elasticacheusers", "elasticache", "valkeyserverless"):
        shutil.copytree(generated_tree / "modules" / kind, workdir / "modules" / kind)
    (workdir / "main.tf").write_text(text)
    (workdir / "offline_override.tf.json").write_text(json.dumps(terraform.OFFLINE_OVERRIDE))


@background_terraform
def plan_of_two_caches_sharing_a_group(generated_tree: Path, workdir: Path) -> dict:
    _root(generated_tree, workdir, ROOT)
    return terraform.plan_root(workdir, {"user_passwords": json.dumps(PASSWORDS)})


@background_terraform
def refusal_of_users_beside_the_group(generated_tree: Path, workdir: Path) -> str:
    _root(generated_tree, workdir, REFUSED_ROOT)
    try:
        terraform.plan_root(workdir, {"user_passwords": json.dumps(PASSWORDS)})
    except terraform.TerraformFailed as err:
        return " ".join(str(err).split())
    raise AssertionError("terraform planned a cache with users and user_group_ids")


def _after_unknown(plan: Plan, address: str) -> dict:
    return next(c for c in plan.raw["resource_changes"] if c["address"] == address)["change"]["after_unknown"]


@pytest.mark.terraform
def test_two_caches_take_the_group_id_unknown_until_apply(background):
    plan = Plan(background(plan_of_two_caches_sharing_a_group))
    group = "module.users.aws_elasticache_user_group.this"
    assert _after_unknown(plan, group)["user_group_id"] is True  # really unknown at plan time
    plan.assert_resource(group, {"engine": "valkey"})
    assert sorted(a for a in plan.addresses() if a.startswith("module.users.aws_elasticache_user.")) == [
        'module.users.aws_elasticache_user.this["app"]', 'module.users.aws_elasticache_user.this["default-user"]',
        'module.users.aws_elasticache_user.this["reporting"]']
    plan.assert_resource('module.users.aws_elasticache_user.this["reporting"]', {
        "user_name": "reporting", "engine": "valkey",
        "authentication_mode": [{"type": "password", "passwords": PASSWORDS["reporting"]}]})
    # Both caches take the id the group gets at apply; neither has an AUTH token, and neither creates users.
    assert _after_unknown(plan, "module.sessions.aws_elasticache_replication_group.this")["user_group_ids"] is True
    plan.assert_resource("module.sessions.aws_elasticache_replication_group.this",
                         {"auth_token": None, "transit_encryption_enabled": True})
    assert _after_unknown(plan, "module.search.aws_elasticache_serverless_cache.this")["user_group_id"] is True
    assert not [a for a in plan.addresses() if a.startswith(("module.sessions.aws_elasticache_user",
                                                             "module.search.aws_elasticache_user"))]


@pytest.mark.terraform
def test_users_beside_the_group_are_refused_before_the_id_is_known(background):
    error = background(refusal_of_users_beside_the_group)
    assert ("users must not be set together with user_group_ids (the module attaches the group it creates; AWS "
            "accepts one).") in error


def _synthesize_fixture(workdir: Path) -> None:
    from generator.commands import cli

    assert cli.main(["--out", str(workdir / "generated"), "--config", str(SHARED)]) == 0


@background_terraform(prepare=_synthesize_fixture)
def plan_of_the_fixture_stack(generated_tree: Path, workdir: Path) -> dict:
    stack = workdir / "generated" / "stacks" / "shared"
    (stack / "offline_override.tf.json").write_text(json.dumps(terraform.OFFLINE_OVERRIDE))
    return terraform.plan_root(stack, {"elasticacheusers_app_user_passwords": json.dumps(PASSWORDS)})


@pytest.mark.terraform
def test_the_environment_stack_wires_the_group_to_both_caches_and_plans(background):
    plan = Plan(background(plan_of_the_fixture_stack))
    calls = plan.raw["configuration"]["root_module"]["module_calls"]
    assert calls["elasticache_sessions"]["expressions"]["user_group_ids"]["references"][:1] == [
        "module.elasticacheusers_app.user_group_id"]
    assert calls["valkeyserverless_search"]["expressions"]["user_group_id"]["references"][:1] == [
        "module.elasticacheusers_app.user_group_id"]
    plan.assert_resource("module.elasticacheusers_app.aws_elasticache_user_group.this",
                         {"user_group_id": "mapzip-dev-app-users", "engine": "valkey"})
    plan.assert_resource("module.elasticache_sessions.aws_elasticache_replication_group.this",
                         {"user_group_ids": ["mapzip-dev-app-users"], "auth_token": None})
    plan.assert_resource("module.valkeyserverless_search.aws_elasticache_serverless_cache.this",
                         {"user_group_id": "mapzip-dev-app-users"})
    assert not [v for v in plan.raw["configuration"].get("root_module", {}).get("variables", {})
                if v.endswith("auth_token")]
