"""Secrets: one definition of what a secret looks like, used by the environment check and the tree scan;
redaction wherever a variable value can appear; temp files that nobody else can plant."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.config import environments
from generator.language import secrets
from testkit import terraform
from generator.language.inputs import InputError
from modules import all_modules
from testkit.pytest_terraform import background_terraform, require_terraform
from testkit.project import PROJECT, fixture_environment

HUNTER = "hunter2-do-not-print"


@pytest.mark.parametrize(
    "name",
    ["password", "db_password", "db_password_prod", "password ", " Password", "PASSWORD_2", "dbPassword", "passwd",
     "pwd", "db_pass", "secret", "client_secret", "SecretValue", "token", "GITHUB_TOKEN", "token_v2", "auth_token",
     "apikey", "api_key", "x-api-key", "apiKey", "private_key", "privateKey", "access_key", "session_token",
     "credentials", "passphrase", "requirepass", "masterauth", "sasl.jaas.config",
     "listener.name.client.scram-sha-512.sasl.jaas.config", "ssl.keystore.password", "ssl.key.password",
     "ssl.truststore.password", "ssl.keystore.key", "password.encoder.secret"],
)
def test_secret_names(name):
    assert secrets.is_secret_name(name)


@pytest.mark.parametrize(
    "name",
    ["auth_token_update_strategy", "password_length", "secret_arn", "kms_key_arn", "kms_key_id", "hash_key",
     "range_key", "passthrough", "bypass", "compass", "tokenizer", "key", "Owner", "CostCenter", "maxmemory-policy",
     "min.insync.replicas", "ssl.truststore.location", "ssl.keystore.type", "cluster_name", "Environment"],
)
def test_names_that_only_describe_or_resemble_a_secret(name):
    assert not secrets.is_secret_name(name)


HEAD = fixture_environment("dev").read_text()


def env_problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "dev.toml"
    path.write_text(text)
    with pytest.raises(InputError) as err:
        environments.load(path, all_modules(), "environments/dev.toml")
    return err.value.problems


RULE = "looks like a secret; secrets never go in an environment file: remove it (its value is not shown)"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('Environment = "dev"', f'Environment = "dev"\n"db_password " = "{HUNTER}"'),
         f"environments/dev.toml: [tags] db_password : {RULE}"),
        (('Environment = "dev"', f'Environment = "dev"\nApiKey = "{HUNTER}"'),
         f"environments/dev.toml: [tags] ApiKey: {RULE}"),
        (('Environment = "dev"', 'Environment = "dev"\nOwner = "AKIAIOSFODNN7EXAMPLE"'),
         "environments/dev.toml: [tags] Owner: holds an AWS access key id; secrets never go in an environment file: "
         "remove it (its value is not shown)"),
        (('"maxmemory-policy" = "allkeys-lru"', f'"maxmemory-policy" = "allkeys-lru", requirepass = "{HUNTER}"'),
         f"environments/dev.toml: [elasticache_recommend] parameters.requirepass: {RULE}"),
        (('"maxmemory-policy" = "allkeys-lru"', f'"maxmemory-policy" = "allkeys-lru", masterauth = "{HUNTER}"'),
         f"environments/dev.toml: [elasticache_recommend] parameters.masterauth: {RULE}"),
        (('"min.insync.replicas" = "2"',
          f'"min.insync.replicas" = "2", "sasl.jaas.config" = "ScramLoginModule required password=\\"{HUNTER}\\";"'),
         f"environments/dev.toml: [msk] server_properties.sasl.jaas.config: {RULE}"),
        (('"min.insync.replicas" = "2"', f'"min.insync.replicas" = "2", "ssl.key.password" = "{HUNTER}"'),
         f"environments/dev.toml: [msk] server_properties.ssl.key.password: {RULE}"),
        (('ttl_attribute_name = "expires_at"', f'ttl_attribute_name = "expires_at"\ntags = {{ Team = "a", db_secret_2 = "{HUNTER}" }}'),
         f"environments/dev.toml: [dynamodb] tags.db_secret_2: {RULE}"),
        (('ttl_attribute_name = "expires_at"', f'ttl_attribute_name = "expires_at"\npwd = "{HUNTER}"'),
         f"environments/dev.toml: [dynamodb] pwd: {RULE}"),
        (('type = "local"', f'type = "local"\nsecret_key = "{HUNTER}"'),
         f"environments/dev.toml: [backend] secret_key: {RULE}"),
        (('region = "ap-northeast-2"', f'region = "ap-northeast-2"\ntoken = "{HUNTER}"'),
         f"environments/dev.toml: token: {RULE}"),
        (('cluster_name = "auth"', f'cluster_name = "auth"\nauth_token = "{HUNTER}"'),
         "environments/dev.toml: [elasticache_auth] auth_token: secrets never go in an environment file; remove it "
         "and supply it when you apply, as the sensitive root variable elasticache_auth_auth_token "
         "(export TF_VAR_elasticache_auth_auth_token=…)"),
    ],
    ids=["tag-trailing-space", "tag-short-form", "tag-value-access-key", "valkey-requirepass", "valkey-masterauth",
         "kafka-sasl-jaas", "kafka-ssl-key-password", "module-tag-suffix", "unknown-input-short-form", "backend",
         "top-level", "secret-input"],
)
def test_an_environment_file_naming_a_secret_is_refused_without_echoing_it(tmp_path, change, expected):
    old, new = change
    assert old in HEAD
    problems = env_problems(tmp_path, HEAD.replace(old, new, 1))
    assert problems == [expected]
    assert HUNTER not in "\n".join(problems)


def test_the_tree_scan_uses_the_same_definition(produced):
    main = json.loads(produced.files["stacks/dev/main.tf.json"])
    main["module"]["elasticache_recommend"]["parameters"]["requirepass"] = HUNTER
    main["module"]["msk"]["server_properties"]["sasl.jaas.config"] = HUNTER
    main["module"]["dynamodb"]["tags"] = {"db_password_prod": HUNTER, "token ": HUNTER, "pwd": HUNTER, "Team": "x"}
    planted = dict(produced.files, **{"stacks/dev/main.tf.json": json.dumps(main).encode()})
    found = secrets.find_secrets(planted)
    assert sorted(found) == [
        f"stacks/dev/main.tf.json: module.{where}: a literal value where only a reference to a sensitive variable may stand"
        for where in ("dynamodb.tags.db_password_prod", "dynamodb.tags.pwd", "dynamodb.tags.token ",
                      "elasticache_recommend.parameters.requirepass", "msk.server_properties.sasl.jaas.config")
    ]
    assert HUNTER not in "\n".join(found)


FAILING_ROOT = {
    "variable": {"db_token": {"type": "string"}},
    # Terraform quotes the value of a non-sensitive variable in this error.
    "output": {"n": {"value": "${tonumber(var.db_token)}"}},
}


@background_terraform
def failed_stack_plan(generated_tree: Path, workdir: Path) -> str | None:
    """What plan_offline raises for a root whose plan fails on its secret variable (None if it plans)."""
    stack = workdir / "tree" / "stacks" / "bad"
    stack.mkdir(parents=True)
    (stack / "main.tf.json").write_text(json.dumps(FAILING_ROOT))
    try:
        terraform.plan_offline(workdir / "tree", "bad", {"db_token": HUNTER}, scratch=workdir / "plan")
    except terraform.TerraformFailed as err:
        return str(err)
    return None


def test_a_failed_plan_never_shows_a_variable_value(background):
    message = background(failed_stack_plan)
    assert message is not None, "the plan did not fail"
    assert "plan" in message and terraform.REDACTED in message
    assert HUNTER not in message


@pytest.mark.terraform
def test_the_mirror_configuration_never_writes_through_a_planted_link(tmp_path):
    """Run in a process of its own: the temp folder and the mirror variable are process-wide, and the session's
    Terraform work runs in other threads meanwhile (it would write its files into this test's folder)."""
    require_terraform()
    shared_tmp = tmp_path / "tmp"
    shared_tmp.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    # What another user of a shared /tmp could plant at the name the config file used to have.
    (shared_tmp / "terraform-offline-mirror.tfrc").symlink_to(victim)
    mirror = tmp_path / "mirror"
    (mirror / terraform.PROVIDER).mkdir(parents=True)  # a mirror folder's shape (testkit.terraform.holds_provider)
    workdir = tmp_path / "work"
    workdir.mkdir()
    script = "import sys; from pathlib import Path; from testkit import terraform; terraform.run(Path(sys.argv[1]), 'version')"
    result = subprocess.run([sys.executable, "-c", script, str(workdir)], cwd=PROJECT, capture_output=True, text=True,
                            env={**os.environ, "TMPDIR": str(shared_tmp), terraform.MIRROR_ENV: str(mirror)})
    assert result.returncode == 0, result.stderr
    assert victim.read_text() == "precious\n"
    assert sorted(p.name for p in shared_tmp.iterdir()) == ["terraform-offline-mirror.tfrc"]  # nothing left behind


@background_terraform
def failed_module_plan(generated_tree: Path, workdir: Path) -> str:
    """ModuleHarness.plan_error for a module whose plan fails on its secret argument."""
    module = workdir / "module"
    module.mkdir()
    (module / "main.tf.json").write_text(json.dumps({
        "variable": {"api_key": {"type": "string"}},
        "output": {"n": {"value": "${tonumber(var.api_key)}"}},
    }))
    harness = workdir / "work"
    harness.mkdir()
    return terraform.ModuleHarness(module, harness).plan_error({"api_key": HUNTER})


def test_a_failed_module_plan_never_shows_a_secret_argument(background):
    message = background(failed_module_plan)
    assert "tonumber" in message and terraform.REDACTED in message
    assert HUNTER not in message
