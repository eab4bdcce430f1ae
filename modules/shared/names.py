"""Name inputs that several modules declare alike."""

from __future__ import annotations

from generator.language import rules
from generator.language.inputs import Input
from generator.language.types import STRING
from modules.shared.inputs import NAME_PREFIX_DESCRIPTION


def identifier_name_prefix() -> Input:
    """`name_prefix` of a module whose name is an ElastiCache identifier (a replication group id, a serverless cache
    name): AWS stores those in lowercase and wants a letter first, so the prefix is lowercase and starts with a
    letter (the whole name's own check adds the rest: length, single hyphens, no trailing hyphen)."""
    return Input(
        "name_prefix",
        STRING,
        NAME_PREFIX_DESCRIPTION,
        example="mapzip-dev-",
        rules=(rules.matches("[a-z][a-z0-9-]*", "be lowercase letters, digits and hyphens, starting with a letter"),),
    )
