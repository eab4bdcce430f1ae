"""The MSK listener-to-port table, without Terraform: the Python side (modules.msk.inputs.ingress_ports, which
`--adopt` and the rule-key moves use) and the generated HCL expression (`local.ingress_ports`, which the security
group rules are made from) give the same ports for every combination of the inputs that decide them, and both give
the ports AWS documents for the cases a reviewer would name."""

from __future__ import annotations

import itertools
import json

import pytest

from modules.msk.inputs import ingress_ports
from testkit import hcl

CA = "arn:aws:acm-pca:eu-west-1:111122223333:certificate-authority/ca"
FLAGS = (
    "client_authentication_unauthenticated_enabled",
    "client_authentication_scram_enabled",
    "client_authentication_iam_enabled",
    "jmx_exporter_enabled",
    "node_exporter_enabled",
)


def every_combination():
    for client_broker, cas, flags, public_access in itertools.product(
        ("TLS", "TLS_PLAINTEXT", "PLAINTEXT"), ([], [CA]), itertools.product((False, True), repeat=len(FLAGS)),
        ("DISABLED", "SERVICE_PROVIDED_EIPS"),
    ):
        yield {
            "public_access_type": public_access,
            "encryption_in_transit_client_broker": client_broker,
            "client_authentication_tls_certificate_authority_arns": cas,
            **dict(zip(FLAGS, flags)),
        }


def case(client_broker="TLS", cas=(), public_access="DISABLED", **flags):
    values = {"public_access_type": public_access, "encryption_in_transit_client_broker": client_broker,
              "client_authentication_tls_certificate_authority_arns": list(cas)}
    values.update({flag: flags.get(flag.replace("client_authentication_", "").replace("_enabled", ""), False)
                   for flag in FLAGS})
    return values


# AWS "Port information" (MSK developer guide): 9092 plaintext, 9094 TLS (mutual TLS or unauthenticated over TLS),
# 9096 SASL/SCRAM, 9098 SASL/IAM, 11001/11002 the Prometheus exporters; with public access, 9194 TLS, 9196 SASL/SCRAM
# and 9198 SASL/IAM for clients outside the VPC, beside the private listeners.
NAMED = {
    "the default (IAM over TLS only): no TLS listener, so 9094 stays closed": (case(iam=True), [9098]),
    "SCRAM over TLS only": (case(scram=True), [9096]),
    "IAM and SCRAM over TLS": (case(iam=True, scram=True), [9096, 9098]),
    "mutual TLS": (case(cas=[CA]), [9094]),
    "unauthenticated over TLS": (case(unauthenticated=True), [9094]),
    "mutual TLS and IAM": (case(cas=[CA], iam=True), [9094, 9098]),
    "TLS and plaintext, unauthenticated": (case("TLS_PLAINTEXT", unauthenticated=True), [9092, 9094]),
    "TLS and plaintext, IAM only": (case("TLS_PLAINTEXT", iam=True), [9092, 9098]),
    "plaintext only, even with a CA (no TLS listener without TLS)": (case("PLAINTEXT", cas=[CA], unauthenticated=True),
                                                                     [9092]),
    "the exporters": (case(iam=True, jmx_exporter=True, node_exporter=True), [9098, 11001, 11002]),
    "public IAM: the private listener and the public one": (case(iam=True, public_access="SERVICE_PROVIDED_EIPS"),
                                                             [9098, 9198]),
    "public SCRAM and mutual TLS": (case(cas=[CA], scram=True, public_access="SERVICE_PROVIDED_EIPS"),
                                    [9094, 9096, 9194, 9196]),
}


@pytest.fixture(scope="module")
def generated_ports(module_json):
    source = module_json("msk").document["locals"]["ingress_ports"]
    expression = hcl.parse_value(source)
    # The reader read it whole: printed back, it is the generated text.
    assert "${" + expression.hcl() + "}" == source
    return expression


@pytest.mark.parametrize("name", NAMED)
def test_python_side_opens_the_documented_ports(name):
    values, ports = NAMED[name]
    assert ingress_ports(values) == ports


@pytest.mark.parametrize("name", NAMED)
def test_generated_expression_opens_the_documented_ports(generated_ports, name):
    values, ports = NAMED[name]
    assert generated_ports.evaluate(values) == ports


def test_python_side_and_generated_expression_agree_on_every_combination(generated_ports):
    disagreements = []
    for values in every_combination():
        python, generated = ingress_ports(values), generated_ports.evaluate(values)
        if python != generated:
            disagreements.append(f"{json.dumps(values)}: python {python}, generated {generated}")
    assert disagreements == []


def test_the_security_group_rules_are_made_from_the_generated_ports(module_json):
    module = module_json("msk")
    for name in ("from_cidr_blocks", "from_security_groups"):
        rule = module.resource("aws_vpc_security_group_ingress_rule", name)
        assert "setproduct(local.ingress_ports, " in rule["for_each"]
        assert rule["from_port"] == rule["to_port"] == "${each.value.port}"
