"""The module contract (testkit/contract.py) on every discovered module and on the tests' example module, and the
discovery that finds them: a module is a folder. No Terraform; the modules are read from the committed generated/
JSON, the example module from its one synth."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import tomlkit

from generator.config import environments
from generator.synthesis import synth
from generator.model.discovery import discover, module_folders
from generator.language.inputs import InputError
from generator.synthesis.normalize import MODULE_FILES
from modules import all_modules
from testkit import contract
from tests.conftest import PROJECT

MODULES = all_modules()
EXAMPLES_FOLDER = PROJECT / "tests" / "fixtures" / "example_modules"
EXAMPLES = discover(EXAMPLES_FOLDER, "tests.fixtures.example_modules")
EVERY_KIND = {**MODULES, **EXAMPLES}

# Inputs known to break the description rule (default null, and the text does not say what null does): none. A new
# one fails the test below, naming it.
DESCRIPTIONS_TO_FIX: dict[str, set[str]] = {}


def committed_documents(kind: str) -> dict[str, dict]:
    folder = PROJECT / "generated" / "modules" / kind
    return {name: json.loads((folder / name).read_text()) for name in MODULE_FILES}


# --- discovery --------------------------------------------------------------------------------------------------------
def test_every_module_folder_is_discovered_and_generated():
    """generated/modules/ holds exactly the discovered modules; shared/ and the tests' example are not modules."""
    generated = sorted(p.name for p in (PROJECT / "generated" / "modules").iterdir() if p.is_dir())
    assert sorted(MODULES) == generated == ["dynamodb", "elasticache", "msk", "mskserverless", "valkeyserverless"]
    assert list(MODULES) == sorted(MODULES)  # deterministic: by folder name


def test_the_example_module_is_discovered_from_its_folder():
    assert list(EXAMPLES) == ["example_queue"]
    assert EXAMPLES["example_queue"].main_resource_types == ("aws_sqs_queue",)


def _package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, folders: dict[str, str]) -> Path:
    """A throwaway modules package `name` under tmp_path, importable for the test's duration."""
    root = tmp_path / name
    root.mkdir()
    for folder, init in folders.items():
        (root / folder).mkdir()
        if init is not None:
            (root / folder / "__init__.py").write_text(textwrap.dedent(init))
    monkeypatch.syspath_prepend(str(tmp_path))  # each test names its own package: nothing it imports is reused
    return root


DECLARED = """\
from generator.language.inputs import InputSet
from generator.model.module import ModuleDefinition
MODULE = ModuleDefinition(name={name!r}, summary="s", inputs=InputSet(inputs=()), outputs=(), build=lambda stack: None,
                          main_resource_types={types!r})
"""


def test_discovery_skips_shared_private_folders_and_plain_folders(tmp_path, monkeypatch):
    root = _package(tmp_path, monkeypatch, "mods_skip", {
        "queue": DECLARED.format(name="queue", types=("aws_sqs_queue",)),
        "shared": "",  # what several modules build alike
        "_draft": "",
        "notes": None,  # no __init__.py: not a package
    })
    assert [p.name for p in module_folders(root)] == ["queue"]
    assert list(discover(root, "mods_skip")) == ["queue"]


def test_discovery_names_each_broken_declaration(tmp_path, monkeypatch):
    root = _package(tmp_path, monkeypatch, "mods_broken", {
        "nothing": "X = 1\n",
        "renamed": DECLARED.format(name="other", types=("aws_sqs_queue",)),
        "untyped": DECLARED.format(name="untyped", types=()),
        "backend": DECLARED.format(name="backend", types=("aws_sqs_queue",)),
    })
    with pytest.raises(InputError) as caught:
        discover(root, "mods_broken")
    assert caught.value.problems == [
        "mods_broken/backend/__init__.py: the folder name 'backend' must be lowercase letters, digits and \"_\", "
        "starting with a letter, and none of tags, backend, moved, removed, import, aws, module (it names "
        "environment tables and module blocks)",
        "mods_broken/nothing/__init__.py: must declare MODULE = ModuleDefinition(...), got NoneType",
        "mods_broken/renamed/__init__.py: MODULE.name must be the folder's name 'renamed', got 'other'",
        "mods_broken/untyped/__init__.py: MODULE.main_resource_types must name the resource types the module "
        "exists for",
    ]


# --- a kind with "_" is reachable from an environment file ----------------------------------------------------------
def test_a_table_reaches_the_longest_kind_it_starts_with():
    kinds = ["valkey", "valkey_serverless", "msk"]
    assert environments.kind_of("valkey_serverless", {}, kinds) == "valkey_serverless"
    assert environments.kind_of("valkey_serverless_sessions", {}, kinds) == "valkey_serverless"
    assert environments.kind_of("valkey_sessions", {}, kinds) == "valkey"
    assert environments.kind_of("valkeyx", {}, kinds) == "valkeyx"  # reported as unknown by the caller
    assert environments.kind_of("events", {"module": "msk"}, kinds) == "msk"


HEAD = 'name_prefix = "mapzip-dev-"\nregion = "ap-northeast-2"\n'


def test_an_environment_reaches_a_module_named_with_an_underscore(tmp_path):
    """Before discovery, a table's kind was the word before its first "_": [example_queue_orders] was the unknown
    kind "example"."""
    path = tmp_path / "dev.toml"
    path.write_text(HEAD + '[example_queue_orders]\nqueue_name = "orders"\n\n[example_queue]\nqueue_name = "audit"\n')
    env = environments.load(path, EVERY_KIND, "environments/dev.toml")
    assert [(call.name, call.kind) for call in env.modules] == [
        ("example_queue_orders", "example_queue"), ("example_queue", "example_queue")]


def test_an_unknown_kind_still_names_the_kinds(tmp_path):
    path = tmp_path / "dev.toml"
    path.write_text(HEAD + '[example_orders]\nqueue_name = "orders"\n')
    with pytest.raises(InputError) as caught:
        environments.load(path, EVERY_KIND, "environments/dev.toml")
    assert caught.value.problems == [
        'environments/dev.toml: [example_orders]: unknown module kind "example" (did you mean example_queue?); '
        "name the table after one of "
        "dynamodb, elasticache, example_queue, msk, mskserverless, valkeyserverless (such as dynamodb_main) or set module = \"…\""
    ]


# --- the contract, on every module --------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", sorted(MODULES))
def test_kind_is_usable_from_an_environment_file(kind, tmp_path):
    """[<kind>] and [<kind>_main] reach the module, and a table of its required inputs' examples loads."""
    assert contract.kind_problems(kind, EVERY_KIND) == []
    definition = MODULES[kind]
    required = {spec.name: spec.example for spec in definition.inputs.inputs if spec.required}
    assert None not in required.values(), f"{kind}: every required input declares an example"
    path = tmp_path / "dev.toml"
    path.write_text(HEAD + tomlkit.dumps({f"{kind}_main": required}))
    env = environments.load(path, MODULES, "environments/dev.toml")
    assert [(call.name, call.kind) for call in env.modules] == [(f"{kind}_main", kind)]


@pytest.mark.parametrize("kind", sorted(MODULES))
def test_every_input_is_documented(kind):
    """DESCRIPTION_RULE, on the declarations and the committed variable blocks."""
    variables = committed_documents(kind)["variables.tf.json"]["variable"]
    found = contract.description_problems(kind, MODULES[kind].inputs.inputs, variables)
    assert sorted(found) == sorted(
        f"{kind}: input {name}: default null, but the description does not say what null does: "
        f"{MODULES[kind].inputs.by_name[name].description.strip()!r}"
        for name in DESCRIPTIONS_TO_FIX.get(kind, ())
    )


@pytest.mark.parametrize("kind", sorted(MODULES))
def test_every_reference_is_declared(kind):
    documents = committed_documents(kind)
    assert contract.reference_problems(kind, documents) == []
    # The scan sees the module's expressions: each of its inputs is read somewhere (else it is dead).
    read = {ref for doc in documents.values() for what, ref in contract.references(doc) if what == "var"}
    assert read == set(MODULES[kind].input_names())


def test_an_undeclared_reference_is_named():
    documents = committed_documents("msk")
    main = json.loads(json.dumps(documents["main.tf.json"]))
    main["resource"]["aws_msk_cluster"]["this"]["cluster_name"] = "${var.clustr_name}-${local.nope} $${var.literal}"
    assert contract.reference_problems("msk", {**documents, "main.tf.json": main}) == [
        "msk: main.tf.json reads local.nope, but the module declares no local value nope",
        "msk: main.tf.json reads var.clustr_name, but the module declares no variable clustr_name",
    ]


def test_an_undocumented_null_default_is_named():
    from generator.language.inputs import Input
    from generator.language.types import STRING

    spec = Input("topic_arn", STRING, "SNS topic.", default=None)
    assert contract.description_problems("m", [spec], {"topic_arn": {"default": None}}) == [
        "m: input topic_arn: default null, but the description does not say what null does: 'SNS topic.'"]
    said = Input("topic_arn", STRING, "SNS topic. Default: none (no notifications).", default=None)
    assert contract.description_problems("m", [said], {"topic_arn": {"default": None}}) == []


# --- the example module: discovered, synthesized once, held to the same contract -----------------------------------
@pytest.fixture(scope="module")
def example_tree(tmp_path_factory) -> dict[str, bytes]:
    """One synth: the example module and a stack that calls it as [example_queue_orders]."""
    path = tmp_path_factory.mktemp("example") / "dev.toml"
    path.write_text(HEAD + '[example_queue_orders]\nqueue_name = "orders"\n')
    env = environments.load(path, EVERY_KIND, "environments/dev.toml")
    return synth.synthesize(EXAMPLES, [env])


def test_the_example_module_synthesizes(example_tree):
    main = json.loads(example_tree["modules/example_queue/main.tf.json"])
    queue = main["resource"]["aws_sqs_queue"]["this"]
    assert queue["name"] == "${var.name_prefix}${var.queue_name}"
    assert queue["sqs_managed_sse_enabled"] == "${var.kms_key_arn == null}"
    stack = json.loads(example_tree["stacks/dev/main.tf.json"])
    assert stack["module"]["example_queue_orders"]["source"] == "../../modules/example_queue"
    outputs = json.loads(example_tree["stacks/dev/outputs.tf.json"])["output"]
    assert outputs["example_queue_orders_queue_url"]["value"] == "${module.example_queue_orders.queue_url}"


def test_the_example_module_keeps_the_contract(example_tree):
    documents = {name: json.loads(example_tree[f"modules/example_queue/{name}"]) for name in MODULE_FILES}
    definition = EXAMPLES["example_queue"]
    assert contract.kind_problems("example_queue", EVERY_KIND) == []
    assert contract.description_problems("example_queue", definition.inputs.inputs,
                                         documents["variables.tf.json"]["variable"]) == []
    assert contract.reference_problems("example_queue", documents) == []
