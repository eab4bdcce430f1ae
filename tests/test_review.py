"""`python main.py --diff`: a summary a reviewer reads in a minute."""

from __future__ import annotations

import json
import subprocess
import sys

from generator import tree
from generator.normalize import serialize
from generator.review import summarize
from tests.conftest import copy_project

OLD = {
    "modules/cache/main.tf.json": serialize({"resource": {"aws_security_group": {"this": {"description": "a", "tags": {"A": "1"}}}}}),
    "modules/cache/outputs.tf.json": serialize({"output": {"arn": {"value": "${x.arn}"}, "port": {"value": "${var.port}"}}}),
}


def test_added_resource_removed_output_changed_attribute():
    new = {
        "modules/cache/main.tf.json": serialize({"resource": {
            "aws_security_group": {"this": {"description": "b", "tags": {"A": "1"}}},
            "aws_cloudwatch_log_group": {"slow_log": {"name": "x"}},
        }}),
        "modules/cache/outputs.tf.json": serialize({"output": {"arn": {"value": "${x.arn}"}}}),
    }
    summary, changed = summarize(OLD, new, tree.everything)
    assert summary.splitlines() == [
        "modules/cache:",
        "  + aws_cloudwatch_log_group.slow_log",
        "  - output.port",
        '  ~ aws_security_group.this.description: "a" → "b"',
        "1 added, 1 removed, 1 changed",
    ]
    assert changed is True


def test_nothing_changed():
    assert summarize(OLD, OLD, tree.everything) == ("0 added, 0 removed, 0 changed", False)


def test_diff_of_a_real_change_to_a_module(tmp_path):
    project = copy_project(tmp_path / "project")
    inputs = project / "modules" / "msk" / "inputs.py"
    text = inputs.read_text()
    assert 'default="kafka.m7g.large"' in text
    inputs.write_text(text.replace('default="kafka.m7g.large"', 'default="kafka.m7g.xlarge"'))
    result = subprocess.run([sys.executable, "main.py", "--diff"], cwd=project, capture_output=True, text=True)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        "modules/msk:",
        '  ~ variable.broker_instance_type.default: "kafka.m7g.large" → "kafka.m7g.xlarge"',
        "  ~ README.md (documentation)",
        "0 added, 0 removed, 1 changed, 1 documentation files updated",
    ]
    # --diff writes nothing.
    assert json.loads((project / "generated/modules/msk/variables.tf.json").read_text())["variable"][
        "broker_instance_type"]["default"] == "kafka.m7g.large"
