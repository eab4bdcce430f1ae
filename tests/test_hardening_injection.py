"""No injection: a string from an environment file, key or value, at any depth, reaches Terraform as a literal.

In Terraform JSON every string is a template, map keys included: an unescaped `${file("…")}` in a tag key runs
at plan time. The plan below is a real one: what Terraform would create is what the file said, byte for byte.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path


from generator.config import environments
from generator.synthesis import synth, tree
from testkit import terraform
from testkit.assertions import Plan
from modules import all_modules
from testkit.pytest_terraform import background_terraform
from testkit.project import fixture_environment

# Each key and value evaluates to something else if Terraform reads it as a template.
HOSTILE = {
    '${upper("key")}': '${upper("value")}',
    "%{ if true }k%{ endif }": "%{ if true }v%{ endif }",
    '${path.module}/${file("/etc/hostname")}': "$${already} $$ %% {",
}


def hostile_environment() -> environments.Environment:
    """dev.toml with hostile keys and values where the modules accept free text: the provider's default tags (keys
    and values), a cache's description. (An MSK configuration's text is no longer free text: its validation holds
    each line to an allowed property and a typed value, tests/test_hardening_values.py.) Injected after loading,
    below the checks: the
    tag, parameter and property rules (generator.config.limits, the modules' validations) refuse these characters in the
    maps today; escaping is the layer that must hold regardless."""
    env = environments.load(fixture_environment("dev"), all_modules(), "environments/dev.toml")
    calls = []
    for call in env.modules:
        arguments = dict(call.arguments)
        if call.kind == "elasticache":
            arguments["description"] = " ".join(HOSTILE.values())
        calls.append(dataclasses.replace(call, arguments=arguments))
    return dataclasses.replace(
        env,
        tags={**env.tags, **HOSTILE},
        modules=tuple(calls),
        backend={"type": "local", "path": "state/${upper(\"x\")}.tfstate"},
    )


def synthesize_hostile_tree(workdir: Path) -> None:
    tree.write_tree(workdir / "generated", synth.synthesize(all_modules(), [hostile_environment()]))


@background_terraform(prepare=synthesize_hostile_tree)
def hostile_stack(generated_tree: Path, workdir: Path) -> tuple[dict, dict]:
    """The hostile environment's stack (synthesized by `synthesize_hostile_tree`) and its offline plan."""
    stack = workdir / "generated" / "stacks" / "dev"
    versions = json.loads((stack / "versions.tf.json").read_text())
    return versions, terraform.plan_offline(workdir / "generated", "dev", terraform.placeholder_variables(stack),
                                            scratch=workdir)


def test_template_sequences_in_keys_and_values_are_planned_literally(background):
    versions, shown = background(hostile_stack)
    # Terraform reads backend settings literally (no templates), so they are written as given.
    assert versions["terraform"]["backend"]["local"]["path"] == 'state/${upper("x")}.tfstate'

    plan = Plan(shown)
    description = plan.resource("module.elasticache_recommend.aws_elasticache_replication_group.this")["description"]
    assert description == " ".join(HOSTILE.values())
    # The provider's default tags reach every resource that takes tags.
    tagged = {address: values["tags_all"] for address, values in plan.values.items() if values.get("tags_all") is not None}
    assert len(tagged) > 10
    for address, tags_all in tagged.items():
        assert {k: tags_all.get(k) for k in HOSTILE} == HOSTILE, address
