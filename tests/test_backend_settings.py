"""[backend] settings that are accepted, written as given: the refusals are in tests/corpus/backend-*.toml (a local
path with `..`, absolute, or not a .tfstate file; an S3 region that does not exist)."""

from __future__ import annotations

import json

from generator.commands import cli
from generator.synthesis import tree

HEAD = (
    'name_prefix = "mapzip-lab-"\nregion = "ap-northeast-2"\nvpc_id = "vpc-0a1b2c3d4e5f60718"\n'
    'subnet_ids = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"]\n'
)
DYNAMODB = '\n[dynamodb]\ntable_name = "reviews"\nhash_key = "review_id"\nattributes = [{ name = "review_id", type = "S" }]\n'


def test_a_local_state_in_a_subfolder_of_the_stack_and_an_s3_region_that_exists(tmp_path, capsys):
    folder = tmp_path / "environments"
    folder.mkdir()
    (folder / "lab.toml").write_text(HEAD + '\n[backend]\ntype = "local"\npath = "state/lab.tfstate"\n' + DYNAMODB)
    (folder / "labs3.toml").write_text(
        HEAD + '\n[backend]\ntype = "s3"\nbucket = "mapzip-state"\nkey = "lab/terraform.tfstate"\nregion = "cn-north-1"\n'
        + DYNAMODB
    )
    out = tmp_path / "generated"
    args = ["--config", str(folder / "lab.toml"), "--config", str(folder / "labs3.toml"), "--out", str(out)]
    assert cli.main(args) == 0, capsys.readouterr().err
    backends = {name: json.loads(tree.read_tree(out)[f"stacks/{name}/versions.tf.json"])["terraform"]["backend"]
                for name in ("lab", "labs3")}
    assert backends == {
        "lab": {"local": {"path": "state/lab.tfstate"}},
        "labs3": {"s3": {"bucket": "mapzip-state", "key": "lab/terraform.tfstate", "region": "cn-north-1",
                         "encrypt": True, "use_lockfile": True}},
    }
    # The state Terraform writes there is its own file: never compared, never removed by the next run.
    (out / "stacks" / "lab" / "state").mkdir()
    (out / "stacks" / "lab" / "state" / "lab.tfstate").write_text('{"serial": 4}')
    assert cli.main(args) == 0
    assert (out / "stacks" / "lab" / "state" / "lab.tfstate").read_text() == '{"serial": 4}'
