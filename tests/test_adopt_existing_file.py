"""`--adopt STATE --config FILE` into an environment file that already has tables (the README's own command with the
team's file): what the file says is kept, no pin is added beside a key it contradicts (the module's own checks
decide; one problem names both keys, or the adopter reconciles the two when they say the same), each comment stays
with its table, and a second run changes nothing.

The state is the estate's (tests/fixtures/estate); the files are tests/fixtures/adopt_existing: existing.toml, the
team's file, and expected.toml / expected.out, what --adopt makes of it, word for word."""

from __future__ import annotations

import io
import re
import shutil
import tomllib
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from generator.commands import cli

FIXTURES = Path(__file__).resolve().parent / "fixtures"
STATE = FIXTURES / "estate" / "state.show.json"
EXISTING = FIXTURES / "adopt_existing"


def adopt(config: Path) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(["--adopt", str(STATE), "--config", str(config)])
    said = f"exit {code}\n--- stdout\n{out.getvalue()}--- stderr\n{err.getvalue()}"
    return code, said.replace(str(config.parent), "<folder>")


@pytest.fixture(scope="module")
def twice(tmp_path_factory) -> tuple[str, str, str, str]:
    """existing.toml adopted once, then the written file adopted again: (first text, first messages, second text,
    second messages)."""
    folder = tmp_path_factory.mktemp("existing")
    config = folder / "prod.toml"
    shutil.copyfile(EXISTING / "existing.toml", config)
    _, first_said = adopt(config)
    first = config.read_text()
    _, second_said = adopt(config)
    return first, first_said, config.read_text(), second_said


def test_the_written_file_and_messages_as_committed(twice):
    first, said, _, _ = twice
    assert first == (EXISTING / "expected.toml").read_text()
    assert said == (EXISTING / "expected.out").read_text()


def test_a_second_adopt_changes_nothing(twice):
    first, said, second, second_said = twice
    assert second == first  # byte for byte
    problems = [line for line in said.splitlines() if line.startswith("problem: ")]
    assert [line for line in second_said.splitlines() if line.startswith("problem: ")] == problems


def following_headers(text: str) -> dict[str, str]:
    """Each comment line → the table header it stands above (the next header after it)."""
    lines = text.splitlines()
    headers = {}
    for number, line in enumerate(lines):
        if line.startswith("#"):
            headers[line] = next((later for later in lines[number + 1:] if re.fullmatch(r"\[\[?[a-z_]+\]\]?", later)),
                                 "(end)")
    return headers


def test_each_comment_stays_with_its_table(twice):
    existing = (EXISTING / "existing.toml").read_text()
    first = twice[0]
    assert following_headers(first) == following_headers(existing)
    # And directly above it, as the team wrote it: nothing was added between a comment and its header.
    for comment, header in following_headers(existing).items():
        if header != "(end)" and f"{comment}\n{header}\n" in existing:
            assert f"{comment}\n{header}\n" in first


def test_no_pin_contradicts_a_key_of_the_file(twice):
    first, said, _, _ = twice
    document = tomllib.loads(first)
    # The state's group runs without cluster mode (3 nodes); the file says cluster mode: one problem, no pin.
    assert "num_cache_clusters" not in document["elasticache_recommend"]
    assert document["elasticache_recommend"]["num_node_groups"] == 3
    assert ("problem: [elasticache_recommend] num_cache_clusters = 3 (what the state holds) contradicts your "
            "num_node_groups = 3: num_cache_clusters must not be set together with num_node_groups (cluster mode "
            "sizes the group by shards and replicas). Not pinned: remove num_node_groups from [elasticache_recommend] "
            "to keep what AWS runs, then run --adopt again; or keep it and read what the plan changes") \
        in said.splitlines()
    # The configuration's text holds the same properties as the file's server_properties: those win, with a note.
    assert "server_properties_text" not in document["msk"]
    assert ("note: [msk] server_properties_text: not pinned: your server_properties are the configuration's "
            "properties, which the module writes as sorted key=value lines: a new revision of the configuration, "
            "which the cluster takes with a rolling restart of the brokers (an in-place change)") in said.splitlines()


def test_properties_that_differ_are_one_problem_naming_both_keys(tmp_path):
    config = tmp_path / "prod.toml"
    shutil.copyfile(EXISTING / "other_properties.toml", config)
    code, said = adopt(config)
    text = config.read_text()
    msk = tomllib.loads(text)["msk"]
    assert "server_properties_text" not in msk and msk["server_properties"] == {"min.insync.replicas": "1"}
    problems = [line for line in said.splitlines() if "server_properties" in line and line.startswith("problem: ")]
    assert problems == [
        'problem: [msk] server_properties_text = "auto.create.topics.enable=false\\ndefault.replication.factor=3\\n'
        'min.insync.replicas=2\\n" (what the state holds) contradicts your server_properties = {"min.insync.replicas": '
        '"1"}: server_properties_text must not be set together with server_properties (the text is the whole '
        'configuration). Not pinned: remove server_properties from [msk] to keep what AWS runs, then run --adopt '
        'again; or keep it and read what the plan changes'
    ]
    assert code == 1
    # The values every call shares go to the top of the file, above the comment of its first table.
    assert text.startswith("# Only the event bus so far; its broker properties as the team wants them.\n\n"
                           'name_prefix = "mapzip-prod-"\nregion = "ap-northeast-2"\n')
    assert '"subnet-0a1b2c3d4e5f60003"]\n\n# The event bus.\n[msk]\n' in text


def test_a_top_level_value_the_state_contradicts_is_pinned_on_each_table(tmp_path):
    """The file's vpc_id is another VPC than the one the state's groups are in: the file keeps its own, and each
    table that takes a VPC gets the state's (another VPC replaces the groups)."""
    config = tmp_path / "prod.toml"
    config.write_text((EXISTING / "existing.toml").read_text().replace(
        'vpc_id = "vpc-0a1b2c3d4e5f60718"', 'vpc_id = "vpc-0ffffffffffffffff"'))
    adopt(config)
    document = tomllib.loads(config.read_text())
    assert document["vpc_id"] == "vpc-0ffffffffffffffff"
    assert {table: document[table].get("vpc_id") for table in ("elasticache_auth", "elasticache_recommend", "msk",
                                                                "dynamodb")} == {
        "elasticache_auth": "vpc-0a1b2c3d4e5f60718", "elasticache_recommend": "vpc-0a1b2c3d4e5f60718",
        "msk": "vpc-0a1b2c3d4e5f60718", "dynamodb": None}


@pytest.mark.parametrize("text, got", [("msk = 1\n", "1"), ('[[msk]]\ncluster_name = "events"\n', '[{"cluster_name": "events"}]')])
def test_a_table_the_file_has_as_another_value_is_one_line(tmp_path, text, got):
    config = tmp_path / "prod.toml"
    config.write_text(text)
    code, said = adopt(config)
    assert re.fullmatch(r"exit 1\n--- stdout\n--- stderr\nerror: <folder>/prod\.toml: msk: must be a table, written "
                        rf"\[msk\], for the module call msk of \S*tests/fixtures/estate/state\.show\.json; got "
                        rf"{re.escape(got)}\n", said), said
    assert config.read_text() == text  # nothing written
