"""The modules plan where teams call them: in a root that creates the VPC, the subnets, the EKS node group and the
KMS keys in the same apply, so that every id, ARN and CIDR it passes is unknown at plan time; the same calls with
literal values; and the docs' own example, read from docs/modules.md so the two cannot drift.

One root holds every module call: a plan costs one provider load, whatever the number of calls.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from testkit import terraform
from testkit.assertions import Plan
from testkit.pytest_terraform import background_terraform
from testkit.project import PROJECT

# Stand-ins for terraform-aws-modules/vpc and /eks: the outputs a root passes on, with the same names, unknown
# until apply like the real ones.
VPC_STAND_IN = """
resource "aws_vpc" "this" {
  cidr_block                       = "10.0.0.0/16"
  assign_generated_ipv6_cidr_block = true
}

resource "aws_subnet" "private" {
  count             = 3
  vpc_id            = aws_vpc.this.id
  cidr_block        = cidrsubnet("10.0.0.0/16", 4, count.index)
  availability_zone = ["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c"][count.index]
}

output "vpc_id" { value = aws_vpc.this.id }
output "private_subnets" { value = aws_subnet.private[*].id }
output "vpc_ipv6_cidr_block" { value = aws_vpc.this.ipv6_cidr_block }
"""

EKS_STAND_IN = """
variable "vpc_id" { type = string }

resource "aws_security_group" "node" {
  name_prefix = "eks-node-"
  vpc_id      = var.vpc_id
}

output "node_security_group_id" { value = aws_security_group.node.id }
"""

# The root around the docs' example, and module calls that pass every input taking an id, an ARN, a CIDR or
# a list of them, each from a resource of this root (unknown at plan time) or as a literal.
ROOT = """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

provider "aws" { region = "ap-northeast-2" }

variable "elasticache_auth_token" {
  type      = string
  sensitive = true
}

module "vpc" { source = "./stand-ins/vpc" }

module "eks" {
  source = "./stand-ins/eks"
  vpc_id = module.vpc.vpc_id
}

resource "aws_kms_key" "data" { enable_key_rotation = true }
resource "aws_kms_key" "logs" { enable_key_rotation = true }
resource "aws_kms_key" "replica" { enable_key_rotation = true }

resource "aws_security_group" "bastion" {
  name_prefix = "bastion-"
  vpc_id      = module.vpc.vpc_id
}

resource "aws_security_group" "shared" {
  name_prefix = "shared-"
  vpc_id      = module.vpc.vpc_id
}

resource "aws_eip" "office" { domain = "vpc" }

resource "aws_ec2_managed_prefix_list" "office" {
  name           = "office"
  address_family = "IPv4"
  max_entries    = 5
}

resource "aws_sns_topic" "cache_events" { name = "cache-events" }

resource "aws_elasticache_user_group" "app" {
  engine        = "valkey"
  user_group_id = "app-users"
  user_ids      = ["default"]
}

resource "aws_acmpca_certificate_authority" "clients" {
  certificate_authority_configuration {
    key_algorithm     = "RSA_4096"
    signing_algorithm = "SHA512WITHRSA"
    subject { common_name = "clients.example.com" }
  }
}

resource "aws_iam_role" "reader" {
  name = "reviews-reader"
  assume_role_policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" } }]
  })
}

# --- everything from this apply ---------------------------------------------------------------------------------
module "cache_same_apply" {
  source                        = "./generated/modules/elasticache"
  name_prefix                   = "mapzip-t-"
  cluster_name                  = "cache"
  vpc_id                        = module.vpc.vpc_id
  subnet_ids                    = module.vpc.private_subnets
  allowed_security_group_ids    = [module.eks.node_security_group_id, aws_security_group.bastion.id]
  allowed_cidr_blocks           = [module.vpc.vpc_ipv6_cidr_block, "${aws_eip.office.public_ip}/32"]
  associated_security_group_ids = [aws_security_group.shared.id]
  ingress_rules = {
    office = { prefix_list_id = aws_ec2_managed_prefix_list.office.id, from_port = 6379 }
  }
  egress_rules = {
    to_vpc = { ip_protocol = "-1", cidr_ipv6 = module.vpc.vpc_ipv6_cidr_block }
  }
  kms_key_arn            = aws_kms_key.data.arn
  log_kms_key_arn        = aws_kms_key.logs.arn
  create_kms_key         = false
  notification_topic_arn = aws_sns_topic.cache_events.arn
  auth_token             = var.elasticache_auth_token
}

module "cache_own_group" {
  source                        = "./generated/modules/elasticache"
  name_prefix                   = "mapzip-t-"
  cluster_name                  = "own-group"
  vpc_id                        = module.vpc.vpc_id
  subnet_ids                    = module.vpc.private_subnets
  create_security_group         = false
  associated_security_group_ids = [aws_security_group.shared.id]
  kms_key_arn                   = aws_kms_key.data.arn # the module's key encrypts the logs only
  user_group_ids                = [aws_elasticache_user_group.app.id]
}

module "kafka_same_apply" {
  source                        = "./generated/modules/msk"
  name_prefix                   = "mapzip-t-"
  cluster_name                  = "kafka"
  vpc_id                        = module.vpc.vpc_id
  subnet_ids                    = module.vpc.private_subnets
  allowed_security_group_ids    = [module.eks.node_security_group_id, aws_security_group.bastion.id]
  allowed_cidr_blocks           = ["${aws_eip.office.public_ip}/32"]
  associated_security_group_ids = [aws_security_group.shared.id]
  ingress_rules = {
    zookeeper = { from_port = 2181, to_port = 2182, referenced_security_group_id = aws_security_group.bastion.id }
  }
  kms_key_arn                                          = aws_kms_key.data.arn
  log_kms_key_arn                                      = aws_kms_key.logs.arn
  create_kms_key                                       = false
  client_authentication_tls_certificate_authority_arns = [aws_acmpca_certificate_authority.clients.arn]
  jmx_exporter_enabled                                 = true
  node_exporter_enabled                                = true
  storage_autoscaling_max_capacity                     = 1000
}

module "kafka_own_group" {
  source                        = "./generated/modules/msk"
  name_prefix                   = "mapzip-t-"
  cluster_name                  = "own-group"
  vpc_id                        = module.vpc.vpc_id
  subnet_ids                    = module.vpc.private_subnets
  create_security_group         = false
  security_group_ids            = [aws_security_group.shared.id] # the deprecated name of associated_*
  kms_key_arn                   = aws_kms_key.data.arn
  cloudwatch_logs_enabled       = false
  create_kms_key                = false
}

module "table_same_apply" {
  source      = "./generated/modules/dynamodb"
  name_prefix = "mapzip-t-"
  table_name  = "reviews"
  hash_key    = "review_id"
  attributes = [
    { name = "review_id", type = "S" }, { name = "place_id", type = "S" }, { name = "user_id", type = "S" },
  ]
  billing_mode                   = "PROVISIONED"
  read_capacity                  = 5
  write_capacity                 = 5
  autoscaling_read_max_capacity  = 50
  autoscaling_write_max_capacity = 20
  global_secondary_indexes = [
    { name = "by_place", hash_key = "place_id" },
    { name = "by_user", hash_key = "user_id", read_capacity = 2, write_capacity = 2 },
  ]
  stream_enabled                     = true
  stream_view_type                   = "NEW_AND_OLD_IMAGES"
  server_side_encryption_kms_key_arn = aws_kms_key.data.arn
  create_kms_key                     = false
  replica_regions                    = [{ region_name = "ap-northeast-1", kms_key_arn = aws_kms_key.replica.arn }]
  resource_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow", Action = "dynamodb:GetItem", Resource = "*", Principal = { AWS = aws_iam_role.reader.arn }
    }]
  })
  create_resource_policy = true
}

# --- the same calls with literals -------------------------------------------------------------------------------
module "cache_literals" {
  source                        = "./generated/modules/elasticache"
  name_prefix                   = "mapzip-l-"
  cluster_name                  = "cache"
  vpc_id                        = "vpc-0a1b2c3d4e5f60718"
  subnet_ids                    = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
  allowed_security_group_ids    = ["sg-0e0e0e0e0e0e0e0e1", "sg-0e0e0e0e0e0e0e0e2"]
  allowed_cidr_blocks           = ["10.20.0.0/16", "fd00::/8"]
  associated_security_group_ids = ["sg-0e0e0e0e0e0e0e0e3"]
  ingress_rules = {
    office = { prefix_list_id = "pl-0123456789abcdef0", from_port = 6379 }
  }
  kms_key_arn            = "arn:aws:kms:ap-northeast-2:111122223333:key/data"
  log_kms_key_arn        = "arn:aws:kms:ap-northeast-2:111122223333:key/logs"
  create_kms_key         = false
  notification_topic_arn = "arn:aws:sns:ap-northeast-2:111122223333:cache-events"
  auth_token             = var.elasticache_auth_token
}

module "kafka_literals" {
  source                                               = "./generated/modules/msk"
  name_prefix                                          = "mapzip-l-"
  cluster_name                                         = "kafka"
  vpc_id                                               = "vpc-0a1b2c3d4e5f60718"
  subnet_ids                                           = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
  allowed_security_group_ids                           = ["sg-0e0e0e0e0e0e0e0e1"]
  allowed_cidr_blocks                                  = ["10.20.0.0/16"]
  kms_key_arn                                          = "arn:aws:kms:ap-northeast-2:111122223333:key/data"
  client_authentication_tls_certificate_authority_arns = ["arn:aws:acm-pca:ap-northeast-2:111122223333:certificate-authority/1"]
}

module "table_literals" {
  source                             = "./generated/modules/dynamodb"
  name_prefix                        = "mapzip-l-"
  table_name                         = "reviews"
  hash_key                           = "review_id"
  attributes                         = [{ name = "review_id", type = "S" }]
  server_side_encryption_kms_key_arn = "arn:aws:kms:ap-northeast-2:111122223333:key/data"
  create_kms_key                     = false
  resource_policy                    = "{\\"Version\\": \\"2012-10-17\\", \\"Statement\\": []}"
  create_resource_policy             = true
}
"""


def readme_example() -> str:
    """The first HCL block of docs/modules.md, section "Using a module from an existing root", verbatim."""
    readme = (PROJECT / "docs" / "modules.md").read_text(encoding="utf-8")
    section = readme.split("## Using a module from an existing root", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"```hcl\n(.*?)```", section, flags=re.S)
    assert found, "docs/modules.md: the section 'Using a module from an existing root' has no ```hcl block"
    return found.group(1)


@background_terraform
def plan_of_the_real_root(generated_tree: Path, root: Path) -> dict:
    shutil.copytree(generated_tree / "modules", root / "generated" / "modules")
    for name, text in (("vpc", VPC_STAND_IN), ("eks", EKS_STAND_IN)):
        (root / "stand-ins" / name).mkdir(parents=True)
        (root / "stand-ins" / name / "main.tf").write_text(text)
    (root / "main.tf").write_text(ROOT)
    (root / "readme_example.tf").write_text(readme_example())
    # Placeholder credentials and no calls to AWS, as the project's offline plans do.
    (root / "offline_override.tf.json").write_text(json.dumps(terraform.OFFLINE_OVERRIDE, indent=2))
    return terraform.plan_root(root, {"elasticache_auth_token": terraform.PLACEHOLDER_SECRET})


@pytest.fixture(scope="module")
def real_root(background) -> Plan:
    return Plan(background(plan_of_the_real_root))


def _after_unknown(plan: Plan, address: str) -> dict:
    change = next(c for c in plan.raw["resource_changes"] if c["address"] == address)
    return change["change"]["after_unknown"]


def _rules(plan: Plan, module: str) -> list[str]:
    prefix = f"module.{module}.aws_vpc_security_group_"
    return [a.removeprefix(f"module.{module}.") for a in plan.addresses() if a.startswith(prefix)]


def test_the_values_are_really_unknown_at_plan_time(real_root):
    """The test proves something only if the modules see unknown values: the plan says they do."""
    unknown = _after_unknown(real_root, "module.cache_same_apply.aws_elasticache_replication_group.this")
    assert unknown["security_group_ids"] is True
    assert unknown["kms_key_id"] is True
    assert _after_unknown(real_root, "module.cache_same_apply.aws_elasticache_subnet_group.this")["subnet_ids"] is True
    rule = _after_unknown(real_root, 'module.cache_same_apply.aws_vpc_security_group_ingress_rule.from_security_groups["6379/0"]')
    assert rule["referenced_security_group_id"] is True


def test_no_key_where_one_is_passed(real_root):
    for module in ("cache_same_apply", "kafka_same_apply", "kafka_own_group", "table_same_apply",
                   "cache_literals", "table_literals", "elasticache_auth", "dynamodb_reviews"):
        real_root.assert_count(f"module.{module}.aws_kms_", 0)
    # A key for what has none: the logs of cache_own_group, everything of kafka_literals' logs, kafka_events.
    for module in ("cache_own_group", "kafka_literals", "kafka_events"):
        assert [a for a in real_root.addresses() if a.startswith(f"module.{module}.aws_kms_key.")] == [
            f"module.{module}.aws_kms_key.this[0]"
        ]


def test_security_group_rules_are_keyed_by_position_and_name(real_root):
    assert _rules(real_root, "cache_same_apply") == [
        'aws_vpc_security_group_egress_rule.extra["to_vpc"]',
        'aws_vpc_security_group_ingress_rule.extra["office"]',
        'aws_vpc_security_group_ingress_rule.from_cidr_blocks["6379/0"]',
        'aws_vpc_security_group_ingress_rule.from_cidr_blocks["6379/1"]',
        'aws_vpc_security_group_ingress_rule.from_security_groups["6379/0"]',
        'aws_vpc_security_group_ingress_rule.from_security_groups["6379/1"]',
    ]
    real_root.assert_resource('module.cache_same_apply.aws_vpc_security_group_egress_rule.extra["to_vpc"]',
                              {"ip_protocol": "-1", "from_port": None, "to_port": None})
    real_root.assert_resource('module.cache_literals.aws_vpc_security_group_ingress_rule.from_cidr_blocks["6379/1"]',
                              {"cidr_ipv6": "fd00::/8", "cidr_ipv4": None, "from_port": 6379})
    # Mutual TLS opens the TLS listener; IAM, the exporters; never the plaintext or SCRAM ports.
    ports = ("9094", "9098", "11001", "11002")
    assert _rules(real_root, "kafka_same_apply") == sorted(
        ["aws_vpc_security_group_ingress_rule.between_brokers[0]", 'aws_vpc_security_group_ingress_rule.extra["zookeeper"]']
        + [f'aws_vpc_security_group_ingress_rule.from_cidr_blocks["{p}/0"]' for p in ports]
        + [f'aws_vpc_security_group_ingress_rule.from_security_groups["{p}/{i}"]' for p in ports for i in (0, 1)]
    )


def test_own_security_group_means_no_group_and_no_rule(real_root):
    for module in ("cache_own_group", "kafka_own_group"):
        assert _rules(real_root, module) == []
        real_root.assert_count(f"module.{module}.aws_security_group.", 0)


def test_dynamodb_provisioned_indexes_and_policy(real_root):
    real_root.assert_resource(
        "module.table_same_apply.aws_dynamodb_table.this",
        {"global_secondary_index": [
            {"name": "by_place", "read_capacity": 5, "write_capacity": 5},
            {"name": "by_user", "read_capacity": 2, "write_capacity": 2},
        ]},
    )
    real_root.assert_resource('module.table_same_apply.aws_appautoscaling_target.index_read["by_place"]',
                              {"min_capacity": 5, "max_capacity": 50, "scalable_dimension": "dynamodb:index:ReadCapacityUnits",
                               "resource_id": "table/mapzip-t-reviews/index/by_place"})
    real_root.assert_resource('module.table_same_apply.aws_appautoscaling_target.index_write["by_user"]',
                              {"min_capacity": 2, "max_capacity": 20})
    real_root.assert_count("module.table_same_apply.aws_appautoscaling_policy.index_", 4)
    real_root.assert_count("module.table_same_apply.aws_dynamodb_resource_policy.this[0]", 1)
    real_root.assert_count("module.table_literals.aws_dynamodb_resource_policy.this[0]", 1)


def test_readme_example_plans_as_written(real_root):
    real_root.assert_resource("module.elasticache_auth.aws_elasticache_replication_group.this",
                              {"replication_group_id": "mapzip-dev-auth", "engine": "valkey"})
    assert _rules(real_root, "elasticache_auth") == [
        'aws_vpc_security_group_ingress_rule.from_security_groups["6379/0"]'
    ]
    assert _rules(real_root, "kafka_events") == [
        "aws_vpc_security_group_ingress_rule.between_brokers[0]",
        'aws_vpc_security_group_ingress_rule.from_security_groups["11001/0"]',
        'aws_vpc_security_group_ingress_rule.from_security_groups["9098/0"]',
    ]
    real_root.assert_resource("module.dynamodb_reviews.aws_dynamodb_table.this", {"name": "mapzip-dev-reviews"})


# --- environment files: the same switches, written by the generator ---------------------------------------------

ENVIRONMENT = """
name_prefix = "mapzip-lab-"
region = "ap-northeast-2"
vpc_id = "vpc-0a1b2c3d4e5f60718"
subnet_ids = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]

[elasticache]
cluster_name = "auth"
kms_key_arn = "arn:aws:kms:ap-northeast-2:111122223333:key/data"
log_kms_key_arn = "arn:aws:kms:ap-northeast-2:111122223333:key/logs"
security_group_ids = ["sg-0e0e0e0e0e0e0e0e1"]

[dynamodb]
table_name = "reviews"
hash_key = "review_id"
attributes = [{ name = "review_id", type = "S" }, { name = "place_id", type = "S" }]
billing_mode = "PROVISIONED"
read_capacity = 5
write_capacity = 5
global_secondary_indexes = [{ name = "by_place", hash_key = "place_id" }]
resource_policy = '{"Version": "2012-10-17", "Statement": []}'
"""


def test_environment_files_need_no_new_keys(tmp_path):
    from generator.config import environments
    from modules import all_modules

    path = tmp_path / "lab.toml"
    path.write_text(ENVIRONMENT)
    environment = environments.load(path, all_modules(), "environments/lab.toml")
    calls = {call.name: call for call in environment.modules}
    assert calls["elasticache"].arguments["create_kms_key"] is False
    assert calls["dynamodb"].arguments["create_resource_policy"] is True
    assert "create_kms_key" not in calls["dynamodb"].arguments  # the module's key: the default
    assert environment.warnings == (
        "environments/lab.toml: [elasticache] security_group_ids is deprecated: it attaches the groups to the cluster "
        "and opens nothing; name them in associated_security_group_ids to attach them, or in "
        "allowed_security_group_ids to let their members in",
        "environments/lab.toml: [elasticache] create_security_group = true, but allowed_security_group_ids, "
        "allowed_cidr_blocks and ingress_rules are empty: the module's group opens the cache port to nobody "
        "(associated_security_group_ids attach groups, they do not let anyone in)",
    )


def test_stacks_move_their_rules_to_the_new_keys(produced):
    """The environments' stacks know their sources literally, so they carry the `moved` blocks a module cannot."""
    moved = json.loads(produced.files["stacks/prod/main.tf.json"])["moved"]
    assert moved == [
        {"from": f'module.{call}.aws_vpc_security_group_ingress_rule.from_security_groups["{port}/sg-0f0f0f0f0f0f0f0f1"]',
         "to": f'module.{call}.aws_vpc_security_group_ingress_rule.from_security_groups["{port}/0"]'}
        for call, port in (("elasticache_auth", 6379), ("elasticache_recommend", 6379), ("msk", 9098))
    ]
