"""MSK inputs and the rules AWS enforces on them (../shared/reference/aws-constraints.md §3).

The provider checks almost none of the cross-field rules: broker count against subnets, the authentication
schemes against the in-transit encryption setting. AWS refuses them during apply, after minutes of waiting.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Mapping

from generator.language import rules
from generator.language import expr
from generator.language.expr import Local, all_, any_of, call, for_, if_, implies, not_, text, unless_null, value, var
from generator.language.inputs import Check, Input, InputSet
from generator.language.types import BOOL, NUMBER, STRING, list_of, literal, map_of
from modules.shared import alarms
from modules.shared import inputs as shared
from modules.catalog import (
    MSK_DEFAULT_KAFKA_VERSION,
    MSK_KAFKA_VERSIONS,
    MSK_PROPERTY_TYPES,
    MSK_SERVER_PROPERTIES,
    MSK_STANDARD_BROKER_TYPES,
    MSK_KAFKA_END_OF_SUPPORT,
    MSK_KAFKA_KNOWN_VERSIONS,
    MSK_KAFKA_SUPPORT_SOURCE,
    version_advice,
)

# MSK's AWS managed key: a cluster created without a key uses it, and reports its ARN.
AWS_MANAGED_KEY = "alias/aws/kafka"
CLIENT_BROKER = ("TLS", "TLS_PLAINTEXT", "PLAINTEXT")
# AWS rejects other characters in cluster names ("contains one or more characters that are not valid"); the
# configuration name rule ^[0-9A-Za-z][0-9A-Za-z-]*$ is the documented one, and cluster names follow it.
CLUSTER_NAME = "[0-9A-Za-z][0-9A-Za-z-]{0,63}"

# The values the module derives from its inputs (resources.py writes them into `locals`; the checks read them).
CLUSTER = Local("cluster_name", text(var("name_prefix"), var("cluster_name")))
BROKERS = Local("number_of_broker_nodes", call("coalesce", var("number_of_broker_nodes"), var("subnet_ids").length()))
# Something is encrypted that the caller gave no key for: the module's own key is needed.
KMS_KEY_NEEDED = Local(
    "kms_key_needed",
    var("kms_key_arn").is_null() | (var("cloudwatch_logs_enabled") & var("log_kms_key_arn").is_null()),
)


KMS_KEY_UNUSED = (
    "create_kms_key must be false when kms_key_arn and log_kms_key_arn cover everything that is encrypted "
    "(the module's key would encrypt nothing)."
)


def ingress_ports(values: Mapping[str, Any]) -> list[int]:
    """The ports the module's group opens (resources.LISTENER_PORTS, which says why)."""
    client_broker = values["encryption_in_transit_client_broker"]
    tls_listener = values["client_authentication_unauthenticated_enabled"] or bool(
        values["client_authentication_tls_certificate_authority_arns"]
    )
    public = values.get("public_access_type", "DISABLED") == PUBLIC_ACCESS
    return [
        port
        for port, on in (
            (9092, client_broker != "TLS"),
            (9094, client_broker != "PLAINTEXT" and tls_listener),
            (9096, values["client_authentication_scram_enabled"]),
            (9098, values["client_authentication_iam_enabled"]),
            (9194, public and client_broker != "PLAINTEXT" and tls_listener),
            (9196, public and values["client_authentication_scram_enabled"]),
            (9198, public and values["client_authentication_iam_enabled"]),
            (11001, values["jmx_exporter_enabled"]),
            (11002, values["node_exporter_enabled"]),
        )
        if on
    ]


def ingress_ports_before_2026_11(values: Mapping[str, Any]) -> list[int]:
    """The ports the module opened before, for the `moved` blocks of existing stacks: 9094 whenever TLS was on."""
    client_broker = values["encryption_in_transit_client_broker"]
    return [
        port
        for port, on in (
            (9092, client_broker != "TLS"),
            (9094, client_broker != "PLAINTEXT"),
            (9096, values["client_authentication_scram_enabled"]),
            (9098, values["client_authentication_iam_enabled"]),
        )
        if on
    ]


# Public access (AWS MSK developer guide, "Turn on public access to an MSK Provisioned cluster", and
# ../shared/reference/aws-constraints.md §3.4): brokers get Elastic IPs AWS provides, and clients outside the VPC
# reach them on listeners of their own (9194 TLS, 9196 SASL/SCRAM, 9198 SASL/IAM). AWS turns it on only for a
# cluster that exists (UpdateConnectivity; CreateCluster refuses it), and only when clients cannot connect in
# plaintext or without authentication, brokers encrypt traffic between them and, with SCRAM or mutual TLS (whose
# permissions are Kafka ACLs), the configuration sets allow.everyone.if.no.acl.found=false.
PUBLIC_ACCESS = "SERVICE_PROVIDED_EIPS"
PUBLIC_ACCESS_TYPES = ("DISABLED", PUBLIC_ACCESS)
PUBLIC = var("public_access_type") == PUBLIC_ACCESS
# Route 53 hosted zone ids: uppercase letters and digits (Z0123456789ABCDEFGHIJ), at most 32 (CreateHostedZone).
ZONE_ID = "[A-Z0-9]{1,32}"
# A record name's first labels: letters, digits and hyphens, labels separated by dots (the zone's name follows).
DNS_NAME_PREFIX = "[a-z0-9][a-z0-9.-]*"


# The ports the module's group opens, as resources.LISTENER_PORTS (which says why) and ingress_ports above: for the
# check that no ingress rule repeats one of the module's own.
LISTENER_PORTS = call(
    "concat",
    if_(var("encryption_in_transit_client_broker") != "TLS", [9092], []),
    if_((var("encryption_in_transit_client_broker") != "PLAINTEXT")
        & (var("client_authentication_unauthenticated_enabled")
           | (var("client_authentication_tls_certificate_authority_arns").length() > 0)), [9094], []),
    if_(var("client_authentication_scram_enabled"), [9096], []),
    if_(var("client_authentication_iam_enabled"), [9098], []),
    if_(PUBLIC & (var("encryption_in_transit_client_broker") != "PLAINTEXT")
        & (var("client_authentication_unauthenticated_enabled")
           | (var("client_authentication_tls_certificate_authority_arns").length() > 0)), [9194], []),
    if_(PUBLIC & var("client_authentication_scram_enabled"), [9196], []),
    if_(PUBLIC & var("client_authentication_iam_enabled"), [9198], []),
    if_(var("jmx_exporter_enabled"), [11001], []),
    if_(var("node_exporter_enabled"), [11002], []),
)

# Conditions several checks share.
SASL = var("client_authentication_iam_enabled") | var("client_authentication_scram_enabled")
CA_ARNS = var("client_authentication_tls_certificate_authority_arns")
MUTUAL_TLS = CA_ARNS.length() > 0
CLIENT_BROKER_SETTING = var("encryption_in_transit_client_broker")


# Multi-VPC private connectivity (AWS MSK developer guide, "Amazon MSK multi-VPC private connectivity in a single
# Region", read 2026-11): Kafka 2.7.1 or later (every version in modules/catalog.py is), not on kafka.t3.small
# brokers, only authentication schemes the cluster itself has on, and with SCRAM or mutual TLS the configuration
# must set allow.everyone.if.no.acl.found=false. Cross-account clients need the cluster policy below.
VPC_CONNECTIVITY_SCHEMES = ("vpc_connectivity_iam_enabled", "vpc_connectivity_scram_enabled", "vpc_connectivity_tls_enabled")
NO_ACL_PROPERTY = "allow.everyone.if.no.acl.found"
# The actions a client account needs to create a managed VPC connection (AWS "Attach a cluster policy").
CLUSTER_POLICY_ACTIONS = (
    "kafka:CreateVpcConnection",
    "kafka:GetBootstrapBrokers",
    "kafka:DescribeCluster",
    "kafka:DescribeClusterV2",
)
PRINCIPAL = "[0-9]{12}|arn:(aws|aws-cn|aws-us-gov):iam::[0-9]{12}:(root|role/.+|user/.+)"
_PRINCIPAL = re.compile(PRINCIPAL)  # for the message only: the first principal the rule refuses

VPC_CONNECTIVITY = any_of(*(var(name) for name in VPC_CONNECTIVITY_SCHEMES))
PRINCIPALS = var("vpc_connectivity_allowed_principals")
# --- broker properties ---------------------------------------------------------------------------------------------
# The module writes server_properties as `key=value` lines of a Java properties file (resources.py), and MSK reads
# server_properties_text as one. Java properties (java.util.Properties.load): a line ends at \n, \r or \r\n; a line
# whose first non-blank character is # or ! is a comment; a key ends at the first =, : or blank; a backslash escapes
# the next character, and one ending a line continues the property onto the next line. So a line break in a value
# starts a property of its own (auto.create.topics.enable=true behind the module's back), and a trailing backslash
# swallows the module's next line. The rules below refuse both, and hold each value to its type
# (modules/catalog.py), in the map and in the text alike.
PROPERTY_VALUE = rules.typed_value(MSK_PROPERTY_TYPES)
# A line of the text that sets a property: the name, = or : (blanks around it), a value of no blank, = or :.
PROPERTY_LINE = "[ ]*[A-Za-z0-9._-]+[ ]*[=:][ ]*[^ =:]+[ ]*"
BLANK_OR_COMMENT = "[ ]*([#!].*)?"


def _lines(text_value: expr.Expr) -> expr.Expr:
    """The text's lines (\r\n and \r end a line too: their \r becomes a line break, and blank lines are skipped)."""
    return call("split", "\n", call("replace", text_value, "\r", "\n"))


def assignments(text_value: expr.Expr) -> expr.Expr:
    """Each property line of the text as `name=value`, blanks removed and : as =."""
    return for_(_lines(text_value), lambda line: call("replace", call("replace", line, " ", ""), ":", "="),
                keep=lambda line: line.matches(PROPERTY_LINE))


def _name(assignment: expr.Expr) -> expr.Expr:
    return call("split", "=", assignment)[0]


def property_lines(text_value: str) -> list[tuple[int, str]]:
    """For messages: (line number, line) of the text, lines ended as the rules end them."""
    return list(enumerate(text_value.replace("\r", "\n").split("\n"), start=1))


def _first_line(text_value: str, refused: Callable[[str], bool]) -> str:
    number, line = next((n, line) for n, line in property_lines(text_value) if refused(line))
    return f"line {number}: {rules.shown(line)}"


def _assignment(line: str) -> tuple[str, str]:
    name, setting = line.replace(" ", "").replace(":", "=").split("=")
    return name, setting


def _is_property_line(line: str) -> bool:
    return expr.holds(expr.lift(line).matches(PROPERTY_LINE), {})


def _property_got(properties: Mapping[str, str], accepts: Callable[[str, str], bool]) -> str:
    name = next(k for k in sorted(properties) if not accepts(k, properties[k]))
    return f"{name} = {rules.shown(properties[name])}"


def _first_repeated_name(text_value: str) -> str | None:
    seen: set[str] = set()
    for _, line in property_lines(text_value):
        if _is_property_line(line):
            name = _assignment(line)[0]
            if name in seen:
                return name
            seen.add(name)
    return None


def _typed(name: str, setting: str) -> bool:
    return expr.holds(PROPERTY_VALUE(name, expr.lift(setting)), {})


def _type_got(name: str, setting: str) -> str:
    return f"{name} = {rules.shown(setting)} (it takes {MSK_PROPERTY_TYPES[name].description})"


SERVER_PROPERTIES_RULES = (
    rules.keys_in_catalog(MSK_SERVER_PROPERTIES, "properties MSK lets a custom configuration set (modules/catalog.py)"),
    rules.Rule(
        "give each property a value without control characters (a line break in a value would start a property of "
        "its own)",
        when=all_(value, lambda name, setting: rules.no_control_characters(setting)),
        got=lambda v: _property_got(v, lambda k, s: expr.holds(rules.no_control_characters(expr.lift(s)), {})),
        example={"log.retention.hours": "24\nauto.create.topics.enable=true"},
        passing={"log.retention.hours": " ~\u00a0"},  # the characters either side of the control ranges
    ),
    rules.Rule(
        "give each property a value (an empty one is no setting)",
        when=all_(value, lambda name, setting: setting != ""),
        got=lambda v: _property_got(v, lambda k, s: s != ""),
        example={"num.partitions": ""},
        passing={"num.partitions": " "},
    ),
    rules.Rule(
        "give no property a value ending in a backslash (Java properties would continue it onto the module's next "
        "line)",
        when=all_(value, lambda name, setting: not_(call("endswith", setting, "\\"))),
        got=lambda v: _property_got(v, lambda k, s: not s.endswith("\\")),
        example={"auto.create.topics.enable": "false\\"},
        passing={"auto.create.topics.enable": "\\false"},
    ),
    rules.Rule(
        "give each property a value of its type (Kafka's documented values and ranges, in modules/catalog.py)",
        when=all_(value, lambda name, setting: PROPERTY_VALUE(name, setting)),
        got=lambda v: _type_got(*next((k, v[k]) for k in sorted(v) if not _typed(k, v[k]))),
        example={"log.retention.hours": "24h"},
        passing={"log.retention.hours": str(2**31 - 1), "log.retention.bytes": "-1", "auto.create.topics.enable": "false",
                 "log.cleaner.min.cleanable.ratio": "1", "compression.type": "zstd",
                 "log.cleanup.policy": "compact,delete"},
    ),
)

SERVER_PROPERTIES_TEXT_RULES = (
    # 0: a configuration created with no properties at all (terraform-aws-msk-kafka-cluster's default) holds "".
    rules.length_between(0, 100000),
    rules.Rule(
        "hold no control characters but line breaks (no tabs either)",
        when=all_(_lines(value), lambda line: rules.no_control_characters(line)),
        got=lambda v: _first_line(v, lambda line: not expr.holds(rules.no_control_characters(expr.lift(line)), {})),
        example="auto.create.topics.enable=false\t\n",
        passing="auto.create.topics.enable=false\r\n# ~\u00a0\n",
    ),
    rules.Rule(
        "hold no backslash (Java properties read it as an escape, or at a line's end as a continuation)",
        when=not_(call("strcontains", value, "\\")),
        got=lambda v: _first_line(v, lambda line: "\\" in line),
        example="auto.create.topics.enable=\\\ntrue\n",
        passing="# a/b\nauto.create.topics.enable=false\n",
    ),
    rules.Rule(
        "have each line blank, a comment (# or !) or one property: <name>=<value> or <name>:<value>, the value "
        "without blanks",
        when=all_(_lines(value), lambda line: line.matches(BLANK_OR_COMMENT) | line.matches(PROPERTY_LINE)),
        got=lambda v: _first_line(
            v, lambda line: not re.fullmatch(BLANK_OR_COMMENT, line) and not _is_property_line(line)),
        example="auto.create.topics.enable false\n",
        passing="# comment\n! comment\n\n  auto.create.topics.enable : false  \nnum.partitions=3",
    ),
    rules.Rule(
        "set only properties MSK lets a custom configuration set (modules/catalog.py)",
        when=all_(assignments(value), lambda a: _name(a).is_in(MSK_SERVER_PROPERTIES)),
        got=lambda v: rules.unknown_keys(
            {_assignment(line)[0]: None for _, line in property_lines(v) if _is_property_line(line)},
            MSK_SERVER_PROPERTIES),
        example="auto.create.topics.enable=false\nsasl.enabled.mechanisms=PLAIN\n",
        passing="allow.everyone.if.no.acl.found=false\nzookeeper.session.timeout.ms=18000\n",
    ),
    rules.Rule(
        "set each property once (Java properties keep the last, which would hide the first)",
        when=call("distinct", for_(assignments(value), lambda a: _name(a))).length()
        == for_(assignments(value), lambda a: _name(a)).length(),
        got=lambda v: f"{literal(_first_repeated_name(v))} more than once",
        example="auto.create.topics.enable=false\nauto.create.topics.enable=true\n",
        passing="auto.create.topics.enable=false\nallow.everyone.if.no.acl.found=false\n",
    ),
    rules.Rule(
        "give each property a value of its type (Kafka's documented values and ranges, in modules/catalog.py)",
        # Over [name, value] pairs: the condition reads each several times, and p[0] is shorter than its split.
        when=all_(for_(assignments(value), lambda a: call("split", "=", a)), lambda p: PROPERTY_VALUE(p[0], p[1])),
        got=lambda v: _type_got(*next(
            _assignment(line) for _, line in property_lines(v)
            if _is_property_line(line) and not _typed(*_assignment(line)))),
        example="log.retention.hours=24h\n",
        passing="log.retention.hours=2147483647\nlog.retention.ms:-1\ncompression.type = zstd\n",
    ),
)

# The configuration sets allow.everyone.if.no.acl.found=false: the property in server_properties, or a line of
# server_properties_text (each property set once: the rules above).
NO_ACL_DENIES = if_(
    var("server_properties_text").is_null(),
    call("lookup", var("server_properties"), NO_ACL_PROPERTY, "") == "false",
    call("contains", assignments(var("server_properties_text")), f"{NO_ACL_PROPERTY}=false"),
)
# Firehose CreateDeliveryStream: DeliveryStreamName is 1-64 of [a-zA-Z0-9_.-].
FIREHOSE_STREAM = "[a-zA-Z0-9_.-]{1,64}"
S3_BUCKET = "[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"

_NAME_INPUTS = ("cluster_name", "name_prefix")
# Every name the module gives AWS (resources.py). All follow from the cluster name, whose own check (1-64
# characters) keeps each within its limit (bounded: no length check of their own); the configuration name has no
# documented length limit.
AWS_NAMES = (
    rules.AwsName("MSK cluster", _NAME_INPUTS, "<name_prefix + cluster_name>", CLUSTER, 64, "CreateCluster",
                  bounded=True),
    rules.AwsName(
        "MSK configuration", _NAME_INPUTS, "<cluster name>-<kafka_version, dots as hyphens>",
        text(CLUSTER, "-", call("replace", var("kafka_version"), ".", "-")), 64 + 1 + 12, "CreateConfiguration",
        bounded=True,
    ),
    rules.AwsName("KMS alias", _NAME_INPUTS, "alias/msk/<cluster name>", text("alias/msk/", CLUSTER), 256,
                  "KMS CreateAlias", created=KMS_KEY_NEEDED, bounded=True),
    rules.AwsName("CloudWatch log group", _NAME_INPUTS, "/aws/msk/<cluster name>/broker",
                  text("/aws/msk/", CLUSTER, "/broker"), 512, "CloudWatch Logs CreateLogGroup",
                  created=var("cloudwatch_logs_enabled"), bounded=True),
    rules.AwsName(
        "Application Auto Scaling policy", _NAME_INPUTS, "<cluster name>-broker-storage",
        text(CLUSTER, "-broker-storage"), 256, "PutScalingPolicy", unique=False,
        created=var("storage_autoscaling_max_capacity").not_null(), bounded=True,
    ),
    rules.AwsName("security group", _NAME_INPUTS, "<cluster name>-<26 characters>", text(CLUSTER, "-", "0" * 26), 255,
                  "EC2 CreateSecurityGroup", unique=False, bounded=True),
)

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
            "Apache Kafka version; `.kraft` versions (and all 4.x) use KRaft instead of ZooKeeper. Versions past "
            "their end of support are accepted for existing clusters, with a warning.",
            default=MSK_DEFAULT_KAFKA_VERSION,
            rules=(rules.one_of(MSK_KAFKA_KNOWN_VERSIONS),),
            advice=lambda v: version_advice(
                v, MSK_KAFKA_END_OF_SUPPORT, MSK_KAFKA_SUPPORT_SOURCE, MSK_DEFAULT_KAFKA_VERSION, "clusters"
            ),
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
            rules=(
                rules.matches("kafka[.][a-z0-9]+[.][a-z0-9]+", "be a broker type kafka.<family>.<size>, such as kafka.m7g.large"),
                rules.in_catalog(MSK_STANDARD_BROKER_TYPES, "a Standard broker type MSK offers (modules/catalog.py)"),
            ),
        ),
        Input(
            "ebs_volume_size",
            NUMBER,
            "EBS storage per broker at creation, GiB (1 to 16384). Terraform leaves the size alone afterwards: storage "
            "auto scaling grows the volumes, and AWS refuses to shrink them, so a plan that wrote this value back "
            "would fail. Without auto scaling, grow them with `aws kafka update-broker-storage`.",
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
        Input(
            "storage_autoscaling_policy_name",
            STRING,
            "Name of the storage scaling policy, to keep an existing policy's (the name cannot change: another one "
            "replaces the policy). Default: <cluster name>-broker-storage.",
            default=None,
            rules=(rules.length_between(1, 255),),
        ),
        *shared.network(
            "the enabled Kafka listeners",
            Input(
                "subnet_ids",
                list_of(STRING),
                "Private client subnets, 2 or 3, each in its own Availability Zone.",
                rules=(rules.items_between(2, 3, "subnets"), rules.resource_ids("subnet"), rules.distinct("subnet", "subnet-0123456789abcdef0")),
                example=["subnet-0123456789abcdef0", "subnet-0123456789abcdef1", "subnet-0123456789abcdef2"],
            ),
        ),
        *shared.security_group_naming('"MSK <cluster name>: enabled listeners from allowed sources only"'),
        Input(
            "configuration_name",
            STRING,
            "Exact name of the MSK configuration, for one that already exists (the name is ForceNew). Default: "
            "<cluster name>-<kafka_version>, so that an upgrade creates a new configuration before the old one goes. "
            "With a fixed name, change it together with kafka_version: the configuration's Kafka versions are "
            "ForceNew, and AWS refuses a second configuration of the same name.",
            default=None,
            # AWS (CreateConfiguration Name): ^[0-9A-Za-z][0-9A-Za-z-]{0,}$.
            rules=(rules.matches("[0-9A-Za-z][0-9A-Za-z-]*", "be letters, digits and hyphens, starting with a letter or digit"),),
        ),
        Input(
            "configuration_description",
            STRING,
            "Description of the MSK configuration; \"\" for none, as a configuration created without one has. "
            "Default: \"Broker properties of <cluster name>\".",
            default=None,
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
            "Customer managed KMS key for data at rest. Default: a key the module creates (rotation on). "
            "alias/aws/kafka keeps MSK's AWS managed key for a cluster that already uses it (the key cannot change "
            "after creation); synth warns.",
            default=None,
            rules=shared.kms_key("MSK", AWS_MANAGED_KEY),
            weakens=shared.aws_managed_key_warning(AWS_MANAGED_KEY),
        ),
        shared.create_kms_key("data at rest and the broker logs", KMS_KEY_NEEDED),
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
            rules=(
                rules.each_matches(r"arn:aws[a-z-]*:acm-pca:.+", "hold only ACM Private CA ARNs"),
                rules.arns_shape("acm-pca"),
                rules.distinct(
                    "certificate authority",
                    "arn:aws:acm-pca:ap-northeast-2:111122223333:certificate-authority/12345678-1234-1234-1234-123456789012",
                ),
            ),
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
            "Kafka broker properties (server.properties), merged over the module's auto.create.topics.enable=false. "
            "Each value is of its property's type (Kafka's documented values and ranges, in the generator's "
            "modules/catalog.py), without control characters or a trailing backslash.",
            default={},
            rules=SERVER_PROPERTIES_RULES,
        ),
        Input(
            "server_properties_text",
            STRING,
            "The configuration's server.properties exactly as an existing configuration holds them, instead of "
            "server_properties: other text, even another line ending, is a new configuration revision, which the "
            "brokers take with a rolling restart. Read as Java properties: # and ! comments, = or : between name "
            "and value; no backslash (escapes, continuations) and no control characters but line breaks; the "
            "properties and value types of server_properties, each set once; \"\" keeps a configuration created "
            "with no properties. Default: none (server_properties is used).",
            default=None,
            rules=SERVER_PROPERTIES_TEXT_RULES,
        ),
        Input(
            "enhanced_monitoring",
            STRING,
            "CloudWatch metrics level.",
            default="DEFAULT",
            rules=(rules.one_of(["DEFAULT", "PER_BROKER", "PER_TOPIC_PER_BROKER", "PER_TOPIC_PER_PARTITION"]),),
        ),
        Input("jmx_exporter_enabled", BOOL, "Prometheus JMX exporter on the brokers (port 11001, opened to the allowed "
              "sources).", default=False),
        Input("node_exporter_enabled", BOOL, "Prometheus node exporter on the brokers (port 11002, opened to the "
              "allowed sources).", default=False),
        Input(
            "vpc_connectivity_iam_enabled",
            BOOL,
            "Multi-VPC private connectivity for SASL/IAM clients: clients in other VPCs or accounts reach the brokers "
            "through managed VPC connections (port 14001 onwards). Needs client_authentication_iam_enabled.",
            default=False,
        ),
        Input(
            "vpc_connectivity_scram_enabled",
            BOOL,
            "Multi-VPC private connectivity for SASL/SCRAM clients. Needs client_authentication_scram_enabled and "
            "allow.everyone.if.no.acl.found = \"false\" in the configuration.",
            default=False,
        ),
        Input(
            "vpc_connectivity_tls_enabled",
            BOOL,
            "Multi-VPC private connectivity for mutual TLS clients. Needs "
            "client_authentication_tls_certificate_authority_arns and allow.everyone.if.no.acl.found = \"false\".",
            default=False,
        ),
        Input(
            "vpc_connectivity_allowed_principals",
            list_of(STRING),
            "AWS accounts (12 digits) or IAM role/user ARNs allowed to create VPC connections to the cluster: the "
            "cluster policy (aws_msk_cluster_policy) grants them " + ", ".join(CLUSTER_POLICY_ACTIONS) + ". "
            "Needed for clients in other accounts.",
            default=[],
            rules=(
                rules.Rule(
                    "hold only 12-digit account ids or IAM ARNs (arn:aws:iam::<account>:root, :role/..., :user/...)",
                    when=all_(value, lambda p: p.matches(PRINCIPAL)),
                    got=lambda v: literal(next(p for p in v if not _PRINCIPAL.fullmatch(p))),
                    example=["arn:aws:iam::111122223333:group/admins"],  # a group is no principal
                    passing=["111122223333", "arn:aws:iam::111122223333:role/consumers"],
                ),
                rules.distinct("principal"),
            ),
        ),
        Input(
            "create_cluster_policy",
            BOOL,
            "Create the cluster policy for vpc_connectivity_allowed_principals. A switch of its own because Terraform "
            "must know at plan time whether the policy exists, and principals are often ARNs created in the same "
            "apply. Environment files need not set it: the generator writes it when the file names principals.",
            default=False,
            derived=lambda v: bool(v["vpc_connectivity_allowed_principals"]),
        ),
        Input(
            "public_access_type",
            STRING,
            "Public access to the brokers: DISABLED, or SERVICE_PROVIDED_EIPS (AWS gives each broker an Elastic IP "
            "in the cluster's subnets, which must then be public ones; clients outside the VPC use the "
            "bootstrap_brokers_public_* outputs, on ports 9194, 9196 and 9198, which the module's group opens to "
            "the allowed sources). AWS turns it on only for a cluster that exists: apply the cluster private first, "
            "then set this with public_access_cluster_exists = true. It needs client_broker TLS, TLS between "
            "brokers, no unauthenticated access and, with SCRAM or mutual TLS, allow.everyone.if.no.acl.found = "
            "\"false\". Synth warns.",
            default="DISABLED",
            rules=(rules.one_of(PUBLIC_ACCESS_TYPES),),
            weakens=(PUBLIC_ACCESS, "gives the brokers public IP addresses (only the security group's rules then "
                     "keep the internet out)"),
        ),
        Input(
            "public_access_cluster_exists",
            BOOL,
            "Says that the cluster already exists, applied with public_access_type = \"DISABLED\": AWS refuses "
            "public access when it creates a cluster (it turns it on for a running one, in place), so "
            "SERVICE_PROVIDED_EIPS is refused without it. Terraform cannot see the state from a module's checks; "
            "this is your word for it. Read only with public access on.",
            default=False,
        ),
        Input(
            "zone_id",
            STRING,
            "Route 53 hosted zone in which to write one CNAME record per broker (<broker_dns_name_prefix><n> → "
            "broker n's private DNS name, n from 1, as MSK numbers brokers). Without it, no record is written.",
            default=None,
            rules=(rules.matches(ZONE_ID, "be a Route 53 hosted zone id (uppercase letters and digits, such as "
                                 "Z0123456789ABCDEFGHIJ)"),),
        ),
        Input(
            "broker_dns_name_prefix",
            STRING,
            "First part of each broker's record name, before its number (the zone's name follows). Default: "
            "\"<cluster name>-broker-\" in lowercase.",
            default=None,
            rules=(rules.matches(DNS_NAME_PREFIX, "be lowercase letters, digits, dots and hyphens, starting with a "
                                 "letter or digit"),),
        ),
        Input(
            "broker_dns_ttl",
            NUMBER,
            "TTL of the brokers' records, in seconds.",
            default=300,
            rules=(rules.between(0, 2147483647),),
        ),
        Input("cloudwatch_logs_enabled", BOOL, "Deliver broker logs to a CloudWatch log group.", default=True,
              weakens=(False, "turns off broker logs")),
        *shared.logs("the broker log group"),
        Input(
            "s3_logs_bucket",
            STRING,
            "Also deliver broker logs to this S3 bucket; its policy must let delivery.logs.amazonaws.com write. "
            "Default: none.",
            default=None,
            rules=(rules.matches(S3_BUCKET, "be an S3 bucket name (3 to 63 lowercase letters, digits, dots and hyphens)"),),
        ),
        Input(
            "s3_logs_prefix",
            STRING,
            "Key prefix of the broker logs in s3_logs_bucket. Without it the logs go to the bucket's root (AWS adds its own AWSLogs/ path).",
            default=None,
            rules=(rules.length_between(1, 1024),),
        ),
        Input(
            "firehose_logs_delivery_stream",
            STRING,
            "Also deliver broker logs to this Firehose stream (its name); AWS requires the stream to carry the tag "
            "LogDeliveryEnabled = \"true\". Default: none.",
            default=None,
            rules=(rules.matches(FIREHOSE_STREAM, "be a Firehose stream name (1 to 64 letters, digits, '_', '.' or '-')"),),
        ),
        shared.TAGS_WITH_NAME,
        *alarms.alarm_inputs(alarms.MSK_ALARMS),
    ),
    checks=(
        *alarms.ALARM_CHECKS,
        Check(
            ("cluster_name", "name_prefix"),
            "must give a cluster name (name_prefix + cluster_name) of 1 to 64 letters, digits and hyphens, "
            "starting with a letter or digit",
            when=CLUSTER.matches(CLUSTER_NAME),
            example={"cluster_name": "events-" + "x" * 60},
        ),
        Check(
            ("number_of_broker_nodes", "subnet_ids"),
            lambda v: f"must be a multiple of the {len(v['subnet_ids'])} subnets",
            when=(BROKERS % var("subnet_ids").length()) == 0,
            hcl_message="number_of_broker_nodes must be a multiple of the number of subnet_ids (brokers are spread "
            "evenly over the Availability Zones).",
            shown=("number_of_broker_nodes",),
            example={"number_of_broker_nodes": 4},
            passing={"number_of_broker_nodes": 6},
        ),
        Check(
            ("client_authentication_iam_enabled", "encryption_in_transit_client_broker"),
            "needs encryption_in_transit_client_broker TLS or TLS_PLAINTEXT (SASL runs over TLS)",
            when=implies(var("client_authentication_iam_enabled"), CLIENT_BROKER_SETTING != "PLAINTEXT"),
            example={
                "encryption_in_transit_client_broker": "PLAINTEXT",
                "client_authentication_unauthenticated_enabled": True,
            },
            passing={
                "encryption_in_transit_client_broker": "TLS_PLAINTEXT",
                "client_authentication_unauthenticated_enabled": True,
            },
        ),
        Check(
            ("client_authentication_scram_enabled", "encryption_in_transit_client_broker"),
            "needs encryption_in_transit_client_broker TLS or TLS_PLAINTEXT (SASL runs over TLS)",
            when=implies(var("client_authentication_scram_enabled"), CLIENT_BROKER_SETTING != "PLAINTEXT"),
            example={
                "client_authentication_scram_enabled": True,
                "client_authentication_iam_enabled": False,
                "encryption_in_transit_client_broker": "PLAINTEXT",
                "client_authentication_unauthenticated_enabled": True,
            },
            passing={"client_authentication_scram_enabled": True},
        ),
        Check(
            ("encryption_in_transit_in_cluster", "client_authentication_iam_enabled", "client_authentication_scram_enabled"),
            "must be true when SASL (IAM or SCRAM) authentication is on",
            when=var("encryption_in_transit_in_cluster") | not_(SASL),
            example={"encryption_in_transit_in_cluster": False},
            # Without SASL, in-cluster encryption may be off (mutual TLS still needs it: its own check).
            passing={"encryption_in_transit_in_cluster": False, "client_authentication_iam_enabled": False,
                     "encryption_in_transit_client_broker": "TLS_PLAINTEXT",
                     "client_authentication_unauthenticated_enabled": True},
        ),
        Check(
            ("client_authentication_tls_certificate_authority_arns", "encryption_in_transit_client_broker", "encryption_in_transit_in_cluster"),
            "need encryption_in_transit_client_broker = \"TLS\" and encryption_in_transit_in_cluster = true (mutual TLS)",
            when=(CA_ARNS.length() == 0) | ((CLIENT_BROKER_SETTING == "TLS") & var("encryption_in_transit_in_cluster")),
            shown=("encryption_in_transit_client_broker", "encryption_in_transit_in_cluster"),
            example={
                "client_authentication_tls_certificate_authority_arns": ["arn:aws:acm-pca:ap-northeast-2:111122223333:certificate-authority/example"],
                "encryption_in_transit_client_broker": "TLS_PLAINTEXT",
                "client_authentication_unauthenticated_enabled": True,
            },
            passing={
                "client_authentication_tls_certificate_authority_arns": ["arn:aws:acm-pca:ap-northeast-2:111122223333:certificate-authority/example"],
            },
        ),
        Check(
            ("client_authentication_unauthenticated_enabled", "encryption_in_transit_client_broker",
             "client_authentication_iam_enabled", "client_authentication_scram_enabled"),
            "must be true when encryption_in_transit_client_broker is TLS_PLAINTEXT or PLAINTEXT (the plaintext "
            "listener has no authentication)",
            when=var("client_authentication_unauthenticated_enabled") | (CLIENT_BROKER_SETTING == "TLS"),
            shown=("client_authentication_unauthenticated_enabled", "encryption_in_transit_client_broker"),
            example={"encryption_in_transit_client_broker": "TLS_PLAINTEXT"},
            passing={"encryption_in_transit_client_broker": "TLS_PLAINTEXT",
                     "client_authentication_unauthenticated_enabled": True},
        ),
        Check(
            ("client_authentication_iam_enabled", "client_authentication_scram_enabled",
             "client_authentication_tls_certificate_authority_arns", "client_authentication_unauthenticated_enabled"),
            "must be true, or another client authentication chosen (SCRAM, mutual TLS, or explicitly "
            "client_authentication_unauthenticated_enabled = true)",
            when=any_of(SASL, MUTUAL_TLS, var("client_authentication_unauthenticated_enabled")),
            example={"client_authentication_iam_enabled": False},
            passing={"client_authentication_iam_enabled": False, "client_authentication_scram_enabled": True},
        ),
        Check(
            ("storage_autoscaling_max_capacity", "ebs_volume_size"),
            "must be greater than ebs_volume_size",
            when=unless_null(var("storage_autoscaling_max_capacity"),
                             var("storage_autoscaling_max_capacity") > var("ebs_volume_size")),
            example={"ebs_volume_size": 200, "storage_autoscaling_max_capacity": 100},
            passing={"ebs_volume_size": 200, "storage_autoscaling_max_capacity": 1000},
        ),
        *shared.NETWORK_CHECKS,
        shared.NO_INGRESS_COVERING_EVERY_ADDRESS,
        shared.key_region_check("kms_key_arn", create_kms_key=False, log_kms_key_arn=shared.KEY_ARN_EXAMPLE),
        shared.key_region_check("log_kms_key_arn", create_kms_key=False, kms_key_arn=shared.KEY_ARN_EXAMPLE),
        shared.duplicate_ingress_check(
            LISTENER_PORTS,
            # IAM is on by default: 9098 from the allowed group is the module's own rule.
            example={"allowed_security_group_ids": ["sg-0123456789abcdef0"],
                     "ingress_rules": {"iam": {"from_port": 9098,
                                               "referenced_security_group_id": "sg-0123456789abcdef0"}}},
            # A port the module does not open for this configuration (plaintext is off): a rule of its own.
            passing={"allowed_security_group_ids": ["sg-0123456789abcdef0"],
                     "ingress_rules": {"plaintext": {"from_port": 9092,
                                                     "referenced_security_group_id": "sg-0123456789abcdef0"}}},
        ),
        # The security group's name starts with the cluster name; EC2 refuses group names starting with sg- (and the
        # provider's name_prefix validation says so at plan).
        Check(
            ("cluster_name", "name_prefix"),
            "must not give a cluster name (name_prefix + cluster_name) starting with sg-: it begins the security "
            "group's name, and EC2 refuses group names starting with sg-",
            when=not_(call("startswith", CLUSTER, "sg-")),
            # Without the module's group: the provider's own name_prefix validation would refuse the group first.
            example={"name_prefix": "sg-", "create_security_group": False,
                     "associated_security_group_ids": ["sg-0123456789abcdef0"]},
        ),
        Check(
            ("server_properties_text", "server_properties"),
            "must not be set together with server_properties (the text is the whole configuration)",
            when=var("server_properties_text").is_null() | (var("server_properties").length() == 0),
            shown=("server_properties",),
            example={"server_properties_text": "auto.create.topics.enable=false\n",
                     "server_properties": {"auto.create.topics.enable": "false"}},
            passing={"server_properties_text": "auto.create.topics.enable=false\n"},
        ),
        Check(
            ("vpc_connectivity_iam_enabled", "client_authentication_iam_enabled"),
            "needs client_authentication_iam_enabled = true (multi-VPC connectivity uses only schemes the cluster has on)",
            when=implies(var("vpc_connectivity_iam_enabled"), var("client_authentication_iam_enabled")),
            shown=("client_authentication_iam_enabled",),
            example={"vpc_connectivity_iam_enabled": True, "client_authentication_iam_enabled": False,
                     "client_authentication_scram_enabled": True},
            passing={"vpc_connectivity_iam_enabled": True},
        ),
        Check(
            ("vpc_connectivity_scram_enabled", "client_authentication_scram_enabled"),
            "needs client_authentication_scram_enabled = true (multi-VPC connectivity uses only schemes the cluster "
            "has on)",
            when=implies(var("vpc_connectivity_scram_enabled"), var("client_authentication_scram_enabled")),
            shown=("client_authentication_scram_enabled",),
            example={"vpc_connectivity_scram_enabled": True, "server_properties": {NO_ACL_PROPERTY: "false"}},
            passing={"vpc_connectivity_scram_enabled": True, "client_authentication_scram_enabled": True,
                     "server_properties": {NO_ACL_PROPERTY: "false"}},
        ),
        Check(
            ("vpc_connectivity_tls_enabled", "client_authentication_tls_certificate_authority_arns"),
            "needs client_authentication_tls_certificate_authority_arns (multi-VPC connectivity uses only schemes "
            "the cluster has on)",
            when=implies(var("vpc_connectivity_tls_enabled"), MUTUAL_TLS),
            shown=("client_authentication_tls_certificate_authority_arns",),
            example={"vpc_connectivity_tls_enabled": True, "server_properties": {NO_ACL_PROPERTY: "false"}},
            passing={"vpc_connectivity_tls_enabled": True, "server_properties": {NO_ACL_PROPERTY: "false"},
                     "client_authentication_tls_certificate_authority_arns": [
                         "arn:aws:acm-pca:ap-northeast-2:111122223333:certificate-authority/example"]},
        ),
        Check(
            ("broker_instance_type", *VPC_CONNECTIVITY_SCHEMES),
            "must not be kafka.t3.small with multi-VPC connectivity (AWS does not offer it on t3.small brokers)",
            when=implies(VPC_CONNECTIVITY, var("broker_instance_type") != "kafka.t3.small"),
            shown=("broker_instance_type",),
            example={"broker_instance_type": "kafka.t3.small", "vpc_connectivity_iam_enabled": True},
            passing={"broker_instance_type": "kafka.t3.small"},
        ),
        Check(
            ("server_properties", "vpc_connectivity_scram_enabled", "vpc_connectivity_tls_enabled", "server_properties_text"),
            f'must set "{NO_ACL_PROPERTY}" = "false" (or server_properties_text the line {NO_ACL_PROPERTY}=false) '
            "with multi-VPC SCRAM or mutual TLS (AWS refuses the connectivity otherwise)",
            when=implies(var("vpc_connectivity_scram_enabled") | var("vpc_connectivity_tls_enabled"), NO_ACL_DENIES),
            shown=("server_properties",),
            example={"vpc_connectivity_scram_enabled": True, "client_authentication_scram_enabled": True},
            # The line in the text, with spaces around "=" and a Windows line ending.
            passing={"vpc_connectivity_scram_enabled": True, "client_authentication_scram_enabled": True,
                     "server_properties_text": f"auto.create.topics.enable=false\r\n{NO_ACL_PROPERTY} = false\r\n"},
        ),
        Check(
            ("vpc_connectivity_allowed_principals", *VPC_CONNECTIVITY_SCHEMES),
            "need multi-VPC connectivity on (vpc_connectivity_iam_enabled, _scram_enabled or _tls_enabled): the "
            "cluster policy only grants creating VPC connections",
            when=(PRINCIPALS.length() == 0) | VPC_CONNECTIVITY,
            shown=("vpc_connectivity_allowed_principals",),
            example={"vpc_connectivity_allowed_principals": ["111122223333"], "create_cluster_policy": True},
            passing={"vpc_connectivity_allowed_principals": ["111122223333"], "create_cluster_policy": True,
                     "vpc_connectivity_iam_enabled": True},
        ),
        Check(
            ("create_cluster_policy", "vpc_connectivity_allowed_principals"),
            "needs vpc_connectivity_allowed_principals when true",
            when=implies(var("create_cluster_policy"), PRINCIPALS.length() > 0),
            shown=("create_cluster_policy",),
            example={"create_cluster_policy": True},
            passing={"create_cluster_policy": True, "vpc_connectivity_allowed_principals": ["111122223333"],
                     "vpc_connectivity_iam_enabled": True},
        ),
        Check(
            ("vpc_connectivity_allowed_principals", "create_cluster_policy"),
            "need create_cluster_policy = true (Terraform must know at plan time that the policy exists)",
            when=(PRINCIPALS.length() == 0) | var("create_cluster_policy"),
            shown=("create_cluster_policy",),
            example={"vpc_connectivity_allowed_principals": ["111122223333"], "vpc_connectivity_iam_enabled": True,
                     "create_cluster_policy": False},
            passing={"vpc_connectivity_allowed_principals": ["111122223333"], "vpc_connectivity_iam_enabled": True,
                     "create_cluster_policy": True},
        ),
        Check(
            ("public_access_type", "public_access_cluster_exists"),
            "needs public_access_cluster_exists = true: AWS turns public access on only for a cluster that exists "
            "(apply the cluster with public_access_type = \"DISABLED\" first, then open it)",
            when=implies(PUBLIC, var("public_access_cluster_exists")),
            example={"public_access_type": PUBLIC_ACCESS},
            passing={"public_access_type": PUBLIC_ACCESS, "public_access_cluster_exists": True},
        ),
        # One check for the three: with public access on, each of them is implied by the others and the checks
        # above (plaintext needs unauthenticated access; SASL and mutual TLS need TLS between brokers), so only
        # together do they give the one message that says what AWS wants.
        Check(
            ("public_access_type", "encryption_in_transit_client_broker", "encryption_in_transit_in_cluster",
             "client_authentication_unauthenticated_enabled"),
            "needs encryption_in_transit_client_broker = \"TLS\", encryption_in_transit_in_cluster = true and "
            "client_authentication_unauthenticated_enabled = false (AWS opens to the internet only a cluster whose "
            "clients authenticate over TLS and whose brokers encrypt traffic between them)",
            when=implies(PUBLIC, (CLIENT_BROKER_SETTING == "TLS") & var("encryption_in_transit_in_cluster")
                         & not_(var("client_authentication_unauthenticated_enabled"))),
            example={"public_access_type": PUBLIC_ACCESS, "public_access_cluster_exists": True,
                     "client_authentication_unauthenticated_enabled": True},
            passing={"public_access_type": PUBLIC_ACCESS, "public_access_cluster_exists": True},
        ),
        Check(
            ("public_access_type", "server_properties", "client_authentication_scram_enabled",
             "client_authentication_tls_certificate_authority_arns", "server_properties_text"),
            f'needs "{NO_ACL_PROPERTY}" = "false" in server_properties (or the line {NO_ACL_PROPERTY}=false in '
            "server_properties_text) with SCRAM or mutual TLS: AWS refuses public access while a topic without "
            "ACLs is open to every authenticated client",
            when=implies(PUBLIC & (var("client_authentication_scram_enabled") | MUTUAL_TLS), NO_ACL_DENIES),
            shown=("public_access_type", "server_properties"),
            example={"public_access_type": PUBLIC_ACCESS, "public_access_cluster_exists": True,
                     "client_authentication_scram_enabled": True},
            passing={"public_access_type": PUBLIC_ACCESS, "public_access_cluster_exists": True,
                     "client_authentication_scram_enabled": True,
                     "server_properties": {NO_ACL_PROPERTY: "false"}},
        ),
        Check(
            ("broker_dns_name_prefix", "zone_id"),
            "needs zone_id (the records are written in that hosted zone)",
            when=var("broker_dns_name_prefix").is_null() | var("zone_id").not_null(),
            shown=("broker_dns_name_prefix",),
            example={"broker_dns_name_prefix": "kafka-"},
            passing={"broker_dns_name_prefix": "kafka-", "zone_id": "Z0123456789ABCDEFGHIJ"},
        ),
        Check(
            ("s3_logs_prefix", "s3_logs_bucket"),
            "needs s3_logs_bucket",
            when=var("s3_logs_prefix").is_null() | var("s3_logs_bucket").not_null(),
            shown=("s3_logs_prefix",),
            example={"s3_logs_prefix": "kafka/"},
            passing={"s3_logs_prefix": "kafka/", "s3_logs_bucket": "mapzip-dev-kafka-logs"},
        ),
        *shared.create_kms_key_checks(
            ("kms_key_arn", "log_kms_key_arn"),
            ("kms_key_arn", "log_kms_key_arn"),
            needs="needs kms_key_arn (data at rest) and, with cloudwatch_logs_enabled, log_kms_key_arn when false: "
            "the module then creates no key",
            unused="must be false when kms_key_arn and log_kms_key_arn cover everything that is encrypted (the "
            "module's key would encrypt nothing)",
            key_needed=KMS_KEY_NEEDED,
        ),
    ),
    aws_names=AWS_NAMES,
    advice=(alarms.NOBODY_NOTIFIED, shared.unreachable("the enabled Kafka listeners"),),
)
