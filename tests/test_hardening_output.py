"""The output folder: nothing outside it is ever touched, it always holds a whole tree, and its bytes and modes
depend only on the sources."""

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
from generator.language.types import clip
from testkit.project import PROJECT, copy_project, fixture_config_args, fixture_environment


def snapshot(root: Path) -> dict[str, tuple[int, str]]:
    """Every entry under root, with its mode and content hash (folders and links included)."""
    found = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        if stat.S_ISREG(info.st_mode):
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        elif stat.S_ISLNK(info.st_mode):
            digest = "-> " + os.readlink(path)
        else:
            digest = "folder"
        found[path.relative_to(root).as_posix()] = (info.st_mode, digest)
    return found


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("copy") / "project")
    (project / "notes.txt").write_text("my notes\n")
    return project


@pytest.mark.parametrize(
    ("out", "message"),
    [
        (".", "error: --out .: is the project folder or holds it; name a new or empty folder, or one python main.py wrote"),
        ("", 'error: --out "": names no folder; give the folder to write, such as --out generated'),
        ("..", "error: --out ..: is the project folder or holds it; name a new or empty folder, or one python main.py wrote"),
        ("environments", "error: --out environments: is the folder of the environment files; name a new or empty "
                         "folder, or one python main.py wrote"),
        ("environments/", "error: --out environments/: is the folder of the environment files; name a new or empty "
                          "folder, or one python main.py wrote"),
        ("notes.txt", "error: --out notes.txt: is a file, not a folder; refusing to replace it"),
        ("modules", "error: --out modules: holds files python main.py did not write (no .generated-by file); refusing "
                    "to replace them: name a new or empty folder"),
    ],
)
def test_refused_out_leaves_the_project_byte_for_byte(project_copy, out, message):
    before = snapshot(project_copy.parent)
    result = subprocess.run([sys.executable, "main.py", "--out", out], cwd=project_copy, capture_output=True, text=True)
    assert (result.returncode, result.stderr.splitlines(), result.stdout) == (1, [message], "")
    assert snapshot(project_copy.parent) == before


def test_a_folder_this_tool_wrote_an_empty_one_and_a_new_one_are_accepted(tmp_path, produced):
    written = tmp_path / "written"
    tree.write_tree(written, produced.files)
    assert (written / tree.MARKER).read_bytes() == tree.marker(produced.files)
    (tmp_path / "empty").mkdir()
    for name in ("written", "empty", "new/deeper"):
        assert tree.check_output(str(tmp_path / name), PROJECT) == (tmp_path / name).resolve()
    # A tree written before the marker existed is recognised by its shape.
    legacy = tmp_path / "legacy"
    tree.write_tree(legacy, {p: b for p, b in produced.files.items()})
    (legacy / tree.MARKER).unlink()
    assert tree.written_by_us(legacy)
    (legacy / "notes.txt").write_text("mine")
    assert not tree.written_by_us(legacy)


def test_the_writer_itself_refuses_a_folder_it_did_not_write(tmp_path, produced):
    (tmp_path / "mine.txt").write_text("mine")
    with pytest.raises(tree.UnsafeOutput):
        tree.write_tree(tmp_path, produced.files)
    assert [p.name for p in tmp_path.iterdir()] == ["mine.txt"]


class Killed(BaseException):
    """What a kill -9 looks like from inside: the process stops at that step (finally blocks aside)."""


SWAP_STEPS = ("rename", "replace", "rmtree", "_exchange")


def _kill_at(monkeypatch, step: int) -> list[str]:
    calls: list[str] = []

    def wrap(name, real):
        def wrapped(*args, **kwargs):
            calls.append(name)
            if len(calls) == step:
                raise Killed(name)
            return real(*args, **kwargs)
        return wrapped

    monkeypatch.setattr(os, "rename", wrap("rename", os.rename))
    monkeypatch.setattr(os, "replace", wrap("replace", os.replace))
    monkeypatch.setattr(tree.shutil, "rmtree", wrap("rmtree", tree.shutil.rmtree))
    if getattr(tree, "_raw_exchange", None) is not None:
        monkeypatch.setattr(tree, "_raw_exchange", wrap("_exchange", tree._raw_exchange))
    return calls


@pytest.mark.parametrize("step", [1, 2, 3])
def test_a_kill_at_any_step_of_the_swap_leaves_a_whole_tree(tmp_path, produced, monkeypatch, step):
    out = tmp_path / "generated"
    tree.write_tree(out, produced.files)
    new = dict(produced.files, **{"README.md": b"new index\n", "modules/msk/main.tf.json": b"{}\n"})
    calls = _kill_at(monkeypatch, step)
    try:
        tree.write_tree(out, new)
    except Killed:
        pass
    monkeypatch.undo()
    assert tree.read_tree(out) in (dict(produced.files), new), f"after a kill at {calls[-1:]}"


def test_leftovers_of_an_interrupted_run_are_removed_and_git_ignored(tmp_path, produced):
    import fcntl

    out = tmp_path / "generated"
    tree.write_tree(out, produced.files)
    leftover = tmp_path / ".generated.staging-killed"  # killed while filling: the marker is written first
    (leftover / "modules").mkdir(parents=True)
    (leftover / tree.MARKER).write_bytes(tree.marker(["modules/half.json"]))
    (leftover / "modules" / "half.json").write_text("{")
    (tmp_path / ".generated.staging-empty").mkdir()  # killed right after creating it
    theirs = tmp_path / ".generated.staging-notes"  # a name like ours, but not ours: outside the output, kept
    theirs.mkdir()
    (theirs / "notes.txt").write_text("mine")
    busy = tmp_path / ".generated.staging-running"  # another run, still alive, holds its lock
    busy.mkdir()
    fd = os.open(busy, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        tree.write_tree(out, produced.files)
    finally:
        os.close(fd)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".generated.staging-notes", ".generated.staging-running", "generated"]
    assert (theirs / "notes.txt").read_text() == "mine"
    ignored = subprocess.run(["git", "check-ignore", "-q", ".generated.staging-x1y2/"], cwd=PROJECT)
    assert ignored.returncode == 0, "staging folders must be git-ignored"


def test_without_an_atomic_exchange_files_are_replaced_one_by_one(tmp_path, produced, monkeypatch):
    monkeypatch.setattr(tree, "_raw_exchange", None)
    out = tmp_path / "generated"
    tree.write_tree(out, dict(produced.files, **{"modules/gone/main.tf.json": b"{}"}))
    (out / "stacks" / "dev" / "terraform.tfstate").write_text('{"serial": 7}')
    changed = dict(produced.files, **{"README.md": b"changed\n"})
    tree.write_tree(out, changed)
    assert tree.read_tree(out) == changed
    assert not (out / "modules" / "gone").exists()
    assert (out / "stacks" / "dev" / "terraform.tfstate").read_text() == '{"serial": 7}'


def test_terraform_files_in_a_stack_survive_regeneration_and_are_not_drift(tmp_path, produced):
    """The README says `cd generated/stacks/dev && terraform init && terraform apply`: a local backend's state,
    the providers and the lock file live there, and regenerating must not delete them."""
    out = tmp_path / "generated"
    tree.write_tree(out, produced.files)
    dev = out / "stacks" / "dev"
    theirs = {
        "terraform.tfstate": b'{"serial": 3}',
        "terraform.tfstate.backup": b'{"serial": 2}',
        ".terraform.lock.hcl": b"# lock\n",
        "plan.tfplan": b"PK\x03\x04",
        ".terraform/providers/registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64/terraform-provider-aws": b"\x7fELF",
    }
    for name, content in theirs.items():
        (dev / name).parent.mkdir(parents=True, exist_ok=True)
        (dev / name).write_bytes(content)
    assert tree.read_tree(out) == produced.files
    assert not tree.compare(tree.read_tree(out), produced.files)
    tree.write_tree(out, dict(produced.files, **{"README.md": b"changed\n"}))
    assert {name: (dev / name).read_bytes() for name in theirs} == theirs


def test_modes_do_not_depend_on_the_umask(tmp_path, produced):
    previous = os.umask(0o077)
    try:
        tree.write_tree(tmp_path / "out", produced.files)
    finally:
        os.umask(previous)
    modes = {stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "out").rglob("*") if p.is_file()}
    folders = {stat.S_IMODE(p.stat().st_mode) for p in [tmp_path / "out", *(tmp_path / "out").rglob("*")] if p.is_dir()}
    assert (modes, folders) == ({0o644}, {0o755})


def test_a_stack_readme_names_its_file_relative_to_the_project_wherever_the_command_runs(tmp_path, monkeypatch, produced):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert cli.main(["--config", str(fixture_environment("dev")), "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "stacks" / "dev" / "README.md").read_bytes() == produced.files["stacks/dev/README.md"]


@pytest.fixture
def no_synth(monkeypatch, produced):
    """cli.main without synthesis: these tests are about what happens around it."""
    monkeypatch.setattr(pipeline, "produce", lambda files=None, existing=None, modules=None: produced)


@pytest.mark.parametrize(("code", "reason"), [(errno.ENOSPC, "No space left on device"), (errno.EROFS, "Read-only file system")])
def test_a_full_or_read_only_disk_is_one_line_and_the_tree_is_untouched(tmp_path, produced, no_synth, monkeypatch, capsys, code, reason):
    out = tmp_path / "out"
    tree.write_tree(out, dict(produced.files, **{"README.md": b"old\n"}))
    before = snapshot(tmp_path)
    real = Path.write_bytes
    written = []

    def fail(self, data):
        written.append(self)
        if len(written) == 3:
            raise OSError(code, os.strerror(code), str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", fail)
    assert cli.main(["--out", str(out)]) == 1
    assert capsys.readouterr().err.splitlines() == [f"error: cannot write {out.as_posix()}: {reason}; it is unchanged"]
    assert snapshot(tmp_path) == before


def test_ctrl_c_is_one_line_exit_130_and_the_tree_is_untouched(tmp_path, produced, no_synth, monkeypatch, capsys):
    out = tmp_path / "out"
    tree.write_tree(out, dict(produced.files, **{"README.md": b"old\n"}))
    before = snapshot(tmp_path)
    real = Path.write_bytes
    written = []

    def interrupt(self, data):
        written.append(self)
        if len(written) == 3:
            raise KeyboardInterrupt
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", interrupt)
    assert cli.main(["--out", str(out)]) == 130
    assert capsys.readouterr().err.splitlines() == [
        f"interrupted: {out} holds a complete tree; leftovers are cleaned on the next run"
    ]
    assert snapshot(tmp_path) == before


def test_ctrl_c_during_synthesis(tmp_path, monkeypatch, capsys):
    def interrupt(files=None, existing=None, modules=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "produce", interrupt)
    assert cli.main(["--out", str(tmp_path / "out")]) == 130
    assert capsys.readouterr().err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_out_names_that_cannot_be_folders(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "loop-a").symlink_to(tmp_path / "loop-b")
    (tmp_path / "loop-b").symlink_to(tmp_path / "loop-a")
    cases = {
        str(tmp_path / "notes.txt" / "sub"): "is inside notes.txt, which is a file, not a folder",
        str(tmp_path / ("x" * 300)): "cannot be used: File name too long",
        str(tmp_path / "loop-a"): f"cannot be used: Symlink loop from '{tmp_path / 'loop-a'}'",
    }
    before = snapshot(tmp_path)
    for out, reason in cases.items():
        assert cli.main(["--out", out]) == 1
        assert capsys.readouterr().err.splitlines() == [f"error: --out {clip(out)}: {reason}"]  # cut past 200
    assert snapshot(tmp_path) == before


def test_ctrl_c_in_a_terminal_is_one_line_whenever_it_lands(tmp_path, produced):
    """The terminal sends SIGINT to the whole process group, Node (the jsii runtime) included: its death must not
    add tracebacks below the one line, and the tree stays whole."""
    import signal
    import time

    out = tmp_path / "out"
    old = dict(produced.files, **{"README.md": b"old\n"})
    tree.write_tree(out, old)
    interrupted = 0
    for delay in (1.0, 2.5):
        process = subprocess.Popen([sys.executable, "main.py", *fixture_config_args(), "--out", str(out)], cwd=PROJECT, start_new_session=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        os.killpg(process.pid, signal.SIGINT)
        stdout, stderr = process.communicate()
        if process.returncode == 0:
            continue  # finished before the signal
        interrupted += 1
        assert (process.returncode, stderr.splitlines(), stdout) == (
            130, [f"interrupted: {out} holds a complete tree; leftovers are cleaned on the next run"], "")
        assert tree.read_tree(out) in (old, dict(produced.files))
    assert interrupted, "no run was still going when the signal came"


def test_ctrl_c_after_the_tree_is_written_leaves_quietly_with_success(tmp_path, produced):
    """Ctrl-C that lands once the tree is written and said (while the jsii runtime stops its Node process and Python
    winds down) interrupts nothing: exit 0, nothing on stderr (it used to print tracebacks of the interrupted
    shutdown, or die of the signal), the new tree in place."""
    import signal

    out = tmp_path / "out"
    tree.write_tree(out, dict(produced.files, **{"README.md": b"old\n"}))
    for _ in range(3):
        process = subprocess.Popen([sys.executable, "main.py", *fixture_config_args(), "--out", str(out)], cwd=PROJECT, start_new_session=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        said = process.stdout.readline()
        os.killpg(process.pid, signal.SIGINT)
        rest, stderr = process.communicate()
        assert (process.returncode, said + rest, stderr) == (0, f"wrote {len(produced.files)} files to {out}\n", "")
        assert tree.read_tree(out) == dict(produced.files)


def test_an_output_folder_that_is_a_mount_point(tmp_path, produced):
    """A container's bind mount (generated/ mounted from the host) can be neither exchanged nor renamed into:
    the writer falls back to replacing file by file inside it. Needs the right to mount (root in CI containers)."""
    out = tmp_path / "generated"
    out.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "none", str(out)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        tree.write_tree(out, dict(produced.files, **{"modules/gone/main.tf.json": b"{}"}))
        (out / "stacks" / "dev" / "terraform.tfstate").write_text("{}")
        changed = dict(produced.files, **{"README.md": b"changed\n"})
        tree.write_tree(out, changed)
        assert tree.read_tree(out) == changed
        assert (out / "stacks" / "dev" / "terraform.tfstate").exists()
        assert sorted(p.name for p in tmp_path.iterdir()) == ["generated"]
    finally:
        subprocess.run(["umount", str(out)], check=True)


@pytest.fixture
def small_disk(tmp_path, produced):
    """A real file system with room for one tree (in 4 KiB pages, as tmpfs counts them, and a half more), not for the
    staging copy beside it. Sized from the tree itself, which grows with the modules."""
    pages = sum(-(-len(content) // 4096) for content in produced.files.values())
    size_kib = pages * 4 * 3 // 2
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kib}k", "none", str(disk)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    yield disk
    subprocess.run(["umount", str(disk)], check=True)


@pytest.mark.parametrize(("remount", "reason"), [(None, "No space left on device"), ("remount,ro", "Read-only file system")])
def test_a_real_full_or_read_only_disk(small_disk, produced, no_synth, capsys, remount, reason):
    out = small_disk / "generated"
    tree.write_tree(out, dict(produced.files, **{"README.md": b"old\n"}))
    if remount:
        subprocess.run(["mount", "-o", remount, str(small_disk)], check=True)
    before = snapshot(small_disk)
    assert cli.main(["--out", str(out)]) == 1
    assert capsys.readouterr().err.splitlines() == [f"error: cannot write {out.as_posix()}: {reason}; it is unchanged"]
    assert snapshot(small_disk) == before
