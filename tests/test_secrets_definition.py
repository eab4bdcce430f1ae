"""Every entry of the secrets definition (generator/language/secrets.py), one sample each, parametrized from the definition
itself: a pattern, a secret word, a key qualifier, a descriptive word or a secret parameter added there without a
sample here fails `test_every_pattern_has_samples`, or is tested by the loops over the definition's own tuples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.config import environments
from generator.language import secrets
from generator.language.inputs import InputError
from modules import all_modules

# One or more samples per pattern of secrets.PATTERNS, keyed by the pattern's description. The AWS documentation's
# example key ids (a long-term AKIA key, a temporary ASIA key from STS) and the PEM headers of every private key
# OpenSSL and OpenSSH write.
SAMPLES = {
    "an AWS access key id": ["AKIAIOSFODNN7EXAMPLE", "ASIAY34FZKBOKMUTVV7A"],
    "a private key": [
        "-----BEGIN PRIVATE KEY-----",
        "-----BEGIN RSA PRIVATE KEY-----",
        "-----BEGIN EC PRIVATE KEY-----",
        "-----BEGIN DSA PRIVATE KEY-----",
        "-----BEGIN OPENSSH PRIVATE KEY-----",
        "-----BEGIN ENCRYPTED PRIVATE KEY-----",
    ],
}
PEM_BODY = "\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END {kind}-----\n"
# Strings that resemble a secret on their face and are not one.
LOOKALIKES = [
    "-----BEGIN PUBLIC KEY-----",
    "-----BEGIN CERTIFICATE-----",
    "-----BEGIN RSA PUBLIC KEY-----",
    "AIDAJQABLZS4A3QDU576Q",  # an IAM user's unique id, not a key
    "AKIAIOSFODNN7EXAMPL",  # 19 characters
    "akiaiosfodnn7example",
    "XAKIAIOSFODNN7EXAMPLE",  # inside a longer word
    "arn:aws:kms:eu-west-1:111122223333:key/0b6c6d5e-1111-2222-3333-444455556666",
]
# From the samples, not from the patterns: a pattern removed from the definition leaves its samples failing here, and
# a pattern added without samples fails test_every_pattern_has_samples.
SAMPLE_CASES = [(what, sample) for what, samples in SAMPLES.items() for sample in samples]
ENVIRONMENT = """name_prefix = "acme-"
region = "eu-west-1"

[tags]
Owner = {owner}

[backend]
type = "local"

[dynamodb]
table_name = "orders"
hash_key = "id"
attributes = [{{ name = "id", type = "S" }}]
"""


def test_every_pattern_has_samples():
    assert sorted(SAMPLES) == sorted(what for what, _ in secrets.PATTERNS)


@pytest.mark.parametrize(("what", "sample"), SAMPLE_CASES, ids=[s for _, s in SAMPLE_CASES])
def test_pattern_sample_is_recognized(what, sample):
    assert secrets.secret_pattern(sample) == what
    assert secrets.secret_pattern(f"key: {sample} (planted)") == what


@pytest.mark.parametrize(("what", "sample"), SAMPLE_CASES, ids=[s for _, s in SAMPLE_CASES])
def test_tree_scan_refuses_pattern_sample_in_any_file(what, sample):
    pem = sample + PEM_BODY.format(kind=sample[11:-5]) if sample.startswith("-----BEGIN") else sample
    document = {"resource": {"aws_ssm_parameter": {"x": {"description": pem}}}}
    planted = {
        "README.md": f"Some text\n{pem}\n".encode(),
        "modules/x/main.tf.json": json.dumps(document).encode(),
        "modules/x/clean.tf.json": json.dumps({"resource": {"aws_ssm_parameter": {"y": {"name": "n"}}}}).encode(),
    }
    assert secrets.find_secrets(planted) == [f"README.md: contains {what}", f"modules/x/main.tf.json: contains {what}"]


@pytest.mark.parametrize(("what", "sample"), SAMPLE_CASES, ids=[s for _, s in SAMPLE_CASES])
def test_environment_file_holding_pattern_sample_is_refused_without_echoing_it(tmp_path: Path, what, sample):
    path = tmp_path / "acme.toml"
    path.write_text(ENVIRONMENT.format(owner=json.dumps(sample)))
    with pytest.raises(InputError) as err:
        environments.load(path, all_modules(), "environments/acme.toml")
    assert err.value.problems == [
        f"environments/acme.toml: [tags] Owner: holds {what}; secrets never go in an environment file: remove it "
        "(its value is not shown)"
    ]


@pytest.mark.parametrize("text", LOOKALIKES)
def test_lookalike_is_no_secret(text):
    assert secrets.secret_pattern(text) is None
    assert secrets.find_secrets({"README.md": text.encode()}) == []


@pytest.mark.parametrize("fragment", secrets.SECRET_FRAGMENTS)
def test_secret_fragment_anywhere_in_a_word(fragment):
    assert secrets.is_secret_name(f"db_{fragment}")
    assert secrets.is_secret_name(f"my{fragment}2")
    assert not secrets.is_secret_name(f"db_{fragment}_arn")


@pytest.mark.parametrize("word", secrets.SECRET_WORDS)
def test_secret_word_as_a_whole_word(word):
    assert secrets.is_secret_name(f"my_{word}")
    assert secrets.is_secret_name(f"my-{word}-2")
    assert not secrets.is_secret_name(f"my_{word}_length")


def test_whole_secret_words_only_as_whole_words():
    # The words that are not fragments ("pass", "pw", "token", …) inside a longer word name no secret.
    for word in secrets.SECRET_WORDS:
        if not any(fragment in word for fragment in secrets.SECRET_FRAGMENTS):
            assert not secrets.is_secret_name(f"x{word}q"), word


@pytest.mark.parametrize("qualifier", secrets.KEY_QUALIFIERS)
def test_key_after_a_qualifier(qualifier):
    assert secrets.is_secret_name(f"{qualifier}_key")
    assert secrets.is_secret_name(f"{qualifier}.key")
    # "key" before the qualifier is no key of it (unless the qualifier is a secret word itself: "secret").
    assert secrets.is_secret_name(f"key_{qualifier}") is secrets.is_secret_name(qualifier)


def test_key_alone_or_after_another_word_is_no_secret():
    for name in ("key", "hash_key", "range_key", "kms_key", "sort.key"):
        assert not secrets.is_secret_name(name)


@pytest.mark.parametrize("word", secrets.DESCRIPTIVE)
def test_descriptive_word_after_the_secret_word(word):
    assert not secrets.is_secret_name(f"db_password_{word}")
    assert not secrets.is_secret_name(f"auth_token_{word}")
    # Before the secret word it describes nothing: the name still holds a secret.
    assert secrets.is_secret_name(f"{word}_password")


@pytest.mark.parametrize("parameter", sorted(secrets.SECRET_PARAMETERS))
def test_secret_parameter_plain_and_per_listener(parameter):
    assert secrets.is_secret_name(parameter)
    assert secrets.is_secret_name(parameter.upper())
    assert secrets.is_secret_name(f"listener.name.client.{parameter}")
    assert secrets.is_secret_name(f"listener.name.client_tls.scram-sha-512.{parameter}")


def test_per_listener_settings_that_hold_no_secret():
    for name in ("listener.name.client.ssl.keystore.location", "listener.name.client.ssl.keystore.type",
                 "listener.name.client.scram-sha-512.sasl.login.callback.handler.class"):
        assert not secrets.is_secret_name(name)


@pytest.mark.parametrize("parameter", sorted(secrets.SECRET_PARAMETERS))
def test_tree_scan_refuses_literal_secret_parameter(parameter):
    document = {"module": {"kafka": {"server_properties": {parameter: "x1"}, "parameters": [
        {"name": parameter, "value": "x2"}]}}}
    found = secrets.find_secrets({"stacks/a/main.tf.json": json.dumps(document).encode()})
    assert found == [
        f"stacks/a/main.tf.json: module.kafka.server_properties.{parameter}: a literal value where only a reference "
        "to a sensitive variable may stand",
        f"stacks/a/main.tf.json: module.kafka.parameters: parameter {parameter!r} holds a literal value",
    ]
    # One block, not a list of them.
    document["module"]["kafka"] = {"parameter": {"name": parameter, "value": "x3"}}
    assert secrets.find_secrets({"stacks/a/main.tf.json": json.dumps(document).encode()}) == [
        f"stacks/a/main.tf.json: module.kafka.parameter: parameter {parameter!r} holds a literal value"]


def test_a_reference_or_a_declaration_is_no_literal():
    document = {
        "variable": {"auth_token": {"type": "string", "default": "declared"}},
        "module": {"cache": {"auth_token": "${var.auth_token}", "parameters": [{"name": "requirepass", "value": "${var.p}"}],
                             "password_length": 32, "tags": {"token": ""}}},
    }
    assert secrets.find_secrets({"stacks/a/main.tf.json": json.dumps(document).encode()}) == []


@pytest.mark.parametrize("name", ["dbPass", "signingKey", "sshKey", "sessionPwd", "masterKey"])
def test_camel_case_names_split_into_words(name):
    assert secrets.is_secret_name(name)
    assert not secrets.is_secret_name(name.lower())  # one word: none of the whole words or qualified keys


def scan(document: dict) -> list[str]:
    return secrets.find_secrets({"stacks/a/main.tf.json": json.dumps(document).encode()})


LITERAL = "a literal value where only a reference to a sensitive variable may stand"


def test_a_secret_key_holding_a_map_or_a_list_of_literals_is_found():
    assert scan({"module": {"x": {"credentials": {"user": "u", "pwd": "p"}, "tokens": ["t1"]}}}) == [
        f"stacks/a/main.tf.json: module.x.credentials: {LITERAL}",
        f"stacks/a/main.tf.json: module.x.credentials.pwd: {LITERAL}",
        f"stacks/a/main.tf.json: module.x.tokens: {LITERAL}",
    ]


def test_a_secret_key_holding_references_or_nothing_is_not():
    assert scan({"module": {"x": {"credentials": {"user": "u", "pwd": "${var.pwd}"}, "tokens": ["${var.t}"],
                                  "secrets": {}, "api_keys": []}}}) == []


def test_a_secret_inside_a_list_of_blocks_is_named_by_its_index():
    assert scan({"module": {"x": {"users": [{"name": "a"}, {"name": "b", "password": "p"}]}}}) == [
        f"stacks/a/main.tf.json: module.x.users[1].password: {LITERAL}"]


def test_sections_after_a_declaration_are_scanned():
    document = {"variable": {"auth_token": {"type": "string", "sensitive": True}},
                "output": {"auth_token": {"description": "set when applied", "sensitive": True, "value": None}},
                "module": {"x": {"auth_token": "literal"}}}
    assert scan(document) == [f"stacks/a/main.tf.json: module.x.auth_token: {LITERAL}"]


def test_a_file_that_is_not_utf8_is_still_scanned():
    found = secrets.find_secrets({"README.md": b"\xff\xfe binary AKIAIOSFODNN7EXAMPLE \xff"})
    assert found == ["README.md: contains an AWS access key id"]
