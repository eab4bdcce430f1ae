"""MSK Serverless: a serverless Kafka cluster, IAM-authenticated and encrypted, reachable only from the sources you
name."""

from generator.model.module import ModuleDefinition
from modules.mskserverless.inputs import INPUTS, PORT
from modules.mskserverless.outputs import OUTPUTS

MODULE = ModuleDefinition(
    name="mskserverless",
    summary=(
        "An Amazon MSK Serverless (Kafka) cluster, which AWS sizes itself, with a security group that opens only "
        "the SASL/IAM listener (9098) to the sources you name, further VPC configurations for clients in other "
        "VPCs and, if asked for, a cluster policy for other accounts and AWS services. Clients authenticate with "
        "IAM (the only scheme AWS offers); traffic is TLS and data at rest is encrypted, always. The sibling of "
        "the msk module, for clusters without brokers to size."
    ),
    inputs=INPUTS,
    outputs=OUTPUTS,
    build="modules.mskserverless.resources:build",  # imported at synth: see ModuleDefinition.build
    exported=("cluster_arn", "bootstrap_brokers_sasl_iam", "security_group_id"),
    main_resource_types=("aws_msk_serverless_cluster", "aws_security_group"),
    adopter="modules.mskserverless.adopt:ADOPTER",  # imported by --adopt only: see ModuleDefinition.adopter
    ingress_ports=lambda v: [PORT],
    # Within MSK's 64 characters for name_prefix + cluster_name.
    longest_names={"cluster_name": "a" * (64 - len("mapzip-dev-"))},
)
