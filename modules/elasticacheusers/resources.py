"""ElastiCache RBAC resources: one user per entry of var.users and the user group holding them all.

Addresses are part of the module's contract: renaming one replaces infrastructure. They are the elasticache
module's own (aws_elasticache_user.this[<id>], aws_elasticache_user_group.this, without count here), so that
`moved` blocks carry a cache's users over to a shared group without replacing them.
"""

from __future__ import annotations

from typing import Any

from generator.cdk import address, aws, local, string_map, strings
from generator.model.wiring import InputRefs
from modules.elasticacheusers.inputs import ENGINE, INPUTS, USER_GROUP_ID

# The module's inputs, each checked to exist when a resource reads it.
INPUT = InputRefs.of("elasticacheusers", INPUTS)


def build(stack: Any) -> Any:
    local(stack, USER_GROUP_ID.name, USER_GROUP_ID.declaration())
    user = aws.ElasticacheUser(
        stack,
        "user",
        user_id="${each.key}",
        user_name="${each.value.user_name != null ? each.value.user_name : each.key}",
        access_string="${each.value.access_string}",
        engine=ENGINE,
        tags=string_map(INPUT.tags),
    )
    address(user, "this")
    user.add_override("for_each", INPUT.ref("users"))
    user.add_override(
        "authentication_mode",
        {
            "type": "${each.value.authentication_type}",
            "passwords": '${each.value.authentication_type == "password" ? '
            f"lookup({INPUT.user_passwords}, each.key, null) : null}}",
        },
    )
    group = aws.ElasticacheUserGroup(
        stack,
        "user_group",
        user_group_id="${local.user_group_id}",
        engine=ENGINE,
        user_ids=strings("[for u in aws_elasticache_user.this : u.user_id]"),
        tags=string_map(INPUT.tags),
    )
    address(group, "this")
    return group
