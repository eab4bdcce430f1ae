"""READMEs for the generated tree, rendered with Jinja2 from templates/.

Templates only loop and print: every value is prepared here, from the same declarations (and the same
synthesized JSON) that produce the Terraform files, so documentation and code cannot disagree.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable, Mapping

import jinja2

from generator.model import versions
from generator.config.environments import Environment, secret_variable
from generator.language.inputs import Input
from generator.model.module import ModuleDefinition
from generator.language.types import exact

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
REGENERATE = "python main.py"


def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def cell(text: str) -> str:
    """A Markdown table cell: pipes escaped, one line."""
    return text.replace("|", "\\|").replace("\n", " ")


def hcl_literal(value: Any, indent: int = 0) -> str:
    if isinstance(value, dict):
        if not value:
            return "{}"
        pad = "  " * (indent + 1)
        body = "\n".join(f"{pad}{json.dumps(k) if not k.isidentifier() else k} = {hcl_literal(v, indent + 1)}" for k, v in value.items())
        return "{\n" + body + "\n" + "  " * indent + "}"
    if isinstance(value, list):
        return "[" + ", ".join(hcl_literal(v, indent) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _input_row(spec: Input) -> dict[str, str]:
    return {
        "name": spec.name,
        "description": cell(spec.description + (" Sensitive." if spec.sensitive else "")),
        "type": cell(spec.type.hcl()),
        "default": "n/a" if spec.required else cell(exact(spec.default)),
        "required": "yes" if spec.required else "no",
    }


def _resources(main_file: bytes | None) -> list[str]:
    if main_file is None:
        return []
    document = json.loads(main_file)
    return [f"{kind}.{name}" for kind, items in sorted(document.get("resource", {}).items()) for name in sorted(items)]


def module_context(definition: ModuleDefinition, main_file: bytes | None) -> dict[str, Any]:
    inputs = definition.inputs
    return {
        "name": definition.name,
        "summary": definition.summary,
        "regenerate": REGENERATE,
        "terraform_version": versions.TERRAFORM_MODULE,
        "aws_version": versions.AWS_PROVIDER,
        "usage": [
            # A sensitive input's example is a variable of the caller's: never a literal secret in the README.
            {"name": spec.name, "value": f"var.{spec.name}" if spec.sensitive else hcl_literal(spec.example, 1)}
            for spec, _ in ((inputs.by_name[name], value) for name, value in inputs.example_call().items())
        ],
        "resources": _resources(main_file),
        "inputs": [_input_row(spec) for spec in inputs.inputs],
        "rules": [cell(f"{c.terraform_message()}") for c in inputs.checks if c.hcl]
        + [cell(f"{c.inputs[0]}: {c.must} (checked at synth)") for c in inputs.checks if not c.hcl and isinstance(c.must, str)],
        "outputs": [
            {"name": o.name, "description": cell(o.description), "sensitive": "yes" if o.sensitive else "no"}
            for o in definition.outputs
        ],
    }


def stack_context(environment: Environment, modules: Mapping[str, ModuleDefinition]) -> dict[str, Any]:
    secrets = [secret_variable(call.name, name) for call in environment.modules for name in call.secrets]
    return {
        "name": environment.name,
        "source": environment.origin,
        "regenerate": REGENERATE,
        "region": environment.region,
        "backend": environment.backend["type"],
        "tags": [{"key": k, "value": cell(v)} for k, v in environment.tags.items()],
        "modules": [
            {
                "name": call.name,
                "kind": call.kind,
                "arguments": [{"name": k, "value": cell(exact(v))} for k, v in call.arguments.items()]
                + [{"name": i, "value": cell(f"[module.{t}.{o}]" if many else f"module.{t}.{o}")}
                   for i, t, o, many in call.references],
                "secrets": [secret_variable(call.name, s) for s in call.secrets],
            }
            for call in environment.modules
        ],
        "secrets": secrets,
        "outputs": [
            f"{call.name}_{name}" for call in environment.modules for name in modules[call.kind].exported
        ],
    }


def render(
    modules: Mapping[str, ModuleDefinition],
    environments: list[Environment],
    *,
    existing: Mapping[str, bytes],
    scope: Callable[[str], bool],
    files: Mapping[str, bytes],
) -> dict[str, bytes]:
    env = environment()
    out: dict[str, bytes] = {}
    for definition in modules.values():
        context = module_context(definition, files.get(f"modules/{definition.name}/main.tf.json"))
        out[f"modules/{definition.name}/README.md"] = env.get_template("module.md.j2").render(context).encode()
    for environment_ in environments:
        context = stack_context(environment_, modules)
        out[f"stacks/{environment_.name}/README.md"] = env.get_template("stack.md.j2").render(context).encode()
    # Stacks this run leaves alone (--config) still belong in the index.
    kept = {p.split("/")[1] for p in existing if p.startswith("stacks/") and not scope(p)}
    index = {
        "regenerate": REGENERATE,
        "modules": [{"name": d.name, "summary": cell(d.summary.split(". ")[0].rstrip(".") + ".")} for d in modules.values()],
        "stacks": sorted({e.name for e in environments} | kept),
    }
    out["README.md"] = env.get_template("index.md.j2").render(index).encode()
    return out
