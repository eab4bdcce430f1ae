"""Environment files: every kind of mistake gets one line naming file, table, key, rule and value."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from generator.commands import cli
from generator.config import environments
from generator.synthesis import tree
from generator.language.inputs import InputError
from modules import all_modules

HEAD = """\
name_prefix = "mapzip-dev-"
region = "ap-northeast-2"
vpc_id = "vpc-0a1b2c3d4e5f60718"
subnet_ids = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"]
"""
DYNAMODB = """
[dynamodb]
table_name = "reviews"
hash_key = "review_id"
attributes = [{ name = "review_id", type = "S" }]
"""


def load(tmp_path: Path, text: str, name: str = "dev.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return environments.load(path, all_modules(), f"environments/{name}")


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(InputError) as err:
        load(tmp_path, text)
    return err.value.problems


def test_two_tables_of_one_kind_give_two_module_blocks(tmp_path):
    env = load(tmp_path, HEAD + DYNAMODB + """
[dynamodb_profiles]
table_name = "profiles"
hash_key = "user_id"
attributes = [{ name = "user_id", type = "S" }]
""")
    assert [(c.name, c.kind) for c in env.modules] == [("dynamodb", "dynamodb"), ("dynamodb_profiles", "dynamodb")]
    # Top-level name_prefix reaches every module that takes it; vpc_id and subnet_ids only those that do.
    assert env.modules[1].arguments == {
        "name_prefix": "mapzip-dev-",
        "table_name": "profiles",
        "hash_key": "user_id",
        "attributes": [{"name": "user_id", "type": "S"}],
    }


def test_module_key_names_the_kind(tmp_path):
    env = load(tmp_path, HEAD + """
[sessions]
module = "elasticache"
cluster_name = "sessions"
""")
    assert env.modules[0].kind == "elasticache"
    assert env.modules[0].arguments["subnet_ids"][0] == "subnet-0a1b2c3d4e5f60001"


def test_table_values_override_top_level(tmp_path):
    env = load(tmp_path, HEAD + DYNAMODB.replace('table_name = "reviews"', 'table_name = "reviews"\nname_prefix = "other-"'))
    assert env.modules[0].arguments["name_prefix"] == "other-"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(HEAD + DYNAMODB.replace("hash_key", "hashkey"), [
            "environments/dev.toml: [dynamodb] hashkey: unknown input of module dynamodb (did you mean hash_key?)",
            "environments/dev.toml: [dynamodb] hash_key: is required (string): Partition key attribute; declare it in attributes.",
        ], id="unknown-key"),
        pytest.param(HEAD + DYNAMODB + 'read_capacity = "5"\n', [
            'environments/dev.toml: [dynamodb] read_capacity: must be number, got "5"',
        ], id="wrong-type"),
        pytest.param(HEAD + DYNAMODB.replace('attributes = [{ name = "review_id", type = "S" }]',
                                             'attributes = [{ name = "review_id", kind = "S" }]'), [
            'environments/dev.toml: [dynamodb] attributes[0].kind: must be no such attribute (one of name, type), got "S"',
        ], id="wrong-object-attribute"),
        pytest.param(HEAD + "\n[redis_cache]\ncluster_name = \"x\"\n", [
            'environments/dev.toml: [redis_cache]: unknown module kind "redis"; name the table after one of '
            'dynamodb, elasticache, msk, mskserverless, valkeyserverless (such as dynamodb_main) or set module = "…"',
        ], id="unknown-kind"),
        pytest.param(HEAD + "\n[dynamo_reviews]\ntable_name = \"x\"\n", [
            'environments/dev.toml: [dynamo_reviews]: unknown module kind "dynamo" (did you mean dynamodb?); name the '
            'table after one of dynamodb, elasticache, msk, mskserverless, valkeyserverless (such as dynamodb_main) or set module = "…"',
        ], id="unknown-kind-nearest"),
        pytest.param(HEAD + """
[msk]
cluster_name = "events"
number_of_broker_nodes = 4
""", ["environments/dev.toml: [msk] number_of_broker_nodes: must be a multiple of the 3 subnets, got 4"],
            id="module-rule"),
        pytest.param(HEAD + """
[elasticache_auth]
cluster_name = "auth"
auth_token = "not-in-a-file-1234"
""", [
            "environments/dev.toml: [elasticache_auth] auth_token: secrets never go in an environment file; remove it "
            "and supply it when you apply, as the sensitive root variable elasticache_auth_auth_token "
            "(export TF_VAR_elasticache_auth_auth_token=…)",
        ], id="secret"),
        pytest.param('name_prefix = "x"\nregion = \n', [
            "environments/dev.toml: invalid TOML: Invalid value (at line 2, column 10)",
        ], id="toml-syntax"),
        pytest.param(DYNAMODB, [
            "environments/dev.toml: name_prefix: is required at the top level",
            "environments/dev.toml: region: is required at the top level",
            "environments/dev.toml: [dynamodb] name_prefix: is required (string): Prefix of every name the module "
            'creates, such as "mapzip-dev-".',
        ], id="missing-top-level"),
        pytest.param(HEAD.replace("region", "regoin") + DYNAMODB, [
            "environments/dev.toml: regoin: unknown top-level key (did you mean region?); top-level keys are "
            "name_prefix, region, vpc_id, subnet_ids, and tables are modules, [tags] or [backend]",
            "environments/dev.toml: region: is required at the top level",
        ], id="unknown-top-level"),
        pytest.param(HEAD.replace("ap-northeast-2", "seoul") + DYNAMODB, [
            'environments/dev.toml: region: must be an AWS region such as ap-northeast-2, got "seoul"',
        ], id="region"),
        pytest.param(HEAD + DYNAMODB + '\n[backend]\ntype = "s3"\nbucket = "mapzip-state"\n', [
            'environments/dev.toml: [backend] key: is required for type = "s3"',
            'environments/dev.toml: [backend] region: is required for type = "s3"',
        ], id="backend-s3"),
        pytest.param(HEAD + DYNAMODB + '\n[backend]\ntype = "consul"\n', [
            'environments/dev.toml: [backend] type: must be one of "local", "s3", got "consul"',
        ], id="backend-type"),
        pytest.param(HEAD + DYNAMODB + '\n[tags]\nTeam = 1\n', [
            "environments/dev.toml: [tags] Team: must be string, got 1",
        ], id="tags"),
        pytest.param(HEAD, [
            "environments/dev.toml: no module tables: add one, such as [dynamodb], for each module block",
        ], id="no-modules"),
    ],
)
def test_mistakes(tmp_path, text, expected):
    assert problems(tmp_path, text) == expected


def test_every_problem_of_every_file_is_reported(tmp_path):
    (tmp_path / "a.toml").write_text(HEAD + DYNAMODB.replace('"S"', '"X"'))
    (tmp_path / "b.toml").write_text(HEAD + "\n[msk]\ncluster_name = \"e\"\nnumber_of_broker_nodes = 2\n")
    with pytest.raises(InputError) as err:
        environments.load_all([(tmp_path / "a.toml", "a.toml"), (tmp_path / "b.toml", "b.toml")], all_modules())
    assert err.value.problems == [
        'a.toml: [dynamodb] attributes: must have types S, N or B, got [{"name": "review_id", "type": "X"}]',
        "b.toml: [msk] number_of_broker_nodes: must be a multiple of the 3 subnets, got 2",
    ]


def test_cli_reports_and_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "dev.toml"
    bad.write_text(HEAD + "\n[msk]\ncluster_name = \"events\"\nnumber_of_broker_nodes = 4\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("untouched")
    (out / tree.MARKER).write_bytes(tree.marker(["keep.txt"]))
    before = tree.read_tree(out)
    assert cli.main(["--config", str(bad), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.endswith("[msk] number_of_broker_nodes: must be a multiple of the 3 subnets, got 4\n")
    assert err.startswith("error: ")
    assert "Traceback" not in err
    assert tree.read_tree(out) == before


def test_stack_of_dev(produced):
    from testkit.assertions import TerraformJson

    stack = TerraformJson.from_files(produced.files, "stacks/dev")
    assert set(stack.document["module"]) == {"elasticache_auth", "elasticache_recommend", "dynamodb", "msk",
                                                 "mskserverless"}
    module = stack.module("elasticache_auth")
    assert module["source"] == "../../modules/elasticache"
    assert module["name_prefix"] == "mapzip-dev-"
    assert module["auth_token"] == "${var.elasticache_auth_auth_token}"
    stack.assert_variable("elasticache_auth_auth_token", {"sensitive": True, "type": "string", "nullable": False})
    assert "default" not in stack.variable("elasticache_auth_auth_token")
    assert stack.document["provider"]["aws"][0]["region"] == "ap-northeast-2"
    assert stack.document["terraform"]["backend"] == {"local": {"path": "terraform.tfstate"}}
    stack.assert_output("msk_bootstrap_brokers_sasl_iam", {"value": "${module.msk.bootstrap_brokers_sasl_iam}"})
    prod = TerraformJson.from_files(produced.files, "stacks/prod")
    assert prod.document["terraform"]["backend"] == {"s3": {
        "bucket": "mapzip-terraform-state", "key": "prod/data-services.tfstate", "region": "ap-northeast-2",
        "encrypt": True, "use_lockfile": True}}


def test_literal_template_sequences_stay_literal(tmp_path):
    """In Terraform JSON every string is a template: a value from a file must not become an expression."""
    from generator.synthesis import synth

    # AWS refuses $, { and } in tags (generator.config.limits), so the sequences go where AWS takes any character.
    env = load(tmp_path, HEAD + DYNAMODB.replace(
        'table_name = "reviews"', 'table_name = "reviews"\nresource_policy = \'{ "Note": "costs ${money} %{ if y }" }\''))
    files = synth.synthesize(all_modules(), [env])
    main = json.loads(files["stacks/dev/main.tf.json"])
    assert main["module"]["dynamodb"]["resource_policy"] == '{ "Note": "costs $${money} %%{ if y }" }'
