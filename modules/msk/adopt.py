"""Adopting MSK clusters (generator.adoption.kit.Adopter): what --adopt reads of them and pins."""

from __future__ import annotations

from typing import Any, Mapping

from generator.adoption.kit import (COMMON, ENABLED, FORCES_NEW, IDENTITY, IN_PLACE, Adopted, Adopter, Report, move, one,
                                    own_tags, scaling_policy, scaling_target, security_group, split_name, tracking)
from generator.adoption.statefile import BOOLEAN, INTEGER, STRING, ListOf, Object, objects

# What the adopter reads of each resource type, and nothing more (generator.adoption.statefile): a value of another
# type, a missing key or a null where a value is read is one line naming the file and the JSON path. Reading a new
# attribute: declare it here.
STATE_SHAPES = {
    "aws_msk_cluster": Object({
        **COMMON, "cluster_name": STRING, "kafka_version": STRING, "number_of_broker_nodes": INTEGER,
        "broker_node_group_info": ListOf(Object({
            "client_subnets": ListOf(STRING), "instance_type": STRING, "security_groups?": ListOf(STRING),
            "storage_info?": objects(**{"ebs_storage_info?": objects(**{
                "volume_size?": INTEGER, "provisioned_throughput?": ENABLED})}),
        }), at_least=1),
        "encryption_info?": objects(**{
            "encryption_at_rest_kms_key_arn?": STRING,
            "encryption_in_transit?": objects(**{"client_broker?": STRING, "in_cluster?": BOOLEAN}),
        }),
        "client_authentication?": objects(**{
            "sasl?": objects(**{"iam?": BOOLEAN, "scram?": BOOLEAN}),
            "tls?": objects(**{"certificate_authority_arns?": ListOf(STRING)}),
            "unauthenticated?": BOOLEAN,
        }),
        "enhanced_monitoring?": STRING,
        "open_monitoring?": objects(**{"prometheus?": objects(**{
            "jmx_exporter?": objects(**{"enabled_in_broker?": BOOLEAN}),
            "node_exporter?": objects(**{"enabled_in_broker?": BOOLEAN}),
        })}),
        "logging_info?": objects(**{"broker_logs?": objects(**{
            "cloudwatch_logs?": objects(**{"enabled?": BOOLEAN, "log_group?": STRING}),
            "firehose?": ENABLED, "s3?": ENABLED,
        })}),
        "configuration_info?": objects(**{"arn?": STRING}),
    }),
    "aws_msk_configuration": Object({
        **COMMON, "name": STRING, "description?": STRING, "server_properties?": STRING,
    }),
}


def _msk_properties(text: str) -> tuple[dict[str, str], str]:
    properties = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            properties[key.strip()] = value.strip()
    merged = {"auto.create.topics.enable": "false", **properties}
    written = "\n".join(f"{key}={value}" for key, value in sorted(merged.items()))
    return properties, written


def _msk(adopted: Adopted, report: Report, resources: list[dict[str, Any]], moved: set[str], prefix: str | None) -> None:
    cluster = one(resources, "aws_msk_cluster", lambda v: True)
    assert cluster is not None
    v = cluster["values"]
    table = adopted.table
    name = v["cluster_name"]
    adopted.source = cluster["address"]
    adopted.moves.append((cluster["address"], f"module.{table}.aws_msk_cluster.this"))
    moved.add(cluster["address"])
    name_prefix, cluster_name = split_name(name, prefix)
    adopted.pin("name_prefix", name_prefix, "with cluster_name, the cluster's name", IDENTITY)
    adopted.pin("cluster_name", cluster_name, f"with name_prefix, the cluster's name {name}", IDENTITY)
    version = v["kafka_version"]
    adopted.pin("kafka_version", version, "the cluster runs it", IN_PLACE)
    nodes = v["broker_node_group_info"][0]
    subnets = list(nodes["client_subnets"])
    adopted.pin("subnet_ids", subnets, "the brokers' client subnets; they cannot change in place", FORCES_NEW)
    adopted.pin("number_of_broker_nodes", v["number_of_broker_nodes"], "the cluster's brokers", IN_PLACE, len(subnets))
    adopted.pin("broker_instance_type", nodes["instance_type"], "the brokers' type", IN_PLACE)
    ebs = ((nodes.get("storage_info") or [{}])[0].get("ebs_storage_info") or [{}])[0]
    adopted.pin("ebs_volume_size", ebs.get("volume_size"), "the brokers' storage; AWS only grows it", IN_PLACE)
    _storage_scaling(adopted, report, resources, moved, v.get("arn") or "", ebs.get("volume_size"))
    adopted.source = cluster["address"]
    if any(t.get("enabled") for t in ebs.get("provisioned_throughput") or []):
        report.problems.append(f"{cluster['address']}: broker_node_group_info.storage_info.ebs_storage_info."
                               "provisioned_throughput: on in the cluster; the module has no input for it")
    encryption = (v.get("encryption_info") or [{}])[0]
    key = encryption.get("encryption_at_rest_kms_key_arn") or "alias/aws/kafka"
    adopted.pin("kms_key_arn", key, "the key the cluster's data is encrypted with; it cannot change after creation"
                " (if it is MSK's AWS managed key, alias/aws/kafka says the same)", FORCES_NEW, None)
    transit = (encryption.get("encryption_in_transit") or [{}])[0]
    adopted.pin("encryption_in_transit_client_broker", transit.get("client_broker", "TLS"), "the cluster has it",
                IN_PLACE)
    adopted.pin("encryption_in_transit_in_cluster", transit.get("in_cluster", True),
                "the cluster has it; it cannot change after creation", FORCES_NEW)
    auth = (v.get("client_authentication") or [{}])[0]
    sasl = (auth.get("sasl") or [{}])[0]
    adopted.pin("client_authentication_iam_enabled", bool(sasl.get("iam")), "the cluster has it", IN_PLACE)
    adopted.pin("client_authentication_scram_enabled", bool(sasl.get("scram")), "the cluster has it", IN_PLACE)
    cas = sorted({arn for t in auth.get("tls") or [] for arn in t.get("certificate_authority_arns") or []})
    adopted.pin("client_authentication_tls_certificate_authority_arns", cas, "the cluster trusts them", IN_PLACE)
    # No client authentication at all, or a plaintext listener (which takes clients without it): the cluster is
    # open to unauthenticated clients, and the module's rules want that said (client_authentication_unauthenticated_
    # enabled = true, with the warning synth gives), not an authentication the cluster does not have.
    plaintext = transit.get("client_broker", "TLS") in ("TLS_PLAINTEXT", "PLAINTEXT")
    authenticated = bool(sasl.get("iam") or sasl.get("scram") or cas)
    unauthenticated = bool(auth.get("unauthenticated")) or not authenticated or plaintext
    adopted.pin("client_authentication_unauthenticated_enabled", unauthenticated,
                "the cluster has it" if auth.get("unauthenticated") else "the cluster has no client authentication"
                if not authenticated else "the cluster's plaintext listener takes clients without authentication",
                IN_PLACE)
    adopted.pin("enhanced_monitoring", v.get("enhanced_monitoring") or "DEFAULT", "the cluster's metrics level",
                IN_PLACE)
    prometheus = ((v.get("open_monitoring") or [{}])[0].get("prometheus") or [{}])[0]
    for exporter in ("jmx_exporter", "node_exporter"):
        enabled = bool(((prometheus.get(exporter) or [{}])[0]).get("enabled_in_broker"))
        adopted.pin(f"{exporter}_enabled", enabled, "the cluster has it", IN_PLACE)
    logs = ((v.get("logging_info") or [{}])[0].get("broker_logs") or [{}])[0]
    cloudwatch = (logs.get("cloudwatch_logs") or [{}])[0]
    if cloudwatch.get("enabled"):
        report.notes.append(
            f"[{table}] broker logs move from {cloudwatch.get('log_group')} to the module's group "
            f"/aws/msk/{name}/broker, encrypted with the module's key (an in-place change of the cluster)"
        )
    else:
        adopted.pin("cloudwatch_logs_enabled", False, "the cluster sends no broker logs to CloudWatch today",
                    IN_PLACE)
    for other in ("firehose", "s3"):
        if any(item.get("enabled") for item in logs.get(other) or []):
            report.problems.append(f"{cluster['address']}: logging_info.broker_logs.{other}: on in the cluster; "
                                   "the module has no input for it and would turn it off")
    own_tags(adopted, v, "cluster")

    arn = ((v.get("configuration_info") or [{}])[0]).get("arn")
    configuration = one(resources, "aws_msk_configuration", lambda c: c.get("arn") == arn)
    if configuration is None:
        report.notes.append(f"[{table}] the cluster runs a configuration the state does not manage ({arn}): the "
                            "module creates its own, and the cluster takes it in place (a rolling restart)")
    else:
        c = configuration["values"]
        adopted.source = configuration["address"]
        adopted.moves.append((configuration["address"], f"module.{table}.aws_msk_configuration.this"))
        moved.add(configuration["address"])
        adopted.pin("configuration_name", c["name"], "the configuration's name", FORCES_NEW,
                    f"{name}-{version.replace('.', '-')}", "name")
        # Any change of the configuration (its text, its description) is a new revision, which the cluster takes
        # with a rolling restart of the brokers: both are kept exactly.
        adopted.pin("configuration_description", c.get("description") or "", "the configuration's description "
                    "(a new one is a new revision, and a rolling restart)", IN_PLACE, f"Broker properties of {name}",
                    "description")
        text = c.get("server_properties") or ""
        properties, written = _msk_properties(text)
        if written == text:
            pinned = {k: val for k, val in sorted(properties.items())
                      if not (k == "auto.create.topics.enable" and val == "false")}
            adopted.pin("server_properties", pinned, "the configuration's properties", IN_PLACE,
                        attribute="server_properties")
        else:
            adopted.pin("server_properties_text", text, "the configuration's properties as written (the module "
                        "writes them as sorted key=value lines; other text is a new revision, and a rolling "
                        "restart of the brokers)", IN_PLACE, attribute="server_properties")
    # The ports the module opens, decided by the module's own function from the values pinned above.
    if adopted.ingress_ports is None:
        raise ValueError("the msk module declares no ingress_ports")  # a broken declaration, not user input
    ports = adopted.ingress_ports({
        "encryption_in_transit_client_broker": transit.get("client_broker", "TLS"),
        "client_authentication_unauthenticated_enabled": unauthenticated,
        "client_authentication_tls_certificate_authority_arns": cas,
        "client_authentication_scram_enabled": bool(sasl.get("scram")),
        "client_authentication_iam_enabled": bool(sasl.get("iam")),
        "jmx_exporter_enabled": bool(((prometheus.get("jmx_exporter") or [{}])[0]).get("enabled_in_broker")),
        "node_exporter_enabled": bool(((prometheus.get("node_exporter") or [{}])[0]).get("enabled_in_broker")),
    })
    security_group(
        adopted, report, resources, list(nodes.get("security_groups") or []),
        f"MSK {name}: enabled listeners from allowed sources only",
        lambda groups, cidrs: {
            **{(p, p, g): f'aws_vpc_security_group_ingress_rule.from_security_groups["{p}/{i}"]'
               for p in ports for i, g in enumerate(groups)},
            **{(p, p, c): f'aws_vpc_security_group_ingress_rule.from_cidr_blocks["{p}/{i}"]'
               for p in ports for i, c in enumerate(cidrs)},
            (9092, 9098, "self"): "aws_vpc_security_group_ingress_rule.between_brokers[0]",
        },
        moved,
        groups_effect=FORCES_NEW,
    )
    vpc = next((r["values"].get("vpc_id") for r in resources if r["type"] == "aws_security_group"
                and r["address"] in moved), None)
    adopted.pin("vpc_id", vpc, "the security group's VPC", IDENTITY)


def _storage_scaling(adopted: Adopted, report: Report, resources: list[dict[str, Any]], moved: set[str], arn: str,
                     volume: int | None) -> None:
    """Storage auto scaling of the cluster's brokers: the target and policy moved to the module's, its ceiling,
    target and policy name pinned."""
    dimension = "kafka:broker-storage:VolumeSize"
    target = scaling_target(resources, arn, dimension)
    if target is None:
        return
    policy = scaling_policy(resources, arn, dimension)
    ceiling = target["values"]["max_capacity"]
    if volume is not None and ceiling <= volume:
        # The module refuses a ceiling at or below the volumes (storage could never grow): the target stays in AWS,
        # forgotten, as idle as it is today.
        report.notes.append(f"[{adopted.table}] {target['address']}: storage auto scaling up to {ceiling} GiB, at or "
                            f"below the brokers' {volume} GiB, never grows them: it is forgotten (destroy = false), "
                            "not moved; set storage_autoscaling_max_capacity above ebs_volume_size to scale")
        return
    adopted.source = target["address"]
    move(adopted, moved, target, "aws_appautoscaling_target.storage[0]")
    adopted.pin("storage_autoscaling_max_capacity", ceiling, "the storage auto scaling ceiling", IN_PLACE,
                attribute="max_capacity")
    if policy is not None:
        adopted.source = policy["address"]
        move(adopted, moved, policy, "aws_appautoscaling_policy.storage[0]")
        value = tracking(policy).get("target_value")
        if value is not None:
            adopted.pin("storage_autoscaling_target_value", value, "the utilization storage auto scaling keeps",
                        IN_PLACE, attribute="target_tracking_scaling_policy_configuration.target_value")
        adopted.pin("storage_autoscaling_policy_name", policy["values"]["name"], "the storage scaling policy's name",
                    FORCES_NEW, None, "name")


def _reconcile(key: str, value: Any, table: Mapping[str, Any]) -> str | None:
    """A table that already gives server_properties, the same properties as the state's own text: they win (the
    text differs in form only)."""
    given = table.get("server_properties")
    if key != "server_properties_text" or not isinstance(given, dict):
        return None
    properties, _ = _msk_properties(value)
    default = {"auto.create.topics.enable": "false"}
    if {**default, **properties} != {**default, **{str(k): str(v) for k, v in given.items()}}:
        return None
    return ("your server_properties are the configuration's properties, which the module writes as sorted key=value "
            "lines: a new revision of the configuration, which the cluster takes with a rolling restart of the "
            "brokers (an in-place change)")


ADOPTER = Adopter(
    main_types=("aws_msk_cluster",),
    adopt=_msk,
    shapes=STATE_SHAPES,
    name=lambda values: values["cluster_name"],
    reconcile=_reconcile,
)
