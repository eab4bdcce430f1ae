"""ElastiCache (Valkey) outputs: endpoints and identifiers services and other modules need."""

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
        "Valkey version the cluster runs (major.minor.patch), as AWS reports it.",
    ),
    *security_group_outputs(INPUT),
    Output("parameter_group_name", "aws_elasticache_parameter_group.this.name", "Parameter group of the cache."),
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
)
