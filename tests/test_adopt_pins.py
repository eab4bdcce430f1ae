"""`--adopt` pins what the state holds, not a constant: for every value adoption pins (every `adopted.pin(...)` in
each module's adopter, modules/<kind>/adopt.py, read from its source so that a new pin cannot go untested), a state
whose value differs from the module's default, run through `python main.py --adopt` (cli.main), and the environment
file it writes read back: each pin holds the state's value, and nothing else is pinned."""

from __future__ import annotations

import ast
import importlib
import io
import json
import tomllib
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from generator.adoption import kit
from generator.commands import cli
from generator.config import environments
from modules import all_modules

AWS = "registry.terraform.io/hashicorp/aws"
REGION = "eu-central-1"
ACCOUNT = "111122223333"
VPC = "vpc-0feedfacefeedface"
SUBNETS = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0aaaaaaaaaaaaaaa2", "subnet-0aaaaaaaaaaaaaaa3"]
APP = "sg-0abcabcabcabcabc1"  # the application's group, allowed in by an inline rule
OTHER = "sg-0dddddddddddddd01"  # a group attached beside the module's own
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1a2b3c4d-0000-1111-2222-333344445555"
CA = f"arn:aws:acm-pca:{REGION}:{ACCOUNT}:certificate-authority/0f0f0f0f-1111-2222-3333-444455556666"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:cache-events"
# The provider's default tags of the sessions state: what every resource carries beyond its own tags ("Stage"
# differs between resources, so it is no default tag).
DEFAULT_TAGS = {"ManagedBy": "terraform", "Team": "platform"}


def resource(call: str, type_: str, name: str, values: dict[str, Any]) -> dict[str, Any]:
    """`name` may end in its instance key (`this[0]`, `this["batch"]`), as the address shows it."""
    block, bracket, key = name.partition("[")
    index = {"index": json.loads(key[:-1])} if bracket else {}
    return {"address": f"module.{call}.{type_}.{name}", "mode": "managed", "type": type_, "name": block, **index,
            "provider_name": AWS, "values": values}


def security_group(group_id: str, name: str, description: str, ingress: list[dict[str, Any]],
                   tags_all: dict[str, str] | None = None) -> dict[str, Any]:
    return {"id": group_id, "name": name, "description": description, "vpc_id": VPC, "egress": [],
            "ingress": [{"protocol": "tcp", "self": False, "cidr_blocks": [], "ipv6_cidr_blocks": [],
                         "security_groups": [], **rule} for rule in ingress],
            "tags": {}, "tags_all": tags_all or {}}


def state(*resources: dict[str, Any]) -> dict[str, Any]:
    return {"format_version": "1.0", "terraform_version": "1.11.4",
            "values": {"root_module": {"resources": list(resources)}}}


# --- the states: each value differs from the module's default ---------------------------------------------------

def elasticache_replication() -> tuple[dict[str, Any], dict[str, Any]]:
    """A replication group without cluster mode, encrypted with a key of its own, TLS preferred, RBAC."""
    group = {
        "arn": f"arn:aws:elasticache:{REGION}:{ACCOUNT}:replicationgroup:acme-legacy-sessions",
        "replication_group_id": "acme-legacy-sessions", "engine": "valkey", "description": "Session store",
        "node_type": "cache.r6gd.xlarge", "engine_version": "7.2", "port": 6380, "cluster_enabled": False,
        "num_cache_clusters": 2, "num_node_groups": 1, "replicas_per_node_group": 1,
        "automatic_failover_enabled": False, "multi_az_enabled": False,
        "at_rest_encryption_enabled": "true", "kms_key_id": KEY,
        "transit_encryption_enabled": True, "transit_encryption_mode": "preferred", "user_group_ids": ["sessions-rbac"],
        "snapshot_retention_limit": 3, "snapshot_window": "01:00-02:00", "maintenance_window": "tue:06:00-tue:07:00",
        "final_snapshot_identifier": "acme-legacy-sessions-final", "notification_topic_arn": TOPIC,
        "apply_immediately": True, "auto_minor_version_upgrade": "false", "data_tiering_enabled": True, "log_delivery_configuration": [],
        "parameter_group_name": "acme-legacy-sessions-params", "subnet_group_name": "acme-legacy-sessions-subnets",
        "security_group_ids": ["sg-0cccccccccccccc01", OTHER],
        "tags": {"Service": "sessions"}, "tags_all": {"Service": "sessions", **DEFAULT_TAGS},
    }
    shown = state(
        resource("sessions", "aws_elasticache_replication_group", "cache", group),
        resource("sessions", "aws_elasticache_parameter_group", "cache", {
            "name": "acme-legacy-sessions-params", "description": "Session store parameters", "family": "valkey7",
            "parameter": [{"name": "maxmemory-policy", "value": "volatile-lru"}, {"name": "timeout", "value": "300"}],
            "tags_all": {**DEFAULT_TAGS, "Stage": "old"}}),
        resource("sessions", "aws_elasticache_subnet_group", "cache", {
            "name": "acme-legacy-sessions-subnets", "subnet_ids": SUBNETS, "vpc_id": VPC,
            "description": "Managed by Terraform", "tags_all": {**DEFAULT_TAGS, "Stage": "new"}}),
        # Resources no module manages: forgotten, not destroyed (a [[removed]] entry each).
        resource("sessions", "aws_sns_topic", "events", {"name": "cache-events", "id": TOPIC, "arn": TOPIC}),
        resource("sessions", "aws_iam_role_policy_attachment", "ops", {"id": "ops-role-20240101"}),
        resource("sessions", "aws_security_group", "cache", security_group(
            "sg-0cccccccccccccc01", "acme-legacy-sessions-cache", "Sessions cache",
            [{"from_port": 6380, "to_port": 6380, "security_groups": [APP]},
             {"from_port": 6380, "to_port": 6380, "cidr_blocks": ["10.20.0.0/16"]},
             # A rule of its own resource below, as a refreshed group lists it: not an inline rule.
             {"from_port": 6380, "to_port": 6380, "cidr_blocks": ["10.40.0.0/16"], "description": "Batch jobs"}],
            DEFAULT_TAGS)),
        resource("sessions", "aws_vpc_security_group_ingress_rule", 'this["batch"]', {
            "id": "sgr-0bbbbbbbbbbbbbb01", "security_group_id": "sg-0cccccccccccccc01", "ip_protocol": "tcp",
            "from_port": 6380, "to_port": 6380, "cidr_ipv4": "10.40.0.0/16", "cidr_ipv6": None,
            "prefix_list_id": None, "referenced_security_group_id": None, "description": "Batch jobs",
            "tags": None, "tags_all": DEFAULT_TAGS}),
    )
    pinned = {
        "cluster_name": "sessions", "description": "Session store", "node_type": "cache.r6gd.xlarge",
        "engine_version": "7.2", "port": 6380, "num_cache_clusters": 2, "automatic_failover_enabled": False,
        "multi_az_enabled": False, "kms_key_arn": KEY, "transit_encryption_mode": "preferred",
        "user_group_ids": ["sessions-rbac"], "snapshot_retention_limit": 3, "snapshot_window": "01:00-02:00",
        "maintenance_window": "tue:06:00-tue:07:00", "final_snapshot_identifier": "acme-legacy-sessions-final",
        "notification_topic_arn": TOPIC, "auto_minor_version_upgrade": False, "data_tiering_enabled": True,
        "slow_log_enabled": False, "engine_log_enabled": False, "tags": {"Service": "sessions"},
        "parameter_group_name": "acme-legacy-sessions-params", "parameter_group_description": "Session store parameters",
        "parameters": {"maxmemory-policy": "volatile-lru", "timeout": "300"},
        "subnet_group_name": "acme-legacy-sessions-subnets", "subnet_group_description": "Managed by Terraform",
        "apply_immediately": True,
        "security_group_name": "acme-legacy-sessions-cache", "security_group_description": "Sessions cache",
        "associated_security_group_ids": [OTHER], "allowed_security_group_ids": [APP],
        "allowed_cidr_blocks": ["10.20.0.0/16"],
        "ingress_rules": {"batch": {"cidr_ipv4": "10.40.0.0/16", "description": "Batch jobs", "from_port": 6380,
                                    "ip_protocol": "tcp", "to_port": 6380}},
    }
    return shown, pinned


def elasticache_cluster_mode() -> tuple[dict[str, Any], dict[str, Any]]:
    """Cluster mode, no encryption at all, and no security group of the state attached."""
    group = {
        "arn": f"arn:aws:elasticache:{REGION}:{ACCOUNT}:replicationgroup:acme-legacy-graph",
        "replication_group_id": "acme-legacy-graph", "engine": "valkey", "description": "Graph cache",
        "node_type": "cache.r7g.large", "engine_version": "8.2", "port": 6379, "cluster_enabled": True,
        "num_cache_clusters": 6, "num_node_groups": 3, "replicas_per_node_group": 2,
        "automatic_failover_enabled": True, "multi_az_enabled": True,
        "at_rest_encryption_enabled": "false", "transit_encryption_enabled": False,
        "snapshot_retention_limit": 7, "snapshot_window": "03:00-04:00", "maintenance_window": "sun:05:00-sun:06:00",
        "auto_minor_version_upgrade": "true", "data_tiering_enabled": False,
        "log_delivery_configuration": [
            {"log_type": "slow-log", "destination_type": "cloudwatch-logs", "destination": "/acme/graph/slow"},
            {"log_type": "engine-log", "destination_type": "kinesis-firehose", "destination": "graph-engine-logs"}],
        "parameter_group_name": "default.valkey8.cluster.on", "subnet_group_name": "acme-legacy-graph-subnets",
        "security_group_ids": [OTHER], "tags": {}, "tags_all": {},
    }
    shown = state(
        resource("graph", "aws_elasticache_replication_group", "cache", group),
        resource("graph", "aws_elasticache_subnet_group", "cache", {
            "name": "acme-legacy-graph-subnets", "subnet_ids": SUBNETS, "vpc_id": VPC, "tags_all": {}}),
    )
    pinned = {
        "cluster_name": "graph", "description": "Graph cache", "num_node_groups": 3, "replicas_per_node_group": 2,
        "at_rest_encryption_enabled": False, "transit_encryption_enabled": False,
        "subnet_group_name": "acme-legacy-graph-subnets", "create_security_group": False,
        "slow_log_group_name": "/acme/graph/slow", "engine_log_firehose_stream": "graph-engine-logs",
        "associated_security_group_ids": [OTHER],
        # No AUTH token, no user group: the module's secure default (AUTH required) would be a new refusal.
        "authentication_disabled": True,
    }
    return shown, pinned


def elasticache_redis() -> tuple[dict[str, Any], dict[str, Any]]:
    """A Redis OSS 7.1 group (issue 28), otherwise on the module's defaults: its engine pinned, its redis7
    parameter group under the name and description the module gives one (not pinned)."""
    group = {
        "arn": f"arn:aws:elasticache:{REGION}:{ACCOUNT}:replicationgroup:acme-legacy-carts",
        "replication_group_id": "acme-legacy-carts", "engine": "redis",
        "description": "Redis OSS replication group acme-legacy-carts",
        "node_type": "cache.r7g.large", "engine_version": "7.1", "port": 6379, "cluster_enabled": False,
        "num_cache_clusters": 2, "num_node_groups": 1, "replicas_per_node_group": 1,
        "automatic_failover_enabled": True, "multi_az_enabled": True,
        "at_rest_encryption_enabled": "true", "kms_key_id": KEY, "transit_encryption_enabled": True,
        "auth_token": "carts-token-0123456789", "snapshot_retention_limit": 7, "snapshot_window": "03:00-04:00",
        "maintenance_window": "sun:05:00-sun:06:00", "auto_minor_version_upgrade": "true",
        "data_tiering_enabled": False,
        "log_delivery_configuration": [{"log_type": "slow-log"}, {"log_type": "engine-log"}],
        "parameter_group_name": "acme-legacy-carts-redis7", "subnet_group_name": "acme-legacy-carts",
        "security_group_ids": [OTHER], "tags": {}, "tags_all": {},
    }
    shown = state(
        resource("carts", "aws_elasticache_replication_group", "cache", group),
        resource("carts", "aws_elasticache_parameter_group", "cache", {
            "name": "acme-legacy-carts-redis7", "description": "Redis OSS parameters of acme-legacy-carts",
            "family": "redis7", "parameter": [{"name": "maxmemory-policy", "value": "allkeys-lru"}], "tags_all": {}}),
        resource("carts", "aws_elasticache_subnet_group", "cache", {
            "name": "acme-legacy-carts", "subnet_ids": SUBNETS, "vpc_id": VPC, "tags_all": {}}),
    )
    pinned = {
        "cluster_name": "carts", "engine": "redis", "engine_version": "7.1", "kms_key_arn": KEY, "num_cache_clusters": 2,
        "parameters": {"maxmemory-policy": "allkeys-lru"}, "create_security_group": False,
        "associated_security_group_ids": [OTHER],
    }
    return shown, pinned
def elasticache_logs_elsewhere() -> tuple[dict[str, Any], dict[str, Any]]:
    """The cluster mode group, its slow log to a Firehose stream and its engine log to a log group of its own."""
    shown, pinned = elasticache_cluster_mode()
    shown["values"]["root_module"]["resources"][0]["values"]["log_delivery_configuration"] = [
        {"log_type": "slow-log", "destination_type": "kinesis-firehose", "destination": "graph-slow-logs"},
        {"log_type": "engine-log", "destination_type": "cloudwatch-logs", "destination": "/acme/graph/engine"}]
    pinned = {key: value for key, value in pinned.items()
              if key not in ("slow_log_group_name", "engine_log_firehose_stream")}
    return shown, {**pinned, "slow_log_firehose_stream": "graph-slow-logs", "engine_log_group_name": "/acme/graph/engine"}


def msk(client_broker: str, in_cluster: bool, sasl: dict[str, bool], cas: list[str], unauthenticated: bool,
        server_properties: str, ingress: list[dict[str, Any]], logs: bool = False) -> dict[str, Any]:
    cluster = {
        "arn": f"arn:aws:kafka:{REGION}:{ACCOUNT}:cluster/acme-legacy-events/1", "cluster_name": "acme-legacy-events",
        "kafka_version": "3.6.0", "number_of_broker_nodes": 6,
        "broker_node_group_info": [{
            "client_subnets": SUBNETS, "instance_type": "kafka.m5.xlarge", "security_groups": ["sg-0eeeeeeeeeeeeee01", OTHER],
            "storage_info": [{"ebs_storage_info": [{"volume_size": 500, "provisioned_throughput": []}]}]}],
        "encryption_info": [{"encryption_at_rest_kms_key_arn": KEY,
                             "encryption_in_transit": [{"client_broker": client_broker, "in_cluster": in_cluster}]}],
        "client_authentication": [{"sasl": [sasl], "tls": [{"certificate_authority_arns": cas}] if cas else [],
                                   "unauthenticated": unauthenticated}],
        "enhanced_monitoring": "PER_TOPIC_PER_BROKER",
        "open_monitoring": [{"prometheus": [{"jmx_exporter": [{"enabled_in_broker": True}],
                                             "node_exporter": [{"enabled_in_broker": True}]}]}],
        "logging_info": [{"broker_logs": [{"cloudwatch_logs": [{"enabled": logs, "log_group": "legacy-events" if logs else ""}],
                                           "firehose": [], "s3": []}]}],
        "configuration_info": [{"arn": f"arn:aws:kafka:{REGION}:{ACCOUNT}:configuration/acme-events-config/1"}],
        "tags": {"Service": "events"}, "tags_all": {"Service": "events"},
    }
    return state(
        resource("events", "aws_msk_cluster", "kafka", cluster),
        resource("events", "aws_msk_configuration", "kafka", {
            "arn": f"arn:aws:kafka:{REGION}:{ACCOUNT}:configuration/acme-events-config/1", "name": "acme-events-config",
            "description": "Events broker properties", "server_properties": server_properties,
            "kafka_versions": ["3.6.0"]}),
        resource("events", "aws_security_group", "kafka", security_group(
            "sg-0eeeeeeeeeeeeee01", "acme-legacy-events-msk", "Events brokers", ingress)),
    )


MSK_PINNED = {
    "cluster_name": "events", "kafka_version": "3.6.0", "number_of_broker_nodes": 6,
    "broker_instance_type": "kafka.m5.xlarge", "ebs_volume_size": 500, "kms_key_arn": KEY,
    "enhanced_monitoring": "PER_TOPIC_PER_BROKER", "jmx_exporter_enabled": True, "node_exporter_enabled": True,
    "cloudwatch_logs_enabled": False, "tags": {"Service": "events"}, "configuration_name": "acme-events-config",
    "configuration_description": "Events broker properties",
    "security_group_name": "acme-legacy-events-msk", "security_group_description": "Events brokers",
    "associated_security_group_ids": [OTHER],
}
PROPERTIES = "auto.create.topics.enable=false\nlog.retention.hours=72\nmin.insync.replicas=2"


def scaling(call: str, name: str, resource_id: str, dimension: str, low: int, high: int, policy: str,
            target: float, cooldowns: tuple[int, int] | None = None) -> list[dict[str, Any]]:
    """An aws_appautoscaling_target and its target tracking policy, as terraform-aws-modules names them."""
    configuration: dict[str, Any] = {"target_value": target, "disable_scale_in": False}
    if cooldowns:
        configuration.update(scale_in_cooldown=cooldowns[0], scale_out_cooldown=cooldowns[1])
    common = {"resource_id": resource_id, "scalable_dimension": dimension}
    return [resource(call, "aws_appautoscaling_target", name, {**common, "service_namespace": dimension.split(":")[0],
                                                               "min_capacity": low, "max_capacity": high}),
            resource(call, "aws_appautoscaling_policy", name.replace("[", "_policy[", 1), {
                **common, "name": policy, "target_tracking_scaling_policy_configuration": [configuration]})]


def msk_tls_and_plaintext():
    """TLS and plaintext between clients and brokers (the issue's case: a constant "TLS" would look right for a
    cluster on the default), SCRAM and unauthenticated clients, properties written the module's way; storage auto
    scaling (terraform-aws-modules' names)."""
    shown = msk("TLS_PLAINTEXT", True, {"iam": False, "scram": True}, [], True, PROPERTIES,
                [{"from_port": 9096, "to_port": 9096, "security_groups": [APP]}])
    shown["values"]["root_module"]["resources"] += scaling(
        "events", "this[0]", f"arn:aws:kafka:{REGION}:{ACCOUNT}:cluster/acme-legacy-events/1",
        "kafka:broker-storage:VolumeSize", 1, 2000, "acme-legacy-events-broker-storage-scaling", 75)
    return shown, {
        "storage_autoscaling_max_capacity": 2000, "storage_autoscaling_target_value": 75,
        "storage_autoscaling_policy_name": "acme-legacy-events-broker-storage-scaling",
        **MSK_PINNED, "encryption_in_transit_client_broker": "TLS_PLAINTEXT", "client_authentication_iam_enabled": False,
        "client_authentication_scram_enabled": True, "client_authentication_unauthenticated_enabled": True,
        "server_properties": {"log.retention.hours": "72", "min.insync.replicas": "2"},
        "allowed_security_group_ids": [APP],
    }


def msk_plaintext_with_own_text():
    """Plaintext only, also between brokers, and properties the module would write differently: kept as text;
    provisioned storage throughput and broker logs to Firehose, which no input expresses."""
    text = "# tuned by hand\nmin.insync.replicas = 2\n"
    shown = msk("PLAINTEXT", False, {"iam": False, "scram": False}, [], True, text,
                [{"from_port": 9092, "to_port": 9092, "cidr_blocks": ["10.30.0.0/16"]}])
    # Settings no input expresses: each is a problem, said with the address.
    cluster = shown["values"]["root_module"]["resources"][0]["values"]
    cluster["broker_node_group_info"][0]["storage_info"][0]["ebs_storage_info"][0]["provisioned_throughput"] = [
        {"enabled": True, "volume_throughput": 250}]
    cluster["logging_info"][0]["broker_logs"][0]["firehose"] = [{"enabled": True, "delivery_stream": "events-logs"}]
    return shown, {
        **MSK_PINNED, "encryption_in_transit_client_broker": "PLAINTEXT", "encryption_in_transit_in_cluster": False,
        "client_authentication_iam_enabled": False, "client_authentication_unauthenticated_enabled": True,
        "server_properties_text": text, "allowed_cidr_blocks": ["10.30.0.0/16"],
    }


def msk_mutual_tls():
    """TLS with client certificates of a private CA, beside IAM; broker logs in CloudWatch (the module's default:
    not pinned, the logs move to the module's group); a configuration without a description."""
    shown = msk("TLS", True, {"iam": True, "scram": False}, [CA], False, PROPERTIES,
                [{"from_port": 9094, "to_port": 9094, "cidr_blocks": ["10.50.0.0/16"], "description": "Clients"}], logs=True)
    configuration = shown["values"]["root_module"]["resources"][1]["values"]
    del configuration["description"]  # created without one
    # The group's rule is a resource of its own (the group lists it too, refreshed): kept with its description.
    shown["values"]["root_module"]["resources"].append(resource("events", "aws_vpc_security_group_ingress_rule",
                                                                "clients", {
        "id": "sgr-0bbbbbbbbbbbbbb02", "security_group_id": "sg-0eeeeeeeeeeeeee01", "ip_protocol": "tcp",
        "from_port": 9094, "to_port": 9094, "cidr_ipv4": "10.50.0.0/16", "description": "Clients"}))
    pinned = {key: value for key, value in MSK_PINNED.items() if key != "cloudwatch_logs_enabled"}
    return shown, {
        **pinned, "client_authentication_tls_certificate_authority_arns": [CA],
        "configuration_description": "", "server_properties": {"log.retention.hours": "72", "min.insync.replicas": "2"},
        "ingress_rules": {"clients": {"cidr_ipv4": "10.50.0.0/16", "description": "Clients", "from_port": 9094,
                                      "ip_protocol": "tcp", "to_port": 9094}},
    }


def msk_in_a_group_of_the_root():
    """The brokers in groups the call does not own (terraform-aws-modules' examples pass the root's group): the
    module must not add a group of its own (a new cluster)."""
    shown = msk("TLS", True, {"iam": True, "scram": False}, [], False, PROPERTIES, [])
    shown["values"]["root_module"]["resources"].pop()  # the call's security group
    pinned = {key: value for key, value in MSK_PINNED.items()
              if key not in ("security_group_name", "security_group_description")}
    return shown, {
        **pinned, "create_security_group": False, "associated_security_group_ids": ["sg-0eeeeeeeeeeeeee01", OTHER],
        "server_properties": {"log.retention.hours": "72", "min.insync.replicas": "2"},
    }


def dynamodb_provisioned():
    table = {
        "arn": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/acme-legacy-orders", "name": "acme-legacy-orders",
        "hash_key": "pk", "range_key": "sk",
        "attribute": [{"name": "pk", "type": "S"}, {"name": "sk", "type": "N"}, {"name": "customer", "type": "S"},
                      {"name": "placed", "type": "N"}],
        "billing_mode": "PROVISIONED", "read_capacity": 5, "write_capacity": 7,
        "global_secondary_index": [{"name": "by_customer", "hash_key": "customer", "range_key": "placed",
                                    "projection_type": "INCLUDE", "non_key_attributes": ["total", "status"],
                                    "read_capacity": 2, "write_capacity": 3}],
        "local_secondary_index": [{"name": "by_placed", "range_key": "placed", "projection_type": "INCLUDE",
                                   "non_key_attributes": ["total", "channel"]}],
        "ttl": [{"attribute_name": "expires", "enabled": True}],
        "point_in_time_recovery": [{"enabled": False}],
        "server_side_encryption": [{"enabled": True, "kms_key_arn": KEY}],
        "stream_enabled": True, "stream_view_type": "KEYS_ONLY", "deletion_protection_enabled": False,
        "table_class": "STANDARD_INFREQUENT_ACCESS",
        "tags": {"Service": "orders"}, "tags_all": {"Service": "orders"},
    }
    table_id, index_id = "table/acme-legacy-orders", "table/acme-legacy-orders/index/by_customer"
    scaled = [
        *scaling("orders", "table_read[0]", table_id, "dynamodb:table:ReadCapacityUnits", 5, 50,
                 f"DynamoDBReadCapacityUtilization:{table_id}", 55, (30, 90)),
        *scaling("orders", "table_write[0]", table_id, "dynamodb:table:WriteCapacityUnits", 7, 70,
                 f"DynamoDBWriteCapacityUtilization:{table_id}", 55, (30, 90)),
        *scaling("orders", 'index_read["by_customer"]', index_id, "dynamodb:index:ReadCapacityUnits", 2, 40,
                 f"DynamoDBReadCapacityUtilization:{index_id}", 60, (0, 0)),
        *scaling("orders", 'index_write["by_customer"]', index_id, "dynamodb:index:WriteCapacityUnits", 3, 40,
                 f"DynamoDBWriteCapacityUtilization:{index_id}", 60, (0, 0)),
    ]
    return state(resource("orders", "aws_dynamodb_table", "this", table), *scaled), {
        "autoscaling_read_max_capacity": 50, "autoscaling_write_max_capacity": 70,
        "autoscaling_read_policy_name": f"DynamoDBReadCapacityUtilization:{table_id}",
        "autoscaling_write_policy_name": f"DynamoDBWriteCapacityUtilization:{table_id}",
        "autoscaling_target_value": 55, "autoscaling_scale_in_cooldown": 30, "autoscaling_scale_out_cooldown": 90,
        "table_name": "orders", "hash_key": "pk", "range_key": "sk",
        "attributes": [{"name": "customer", "type": "S"}, {"name": "pk", "type": "S"}, {"name": "placed", "type": "N"},
                       {"name": "sk", "type": "N"}],
        "billing_mode": "PROVISIONED", "read_capacity": 5, "write_capacity": 7,
        "global_secondary_indexes": [{"name": "by_customer", "hash_key": "customer", "range_key": "placed",
                                      "projection_type": "INCLUDE", "non_key_attributes": ["status", "total"],
                                      "read_capacity": 2, "write_capacity": 3,
                                      "autoscaling_read_max_capacity": 40, "autoscaling_write_max_capacity": 40,
                                      "autoscaling_read_policy_name": f"DynamoDBReadCapacityUtilization:{index_id}",
                                      "autoscaling_write_policy_name": f"DynamoDBWriteCapacityUtilization:{index_id}",
                                      "autoscaling_target_value": 60, "autoscaling_scale_in_cooldown": 0,
                                      "autoscaling_scale_out_cooldown": 0}],
        "local_secondary_indexes": [{"name": "by_placed", "range_key": "placed", "projection_type": "INCLUDE",
                                     "non_key_attributes": ["channel", "total"]}],
        "ttl_attribute_name": "expires", "point_in_time_recovery_enabled": False,
        "server_side_encryption_kms_key_arn": KEY, "stream_enabled": True, "stream_view_type": "KEYS_ONLY",
        "deletion_protection_enabled": False, "table_class": "STANDARD_INFREQUENT_ACCESS",
        "tags": {"Service": "orders"},
    }


def dynamodb_unencrypted():
    """Encrypted with the key AWS owns (no SSE block), a stream, a replica in another region."""
    table = {
        "arn": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/acme-legacy-carts", "name": "acme-legacy-carts",
        "hash_key": "id", "attribute": [{"name": "id", "type": "S"}], "billing_mode": "PAY_PER_REQUEST",
        "point_in_time_recovery": [{"enabled": True}], "server_side_encryption": [],
        "stream_enabled": True, "stream_view_type": "NEW_AND_OLD_IMAGES", "deletion_protection_enabled": True,
        "table_class": "STANDARD", "replica": [{"region_name": "eu-west-1", "kms_key_arn": ""}],
        "on_demand_throughput": [{"max_read_request_units": 100, "max_write_request_units": 50}],
        "tags": {}, "tags_all": {},
    }
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/carts"}, "Action": "dynamodb:GetItem",
        "Resource": table["arn"]}]})
    return state(resource("carts", "aws_dynamodb_table", "this", table),
                 resource("carts", "aws_dynamodb_resource_policy", "this[0]", {
                     "id": table["arn"], "resource_arn": table["arn"], "policy": policy})), {
        "on_demand_max_read_request_units": 100, "on_demand_max_write_request_units": 50,
        "resource_policy": policy,
        "table_name": "carts", "hash_key": "id", "attributes": [{"name": "id", "type": "S"}],
        "server_side_encryption_enabled": False, "stream_enabled": True, "stream_view_type": "NEW_AND_OLD_IMAGES",
        "replica_regions": [{"region_name": "eu-west-1"}],
    }


def dynamodb_other_prefix():
    """An environment file that names another prefix already: the table keeps its own, pinned on the table."""
    shown, pinned = dynamodb_unencrypted()
    return shown, {"name_prefix": "acme-legacy-", **pinned}


def valkeyserverless_cache(key: str | None = KEY) -> dict[str, Any]:
    cache = {
        "arn": f"arn:aws:elasticache:{REGION}:{ACCOUNT}:serverlesscache:acme-legacy-presence", "name": "acme-legacy-presence",
        "engine": "valkey", "major_engine_version": "7", "full_engine_version": "7.2", "description": "Presence cache",
        "kms_key_id": key, "security_group_ids": ["sg-0fffffffffffffff1", OTHER], "subnet_ids": SUBNETS,
        "user_group_id": "presence-rbac", "snapshot_retention_limit": 3, "daily_snapshot_time": "01:30",
        "snapshot_arns_to_restore": [f"arn:aws:elasticache:{REGION}:{ACCOUNT}:serverlesscachesnapshot:presence-seed"],
        "cache_usage_limits": [{"data_storage": [{"maximum": 100, "minimum": None, "unit": "GB"}],
                                "ecpu_per_second": [{"maximum": 50000, "minimum": 1000}]}],
        "tags": {"Service": "presence"}, "tags_all": {"Service": "presence"},
    }
    return state(
        resource("presence", "aws_elasticache_serverless_cache", "cache", cache),
        resource("presence", "aws_security_group", "cache", security_group(
            "sg-0fffffffffffffff1", "acme-legacy-presence-cache", "Presence cache",
            [{"from_port": 6379, "to_port": 6379, "security_groups": [APP]},
             {"from_port": 6380, "to_port": 6380, "cidr_blocks": ["10.40.0.0/16"]}])),
    )


def valkeyserverless_own_key():
    """A cache encrypted with a key of its own, restored from a snapshot, with usage limits, RBAC, its own
    snapshot settings and an older major version; its group lets the application in on both ports."""
    return valkeyserverless_cache(), {
        "cache_name": "presence", "description": "Presence cache", "major_engine_version": "7",
        "cache_usage_limits": {"data_storage_maximum": 100, "ecpu_per_second_minimum": 1000,
                               "ecpu_per_second_maximum": 50000},
        "associated_security_group_ids": [OTHER], "allowed_security_group_ids": [APP],
        "allowed_cidr_blocks": ["10.40.0.0/16"], "security_group_name": "acme-legacy-presence-cache",
        "security_group_description": "Presence cache", "kms_key_arn": KEY, "user_group_id": "presence-rbac",
        "snapshot_retention_limit": 3, "daily_snapshot_time": "01:30",
        "snapshot_arns_to_restore": [f"arn:aws:elasticache:{REGION}:{ACCOUNT}:serverlesscachesnapshot:presence-seed"],
        "tags": {"Service": "presence"},
    }


def with_a_rule_of_its_own(shown: dict[str, Any], call: str, group_at: int, rule_id: str,
                           port: int) -> dict[str, Any]:
    """Add to `shown` a rule resource of its own (`this["reports"]`, 10.60.0.0/16 on `port`) on the group at
    resource index `group_at`, which lists it too (as a refreshed group does); returns the `ingress_rules` pin that
    keeps it under its name."""
    resources = shown["values"]["root_module"]["resources"]
    group = resources[group_at]["values"]
    group["ingress"].append(
        {"protocol": "tcp", "self": False, "cidr_blocks": ["10.60.0.0/16"], "ipv6_cidr_blocks": [],
         "security_groups": [], "from_port": port, "to_port": port, "description": "Reports"})
    resources.append(resource(call, "aws_vpc_security_group_ingress_rule", 'this["reports"]', {
        "id": rule_id, "security_group_id": group["id"], "ip_protocol": "tcp",
        "from_port": port, "to_port": port, "cidr_ipv4": "10.60.0.0/16", "description": "Reports"}))
    return {"reports": {"cidr_ipv4": "10.60.0.0/16", "description": "Reports", "from_port": port,
                        "ip_protocol": "tcp", "to_port": port}}


def valkeyserverless_aws_managed_key():
    """A cache created without a key (ElastiCache's AWS managed key) and without a description."""
    shown = valkeyserverless_cache(key=None)
    values = shown["values"]["root_module"]["resources"][0]["values"]
    del values["description"]
    ingress_rules = with_a_rule_of_its_own(shown, "presence", 1, "sgr-0bbbbbbbbbbbbbb03", 6379)
    _, pinned = valkeyserverless_own_key()
    return shown, {**{key: value for key, value in pinned.items() if key != "description"},
                   "kms_key_arn": "alias/aws/elasticache", "ingress_rules": ingress_rules}


def valkeyserverless_in_groups_of_others():
    """A cache in groups its call does not own: no group of the module's beside them."""
    shown = valkeyserverless_cache()
    shown["values"]["root_module"]["resources"].pop()  # the call's security group
    _, pinned = valkeyserverless_own_key()
    dropped = ("allowed_security_group_ids", "allowed_cidr_blocks", "security_group_name",
               "security_group_description")
    return shown, {**{key: value for key, value in pinned.items() if key not in dropped},
                   "create_security_group": False, "associated_security_group_ids": ["sg-0fffffffffffffff1", OTHER]}


def valkeyserverless_redis():
    """The same cache running Redis OSS 7 (issue 28): adopted with its engine pinned."""
    shown = valkeyserverless_cache()
    shown["values"]["root_module"]["resources"][0]["values"]["engine"] = "redis"
    _, pinned = valkeyserverless_own_key()
    return shown, {**pinned, "engine": "redis"}


MSK_SERVERLESS_SUBNETS = ["subnet-0bbbbbbbbbbbbbbb1", "subnet-0bbbbbbbbbbbbbbb2"]
MSK_SERVERLESS_GROUP = "sg-0eeeeeeeeeeeeee02"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/consumers"


def mskserverless_with_policy():
    """A serverless cluster with a second VPC configuration, its own tags and a cluster policy granting a role of
    another account and Firehose two actions; its group lets the application and a CIDR block in on 9098."""
    arn = f"arn:aws:kafka:{REGION}:{ACCOUNT}:cluster/acme-legacy-streams/1"
    cluster = {
        "arn": arn, "cluster_name": "acme-legacy-streams",
        "client_authentication": [{"sasl": [{"iam": [{"enabled": True}]}]}],
        "vpc_config": [{"subnet_ids": SUBNETS, "security_group_ids": ["sg-0fffffffffffffff2", OTHER]},
                       {"subnet_ids": MSK_SERVERLESS_SUBNETS, "security_group_ids": [MSK_SERVERLESS_GROUP]}],
        "tags": {"Service": "streams"}, "tags_all": {"Service": "streams"},
    }
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "Consumers", "Effect": "Allow", "Principal": {"AWS": ROLE, "Service": "firehose.amazonaws.com"},
        "Action": ["kafka:CreateVpcConnection", "kafka:GetBootstrapBrokers"], "Resource": arn}]})
    shown = state(
        resource("streams", "aws_msk_serverless_cluster", "kafka", cluster),
        resource("streams", "aws_msk_cluster_policy", "kafka", {"id": arn, "cluster_arn": arn, "policy": policy}),
        resource("streams", "aws_security_group", "kafka", security_group(
            "sg-0fffffffffffffff2", "acme-legacy-streams-msk", "Streams cluster",
            [{"from_port": 9098, "to_port": 9098, "security_groups": [APP]},
             {"from_port": 9098, "to_port": 9098, "cidr_blocks": ["10.50.0.0/16"]}])),
    )
    return shown, {
        "cluster_name": "streams",
        "additional_vpc_configs": [{"subnet_ids": MSK_SERVERLESS_SUBNETS,
                                    "security_group_ids": [MSK_SERVERLESS_GROUP]}],
        "tags": {"Service": "streams"}, "cluster_policy_allowed_principals": [ROLE],
        "cluster_policy_allowed_services": ["firehose.amazonaws.com"],
        "cluster_policy_actions": ["kafka:CreateVpcConnection", "kafka:GetBootstrapBrokers"],
        "associated_security_group_ids": [OTHER], "allowed_security_group_ids": [APP],
        "allowed_cidr_blocks": ["10.50.0.0/16"], "security_group_name": "acme-legacy-streams-msk",
        "security_group_description": "Streams cluster",
    }


def mskserverless_rule_of_its_own():
    """The same cluster, its group holding a rule of its own resource too (listed by the refreshed group as well):
    kept under its name."""
    shown, pinned = mskserverless_with_policy()
    return shown, {**pinned,
                   "ingress_rules": with_a_rule_of_its_own(shown, "streams", 2, "sgr-0bbbbbbbbbbbbbb04", 9098)}


def mskserverless_in_groups_of_others():
    """The cluster in groups its call does not own: no group of the module's beside them."""
    shown, pinned = mskserverless_with_policy()
    shown["values"]["root_module"]["resources"].pop()  # the call's security group
    dropped = ("allowed_security_group_ids", "allowed_cidr_blocks", "security_group_name",
               "security_group_description", "associated_security_group_ids")
    return shown, {**{key: value for key, value in pinned.items() if key not in dropped},
                   "create_security_group": False, "associated_security_group_ids": ["sg-0fffffffffffffff2", OTHER]}


# A user's password as the state holds it (marked sensitive): never in the file nor said.
USER_PASSWORD = "reader-password-0123456789"


def elasticache_user(user_id: str, user_name: str, access_string: str, kind: str) -> dict[str, Any]:
    passwords = [USER_PASSWORD] if kind == "password" else []
    user = resource("users", "aws_elasticache_user", user_id.replace("-", "_"), {
        "arn": f"arn:aws:elasticache:{REGION}:{ACCOUNT}:user:{user_id}", "user_id": user_id, "user_name": user_name,
        "access_string": access_string, "engine": "valkey", "no_password_required": False, "passwords": passwords,
        "authentication_mode": [{"type": kind, "password_count": len(passwords), "passwords": passwords}],
        "tags": {"Service": "app"}, "tags_all": {"Service": "app"}})
    user["sensitive_values"] = {"passwords": True, "authentication_mode": [{"passwords": True}]}
    return user


def elasticacheusers_group():
    """A shared group (engine valkey) with a default user of its own, a password user and an IAM user, and AWS's
    own default user, which no module creates (left out of the group: a note)."""
    shown = state(
        resource("users", "aws_elasticache_user_group", "shared", {
            "arn": f"arn:aws:elasticache:{REGION}:{ACCOUNT}:usergroup:acme-legacy-appusers",
            "user_group_id": "acme-legacy-appusers", "engine": "valkey",
            "user_ids": ["acme-default", "app-reader", "app-iam", "default"],
            "tags": {"Service": "app"}, "tags_all": {"Service": "app"}}),
        elasticache_user("acme-default", "default", "off ~* -@all", "password"),
        elasticache_user("app-reader", "app-reader", "on ~app:* +@read", "password"),
        elasticache_user("app-iam", "app-iam", "on ~* +@all", "iam"),
    )
    return shown, {
        "user_group_name": "appusers", "tags": {"Service": "app"},
        "users": {"acme-default": {"user_name": "default", "access_string": "off ~* -@all"},
                  "app-reader": {"access_string": "on ~app:* +@read"},
                  "app-iam": {"access_string": "on ~* +@all", "authentication_type": "iam"}},
    }


# What an environment file holds before --adopt completes it (none: a new file).
EXISTING = {"dynamodb-other-prefix": 'name_prefix = "acme-new-"\n'}

CASES = {
    "elasticache-replication": ("elasticache", "sessions", elasticache_replication),
    "elasticache-cluster-mode": ("elasticache", "graph", elasticache_cluster_mode),
    "elasticache-redis": ("elasticache", "carts", elasticache_redis),
    "elasticache-logs-elsewhere": ("elasticache", "graph", elasticache_logs_elsewhere),
    "msk-tls-and-plaintext": ("msk", "events", msk_tls_and_plaintext),
    "msk-plaintext-own-text": ("msk", "events", msk_plaintext_with_own_text),
    "msk-mutual-tls": ("msk", "events", msk_mutual_tls),
    "msk-root-group": ("msk", "events", msk_in_a_group_of_the_root),
    "dynamodb-provisioned": ("dynamodb", "orders", dynamodb_provisioned),
    "dynamodb-unencrypted": ("dynamodb", "carts", dynamodb_unencrypted),
    "dynamodb-other-prefix": ("dynamodb", "carts", dynamodb_other_prefix),
    "valkeyserverless-own-key": ("valkeyserverless", "presence", valkeyserverless_own_key),
    "valkeyserverless-redis": ("valkeyserverless", "presence", valkeyserverless_redis),
    "valkeyserverless-aws-managed-key": ("valkeyserverless", "presence", valkeyserverless_aws_managed_key),
    "valkeyserverless-groups-of-others": ("valkeyserverless", "presence", valkeyserverless_in_groups_of_others),
    "mskserverless-with-policy": ("mskserverless", "streams", mskserverless_with_policy),
    "mskserverless-rule-of-its-own": ("mskserverless", "streams", mskserverless_rule_of_its_own),
    "mskserverless-groups-of-others": ("mskserverless", "streams", mskserverless_in_groups_of_others),
    "elasticacheusers-group": ("elasticacheusers", "users", elasticacheusers_group),
}
# Values every table of a state shares are written once at the top of the file.
SHARED = {"name_prefix": "acme-legacy-", "vpc_id": VPC, "subnet_ids": SUBNETS}
SHARED_BY = {"elasticache": {"name_prefix", "vpc_id", "subnet_ids"}, "msk": {"name_prefix", "vpc_id", "subnet_ids"},
             "dynamodb": {"name_prefix"}, "valkeyserverless": {"name_prefix", "vpc_id", "subnet_ids"},
             "mskserverless": {"name_prefix", "vpc_id", "subnet_ids"}, "elasticacheusers": {"name_prefix"}}


def quietly(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def adopted(tmp_path_factory) -> dict[str, tuple[dict[str, Any], int, str, str]]:
    results = {}
    for name, (_, _, build) in CASES.items():
        folder = tmp_path_factory.mktemp(name)
        shown, _ = build()
        (folder / "state.json").write_text(json.dumps(shown))
        config = folder / "acme.toml"
        if name in EXISTING:
            config.write_text(EXISTING[name])
        code, out, err = quietly("--adopt", str(folder / "state.json"), "--config", str(config))
        results[name] = (tomllib.loads(config.read_text()), code, out.replace(str(folder), "<folder>"),
                         err.replace(str(folder), "<folder>"))
        TEXTS[name] = config.read_text()
    return results


TEXTS: dict[str, str] = {}
GOLDEN = Path(__file__).resolve().parent / "fixtures" / "adopt_pins"


def pinnable_keys(kind: str) -> set[str]:
    """Every key an `adopted.pin(...)` of the module's adopter (modules/<kind>/adopt.py, and the helpers of
    generator/adoption/kit.py it calls) can write for `kind`, read from its source."""
    adopter_module = importlib.import_module(all_modules()[kind].adopter.partition(":")[0])
    functions = {node.name: node for source in (adopter_module, kit)
                 for node in ast.parse(Path(source.__file__).read_text()).body if isinstance(node, ast.FunctionDef)}
    adopter = all_modules()[kind].load_adopter().adopt.__name__
    keys = set()
    for function in {adopter} | {call.func.id for call in ast.walk(functions[adopter])
                                 if isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
                                 and call.func.id in functions}:
        for call in ast.walk(functions[function]):
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "pin":
                key = call.args[0]
                if isinstance(key, ast.Constant):
                    keys.add(key.value)
                else:  # f"{exporter}_enabled" over a literal tuple of names
                    loop = next(node for node in ast.walk(functions[function]) if isinstance(node, ast.For)
                                and call in list(ast.walk(node)))
                    template = ast.unparse(key)[2:-1]
                    keys |= {template.replace("{" + loop.target.id + "}", name)
                             for name in ast.literal_eval(loop.iter)}
    return keys


@pytest.mark.parametrize("kind", ["elasticache", "msk", "dynamodb", "valkeyserverless", "mskserverless",
                                  "elasticacheusers"])
def test_every_pinnable_value_has_a_state_that_differs_from_the_default(kind):
    tested = set().union(*(build()[1] for k, _, build in CASES.values() if k == kind)) | SHARED_BY[kind]
    assert pinnable_keys(kind) - tested == set()
    assert tested - pinnable_keys(kind) == set()


@pytest.mark.parametrize("case", CASES)
def test_state_values_differ_from_the_module_defaults(case):
    kind, _, build = CASES[case]
    defaults = {i.name: i.default for i in all_modules()[kind].inputs.inputs if not i.required}
    _, pinned = build()
    same = {key: value for key, value in pinned.items() if key in defaults and defaults[key] == value}
    assert same == {}


@pytest.mark.parametrize("case", CASES)
def test_each_pin_holds_the_state_value(adopted, case):
    kind, table, build = CASES[case]
    document, code, out, err = adopted[case]
    _, pinned = build()
    assert document[table] == {**({"module": kind} if not table.startswith(kind) else {}), **pinned}, out
    shared = {**SHARED, "name_prefix": "acme-new-"} if case in EXISTING else SHARED
    if case in ("msk-root-group", "valkeyserverless-groups-of-others", "mskserverless-groups-of-others"):
        # No group of the call: the state names no VPC (vpc_id is required: a problem)
        shared = {**shared, "vpc_id": None}
    assert {key: document.get(key) for key in SHARED_BY[kind]} == {key: shared[key] for key in SHARED_BY[kind]}
    # Each pin is said, with the state's value.
    for key, value in pinned.items():
        assert any(line.startswith(f"[{table}] {key} = ") for line in out.splitlines()), key
    assert document.get("tags") == (DEFAULT_TAGS if case == "elasticache-replication" else None)
    problems = [line for line in err.splitlines() if line.startswith("problem: ")]
    # What no input can keep is a problem (the exact lines are in the fixtures' .out).
    assert all(("the inline rule tcp" in line and "AWS refuses the duplicate" in line) or
               "provisioned_throughput: on in the cluster; the module has no input for it" in line or
               "logging_info.broker_logs.firehose: on in the cluster" in line or
               "vpc_id: is required" in line for line in problems), err
    assert code == (1 if problems else 0), err


def test_msk_client_broker_pin_follows_the_state(adopted):
    # The case, on its own: TLS_PLAINTEXT and PLAINTEXT are kept, never the module's "TLS".
    assert adopted["msk-tls-and-plaintext"][0]["events"]["encryption_in_transit_client_broker"] == "TLS_PLAINTEXT"
    assert adopted["msk-plaintext-own-text"][0]["events"]["encryption_in_transit_client_broker"] == "PLAINTEXT"


@pytest.mark.parametrize("case", CASES)
def test_written_file_and_messages_as_committed(adopted, case):
    """The whole environment file and every line said, word for word (the reasons, the comments, the notes):
    tests/fixtures/adopt_pins/<case>.toml and .out, reviewed when they change."""
    _, code, out, err = adopted[case]
    said = f"exit {code}\n--- stdout\n{out}--- stderr\n{err}"
    assert TEXTS[case] == (GOLDEN / f"{case}.toml").read_text()
    assert said == (GOLDEN / f"{case}.out").read_text()


def test_a_state_that_is_not_text_is_refused_in_one_line(tmp_path):
    state_file = tmp_path / "state.json"
    state_file.write_bytes(b"\xff\xfe{}")
    code, out, err = quietly("--adopt", str(state_file), "--config", str(tmp_path / "acme.toml"))
    assert (code, out) == (1, "")
    assert err == f"error: {state_file}: cannot be read: not UTF-8 text (byte 0)\n"
    assert not (tmp_path / "acme.toml").exists()


def test_a_replica_keeps_its_own_key_and_settings(tmp_path):
    """A global table encrypted with a key of its own: each replica has its own Region's key, and the state may
    have tag propagation and point-in-time recovery off on a replica (the module turns both on by default). The
    written file keeps all three, and it passes the module's own check (a replica of a table with a customer
    managed key needs its key in its own Region)."""
    shown, _ = dynamodb_provisioned()
    table = shown["values"]["root_module"]["resources"][0]["values"]
    table["stream_view_type"] = "NEW_AND_OLD_IMAGES"  # what a global table's replicas need
    replica_key = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"
    table["replica"] = [
        {"region_name": "eu-west-1", "kms_key_arn": replica_key, "propagate_tags": False,
         "point_in_time_recovery": False},
        {"region_name": "us-east-1", "kms_key_arn": replica_key.replace("eu-west-1", "us-east-1"),
         "propagate_tags": True, "point_in_time_recovery": True},
    ]
    (tmp_path / "state.json").write_text(json.dumps(shown))
    config = tmp_path / "acme.toml"
    code, out, err = quietly("--adopt", str(tmp_path / "state.json"), "--config", str(config))
    assert code == 0, err
    assert tomllib.loads(config.read_text())["orders"]["replica_regions"] == [
        {"region_name": "eu-west-1", "kms_key_arn": replica_key, "propagate_tags": False,
         "point_in_time_recovery": False},
        {"region_name": "us-east-1", "kms_key_arn": replica_key.replace("eu-west-1", "us-east-1")},
    ]
    environments.load(config, all_modules(), "acme.toml")  # the module's own check: no InputError


def test_adopted_users_pass_the_modules_checks_and_no_password_is_written(adopted, tmp_path):
    """The users' passwords are in the state (marked sensitive): never in the file nor said; the file passes the
    module's own checks, the passwords of the password users being what the apply supplies."""
    document, code, out, err = adopted["elasticacheusers-group"]
    assert USER_PASSWORD not in TEXTS["elasticacheusers-group"] + out + err
    assert "user_passwords" not in document["users"]
    config = tmp_path / "acme.toml"
    config.write_text(TEXTS["elasticacheusers-group"])
    call = next(c for c in environments.load(config, all_modules(), "acme.toml").modules if c.name == "users")
    assert call.secrets == ("user_passwords",)


def test_a_user_group_without_a_default_user_of_its_own_is_a_problem(tmp_path):
    """AWS's own default user (id "default") cannot move into the module, and the module's group needs a user named
    "default": the file would fail the module's check, so the adopter says what to add."""
    shown, _ = elasticacheusers_group()
    resources = shown["values"]["root_module"]["resources"]
    resources[0]["values"]["user_ids"].remove("acme-default")
    del resources[1]
    (tmp_path / "state.json").write_text(json.dumps(shown))
    code, _, err = quietly("--adopt", str(tmp_path / "state.json"), "--config", str(tmp_path / "acme.toml"))
    assert code == 1
    assert err.splitlines()[0] == (
        'problem: module.users.aws_elasticache_user_group.shared: user_ids: no user of the state named "default" is '
        "in the group (AWS's own default user cannot be moved into the module): add one to users (such as "
        '{"default-user" = {user_name = "default", access_string = "off ~* -@all"}}), a new user the module creates')


def test_a_user_without_a_password_is_left_out_with_a_problem(tmp_path):
    """A user with authentication_mode no-password-required: the module's users take a password or IAM."""
    shown, _ = elasticacheusers_group()
    reader = shown["values"]["root_module"]["resources"][2]["values"]
    reader.update(no_password_required=True, authentication_mode=[{"type": "no-password-required"}])
    (tmp_path / "state.json").write_text(json.dumps(shown))
    code, _, err = quietly("--adopt", str(tmp_path / "state.json"), "--config", str(tmp_path / "acme.toml"))
    assert code == 1
    assert err.splitlines()[0] == (
        "problem: module.users.aws_elasticache_user.app_reader: authentication_mode: the user app-reader "
        "authenticates without a password; the module's users take a password or IAM: left out of users (the "
        "module's group would drop it)")
    assert set(tomllib.loads((tmp_path / "acme.toml").read_text())["users"]["users"]) == {"acme-default", "app-iam"}


def test_a_cluster_policy_the_module_cannot_say_is_rewritten_with_a_note(tmp_path):
    """Two statements: no pin and no move (without principals the module has no policy: a move would destroy it);
    the policy is forgotten, kept in AWS, and a note says what to set."""
    shown, _ = mskserverless_with_policy()
    policy = shown["values"]["root_module"]["resources"][1]["values"]
    statement = json.loads(policy["policy"])["Statement"][0]
    policy["policy"] = json.dumps({"Version": "2012-10-17", "Statement": [statement, {**statement, "Sid": "More"}]})
    (tmp_path / "state.json").write_text(json.dumps(shown))
    _, out, _ = quietly("--adopt", str(tmp_path / "state.json"), "--config", str(tmp_path / "acme.toml"))
    table = tomllib.loads((tmp_path / "acme.toml").read_text())["streams"]
    assert not {key for key in table if key.startswith("cluster_policy_")}
    assert ("note: [streams] module.streams.aws_msk_cluster_policy.kafka: the policy is not one Allow statement of "
            "principals and actions: forgotten, it stays in AWS as it is; for the module to manage it, set "
            "cluster_policy_allowed_principals, cluster_policy_allowed_services and cluster_policy_actions to what it "
            "should grant (the module then writes its own)") in out.splitlines()
    document = tomllib.loads((tmp_path / "acme.toml").read_text())
    assert "module.streams.aws_msk_cluster_policy.kafka" not in [entry["from"] for entry in document["moved"]]
    assert [entry["from"] for entry in document["removed"]] == ["module.streams.aws_msk_cluster_policy.kafka"]
