"""Nothing lost in the output folder: its marker (.generated-by) lists the files python main.py wrote, and a run
replaces or removes only those.

- A folder whose marker is not one this tool writes (an empty .generated-by someone made) is refused, and so is a
  tree of ours that holds a file its marker does not list: one line, exit 1, the folder byte for byte as it was.
- An output folder that is a mount point cannot be exchanged (renameat2 answers EBUSY or EXDEV): the writer replaces
  file by file. Simulated here by replacing the system call the writer uses (`tree._raw_exchange`, which wraps
  renameat2) with one that answers EBUSY or EXDEV, a full disk by `os.write` (the call part files are written with)
  answering ENOSPC, and a failing switch by `os.replace` answering EIO. A full disk leaves the whole old tree; a
  switch that fails midway says how far it got, its marker says INCOMPLETE, --check names it, the next run repairs.
- --out inside a .git folder is refused.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from generator.commands import cli, pipeline
from generator.synthesis import tree
from testkit.project import PROJECT, fixture_environment


def snapshot(root: Path) -> dict[str, tuple[int, str]]:
    found = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if stat.S_ISREG(info.st_mode) else "-"
        found[path.relative_to(root).as_posix()] = (info.st_mode, digest)
    return found


@pytest.fixture
def no_synth(monkeypatch, produced):
    """cli.main without synthesis: these tests are about the folder around it."""
    monkeypatch.setattr(pipeline, "produce", lambda files=None, existing=None, modules=None: produced)


@pytest.fixture
def old_tree(tmp_path, produced) -> tuple[Path, dict[str, bytes]]:
    """A tree an earlier run wrote: one file the new run changes, one it no longer produces."""
    out = tmp_path / "generated"
    old = dict(produced.files, **{"README.md": b"old index\n", "modules/gone/main.tf.json": b"{}\n"})
    tree.write_tree(out, old)
    return out, tree.read_tree(out)


def run(args: list[str], capsys) -> tuple[int, list[str], list[str]]:
    status = cli.main(args)
    captured = capsys.readouterr()
    return status, captured.out.splitlines(), captured.err.splitlines()


# --- the marker ----------------------------------------------------------------------------------------------


def test_the_marker_lists_every_file_written_sorted(tmp_path, produced):
    out = tmp_path / "generated"
    tree.write_tree(out, produced.files)
    content = (out / tree.MARKER).read_bytes()
    listed = content[len(tree.MARKER_HEAD) + len(tree.LISTING):].decode().splitlines()
    assert listed == sorted(p for p in produced.files if p != tree.MARKER)
    assert content == produced.files[tree.MARKER]  # what --check compares is what is written
    assert tree.parse_marker(content) == tree.Manifest(frozenset(listed))


def test_the_committed_marker_lists_the_committed_tree():
    root = PROJECT / "generated"
    manifest = tree.parse_marker((root / tree.MARKER).read_bytes())
    assert manifest is not None and not manifest.incomplete
    assert sorted(manifest.files) == sorted(p for p in tree.read_tree(root) if p != tree.MARKER)


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"", "its .generated-by file is not one python main.py writes"),
        (tree.MARKER_HEAD, "its .generated-by file is not one python main.py writes"),
        (tree.MARKER_HEAD + tree.LISTING + b"../outside.txt\n", "its .generated-by file is not one python main.py writes"),
        (tree.MARKER_HEAD + tree.LISTING + b"notes.txt", "its .generated-by file is not one python main.py writes"),
        (tree.LEGACY_MARKER_TEXT, "its .generated-by file is not one python main.py writes"),  # not a tree's shape
    ],
    ids=["empty", "no-listing", "listing-outside", "no-final-newline", "legacy-text-in-another-folder"],
)
def test_a_forged_marker_makes_nothing_deletable(tmp_path, no_synth, capsys, content, why):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("my notes\n")
    (folder / "README.md").write_text("my readme\n")
    (folder / tree.MARKER).write_bytes(content)
    before = snapshot(tmp_path)
    assert run(["--out", str(folder)], capsys) == (1, [], [
        f"error: --out {folder}: holds files python main.py did not write ({why}); refusing to replace them: name a "
        "new or empty folder"])
    assert snapshot(tmp_path) == before


def test_a_file_the_marker_does_not_list_is_refused_and_check_names_it(old_tree, no_synth, capsys):
    out, _ = old_tree
    (out / "stacks" / "dev" / "plan").write_bytes(b"a saved plan without .tfplan\n")
    (out / "notes.txt").write_text("mine\n")
    before = snapshot(out.parent)
    assert run(["--out", str(out)], capsys) == (1, [], [
        f"error: --out {out}: holds files python main.py did not write (not listed in its .generated-by): notes.txt, "
        "stacks/dev/plan; refusing to replace or remove them: move them out of the folder"])
    status, lines, errors = run(["--check", "--out", str(out)], capsys)
    assert (status, lines) == (1, [
        "stale: .generated-by",
        "stale: README.md",
        "orphaned: modules/gone/main.tf.json",
        "foreign: notes.txt (python main.py did not write it, and will not replace it: move it out)",
        "foreign: stacks/dev/plan (python main.py did not write it, and will not replace it: move it out)",
    ])
    assert snapshot(out.parent) == before


def test_many_foreign_files_are_counted(old_tree, no_synth, capsys):
    out, _ = old_tree
    for name in "abcde":
        (out / f"{name}.txt").write_text(name)
    status, _, errors = run(["--out", str(out)], capsys)
    assert (status, errors) == (1, [
        f"error: --out {out}: holds files python main.py did not write (not listed in its .generated-by): a.txt, "
        "b.txt, c.txt and 2 more; refusing to replace or remove them: move them out of the folder"])


def test_the_default_folder_is_held_to_the_same_rule(tmp_path, no_synth, capsys, monkeypatch, produced):
    out = tmp_path / "generated"
    tree.write_tree(out, produced.files)
    (out / "notes.txt").write_text("mine\n")
    monkeypatch.setattr(cli, "DEFAULT_OUT", out)
    before = snapshot(tmp_path)
    status, _, errors = run([], capsys)
    assert (status, errors) == (1, [
        f"error: {out}: holds files python main.py did not write (not listed in its .generated-by): notes.txt; "
        "refusing to replace or remove them: move them out of the folder"])
    assert snapshot(tmp_path) == before


def test_a_tree_with_the_marker_of_before_is_taken_and_given_the_new_marker(tmp_path, no_synth, capsys, produced):
    """generated/ as committed before the marker listed its files: recognised by its shape, rewritten whole."""
    out = tmp_path / "generated"
    tree.write_tree(out, dict(produced.files, **{"modules/gone/main.tf.json": b"{}\n"}))
    (out / tree.MARKER).write_bytes(tree.LEGACY_MARKER_TEXT)
    assert run(["--out", str(out)], capsys)[0] == 0
    assert tree.read_tree(out) == produced.files


def test_with_config_the_other_stacks_files_stay_listed(tmp_path, capsys, produced):
    out = tmp_path / "generated"
    tree.write_tree(out, produced.files)
    dev = str(fixture_environment("dev"))  # produced is the synth of the tests' own environment files
    assert cli.main(["--config", dev, "--out", str(out)]) == 0
    assert tree.read_tree(out) == produced.files
    assert cli.main(["--config", dev, "--out", str(out), "--check"]) == 0


# --- a mount point: file by file ------------------------------------------------------------------------------


@pytest.fixture(params=[errno.EBUSY, errno.EXDEV], ids=["EBUSY", "EXDEV"])
def mount_point(request, monkeypatch):
    """renameat2(RENAME_EXCHANGE) on a mount point answers EBUSY (bind mount) or EXDEV."""
    calls = []

    def refuse(a, b):
        calls.append((a, b))
        return request.param

    monkeypatch.setattr(tree, "_raw_exchange", refuse)
    return calls


def test_on_a_mount_point_only_listed_files_change(old_tree, no_synth, mount_point, capsys, produced):
    out, _ = old_tree
    terraform = out / "stacks" / "dev" / ".terraform" / "providers" / "aws"
    terraform.parent.mkdir(parents=True)
    terraform.write_bytes(b"\x7fELF")
    (out / "stacks" / "dev" / "terraform.tfstate").write_text('{"serial": 9}')
    assert run(["--out", str(out)], capsys) == (0, [f"wrote {len(produced.files)} files to {out}"], [])
    assert mount_point, "the exchange was not tried"
    assert tree.read_tree(out) == produced.files
    assert not (out / "modules" / "gone").exists()
    assert terraform.read_bytes() == b"\x7fELF"
    assert (out / "stacks" / "dev" / "terraform.tfstate").read_text() == '{"serial": 9}'
    assert sorted(p.name for p in out.parent.iterdir()) == ["generated"]


@pytest.mark.parametrize("after", [1, 5, 30])
def test_a_full_mount_point_keeps_the_whole_old_tree(old_tree, no_synth, mount_point, monkeypatch, capsys, after):
    out, _ = old_tree
    before = snapshot(out.parent)
    real = os.write
    writes = []

    def full(fd, data):
        writes.append(fd)
        if len(writes) > after:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd, data)

    monkeypatch.setattr(os, "write", full)
    assert run(["--out", str(out)], capsys) == (1, [], [
        f"error: cannot write {out}: No space left on device; it is unchanged"])
    monkeypatch.undo()
    assert snapshot(out.parent) == before


@pytest.mark.parametrize("failing", [2, 10])
def test_a_switch_that_fails_midway_says_so_and_check_names_it(old_tree, no_synth, mount_point, monkeypatch, capsys,
                                                                produced, failing):
    """The renames need no space; an I/O error can still stop them. The message says how far it got, the marker
    says INCOMPLETE (and lists old and new files, so the next run may take the folder), and a run repairs it."""
    out, old = old_tree
    real = os.replace
    calls = []

    def broken(source, target):
        calls.append(target)
        if len(calls) == failing:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real(source, target)

    monkeypatch.setattr(os, "replace", broken)
    total = len(produced.files) - 1 + 1  # every file but the marker, and the one removed
    assert run(["--out", str(out)], capsys) == (1, [], [
        f"error: cannot write {out}: Input/output error, after {failing - 2} of {total} files were replaced or "
        "removed one by one (a mount point): it holds old and new files, and its .generated-by says so (python "
        "main.py --check lists them); run python main.py again to complete it"])
    monkeypatch.setattr(os, "replace", real)
    manifest = tree.parse_marker((out / tree.MARKER).read_bytes())
    assert manifest == tree.Manifest(frozenset(set(old) | set(produced.files)) - {tree.MARKER}, incomplete=True)
    assert not [p for p in out.rglob("*.part-*")], "part files left behind"
    status, lines, errors = run(["--check", "--out", str(out)], capsys)
    assert status == 1
    assert lines[:2] == ["incomplete: .generated-by says a run stopped midway: old and new files are mixed", "stale: .generated-by"]
    assert run(["--out", str(out)], capsys)[0] == 0
    assert tree.read_tree(out) == produced.files
    assert run(["--check", "--out", str(out)], capsys)[0] == 0


def test_part_files_a_kill_left_are_removed_by_the_next_run(old_tree, no_synth, mount_point, capsys, produced):
    out, _ = old_tree
    (out / "modules" / "msk" / ".main.tf.json.part-k1ll3d_x").write_bytes(b"half")
    status, lines, _ = run(["--check", "--out", str(out)], capsys)
    assert "orphaned: modules/msk/.main.tf.json.part-k1ll3d_x" in lines
    assert run(["--out", str(out)], capsys)[0] == 0
    assert tree.read_tree(out) == produced.files


def test_a_real_mount_point_keeps_a_foreign_file_out(tmp_path, produced, no_synth, capsys):
    """The same on a real tmpfs mount (needs the right to mount, as root in CI containers)."""
    out = tmp_path / "generated"
    out.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "none", str(out)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        tree.write_tree(out, dict(produced.files, **{"modules/gone/main.tf.json": b"{}\n"}))
        assert run(["--out", str(out)], capsys)[0] == 0
        assert tree.read_tree(out) == produced.files
        (out / "notes.txt").write_text("mine\n")
        assert run(["--out", str(out)], capsys)[0] == 1
        assert (out / "notes.txt").read_text() == "mine\n"
    finally:
        subprocess.run(["umount", str(out)], check=True)


# --- .git ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("out", [".git/gen", ".git", "sub/../.git/hooks/gen", ".GIT/x", "into-git/gen"])
def test_out_inside_a_git_folder_is_refused(tmp_path, monkeypatch, capsys, out):
    repository = tmp_path / "repo"
    repository.mkdir()
    subprocess.run(["git", "init", "-q", str(repository)], check=True)
    (repository / "into-git").symlink_to(repository / ".git")
    monkeypatch.chdir(repository)
    before = snapshot(repository)
    assert run(["--out", out], capsys) == (1, [], [
        f"error: --out {out}: is a .git folder or inside one (git's own data); name a new or empty folder, or one "
        "python main.py wrote"])
    assert snapshot(repository) == before


def test_out_inside_this_repository_git_is_refused_from_main_py():
    result = subprocess.run([sys.executable, "main.py", "--out", ".git/generated"], cwd=PROJECT, capture_output=True,
                            text=True, timeout=60)
    assert (result.returncode, result.stderr.splitlines(), result.stdout) == (1, [
        "error: --out .git/generated: is a .git folder or inside one (git's own data); name a new or empty folder, or "
        "one python main.py wrote"], "")


def test_ctrl_c_during_the_switch_waits_for_its_end(old_tree, no_synth, mount_point, monkeypatch, capsys, produced):
    """Ctrl-C while files are renamed one by one would leave them mixed: it is held for the few milliseconds of the
    switch and until the "wrote" line, so it comes after the work: exit 0, the line, the whole new tree in place
    (it used to be exit 130 and "interrupted" with the new tree in place)."""
    import signal

    out, _ = old_tree
    real = os.replace
    calls = []

    def press_ctrl_c_once(source, target):
        calls.append(target)
        if len(calls) == 3:
            os.kill(os.getpid(), signal.SIGINT)
        return real(source, target)

    monkeypatch.setattr(os, "replace", press_ctrl_c_once)
    assert run(["--out", str(out)], capsys) == (0, [f"wrote {len(produced.files)} files to {out}"], [])
    assert len(calls) == len(produced.files) + 1  # the INCOMPLETE marker, every file, the final marker
    monkeypatch.setattr(os, "replace", real)
    assert tree.read_tree(out) == produced.files
