"""DynamoDB outputs."""

from generator.model.module import Output
from generator.model.wiring import InputRefs
from modules.dynamodb.inputs import INPUTS

INPUT = InputRefs.of("dynamodb", INPUTS)

OUTPUTS = (
    Output("table_name", "aws_dynamodb_table.this.name", "Name of the table."),
    Output("table_arn", "aws_dynamodb_table.this.arn", "ARN of the table."),
    Output("table_id", "aws_dynamodb_table.this.id", "Id of the table (its name)."),
    Output(
        "stream_arn",
        "aws_dynamodb_table.this.stream_arn",
        "ARN of the table's stream. Empty unless stream_enabled.",
    ),
    Output(
        "stream_label",
        "aws_dynamodb_table.this.stream_label",
        "Timestamp label of the stream. Empty unless stream_enabled.",
    ),
    Output(
        "kms_key_arn",
        "local.module_kms_key_arn",
        "KMS key the module created for the table. Null when you bring your own key or turn encryption off.",
    ),
    Output("hash_key", "aws_dynamodb_table.this.hash_key", "Partition key attribute."),
    Output("range_key", "aws_dynamodb_table.this.range_key", "Sort key attribute; empty when the table has none."),
    Output(
        "global_secondary_index_names",
        f"[for i in {INPUT.global_secondary_indexes} : i.name]",
        "Names of the global secondary indexes.",
    ),
    Output(
        "local_secondary_index_names",
        f"[for i in {INPUT.local_secondary_indexes} : i.name]",
        "Names of the local secondary indexes.",
    ),
)
