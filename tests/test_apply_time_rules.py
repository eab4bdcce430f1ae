"""AWS rules that only `terraform apply` caught (issue 26, second round), now refused before apply: each through the
command line as users call it (`python main.py --config <file>`: one line, exit 1, nothing written), through HCL
planned by real Terraform (the modules' validations and preconditions), at its accepted boundary both ways, and with
the values a caller's root only knows at apply (they pass the plan).

"Another region" is the environment file's `region` for the command line and the provider's region
(data.aws_region.current, ap-northeast-2 in the test roots) for HCL.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator.commands import cli
from generator.config import environments
from generator.language import expr, rules
from generator.language.inputs import InputError
from modules import all_modules
from testkit import terraform
from testkit.pytest_terraform import background_terraform, plan_case, refusal_case

MODULES = all_modules()
ENV = "environments/dev.toml"
SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"]
HEAD = f'''name_prefix = "mapzip-dev-"
region = "ap-northeast-2"
vpc_id = "vpc-0a1b2c3d4e5f60718"
subnet_ids = {json.dumps(SUBNETS)}
'''
KEY_HERE = "arn:aws:kms:ap-northeast-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
KEY_VIRGINIA = KEY_HERE.replace("ap-northeast-2", "us-east-1")
KEY_TOKYO = KEY_HERE.replace("ap-northeast-2", "ap-northeast-1")
TOPIC_VIRGINIA = "arn:aws:sns:us-east-1:111122223333:alerts"
TOPIC_HERE = "arn:aws:sns:ap-northeast-2:111122223333:alerts"
SG = "sg-0123456789abcdef0"
POLICY_HEAD = '{"Version": "2012-10-17", "Statement": [], "Id": "'


def policy(size: int) -> str:
    """A resource policy of exactly `size` bytes of UTF-8."""
    return POLICY_HEAD + "x" * (size - len(POLICY_HEAD) - 2) + '"}'


TABLE = '''
[dynamodb]
table_name = "reviews"
hash_key = "review_id"
attributes = [{ name = "review_id", type = "S" }]
'''
CACHE = '''
[elasticache]
cluster_name = "auth"
subnet_ids = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
'''
KAFKA = '''
[msk]
cluster_name = "events"
'''
SERVERLESS = '''
[valkeyserverless]
cache_name = "sessions"
subnet_ids = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
'''


def table(extra: str) -> str:
    return HEAD + TABLE + extra


def block(base: str, extra: str) -> str:
    return HEAD + base + extra


REPLICA_STREAM = 'stream_enabled = true\nstream_view_type = "NEW_AND_OLD_IMAGES"\n'
# (case id, environment file, the one line the command prints after "error: ")
REFUSED = [
    # --- DynamoDB ---------------------------------------------------------------------------------------------------
    ("dynamodb-range-key-is-hash-key",
     table('range_key = "review_id"\n'),
     f'{ENV}: [dynamodb] range_key: must differ from hash_key (a key schema names an attribute once: AWS refuses a '
     'duplicate), got range_key = "review_id", hash_key = "review_id"'),
    ("dynamodb-gsi-range-key-is-hash-key",
     table('global_secondary_indexes = [{ name = "by_review", hash_key = "review_id", range_key = "review_id" }]\n'),
     f'{ENV}: [dynamodb] global_secondary_indexes: must have a range_key other than their hash_key (a key schema '
     'names an attribute once), got "by_review"'),
    ("dynamodb-gsi-and-lsi-share-a-name",
     HEAD + TABLE.replace('attributes = [{ name = "review_id", type = "S" }]',
                          'range_key = "created_at"\nattributes = [{ name = "review_id", type = "S" }, '
                          '{ name = "created_at", type = "N" }]')
     + 'global_secondary_indexes = [{ name = "by_date", hash_key = "created_at" }]\n'
     'local_secondary_indexes = [{ name = "by_date", range_key = "created_at" }]\n',
     f'{ENV}: [dynamodb] global_secondary_indexes: must not share a name with a local secondary index (index names '
     'are unique per table); both have by_date, got [{"autoscaling_read_max_capacity": null, '
     '"autoscaling_read_policy_name": null, "autoscaling_scale_in_cooldown": null, '
     '"autoscaling_scale_out_cooldown": null, "autoscaling_target_value": null, '
     '"autoscaling_write_max_capacity": null, "autoscaling_write_policy_name": null, '
     '"hash_key": "created_at", "max_read_request_units": null, '
     '"max_write_request_units": null, "name": "by_date", "non_key_attributes": null, "projection_type": "ALL", '
     '"range_key": null, "read_capacity": null, "write_capacity": null}]'),
    ("dynamodb-key-name-256-bytes",
     HEAD + TABLE.replace('"review_id"', '"' + "é" * 128 + '"'),
     # One line per input that breaks the rule: the key, and its declaration.
     [f'{ENV}: [dynamodb] hash_key: must be 1 to 255 bytes of UTF-8 (the partition key: a DynamoDB key attribute '
      f'name), got "{"é" * 128}" (256 bytes)',
      f'{ENV}: [dynamodb] attributes: must have names of 1 to 255 bytes of UTF-8 (DynamoDB key attribute names), got '
      f'"{"é" * 128}" (256 bytes)']),
    ("dynamodb-index-key-name-256-bytes",
     table(f'attributes = [{{ name = "review_id", type = "S" }}, {{ name = "{"k" * 256}", type = "S" }}]\n'
           f'global_secondary_indexes = [{{ name = "by_k", hash_key = "{"k" * 256}" }}]\n').replace(
         'attributes = [{ name = "review_id", type = "S" }]\n', "", 1),
     f'{ENV}: [dynamodb] attributes: must have names of 1 to 255 bytes of UTF-8 (DynamoDB key attribute names), got '
     f'"{"k" * 256}" (256 bytes)'),
    ("dynamodb-empty-hash-key",
     HEAD + TABLE.replace('"review_id"', '""'),
     [f'{ENV}: [dynamodb] hash_key: must be 1 to 255 bytes of UTF-8 (the partition key: a DynamoDB key attribute '
      'name), got "" (0 bytes)',
      f'{ENV}: [dynamodb] attributes: must have names of 1 to 255 bytes of UTF-8 (DynamoDB key attribute names), got '
      '"" (0 bytes)']),
    ("dynamodb-policy-over-20-kb",
     table(f"resource_policy = '{policy(20481)}'\n"),
     f"{ENV}: [dynamodb] resource_policy: must be at most 20480 bytes (20 KB, whitespace included: DynamoDB's limit "
     "on a resource policy), got 20481 bytes"),
    ("dynamodb-gsi-negative-and-fractional-capacity",
     table('billing_mode = "PROVISIONED"\nread_capacity = 5\nwrite_capacity = 5\n'
           'global_secondary_indexes = [{ name = "by_review", hash_key = "review_id", read_capacity = -5, '
           'write_capacity = 0.5 }]\n'),
     f'{ENV}: [dynamodb] global_secondary_indexes: must have read_capacity and write_capacity that are whole numbers '
     'between 1 and 40000, got "by_review" with read_capacity = -5, write_capacity = 0.5'),
    ("dynamodb-fractional-table-capacity",
     table('billing_mode = "PROVISIONED"\nread_capacity = 2.5\nwrite_capacity = 5\n'),
     f"{ENV}: [dynamodb] read_capacity: must be a whole number between 1 and 40000, got 2.5"),
    ("dynamodb-negative-autoscaling-max",
     table('billing_mode = "PROVISIONED"\nread_capacity = 5\nwrite_capacity = 5\nautoscaling_write_max_capacity = -1\n'),
     f"{ENV}: [dynamodb] autoscaling_write_max_capacity: must be a whole number between 1 and 40000, got -1"),
    ("dynamodb-table-key-in-another-region",
     table(f'server_side_encryption_kms_key_arn = "{KEY_VIRGINIA}"\n'),
     f"{ENV}: [dynamodb] server_side_encryption_kms_key_arn: must be a KMS key of the stack's region and partition, "
     f'ap-northeast-2 (partition aws), got "{KEY_VIRGINIA}"'),
    ("dynamodb-replica-key-in-another-region",
     table(REPLICA_STREAM + f'replica_regions = [{{ region_name = "ap-northeast-1", kms_key_arn = "{KEY_HERE}" }}]\n'),
     f"{ENV}: [dynamodb] replica_regions: must give each replica a kms_key_arn of its own region_name and of the "
     "stack's partition (a KMS key encrypts in its own region only), got "
     f'[{{"kms_key_arn": "{KEY_HERE}", "point_in_time_recovery": true, "propagate_tags": true, '
     '"region_name": "ap-northeast-1"}]'),
    ("dynamodb-replica-in-the-tables-region",
     table(REPLICA_STREAM + f'replica_regions = [{{ region_name = "ap-northeast-2", kms_key_arn = "{KEY_HERE}" }}]\n'),
     f"{ENV}: [dynamodb] replica_regions: must not name the stack's own region ap-northeast-2: the table is there "
     "(AWS: Cannot add, delete, or update the local region through ReplicaUpdates), got "
     f'[{{"kms_key_arn": "{KEY_HERE}", "point_in_time_recovery": true, "propagate_tags": true, '
     '"region_name": "ap-northeast-2"}]'),
    # --- ElastiCache ------------------------------------------------------------------------------------------------
    ("elasticache-501-nodes",
     block(CACHE, "num_node_groups = 167\nreplicas_per_node_group = 2\n"),
     f"{ENV}: [elasticache] num_node_groups: must keep num_node_groups × (replicas_per_node_group + 1) within 500 "
     "nodes per cluster (ElastiCache quota); it would have 501, got num_node_groups = 167, replicas_per_node_group = 2"),
    ("elasticache-duplicate-ingress-rule",
     block(CACHE, f'allowed_security_group_ids = ["{SG}"]\n'
                  f'ingress_rules = {{ nodes = {{ from_port = 6379, referenced_security_group_id = "{SG}" }} }}\n'),
     f"{ENV}: [elasticache] ingress_rules: must not repeat a rule the module already makes for "
     "allowed_security_group_ids or allowed_cidr_blocks (TCP on the module's ports; AWS refuses it: "
     f'InvalidPermission.Duplicate); repeated: nodes (TCP 6379), got allowed_security_group_ids = ["{SG}"], '
     "allowed_cidr_blocks = []"),
    ("elasticache-duplicate-cidr-ingress-rule",
     block(CACHE, 'port = 6380\nallowed_cidr_blocks = ["10.0.0.0/16"]\n'
                  'ingress_rules = { vpc = { from_port = 6380, to_port = 6380, cidr_ipv4 = "10.0.0.0/16" } }\n'),
     f"{ENV}: [elasticache] ingress_rules: must not repeat a rule the module already makes for "
     "allowed_security_group_ids or allowed_cidr_blocks (TCP on the module's ports; AWS refuses it: "
     'InvalidPermission.Duplicate); repeated: vpc (TCP 6380), got allowed_security_group_ids = [], '
     'allowed_cidr_blocks = ["10.0.0.0/16"]'),
    ("elasticache-unknown-acl-category",
     block(CACHE, 'users = { app = { access_string = "on ~* +@read -@BOGUS", authentication_type = "iam" } }\n'),
     f"{ENV}: [elasticache] users: must give each user an access_string whose +@ and -@ name ACL categories Valkey "
     "has (all, keyspace, read, write, set, sortedset, list, hash, string, bitmap, hyperloglog, geo, stream, pubsub, "
     'admin, fast, slow, blocking, dangerous, connection, transaction, scripting), got "app" (-@BOGUS)'),
    ("elasticache-key-in-another-region",
     block(CACHE, f'kms_key_arn = "{KEY_VIRGINIA}"\n'),
     f"{ENV}: [elasticache] kms_key_arn: must be a KMS key of the stack's region and partition, ap-northeast-2 "
     f'(partition aws), got "{KEY_VIRGINIA}"'),
    ("elasticache-topic-in-another-region",
     block(CACHE, f'notification_topic_arn = "{TOPIC_VIRGINIA}"\n'),
     f"{ENV}: [elasticache] notification_topic_arn: must be an SNS topic of the stack's region and partition, "
     f'ap-northeast-2 (partition aws), got "{TOPIC_VIRGINIA}"'),
    ("elasticache-alarm-action-in-another-region",
     block(CACHE, f'alarms_enabled = true\nalarm_actions = ["{TOPIC_HERE}", "{TOPIC_VIRGINIA}"]\n'),
     f"{ENV}: [elasticache] alarm_actions: must be ARNs (SNS topics) of the stack's region and partition, "
     f'ap-northeast-2 (partition aws), got ["{TOPIC_HERE}", "{TOPIC_VIRGINIA}"]'),
    ("elasticache-commercial-key-in-china",
     HEAD.replace("ap-northeast-2", "cn-north-1") + CACHE
     + f'kms_key_arn = "{KEY_HERE.replace("ap-northeast-2", "cn-north-1")}"\n',
     f"{ENV}: [elasticache] kms_key_arn: must be a KMS key of the stack's region and partition, cn-north-1 "
     f'(partition aws-cn), got "{KEY_HERE.replace("ap-northeast-2", "cn-north-1")}"'),
    ("elasticache-govcloud-snapshot-in-commercial",
     block(CACHE, 'snapshot_arns = ["arn:aws-us-gov:s3:::backups/cache/dump.rdb"]\n'),
     f"{ENV}: [elasticache] snapshot_arns: must be ARNs of S3 objects of the stack's partition, partition aws "
     '(ap-northeast-2), got ["arn:aws-us-gov:s3:::backups/cache/dump.rdb"]'),
    # --- MSK --------------------------------------------------------------------------------------------------------
    ("msk-duplicate-ingress-rule",
     block(KAFKA, f'allowed_security_group_ids = ["{SG}"]\n'
                  f'ingress_rules = {{ iam = {{ from_port = 9098, referenced_security_group_id = "{SG}" }} }}\n'),
     f"{ENV}: [msk] ingress_rules: must not repeat a rule the module already makes for allowed_security_group_ids or "
     "allowed_cidr_blocks (TCP on the module's ports; AWS refuses it: InvalidPermission.Duplicate); repeated: iam "
     f'(TCP 9098), got allowed_security_group_ids = ["{SG}"], allowed_cidr_blocks = []'),
    ("msk-key-in-another-region",
     block(KAFKA, f'kms_key_arn = "{KEY_TOKYO}"\n'),
     f"{ENV}: [msk] kms_key_arn: must be a KMS key of the stack's region and partition, ap-northeast-2 (partition "
     f'aws), got "{KEY_TOKYO}"'),
    # --- Valkey Serverless ------------------------------------------------------------------------------------------
    ("serverless-key-in-another-region",
     block(SERVERLESS, f'kms_key_arn = "{KEY_VIRGINIA}"\n'),
     f"{ENV}: [valkeyserverless] kms_key_arn: must be a KMS key of the stack's region and partition, ap-northeast-2 "
     f'(partition aws), got "{KEY_VIRGINIA}"'),
    ("serverless-snapshot-in-another-region",
     block(SERVERLESS, 'snapshot_arns_to_restore = '
                       '["arn:aws:elasticache:us-west-2:111122223333:serverlesscachesnapshot:sessions-1"]\n'),
     f"{ENV}: [valkeyserverless] snapshot_arns_to_restore: must be ElastiCache snapshots of the stack's region and "
     'partition, ap-northeast-2 (partition aws), got '
     '["arn:aws:elasticache:us-west-2:111122223333:serverlesscachesnapshot:sessions-1"]'),
]

# (case id, environment file): values at the boundaries, accepted.
ACCEPTED = [
    ("dynamodb-key-names-of-255-bytes",
     HEAD + TABLE.replace('"review_id"', '"' + "é" * 127 + 'x"')
     + 'global_secondary_indexes = [{ name = "by_it", hash_key = "' + "é" * 127 + 'x", projection_type = "KEYS_ONLY" }]\n'),
    ("dynamodb-policy-of-20-kb", table(f"resource_policy = '{policy(20480)}'\n")),
    ("dynamodb-gsi-capacities-1-and-40000",
     table('billing_mode = "PROVISIONED"\nread_capacity = 5\nwrite_capacity = 5\n'
           'global_secondary_indexes = [{ name = "by_review", hash_key = "review_id", read_capacity = 1, '
           'write_capacity = 40000, autoscaling_write_max_capacity = 40000 }]\n')),
    ("dynamodb-keys-and-replica-in-their-regions",
     table(REPLICA_STREAM + f'server_side_encryption_kms_key_arn = "{KEY_HERE}"\n'
           f'replica_regions = [{{ region_name = "ap-northeast-1", kms_key_arn = "{KEY_TOKYO}" }}]\n')),
    ("dynamodb-aws-managed-key-alias", table('server_side_encryption_kms_key_arn = "alias/aws/dynamodb"\n')),
    ("elasticache-500-nodes", block(CACHE, "num_node_groups = 250\nreplicas_per_node_group = 1\n")),
    ("elasticache-500-nodes-default-replicas", block(CACHE, "num_node_groups = 250\n")),
    ("elasticache-ingress-rules-of-their-own",
     block(CACHE, f'allowed_security_group_ids = ["{SG}"]\n'
                  f'ingress_rules = {{ tls = {{ from_port = 6380, referenced_security_group_id = "{SG}" }}, '
                  f'range = {{ from_port = 6379, to_port = 6380, referenced_security_group_id = "{SG}" }}, '
                  'udp = { ip_protocol = "udp", from_port = 6379, referenced_security_group_id = "' + SG + '" } }\n')),
    ("elasticache-every-acl-category",
     block(CACHE, 'users = { default-user = { user_name = "default", access_string = "off ~* -@all" }, '
                  'app = { access_string = "on ~app:* &* '
                  + " ".join(f"+@{c}" for c in ("all", "keyspace", "read", "write", "set", "sortedset", "list",
                                                "hash", "string", "bitmap", "hyperloglog", "geo", "stream"))
                  + " " + " ".join(f"-@{c.upper()}" for c in ("pubsub", "admin", "fast", "slow", "blocking",
                                                              "dangerous", "connection", "transaction", "scripting"))
                  + ' +get -flushall", authentication_type = "iam" } }\n')),
    ("elasticache-arns-of-the-stack",
     block(CACHE, f'kms_key_arn = "{KEY_HERE}"\nnotification_topic_arn = "{TOPIC_HERE}"\n'
                  f'alarms_enabled = true\nalarm_actions = ["{TOPIC_HERE}"]\nok_actions = ["{TOPIC_HERE}"]\n'
                  'snapshot_arns = ["arn:aws:s3:::backups/cache/dump.rdb"]\n')),
    ("elasticache-china-arns-in-china",
     HEAD.replace("ap-northeast-2", "cn-north-1") + CACHE
     + f'kms_key_arn = "{KEY_HERE.replace("arn:aws:", "arn:aws-cn:").replace("ap-northeast-2", "cn-north-1")}"\n'
     'snapshot_arns = ["arn:aws-cn:s3:::backups/cache/dump.rdb"]\n'),
    ("msk-plaintext-port-rule-of-its-own",
     block(KAFKA, f'allowed_security_group_ids = ["{SG}"]\n'
                  f'ingress_rules = {{ zookeeper = {{ from_port = 2181, referenced_security_group_id = "{SG}" }} }}\n'
                  f'kms_key_arn = "{KEY_HERE}"\n')),
    ("serverless-arns-of-the-stack",
     block(SERVERLESS, f'kms_key_arn = "{KEY_HERE}"\nsnapshot_arns_to_restore = '
                       '["arn:aws:elasticache:ap-northeast-2:111122223333:serverlesscachesnapshot:sessions-1"]\n')),
]


def load(tmp_path: Path, text: str) -> environments.Environment:
    path = tmp_path / "dev.toml"
    path.write_text(text, encoding="utf-8")
    return environments.load(path, MODULES, ENV)


def lines(message: str | list[str]) -> list[str]:
    return [message] if isinstance(message, str) else message


@pytest.mark.parametrize(("text", "message"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_the_environment_check_refuses(tmp_path, text, message):
    with pytest.raises(InputError) as refused:
        load(tmp_path, text)
    assert refused.value.problems == lines(message)


@pytest.mark.parametrize("text", [c[1] for c in ACCEPTED], ids=[c[0] for c in ACCEPTED])
def test_the_environment_check_accepts_the_boundaries(tmp_path, text):
    assert load(tmp_path, text).modules


@pytest.mark.parametrize(("text", "message"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_the_command_refuses_with_one_line_and_writes_nothing(tmp_path, capsys, text, message):
    config = tmp_path / "dev.toml"
    config.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["--config", str(config), "--out", str(out)]) == 1
    captured = capsys.readouterr()
    expected = "".join(f"error: {line.replace(ENV, str(config))}\n" for line in lines(message))
    assert (captured.err, captured.out) == (expected, "")
    assert not out.exists()


def test_without_a_region_the_region_checks_pass():
    """A module's inputs judged with no stack around them (no environment file: the region is not known) pass the
    region checks, as Terraform passes a condition it cannot know at plan."""
    inputs = MODULES["valkeyserverless"].inputs
    given = {"name_prefix": "mapzip-dev-", "cache_name": "sessions", "vpc_id": "vpc-0a1b2c3d4e5f60718",
             "subnet_ids": SUBNETS[:2], "kms_key_arn": KEY_VIRGINIA, "create_kms_key": False}
    assert inputs.problems(given)[1] == []
    assert [m for _, m in inputs.problems(given, context=rules.stack_context("ap-northeast-2"))[1]] == [
        "kms_key_arn: must be a KMS key of the stack's region and partition, ap-northeast-2 (partition aws), got "
        f'"{KEY_VIRGINIA}"']
    # A region the catalog does not know is reported by the region check alone: nothing is judged against it.
    assert rules.stack_context("mars-east-1") == {rules.REGION_KEY: None, rules.PARTITION_KEY: None}


def test_utf8_bytes_counts_bytes_in_both_languages():
    counted = expr.utf8_bytes(expr.value)
    assert counted.hcl() == 'floor(length(replace(base64encode({v}), "=", "")) * 0.75)'
    for text in ("", "a", "ab", "abc", "é" * 127 + "x", "한" * 85, "🙂" * 64, "x" * 20480):
        assert counted.evaluate({expr.VALUE_KEY: text}) == len(text.encode("utf-8")), text


# --- HCL: the same rules as validations and preconditions, planned by Terraform --------------------------------------
TABLE_ARGS = {"name_prefix": "mapzip-dev-", "table_name": "reviews", "hash_key": "review_id",
              "attributes": [{"name": "review_id", "type": "S"}]}
CACHE_ARGS = {"name_prefix": "mapzip-dev-", "cluster_name": "auth", "vpc_id": "vpc-0a1b2c3d4e5f60718",
              "subnet_ids": SUBNETS[:2]}
KAFKA_ARGS = {"name_prefix": "mapzip-dev-", "cluster_name": "events", "vpc_id": "vpc-0a1b2c3d4e5f60718",
              "subnet_ids": SUBNETS}
SERVERLESS_ARGS = {"name_prefix": "mapzip-dev-", "cache_name": "sessions", "vpc_id": "vpc-0a1b2c3d4e5f60718",
                   "subnet_ids": SUBNETS[:2]}

# (case, the lines Terraform must print): one refusal per rule, so that each failing line is its own.
HCL_REFUSALS = {
    "dynamodb-empty-hash-key": (
        refusal_case("dynamodb", {**TABLE_ARGS, "hash_key": "", "attributes": [{"name": "", "type": "S"}]}),
        ["hash_key must be 1 to 255 bytes of UTF-8 (the partition key: a DynamoDB key attribute name).",
         "attributes must have names of 1 to 255 bytes of UTF-8 (DynamoDB key attribute names)."]),
    "dynamodb-key-name-256-bytes": (
        refusal_case("dynamodb", {**TABLE_ARGS, "hash_key": "é" * 128, "attributes": [{"name": "é" * 128, "type": "S"}]}),
        ["hash_key must be 1 to 255 bytes of UTF-8 (the partition key: a DynamoDB key attribute name)."]),
    "dynamodb-range-key-is-hash-key": (
        refusal_case("dynamodb", {**TABLE_ARGS, "range_key": "review_id"}),
        ["range_key must differ from hash_key (a key schema names an attribute once: AWS refuses a duplicate)."]),
    "dynamodb-gsi": (
        refusal_case("dynamodb", {**TABLE_ARGS, "billing_mode": "PROVISIONED", "read_capacity": 5, "write_capacity": 5,
                                  "global_secondary_indexes": [
                                      {"name": "by_review", "hash_key": "review_id", "range_key": "review_id",
                                       "read_capacity": -5, "write_capacity": 0.5}]}),
        ["global_secondary_indexes must have read_capacity and write_capacity that are whole numbers between 1 and "
         "40000.",
         "global_secondary_indexes must have a range_key other than their hash_key (a key schema names an attribute "
         "once)."]),
    "dynamodb-gsi-and-lsi-share-a-name": (
        refusal_case("dynamodb", {**TABLE_ARGS, "range_key": "created_at",
                                  "attributes": [{"name": "review_id", "type": "S"}, {"name": "created_at", "type": "N"}],
                                  "global_secondary_indexes": [{"name": "by_date", "hash_key": "created_at"}],
                                  "local_secondary_indexes": [{"name": "by_date", "range_key": "created_at"}]}),
        ["global_secondary_indexes must not share a name with a local secondary index (index names are unique per "
         "table)."]),
    "dynamodb-policy-over-20-kb": (
        refusal_case("dynamodb", {**TABLE_ARGS, "resource_policy": policy(20481), "create_resource_policy": True}),
        ["resource_policy must be at most 20480 bytes (20 KB, whitespace included: DynamoDB's limit on a resource "
         "policy)."]),
    "dynamodb-keys-in-other-regions": (
        refusal_case("dynamodb", {**TABLE_ARGS, "server_side_encryption_kms_key_arn": KEY_VIRGINIA,
                                  "create_kms_key": False, "stream_enabled": True,
                                  "stream_view_type": "NEW_AND_OLD_IMAGES",
                                  "replica_regions": [{"region_name": "ap-northeast-1", "kms_key_arn": KEY_HERE}]}),
        ["server_side_encryption_kms_key_arn must be a KMS key of the module's region and partition (the provider's, "
         "data.aws_region.current).",
         "replica_regions must give each replica a kms_key_arn of its own region_name and of the stack's partition "
         "(a KMS key encrypts in its own region only)."]),
    "dynamodb-replica-in-the-tables-region": (
        refusal_case("dynamodb", {**TABLE_ARGS, "stream_enabled": True, "stream_view_type": "NEW_AND_OLD_IMAGES",
                                  "replica_regions": [{"region_name": "ap-northeast-2", "kms_key_arn": KEY_HERE}]}),
        ["replica_regions must not name the module's own region (the provider's, data.aws_region.current): the table "
         "is there."]),
    "elasticache-501-nodes": (
        refusal_case("elasticache", {**CACHE_ARGS, "num_node_groups": 167, "replicas_per_node_group": 2}),
        ["num_node_groups must keep num_node_groups × (replicas_per_node_group + 1) within 500 nodes per cluster "
         "(ElastiCache quota)."]),
    "elasticache-duplicate-ingress-rule": (
        refusal_case("elasticache", {**CACHE_ARGS, "allowed_security_group_ids": [SG], "ingress_rules": {
            "nodes": {"from_port": 6379, "referenced_security_group_id": SG}}}),
        ["ingress_rules must not repeat a rule the module already makes for allowed_security_group_ids or "
         "allowed_cidr_blocks (TCP on the module's ports; AWS refuses it: InvalidPermission.Duplicate)."]),
    "elasticache-unknown-acl-category": (
        refusal_case("elasticache", {**CACHE_ARGS, "users": {
            "app": {"access_string": "on ~* +@bogus", "authentication_type": "iam"}}}),
        ["users must give each user an access_string whose +@ and -@ name ACL categories Valkey has (all, keyspace, "
         "read, write, set, sortedset, list, hash, string, bitmap, hyperloglog, geo, stream, pubsub, admin, fast, "
         "slow, blocking, dangerous, connection, transaction, scripting)."]),
    "elasticache-arns-in-other-regions": (
        refusal_case("elasticache", {**CACHE_ARGS, "kms_key_arn": KEY_VIRGINIA, "log_kms_key_arn": KEY_TOKYO,
                                     "create_kms_key": False, "notification_topic_arn": TOPIC_VIRGINIA,
                                     "alarms_enabled": True, "alarm_actions": [TOPIC_VIRGINIA],
                                     "ok_actions": [TOPIC_VIRGINIA],
                                     "snapshot_arns": ["arn:aws-cn:s3:::backups/cache/dump.rdb"]}),
        ["kms_key_arn must be a KMS key of the module's region and partition (the provider's, "
         "data.aws_region.current).",
         "log_kms_key_arn must be a KMS key of the module's region and partition (the provider's, "
         "data.aws_region.current).",
         "notification_topic_arn must be an SNS topic of the module's region and partition (the provider's, "
         "data.aws_region.current).",
         "alarm_actions must be ARNs (SNS topics) of the module's region and partition (the provider's, "
         "data.aws_region.current).",
         "ok_actions must be ARNs (SNS topics) of the module's region and partition (the provider's, "
         "data.aws_region.current).",
         "snapshot_arns must be ARNs of S3 objects of the module's partition (the provider's, "
         "data.aws_region.current)."]),
    "elasticache-key-of-another-partition": (
        refusal_case("elasticache", {**CACHE_ARGS, "kms_key_arn": KEY_HERE.replace("arn:aws:", "arn:aws-cn:"),
                                     "create_kms_key": False, "log_kms_key_arn": KEY_HERE}),
        ["kms_key_arn must be a KMS key of the module's region and partition (the provider's, "
         "data.aws_region.current)."]),
    "msk": (
        refusal_case("msk", {**KAFKA_ARGS, "kms_key_arn": KEY_TOKYO, "create_kms_key": False,
                             "log_kms_key_arn": KEY_HERE, "allowed_security_group_ids": [SG],
                             "ingress_rules": {"iam": {"from_port": 9098, "referenced_security_group_id": SG}}}),
        ["kms_key_arn must be a KMS key of the module's region and partition (the provider's, "
         "data.aws_region.current).",
         "ingress_rules must not repeat a rule the module already makes for allowed_security_group_ids or "
         "allowed_cidr_blocks (TCP on the module's ports; AWS refuses it: InvalidPermission.Duplicate)."]),
    "serverless": (
        refusal_case("valkeyserverless", {**SERVERLESS_ARGS, "kms_key_arn": KEY_VIRGINIA, "create_kms_key": False,
                                          "snapshot_arns_to_restore": [
                                              "arn:aws:elasticache:us-west-2:111122223333:serverlesscachesnapshot:s-1"]}),
        ["kms_key_arn must be a KMS key of the module's region and partition (the provider's, "
         "data.aws_region.current).",
         "snapshot_arns_to_restore must be ElastiCache snapshots of the module's region and partition (the "
         "provider's, data.aws_region.current)."]),
}


@pytest.mark.parametrize("name", sorted(HCL_REFUSALS))
def test_terraform_refuses(refused, name):
    case, lines = HCL_REFUSALS[name]
    error = refused(case)
    for line in lines:
        assert line in error, f"{line}\nnot in\n{error}"


# The boundaries, accepted by Terraform's plan too.
HCL_ACCEPTED = {
    "dynamodb": plan_case("dynamodb", {
        **TABLE_ARGS, "hash_key": "é" * 127 + "x", "attributes": [{"name": "é" * 127 + "x", "type": "S"}],
        "resource_policy": policy(20480), "create_resource_policy": True,
        "billing_mode": "PROVISIONED", "read_capacity": 5, "write_capacity": 5,
        "global_secondary_indexes": [{"name": "by_it", "hash_key": "é" * 127 + "x", "projection_type": "KEYS_ONLY",
                                      "read_capacity": 1, "write_capacity": 40000,
                                      "autoscaling_write_max_capacity": 40000}],
        "server_side_encryption_kms_key_arn": KEY_HERE, "create_kms_key": False,
        "stream_enabled": True, "stream_view_type": "NEW_AND_OLD_IMAGES",
        "replica_regions": [{"region_name": "ap-northeast-1", "kms_key_arn": KEY_TOKYO}],
    }),
    "elasticache": plan_case("elasticache", {
        **CACHE_ARGS, "num_node_groups": 250, "replicas_per_node_group": 1,
        "allowed_security_group_ids": [SG],
        "ingress_rules": {"tls": {"from_port": 6380, "referenced_security_group_id": SG}},
        "users": {"default-user": {"user_name": "default", "access_string": "off ~* -@all"},
                  "app": {"access_string": "on ~* +@all -@DANGEROUS", "authentication_type": "iam"}},
        "user_passwords": {"default-user": ["example-password-0123"]},
        "kms_key_arn": KEY_HERE, "log_kms_key_arn": KEY_HERE, "create_kms_key": False,
        # No alarms here: at 500 nodes they are 2,500 resources, and their plan cost 265 s of CPU (11 resources:
        # 14 s), a third of the suite, for a boundary that is the node count. The per-node alarms are planned in
        # test_alarms.py (the prod stack, 3 and 6 nodes).
        "notification_topic_arn": TOPIC_HERE,
    }),
    "msk": plan_case("msk", {**KAFKA_ARGS, "kms_key_arn": KEY_HERE, "log_kms_key_arn": KEY_HERE,
                             "create_kms_key": False, "allowed_security_group_ids": [SG],
                             "ingress_rules": {"plain": {"from_port": 9092, "referenced_security_group_id": SG}}}),
    "valkeyserverless": plan_case("valkeyserverless", {
        **SERVERLESS_ARGS, "kms_key_arn": KEY_HERE, "create_kms_key": False,
        "snapshot_arns_to_restore": ["arn:aws:elasticache:ap-northeast-2:111122223333:serverlesscachesnapshot:s-1"]}),
}


@pytest.mark.parametrize("kind", sorted(HCL_ACCEPTED))
def test_terraform_accepts_the_boundaries(planned, kind):
    plan = planned(HCL_ACCEPTED[kind])
    assert plan["resource_changes"], kind


# --- a value unknown at plan passes the plan ---------------------------------------------------------------------
ROOT_WITH_UNKNOWN_ARNS = """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

provider "aws" { region = "ap-northeast-2" }

resource "aws_kms_key" "data" { enable_key_rotation = true }
resource "aws_sns_topic" "alerts" { name = "alerts" }

variable "cache_auth_token" {
  type      = string
  sensitive = true
}

module "table" {
  source                             = "./modules/dynamodb"
  name_prefix                        = "mapzip-dev-"
  table_name                         = "reviews"
  hash_key                           = "review_id"
  attributes                         = [{ name = "review_id", type = "S" }]
  server_side_encryption_kms_key_arn = aws_kms_key.data.arn
  create_kms_key                     = false
  alarms_enabled                     = true
  alarm_actions                      = [aws_sns_topic.alerts.arn]
}

module "cache" {
  source                 = "./modules/elasticache"
  name_prefix            = "mapzip-dev-"
  cluster_name           = "auth"
  auth_token             = var.cache_auth_token
  vpc_id                 = "vpc-0a1b2c3d4e5f60718"
  subnet_ids             = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
  kms_key_arn            = aws_kms_key.data.arn
  log_kms_key_arn        = aws_kms_key.data.arn
  create_kms_key         = false
  notification_topic_arn = aws_sns_topic.alerts.arn
  alarms_enabled         = true
  alarm_actions          = [aws_sns_topic.alerts.arn]
}

module "kafka" {
  source          = "./modules/msk"
  name_prefix     = "mapzip-dev-"
  cluster_name    = "events"
  vpc_id          = "vpc-0a1b2c3d4e5f60718"
  subnet_ids      = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"]
  kms_key_arn     = aws_kms_key.data.arn
  log_kms_key_arn = aws_kms_key.data.arn
  create_kms_key  = false
}

module "sessions" {
  source         = "./modules/valkeyserverless"
  name_prefix    = "mapzip-dev-"
  cache_name     = "sessions"
  vpc_id         = "vpc-0a1b2c3d4e5f60718"
  subnet_ids     = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
  kms_key_arn    = aws_kms_key.data.arn
  create_kms_key = false
}
"""


@background_terraform
def plan_with_arns_unknown_at_plan(generated_tree: Path, workdir: Path) -> dict:
    for kind in ("dynamodb", "elasticache", "msk", "valkeyserverless"):
        shutil.copytree(generated_tree / "modules" / kind, workdir / "modules" / kind,
                        ignore=shutil.ignore_patterns("tests"))
    (workdir / "main.tf").write_text(ROOT_WITH_UNKNOWN_ARNS)
    (workdir / "offline_override.tf.json").write_text(json.dumps(terraform.OFFLINE_OVERRIDE))
    return terraform.plan_root(workdir, {"cache_auth_token": "placeholder-auth-token-0123456789"})


def test_arns_unknown_at_plan_pass_the_region_checks(background):
    """A key and a topic created by the same apply: their ARNs are unknown when Terraform plans, so the region
    checks cannot judge them there; the plan goes through (AWS judges them at apply, as before)."""
    plan = background(plan_with_arns_unknown_at_plan)
    changes = {c["address"]: c for c in plan["resource_changes"]}
    table = changes["module.table.aws_dynamodb_table.this"]["change"]
    assert table["after_unknown"]["server_side_encryption"][0]["kms_key_arn"] is True  # really unknown at plan
    for address in ("module.cache.aws_elasticache_replication_group.this", "module.kafka.aws_msk_cluster.this",
                    "module.sessions.aws_elasticache_serverless_cache.this"):
        assert changes[address]["change"]["actions"] == ["create"], address
