"""No injection: a string from an environment file, key or value, at any depth, reaches Terraform as a literal.

In Terraform JSON every string is a template, map keys included: an unescaped `${file("…")}` in a tag key runs
at plan time. The plan below is a real one: what Terraform would create is what the file said, byte for byte.
"""

from __future__ import annotations

import dataclasses
import json

from generator import environments, synth, terraform, tree
from generator.assertions import Plan
from modules import all_modules
from tests.conftest import PROJECT, require_terraform

# Each key and value evaluates to something else if Terraform reads it as a template.
HOSTILE = {
    '${upper("key")}': '${upper("value")}',
    "%{ if true }k%{ endif }": "%{ if true }v%{ endif }",
    '${path.module}/${file("/etc/hostname")}': "$${already} $$ %% {",
}


def hostile_environment() -> environments.Environment:
    """dev.toml with hostile keys and values in every map: default tags, a module's tags, Valkey parameters,
    Kafka server properties. Injected after loading, below the checks: tag and parameter rules
    (generator.limits) refuse most of these characters today; escaping is the layer that must hold regardless."""
    env = environments.load(PROJECT / "environments" / "dev.toml", all_modules(), "environments/dev.toml")
    calls = []
    for call in env.modules:
        arguments = dict(call.arguments)
        if call.kind == "elasticache":
            arguments["parameters"] = {**arguments.get("parameters", {}), **HOSTILE}
        if call.kind == "msk":
            arguments["server_properties"] = {**arguments.get("server_properties", {}), **HOSTILE}
        if call.kind == "dynamodb":
            arguments["tags"] = {"Nested": "plain", **HOSTILE}
        calls.append(dataclasses.replace(call, arguments=arguments))
    return dataclasses.replace(
        env,
        tags={**env.tags, **HOSTILE},
        modules=tuple(calls),
        backend={"type": "local", "path": "state/${upper(\"x\")}.tfstate"},
    )


def test_template_sequences_in_keys_and_values_are_planned_literally(tmp_path):
    require_terraform()
    env = hostile_environment()
    files = synth.synthesize(all_modules(), [env])
    versions = json.loads(files["stacks/dev/versions.tf.json"])
    # Terraform reads backend settings literally (no templates), so they are written as given.
    assert versions["terraform"]["backend"]["local"]["path"] == 'state/${upper("x")}.tfstate'
    tree.write_tree(tmp_path / "generated", files)

    plan = Plan(terraform.plan_offline(tmp_path / "generated", "dev", terraform.placeholder_variables(tmp_path / "generated" / "stacks" / "dev")))
    parameters = plan.resource("module.elasticache_recommend.aws_elasticache_parameter_group.this")["parameter"]
    assert {p["name"]: p["value"] for p in parameters} == {"maxmemory-policy": "allkeys-lru", **HOSTILE}
    properties = plan.resource("module.msk.aws_msk_configuration.this")["server_properties"].splitlines()
    for key, value in HOSTILE.items():
        assert f"{key}={value}" in properties
    table_tags = plan.resource("module.dynamodb.aws_dynamodb_table.this")["tags"]
    assert {k: table_tags.get(k) for k in ("Nested", *HOSTILE)} == {"Nested": "plain", **HOSTILE}
    # The provider's default tags reach every resource that takes tags.
    tagged = {address: values["tags_all"] for address, values in plan.values.items() if values.get("tags_all") is not None}
    assert len(tagged) > 10
    for address, tags_all in tagged.items():
        assert {k: tags_all.get(k) for k in HOSTILE} == HOSTILE, address
