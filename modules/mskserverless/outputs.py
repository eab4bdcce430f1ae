"""MSK Serverless outputs: the cluster's identifiers and its SASL/IAM bootstrap brokers."""

from generator.model.module import Output
from generator.model.wiring import InputRefs
from modules.mskserverless.inputs import INPUTS
from modules.shared.outputs import security_group_outputs

OUTPUTS = (
    Output("cluster_arn", "aws_msk_serverless_cluster.this.arn", "ARN of the serverless cluster."),
    Output("cluster_name", "aws_msk_serverless_cluster.this.cluster_name", "Name of the serverless cluster."),
    Output(
        "cluster_uuid",
        "aws_msk_serverless_cluster.this.cluster_uuid",
        "UUID of the cluster, the last part of IAM resource ARNs of its topics and groups.",
    ),
    Output(
        "bootstrap_brokers_sasl_iam",
        "aws_msk_serverless_cluster.this.bootstrap_brokers_sasl_iam",
        "SASL/IAM bootstrap brokers (port 9098), the cluster's only listener.",
    ),
    Output(
        "cluster_policy_version",
        "one(aws_msk_cluster_policy.this[*].current_version)",
        "Version of the cluster policy. Null when create_cluster_policy is false.",
    ),
    *security_group_outputs(InputRefs.of("mskserverless", INPUTS)),
)
