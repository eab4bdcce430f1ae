"""Where a synth's time goes, for the benchmark: CDK_PHASE_TIMES=<file> writes the instants below as JSON at exit.

Instants are wall-clock (time.time()), so the benchmark can put them against the moment it started the process.
Off (no file, no cost beyond a dictionary lookup) unless the variable is set.
  layer_import      generator.cdk starts importing the toolkit: Python start-up and project imports are done
  kernel_ready      `import cdktf` returned: Node started, jsii runtime and the cdktf/constructs assemblies loaded
  provider_begin/_end   the AWS provider's assembly loaded into the kernel (its `_jsii` module, the first time)
  synth_begin/_end  app.synth(): cdktf resolves the construct tree and writes its JSON
  exit              the process starts exiting (before the kernel is stopped)
"""

from __future__ import annotations

import atexit
import json
import os
import time

ENV_VAR = "CDK_PHASE_TIMES"

_instants: dict[str, float] = {}


def enabled() -> bool:
    return bool(os.environ.get(ENV_VAR))


def mark(name: str) -> None:
    """Record `name` the first time it happens (`…_begin`) or each time (`…_end`: the last one wins)."""
    if enabled() and (name.endswith("_end") or name not in _instants):
        _instants[name] = time.time()


def write_at_exit() -> None:
    """Call after the kernel has started: atexit runs in reverse order, so this runs before jsii stops it."""
    if enabled():
        atexit.register(_write, os.environ[ENV_VAR])


def _write(path: str) -> None:
    _instants["exit"] = time.time()
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(_instants, handle)
