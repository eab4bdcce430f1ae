"""The corpus of bad input: every failure a user can cause is one line per problem, exit 1, and an untouched
output folder. It grows with each kind of mistake found.

- tests/corpus/*.toml: bad environment files, each opening with `# expect: <line>` comments ({file} stands for
  the file as the command names it, {kinds} for the discovered kinds, as messages list them). Run as `python main.py --config <file> --out <a written tree>`.
- CLI_CASES below: bad arguments and bad file names that cannot live in the repository as files.
- Then --check and --diff over a tree someone broke by hand.

All run in-process (generator.commands.cli.main): each of these fails before synthesis, so no case costs a synth.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from generator.commands import cli, pipeline
from generator.synthesis import tree
from generator.config import environments as environments_module
from modules import all_modules
from testkit.project import PROJECT, fixture_environment

CORPUS = PROJECT / "tests" / "corpus"
EXPECT = "# expect: "


def snapshot(root: Path) -> dict[str, tuple[int, str]]:
    return {
        p.relative_to(root).as_posix(): (p.lstat().st_mode, hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "")
        for p in sorted(root.rglob("*"))
    }


@pytest.fixture
def written(tmp_path, produced, monkeypatch) -> Path:
    """A tree an earlier run wrote, and the project as the working folder (messages name files from it)."""
    monkeypatch.chdir(PROJECT)
    out = tmp_path / "generated"
    tree.write_tree(out, produced.files)
    return out


def run(args: list[str], capsys) -> tuple[int, list[str], str]:
    status = cli.main(args)
    captured = capsys.readouterr()
    return status, captured.err.splitlines(), captured.out


CORPUS_FILES = sorted(CORPUS.glob("*.toml"))


def test_the_corpus_is_there():
    assert len(CORPUS_FILES) >= 19


# A case whose expected message lists the kinds reads the whole list of them.
@pytest.mark.parametrize("case", [
    pytest.param(p, id=p.stem, marks=[pytest.mark.every_kind] if "{kinds}" in p.read_text() else [])
    for p in CORPUS_FILES
])
def test_corpus(case, written, capsys):
    shown = case.relative_to(PROJECT).as_posix()
    expected = [
        "error: " + line[len(EXPECT):].replace("{file}", shown).replace("{kinds}", ", ".join(sorted(all_modules())))
        for line in case.read_text().splitlines()
        if line.startswith(EXPECT)
    ]
    assert expected, f"{case.name} has no `{EXPECT}` line"
    before = snapshot(written.parent)
    status, errors, out = run(["--config", shown, "--out", str(written)], capsys)
    assert (status, errors, out) == (1, expected, "")
    assert snapshot(written.parent) == before


RULE = 'must be 1 to 63 lowercase letters, digits, "-" and "_", starting with a letter (it names the folder generated/stacks/<name>)'


@pytest.mark.parametrize(
    ("file_name", "message"),
    [
        ("my env.toml", f'the environment name "my env" {RULE}'),
        ("de*v.toml", f'the environment name "de*v" {RULE}'),
        ("dev[1].toml", f'the environment name "dev[1]" {RULE}'),
        ("...toml", f'the environment name ".." {RULE}'),
        ("Dev.toml", f'the environment name "Dev" {RULE}'),
        ("dev.yaml", "an environment file is named <environment>.toml"),
    ],
)
def test_environment_file_names(tmp_path, written, capsys, file_name, message):
    folder = tmp_path / "environments"
    folder.mkdir()
    bad = folder / file_name
    bad.write_text(fixture_environment("dev").read_text())
    before = snapshot(written.parent)
    status, errors, out = run(["--config", str(bad), "--out", str(written)], capsys)
    assert (status, errors, out) == (1, [f"error: {bad.as_posix()}: {message}"], "")
    assert snapshot(written.parent) == before


def test_a_file_named_to_write_over_the_index_in_environments_is_refused(tmp_path, written, capsys, monkeypatch):
    """`environments/...toml` used to become the stack `..`, written over the tree's own index."""
    environments = tmp_path / "environments"
    environments.mkdir()
    (environments / "dev.toml").write_text(fixture_environment("dev").read_text())
    (environments / "...toml").write_text(fixture_environment("dev").read_text())
    monkeypatch.setattr(environments_module, "ENVIRONMENTS", environments)
    before = snapshot(written.parent)
    status, errors, _ = run(["--out", str(written)], capsys)
    assert (status, errors) == (1, [f'error: environments/...toml: the environment name ".." {RULE}'])
    assert snapshot(written.parent) == before


CLI_CASES = [
    (["--config", "environments"], "error: environments: is a folder; name an environment file such as environments/dev.toml"),
    (["--config", "environments/nowhere.toml"], "error: environments/nowhere.toml: no such file"),
    (["--config", "tests/corpus"], "error: tests/corpus: is a folder; name an environment file such as environments/dev.toml"),
]


@pytest.mark.parametrize(("args", "message"), CLI_CASES, ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_bad_arguments(written, capsys, args, message):
    before = snapshot(written.parent)
    status, errors, out = run([*args, "--out", str(written)], capsys)
    assert (status, errors, out) == (1, [message], "")
    assert snapshot(written.parent) == before


def test_an_environment_file_that_is_not_text(tmp_path, written, capsys):
    binary = tmp_path / "dev.toml"
    binary.write_bytes(b"name_prefix = \"\xff\xfe\"\n")
    status, errors, _ = run(["--config", str(binary), "--out", str(written)], capsys)
    assert (status, errors) == (1, [f"error: {binary.as_posix()}: cannot be read: not UTF-8 text (byte 15)"])


def test_an_unreadable_environment_file(tmp_path, written, capsys, monkeypatch):
    # The tests may run as root, for whom chmod 000 changes nothing: the read itself fails as it would.
    unreadable = tmp_path / "dev.toml"
    unreadable.write_text("")
    real = os.open

    def denied(path, *args, **kwargs):
        if Path(path) == unreadable:
            raise PermissionError(13, os.strerror(13), str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", denied)  # the call environments.read_file opens the file with
    status, errors, _ = run(["--config", str(unreadable), "--out", str(written)], capsys)
    assert (status, errors) == (1, [f"error: {unreadable.as_posix()}: cannot be read: Permission denied"])


@pytest.fixture
def no_synth(monkeypatch, produced):
    monkeypatch.setattr(pipeline, "produce", lambda files=None, existing=None, modules=None: produced)


BROKEN = {
    "modules/msk/main.tf.json": (b'{"resource": {', "not valid JSON (Expecting property name enclosed in double quotes: line 1 column 15 (char 14))"),
    "stacks/dev/main.tf.json": (b"\xff\xfe\x00\x01binary", "not UTF-8 text"),
    "stacks/prod/outputs.tf.json": (b"[1, 2]\n", "not a Terraform JSON object of blocks"),
}


def test_diff_over_hand_broken_and_binary_files_reports_them(written, no_synth, capsys):
    for path, (content, _) in BROKEN.items():
        (written / path).write_bytes(content)
    (written / "modules" / "dynamodb" / "README.md").write_bytes(b"\x00\xff\xfe")
    before = snapshot(written.parent)
    status, errors, out = run(["--diff", "--out", str(written)], capsys)
    assert status == 1 and errors == []
    assert out.splitlines() == [
        "modules/dynamodb:",
        "  ~ README.md (documentation)",
        "modules/msk:",
        f"  ! main.tf.json: {BROKEN['modules/msk/main.tf.json'][1]}; a fresh synth replaces it",
        "stacks/dev:",
        f"  ! main.tf.json: {BROKEN['stacks/dev/main.tf.json'][1]}; a fresh synth replaces it",
        "stacks/prod:",
        f"  ! outputs.tf.json: {BROKEN['stacks/prod/outputs.tf.json'][1]}; a fresh synth replaces it",
        "0 added, 0 removed, 3 changed, 1 documentation files updated",
    ]
    assert snapshot(written.parent) == before


def test_check_over_hand_broken_and_binary_files_reports_them(written, no_synth, capsys):
    for path, (content, _) in BROKEN.items():
        (written / path).write_bytes(content)
    status, errors, out = run(["--check", "--out", str(written)], capsys)
    assert status == 1
    assert out.splitlines() == [f"stale: {p}" for p in sorted(BROKEN)]
    assert errors == [f"error: {written.as_posix()} is out of date: run python main.py and commit the result"[len("error: "):]]


PRECHECKED = ["nan", "huge-integer", "datetime-as-string", "deep-nesting-beyond-the-parser"]


def test_values_no_module_takes_are_refused_before_the_jsii_runtime_starts():
    """NaN and friends never reach the jsii runtime: the command refuses them before it even starts."""
    import subprocess
    import sys

    script = (
        "import sys; from generator.commands import cli\n"
        f"codes = [cli.main(['--config', f'tests/corpus/{{name}}.toml', '--check']) for name in {PRECHECKED!r}]\n"
        "print(codes, 'jsii' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=PROJECT, capture_output=True, text=True)
    assert result.stdout.splitlines() == [f"{[1] * len(PRECHECKED)} False"], result.stderr
    assert len(result.stderr.splitlines()) == len(PRECHECKED)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--check", "--diff"], "argument --diff: not allowed with argument --check"),
        (["--bogus"], "unrecognized arguments: --bogus"),
        (["--config"], "argument --config: expected one argument"),
    ],
)
def test_usage_mistakes_are_one_line_and_exit_1(args, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(args)
    assert exit_.value.code == 1
    assert capsys.readouterr().err.splitlines() == [f"error: {message} (see python main.py --help)"]
