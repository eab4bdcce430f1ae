"""The Terraform modules this project generates, one folder each: inputs, resources, outputs."""

from generator.module import ModuleDefinition


def all_modules() -> dict[str, ModuleDefinition]:
    from modules.dynamodb import MODULE as dynamodb
    from modules.elasticache import MODULE as elasticache
    from modules.msk import MODULE as msk

    return {m.name: m for m in (elasticache, dynamodb, msk)}
