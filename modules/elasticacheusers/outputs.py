"""ElastiCache RBAC outputs: the user group's id (what the caches take) and the users'."""

from generator.model.module import Output

OUTPUTS = (
    Output(
        "user_group_id",
        "aws_elasticache_user_group.this.user_group_id",
        "Id of the user group: the elasticache module's user_group_ids = [this], the valkeyserverless module's "
        "user_group_id.",
    ),
    Output("user_group_arn", "aws_elasticache_user_group.this.arn", "ARN of the user group."),
    Output("user_ids", "[for u in aws_elasticache_user.this : u.user_id]", "Ids of the users, in id order."),
    Output(
        "user_arns",
        "{ for id, u in aws_elasticache_user.this : id => u.arn }",
        "ARNs of the users, by user id (for IAM policies on elasticache:Connect).",
    ),
)
