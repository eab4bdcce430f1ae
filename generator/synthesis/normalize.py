"""From cdktf's JSON to the files a Terraform reviewer expects, byte for byte the same on every machine.

- Drop cdktf's `"//"` metadata (library version, construct paths) at every level.
- Split one stack into main.tf.json (resources, data, locals, modules, provider), variables.tf.json,
  outputs.tf.json and versions.tf.json (the `terraform` block).
- Serialize with sorted keys, two-space indentation, LF line ends and a final newline.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterable, Mapping

SECTION_FILES = {"terraform": "versions.tf.json", "variable": "variables.tf.json", "output": "outputs.tf.json"}
MAIN_FILE = "main.tf.json"
MODULE_FILES = ("main.tf.json", "outputs.tf.json", "variables.tf.json", "versions.tf.json")


def strip_metadata(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: strip_metadata(v) for k, v in value.items() if k != "//"}
    if isinstance(value, list):
        return [strip_metadata(v) for v in value]
    return value


def split(document: dict[str, Any], *, always: tuple[str, ...] = ()) -> dict[str, dict[str, Any]]:
    """One Terraform JSON document → {file name: document}; `always` names files written even when empty."""
    files: dict[str, dict[str, Any]] = {name: {} for name in always}
    for section, body in strip_metadata(document).items():
        files.setdefault(SECTION_FILES.get(section, MAIN_FILE), {})[section] = body
    return files


def join(documents: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The inverse of `split`: the files of one folder read back as one configuration."""
    merged: dict[str, Any] = {}
    for document in documents:
        for section, body in document.items():
            if isinstance(body, dict):
                merged.setdefault(section, {}).update(body)
            else:
                merged[section] = body
    return merged


def serialize(document: Any) -> bytes:
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def escape_templates(value: Any) -> Any:
    """Literal data from an environment file: in Terraform JSON every string is a template, map keys included,
    so a literal "${" or "%{" must be doubled to stay literal; otherwise a tag key could call file() or read
    another variable at plan time. Keys and values, at any depth."""
    if isinstance(value, str):
        return re.sub(r"([$%])\{", r"\1\1{", value)
    if isinstance(value, list):
        return [escape_templates(v) for v in value]
    if isinstance(value, dict):
        return {escape_templates(k): escape_templates(v) for k, v in value.items()}
    return value
