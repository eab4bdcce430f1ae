"""Module discovery: a module is a folder. Every package under a modules folder (one holding `__init__.py`), other
than `shared/` and names starting with `_`, is a module whose `__init__.py` declares `MODULE`, a
generator.model.module.ModuleDefinition named like the folder. Nothing lists the modules by hand: the security gate,
the docs, the validate and test runs and the tests' parametrizations all read what this returns.

The generator never imports the modules package itself (imports go one way, modules/ → generator/): the command
line is handed a modules folder (main.py passes the project's) and discovers it here.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import TYPE_CHECKING

from generator.language.inputs import InputError

if TYPE_CHECKING:  # the module machinery starts the jsii runtime: it loads with the first module imported
    from generator.model.module import ModuleDefinition

# What several modules build alike; not a module itself.
NOT_MODULES = ("shared",)
# A kind names environment tables ([<kind>] or [<kind>_<name>]), module blocks and generated/modules/<kind>/.
KIND = re.compile(r"[a-z][a-z0-9_]*")
# Table names an environment file reserves, and construct ids of the root stack: no module may take them.
RESERVED_KINDS = ("tags", "backend", "moved", "removed", "import", "aws", "module")


def module_folders(folder: Path) -> list[Path]:
    """The module folders under `folder`, by name: packages, not shared/, not private (`_…`)."""
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_dir() and (p / "__init__.py").is_file() and p.name not in NOT_MODULES and not p.name.startswith("_")
    )


def discover(folder: Path, package: str) -> dict[str, ModuleDefinition]:
    """{kind: definition} for every module folder under `folder`, imported as `<package>.<folder name>`, ordered by
    kind. InputError names each folder whose declaration is missing or wrong."""
    from generator.model.module import ModuleDefinition

    found: dict[str, ModuleDefinition] = {}
    problems: list[str] = []
    for path in module_folders(folder):
        where = f"{package.replace('.', '/')}/{path.name}/__init__.py"
        if not KIND.fullmatch(path.name) or path.name in RESERVED_KINDS:
            problems.append(
                f"{where}: the folder name {path.name!r} must be lowercase letters, digits and \"_\", starting with a "
                f"letter, and none of {', '.join(RESERVED_KINDS)} (it names environment tables and module blocks)"
            )
            continue
        definition = getattr(importlib.import_module(f"{package}.{path.name}"), "MODULE", None)
        if not isinstance(definition, ModuleDefinition):
            problems.append(f"{where}: must declare MODULE = ModuleDefinition(...), got {type(definition).__name__}")
        elif definition.name != path.name:
            problems.append(f"{where}: MODULE.name must be the folder's name {path.name!r}, got {definition.name!r}")
        elif not definition.main_resource_types:
            problems.append(f"{where}: MODULE.main_resource_types must name the resource types the module exists for")
        else:
            found[definition.name] = definition
    if problems:
        raise InputError(problems)
    return found


def main_resource_types(modules: dict[str, ModuleDefinition]) -> tuple[str, ...]:
    """Every main resource type the modules declare, once each, sorted."""
    return tuple(sorted({t for definition in modules.values() for t in definition.main_resource_types}))
