"""`python main.py [--adopt STATE] --config FILE --verify OLD_STATE`: the offline plan of the environment's stack
against the old root's raw state, as a user runs it (a process of its own, from the project root), on the estate
fixture (tests/fixtures/estate) and on variations of it: its exact lines, a replacement that --adopt's note called
in place, a destruction after a hand edit, an [[import]] that makes it pass; and the one-line refusals."""

from __future__ import annotations

import io
import json
import re
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from generator.commands import cli
from testkit.project import PROJECT
from testkit.pytest_terraform import Command, background_process, require_terraform, user_environment

ESTATE = PROJECT / "tests" / "fixtures" / "estate"


RAW = "tests/fixtures/estate/state.json"  # as the user names it, from the project root
SHOWN = "tests/fixtures/estate/state.show.json"

# The module's rules that repeat an inline rule of the old groups (what --adopt names as problems too), with what the
# old state holds.
REPEATED = [
    ('module.elasticache_auth.aws_vpc_security_group_ingress_rule.from_security_groups["6379/0"]',
     "tcp 6379-6379 from sg-0e0e0e0e0e0e0e0e1 on sg-44538b0610be91454, inline in "
     "module.elasticache_auth.aws_security_group.cache"),
    ('module.elasticache_recommend.aws_vpc_security_group_ingress_rule.from_security_groups["6379/0"]',
     "tcp 6379-6379 from sg-0e0e0e0e0e0e0e0e1 on sg-412486149f27bafcc, inline in "
     "module.elasticache_recommend.aws_security_group.cache"),
    ("module.msk.aws_vpc_security_group_ingress_rule.between_brokers[0]",
     "tcp 9092-9098 from self on sg-74dcdf24ac2cb787e, inline in module.msk.aws_security_group.kafka"),
    ('module.msk.aws_vpc_security_group_ingress_rule.from_security_groups["9098/0"]',
     "tcp 9098-9098 from sg-0e0e0e0e0e0e0e0e1 on sg-74dcdf24ac2cb787e, inline in module.msk.aws_security_group.kafka"),
]


def repeated_problem(address: str, rule: str, state: str = RAW) -> str:
    return (f"problem: {address}: created, and {state} already has this ingress rule ({rule}): AWS refuses the "
            f"duplicate at apply (InvalidPermission.Duplicate); add an [[import]] entry with to = "
            f"{json.dumps(address)} and the existing rule's id (sgr-…)")


IN_PLACE = [
    "in place: module.elasticache_auth.aws_elasticache_parameter_group.this[0]: tags, tags_all",
    "in place: module.elasticache_auth.aws_elasticache_subnet_group.this: tags, tags_all",
    "in place: module.elasticache_auth.aws_security_group.this[0]: tags, tags_all",
    "in place: module.elasticache_recommend.aws_elasticache_parameter_group.this[0]: tags, tags_all",
    "in place: module.elasticache_recommend.aws_elasticache_subnet_group.this: tags, tags_all",
    "in place: module.elasticache_recommend.aws_security_group.this[0]: tags, tags_all",
    "in place: module.msk.aws_msk_cluster.this: logging_info, open_monitoring",
    "in place: module.msk.aws_security_group.this[0]: tags, tags_all",
]
CREATED_BESIDE_THE_RULES = [
    "created: module.msk.aws_cloudwatch_log_group.broker_logs[0]",
    "created: module.msk.aws_kms_alias.this[0]",
    "created: module.msk.aws_kms_key.this[0]",
    "created: module.msk.aws_kms_key_policy.this[0]",
]
FORGOTTEN = ("forgotten: module.msk.aws_cloudwatch_log_group.kafka (a [[removed]] entry, destroy = false: Terraform "
             "forgets it, AWS keeps it)")
IMPORTED = [f"imported: {address} (an [[import]] entry: offline, Terraform cannot read it from AWS, so the plan leaves "
            "its import out)" for address, _ in sorted(REPEATED)]


def python_main(*args: str) -> list[str]:
    return [sys.executable, "main.py", *args]


def quietly(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(list(argv))
    return code, out.getvalue(), err.getvalue()


def adopted_file(workdir: Path, shown: str = SHOWN) -> Path:
    """--adopt of the estate into workdir/environments/estate.toml (in this process: the main thread)."""
    config = workdir / "environments" / "estate.toml"
    config.parent.mkdir(parents=True)
    code, out, err = quietly("--adopt", shown, "--config", str(config))
    assert config.exists(), out + err
    return config


IMPORT_ENTRIES = "".join(f"\n[[import]]\nto = {json.dumps(address)}\nid = \"sgr-0{number:016x}\"\n"
                         for number, (address, _) in enumerate(REPEATED, start=1))


# --- the commands, started with the session (each plans once) -----------------------------------------------------

@background_process
def estate_adopted_and_verified(workdir: Path) -> Command:
    """The README's command on the estate: --adopt, then --verify against its own raw state, in one run."""
    config = workdir / "environments" / "estate.toml"
    config.parent.mkdir(parents=True)
    return Command(python_main("--adopt", SHOWN, "--config", str(config), "--verify", RAW), user_environment(), PROJECT)


@background_process
def estate_with_imports_verified(workdir: Path) -> Command:
    """The fix --adopt proposes for the inline rules, made by hand ([[import]] entries); then --verify alone."""
    config = adopted_file(workdir)
    config.write_text(config.read_text() + IMPORT_ENTRIES)
    return Command(python_main("--verify", RAW, "--config", str(config)), user_environment(), PROJECT)


@background_process
def forgotten_entry_deleted_verified(workdir: Path) -> Command:
    """A hand edit after --adopt: the [[removed]] entry of the old log group deleted; then --verify alone."""
    config = adopted_file(workdir)
    text = config.read_text() + IMPORT_ENTRIES
    entry = '[[removed]]\nfrom = "module.msk.aws_cloudwatch_log_group.kafka"\ndestroy = false\n'
    assert entry in text
    config.write_text(text.replace(entry, ""))
    return Command(python_main("--verify", RAW, "--config", str(config)), user_environment(), PROJECT)


@background_process
def state_of_a_newer_provider_verified(workdir: Path) -> Command:
    """A raw state one of whose resources a newer provider wrote (its schema_version): Terraform refuses to plan."""
    config = adopted_file(workdir)
    raw = json.loads((ESTATE / "state.json").read_text())
    table = next(r for r in raw["resources"] if r["type"] == "aws_dynamodb_table")
    table["instances"][0]["schema_version"] = 99
    (workdir / "old.tfstate").write_text(json.dumps(raw, indent=2))
    return Command(python_main("--verify", str(workdir / "old.tfstate"), "--config", str(config)), user_environment(),
                   PROJECT)


def brokers_in_an_unmanaged_group(workdir: Path) -> tuple[Path, Path]:
    """The estate with the brokers' security group in no state of the root (a group another root manages): both the
    raw state and its terraform show -json, without module.msk.aws_security_group.kafka."""
    raw = json.loads((ESTATE / "state.json").read_text())
    raw["resources"] = [r for r in raw["resources"]
                        if (r.get("module"), r["type"]) != ("module.msk", "aws_security_group")]
    shown = json.loads((ESTATE / "state.show.json").read_text())
    for call in shown["values"]["root_module"]["child_modules"]:
        call["resources"] = [r for r in call["resources"] if r["address"] != "module.msk.aws_security_group.kafka"]
    (workdir / "old.tfstate").write_text(json.dumps(raw, indent=2))
    (workdir / "state.json").write_text(json.dumps(shown, indent=2))
    return workdir / "old.tfstate", workdir / "state.json"


@background_process
def unmanaged_broker_group_adopted_and_verified(workdir: Path) -> Command:
    raw, shown = brokers_in_an_unmanaged_group(workdir)
    config = workdir / "environments" / "estate.toml"
    config.parent.mkdir(parents=True)
    return Command(python_main("--adopt", str(shown), "--config", str(config), "--verify", str(raw)),
                   user_environment(), PROJECT)


KEEP_THE_BROKERS_GROUPS = "create_security_group = false\n"


@background_process
def unmanaged_broker_group_pin_deleted_verified(workdir: Path) -> Command:
    """The same estate adopted, then a hand edit: the pin that keeps the brokers in their groups deleted."""
    raw, shown = brokers_in_an_unmanaged_group(workdir)
    config = adopted_file(workdir, str(shown))
    text = config.read_text()
    msk = text.index("[msk]")
    assert KEEP_THE_BROKERS_GROUPS in text[msk:]
    config.write_text(text[:msk] + text[msk:].replace(KEEP_THE_BROKERS_GROUPS, "", 1))
    return Command(python_main("--verify", str(raw), "--config", str(config)), user_environment(), PROJECT)


def verify_part(stdout: str) -> list[str]:
    """What --verify printed: from its first line on."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("verify: "))
    return lines[start:]


def problems(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if not line.startswith("warning: ")]


@pytest.mark.terraform
def test_adopt_then_verify_on_the_estate_counts_the_plan_and_flags_each_rule_created_twice(background):
    require_terraform()
    result, workdir = background(estate_adopted_and_verified)
    assert verify_part(result.stdout) == [
        f"verify: stacks/estate planned against {RAW} (offline, -refresh=false)",
        "12 moved, 8 updated in place, 8 created, 0 destroyed, 0 replaced",
        *IN_PLACE,
        *sorted([f"created: {address}" for address, _ in REPEATED] + CREATED_BESIDE_THE_RULES),
        FORGOTTEN,
    ]
    # --adopt's four problems (tests/test_adopt.py), then what the plan proves: the same four rules created twice.
    found = problems(result.stderr)
    assert found[4:] == [repeated_problem(a, r) for a, r in sorted(REPEATED)] + [
        "8 problem(s): resolve them before the first apply"]
    assert result.returncode == 1
    assert (workdir / "environments" / "estate.toml").exists()


@pytest.mark.terraform
def test_verify_alone_after_the_import_entries_passes(background):
    require_terraform()
    result, _ = background(estate_with_imports_verified)
    assert (result.returncode, problems(result.stderr)) == (0, [])
    assert result.stdout.splitlines() == [
        f"verify: stacks/estate planned against {RAW} (offline, -refresh=false)",
        "12 moved, 8 updated in place, 4 created, 0 destroyed, 0 replaced",
        *IN_PLACE,
        *CREATED_BESIDE_THE_RULES,
        FORGOTTEN,
        *IMPORTED,
        f"verified: nothing destroyed or replaced, no ingress rule created twice: stacks/estate can take over {RAW}",
    ]


@pytest.mark.terraform
def test_a_destruction_after_a_hand_edit_is_a_problem(background):
    require_terraform()
    result, _ = background(forgotten_entry_deleted_verified)
    assert result.returncode == 1
    assert verify_part(result.stdout)[1] == "12 moved, 8 updated in place, 4 created, 1 destroyed, 0 replaced"
    assert FORGOTTEN not in result.stdout
    assert problems(result.stderr) == [
        "problem: module.msk.aws_cloudwatch_log_group.kafka: destroyed (the old state has it and no resource of the "
        "stack is it); to keep it in AWS, add a [[removed]] entry (from = \"module.msk.aws_cloudwatch_log_group.kafka\", "
        "destroy = false), or a [[moved]] entry to the module's address",
        "1 problem(s): resolve them before the first apply",
    ]


@pytest.mark.terraform
def test_brokers_in_groups_the_state_does_not_hold_keep_them_and_nothing_is_replaced(background):
    """The brokers sit in a group the root's state does not hold: --adopt pins create_security_group = false and
    the groups (it used to call the module's own group "in place", and the plan replaced the cluster); --verify
    proves the plan replaces nothing."""
    require_terraform()
    result, _ = background(unmanaged_broker_group_adopted_and_verified)
    assert ("note: [msk] the groups sg-74dcdf24ac2cb787e are kept as they are, with their rules: "
            "create_security_group = false, and the module adds no rule to them") in result.stdout.splitlines()
    lines = verify_part(result.stdout)
    assert re.fullmatch(r"\d+ moved, \d+ updated in place, \d+ created, 0 destroyed, 0 replaced", lines[1]), lines[1]
    assert not [line for line in problems(result.stderr) if " replaced (replace_paths" in line]


@pytest.mark.terraform
def test_a_replacement_after_a_hand_edit_is_shown_with_its_replace_paths_and_the_pin(background):
    """The pin deleted by hand: the module's own group would be attached to the brokers, which AWS does by
    replacing the cluster. --verify shows the replacement, its replace_paths and the pin that keeps it."""
    require_terraform()
    result, _ = background(unmanaged_broker_group_pin_deleted_verified)
    lines = verify_part(result.stdout)
    assert re.fullmatch(r"\d+ moved, \d+ updated in place, \d+ created, 0 destroyed, 1 replaced", lines[1]), lines[1]
    assert "created: module.msk.aws_security_group.this[0]" in lines
    assert (
        "problem: module.msk.aws_msk_cluster.this: replaced (replace_paths: broker_node_group_info[0].security_groups); "
        "to keep it, pin [msk] create_security_group = false and associated_security_group_ids = "
        "[\"sg-74dcdf24ac2cb787e\"] (the groups the brokers are in today): the module then puts the brokers in no "
        "group of its own"
    ) in problems(result.stderr)
    assert result.returncode == 1


@pytest.mark.terraform
def test_a_plan_terraform_refuses_is_one_line(background):
    require_terraform()
    result, workdir = background(state_of_a_newer_provider_verified)
    assert (result.returncode, result.stdout) == (1, "")
    assert problems(result.stderr) == [
        f"error: terraform plan of stacks/estate against {(workdir / 'old.tfstate').as_posix()} failed: Resource "
        "instance managed by newer provider version: The current state of module.dynamodb.aws_dynamodb_table.this "
        "was created by a newer provider version than is currently selected. Upgrade the aws provider to work with "
        "this state."]


# --- refused before anything is written (no Terraform runs) -------------------------------------------------------

def refused(tmp_path: Path, **env: str) -> tuple[subprocess.CompletedProcess, Path]:
    """`python main.py --adopt … --verify …` in a process of its own with `env` (PATH and the mirror variable are
    process-wide: changed in this process, they would reach the session's Terraform work in other threads)."""
    config = tmp_path / "estate.toml"
    command = python_main("--adopt", SHOWN, "--config", str(config), "--verify", RAW)
    environment = {name: value for name, value in os.environ.items() if name != "TERRAFORM_BINARY_NAME"}
    return subprocess.run(command, cwd=PROJECT, env={**environment, **env}, capture_output=True, text=True), config


def test_verify_without_terraform_on_path_is_one_line(tmp_path):
    result, config = refused(tmp_path, PATH=str(tmp_path))  # a PATH without terraform
    assert (result.returncode, result.stdout, result.stderr.splitlines()) == (1, "", [
        "error: --verify plans with the terraform CLI, and there is no terraform on PATH: install Terraform 1.10 or "
        "later, or put it on PATH"])
    assert not config.exists()


def test_verify_with_a_provider_mirror_that_holds_no_provider_is_one_line(tmp_path):
    result, config = refused(tmp_path, TF_PROVIDER_MIRROR=str(tmp_path))
    assert (result.returncode, result.stdout, result.stderr.splitlines()) == (1, "", [
        f"error: TF_PROVIDER_MIRROR={tmp_path} holds no registry.terraform.io/hashicorp/aws: set it to the folder that "
        "holds registry.terraform.io/ (`terraform providers mirror DIR` makes one)"])
    assert not config.exists()


GIVE_IT = "write it in the old root with: terraform state pull > {state}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(None, "error: {state}: no such file (" + GIVE_IT + ")", id="wrong-path"),
        pytest.param("", "error: {state}: is empty; " + GIVE_IT, id="empty"),
        pytest.param("terraform {", "error: {state}: not JSON (Expecting value at line 1, column 1); " + GIVE_IT,
                     id="not-json"),
        pytest.param('{"format_version": "1.0", "values": {}}', "error: {state}: is the output of terraform show "
                     "-json, not a state; --verify plans against the state itself: terraform state pull > {state}",
                     id="show-json"),
        pytest.param('{"name": "not a state"}', "error: {state}: not a Terraform state (no \"version\" and "
                     "\"resources\"); " + GIVE_IT, id="not-a-state"),
        pytest.param('{"version": 3, "resources": []}', "error: {state}: state format 3; Terraform 0.12 and later "
                     "write format 4 (" + GIVE_IT + ")", id="old-format"),
        pytest.param('{"version": 4, "resources": [1]}', "error: {state}: not a Terraform state (a resource that is "
                     "not an object with instances); " + GIVE_IT, id="bad-resource"),
    ],
)
def test_a_bad_old_state_is_one_line_exit_1_and_nothing_written(tmp_path, capsys, text, message):
    state = tmp_path / "old.tfstate"
    if text is not None:
        state.write_text(text)
    config = tmp_path / "estate.toml"
    assert cli.main(["--adopt", str(ESTATE / "state.show.json"), "--config", str(config), "--verify", str(state)]) == 1
    out, err = capsys.readouterr()
    assert (out, err.splitlines()) == ("", [message.format(state=state.as_posix())])
    assert not config.exists()


def test_a_folder_as_old_state_and_a_wrong_call(tmp_path, capsys):
    assert cli.main(["--verify", str(tmp_path), "--config", str(tmp_path / "estate.toml")]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"error: {tmp_path.as_posix()}: is a folder, not a state file (write it in the old root with: terraform state "
        f"pull > {tmp_path.as_posix()})"]
    usage = ("error: --verify needs exactly one --config FILE, alone or after --adopt: python main.py [--adopt STATE] "
             "--config FILE --verify OLD_STATE")
    raw = str(ESTATE / "state.json")
    for argv in (["--verify", raw], ["--verify", raw, "--check", "--config", "a.toml"],
                 ["--verify", raw, "--config", "a.toml", "--config", "b.toml"]):
        assert cli.main(argv) == 1
        assert capsys.readouterr().err.splitlines() == [usage]


def test_verify_alone_refuses_a_file_that_does_not_synthesize_as_synth_does(tmp_path, capsys):
    config = tmp_path / "estate.toml"
    config.write_text('region = "ap-northeast-2"\n')
    assert cli.main(["--verify", str(ESTATE / "state.json"), "--config", str(config)]) == 1
    out, err = capsys.readouterr()
    assert (out, err.splitlines()) == ("", [f"error: {config.as_posix()}: name_prefix: is required at the top level",
                                            f"error: {config.as_posix()}: no module tables: add one, such as "
                                            "[dynamodb], for each module block"])


def test_a_replaced_value_the_plan_marks_sensitive_is_never_printed():
    """The pin advice quotes the old value at each replace path, except where the plan marks it sensitive or its
    name is a secret's (generator.language.secrets)."""
    from generator.commands import verify

    change = {"address": "module.cache.aws_elasticache_replication_group.this", "mode": "managed",
              "module_address": "module.cache", "type": "aws_elasticache_replication_group",
              "change": {"actions": ["delete", "create"], "replace_paths": [["port"], ["auth_token"]],
                         "before": {"port": 6380, "auth_token": "hunter2-hunter2-hunter2"},
                         "before_sensitive": {"auth_token": True}}}
    verdict = verify.read_plan({"resource_changes": [change]}, {"resources": []}, [], "old.tfstate",
                               {"cache": ["port"]})
    assert verdict.lines == ["0 moved, 0 updated in place, 0 created, 0 destroyed, 1 replaced"]
    assert verdict.problems == [
        "module.cache.aws_elasticache_replication_group.this: replaced (replace_paths: port, auth_token); to keep it, "
        "pin [cache] port = 6380; auth_token is (sensitive) today: no input of the module is known to keep it"]


def test_a_created_rule_repeating_a_rule_resource_of_the_old_state_is_a_problem_and_another_port_is_not():
    """Rules the old state holds as resources count too (aws_security_group_rule, protocol "6" is tcp), and a rule
    on another port or from another source is new."""
    from generator.commands import verify

    old = {"version": 4, "resources": [
        {"mode": "managed", "type": "aws_security_group_rule", "name": "cache_from_vpc", "module": "module.old",
         "instances": [{"attributes": {"type": "ingress", "security_group_id": "sg-1", "protocol": "6",
                                       "from_port": 6379, "to_port": 6379, "cidr_blocks": ["10.0.0.0/16"]}}]},
        {"mode": "managed", "type": "aws_vpc_security_group_ingress_rule", "name": "peer", "instances": [
            {"index_key": "a", "attributes": {"security_group_id": "sg-1", "ip_protocol": "tcp", "from_port": 6379,
                                              "to_port": 6379, "referenced_security_group_id": "sg-2"}}]},
    ]}

    def created(address: str, **values: object) -> dict:
        return {"address": address, "mode": "managed", "type": "aws_vpc_security_group_ingress_rule",
                "change": {"actions": ["create"], "after": {"security_group_id": "sg-1", "ip_protocol": "tcp",
                                                            **values}}}

    plan = {"resource_changes": [
        created("module.cache.aws_vpc_security_group_ingress_rule.from_cidr_blocks[0]", from_port=6379, to_port=6379,
                cidr_ipv4="10.0.0.0/16"),
        created("module.cache.aws_vpc_security_group_ingress_rule.from_security_groups[0]", from_port=6379,
                to_port=6379, referenced_security_group_id="sg-2"),
        created("module.cache.aws_vpc_security_group_ingress_rule.other_port[0]", from_port=6380, to_port=6380,
                cidr_ipv4="10.0.0.0/16"),
        created("module.cache.aws_vpc_security_group_ingress_rule.other_source[0]", from_port=6379, to_port=6379,
                cidr_ipv4="10.1.0.0/16"),
    ]}
    verdict = verify.read_plan(plan, old, [], "old.tfstate", {})
    assert verdict.lines[0] == "0 moved, 0 updated in place, 4 created, 0 destroyed, 0 replaced"
    assert verdict.problems == [
        problem.removeprefix("problem: ") for problem in (
            repeated_problem("module.cache.aws_vpc_security_group_ingress_rule.from_cidr_blocks[0]",
                             "tcp 6379-6379 from 10.0.0.0/16 on sg-1, module.old.aws_security_group_rule.cache_from_vpc",
                             "old.tfstate"),
            repeated_problem("module.cache.aws_vpc_security_group_ingress_rule.from_security_groups[0]",
                             'tcp 6379-6379 from sg-2 on sg-1, aws_vpc_security_group_ingress_rule.peer["a"]',
                             "old.tfstate"),
        )
    ]
