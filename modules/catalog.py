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
