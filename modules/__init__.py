"""The Terraform modules this project generates, one folder each (inputs, resources, outputs, and the
`MODULE` declaration in its __init__.py). Nothing lists them: generator.model.discovery finds every folder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the module machinery starts the jsii runtime: modules.catalog must be importable without it
    from generator.model.module import ModuleDefinition

FOLDER = Path(__file__).resolve().parent


def all_modules() -> dict[str, ModuleDefinition]:
    """Every module under modules/, by kind (generator.model.discovery)."""
    from generator.model.discovery import discover

    return discover(FOLDER, __name__)
