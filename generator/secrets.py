"""No secret value may reach a generated file: only references to sensitive variables.

Secrets arrive as sensitive root variables when someone applies (`TF_VAR_…`); an environment file that names one is
refused (generator.environments). This scan is the last line: `python main.py` refuses to write a tree in which
a secret-looking key holds a literal value, or in which an AWS access key or a private key appears anywhere.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterator, Mapping

SECRET_KEY = re.compile(r"(auth_token|password|passwd|secret|private_key|access_key|token)$", re.IGNORECASE)
PATTERNS = (
    ("an AWS access key id", re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
)
# Terraform blocks whose entries are declarations, not values: a `variable "auth_token"` block is fine.
DECLARATIONS = ("variable", "output")


def _walk(value: Any, path: str) -> Iterator[tuple[str, str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield path, key, item
            yield from _walk(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]")


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
                if SECRET_KEY.search(key) and isinstance(value, str) and value and not value.startswith("${"):
                    found.append(f"{path}: {where}.{key}: a literal value where only a reference to a sensitive variable may stand")
    return found
