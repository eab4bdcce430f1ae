"""Build an estate fixture's state offline: what `terraform apply` of its `old/` root would have left in its backend.

There is no AWS here. The state is built the way the real one came to be: plan the old root (placeholder
credentials, the provider's skip_* settings), take each resource's planned values, fill in what only AWS knows
(ids, ARNs, endpoints, broker strings, the AWS managed keys) in the shapes AWS returns them, and write state
format 4 with each resource's `schema_version` from `terraform providers schema -json`.

A state is right when `terraform plan -refresh=false -detailed-exitcode` of `old/` against it exits 0 (no changes).
Each fixture (tests/fixtures/estate, tests/fixtures/estates/<name>) has a `build_state.py` that names its `Estate`
and runs `main`; its test asserts the clean plan and that the script reproduces the committed files byte for byte.

`refreshed` builds the state as a `terraform refresh` (or any plan that refreshes) leaves it: a security group's
`ingress`/`egress` then list the rules that separate rule resources of the same state own, as AWS reports them.

Needs terraform on PATH and, without a registry, TF_PROVIDER_MIRROR (as the tests do).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from testkit import terraform

PROVIDER = "registry.terraform.io/hashicorp/aws"
BUILTIN = "terraform.io/builtin/terraform"
ACCOUNT = "123456789012"
TERRAFORM_VERSION = "1.11.4"
# The short Region codes in ElastiCache endpoints.
REGION_CODES = {"ap-northeast-2": "apn2", "eu-west-1": "euw1", "us-east-1": "use1", "us-east-2": "use2"}


def _digest(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _uuid(*parts: str) -> str:
    return str(uuid.UUID(_digest(*parts)[:32]))


def _hex(length: int, *parts: str) -> str:
    return _digest(*parts)[:length]


@dataclass
class Built:
    """What a filler sees: the estate's Region, the resources already built in the same module (by type, the last
    one of each) and in the root module (a root-owned group handed to a module)."""

    region: str
    vpc_id: str
    module: dict[str, dict[str, Any]]
    root: dict[str, dict[str, Any]]
    address: str

    def one(self, kind: str) -> dict[str, Any]:
        found = self.module.get(kind) or self.root.get(kind)
        if found is None:
            raise SystemExit(f"build_state: {self.address} refers to an {kind} the estate does not build first")
        return found

    def managed_key(self, service: str) -> str:
        # The AWS managed key of a service (alias/aws/<service>): AWS creates it in the account on first use.
        return f"arn:aws:kms:{self.region}:{ACCOUNT}:key/{_uuid('aws-managed-key', service)}"


# --- what AWS would return ---------------------------------------------------------------------------------------
# Each filler gets the resource's planned values (already holding what the configuration says) and what is built;
# it returns the attributes AWS computes.


def _security_group(values: dict[str, Any], built: Built) -> dict[str, Any]:
    # A name_prefix gets Terraform's unique suffix (a timestamp and a counter).
    name = values.get("name") or values["name_prefix"] + "20240311091502123400000001"
    group_id = "sg-" + _hex(17, "sg", name)
    return {"id": group_id, "name": name, "arn": f"arn:aws:ec2:{built.region}:{ACCOUNT}:security-group/{group_id}",
            "owner_id": ACCOUNT, "name_prefix": values.get("name_prefix") or "",
            # Terraform removes the default allow-all egress rule of a group it creates.
            "ingress": values.get("ingress") or [], "egress": values.get("egress") or []}


def _subnet_group(values: dict[str, Any], built: Built) -> dict[str, Any]:
    return {"id": values["name"], "arn": f"arn:aws:elasticache:{built.region}:{ACCOUNT}:subnetgroup:{values['name']}",
            "vpc_id": built.vpc_id}


def _parameter_group(values: dict[str, Any], built: Built) -> dict[str, Any]:
    return {"id": values["name"],
            "arn": f"arn:aws:elasticache:{built.region}:{ACCOUNT}:parametergroup:{values['name']}"}


ENGINE_VERSION_ACTUAL = {"7.2": "7.2.6", "8.0": "8.0.1", "8.1": "8.1.0", "8.2": "8.2.0", "7.1": "7.1.0"}


def _replication_group(values: dict[str, Any], built: Built) -> dict[str, Any]:
    group_id = values["replication_group_id"]
    suffix = _hex(6, "elasticache", group_id)
    code = REGION_CODES[built.region]
    clusters = values.get("num_cache_clusters") or 1
    encrypted_at_rest = values.get("at_rest_encryption_enabled")
    return {
        "id": group_id,
        "arn": f"arn:aws:elasticache:{built.region}:{ACCOUNT}:replicationgroup:{group_id}",
        "primary_endpoint_address": f"master.{group_id}.{suffix}.{code}.cache.amazonaws.com",
        "reader_endpoint_address": f"replica.{group_id}.{suffix}.{code}.cache.amazonaws.com",
        "configuration_endpoint_address": None,
        "member_clusters": [f"{group_id}-{n:03d}" for n in range(1, clusters + 1)],
        "engine_version_actual": ENGINE_VERSION_ACTUAL[values["engine_version"]],
        "cluster_enabled": False,
        "cluster_mode": values.get("cluster_mode") or "disabled",
        "num_node_groups": 1,
        "num_cache_clusters": clusters,
        "replicas_per_node_group": clusters - 1,
        "parameter_group_name": values.get("parameter_group_name")
        or built.one("aws_elasticache_parameter_group")["id"],
        "security_group_ids": values.get("security_group_ids") or [built.one("aws_security_group")["id"]],
        "security_group_names": [],
        "auto_minor_version_upgrade": "true",
        "data_tiering_enabled": False,
        "network_type": "ipv4",
        "ip_discovery": "ipv4",
        "global_replication_group_id": None,
        "transit_encryption_mode": values.get("transit_encryption_mode") or (
            "required" if values.get("transit_encryption_enabled") else None),
        # At rest without a key: ElastiCache's default encryption, and DescribeReplicationGroups has no KmsKeyId.
        "kms_key_id": values.get("kms_key_id") or "",
        "at_rest_encryption_enabled": True if encrypted_at_rest is None else encrypted_at_rest,
        "apply_immediately": values.get("apply_immediately"),
        "port": values.get("port") or 6379,
        "snapshot_window": values.get("snapshot_window") or "03:00-04:00",
        "snapshot_retention_limit": values.get("snapshot_retention_limit") or 0,
        "maintenance_window": values.get("maintenance_window") or "sun:05:00-sun:06:00",
        "multi_az_enabled": bool(values.get("multi_az_enabled")),
        "automatic_failover_enabled": bool(values.get("automatic_failover_enabled")),
        "engine": values.get("engine") or "redis",
        "auth_token_update_strategy": values.get("auth_token_update_strategy"),
    }


def _table(values: dict[str, Any], built: Built) -> dict[str, Any]:
    name = values["name"]
    label = "2024-03-11T09:15:02.123"
    streams = values.get("stream_enabled") is not False
    encryption = []
    for block in values.get("server_side_encryption") or [{"enabled": True}]:
        # enabled without a key: the AWS managed key alias/aws/dynamodb.
        key = block.get("kms_key_arn") or (built.managed_key("dynamodb") if block.get("enabled") else "")
        encryption.append({**block, "kms_key_arn": key})
    recovery = [
        {**block, "recovery_period_in_days": block.get("recovery_period_in_days") or (35 if block["enabled"] else 0)}
        for block in values.get("point_in_time_recovery") or [{"enabled": True}]
    ]

    def capacity(holder: dict[str, Any], key: str) -> int:
        return holder.get(key) if holder.get(key) is not None else 0

    return {
        "id": name,
        "arn": f"arn:aws:dynamodb:{built.region}:{ACCOUNT}:table/{name}",
        "stream_arn": f"arn:aws:dynamodb:{built.region}:{ACCOUNT}:table/{name}/stream/{label}" if streams else "",
        "stream_label": label if streams else "",
        "stream_view_type": values.get("stream_view_type") or "",
        "read_capacity": capacity(values, "read_capacity"),
        "write_capacity": capacity(values, "write_capacity"),
        "table_class": values.get("table_class") or "STANDARD",
        "deletion_protection_enabled": bool(values.get("deletion_protection_enabled")),
        "point_in_time_recovery": recovery,
        "server_side_encryption": encryption,
        "global_secondary_index": [
            {**index, "read_capacity": capacity(index, "read_capacity"),
             "write_capacity": capacity(index, "write_capacity")}
            for index in values.get("global_secondary_index") or []
        ],
    }


def _log_group(values: dict[str, Any], built: Built) -> dict[str, Any]:
    return {"id": values["name"], "arn": f"arn:aws:logs:{built.region}:{ACCOUNT}:log-group:{values['name']}",
            "log_group_class": values.get("log_group_class") or "STANDARD", "name_prefix": ""}


def _configuration(values: dict[str, Any], built: Built) -> dict[str, Any]:
    arn = (f"arn:aws:kafka:{built.region}:{ACCOUNT}:configuration/{values['name']}/"
           f"{_uuid('msk-config', values['name'])}-2")
    return {"id": arn, "arn": arn, "latest_revision": 1}


def _cluster(values: dict[str, Any], built: Built) -> dict[str, Any]:
    name = values["cluster_name"]
    cluster_uuid = f"{_uuid('msk', name)}-2"
    arn = f"arn:aws:kafka:{built.region}:{ACCOUNT}:cluster/{name}/{cluster_uuid}"
    host = f"{name}.{_hex(6, 'msk-host', name)}.c2.kafka.{built.region}.amazonaws.com"

    def brokers(port: int) -> str:
        return ",".join(f"b-{n}.{host}:{port}" for n in range(1, values["number_of_broker_nodes"] + 1))

    zookeeper = ",".join(f"z-{n}.{host}" for n in range(1, 4))
    node_group = dict(values["broker_node_group_info"][0])
    node_group["security_groups"] = node_group.get("security_groups") or [built.one("aws_security_group")["id"]]
    node_group["connectivity_info"] = [
        {
            "public_access": [{"type": "DISABLED"}],
            "vpc_connectivity": [
                {"client_authentication": [{"sasl": [{"iam": False, "scram": False}], "tls": False}]}
            ],
        }
    ]
    if not node_group.get("storage_info"):
        # No storage block: MSK gives each broker 1000 GiB of EBS.
        node_group["storage_info"] = [{"ebs_storage_info": [{"provisioned_throughput": [], "volume_size": 1000}]}]
    config = built.one("aws_msk_configuration")
    encryption = dict(values["encryption_info"][0])
    # No key in the configuration: MSK encrypts with the AWS managed key aws/kafka and reports its ARN.
    encryption["encryption_at_rest_kms_key_arn"] = (encryption.get("encryption_at_rest_kms_key_arn")
                                                    or built.managed_key("kafka"))
    in_transit = dict((encryption.get("encryption_in_transit") or [{}])[0])
    in_transit["client_broker"] = in_transit.get("client_broker") or "TLS"
    in_transit["in_cluster"] = True if in_transit.get("in_cluster") is None else in_transit["in_cluster"]
    encryption["encryption_in_transit"] = [in_transit]
    listeners: dict[str, str] = {"bootstrap_brokers": "", "bootstrap_brokers_tls": "",
                                 "bootstrap_brokers_sasl_iam": "", "bootstrap_brokers_sasl_scram": ""}
    filled: dict[str, Any] = {}
    if values.get("client_authentication"):
        authentication = dict(values["client_authentication"][0])
        authentication["sasl"] = [{"iam": True, "scram": False}]
        authentication["unauthenticated"] = False
        filled["client_authentication"] = [authentication]
        # IAM over TLS: the SASL/IAM listener (9098) and, because client_broker is TLS, the TLS one (9094).
        listeners["bootstrap_brokers_tls"] = brokers(9094)
        listeners["bootstrap_brokers_sasl_iam"] = brokers(9098)
    else:
        # No client authentication block: unauthenticated access, on the listeners client_broker opens.
        if in_transit["client_broker"] in ("TLS", "TLS_PLAINTEXT"):
            listeners["bootstrap_brokers_tls"] = brokers(9094)
        if in_transit["client_broker"] in ("PLAINTEXT", "TLS_PLAINTEXT"):
            listeners["bootstrap_brokers"] = brokers(9092)
    return {
        "id": arn,
        "arn": arn,
        "cluster_uuid": cluster_uuid,
        "current_version": "K3AEGXETSR30VB",
        "storage_mode": values.get("storage_mode") or "LOCAL",
        "broker_node_group_info": [node_group],
        "encryption_info": [encryption],
        **filled,
        "configuration_info": [{"arn": config["arn"], "revision": config["latest_revision"]}],
        **listeners,
        "bootstrap_brokers_public_tls": "",
        "bootstrap_brokers_public_sasl_iam": "",
        "bootstrap_brokers_public_sasl_scram": "",
        "bootstrap_brokers_vpc_connectivity_tls": "",
        "bootstrap_brokers_vpc_connectivity_sasl_iam": "",
        "bootstrap_brokers_vpc_connectivity_sasl_scram": "",
        "zookeeper_connect_string": ",".join(f"{z}:2181" for z in zookeeper.split(",")),
        "zookeeper_connect_string_tls": ",".join(f"{z}:2182" for z in zookeeper.split(",")),
    }


def _ingress_rule(values: dict[str, Any], built: Built) -> dict[str, Any]:
    rule_id = "sgr-" + _hex(17, "sgr", built.address)
    return {"id": rule_id, "security_group_rule_id": rule_id,
            "arn": f"arn:aws:ec2:{built.region}:{ACCOUNT}:security-group-rule/{rule_id}",
            "security_group_id": values.get("security_group_id") or built.one("aws_security_group")["id"],
            "tags_all": values.get("tags_all") or {}}


def _group_rule(values: dict[str, Any], built: Built) -> dict[str, Any]:
    group_id = values.get("security_group_id") or built.one("aws_security_group")["id"]
    rule_id = "sgr-" + _hex(17, "sgr", built.address)
    # The provider's id of an aws_security_group_rule: sgrule- and a hash of the rule (any stable number will do
    # offline: the provider never recomputes it without AWS). One resource of several sources is several rules in
    # AWS: the provider then records no security_group_rule_id (only AWS knows their sgr- ids).
    sources = [*(values.get("cidr_blocks") or []), *(values.get("ipv6_cidr_blocks") or []),
               *(values.get("prefix_list_ids") or []), *([values["source_security_group_id"]]
                                                         if values.get("source_security_group_id") else [])]
    return {"id": f"sgrule-{int(_hex(8, 'sgrule', built.address), 16)}", "security_group_id": group_id,
            "security_group_rule_id": rule_id if len(sources) == 1 else "",
            "source_security_group_id": values.get("source_security_group_id")}


def _scaling_target(values: dict[str, Any], built: Built) -> dict[str, Any]:
    resource_id = values.get("resource_id")
    if resource_id is None:  # the MSK cluster's ARN
        resource_id = built.one("aws_msk_cluster")["arn"]
    service = values["service_namespace"]
    role = {"dynamodb": "dynamodb.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_"
                        "DynamoDBTable",
            "kafka": "kafka.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_"
                     "KafkaCluster"}[service]
    return {"id": resource_id, "resource_id": resource_id,
            "arn": f"arn:aws:application-autoscaling:{built.region}:{ACCOUNT}:scalable-target/"
                   f"{_hex(30, 'scalable-target', resource_id, values['scalable_dimension'])}",
            "role_arn": values.get("role_arn") or f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/{role}",
            "tags_all": values.get("tags_all") or {},
            "suspended_state": [{"dynamic_scaling_in_suspended": False, "dynamic_scaling_out_suspended": False,
                                 "scheduled_scaling_suspended": False}]}


def _scaling_policy(values: dict[str, Any], built: Built) -> dict[str, Any]:
    target = built.module_target(values)
    policy_id = _uuid("scaling-policy", values["name"])
    return {"id": values["name"], "resource_id": target["resource_id"],
            "scalable_dimension": target["scalable_dimension"], "service_namespace": target["service_namespace"],
            "arn": f"arn:aws:autoscaling:{built.region}:{ACCOUNT}:scalingPolicy:{policy_id}:resource/"
                   f"{target['service_namespace']}/{target['resource_id']}:policyName/{values['name']}",
            "alarm_arns": []}


def _cty_type(value: Any) -> Any:
    """The type Terraform stores beside a dynamically typed value (terraform_data's input and output)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return ["tuple", [_cty_type(item) for item in value]]
    if isinstance(value, dict):
        return ["object", {key: _cty_type(item) for key, item in value.items()}]
    return "dynamic"


def _data(values: dict[str, Any], built: Built) -> dict[str, Any]:
    # terraform_data (an offline stand-in for random_id/random_pet/null_resource): its dynamic values are stored
    # with their types, its output is its input, and its id is a UUID.
    values = {**values, "output": values.get("input")}
    return {"id": _uuid("terraform_data", built.address),
            **{key: None if values.get(key) is None else {"value": values[key], "type": _cty_type(values[key])}
               for key in ("input", "output", "triggers_replace")}}


def _resource_policy(values: dict[str, Any], built: Built) -> dict[str, Any]:
    return {"id": values["resource_arn"], "revision_id": str(int(_hex(12, "revision", values["resource_arn"]), 16)),
            "confirm_remove_self_resource_access": bool(values.get("confirm_remove_self_resource_access"))}


Filler = Callable[[dict[str, Any], Built], dict[str, Any]]
FILLERS: dict[str, Filler] = {
    "terraform_data": _data,
    "aws_security_group": _security_group,
    "aws_security_group_rule": _group_rule,
    "aws_vpc_security_group_ingress_rule": _ingress_rule,
    "aws_vpc_security_group_egress_rule": _ingress_rule,
    "aws_elasticache_subnet_group": _subnet_group,
    "aws_elasticache_parameter_group": _parameter_group,
    "aws_elasticache_replication_group": _replication_group,
    "aws_dynamodb_table": _table,
    "aws_dynamodb_resource_policy": _resource_policy,
    "aws_cloudwatch_log_group": _log_group,
    "aws_msk_configuration": _configuration,
    "aws_msk_cluster": _cluster,
    "aws_appautoscaling_target": _scaling_target,
    "aws_appautoscaling_policy": _scaling_policy,
}
# Within a module, the order AWS would create them in (a later resource refers to an earlier one's id).
ORDER = list(FILLERS)


def _all_resources(plan: dict[str, Any]) -> Any:
    return (resource for module in _modules(plan) for resource in module.get("resources", []))


def _modules(plan: dict[str, Any]) -> list[dict[str, Any]]:
    def walk(module: dict[str, Any]) -> list[dict[str, Any]]:
        return [module, *(inner for child in module.get("child_modules", []) for inner in walk(child))]
    return walk(plan["planned_values"]["root_module"])


def _still_unknown(unknown: Any, values: Any, path: str, found: list[str]) -> None:
    if unknown is True:
        found.append(path)
    elif isinstance(unknown, dict):
        for key, inner in unknown.items():
            if isinstance(values, dict) and key in values and inner is True:
                continue  # planned values leave unknowns out; a key present was filled (null is an answer too)
            _still_unknown(inner, values.get(key) if isinstance(values, dict) else None, f"{path}.{key}", found)
    elif isinstance(unknown, list) and isinstance(values, list) and len(values) >= len(unknown):
        # An element of a list the filler answered is answered (a cache's security_group_ids holds the group's id,
        # unknown until the group exists).
        for i, inner in enumerate(unknown):
            if inner is not True:
                _still_unknown(inner, values[i], f"{path}[{i}]", found)
    elif isinstance(unknown, list):
        for i, inner in enumerate(unknown):
            item = values[i] if isinstance(values, list) and i < len(values) else None
            _still_unknown(inner, item, f"{path}[{i}]", found)


def _sensitive_paths(marks: Any, path: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The plan's `sensitive_values` (true at each sensitive leaf) → state format 4's `sensitive_attributes`.
    Without them Terraform sees a change of sensitivity (the schema marks auth_token sensitive) and plans an update."""
    if marks is True:
        return [path]
    found: list[list[dict[str, Any]]] = []
    if isinstance(marks, dict):
        for key in sorted(marks):
            found += _sensitive_paths(marks[key], [*path, {"type": "get_attr", "value": key}])
    elif isinstance(marks, list):
        for i, inner in enumerate(marks):
            found += _sensitive_paths(inner, [*path, {"type": "index", "value": {"value": i, "type": "number"}}])
    return found


def _index_key(resource: dict[str, Any]) -> dict[str, Any]:
    return {"index_key": resource["index"]} if "index" in resource else {}


def _rule_as_aws_lists_it(rule: dict[str, Any]) -> dict[str, Any]:
    """A separate rule resource as a refreshed aws_security_group lists it in `ingress`/`egress`."""
    if "ip_protocol" in rule:  # aws_vpc_security_group_ingress_rule / _egress_rule
        protocol = rule["ip_protocol"]
        return {"cidr_blocks": [rule["cidr_ipv4"]] if rule.get("cidr_ipv4") else [],
                "ipv6_cidr_blocks": [rule["cidr_ipv6"]] if rule.get("cidr_ipv6") else [],
                "prefix_list_ids": [rule["prefix_list_id"]] if rule.get("prefix_list_id") else [],
                "security_groups": [rule["referenced_security_group_id"]]
                if rule.get("referenced_security_group_id") else [],
                "self": False, "description": rule.get("description") or "",
                "from_port": rule.get("from_port") if protocol != "-1" else 0,
                "to_port": rule.get("to_port") if protocol != "-1" else 0, "protocol": protocol}
    return {"cidr_blocks": rule.get("cidr_blocks") or [], "ipv6_cidr_blocks": rule.get("ipv6_cidr_blocks") or [],
            "prefix_list_ids": rule.get("prefix_list_ids") or [],
            "security_groups": [rule["source_security_group_id"]] if rule.get("source_security_group_id") else [],
            "self": bool(rule.get("self")), "description": rule.get("description") or "",
            "from_port": rule["from_port"], "to_port": rule["to_port"], "protocol": rule["protocol"]}


def _refresh_groups(resources: list[dict[str, Any]]) -> None:
    groups = {r["instances"][0]["attributes"]["id"]: r["instances"][0]["attributes"]
              for r in resources if r["type"] == "aws_security_group"}
    for resource in resources:
        attributes = resource["instances"][0]["attributes"]
        if resource["type"] == "aws_security_group_rule":
            direction = attributes["type"]
        elif resource["type"] in ("aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"):
            direction = resource["type"].split("_")[-2]
        else:
            continue
        group = groups.get(attributes["security_group_id"])
        if group is not None:
            group[direction] = sorted([*(group.get(direction) or []), _rule_as_aws_lists_it(attributes)],
                                      key=lambda r: json.dumps(r, sort_keys=True))


@dataclass
class Estate:
    """One estate fixture: `folder` holds old/ (the team's root), state.json and state.show.json."""

    folder: Path
    region: str
    lineage: str  # the fixed identity of the built state, so that rebuilding it gives the same bytes
    vpc_id: str
    serial: int = 42
    refreshed: bool = False
    fillers: dict[str, Filler] = field(default_factory=lambda: dict(FILLERS))

    @property
    def old_root(self) -> Path:
        return self.folder / "old"

    @property
    def state_file(self) -> Path:
        return self.folder / "state.json"

    @property
    def show_file(self) -> Path:
        return self.folder / "state.show.json"

    def _copy_root(self, workdir: Path) -> None:
        shutil.copytree(self.old_root, workdir, ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"))
        (workdir / "offline_override.tf.json").write_text(
            json.dumps({"provider": terraform.OFFLINE_OVERRIDE["provider"]}))

    def plan_old_root(self, scratch: Path) -> tuple[dict[str, Any], dict[str, Any]]:
        """The old root's plan (as JSON) and the provider schemas of its resource types.

        A value made from another resource's is known only once that one exists: a terraform_data's output (a
        stand-in for random_id or random_pet) and the names made from it, a policy that names the table's ARN. So
        the resources whose values are all known are built first, as their apply would leave them, and the root
        planned again against that state, until every value is known (the order an apply would create them in)."""
        workdir = scratch / "old"
        self._copy_root(workdir)
        plan = terraform.plan_root(workdir)
        schemas = json.loads(terraform.run(workdir, "providers", "schema", "-json"))["provider_schemas"]
        schemas = {kind: schema for provider in schemas.values()
                   for kind, schema in provider.get("resource_schemas", {}).items()}
        built = -1
        while True:
            first = self.build_state(plan, schemas, partial=True)
            if len(first["resources"]) == sum(1 for _ in _all_resources(plan)) or len(first["resources"]) == built:
                return plan, schemas
            built = len(first["resources"])
            (workdir / "terraform.tfstate").write_bytes(serialize(first))
            plan = terraform.plan_root(workdir)

    def build_state(self, plan: dict[str, Any], schemas: dict[str, Any], partial: bool = False) -> dict[str, Any]:
        """`partial`: leave out the resources with a value still unknown (and what needs them) instead of failing."""
        after_unknown = {rc["address"]: rc["change"]["after_unknown"] for rc in plan["resource_changes"]}
        resources: list[dict[str, Any]] = []
        root: dict[str, dict[str, Any]] = {}
        for module in _modules(plan):
            built: dict[str, dict[str, Any]] = root if "address" not in module else {}
            by_address: dict[str, dict[str, Any]] = {}
            order = list(self.fillers)
            for resource in sorted(module.get("resources", []), key=lambda r: order.index(r["type"])):
                values = dict(resource["values"])
                context = _Context(self.region, self.vpc_id, built, root, resource["address"], by_address)
                try:
                    values.update(self.fillers[resource["type"]](values, context))
                except (KeyError, SystemExit):
                    if partial:
                        continue
                    raise
                missing: list[str] = []
                _still_unknown(after_unknown[resource["address"]], values, resource["address"], missing)
                if missing and partial:
                    continue
                if missing:
                    raise SystemExit(f"build_state: no value for {', '.join(missing)}: add it to the filler")
                built[resource["type"]] = values
                by_address[resource["address"]] = values
                provider = BUILTIN if resource["type"] == "terraform_data" else PROVIDER
                entry = {
                    "mode": "managed",
                    "type": resource["type"],
                    "name": resource["name"],
                    "provider": f'provider["{provider}"]',
                    "instances": [
                        {
                            **_index_key(resource),
                            "schema_version": schemas[resource["type"]]["version"],
                            "attributes": values,
                            "sensitive_attributes": _sensitive_paths(resource.get("sensitive_values", {}), []),
                        }
                    ],
                }
                if "address" in module:  # a child module; the root module has no address
                    entry = {"module": module["address"], **entry}
                resources.append(entry)
        resources = _merge_instances(resources)
        if self.refreshed and not partial:
            _refresh_groups(resources)
        return {
            "version": 4,
            "terraform_version": TERRAFORM_VERSION,
            "serial": self.serial,
            "lineage": self.lineage,
            "outputs": {},
            "resources": resources,
            "check_results": None,
        }

    def plan_against(self, state: bytes, scratch: Path) -> tuple[int, str]:
        """`terraform plan -refresh=false -detailed-exitcode` of the old root against `state`: (exit code, output)."""
        workdir = scratch / "check"
        self._copy_root(workdir)
        (workdir / "terraform.tfstate").write_bytes(state)
        terraform.run(workdir, "init", "-input=false", "-no-color")
        result = terraform.completed(workdir, "plan", "-input=false", "-no-color", "-lock=false", "-refresh=false",
                                     "-detailed-exitcode")
        return result.returncode, result.stdout + result.stderr

    def show(self, state: bytes, scratch: Path) -> bytes:
        """`terraform show -json` of the state, as a user prints it in the old root (after `plan_against`)."""
        json_text = terraform.run(scratch / "check", "show", "-json", "terraform.tfstate")
        return serialize(json.loads(json_text))

    def build(self, scratch: Path) -> tuple[bytes, bytes]:
        plan, schemas = self.plan_old_root(scratch)
        state = serialize(self.build_state(plan, schemas))
        code, output = self.plan_against(state, scratch)
        if code != 0:
            raise SystemExit(f"build_state: the old root does not plan clean against the built state:\n{output}")
        return state, self.show(state, scratch)

    def main(self) -> int:
        with tempfile.TemporaryDirectory(prefix="estate-") as scratch:
            state, shown = self.build(Path(scratch))
        self.state_file.write_bytes(state)
        self.show_file.write_bytes(shown)
        print(f"wrote {self.state_file} and {self.show_file.name}")
        return 0


class _Context(Built):
    def __init__(self, region: str, vpc_id: str, module: dict[str, Any], root: dict[str, Any], address: str,
                 by_address: dict[str, dict[str, Any]]) -> None:
        super().__init__(region, vpc_id, module, root, address)
        self.by_address = by_address

    def module_target(self, policy: dict[str, Any]) -> dict[str, Any]:
        """The scalable target a policy belongs to: the one of the same dimension and resource."""
        for values in self.by_address.values():
            if "scalable_dimension" in values and "max_capacity" in values and (
                    policy.get("resource_id") in (None, values["resource_id"])
                    and policy.get("scalable_dimension") in (None, values["scalable_dimension"])):
                return values
        raise SystemExit(f"build_state: {self.address}: no scalable target built for it")


def _merge_instances(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One state entry per resource block, its instances (count/for_each) in key order."""
    merged: dict[tuple[str, str, str], dict[str, Any]] = {}
    for entry in resources:
        key = (entry.get("module", ""), entry["type"], entry["name"])
        if key in merged:
            merged[key]["instances"].append(entry["instances"][0])
        else:
            merged[key] = entry
    for entry in merged.values():
        entry["instances"].sort(key=lambda i: json.dumps(i.get("index_key")))
    return [merged[key] for key in sorted(merged)]


def serialize(document: Any) -> bytes:
    return (json.dumps(document, indent=2, sort_keys=True) + "\n").encode()
