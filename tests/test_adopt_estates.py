"""`python main.py --adopt` on the estates teams really have: the peers' modules as their examples use them
(tests/fixtures/estates/<name>: old/ vendored with its NOTICE, the state built offline by build_state.py and
checked "No changes"). With no hand edit, --adopt writes a file that synthesizes, and the stack planned against the
estate's own state destroys and replaces nothing, and creates no security group rule that exists already."""

from __future__ import annotations

import importlib.util
import io
import json
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from generator.commands import cli
from testkit import terraform
from testkit.pytest_terraform import background_terraform

ESTATES = Path(__file__).resolve().parent / "fixtures" / "estates"
TAM = ESTATES / "terraform-aws-modules"


def _builder(estate: Path):
    spec = importlib.util.spec_from_file_location(f"build_state_{estate.name.replace('-', '_')}",
                                                  estate / "build_state.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _without_terraform_version(shown: bytes) -> dict:
    # `terraform show -json` stamps the version of the binary that printed it.
    document = json.loads(shown)
    document.pop("terraform_version")
    return document


# --- the fixture: the old root plans no changes against its state, which the builder reproduces ----------------

@background_terraform
def tam_old_root_against_the_committed_state(generated_tree: Path, workdir: Path) -> tuple[int, str]:
    return _builder(TAM).plan_against((TAM / "state.json").read_bytes(), workdir)


@background_terraform
def tam_rebuilt(generated_tree: Path, workdir: Path) -> tuple[bytes, bytes]:
    return _builder(TAM).build(workdir)


def test_the_old_root_plans_no_changes_against_its_state(background):
    code, output = background(tam_old_root_against_the_committed_state)
    assert code == 0, output  # -detailed-exitcode: 0 means no changes, 2 means changes
    assert "No changes." in output


def test_build_state_reproduces_the_committed_files(background):
    state, shown = background(tam_rebuilt)
    assert state == (TAM / "state.json").read_bytes()
    assert _without_terraform_version(shown) == _without_terraform_version((TAM / "state.show.json").read_bytes())


def test_the_estate_holds_what_real_estates_hold():
    """Auto scaling of a table and its index and of MSK storage, rule resources beside a refreshed group's listing
    of them, a broker group the root owns, an MSK configuration with no properties, count and for_each addresses."""
    shown = json.loads((TAM / "state.show.json").read_bytes())
    root = shown["values"]["root_module"]
    resources = {r["address"]: r["values"] for m in [root, *root["child_modules"]] for r in m["resources"]}
    assert resources['module.dynamodb_table.aws_appautoscaling_policy.index_read_policy["TitleIndex"]']["name"] == \
        "DynamoDBReadCapacityUtilization:table/my-table-quiet-heron/index/TitleIndex"
    assert resources["module.msk_cluster.aws_appautoscaling_target.this[0]"]["max_capacity"] == 250
    assert resources["module.msk_cluster.aws_msk_configuration.this[0]"]["server_properties"] == ""
    assert resources["module.msk_cluster.aws_msk_cluster.this[0]"]["client_authentication"] == []
    group = resources["module.elasticache.aws_security_group.this[0]"]
    rule = resources['module.elasticache.aws_vpc_security_group_ingress_rule.this["ingress_vpc"]']
    assert [r["cidr_blocks"] for r in group["ingress"]] == [[rule["cidr_ipv4"]]]
    brokers = resources["aws_security_group.kafka"]
    assert resources["module.msk_cluster.aws_msk_cluster.this[0]"]["broker_node_group_info"][0][
        "security_groups"] == [brokers["id"]]
    assert sorted(r["from_port"] for r in brokers["ingress"]) == [9092, 9094]


# --- --adopt ---------------------------------------------------------------------------------------------------

def quietly(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(list(argv))
    return code, out.getvalue(), err.getvalue()


def adopt_into(folder: Path, estate: Path = TAM) -> tuple[Path, int, str, str]:
    config = folder / "environments" / "estate.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    return (config, *quietly("--adopt", str(estate / "state.show.json"), "--config", str(config)))


@pytest.fixture(scope="module")
def adopted(tmp_path_factory):
    return adopt_into(tmp_path_factory.mktemp("tam"))


def test_adopt_writes_the_file_with_no_problem(adopted):
    """The whole file, word for word (tests/fixtures/estates/terraform-aws-modules/adopted.toml, reviewed when it
    changes), and exit 0: nothing the state holds is left for a hand edit."""
    config, code, out, err = adopted
    assert (code, err) == (0, "")
    assert config.read_text() == (TAM / "adopted.toml").read_text()
    lines = out.splitlines()
    # The brokers sit in the root's group: the module must not add its own (a new cluster).
    assert ('[msk_cluster] create_security_group = false: the groups the resource is in are not this call\'s: the '
            "module's own group would be added to them; the module's default true would replace it") in lines
    # The cache group's rule resource: moved to the module's rule of the same name, its description kept.
    assert ('[[moved]] module.elasticache.aws_vpc_security_group_ingress_rule.this["ingress_vpc"] → '
            'module.elasticache.aws_vpc_security_group_ingress_rule.extra["ingress_vpc"]') in lines
    # Auto scaling moved, never forgotten; the policies keep their names.
    assert ("[[moved]] module.dynamodb_table.aws_appautoscaling_policy.table_read_policy[0] → "
            "module.dynamodb_table.aws_appautoscaling_policy.read[0]") in lines
    assert not any(line.startswith("[[removed]] module.dynamodb_table.") for line in lines)
    assert ('[msk_cluster] server_properties_text = "": the configuration\'s properties as written (the module '
            "writes them as sorted key=value lines; other text is a new revision, and a rolling restart of the "
            "brokers); the module's default is an in-place change you can make later") in lines


def test_running_adopt_twice_changes_nothing(adopted):
    config, _, _, _ = adopted
    before = config.read_bytes()
    code, out, err = quietly("--adopt", str(TAM / "state.show.json"), "--config", str(config))
    assert config.read_bytes() == before
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == f"{config.as_posix()} already holds everything the state needs: nothing added"


# --- the adopted stack planned against the estate's own state --------------------------------------------------

def synthesize_adopted(workdir: Path) -> None:
    config = adopt_into(workdir)[0]
    code, out, err = quietly("--out", str(workdir / "generated"), "--config", str(config))
    assert code == 0, out + err


@background_terraform(prepare=synthesize_adopted)
def tam_adopted_against_its_state(generated_tree: Path, workdir: Path) -> dict:
    stack = workdir / "generated" / "stacks" / "estate"
    shutil.copy(TAM / "state.json", stack / "terraform.tfstate")
    (stack / "offline_override.tf.json").write_text(json.dumps({"provider": terraform.OFFLINE_OVERRIDE["provider"]}))
    return terraform.plan_root(stack, terraform.placeholder_variables(stack))


def counts(plan: dict[str, Any]) -> dict[str, int]:
    """What --verify prints: moved, updated in place, created, destroyed, replaced, forgotten."""
    found = dict.fromkeys(("moved", "updated", "created", "destroyed", "replaced", "forgotten"), 0)
    for change in plan["resource_changes"]:
        actions = change["change"]["actions"]
        found["moved"] += "previous_address" in change
        found["updated"] += actions == ["update"]
        found["created"] += actions == ["create"]
        found["destroyed"] += actions == ["delete"]
        found["replaced"] += "delete" in actions and "create" in actions
        found["forgotten"] += actions == ["forget"]
    return found


def _rules_in(state: dict[str, Any]) -> set[tuple[str, str, int, int, str]]:
    """Every ingress rule AWS holds in the state: (group, protocol, from, to, source)."""
    found = set()
    for resource in state["resources"]:
        for instance in resource["instances"]:
            values = instance["attributes"]
            if resource["type"] == "aws_security_group":
                for rule in values.get("ingress") or []:
                    for source in [*rule["cidr_blocks"], *rule["ipv6_cidr_blocks"], *rule["security_groups"],
                                   *(["self"] if rule["self"] else [])]:
                        found.add((values["id"], rule["protocol"], rule["from_port"], rule["to_port"], source))
    return found


def _created_rules(plan: dict[str, Any]) -> set[tuple[str, str, int, int, str]]:
    created = set()
    for change in plan["resource_changes"]:
        after = change["change"]["after"] or {}
        if change["type"] == "aws_vpc_security_group_ingress_rule" and "create" in change["change"]["actions"]:
            source = after.get("cidr_ipv4") or after.get("cidr_ipv6") or after.get("referenced_security_group_id")
            created.add((after.get("security_group_id"), after["ip_protocol"], after["from_port"], after["to_port"],
                         source))
    return created


# What the plan still changes, each with why; nothing else but moves (no-op at the new address) and forgets.
TAM_CHANGES = {
    # The AUTH token the apply supplies (TF_VAR_elasticache_auth_token; a placeholder offline).
    "module.elasticache.aws_elasticache_replication_group.this": ["update"],
    # The module states the cluster's lack of client authentication as a block (unauthenticated = true), and the
    # logging block's unset strings read "": in place; the configuration is untouched (no new revision).
    "module.msk_cluster.aws_msk_cluster.this": ["update"],
}


def test_the_adopted_stack_destroys_and_replaces_nothing(background):
    plan = background(tam_adopted_against_its_state)
    changes = {rc["address"]: rc for rc in plan["resource_changes"]}
    replaced = {a: rc["change"].get("replace_paths") for a, rc in changes.items() if "delete" in rc["change"]["actions"]}
    assert replaced == {}, f"replaced or destroyed (replace_paths): {replaced}"
    assert {a: rc["change"]["actions"] for a, rc in changes.items()
            if rc["change"]["actions"] not in (["no-op"], ["forget"])} == TAM_CHANGES
    # Forgotten (destroy = false): the root's broker group and its two rules (the brokers stay in them), the
    # terraform_data stand-ins, the old log groups (the cache still delivers to its own, now by name), and the idle
    # MSK storage scaling (its ceiling is below the volumes).
    assert counts(plan) == {"moved": 12, "updated": 2, "created": 0, "destroyed": 0, "replaced": 0, "forgotten": 10}
    state = json.loads((TAM / "state.json").read_bytes())
    assert _created_rules(plan) & _rules_in(state) == set()


# --- a second terraform-aws-modules estate: terraform-aws-dynamodb-table examples/basic ---------------------------
# cloudposse's modules would have been the second peer: they need hashicorp/null and hashicorp/random beside
# hashicorp/aws (its NOTICE says which), and only hashicorp/aws is installable offline.

BASIC = ESTATES / "terraform-aws-modules-basic"


@background_terraform
def basic_old_root_against_the_committed_state(generated_tree: Path, workdir: Path) -> tuple[int, str]:
    return _builder(BASIC).plan_against((BASIC / "state.json").read_bytes(), workdir)


@background_terraform
def basic_rebuilt(generated_tree: Path, workdir: Path) -> tuple[bytes, bytes]:
    return _builder(BASIC).build(workdir)


def test_the_second_estate_plans_no_changes_and_is_rebuilt_byte_for_byte(background):
    code, output = background(basic_old_root_against_the_committed_state)
    assert code == 0, output
    state, shown = background(basic_rebuilt)
    assert state == (BASIC / "state.json").read_bytes()
    assert _without_terraform_version(shown) == _without_terraform_version((BASIC / "state.show.json").read_bytes())


def test_the_second_estate_adopts_with_no_problem_and_a_second_run_adds_nothing(tmp_path):
    config, code, out, err = adopt_into(tmp_path, BASIC)
    assert (code, err) == (0, "")
    assert config.read_text() == (BASIC / "adopted.toml").read_text()
    # The table's resource policy sits where the module declares its own: kept by resource_policy (without it the
    # module's count would be 0, and the policy destroyed).
    assert any(line.startswith('[dynamodb_table] resource_policy = "{') for line in out.splitlines())
    before = config.read_bytes()
    assert quietly("--adopt", str(BASIC / "state.show.json"), "--config", str(config))[0] == 0
    assert config.read_bytes() == before


def synthesize_basic(workdir: Path) -> None:
    config = adopt_into(workdir, BASIC)[0]
    code, out, err = quietly("--out", str(workdir / "generated"), "--config", str(config))
    assert code == 0, out + err


@background_terraform(prepare=synthesize_basic)
def basic_adopted_against_its_state(generated_tree: Path, workdir: Path) -> dict:
    stack = workdir / "generated" / "stacks" / "estate"
    shutil.copy(BASIC / "state.json", stack / "terraform.tfstate")
    (stack / "offline_override.tf.json").write_text(json.dumps({"provider": terraform.OFFLINE_OVERRIDE["provider"]}))
    return terraform.plan_root(stack, terraform.placeholder_variables(stack))


def test_the_second_estate_destroys_and_replaces_nothing(background):
    plan = background(basic_adopted_against_its_state)
    changes = {rc["address"]: rc["change"]["actions"] for rc in plan["resource_changes"]}
    assert {a: c for a, c in changes.items() if c not in (["no-op"], ["forget"])} == BASIC_CHANGES
    assert counts(plan) == BASIC_COUNTS


# Nothing changes: the table moves (no-op at the module's address), its resource policy is the module's already,
# and the terraform_data stand-in of random_pet is forgotten.
BASIC_CHANGES: dict[str, list[str]] = {}
BASIC_COUNTS = {"moved": 1, "updated": 0, "created": 0, "destroyed": 0, "replaced": 0, "forgotten": 1}


def test_rules_of_another_resource_type_are_imported_by_the_id_aws_knows(tmp_path):
    """The MSK example's group as the call's own (moved into module.msk_cluster): its aws_security_group_rule
    resources (another type, which Terraform cannot move) become ingress_rules entries, one per source, each
    forgotten and imported; three sources to a resource, the state holds no sgr- id of any, so each is a problem
    with the way out."""
    shown = json.loads((TAM / "state.show.json").read_bytes())
    root = shown["values"]["root_module"]
    msk = next(m for m in root["child_modules"] if m["address"] == "module.msk_cluster")
    for resource in [r for r in root["resources"] if r["type"] in ("aws_security_group", "aws_security_group_rule")]:
        root["resources"].remove(resource)
        msk["resources"].append({**resource, "address": f"module.msk_cluster.{resource['address']}"})
    state = tmp_path / "state.json"
    state.write_text(json.dumps(shown))
    config = tmp_path / "estate.toml"
    code, out, err = quietly("--adopt", str(state), "--config", str(config))
    assert code == 1
    group = next(r["values"]["id"] for r in msk["resources"] if r["type"] == "aws_security_group")
    assert err.splitlines()[0] == (
        "problem: module.msk_cluster.aws_security_group_rule.kafka_broker_tcp: the rule tcp 9092-9092 from "
        '10.0.3.0/24 becomes module.msk_cluster.aws_vpc_security_group_ingress_rule.extra["kafka_broker_tcp_0"] '
        "(another resource type: Terraform cannot move it). Add an [[import]] entry with to = "
        '"module.msk_cluster.aws_vpc_security_group_ingress_rule.extra[\\"kafka_broker_tcp_0\\"]" and id = the '
        "rule's id (sgr-…, from aws ec2 describe-security-group-rules --filters Name=group-id,Values="
        f"{group})")
    assert err.splitlines()[-1] == "6 problem(s): resolve them before the first apply"
    assert not any("inline rule" in line for line in err.splitlines())  # the group's listing of them is no inline rule
    text = config.read_text()
    assert ('kafka_broker_tls_tcp_2 = {ip_protocol = "tcp", from_port = 9094, to_port = 9094, '
            'cidr_ipv4 = "10.0.5.0/24", description = "Kafka TLS enabled broker 0.8.2+"}') in text
    assert '[[removed]]\nfrom = "module.msk_cluster.aws_security_group_rule.kafka_broker_tcp"\ndestroy = false\n' in text
