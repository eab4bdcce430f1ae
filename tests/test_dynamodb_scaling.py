"""DynamoDB auto scaling as terraform-aws-modules' `autoscaling` example has it: each index with its own ceiling
(`autoscaling_indexes.<name>.read_max_capacity`), and the scale-in/scale-out cooldowns of every policy.

Before these inputs an index could only scale to the table's ceiling (or its own floor if higher), so a table at
5-10 with an index at 10-30 could not be written, and cooldowns were AWS's defaults only.
"""

from __future__ import annotations

import pytest

from generator.language.inputs import InputError
from modules.dynamodb import MODULE
from testkit.assertions import Plan
from testkit.pytest_terraform import plan_case, refusal_case

# terraform-aws-modules/terraform-aws-dynamodb-table examples/autoscaling: the table 5..10 (reads) and 5..10
# (writes), TitleIndex 10..30 both ways, cooldowns 50 s in and 40 s out, target 45 %.
AUTOSCALED = {
    "name_prefix": "mapzip-dev-",
    "table_name": "reviews",
    "hash_key": "id",
    "range_key": "title",
    "attributes": [{"name": "id", "type": "N"}, {"name": "title", "type": "S"}, {"name": "age", "type": "N"}],
    "billing_mode": "PROVISIONED",
    "read_capacity": 5,
    "write_capacity": 5,
    "autoscaling_read_max_capacity": 10,
    "autoscaling_write_max_capacity": 10,
    "autoscaling_target_value": 45,
    "autoscaling_scale_in_cooldown": 50,
    "autoscaling_scale_out_cooldown": 40,
    "global_secondary_indexes": [
        {"name": "TitleIndex", "hash_key": "title", "range_key": "age", "projection_type": "INCLUDE",
         "non_key_attributes": ["id"], "read_capacity": 10, "write_capacity": 10,
         "autoscaling_read_max_capacity": 30, "autoscaling_write_max_capacity": 30},
        {"name": "AgeIndex", "hash_key": "age"},  # no ceiling of its own: the table's
    ],
}
PLANNED = plan_case("dynamodb", AUTOSCALED)
INDEX_CEILING_BELOW_FLOOR = refusal_case("dynamodb", {
    **AUTOSCALED,
    "global_secondary_indexes": [{**AUTOSCALED["global_secondary_indexes"][0], "autoscaling_write_max_capacity": 8}],
})
COOLDOWN_ON_DEMAND = refusal_case("dynamodb", {
    "name_prefix": "mapzip-dev-", "table_name": "reviews", "hash_key": "id",
    "attributes": [{"name": "id", "type": "N"}], "autoscaling_scale_out_cooldown": 40,
})


def problems(given):
    return [message for _, message in MODULE.inputs.problems(given)[1]]


@pytest.mark.terraform
def test_each_index_scales_to_its_own_ceiling_and_every_policy_has_the_cooldowns(planned):
    plan = Plan(planned(PLANNED))
    at = "module.under_test.aws_appautoscaling_target"
    for direction in ("read", "write"):
        plan.assert_resource(f"{at}.{direction}[0]", {"min_capacity": 5, "max_capacity": 10})
        plan.assert_resource(f'{at}.index_{direction}["TitleIndex"]', {"min_capacity": 10, "max_capacity": 30})
        # No ceiling of its own: the table's (10), its floor being the table's capacity (5).
        plan.assert_resource(f'{at}.index_{direction}["AgeIndex"]', {"min_capacity": 5, "max_capacity": 10})
    policies = [address for address in plan.addresses() if ".aws_appautoscaling_policy." in address]
    assert len(policies) == 6
    for address in policies:
        configuration = plan.resource(address)["target_tracking_scaling_policy_configuration"][0]
        assert (configuration["target_value"], configuration["scale_in_cooldown"],
                configuration["scale_out_cooldown"]) == (45, 50, 40), address


def test_python_accepts_the_example_and_refuses_a_ceiling_below_the_floor():
    assert problems(AUTOSCALED) == []
    index = AUTOSCALED["global_secondary_indexes"][0]
    assert problems({**AUTOSCALED, "global_secondary_indexes": [{**index, "autoscaling_write_max_capacity": 8}]}) == [
        "global_secondary_indexes: must give each index an autoscaling_write_max_capacity of at least its "
        "write_capacity (default: the table's write_capacity), got [{\"autoscaling_read_max_capacity\": 30, "
        "\"autoscaling_read_policy_name\": null, \"autoscaling_scale_in_cooldown\": null, "
        "\"autoscaling_scale_out_cooldown\": null, \"autoscaling_target_value\": null, "
        "\"autoscaling_write_max_capacity\": 8, \"autoscaling_write_policy_name\": null, "
        "\"hash_key\": \"title\", \"max_read_request_units\": null, "
        "\"max_write_request_units\": null, \"name\": \"TitleIndex\", \"non_key_attributes\": [\"id\"], "
        "\"projection_type\": \"INCLUDE\", \"range_key\": \"age\", \"read_capacity\": 10, \"write_capacity\": 10}]"
    ]


@pytest.mark.parametrize("given, message", [
    ({"autoscaling_scale_in_cooldown": -1}, "autoscaling_scale_in_cooldown: must be a whole number of seconds, at "
     "least 0, got -1"),
    ({"autoscaling_scale_out_cooldown": 2.5}, "autoscaling_scale_out_cooldown: must be a whole number of seconds, "
     "at least 0, got 2.5"),
    ({"global_secondary_indexes": [{**AUTOSCALED["global_secondary_indexes"][0], "autoscaling_read_max_capacity": 0}]},
     None),
])
def test_python_refuses_bad_cooldowns_and_ceilings(given, message):
    found = problems({**AUTOSCALED, **given})
    if message is None:  # the index ceiling's own rule
        assert len(found) == 1 and found[0].startswith(
            "global_secondary_indexes: must have autoscaling_read_max_capacity and autoscaling_write_max_capacity "
            "that are whole numbers between 1 and 40000, got ")
    else:
        assert found == [message]


def test_on_demand_tables_take_no_cooldown_or_index_ceiling():
    base = {"name_prefix": "mapzip-dev-", "table_name": "reviews", "hash_key": "id",
            "attributes": [{"name": "id", "type": "N"}]}
    assert problems({**base, "autoscaling_scale_out_cooldown": 40}) == [
        "global_secondary_indexes: must set an index's autoscaling_read_max_capacity / "
        "autoscaling_write_max_capacity, and the autoscaling_scale_*_cooldown inputs, only when billing_mode is "
        "PROVISIONED, got billing_mode = \"PAY_PER_REQUEST\", autoscaling_scale_in_cooldown = null, "
        "autoscaling_scale_out_cooldown = 40"
    ]


@pytest.mark.terraform
def test_terraform_refuses_the_same(refused):
    assert ("global_secondary_indexes must give each index an autoscaling_write_max_capacity of at least its "
            "write_capacity") in refused(INDEX_CEILING_BELOW_FLOOR)
    assert "autoscaling_scale_*_cooldown inputs, only when billing_mode is PROVISIONED" in refused(COOLDOWN_ON_DEMAND)
