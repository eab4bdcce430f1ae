"""The foundation: the writer, --check, --out, --config, atomic writes and determinism across processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.commands import cli
from generator.synthesis import synth, tree
from generator.synthesis.normalize import MODULE_FILES, serialize
from modules import all_modules
from testkit.project import PROJECT, copy_project, fixture_config_args, fixture_environment


@pytest.mark.parametrize("kind", sorted(all_modules()))
def test_every_module_has_the_four_files(produced, kind):
    for name in MODULE_FILES + ("README.md",):
        assert f"modules/{kind}/{name}" in produced.files


def test_modules_are_reusable_modules(produced):
    for path, content in produced.files.items():
        if path.startswith("modules/") and path.endswith(".tf.json"):
            document = json.loads(content)
            assert "provider" not in document, path
            assert "backend" not in document.get("terraform", {}), path


def test_no_metadata_paths_or_tool_versions(produced):
    for path, content in produced.files.items():
        text = content.decode()
        assert '"//"' not in text, path
        assert str(PROJECT) not in text, path
        for machine_path in ("/tmp/", "/root/", "/home/", "cdktf.out"):
            assert machine_path not in text, (path, machine_path)
        assert '"6.25.0"' not in text and "0.21.0" not in text, path


def test_files_are_sorted_indented_lf_with_final_newline(produced):
    for path, content in produced.files.items():
        assert content.endswith(b"\n") and b"\r" not in content, path
        if path.endswith(".json"):
            assert content == serialize(json.loads(content)), path


def test_versions_constraint(produced):
    versions = json.loads(produced.files["modules/msk/versions.tf.json"])
    assert versions == {"terraform": {"required_providers": {"aws": {"source": "hashicorp/aws", "version": ">= 5.100.0, < 7.0.0"}},
                                      "required_version": ">= 1.5.7"}}


def test_committed_tree_is_current(shipped):
    drift = tree.compare(tree.read_tree(PROJECT / "generated"), shipped.files)
    assert not drift, "generated/ is stale; run python main.py:\n" + "\n".join(drift.lines())


def test_out_writes_the_same_tree_and_removes_orphans(tmp_path, shipped, capsys):
    out = tmp_path / "out"
    (out / "modules" / "old").mkdir(parents=True)
    (out / "modules" / "old" / "main.tf.json").write_text("{}")
    (out / tree.MARKER).write_bytes(tree.marker(["modules/old/main.tf.json"]))  # a tree an earlier run wrote
    assert cli.main(["--out", str(out)]) == 0
    assert tree.read_tree(out) == shipped.files
    assert "wrote" in capsys.readouterr().out


def test_config_leaves_other_stacks_alone(tmp_path, produced):
    out = tmp_path / "out"
    # A stack an earlier run wrote (from an environment file since removed), and a stack edited by hand.
    tree.write_tree(out, dict(produced.files, **{"stacks/staging/main.tf.json": b'{"hand": "made"}\n'}))
    (out / "stacks" / "prod" / "main.tf.json").write_text('{"stale": true}\n')
    assert cli.main(["--config", str(fixture_environment("dev")), "--out", str(out)]) == 0
    after = tree.read_tree(out)
    assert after["stacks/staging/main.tf.json"] == b'{"hand": "made"}\n'
    assert after["stacks/prod/main.tf.json"] == b'{"stale": true}\n'
    assert after["stacks/dev/main.tf.json"] == produced.files["stacks/dev/main.tf.json"]
    assert "stacks/staging" in after["README.md"].decode()


def test_failed_synth_leaves_the_tree_untouched(tmp_path, produced, monkeypatch):
    out = tmp_path / "out"
    tree.write_tree(out, produced.files)
    before = tree.read_tree(out)

    def explode(*args, **kwargs):
        raise RuntimeError("synthesis failed")

    monkeypatch.setattr(synth, "synthesize", explode)
    with pytest.raises(RuntimeError):
        cli.main(["--out", str(out)])
    assert tree.read_tree(out) == before


def test_failed_write_leaves_the_tree_untouched(tmp_path, produced, monkeypatch):
    out = tmp_path / "out"
    tree.write_tree(out, produced.files)
    before = tree.read_tree(out)
    written = []
    real_write = Path.write_bytes

    def fail_midway(self, data):
        written.append(self)
        if len(written) == 5:
            raise OSError("disk full")
        return real_write(self, data)

    monkeypatch.setattr(Path, "write_bytes", fail_midway)
    changed = dict(produced.files, **{"README.md": b"changed\n"})
    with pytest.raises(OSError):
        tree.write_tree(out, changed)
    monkeypatch.undo()
    assert tree.read_tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging folder left behind


def _main(cwd: Path, *args: str, seed: str = "0") -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONHASHSEED=seed)
    return subprocess.run([sys.executable, "main.py", *args], cwd=cwd, env=env, capture_output=True, text=True)


def test_same_bytes_across_processes_and_hash_seeds(tmp_path, produced):
    """A process of its own, with a hash seed other than this session's (random unless set), writes what this
    session synthesized."""
    seed = "4242" if os.environ.get("PYTHONHASHSEED") != "4242" else "1"
    first = _main(PROJECT, *fixture_config_args(), "--out", str(tmp_path / "a"), seed=seed)
    assert first.returncode == 0, first.stderr
    assert tree.read_tree(tmp_path / "a") == produced.files
    # The end-of-life banner of jsii for Node 20 is silenced.
    assert "end-of-life" not in first.stderr and "end-of-life" not in first.stdout


def test_check_fails_on_a_hand_edit_and_leaves_it(tmp_path):
    # The copy's tree is current (ci/pipeline.sh check); were it not, the exact list below would say more.
    project = copy_project(tmp_path / "project")
    edited = project / "generated" / "modules" / "msk" / "variables.tf.json"
    edited.write_text(edited.read_text().replace('"default": "TLS"', '"default": "PLAINTEXT"'))
    (project / "generated" / "stray.txt").write_text("x")
    (project / "generated" / "modules" / "dynamodb" / "outputs.tf.json").unlink()
    result = _main(project, "--check")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "stale: modules/msk/variables.tf.json",
        "missing: modules/dynamodb/outputs.tf.json",
        "foreign: stray.txt (python main.py did not write it, and will not replace it: move it out)",
    ]
    assert '"default": "PLAINTEXT"' in edited.read_text()
    assert (project / "generated" / "stray.txt").exists()


def test_help_answers_without_synthesizing():
    result = subprocess.run([sys.executable, "main.py", "--help"], cwd=PROJECT, capture_output=True, text=True)
    assert result.returncode == 0
    for option in ("--out", "--check", "--diff", "--base", "--config"):
        assert option in result.stdout
