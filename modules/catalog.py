"""Lists that AWS changes over time, kept in one place with where they come from and when they were read.

Update them here when AWS adds or retires a version; the modules' Python checks, their Terraform `validation`
blocks and the READMEs all read these lists.
"""

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


def version_advice(version: str, end_of_support: dict[str, str], source: str, default: str, what: str) -> str | None:
    """A warning for a version past its end of support (the reason and the date), else None."""
    date = end_of_support.get(version)
    if date is None:
        return None
    return (
        f"is past its end of support ({date}, {source}): AWS no longer accepts it for new {what} and upgrades "
        f"{what} still on it; upgrading to {default} happens in place"
    )
