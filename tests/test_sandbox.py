"""The pieces of `ci/pipeline.sh sandbox` (testkit/sandbox.py), which .ci/run runs whole (apply against moto's
server, plan again, destroy: minutes). Here: what it applies exists in the generated modules, and the server it
starts answers and is stopped."""

from __future__ import annotations

import json
import re

import pytest

from testkit import sandbox
from testkit.project import PROJECT


def _module_resources(kind: str) -> set[str]:
    main = json.loads((PROJECT / "generated" / "modules" / kind / "main.tf.json").read_text())
    return {f"{kind_}.{name}" for kind_, blocks in main["resource"].items() for name in blocks}


def test_every_target_is_a_resource_of_the_root_or_of_its_module():
    """A renamed module resource fails here, instead of the sandbox applying less without a word."""
    root = sandbox.root("http://127.0.0.1:1")
    calls = {name: call["source"].removeprefix("./modules/") for name, call in root["module"].items()}
    own = {f"{kind}.{name}" for kind, blocks in root["resource"].items() for name in blocks}
    for target in sandbox.targets():
        if target.startswith("module."):
            call, _, resource = target.removeprefix("module.").partition(".")
            assert resource == "" or resource in _module_resources(calls[call]), target
        else:
            assert target in own, target
    assert "module.table" in sandbox.targets()  # the DynamoDB module whole


def test_the_module_calls_give_only_declared_inputs():
    root = sandbox.root("http://127.0.0.1:1")
    for name, call in root["module"].items():
        kind = call["source"].removeprefix("./modules/")
        declared = json.loads((PROJECT / "generated" / "modules" / kind / "variables.tf.json").read_text())["variable"]
        assert set(call) - {"source"} <= set(declared), name


def test_every_service_points_at_the_server_with_placeholder_credentials():
    provider = sandbox.root("http://127.0.0.1:4566")["provider"]["aws"][0]
    assert provider["endpoints"] == [{service: "http://127.0.0.1:4566" for service in sandbox.SERVICES}]
    assert (provider["access_key"], provider["secret_key"]) == ("sandbox-placeholder", "sandbox-placeholder")
    # Each AWS service whose resources the root applies has its endpoint: none reaches AWS.
    services = {"aws_vpc": "ec2", "aws_subnet": "ec2", "aws_sns_topic": "sns", "aws_dynamodb_table": "dynamodb",
                "aws_kms_key": "kms", "aws_kms_key_policy": "kms", "aws_kms_alias": "kms",
                "aws_cloudwatch_metric_alarm": "cloudwatch", "aws_cloudwatch_log_group": "logs",
                "aws_security_group": "ec2", "aws_vpc_security_group_ingress_rule": "ec2",
                "aws_vpc_security_group_egress_rule": "ec2", "aws_dynamodb_resource_policy": "dynamodb"}
    applied = {t.split(".")[-2] for t in sandbox.targets() if t.count(".") >= 1 and not t.endswith("module.table")}
    applied |= {r.split(".")[0] for r in _module_resources("dynamodb") if not r.startswith("aws_appautoscaling")}
    assert {services[kind] for kind in applied} <= set(sandbox.SERVICES)


def test_the_server_answers_on_loopback_and_is_stopped(tmp_path):
    pytest.importorskip("moto.server", reason="moto's server is in the ci extra: pip install -e '.[test,ci]'")
    server = sandbox.MotoServer(tmp_path / "moto.log")
    try:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", server.url)
        assert server.wait_ready() < sandbox.SERVER_START_LIMIT
    finally:
        server.stop()
    assert server.process.returncode is not None


def test_a_server_that_cannot_start_is_one_error_within_the_limit(tmp_path, monkeypatch):
    """A port already taken: the server exits, and the wait says so instead of waiting out its limit."""
    pytest.importorskip("moto.server", reason="moto's server is in the ci extra: pip install -e '.[test,ci]'")
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        monkeypatch.setattr(sandbox, "free_port", lambda: taken.getsockname()[1])
        server = sandbox.MotoServer(tmp_path / "moto.log")
        try:
            with pytest.raises(sandbox.SandboxFailed, match=r"moto's server (exited|did not answer)"):
                server.wait_ready(limit=20)
        finally:
            server.stop()
