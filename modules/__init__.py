"""The Terraform modules this project generates, one folder each: inputs, resources, outputs."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the module machinery starts the jsii runtime: modules.catalog must be importable without it
    from generator.module import ModuleDefinition


def all_modules() -> dict[str, ModuleDefinition]:
    from modules.dynamodb import MODULE as dynamodb
    from modules.elasticache import MODULE as elasticache
    from modules.msk import MODULE as msk
    from modules.valkeyserverless import MODULE as valkeyserverless

    return {m.name: m for m in (elasticache, dynamodb, msk, valkeyserverless)}
