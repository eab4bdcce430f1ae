"""Adoption lives with its module: the engine (generator/commands/adopt.py) finds each module's adopter through module
discovery (ModuleDefinition.adopter, "modules.<kind>.adopt:ADOPTER"), so that adopting a new module touches only that
module's folder; a module without an adopter has its resources forgotten ([[removed]], destroy = false) with a note,
never a traceback. Loading the modules' declarations imports no adopter."""

from __future__ import annotations

import hashlib
import io
import json
import subprocess
import sys
import tomllib
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from generator.adoption.kit import Adopter
from generator.commands import cli
from modules import all_modules
from testkit.project import PROJECT, copy_project

STATE = PROJECT / "tests" / "fixtures" / "adopt_serverless" / "state.show.json"
CACHE = "module.presence.aws_elasticache_serverless_cache.cache"
GROUP = "module.presence.aws_security_group.cache"


def test_loading_the_declarations_imports_no_adopter():
    script = ("import sys\nfrom modules import all_modules\nall_modules()\n"
              "print(sorted(m for m in sys.modules if m.endswith('.adopt') or m.startswith('generator.adoption')))\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=PROJECT, capture_output=True, text=True, check=True)
    assert result.stdout == "[]\n"


# adopt.py is optional (a module without one is forgotten with a note, below): the modules that name one.
@pytest.mark.parametrize("kind", sorted(kind for kind, definition in all_modules().items() if definition.adopter))
def test_each_modules_adopter_recognises_what_the_module_creates(kind):
    definition = all_modules()[kind]
    adopter = definition.load_adopter()
    assert definition.adopter == f"modules.{kind}.adopt:ADOPTER"
    assert isinstance(adopter, Adopter)
    assert set(adopter.main_types) <= set(definition.main_resource_types)


# --- in a copy of the project: a module's folder is all there is to change -------------------------------------------

SMALL_ADOPTER = '''"""A first adopter: the cache moves into the module, and its name and key are kept."""

from generator.adoption.kit import FORCES_NEW, IDENTITY, Adopter, one, split_name
from generator.adoption.statefile import STRING, Object


def _adopt(adopted, report, resources, moved, prefix):
    cache = one(resources, "aws_elasticache_serverless_cache", lambda values: True)
    adopted.source = cache["address"]
    adopted.moves.append((cache["address"], f"module.{adopted.table}.aws_elasticache_serverless_cache.this"))
    moved.add(cache["address"])
    adopted.pin("cache_name", split_name(cache["values"]["name"], prefix)[1], "the cache's name", IDENTITY)
    adopted.pin("kms_key_arn", cache["values"]["kms_key_id"], "the cache's key", FORCES_NEW, None, "kms_key_id")


ADOPTER = Adopter(
    main_types=("aws_elasticache_serverless_cache",),
    adopt=_adopt,
    shapes={"aws_elasticache_serverless_cache": Object({"name": STRING, "kms_key_id": STRING})},
    name=lambda values: values["name"],
)
'''
ADOPTER_LINE = '    adopter="modules.valkeyserverless.adopt:ADOPTER",  # imported by --adopt only: see ModuleDefinition.adopter\n'


def files(project: Path) -> dict[str, str]:
    return {path.relative_to(project).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(project.rglob("*")) if path.is_file() and "__pycache__" not in path.parts}


def run_adopt(project: Path, config: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "main.py", "--adopt", str(STATE), "--config", str(config)], cwd=project,
                          capture_output=True, text=True)


@pytest.fixture(scope="module")
def without_then_with(tmp_path_factory):
    """The project with Valkey Serverless's adopter taken out, adopted; then a small adopter added in its folder,
    adopted again. Returns both runs, their files and the paths the second step changed."""
    project = copy_project(tmp_path_factory.mktemp("adopter") / "project")
    folder = project / "modules" / "valkeyserverless"
    (folder / "adopt.py").unlink()
    declaration = (folder / "__init__.py").read_text()
    assert ADOPTER_LINE in declaration
    (folder / "__init__.py").write_text(declaration.replace(ADOPTER_LINE, ""))
    configs = tmp_path_factory.mktemp("configs")
    without = run_adopt(project, configs / "without.toml")
    before = files(project)
    (folder / "adopt.py").write_text(SMALL_ADOPTER)
    (folder / "__init__.py").write_text(declaration)
    changed = sorted(path for path, digest in files(project).items() if before.get(path) != digest)
    with_adopter = run_adopt(project, configs / "with.toml")
    return without, (configs / "without.toml").read_text(), with_adopter, (configs / "with.toml").read_text(), changed


def test_a_module_without_an_adopter_has_its_resources_forgotten_with_a_note(without_then_with):
    result, text, _, _, _ = without_then_with
    assert "Traceback" not in result.stderr
    document = tomllib.loads(text)
    assert document["removed"] == [{"from": CACHE, "destroy": False}, {"from": GROUP, "destroy": False}]
    assert "presence" not in document and "moved" not in document
    assert (f"note: {CACHE}: the valkeyserverless module creates aws_elasticache_serverless_cache resources but "
            "declares no adopter (ModuleDefinition.adopter, modules/valkeyserverless/adopt.py): --adopt forgets it (destroy = "
            "false) instead of moving it into the module") in result.stdout.splitlines()
    # Nothing left to generate: the written file is said to need a module table, in one line, exit 1.
    assert result.stderr.splitlines()[0].endswith("without.toml: no module tables: add one, such as [dynamodb], for "
                                                  "each module block")
    assert result.returncode == 1


def test_adding_an_adopter_touches_only_the_modules_folder(without_then_with):
    _, _, result, text, changed = without_then_with
    assert changed == ["modules/valkeyserverless/__init__.py", "modules/valkeyserverless/adopt.py"]
    assert "Traceback" not in result.stderr
    document = tomllib.loads(text)
    assert document["presence"] == {
        "module": "valkeyserverless", "cache_name": "presence",
        "kms_key_arn": "arn:aws:kms:ap-northeast-2:123456789012:key/5d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6",
    }
    assert document["moved"] == [{"from": CACHE, "to": "module.presence.aws_elasticache_serverless_cache.this"}]
    # The group: no adopter of this one reads it, so it is forgotten like any resource no module manages.
    assert document["removed"] == [{"from": GROUP, "destroy": False}]


def _adopt_with_engine(tmp_path: Path, engine: str) -> tuple[Path, str]:
    shown = json.loads(STATE.read_text())
    module = shown["values"]["root_module"]["child_modules"][0]
    cache = next(r for r in module["resources"] if r["address"] == CACHE)
    cache["values"]["engine"] = engine
    (tmp_path / "state.json").write_text(json.dumps(shown))
    config = tmp_path / "chat.toml"
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(io.StringIO()):
        cli.main(["--adopt", str(tmp_path / "state.json"), "--config", str(config)])
    return config, out.getvalue()


def test_a_redis_cache_is_adopted_with_its_engine_pinned(tmp_path):
    """A Redis OSS serverless cache (issue 28) is adopted as one: engine = "redis" pinned, so that the plan keeps it;
    engine = "valkey" later moves it in place."""
    config, out = _adopt_with_engine(tmp_path, "redis")
    document = tomllib.loads(config.read_text())
    assert document["presence"]["engine"] == "redis"
    assert {"from": CACHE, "to": "module.presence.aws_elasticache_serverless_cache.this"} in document["moved"]
    assert ('[presence] engine = "redis": the cache runs Redis OSS (engine = "valkey" moves it in place: '
            'docs/redis.md); the module\'s default "valkey" is an in-place change you can make later') in out.splitlines()


def test_a_cache_of_another_engine_is_forgotten_with_a_note(tmp_path):
    """The Valkey Serverless adopter recognises a valkey or redis cache only: another engine's is forgotten, and
    said so."""
    config, out = _adopt_with_engine(tmp_path, "memcached")
    assert (f"note: {CACHE}: the valkeyserverless module adopts aws_elasticache_serverless_cache resources only with "
            "engine valkey or redis: --adopt forgets this one (destroy = false) instead of moving it into the module") \
        in out.splitlines()
    assert tomllib.loads(config.read_text())["removed"] == [{"from": CACHE, "destroy": False},
                                                            {"from": GROUP, "destroy": False}]
