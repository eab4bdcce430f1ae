"""`python main.py --diff`: what a fresh synth changes in the committed tree, in terms a reviewer reads.

Per module and stack: resources, module blocks, variables and outputs added and removed, and every changed
attribute as `address.attribute: old → new`; then one count line. Plain text, ready to paste into a pull request.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Mapping

from generator.normalize import join

# Terraform JSON sections whose entries are addressed by name, and how an address is written.
SECTIONS: dict[str, Callable[[str], str]] = {
    "variable": lambda name: f"variable.{name}",
    "output": lambda name: f"output.{name}",
    "module": lambda name: f"module.{name}",
    "locals": lambda name: f"local.{name}",
}
MAX_VALUE = 100
# Top-level sections that are lists of blocks (address moves), and the attribute that names each block.
LIST_SECTIONS = {"moved": "from", "removed": "from", "import": "to"}


def _short(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def _flatten(value: Any, prefix: str) -> dict[str, Any]:
    if isinstance(value, dict) and value:
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}.{key}"))
        return flat
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        flat = {}
        for index, item in enumerate(value):
            flat.update(_flatten(item, f"{prefix}[{index}]"))
        return flat
    return {prefix: value}


def _entries(document: Mapping[str, Any]) -> dict[str, Any]:
    """Every addressable block of a configuration: `aws_x.name`, `variable.name`, `module.name`, …"""
    entries: dict[str, Any] = {}
    for kind, items in document.get("resource", {}).items():
        for name, body in items.items():
            entries[f"{kind}.{name}"] = body
    for kind, items in document.get("data", {}).items():
        for name, body in items.items():
            entries[f"data.{kind}.{name}"] = body
    for section, address in SECTIONS.items():
        for name, body in document.get(section, {}).items():
            entries[address(name)] = body
    for section in ("terraform", "provider"):
        if section in document:
            entries[section] = document[section]
    for section, key in LIST_SECTIONS.items():
        for block in document.get(section, []):
            entries[f"{section} {block.get(key)}"] = block
    return entries


def _configuration_files(files: Mapping[str, bytes], folder: str) -> list[str]:
    return [p for p in sorted(files) if p.startswith(folder + "/") and p.count("/") == 2 and p.endswith(".tf.json")]


def _unreadable(content: bytes) -> str | None:
    """Why a file of the tree is not Terraform JSON the summary can read (a hand edit, a binary), or None."""
    try:
        document = json.loads(content.decode("utf-8"))
    except UnicodeDecodeError:
        return "not UTF-8 text"
    except ValueError as err:
        return f"not valid JSON ({err})"
    if not isinstance(document, dict) or not all(
        isinstance(body, list if section in LIST_SECTIONS else dict) for section, body in document.items()
    ):
        return "not a Terraform JSON object of blocks"
    for section in LIST_SECTIONS:
        if not all(isinstance(block, dict) for block in document.get(section, [])):
            return f"not a Terraform JSON object of blocks (in {section})"
    for section in ("resource", "data"):
        if not all(isinstance(items, dict) for items in document.get(section, {}).values()):
            return f"not a Terraform JSON object of blocks (in {section})"
    return None


def _configuration(files: Mapping[str, bytes], folder: str, skipped: set[str]) -> dict[str, Any]:
    return join(json.loads(files[p]) for p in _configuration_files(files, folder) if p not in skipped)


def _folders(files: Mapping[str, bytes]) -> set[str]:
    return {"/".join(p.split("/")[:2]) for p in files if p.count("/") >= 2}


def summarize(old: Mapping[str, bytes], new: Mapping[str, bytes], scope: Callable[[str], bool]) -> tuple[str, bool]:
    old = {p: b for p, b in old.items() if scope(p)}
    added = removed = changed = 0
    lines: list[str] = []
    # A file of the tree that cannot be read as Terraform JSON is reported once, and compared as a whole.
    broken = {p: why for p in old if p.endswith(".tf.json") and (why := _unreadable(old[p]))}
    for folder in sorted(_folders(old) | _folders(new)):
        skipped = {p for p in broken if p.startswith(folder + "/")}
        before = _entries(_configuration(old, folder, skipped))
        after = _entries(_configuration(new, folder, skipped))
        section: list[str] = []
        for path in sorted(skipped):
            fate = "a fresh synth replaces it" if path in new else "a fresh synth removes it"
            section.append(f"  ! {path.split('/', 2)[2]}: {broken[path]}; {fate}")
            changed += 1
        for address in sorted(after.keys() - before.keys()):
            section.append(f"  + {address}")
            added += 1
        for address in sorted(before.keys() - after.keys()):
            section.append(f"  - {address}")
            removed += 1
        for address in sorted(before.keys() & after.keys()):
            old_flat, new_flat = _flatten(before[address], address), _flatten(after[address], address)
            for key in sorted(old_flat.keys() | new_flat.keys()):
                if old_flat.get(key, None) != new_flat.get(key, None) or (key in old_flat) != (key in new_flat):
                    was = _short(old_flat[key]) if key in old_flat else "(unset)"
                    now = _short(new_flat[key]) if key in new_flat else "(unset)"
                    section.append(f"  ~ {key}: {was} → {now}")
                    changed += 1
        others = sorted(
            p for p in (old.keys() | new.keys())
            if p.startswith(folder + "/") and not p.endswith(".tf.json") and old.get(p) != new.get(p)
        )
        section.extend(f"  ~ {p.split('/', 2)[2]} (documentation)" for p in others)
        if section:
            lines.append(f"{folder}:")
            lines.extend(section)
    top = sorted(p for p in (old.keys() | new.keys()) if "/" not in p and old.get(p) != new.get(p))
    lines.extend(f"~ {p} (documentation)" for p in top)
    documentation = sum(1 for line in lines if line.endswith("(documentation)"))
    lines.append(
        f"{added} added, {removed} removed, {changed} changed"
        + (f", {documentation} documentation files updated" if documentation else "")
    )
    return "\n".join(lines), bool(added or removed or changed or documentation)
