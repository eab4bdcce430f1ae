"""The session's Terraform machinery (testkit.terraform): a wrong case among the accepted ones fails its own test
only (planned); the rest without running Terraform: the batch of refused cases places each error on its case (an error in the root names the module call, one inside
a module names the case's own copy of the module), read from `terraform plan -json` lines as Terraform 1.11
prints them; provider processes are reused only when the plugin cache says which binary to start."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from modules import all_modules
from testkit.pytest_terraform import background_terraform
from testkit.terraform import UNDER_TEST, CaseBatch, ModuleCase, _diagnostics_by_call


def _line(summary: str, detail: str, *, filename: str, context: str | None = None, severity: str = "error",
          address: str | None = None) -> str:
    diagnostic = {"severity": severity, "summary": summary, "detail": detail,
                  "range": {"filename": filename, "start": {"line": 1}}}
    if context is not None:
        diagnostic["snippet"] = {"context": context, "code": "", "start_line": 1}
    if address is not None:
        diagnostic["address"] = address
    return json.dumps({"@level": severity, "type": "diagnostic", "diagnostic": diagnostic})


def test_errors_are_placed_on_their_case_by_call_or_by_module_copy():
    output = "\n".join([
        json.dumps({"@level": "info", "type": "version", "terraform": "1.11.4"}),
        _line("Invalid value for variable", "name_prefix must be letters.", filename="main.tf.json",
              context="module.case_12"),
        _line("Resource precondition failed", "hash_key must be declared in attributes.",
              filename="modules/case_1/main.tf.json", context="resource.aws_dynamodb_table.this.lifecycle"),
        _line("Deprecated input", "security_group_ids is deprecated.", filename="modules/case_1/main.tf.json",
              severity="warning"),
        "not json: Terraform's plain lines are skipped",
    ])
    by_case, unplaced = _diagnostics_by_call(output)
    assert by_case == {
        12: ["Error: Invalid value for variable: name_prefix must be letters."],
        1: ["Error: Resource precondition failed: hash_key must be declared in attributes.",
            "Warning: Deprecated input: security_group_ids is deprecated."],
    }
    assert unplaced == []


def test_an_error_that_names_no_case_is_returned_apart():
    output = "\n".join([
        _line("Invalid provider configuration", "region is required.", filename="main.tf.json", context="provider"),
        _line("Value for undeclared variable", "ignored warning", filename="", severity="warning"),
    ])
    assert _diagnostics_by_call(output) == ({}, ["Error: Invalid provider configuration: region is required."])


def test_provider_processes_are_reused_only_from_a_cache_holding_one_provider(tmp_path):
    """Without exactly one hashicorp/aws binary in the plugin cache, every command starts its own provider."""
    from testkit import terraform

    cache = tmp_path / "cache"
    assert terraform.reuse_provider_processes(cache, tmp_path / "providers") is False
    for version in ("5.99.0", "5.100.0"):
        folder = cache / "registry.terraform.io" / "hashicorp" / "aws" / version / "linux_amd64"
        folder.mkdir(parents=True)
        (folder / f"terraform-provider-aws_v{version}_x5").write_bytes(b"")
    assert terraform.reuse_provider_processes(cache, tmp_path / "providers") is False


# --- a bad case fails its own test only -----------------------------------------------------------------------------
# All the accepted cases of every module are one root: a case with an argument the module does not have once failed
# the plan tests of all five modules ("Extraneous JSON object property ... module.case_3").
GOOD = {kind: ModuleCase.of(kind, definition.inputs.example_call()) for kind, definition in all_modules().items()}
WRONG = ModuleCase.of("dynamodb", {**all_modules()["dynamodb"].inputs.example_call(), "no_such_input": 1})


@background_terraform
def batch_with_a_wrong_case(generated_tree: Path, workdir: Path) -> dict[str, Any]:
    batch = CaseBatch(generated_tree / "modules", workdir, [*GOOD.values(), WRONG])
    outcome: dict[str, Any] = {}
    for kind, case in [*GOOD.items(), ("wrong", WRONG)]:
        try:
            outcome[kind] = sorted(c["address"] for c in batch.plan(case)["resource_changes"])
        except AssertionError as refused:
            outcome[kind] = str(refused)
    return outcome


def test_a_wrong_case_fails_only_its_own_test_and_every_other_case_plans(background):
    outcome = background(batch_with_a_wrong_case)
    assert outcome.pop("wrong") == (
        f"terraform refused the dynamodb case {WRONG.arguments_json}: Error: Extraneous JSON object property: "
        'No argument or block type is named "no_such_input".'
    )
    for kind, addresses in outcome.items():
        assert isinstance(addresses, list), f"{kind}: {addresses}"
        assert any(a.startswith(f"{UNDER_TEST}.") for a in addresses), f"{kind}: {addresses}"
