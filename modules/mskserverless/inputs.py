"""MSK Serverless inputs and the rules AWS enforces on them.

A serverless cluster has no brokers, storage, configuration or Kafka version to choose: AWS sizes it, encrypts it
at rest (with a key AWS owns: no customer managed key) and in transit (TLS always), and accepts SASL/IAM client
authentication only (CreateClusterV2 ServerlessClientAuthentication: `sasl.iam`). What is left to check before
apply is its name, its VPC configurations (the module's own VPC and up to four more) and the cluster policy.
"""

from __future__ import annotations

import re

from generator.language import rules
from generator.language.expr import Local, all_, call, if_, implies, lift, not_, text, value, var
from generator.language.inputs import Check, Input, InputSet, Rule
from generator.language.types import BOOL, STRING, list_of, literal, object_of, optional
from modules.msk.inputs import CLUSTER_NAME, CLUSTER_POLICY_ACTIONS, PRINCIPAL, _PRINCIPAL
from modules.shared import inputs as shared

# SASL/IAM, the one listener of a serverless cluster (AWS "Port information": 9098 within AWS).
PORT = 9098

CLUSTER = Local("cluster_name", text(var("name_prefix"), var("cluster_name")))

# AWS CreateClusterV2 (VpcConfigs): at most 5 VPC configurations; each with at least 2 subnets in distinct
# Availability Zones ("Create an MSK Serverless cluster": subnets in at least two AZs) and at most 5 security
# groups. The module's own configuration is the first; additional_vpc_configs holds the rest.
MAX_VPC_CONFIGS = 5
MAX_SECURITY_GROUPS = 5
VPC_CONFIG = object_of(subnet_ids=list_of(STRING), security_group_ids=list_of(STRING))
_SG = "sg-0123456789abcdef0"
_SUBNETS = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]

# Service principals that read a serverless cluster through its policy (Firehose's MSK source, Amazon Data Firehose
# "Amazon MSK as source"; Lambda, Pipes and Kinesis Data Analytics use the consumer's role, an account principal).
SERVICE_PRINCIPAL = "[a-z0-9-]+([.][a-z0-9-]+)*[.]amazonaws[.]com"

# The module's security group: its ids in the first VPC configuration, as resources.py writes them.
_OWN_GROUPS = (if_(var("create_security_group"), 1, 0) + var("associated_security_group_ids").length()
               + var("security_group_ids").length())

_NAME_INPUTS = ("cluster_name", "name_prefix")
AWS_NAMES = (
    rules.AwsName("MSK Serverless cluster", _NAME_INPUTS, "<name_prefix + cluster_name>", CLUSTER, 64,
                  "CreateClusterV2", bounded=True),
    rules.AwsName("security group", _NAME_INPUTS, "<cluster name>-<26 characters>", text(CLUSTER, "-", "0" * 26),
                  255, "EC2 CreateSecurityGroup", unique=False, bounded=True),
)

def _groups_ok(groups: list[str]) -> bool:
    """For the message only: the first configuration's groups the rule below refuses."""
    return 0 < len(groups) <= MAX_SECURITY_GROUPS and len(set(groups)) == len(groups) and all(
        re.fullmatch("sg-[0-9a-f]{8}([0-9a-f]{9})?", g) for g in groups)


_VPC_CONFIG_RULES = (
    Rule(
        f"have at most {MAX_VPC_CONFIGS - 1} VPC configurations (AWS allows {MAX_VPC_CONFIGS} per cluster, the "
        "module's own included)",
        when=value.length() <= MAX_VPC_CONFIGS - 1,
        got=lambda v: f"{len(v)} configurations",
        example=[{"subnet_ids": _SUBNETS, "security_group_ids": [_SG]}] * MAX_VPC_CONFIGS,
        passing=[{"subnet_ids": _SUBNETS, "security_group_ids": [_SG]}] * (MAX_VPC_CONFIGS - 1),
    ),
    Rule(
        "give each VPC configuration at least 2 subnets (a serverless cluster spans at least two Availability Zones)",
        when=all_(value, lambda c: c["subnet_ids"].length() >= 2),
        got=lambda v: literal(next(c["subnet_ids"] for c in v if len(c["subnet_ids"]) < 2)),
        example=[{"subnet_ids": ["subnet-0123456789abcdef2"], "security_group_ids": [_SG]}],
        passing=[{"subnet_ids": ["subnet-0123456789abcdef2", "subnet-0123456789abcdef3"], "security_group_ids": [_SG]}],
    ),
    Rule(
        "give each VPC configuration subnet ids (subnet-<hex>), each once",
        when=all_(value, lambda c: all_(c["subnet_ids"], lambda s: s.matches("subnet-[0-9a-f]{8}([0-9a-f]{9})?"))
                  & (call("distinct", c["subnet_ids"]).length() == c["subnet_ids"].length())),
        got=lambda v: literal(next(c["subnet_ids"] for c in v if len(set(c["subnet_ids"])) != len(c["subnet_ids"])
                                   or not all(re.fullmatch("subnet-[0-9a-f]{8}([0-9a-f]{9})?", x)
                                              for x in c["subnet_ids"]))),
        example=[{"subnet_ids": ["subnet-0123456789abcdef2", "subnet-0123456789abcdef2"], "security_group_ids": [_SG]}],
        passing=[{"subnet_ids": ["subnet-01234567", "subnet-0123456789abcdef3"], "security_group_ids": [_SG]}],
    ),
    Rule(
        f"give each VPC configuration 1 to {MAX_SECURITY_GROUPS} security group ids (sg-<hex>), each once (without "
        "one, AWS would attach the VPC's default group)",
        when=all_(value, lambda c: c["security_group_ids"].length().between(1, MAX_SECURITY_GROUPS)
                  & all_(c["security_group_ids"], lambda s: s.matches("sg-[0-9a-f]{8}([0-9a-f]{9})?"))
                  & (call("distinct", c["security_group_ids"]).length() == c["security_group_ids"].length())),
        got=lambda v: literal(next(c["security_group_ids"] for c in v if not _groups_ok(c["security_group_ids"]))),
        example=[{"subnet_ids": _SUBNETS, "security_group_ids": [f"sg-0123456789abcdef{i}" for i in range(6)]}],
        passing=[{"subnet_ids": _SUBNETS, "security_group_ids": [f"sg-0123456789abcdef{i}" for i in range(5)]}],
    ),
)

PRINCIPALS = var("cluster_policy_allowed_principals")
SERVICES = var("cluster_policy_allowed_services")

INPUTS = InputSet(
    inputs=(
        Input(
            "name_prefix",
            STRING,
            shared.NAME_PREFIX_DESCRIPTION,
            rules=(rules.matches("[A-Za-z0-9-]*", "be letters, digits and hyphens"),),
            example="mapzip-dev-",
        ),
        Input("cluster_name", STRING, "Cluster name after the prefix: the cluster is name_prefix + cluster_name "
              "(changing it replaces the cluster).", example="events"),
        *shared.network(
            "the SASL/IAM listener (9098)",
            Input(
                "subnet_ids",
                list_of(STRING),
                "Private subnets of the cluster's first VPC configuration (in vpc_id), at least 2, each in its own "
                "Availability Zone. Changing them replaces the cluster.",
                rules=(
                    Rule("have at least 2 subnets (a serverless cluster spans at least two Availability Zones)",
                         when=value.length() >= 2, example=["subnet-0123456789abcdef0"]),
                    rules.resource_ids("subnet"),
                    rules.distinct("subnet", "subnet-0123456789abcdef0"),
                ),
                example=_SUBNETS,
            ),
        ),
        *shared.security_group_naming('"MSK Serverless <cluster name>: SASL/IAM from allowed sources only"'),
        Input(
            "additional_vpc_configs",
            list_of(VPC_CONFIG),
            "More VPC configurations, for clients in other VPCs of the Region: each with subnet_ids (at least 2, in "
            "distinct Availability Zones) and security_group_ids (1 to 5, the caller's: the module's group "
            "lives in vpc_id and serves the first configuration only). At most 4: AWS allows 5 per cluster. "
            "Changing them replaces the cluster.",
            default=[],
            rules=_VPC_CONFIG_RULES,
        ),
        Input(
            "cluster_policy_allowed_principals",
            list_of(STRING),
            "AWS accounts (12 digits) or IAM role/user ARNs the cluster policy (aws_msk_cluster_policy) grants "
            "cluster_policy_actions: clients in other accounts. Default: none.",
            default=[],
            rules=(
                Rule(
                    "hold only 12-digit account ids or IAM ARNs (arn:aws:iam::<account>:root, :role/..., :user/...)",
                    when=all_(value, lambda p: p.matches(PRINCIPAL)),
                    got=lambda v: literal(next(p for p in v if not _PRINCIPAL.fullmatch(p))),
                    example=["arn:aws:iam::111122223333:group/admins"],
                    passing=["111122223333", "arn:aws:iam::111122223333:role/consumers"],
                ),
                rules.distinct("principal"),
            ),
        ),
        Input(
            "cluster_policy_allowed_services",
            list_of(STRING),
            "AWS service principals the cluster policy grants the same actions, such as firehose.amazonaws.com "
            "(Amazon Data Firehose reading the cluster). Default: none.",
            default=[],
            rules=(
                rules.each_matches(SERVICE_PRINCIPAL, "hold only AWS service principals (<service>.amazonaws.com)"),
                rules.distinct("service principal", "firehose.amazonaws.com"),
            ),
        ),
        Input(
            "cluster_policy_actions",
            list_of(STRING),
            "Actions the cluster policy grants its principals, among " + ", ".join(CLUSTER_POLICY_ACTIONS) + ".",
            default=list(CLUSTER_POLICY_ACTIONS),
            rules=(
                Rule(
                    "hold only " + ", ".join(CLUSTER_POLICY_ACTIONS),
                    when=all_(value, lambda a: a.is_in(list(CLUSTER_POLICY_ACTIONS))),
                    got=lambda v: literal(next(a for a in v if a not in CLUSTER_POLICY_ACTIONS)),
                    example=["kafka:*"],
                    passing=["kafka:CreateVpcConnection"],
                ),
                rules.not_empty("action", passing=["kafka:GetBootstrapBrokers"]),
                rules.distinct("action", "kafka:GetBootstrapBrokers"),
            ),
        ),
        Input(
            "create_cluster_policy",
            BOOL,
            "Create the cluster policy for cluster_policy_allowed_principals and cluster_policy_allowed_services. A "
            "switch of its own because Terraform must know at plan time whether the policy exists, and principals "
            "are often ARNs created in the same apply. Environment files need not set it: the generator writes it "
            "when the file names principals.",
            default=False,
            derived=lambda v: bool(v["cluster_policy_allowed_principals"] or v["cluster_policy_allowed_services"]),
        ),
        shared.TAGS_WITH_NAME,
    ),
    checks=(
        Check(
            _NAME_INPUTS,
            "must give a cluster name (name_prefix + cluster_name) of 1 to 64 letters, digits and hyphens, "
            "starting with a letter or digit",
            when=CLUSTER.matches(CLUSTER_NAME),
            example={"cluster_name": "events-" + "x" * 60},
        ),
        Check(
            _NAME_INPUTS,
            "must not give a cluster name (name_prefix + cluster_name) starting with sg-: it begins the security "
            "group's name, and EC2 refuses group names starting with sg-",
            when=not_(call("startswith", CLUSTER, "sg-")),
            example={"name_prefix": "sg-", "create_security_group": False,
                     "associated_security_group_ids": [_SG]},
        ),
        Check(
            ("associated_security_group_ids", "create_security_group", "security_group_ids"),
            f"must leave at most {MAX_SECURITY_GROUPS} security groups in the first VPC configuration, the "
            "module's own included (AWS allows 5 per VPC configuration)",
            when=_OWN_GROUPS <= MAX_SECURITY_GROUPS,
            shown=("associated_security_group_ids",),
            example={"associated_security_group_ids": [f"sg-0123456789abcdef{i}" for i in range(5)]},
            passing={"associated_security_group_ids": [f"sg-0123456789abcdef{i}" for i in range(4)]},
        ),
        *shared.NETWORK_CHECKS,
        shared.NO_INGRESS_COVERING_EVERY_ADDRESS,
        shared.duplicate_ingress_check(
            lift([PORT]),
            example={"allowed_security_group_ids": [_SG],
                     "ingress_rules": {"iam": {"from_port": PORT, "referenced_security_group_id": _SG}}},
            passing={"allowed_security_group_ids": [_SG],
                     "ingress_rules": {"https": {"from_port": 443, "referenced_security_group_id": _SG}}},
        ),
        Check(
            ("create_cluster_policy", "cluster_policy_allowed_principals", "cluster_policy_allowed_services"),
            "needs cluster_policy_allowed_principals or cluster_policy_allowed_services when true",
            when=implies(var("create_cluster_policy"), PRINCIPALS.length() + SERVICES.length() > 0),
            shown=("create_cluster_policy",),
            example={"create_cluster_policy": True},
            passing={"create_cluster_policy": True, "cluster_policy_allowed_services": ["firehose.amazonaws.com"]},
        ),
        Check(
            ("cluster_policy_allowed_principals", "cluster_policy_allowed_services", "create_cluster_policy"),
            "need create_cluster_policy = true (Terraform must know at plan time that the policy exists)",
            when=(PRINCIPALS.length() + SERVICES.length() == 0) | var("create_cluster_policy"),
            shown=("create_cluster_policy",),
            example={"cluster_policy_allowed_principals": ["111122223333"], "create_cluster_policy": False},
            passing={"cluster_policy_allowed_principals": ["111122223333"], "create_cluster_policy": True},
        ),
    ),
    aws_names=AWS_NAMES,
    advice=(shared.unreachable("the SASL/IAM listener (9098)"),),
)
