"""The tree writer's steps on their own (generator/synthesis/tree.py), so that a broken step cannot hide behind another: the
atomic swap (on Linux, renameat2(RENAME_EXCHANGE) swaps two folders in one step; when it cannot, the writer falls
back to replacing files one by one, tested in test_hardening_output.py), the order a staging folder is filled in,
and the names of the files the fallback writes beside their targets."""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

import pytest

from generator.synthesis import tree


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")
def test_linux_exchange_swaps_two_folders_in_one_step(tmp_path):
    exchange = tree._exchange_function()
    assert exchange is not None
    old, new = tmp_path / "generated", tmp_path / "staging"
    old.mkdir()
    new.mkdir()
    (old / "a.txt").write_text("old")
    (new / "a.txt").write_text("new")
    assert exchange(new, old) == 0  # the system call's answer: 0, or its errno
    assert (old / "a.txt").read_text() == "new"
    assert (new / "a.txt").read_text() == "old"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")
def test_exchange_with_a_missing_folder_is_an_error_not_a_fallback(tmp_path):
    (tmp_path / "here").mkdir()
    assert tree._raw_exchange(tmp_path / "here", tmp_path / "missing") == errno.ENOENT
    with pytest.raises(FileNotFoundError):
        tree._exchange(tmp_path / "here", tmp_path / "missing")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")
def test_exchange_of_relative_paths(tmp_path, monkeypatch):
    # `--out generated` gives relative paths: they are read from the working folder.
    monkeypatch.chdir(tmp_path)
    for name, text in (("generated", "old"), ("staging", "new")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "a.txt").write_text(text)
    assert tree._exchange_function()(Path("staging"), Path("generated")) == 0
    assert (tmp_path / "generated" / "a.txt").read_text() == "new"


def test_staging_is_filled_marker_first(tmp_path, monkeypatch):
    # A staging folder left by a kill is recognised as ours from its first file on.
    written = []
    original = Path.write_bytes
    monkeypatch.setattr(Path, "write_bytes", lambda self, data: (written.append(self.name), original(self, data))[1])
    files = {"a/main.tf.json": b"{}", "0.md": b"x", "+early.md": b"x"}
    files[tree.MARKER] = tree.marker(files)
    tree._fill(tmp_path / "staging", files)
    assert written == [tree.MARKER, "+early.md", "0.md", "main.tf.json"]  # first even before what sorts before it


def test_fallback_writes_each_file_beside_its_target_as_a_part_file(tmp_path, monkeypatch):
    root = tmp_path / "generated"
    (root / "a").mkdir(parents=True)
    (root / "a" / "main.tf.json").write_text("old")
    (root / tree.MARKER).write_bytes(tree.marker({"a/main.tf.json"}))
    renamed = []
    original = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: (renamed.append((Path(a), Path(b))), original(a, b))[1])
    complete = {"a/main.tf.json": b"{}"}
    complete[tree.MARKER] = tree.marker(complete)
    tree._replace_in_place(root, complete, {"a/main.tf.json", tree.MARKER})
    # The INCOMPLETE marker first, then the file from its part beside it, then the final marker.
    assert [target for _, target in renamed] == [root / tree.MARKER, root / "a" / "main.tf.json", root / tree.MARKER]
    part, target = renamed[1]
    assert part.parent == target.parent and part.name.startswith(".main.tf.json.part-")
    assert tree.LEFTOVER_PART.fullmatch(part.name)
    assert (root / "a" / "main.tf.json").read_text() == "{}"
    assert (root / tree.MARKER).read_bytes() == tree.marker({"a/main.tf.json"})
