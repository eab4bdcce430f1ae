"""ElastiCache RBAC users and the one user group that holds them, for several caches to share.

The users' inputs, rules and checks are the elasticache module's own (modules/shared/rbac.py, declared once); what
this module adds is the group's id and the rule that a shared group holds a user named "default".
"""

from __future__ import annotations

import dataclasses

from generator.language import rules
from generator.language.expr import Local, text, var
from generator.language.inputs import Check, Input, InputSet
from generator.language.types import STRING
from modules.shared import inputs as shared
from modules.shared import rbac
from modules.shared.names import identifier_name_prefix

# AWS CreateUserGroup UserGroupId: "stored as a lowercase string"; the user ids' pattern ([a-zA-Z][a-zA-Z0-9-]*)
# applies to it in the console. Lowercase, single hyphens, as the other ElastiCache ids here, so that the id in
# state is the id written. AWS documents no length limit for it.
USER_GROUP_ID_PATTERN = rbac.USER_ID
# The caches here run Valkey, which takes valkey and redis groups alike; a Redis OSS cache takes only redis ones
# (aws-constraints.md §1). The users' and the group's engine (resources.py; adopt.py recognises groups by it).
ENGINE = "valkey"
USER_GROUP_ID = Local("user_group_id", text(var("name_prefix"), var("user_group_name")))

# A default user and an IAM user: every rule on users accepts them, and only the default user takes a password.
EXAMPLE_USERS = rbac.VALID_USERS

INPUTS = InputSet(
    inputs=(
        identifier_name_prefix(),
        Input(
            "user_group_name",
            STRING,
            "Name of the user group; its id is name_prefix + user_group_name (changing it replaces the group, and "
            "every cache that names it must take the new id). Caches take the id from the user_group_id output.",
            example="app-users",
            rules=(rules.matches("[a-z0-9][a-z0-9-]*", "be lowercase letters, digits and hyphens"),),
        ),
        rbac.users_input(
            "RBAC users the module creates, by user id: { user_name (default: the id), access_string, "
            "authentication_type = \"password\" (default) or \"iam\" }, all in the one user group. AWS requires a "
            "user named \"default\" in every group (give it a restrictive access string, such as "
            "\"off ~* -@all\"). User ids are unique in an account and Region: two modules cannot create the same id.",
            example=EXAMPLE_USERS,
        ),
        # The example call's default user authenticates with a password (the module's README usage).
        dataclasses.replace(rbac.user_passwords_input(), example=rbac.DEFAULT_USER_PASSWORDS),
        shared.TAGS,
    ),
    checks=(
        Check(
            ("name_prefix", "user_group_name"),
            "must give a user group id (name_prefix + user_group_name) of lowercase letters, digits and single "
            "hyphens, starting with a letter and not ending with a hyphen",
            when=USER_GROUP_ID.matches(USER_GROUP_ID_PATTERN),
            example={"user_group_name": "app--users"},
        ),
        Check(
            ("users",),
            rbac.DEFAULT_USER_RULE,
            when=rbac.HAS_DEFAULT_USER,
            example={"users": {"app": {"access_string": "on ~* +@all"}},
                     "user_passwords": {"app": ["example-password-0123"]}},
            passing={"users": rbac.DEFAULT_USER_ONLY, "user_passwords": rbac.DEFAULT_USER_PASSWORDS},
        ),
        rbac.passwords_match_check({}),
    ),
)
