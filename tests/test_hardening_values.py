"""Issue 26, security: no injection through MSK broker properties or ElastiCache parameters, and no ElastiCache
without authentication unless the caller says so.

The module writes `server_properties` as `key=value` lines of a Java properties file, so a line break in a value
started a property of its own ({"log.retention.hours" = "24\\nauto.create.topics.enable=true"} switched the
module's secure default off), a trailing backslash continued a value onto the module's next line, and
`server_properties_text` skipped the allow-list. Each rule here is one declaration in the rule language: the
environment check (the corpus, tests/corpus/msk-*.toml and valkey-*.toml, runs them through the command line) and
the module's `validation` blocks, which these tests plan with Terraform from HCL calls.
"""

from __future__ import annotations

import json
import re
import textwrap
import tomllib
from pathlib import Path

import pytest

from generator.commands import cli
from generator.config import environments
from generator.language import rules
from generator.language.inputs import InputError
from modules import all_modules
from modules.elasticache import MODULE as CACHE_MODULE
from modules.msk import MODULE as MSK_MODULE
from modules.msk.inputs import assignments
from testkit.assertions import Plan
from testkit.pytest_terraform import plan_case, refusal_case

SUBNETS = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"]
KAFKA = {"name_prefix": "mapzip-dev-", "cluster_name": "events", "vpc_id": "vpc-0a1b2c3d4e5f60718", "subnet_ids": SUBNETS}
TOKEN = "example-token-0123456789"
CACHE = {"name_prefix": "mapzip-dev-", "cluster_name": "auth", "vpc_id": "vpc-0a1b2c3d4e5f60718",
         "subnet_ids": SUBNETS[:2], "allowed_security_group_ids": ["sg-0e0e0e0e0e0e0e0e1"], "auth_token": TOKEN}
LONG_MAX = str(2**63 - 1)

# The Terraform messages (the variables' validation blocks and the checks' preconditions).
CONTROL = ("server_properties must give each property a value without control characters (a line break in a value "
           "would start a property of its own).")
EMPTY = "server_properties must give each property a value (an empty one is no setting)."
BACKSLASH = ("server_properties must give no property a value ending in a backslash (Java properties would continue "
             "it onto the module's next line).")
TYPED = ("server_properties must give each property a value of its type (Kafka's documented values and ranges, in "
         "modules/catalog.py).")
NAMES = "server_properties must name only properties MSK lets a custom configuration set (modules/catalog.py)."
TEXT_CONTROL = "server_properties_text must hold no control characters but line breaks (no tabs either)."
TEXT_BACKSLASH = ("server_properties_text must hold no backslash (Java properties read it as an escape, or at a "
                  "line's end as a continuation).")
TEXT_LINES = ("server_properties_text must have each line blank, a comment (# or !) or one property: <name>=<value> "
              "or <name>:<value>, the value without blanks.")
TEXT_NAMES = ("server_properties_text must set only properties MSK lets a custom configuration set "
              "(modules/catalog.py).")
TEXT_ONCE = ("server_properties_text must set each property once (Java properties keep the last, which would hide "
             "the first).")
TEXT_TYPED = ("server_properties_text must give each property a value of its type (Kafka's documented values and "
              "ranges, in modules/catalog.py).")
PARAMETER_CONTROL = "parameters must give each parameter a value without control characters."
PARAMETER_EMPTY = "parameters must give each parameter a value (to go back to the default, leave the parameter out)."
PARAMETER_TYPED = ("parameters must give each parameter a value of its type (AWS's documented values and ranges, in "
                   "modules/catalog.py).")
NO_AUTHENTICATION = ("auth_token is needed, or users or user_group_ids (RBAC): without them clients connect without "
                     "authentication (authentication_disabled = true allows that, and weakens security).")
OPT_OUT_WITH_AUTHENTICATION = ("authentication_disabled must not be true with auth_token, users or user_group_ids "
                               "(clients authenticate).")
ALL_MESSAGES = (CONTROL, EMPTY, BACKSLASH, TYPED, NAMES, TEXT_CONTROL, TEXT_BACKSLASH, TEXT_LINES, TEXT_NAMES,
                TEXT_ONCE, TEXT_TYPED, PARAMETER_CONTROL, PARAMETER_EMPTY, PARAMETER_TYPED, NO_AUTHENTICATION,
                OPT_OUT_WITH_AUTHENTICATION)


def messages_in(error: str) -> list[str]:
    """Which of this file's messages Terraform's error holds, in the order above: each refusal is asserted to be
    exactly the expected ones (a rule that refused too much would show here too)."""
    return [m for m in ALL_MESSAGES if m in error]


# --- MSK: hostile values, refused by Terraform from HCL ------------------------------------------------------------
MSK_REFUSED = {
    "line-break-smuggles-auto-create": ({"server_properties": {
        "log.retention.hours": "24\nauto.create.topics.enable=true"}}, [CONTROL, TYPED]),
    "carriage-return-smuggles-acl": ({"server_properties": {
        "num.partitions": "3\rallow.everyone.if.no.acl.found=true"}}, [CONTROL, TYPED]),
    "crlf-smuggles-unlisted": ({"server_properties": {
        "delete.topic.enable": "false\r\nlog.dirs=/tmp/elsewhere"}}, [CONTROL, TYPED]),
    "next-line-character": ({"server_properties": {"compression.type": "zstd\u0085"}}, [CONTROL, TYPED]),
    "delete-character": ({"server_properties": {"compression.type": "zstd\u007f"}}, [CONTROL, TYPED]),
    "trailing-backslash": ({"server_properties": {"log.retention.hours": "24\\"}}, [BACKSLASH, TYPED]),
    "empty": ({"server_properties": {"num.partitions": ""}}, [EMPTY, TYPED]),
    "not-a-boolean": ({"server_properties": {"auto.create.topics.enable": "TRUE"}}, [TYPED]),
    "below-range": ({"server_properties": {"min.insync.replicas": "0"}}, [TYPED]),
    "past-a-long": ({"server_properties": {"log.retention.ms": str(2**63)}}, [TYPED]),
    "past-an-int": ({"server_properties": {"num.partitions": str(2**31)}}, [TYPED]),
    "fullwidth-digit": ({"server_properties": {"num.partitions": "\uff13"}}, [TYPED]),
    "ratio-over-one": ({"server_properties": {"log.cleaner.min.cleanable.ratio": "1.5"}}, [TYPED]),
    "unknown-codec": ({"server_properties": {"compression.type": "brotli"}}, [TYPED]),
    "unlisted-name": ({"server_properties": {"log.dirs": "/tmp/elsewhere"}}, [NAMES]),
    "text-unlisted": ({"server_properties_text": "auto.create.topics.enable=false\nlog.dirs=/tmp/elsewhere\n"},
                      [TEXT_NAMES]),
    "text-continuation": ({"server_properties_text": "log.retention.hours=24\\\n  auto.create.topics.enable=true\n"},
                          [TEXT_BACKSLASH, TEXT_TYPED]),  # "24\\" is no number
    "text-escape": ({"server_properties_text": "auto.create.topics.enabl\\u0065=true\n"},
                    [TEXT_BACKSLASH, TEXT_LINES]),  # a backslash is no character of a name
    "text-set-twice": ({"server_properties_text": "allow.everyone.if.no.acl.found=false\n"
                                                  "allow.everyone.if.no.acl.found=true\n"}, [TEXT_ONCE]),
    "text-tab": ({"server_properties_text": "auto.create.topics.enable=false\tnum.partitions=3\n"},
                 [TEXT_CONTROL, TEXT_LINES]),
    "text-blank-separator": ({"server_properties_text": "auto.create.topics.enable true\n"}, [TEXT_LINES]),
    "text-empty-value": ({"server_properties_text": "num.partitions=\n"}, [TEXT_LINES]),
    "text-wrong-type": ({"server_properties_text": "# retention\nlog.retention.hours: 24h\n"}, [TEXT_TYPED]),
}
MSK_REFUSAL_CASES = {name: refusal_case("msk", {**KAFKA, **overrides}) for name, (overrides, _) in MSK_REFUSED.items()}


@pytest.mark.parametrize("name", sorted(MSK_REFUSED))
def test_terraform_refuses_hostile_broker_properties(refused, name):
    assert messages_in(refused(MSK_REFUSAL_CASES[name])) == MSK_REFUSED[name][1]


@pytest.mark.parametrize("name", sorted(MSK_REFUSED))
def test_python_refuses_the_same_values_with_one_line(name):
    overrides, expected = MSK_REFUSED[name]
    _, found = MSK_MODULE.inputs.problems({**KAFKA, **overrides})
    assert len(found) == 1
    # Python stops at an input's first failing rule: the first of Terraform's messages, with the value.
    first = expected[0]
    name_, must = first[:-1].split(" must ", 1)
    assert found[0][1].startswith(f"{name_}: must {must}, got ")


# --- MSK: real values, accepted and written exactly ------------------------------------------------------------------
REAL_PROPERTIES = {
    "allow.everyone.if.no.acl.found": "false",
    "auto.create.topics.enable": "false",
    "compression.type": "zstd",
    "default.replication.factor": "3",
    "log.cleaner.min.cleanable.ratio": "0.5",
    "log.cleanup.policy": "compact,delete",
    "log.message.timestamp.difference.max.ms": LONG_MAX,  # Kafka's default, Long.MAX_VALUE, written out
    "log.message.timestamp.type": "LogAppendTime",
    "log.retention.bytes": "-1",
    "log.retention.hours": "168",
    "min.insync.replicas": "2",
    "num.partitions": "1",
    "offsets.topic.replication.factor": "3",
    "replica.selector.class": "org.apache.kafka.common.replica.RackAwareReplicaSelector",
    "socket.receive.buffer.bytes": "-1",
    "unclean.leader.election.enable": "false",
    "zookeeper.session.timeout.ms": "18000",
}
# A configuration as someone wrote it by hand: comments of both kinds, a Windows line ending, blanks around = and :.
REAL_TEXT = (
    "# Broker defaults for the events cluster\r\n"
    "! reviewed 2026-11\r\n"
    "\r\n"
    "auto.create.topics.enable=false\r\n"
    "default.replication.factor = 3\r\n"
    "min.insync.replicas: 2\r\n"
    "  num.partitions=6\r\n"
    "log.retention.ms=-1\r\n"
)
MSK_ACCEPTED = plan_case("msk", {**KAFKA, "server_properties": REAL_PROPERTIES})
MSK_ACCEPTED_TEXT = plan_case("msk", {**KAFKA, "server_properties_text": REAL_TEXT})


def test_real_properties_are_planned_as_sorted_lines(planned):
    configuration = Plan(planned(MSK_ACCEPTED)).resource("module.under_test.aws_msk_configuration.this")
    assert configuration["server_properties"] == "\n".join(f"{k}={v}" for k, v in sorted(REAL_PROPERTIES.items()))


def test_a_real_text_is_planned_as_written(planned):
    configuration = Plan(planned(MSK_ACCEPTED_TEXT)).resource("module.under_test.aws_msk_configuration.this")
    assert configuration["server_properties"] == REAL_TEXT


def test_python_accepts_the_real_values():
    assert MSK_MODULE.inputs.problems({**KAFKA, "server_properties": REAL_PROPERTIES})[1] == []
    assert MSK_MODULE.inputs.problems({**KAFKA, "server_properties_text": REAL_TEXT})[1] == []


def test_the_text_is_read_as_java_properties_reads_its_lines():
    """Comments, blank lines, = or : with blanks around, \\r\\n and \\r line endings: the name=value pairs the rules
    check are those Java's Properties.load reads from these lines."""
    assert rules.expr.holds(assignments(rules.expr.lift(REAL_TEXT)) == [
        "auto.create.topics.enable=false", "default.replication.factor=3", "min.insync.replicas=2",
        "num.partitions=6", "log.retention.ms=-1"], {})
    assert rules.expr.holds(assignments(rules.expr.lift("a=1\rb:2\n#c=3\n!d=4\n  \n")) == ["a=1", "b=2"], {})


def test_a_second_acl_line_no_longer_passes_the_multi_vpc_check():
    """Before: the multi-VPC check looked for a line allow.everyone.if.no.acl.found=false, and a later line setting it
    to true (the one Java keeps) passed too."""
    base = {**KAFKA, "client_authentication_scram_enabled": True, "vpc_connectivity_scram_enabled": True}
    _, found = MSK_MODULE.inputs.problems({**base, "server_properties_text": "allow.everyone.if.no.acl.found=false\n"
                                                                          "allow.everyone.if.no.acl.found=true\n"})
    assert [m for _, m in found] == [
        'server_properties_text: must set each property once (Java properties keep the last, which would hide the '
        'first), got "allow.everyone.if.no.acl.found" more than once']
    # With ":" and blanks, as Java reads it, the setting counts.
    assert MSK_MODULE.inputs.problems({**base, "server_properties_text": "allow.everyone.if.no.acl.found : false\n"})[1] == []


def test_the_values_named_in_messages_are_escaped_and_capped():
    _, found = MSK_MODULE.inputs.problems({**KAFKA, "server_properties": {"num.partitions": "3\x85" + "9" * 500}})
    (message,) = [m for _, m in found]
    assert message.endswith('got num.partitions = "3\\u0085' + "9" * 118 + '…"')
    assert "\x85" not in message


# --- ElastiCache parameters ----------------------------------------------------------------------------------------
CACHE_REFUSED = {
    "line-break": ({"notify-keyspace-events": "Ex\nmaxmemory-policy noeviction"}, [PARAMETER_CONTROL, PARAMETER_TYPED]),
    "escape-character": ({"maxmemory-policy": "allkeys-lru\u001b"}, [PARAMETER_CONTROL, PARAMETER_TYPED]),
    "empty": ({"maxmemory-policy": ""}, [PARAMETER_EMPTY, PARAMETER_TYPED]),
    "negative-timeout": ({"timeout": "-1"}, [PARAMETER_TYPED]),
    "percent-over-100": ({"reserved-memory-percent": "101"}, [PARAMETER_TYPED]),
    "samples-over-64": ({"maxmemory-samples": "65"}, [PARAMETER_TYPED]),
    "samples-zero": ({"maxmemory-samples": "0"}, [PARAMETER_TYPED]),
    "keyspace-characters": ({"notify-keyspace-events": "Exq"}, [PARAMETER_TYPED]),
    "decimal": ({"tcp-keepalive": "300.5"}, [PARAMETER_TYPED]),
    "plus-sign": ({"timeout": "+300"}, [PARAMETER_TYPED]),
    "boolean-as-true": ({"activedefrag": "true"}, [PARAMETER_TYPED]),
    "rename-without-new-name": ({"rename-commands": "flushall"}, [PARAMETER_TYPED]),
}
CACHE_REFUSAL_CASES = {name: refusal_case("elasticache", {**CACHE, "parameters": parameters})
                       for name, (parameters, _) in CACHE_REFUSED.items()}


@pytest.mark.parametrize("name", sorted(CACHE_REFUSED))
def test_terraform_refuses_hostile_parameters(refused, name):
    assert messages_in(refused(CACHE_REFUSAL_CASES[name])) == CACHE_REFUSED[name][1]


@pytest.mark.parametrize("name", sorted(CACHE_REFUSED))
def test_python_refuses_the_same_parameters_with_one_line(name):
    parameters, expected = CACHE_REFUSED[name]
    _, found = CACHE_MODULE.inputs.problems({**CACHE, "parameters": parameters})
    assert len(found) == 1
    assert found[0][1].startswith("parameters: must " + expected[0][len("parameters must "):-1] + ", got ")


REAL_PARAMETERS = {
    "maxmemory-policy": "allkeys-lru", "maxmemory-samples": "64", "reserved-memory-percent": "100", "timeout": "0",
    "notify-keyspace-events": "KEA", "tcp-keepalive": "300", "activedefrag": "yes", "slowlog-log-slower-than": "-1",
    "rename-commands": "flushall nuke-all flushdb nuke-db", "client-query-buffer-limit": "3221225472",
}
CACHE_ACCEPTED = plan_case("elasticache", {**CACHE, "parameters": REAL_PARAMETERS})


def test_real_parameters_are_planned(planned):
    group = Plan(planned(CACHE_ACCEPTED)).resource("module.under_test.aws_elasticache_parameter_group.this[0]")
    assert {p["name"]: p["value"] for p in group["parameter"]} == REAL_PARAMETERS
    assert CACHE_MODULE.inputs.problems({**CACHE, "parameters": REAL_PARAMETERS})[1] == []


# --- ElastiCache without authentication ----------------------------------------------------------------------------
NO_AUTH = {k: v for k, v in CACHE.items() if k != "auth_token"}
AUTH_REFUSED = {
    "no-token-no-rbac": (NO_AUTH, [NO_AUTHENTICATION]),
    "tls-off-no-opt-out": ({**NO_AUTH, "transit_encryption_enabled": False}, [NO_AUTHENTICATION]),
    "opt-out-with-token": ({**CACHE, "authentication_disabled": True}, [OPT_OUT_WITH_AUTHENTICATION]),
    "opt-out-with-group": ({**NO_AUTH, "authentication_disabled": True, "user_group_ids": ["sessions"]},
                           [OPT_OUT_WITH_AUTHENTICATION]),
}
AUTH_REFUSAL_CASES = {name: refusal_case("elasticache", arguments) for name, (arguments, _) in AUTH_REFUSED.items()}
OPTED_OUT = plan_case("elasticache", {**NO_AUTH, "authentication_disabled": True})
RBAC_GROUP = plan_case("elasticache", {**NO_AUTH, "user_group_ids": ["sessions"]})


@pytest.mark.parametrize("name", sorted(AUTH_REFUSED))
def test_terraform_refuses_a_cache_without_authentication_unless_told(refused, name):
    assert messages_in(refused(AUTH_REFUSAL_CASES[name])) == AUTH_REFUSED[name][1]


def test_the_opt_out_and_rbac_plan(planned):
    group = Plan(planned(OPTED_OUT)).resource("module.under_test.aws_elasticache_replication_group.this")
    assert (group["transit_encryption_enabled"], group["auth_token"], group["user_group_ids"]) == (True, None, None)
    group = Plan(planned(RBAC_GROUP)).resource("module.under_test.aws_elasticache_replication_group.this")
    assert (group["auth_token"], group["user_group_ids"]) == (None, ["sessions"])


def test_python_refuses_no_authentication_and_warns_on_the_opt_out():
    _, found = CACHE_MODULE.inputs.problems(NO_AUTH)
    assert [m for _, m in found] == [
        "auth_token: is needed, or users or user_group_ids (RBAC): without them clients connect without "
        "authentication (authentication_disabled = true allows that, and weakens security), got users = {}, "
        "user_group_ids = [], authentication_disabled = false"]
    values = CACHE_MODULE.inputs.validate({**NO_AUTH, "authentication_disabled": True})
    assert CACHE_MODULE.inputs.warnings(values) == [
        "authentication_disabled = true lets clients connect without authentication (no AUTH token, no RBAC)"]
    _, found = CACHE_MODULE.inputs.problems({**CACHE, "authentication_disabled": True})
    assert [m for _, m in found] == [
        "authentication_disabled: must not be true with auth_token, users or user_group_ids (clients authenticate), "
        "got true"]
    assert TOKEN not in " ".join(m for _, m in found)


HEAD = """\
name_prefix = "mapzip-dev-"
region = "ap-northeast-2"
vpc_id = "vpc-0a1b2c3d4e5f60718"
subnet_ids = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]

[elasticache_auth]
cluster_name = "auth"
allowed_security_group_ids = ["sg-0e0e0e0e0e0e0e0e1"]
"""


def load(tmp_path: Path, text: str) -> environments.Environment:
    path = tmp_path / "dev.toml"
    path.write_text(textwrap.dedent(text))
    return environments.load(path, all_modules(), "environments/dev.toml")


def test_environment_files_get_a_token_variable_or_opt_out_with_a_warning(tmp_path):
    """An environment block with TLS and no RBAC still gets its sensitive AUTH token variable; the opt-out drops the
    variable, and synth warns."""
    assert load(tmp_path, HEAD).modules[0].secrets == ("auth_token",)
    opted_out = load(tmp_path, HEAD + "authentication_disabled = true\n")
    assert opted_out.modules[0].secrets == ()
    assert opted_out.modules[0].arguments["authentication_disabled"] is True
    assert ("environments/dev.toml: [elasticache_auth] authentication_disabled = true lets clients connect without "
            "authentication (no AUTH token, no RBAC)") in opted_out.warnings


def test_environment_file_with_tls_off_needs_the_opt_out(tmp_path):
    with pytest.raises(InputError) as err:
        load(tmp_path, HEAD + "transit_encryption_enabled = false\n")
    assert err.value.problems == [
        "environments/dev.toml: [elasticache_auth] auth_token: is needed, or users or user_group_ids (RBAC): without "
        "them clients connect without authentication (authentication_disabled = true allows that, and weakens "
        "security), got users = {}, user_group_ids = [], authentication_disabled = false"]


def test_every_message_here_is_one_the_modules_declare():
    """The Terraform messages above are the generated ones (a renamed rule fails here, not silently in `in`)."""
    declared = set()
    for definition in (MSK_MODULE, CACHE_MODULE):
        for spec in definition.inputs.inputs:
            declared |= {block["error_message"] for block in spec.validation_blocks()}
        declared |= {check.terraform_message() for check in definition.inputs.checks if check.hcl}
    assert set(ALL_MESSAGES) <= declared, set(ALL_MESSAGES) - declared
    assert all(re.fullmatch(r"[a-z_]+ (must|is needed)[ ,].+[.]", m) for m in ALL_MESSAGES)


# --- --adopt: a group without authentication keeps working, and says so ----------------------------------------------
ESTATE_STATE = Path(__file__).resolve().parent / "fixtures" / "estate" / "state.show.json"


def _resources(module: dict):
    yield from module.get("resources", [])
    for child in module.get("child_modules", []):
        yield from _resources(child)


def test_adopt_pins_the_opt_out_only_for_a_group_without_authentication(tmp_path, capsys):
    """The estate's two caches run without TLS and AUTH: adopt pins authentication_disabled = true (the module would
    refuse them otherwise). Given TLS and an AUTH token in the state, the auth cache gets no opt-out, and the note to
    keep supplying its token; the recommend cache (TLS, no token) keeps its opt-out and gets no such note."""
    state = json.loads(ESTATE_STATE.read_text())
    for resource in _resources(state["values"]["root_module"]):
        if resource["type"] == "aws_elasticache_replication_group":
            resource["values"]["transit_encryption_enabled"] = True
            if resource["address"].startswith("module.elasticache_auth."):
                resource["values"]["auth_token"] = "estate-token-0123456789"
    changed = tmp_path / "state.show.json"
    changed.write_text(json.dumps(state))
    config = tmp_path / "environments" / "estate.toml"
    config.parent.mkdir()
    cli.main(["--adopt", str(changed), "--config", str(config)])
    out, _ = capsys.readouterr()
    written = tomllib.loads(config.read_text())
    assert "authentication_disabled" not in written["elasticache_auth"]
    assert written["elasticache_recommend"]["authentication_disabled"] is True
    assert ("note: [elasticache_auth] auth_token: keep supplying the group's AUTH token when you apply, as "
            "TF_VAR_elasticache_auth_auth_token (never in the file)") in out.splitlines()
    assert "[elasticache_recommend] auth_token: keep supplying" not in out
    assert ("[elasticache_recommend] authentication_disabled = true: the group has no AUTH token and no RBAC user "
            "group (clients connect without authentication); the module's default false is an in-place change you can "
            "make later") in out.splitlines()
    assert "estate-token-0123456789" not in out + config.read_text()
