"""What a Terraform module is made of here, and how one becomes a CDK stack.

A module folder under modules/ declares a `ModuleDefinition`: its inputs (generator.language.inputs), a `build` function
that creates its resources in a stack, and its outputs. `add_module_stack` turns the definition into a stack
through the thin cdk layer: one `variable` block per input (with its `validation` blocks), the resources, the
cross-input checks as `precondition`s on the main resource, and one `output` block per output; then it checks
that every `var.`, `local.` and resource the module reads is declared (generator.model.wiring).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from generator.language import expr
from generator.model import versions
from generator.language.inputs import InputSet
from generator.model.wiring import WiringError, unresolved_references


@dataclass(frozen=True)
class Output:
    name: str
    expression: str  # a Terraform expression, without "${}"
    description: str
    sensitive: bool = False


@dataclass(frozen=True)
class ModuleDefinition:
    name: str  # the folder under generated/modules/ and the kind an environment table names
    summary: str  # one paragraph for the README: what the module creates
    inputs: InputSet
    outputs: tuple[Output, ...]
    # Creates the resources in the stack and returns the main one (address `this`), which carries the
    # preconditions. Given as "package.resources:build" so that loading a module's declaration (to check an
    # environment file, render docs or run the rule tests) imports no cdktf and starts no Node: the resources
    # module, which builds through generator.cdk, is imported at the first synth.
    build: str | Callable[[Any], Any]
    # Outputs an environment's root re-exports for services (endpoints, ARNs, bootstrap brokers).
    exported: tuple[str, ...] = ()
    # Resource addresses inside the module that changed in a way that depends on the inputs (for_each keys), as
    # (from, to) pairs for a call with these resolved values. A module's own `moved` blocks cannot depend on its
    # inputs; a root that knows the values literally (an environment's stack) writes these.
    moves: Callable[[Mapping[str, Any]], list[tuple[str, str]]] | None = None
    # The resource types the module exists for (its cluster, table or cache, and the security group and log groups
    # it guards them with): the security gate fails a stack where checkov did not evaluate one of them.
    main_resource_types: tuple[str, ...] = ()
    # The ports the module's security group opens for these input values, for --adopt (which rules of an existing
    # group the module's own rules take over); None when the module has no security group to adopt.
    ingress_ports: Callable[[Mapping[str, Any]], list[int]] | None = None
    # How --adopt recognises the module's resources in an existing state and pins its inputs: a
    # generator.adoption.kit.Adopter, given as "modules.<kind>.adopt:ADOPTER" and imported only by --adopt (as
    # `build` is at synth), so that loading the declaration imports nothing more. None: the module's resources are
    # forgotten by --adopt ([[removed]], with a note), never moved.
    adopter: str | None = None

    def __post_init__(self) -> None:
        names = {o.name for o in self.outputs}
        assert set(self.exported) <= names, f"{self.name}: exported outputs must be declared outputs"

    def builder(self) -> Callable[[Any], Any]:
        if callable(self.build):
            return self.build
        module, _, function = self.build.partition(":")
        return getattr(importlib.import_module(module), function)

    def load_adopter(self) -> Any:
        """The module's generator.adoption.kit.Adopter, imported now; None when it declares none."""
        if self.adopter is None:
            return None
        module, _, name = self.adopter.partition(":")
        return getattr(importlib.import_module(module), name)

    def input_names(self) -> list[str]:
        return self.inputs.names()


def add_module_stack(app: Any, definition: ModuleDefinition) -> Any:
    from generator import cdk  # the thin layer starts the jsii runtime: only when a module is built

    stack = cdk.module_stack(
        app,
        stack_id(definition),
        aws_constraint=versions.AWS_PROVIDER,
        terraform_constraint=versions.TERRAFORM_MODULE,
    )
    for spec in definition.inputs.inputs:
        cdk.variable(
            stack,
            spec.name,
            type=spec.type.hcl(),
            description=spec.description,
            default=None if spec.required else spec.default,
            has_default=not spec.required,
            sensitive=spec.sensitive,
            nullable=spec.is_nullable,
            validation=spec.validation_blocks(),
        )
    main = definition.builder()(stack)
    declare_context(stack, definition)
    cdk.precondition(
        main,
        [
            {"condition": "${" + check.hcl + "}", "error_message": check.terraform_message()}
            for check in definition.inputs.checks
            if check.hcl is not None
        ],
    )
    for out in definition.outputs:
        cdk.output(stack, out.name, expression=out.expression, description=out.description, sensitive=out.sensitive)
    check_references(definition, stack)
    return stack


def declare_context(stack: Any, definition: ModuleDefinition) -> None:
    """The data sources and locals through which the module's checks read where it is applied (expr.Context: the
    provider's region and partition), once each."""
    from generator import cdk

    declared: set[str] = set()
    for check in definition.inputs.checks:
        if check.when is None:
            continue
        for local in check.when.locals():
            if local.name in declared or not expr.contexts(local.definition):
                continue
            for context in expr.contexts(local.definition):
                if context.data_source not in declared:
                    cdk.data_source(stack, context.data_source)
                    declared.add(context.data_source)
            cdk.local(stack, local.name, local.declaration())
            declared.add(local.name)


def check_references(definition: ModuleDefinition, stack: Any) -> None:
    """Every `var.`, `local.` and resource address the module's resources, locals, outputs and validations read is
    declared: a misspelling fails here, at synth, before anything is written, naming the module, the reader and the
    name, instead of at `terraform validate` on the written tree."""
    from generator import cdk

    problems = unresolved_references(definition.name, cdk.stack_document(stack))
    if problems:
        raise WiringError(problems)


def stack_id(definition: ModuleDefinition) -> str:
    return f"module-{definition.name}"
