"""Start the jsii kernel (the Node.js process behind cdktf) with the provider's resource modules loaded lazily.

The jsii Python runtime starts its Node process once, at the first jsii import (`import cdktf`), with a copy of
`os.environ` (jsii/_kernel/providers/process.py: `node --max-old-space-size=4069 <jsii-runtime.js>`; that script
starts the kernel proper as a child with the same environment). Node reads NODE_OPTIONS in both, so a
`--require` there loads node_lazy.js before the kernel loads any package. node_lazy.js then rewrites, in memory,
the provider's `lib/index.js` (2,212 `require`s) into lazy getters; see that file for the rules.

The variables are set only while the kernel starts and restored right after, so no other process this one starts
(terraform, a test's subprocess) inherits them.

Switches: CDK_EAGER_IMPORT=1 loads everything the ordinary way on both sides (Python and Node);
CDK_NODE_EAGER=1 only on the Node side. CDK_NODE_LAZY_PACKAGES (npm names, comma-separated) overrides which
packages' indexes are rewritten; it defaults to the toolkit's AWS provider.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Iterator

HOOK = Path(__file__).with_name("node_lazy.js")
PACKAGES_VAR = "CDK_NODE_LAZY_PACKAGES"


def node_side_eager() -> bool:
    return os.environ.get("CDK_EAGER_IMPORT") == "1" or os.environ.get("CDK_NODE_EAGER") == "1"


def _kernel_already_started() -> bool:
    # Every jsii-generated Python package loads its assembly, and so starts the kernel, from its `_jsii` module.
    return any(name.endswith("._jsii") for name in sys.modules)


def _require_option(path: Path) -> str:
    # NODE_OPTIONS splits on spaces except inside double quotes, where a backslash escapes the next character.
    quoted = str(path).replace("\\", "\\\\").replace('"', '\\"')
    return f'--require="{quoted}"'


@contextlib.contextmanager
def lazy_node_modules(npm_package: str) -> Iterator[None]:
    """Inside this block, the first jsii import starts a kernel that loads `npm_package`'s resources lazily."""
    if node_side_eager():
        yield
        return
    if _kernel_already_started():
        print(
            f"cdk: node-side lazy loading not applied to {npm_package}: the jsii kernel was already running "
            "(something imported a jsii package before generator.cdk)",
            file=sys.stderr,
        )
        yield
        return
    saved = {name: os.environ.get(name) for name in ("NODE_OPTIONS", PACKAGES_VAR)}
    os.environ["NODE_OPTIONS"] = " ".join(filter(None, [saved["NODE_OPTIONS"], _require_option(HOOK)]))
    os.environ[PACKAGES_VAR] = saved[PACKAGES_VAR] or npm_package
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
