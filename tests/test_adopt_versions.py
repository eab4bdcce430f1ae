"""Versions AWS still runs but no longer supports: accepted with a warning that names the reason and the date."""

from __future__ import annotations

from modules import all_modules
from modules.catalog import MSK_KAFKA_END_OF_SUPPORT, MSK_KAFKA_KNOWN_VERSIONS, MSK_KAFKA_VERSIONS

MSK = all_modules()["msk"]
BASE = {
    "name_prefix": "mapzip-prod-",
    "cluster_name": "events",
    "vpc_id": "vpc-0a1b2c3d4e5f60718",
    "subnet_ids": ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"],
    "allowed_security_group_ids": ["sg-0e0e0e0e0e0e0e0e1"],
}


def test_kafka_3_6_0_is_accepted_with_a_warning_naming_the_reason_and_the_date():
    values, problems = MSK.inputs.problems({**BASE, "kafka_version": "3.6.0"})
    assert problems == []
    assert MSK.inputs.warnings(values) == [
        'kafka_version = "3.6.0" is past its end of support (2026-06-01, AWS "Supported Apache Kafka versions", '
        "read 2026-11): AWS no longer accepts it for new clusters and upgrades clusters still on it; upgrading to "
        "3.8.x happens in place"
    ]


def test_supported_versions_give_no_warning():
    for version in MSK_KAFKA_VERSIONS:
        values, problems = MSK.inputs.problems({**BASE, "kafka_version": version})
        assert problems == [] and MSK.inputs.warnings(values) == [], version


def test_every_end_of_support_version_has_a_date_and_is_known():
    for version, date in MSK_KAFKA_END_OF_SUPPORT.items():
        assert version in MSK_KAFKA_KNOWN_VERSIONS
        assert len(date) == 10 and date[4] == date[7] == "-", (version, date)


def test_an_unknown_version_is_still_refused_with_the_list():
    _, problems = MSK.inputs.problems({**BASE, "kafka_version": "3.6.1"})
    assert problems == [
        (
            "kafka_version",
            'kafka_version: must be one of "2.8.2.tiered", "3.1.1", "3.2.0", "3.3.1", "3.3.2", "3.4.0", "3.5.1", '
            '"3.6.0", "3.7.x", "3.7.x.kraft", "3.8.x", "3.8.x.kraft", "3.9.x", "3.9.x.kraft", "4.0.x.kraft", '
            '"4.1.x.kraft", got "3.6.1"',
        )
    ]


def test_the_module_variable_accepts_what_python_accepts():
    variable = MSK.inputs.by_name["kafka_version"].validation_blocks()[0]["condition"]
    assert '"3.6.0"' in variable and '"3.6.1"' not in variable
