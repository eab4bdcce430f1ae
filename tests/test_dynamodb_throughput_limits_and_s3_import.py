"""DynamoDB features of issue 17: on-demand throughput limits (table and indexes) and import from S3 at creation."""

from __future__ import annotations

import textwrap

import pytest

from generator.config import environments
from testkit.assertions import Plan
from generator.language.inputs import InputError
from modules import all_modules
from modules.dynamodb import MODULE
from testkit.pytest_terraform import plan_case, refusal_case

BASE = {
    "name_prefix": "mapzip-dev-",
    "table_name": "reviews",
    "hash_key": "review_id",
    "attributes": [{"name": "review_id", "type": "S"}, {"name": "place_id", "type": "S"}],
    "global_secondary_indexes": [{"name": "by_place", "hash_key": "place_id"}],
}
IMPORT = {"input_format": "CSV", "s3_bucket": "mapzip-exports", "s3_bucket_owner": "111122223333",
          "s3_key_prefix": "reviews/2026-11/", "input_compression_type": "GZIP", "csv_delimiter": ";",
          "csv_header_list": ["review_id", "place_id", "title"]}
# Everything in one plan: the table's limits, one index limited and one not, a CSV import.
LIMITED = {
    **BASE,
    "attributes": [*BASE["attributes"], {"name": "user_id", "type": "S"}],
    "on_demand_max_read_request_units": 1000,
    "on_demand_max_write_request_units": -1,
    "global_secondary_indexes": [
        {"name": "by_place", "hash_key": "place_id", "max_read_request_units": 200, "max_write_request_units": 50},
        {"name": "by_user", "hash_key": "user_id"},
    ],
    # A tab: the HCL validation's "\\t" must mean the same character as the Python rule's.
    "import_table": {**IMPORT, "csv_delimiter": "\t"},
}

ON_DEMAND_ONLY = (
    "billing_mode: must be PAY_PER_REQUEST for on-demand throughput limits (on_demand_max_*_request_units, an "
    'index\'s max_*_request_units), got "PROVISIONED"'
)
IMPORT_RULE = (
    "import_table: must have input_format CSV, DYNAMODB_JSON or ION; input_compression_type GZIP, ZSTD or NONE; "
    "csv_delimiter (one of , ; : | tab space) and csv_header_list (1 to 255 non-empty names) only with CSV; "
    "s3_bucket a bucket name; s3_bucket_owner a 12-digit account; s3_key_prefix at most 1024 characters, got "
)


def problems(**overrides):
    _, found = MODULE.inputs.problems({**BASE, **overrides})
    return [message for _, message in found]


def test_limited_example_is_valid():
    assert problems(**LIMITED) == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        pytest.param({"on_demand_max_read_request_units": 0},
                     "on_demand_max_read_request_units: must be a whole number of at least 1, or -1 (no limit), got 0",
                     id="zero"),
        pytest.param({"on_demand_max_write_request_units": 2.5},
                     "on_demand_max_write_request_units: must be a whole number of at least 1, or -1 (no limit), got 2.5",
                     id="fraction"),
        pytest.param({"billing_mode": "PROVISIONED", "read_capacity": 5, "write_capacity": 5,
                      "on_demand_max_read_request_units": 100}, ON_DEMAND_ONLY, id="table-provisioned"),
        pytest.param({"billing_mode": "PROVISIONED", "read_capacity": 5, "write_capacity": 5,
                      "global_secondary_indexes": [{"name": "by_place", "hash_key": "place_id",
                                                    "max_write_request_units": 10}]},
                     ON_DEMAND_ONLY, id="index-provisioned"),
        pytest.param({"import_table": {**IMPORT, "input_format": "JSON"}}, None, id="format"),
        pytest.param({"import_table": {**IMPORT, "input_format": "ION"}}, None, id="csv-options-not-csv"),
        pytest.param({"import_table": {**IMPORT, "csv_delimiter": "#"}}, None, id="delimiter"),
        pytest.param({"import_table": {**IMPORT, "s3_bucket_owner": "1111"}}, None, id="owner"),
        pytest.param({"import_table": {**IMPORT, "s3_bucket": "Mapzip_Exports"}}, None, id="bucket"),
        pytest.param({"import_table": {**IMPORT, "input_compression_type": "BZIP2"}}, None, id="compression"),
    ],
)
def test_refuses(overrides, message):
    found = problems(**overrides)
    if message is None:  # the import rule: quotes the whole object
        assert len(found) == 1 and found[0].startswith(IMPORT_RULE), found
    else:
        assert found == [message]


def test_index_limit_rule():
    found = problems(global_secondary_indexes=[{"name": "by_place", "hash_key": "place_id", "max_read_request_units": -2}])
    assert found == [
        "global_secondary_indexes: must have max_read_request_units and max_write_request_units of at least 1, or -1 "
        '(no limit), got [{"autoscaling_read_max_capacity": null, "autoscaling_read_policy_name": null, '
        '"autoscaling_scale_in_cooldown": null, "autoscaling_scale_out_cooldown": null, '
        '"autoscaling_target_value": null, "autoscaling_write_max_capacity": null, '
        '"autoscaling_write_policy_name": null, '
            '"hash_key": "place_id", "max_read_request_units": -2, "max_write_request_units": null, '
        '"name": "by_place", "non_key_attributes": null, "projection_type": "ALL", "range_key": null, '
        '"read_capacity": null, "write_capacity": null}]'
    ]


PLAN_ON_DEMAND_LIMITS_AND_IMPORT_CASE_1 = plan_case("dynamodb", LIMITED)


def test_plan_on_demand_limits_and_import(planned):
    plan = Plan(planned(PLAN_ON_DEMAND_LIMITS_AND_IMPORT_CASE_1))
    table = plan.resource("module.under_test.aws_dynamodb_table.this")
    assert table["on_demand_throughput"] == [{"max_read_request_units": 1000, "max_write_request_units": -1}]
    indexes = {i["name"]: i for i in table["global_secondary_index"]}
    assert indexes["by_place"]["on_demand_throughput"] == [{"max_read_request_units": 200, "max_write_request_units": 50}]
    assert indexes["by_user"]["on_demand_throughput"] == []
    plan.assert_resource("module.under_test.aws_dynamodb_table.this", {"import_table": [{
        "input_format": "CSV",
        "input_compression_type": "GZIP",
        "s3_bucket_source": [{"bucket": "mapzip-exports", "bucket_owner": "111122223333",
                              "key_prefix": "reviews/2026-11/"}],
        "input_format_options": [{"csv": [{"delimiter": "\t", "header_list": ["place_id", "review_id", "title"]}]}],
    }]})


PLAN_WITHOUT_LIMITS_OR_IMPORT_HAS_NO_BLOCKS_CASE_1 = plan_case(
    "dynamodb", {**BASE, "import_table": {"input_format": "ION", "s3_bucket": "mapzip-exports"}})


def test_plan_without_limits_or_import_has_no_blocks(planned):
    plan = Plan(planned(PLAN_WITHOUT_LIMITS_OR_IMPORT_HAS_NO_BLOCKS_CASE_1))
    plan.assert_resource("module.under_test.aws_dynamodb_table.this", {
        "on_demand_throughput": [],
        "import_table": [{"input_format": "ION", "input_format_options": [],
                          "s3_bucket_source": [{"bucket": "mapzip-exports", "bucket_owner": None, "key_prefix": None}]}],
    })


TERRAFORM_REFUSES_LIMITS_ON_A_PROVISIONED_TABLE_CASE_1 = refusal_case(
    "dynamodb", {**BASE, "billing_mode": "PROVISIONED", "read_capacity": 5,
                                            "write_capacity": 5, "on_demand_max_read_request_units": 100})


def test_terraform_refuses_limits_on_a_provisioned_table(refused):
    error = refused(TERRAFORM_REFUSES_LIMITS_ON_A_PROVISIONED_TABLE_CASE_1)
    assert "billing_mode must be PAY_PER_REQUEST for on-demand throughput limits" in error


TERRAFORM_REFUSES_CSV_OPTIONS_ON_AN_ION_IMPORT_CASE_1 = refusal_case(
    "dynamodb", {**BASE, "import_table": {**IMPORT, "input_format": "ION"}})


def test_terraform_refuses_csv_options_on_an_ion_import(refused):
    error = refused(TERRAFORM_REFUSES_CSV_OPTIONS_ON_AN_ION_IMPORT_CASE_1)
    assert "import_table must have input_format CSV, DYNAMODB_JSON or ION" in " ".join(error.split())


def test_import_is_ignored_after_creation(module_json):
    table = module_json("dynamodb").resource("aws_dynamodb_table", "this")
    assert "import_table" in table["lifecycle"]["ignore_changes"]


def test_environment_file(tmp_path):
    path = tmp_path / "dev.toml"
    path.write_text(textwrap.dedent("""\
        name_prefix = "mapzip-dev-"
        region = "ap-northeast-2"
        vpc_id = "vpc-0a1b2c3d4e5f60718"
        subnet_ids = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]

        [dynamodb]
        table_name = "reviews"
        hash_key = "review_id"
        attributes = [{ name = "review_id", type = "S" }, { name = "place_id", type = "S" }]
        on_demand_max_read_request_units = 1000
        global_secondary_indexes = [{ name = "by_place", hash_key = "place_id", max_write_request_units = 50 }]
        import_table = { input_format = "DYNAMODB_JSON", s3_bucket = "mapzip-exports", s3_key_prefix = "reviews/" }
    """))
    env = environments.load(path, all_modules(), "environments/dev.toml")
    (call,) = env.modules
    assert call.arguments["on_demand_max_read_request_units"] == 1000
    assert call.arguments["import_table"]["input_format"] == "DYNAMODB_JSON"


def test_environment_file_refusal_names_file_and_input(tmp_path):
    path = tmp_path / "dev.toml"
    path.write_text(textwrap.dedent("""\
        name_prefix = "mapzip-dev-"
        region = "ap-northeast-2"
        vpc_id = "vpc-0a1b2c3d4e5f60718"
        subnet_ids = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]

        [dynamodb]
        table_name = "reviews"
        hash_key = "review_id"
        attributes = [{ name = "review_id", type = "S" }]
        on_demand_max_write_request_units = 0
    """))
    with pytest.raises(InputError) as err:
        environments.load(path, all_modules(), "environments/dev.toml")
    assert err.value.problems == [
        "environments/dev.toml: [dynamodb] on_demand_max_write_request_units: must be a whole number of at least 1, "
        "or -1 (no limit), got 0"
    ]
