"""`python main.py --adopt STATE --config FILE` on the estate fixture, end to end: the environment file and the moves
it writes, the stack synthesized from it, and Terraform's plan of that stack against the old root's state."""

from __future__ import annotations

import io
import json
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from testkit.pytest_terraform import background_terraform
from generator.commands import cli
from testkit import terraform

ESTATE = Path(__file__).resolve().parent / "fixtures" / "estate"
SHOWN = ESTATE / "state.show.json"

SECURITY_GROUP_PROBLEM = (
    "problem: module.{call}.aws_security_group.this: ingress: the inline rule tcp {rule} exists; the module creates "
    "the same rule as {target} and AWS refuses the duplicate at apply (InvalidPermission.Duplicate). Add an "
    "[[import]] entry with to = {quoted} and the rule's id (sgr-…, from aws ec2 describe-security-group-rules "
    "--filters Name=group-id,Values={group}), or delete the inline rule just before applying"
)
# The module's rules that duplicate an inline rule of the old groups, with the group they are on.
DUPLICATES = [
    ("elasticache_auth", "6379-6379 from sg-0e0e0e0e0e0e0e0e1", "sg-44538b0610be91454",
     'module.elasticache_auth.aws_vpc_security_group_ingress_rule.from_security_groups["6379/0"]'),
    ("elasticache_recommend", "6379-6379 from sg-0e0e0e0e0e0e0e0e1", "sg-412486149f27bafcc",
     'module.elasticache_recommend.aws_vpc_security_group_ingress_rule.from_security_groups["6379/0"]'),
    ("msk", "9092-9098 from self", "sg-74dcdf24ac2cb787e", "module.msk.aws_vpc_security_group_ingress_rule.between_brokers[0]"),
    ("msk", "9098-9098 from sg-0e0e0e0e0e0e0e0e1", "sg-74dcdf24ac2cb787e",
     'module.msk.aws_vpc_security_group_ingress_rule.from_security_groups["9098/0"]'),
]
PROBLEMS = [
    SECURITY_GROUP_PROBLEM.format(call=call, rule=rule, group=group, target=target, quoted=json.dumps(target))
    for call, rule, group, target in DUPLICATES
] + ["4 problem(s): resolve them before the first apply"]

# What the plan of the new stack against the old state still changes: nothing destroyed or replaced. Each entry is
# (address, actions); the comments say why each is left.
REMAINING_CHANGES = {
    # Tags: the module tags every resource alike; the old root tagged only some, and Name differently.
    "module.elasticache_auth.aws_elasticache_parameter_group.this[0]": ["update"],
    "module.elasticache_auth.aws_security_group.this[0]": ["update"],
    "module.elasticache_recommend.aws_elasticache_parameter_group.this[0]": ["update"],
    "module.elasticache_recommend.aws_security_group.this[0]": ["update"],
    "module.msk.aws_security_group.this[0]": ["update"],
    # In place: the module's tags (the description "Managed by Terraform" is kept: subnet_group_description).
    "module.elasticache_auth.aws_elasticache_subnet_group.this": ["update"],
    "module.elasticache_recommend.aws_elasticache_subnet_group.this": ["update"],
    # The module's rules as separate resources: the ones that duplicate an inline rule are --adopt's problems.
    'module.elasticache_auth.aws_vpc_security_group_ingress_rule.from_security_groups["6379/0"]':
        ["create"],
    'module.elasticache_recommend.aws_vpc_security_group_ingress_rule.from_security_groups["6379/0"]':
        ["create"],
    "module.msk.aws_vpc_security_group_ingress_rule.between_brokers[0]": ["create"],
    'module.msk.aws_vpc_security_group_ingress_rule.from_security_groups["9098/0"]': ["create"],
    # Broker logs move to the module's encrypted log group; the old group is forgotten, not destroyed.
    "module.msk.aws_cloudwatch_log_group.broker_logs[0]": ["create"],
    "module.msk.aws_kms_key.this[0]": ["create"],
    "module.msk.aws_kms_key_policy.this[0]": ["create"],
    "module.msk.aws_kms_alias.this[0]": ["create"],
    "module.msk.aws_cloudwatch_log_group.kafka": ["forget"],
    # The cluster's logging block (to the new group) and an open monitoring block with both exporters off. Its
    # configuration is untouched (server_properties_text keeps the text byte for byte): no new revision, no
    # rolling restart.
    "module.msk.aws_msk_cluster.this": ["update"],
}
MOVED = {
    "module.dynamodb.aws_dynamodb_table.this": "module.dynamodb.aws_dynamodb_table.reviews",
    "module.elasticache_auth.aws_elasticache_replication_group.this":
        "module.elasticache_auth.aws_elasticache_replication_group.cache",
    "module.elasticache_auth.aws_elasticache_parameter_group.this[0]":
        "module.elasticache_auth.aws_elasticache_parameter_group.cache",
    "module.elasticache_auth.aws_elasticache_subnet_group.this": "module.elasticache_auth.aws_elasticache_subnet_group.cache",
    "module.elasticache_auth.aws_security_group.this[0]": "module.elasticache_auth.aws_security_group.cache",
    "module.elasticache_recommend.aws_elasticache_replication_group.this":
        "module.elasticache_recommend.aws_elasticache_replication_group.cache",
    "module.elasticache_recommend.aws_elasticache_parameter_group.this[0]":
        "module.elasticache_recommend.aws_elasticache_parameter_group.cache",
    "module.elasticache_recommend.aws_elasticache_subnet_group.this":
        "module.elasticache_recommend.aws_elasticache_subnet_group.cache",
    "module.elasticache_recommend.aws_security_group.this[0]": "module.elasticache_recommend.aws_security_group.cache",
    "module.msk.aws_msk_cluster.this": "module.msk.aws_msk_cluster.kafka",
    "module.msk.aws_msk_configuration.this": "module.msk.aws_msk_configuration.kafka",
    "module.msk.aws_security_group.this[0]": "module.msk.aws_security_group.kafka",
}


def adopt(config: Path, capsys, state: Path = SHOWN) -> tuple[int, str, str]:
    code = cli.main(["--adopt", str(state), "--config", str(config)])
    out, err = capsys.readouterr()
    return code, out, err


def quietly(*argv: str) -> tuple[int, str, str]:
    """cli.main(argv): its exit code and what it printed."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(list(argv))
    return code, out.getvalue(), err.getvalue()


def adopt_into(folder: Path) -> tuple[Path, int, str, str]:
    """--adopt on the fixture into `folder`/environments/estate.toml."""
    config = folder / "environments" / "estate.toml"
    config.parent.mkdir(parents=True)
    return (config, *quietly("--adopt", str(SHOWN), "--config", str(config)))


@pytest.fixture(scope="module")
def adopted(tmp_path_factory):
    """--adopt on the fixture into a new environment file, run once for the module's tests."""
    return adopt_into(tmp_path_factory.mktemp("adopt"))


def test_adopt_writes_the_environment_file_and_names_what_cannot_be_kept(adopted):
    config, code, out, err = adopted
    assert code == 1
    assert err.splitlines() == PROBLEMS
    lines = out.splitlines()
    assert ('[msk] kafka_version = "3.6.0": the cluster runs it; the module\'s default "3.8.x" is an in-place upgrade '
            "you can do later") in lines
    assert ('[elasticache_auth] kms_key_arn = "alias/aws/elasticache": the key the group\'s data is encrypted with; '
            "it cannot change in place; the module's default would replace it") in lines
    assert ('[elasticache_auth] parameter_group_name = "mapzip-prod-auth-params": the parameter group\'s name; the '
            'module\'s default "mapzip-prod-auth-valkey7" would replace it') in lines
    assert ("[[removed]] module.msk.aws_cloudwatch_log_group.kafka (destroy = false): aws_cloudwatch_log_group "
            "/msk/mapzip-prod-events: no generated module manages it; Terraform forgets it and AWS keeps it (delete "
            "the entry to destroy it instead)") in lines
    text = config.read_text()
    assert text.count("[[moved]]") == len(MOVED)
    assert "[elasticache_auth]\ncluster_name = \"auth\"\n" in text
    assert "auth_token" not in text  # secrets never go in the file


def test_running_adopt_twice_changes_nothing(adopted, capsys):
    config, _, _, _ = adopted
    before = config.read_bytes()
    code, out, err = adopt(config, capsys)
    assert config.read_bytes() == before
    assert out.splitlines()[0] == f"{config.as_posix()} already holds everything the state needs: nothing added"
    assert code == 1 and err.splitlines() == PROBLEMS  # the problems are still there until resolved


# The Terraform half of these tests runs in the session's background (`testkit.pytest_terraform.background_terraform`):
# each job's `prepare` adopts and synthesizes in the main thread, the job plans the synthesized stack.

def synthesize(config: Path, workdir: Path) -> None:
    """`python main.py --out <workdir>/generated --config <config>`, as a team runs it after --adopt."""
    code, out, err = quietly("--out", str(workdir / "generated"), "--config", str(config))
    assert code == 0, out + err


def plan_against_old_state(workdir: Path) -> dict:
    """Plan the synthesized estate stack offline against the old root's state."""
    stack = workdir / "generated" / "stacks" / "estate"
    # The stack's local backend reads terraform.tfstate: the old root's state, as it would take it over.
    shutil.copy(ESTATE / "state.json", stack / "terraform.tfstate")
    (stack / "offline_override.tf.json").write_text(json.dumps({"provider": terraform.OFFLINE_OVERRIDE["provider"]}))
    return terraform.plan_root(stack)


def synthesize_adopted(workdir: Path) -> None:
    synthesize(adopt_into(workdir)[0], workdir)


@background_terraform(prepare=synthesize_adopted)
def adopted_stack_against_old_state(generated_tree: Path, workdir: Path) -> dict:
    return plan_against_old_state(workdir)


def test_the_new_stack_plans_nothing_destroyed_or_replaced_against_the_old_state(background):
    plan = background(adopted_stack_against_old_state)

    changes = {rc["address"]: rc for rc in plan["resource_changes"]}
    replaced = {a: rc["change"].get("replace_paths") for a, rc in changes.items() if "delete" in rc["change"]["actions"]}
    assert replaced == {}, f"replaced or destroyed (replace_paths): {replaced}"
    assert {a: rc["change"]["actions"] for a, rc in changes.items() if rc["change"]["actions"] != ["no-op"]} == \
        REMAINING_CHANGES
    assert {a: rc["previous_address"] for a, rc in changes.items() if "previous_address" in rc} == MOVED
    # The data stores themselves: moved and untouched.
    for address in ("module.dynamodb.aws_dynamodb_table.this", "module.msk.aws_msk_configuration.this",
                    "module.elasticache_auth.aws_elasticache_replication_group.this",
                    "module.elasticache_recommend.aws_elasticache_replication_group.this"):
        assert changes[address]["change"]["actions"] == ["no-op"], address


RAW_STATE = json.dumps({"version": 4, "terraform_version": "1.11.4", "resources": []})
GOOGLE = json.dumps({"format_version": "1.0", "values": {"root_module": {"resources": [
    {"address": "google_storage_bucket.b", "mode": "managed", "type": "google_storage_bucket", "name": "b",
     "provider_name": "registry.terraform.io/hashicorp/google", "values": {"name": "b"}}]}}})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("", "error: {state}: is empty; write it in the old root with: terraform show -json > {state}",
                     id="empty"),
        pytest.param("terraform {", "error: {state}: not JSON (Expecting value at line 1, column 1); write it with: "
                     "terraform show -json > {state}", id="not-json"),
        pytest.param(RAW_STATE, "error: {state}: is a raw state file (format 4), not the output of terraform show "
                     "-json; run terraform show -json > {state} in the old root", id="raw-state"),
        pytest.param('{"format_version": "1.0", "planned_values": {}}', "error: {state}: is a plan, not a state; "
                     "run terraform show -json without a plan file", id="plan"),
        pytest.param('{"format_version": "1.0"}', "error: {state}: holds no resources (an empty state: nothing to "
                     "adopt)", id="empty-state"),
        pytest.param('["format_version"]', "error: {state}: not the output of terraform show -json (no "
                     "format_version)", id="not-a-state"),
        pytest.param(GOOGLE, "error: {state}: holds no hashicorp/aws resources (found "
                     "registry.terraform.io/hashicorp/google)", id="other-provider"),
    ],
)
def test_bad_state_is_one_line_exit_1_and_nothing_written(tmp_path, capsys, text, message):
    state = tmp_path / "state.json"
    state.write_text(text)
    config = tmp_path / "estate.toml"
    code, out, err = adopt(config, capsys, state)
    assert (code, out) == (1, "")
    assert err.splitlines() == [message.format(state=state.as_posix())]
    assert not config.exists()


def test_a_missing_state_and_a_missing_config_flag(tmp_path, capsys):
    code, _, err = adopt(tmp_path / "estate.toml", capsys, tmp_path / "nope.json")
    assert code == 1
    assert err.splitlines() == [f"error: {(tmp_path / 'nope.json').as_posix()}: no such file (write it with: "
                                f"terraform show -json > {(tmp_path / 'nope.json').as_posix()})"]
    assert cli.main(["--adopt", str(SHOWN)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "error: --adopt needs exactly one --config FILE: the environment file to write or complete"
    ]


def test_an_existing_file_keeps_its_values_comments_and_layout(tmp_path, capsys):
    config = tmp_path / "estate.toml"
    mine = (
        "# The team's production estate.\n"
        'name_prefix = "mapzip-prod-"\n'
        'region = "ap-northeast-2"\n'
        "\n"
        "[msk]  # events between services\n"
        'cluster_name = "events"\n'
        "# We are on 3.8.x in staging already; prod follows next sprint.\n"
        'kafka_version = "3.8.x"\n'
    )
    config.write_text(mine)
    code, out, _ = adopt(config, capsys)
    text = config.read_text()
    # Every line of the team's is still there, in its order; the added pins go after the keys of their table.
    lines = text.splitlines()
    positions = [lines.index(line) for line in mine.splitlines()]
    assert positions == sorted(positions)
    assert lines[:3] == mine.splitlines()[:3]
    assert 'kafka_version = "3.8.x"' in text and 'kafka_version = "3.6.0"' not in text
    assert 'note: [msk] kafka_version: kept your "3.8.x"; the state holds "3.6.0" (an in-place change)' in \
        out.splitlines()
    assert '[msk] broker_instance_type = "kafka.m5.large": the brokers\' type; the module\'s default ' \
        '"kafka.m7g.large" is an in-place change you can make later' in out.splitlines()
    assert "[elasticache_auth]" in text and "[[moved]]" in text
    # And once more: nothing new.
    before = config.read_bytes()
    adopt(config, capsys)
    assert config.read_bytes() == before


def _estate_with(change) -> dict:
    shown = json.loads(SHOWN.read_text())
    change(shown["values"]["root_module"])
    return shown


def _rename_call(root: dict, old: str, new: str) -> None:
    for module in root["child_modules"]:
        if module["address"] == f"module.{old}":
            module["address"] = f"module.{new}"
            for resource in module["resources"]:
                resource["address"] = resource["address"].replace(f"module.{old}.", f"module.{new}.", 1)


def test_calls_are_matched_by_what_they_hold_not_by_their_names(tmp_path, capsys):
    def change(root):
        _rename_call(root, "msk", "events")
        table = next(m for m in root["child_modules"] if m["address"] == "module.dynamodb")
        root["resources"] = [{**table["resources"][0], "address": "aws_dynamodb_table.legacy", "name": "legacy",
                              "values": {**table["resources"][0]["values"], "name": "mapzip-prod-legacy"}}]

    state = tmp_path / "state.json"
    state.write_text(json.dumps(_estate_with(change)))
    config = tmp_path / "estate.toml"
    code, out, err = adopt(config, capsys, state)
    text = config.read_text()
    assert '[events]\nmodule = "msk"\ncluster_name = "events"\n' in text
    assert '[[moved]]\nfrom = "module.events.aws_msk_cluster.kafka"\nto = "module.events.aws_msk_cluster.this"\n' in text
    # A root resource no module call holds: forgotten, not destroyed.
    assert '[[removed]]\nfrom = "aws_dynamodb_table.legacy"\ndestroy = false\n' in text
    assert code == 1 and "problem: module.events.aws_security_group.this: ingress" in err


def test_a_call_holding_two_main_resources_is_a_problem_and_left_alone(tmp_path, capsys):
    def change(root):
        table = next(m for m in root["child_modules"] if m["address"] == "module.dynamodb")
        second = json.loads(json.dumps(table["resources"][0]))
        second["address"], second["name"] = "module.dynamodb.aws_dynamodb_table.archive", "archive"
        table["resources"].append(second)

    state = tmp_path / "state.json"
    state.write_text(json.dumps(_estate_with(change)))
    config = tmp_path / "estate.toml"
    code, _, err = adopt(config, capsys, state)
    assert code == 1
    assert ("problem: module.dynamodb: holds module.dynamodb.aws_dynamodb_table.reviews, "
            "module.dynamodb.aws_dynamodb_table.archive; a generated module manages one, so split the call in the "
            "old root first") in err.splitlines()
    text = config.read_text()
    assert "[dynamodb]" not in text and "module.dynamodb." not in text


def test_msk_properties_text_excludes_the_map():
    from modules import all_modules

    inputs = all_modules()["msk"].inputs
    given = {"name_prefix": "mapzip-prod-", "cluster_name": "events", "vpc_id": "vpc-0a1b2c3d4e5f60718",
             "subnet_ids": ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"],
             "server_properties_text": "auto.create.topics.enable=false\n",
             "server_properties": {"min.insync.replicas": "2"}}
    _, problems = inputs.problems(given)
    assert problems == [("server_properties_text", "server_properties_text: must not be set together with "
                         'server_properties (the text is the whole configuration), got {"min.insync.replicas": "2"}')]


IMPORT_ENTRIES = "".join(
    f"\n[[import]]\nto = {json.dumps(target)}\nid = \"sgr-0{number:016x}\"\n"
    for number, (_, _, _, target) in enumerate(DUPLICATES, start=1)
)


def synthesize_with_import_entries(workdir: Path) -> None:
    """The fix --adopt proposes, made: [[import]] entries with the rules' sgr- ids (looked up in AWS) added to the
    adopted file, --adopt run again (what it said is kept in adopt-again.json), then the stack synthesized."""
    config = adopt_into(workdir)[0]
    config.write_text(config.read_text() + IMPORT_ENTRIES)
    (workdir / "adopt-again.json").write_text(json.dumps(quietly("--adopt", str(SHOWN), "--config", str(config))))
    synthesize(config, workdir)


@background_terraform(prepare=synthesize_with_import_entries)
def stack_with_import_entries(generated_tree: Path, workdir: Path) -> tuple[list, dict]:
    """What --adopt said the second time, and the stack's main.tf.json once `terraform validate` accepted it."""
    stack = workdir / "generated" / "stacks" / "estate"
    terraform.validate(stack)
    return json.loads((workdir / "adopt-again.json").read_text()), json.loads((stack / "main.tf.json").read_text())


def test_import_entries_resolve_the_duplicate_rules(background):
    """The fix --adopt proposes: [[import]] entries with the rules' sgr- ids, which become import blocks; --adopt
    then reports no problem, and Terraform validates the stack."""
    (code, out, err), main = background(stack_with_import_entries)
    assert (code, err) == (0, "")
    assert ("note: module.msk.aws_security_group.this: ingress: the inline rule tcp 9092-9098 from self is imported "
            "as module.msk.aws_vpc_security_group_ingress_rule.between_brokers[0]") in out.splitlines()
    assert main["import"][2] == {"to": "module.msk.aws_vpc_security_group_ingress_rule.between_brokers[0]",
                                 "id": "sgr-00000000000000003"}


TABLE_KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/47a2e2a6-7319-00bd-5a85-e6f139f0dc3e"
CLUSTER_KEY = "arn:aws:kms:ap-northeast-2:123456789012:key/7eff8fc2-b9f1-2772-3d5b-70028f7eb75a"


def synthesize_with_key_aliases(workdir: Path) -> None:
    config = adopt_into(workdir)[0]
    text = config.read_text()
    config.write_text(text.replace(TABLE_KEY, "alias/aws/dynamodb").replace(CLUSTER_KEY, "alias/aws/kafka"))
    synthesize(config, workdir)


@background_terraform(prepare=synthesize_with_key_aliases)
def aliased_stack_against_old_state(generated_tree: Path, workdir: Path) -> dict:
    return plan_against_old_state(workdir)


def test_the_aws_managed_key_aliases_plan_the_same(adopted, background):
    """--adopt pins the key ARNs the state holds; where they are the AWS managed keys, the aliases say the same."""
    config, _, _, _ = adopted
    text = config.read_text()
    assert TABLE_KEY in text and CLUSTER_KEY in text
    plan = background(aliased_stack_against_old_state)
    changes = {rc["address"]: rc["change"]["actions"] for rc in plan["resource_changes"]}
    assert {a: c for a, c in changes.items() if c != ["no-op"]} == REMAINING_CHANGES


def test_an_existing_value_that_would_replace_the_resource_is_a_problem(tmp_path, capsys):
    config = tmp_path / "estate.toml"
    config.write_text('name_prefix = "mapzip-prod-"\nregion = "ap-northeast-2"\n\n[dynamodb]\ntable_name = "reviews-v2"\n')
    code, _, err = adopt(config, capsys)
    assert code == 1
    assert ('problem: [dynamodb] table_name: kept your "reviews-v2"; the state holds "reviews", and another value '
            'replaces the resource: write "reviews" to keep it') in err.splitlines()
    assert 'table_name = "reviews-v2"' in config.read_text()
