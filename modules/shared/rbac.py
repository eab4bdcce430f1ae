"""ElastiCache RBAC users (aws_elasticache_user) and their passwords: the inputs, rules and checks the elasticache
module (users of its own group) and the elasticacheusers module (a group several caches share) declare alike.

Declared once here; each module takes the declarations and adds the checks of its own context (an AUTH token, a
user group given by id).
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from generator.language import expr
from generator.language.expr import Expr, all_, any_, call, can, if_, try_, value, var
from generator.language.inputs import Check, Input, Rule
from generator.language.types import STRING, list_of, literal, map_of, object_of, optional

# AWS CreateUser UserId: begins with a letter; letters, digits and hyphens; no two hyphens in a row, no trailing
# hyphen. Lowercase only here, like the other ids, so that the id in state is the one written.
USER_ID = "[a-z](?:[a-z0-9]|-[a-z0-9])*"
USER = object_of(user_name=optional(STRING), access_string=STRING, authentication_type=optional(STRING, "password"))
AUTHENTICATION_TYPES = ("password", "iam")


def _first_breaking_user(condition: Expr) -> Callable[[Mapping[str, Any]], str]:
    """The `got` of a rule on each user: the first user id (in the order given) that the rule, judged on that user
    alone, refuses."""
    return lambda users: literal(
        next(user_id for user_id in users if not expr.holds(condition, {expr.VALUE_KEY: {user_id: users[user_id]}}))
    )


def password_users(users: Any) -> list[str]:
    """Environment files, before type conversion: the users that need a password (authentication_type is optional)."""
    if not isinstance(users, Mapping):
        return []
    return [user_id for user_id, user in users.items()
            if not isinstance(user, Mapping) or user.get("authentication_type", "password") == "password"]


# Users every rule on users accepts: a password user named "default" (as AWS requires) and an IAM user.
VALID_USERS = {
    "default-user": {"user_name": "default", "access_string": "off ~* -@all"},
    "app": {"access_string": "on ~* +@all", "authentication_type": "iam"},
}
# The smallest valid set of users (the user AWS requires, named "default") and its password.
DEFAULT_USER_ONLY = {"default-user": {"user_name": "default", "access_string": "off ~* -@all"}}
DEFAULT_USER_PASSWORDS = {"default-user": ["example-password-0123"]}


def _user_rule(must: str, condition: Expr, example: Any) -> Rule:
    return Rule(must, when=condition, got=_first_breaking_user(condition), example=example, passing=VALID_USERS)


# Valkey's ACL categories (src/acl.c, ACLCommandCategories; the same in 7.2 and 8.x) and "all": an access string
# that adds or removes another (+@bogus) is refused by CreateUser/ModifyUser at apply.
ACL_CATEGORIES = (
    "all", "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap", "hyperloglog", "geo",
    "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous", "connection", "transaction", "scripting",
)


def _known_category(token: Expr) -> Expr:
    """A token of an access string that is no category rule (+@x, -@x), or one of a category Valkey has; case is
    ignored, as Valkey ignores it."""
    return ~call("lower", token).matches("[+-]@.*") | call("lower", token).matches(
        "[+-]@(" + "|".join(ACL_CATEGORIES) + ")")


USER_RULES = (
    _user_rule(
        f"have keys (user ids) of lowercase letters, digits and single hyphens, starting with a letter, other than "
        f'"default" (AWS\'s own default user has that id in every Region)',
        all_(call("keys", value), lambda k: k.matches(USER_ID) & (k != "default")),
        example={"default": {"access_string": "off ~* -@all"}},
    ),
    _user_rule(
        "give each user an access_string (such as \"on ~* +@all\")",
        all_(call("values", value), lambda u: call("trimspace", u["access_string"]) != ""),
        example={"app": {"access_string": " "}},
    ),
    Rule(
        "give each user an access_string whose +@ and -@ name ACL categories Valkey has ("
        + ", ".join(ACL_CATEGORIES) + ")",
        when=all_(call("values", value), lambda u: all_(call("split", " ", u["access_string"]), _known_category)),
        got=lambda users: next(
            f"{literal(user_id)} ({token})" for user_id, user in users.items()
            for token in user["access_string"].split(" ") if not expr.holds(_known_category(expr.lift(token)), {})),
        example={"app": {"access_string": "on ~* +@bogus"}},
        passing=VALID_USERS,
    ),
    _user_rule(
        "give each user an authentication_type of \"password\" or \"iam\"",
        all_(call("values", value), lambda u: u["authentication_type"].is_in(AUTHENTICATION_TYPES)),
        example={"app": {"access_string": "on ~* +@all", "authentication_type": "token"}},
    ),
    _user_rule(
        "give each user a user_name of at least one character when set",
        all_(call("values", value), lambda u: u["user_name"].is_null() | (u["user_name"] != "")),
        example={"app": {"user_name": "", "access_string": "on ~* +@all"}},
    ),
    # AWS "Authenticating with IAM" (ElastiCache): an IAM-enabled user's id and name must be identical.
    _user_rule(
        "give IAM users (authentication_type = \"iam\") a user_name equal to their id, or none",
        all_(value, lambda k, u: (u["authentication_type"] != "iam") | (call("coalesce", u["user_name"], k) == k)),
        example={"app": {"user_name": "application", "access_string": "on ~* +@all", "authentication_type": "iam"}},
    ),
)

# AWS CreateUser Passwords: 1 or 2 passwords per user (two while rotating), each 16 to 128 printable characters.
# Printable ASCII (space to ~): Terraform's length() counts grapheme clusters where Python counts code points, so
# only ASCII is measured alike on both sides.
USER_PASSWORD_RULES = (
    Rule(
        "give each user 1 or 2 passwords of 16 to 128 printable characters",
        when=all_(call("values", value),
                  lambda pw: pw.length().between(1, 2) & all_(pw, lambda p: p.matches("[ -~]{16,128}"))),
        example={"app": ["too-short"]},
        passing={"app": ["example-password-0123", "example password 4567 ~!"]},
    ),
)

# The passwords map arrives at apply in an environment file (a secret: the rule language's opaque value, which
# keys() cannot read): Python then leaves the check to Terraform, which always sees the map.
PASSWORDS_MATCH_USERS = if_(
    can(call("keys", var("user_passwords"))),
    all_(call("nonsensitive", call("keys", var("user_passwords"))),
         lambda k: try_(var("users")[k]["authentication_type"] == "password", False))
    # keys() of a sensitive map is sensitive; user ids are not secret.
    & all_(var("users"), lambda k, u: (u["authentication_type"] != "password")
           | call("contains", call("nonsensitive", call("keys", var("user_passwords"))), k)),
    True,
)
# Some user of var.users is named "default" (its user_name, else its id).
HAS_DEFAULT_USER = any_(var("users"), lambda k, u: call("coalesce", u["user_name"], k) == "default")
DEFAULT_USER_RULE = 'must include a user named "default" (AWS requires one in every user group)'


def users_input(description: str, default: Any = None, **options: Any) -> Input:
    """`users`, by user id; `description` says where the module puts them (given a default: optional)."""
    extra = {} if default is None else {"default": default}
    return Input("users", map_of(USER), description, rules=USER_RULES, **extra, **options)


def user_passwords_input() -> Input:
    return Input(
        "user_passwords",
        map_of(list_of(STRING)),
        "Passwords of the password users, by user id: 1 or 2 each (two while rotating), 16-128 printable ASCII "
        "characters. Pass it as a sensitive variable, never in a file.",
        default={},
        sensitive=True,
        secret=True,
        secret_wanted=lambda given: bool(password_users(given.get("users"))),
        rules=USER_PASSWORD_RULES,
    )


def passwords_match_check(context: Mapping[str, Any]) -> Check:
    """Passwords for exactly the password users; `context`: what else a call of the module needs to pass."""
    return Check(
        ("user_passwords", "users"),
        "must give passwords to exactly the users with authentication_type = \"password\" (IAM users take none)",
        when=PASSWORDS_MATCH_USERS,
        shown=("users",),  # never echo a secret
        example={**context, "users": DEFAULT_USER_ONLY, "user_passwords": {}},
        passing={**context, "users": VALID_USERS, "user_passwords": DEFAULT_USER_PASSWORDS},
    )
