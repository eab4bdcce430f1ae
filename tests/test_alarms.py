"""CloudWatch alarms (issue 17, feature 3): opt-in, SNS actions, thresholds; refusals; real offline plans."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from generator.config import environments
from testkit.assertions import Plan
from generator.language.inputs import InputError
from modules import all_modules
from modules.catalog import ALARM_METRICS
from modules.dynamodb import MODULE as DYNAMODB
from modules.elasticache import MODULE as ELASTICACHE
from modules.msk import MODULE as MSK
from modules.shared import alarms
from testkit.pytest_terraform import plan_case, refusal_case, require_terraform

TOPIC = "arn:aws:sns:ap-northeast-2:111122223333:cache-alarms"
PROD_TOPIC = "arn:aws:sns:ap-northeast-2:111122223333:mapzip-prod-data-alarms"
SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"]
CACHE = {"name_prefix": "mapzip-dev-", "cluster_name": "auth", "vpc_id": "vpc-0a1b2c3d4e5f60718",
         "subnet_ids": SUBNETS[:2], "auth_token": "example-token-0123456789"}  # clients authenticate
KAFKA = {"name_prefix": "mapzip-dev-", "cluster_name": "events", "vpc_id": "vpc-0a1b2c3d4e5f60718",
         "subnet_ids": SUBNETS}
TABLE = {"name_prefix": "mapzip-dev-", "table_name": "reviews", "hash_key": "review_id",
         "attributes": [{"name": "review_id", "type": "S"}]}
ALARM = "aws_cloudwatch_metric_alarm.this"


def problems(module, given):
    _, found = module.inputs.problems(given)
    return [message for _, message in found]


@pytest.mark.parametrize("module, base", [(ELASTICACHE, CACHE), (MSK, KAFKA), (DYNAMODB, TABLE)])
def test_off_by_default(module, base):
    values = module.inputs.validate(base)
    assert (values["alarms_enabled"], values["alarm_actions"], values["ok_actions"]) == (False, [], [])


def test_every_alarm_metric_is_in_the_catalog():
    for alarm in alarms.ELASTICACHE_ALARMS + alarms.MSK_ALARMS + alarms.DYNAMODB_ALARMS:
        namespace, dimensions, statistic, source = ALARM_METRICS[alarm.metric]
        assert source.startswith("https://docs.aws.amazon.com/")
        # Each member expression names exactly the dimensions AWS publishes the metric under.
        for dimension in dimensions:
            assert dimension.replace(" ", "") in alarm.members.replace(" ", "").replace('"', ""), (alarm.key, dimension)


@pytest.mark.parametrize(
    "module, given, expected",
    [
        pytest.param(ELASTICACHE, {**CACHE, "alarm_actions": [TOPIC]}, [
            "alarm_actions: must be empty while alarms_enabled = false: no alarm exists to send them (set "
            f'alarms_enabled = true), got alarm_actions = ["{TOPIC}"], ok_actions = [], alarms_enabled = false',
        ], id="actions-without-alarms"),
        pytest.param(MSK, {**KAFKA, "alarms_enabled": True, "alarm_actions": [TOPIC.replace(":sns:", ":sqs:")]}, [
            "alarm_actions: must hold only whole sns ARNs (partition aws, aws-cn or aws-us-gov, region, 12-digit "
            "account), such as arn:aws:sns:ap-northeast-2:111122223333:cache-events, got "
            '"arn:aws:sqs:ap-northeast-2:111122223333:cache-alarms"',
        ], id="not-an-sns-arn"),
        pytest.param(ELASTICACHE, {**CACHE, "alarms_enabled": True, "ok_actions": [f"{TOPIC}{i}" for i in range(6)]}, [
            "ok_actions: must have 0 to 5 ARNs, got ["
            + ", ".join(f'"{TOPIC}{i}"' for i in range(6)) + "]",
        ], id="six-actions"),
        pytest.param(DYNAMODB, {**TABLE, "alarms_enabled": True, "alarm_actions": [TOPIC, TOPIC]}, [
            f'alarm_actions: must list each ARN once (AWS treats the list as a set), got "{TOPIC}" more than once',
        ], id="same-topic-twice"),
        pytest.param(ELASTICACHE, {**CACHE, "alarms_enabled": True, "alarm_thresholds": {"memory": 150}}, [
            "alarm_thresholds: must hold percentages of at most 100 (cpu, engine_cpu, memory), got memory = 150",
        ], id="percent-over-100"),
        pytest.param(MSK, {**KAFKA, "alarms_enabled": True, "alarm_thresholds": {"under_replicated": -1}}, [
            "alarm_thresholds: must hold thresholds of 0 or more, got under_replicated = -1",
        ], id="negative-threshold"),
        pytest.param(DYNAMODB, {**TABLE, "alarms_enabled": True, "alarm_operations": ["GetItem", "Get"]}, [
            "alarm_operations: must hold only operations AWS publishes SystemErrors for (GetItem, PutItem, "
            "UpdateItem, DeleteItem, Query, Scan, BatchGetItem, BatchWriteItem, TransactGetItems, TransactWriteItems, "
            'GetRecords, ExecuteStatement, BatchExecuteStatement, ExecuteTransaction), got "Get"',
        ], id="unknown-operation"),
        pytest.param(DYNAMODB, {**TABLE, "table_name": "r" * 230, "alarms_enabled": True}, [
            "table_name: must leave room for the alarm names when alarms_enabled = true: name_prefix + table_name + "
            f'"-system-errors-BatchWriteItem" is 270 characters, AWS allows 255, got "{"r" * 230}"',
        ], id="alarm-name-too-long"),
    ],
)
def test_refusals(module, given, expected):
    assert problems(module, given) == expected


def test_alarms_without_actions_are_allowed_and_warned():
    # A choice: an alarm with no action still changes state in the console and emits an EventBridge event, which
    # some teams route themselves; so it is accepted, with a warning.
    values = DYNAMODB.inputs.validate({**TABLE, "alarms_enabled": True})
    assert DYNAMODB.inputs.warnings(values) == [
        "alarms_enabled = true, but alarm_actions is empty: the alarms change state in the console and in "
        "EventBridge only, and notify nobody",
    ]


def test_environment_file(tmp_path: Path):
    head = textwrap.dedent("""\
        name_prefix = "mapzip-dev-"
        region = "ap-northeast-2"
        vpc_id = "vpc-0a1b2c3d4e5f60718"
        subnet_ids = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"]

        [dynamodb]
        table_name = "reviews"
        hash_key = "review_id"
        attributes = [{ name = "review_id", type = "S" }]
        alarms_enabled = true
        """)
    path = tmp_path / "dev.toml"
    path.write_text(head + f'alarm_actions = ["{TOPIC}"]\nalarm_thresholds = {{ read_throttles = 50 }}\n')
    env = environments.load(path, all_modules(), "environments/dev.toml")
    (call,) = env.modules
    assert call.arguments["alarm_actions"] == [TOPIC]
    assert call.values["alarm_thresholds"] == {"read_throttles": 50, "write_throttles": 10, "system_errors": 0}

    path.write_text(head + 'alarm_actions = ["arn:aws:sns:ap-northeast-2:1234:t"]\n')
    with pytest.raises(InputError) as err:
        environments.load(path, all_modules(), "environments/dev.toml")
    assert err.value.problems == [
        "environments/dev.toml: [dynamodb] alarm_actions: must hold only whole sns ARNs (partition aws, aws-cn or "
        "aws-us-gov, region, 12-digit account), such as arn:aws:sns:ap-northeast-2:111122223333:cache-events, got "
        '"arn:aws:sns:ap-northeast-2:1234:t"',
    ]


# Declared at import time: planned with the session's other cases (one provider load), not one plan each.
BAD_ALARM_INPUTS = refusal_case("elasticache", {
    **CACHE, "alarms_enabled": True, "alarm_actions": ["arn:aws:sns:ap-northeast-2:1234:t"],
    "alarm_thresholds": {"cpu": 150},
})
ACTIONS_WITHOUT_ALARMS = refusal_case("elasticache", {**CACHE, "ok_actions": [TOPIC]})
TABLE_NAME_LEAVES_NO_ROOM = refusal_case("dynamodb", {**TABLE, "table_name": "r" * 230, "alarms_enabled": True})
ONE_THRESHOLD_OVERRIDDEN = plan_case("msk", {
    **KAFKA, "alarms_enabled": True, "alarm_actions": [TOPIC], "alarm_thresholds": {"under_replicated": 2},
})


@pytest.mark.terraform
def test_terraform_refuses_what_python_refuses(refused):
    """An HCL caller gets the same refusals: the variable validations, then the precondition."""
    require_terraform()
    error = refused(BAD_ALARM_INPUTS)
    assert "alarm_actions must hold only whole sns ARNs (partition aws, aws-cn or aws-us-gov, region, 12-digit " \
        "account), such as arn:aws:sns:ap-northeast-2:111122223333:cache-events." in error
    assert "alarm_thresholds must hold percentages of at most 100 (cpu, engine_cpu, memory)." in error
    error = refused(ACTIONS_WITHOUT_ALARMS)
    assert "alarm_actions must be empty while alarms_enabled = false: no alarm exists to send them (set " \
        "alarms_enabled = true)." in error
    error = refused(TABLE_NAME_LEAVES_NO_ROOM)
    assert "table_name must leave room for the alarm names when alarms_enabled = true: name_prefix + table_name + " \
        "the longest alarm key (such as -write-throttles-<index>) must be at most 255 characters." in error


@pytest.mark.terraform
def test_plan_one_module_call(planned):
    """The module alone, as an HCL root calls it: a threshold overridden, the others at their defaults."""
    require_terraform()
    plan = Plan(planned(ONE_THRESHOLD_OVERRIDDEN))
    assert [a for a in plan.addresses() if ALARM in a] == [
        f'module.under_test.{ALARM}["{key}"]'
        for key in ("disk-used-broker1", "disk-used-broker2", "disk-used-broker3", "offline-partitions",
                    "under-replicated-broker1", "under-replicated-broker2", "under-replicated-broker3")
    ]
    plan.assert_resource(f'module.under_test.{ALARM}["under-replicated-broker3"]', {
        "alarm_name": "mapzip-dev-events-under-replicated-broker3",
        "namespace": "AWS/Kafka", "metric_name": "UnderReplicatedPartitions", "statistic": "Maximum",
        "dimensions": {"Cluster Name": "mapzip-dev-events", "Broker ID": "3"},
        "threshold": 2, "period": 300, "evaluation_periods": 3, "alarm_actions": [TOPIC], "ok_actions": None,
        "alarm_description": "MSK mapzip-dev-events broker3: under-replicated partitions (UnderReplicatedPartitions, "
        "Maximum) above 2 partitions for 15 minutes",
    })
    plan.assert_resource(f'module.under_test.{ALARM}["disk-used-broker1"]', {"threshold": 85})


def _alarms(plan: Plan, module: str) -> dict[str, dict]:
    prefix = f"module.{module}.{ALARM}["
    return {a[len(prefix):-1].strip('"'): plan.resource(a) for a in plan.addresses() if a.startswith(prefix)}


def test_prod_plan_has_the_alarms_of_every_module(stack_plan):
    """The session's offline plan of the prod stack: four module calls, alarms on, every alarm with its dimensions."""
    raw = stack_plan("prod")
    plan = Plan(raw)

    # Non-cluster mode, 3 nodes; cluster mode, 3 shards × 2 nodes: one alarm of each kind per node.
    for module, nodes in (("elasticache_auth", 3), ("elasticache_recommend", 6)):
        found = _alarms(plan, module)
        assert sorted(found) == sorted(f"{kind}-node{n}" for kind in ("cpu", "engine-cpu", "memory", "evictions",
                                                                   "replication-lag") for n in range(1, nodes + 1))
        assert {(a["namespace"], a["metric_name"], a["statistic"], a["threshold"]) for a in found.values()} == {
            ("AWS/ElastiCache", "CPUUtilization", "Average", 90), ("AWS/ElastiCache", "EngineCPUUtilization", "Average", 90),
            ("AWS/ElastiCache", "DatabaseMemoryUsagePercentage", "Average", 80),
            ("AWS/ElastiCache", "Evictions", "Sum", 1000), ("AWS/ElastiCache", "ReplicationLag", "Maximum", 30),
        }
        assert all(a["alarm_actions"] == [PROD_TOPIC] and a["ok_actions"] == [PROD_TOPIC] for a in found.values())
    # The member cluster ids are known after apply: the dimension is unknown in the plan, the key is not.
    changes = {c["address"]: c["change"] for c in raw["resource_changes"]}
    lag = changes[f'module.elasticache_auth.{ALARM}["replication-lag-node2"]']
    assert lag["after_unknown"]["dimensions"] is True
    assert lag["after"]["treat_missing_data"] == "notBreaching"
    assert lag["after"]["alarm_name"] == "mapzip-prod-auth-replication-lag-node2"

    found = _alarms(plan, "msk")
    assert sorted(found) == sorted(["offline-partitions"] + [f"{kind}-broker{b}" for kind in ("disk-used", "under-replicated")
                                                             for b in range(1, 7)])
    assert found["disk-used-broker6"]["dimensions"] == {"Cluster Name": "mapzip-prod-events", "Broker ID": "6"}
    assert (found["disk-used-broker6"]["metric_name"], found["disk-used-broker6"]["threshold"]) == ("KafkaDataLogsDiskUsed", 85)
    assert found["offline-partitions"]["dimensions"] == {"Cluster Name": "mapzip-prod-events"}

    found = _alarms(plan, "dynamodb")
    operations = ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "BatchWriteItem")
    assert sorted(found) == sorted(["read-throttles", "write-throttles", "read-throttles-by_place", "write-throttles-by_place"]
                                   + [f"system-errors-{op}" for op in operations])
    assert found["read-throttles"]["dimensions"] == {"TableName": "mapzip-prod-reviews"}
    assert found["write-throttles-by_place"]["dimensions"] == {"TableName": "mapzip-prod-reviews",
                                                              "GlobalSecondaryIndexName": "by_place"}
    assert found["system-errors-Query"]["dimensions"] == {"TableName": "mapzip-prod-reviews", "Operation": "Query"}
    assert found["system-errors-Query"]["namespace"] == "AWS/DynamoDB"
