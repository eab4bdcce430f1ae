"""`python main.py --adopt STATE --config FILE` on states a careless or hostile user gives it.

- Values that look like secrets (generator/language/secrets.py: a secret-looking key, a `name=value` text with a secret
  name, an AWS key) or that the state marks sensitive, which the state holds in places the adopter pins (tags,
  descriptions, parameters, broker properties, the provider's default tags): never written, never printed; each
  is a problem naming the address and the attribute.
- States of the wrong shape: one line naming the file and the JSON path, exit 1, nothing written, no traceback.

The states are the estate fixture (tests/fixtures/estate/state.show.json) with one change each, made below.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any, Callable

import pytest

from generator.commands import cli
from testkit.project import shown_resource as resource

SHOWN = Path(__file__).resolve().parent / "fixtures" / "estate" / "state.show.json"
ESTATE = json.loads(SHOWN.read_text())


def adopt(state: Path, config: Path, capsys) -> tuple[int, str, str]:
    code = cli.main(["--adopt", str(state), "--config", str(config)])
    out, err = capsys.readouterr()
    return code, out, err


def estate_with(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    shown = copy.deepcopy(ESTATE)
    change(shown)
    return shown




TABLE = "module.dynamodb.aws_dynamodb_table.reviews"
GROUP = "module.elasticache_auth.aws_elasticache_replication_group.cache"
PARAMETERS = "module.elasticache_recommend.aws_elasticache_parameter_group.cache"
CONFIGURATION = "module.msk.aws_msk_configuration.kafka"
CLUSTER = "module.msk.aws_msk_cluster.kafka"

# The secrets planted below: none may appear in what --adopt writes or prints.
SECRETS = ["hunter2-in-a-tag", "tok-8f3a9c2e1d", "valkey-pass-77aa", "kafka-pass-1234", "ops-contact-5566",
           "AKIAIOSFODNN7EXAMPLE", "deploy-9d8c7b6a"]


def plant_secrets(shown: dict[str, Any]) -> None:
    table = resource(shown, TABLE)
    table["values"]["tags"].update({"password": "hunter2-in-a-tag", "Contact": "ops-contact-5566",
                                    "Owner": "reviews-team"})
    table["sensitive_values"]["tags"] = {"Contact": True}  # marked by the state: a sensitive variable's value
    resource(shown, GROUP)["values"]["description"] = "auth cache token=tok-8f3a9c2e1d"
    resource(shown, PARAMETERS)["values"]["parameter"].append({"name": "requirepass", "value": "valkey-pass-77aa"})
    configuration = resource(shown, CONFIGURATION)["values"]
    configuration["server_properties"] += "ssl.key.password=kafka-pass-1234\n"
    resource(shown, CLUSTER)["values"]["tags"]["Uploader"] = "AKIAIOSFODNN7EXAMPLE"
    # The provider's default tags: every resource that has tags_all carries them.
    for module in shown["values"]["root_module"]["child_modules"]:
        for item in module["resources"]:
            if "tags_all" in item["values"]:
                item["values"]["tags_all"] = {**(item["values"]["tags_all"] or {}), **(item["values"].get("tags") or {}),
                                              "deploy_token": "deploy-9d8c7b6a"}


LEFT_OUT = ("looks like a secret (its value is not shown); --adopt leaves it out of {where}, since secrets never go "
            "in an environment file: take it out of the resource in AWS, or the first apply sets the module's value "
            "instead")


def secret_problem(address: str, attribute: str, where: str) -> str:
    return f"problem: {address}: {attribute}: {LEFT_OUT.format(where=where)}"


@pytest.fixture
def adopted_with_secrets(tmp_path, capsys):
    state = tmp_path / "state.json"
    state.write_text(json.dumps(estate_with(plant_secrets)))
    config = tmp_path / "estate.toml"
    code, out, err = adopt(state, config, capsys)
    return config, code, out, err


def test_nothing_that_looks_like_a_secret_is_written_or_printed(adopted_with_secrets):
    config, code, out, err = adopted_with_secrets
    text = config.read_text()
    for secret in SECRETS:
        assert secret not in text
        assert secret not in out
        assert secret not in err
    assert code == 1


def test_each_secret_is_a_problem_naming_the_address_and_the_attribute(adopted_with_secrets):
    _, _, _, err = adopted_with_secrets
    problems = [line for line in err.splitlines() if "looks like a secret" in line]
    assert problems == [
        secret_problem(TABLE, "tags.password", "[dynamodb] tags"),
        secret_problem(TABLE, "tags.Contact", "[dynamodb] tags"),
        secret_problem(GROUP, "description", "[elasticache_auth] description"),
        secret_problem(PARAMETERS, "parameter.requirepass", "[elasticache_recommend] parameters"),
        secret_problem(CLUSTER, "tags.Uploader", "[msk] tags"),
        secret_problem(CONFIGURATION, "server_properties", "[msk] server_properties_text"),
        secret_problem(TABLE, "tags_all.deploy_token", "[tags]"),
    ]


def test_what_is_not_a_secret_is_still_pinned(adopted_with_secrets):
    config, _, out, _ = adopted_with_secrets
    text = config.read_text()
    # The table keeps its other tags; the group its other parameters; the file its other default tags.
    assert 'tags = {Service = "reviews", Owner = "reviews-team"}' in text
    assert 'parameters = {maxmemory-policy = "allkeys-lru"}' in text
    assert "\ndescription = " not in text.split("[elasticache_auth]")[1].split("\n[")[0]
    assert '[dynamodb] tags = {"Owner": "reviews-team", "Service": "reviews"}' in " ".join(out.splitlines())


def test_what_adopt_leaves_out_the_environment_check_refuses(adopted_with_secrets, capsys):
    """One definition of a secret: the values --adopt left out, written back by hand, are refused by the environment
    check (tests/corpus/secret-in-a-description.toml is the description's case), never quoted."""
    config, _, _, _ = adopted_with_secrets
    text = config.read_text().replace('tags = {Service = "reviews", Owner = "reviews-team"}',
                        'tags = {Service = "reviews", Owner = "reviews-team", password = "hunter2-in-a-tag"}')
    config.write_text(text)
    code = cli.main(["--config", str(config), "--check"])
    err = capsys.readouterr().err
    assert code == 1
    assert f"error: {config.as_posix()}: [dynamodb] tags.password: looks like a secret; secrets never go in an " \
        "environment file: remove it (its value is not shown)" in err.splitlines()
    assert "hunter2" not in err


def test_a_secret_tag_whose_key_holds_a_line_break_is_still_one_line(tmp_path, capsys):
    def change(shown):
        resource(shown, TABLE)["values"]["tags"]["db\npassword"] = "hunter2-in-a-tag"

    state = tmp_path / "state.json"
    state.write_text(json.dumps(estate_with(change)))
    config = tmp_path / "estate.toml"
    code, out, err = adopt(state, config, capsys)
    assert secret_problem(TABLE, 'tags."db\\npassword"', "[dynamodb] tags") in err.splitlines()
    assert "hunter2" not in out + err + config.read_text()


# --- states of the wrong shape ---------------------------------------------------------------------------------------


def _set(address: str, key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(shown: dict[str, Any]) -> None:
        resource(shown, address)["values"][key] = value
    return change


def _drop(address: str, key: str) -> Callable[[dict[str, Any]], None]:
    def change(shown: dict[str, Any]) -> None:
        del resource(shown, address)["values"][key]
    return change


def _root(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(shown: dict[str, Any]) -> None:
        shown["values"]["root_module"][key] = value
    return change


def _values_null(shown: dict[str, Any]) -> None:
    resource(shown, TABLE)["values"] = None


def _no_values(shown: dict[str, Any]) -> None:
    del resource(shown, TABLE)["values"]


def _rule_port_as_text(shown: dict[str, Any]) -> None:
    resource(shown, "module.msk.aws_security_group.kafka")["values"]["ingress"][0]["from_port"] = "9098"


def _address(value: Any) -> Callable[[dict[str, Any]], None]:
    def change(shown: dict[str, Any]) -> None:
        resource(shown, TABLE)["address"] = value
    return change


AT_TABLE = "values.root_module.child_modules[0].resources[0]"
AT_GROUP = "values.root_module.child_modules[1].resources[1]"
AT_CLUSTER = "values.root_module.child_modules[3].resources[1]"

SHAPES = [
    pytest.param(_root("resources", {}), "values.root_module.resources: must be an array, got an object",
                 id="resources-an-object"),
    pytest.param(_root("child_modules", ["module.msk"]),
                 "values.root_module.child_modules[0]: must be an object (a module), got a string",
                 id="child-modules-holding-strings"),
    pytest.param(_values_null, f"{AT_TABLE}.values ({TABLE}): must be an object, got null", id="values-null"),
    pytest.param(_no_values, f"{AT_TABLE}.values ({TABLE}): is missing", id="values-missing"),
    pytest.param(_drop(GROUP, "port"), f"{AT_GROUP}.values.port ({GROUP}): is missing", id="key-missing"),
    pytest.param(_set(GROUP, "port", "6379"), f"{AT_GROUP}.values.port ({GROUP}): must be a whole number, got a "
                 "string", id="text-for-a-number"),
    pytest.param(_set(GROUP, "port", 6379.5), f"{AT_GROUP}.values.port ({GROUP}): must be a whole number, got a "
                 "number", id="fraction-for-a-whole-number"),
    pytest.param(_set(GROUP, "engine_version", 7.1), f"{AT_GROUP}.values.engine_version ({GROUP}): must be a string, "
                 "got a number", id="number-for-a-string"),
    pytest.param(_set(TABLE, "tags", ["Service", "reviews"]), f"{AT_TABLE}.values.tags ({TABLE}): must be an object, "
                 "got an array", id="list-for-an-object"),
    pytest.param(_set(TABLE, "attribute", {"name": "review_id"}), f"{AT_TABLE}.values.attribute ({TABLE}): must be "
                 "an array, got an object", id="object-for-a-list"),
    pytest.param(_set(CLUSTER, "broker_node_group_info", []), f"{AT_CLUSTER}.values.broker_node_group_info "
                 f"({CLUSTER}): must be an array of at least 1 item(s), got an array", id="empty-block"),
    pytest.param(_set(GROUP, "at_rest_encryption_enabled", "yes"), f"{AT_GROUP}.values.at_rest_encryption_enabled "
                 f'({GROUP}): must be true or false (or "true", "false"), got a string', id="not-a-boolean"),
    pytest.param(_rule_port_as_text, "values.root_module.child_modules[3].resources[3].values.ingress[0].from_port "
                 "(module.msk.aws_security_group.kafka): must be a whole number, got a string", id="nested-wrong-type"),
    pytest.param(_address(42), f"{AT_TABLE}.address: must be a string, got a number", id="address-a-number"),
    pytest.param(_address('aws_dynamodb_table.reviews"\n[tags]'), f"{AT_TABLE}.address: must be a resource address "
                 "such as module.cache.aws_elasticache_replication_group.this", id="address-not-an-address"),
]


@pytest.mark.parametrize(("change", "message"), SHAPES)
def test_a_state_of_the_wrong_shape_is_one_line_naming_the_json_path(tmp_path, capsys, change, message):
    state = tmp_path / "state.json"
    state.write_text(json.dumps(estate_with(change)))
    config = tmp_path / "estate.toml"
    code, out, err = adopt(state, config, capsys)
    assert (code, out, err.splitlines()) == (1, "", [f"error: {state.as_posix()}: {message}"])
    assert not config.exists()


HINT = "write it with: terraform show -json > {state}"
TEXTS = [
    pytest.param(b'{"format_version": "1.0", "values": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
                 "not the output of terraform show -json (arrays or objects nested too deeply to read); " + HINT,
                 id="nested-100000-arrays"),
    pytest.param(b'{"format_version": "1.0", "values": {"root_module": {"resources": [NaN]}}}',
                 "not JSON (NaN is not a JSON value); " + HINT, id="nan"),
    pytest.param(b'{"format_version": "1.0", "x": ' + b"9" * 5000 + b"}",
                 "not JSON (an integer too long to read); " + HINT, id="integer-of-5000-digits"),
    pytest.param(b"\xff\xfe{}", "cannot be read: not UTF-8 text (byte 0)", id="not-utf-8"),
    pytest.param(b"provider \"aws\" {}\n", "not JSON (Expecting value at line 1, column 1); " + HINT, id="hcl"),
    pytest.param(b'{"format_version": "1.0", "values": []}', "values: must be an object, got an array",
                 id="values-an-array"),
    pytest.param(b'{"format_version": "1.0", "values": {"root_module": "x"}}',
                 "values.root_module: must be an object (a module), got a string", id="root-module-a-string"),
    pytest.param(b'{"format_version": "1.0", "values": {"root_module": {"resources": [7]}}}',
                 "values.root_module.resources[0]: must be an object (a resource), got a number", id="resource-a-number"),
    pytest.param(b'{"format_version": "1.0", "values": {"root_module": {"resources": [{"address": "aws_s3_bucket.b", '
                 b'"mode": "managed", "type": "aws_s3_bucket", "provider_name": "registry.terraform.io/hashicorp/aws", '
                 b'"values": {"tags": {"Name": 1}}}]}}}',
                 "values.root_module.resources[0].values.tags.Name (aws_s3_bucket.b): must be a string, got a number",
                 id="tag-a-number-on-any-resource"),
]


@pytest.mark.parametrize(("content", "message"), TEXTS)
def test_a_file_that_is_not_a_state_is_one_line(tmp_path, capsys, content, message):
    state = tmp_path / "state.json"
    state.write_bytes(content)
    config = tmp_path / "estate.toml"
    code, out, err = adopt(state, config, capsys)
    assert (code, out, err.splitlines()) == (1, "", [f"error: {state.as_posix()}: " + message.format(state=state.as_posix())])
    assert not config.exists()


def test_a_folder_a_fifo_and_a_missing_file(tmp_path, capsys):
    config = tmp_path / "estate.toml"
    fifo = tmp_path / "state.fifo"
    os.mkfifo(fifo)
    missing = tmp_path / "nowhere.json"
    cases = [
        (tmp_path, "is a folder; name the file terraform show -json wrote"),
        (fifo, "is not a regular file; name the file terraform show -json wrote"),
        (missing, f"no such file (write it with: terraform show -json > {missing.as_posix()})"),
    ]
    for state, message in cases:
        code, out, err = adopt(state, config, capsys)
        assert (code, out, err.splitlines()) == (1, "", [f"error: {state.as_posix()}: {message}"])
        assert not config.exists()


def test_a_resource_of_another_provider_is_read_only_for_its_name(tmp_path, capsys):
    """What the adopter does not read is not checked: a resource of another provider with values of any shape is
    forgotten ([[removed]]) like any resource no module manages."""
    def change(shown):
        shown["values"]["root_module"]["resources"] = [{
            "address": "random_password.p", "mode": "managed", "type": "random_password", "name": "p",
            "provider_name": "registry.terraform.io/hashicorp/random",
            "values": {"id": "none", "result": ["x", {"y": 1}], "tags": "not a map"},
        }]
    state = tmp_path / "state.json"
    state.write_text(json.dumps(estate_with(change)))
    config = tmp_path / "estate.toml"
    code, out, _ = adopt(state, config, capsys)
    assert '[[removed]]\nfrom = "random_password.p"\ndestroy = false\n' in config.read_text()
    assert code == 1  # the estate's own problems (its inline rules)


# --- an environment file --adopt cannot complete ---------------------------------------------------------------------


def _folder(path: Path) -> None:
    path.mkdir()


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _endless(path: Path) -> None:
    path.symlink_to("/dev/zero")


CONFIGS = [
    pytest.param(_folder, "is a folder; name an environment file such as environments/prod.toml", id="a-folder"),
    pytest.param(_fifo, "is not a regular file; name an environment file such as environments/prod.toml",
                 id="a-fifo-that-would-block"),
    pytest.param(_endless, "is not a regular file; name an environment file such as environments/prod.toml",
                 id="a-link-to-dev-zero"),
    pytest.param(b'name_prefix = "\xff"\n', "cannot be read: not UTF-8 text (byte 15)", id="not-utf-8"),
    pytest.param(b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n", "invalid TOML: nested too deeply to read",
                 id="nested-too-deeply"),
    pytest.param(b"moved = 5\n", "moved: must be an array of tables, written [[moved]]", id="moved-not-entries"),
    pytest.param(b'import = ["module.msk"]\n', "import: must be an array of tables, written [[import]]",
                 id="import-not-entries"),
]


@pytest.mark.parametrize(("make", "message"), CONFIGS)
def test_an_environment_file_that_cannot_be_completed_is_one_line(tmp_path, capsys, make, message):
    config = tmp_path / "estate.toml"
    if isinstance(make, bytes):
        config.write_bytes(make)
    else:
        make(config)
    before = config.read_bytes() if config.is_file() and not config.is_symlink() else None
    code, out, err = adopt(SHOWN, config, capsys)
    assert (code, out, err.splitlines()) == (1, "", [f"error: {config.as_posix()}: {message}"])
    if before is not None:
        assert config.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["estate.toml"]  # no scratch file left
