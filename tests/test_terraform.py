"""Real Terraform: every stack plans offline.

`terraform plan` runs the same validation as `terraform validate` before anything else (an error in a resource that
`count = 0` leaves out still fails it), so the stacks and the modules they call are validated without a separate
provider load. Each module's shipped `terraform test` runs in the pipeline's `module-tests` step
(ci/pipeline.sh, run by .ci/run and the pull-request workflow), not here: the same check twice cost 25 s of CPU.
"""

from __future__ import annotations

import pytest

from testkit import terraform
from testkit.assertions import Plan

PLACEHOLDER_TOKEN = terraform.PLACEHOLDER_SECRET

pytestmark = pytest.mark.terraform


@pytest.fixture(scope="module")
def dev_plan(stack_plan):
    return Plan(stack_plan("dev"))


def test_dev_plan_has_the_serverless_cluster(dev_plan):
    """tests/fixtures/environments/dev.toml's [mskserverless] table plans: IAM only, 9098 from the EKS nodes, the
    partner account's policy."""
    dev_plan.assert_resource("module.mskserverless.aws_msk_serverless_cluster.this", {
        "cluster_name": "mapzip-dev-partner-events", "client_authentication": [{"sasl": [{"iam": [{"enabled": True}]}]}],
    })
    dev_plan.assert_resource(
        'module.mskserverless.aws_vpc_security_group_ingress_rule.from_security_groups["9098/0"]',
        {"referenced_security_group_id": "sg-0e0e0e0e0e0e0e0e1", "from_port": 9098, "to_port": 9098},
    )
    dev_plan.assert_count("module.mskserverless.aws_msk_cluster_policy.this", 1)


def test_dev_plan(dev_plan):
    dev_plan.assert_resource(
        "module.elasticache_auth.aws_elasticache_replication_group.this",
        {"replication_group_id": "mapzip-dev-auth", "engine": "valkey", "node_type": "cache.t4g.small",
         "transit_encryption_enabled": True, "multi_az_enabled": True},
    )
    dev_plan.assert_resource(
        "module.elasticache_recommend.aws_elasticache_parameter_group.this[0]",
        {"parameter": [{"name": "maxmemory-policy", "value": "allkeys-lru"}], "family": "valkey8"},
    )
    dev_plan.assert_resource(
        "module.dynamodb.aws_dynamodb_table.this",
        {"name": "mapzip-dev-reviews", "billing_mode": "PAY_PER_REQUEST", "stream_view_type": "NEW_AND_OLD_IMAGES",
         "global_secondary_index": [{"name": "by_place", "hash_key": "place_id", "range_key": "created_at"}]},
    )
    dev_plan.assert_resource(
        "module.msk.aws_msk_cluster.this",
        {"cluster_name": "mapzip-dev-events", "number_of_broker_nodes": 3,
         "broker_node_group_info": [{"instance_type": "kafka.t3.small",
                                     "storage_info": [{"ebs_storage_info": [{"volume_size": 50}]}]}]},
    )
    # Every resource is created, nothing else.
    assert set(a for actions in dev_plan.actions.values() for a in actions) == {"create"}
    # 1 table, 7 per cache, 6 for MSK (IAM only: no TLS listener rule), and a customer managed key (key, policy,
    # alias) for each of the 4 modules; 4 for MSK Serverless (cluster, group, 9098 rule, cluster policy)
    assert len(dev_plan.addresses()) == 37


def test_dev_plan_keeps_the_token_out_of_the_plan_values(dev_plan):
    values = dev_plan.resource("module.elasticache_auth.aws_elasticache_replication_group.this")
    assert values["auth_token"] == PLACEHOLDER_TOKEN  # planned, but marked sensitive
    sensitive = dev_plan.raw["planned_values"]["root_module"]["child_modules"]
    marks = [r["sensitive_values"] for m in sensitive for r in m["resources"] if r["type"] == "aws_elasticache_replication_group"]
    assert all(m.get("auth_token") is True for m in marks)


def test_prod_plan(stack_plan):
    plan = Plan(stack_plan("prod"))
    plan.assert_resource(
        "module.elasticache_recommend.aws_elasticache_replication_group.this",
        {"num_node_groups": 3, "replicas_per_node_group": 1, "automatic_failover_enabled": True},
    )
    plan.assert_resource("module.msk.aws_msk_cluster.this", {"number_of_broker_nodes": 6, "enhanced_monitoring": "PER_BROKER"})
    plan.assert_resource("module.msk.aws_appautoscaling_target.storage[0]", {"max_capacity": 2000})
