"""The tree writer's steps on their own (generator/synthesis/tree.py), so that a broken step cannot hide behind another: the
atomic swap (on Linux, renameat2(RENAME_EXCHANGE) swaps two folders in one step; when it cannot, the writer falls
back to replacing files one by one, tested in test_hardening_output.py), the order a staging folder is filled in,
and the names of the files the fallback writes beside their targets."""

from __future__ import annotations

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
    assert exchange(new, old) is True
    assert (old / "a.txt").read_text() == "new"
    assert (new / "a.txt").read_text() == "old"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")
def test_exchange_with_a_missing_folder_is_an_error_not_a_fallback(tmp_path):
    exchange = tree._exchange_function()
    (tmp_path / "here").mkdir()
    with pytest.raises(FileNotFoundError):
        exchange(tmp_path / "here", tmp_path / "missing")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="renameat2 is Linux's")
def test_exchange_of_relative_paths(tmp_path, monkeypatch):
    # `--out generated` gives relative paths: they are read from the working folder.
    monkeypatch.chdir(tmp_path)
    for name, text in (("generated", "old"), ("staging", "new")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "a.txt").write_text(text)
    assert tree._exchange_function()(Path("staging"), Path("generated")) is True
    assert (tmp_path / "generated" / "a.txt").read_text() == "new"


def test_staging_is_filled_marker_first(tmp_path, monkeypatch):
    # A staging folder left by a kill is recognised as ours from its first file on.
    written = []
    original = Path.write_bytes
    monkeypatch.setattr(Path, "write_bytes", lambda self, data: (written.append(self.name), original(self, data))[1])
    files = {"a/main.tf.json": b"{}", tree.MARKER: tree.MARKER_TEXT, "0.md": b"x", "+early.md": b"x"}
    tree._fill(tmp_path / "staging", files)
    assert written == [tree.MARKER, "+early.md", "0.md", "main.tf.json"]  # first even before what sorts before it


def test_fallback_writes_each_file_beside_its_target_as_a_part_file(tmp_path, monkeypatch):
    staging, root = tmp_path / "staging", tmp_path / "generated"
    (staging / "a").mkdir(parents=True)
    (staging / "a" / "main.tf.json").write_text("{}")
    root.mkdir()
    renamed = []
    original = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: (renamed.append((Path(a), Path(b))), original(a, b))[1])
    tree._replace_in_place(staging, root, {"a/main.tf.json"})
    [(part, target)] = renamed
    assert target == root / "a" / "main.tf.json" and part.parent == target.parent
    assert part.name.startswith(".main.tf.json.part-")
    assert (root / "a" / "main.tf.json").read_text() == "{}"
