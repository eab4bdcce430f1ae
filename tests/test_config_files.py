"""--config reads only a regular file of at most 1 MiB: a FIFO used to hang the command, a `.toml` symlink to
/dev/zero to read until MemoryError. And no message repeats more than 200 characters of what the user wrote,
however long it is. Each case: one line, exit 1, nothing written.

The FIFO and the device run `python main.py` in a subprocess (with a timeout: a hang fails the test instead of
hanging the suite); the rest run in-process through generator.commands.cli.main.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from generator.commands import cli
from generator.synthesis import tree
from generator.language.types import MAX_SHOWN
from testkit.project import PROJECT

HEAD = (
    'name_prefix = "mapzip-lab-"\nregion = "ap-northeast-2"\nvpc_id = "vpc-0a1b2c3d4e5f60718"\n'
    'subnet_ids = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"]\n'
)
DYNAMODB = '\n[dynamodb]\ntable_name = "reviews"\nhash_key = "review_id"\nattributes = [{ name = "review_id", type = "S" }]\n'
DEVICE = "name an environment file such as environments/dev.toml"


def snapshot(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "folder"
        for p in sorted(root.rglob("*"))
        if not p.is_symlink() and (p.is_file() or p.is_dir())
    }


@pytest.fixture
def written(tmp_path, produced) -> Path:
    out = tmp_path / "out" / "generated"
    tree.write_tree(out, produced.files)
    return out


def main_py(args: list[str], timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "main.py", *args], cwd=PROJECT, capture_output=True, text=True, timeout=timeout)


def test_a_fifo_is_refused_at_once(tmp_path, written):
    fifo = tmp_path / "dev.toml"
    os.mkfifo(fifo)
    before = snapshot(written.parent)
    result = main_py(["--config", str(fifo), "--out", str(written)], timeout=20)
    assert (result.returncode, result.stderr.splitlines(), result.stdout) == (
        1, [f"error: {fifo}: cannot be read: is a named pipe (FIFO), not a regular file; {DEVICE}"], "")
    assert snapshot(written.parent) == before


def test_a_symlink_to_dev_zero_is_refused_without_reading_it(tmp_path, written):
    link = tmp_path / "dev.toml"
    link.symlink_to("/dev/zero")
    before = snapshot(written.parent)
    result = main_py(["--config", str(link), "--out", str(written)], timeout=20)
    assert (result.returncode, result.stderr.splitlines(), result.stdout) == (
        1, [f"error: {link}: cannot be read: is a character device, not a regular file; {DEVICE}"], "")
    assert snapshot(written.parent) == before


def test_a_socket_is_refused(tmp_path, written, capsys):
    path = tmp_path / "dev.toml"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        status = cli.main(["--config", str(path), "--out", str(written)])
    finally:
        server.close()
    assert (status, capsys.readouterr().err.splitlines()) == (
        1, [f"error: {path}: cannot be read: is a socket, not a regular file; {DEVICE}"])


def test_a_file_over_1_mib_is_refused(tmp_path, written, capsys):
    big = tmp_path / "dev.toml"
    big.write_text(HEAD + DYNAMODB + "# " + "x" * 2**20 + "\n")
    size = big.stat().st_size
    before = snapshot(written.parent)
    assert cli.main(["--config", str(big), "--out", str(written)]) == 1
    assert capsys.readouterr().err.splitlines() == [f"error: {big}: cannot be read: larger than 1 MiB ({size} bytes)"]
    assert snapshot(written.parent) == before


def test_a_file_of_exactly_1_mib_is_read(tmp_path, written, capsys, monkeypatch):
    """The limit is the size, not a round figure below it: a 1 MiB file is read (and here refused for its value)."""
    text = HEAD + DYNAMODB + "read_capacity = -1\n# "
    exact = tmp_path / "dev.toml"
    exact.write_text(text + "x" * (2**20 - len(text) - 1) + "\n")
    assert exact.stat().st_size == 2**20
    assert cli.main(["--config", str(exact), "--out", str(written), "--check"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"error: {exact}: [dynamodb] read_capacity: must be a whole number between 1 and 40000, got -1"]


def test_a_file_that_grows_while_read_is_cut_at_the_limit(tmp_path, written, capsys, monkeypatch):
    """fstat said small, the read finds more (a file appended to): reading stops at the limit."""
    grows = tmp_path / "dev.toml"
    grows.write_text(HEAD + DYNAMODB)
    real = os.fstat

    def small(fd):
        info = real(fd)
        return os.stat_result((info.st_mode, *info[1:6], 10, *info[7:]))

    monkeypatch.setattr(os, "fstat", small)
    grows.write_text(HEAD + DYNAMODB + "# " + "x" * 2**21)
    assert cli.main(["--config", str(grows), "--out", str(written)]) == 1
    assert capsys.readouterr().err.splitlines() == [f"error: {grows}: cannot be read: larger than 1 MiB"]


def test_a_folder_named_like_a_file_is_still_a_folder(tmp_path, written, capsys):
    folder = tmp_path / "dev.toml"
    folder.mkdir()
    assert cli.main(["--config", str(folder), "--out", str(written)]) == 1
    assert capsys.readouterr().err.splitlines() == [f"error: {folder}: is a folder; {DEVICE}"]


def test_a_dangling_symlink_is_no_such_file(tmp_path, written, capsys):
    link = tmp_path / "dev.toml"
    link.symlink_to(tmp_path / "gone.toml")
    assert cli.main(["--config", str(link), "--out", str(written)]) == 1
    assert capsys.readouterr().err.splitlines() == [f"error: {link}: no such file"]


def test_a_fifo_among_the_environment_files_is_refused(tmp_path, written, monkeypatch, capsys):
    """Without --config, every environments/*.toml is read: a FIFO there is refused the same way."""
    from generator.config import environments

    folder = tmp_path / "environments"
    folder.mkdir()
    (folder / "dev.toml").write_text(HEAD + DYNAMODB)
    os.mkfifo(folder / "prod.toml")
    monkeypatch.setattr(environments, "ENVIRONMENTS", folder)
    assert cli.main(["--out", str(written)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"error: environments/prod.toml: cannot be read: is a named pipe (FIFO), not a regular file; {DEVICE}"]


# --- what a message repeats -----------------------------------------------------------------------------------


def cut(text: str) -> str:
    return f"{text[:MAX_SHOWN]}… ({len(text) - MAX_SHOWN} more characters)"


def test_a_value_of_almost_1_mib_is_repeated_cut(tmp_path, written, capsys):
    value = "a" * 1_000_000
    config = tmp_path / "dev.toml"
    config.write_text(HEAD + DYNAMODB + f'[dynamodb.tags]\nNote = "{value}"\n')
    before = snapshot(written.parent)
    assert cli.main(["--config", str(config), "--out", str(written)]) == 1
    errors = capsys.readouterr().err.splitlines()
    assert errors == [f"error: {config}: [dynamodb] tags: must have tag values of at most 256 characters, got "
                      f"Note = {cut(chr(34) + value + chr(34))} (1000000 characters)"]
    assert len(errors[0]) < 1300
    assert snapshot(written.parent) == before


def test_a_key_of_almost_1_mib_is_refused_and_cut(tmp_path, written, capsys):
    key = "k" * 1_000_000
    config = tmp_path / "dev.toml"
    config.write_text(HEAD + DYNAMODB + f"[dynamodb.tags]\n{key} = 1\n")
    assert cli.main(["--config", str(config), "--out", str(written)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"error: {config}: [dynamodb] {cut('tags.' + key)}: a key longer than 256 characters; no input, tag "
        "or parameter has a name that long"]


def test_a_4300_digit_integer_is_repeated_cut(tmp_path, written, capsys):
    """The longest integer Python converts reaches the size check, whose message quotes it cut."""
    digits = "9" * 4300
    config = tmp_path / "dev.toml"
    config.write_text(HEAD + DYNAMODB + f"read_capacity = {digits}\n")
    assert cli.main(["--config", str(config), "--out", str(written)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"error: {config}: [dynamodb] read_capacity: must be at most 9007199254740991 in size (a larger number is "
        f"rounded on its way to Terraform), got {cut(digits)}"]


def test_short_values_are_repeated_whole():
    from generator.language.types import literal

    assert literal("x" * MAX_SHOWN) == cut('"' + "x" * MAX_SHOWN + '"')  # the quotes count
    assert literal("x" * (MAX_SHOWN - 2)) == '"' + "x" * (MAX_SHOWN - 2) + '"'
    assert literal({"a": [1, 2]}) == '{"a": [1, 2]}'


def test_a_long_out_or_config_name_is_repeated_cut(tmp_path, capsys):
    """A command-line value is a user value too: up to 128 KiB on Linux, cut like any other."""
    long = str(tmp_path / ("x" * 5000))
    assert cli.main(["--out", long]) == 1
    assert capsys.readouterr().err.splitlines() == [f"error: --out {cut(long)}: cannot be used: File name too long"]
    assert cli.main(["--config", long + ".toml", "--check"]) == 1
    assert capsys.readouterr().err.splitlines() == [f"error: {cut(long + '.toml')}: cannot be read: File name too long"]
    assert cli.main(["--config", long + "/dev.toml", "--check"]) == 1
    assert capsys.readouterr().err.splitlines() == [f"error: {cut(long + '/dev.toml')}: cannot be read: File name too long"]
