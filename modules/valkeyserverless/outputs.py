"""Valkey Serverless outputs: endpoints and identifiers services and other modules need."""

from generator.model.module import Output
from generator.model.wiring import InputRefs
from modules.valkeyserverless.inputs import INPUTS
from modules.shared.outputs import security_group_outputs

OUTPUTS = (
    Output("name", "aws_elasticache_serverless_cache.this.name", "Name of the serverless cache."),
    Output("arn", "aws_elasticache_serverless_cache.this.arn", "ARN of the serverless cache."),
    Output(
        "endpoint_address",
        "aws_elasticache_serverless_cache.this.endpoint[0].address",
        "Host name for reads and writes (TLS only).",
    ),
    Output("endpoint_port", "aws_elasticache_serverless_cache.this.endpoint[0].port", "Port of the endpoint (6379)."),
    Output(
        "reader_endpoint_address",
        "aws_elasticache_serverless_cache.this.reader_endpoint[0].address",
        "Host name for reads from replicas (the same host as the endpoint, on the reader port).",
    ),
    Output(
        "reader_endpoint_port",
        "aws_elasticache_serverless_cache.this.reader_endpoint[0].port",
        "Port of the reader endpoint (6380).",
    ),
    Output(
        "full_engine_version",
        "aws_elasticache_serverless_cache.this.full_engine_version",
        "Valkey version the cache runs (major.minor), as AWS reports it.",
    ),
    *security_group_outputs(InputRefs.of("valkeyserverless", INPUTS)),
    Output(
        "kms_key_arn",
        "local.module_kms_key_arn",
        "KMS key the module created for data at rest. Null when you bring your own key.",
    ),
)
