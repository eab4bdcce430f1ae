"""What a secret looks like, defined once, and the scan that keeps secret values out of generated files.

Secrets arrive as sensitive root variables when someone applies (`TF_VAR_…`). The same definition serves two
checks: an environment file that names a secret is refused (generator.config.environments, before anything is
synthesized), and `python main.py` refuses to write a tree in which a secret-looking key holds a literal value,
or in which an AWS access key or a private key appears anywhere (the last line).

A name looks like a secret when, after splitting it into words (`db_password_2`, `apiKey `, `ssl.key.password`),
- a word is or contains a secret word (password, secret, token, api key, private key, …), and
- no word after it says the name describes the secret instead of holding it (`auth_token_update_strategy`,
  `password_length`, `secret_arn`);
or it is a parameter known to carry a secret (Valkey `requirepass`, Kafka `sasl.jaas.config`, …).
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterator, Mapping

# Contained anywhere in a word: "dbpassword", "mysecret", "apikey".
SECRET_FRAGMENTS = (
    "password", "passwd", "passphrase", "secret", "apikey", "apitoken", "privatekey", "accesskey", "secretkey",
    "credential", "authtoken", "accesstoken", "sessiontoken", "bearertoken", "refreshtoken", "clientsecret",
)
# Whole words only: "pass" is a secret in `db_pass`, not in `passthrough`; "token" not in "tokenizer".
SECRET_WORDS = ("token", "tokens", "pwd", "pass", "pw", "psk", "jaas", "requirepass", "masterauth")
# "key" after one of these: `api_key`, `private-key`, `access key`, `signing.key`.
KEY_QUALIFIERS = ("api", "private", "access", "secret", "signing", "ssh", "master")
# A word after the secret word that makes the name describe it: these hold a reference, a switch or a size.
DESCRIPTIVE = (
    "arn", "arns", "id", "ids", "name", "names", "enabled", "enable", "disabled", "strategy", "update", "length",
    "type", "version", "policy", "rotation", "rotate", "ttl", "expiry", "expiration", "required", "mode", "count",
    "kms", "algorithm", "parameter", "ref", "reference", "variable", "var", "file", "path", "url", "endpoint",
    "location", "header", "format", "hint", "min", "max", "age", "days", "hours", "seconds",
)
# Engine parameters that carry a secret, whatever the word rule says. Sources: the Valkey configuration
# reference (requirepass, masterauth) and Apache Kafka's broker configuration (ssl.*, sasl.*, password.encoder.*,
# delegation.token.*), as of Kafka 3.8.
SECRET_PARAMETERS = frozenset({
    "requirepass", "masterauth",
    "sasl.jaas.config", "ssl.keystore.password", "ssl.key.password", "ssl.truststore.password",
    "ssl.keystore.key", "ssl.keystore.certificate.chain", "ssl.truststore.certificates",
    "password.encoder.secret", "password.encoder.old.secret", "delegation.token.secret.key",
    "delegation.token.master.key", "sasl.oauthbearer.client.credentials.client.secret",
})
# Kafka's per-listener forms: listener.name.<listener>.ssl.keystore.key, and for SASL with the mechanism between:
# listener.name.<listener>.<mechanism>.sasl.jaas.config. What follows the listener is read both ways.
PER_LISTENER = re.compile(r"listener\.name\.[^.]+\.(.+)")

PATTERNS = (
    ("an AWS access key id", re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
)
# Terraform blocks whose entries are declarations, not values: a `variable "auth_token"` block is fine.
DECLARATIONS = ("variable", "output")


def _words(name: str) -> list[str]:
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name.strip())  # apiKey → api Key
    return [w for w in re.split(r"[^a-z]+", spaced.lower()) if w]


def _secret_word(words: list[str], index: int) -> bool:
    word = words[index]
    if word in SECRET_WORDS or any(fragment in word for fragment in SECRET_FRAGMENTS):
        return True
    return word == "key" and index > 0 and words[index - 1] in KEY_QUALIFIERS


def is_secret_name(name: str) -> bool:
    """Whether a key (an input, a tag, a parameter, a JSON attribute) names a secret value."""
    stripped = name.strip().lower()
    listener = PER_LISTENER.fullmatch(stripped)
    if stripped in SECRET_PARAMETERS or (listener and (
        listener.group(1) in SECRET_PARAMETERS or listener.group(1).partition(".")[2] in SECRET_PARAMETERS
    )):
        return True
    words = _words(name)
    secret_at = [i for i in range(len(words)) if _secret_word(words, i)]
    if not secret_at:
        return False
    return not any(word in DESCRIPTIVE for word in words[secret_at[-1] + 1:])


# A secret-looking name given a value inside a text: `token=abc` in a description, `ssl.key.password = x` in a
# properties text. The name is judged by is_secret_name; what follows `=` up to a space, `,`, `;` or `&` is the value.
ASSIGNMENT = re.compile(r"(?<![A-Za-z0-9_.\-])([A-Za-z_][A-Za-z0-9_.\-]*)[ \t]*=[ \t]*(?=[^\s=])([^\s,;&]+)")


def secret_pattern(value: str) -> str | None:
    """What secret a string value holds on its face (an AWS access key id, a private key, a secret-looking name
    given a value: `token=…`), or None."""
    for what, pattern in PATTERNS:
        if pattern.search(value):
            return what
    if any(is_secret_name(match.group(1)) for match in ASSIGNMENT.finditer(value)):
        return "a value given to a secret-looking name (name=value)"
    return None


def redact(text: str, hidden: str = "(not shown)") -> str:
    """`text` with what secret_pattern finds replaced by `hidden`: the key or the value after the secret name."""
    for _, pattern in PATTERNS:
        text = pattern.sub(hidden, text)
    return ASSIGNMENT.sub(lambda m: f"{m.group(1)}={hidden}" if is_secret_name(m.group(1)) else m.group(0), text)


def _walk(value: Any, path: str) -> Iterator[tuple[str, str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield path, key, item
            yield from _walk(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]")


def _literal(value: Any) -> bool:
    """A value that is not a reference: a non-empty string that does not start an expression."""
    return isinstance(value, str) and value != "" and not value.startswith("${")


def find_secrets(files: Mapping[str, bytes]) -> list[str]:
    found: list[str] = []
    for path, content in sorted(files.items()):
        text = content.decode("utf-8", errors="replace")
        for what, pattern in PATTERNS:
            if pattern.search(text):
                found.append(f"{path}: contains {what}")
        if not path.endswith(".json"):
            continue
        document = json.loads(content)
        for section, body in document.items():
            if section in DECLARATIONS:
                continue
            for where, key, value in _walk(body, section):
                if is_secret_name(key) and (_literal(value) or (isinstance(value, (dict, list)) and value and "${" not in json.dumps(value))):
                    found.append(f"{path}: {where}.{key}: a literal value where only a reference to a sensitive variable may stand")
                else:
                    # The name/value form of a parameter block: { name = "requirepass", value = "…" }, one block or
                    # a list of them (Terraform JSON's form of a repeated block).
                    for block in [value] if isinstance(value, dict) else value if isinstance(value, list) else []:
                        if isinstance(block, dict) and isinstance(block.get("name"), str) and \
                                is_secret_name(block["name"]) and _literal(block.get("value")):
                            found.append(f"{path}: {where}.{key}: parameter {block['name']!r} holds a literal value")
    return found
