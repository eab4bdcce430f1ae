"""Valkey Serverless resources: the serverless cache, its security group and its KMS key.

Addresses are part of the module's contract: renaming one replaces infrastructure.
"""

from __future__ import annotations

from typing import Any

from generator.cdk import address, aws, local, number, string_map, strings
from modules.shared.kms import customer_managed_key
from modules.shared.network import security_group, security_group_ids
from modules.valkeyserverless.inputs import CACHE, KMS_KEY_UNUSED, PORT, READER_PORT


def build(stack: Any) -> Any:
    local(stack, CACHE.name, CACHE.declaration())
    # Both ports are AWS's, not the caller's: the endpoint (6379) and the reader endpoint (6380).
    local(stack, "ingress_ports", f"${{[{PORT}, {READER_PORT}]}}")
    # A new module: its group was counted from the start, so none of the `moved` pairs security_group() returns
    # for the older modules applies here.
    security_group(
        stack,
        name="local.cache_name",
        description="Valkey serverless ${local.cache_name}: cache ports from allowed sources only",
        service="Valkey",
    )

    # A serverless cache is always encrypted at rest: the module's key exists unless the caller brings one.
    customer_managed_key(
        stack,
        create="var.create_kms_key",
        used="var.kms_key_arn == null",
        unused_message=KMS_KEY_UNUSED,
        description="Valkey serverless ${local.cache_name}: data at rest",
        alias="alias/elasticache-serverless/${local.cache_name}",
        log_groups=None,
    )

    cache = aws.ElasticacheServerlessCache(
        stack,
        "serverless_cache",
        name="${local.cache_name}",
        description='${var.description != null ? var.description : "Valkey serverless cache ${local.cache_name}"}',
        engine="valkey",
        major_engine_version="${var.major_engine_version}",
        # The AWS managed key is ElastiCache's default: asked for by sending no key.
        kms_key_id='${var.kms_key_arn == "alias/aws/elasticache" ? null : '
        "var.kms_key_arn != null ? var.kms_key_arn : local.module_kms_key_arn}",
        security_group_ids=strings(security_group_ids()),
        subnet_ids=strings("var.subnet_ids"),
        user_group_id="${var.user_group_id}",
        snapshot_retention_limit=number("var.snapshot_retention_limit"),
        daily_snapshot_time="${var.daily_snapshot_time}",
        snapshot_arns_to_restore=strings(
            "length(var.snapshot_arns_to_restore) > 0 ? var.snapshot_arns_to_restore : null"
        ),
        tags=string_map("var.tags"),
    )
    address(cache, "this")
    # Each limit block only when one of its bounds is set: AWS refuses an empty block, and a block whose bounds are
    # both null would send unit "GB" alone.
    limits = "var.cache_usage_limits"
    cache.add_override(
        "dynamic.cache_usage_limits",
        {
            "for_each": "${" + f"anytrue([for v in values({limits}) : v != null]) ? [{limits}] : []" + "}",
            "content": {
                "dynamic": {
                    "data_storage": {
                        "for_each": "${cache_usage_limits.value.data_storage_minimum != null || "
                        "cache_usage_limits.value.data_storage_maximum != null ? [cache_usage_limits.value] : []}",
                        "content": {
                            "minimum": "${data_storage.value.data_storage_minimum}",
                            "maximum": "${data_storage.value.data_storage_maximum}",
                            "unit": "GB",
                        },
                    },
                    "ecpu_per_second": {
                        "for_each": "${cache_usage_limits.value.ecpu_per_second_minimum != null || "
                        "cache_usage_limits.value.ecpu_per_second_maximum != null ? [cache_usage_limits.value] : []}",
                        "content": {
                            "minimum": "${ecpu_per_second.value.ecpu_per_second_minimum}",
                            "maximum": "${ecpu_per_second.value.ecpu_per_second_maximum}",
                        },
                    },
                },
            },
        },
    )
    return cache
