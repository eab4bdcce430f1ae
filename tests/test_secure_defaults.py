"""Secure defaults, one by one, each in a test named after it, for each shipped module (KINDS), read from the synthesized JSON:
the attribute a resource sets, evaluated under the module's declared defaults (testkit/hcl.py reads the expression
into the rule language and evaluates it), not through another feature's warning list.

A module where AWS has no such setting says so in NOT_APPLICABLE with the reason, and its test asserts the resource
indeed offers nothing that could turn the protection off; a module missing from both fails."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from testkit import hcl
from testkit.assertions import TerraformJson

KINDS = ["dynamodb", "elasticache", "elasticacheusers", "msk", "mskserverless", "valkeyserverless"]
MODULE_KEY = "arn:aws:kms:eu-west-1:111122223333:key/module-key"  # what local.module_kms_key_arn stands for
MAIN = {
    "dynamodb": ("aws_dynamodb_table", "this"),
    "elasticache": ("aws_elasticache_replication_group", "this"),
    "elasticacheusers": ("aws_elasticache_user_group", "this"),
    "msk": ("aws_msk_cluster", "this"),
    "mskserverless": ("aws_msk_serverless_cluster", "this"),
    "valkeyserverless": ("aws_elasticache_serverless_cache", "this"),
}


def defaults(module: TerraformJson) -> dict[str, Any]:
    return {name: body.get("default") for name, body in module.document["variable"].items()}


def evaluate(module: TerraformJson, value: Any) -> Any:
    """A resource attribute's value when the caller passes nothing it may leave out."""
    # local.global_secondary: the group is no secondary of a Global Datastore (global_datastore is null by default).
    env = {**defaults(module), "local": {"module_kms_key_arn": MODULE_KEY, "global_secondary": False}}
    return hcl.parse_value(value).evaluate(env) if isinstance(value, str) else value


def main(module: TerraformJson, kind: str) -> dict[str, Any]:
    return module.resource(*MAIN[kind])


def check(module_json, kind: str, checks: dict[str, Callable[[TerraformJson, str], None]],
          not_applicable: dict[str, str]) -> None:
    assert sorted([*checks, *not_applicable]) == KINDS  # every module is decided
    module = module_json(kind)
    if kind in checks:
        checks[kind](module, kind)
    else:
        # Nothing to turn the protection off with: no attribute of the main resource is named after it.
        words = not_applicable[kind].split(":")[0].split(",")
        assert not [a for a in main(module, kind) if any(w.strip() in a for w in words)]


# --- encryption at rest: on, with the module's own customer managed key ------------------------------------------

def _key_created(module: TerraformJson) -> None:
    assert evaluate(module, module.resource("aws_kms_key", "this")["count"]) == 1


def _at_rest_elasticache(module, kind):
    group = main(module, kind)
    assert evaluate(module, group["at_rest_encryption_enabled"]) is True
    assert evaluate(module, group["kms_key_id"]) == MODULE_KEY
    _key_created(module)


def _at_rest_serverless(module, kind):
    assert evaluate(module, main(module, kind)["kms_key_id"]) == MODULE_KEY
    _key_created(module)


def _at_rest_dynamodb(module, kind):
    sse = main(module, kind)["server_side_encryption"]
    assert evaluate(module, sse["enabled"]) is True
    assert evaluate(module, sse["kms_key_arn"]) == MODULE_KEY
    _key_created(module)


def _at_rest_msk(module, kind):
    assert evaluate(module, main(module, kind)["encryption_info"]["encryption_at_rest_kms_key_arn"]) == MODULE_KEY
    _key_created(module)


def _at_rest_msk_serverless(module, kind):
    # AWS encrypts a serverless cluster at rest always, with a key it owns: no setting, and no key to create.
    assert not [a for a in main(module, kind) if "encrypt" in a or "kms" in a]
    assert "aws_kms_key" not in module.document["resource"]


def test_encryption_at_rest(module_json, kind):
    check(module_json, kind, {"elasticache": _at_rest_elasticache, "valkeyserverless": _at_rest_serverless,
                              "dynamodb": _at_rest_dynamodb, "msk": _at_rest_msk,
                              "mskserverless": _at_rest_msk_serverless},
          {"elasticacheusers": "kms,encrypt: users and a user group hold no data (the caches encrypt theirs)"})


def _logs_elasticache(module, kind):
    groups = module.document["resource"]["aws_cloudwatch_log_group"]
    assert evaluate(module, groups["slow_log"]["count"]) == 1 and evaluate(module, groups["engine_log"]["count"]) == 1
    for group in groups.values():
        assert evaluate(module, group["kms_key_id"]) == MODULE_KEY


def _logs_msk(module, kind):
    group = module.resource("aws_cloudwatch_log_group", "broker_logs")
    assert evaluate(module, group["count"]) == 1
    assert evaluate(module, group["kms_key_id"]) == MODULE_KEY


def test_log_encryption_at_rest(module_json, kind):
    check(module_json, kind, {"elasticache": _logs_elasticache, "msk": _logs_msk},
          {"dynamodb": "log: the module writes no logs", "valkeyserverless": "log: the module writes no logs",
           "elasticacheusers": "log: the module writes no logs",
           "mskserverless": "log: MSK Serverless delivers no broker logs"})


# --- encryption in transit ---------------------------------------------------------------------------------------

def _transit_elasticache(module, kind):
    group = main(module, kind)
    assert evaluate(module, group["transit_encryption_enabled"]) is True
    assert evaluate(module, group["transit_encryption_mode"]) is None  # AWS's default with TLS on: required


def _transit_msk(module, kind):
    transit = main(module, kind)["encryption_info"]["encryption_in_transit"]
    assert evaluate(module, transit["client_broker"]) == "TLS"
    assert evaluate(module, transit["in_cluster"]) is True


def test_encryption_in_transit(module_json, kind):
    check(module_json, kind, {"elasticache": _transit_elasticache, "msk": _transit_msk}, {
        # AWS: a serverless cache always uses TLS; DynamoDB's endpoints are HTTPS only.
        "valkeyserverless": "transit,tls: ElastiCache Serverless always encrypts in transit",
        "dynamodb": "transit,tls: DynamoDB's API endpoints are HTTPS only",
        "elasticacheusers": "transit,tls: TLS is each cache's setting; a user group has none",
        "mskserverless": "transit,tls: MSK Serverless always uses TLS (its one listener is SASL/IAM over TLS)",
    })


# --- authentication ------------------------------------------------------------------------------------------------

def _iam_msk(module, kind):
    auth = main(module, kind)["client_authentication"]
    assert evaluate(module, auth["sasl"]["iam"]) is True
    assert evaluate(module, auth["sasl"]["scram"]) is False
    assert evaluate(module, auth["unauthenticated"]) is False
    assert evaluate(module, auth["dynamic"]["tls"]["for_each"]) == []  # no certificate authority trusted
    # Only the IAM listener is opened.
    assert evaluate(module, module.document["locals"]["ingress_ports"]) == [9098]


def _iam_msk_serverless(module, kind):
    assert main(module, kind)["client_authentication"] == {"sasl": {"iam": {"enabled": True}}}
    assert evaluate(module, module.document["locals"]["ingress_ports"]) == [9098]


def test_iam_authentication_on_msk(module_json, kind):
    check(module_json, kind, {"msk": _iam_msk, "mskserverless": _iam_msk_serverless}, {
        "elasticache": "sasl,iam: ElastiCache authenticates with AUTH or RBAC user groups, not IAM on the cluster",
        "valkeyserverless": "sasl,iam: ElastiCache authenticates with AUTH or RBAC user groups, not IAM on the cluster",
        "dynamodb": "sasl: DynamoDB is IAM only",
        "elasticacheusers": "sasl,iam: users authenticate by password or IAM (each user's authentication_type)",
    })


# --- backups ---------------------------------------------------------------------------------------------------------

def _pitr_dynamodb(module, kind):
    assert evaluate(module, main(module, kind)["point_in_time_recovery"]["enabled"]) is True


def test_point_in_time_recovery(module_json, kind):
    check(module_json, kind, {"dynamodb": _pitr_dynamodb}, {
        "elasticache": "point_in_time: no point-in-time recovery in ElastiCache (snapshots instead)",
        "valkeyserverless": "point_in_time: no point-in-time recovery in ElastiCache (snapshots instead)",
        "msk": "point_in_time: MSK keeps no backups of topics",
        "elasticacheusers": "point_in_time: users and a user group hold no data",
        "mskserverless": "point_in_time: MSK keeps no backups of topics",
    })


def _snapshots(module, kind):
    limit = evaluate(module, main(module, kind)["snapshot_retention_limit"])
    assert limit == 7


def _serverless_snapshots(module, kind):
    _snapshots(module, kind)
    assert evaluate(module, main(module, kind)["daily_snapshot_time"]) == "03:00"


def test_snapshots(module_json, kind):
    check(module_json, kind, {"elasticache": _snapshots, "valkeyserverless": _serverless_snapshots,
                              "dynamodb": _pitr_dynamodb}, {
        "msk": "snapshot,backup: MSK keeps no snapshots of brokers",
        "elasticacheusers": "snapshot,backup: users and a user group hold no data",
        "mskserverless": "snapshot,backup: MSK Serverless keeps no snapshots",
    })


def _deletion_dynamodb(module, kind):
    assert evaluate(module, main(module, kind)["deletion_protection_enabled"]) is True


def test_deletion_protection(module_json, kind):
    check(module_json, kind, {"dynamodb": _deletion_dynamodb}, {
        "elasticache": "deletion_protection: ElastiCache has no deletion protection",
        "valkeyserverless": "deletion_protection: ElastiCache Serverless has no deletion protection",
        "msk": "deletion_protection: MSK has no deletion protection",
        "elasticacheusers": "deletion_protection: ElastiCache user groups have no deletion protection",
        "mskserverless": "deletion_protection: MSK Serverless has no deletion protection",
    })


# --- network ---------------------------------------------------------------------------------------------------------

def _private_subnets(module, kind):
    # In the caller's subnets only; ElastiCache has no public endpoint.
    resource = main(module, kind)
    if kind == "elasticache":
        assert module.resource("aws_elasticache_subnet_group", "this")["subnet_ids"] == "${var.subnet_ids}"
    else:
        assert resource["subnet_ids"] == "${var.subnet_ids}"
    assert not [a for a in resource if "public" in a]


def _public_msk(module, kind):
    public_access = main(module, kind)["broker_node_group_info"]["connectivity_info"]["public_access"]
    assert evaluate(module, public_access["type"]) == "DISABLED"
    # No broker record in any zone either.
    assert evaluate(module, module.resource("aws_route53_record", "brokers")["count"]) == 0


def _resource_policy_dynamodb(module, kind):
    # No resource policy (which could grant other accounts or everyone) unless the caller asks for one.
    assert evaluate(module, module.resource("aws_dynamodb_resource_policy", "this")["count"]) == 0


def _private_msk_serverless(module, kind):
    # In the caller's VPCs only (AWS offers a serverless cluster no public access), and no cluster policy by default.
    cluster = main(module, kind)
    assert not [a for a in cluster if "public" in a]
    assert cluster["dynamic"]["vpc_config"]["for_each"].startswith("${concat([{ subnet_ids = var.subnet_ids,")
    assert evaluate(module, module.resource("aws_msk_cluster_policy", "this")["count"]) == 0


def test_no_public_access(module_json, kind):
    check(module_json, kind, {"msk": _public_msk, "elasticache": _private_subnets, "valkeyserverless": _private_subnets,
                              "dynamodb": _resource_policy_dynamodb, "mskserverless": _private_msk_serverless},
          {"elasticacheusers": "public,subnet: a user group has no network interface (each cache has its own)"})


# The only sources a module's ingress rules read, each empty by default; 0.0.0.0/0 needs allow_ingress_from_anywhere.
INGRESS_SOURCES = ("var.ingress_rules", "var.allowed_cidr_blocks", "var.allowed_security_group_ids")


def _no_open_ingress(module, kind):
    values = defaults(module)
    assert values["allowed_cidr_blocks"] == [] and values["allowed_security_group_ids"] == []
    assert values["ingress_rules"] == {} and values["egress_rules"] == {}
    assert values["allow_ingress_from_anywhere"] is False
    rules = module.document["resource"]["aws_vpc_security_group_ingress_rule"]
    for name, rule in rules.items():
        if "for_each" in rule:
            assert [s for s in INGRESS_SOURCES if s in rule["for_each"]], name
            assert "cidr" not in name or "var.allowed_cidr_blocks" in rule["for_each"], name
        else:  # the brokers' rule: from the group itself only
            assert rule["referenced_security_group_id"] == rule["security_group_id"] == "${aws_security_group.this[0].id}"
    # No egress by default: the rule resource reads egress_rules only.
    egress = module.document["resource"]["aws_vpc_security_group_egress_rule"]
    assert list(egress) == ["extra"] and egress["extra"]["for_each"] == "${var.create_security_group ? var.egress_rules : {}}"
    groups = {kind: module.document["resource"][kind] for kind in
              ("aws_security_group", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule")}
    assert "0.0.0.0/0" not in str(groups) and "::/0" not in str(groups)
    # Everywhere stays refused unless the caller says allow_ingress_from_anywhere = true.
    conditions = [p["condition"] for p in main(module, kind)["lifecycle"]["precondition"]]
    assert '${var.allow_ingress_from_anywhere || !anytrue([for c in var.allowed_cidr_blocks : contains(["0.0.0.0/0", ' \
        '"::/0"], c)])}' in conditions
    assert '${var.allow_ingress_from_anywhere || !anytrue([for r in values(var.ingress_rules) : r.cidr_ipv4 == ' \
        '"0.0.0.0/0" || r.cidr_ipv6 == "::/0"])}' in conditions


def test_no_open_ingress(module_json, kind):
    check(module_json, kind, {"elasticache": _no_open_ingress, "msk": _no_open_ingress,
                              "valkeyserverless": _no_open_ingress, "mskserverless": _no_open_ingress},
          {"dynamodb": "security_group,ingress: DynamoDB has no network interface in a VPC",
           "elasticacheusers": "security_group,ingress: a user group has no network interface"})


def pytest_generate_tests(metafunc):
    if "kind" in metafunc.fixturenames:
        metafunc.parametrize("kind", KINDS)


@pytest.mark.every_kind
def test_every_shipped_module_is_covered(produced):
    """The four modules this file decides each secure default for. A module added since is held to its own secure
    defaults by its native test's `secure_defaults` run (generator/synthesis/tftest.py: every input that can weaken
    security, Input.weakens, keeps its default on the resource), which needs no entry here."""
    assert set(KINDS) <= {p.split("/")[1] for p in produced.files if p.startswith("modules/")}
