"""MSK outputs. Bootstrap strings are empty for listeners that are off; ZooKeeper strings are empty on KRaft."""

from generator.model.module import Output
from generator.model.wiring import InputRefs
from modules.msk.inputs import INPUTS
from modules.shared.outputs import security_group_outputs

OUTPUTS = (
    Output("cluster_arn", "aws_msk_cluster.this.arn", "ARN of the cluster."),
    Output("cluster_name", "aws_msk_cluster.this.cluster_name", "Name of the cluster."),
    Output(
        "cluster_uuid",
        "aws_msk_cluster.this.cluster_uuid",
        "UUID of the cluster, the last part of IAM resource ARNs of its topics and groups "
        "(arn:aws:kafka:<region>:<account>:topic/<cluster name>/<cluster uuid>/<topic>).",
    ),
    Output("kafka_version", "aws_msk_cluster.this.kafka_version", "Apache Kafka version the cluster runs, as AWS reports it."),
    Output(
        "bootstrap_brokers_tls",
        "aws_msk_cluster.this.bootstrap_brokers_tls",
        "TLS bootstrap brokers (port 9094): mutual TLS or unauthenticated TLS clients only. Empty otherwise.",
    ),
    Output(
        "bootstrap_brokers_sasl_iam",
        "aws_msk_cluster.this.bootstrap_brokers_sasl_iam",
        "SASL/IAM bootstrap brokers (port 9098). Empty unless client_authentication_iam_enabled.",
    ),
    Output(
        "bootstrap_brokers_sasl_scram",
        "aws_msk_cluster.this.bootstrap_brokers_sasl_scram",
        "SASL/SCRAM bootstrap brokers (port 9096). Empty unless client_authentication_scram_enabled.",
    ),
    Output(
        "bootstrap_brokers_plaintext",
        "aws_msk_cluster.this.bootstrap_brokers",
        "Plaintext bootstrap brokers (port 9092). Empty unless encryption_in_transit_client_broker allows plaintext.",
    ),
    *(
        Output(
            f"bootstrap_brokers_vpc_connectivity_{scheme}",
            f"aws_msk_cluster.this.bootstrap_brokers_vpc_connectivity_{scheme}",
            f"{what} bootstrap brokers for clients in other VPCs (multi-VPC private connectivity). Empty unless "
            f"vpc_connectivity_{flag}_enabled.",
        )
        for scheme, what, flag in (
            ("sasl_iam", "SASL/IAM", "iam"),
            ("sasl_scram", "SASL/SCRAM", "scram"),
            ("tls", "Mutual TLS", "tls"),
        )
    ),
    *(
        Output(
            f"bootstrap_brokers_public_{scheme}",
            f"aws_msk_cluster.this.bootstrap_brokers_public_{scheme}",
            f"{what} bootstrap brokers for clients outside the VPC (port {port}). Empty unless public_access_type is "
            f"SERVICE_PROVIDED_EIPS and {flag}.",
        )
        for scheme, what, port, flag in (
            ("sasl_iam", "SASL/IAM", 9198, "client_authentication_iam_enabled"),
            ("sasl_scram", "SASL/SCRAM", 9196, "client_authentication_scram_enabled"),
            ("tls", "TLS", 9194, "a TLS listener is on (mutual TLS)"),
        )
    ),
    Output(
        "broker_dns_names",
        "aws_route53_record.brokers[*].fqdn",
        "Names of the brokers' records in zone_id, broker 1 first. Empty without zone_id.",
    ),
    Output(
        "cluster_policy_version",
        "one(aws_msk_cluster_policy.this[*].current_version)",
        "Version of the cluster policy for multi-VPC connectivity. Null when create_cluster_policy is false.",
    ),
    Output(
        "zookeeper_connect_string",
        "aws_msk_cluster.this.zookeeper_connect_string",
        "ZooKeeper connection string. Empty on KRaft clusters (`.kraft` and 4.x versions).",
    ),
    Output("current_version", "aws_msk_cluster.this.current_version", "Current version of the cluster's configuration (for updates)."),
    *security_group_outputs(InputRefs.of("msk", INPUTS)),
    Output("configuration_arn", "aws_msk_configuration.this.arn", "ARN of the broker configuration."),
    Output("configuration_latest_revision", "aws_msk_configuration.this.latest_revision", "Revision of the broker configuration in use."),
    Output(
        "kms_key_arn",
        "local.module_kms_key_arn",
        "KMS key the module created for data at rest and logs. Null when you bring your own keys.",
    ),
    Output(
        "log_group_name",
        "one(aws_cloudwatch_log_group.broker_logs[*].name)",
        "CloudWatch log group of the broker logs. Null when cloudwatch_logs_enabled is false.",
    ),
)
