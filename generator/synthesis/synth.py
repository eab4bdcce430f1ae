"""The pure part of the pipeline: module definitions and environments in, {relative path: bytes} out.

Every consumer (write, --check, --diff, the tests) works on this one mapping, so they cannot disagree.
"""

from __future__ import annotations

from typing import Any, Mapping

from generator import cdk
from generator.model import versions
from generator.config.environments import Environment, secret_variable
from generator.model.module import ModuleDefinition, add_module_stack, stack_id
from generator.synthesis.normalize import MODULE_FILES, escape_templates, serialize, split


def module_source(kind: str) -> str:
    return f"../../modules/{kind}"


def add_root_stack(app: Any, environment: Environment, modules: Mapping[str, ModuleDefinition]) -> None:
    stack = cdk.root_stack(
        app,
        f"stack-{environment.name}",
        aws_constraint=versions.AWS_PROVIDER,
        terraform_constraint=versions.TERRAFORM_ROOT,
        region=environment.region,
        default_tags=escape_templates(environment.tags),
        # Not escaped: Terraform reads backend settings as literal strings, never as templates (a "$${" would
        # reach the backend doubled).
        backend=environment.backend,
    )
    moves: list[tuple[str, str]] = []  # module addresses that changed with the inputs (ModuleDefinition.moves)
    for call in environment.modules:
        definition = modules[call.kind]
        arguments = escape_templates(call.arguments)
        for input_name in call.secrets:
            spec = definition.inputs.by_name[input_name]
            variable = secret_variable(call.name, input_name)
            cdk.variable(
                stack,
                variable,
                type=spec.type.hcl(),
                description=f"{input_name} of module.{call.name}, supplied when you apply (TF_VAR_{variable}); "
                f"never written to a file. {spec.description}",
                has_default=False,
                sensitive=True,
                nullable=False,
            )
            arguments[input_name] = "${var." + variable + "}"
        for input_name, table, output, many in call.references:
            # Another table's module output (user_group = "<table>"): known at apply, created first.
            wired = "${module." + table + "." + output + "}"
            arguments[input_name] = [wired] if many else wired
        arguments = {name: arguments[name] for name in definition.inputs.names() if name in arguments}
        cdk.module_call(stack, call.name, source=module_source(call.kind), arguments=arguments)
        if definition.moves is not None:
            moves += [(f"module.{call.name}.{a}", f"module.{call.name}.{b}") for a, b in definition.moves(call.values)]
        for output_name in definition.exported:
            out = next(o for o in definition.outputs if o.name == output_name)
            cdk.output(
                stack,
                f"{call.name}_{output_name}",
                expression=f"module.{call.name}.{output_name}",
                description=f"module.{call.name}: {out.description}",
                sensitive=out.sensitive,
            )
    _add_address_moves(stack, environment, moves)


def _add_address_moves(stack: Any, environment: Environment, module_moves: list[tuple[str, str]]) -> None:
    """[[moved]] / [[removed]] / [[import]] entries of the environment file, and the moves of module addresses that
    changed with the inputs → `moved`, `removed` (destroy = false) and `import` blocks, each kind in one override
    (a second override of the same key would replace the first)."""
    imports = [(target, escape_templates(identity)) for target, identity in environment.imports]
    moved = [*environment.moved, *(move for move in module_moves if move not in environment.moved)]
    cdk.address_moves(stack, moved=moved, removed=environment.removed, imports=imports)


def synthesize(modules: Mapping[str, ModuleDefinition], environments: list[Environment]) -> dict[str, bytes]:
    with cdk.scratch_outdir() as outdir:
        app = cdk.new_app(outdir)
        for definition in modules.values():
            add_module_stack(app, definition)
        for environment in environments:
            add_root_stack(app, environment, modules)
        stacks = cdk.synth(app, outdir)
    files: dict[str, bytes] = {}
    for definition in modules.values():
        for name, document in split(stacks[stack_id(definition)], always=MODULE_FILES).items():
            files[f"modules/{definition.name}/{name}"] = serialize(document)
    for environment in environments:
        for name, document in split(stacks[f"stack-{environment.name}"]).items():
            files[f"stacks/{environment.name}/{name}"] = serialize(document)
    return dict(sorted(files.items()))
