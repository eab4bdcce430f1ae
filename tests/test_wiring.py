"""Typed wiring (generator.model.wiring): a module that reads an input or a local it does not declare fails when it is
built, naming the module, what reads it and the name; shared pieces take the caller's handles and return what they
make.

The reference scanner and the handles are pure Python (generator.model.wiring imports no cdktf); the tests that build a
module use the cdk layer."""

from __future__ import annotations

import json
from typing import Any

import pytest

from generator.language.inputs import Input, InputSet
from generator.language.types import STRING, map_of
from generator.model.wiring import InputRefs, WiringError, template_references, unresolved_references
from tests.conftest import PROJECT

# The module folders of the committed tree (read from disk: importing the modules would start the cdk layer).
COMMITTED_MODULES = sorted(path.name for path in (PROJECT / "generated" / "modules").iterdir() if path.is_dir())


# --- Reading references out of Terraform JSON strings --------------------------------------------------------------
@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("${var.hash_key}", [("var", "hash_key")]),
        ("DynamoDB ${local.table_name}", [("local", "table_name")]),
        # Prose and escaped templates are text, not references.
        ("set var.hash_key $${var.hash_key} %%{if var.x}", []),
        # A string literal inside an expression is text too, but a template inside it is read.
        ('${"var.no" == "${var.yes}"}', [("var", "yes")]),
        # An attribute path that happens to contain `var` is not an input; a resource is read by its address.
        ("${each.value.var.x} ${aws_instance.var.id}", [("resource", "aws_instance.var")]),
        ("table/${aws_dynamodb_table.this.name} ${data.aws_region.current.name} ${one(aws_kms_key.this[*].arn)}",
         [("resource", "aws_dynamodb_table.this"), ("data", "aws_region.current"), ("resource", "aws_kms_key.this")]),
        (
            '${var.create ? { for p in setproduct(local.ports, range(length(var.ids))) : "${p[0]}/${p[1]}" => '
            "{ source = var.ids[p[1]] } } : {}}",
            [("var", "create"), ("local", "ports"), ("var", "ids"), ("var", "ids")],
        ),
        ('${merge({ a = "b\\"${var.q}" }, local.z)}', [("var", "q"), ("local", "z")]),
        ("%{ if var.enabled }on%{ endif }", [("var", "enabled")]),
    ],
)
def test_template_references(template: str, expected: list[tuple[str, str]]) -> None:
    assert list(template_references(template)) == expected


def test_unresolved_references_name_the_reader_and_the_closest_name() -> None:
    document = {
        "variable": {"hash_key": {"type": "string"}, "tags": {"type": "map(string)"}},
        "locals": {"table_name": "${var.hash_key}", "alarms": "${local.tabel_name}"},
        "resource": {"aws_dynamodb_table": {"this": {"hash_key": "${var.hash_kye}", "tags": "${var.tags}"}}},
        "data": {"aws_region": {"current": {"name": "${var.region}"}}},
        "output": {
            "arn": {"value": "${local.module_kms_key_arn}"},
            "table_arn": {"value": "${aws_dynamodb_table.thiss.arn}"},
            "region": {"value": "${data.aws_region.current.name}"},
        },
    }
    assert unresolved_references("dynamodb", document) == [
        "modules/dynamodb: aws_dynamodb_table.this reads var.hash_kye, which is not an input (did you mean hash_key?)",
        "modules/dynamodb: data.aws_region.current reads var.region, which is not an input",
        "modules/dynamodb: local.alarms reads local.tabel_name, which is not a local (did you mean table_name?)",
        "modules/dynamodb: output arn reads local.module_kms_key_arn, which is not a local",
        "modules/dynamodb: output table_arn reads aws_dynamodb_table.thiss, which is not a resource of the module "
        "(did you mean aws_dynamodb_table.this?)",
    ]


def _committed_module(kind: str) -> dict[str, Any]:
    document: dict[str, Any] = {}
    for path in sorted((PROJECT / "generated" / "modules" / kind).glob("*.tf.json")):
        for block_type, named in json.loads(path.read_text(encoding="utf-8")).items():
            if isinstance(named, dict):
                document.setdefault(block_type, {}).update(named)
    return document


@pytest.mark.parametrize("kind", COMMITTED_MODULES)
def test_every_committed_module_reads_only_what_it_declares(kind: str) -> None:
    document = _committed_module(kind)
    assert document["resource"] and document["variable"]
    assert unresolved_references(kind, document) == []
    # The check would notice: drop a local the module reads (its KMS key's, or its first) and it is reported.
    name = "module_kms_key_arn" if "module_kms_key_arn" in document["locals"] else sorted(document["locals"])[0]
    del document["locals"][name]
    problems = unresolved_references(kind, document)
    assert problems and all(f"reads local.{name}, which is not a local" in p for p in problems)


# --- Handles ---------------------------------------------------------------------------------------------------------
_INPUTS = InputSet(
    inputs=(
        Input("hash_key", STRING, "Partition key.", default="id"),
        Input("tags", map_of(STRING), "Tags.", default={}),
    )
)


def test_handles_return_the_reference_of_a_declared_input() -> None:
    inputs = InputRefs.of("dynamodb", _INPUTS)
    assert inputs.hash_key == "var.hash_key"
    assert inputs.ref("tags") == "${var.tags}"


def test_a_misspelled_handle_fails_with_the_module_and_the_closest_input() -> None:
    inputs = InputRefs.of("dynamodb", _INPUTS)
    with pytest.raises(WiringError) as caught:
        inputs.ref("hash_kye")
    assert str(caught.value) == "modules/dynamodb: no input named hash_kye (did you mean hash_key?)"
    with pytest.raises(WiringError) as caught:
        _ = inputs.billing_mode
    assert str(caught.value) == "modules/dynamodb: no input named billing_mode"


# --- Building a module ---------------------------------------------------------------------------------------------
def _broken_table(stack: Any) -> Any:
    from generator.cdk import address, aws, local, string_map

    local(stack, "table_name", "${var.hash_key}-table")
    table = aws.DynamodbTable(
        stack,
        "table",
        name="${local.table_name}",
        billing_mode="PAY_PER_REQUEST",
        hash_key="${var.hash_kye}",  # the misspelling
        tags=string_map("var.tags"),
    )
    address(table, "this")
    return table


def _definition(build: Any, outputs: tuple[Any, ...] = ()) -> Any:
    from generator.model.module import ModuleDefinition

    return ModuleDefinition(name="dynamodb", summary="A broken table.", inputs=_INPUTS, outputs=outputs, build=build)


def test_a_module_reading_a_misspelled_input_fails_when_it_is_built(tmp_path: Any) -> None:
    from generator import cdk
    from generator.model.module import Output, add_module_stack

    definition = _definition(
        _broken_table,
        outputs=(Output("table_arn", "aws_dynamodb_table.this.arn", "ARN."),
                 Output("kms_key_arn", "local.module_kms_key_arn", "Key.")),
    )
    with pytest.raises(WiringError) as caught:
        add_module_stack(cdk.new_app(str(tmp_path)), definition)
    assert str(caught.value).splitlines() == [
        "modules/dynamodb: aws_dynamodb_table.this reads var.hash_kye, which is not an input (did you mean hash_key?)",
        "modules/dynamodb: output kms_key_arn reads local.module_kms_key_arn, which is not a local",
    ]


def test_a_shared_piece_refuses_a_module_without_its_inputs(tmp_path: Any) -> None:
    """modules.shared.network takes the caller's handles: a module that forgot the security group inputs fails
    at the call, naming the first input the piece needs."""
    from generator import cdk
    from generator.model.module import add_module_stack
    from modules.shared.network import security_group

    def build(stack: Any) -> Any:
        table = _broken_table(stack)
        security_group(
            stack, inputs=InputRefs.of("dynamodb", _INPUTS), ports="[6379]", name="local.table_name",
            description="Table", service="Table",
        )
        return table

    with pytest.raises(WiringError) as caught:
        add_module_stack(cdk.new_app(str(tmp_path)), _definition(build))
    assert str(caught.value) == "modules/dynamodb: no input named security_group_name"


def test_an_alarm_definition_reads_only_the_values_its_module_passes() -> None:
    """modules.shared.alarms: a definition's `$slot` is filled from the call; a slot the module does not pass fails
    naming the module, the alarm and the slot (before, the definition read local.number_of_broker_nodes and the
    module had to remember to define it)."""
    from modules.msk.inputs import INPUTS as MSK_INPUTS
    from modules.shared.alarms import MSK_ALARMS, alarms_local

    inputs = InputRefs.of("msk", MSK_INPUTS)
    with pytest.raises(WiringError) as caught:
        alarms_local(MSK_ALARMS, '"MSK"', inputs, {"name": "local.cluster_name"})
    assert str(caught.value) == (
        "modules/msk: alarm disk_used reads $broker_count, which the module does not pass to metric_alarms "
        "(it passes name)"
    )
    filled = alarms_local(MSK_ALARMS, '"MSK"', inputs, {"name": "local.cluster_name", "broker_count": "local.brokers"})
    assert "range(1, local.brokers + 1)" in filled and '"Cluster Name" = local.cluster_name' in filled
    assert "$" not in filled.replace("${", "")


def test_the_synth_stops_before_writing_anything() -> None:
    """generator.synthesis.synth.synthesize, what `python main.py` runs: the broken module fails it, and no file comes out."""
    from generator.synthesis.synth import synthesize

    with pytest.raises(WiringError) as caught:
        synthesize({"dynamodb": _definition(_broken_table)}, [])
    assert str(caught.value) == (
        "modules/dynamodb: aws_dynamodb_table.this reads var.hash_kye, which is not an input (did you mean hash_key?)"
    )


@pytest.mark.parametrize("kind", COMMITTED_MODULES)
def test_each_module_names_its_handles_after_itself(kind: str) -> None:
    """The handles carry the module's name into their messages: a copied resources.py must not speak for another."""
    import importlib

    from generator.model.wiring import module_of
    from modules import all_modules

    definition = all_modules()[kind]
    resources = importlib.import_module(f"modules.{kind}.resources")
    assert module_of(resources.INPUT) == f"modules/{definition.name}"
    assert resources.INPUT.tags == "var.tags"
