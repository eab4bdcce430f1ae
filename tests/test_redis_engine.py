"""Redis OSS as an engine of the ElastiCache and Serverless modules (issue 28): the versions of each engine, the
parameter group family derived from engine and version, Redis-only and Valkey-only parameters told apart, the
end-of-support warning, and the Global Datastore's rules, with their exact messages (the same declarations are the
modules' HCL validations and preconditions: tests/test_redis_move.py and tests/test_peer_examples.py plan them)."""

from __future__ import annotations

import pytest

from generator.language import rules
from modules.catalog import ENGINE_FAMILIES, REDIS_PARAMETERS, VALKEY_PARAMETERS
from modules.elasticache import MODULE as ELASTICACHE
from modules.elasticache.inputs import PARAMETER_GROUP_FAMILY
from modules.valkeyserverless import MODULE as SERVERLESS

BASE = {
    "name_prefix": "acme-", "cluster_name": "carts", "vpc_id": "vpc-0a1b2c3d4e5f60718",
    "subnet_ids": ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"], "auth_token": "example-token-0123456789",
    "allowed_security_group_ids": ["sg-0e0e0e0e0e0e0e0e1"],
}
REDIS = {**BASE, "engine": "redis", "engine_version": "7.1"}
SERVERLESS_BASE = {"name_prefix": "acme-", "cache_name": "carts", "vpc_id": "vpc-0a1b2c3d4e5f60718",
                   "subnet_ids": ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]}
GLOBAL = {
    "id": "ldgnf-carts", "engine": "redis", "engine_version": "7.1", "node_type": "cache.r7g.large",
    "num_node_groups": None, "at_rest_encryption_enabled": True, "transit_encryption_enabled": True,
    "auth_token_enabled": True, "secondary_regions": ["eu-west-1"],
}
SECONDARY = {**REDIS, "global_datastore": GLOBAL}


def problems(module, values, region=None):
    context = rules.stack_context(region) if region else None
    return [message for _, message in module.inputs.problems(values, context=context)[1]]


@pytest.mark.parametrize(("engine", "version", "family"), [
    ("valkey", "7.2", "valkey7"), ("valkey", "8.2", "valkey8"), ("redis", "7.1", "redis7"), ("redis", "7.0", "redis7"),
    ("redis", "6.2", "redis6.x"), ("redis", "6.0", "redis6.x"),
])
def test_the_family_follows_engine_and_version(engine, version, family):
    values = {"engine": engine, "engine_version": version, "global_datastore": None}
    assert PARAMETER_GROUP_FAMILY.evaluate(values) == family == ENGINE_FAMILIES[(engine, version)]
    assert problems(ELASTICACHE, {**BASE, "engine": engine, "engine_version": version}) == []


def test_a_secondary_takes_the_global_groups_family():
    values = {"engine": "valkey", "engine_version": "8.2", "global_datastore": GLOBAL}
    assert PARAMETER_GROUP_FAMILY.evaluate(values) == "redis7"


def test_a_version_of_the_other_engine_is_refused_with_the_engines_list():
    assert problems(ELASTICACHE, {**BASE, "engine": "redis"}) == [
        'engine_version: must be a Redis OSS version with engine = "redis" (7.1, 7.0, 6.2, 6.0), got '
        'engine_version = "8.2", engine = "redis"'
    ]
    assert problems(ELASTICACHE, {**BASE, "engine": "memcached"}) == [
        'engine: must be one of "valkey", "redis", got "memcached"'
    ]


def test_redis_only_and_valkey_only_parameters_are_told_apart():
    assert "hash-max-ziplist-entries" in REDIS_PARAMETERS["redis6.x"]
    assert "hash-max-ziplist-entries" not in VALKEY_PARAMETERS["valkey7"]
    assert REDIS_PARAMETERS["redis7"] == VALKEY_PARAMETERS["valkey7"]
    assert problems(ELASTICACHE, {**REDIS, "engine_version": "6.2", "parameters": {"hash-max-ziplist-entries": "256"}}) == []
    assert problems(ELASTICACHE, {**BASE, "parameters": {"hash-max-ziplist-entries": "256"}}) == [
        'parameters: must name only parameters of the valkey8 family (modules/catalog.py); unknown: '
        '"hash-max-ziplist-entries" (a parameter of the redis6.x family only), got parameters = '
        '{"hash-max-ziplist-entries": "256"}, engine_version = "8.2"'
    ]
    assert problems(ELASTICACHE, {**REDIS, "parameters": {"extended-redis-compatibility": "yes"}}) == [
        'parameters: must name only parameters of the redis7 family (modules/catalog.py); unknown: '
        '"extended-redis-compatibility" (a parameter of the valkey8 family only), got parameters = '
        '{"extended-redis-compatibility": "yes"}, engine_version = "7.1"'
    ]
    # A Redis-only parameter takes values of its type too.
    assert problems(ELASTICACHE, {**REDIS, "engine_version": "6.0", "parameters": {"zset-max-ziplist-value": "-1"}}) == [
        "parameters: must give each parameter a value of its type (AWS's documented values and ranges, in "
        "modules/catalog.py), got zset-max-ziplist-value = \"-1\" (it takes a whole number from 0 to "
        "9223372036854775807 in ASCII digits)"
    ]


def test_redis_6_warns_of_its_end_of_standard_support():
    values, found = ELASTICACHE.inputs.problems({**REDIS, "engine_version": "6.2"})
    assert found == []
    assert ELASTICACHE.inputs.warnings(values) == [
        'engine_version = "6.2" reaches the end of its standard support on 2027-01-31 (AWS "ElastiCache Extended '
        'Support", read 2026-12): AWS then charges Extended Support; moving to Valkey happens in place (engine = '
        '"valkey", docs/redis.md)'
    ]
    assert ELASTICACHE.inputs.warnings(ELASTICACHE.inputs.problems(REDIS)[0]) == []


def test_serverless_takes_redis_7_only():
    assert problems(SERVERLESS, {**SERVERLESS_BASE, "engine": "redis", "major_engine_version": "7"}) == []
    assert problems(SERVERLESS, {**SERVERLESS_BASE, "engine": "redis"}) == [
        'major_engine_version: must be a Redis OSS major version with engine = "redis" (7), got '
        'major_engine_version = "8", engine = "redis"'
    ]


# --- Global Datastore -------------------------------------------------------------------------------------------

def test_a_secondary_that_says_what_the_primary_runs_passes():
    assert problems(ELASTICACHE, SECONDARY, region="eu-west-1") == []


@pytest.mark.parametrize(("changes", "message"), [
    ({"engine": "valkey", "engine_version": "7.2"},
     "global_datastore: must be joined with the Global Datastore's engine and major version (AWS: a secondary runs "
     'the primary\'s): set engine and engine_version as the primary does, got engine = "valkey", engine_version = '
     '"7.2"'),
    ({"node_type": "cache.m7g.large"},
     "global_datastore: must be joined with a node_type of the Global Datastore's node type family (AWS: the "
     'secondaries\' nodes are the primary\'s), got "cache.m7g.large"'),
    ({"transit_encryption_enabled": False, "auth_token": None, "authentication_disabled": True},
     "global_datastore: must be joined with the Global Datastore's encryption (the primary's "
     "at_rest_encryption_enabled and transit_encryption_enabled, which a secondary cannot set otherwise), got "
     "at_rest_encryption_enabled = true, transit_encryption_enabled = false"),
    ({"num_node_groups": 2},
     "global_datastore: must be joined without num_node_groups, parameters, snapshot_arns or snapshot_name (the "
     "Global Datastore's shards and parameter group are the primary's, and a secondary starts from its data), got "
     "num_node_groups = 2, parameters = {}, snapshot_arns = [], snapshot_name = null"),
], ids=["engine-version", "node-family", "encryption", "shards"])
def test_a_secondary_that_differs_from_the_global_group_is_refused(changes, message):
    found = problems(ELASTICACHE, {**SECONDARY, **changes})
    assert message in found
    assert all(m.startswith("global_datastore: ") or "transit" in m or "auth" in m for m in found), found


def test_a_secondary_in_a_region_the_primary_did_not_declare_is_refused():
    assert problems(ELASTICACHE, SECONDARY, region="us-east-1") == [
        "global_datastore: must list this stack's Region, us-east-1, in its secondary_regions (the primary's "
        "global_secondary_regions: AWS allows two secondaries, each declared on the primary), got "
        '{"at_rest_encryption_enabled": true, "auth_token_enabled": true, "engine": "redis", "engine_version": "7.1", '
        '"id": "ldgnf-carts", "node_type": "cache.r7g.large", "num_node_groups": null, "secondary_regions": '
        '["eu-west-1"], "transit_encryption_enabled": true}'
    ]


def test_a_primary_needs_a_global_node_type_and_at_most_two_other_regions():
    primary = {**REDIS, "global_replication_group_id_suffix": "carts"}
    assert problems(ELASTICACHE, {**primary, "node_type": "cache.r7g.large"}, region="eu-west-1") == []
    assert problems(ELASTICACHE, {**primary, "node_type": "cache.t4g.small"}, region="eu-west-1") == [
        "global_replication_group_id_suffix: needs an M5, R5 or later node type (AWS's Global Datastore runs on no "
        'T, C or 4th generation node), got "cache.t4g.small"'
    ]
    assert problems(ELASTICACHE, {**primary, "global_secondary_regions": ["eu-west-1"]}, region="eu-west-1") == [
        'global_secondary_regions: must not name the primary\'s own Region, eu-west-1, got ["eu-west-1"]'
    ]
    assert problems(ELASTICACHE, {**BASE, "global_secondary_regions": ["us-east-1"]}) == [
        "global_secondary_regions: must only be set on a Global Datastore's primary "
        '(global_replication_group_id_suffix), got global_secondary_regions = ["us-east-1"], '
        "global_replication_group_id_suffix = null"
    ]
