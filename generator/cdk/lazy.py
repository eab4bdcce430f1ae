"""Load one submodule of a jsii provider package without running the package's `__init__`.

cdktf-cdktf-provider-aws 21.22.1 imports all of its ~2,200 resource submodules from `__init__.py`; that costs
several seconds and hundreds of MB in every process, though a module here uses a handful. Each submodule only
needs the package's `_jsii` module (which loads the provider's assembly into the jsii kernel), so we register a
bare package object under the real name and import the submodules we need through it.

The output is the same: the same classes from the same files talk to the same kernel. If the package's layout is
not the one this trick relies on (a `_jsii` module and one folder per submodule), or anything in it fails, the
ordinary import is used instead. `CDK_EAGER_IMPORT=1` forces the ordinary import (the equivalence test uses it).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import types
from pathlib import Path

from generator.cdk import phases

_bare_packages: set[str] = set()


def _bare_package(package: str) -> bool:
    """Register `package` as a bare package object; False when its layout is not the expected one."""
    if package in _bare_packages:
        return True
    if package in sys.modules:  # already imported the ordinary way
        return False
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return False
    root = Path(next(iter(spec.submodule_search_locations)))
    if not (root / "_jsii" / "__init__.py").is_file():
        return False
    module = types.ModuleType(package)
    module.__path__ = list(spec.submodule_search_locations)
    module.__spec__ = spec
    module.__file__ = spec.origin
    module.__package__ = package
    sys.modules[package] = module
    _bare_packages.add(package)
    return True


def _forget(package: str) -> None:
    for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
        del sys.modules[name]
    _bare_packages.discard(package)


def _load_assembly(package: str) -> None:
    """Import the package's `_jsii` module, which loads the provider's assembly into the kernel (timed once)."""
    if f"{package}._jsii" not in sys.modules:
        phases.mark("provider_begin")
        importlib.import_module(f"{package}._jsii")
        phases.mark("provider_end")


def provider_submodule(package: str, submodule: str) -> types.ModuleType:
    full = f"{package}.{submodule}"
    if full in sys.modules:
        return sys.modules[full]
    if os.environ.get("CDK_EAGER_IMPORT") != "1" and _bare_package(package):
        try:
            _load_assembly(package)
            return importlib.import_module(full)
        except Exception:  # noqa: BLE001 - any failure of the shortcut means: do it the ordinary way
            _forget(package)
    _load_assembly(package)
    importlib.import_module(package)
    return importlib.import_module(full)
