"""Adopting a shared ElastiCache user group and its users (generator.adoption.kit.Adopter): what --adopt reads of
them and pins.

The group (engine valkey, the module's) moves to `aws_elasticache_user_group.this`, each of its users the state
manages to `aws_elasticache_user.this["<user id>"]`. A user's id and name cannot change in place, so `users` is
pinned whole as the state holds it. Passwords are never read: they are a secret input (user_passwords) supplied
when you apply, and the report names the users that need one.
"""

from __future__ import annotations

from typing import Any

from generator.adoption.kit import COMMON, IDENTITY, Adopted, Adopter, Report, own_tags, split_name
from generator.adoption.statefile import BOOLEAN, STRING, ListOf, Object, objects
from generator.language.types import literal
from modules.elasticacheusers.inputs import ENGINE

# What the adopter reads of the group and its users: never a password (the state holds them, marked sensitive).
STATE_SHAPES = {
    "aws_elasticache_user_group": Object({**COMMON, "user_group_id": STRING, "engine": STRING,
                                          "user_ids?": ListOf(STRING)}),
    "aws_elasticache_user": Object({
        **COMMON, "user_id": STRING, "user_name": STRING, "access_string?": STRING, "engine?": STRING,
        "no_password_required?": BOOLEAN, "authentication_mode?": objects(**{"type?": STRING}),
    }),
}
TYPES = {"password": "password", "iam": "iam"}  # the state's authentication_mode.type → the module's


def _elasticacheusers(adopted: Adopted, report: Report, resources: list[dict[str, Any]], moved: set[str],
                      prefix: str | None) -> None:
    group = next(r for r in resources if r["type"] == "aws_elasticache_user_group" and r["values"]["engine"] == ENGINE)
    v = group["values"]
    table = adopted.table
    group_id = v["user_group_id"]
    adopted.source = group["address"]
    adopted.moves.append((group["address"], f"module.{table}.aws_elasticache_user_group.this"))
    moved.add(group["address"])
    name_prefix, group_name = split_name(group_id, prefix)
    adopted.pin("name_prefix", name_prefix, "with user_group_name, the user group's id", IDENTITY)
    adopted.pin("user_group_name", group_name, f"with name_prefix, the user group's id {group_id}", IDENTITY)
    own_tags(adopted, v, "user group")
    users: dict[str, dict[str, Any]] = {}
    password_users: list[str] = []
    for user_id in v.get("user_ids") or []:
        user = next((r for r in resources if r["type"] == "aws_elasticache_user"
                     and r["values"]["user_id"] == user_id), None)
        if user is None:
            report.notes.append(f"[{table}] the user group holds the user {user_id}, which the state does not "
                                "manage: the module's group holds only its own users (an in-place change)")
            continue
        u = user["values"]
        kind = TYPES.get(((u.get("authentication_mode") or [{}])[0]).get("type") or "")
        if kind is None or u.get("no_password_required"):
            report.problems.append(f"{user['address']}: authentication_mode: the user {user_id} authenticates "
                                   "without a password; the module's users take a password or IAM: left out of "
                                   "users (the module's group would drop it)")
            continue
        if u.get("engine") not in (None, ENGINE):
            report.notes.append(f"[{table}] the user {user_id} has engine {u['engine']}: the module gives its users "
                                f"engine {ENGINE} (run --verify to see whether the plan changes it in place)")
        adopted.moves.append((user["address"], f'module.{table}.aws_elasticache_user.this["{user_id}"]'))
        moved.add(user["address"])
        entry: dict[str, Any] = {}
        if u["user_name"] != user_id:
            entry["user_name"] = u["user_name"]
        entry["access_string"] = u.get("access_string") or ""
        if kind == "iam":
            entry["authentication_type"] = "iam"
        else:
            password_users.append(user_id)
        users[user_id] = entry
    adopted.source = group["address"]
    adopted.pin("users", users, "the group's users, by user id (a user's id and name cannot change in place)",
                IDENTITY, attribute="user_ids")
    if not any(entry.get("user_name", user_id) == "default" for user_id, entry in users.items()):
        report.problems.append(f"{group['address']}: user_ids: no user of the state named \"default\" is in the "
                               "group (AWS's own default user cannot be moved into the module): add one to users "
                               "(such as {\"default-user\" = {user_name = \"default\", access_string = "
                               "\"off ~* -@all\"}}), a new user the module creates")
    if password_users:
        report.notes.append(f"[{table}] user_passwords: supply the passwords of {', '.join(map(literal, password_users))} "
                            f"when you apply, as TF_VAR_{table}_user_passwords (never in the file; the state's are "
                            "not read)")


ADOPTER = Adopter(
    main_types=("aws_elasticache_user_group",),
    adopt=_elasticacheusers,
    shapes=STATE_SHAPES,
    name=lambda values: values["user_group_id"],
    recognises=lambda values: values["engine"] == ENGINE,
    condition=f"engine {ENGINE}",
)
