"""AWS limits before apply: the bad inputs AWS or Terraform would refuse at apply, or that do harm, each refused
with its exact message (issue 15). The module rules through MODULE.inputs.problems, the environment-wide ones
through environments.load and the command line, and a few of the Terraform conditions through real offline plans.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from generator.commands import cli
from generator.config import environments
from generator.language import rules
from generator.language.inputs import InputError
from modules import all_modules
from modules.dynamodb import MODULE as DYNAMODB
from modules.elasticache import MODULE as ELASTICACHE
from modules.msk import MODULE as MSK
from testkit.pytest_terraform import plan_case, refusal_case

SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"]
CACHE = {"name_prefix": "mapzip-dev-", "cluster_name": "auth", "vpc_id": "vpc-0a1b2c3d4e5f60718", "subnet_ids": SUBNETS[:2],
         "auth_token": "example-token-0123456789"}  # clients authenticate (the module refuses a call without)
TABLE = {"name_prefix": "mapzip-dev-", "table_name": "reviews", "hash_key": "id", "attributes": [{"name": "id", "type": "S"}]}
KAFKA = {"name_prefix": "mapzip-dev-", "cluster_name": "events", "vpc_id": "vpc-0a1b2c3d4e5f60718", "subnet_ids": SUBNETS}
SERVERLESS = {"name_prefix": "mapzip-dev-", "cache_name": "sessions", "vpc_id": "vpc-0a1b2c3d4e5f60718",
              "subnet_ids": SUBNETS[:2]}
# The calls the cases below change one input of, for the modules they are about. The tests of every module call
# it as it declares (ModuleDefinition.example_call, longest_call): a new module folder needs nothing here.
BASES = {"elasticache": CACHE, "dynamodb": TABLE, "msk": KAFKA, "valkeyserverless": SERVERLESS}
MODULES = all_modules()
LONG_TABLE = "t" * 244  # + "mapzip-dev-" = 255, the longest table name DynamoDB accepts
# Tags AWS accepts: any Unicode letter, digit or space, and _ . : / = + - @ (Terraform's RE2 reads \p{L} alike).
GOOD_TAGS = {"팀": "데이터 플랫폼", "Cost center": "a.b:c/d=e+f-g@h_i", "empty": ""}


def problems(kind: str, **overrides) -> list[str]:
    _, found = MODULES[kind].inputs.problems({**BASES[kind], **overrides})
    return [message for _, message in found]


def _tags(count: int) -> dict[str, str]:
    return {f"k{i}": "v" for i in range(count)}


ALIAS_270 = (
    "table_name: must keep the KMS alias alias/dynamodb/<table name, dots as hyphens> within 256 characters (KMS "
    f'CreateAlias: AliasName is at most 256 characters); it would have 270, got table_name = "{LONG_TABLE}", '
    'name_prefix = "mapzip-dev-"'
)

CASES = [
    # --- tags --------------------------------------------------------------------------------------------------
    ("elasticache", {"tags": {"aws:owner": "x"}},
     'tags: must have no tag key starting with aws: (AWS reserves the prefix, in any case), got "aws:owner"', "aws-prefix"),
    ("dynamodb", {"tags": {"AWS:Owner": "x"}},
     'tags: must have no tag key starting with aws: (AWS reserves the prefix, in any case), got "AWS:Owner"',
     "aws-prefix-any-case"),
    ("dynamodb", {"tags": _tags(51)}, "tags: must have at most 50 tags (AWS limit per resource), got 51 tags", "51-tags"),
    ("elasticache", {"tags": _tags(50)},
     "tags: must have at most 50 tags, counting the Name tag the module adds (AWS limit per resource), got 51 tags",
     "50-tags-and-name"),
    ("msk", {"tags": {"k" * 129: "v"}}, f'tags: must have tag keys of 1 to 128 characters, got "{"k" * 129}" (129 characters)',
     "key-too-long"),
    ("msk", {"tags": {"": "v"}}, 'tags: must have tag keys of 1 to 128 characters, got "" (0 characters)', "key-empty"),
    ("dynamodb", {"tags": {"Team": "v" * 257}},
     f'tags: must have tag values of at most 256 characters, got Team = "{"v" * 257}" (257 characters)', "value-too-long"),
    ("dynamodb", {"tags": {'Team"': "x"}},
     'tags: must use only letters, digits, spaces and _ . : / = + - @ in tag keys and values, got "Team\\""', "quote"),
    ("elasticache", {"tags": {"Team": "it's"}},
     'tags: must use only letters, digits, spaces and _ . : / = + - @ in tag keys and values, got "it\'s"', "apostrophe"),
    # --- ids and ARNs by shape -----------------------------------------------------------------------------------
    ("elasticache", {"vpc_id": "vpc-0"},
     'vpc_id: must be an AWS id such as vpc-0123456789abcdef0 (vpc- and 8 or 17 lowercase hex digits), got "vpc-0"',
     "vpc-0"),
    ("msk", {"allowed_security_group_ids": ["sg-0e0e0e0e0e0e0e0e1", "sg-1"]},
     "allowed_security_group_ids: must hold only AWS ids such as sg-0123456789abcdef0 (sg- and 8 or 17 lowercase hex "
     'digits), got "sg-1"', "sg-1"),
    ("elasticache", {"security_group_ids": ["sg-0A1B2C3D"]},
     "security_group_ids: must hold only AWS ids such as sg-0123456789abcdef0 (sg- and 8 or 17 lowercase hex digits), "
     'got "sg-0A1B2C3D"', "uppercase-id"),
    ("elasticache", {"kms_key_arn": "arn:aws:kms:ap-northeast-2:1234:key/abcd"},
     "kms_key_arn: must be a whole kms ARN (partition aws, aws-cn or aws-us-gov, region, 12-digit account), such as "
     'arn:aws:kms:ap-northeast-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab, or alias/aws/elasticache, got '
     '"arn:aws:kms:ap-northeast-2:1234:key/abcd"', "kms-account"),
    ("msk", {"log_kms_key_arn": "arn:aws:kms:ap-northeast-2:111122223333:alias/logs"},
     "log_kms_key_arn: must be a whole kms ARN (partition aws, aws-cn or aws-us-gov, region, 12-digit account), such "
     "as arn:aws:kms:ap-northeast-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab, got "
     '"arn:aws:kms:ap-northeast-2:111122223333:alias/logs"', "kms-alias-not-key"),
    ("elasticache", {"notification_topic_arn": "arn:aws:sns:seoul:111122223333:events"},
     "notification_topic_arn: must be a whole sns ARN (partition aws, aws-cn or aws-us-gov, region, 12-digit "
     'account), such as arn:aws:sns:ap-northeast-2:111122223333:cache-events, got "arn:aws:sns:seoul:111122223333:events"',
     "sns-region"),
    ("msk", {"client_authentication_tls_certificate_authority_arns":
             ["arn:aws-xx:acm-pca:ap-northeast-2:111122223333:certificate-authority/1"]},
     "client_authentication_tls_certificate_authority_arns: must hold only whole acm-pca ARNs (partition aws, aws-cn "
     "or aws-us-gov, region, 12-digit account), such as arn:aws:acm-pca:ap-northeast-2:111122223333:"
     'certificate-authority/12345678-1234-1234-1234-123456789012, got '
     '"arn:aws-xx:acm-pca:ap-northeast-2:111122223333:certificate-authority/1"', "pca-partition"),
    ("elasticache", {"name_prefix": "sg-"},
     "cluster_name: must not give a replication group id (name_prefix + cluster_name) starting with sg-: it begins the "
     "security group's name, and EC2 refuses group names starting with sg-, got cluster_name = \"auth\", "
     'name_prefix = "sg-"', "security-group-name-sg"),
    ("msk", {"name_prefix": "", "cluster_name": "sg-events"},
     "cluster_name: must not give a cluster name (name_prefix + cluster_name) starting with sg-: it begins the "
     "security group's name, and EC2 refuses group names starting with sg-, got cluster_name = \"sg-events\", "
     'name_prefix = ""', "msk-security-group-name-sg"),
    # --- lists AWS treats as sets --------------------------------------------------------------------------------
    # Today the broker count rule passes (2 brokers, 2 "subnets") while the provider sees one subnet.
    ("msk", {"subnet_ids": [SUBNETS[0], SUBNETS[0]], "number_of_broker_nodes": 2},
     f'subnet_ids: must list each subnet once (AWS treats the list as a set), got "{SUBNETS[0]}" more than once',
     "duplicate-subnets"),
    ("elasticache", {"subnet_ids": [SUBNETS[1], SUBNETS[0], SUBNETS[1]]},
     f'subnet_ids: must list each subnet once (AWS treats the list as a set), got "{SUBNETS[1]}" more than once',
     "duplicate-cache-subnets"),
    ("elasticache", {"allowed_security_group_ids": ["sg-0e0e0e0e0e0e0e0e1", "sg-0e0e0e0e0e0e0e0e1"]},
     "allowed_security_group_ids: must list each security group once (AWS treats the list as a set), got "
     '"sg-0e0e0e0e0e0e0e0e1" more than once', "duplicate-security-groups"),
    ("msk", {"security_group_ids": ["sg-0a1b2c3d", "sg-0a1b2c3d"]},
     'security_group_ids: must list each security group once (AWS treats the list as a set), got "sg-0a1b2c3d" more '
     "than once", "duplicate-attached-groups"),
    ("elasticache", {"allowed_cidr_blocks": ["10.0.0.0/16", "10.1.0.0/16", "10.0.0.0/16"]},
     'allowed_cidr_blocks: must list each CIDR block once (AWS treats the list as a set), got "10.0.0.0/16" more than '
     "once", "duplicate-cidrs"),
    # A block spelled apart from the way Terraform writes it: Terraform's validation (cidrsubnet(c, 0, 0) == c) refuses
    # it, and so does Python, before it could count as a second copy of the first.
    ("msk", {"allowed_cidr_blocks": ["2001:db8::/32", "2001:0db8::/32"]},
     'allowed_cidr_blocks: must be CIDR blocks such as 10.0.0.0/16 (network address, no host bits set), got '
     '["2001:db8::/32", "2001:0db8::/32"]', "cidr-spelled-apart"),
    # --- names the modules derive --------------------------------------------------------------------------------
    ("dynamodb", {"table_name": LONG_TABLE}, ALIAS_270, "alias-270"),
    # --- catalogs --------------------------------------------------------------------------------------------------
    ("elasticache", {"node_type": "cache.r7g.lrage"},
     'node_type: must be a node type ElastiCache offers for Valkey (modules/catalog.py), got "cache.r7g.lrage" (did '
     "you mean cache.r7g.large or cache.r7g.xlarge or cache.r7g.8xlarge?)", "node-type-typo"),
    ("elasticache", {"node_type": "cache.r6gd.large", "data_tiering_enabled": True},
     'node_type: must be a node type ElastiCache offers for Valkey (modules/catalog.py), got "cache.r6gd.large" (did '
     "you mean cache.r6gd.xlarge or cache.r6g.large or cache.r6gd.8xlarge?)", "no-r6gd-large"),
    ("msk", {"broker_instance_type": "kafka.m7g.larg"},
     'broker_instance_type: must be a Standard broker type MSK offers (modules/catalog.py), got "kafka.m7g.larg" (did '
     "you mean kafka.m7g.large or kafka.m7g.xlarge or kafka.m7g.8xlarge?)", "broker-typo"),
    ("msk", {"broker_instance_type": "kafka.m5.32xlarge"},
     'broker_instance_type: must be a Standard broker type MSK offers (modules/catalog.py), got "kafka.m5.32xlarge" '
     "(did you mean kafka.m5.2xlarge or kafka.m5.24xlarge or kafka.m5.12xlarge?)", "broker-size"),
    ("elasticache", {"parameters": {"maxmemory-polcy": "allkeys-lru"}},
     'parameters: must name only parameters of the valkey8 family (modules/catalog.py); unknown: "maxmemory-polcy" '
     '(did you mean maxmemory-policy or maxmemory-samples?), got parameters = {"maxmemory-polcy": "allkeys-lru"}, '
     'engine_version = "8.2"', "parameter-typo"),
    ("elasticache", {"parameters": {"lazyfree-lazy-eviction": "yes"}},
     'parameters: must name only parameters of the valkey8 family (modules/catalog.py); unknown: '
     '"lazyfree-lazy-eviction" (a parameter of the valkey7, redis7 and redis6.x families only), got parameters = '
     '{"lazyfree-lazy-eviction": "yes"}, engine_version = "8.2"', "parameter-of-valkey7"),
    ("elasticache", {"parameters": {"maxmemory-policy": "lru"}},
     "parameters: must give each parameter a value of its type (AWS's documented values and ranges, in "
     'modules/catalog.py), got maxmemory-policy = "lru" (it takes one of volatile-lru, allkeys-lru, volatile-lfu, '
     'allkeys-lfu, volatile-random, allkeys-random, volatile-ttl, noeviction)', "parameter-value"),
    ("elasticache", {"node_type": "cache.r6gd.xlarge", "data_tiering_enabled": True,
                     "parameters": {"maxmemory-policy": "allkeys-lfu"}},
     "parameters: must set maxmemory-policy to noeviction, volatile-lru or allkeys-lru on r6gd (data tiering) nodes, "
     'got parameters = {"maxmemory-policy": "allkeys-lfu"}, node_type = "cache.r6gd.xlarge"', "data-tiering-policy"),
    ("msk", {"server_properties": {"log.retention.hour": "1"}},
     "server_properties: must name only properties MSK lets a custom configuration set (modules/catalog.py), got "
     '"log.retention.hour" (did you mean log.retention.hours or log.retention.ms or log.retention.minutes?)',
     "kafka-property-typo"),
    ("msk", {"server_properties": {"listeners": "PLAINTEXT://:9092"}},
     "server_properties: must name only properties MSK lets a custom configuration set (modules/catalog.py), got "
     '"listeners"; known: the list in modules/catalog.py', "kafka-property-not-settable"),
    ("dynamodb", {"replica_regions": [{"region_name": "ap-northeast-9",
                                       "kms_key_arn": "arn:aws:kms:ap-northeast-1:111122223333:key/1"}],
                  "stream_enabled": True, "stream_view_type": "NEW_AND_OLD_IMAGES"},
     'replica_regions: must name AWS Regions that exist (modules/catalog.py), got "ap-northeast-9" (did you mean '
     "ap-northeast-3 or ap-northeast-2 or ap-northeast-1?)", "replica-region"),
    # --- ingress that adds up to the whole internet ----------------------------------------------------------------
    ("elasticache", {"allowed_cidr_blocks": ["0.0.0.0/1", "128.0.0.0/1"]},
     "allowed_cidr_blocks: must not add up to every IPv4 or every IPv6 address (such as 0.0.0.0/1 with 128.0.0.0/1) "
     'unless allow_ingress_from_anywhere = true, got allowed_cidr_blocks = ["0.0.0.0/1", "128.0.0.0/1"], '
     "allow_ingress_from_anywhere = false", "ipv4-halves"),
    ("msk", {"allowed_cidr_blocks": ["::/1", "8000::/2", "c000::/2"]},
     "allowed_cidr_blocks: must not add up to every IPv4 or every IPv6 address (such as 0.0.0.0/1 with 128.0.0.0/1) "
     'unless allow_ingress_from_anywhere = true, got allowed_cidr_blocks = ["::/1", "8000::/2", "c000::/2"], '
     "allow_ingress_from_anywhere = false", "ipv6-pieces"),
]


@pytest.mark.parametrize(("kind", "overrides", "message"), [c[:3] for c in CASES], ids=[c[3] for c in CASES])
def test_module_refuses(kind, overrides, message):
    assert problems(kind, **overrides) == [message]


def test_a_long_provisioned_table_breaks_the_alias_and_both_scaling_policy_names():
    found = problems("dynamodb", table_name=LONG_TABLE, billing_mode="PROVISIONED", read_capacity=5, write_capacity=5)
    tail = f' got table_name = "{LONG_TABLE}", name_prefix = "mapzip-dev-"'
    assert found == [
        ALIAS_270,
        "table_name: must keep the Application Auto Scaling policy <table name>-read-capacity within 255 characters "
        "(aws_appautoscaling_policy: name is at most 255 characters); it would have 269," + tail,
        "table_name: must keep the Application Auto Scaling policy <table name>-write-capacity within 255 characters "
        "(aws_appautoscaling_policy: name is at most 255 characters); it would have 270," + tail,
    ]


@pytest.mark.parametrize(
    ("kind", "overrides"),
    [
        ("elasticache", {"vpc_id": "vpc-0a1b2c3d", "security_group_ids": ["sg-0a1b2c3d"]}),  # 8 hex digits: older ids
        ("elasticache", {"tags": _tags(49)}),
        ("dynamodb", {"tags": {**_tags(49), "Name": "x"}}),
        ("dynamodb", {"tags": GOOD_TAGS}),
        ("dynamodb", {"table_name": LONG_TABLE, "server_side_encryption_kms_key_arn":
                      "arn:aws:kms:ap-northeast-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"}),
        ("dynamodb", {"table_name": "t" * 229, "billing_mode": "PROVISIONED", "read_capacity": 1, "write_capacity": 1}),
        ("elasticache", {"engine_version": "7.2", "parameters": {"lazyfree-lazy-eviction": "yes"}}),
        ("elasticache", {"parameters": {"maxmemory-policy": "allkeys-lru", "notify-keyspace-events": "Ex"}}),
        ("elasticache", {"allowed_cidr_blocks": ["0.0.0.0/1", "128.0.0.0/2"]}),  # a quarter of IPv4 stays closed
        ("msk", {"allowed_cidr_blocks": ["0.0.0.0/1", "128.0.0.0/1"], "allow_ingress_from_anywhere": True}),
        ("msk", {"kms_key_arn": "arn:aws-cn:kms:cn-north-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab",
                 "server_properties": {"log.retention.hours": "24", "min.insync.replicas": "2"}}),
    ],
)
def test_module_accepts(kind, overrides):
    assert problems(kind, **overrides) == []


def test_literal_open_ingress_is_reported_once():
    assert problems("elasticache", allowed_cidr_blocks=["0.0.0.0/0", "128.0.0.0/1"]) == [
        "allowed_cidr_blocks: must not contain 0.0.0.0/0 or ::/0 unless allow_ingress_from_anywhere = true, got "
        'allowed_cidr_blocks = ["0.0.0.0/0", "128.0.0.0/1"], allow_ingress_from_anywhere = false'
    ]


def test_the_bases_accept_their_modules():
    for kind, base in BASES.items():
        assert MODULES[kind].inputs.problems(base)[1] == [], kind


def _most_names(kind: str) -> dict:
    """The longest names the module's own checks allow, with every optional resource on, as the module declares
    them (ModuleDefinition.longest_names, held to being the longest by testkit/contract.py), and tags that use
    every character AWS allows when the module takes tags."""
    call = MODULES[kind].longest_call()
    return {**call, "tags": GOOD_TAGS} if "tags" in MODULES[kind].input_names() else call


@pytest.mark.parametrize("kind", sorted(MODULES))
def test_every_derived_name_fits_when_the_module_checks_pass(kind):
    """The names without a length check of their own are bounded by the check on the name they come from."""
    module = MODULES[kind]
    values = module.inputs.validate(_most_names(kind))
    for aws_name in module.inputs.aws_names:
        name = aws_name.value(values)
        assert name is not None, aws_name.what
        assert len(name) <= aws_name.max_length, (aws_name.what, name)


# --- the environment file -------------------------------------------------------------------------------------------
HEAD = """\
name_prefix = "mapzip-dev-"
region = "ap-northeast-2"
vpc_id = "vpc-0a1b2c3d4e5f60718"
subnet_ids = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"]
"""
TABLE_BLOCK = """
[dynamodb]
table_name = "reviews"
hash_key = "review_id"
attributes = [{ name = "review_id", type = "S" }]
"""
ENV = "environments/dev.toml"


def _s3(bucket: str, region: str = "ap-northeast-2") -> str:
    return f'\n[backend]\ntype = "s3"\nbucket = "{bucket}"\nkey = "dev.tfstate"\nregion = "{region}"\n'


def env_problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "dev.toml"
    path.write_text(textwrap.dedent(text))
    with pytest.raises(InputError) as err:
        environments.load(path, all_modules(), ENV)
    return err.value.problems


BUCKET_RULES = "must be lowercase letters, digits, dots and hyphens, beginning and ending with a letter or digit (S3 bucket naming rules)"
ENV_CASES = [
    (HEAD.replace("ap-northeast-2", "ap-northeast-9") + TABLE_BLOCK,
     f'{ENV}: region: must be an AWS Region that exists (generator/language/aws.py), got "ap-northeast-9" (did you mean '
     "ap-northeast-3 or ap-northeast-2 or ap-northeast-1?)", "region"),
    (HEAD.replace("ap-northeast-2", "us-gov-north-1") + TABLE_BLOCK,
     f'{ENV}: region: must be an AWS Region that exists (generator/language/aws.py), got "us-gov-north-1" (did you mean '
     "eu-north-1 or us-gov-west-1 or us-gov-east-1?)", "govcloud-region"),
    (HEAD + TABLE_BLOCK + _s3("mapzip-state", "eu-west-9"),
     f'{ENV}: [backend] region: must be an AWS Region that exists (generator/language/aws.py), got "eu-west-9" (did you mean '
     "eu-west-3 or eu-west-2 or eu-west-1?)", "backend-region"),
    (HEAD + TABLE_BLOCK + _s3("My_State"), f'{ENV}: [backend] bucket: {BUCKET_RULES}, got "My_State"', "bucket-chars"),
    (HEAD + TABLE_BLOCK + _s3("-state"), f'{ENV}: [backend] bucket: {BUCKET_RULES}, got "-state"', "bucket-start"),
    (HEAD + TABLE_BLOCK + _s3("ab"),
     f'{ENV}: [backend] bucket: must be 3 to 63 characters long (S3 bucket naming rules), got "ab" (2 characters)',
     "bucket-short"),
    (HEAD + TABLE_BLOCK + _s3("s" * 64),
     f'{ENV}: [backend] bucket: must be 3 to 63 characters long (S3 bucket naming rules), got "{"s" * 64}" (64 characters)',
     "bucket-long"),
    (HEAD + TABLE_BLOCK + _s3("mapzip..state"),
     f'{ENV}: [backend] bucket: must not hold two adjacent dots (S3 bucket naming rules), got "mapzip..state"',
     "bucket-dots"),
    (HEAD + TABLE_BLOCK + _s3("192.168.1.1"),
     f'{ENV}: [backend] bucket: must not be an IP address (S3 bucket naming rules), got "192.168.1.1"', "bucket-ip"),
    (HEAD + TABLE_BLOCK + _s3("xn--state"),
     f'{ENV}: [backend] bucket: must not begin with xn-- (reserved by S3), got "xn--state"', "bucket-xn"),
    (HEAD + TABLE_BLOCK + _s3("state-s3alias"),
     f'{ENV}: [backend] bucket: must not end with -s3alias (reserved by S3), got "state-s3alias"', "bucket-s3alias"),
    (HEAD + TABLE_BLOCK + _s3("state--ol-s3"),
     f'{ENV}: [backend] bucket: must not end with --ol-s3 (reserved by S3), got "state--ol-s3"', "bucket-ol-s3"),
    (HEAD + TABLE_BLOCK + '\n[tags]\n"aws:createdBy" = "me"\n',
     f'{ENV}: [tags] aws:createdBy: must have no tag key starting with aws: (AWS reserves the prefix, in any case), got "aws:createdBy"',
     "default-tag-aws-prefix"),
    (HEAD + TABLE_BLOCK + '\n[tags]\nOwner = "\\"ops\\""\n',
     f'{ENV}: [tags] Owner: must use only letters, digits, spaces and _ . : / = + - @ in tag keys and values, got "\\"ops\\""',
     "default-tag-quotes"),
    (HEAD + TABLE_BLOCK + "\n[tags]\n" + "".join(f'd{i} = "y"\n' for i in range(51)),
     f"{ENV}: [tags] must have at most 50 tags (AWS limit per resource), got 51 tags", "51-default-tags"),
    (HEAD + TABLE_BLOCK.replace('"reviews"', '"reviews"\ntags = { ' + ", ".join(f'm{i} = "x"' for i in range(10)) + " }")
     + "\n[tags]\n" + "".join(f'd{i} = "y"\n' for i in range(41)),
     f"{ENV}: [dynamodb] tags: with the default tags of [tags], must have at most 50 tags (AWS limit per resource), "
     "got 51 tags", "default-and-module-tags"),
    (HEAD + "\n[msk]\ncluster_name = \"events\"\n\n[tags]\n" + "".join(f'd{i} = "y"\n' for i in range(50)),
     f"{ENV}: [msk] tags: with the default tags of [tags], must have at most 50 tags, counting the Name tag the module "
     "adds (AWS limit per resource), got 51 tags", "default-tags-and-name"),
    # --- the same AWS name twice in one environment ------------------------------------------------------------
    (HEAD + TABLE_BLOCK + TABLE_BLOCK.replace("[dynamodb]", "[dynamodb_copy]"),
     f'{ENV}: [dynamodb_copy] table_name: creates the DynamoDB table "mapzip-dev-reviews", as [dynamodb] does (AWS '
     "refuses a second one in the same account and Region)", "same-table"),
    (HEAD + '\n[elasticache_a]\ncluster_name = "auth"\n\n[elasticache_b]\ncluster_name = "auth"\nport = 6380\n',
     f'{ENV}: [elasticache_b] cluster_name: creates the ElastiCache replication group "mapzip-dev-auth", as '
     "[elasticache_a] does (AWS refuses a second one in the same account and Region)", "same-cache"),
    (HEAD + '\n[msk]\ncluster_name = "events"\n\n[msk_two]\ncluster_name = "events"\nkafka_version = "3.9.x"\n',
     f'{ENV}: [msk_two] cluster_name: creates the MSK cluster "mapzip-dev-events", as [msk] does (AWS refuses a '
     "second one in the same account and Region)", "same-kafka"),
    # Different prefixes and names, one replication group id.
    (HEAD + '\n[elasticache_a]\nname_prefix = "mapzip-"\ncluster_name = "dev-auth"\n\n[elasticache_b]\ncluster_name = "auth"\n',
     f'{ENV}: [elasticache_b] cluster_name: creates the ElastiCache replication group "mapzip-dev-auth", as '
     "[elasticache_a] does (AWS refuses a second one in the same account and Region)", "same-id-from-other-parts"),
    # Different tables, one KMS alias: the module writes dots as hyphens in alias names.
    (HEAD + TABLE_BLOCK.replace('"reviews"', '"reviews.v2"')
     + TABLE_BLOCK.replace("[dynamodb]", "[dynamodb_next]").replace('"reviews"', '"reviews-v2"'),
     f'{ENV}: [dynamodb_next] table_name: creates the KMS alias "alias/dynamodb/mapzip-dev-reviews-v2", as [dynamodb] '
     "does (AWS refuses a second one in the same account and Region)", "same-derived-alias"),
]


@pytest.mark.parametrize(("text", "message"), [c[:2] for c in ENV_CASES], ids=[c[2] for c in ENV_CASES])
def test_environment_refuses(tmp_path, text, message):
    assert env_problems(tmp_path, text) == [message]


def test_case_matters_where_aws_keeps_it(tmp_path):
    """DynamoDB table names are case-sensitive: Reviews and reviews are two tables."""
    path = tmp_path / "dev.toml"
    path.write_text(HEAD + TABLE_BLOCK + TABLE_BLOCK.replace("[dynamodb]", "[dynamodb_upper]")
                    .replace('table_name = "reviews"', 'table_name = "Reviews"'))
    env = environments.load(path, all_modules(), ENV)
    assert [call.values["table_name"] for call in env.modules] == ["reviews", "Reviews"]


@pytest.mark.parametrize(("text", "message"), [c[:2] for c in ENV_CASES], ids=[c[2] for c in ENV_CASES])
def test_cli_refuses_with_one_line_and_writes_nothing(tmp_path, capsys, text, message):
    bad = tmp_path / "dev.toml"
    bad.write_text(text)
    out = tmp_path / "out"
    assert cli.main(["--config", str(bad), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err == f"error: {message.replace(ENV, str(bad))}\n"
    assert not out.exists()


def test_bucket_name_rules_accept_real_names():
    from generator.config.limits import bucket_name_problem

    for name in ("mapzip-terraform-state", "a.b.c", "123", "state.2026-11"):
        assert bucket_name_problem(name) is None, name


# --- the same rules in Terraform, for teams calling the modules from their own HCL ----------------------------------
# Declared at import time: planned with the session's other cases (one provider load), not one plan each.
MALFORMED_KAFKA = refusal_case("msk", {
    **KAFKA,
    "vpc_id": "vpc-0",
    "subnet_ids": [SUBNETS[0], SUBNETS[0]],
    "tags": {"aws:owner": "x", 'Team"': "y"},
    "broker_instance_type": "kafka.m7g.larg",
    "server_properties": {"log.retention.hour": "1"},
    "kms_key_arn": "arn:aws:kms:ap-northeast-2:1234:key/abcd",
})
EVERYWHERE_INGRESS_CACHE = refusal_case("elasticache", {
    **CACHE,
    "allowed_cidr_blocks": ["0.0.0.0/1", "128.0.0.0/1"],
    "parameters": {"maxmemory-polcy": "allkeys-lru"},
})
KMS_ALIAS_TOO_LONG_TABLE = refusal_case("dynamodb", {**TABLE, "table_name": LONG_TABLE})
LONGEST_NAMES = {kind: plan_case(kind, _most_names(kind)) for kind in sorted(MODULES)}


def test_terraform_refuses_malformed_values(refused):
    """Variable validations: Terraform reports every invalid variable of one plan."""
    error = refused(MALFORMED_KAFKA)
    for expected in (
        "vpc_id must be an AWS id such as vpc-0123456789abcdef0 (vpc- and 8 or 17 lowercase hex digits).",
        "subnet_ids must list each subnet once (AWS treats the list as a set).",
        "tags must have no tag key starting with aws: (AWS reserves the prefix, in any case).",
        "tags must use only letters, digits, spaces and _ . : / = + - @ in tag keys and values.",
        "broker_instance_type must be a Standard broker type MSK offers (modules/catalog.py).",
        "server_properties must name only properties MSK lets a custom configuration set (modules/catalog.py).",
        "kms_key_arn must be a whole kms ARN (partition aws, aws-cn or aws-us-gov, region, 12-digit account), such as "
        "arn:aws:kms:ap-northeast-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab, or alias/aws/kafka.",
    ):
        assert expected in error


def test_terraform_refuses_ingress_adding_up_to_everything_and_unknown_parameters(refused):
    """Preconditions on the replication group."""
    error = refused(EVERYWHERE_INGRESS_CACHE)
    assert ("allowed_cidr_blocks must not add up to every IPv4 or every IPv6 address (such as 0.0.0.0/1 with "
            "128.0.0.0/1) unless allow_ingress_from_anywhere = true.") in error
    assert "parameters must name only parameters of the parameter group family (valkey7 for Valkey 7.2, valkey8 for 8.x" in error


def test_terraform_refuses_a_table_name_that_makes_a_kms_alias_too_long(refused):
    error = refused(KMS_ALIAS_TOO_LONG_TABLE)
    assert ("table_name must keep the KMS alias alias/dynamodb/<table name, dots as hyphens> within 256 characters "
            "(KMS CreateAlias: AliasName is at most 256 characters).") in error


@pytest.mark.parametrize("kind", sorted(MODULES))
def test_derived_names_are_the_names_terraform_plans(planned, kind):
    """The Python side computes the same names as resources.py: an offline plan with the longest names allowed."""
    module = MODULES[kind]
    given = _most_names(kind)
    plan = planned(LONGEST_NAMES[kind])
    planned_names = set()
    prefixes = set()
    for change in plan["resource_changes"]:
        after = change["change"]["after"] or {}
        planned_names.update(after[key] for key in ("name", "replication_group_id", "cluster_name") if isinstance(after.get(key), str))
        if isinstance(after.get("name_prefix"), str):
            prefixes.add(after["name_prefix"])
    values = module.inputs.validate(given)
    for aws_name in module.inputs.aws_names:
        name = aws_name.value(values)
        if aws_name.what == "security group":
            assert name[:-26] in prefixes
        else:
            assert name in planned_names, (aws_name.what, name, sorted(planned_names))



def test_every_bad_default_tag_is_reported_by_key(tmp_path):
    text = HEAD + TABLE_BLOCK + '\n[tags]\n"aws:x" = "1"\nCost = "${price}"\n"' + "k" * 129 + '" = "v"\n'
    assert env_problems(tmp_path, text) == [
        f'{ENV}: [tags] aws:x: must have no tag key starting with aws: (AWS reserves the prefix, in any case), got "aws:x"',
        f"{ENV}: [tags] Cost: must use only letters, digits, spaces and _ . : / = + - @ in tag keys and values, got "
        '"${price}"',
        f'{ENV}: [tags] {"k" * 129}: must have tag keys of 1 to 128 characters, got "{"k" * 129}" (129 characters)',
    ]
