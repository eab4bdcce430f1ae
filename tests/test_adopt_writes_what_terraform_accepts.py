"""What `python main.py --adopt STATE --config FILE` writes, Terraform and the module's own checks accept as written:

- no `[[removed]]` for an address the module call itself declares ("Removed resource still exists" at plan), no
  `[[moved]]` that lands an object on its own address ("Moved object still exists"), no two old module calls moved
  into one table ("Ambiguous move statements");
- an MSK cluster without client authentication (or with a plaintext listener) pins
  client_authentication_unauthenticated_enabled = true, which the module's rules want said.

States: the estate fixture (tests/fixtures/estate) with one change each, made below, in its `terraform show -json`
form and, for the plan, in its raw form.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Callable

from generator.commands import cli
from testkit import terraform
from testkit.pytest_terraform import background_terraform
from testkit.project import shown_resource as resource

ESTATE = Path(__file__).resolve().parent / "fixtures" / "estate"
SHOWN = json.loads((ESTATE / "state.show.json").read_text())
RAW = json.loads((ESTATE / "state.json").read_text())




def raw_resource(raw: dict[str, Any], module: str, type_: str, name: str) -> dict[str, Any]:
    return next(r for r in raw["resources"] if (r.get("module"), r["type"], r["name"]) == (module, type_, name))


def adopt_state(shown: dict[str, Any], folder: Path) -> tuple[Path, int, str, str]:
    """--adopt on `shown` into `folder`/environments/estate.toml, as a user runs it (cli.main)."""
    import io
    from contextlib import redirect_stderr, redirect_stdout

    state = folder / "state.show.json"
    state.write_text(json.dumps(shown))
    config = folder / "environments" / "estate.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(["--adopt", str(state), "--config", str(config)])
    return config, code, out.getvalue(), err.getvalue()


def changed(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    shown = copy.deepcopy(SHOWN)
    change(shown)
    return shown


def problems(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("problem: ")]


INLINE_RULE = "ingress: the inline rule"  # the estate's four duplicate rules (tests/test_adopt.py): expected


# --- MSK without client authentication -------------------------------------------------------------------------------

CLUSTER = "module.msk.aws_msk_cluster.kafka"


def _no_client_authentication(shown: dict[str, Any]) -> None:
    resource(shown, CLUSTER)["values"]["client_authentication"] = []


def test_a_cluster_without_client_authentication_pins_unauthenticated_access(tmp_path):
    config, code, out, err = adopt_state(changed(_no_client_authentication), tmp_path)
    text = config.read_text()
    msk = text.split("\n[msk]\n")[1].split("\n[")[0]
    assert "client_authentication_iam_enabled = false\n" in msk
    assert "client_authentication_unauthenticated_enabled = true\n" in msk
    assert ("[msk] client_authentication_unauthenticated_enabled = true: the cluster has no client authentication; "
            "the module's default false is an in-place change you can make later") in out.splitlines()
    # The file passes the module's own checks (--adopt loads it after writing): only the estate's inline rules
    # remain, none of which is on the IAM port any more.
    assert [p for p in problems(err) if INLINE_RULE not in p] == []
    assert code == 1


def test_a_plaintext_listener_pins_unauthenticated_access(tmp_path):
    def change(shown):
        info = resource(shown, CLUSTER)["values"]["encryption_info"][0]
        info["encryption_in_transit"][0]["client_broker"] = "TLS_PLAINTEXT"

    config, code, out, err = adopt_state(changed(change), tmp_path)
    msk = config.read_text().split("\n[msk]\n")[1].split("\n[")[0]
    assert 'encryption_in_transit_client_broker = "TLS_PLAINTEXT"\n' in msk
    assert "client_authentication_unauthenticated_enabled = true\n" in msk
    assert ("[msk] client_authentication_unauthenticated_enabled = true: the cluster's plaintext listener takes "
            "clients without authentication; the module's default false is an in-place change you can make later") \
        in out.splitlines()
    assert [p for p in problems(err) if INLINE_RULE not in p] == []


# --- addresses the module declares ------------------------------------------------------------------------------------

OLD_GROUP = "module.msk.aws_security_group.kafka"
COUNTED_GROUP = "module.msk.aws_security_group.this[0]"


def _group_counted(shown: dict[str, Any]) -> None:
    group = resource(shown, OLD_GROUP)
    group.update(address=COUNTED_GROUP, name="this", index=0)


def test_a_group_already_at_the_modules_address_is_not_moved_onto_itself(tmp_path):
    """A root whose msk call counts its group like the module (this[0]): a move this[0] → this, chained with the
    module's own this → this[0], is Terraform's "Moved object still exists"."""
    config, _, out, _ = adopt_state(changed(_group_counted), tmp_path)
    text = config.read_text()
    assert "module.msk.aws_security_group" not in text  # neither moved nor removed
    assert f'security_group_name = "{resource(SHOWN, OLD_GROUP)["values"]["name"]}"' in text  # still adopted
    assert not [line for line in out.splitlines() if "aws_security_group.this[0]" in line and "[[" in line]


AUTOSCALING = 'module.dynamodb.aws_appautoscaling_target.index_read["by_place"]'


def _autoscaling_target(call: str) -> Callable[[dict[str, Any]], None]:
    def change(shown: dict[str, Any]) -> None:
        module = next(m for m in shown["values"]["root_module"]["child_modules"] if m["address"] == "module.dynamodb")
        if call != "dynamodb":
            module["address"] = f"module.{call}"
            for item in module["resources"]:
                item["address"] = item["address"].replace("module.dynamodb.", f"module.{call}.", 1)
        module["resources"].append({
            "address": f'module.{call}.aws_appautoscaling_target.index_read["by_place"]', "mode": "managed",
            "type": "aws_appautoscaling_target", "name": "index_read", "index": "by_place",
            "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0,
            "values": {"id": "table/mapzip-prod-reviews/index/by_place", "max_capacity": 30, "min_capacity": 5,
                       "resource_id": "table/mapzip-prod-reviews/index/by_place", "tags": {}, "tags_all": {}},
            "sensitive_values": {"tags": {}, "tags_all": {}},
        })
    return change


def test_a_resource_the_module_call_declares_is_not_removed(tmp_path):
    """terraform-aws-modules' DynamoDB autoscaling targets have the addresses of the module's own: a `removed`
    block there is Terraform's "Removed resource still exists". The target stays, and the module manages it."""
    config, _, out, _ = adopt_state(changed(_autoscaling_target("dynamodb")), tmp_path)
    assert "aws_appautoscaling_target" not in config.read_text()
    assert ("note: module.dynamodb.aws_appautoscaling_target.index_read: the dynamodb module declares "
            "aws_appautoscaling_target.index_read too: it is neither moved nor forgotten, and the module manages it "
            "from now on (the plan shows what that changes)") in out.splitlines()


def test_the_same_resource_in_a_call_of_another_name_is_removed(tmp_path):
    """A call whose name is no table name (module.reviews-db becomes [reviews_db]): the stack declares nothing at
    the old address, so the target is forgotten, as any resource no module manages."""
    config, _, _, _ = adopt_state(changed(_autoscaling_target("reviews-db")), tmp_path)
    text = config.read_text()
    assert "[reviews_db]" in text
    assert '[[removed]]\nfrom = "module.reviews-db.aws_appautoscaling_target.index_read"\ndestroy = false\n' in text


def test_two_calls_that_would_become_one_table_are_a_problem(tmp_path):
    """`module.elasticache-auth` and `module.elasticache_auth` both name the table [elasticache_auth]: moving both
    there is Terraform's "Ambiguous move statements". The second is left alone, with a problem."""
    def change(shown):
        module = next(m for m in shown["values"]["root_module"]["child_modules"]
                      if m["address"] == "module.elasticache_recommend")
        module["address"] = "module.elasticache-auth"
        for item in module["resources"]:
            item["address"] = item["address"].replace("module.elasticache_recommend.", "module.elasticache-auth.", 1)

    config, code, _, err = adopt_state(changed(change), tmp_path)
    text = config.read_text()
    assert code == 1
    assert ("problem: module.elasticache-auth: becomes the table [elasticache_auth], as module.elasticache_auth does; "
            "one module call cannot hold both: rename one of the two calls in the old root first (terraform state "
            "mv)") in err.splitlines()
    assert "module.elasticache-auth" not in text
    assert text.count('to = "module.elasticache_auth.aws_elasticache_replication_group.this"') == 1


# --- the plan of such a root, by Terraform -----------------------------------------------------------------------------


def _raw_counted_group_without_authentication() -> dict[str, Any]:
    raw = copy.deepcopy(RAW)
    group = raw_resource(raw, "module.msk", "aws_security_group", "kafka")
    group["name"] = "this"
    group["each"] = "list"
    group["instances"][0]["index_key"] = 0
    cluster = raw_resource(raw, "module.msk", "aws_msk_cluster", "kafka")
    cluster["instances"][0]["attributes"]["client_authentication"] = []
    return raw


def synthesize_counted_group_without_authentication(workdir: Path) -> None:
    def change(shown):
        _group_counted(shown)
        _no_client_authentication(shown)

    config = adopt_state(changed(change), workdir)[0]
    code = cli.main(["--out", str(workdir / "generated"), "--config", str(config)])
    assert code == 0
    stack = workdir / "generated" / "stacks" / "estate"
    (stack / "terraform.tfstate").write_text(json.dumps(_raw_counted_group_without_authentication()))
    (stack / "offline_override.tf.json").write_text(json.dumps({"provider": terraform.OFFLINE_OVERRIDE["provider"]}))


@background_terraform(prepare=synthesize_counted_group_without_authentication)
def counted_group_without_authentication(generated_tree: Path, workdir: Path) -> dict:
    return terraform.plan_root(workdir / "generated" / "stacks" / "estate")


def test_terraform_plans_the_adopted_root_with_nothing_replaced(background):
    """The root above, planned by Terraform against its own state: no "Moved object still exists", the group
    stays at this[0], the cluster is kept (its client authentication said, in place), nothing destroyed."""
    plan = background(counted_group_without_authentication)
    changes = {rc["address"]: rc for rc in plan["resource_changes"]}
    destroyed = {a: rc["change"].get("replace_paths") for a, rc in changes.items() if "delete" in rc["change"]["actions"]}
    assert destroyed == {}
    assert "previous_address" not in changes["module.msk.aws_security_group.this[0]"]
    assert changes["module.msk.aws_msk_cluster.this"]["previous_address"] == CLUSTER
    assert changes["module.msk.aws_msk_cluster.this"]["change"]["actions"] in (["no-op"], ["update"])
