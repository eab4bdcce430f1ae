"""`python main.py --diff`: what a fresh synth changes in the committed tree, in terms a reviewer reads.

Per module and stack: resources, module blocks, variables and outputs added and removed, and every changed
attribute as `address.attribute: old → new`; then one count line. Plain text, ready to paste into a pull request.

The tree compared is the output folder as it is on disk, or (`--diff --base REF`, `committed_tree`) as it was
committed at a git ref: what a reviewer compares, whatever the working tree holds.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, Callable, Mapping

from generator.language.inputs import InputError
from generator.synthesis.normalize import join
from generator.synthesis.tree import MARKER, is_terraform_file

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
# The object an address lies in: `module.NAME` (any index) for an address inside a module call, else the resource
# `TYPE.NAME` without its index.
_ROOT = re.compile(r"^(module\.[^.\[]+|[^.\[]+\.[^.\[]+)")


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


def _root(address: Any) -> str | None:
    match = _ROOT.match(address) if isinstance(address, str) else None
    return match.group(1) if match else None


def _without_history(entries: dict[str, Any], brand_new: set[str]) -> set[str]:
    """The `moved` entries whose `from` lies in an object (a module call, a resource) that `brand_new` holds: it
    comes with this change, so nothing ever had that address, and the block moves nothing (a module's or a stack's
    standard `moved` blocks, such as a security group rule's move to a keyed address, come with every new cache)."""
    return {
        address for address, block in entries.items()
        if address.startswith("moved ") and _root(block.get("from")) in brand_new
    }


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
    # The marker lists the tree's files: a file added or removed is already a line of its own.
    old = {p: b for p, b in old.items() if scope(p) and p != MARKER}
    new = {p: b for p, b in new.items() if p != MARKER}
    added = removed = changed = 0
    lines: list[str] = []
    # A file of the tree that cannot be read as Terraform JSON is reported once, and compared as a whole.
    broken = {p: why for p in old if p.endswith(".tf.json") and (why := _unreadable(old[p]))}
    for folder in sorted(_folders(old) | _folders(new)):
        skipped = {p for p in broken if p.startswith(folder + "/")}
        before = _entries(_configuration(old, folder, skipped))
        after = _entries(_configuration(new, folder, skipped))
        # A `moved` block from an address inside an object that comes (or goes) with this change says nothing to a
        # reviewer: the object's own + or - line does.
        for address in _without_history(after, after.keys() - before.keys()) - before.keys():
            del after[address]
        for address in _without_history(before, before.keys() - after.keys()) - after.keys():
            del before[address]
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


# Variables that point git at another repository or index than the one holding the folder (a git hook sets some).
GIT_LOCATION = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY",
                 "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_PREFIX")
REGULAR_FILES = ("100644", "100755")


def git_environment() -> dict[str, str]:
    """os.environ without the variables that would point git at another repository."""
    return {k: v for k, v in os.environ.items() if k not in GIT_LOCATION}


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(folder), *args], capture_output=True, env=git_environment(),
                          stdin=subprocess.DEVNULL)


def _existing_ancestor(path: Path) -> tuple[Path, tuple[str, ...]]:
    """The nearest folder of `path` that exists (symbolic links resolved), and the parts below it."""
    path = Path(os.path.abspath(path))
    rest: list[str] = []
    while not path.is_dir():
        rest.insert(0, path.name)
        path = path.parent
    return Path(os.path.realpath(path)), tuple(rest)


def committed_tree(folder: Path, ref: str, shown: str) -> dict[str, bytes]:
    """The files of the tree `folder` (shown to the user as `shown`) as committed at the git ref `ref` (a branch, a
    tag, a commit) of the repository that holds the folder, as `tree.read_tree` reads a folder (regular files,
    Terraform's own files left out); the working tree and the index are not read. A folder the commit does not
    hold is an empty tree (everything is added). Raises InputError, one line, for a ref that names no commit, a
    folder in no git repository, or no git."""
    where = f"--base {_short(ref)}"
    if shutil.which("git") is None:
        raise InputError([f"{where}: git is not installed (it reads {shown} as committed at the ref)"])
    start, below = _existing_ancestor(folder)
    top = _git(start, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        reason = top.stderr.decode("utf-8", "replace").strip().splitlines()
        if any("not a git repository" in line for line in reason):
            raise InputError([f"{where}: {shown} is not in a git repository"])
        raise InputError([f"{where}: git cannot read the repository of {shown}: {_short(reason[0] if reason else '')}"])
    root = Path(top.stdout.decode().strip())
    commit = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}")
    if not ref or commit.returncode != 0:
        raise InputError([f"{where}: no branch, tag or commit of that name in the git repository at {root}"])
    sha = commit.stdout.decode().strip()
    inside = Path(*start.relative_to(os.path.realpath(root)).parts, *below).as_posix()
    prefix = "" if inside == "." else inside + "/"
    listing = _git(root, "ls-tree", "-r", "-z", "--full-tree", sha, *([] if not prefix else ["--", inside]))
    if listing.returncode != 0:
        raise InputError([f"{where}: git cannot list {shown} at {sha[:12]}: "
                          f"{_short(listing.stderr.decode('utf-8', 'replace').strip())}"])
    blobs: dict[str, str] = {}
    for entry in listing.stdout.split(b"\0"):
        if not entry:
            continue
        meta, _, name = entry.partition(b"\t")
        mode, kind, blob = meta.decode().split(" ")
        path = name.decode("utf-8", "surrogateescape")
        if kind != "blob" or mode not in REGULAR_FILES or not path.startswith(prefix):
            continue  # symbolic links and submodules, as read_tree skips them
        relative = path[len(prefix):]
        if not is_terraform_file(relative):
            blobs[relative] = blob
    return dict(sorted(zip(blobs, _contents(root, list(blobs.values())))))


def _contents(root: Path, blobs: list[str]) -> list[bytes]:
    """The contents of `blobs` (object names), read by one `git cat-file --batch`."""
    if not blobs:
        return []
    result = subprocess.run(["git", "-C", str(root), "cat-file", "--batch"], input="\n".join(blobs).encode() + b"\n",
                            capture_output=True, env=git_environment(), check=True)
    out, at, contents = result.stdout, 0, []
    for _ in blobs:
        header_end = out.index(b"\n", at)
        size = int(out[at:header_end].split(b" ")[2])
        contents.append(out[header_end + 1:header_end + 1 + size])
        at = header_end + 1 + size + 1  # the content, then a newline
    return contents
