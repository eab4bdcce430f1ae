"""Valkey Serverless: an ElastiCache serverless cache, encrypted with a customer managed key and backed up daily by
default, reachable only from the sources you name."""

from generator.model.module import ModuleDefinition
from modules.valkeyserverless.inputs import INPUTS, PORT, READER_PORT
from modules.valkeyserverless.outputs import OUTPUTS

MODULE = ModuleDefinition(
    name="valkeyserverless",
    summary=(
        "An ElastiCache serverless cache running Valkey, which AWS scales within the usage limits you set, with a "
        "security group that opens only the endpoint (6379) and reader endpoint (6380) ports to the sources you "
        "name. Always encrypted in transit and at rest (a customer managed key by default); daily snapshots kept "
        "a week. The sibling of the elasticache module, for caches without nodes to size."
    ),
    inputs=INPUTS,
    outputs=OUTPUTS,
    build="modules.valkeyserverless.resources:build",  # imported at synth: see ModuleDefinition.build
    adopter="modules.valkeyserverless.adopt:ADOPTER",  # imported by --adopt only: see ModuleDefinition.adopter
    exported=("endpoint_address", "endpoint_port", "reader_endpoint_port", "arn", "security_group_id"),
    main_resource_types=("aws_elasticache_serverless_cache", "aws_security_group"),
    ingress_ports=lambda v: [PORT, READER_PORT],
)
