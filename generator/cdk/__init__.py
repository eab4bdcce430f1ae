"""The thin layer: the only code in the project that imports cdktf (or its fork) and the AWS provider bindings.

CDKTF was archived upstream on 2025-12-10. Its community fork, CDK Terrain (`cdktn`), keeps the same Python API
under other import roots. Everything else in the project (the module definitions, the writer, the tests) talks
to this package only, so moving to the fork, or off CDK altogether, changes this folder and nothing else.

What this layer decides, and why:
- Which toolkit: `CDK_TOOLKIT=cdktf` (default) or `cdktn`, chosen explicitly, never by what happens to be
  installed (generator.cdk.toolkit).
- How the provider bindings load: cdktf's AWS package imports all of its ~2,200 resource submodules from its
  `__init__`; we load only the submodules the modules use (generator.cdk.lazy), with the ordinary import as the
  fallback. On the Node side, the jsii kernel starts with a hook that defers the provider's 2,212 resource
  JavaScript modules until a synth uses one (generator.cdk.kernel, node_lazy.js), again with the ordinary load as
  the fallback.
- How a stack becomes a reusable module (`module_stack`): no backend, no provider block, our own
  `required_providers` constraint.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterable, Mapping

from generator.cdk import kernel, lazy, phases, runtime_index
from generator.cdk.toolkit import ToolkitError, selected

# jsii (1.142) prints a screenful on stderr on every start under Node 20, which it calls end-of-life since
# 2026-10-30; cdktf 0.21 itself supports Node >= 20.9. The variable silences exactly that major version (the jsii
# Node process inherits it when it starts, at the first import below); any other unsupported Node still warns.
# A team on Node 22+ sees no banner either way. See README, "Requirements".
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

TOOLKIT = selected()
phases.mark("layer_import")
# The first jsii import starts the Node kernel: the lazy loading of the provider's modules is set up for it here.
with kernel.lazy_node_modules(TOOLKIT.aws_npm_package):
    core = TOOLKIT.import_core()
phases.mark("kernel_ready")
phases.write_at_exit()

__all__ = [
    "TOOLKIT",
    "ToolkitError",
    "aws",
    "address",
    "address_moves",
    "boolean",
    "data_source",
    "local",
    "module_call",
    "module_stack",
    "moved",
    "new_app",
    "number",
    "output",
    "precondition",
    "root_stack",
    "scratch_outdir",
    "stack_document",
    "string_map",
    "strings",
    "synth",
    "variable",
]


class _AwsResources:
    """`aws.ElasticacheReplicationGroup` → the provider class, importing only its own submodule.

    The submodule of a resource class is its snake_case name (ElasticacheReplicationGroup →
    elasticache_replication_group), the layout of every jsii-generated provider package.
    """

    # The one class whose submodule is not its snake_case name.
    _SUBMODULES = {"AwsProvider": "provider"}

    def __getattr__(self, class_name: str) -> Any:
        submodule = self._SUBMODULES.get(class_name) or re.sub(r"(?<!^)(?=[A-Z])", "_", class_name).lower()
        module = lazy.provider_submodule(TOOLKIT.aws_package, submodule)
        # The first load of the provider may leave jsii's runtime index unfinished: see generator.cdk.runtime_index.
        jsii_module = sys.modules.get(f"{TOOLKIT.aws_package}._jsii")
        runtime_index.loaded(TOOLKIT.aws_npm_package, getattr(jsii_module, "__file__", None))
        cls = getattr(module, class_name)
        setattr(self, class_name, cls)
        return cls


aws = _AwsResources()


# Typed views of a Terraform expression (written without "${}"), for the provider classes' typed arguments.
# Each is a call into the jsii kernel; a token stands for its expression wherever it is used, so one token per
# expression is enough (lists and maps are copied: a caller may change its copy).
@functools.cache
def _token(kind: str, expression: str) -> Any:
    return getattr(core.Token, kind)("${" + expression + "}")


def number(expression: str) -> Any:
    return _token("as_number", expression)


def boolean(expression: str) -> Any:
    return _token("as_any", expression)


def strings(expression: str) -> Any:
    return list(_token("as_list", expression))


def string_map(expression: str) -> Any:
    return dict(_token("as_string_map", expression))


@functools.cache
def _null() -> Any:
    return core.Token.null_value()


def new_app(outdir: str) -> Any:
    # stack_traces=False keeps machine paths out of the construct metadata.
    return core.App(outdir=outdir, stack_traces=False)


def _base_stack(app: Any, stack_id: str, aws_constraint: str, terraform_constraint: str) -> Any:
    stack = core.TerraformStack(app, stack_id)
    stack.add_override("terraform.required_version", terraform_constraint)
    # The toolkit pins the exact provider version its bindings were generated from ("6.25.0", source "aws"); a
    # reusable configuration states the range it works with, fully qualified (OpenTofu misreads a bare "aws").
    stack.add_override("terraform.required_providers.aws", {"source": "hashicorp/aws", "version": aws_constraint})
    return stack


def module_stack(app: Any, stack_id: str, *, aws_constraint: str, terraform_constraint: str) -> Any:
    """A stack that synthesizes to a reusable Terraform module: variables, resources, outputs and
    `required_providers`, but no provider configuration and no backend (the caller's root owns both)."""
    stack = _base_stack(app, stack_id, aws_constraint, terraform_constraint)
    # cdktf's app-level validation (ValidateProviderPresence) refuses resources without a provider construct.
    # Rather than switching all validation off, declare the provider and drop its block from the output: the
    # module then only states its requirement, and the validation still runs for everything else.
    aws.AwsProvider(stack, "aws")
    stack.add_override("provider", None)
    # Every stack gets an implicit LocalBackend whose path is absolute (cwd-dependent); a module has none.
    stack.add_override("terraform.backend", None)
    return stack


def root_stack(
    app: Any,
    stack_id: str,
    *,
    aws_constraint: str,
    terraform_constraint: str,
    region: str,
    default_tags: Mapping[str, str],
    backend: Mapping[str, Any],
) -> Any:
    """A root configuration: the provider, the backend and module calls."""
    stack = _base_stack(app, stack_id, aws_constraint, terraform_constraint)
    aws.AwsProvider(stack, "aws", region=region, default_tags=[{"tags": dict(default_tags)}] if default_tags else None)
    settings = dict(backend)
    kind = settings.pop("type")
    if kind == "local":
        # An explicit relative path: cdktf's default is absolute and differs between machines.
        core.LocalBackend(stack, path=settings.get("path", "terraform.tfstate"))
    else:
        # use_lockfile (S3-native state locking, Terraform >= 1.10) is newer than the toolkit's S3Backend props.
        use_lockfile = settings.pop("use_lockfile", None)
        core.S3Backend(stack, **settings)
        if use_lockfile is not None:
            stack.add_override("terraform.backend.s3.use_lockfile", use_lockfile)
    return stack


def variable(
    stack: Any,
    name: str,
    *,
    type: str,
    description: str,
    default: Any = None,
    has_default: bool,
    sensitive: bool,
    nullable: bool,
    validation: Iterable[Mapping[str, str]] = (),
) -> None:
    block: dict[str, Any] = {"type": type, "description": description, "nullable": nullable}
    if sensitive:
        block["sensitive"] = True
    if validation:
        block["validation"] = [{"condition": v["condition"], "error_message": v["error_message"]} for v in validation]
    if has_default:
        # jsii turns None into "undefined", which would drop the key; Terraform needs an explicit null.
        block["default"] = _null() if default is None else default
    _stack_block(stack, "variable", name, block)


# Variables, locals, outputs and module calls are collected by stack, and reach the stack as one override per
# block type just before synth. As constructs they cost one to three calls into the jsii kernel each (create, often
# add_override or override_logical_id: variables, locals and outputs share one construct namespace), and an
# environment has a module call, its secret variables and several outputs per module block: collected, they cost
# one call per block type and stack, whatever the environment's size. The JSON is the same (the tests compare
# every file): cdktf writes these blocks as their attributes, and resolves tokens in overrides as elsewhere.
# The blocks live on the stack object (so they go when it goes) and stay after a synth: an override replaces
# whatever its path held, so every write carries all of the stack's blocks of that type.
_BLOCKS = "_generator_blocks"
_unwritten: dict[int, Any] = {}


def _stack_block(stack: Any, block_type: str, name: str, value: Any) -> None:
    if not hasattr(stack, _BLOCKS):
        setattr(stack, _BLOCKS, {})
    named = getattr(stack, _BLOCKS).setdefault(block_type, {})
    if name in named:
        singular = {"locals": "local", "module": "module call"}.get(block_type, block_type)
        raise ValueError(f"{singular} {name!r} is declared twice in stack {stack.node.id!r}")
    named[name] = value
    _unwritten[id(stack)] = stack


def _write_stack_blocks() -> None:
    for stack in _unwritten.values():
        for block_type, named in getattr(stack, _BLOCKS).items():
            stack.add_override(block_type, named)
    _unwritten.clear()


def stack_document(stack: Any) -> dict[str, Any]:
    """The stack's Terraform JSON as it stands, before synth: its constructs resolved by cdktf (tens of
    milliseconds for a module), with the blocks collected above (variables, locals, outputs, module calls) that reach the stack only
    at synth. For checks of a module as it is built (generator.model.wiring); the synth itself is unchanged."""
    document = dict(stack.to_terraform())
    for block_type, named in getattr(stack, _BLOCKS, {}).items():
        document[block_type] = {**(document.get(block_type) or {}), **named}
    return document


def output(stack: Any, name: str, *, expression: str, description: str, sensitive: bool) -> None:
    block: dict[str, Any] = {"description": description, "value": "${" + expression + "}"}
    if sensitive:
        block["sensitive"] = True
    _stack_block(stack, "output", name, block)


def local(stack: Any, name: str, value: Any) -> str:
    """A `locals` entry; `value` is a Terraform JSON value, so an expression is written "${…}". Returns the
    reference to it (`local.<name>`, HCL without "${}"), for the code that reads it."""
    _stack_block(stack, "locals", name, value)
    return f"local.{name}"


def data_source(stack: Any, address_: str) -> Any:
    """A data source of the AWS provider without arguments (`aws_region.current`: the provider's region)."""
    type_name, name = address_.split(".")
    cls = getattr(aws, "Data" + "".join(part.capitalize() for part in type_name.split("_")))
    return address(cls(stack, f"data_{type_name}_{name}"), name)


def module_call(stack: Any, name: str, *, source: str, arguments: Mapping[str, Any]) -> None:
    # A local source is written as given (cdktf's TerraformHclModule would copy it into an asset folder unless told
    # not to).
    _stack_block(stack, "module", name, {**arguments, "source": source})


def address(resource: Any, name: str) -> Any:
    """Give a resource its Terraform address name. Construct ids must be unique within a stack, Terraform names
    only within a resource type; this is how several resources of one module are all called `this`."""
    resource.override_logical_id(name)
    return resource


def address_moves(
    stack: Any,
    *,
    moved: Iterable[tuple[str, str]],
    removed: Iterable[str],
    imports: Iterable[tuple[str, str]] = (),
) -> None:
    """Top-level `moved`, `removed` and `import` blocks. Written as overrides: cdktf's own moved helpers (`moveTo`,
    `moveFromId`) run `terraform version` during synth and address resources of the same stack only."""
    moves = [{"from": source, "to": target} for source, target in moved]
    if moves:
        stack.add_override("moved", moves)
    forgotten = [{"from": source, "lifecycle": {"destroy": False}} for source in removed]
    if forgotten:
        stack.add_override("removed", forgotten)
    adopted = [{"to": target, "id": identity} for target, identity in imports]
    if adopted:
        stack.add_override("import", adopted)


def moved(stack: Any, moves: Iterable[tuple[str, str]]) -> None:
    """`moved` blocks (Terraform >= 1.1) of a module stack: each (from, to) pair of addresses, in this stack's own
    terms. One override for all of them (address_moves), since a later override of the same key replaces an earlier."""
    address_moves(stack, moved=moves, removed=())


def precondition(resource: Any, conditions: list[dict[str, str]]) -> None:
    if conditions:
        resource.add_override("lifecycle.precondition", conditions)


def synth(app: Any, outdir: str) -> dict[str, dict[str, Any]]:
    """Synthesize the app; returns each stack's Terraform JSON, as cdktf wrote it, by stack id."""
    phases.mark("synth_begin")
    _write_stack_blocks()
    app.synth()
    phases.mark("synth_end")
    manifest = json.loads(Path(outdir, "manifest.json").read_text(encoding="utf-8"))
    return {
        stack_id: json.loads(Path(outdir, entry["synthesizedStackPath"]).read_text(encoding="utf-8"))
        for stack_id, entry in manifest["stacks"].items()
    }


def scratch_outdir() -> tempfile.TemporaryDirectory:
    """Where cdktf writes its own output before we normalize it. Under `cdktf synth`, the CLI chooses the folder
    (CDKTF_OUTDIR) and reads the manifest from it afterwards, so it is used as is."""
    if os.environ.get("CDKTF_OUTDIR"):
        return _KeptDirectory(os.environ["CDKTF_OUTDIR"])
    return tempfile.TemporaryDirectory(prefix="cdktf-out-")


class _KeptDirectory:
    def __init__(self, path: str):
        self.name = path

    def __enter__(self) -> str:
        return self.name

    def __exit__(self, *exc: object) -> None:
        return None
