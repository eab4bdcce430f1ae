"""ElastiCache (Valkey, Redis OSS) outputs: endpoints and identifiers services and other modules need."""

from generator.model.module import Output
from generator.model.wiring import InputRefs
from modules.elasticache.inputs import INPUTS
from modules.shared.outputs import security_group_outputs

INPUT = InputRefs.of("elasticache", INPUTS)

OUTPUTS = (
    Output("replication_group_id", "aws_elasticache_replication_group.this.id", "Replication group id."),
    Output("arn", "aws_elasticache_replication_group.this.arn", "ARN of the replication group."),
    Output(
        "primary_endpoint_address",
        "aws_elasticache_replication_group.this.primary_endpoint_address",
        "Address of the primary node for writes. Empty in cluster mode: use configuration_endpoint_address.",
    ),
    Output(
        "reader_endpoint_address",
        "aws_elasticache_replication_group.this.reader_endpoint_address",
        "Address spreading reads over the replicas. Empty in cluster mode.",
    ),
    Output(
        "configuration_endpoint_address",
        "aws_elasticache_replication_group.this.configuration_endpoint_address",
        "Configuration endpoint of a cluster-mode group. Empty without cluster mode.",
    ),
    Output("port", INPUT.port, "Port of the endpoints."),
    Output(
        "engine_version_actual",
        "aws_elasticache_replication_group.this.engine_version_actual",
        "Engine version the cluster runs (major.minor.patch), as AWS reports it.",
    ),
    *security_group_outputs(INPUT),
    Output("parameter_group_name", "one(aws_elasticache_parameter_group.this[*].name)",
           "Parameter group of the cache. Null on a secondary of a Global Datastore (the global group's applies)."),
    Output("subnet_group_name", "aws_elasticache_subnet_group.this.name", "Subnet group of the cache."),
    Output("member_clusters", "aws_elasticache_replication_group.this.member_clusters", "Ids of the group's nodes."),
    Output(
        "log_group_names",
        "concat(aws_cloudwatch_log_group.slow_log[*].name, aws_cloudwatch_log_group.engine_log[*].name)",
        "CloudWatch log groups receiving the slow and engine logs.",
    ),
    Output(
        "user_group_id",
        "one(aws_elasticache_user_group.this[*].user_group_id)",
        "RBAC user group the module created from users. Null without users.",
    ),
    Output(
        "user_arns",
        "{ for id, u in aws_elasticache_user.this : id => u.arn }",
        "ARNs of the RBAC users the module created, by user id (for IAM policies on elasticache:Connect).",
    ),
    Output(
        "kms_key_arn",
        "local.module_kms_key_arn",
        "KMS key the module created for data at rest and logs. Null when you bring your own keys.",
    ),
    Output(
        "global_replication_group_id",
        "try(var.global_datastore.id, one(aws_elasticache_global_replication_group.this[*].global_replication_group_id))",
        "Id of the Global Datastore the group leads or joins (AWS's prefix + the suffix). Null outside one.",
    ),
    Output(
        "global_datastore",
        # The primary's settings that its secondaries take and are checked against; auth_token_enabled says only
        # whether a token is set (the token itself stays a secret).
        "var.global_replication_group_id_suffix == null ? null : { "
        "id = aws_elasticache_global_replication_group.this[0].global_replication_group_id, "
        "engine = var.engine, engine_version = var.engine_version, node_type = var.node_type, "
        "num_node_groups = var.num_node_groups, at_rest_encryption_enabled = var.at_rest_encryption_enabled, "
        "transit_encryption_enabled = var.transit_encryption_enabled, "
        "auth_token_enabled = nonsensitive(var.auth_token != null), "
        "secondary_regions = var.global_secondary_regions }",
        "On a Global Datastore's primary: what each secondary's call takes as global_datastore (in another Region, "
        "through a provider alias). Null otherwise.",
    ),
)
