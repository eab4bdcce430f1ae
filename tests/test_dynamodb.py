"""DynamoDB: schemas that cannot fail at apply time."""

from __future__ import annotations

import json

import pytest

from testkit.assertions import ABSENT, Plan
from modules.dynamodb import MODULE
from testkit.pytest_terraform import plan_case, refusal_case

BASE = {
    "name_prefix": "mapzip-dev-",
    "table_name": "reviews",
    "hash_key": "review_id",
    "attributes": [{"name": "review_id", "type": "S"}],
}
FULL = {
    **BASE,
    "range_key": "created_at",
    "attributes": [
        {"name": "review_id", "type": "S"},
        {"name": "created_at", "type": "N"},
        {"name": "place_id", "type": "S"},
        {"name": "rating", "type": "N"},
    ],
    "global_secondary_indexes": [
        {"name": "by_place", "hash_key": "place_id", "range_key": "created_at", "projection_type": "INCLUDE",
         "non_key_attributes": ["title"]},
    ],
    "local_secondary_indexes": [{"name": "by_rating", "range_key": "rating", "projection_type": "KEYS_ONLY"}],
    "ttl_attribute_name": "expires_at",
    "stream_enabled": True,
    "stream_view_type": "NEW_AND_OLD_IMAGES",
}
PROVISIONED = {
    **BASE,
    "attributes": [{"name": "review_id", "type": "S"}, {"name": "place_id", "type": "S"}],
    "billing_mode": "PROVISIONED",
    "read_capacity": 5,
    "write_capacity": 5,
    "autoscaling_read_max_capacity": 50,
    "global_secondary_indexes": [{"name": "by_place", "hash_key": "place_id", "read_capacity": 2, "write_capacity": 2}],
}


def problems(base=BASE, **overrides):
    _, found = MODULE.inputs.problems({**base, **overrides})
    return [message for _, message in found]


def test_examples_are_valid():
    for given in (BASE, FULL, PROVISIONED):
        assert problems(given) == []


def test_secure_defaults():
    values = MODULE.inputs.validate(BASE)
    assert values["billing_mode"] == "PAY_PER_REQUEST"
    assert values["point_in_time_recovery_enabled"] is True
    assert values["server_side_encryption_enabled"] is True
    assert values["deletion_protection_enabled"] is True
    assert MODULE.inputs.warnings(values) == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"table_name": "x", "name_prefix": ""},
                     'table_name: must give a table name (name_prefix + table_name) of 3 to 255 letters, digits, '
                     "'_', '.' or '-', got table_name = \"x\", name_prefix = \"\"", id="name-length"),
        pytest.param({"table_name": "reviews!"},
                     'table_name: must give a table name (name_prefix + table_name) of 3 to 255 letters, digits, '
                     "'_', '.' or '-', got table_name = \"reviews!\", name_prefix = \"mapzip-dev-\"", id="name-chars"),
        pytest.param({"hash_key": "id"}, [
            'hash_key: must be declared in attributes, got "id"',
            "attributes: must only declare attributes some key uses; not used by any key: review_id (declare non-key "
            'attributes nowhere: DynamoDB is schemaless), got [{"name": "review_id", "type": "S"}]',
        ], id="hash-key-undeclared"),
        pytest.param({"range_key": "created_at"}, 'range_key: must be declared in attributes, got "created_at"',
                     id="range-key-undeclared"),
        pytest.param(
            {"global_secondary_indexes": [{"name": "by_place", "hash_key": "place_id"}]},
            'attributes: must declare every index key; missing: place_id, got [{"name": "review_id", "type": "S"}]',
            id="index-key-undeclared",
        ),
        pytest.param(
            {"attributes": [{"name": "review_id", "type": "S"}, {"name": "title", "type": "S"}]},
            "attributes: must only declare attributes some key uses; not used by any key: title (declare non-key "
            'attributes nowhere: DynamoDB is schemaless), got [{"name": "review_id", "type": "S"}, '
            '{"name": "title", "type": "S"}]',
            id="unused-attribute",
        ),
        pytest.param(
            {"attributes": [{"name": "review_id", "type": "STRING"}]},
            'attributes: must have types S, N or B, got [{"name": "review_id", "type": "STRING"}]',
            id="attribute-type",
        ),
        pytest.param(
            {"attributes": [{"name": "review_id", "type": "S"}, {"name": "expires_at", "type": "N"}],
             "ttl_attribute_name": "expires_at"},
            'ttl_attribute_name: must not be declared in attributes unless it is a key (declared attributes must be '
            'indexed), got "expires_at"',
            id="ttl-declared",
        ),
        pytest.param({"billing_mode": "ON_DEMAND"},
                     'billing_mode: must be one of "PAY_PER_REQUEST", "PROVISIONED", got "ON_DEMAND"', id="billing-mode"),
        pytest.param(
            {"billing_mode": "PROVISIONED", "read_capacity": 5},
            "read_capacity: must be set, with write_capacity, when billing_mode is PROVISIONED (indexes without their "
            "own capacity use the table's), got read_capacity = 5, billing_mode = \"PROVISIONED\", "
            "write_capacity = null",
            id="provisioned-needs-capacity",
        ),
        pytest.param(
            {"read_capacity": 5, "write_capacity": 5},
            "read_capacity: must not be set, nor write_capacity nor any index capacity, when billing_mode is "
            'PAY_PER_REQUEST, got billing_mode = "PAY_PER_REQUEST", read_capacity = 5, write_capacity = 5',
            id="on-demand-refuses-capacity",
        ),
        pytest.param(
            {"global_secondary_indexes": [{"name": f"index{i}", "hash_key": "review_id"} for i in range(21)]},
            "global_secondary_indexes: must have 0 to 20 global secondary indexes (AWS limit), got [...21 items]",
            id="too-many-gsis",
        ),
        pytest.param(
            {"attributes": [{"name": "review_id", "type": "S"}, {"name": "rating", "type": "N"}],
             "local_secondary_indexes": [{"name": "by_rating", "range_key": "rating"}]},
            "local_secondary_indexes: need a table range_key (an LSI shares the table's hash key and sorts by another "
            "attribute), got null",
            id="lsi-without-range-key",
        ),
        pytest.param(
            {"attributes": [{"name": "review_id", "type": "S"}, {"name": "place_id", "type": "S"}],
             "global_secondary_indexes": [{"name": "by_place", "hash_key": "place_id", "projection_type": "ALL",
                                           "non_key_attributes": ["title"]}]},
            "global_secondary_indexes: must have projection_type ALL, KEYS_ONLY or INCLUDE, with non_key_attributes "
            'exactly when INCLUDE, got [{"autoscaling_read_max_capacity": null, "autoscaling_read_policy_name": null, '
            '"autoscaling_scale_in_cooldown": null, "autoscaling_scale_out_cooldown": null, '
            '"autoscaling_target_value": null, "autoscaling_write_max_capacity": null, '
            '"autoscaling_write_policy_name": null, "hash_key": "place_id", "max_read_request_units": null, '
            '"max_write_request_units": null, "name": "by_place", "non_key_attributes": ["title"], '
            '"projection_type": "ALL", "range_key": null, "read_capacity": null, "write_capacity": null}]',
            id="non-key-attributes-without-include",
        ),
        pytest.param({"stream_view_type": "NEW_IMAGE"},
                     'stream_view_type: must only be set when stream_enabled = true, got stream_view_type = "NEW_IMAGE", '
                     "stream_enabled = false", id="view-type-without-stream"),
        pytest.param({"stream_enabled": True},
                     "stream_enabled: needs stream_view_type, got stream_enabled = true, stream_view_type = null",
                     id="stream-without-view-type"),
        pytest.param({"stream_enabled": True, "stream_view_type": "ALL"},
                     'stream_view_type: must be one of "KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", '
                     'got "ALL"', id="view-type-value"),
        pytest.param(
            {"server_side_encryption_enabled": False,
             "server_side_encryption_kms_key_arn": "arn:aws:kms:ap-northeast-2:111122223333:key/1"},
            "server_side_encryption_kms_key_arn: needs server_side_encryption_enabled = true, got "
            'server_side_encryption_kms_key_arn = "arn:aws:kms:ap-northeast-2:111122223333:key/1", '
            "server_side_encryption_enabled = false",
            id="kms-without-sse",
        ),
        pytest.param(
            {"replica_regions": [{"region_name": "ap-northeast-1"}], "stream_enabled": True,
             "stream_view_type": "NEW_AND_OLD_IMAGES"},
            "replica_regions: each need a kms_key_arn in their region when the table is encrypted with a customer "
            "managed key (AWS: KMSMasterKeyId must be specified for each replica), got replica_regions = "
            '[{"kms_key_arn": null, "point_in_time_recovery": true, "propagate_tags": true, "region_name": '
            '"ap-northeast-1"}], server_side_encryption_enabled = true',
            id="replica-needs-key",
        ),
        pytest.param(
            {"replica_regions": [{"region_name": "ap-northeast-1",
                                  "kms_key_arn": "arn:aws:kms:ap-northeast-1:111122223333:key/2"}]},
            "replica_regions: need stream_enabled = true with stream_view_type NEW_AND_OLD_IMAGES (AWS turns it on for "
            "replicas; anything else is a perpetual diff), got stream_enabled = false, stream_view_type = null",
            id="replicas-need-streams",
        ),
    ],
)
def test_fails_if(overrides, message):
    found = problems(**overrides)
    if isinstance(message, list):
        assert found == message
    elif message.endswith("[...21 items]"):
        # A long value: the message up to the value, and the value cut as every message cuts it (types.literal).
        from generator.language.types import MAX_SHOWN

        head = message.removesuffix("[...21 items]")
        assert len(found) == 1 and found[0].startswith(head)
        shown, _, rest = found[0][len(head):].partition("… (")
        assert len(shown) == MAX_SHOWN and shown.startswith('[{') and '"name": "index0"' in shown
        assert rest.endswith(" more characters)")
    else:
        assert found == [message]


def test_too_many_lsis():
    lsis = [{"name": f"lsi{i}", "range_key": "created_at"} for i in range(6)]
    found = problems(FULL, local_secondary_indexes=lsis)
    assert found[0].startswith("local_secondary_indexes: must have 0 to 5 local secondary indexes (AWS limit), got [")
    assert len(found) == 1


def test_module_json_has_one_table(module_json):
    module = module_json("dynamodb")
    tables = [r for r in module.resources() if r.startswith("aws_dynamodb_table.")]
    assert tables == ["aws_dynamodb_table.this"]
    module.assert_resource(
        "aws_dynamodb_table",
        "this",
        {
            "billing_mode": "${var.billing_mode}",
            "point_in_time_recovery": {"enabled": "${var.point_in_time_recovery_enabled}"},
            "lifecycle": {"ignore_changes": ["read_capacity", "write_capacity", "import_table"]},
        },
    )
    module.assert_variable("billing_mode", {"default": "PAY_PER_REQUEST"})
    module.assert_variable("deletion_protection_enabled", {"default": True})
    module.assert_variable("server_side_encryption_enabled", {"default": True})
    # Typed objects with optional() attributes: callers pass only what they need.
    assert module.variable("global_secondary_indexes")["type"] == (
        "list(object({name = string, hash_key = string, range_key = optional(string), projection_type = "
        'optional(string, "ALL"), non_key_attributes = optional(list(string)), read_capacity = optional(number), '
        "write_capacity = optional(number), autoscaling_read_max_capacity = optional(number), "
        "autoscaling_write_max_capacity = optional(number), autoscaling_target_value = optional(number), "
        "autoscaling_scale_in_cooldown = optional(number), autoscaling_scale_out_cooldown = optional(number), "
        "autoscaling_read_policy_name = optional(string), autoscaling_write_policy_name = optional(string), "
        "max_read_request_units = optional(number), "
        "max_write_request_units = optional(number)}))"
    )


HASH_ONLY = plan_case("dynamodb", BASE)


def test_plan_hash_only(planned):
    plan = Plan(planned(HASH_ONLY))
    plan.assert_resource(
        "module.under_test.aws_dynamodb_table.this",
        {
            "name": "mapzip-dev-reviews",
            "billing_mode": "PAY_PER_REQUEST",
            "hash_key": "review_id",
            "range_key": ABSENT,
            "attribute": [{"name": "review_id", "type": "S"}],
            "point_in_time_recovery": [{"enabled": True}],
            "server_side_encryption": [{"enabled": True}],
            "deletion_protection_enabled": True,
            "ttl": ABSENT,
        },
    )
    plan.assert_count("module.under_test.aws_appautoscaling", 0)


FULL_CASE = plan_case("dynamodb", FULL)


def test_plan_range_gsi_lsi_ttl_stream(planned):
    plan = Plan(planned(FULL_CASE))
    plan.assert_resource(
        "module.under_test.aws_dynamodb_table.this",
        {
            "range_key": "created_at",
            "global_secondary_index": [{"name": "by_place", "hash_key": "place_id", "range_key": "created_at",
                                        "projection_type": "INCLUDE", "non_key_attributes": ["title"]}],
            "local_secondary_index": [{"name": "by_rating", "range_key": "rating", "projection_type": "KEYS_ONLY"}],
            "ttl": [{"attribute_name": "expires_at", "enabled": True}],
            "stream_enabled": True,
            "stream_view_type": "NEW_AND_OLD_IMAGES",
        },
    )


PROVISIONED_CASE = plan_case("dynamodb", PROVISIONED)


def test_plan_provisioned(planned):
    plan = Plan(planned(PROVISIONED_CASE))
    plan.assert_resource(
        "module.under_test.aws_dynamodb_table.this",
        {"billing_mode": "PROVISIONED", "read_capacity": 5, "write_capacity": 5,
         "global_secondary_index": [{"name": "by_place", "read_capacity": 2, "write_capacity": 2}]},
    )
    plan.assert_resource(
        "module.under_test.aws_appautoscaling_target.read[0]",
        {"min_capacity": 5, "max_capacity": 50, "scalable_dimension": "dynamodb:table:ReadCapacityUnits",
         "resource_id": "table/mapzip-dev-reviews"},
    )
    plan.assert_resource("module.under_test.aws_appautoscaling_target.write[0]", {"min_capacity": 5, "max_capacity": 5})


UNUSED_ATTRIBUTE = refusal_case(
    "dynamodb", {**BASE, "attributes": [{"name": "review_id", "type": "S"}, {"name": "title", "type": "S"}]}
)


def test_terraform_refuses_unused_attributes(refused):
    error = refused(UNUSED_ATTRIBUTE)
    assert "attributes must only declare attributes a key of the table or of an index uses" in error


# --- real roots (issue 13): PROVISIONED indexes, keys and policies decided at plan time -------------------------


def test_provisioned_index_uses_the_table_capacity():
    """The console's convention: an index without its own capacity uses the table's (it was refused before)."""
    given = {**PROVISIONED, "global_secondary_indexes": [{"name": "by_place", "hash_key": "place_id"}]}
    assert problems(given) == []


PLAN_PROVISIONED_INDEXES_ARE_AUTO_SCALED_CASE_1 = plan_case("dynamodb", {
        **PROVISIONED,
        "attributes": PROVISIONED["attributes"] + [{"name": "user_id", "type": "S"}],
        "global_secondary_indexes": [
            {"name": "by_place", "hash_key": "place_id"},
            {"name": "by_user", "hash_key": "user_id", "read_capacity": 80, "write_capacity": 2},
        ],
    })


def test_plan_provisioned_indexes_are_auto_scaled(planned):
    plan = Plan(planned(PLAN_PROVISIONED_INDEXES_ARE_AUTO_SCALED_CASE_1))
    plan.assert_resource("module.under_test.aws_dynamodb_table.this", {"global_secondary_index": [
        {"name": "by_place", "read_capacity": 5, "write_capacity": 5},
        {"name": "by_user", "read_capacity": 80, "write_capacity": 2},
    ]})
    plan.assert_resource('module.under_test.aws_appautoscaling_target.index_read["by_place"]',
                         {"min_capacity": 5, "max_capacity": 50, "resource_id": "table/mapzip-dev-reviews/index/by_place",
                          "scalable_dimension": "dynamodb:index:ReadCapacityUnits"})
    # An index whose floor is above the table's ceiling keeps its floor.
    plan.assert_resource('module.under_test.aws_appautoscaling_target.index_read["by_user"]',
                         {"min_capacity": 80, "max_capacity": 80})
    plan.assert_resource('module.under_test.aws_appautoscaling_target.index_write["by_place"]',
                         {"min_capacity": 5, "max_capacity": 5, "scalable_dimension": "dynamodb:index:WriteCapacityUnits"})
    plan.assert_resource('module.under_test.aws_appautoscaling_policy.index_write["by_user"]', {
        "name": "mapzip-dev-reviews-by_user-write-capacity",
        "target_tracking_scaling_policy_configuration": [{"target_value": 70, "predefined_metric_specification": [
            {"predefined_metric_type": "DynamoDBWriteCapacityUtilization"}]}],
    })
    plan.assert_count("module.under_test.aws_appautoscaling_target.index_", 4)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"resource_policy": '{"Statement": []}', "create_resource_policy": False},
                     'resource_policy: needs create_resource_policy = true (Terraform must know at plan time that the '
                     "policy exists), got false", id="policy-without-switch"),
        pytest.param({"create_resource_policy": True},
                     "create_resource_policy: needs resource_policy when true, got true", id="switch-without-policy"),
        pytest.param({"server_side_encryption_kms_key_arn": "arn:aws:kms:ap-northeast-2:111122223333:key/1",
                      "create_kms_key": True},
                     "create_kms_key: must be false when server_side_encryption_kms_key_arn is given (the module's key "
                     "would encrypt nothing), got create_kms_key = true, server_side_encryption_kms_key_arn = "
                     '"arn:aws:kms:ap-northeast-2:111122223333:key/1", server_side_encryption_enabled = true',
                     id="unused-key"),
        pytest.param({"create_kms_key": False},
                     "create_kms_key: needs server_side_encryption_kms_key_arn when false and "
                     "server_side_encryption_enabled: the module then creates no key, got create_kms_key = false, "
                     "server_side_encryption_kms_key_arn = null, server_side_encryption_enabled = true",
                     id="no-key"),
    ],
)
def test_fails_if_switch_and_value_disagree(overrides, message):
    assert problems(**overrides) == [message]


def test_environment_files_derive_the_switches():
    given = {**BASE, "server_side_encryption_kms_key_arn": "arn:aws:kms:ap-northeast-2:111122223333:key/1",
             "resource_policy": '{"Statement": []}'}
    values, found = MODULE.inputs.problems(given)
    assert found == []
    assert MODULE.inputs.derived_arguments(given, values) == {"create_kms_key": False, "create_resource_policy": True}


TERRAFORM_REFUSES_A_POLICY_WITHOUT_ITS_SWITCH_CASE_1 = refusal_case(
    "dynamodb", {**BASE, "resource_policy": '{"Statement": []}'})


def test_terraform_refuses_a_policy_without_its_switch(refused):
    error = refused(TERRAFORM_REFUSES_A_POLICY_WITHOUT_ITS_SWITCH_CASE_1)
    assert "resource_policy needs create_resource_policy = true" in error


@pytest.mark.parametrize("policy", ["{not json", "[]", '  ["Statement"]', '{"Statement": []'])
def test_resource_policy_must_be_a_json_object(policy):
    # "{not json" once passed Python (it starts with "{") and failed terraform plan (issue 16); the rule is now one
    # expression, judged alike by both (tests/test_rule_agreement.py).
    assert problems(resource_policy=policy, create_resource_policy=True) == [
        f'resource_policy: must be a JSON object, got {json.dumps(policy)}'
    ]


def test_resource_policy_accepts_any_json_object():
    assert problems(resource_policy=' {"Version": "2012-10-17", "Statement": []}', create_resource_policy=True) == []
