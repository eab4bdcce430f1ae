"""Let the jsii kernel finish the provider's runtime index once, so that no later run parses the whole assembly.

jsii 1.142 keeps each loaded package in a disk cache (`~/.cache/aws/jsii/package-cache/<npm name>/<version>/
<digest>/`, or JSII_RUNTIME_PACKAGE_CACHE_ROOT). The first time it loads a package there, it parses the package's
`.jsii` assembly whole (155 MB of JSON for @cdktn/provider-aws 25.8.1, 131 MB for @cdktf/provider-aws 21.22.1:
3-5 s and 1.3 GB of memory) and starts a worker thread that writes a runtime index beside it
(`.jsii.runtime-index.v1`, `.jsii.runtime-defs.v1.jsonl`, then the manifest `.jsii.runtime.v1.json`). Once the
manifest is there, a load reads only the types it needs: 0.1 s and no extra memory.

The worker needs a few seconds more than a synth takes, and jsii stops the kernel (and its worker) as soon as
Python exits. A project that only ever runs short synths therefore never gets an index and pays the full parse
on every run: this is what made `CDK_TOOLKIT=cdktn` 2.6 times slower than cdktf, with a 1.36 GB peak, on machines
where a long-lived process (a test session) had happened to build cdktf's index but not cdktn's.

So, at exit, when this run loaded a provider whose cache entry has no manifest yet, we keep the kernel alive until
the worker has written it (polling, bounded by WAIT_SECONDS), before jsii's own exit handler stops the kernel. That
happens once per machine and provider version; every later run finds the index. Nothing is waited for when the
cache is disabled (JSII_RUNTIME_PACKAGE_CACHE=disabled), when the entry cannot be found, or when the index exists.
The output does not depend on any of this: the index only changes how the kernel reads type information.
"""

from __future__ import annotations

import atexit
import os
import sys
import time
from pathlib import Path

MANIFEST = ".jsii.runtime.v1.json"
WAIT_SECONDS = 60.0
POLL_SECONDS = 0.05

_pending: list[tuple[str, str]] = []  # (npm package, version) loaded by this run


def cache_root() -> Path | None:
    """The jsii package cache's root, as the kernel computes it on Linux and macOS; None when it is disabled."""
    if os.environ.get("JSII_RUNTIME_PACKAGE_CACHE", "enabled").lower() != "enabled":
        return None
    configured = os.environ.get("JSII_RUNTIME_PACKAGE_CACHE_ROOT")
    if configured:
        return Path(configured)
    home = Path.home()
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "com.amazonaws.jsii" / "package-cache"
    return home / ".cache" / "aws" / "jsii" / "package-cache"


def tarball_version(jsii_module_file: str) -> str | None:
    """The npm version of a jsii Python package, from the tarball its `_jsii` module loads (`name@1.2.3.jsii.tgz`)."""
    for tarball in sorted(Path(jsii_module_file).parent.glob("*@*.jsii.tgz")):
        return tarball.name.rsplit("@", 1)[1].removesuffix(".jsii.tgz")
    return None


def index_missing(npm_package: str, version: str, root: Path | None = None) -> bool:
    """True when the cache holds the package's assembly but no finished runtime index for it."""
    root = cache_root() if root is None else root
    if root is None:
        return False
    entries = [entry for entry in (root / npm_package / version).glob("*") if (entry / ".jsii").is_file()]
    return bool(entries) and not any((entry / MANIFEST).is_file() for entry in entries)


def loaded(npm_package: str, jsii_module_file: str | None) -> None:
    """Record that this run loaded `npm_package` into the kernel; called right after its `_jsii` module imports."""
    version = tarball_version(jsii_module_file) if jsii_module_file else None
    if version and cache_root() is not None and not _pending:
        _pending.append((npm_package, version))
        # Registered after the kernel started, so it runs before jsii's own exit handler stops the kernel.
        atexit.register(wait_for_pending)


def wait_for_pending(timeout: float = WAIT_SECONDS) -> None:
    """Poll until every pending index exists, at most `timeout` seconds; a Ctrl-C ends the wait, quietly (the next
    run builds the index again)."""
    deadline = time.monotonic() + timeout
    try:
        for npm_package, version in _pending:
            while index_missing(npm_package, version) and time.monotonic() < deadline:
                time.sleep(POLL_SECONDS)
    except KeyboardInterrupt:
        return
