"""MSK inputs and the rules AWS enforces on them (../shared/reference/aws-constraints.md §3).

The provider checks almost none of the cross-field rules: broker count against subnets, the authentication
schemes against the in-transit encryption setting. AWS refuses them during apply, after minutes of waiting.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from generator import rules
from generator.inputs import Check, Input, InputSet
from generator.types import BOOL, NUMBER, STRING, list_of, map_of
from modules.shared import inputs as shared
from modules.catalog import MSK_DEFAULT_KAFKA_VERSION, MSK_KAFKA_VERSIONS

CLIENT_BROKER = ("TLS", "TLS_PLAINTEXT", "PLAINTEXT")
# AWS rejects other characters in cluster names ("contains one or more characters that are not valid"); the
# configuration name rule ^[0-9A-Za-z][0-9A-Za-z-]*$ is the documented one, and cluster names follow it.
CLUSTER_NAME = re.compile(r"[0-9A-Za-z][0-9A-Za-z-]{0,63}")


def cluster_name(values: Mapping[str, Any]) -> str:
    return f"{values['name_prefix']}{values['cluster_name']}"


def _brokers(values: Mapping[str, Any]) -> int:
    return values["number_of_broker_nodes"] if values["number_of_broker_nodes"] is not None else len(values["subnet_ids"])


def _sasl(values: Mapping[str, Any]) -> bool:
    return values["client_authentication_iam_enabled"] or values["client_authentication_scram_enabled"]


INPUTS = InputSet(
    inputs=(
        Input(
            "name_prefix",
            STRING,
            shared.NAME_PREFIX_DESCRIPTION,
            rules=(rules.matches("[A-Za-z0-9-]*", "be letters, digits and hyphens"),),
            example="mapzip-dev-",
        ),
        Input("cluster_name", STRING, "Cluster name after the prefix: the cluster is name_prefix + cluster_name.",
              example="events"),
        Input(
            "kafka_version",
            STRING,
            "Apache Kafka version for a new cluster; `.kraft` versions (and all 4.x) use KRaft instead of ZooKeeper.",
            default=MSK_DEFAULT_KAFKA_VERSION,
            rules=(rules.one_of(MSK_KAFKA_VERSIONS),),
        ),
        Input(
            "number_of_broker_nodes",
            NUMBER,
            "Brokers, a multiple of the number of subnets. Default: one per subnet.",
            default=None,
            rules=(rules.between(1, 30),),
        ),
        Input(
            "broker_instance_type",
            STRING,
            "Broker instance type, such as kafka.t3.small or kafka.m7g.large.",
            default="kafka.m7g.large",
            rules=(rules.matches("kafka[.][a-z0-9]+[.][a-z0-9]+", "be a broker type kafka.<family>.<size>, such as kafka.m7g.large"),),
        ),
        Input(
            "ebs_volume_size",
            NUMBER,
            "EBS storage per broker, GiB (1 to 16384). AWS only grows volumes. With storage auto scaling, raise it "
            "to the current size before changing it: Terraform sets the size you give.",
            default=100,
            rules=(rules.between(1, 16384),),
        ),
        Input(
            "storage_autoscaling_max_capacity",
            NUMBER,
            "Turn storage auto scaling on, up to this many GiB per broker. Default: off.",
            default=None,
            rules=(rules.between(1, 16384),),
        ),
        Input(
            "storage_autoscaling_target_value",
            NUMBER,
            "Disk utilization (percent) at which storage auto scaling grows the volumes.",
            default=60,
            rules=(rules.between(10, 90),),
        ),
        *shared.network(
            "the enabled Kafka listeners",
            Input(
                "subnet_ids",
                list_of(STRING),
                "Private client subnets, 2 or 3, each in its own Availability Zone.",
                rules=(rules.items_between(2, 3, "subnets"), rules.resource_ids("subnet")),
                example=["subnet-0123456789abcdef0", "subnet-0123456789abcdef1", "subnet-0123456789abcdef2"],
            ),
        ),
        Input(
            "encryption_in_transit_client_broker",
            STRING,
            "Client to broker encryption: TLS, TLS_PLAINTEXT (both listeners) or PLAINTEXT.",
            default="TLS",
            rules=(rules.one_of(CLIENT_BROKER),),
        ),
        Input(
            "encryption_in_transit_in_cluster",
            BOOL,
            "TLS between brokers. Cannot be changed after creation.",
            default=True,
            weakens=(False, "turns off encryption between brokers"),
        ),
        Input(
            "kms_key_arn",
            STRING,
            "Customer managed KMS key for data at rest. Default: a key the module creates (rotation on).",
            default=None,
            rules=(rules.arn("kms"),),
        ),
        Input("client_authentication_iam_enabled", BOOL, "IAM access control (SASL/IAM, port 9098).", default=True),
        Input(
            "client_authentication_scram_enabled",
            BOOL,
            "SASL/SCRAM (port 9096); associate AmazonMSK_ secrets separately.",
            default=False,
        ),
        Input(
            "client_authentication_tls_certificate_authority_arns",
            list_of(STRING),
            "ACM Private CAs whose client certificates may connect (mutual TLS).",
            default=[],
            rules=(rules.each_matches(r"arn:aws[a-z-]*:acm-pca:.+", "hold only ACM Private CA ARNs"),),
        ),
        Input(
            "client_authentication_unauthenticated_enabled",
            BOOL,
            "Let clients connect without authentication. Weakens security; synth prints a warning.",
            default=False,
            weakens=(True, "lets clients connect without authentication"),
        ),
        Input(
            "server_properties",
            map_of(STRING),
            "Kafka broker properties (server.properties), merged over the module's auto.create.topics.enable=false.",
            default={},
        ),
        Input(
            "enhanced_monitoring",
            STRING,
            "CloudWatch metrics level.",
            default="DEFAULT",
            rules=(rules.one_of(["DEFAULT", "PER_BROKER", "PER_TOPIC_PER_BROKER", "PER_TOPIC_PER_PARTITION"]),),
        ),
        Input("jmx_exporter_enabled", BOOL, "Prometheus JMX exporter on the brokers.", default=False),
        Input("node_exporter_enabled", BOOL, "Prometheus node exporter on the brokers.", default=False),
        Input("cloudwatch_logs_enabled", BOOL, "Deliver broker logs to a CloudWatch log group.", default=True,
              weakens=(False, "turns off broker logs")),
        *shared.logs("the broker log group"),
        shared.TAGS,
    ),
    checks=(
        Check(
            ("cluster_name", "name_prefix"),
            "must give a cluster name (name_prefix + cluster_name) of 1 to 64 letters, digits and hyphens, "
            "starting with a letter or digit",
            lambda v: CLUSTER_NAME.fullmatch(cluster_name(v)) is not None,
            'can(regex("^[0-9A-Za-z][0-9A-Za-z-]{0,63}$", local.cluster_name))',
            example={"cluster_name": "events-" + "x" * 60},
        ),
        Check(
            ("number_of_broker_nodes", "subnet_ids"),
            lambda v: f"must be a multiple of the {len(v['subnet_ids'])} subnets",
            lambda v: _brokers(v) % len(v["subnet_ids"]) == 0,
            "local.number_of_broker_nodes % length(var.subnet_ids) == 0",
            hcl_message="number_of_broker_nodes must be a multiple of the number of subnet_ids (brokers are spread "
            "evenly over the Availability Zones).",
            shown=("number_of_broker_nodes",),
            example={"number_of_broker_nodes": 4},
        ),
        Check(
            ("client_authentication_iam_enabled", "encryption_in_transit_client_broker"),
            "needs encryption_in_transit_client_broker TLS or TLS_PLAINTEXT (SASL runs over TLS)",
            lambda v: not v["client_authentication_iam_enabled"] or v["encryption_in_transit_client_broker"] != "PLAINTEXT",
            '!var.client_authentication_iam_enabled || var.encryption_in_transit_client_broker != "PLAINTEXT"',
            example={
                "encryption_in_transit_client_broker": "PLAINTEXT",
                "client_authentication_unauthenticated_enabled": True,
            },
        ),
        Check(
            ("client_authentication_scram_enabled", "encryption_in_transit_client_broker"),
            "needs encryption_in_transit_client_broker TLS or TLS_PLAINTEXT (SASL runs over TLS)",
            lambda v: not v["client_authentication_scram_enabled"] or v["encryption_in_transit_client_broker"] != "PLAINTEXT",
            '!var.client_authentication_scram_enabled || var.encryption_in_transit_client_broker != "PLAINTEXT"',
            example={
                "client_authentication_scram_enabled": True,
                "client_authentication_iam_enabled": False,
                "encryption_in_transit_client_broker": "PLAINTEXT",
                "client_authentication_unauthenticated_enabled": True,
            },
        ),
        Check(
            ("encryption_in_transit_in_cluster", "client_authentication_iam_enabled", "client_authentication_scram_enabled"),
            "must be true when SASL (IAM or SCRAM) authentication is on",
            lambda v: v["encryption_in_transit_in_cluster"] or not _sasl(v),
            "var.encryption_in_transit_in_cluster || !(var.client_authentication_iam_enabled || var.client_authentication_scram_enabled)",
            example={"encryption_in_transit_in_cluster": False},
        ),
        Check(
            ("client_authentication_tls_certificate_authority_arns", "encryption_in_transit_client_broker", "encryption_in_transit_in_cluster"),
            "need encryption_in_transit_client_broker = \"TLS\" and encryption_in_transit_in_cluster = true (mutual TLS)",
            lambda v: not v["client_authentication_tls_certificate_authority_arns"]
            or (v["encryption_in_transit_client_broker"] == "TLS" and v["encryption_in_transit_in_cluster"]),
            'length(var.client_authentication_tls_certificate_authority_arns) == 0 || '
            '(var.encryption_in_transit_client_broker == "TLS" && var.encryption_in_transit_in_cluster)',
            shown=("encryption_in_transit_client_broker", "encryption_in_transit_in_cluster"),
            example={
                "client_authentication_tls_certificate_authority_arns": ["arn:aws:acm-pca:ap-northeast-2:111122223333:certificate-authority/example"],
                "encryption_in_transit_client_broker": "TLS_PLAINTEXT",
                "client_authentication_unauthenticated_enabled": True,
            },
        ),
        Check(
            ("client_authentication_unauthenticated_enabled", "encryption_in_transit_client_broker",
             "client_authentication_iam_enabled", "client_authentication_scram_enabled"),
            "must be true when encryption_in_transit_client_broker is TLS_PLAINTEXT or PLAINTEXT (the plaintext "
            "listener has no authentication)",
            lambda v: v["client_authentication_unauthenticated_enabled"] or v["encryption_in_transit_client_broker"] == "TLS",
            'var.client_authentication_unauthenticated_enabled || var.encryption_in_transit_client_broker == "TLS"',
            shown=("client_authentication_unauthenticated_enabled", "encryption_in_transit_client_broker"),
            example={"encryption_in_transit_client_broker": "TLS_PLAINTEXT"},
        ),
        Check(
            ("client_authentication_iam_enabled", "client_authentication_scram_enabled",
             "client_authentication_tls_certificate_authority_arns", "client_authentication_unauthenticated_enabled"),
            "must be true, or another client authentication chosen (SCRAM, mutual TLS, or explicitly "
            "client_authentication_unauthenticated_enabled = true)",
            lambda v: _sasl(v) or bool(v["client_authentication_tls_certificate_authority_arns"])
            or v["client_authentication_unauthenticated_enabled"],
            "var.client_authentication_iam_enabled || var.client_authentication_scram_enabled || "
            "length(var.client_authentication_tls_certificate_authority_arns) > 0 || var.client_authentication_unauthenticated_enabled",
            example={"client_authentication_iam_enabled": False},
        ),
        Check(
            ("storage_autoscaling_max_capacity", "ebs_volume_size"),
            "must be greater than ebs_volume_size",
            lambda v: v["storage_autoscaling_max_capacity"] is None or v["storage_autoscaling_max_capacity"] > v["ebs_volume_size"],
            "var.storage_autoscaling_max_capacity == null ? true : var.storage_autoscaling_max_capacity > var.ebs_volume_size",
            example={"ebs_volume_size": 200, "storage_autoscaling_max_capacity": 100},
        ),
        shared.NO_OPEN_INGRESS,
    ),
)
