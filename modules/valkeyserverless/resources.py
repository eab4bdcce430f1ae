"""Valkey (or Redis OSS) Serverless resources: the serverless cache, its security group and its KMS key.

Addresses are part of the module's contract: renaming one replaces infrastructure.
"""

from __future__ import annotations

from typing import Any

from generator.cdk import address, aws, local, number, string_map, strings
from generator.model.wiring import InputRefs
from modules.shared.kms import customer_managed_key
from modules.shared.network import security_group, security_group_ids
from modules.valkeyserverless.inputs import CACHE, INPUTS, KMS_KEY_UNUSED, PORT, READER_PORT

# The module's inputs, each checked to exist when a resource reads it.
INPUT = InputRefs.of("valkeyserverless", INPUTS)


def build(stack: Any) -> Any:
    local(stack, CACHE.name, CACHE.declaration())
    # Both ports are AWS's, not the caller's: the endpoint (6379) and the reader endpoint (6380).
    ingress_ports = local(stack, "ingress_ports", f"${{[{PORT}, {READER_PORT}]}}")
    # A new module: its group was counted from the start, so none of the `moved` pairs security_group() returns
    # for the older modules applies here.
    security_group(
        stack,
        inputs=INPUT,
        ports=ingress_ports,
        name="local.cache_name",
        description="Valkey serverless ${local.cache_name}: cache ports from allowed sources only",
        service="Valkey",
    )

    # A serverless cache is always encrypted at rest: the module's key exists unless the caller brings one.
    key = customer_managed_key(
        stack,
        inputs=INPUT,
        create=INPUT.create_kms_key,
        used=f"{INPUT.kms_key_arn} == null",
        unused_message=KMS_KEY_UNUSED,
        description="Valkey serverless ${local.cache_name}: data at rest",
        alias="alias/elasticache-serverless/${local.cache_name}",
        log_groups=None,
    )
    # Read by the cache and the kms_key_arn output.
    module_key_arn = local(stack, "module_kms_key_arn", "${" + key.arn + "}")
    their_key = INPUT.kms_key_arn

    cache = aws.ElasticacheServerlessCache(
        stack,
        "serverless_cache",
        name="${local.cache_name}",
        description=f"${{{INPUT.description} != null ? {INPUT.description} : "
        f'"${{{INPUT.engine} == "redis" ? "Redis OSS" : "Valkey"}} serverless cache ${{local.cache_name}}"}}',
        engine=INPUT.ref("engine"),
        major_engine_version=INPUT.ref("major_engine_version"),
        # The AWS managed key is ElastiCache's default: asked for by sending no key.
        kms_key_id=f'${{{their_key} == "alias/aws/elasticache" ? null : '
        f"{their_key} != null ? {their_key} : {module_key_arn}}}",
        security_group_ids=strings(security_group_ids(INPUT)),
        subnet_ids=strings(INPUT.subnet_ids),
        user_group_id=INPUT.ref("user_group_id"),
        snapshot_retention_limit=number(INPUT.snapshot_retention_limit),
        daily_snapshot_time=INPUT.ref("daily_snapshot_time"),
        snapshot_arns_to_restore=strings(
            f"length({INPUT.snapshot_arns_to_restore}) > 0 ? {INPUT.snapshot_arns_to_restore} : null"
        ),
        tags=string_map(INPUT.tags),
    )
    address(cache, "this")
    # Each limit block only when one of its bounds is set: AWS refuses an empty block, and a block whose bounds are
    # both null would send unit "GB" alone.
    limits = INPUT.cache_usage_limits
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
