"""MSK: a provisioned Kafka cluster that is private, encrypted and authenticated by default."""

from generator.model.module import ModuleDefinition
from modules.msk.inputs import INPUTS
from modules.msk.outputs import OUTPUTS
from modules.msk.inputs import ingress_ports, ingress_ports_before_2026_11
from modules.shared.network import rule_key_moves

MODULE = ModuleDefinition(
    name="msk",
    summary=(
        "A provisioned Amazon MSK (Kafka) cluster with its broker configuration (versioned by name and created "
        "before the old one is destroyed, so upgrades never hit \"configuration is in use\"), a security group that "
        "opens only the ports of the enabled listeners to the sources you name, a CloudWatch log group for broker "
        "logs and, if asked for, storage auto scaling. By default clients use TLS only and authenticate with IAM, "
        "brokers encrypt traffic between them, and there is no public access."
    ),
    inputs=INPUTS,
    outputs=OUTPUTS,
    build="modules.msk.resources:build",  # imported at synth: see ModuleDefinition.build
    adopter="modules.msk.adopt:ADOPTER",  # imported by --adopt only: see ModuleDefinition.adopter
    exported=(
        "cluster_arn",
        "bootstrap_brokers_tls",
        "bootstrap_brokers_sasl_iam",
        "bootstrap_brokers_sasl_scram",
        "security_group_id",
    ),
    moves=lambda v: rule_key_moves(v, ingress_ports_before_2026_11(v), ingress_ports(v)),
    main_resource_types=("aws_msk_cluster", "aws_security_group", "aws_cloudwatch_log_group"),
    ingress_ports=ingress_ports,
)
