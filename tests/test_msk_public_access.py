"""MSK public access and broker DNS records (issue 28): AWS's conditions for public access checked before apply,
from environment files and from HCL, with the two-step path (a cluster is created private, then opened); the
brokers' Route 53 records planned offline, their values unknown until the cluster exists."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from generator.config import environments
from generator.language.inputs import InputError
from modules import all_modules
from modules.msk import MODULE
from testkit import terraform
from testkit.assertions import Plan
from testkit.pytest_terraform import background_terraform, plan_case, refusal_case

SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"]
CA = "arn:aws:acm-pca:ap-northeast-2:111122223333:certificate-authority/0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f"
ZONE = "Z0123456789ABCDEFGHIJ"
BASE = {"name_prefix": "mapzip-dev-", "cluster_name": "events", "vpc_id": "vpc-0a1b2c3d4e5f60718", "subnet_ids": SUBNETS,
        "allowed_cidr_blocks": ["203.0.113.0/24"]}
PUBLIC = {**BASE, "public_access_type": "SERVICE_PROVIDED_EIPS", "public_access_cluster_exists": True}
NOT_AT_CREATION = (
    "public_access_type: needs public_access_cluster_exists = true: AWS turns public access on only for a cluster "
    'that exists (apply the cluster with public_access_type = "DISABLED" first, then open it), got '
    'public_access_type = "SERVICE_PROVIDED_EIPS", public_access_cluster_exists = false'
)
TLS_AUTHENTICATED = (
    'public_access_type: needs encryption_in_transit_client_broker = "TLS", encryption_in_transit_in_cluster = true '
    "and client_authentication_unauthenticated_enabled = false (AWS opens to the internet only a cluster whose "
    "clients authenticate over TLS and whose brokers encrypt traffic between them), got "
)


def problems(base=PUBLIC, **overrides):
    _, found = MODULE.inputs.problems({**base, **overrides})
    return [message for _, message in found]


def test_private_by_default():
    values = MODULE.inputs.validate(BASE)
    assert (values["public_access_type"], values["public_access_cluster_exists"], values["zone_id"]) == (
        "DISABLED", False, None)
    assert MODULE.inputs.warnings(values) == []


def test_opening_an_existing_iam_cluster_is_accepted_and_warned():
    values = MODULE.inputs.validate(PUBLIC)
    assert MODULE.inputs.warnings(values) == [
        'public_access_type = "SERVICE_PROVIDED_EIPS" gives the brokers public IP addresses (only the security '
        "group's rules then keep the internet out)"
    ]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"public_access_cluster_exists": False}, NOT_AT_CREATION, id="at-creation"),
        pytest.param({"client_authentication_unauthenticated_enabled": True},
                     TLS_AUTHENTICATED + 'public_access_type = "SERVICE_PROVIDED_EIPS", '
                     'encryption_in_transit_client_broker = "TLS", encryption_in_transit_in_cluster = true, '
                     "client_authentication_unauthenticated_enabled = true", id="unauthenticated"),
        pytest.param({"encryption_in_transit_client_broker": "TLS_PLAINTEXT",
                      "client_authentication_unauthenticated_enabled": True},
                     TLS_AUTHENTICATED + 'public_access_type = "SERVICE_PROVIDED_EIPS", '
                     'encryption_in_transit_client_broker = "TLS_PLAINTEXT", encryption_in_transit_in_cluster = '
                     "true, client_authentication_unauthenticated_enabled = true", id="plaintext"),
        pytest.param({"encryption_in_transit_in_cluster": False, "client_authentication_iam_enabled": False,
                      "client_authentication_unauthenticated_enabled": True},
                     TLS_AUTHENTICATED + 'public_access_type = "SERVICE_PROVIDED_EIPS", '
                     'encryption_in_transit_client_broker = "TLS", encryption_in_transit_in_cluster = false, '
                     "client_authentication_unauthenticated_enabled = true", id="plaintext-between-brokers"),
        pytest.param({"client_authentication_scram_enabled": True},
                     'public_access_type: needs "allow.everyone.if.no.acl.found" = "false" in server_properties (or '
                     "the line allow.everyone.if.no.acl.found=false in server_properties_text) with SCRAM or mutual "
                     "TLS: AWS refuses public access while a topic without ACLs is open to every authenticated "
                     'client, got public_access_type = "SERVICE_PROVIDED_EIPS", server_properties = {}',
                     id="scram-without-acls"),
        pytest.param({"client_authentication_tls_certificate_authority_arns": [CA],
                      "server_properties": {"allow.everyone.if.no.acl.found": "true"}},
                     'public_access_type: needs "allow.everyone.if.no.acl.found" = "false" in server_properties (or '
                     "the line allow.everyone.if.no.acl.found=false in server_properties_text) with SCRAM or mutual "
                     "TLS: AWS refuses public access while a topic without ACLs is open to every authenticated "
                     'client, got public_access_type = "SERVICE_PROVIDED_EIPS", server_properties = '
                     '{"allow.everyone.if.no.acl.found": "true"}', id="mutual-tls-acls-open"),
        pytest.param({"public_access_type": "PUBLIC"},
                     'public_access_type: must be one of "DISABLED", "SERVICE_PROVIDED_EIPS", got "PUBLIC"',
                     id="type"),
        pytest.param({"zone_id": "z0123"},
                     "zone_id: must be a Route 53 hosted zone id (uppercase letters and digits, such as "
                     'Z0123456789ABCDEFGHIJ), got "z0123"', id="zone-id"),
        pytest.param({"broker_dns_name_prefix": "kafka-"},
                     'broker_dns_name_prefix: needs zone_id (the records are written in that hosted zone), got "kafka-"',
                     id="prefix-without-zone"),
        pytest.param({"zone_id": ZONE, "broker_dns_name_prefix": "Kafka_"},
                     "broker_dns_name_prefix: must be lowercase letters, digits, dots and hyphens, starting with a "
                     'letter or digit, got "Kafka_"', id="prefix-shape"),
    ],
)
def test_refuses(overrides, message):
    assert problems(**overrides) == [message]


def test_acls_enforced_lets_scram_and_mutual_tls_open():
    assert problems(client_authentication_scram_enabled=True, client_authentication_tls_certificate_authority_arns=[CA],
                    server_properties={"allow.everyone.if.no.acl.found": "false"}) == []
    assert problems(client_authentication_scram_enabled=True,
                    server_properties_text="allow.everyone.if.no.acl.found=false\n") == []


def test_closing_again_needs_no_confirmation():
    # Back to DISABLED is an update AWS always takes; the confirmation is read only with public access on.
    assert problems(public_access_type="DISABLED") == []


ENVIRONMENT = textwrap.dedent("""\
    name_prefix = "mapzip-dev-"
    region = "ap-northeast-2"
    vpc_id = "vpc-0a1b2c3d4e5f60718"
    subnet_ids = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"]

    [msk]
    cluster_name = "events"
    allowed_cidr_blocks = ["203.0.113.0/24"]
    public_access_type = "SERVICE_PROVIDED_EIPS"
    zone_id = "Z0123456789ABCDEFGHIJ"
""")


def test_environment_file_refuses_opening_at_creation(tmp_path):
    path = tmp_path / "dev.toml"
    path.write_text(ENVIRONMENT)
    with pytest.raises(InputError) as err:
        environments.load(path, all_modules(), "environments/dev.toml")
    assert err.value.problems == [f"environments/dev.toml: [msk] {NOT_AT_CREATION}"]


def test_environment_file_opens_an_existing_cluster(tmp_path):
    path = tmp_path / "dev.toml"
    path.write_text(ENVIRONMENT + "public_access_cluster_exists = true\n")
    env = environments.load(path, all_modules(), "environments/dev.toml")
    (call,) = env.modules
    assert (call.arguments["public_access_type"], call.arguments["zone_id"]) == ("SERVICE_PROVIDED_EIPS", ZONE)
    assert env.warnings == (
        'environments/dev.toml: [msk] public_access_type = "SERVICE_PROVIDED_EIPS" gives the brokers public IP '
        "addresses (only the security group's rules then keep the internet out)",
    )


def test_module_json(module_json):
    module = module_json("msk")
    records = module.resource("aws_route53_record", "brokers")
    assert records["count"] == "${var.zone_id != null ? local.number_of_broker_nodes : 0}"
    assert records["name"] == "${local.broker_dns_name_prefix}${count.index + 1}"
    assert records["records"] == (
        "${[lookup({ for node in data.aws_msk_broker_nodes.this[0].node_info_list : tostring(node.broker_id) => "
        "tolist(node.endpoints)[0] }, tostring(count.index + 1), data.aws_msk_broker_nodes.this[0].id == null ? null : null)]}")
    assert module.document["data"]["aws_msk_broker_nodes"]["this"] == {
        "cluster_arn": "${aws_msk_cluster.this.arn}", "count": "${var.zone_id != null ? 1 : 0}"}
    for scheme in ("sasl_iam", "sasl_scram", "tls"):
        module.assert_output(f"bootstrap_brokers_public_{scheme}",
                             {"value": f"${{aws_msk_cluster.this.bootstrap_brokers_public_{scheme}}}"})
    module.assert_output("broker_dns_names", {"value": "${aws_route53_record.brokers[*].fqdn}"})


OPENED_WITH_RECORDS = plan_case("msk", {**PUBLIC, "zone_id": ZONE})


def test_plan_public_access_and_broker_records(planned):
    plan = Plan(planned(OPENED_WITH_RECORDS))
    cluster = plan.resource("module.under_test.aws_msk_cluster.this")
    assert cluster["broker_node_group_info"][0]["connectivity_info"][0]["public_access"] == [
        {"type": "SERVICE_PROVIDED_EIPS"}]
    # IAM's private listener and its public one, from the allowed block.
    assert sorted(a for a in plan.values if "from_cidr_blocks" in a) == [
        'module.under_test.aws_vpc_security_group_ingress_rule.from_cidr_blocks["9098/0"]',
        'module.under_test.aws_vpc_security_group_ingress_rule.from_cidr_blocks["9198/0"]',
    ]
    # One record per broker (3 subnets, one broker each), named by broker number; the value is the broker's DNS
    # name, read from the cluster once it exists.
    for n in (1, 2, 3):
        address = f"module.under_test.aws_route53_record.brokers[{n - 1}]"
        plan.assert_resource(address, {"zone_id": ZONE, "name": f"mapzip-dev-events-broker-{n}", "type": "CNAME",
                                       "ttl": 300})
        change = next(c for c in plan.raw["resource_changes"] if c["address"] == address)["change"]
        assert change["after_unknown"]["records"] is True
    plan.assert_count("module.under_test.aws_route53_record.brokers", 3)


DEFAULTS = plan_case("msk", BASE)


def test_plan_defaults_are_private_without_records(planned):
    plan = Plan(planned(DEFAULTS))
    cluster = plan.resource("module.under_test.aws_msk_cluster.this")
    assert cluster["broker_node_group_info"][0]["connectivity_info"][0]["public_access"] == [{"type": "DISABLED"}]
    plan.assert_count("module.under_test.aws_route53_record.brokers", 0)
    assert not [a for a in plan.values if "aws_msk_broker_nodes" in a]


REFUSED_AT_CREATION = refusal_case("msk", {**BASE, "public_access_type": "SERVICE_PROVIDED_EIPS",
                                           "client_authentication_scram_enabled": True})


def test_terraform_refuses_opening_at_creation_and_open_acls(refused):
    error = refused(REFUSED_AT_CREATION)
    assert ("public_access_type needs public_access_cluster_exists = true: AWS turns public access on only for a "
            "cluster that exists") in error
    assert 'public_access_type needs "allow.everyone.if.no.acl.found" = "false" in server_properties' in error


# Once the cluster exists, the broker list is read: `terraform test` applies the module with a mocked provider whose
# broker list comes in another order than the broker ids, and each record must name its own broker.
ENDPOINT = "b-{n}.mapzipdevevents.abc123.c2.kafka.ap-northeast-2.amazonaws.com"
BROKER_RECORDS_TEST = """\
mock_provider "aws" {
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_region" {
    defaults = { endpoint = "ec2.ap-northeast-2.amazonaws.com" }
  }
  mock_resource "aws_kms_key" {
    defaults = { arn = "arn:aws:kms:ap-northeast-2:111122223333:key/mock" }
  }
  mock_resource "aws_msk_cluster" {
    defaults = { arn = "arn:aws:kafka:ap-northeast-2:111122223333:cluster/mapzip-dev-events/mock" }
  }
  mock_resource "aws_msk_configuration" {
    defaults = { arn = "arn:aws:kafka:ap-northeast-2:111122223333:configuration/mapzip-dev-events/mock" }
  }
  mock_data "aws_msk_broker_nodes" {
    defaults = {
      node_info_list = [
        { broker_id = 3, endpoints = ["%(3)s"] },
        { broker_id = 1, endpoints = ["%(1)s"] },
        { broker_id = 2, endpoints = ["%(2)s"] },
      ]
    }
  }
}

variables {
  name_prefix            = "mapzip-dev-"
  cluster_name           = "events"
  vpc_id                 = "vpc-0a1b2c3d4e5f60718"
  subnet_ids             = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"]
  allowed_cidr_blocks    = ["10.0.0.0/16"]
  zone_id                = "Z0123456789ABCDEFGHIJ"
  broker_dns_name_prefix = "kafka-"
}

run "each_record_names_its_broker" {
  command = apply

  assert {
    condition     = [for r in aws_route53_record.brokers : [r.name, one(r.records)]] == [["kafka-1", "%(1)s"], ["kafka-2", "%(2)s"], ["kafka-3", "%(3)s"]]
    error_message = "records: ${jsonencode([for r in aws_route53_record.brokers : [r.name, r.records]])}"
  }
}
""" % {str(n): ENDPOINT.format(n=n) for n in (1, 2, 3)}


@background_terraform
def broker_records_once_the_cluster_exists(generated_tree: Path, workdir: Path) -> list[str]:
    module = workdir / "msk"
    shutil.copytree(generated_tree / "modules" / "msk", module)
    (module / "tests" / "broker_records.tftest.hcl").write_text(BROKER_RECORDS_TEST)
    terraform.init(module)
    return terraform.test(module).failures(["tests/broker_records.tftest.hcl"])


@pytest.mark.terraform
def test_each_record_names_its_broker_once_the_cluster_exists(background):
    assert background(broker_records_once_the_cluster_exists) == []
