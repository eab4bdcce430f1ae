"""ElastiCache RBAC users and one user group (engine valkey) that several caches share."""

from generator.model.module import ModuleDefinition
from modules.elasticacheusers.inputs import INPUTS, USER_GROUP_ID
from modules.elasticacheusers.outputs import OUTPUTS

MODULE = ModuleDefinition(
    name="elasticacheusers",
    summary=(
        "ElastiCache RBAC users (passwords or IAM) and the one user group (engine valkey) that holds them, for "
        "several caches to share: the elasticache module takes its id as user_group_ids, the valkeyserverless "
        "module as user_group_id. The users follow the same rules as the elasticache module's own users (a user "
        "named default, known ACL categories, 1 or 2 passwords of 16 to 128 printable characters each)."
    ),
    inputs=INPUTS,
    outputs=OUTPUTS,
    build="modules.elasticacheusers.resources:build",  # imported at synth: see ModuleDefinition.build
    exported=("user_group_id", "user_group_arn", "user_ids"),
    main_resource_types=("aws_elasticache_user_group",),
    adopter="modules.elasticacheusers.adopt:ADOPTER",  # imported by --adopt only: see ModuleDefinition.adopter
    # The group's id follows from the inputs: an environment's caches are checked with it (user_group = "<table>").
    known_outputs=lambda values: {"user_group_id": USER_GROUP_ID.evaluate(values)},
)
