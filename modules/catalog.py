"""Lists that AWS changes over time, kept in one place with where they come from and when they were read.

Update them here when AWS adds or retires a version; the modules' Python checks, their Terraform `validation`
blocks and the READMEs all read these lists.
"""

from __future__ import annotations

from typing import Any

# ElastiCache for Valkey, node-based clusters (replication groups).
# Source: AWS "Engine versions and upgrading in ElastiCache" (AmazonElastiCache/latest/dg/engine-versions),
# read 2026-11 via ../shared/reference/aws-constraints.md §1.1. The provider stores Valkey versions as major.minor.
# 9.x is left out until AWS lists a `valkey9` parameter group family (CreateCacheParameterGroup lists only valkey7
# and valkey8).
VALKEY_ENGINE_VERSIONS = ("7.2", "8.0", "8.1", "8.2")
VALKEY_DEFAULT_ENGINE_VERSION = "8.2"

# Amazon MSK, Apache Kafka versions accepted for new provisioned clusters.
# Source: AWS "Supported Apache Kafka versions" and "KRaft mode" (read 2026-11 via aws-constraints.md §3.1).
# Versions past end of support (2.x, 3.1–3.5) are left out; 3.6.0 reaches end of support on 2026-06-01 and is left
# out for new clusters. `.kraft` versions use KRaft metadata; 4.x is KRaft only.
MSK_KAFKA_VERSIONS = (
    "3.7.x",
    "3.7.x.kraft",
    "3.8.x",
    "3.8.x.kraft",
    "3.9.x",
    "3.9.x.kraft",
    "4.0.x.kraft",
    "4.1.x.kraft",
)
MSK_DEFAULT_KAFKA_VERSION = "3.8.x"  # AWS's recommended version

# CloudWatch Logs retention periods the API accepts (PutRetentionPolicy, retentionInDays).
LOG_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)

# ElastiCache node types for Valkey replication groups (node-based clusters).
# Source: AWS "Supported node types", section "Current Generation (Valkey)"
# (AmazonElastiCache/latest/dg/CacheNodes.SupportedTypes), read 2026-11. Every family listed there supports Valkey
# 7.2 and later; availability varies by Region (AWS points to the pricing page), which a plan cannot know.
# Data tiering exists only on r6gd (AWS "Data tiering in ElastiCache").
_ELASTICACHE_SIZES = ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge")
ELASTICACHE_NODE_TYPES = (
    *(f"cache.{family}.{size}" for family in ("m8g", "m7g", "m6g") for size in _ELASTICACHE_SIZES),
    *(f"cache.m5.{size}" for size in ("large", "xlarge", "2xlarge", "4xlarge", "12xlarge", "24xlarge")),
    *(f"cache.m4.{size}" for size in ("large", "xlarge", "2xlarge", "4xlarge", "10xlarge")),
    *(f"cache.{family}.{size}" for family in ("t4g", "t3", "t2") for size in ("micro", "small", "medium")),
    *(f"cache.{family}.{size}" for family in ("r8g", "r7g", "r6g") for size in _ELASTICACHE_SIZES),
    *(f"cache.r5.{size}" for size in ("large", "xlarge", "2xlarge", "4xlarge", "12xlarge", "24xlarge")),
    *(f"cache.r4.{size}" for size in ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge")),
    *(f"cache.r6gd.{size}" for size in _ELASTICACHE_SIZES[1:]),  # no r6gd.large
    *(f"cache.{family}.{size}" for family in ("c8gn", "c7gn") for size in _ELASTICACHE_SIZES),
)

# Valkey parameters a custom parameter group may set, by parameter group family.
# Source: AWS "Engine specific parameters" (AmazonElastiCache/latest/dg/ParameterGroups.Engine), read 2026-11:
# Valkey 7.2 parameters are those of Redis OSS 7, i.e. the Redis OSS 5.0 list (aws elasticache
# describe-engine-default-parameters --cache-parameter-group-family redis5.0, AWS CLI reference example) plus the
# 5.0.3 and 6.x additions, less `lua-replicate-commands` (removed in 6.x), plus the Redis OSS 7 additions, less the
# ziplist parameters Redis OSS 7 removed. valkey8 removes five lazy-free parameters and adds
# extended-redis-compatibility (8.0), the command log (8.1) and search (8.2) parameters.
VALKEY7_PARAMETERS = (
    "acl-pubsub-default", "acllog-max-len", "active-defrag-cycle-max", "active-defrag-cycle-min",
    "active-defrag-ignore-bytes", "active-defrag-max-scan-fields", "active-defrag-threshold-lower",
    "active-defrag-threshold-upper", "active-expire-effort", "activedefrag", "activerehashing", "appendfsync",
    "appendonly", "client-output-buffer-limit-normal-hard-limit", "client-output-buffer-limit-normal-soft-limit",
    "client-output-buffer-limit-normal-soft-seconds", "client-output-buffer-limit-pubsub-hard-limit",
    "client-output-buffer-limit-pubsub-soft-limit", "client-output-buffer-limit-pubsub-soft-seconds",
    "client-output-buffer-limit-replica-hard-limit", "client-output-buffer-limit-replica-soft-limit",
    "client-output-buffer-limit-replica-soft-seconds", "client-query-buffer-limit", "close-on-replica-write",
    "cluster-allow-pubsubshard-when-down", "cluster-allow-reads-when-down", "cluster-enabled",
    "cluster-preferred-endpoint-type", "cluster-require-full-coverage", "databases", "hash-max-listpack-entries",
    "hash-max-listpack-value", "hll-sparse-max-bytes", "latency-tracking", "lazyfree-lazy-eviction",
    "lazyfree-lazy-expire", "lazyfree-lazy-server-del", "lazyfree-lazy-user-del", "lfu-decay-time", "lfu-log-factor",
    "list-compress-depth", "lua-time-limit", "maxclients", "maxmemory-policy", "maxmemory-samples",
    "min-replicas-max-lag", "min-replicas-to-write", "notify-keyspace-events", "proto-max-bulk-len",
    "rename-commands", "repl-backlog-size", "repl-backlog-ttl", "replica-allow-chaining", "replica-ignore-maxmemory",
    "replica-lazy-flush", "reserved-memory", "reserved-memory-percent", "set-max-intset-entries",
    "slowlog-log-slower-than", "slowlog-max-len", "stream-node-max-bytes", "stream-node-max-entries",
    "tcp-keepalive", "timeout", "tracking-table-max-keys", "zset-max-listpack-entries", "zset-max-listpack-value",
)
_VALKEY8_REMOVED = (
    "lazyfree-lazy-eviction", "lazyfree-lazy-expire", "lazyfree-lazy-server-del", "lazyfree-lazy-user-del",
    "replica-lazy-flush",
)
VALKEY8_PARAMETERS = tuple(sorted(
    {p for p in VALKEY7_PARAMETERS if p not in _VALKEY8_REMOVED}
    | {
        "extended-redis-compatibility",
        "commandlog-request-larger-than", "commandlog-large-request-max-len",
        "commandlog-reply-larger-than", "commandlog-large-reply-max-len",
        "search-fanout-target-mode", "search-default-timeout-ms", "search-enable-partial-results",
    }
))
VALKEY_PARAMETERS = {"valkey7": VALKEY7_PARAMETERS, "valkey8": VALKEY8_PARAMETERS}

# Redis OSS parameters, by parameter group family. Source: AWS "Redis OSS-specific parameters"
# (AmazonElastiCache/latest/red-ug/ParameterGroups.Redis, sections "Redis OSS 7 parameter changes" and "Redis OSS 6.x
# parameter changes"), read 2026-12. Valkey 7.2 took the redis7 family's parameters unchanged (AWS "Engine specific
# parameters": "Valkey 7 and Redis OSS 7 parameter changes"), so redis7 is valkey7's list. Redis OSS 7 added the
# cluster-allow-pubsubshard-when-down, cluster-preferred-endpoint-type and latency-tracking parameters and renamed
# the four ziplist encodings to listpack: redis6.x has the ziplist names and none of the seven.
_REDIS7_ADDED = (
    "cluster-allow-pubsubshard-when-down", "cluster-preferred-endpoint-type", "latency-tracking",
    "hash-max-listpack-entries", "hash-max-listpack-value", "zset-max-listpack-entries", "zset-max-listpack-value",
)
_REDIS6_ZIPLIST = ("hash-max-ziplist-entries", "hash-max-ziplist-value", "zset-max-ziplist-entries",
                   "zset-max-ziplist-value")
REDIS_PARAMETERS = {
    "redis7": VALKEY7_PARAMETERS,
    "redis6.x": tuple(sorted({p for p in VALKEY7_PARAMETERS if p not in _REDIS7_ADDED} | set(_REDIS6_ZIPLIST))),
}
# Every family's parameters, for the parameter group check (engine and version give the family).
PARAMETERS_BY_FAMILY = {**VALKEY_PARAMETERS, **REDIS_PARAMETERS}

# Values of the parameters whose allowed values are a short list (same source as above).
_YES_NO = ("yes", "no")
VALKEY_PARAMETER_VALUES = {
    "maxmemory-policy": (
        "volatile-lru", "allkeys-lru", "volatile-lfu", "allkeys-lfu", "volatile-random", "allkeys-random",
        "volatile-ttl", "noeviction",
    ),
    "acl-pubsub-default": ("resetchannels", "allchannels"),
    "cluster-preferred-endpoint-type": ("ip", "tls-dynamic"),
    "search-fanout-target-mode": ("client", "throughput"),
    **{
        name: _YES_NO
        for name in (
            "activedefrag", "close-on-replica-write", "cluster-allow-pubsubshard-when-down",
            "cluster-allow-reads-when-down", "cluster-require-full-coverage", "extended-redis-compatibility",
            "latency-tracking", "lazyfree-lazy-eviction", "lazyfree-lazy-expire", "lazyfree-lazy-server-del",
            "lazyfree-lazy-user-del", "search-enable-partial-results",
        )
    },
}
# "only noeviction, volatile-lru and allkeys-lru max-memory policies are supported with r6gd node types" (same page,
# Redis OSS 6.x section).
DATA_TIERING_MAXMEMORY_POLICIES = ("noeviction", "volatile-lru", "allkeys-lru")

# The value each parameter takes, numbers included. Source: AWS "Engine specific parameters"
# (AmazonElastiCache/latest/dg/ParameterGroups.Engine: each parameter's Type and Permitted values), and Valkey's own
# valkey.conf for the ranges AWS leaves out, read 2026-11. A number without a documented upper bound is held to
# 64 bits (Valkey reads them as long long); -1 only where the engine gives it a meaning (the slow log and command log
# off).
_LONG_LONG_MAX = 2**63 - 1


def _valkey_parameter_types() -> dict[str, Any]:
    from generator.language.rules import choice, text_of, whole

    def at_least(low: int) -> Any:
        return whole(low, _LONG_LONG_MAX)

    return {
        **{name: choice(*values) for name, values in VALKEY_PARAMETER_VALUES.items()},
        "cluster-enabled": choice(*_YES_NO),
        "activerehashing": choice(*_YES_NO),
        "appendonly": choice(*_YES_NO),
        "replica-allow-chaining": choice(*_YES_NO),
        "replica-ignore-maxmemory": choice(*_YES_NO),
        "replica-lazy-flush": choice(*_YES_NO),
        "appendfsync": choice("always", "everysec", "no"),
        "acllog-max-len": whole(1, 10000),
        "active-defrag-cycle-max": whole(1, 75),
        "active-defrag-cycle-min": whole(1, 75),
        "active-defrag-ignore-bytes": at_least(1048576),
        "active-defrag-max-scan-fields": whole(1, 1000000),
        "active-defrag-threshold-lower": whole(1, 100),
        "active-defrag-threshold-upper": whole(1, 100),
        "active-expire-effort": whole(1, 10),
        "client-query-buffer-limit": whole(1048576, 3221225472),
        "databases": whole(1, 1200000),
        "maxclients": whole(1, 65000),
        "maxmemory-samples": whole(1, 64),
        "proto-max-bulk-len": whole(1048576, 536870912),
        "repl-backlog-size": at_least(16384),
        "reserved-memory-percent": whole(0, 100),
        "tracking-table-max-keys": whole(1, 100000000),
        "slowlog-log-slower-than": at_least(-1),
        "commandlog-request-larger-than": at_least(-1),
        "commandlog-reply-larger-than": at_least(-1),
        **{name: at_least(0) for name in (
            "client-output-buffer-limit-normal-hard-limit", "client-output-buffer-limit-normal-soft-limit",
            "client-output-buffer-limit-normal-soft-seconds", "client-output-buffer-limit-pubsub-hard-limit",
            "client-output-buffer-limit-pubsub-soft-limit", "client-output-buffer-limit-pubsub-soft-seconds",
            "client-output-buffer-limit-replica-hard-limit", "client-output-buffer-limit-replica-soft-limit",
            "client-output-buffer-limit-replica-soft-seconds", "hash-max-listpack-entries", "hash-max-listpack-value",
            "hll-sparse-max-bytes", "lfu-decay-time", "lfu-log-factor", "list-compress-depth", "lua-time-limit",
            "min-replicas-max-lag", "min-replicas-to-write", "repl-backlog-ttl", "reserved-memory",
            "set-max-intset-entries", "slowlog-max-len", "stream-node-max-bytes", "stream-node-max-entries",
            "tcp-keepalive", "timeout", "zset-max-listpack-entries", "zset-max-listpack-value",
            "commandlog-large-request-max-len", "commandlog-large-reply-max-len", "search-default-timeout-ms",
            *_REDIS6_ZIPLIST)},
        # Keyspace notifications: any of the classes K E g $ l s h z x t e m d n A (empty turns them off: leave the
        # parameter out for that).
        "notify-keyspace-events": text_of("[KEg$lshzxtemdnA]+", "one or more of the characters KEg$lshzxtemdnA"),
        # Pairs "<command> <new name>", separated by spaces.
        "rename-commands": text_of("[A-Za-z0-9_-]+ [A-Za-z0-9_-]+( [A-Za-z0-9_-]+ [A-Za-z0-9_-]+)*",
                                   "pairs of a command and its new name, separated by spaces, such as "
                                   "\"flushall nuke-all\""),
    }

VALKEY_PARAMETER_TYPES = _valkey_parameter_types()
_ALL_PARAMETERS = set().union(*PARAMETERS_BY_FAMILY.values())
assert set(VALKEY_PARAMETER_TYPES) == _ALL_PARAMETERS, set(VALKEY_PARAMETER_TYPES) ^ _ALL_PARAMETERS

# Amazon MSK broker instance types.
# Source: AWS "Amazon MSK broker types" and "Broker sizes" (msk/latest/developerguide), read 2026-11 via
# ../shared/reference/aws-constraints.md §3.2. Standard brokers take EBS storage settings; Express brokers have
# storage managed by MSK, so the module (which always sets EBS storage) accepts Standard brokers only.
MSK_STANDARD_BROKER_TYPES = (
    "kafka.t3.small",
    *(f"kafka.m5.{size}" for size in ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge")),
    *(f"kafka.m7g.{size}" for size in _ELASTICACHE_SIZES),
)

# Apache Kafka properties a custom MSK configuration may set.
# Source: AWS "Custom Amazon MSK configurations" (msk/latest/developerguide/msk-configuration-properties), read
# 2026-11. log.message.timestamp.before.max.ms and .after.max.ms are the Kafka 3.6 replacements the page names for
# log.message.timestamp.difference.max.ms. MSK refuses any other property in CreateConfiguration.
MSK_SERVER_PROPERTIES = (
    "allow.everyone.if.no.acl.found", "auto.create.topics.enable", "compression.type", "connections.max.idle.ms",
    "default.replication.factor", "delete.topic.enable", "group.initial.rebalance.delay.ms",
    "group.max.session.timeout.ms", "group.min.session.timeout.ms", "leader.imbalance.per.broker.percentage",
    "log.cleaner.delete.retention.ms", "log.cleaner.min.cleanable.ratio", "log.cleanup.policy",
    "log.flush.interval.messages", "log.flush.interval.ms", "log.message.timestamp.after.max.ms",
    "log.message.timestamp.before.max.ms", "log.message.timestamp.difference.max.ms", "log.message.timestamp.type",
    "log.retention.bytes", "log.retention.hours", "log.retention.minutes", "log.retention.ms", "log.roll.ms",
    "log.segment.bytes", "max.incremental.fetch.session.cache.slots", "message.max.bytes", "min.insync.replicas",
    "num.io.threads", "num.network.threads", "num.partitions", "num.recovery.threads.per.data.dir",
    "num.replica.fetchers", "offsets.retention.minutes", "offsets.topic.replication.factor",
    "replica.fetch.max.bytes", "replica.fetch.response.max.bytes", "replica.lag.time.max.ms",
    "replica.selector.class", "replica.socket.receive.buffer.bytes", "socket.receive.buffer.bytes",
    "socket.request.max.bytes", "socket.send.buffer.bytes", "transaction.max.timeout.ms",
    "transaction.state.log.min.isr", "transaction.state.log.replication.factor", "transactional.id.expiration.ms",
    "unclean.leader.election.enable", "zookeeper.connection.timeout.ms", "zookeeper.session.timeout.ms",
)

# The value each of those properties takes. Source: Apache Kafka "Broker Configs" (kafka.apache.org/documentation,
# 3.x: each property's Type and Valid Values), read 2026-11; allow.everyone.if.no.acl.found is the ACL authorizer's
# boolean. A documented range ("Valid Values: [1,...]") bounds the number; otherwise the type's own range does
# (int: 32 bits, short: 16, long: 64), with -1 where Kafka gives it a meaning (no limit, the OS default). Kafka
# itself trims and reads "TRUE" as true; the module takes each value exactly as documented, in ASCII.
_INT = (-2**31, 2**31 - 1)
_LONG = (-2**63, 2**63 - 1)
_BOOL = ("true", "false")


def _msk_property_types() -> dict[str, Any]:
    from generator.language.rules import choice, fraction, text_of, whole

    def at_least(low: int, bits: tuple[int, int] = _INT) -> Any:
        return whole(low, bits[1])

    return {
        **{name: choice(*_BOOL) for name in (
            "allow.everyone.if.no.acl.found", "auto.create.topics.enable", "delete.topic.enable",
            "unclean.leader.election.enable")},
        "compression.type": choice("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"),
        "log.cleanup.policy": choice("delete", "compact", "compact,delete", "delete,compact"),
        "log.message.timestamp.type": choice("CreateTime", "LogAppendTime"),
        "log.cleaner.min.cleanable.ratio": fraction(0, 1),
        "replica.selector.class": text_of(
            "[A-Za-z_$][A-Za-z0-9_$]*([.][A-Za-z_$][A-Za-z0-9_$]*)*",
            "a Java class name, such as org.apache.kafka.common.replica.RackAwareReplicaSelector"),
        # No documented range: the type's.
        **{name: whole(*_INT) for name in (
            "default.replication.factor", "group.initial.rebalance.delay.ms", "group.max.session.timeout.ms",
            "group.min.session.timeout.ms", "leader.imbalance.per.broker.percentage", "log.retention.hours",
            "log.retention.minutes", "num.replica.fetchers", "replica.socket.receive.buffer.bytes",
            "socket.receive.buffer.bytes", "socket.send.buffer.bytes", "zookeeper.connection.timeout.ms",
            "zookeeper.session.timeout.ms")},
        **{name: whole(*_LONG) for name in (
            "connections.max.idle.ms", "log.flush.interval.ms", "log.retention.bytes", "log.retention.ms",
            "log.roll.ms", "replica.lag.time.max.ms")},
        # Documented ranges.
        **{name: at_least(0, _LONG) for name in (
            "log.cleaner.delete.retention.ms", "log.message.timestamp.after.max.ms",
            "log.message.timestamp.before.max.ms", "log.message.timestamp.difference.max.ms")},
        "log.flush.interval.messages": at_least(1, _LONG),
        "log.segment.bytes": at_least(14),
        **{name: at_least(0) for name in (
            "max.incremental.fetch.session.cache.slots", "message.max.bytes", "replica.fetch.max.bytes",
            "replica.fetch.response.max.bytes")},
        **{name: at_least(1) for name in (
            "min.insync.replicas", "num.io.threads", "num.network.threads", "num.partitions",
            "num.recovery.threads.per.data.dir", "offsets.retention.minutes", "socket.request.max.bytes",
            "transaction.max.timeout.ms", "transaction.state.log.min.isr", "transactional.id.expiration.ms")},
        **{name: whole(1, 2**15 - 1) for name in (
            "offsets.topic.replication.factor", "transaction.state.log.replication.factor")},
    }


MSK_PROPERTY_TYPES = _msk_property_types()
assert sorted(MSK_PROPERTY_TYPES) == sorted(MSK_SERVER_PROPERTIES), set(MSK_PROPERTY_TYPES) ^ set(MSK_SERVER_PROPERTIES)

# AWS Regions and partitions are facts the core needs too (the region of an environment file): they live in
# generator/language/aws.py, which the generator reads without importing modules/.
from generator.language.aws import AWS_PARTITIONS, AWS_REGIONS, AWS_REGIONS_BY_PARTITION  # noqa: E402,F401

# --- Version support status (adoption: clusters that run an older version) ---------------------------------------
# A module accepts every version AWS still runs, so that a team can adopt a cluster as it is; a version AWS no longer
# supports, or does not recommend for new clusters, gives a synth warning naming the reason and the date instead of
# a refusal. Versions neither here nor in the lists above are refused, with the list.
#
# Amazon MSK. Source: AWS "Supported Apache Kafka versions" (end-of-support table) and "Version support policy",
# read 2026-11 via ../shared/reference/aws-constraints.md §3.1. At end of support AWS upgrades clusters still on the
# version to a supported one; until then they keep running it. Older 2.x versions are left out: AWS upgraded the
# clusters on them when their support ended; add one here, with its date, if a cluster still reports it.
MSK_KAFKA_END_OF_SUPPORT = {
    "2.8.2.tiered": "2025-01-14",
    "3.1.1": "2024-09-11",
    "3.2.0": "2024-09-11",
    "3.3.1": "2024-09-11",
    "3.3.2": "2024-09-11",
    "3.4.0": "2025-08-04",
    "3.5.1": "2025-10-23",
    "3.6.0": "2026-06-01",
}
MSK_KAFKA_SUPPORT_SOURCE = 'AWS "Supported Apache Kafka versions", read 2026-11'
# Every version an existing cluster may report: the end-of-support ones, then those AWS accepts for new clusters.
MSK_KAFKA_KNOWN_VERSIONS = tuple(MSK_KAFKA_END_OF_SUPPORT) + MSK_KAFKA_VERSIONS

# ElastiCache for Valkey: every version AWS offers on node-based clusters is also accepted for new ones, and AWS
# has published no end of standard support for any of them (same source as VALKEY_ENGINE_VERSIONS, read 2026-11).
# A retired version goes here, version → end-of-support date, and gets the same warning as Kafka's.
VALKEY_END_OF_SUPPORT: dict[str, str] = {}
VALKEY_SUPPORT_SOURCE = 'AWS "Engine versions and upgrading in ElastiCache", read 2026-11'
VALKEY_KNOWN_VERSIONS = tuple(VALKEY_END_OF_SUPPORT) + VALKEY_ENGINE_VERSIONS


# ElastiCache for Redis OSS, node-based clusters (replication groups). Source: AWS "Supported ElastiCache (Redis OSS)
# versions" (AmazonElastiCache/latest/red-ug/supported-engine-versions: 7.1, 7.0, 6.2, 6.0, 5.0.6, 4.0.10) and
# "ElastiCache Extended Support" (AmazonElastiCache/latest/dg/extended-support), read 2026-12. The provider stores
# 6.0 and later as major.minor. Standard support of Redis OSS 4 and 5 ended on 2026-01-31 (Extended Support, paid, to
# 2029-01-31); that of Redis OSS 6 ends on 2027-01-31; none is announced for 7. 4.0.10 and 5.0.6 are left out: their
# parameter group families (redis4.0, redis5.0) are not listed here, and AWS moves such a group to Valkey in place,
# which is the way out this project offers (docs/redis.md). A group on them is upgraded first, then adopted.
REDIS_ENGINE_VERSIONS = ("7.1", "7.0", "6.2", "6.0")
REDIS_DEFAULT_ENGINE_VERSION = "7.1"
REDIS_END_OF_SUPPORT = {"6.0": "2027-01-31", "6.2": "2027-01-31"}
REDIS_SUPPORT_SOURCE = 'AWS "ElastiCache Extended Support", read 2026-12'
# The parameter group family of each engine and version (AWS CreateCacheParameterGroup, CacheParameterGroupFamily;
# "Expected a parameter group of family ..." otherwise).
ENGINE_FAMILIES = {
    **{("valkey", v): "valkey" + v.split(".")[0] for v in VALKEY_ENGINE_VERSIONS},
    **{("redis", v): "redis7" if v.startswith("7.") else "redis6.x" for v in REDIS_ENGINE_VERSIONS},
}
ENGINE_VERSIONS = {"valkey": VALKEY_KNOWN_VERSIONS, "redis": REDIS_ENGINE_VERSIONS}
ENGINE_NAMES = {"valkey": "Valkey", "redis": "Redis OSS"}
# AWS "How to upgrade from Redis OSS to Valkey": a Redis OSS group moves to Valkey in place (ModifyReplicationGroup
# with Engine and EngineVersion); the provider keeps the resource for redis → valkey only (any other engine change
# replaces it: customizeDiffEngineForceNewOnDowngrade in internal/service/elasticache/engine_version.go).


def redis_support_advice(version: str) -> str | None:
    """A warning for a Redis OSS version whose end of standard support AWS has announced, else None."""
    date = REDIS_END_OF_SUPPORT.get(version)
    if date is None:
        return None
    return (
        f"reaches the end of its standard support on {date} ({REDIS_SUPPORT_SOURCE}): AWS then charges Extended "
        f"Support; moving to Valkey happens in place (engine = \"valkey\", docs/redis.md)"
    )


def version_advice(version: str, end_of_support: dict[str, str], source: str, default: str, what: str) -> str | None:
    """A warning for a version past its end of support (the reason and the date), else None."""
    date = end_of_support.get(version)
    if date is None:
        return None
    return (
        f"is past its end of support ({date}, {source}): AWS no longer accepts it for new {what} and upgrades "
        f"{what} still on it; upgrading to {default} happens in place"
    )

# --- ElastiCache Serverless ----------------------------------------------------------------------------------------
# Valkey major versions a serverless cache accepts as MajorEngineVersion (CreateServerlessCache takes the major
# version only; ElastiCache applies minor and patch versions itself, without downtime). Source: AWS "Engine versions
# and upgrading in ElastiCache" and "Version management for ElastiCache" (AmazonElastiCache/latest/dg), read
# 2026-11: Valkey 7.2 and 8.x run serverless. 9 is left out until its serverless availability is confirmed in the
# same documents; add it here when it is.
VALKEY_SERVERLESS_MAJOR_VERSIONS = ("7", "8")
VALKEY_SERVERLESS_DEFAULT_MAJOR_VERSION = "8"
# Redis OSS serverless caches: major version 7 only (AWS "Supported ElastiCache (Redis OSS) versions": "ElastiCache
# Serverless caches support Redis OSS 7.1"), read 2026-12. A Redis OSS 7 serverless cache moves to Valkey in place
# (AWS "How to upgrade from Redis OSS to Valkey"; the provider's serverless cache updates engine and
# major_engine_version in place: ModifyServerlessCache).
REDIS_SERVERLESS_MAJOR_VERSIONS = ("7",)
SERVERLESS_MAJOR_VERSIONS = {"valkey": VALKEY_SERVERLESS_MAJOR_VERSIONS, "redis": REDIS_SERVERLESS_MAJOR_VERSIONS}
# Usage limits: ECPUs per second 1,000 to 15,000,000 (provider int64validator.Between in
# internal/service/elasticache/serverless_cache.go; AWS "Scaling ElastiCache Serverless"); data storage 1 to 5,000 GB
# (AWS "Scaling ElastiCache Serverless": a serverless cache stores at most 5 TB), read 2026-11.
SERVERLESS_ECPU_PER_SECOND = (1_000, 15_000_000)
SERVERLESS_DATA_STORAGE_GB = (1, 5_000)

# --- CloudWatch alarm metrics (modules.shared.alarms) ----------------------------------------------------------------
# Each metric a module can alarm on: (namespace, metric, dimensions the alarm names, statistic, source read).
# An alarm matches a metric only with exactly the dimensions AWS publishes it under, so the dimension sets below are
# the ones each page lists (read 2026-11-26):
# - ElastiCache: "Host-Level Metrics" and "Metrics for Valkey and Redis OSS"
#   (https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.html): published per cache node every
#   60 s, under {CacheClusterId} and {CacheClusterId, CacheNodeId}; a replication group's member cluster holds one
#   node, so {CacheClusterId} is that node. ReplicationLag is published by replicas only.
# - MSK: "Amazon MSK metrics for monitoring Standard brokers with CloudWatch", DEFAULT level (free)
#   (https://docs.aws.amazon.com/msk/latest/developerguide/metrics-details.html). Express brokers publish no
#   KafkaDataLogsDiskUsed (AWS manages their storage).
# - DynamoDB: "DynamoDB Metrics and dimensions"
#   (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html): the throttle
#   events of the table under {TableName}; SystemErrors only under {TableName, Operation}.
ELASTICACHE_DOCS = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.html"
MSK_DOCS = "https://docs.aws.amazon.com/msk/latest/developerguide/metrics-details.html"
DYNAMODB_DOCS = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html"
ALARM_METRICS = {
    "CPUUtilization": ("AWS/ElastiCache", ("CacheClusterId",), "Average", ELASTICACHE_DOCS),
    "EngineCPUUtilization": ("AWS/ElastiCache", ("CacheClusterId",), "Average", ELASTICACHE_DOCS),
    "DatabaseMemoryUsagePercentage": ("AWS/ElastiCache", ("CacheClusterId",), "Average", ELASTICACHE_DOCS),
    "Evictions": ("AWS/ElastiCache", ("CacheClusterId",), "Sum", ELASTICACHE_DOCS),
    "ReplicationLag": ("AWS/ElastiCache", ("CacheClusterId",), "Maximum", ELASTICACHE_DOCS),
    "KafkaDataLogsDiskUsed": ("AWS/Kafka", ("Cluster Name", "Broker ID"), "Maximum", MSK_DOCS),
    "UnderReplicatedPartitions": ("AWS/Kafka", ("Cluster Name", "Broker ID"), "Maximum", MSK_DOCS),
    "OfflinePartitionsCount": ("AWS/Kafka", ("Cluster Name",), "Maximum", MSK_DOCS),
    "ReadThrottleEvents": ("AWS/DynamoDB", ("TableName",), "Sum", DYNAMODB_DOCS),
    "WriteThrottleEvents": ("AWS/DynamoDB", ("TableName",), "Sum", DYNAMODB_DOCS),
    "SystemErrors": ("AWS/DynamoDB", ("TableName", "Operation"), "Sum", DYNAMODB_DOCS),
}
# The data-plane operations SystemErrors is published for (same DynamoDB page, "Operation" dimension).
DYNAMODB_OPERATIONS = (
    "GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan", "BatchGetItem", "BatchWriteItem",
    "TransactGetItems", "TransactWriteItems", "GetRecords", "ExecuteStatement", "BatchExecuteStatement",
    "ExecuteTransaction",
)
