"""The tree writer's atomic swap (generator/tree.py, _exchange_function): on Linux, renameat2(RENAME_EXCHANGE)
swaps two folders in one step; when it cannot, the writer falls back to replacing files one by one (tested in
test_hardening_output.py). Here the swap itself, so that a broken call cannot hide behind the fallback."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from generator import tree


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
