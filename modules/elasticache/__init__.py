"""ElastiCache for Valkey: a replication group that is encrypted, authenticated, replicated and backed up by default."""

from generator.model.module import ModuleDefinition
from modules.elasticache.inputs import INPUTS
from modules.elasticache.outputs import OUTPUTS
from modules.shared.network import rule_key_moves

MODULE = ModuleDefinition(
    name="elasticache",
    summary=(
        "An ElastiCache replication group running Valkey, with its parameter group (family derived from the "
        "engine version, cluster-enabled in cluster mode), subnet group, a security group that opens only the cache "
        "port to the sources you name, and CloudWatch log groups for the slow and engine logs. By default it is "
        "encrypted at rest and in transit, has a replica with automatic failover across Availability Zones, and "
        "keeps a week of snapshots."
    ),
    inputs=INPUTS,
    outputs=OUTPUTS,
    build="modules.elasticache.resources:build",  # imported at synth: see ModuleDefinition.build
    adopter="modules.elasticache.adopt:ADOPTER",  # imported by --adopt only: see ModuleDefinition.adopter
    exported=(
        "primary_endpoint_address",
        "reader_endpoint_address",
        "configuration_endpoint_address",
        "port",
        "arn",
        "security_group_id",
    ),
    moves=lambda v: rule_key_moves(v, [v["port"]], [v["port"]]),
    main_resource_types=("aws_elasticache_replication_group", "aws_security_group", "aws_cloudwatch_log_group"),
    ingress_ports=lambda v: [v["port"]],
)
