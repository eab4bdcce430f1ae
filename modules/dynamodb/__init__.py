"""DynamoDB: one table whose schema cannot fail at apply time, with backups, KMS encryption and deletion protection on."""

from generator.model.module import ModuleDefinition
from modules.dynamodb.inputs import INPUTS
from modules.dynamodb.outputs import OUTPUTS

MODULE = ModuleDefinition(
    name="dynamodb",
    summary=(
        "One DynamoDB table with its key schema, global and local secondary indexes, TTL, streams and global "
        "table replicas; application auto scaling for PROVISIONED tables; an optional resource policy. By default "
        "it is on demand (PAY_PER_REQUEST), encrypted with KMS, has point-in-time recovery and deletion protection "
        "on. Every schema rule that otherwise fails at apply (all attributes must be indexed, keys declared, LSIs "
        "need a range key, capacities match the billing mode) is checked before plan."
    ),
    inputs=INPUTS,
    outputs=OUTPUTS,
    build="modules.dynamodb.resources:build",  # imported at synth: see ModuleDefinition.build
    adopter="modules.dynamodb.adopt:ADOPTER",  # imported by --adopt only: see ModuleDefinition.adopter
    exported=("table_name", "table_arn", "stream_arn"),
    main_resource_types=("aws_dynamodb_table",),
)
