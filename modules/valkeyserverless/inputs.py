"""Valkey Serverless inputs (Redis OSS too, for a cache that runs it today) and the rules AWS enforces on them.

A serverless cache has no nodes, parameter group, subnet group or windows to size: AWS scales it within the usage
limits, encrypts it at rest and in transit always (TLS cannot be turned off), and applies minor versions itself.
What is left to check before apply is its name, the major version, the usage limits, the snapshot settings and the
network inputs shared with the other modules.
"""

from __future__ import annotations

from generator.language import expr, rules
from generator.language.expr import Expr, Local, call, if_, not_, text, unless_null, value, var
from generator.language.inputs import Advice, Check, Input, InputSet, Rule
from generator.language.types import NUMBER, STRING, list_of, literal, object_of, optional
from modules.catalog import (
    ENGINE_NAMES,
    REDIS_SERVERLESS_MAJOR_VERSIONS,
    SERVERLESS_MAJOR_VERSIONS,
    SERVERLESS_DATA_STORAGE_GB,
    SERVERLESS_ECPU_PER_SECOND,
    VALKEY_SERVERLESS_DEFAULT_MAJOR_VERSION,
    VALKEY_SERVERLESS_MAJOR_VERSIONS,
)
from modules.shared import inputs as shared
from modules.shared.names import identifier_name_prefix

# ElastiCache's own key: a serverless cache created without KmsKeyId uses it ("If no KMS key is provided, a default
# service key is used", CreateServerlessCache).
AWS_MANAGED_KEY = "alias/aws/elasticache"

# The endpoint listens on 6379; the reader endpoint (reads from replicas, same host name) on 6380. Both are fixed by
# AWS (AWS "Connecting to an ElastiCache serverless cache"), so the security group opens exactly these.
PORT = 6379
READER_PORT = 6380

# The serverless cache name is an ElastiCache identifier: AWS stores it in lowercase (CreateServerlessCache
# ServerlessCacheName), and the console and API apply the identifier rules of replication groups: 1-40 characters,
# letters, digits and hyphens, starting with a letter, no two hyphens in a row, no trailing hyphen. Only lowercase is
# accepted here, so the name in state is the name AWS reports.
CACHE_NAME = "[a-z](?:[a-z0-9]|-[a-z0-9])*"

# The cache's name, as resources.py writes it into `locals` and the checks read it.
CACHE = Local("cache_name", text(var("name_prefix"), var("cache_name")))
# The cache is always encrypted at rest: the module's key is needed unless the caller brings one.
KMS_KEY_NEEDED = var("kms_key_arn").is_null()


KMS_KEY_UNUSED = "create_kms_key must be false when kms_key_arn is given (the module's key would encrypt nothing)."

_ID_INPUTS = ("cache_name", "name_prefix")
# Every name follows from the cache name, whose own check (at most 40 characters) keeps each within its limit
# (bounded: no length check of their own).
AWS_NAMES = (
    rules.AwsName("ElastiCache serverless cache", _ID_INPUTS, "<name_prefix + cache_name>", CACHE, 40,
                  "CreateServerlessCache", fold_case=True, bounded=True),
    rules.AwsName(
        "KMS alias", _ID_INPUTS, "alias/elasticache-serverless/<cache name>",
        text("alias/elasticache-serverless/", CACHE), 256, "KMS CreateAlias", created=KMS_KEY_NEEDED, bounded=True,
    ),
    # name_prefix: Terraform appends a 26-character unique suffix.
    rules.AwsName("security group", _ID_INPUTS, "<cache name>-<26 characters>", text(CACHE, "-", "0" * 26), 255,
                  "EC2 CreateSecurityGroup", unique=False, bounded=True),
)

ECPU_LOW, ECPU_HIGH = SERVERLESS_ECPU_PER_SECOND
STORAGE_LOW, STORAGE_HIGH = SERVERLESS_DATA_STORAGE_GB
_LIMIT_FIELDS = (
    ("data_storage_minimum", STORAGE_LOW, STORAGE_HIGH),
    ("data_storage_maximum", STORAGE_LOW, STORAGE_HIGH),
    ("ecpu_per_second_minimum", ECPU_LOW, ECPU_HIGH),
    ("ecpu_per_second_maximum", ECPU_LOW, ECPU_HIGH),
)


def _limits_rule(field: str, low: int, high: int) -> Rule:
    return Rule(
        must=f"have {field} null or a whole number between {low} and {high}",
        when=unless_null(value[field], value[field].is_whole() & value[field].between(low, high)),
        got=lambda v: f"{field} = {literal(v[field])}",
        example={field: high + 1},
        passing={field: low},
    )


def _ordered(kind: str) -> Expr:
    low, high = value[f"{kind}_minimum"], value[f"{kind}_maximum"]
    return if_(low.is_null() | high.is_null(), True, low <= high)


# AWS "Scaling ElastiCache Serverless": a minimum above the maximum is refused (InvalidParameterCombination).
_LIMIT_RULES = (
    *(_limits_rule(field, low, high) for field, low, high in _LIMIT_FIELDS),
    *(
        Rule(
            must=f"have {kind}_minimum at most {kind}_maximum",
            when=_ordered(kind),
            got=lambda v, kind=kind: f"{kind}_minimum = {literal(v[kind + '_minimum'])}, "
            f"{kind}_maximum = {literal(v[kind + '_maximum'])}",
            example={f"{kind}_minimum": high, f"{kind}_maximum": low},
            passing={f"{kind}_minimum": low, f"{kind}_maximum": low},
        )
        for kind, low, high in (("data_storage", STORAGE_LOW, STORAGE_HIGH), ("ecpu_per_second", ECPU_LOW, ECPU_HIGH))
    ),
)

CACHE_USAGE_LIMITS = object_of(
    data_storage_minimum=optional(NUMBER),
    data_storage_maximum=optional(NUMBER),
    ecpu_per_second_minimum=optional(NUMBER),
    ecpu_per_second_maximum=optional(NUMBER),
)

INPUTS = InputSet(
    inputs=(
        identifier_name_prefix(),
        Input(
            "cache_name",
            STRING,
            "Name of the cache; the serverless cache's name is name_prefix + cache_name (changing it replaces the "
            "cache).",
            example="sessions",
            rules=(rules.matches("[a-z0-9][a-z0-9-]*", "be lowercase letters, digits and hyphens"),),
        ),
        Input(
            "description",
            STRING,
            "Description of the cache (AWS: at most 255 characters). Default: \"Valkey serverless cache <name>\" "
            "(\"Redis OSS ...\" with engine = \"redis\").",
            default=None,
            rules=(rules.length_between(1, 255),),
        ),
        Input(
            "engine",
            STRING,
            "Cache engine: \"valkey\" or \"redis\" (Redis OSS 7, for a cache that runs it today). A Redis OSS cache "
            "moves to Valkey in place: engine = \"valkey\" with a Valkey major_engine_version (docs/redis.md).",
            default="valkey",
            rules=(rules.one_of(["valkey", "redis"]),),
        ),
        Input(
            "major_engine_version",
            STRING,
            "Major version: Valkey " + ", ".join(VALKEY_SERVERLESS_MAJOR_VERSIONS) + "; Redis OSS "
            + ", ".join(REDIS_SERVERLESS_MAJOR_VERSIONS) + ". AWS applies minor and patch versions itself, without "
            "downtime; a major upgrade happens in place.",
            default=VALKEY_SERVERLESS_DEFAULT_MAJOR_VERSION,
            rules=(rules.one_of(dict.fromkeys(VALKEY_SERVERLESS_MAJOR_VERSIONS + REDIS_SERVERLESS_MAJOR_VERSIONS)),),
        ),
        Input(
            "cache_usage_limits",
            CACHE_USAGE_LIMITS,
            f"Bounds AWS scales the cache within: data_storage_minimum/maximum in GB ({STORAGE_LOW} to "
            f"{STORAGE_HIGH}), ecpu_per_second_minimum/maximum ({ECPU_LOW:,} to {ECPU_HIGH:,}). A minimum is "
            "billed even when unused; a maximum caps the cache (writes fail past the storage maximum, requests are "
            "throttled past the ECPU maximum). Default: no limits.",
            default={},
            rules=_LIMIT_RULES,
        ),
        *shared.network(
            "the cache ports (6379, and 6380 for the reader endpoint)",
            Input(
                "subnet_ids",
                list_of(STRING),
                "Private subnets of the cache's VPC endpoint, each in a different Availability Zone, at least 2: a "
                "serverless cache spans several Availability Zones (AWS \"Choosing regions and availability "
                "zones\"). Changing them replaces the cache.",
                rules=(
                    Rule("have at least 2 subnets", when=value.length() >= 2, example=["subnet-0123456789abcdef0"]),
                    rules.resource_ids("subnet"),
                    rules.distinct("subnet"),
                ),
                example=["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
            ),
        ),
        *shared.security_group_naming('"Valkey serverless <cache name>: cache ports from allowed sources only"'),
        Input(
            "kms_key_arn",
            STRING,
            "Customer managed KMS key for data at rest (changing it replaces the cache). Default: a key the module "
            "creates (rotation on). alias/aws/elasticache keeps ElastiCache's default key for a cache that already "
            "uses it; synth warns.",
            default=None,
            rules=shared.kms_key("ElastiCache", AWS_MANAGED_KEY),
            weakens=shared.aws_managed_key_warning(AWS_MANAGED_KEY),
        ),
        shared.create_kms_key("data at rest", KMS_KEY_NEEDED),
        Input(
            "user_group_id",
            STRING,
            "RBAC user group (aws_elasticache_user_group, engine valkey or redis) whose users may connect. Without "
            "one, any client the security group lets in connects as the default user, without a password.",
            default=None,
            # AWS CreateUserGroup documents the pattern of the ids of users, [a-zA-Z][a-zA-Z0-9-]*, and that a user
            # group's id is stored in lowercase; an id of another shape names no group ElastiCache can create.
            rules=(rules.matches("[a-zA-Z][a-zA-Z0-9-]*", "be letters, digits and hyphens, starting with a letter"),),
        ),
        Input(
            "snapshot_retention_limit",
            NUMBER,
            "Days of automatic daily snapshots kept, 0 to 35 (provider AtMost(35)); 0 turns backups off.",
            default=7,
            rules=(rules.between(0, 35),),
            weakens=(0, "turns off automatic backups"),
        ),
        Input(
            "daily_snapshot_time",
            STRING,
            "Time of the daily snapshot, hh24:mi in UTC.",
            default="03:00",
            rules=(rules.matches("([01][0-9]|2[0-3]):[0-5][0-9]", "be a time hh24:mi in UTC, such as 03:00"),),
        ),
        Input(
            "snapshot_arns_to_restore",
            list_of(STRING),
            "Snapshots (ARNs) the cache is created from. Read at creation only: changing the list later replaces "
            "the cache with a new one restored from it, and the old cache's data is lost.",
            default=[],
            rules=(
                rules.each_matches(
                    "arn:(aws|aws-cn|aws-us-gov):elasticache:[a-z]{2}(-gov)?-[a-z]+-[0-9]+:[0-9]{12}:"
                    "(serverlesscachesnapshot|snapshot):[A-Za-z0-9-]+",
                    "hold only ElastiCache snapshot ARNs (arn:aws:elasticache:<region>:<account>:"
                    "serverlesscachesnapshot:<name> or …:snapshot:<name>)",
                ),
                rules.distinct("snapshot"),
            ),
        ),
        shared.TAGS_WITH_NAME,
    ),
    checks=(
        # AWS CreateServerlessCache MajorEngineVersion: the engine's own majors (modules/catalog.py).
        Check(
            ("major_engine_version", "engine"),
            lambda v: f"must be a {ENGINE_NAMES.get(v['engine'], v['engine'])} major version with engine = "
            f"{literal(v['engine'])} ({', '.join(SERVERLESS_MAJOR_VERSIONS.get(v['engine'], ()))})",
            when=call("contains", expr.lift({e: list(vs) for e, vs in SERVERLESS_MAJOR_VERSIONS.items()})[var("engine")],
                      var("major_engine_version")),
            hcl_message="major_engine_version must be a major version of the engine: Valkey "
            + ", ".join(VALKEY_SERVERLESS_MAJOR_VERSIONS) + "; Redis OSS " + ", ".join(REDIS_SERVERLESS_MAJOR_VERSIONS)
            + ".",
            example={"engine": "redis"},
            passing={"engine": "redis", "major_engine_version": "7"},
        ),
        Check(
            _ID_INPUTS,
            "must give a serverless cache name (name_prefix + cache_name) of at most 40 lowercase letters, digits "
            "and single hyphens, starting with a letter and not ending with a hyphen",
            when=(CACHE.length() <= 40) & CACHE.matches(CACHE_NAME),
            # Two hyphens in a row: within 40 characters (the name length check would refuse a longer one too).
            example={"cache_name": "sessions--a"},
        ),
        # The security group's name starts with the cache name; EC2 refuses group names starting with sg-.
        Check(
            _ID_INPUTS,
            "must not give a cache name (name_prefix + cache_name) starting with sg-: it begins the security group's "
            "name, and EC2 refuses group names starting with sg-",
            when=not_(call("startswith", CACHE, "sg-")),
            # Without the module's group: the provider's own name_prefix validation would refuse the group first.
            example={"name_prefix": "sg-", "create_security_group": False,
                     "associated_security_group_ids": ["sg-0123456789abcdef0"]},
        ),
        *shared.NETWORK_CHECKS,
        shared.NO_INGRESS_COVERING_EVERY_ADDRESS,
        *shared.create_kms_key_checks(
            ("kms_key_arn",),
            ("kms_key_arn",),
            needs="needs kms_key_arn when false: the cache is always encrypted at rest, and the module then creates "
            "no key",
            unused="must be false when kms_key_arn is given (the module's key would encrypt nothing)",
            key_needed=KMS_KEY_NEEDED,
        ),
        shared.key_region_check("kms_key_arn", create_kms_key=False),
        # CreateServerlessCache restores snapshots of its own region (copy one over first: CopyServerlessCacheSnapshot).
        rules.region_check(
            "snapshot_arns_to_restore", "ElastiCache snapshots", many=True,
            example={"snapshot_arns_to_restore": [
                "arn:aws:elasticache:us-east-1:111122223333:serverlesscachesnapshot:sessions-1"]},
            passing={"snapshot_arns_to_restore": [
                "arn:aws:elasticache:ap-northeast-2:111122223333:serverlesscachesnapshot:sessions-1"]},
        ),
    ),
    aws_names=AWS_NAMES,
    advice=(
        shared.unreachable("the cache ports"),
        Advice(
            ("user_group_id",),
            lambda v: v["user_group_id"] is None,
            "is not set: any client the security group lets in connects as the default user, without a password "
            "(create an aws_elasticache_user_group and pass its id)",
        ),
    ),
)
