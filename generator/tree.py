"""The generated tree as data ({relative path: bytes}) and its three consumers: write, check and diff.

Writing is atomic: the complete new tree is built beside the target and swapped in with renames, so a failure
at any point before the swap leaves the target exactly as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

Files = Mapping[str, bytes]
Scope = Callable[[str], bool]  # which relative paths a run produces (and may therefore remove)


def everything(_: str) -> bool:
    return True


def read_tree(root: Path) -> dict[str, bytes]:
    if not root.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@dataclass(frozen=True)
class Drift:
    stale: list[str]
    missing: list[str]
    orphaned: list[str]

    def __bool__(self) -> bool:
        return bool(self.stale or self.missing or self.orphaned)

    def lines(self) -> list[str]:
        return (
            [f"stale: {p}" for p in self.stale]
            + [f"missing: {p}" for p in self.missing]
            + [f"orphaned: {p}" for p in self.orphaned]
        )


def compare(existing: Files, files: Files, scope: Scope = everything) -> Drift:
    """How `existing` (a tree as read_tree gives it) differs from `files`, within `scope`."""
    on_disk = {p: b for p, b in existing.items() if scope(p)}
    return Drift(
        stale=sorted(p for p in files if p in on_disk and on_disk[p] != files[p]),
        missing=sorted(p for p in files if p not in on_disk),
        orphaned=sorted(p for p in on_disk if p not in files),
    )


def write_tree(root: Path, files: Files, scope: Scope = everything) -> None:
    """Make `root` hold `files`, plus whatever it already held outside `scope`."""
    root = root.resolve()
    kept = {p: b for p, b in read_tree(root).items() if not scope(p)}
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.new-", dir=root.parent))
    try:
        for relative, content in sorted({**kept, **files}.items()):
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        if root.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{root.name}.old-", dir=root.parent))
            os.replace(root, retired / "tree")
            os.replace(staging, root)
            shutil.rmtree(retired)
        else:
            os.replace(staging, root)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
