"""`python main.py --diff`: a summary a reviewer reads in a minute."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.commands import cli
from generator.config import environments
from generator.synthesis import tree
from generator.synthesis.normalize import serialize
from generator.commands.review import summarize
from tests.conftest import copy_project, git

OLD = {
    "modules/cache/main.tf.json": serialize({"resource": {"aws_security_group": {"this": {"description": "a", "tags": {"A": "1"}}}}}),
    "modules/cache/outputs.tf.json": serialize({"output": {"arn": {"value": "${x.arn}"}, "port": {"value": "${var.port}"}}}),
}


def test_added_resource_removed_output_changed_attribute():
    new = {
        "modules/cache/main.tf.json": serialize({"resource": {
            "aws_security_group": {"this": {"description": "b", "tags": {"A": "1"}}},
            "aws_cloudwatch_log_group": {"slow_log": {"name": "x"}},
        }}),
        "modules/cache/outputs.tf.json": serialize({"output": {"arn": {"value": "${x.arn}"}}}),
    }
    summary, changed = summarize(OLD, new, tree.everything)
    assert summary.splitlines() == [
        "modules/cache:",
        "  + aws_cloudwatch_log_group.slow_log",
        "  - output.port",
        '  ~ aws_security_group.this.description: "a" → "b"',
        "1 added, 1 removed, 1 changed",
    ]
    assert changed is True


def test_nothing_changed():
    assert summarize(OLD, OLD, tree.everything) == ("0 added, 0 removed, 0 changed", False)


def test_diff_of_a_real_change_to_a_module(tmp_path):
    project = copy_project(tmp_path / "project")
    inputs = project / "modules" / "msk" / "inputs.py"
    text = inputs.read_text()
    assert 'default="kafka.m7g.large"' in text
    inputs.write_text(text.replace('default="kafka.m7g.large"', 'default="kafka.m7g.xlarge"'))
    result = subprocess.run([sys.executable, "main.py", "--diff"], cwd=project, capture_output=True, text=True)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        "modules/msk:",
        '  ~ variable.broker_instance_type.default: "kafka.m7g.large" → "kafka.m7g.xlarge"',
        "  ~ README.md (documentation)",
        "0 added, 0 removed, 1 changed, 1 documentation files updated",
    ]
    # --diff writes nothing.
    assert json.loads((project / "generated/modules/msk/variables.tf.json").read_text())["variable"][
        "broker_instance_type"]["default"] == "kafka.m7g.large"


def test_a_new_cache_brings_no_moved_entry():
    """A stack's standard `moved` blocks come with every cache (its ingress rules' move to keyed addresses): for a
    cache the change adds (or removes), the module call's own line says it all; a move from an address that
    existed before is still listed."""
    def stack(*caches: str, extra_moves: tuple[dict, ...] = ()) -> dict[str, bytes]:
        rule = 'module.{0}.aws_vpc_security_group_ingress_rule.from_security_groups["6379/{1}"]'
        return {"stacks/dev/main.tf.json": serialize({
            "module": {name: {"source": "../../modules/elasticache"} for name in caches},
            "moved": [{"from": rule.format(name, "sg-1"), "to": rule.format(name, "0")} for name in caches]
            + list(extra_moves),
        })}

    adopted = {"from": "aws_elasticache_replication_group.legacy", "to": "module.sessions.aws_elasticache_replication_group.this"}
    summary, changed = summarize(stack("auth", "gone"), stack("auth", "sessions", extra_moves=(adopted,)), tree.everything)
    assert summary.splitlines() == [
        "stacks/dev:",
        "  + module.sessions",
        "  + moved aws_elasticache_replication_group.legacy",
        "  - module.gone",
        "2 added, 1 removed, 0 changed",
    ]
    # A module that gains `count` on a resource it had: the move is the change a reviewer must see.
    old = {"modules/cache/main.tf.json": serialize({"resource": {"aws_security_group": {"this": {"name": "a"}}}})}
    new = {"modules/cache/main.tf.json": serialize({
        "resource": {"aws_security_group": {"this": {"count": 1, "name": "a"}}},
        "moved": [{"from": "aws_security_group.this", "to": "aws_security_group.this[0]"}],
    })}
    assert summarize(old, new, tree.everything)[0].splitlines() == [
        "modules/cache:",
        "  + moved aws_security_group.this",
        "  ~ aws_security_group.this.count: (unset) → 1",
        "1 added, 0 removed, 1 changed",
    ]


# `python main.py --diff --base REF`: the tree as committed at a git ref, whatever the working tree holds. The
# repositories are the tests' own (made here, in tmp), and so are the environment files.
ENVIRONMENT = (
    'name_prefix = "mapzip-review-"\nregion = "ap-northeast-2"\nvpc_id = "vpc-0a1b2c3d4e5f60718"\n'
    'subnet_ids = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]\n'
)
TABLE = '\n[orders]\nmodule = "dynamodb"\ntable_name = "orders"\nhash_key = "id"\nattributes = [{ name = "id", type = "S" }]\n'
CACHE = '\n[{0}]\nmodule = "elasticache"\ncluster_name = "{0}"\nallowed_security_group_ids = ["sg-0e0e0e0e0e0e0e0e1"]\n'


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def own_environments(tmp_path, monkeypatch):
    """The project's environments folder, for this test: a folder of the test's own environment files."""
    folder = tmp_path / "environments"
    folder.mkdir()
    monkeypatch.setattr(environments, "ENVIRONMENTS", folder)
    return folder


def test_base_compares_with_the_tree_committed_at_a_ref(tmp_path, own_environments, capsys):
    """At the ref: a stack `staging`, a module since deleted (`legacy`), no `msk` module yet. Now: `staging` is
    gone, `review` is new, and the working tree already holds the fresh synth (so a plain --diff says nothing)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "--quiet")
    out = repo / "generated"
    (own_environments / "staging.toml").write_text(ENVIRONMENT + TABLE)
    assert cli.main(["--out", str(out)]) == 0
    # The tree as the tool wrote it then (its marker lists the files): no msk module yet, a legacy module since gone.
    base = {path: content for path, content in tree.read_tree(out).items() if not path.startswith("modules/msk/")}
    base["modules/legacy/main.tf.json"] = serialize({"resource": {"aws_sns_topic": {"alarms": {"name": "alarms"}}}})
    shutil.rmtree(out)
    tree.write_tree(out, base)
    first = commit_all(repo, "the base")
    git(repo, "tag", "v1")
    git(repo, "switch", "--quiet", "-c", "feature")

    (own_environments / "staging.toml").unlink()
    (own_environments / "review.toml").write_text(ENVIRONMENT + TABLE)
    assert cli.main(["--out", str(out)]) == 0
    capsys.readouterr()
    assert cli.main(["--diff", "--out", str(out)]) == 0
    assert capsys.readouterr().out == "0 added, 0 removed, 0 changed\n"  # the working tree is regenerated

    # The module the ref did not have: every block of it, as Terraform addresses it; its own moves come with it.
    msk: list[str] = []
    for path, content in tree.read_tree(out / "modules" / "msk").items():
        document = json.loads(content) if path.endswith(".tf.json") else {}
        msk += [f"  + {kind}.{name}" for kind, items in document.get("resource", {}).items() for name in items]
        msk += [f"  + {prefix}.{name}" for section, prefix in (("variable", "variable"), ("output", "output"),
                ("locals", "local")) for name in document.get(section, {})]
        msk += [f"  + data.{kind}.{name}" for kind, items in document.get("data", {}).items() for name in items]
        msk += ["  + terraform"] if "terraform" in document else []
        assert "provider" not in document, path
    assert "  + aws_msk_cluster.this" in msk and "  + variable.broker_instance_type" in msk
    stack = ["module.orders", "output.orders_stream_arn", "output.orders_table_arn", "output.orders_table_name",
             "provider", "terraform"]
    for ref in ("main", "v1", first, first[:10]):
        assert cli.main(["--diff", "--base", ref, "--out", str(out)]) == 1
        lines = capsys.readouterr().out.splitlines()
        assert lines == [
            "modules/legacy:",
            "  - aws_sns_topic.alarms",
            "modules/msk:",
            *sorted(msk),
            "  ~ README.md (documentation)",
            "  ~ tests/msk.tftest.hcl (documentation)",
            "stacks/review:",
            *(f"  + {address}" for address in stack),
            "  ~ README.md (documentation)",
            "stacks/staging:",
            *(f"  - {address}" for address in stack),
            "  ~ README.md (documentation)",
            "~ README.md (documentation)",
            f"{len(msk) + len(stack)} added, {1 + len(stack)} removed, 0 changed, 5 documentation files updated",
        ], ref

    # Whatever the working tree holds: a hand edit, uncommitted and staged, and a deleted stack.
    (out / "modules" / "dynamodb" / "variables.tf.json").write_text('{"variable": {}}\n')
    git(repo, "add", "--all")
    shutil.rmtree(out / "stacks")
    assert cli.main(["--diff", "--base", "v1", "--out", str(out)]) == 1
    assert capsys.readouterr().out.splitlines() == lines


def test_base_with_a_new_cache_lists_the_module_call_and_no_moved_entry(tmp_path, capsys):
    """The issue's case: a cache added to an environment file, reviewed against the branch it started from."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "--quiet")
    config = tmp_path / "review.toml"
    config.write_text(ENVIRONMENT + CACHE.format("auth"))
    out = repo / "generated"
    assert cli.main(["--config", str(config), "--out", str(out)]) == 0
    commit_all(repo, "one cache")
    config.write_text(ENVIRONMENT + CACHE.format("auth") + CACHE.format("sessions"))
    capsys.readouterr()
    assert cli.main(["--diff", "--base", "main", "--config", str(config), "--out", str(out)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        "stacks/review:",
        "  + module.sessions",
        "  + output.sessions_arn",
        "  + output.sessions_configuration_endpoint_address",
        "  + output.sessions_global_datastore",
        "  + output.sessions_port",
        "  + output.sessions_primary_endpoint_address",
        "  + output.sessions_reader_endpoint_address",
        "  + output.sessions_security_group_id",
        "  + variable.sessions_auth_token",
        "  ~ README.md (documentation)",
        "9 added, 0 removed, 0 changed, 1 documentation files updated",
    ]
    # The stack does carry the new cache's standard move: the summary leaves it out.
    stack = json.loads(tree.read_tree(out)["stacks/review/main.tf.json"])
    assert [m["from"].split(".")[1] for m in stack["moved"]] == ["auth"]  # the tree on disk is the ref's
    assert cli.main(["--config", str(config), "--out", str(out)]) == 0
    stack = json.loads(tree.read_tree(out)["stacks/review/main.tf.json"])
    assert [m["from"].split(".")[1] for m in stack["moved"]] == ["auth", "sessions"]


def test_base_names_a_ref_that_is_no_commit_in_one_line(tmp_path, capsys):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "--quiet")
    out = repo / "generated"
    root = os.path.realpath(repo)
    # No commit yet: not even HEAD names one.
    assert cli.main(["--diff", "--base", "HEAD", "--out", str(out)]) == 1
    assert capsys.readouterr() == ("", f'error: --base "HEAD": no branch, tag or commit of that name in the git '
                                       f"repository at {root}\n")
    (repo / "README.md").write_text("x\n")
    commit_all(repo, "first")
    for ref, shown in [
        ("no-such-branch", '"no-such-branch"'),
        ("HEAD:README.md", '"HEAD:README.md"'),  # a file, not a commit
        ("", '""'),
        ("--output=/tmp/x", '"--output=/tmp/x"'),  # an option to git is a ref name here
        ("main\nHEAD", '"main\\nHEAD"'),
        ("x" * 500, '"' + "x" * 98 + "…"),
    ]:
        assert cli.main(["--diff", f"--base={ref}", "--out", str(out)]) == 1
        assert capsys.readouterr() == ("", f"error: --base {shown}: no branch, tag or commit of that name in the git "
                                           f"repository at {root}\n"), ref
    assert not out.exists()  # nothing written


def test_base_outside_a_git_repository_is_one_line(tmp_path, capsys):
    out = tmp_path / "elsewhere" / "generated"
    assert cli.main(["--diff", "--base", "main", "--out", str(out)]) == 1
    assert capsys.readouterr() == ("", f'error: --base "main": {out} is not in a git repository\n')
    assert not out.parent.exists()


def test_base_goes_with_diff(tmp_path, capsys):
    for mode in (["--check"], [], ["--adopt", str(tmp_path / "state.json"), "--config", str(tmp_path / "x.toml")]):
        assert cli.main([*mode, "--base", "main", "--out", str(tmp_path / "out")]) == 1
        assert capsys.readouterr() == ("", "error: --base REF goes with --diff: python main.py --diff --base REF\n")
    assert not (tmp_path / "out").exists()


def test_base_reads_the_folder_a_symbolic_link_names_and_skips_links_in_the_tree(tmp_path, capsys):
    """The output folder reached through a link to the repository; a link committed in the tree is not a file of
    it (as on disk)."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "--quiet")
    config = tmp_path / "review.toml"
    config.write_text(ENVIRONMENT + TABLE)
    out = repo / "generated"
    assert cli.main(["--config", str(config), "--out", str(out)]) == 0
    (out / "stacks" / "review" / "link.tf.json").symlink_to("/etc/hostname")
    commit_all(repo, "the tree, and a link")
    (tmp_path / "through").symlink_to(repo)
    capsys.readouterr()
    assert cli.main(["--diff", "--base", "main", "--config", str(config), "--out", str(tmp_path / "through" / "generated")]) == 0
    assert capsys.readouterr() == ("0 added, 0 removed, 0 changed\n", "")
