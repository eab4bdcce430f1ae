"""Sources → the generated tree as {relative path: bytes}: environments loaded and checked, every module and
stack synthesized, READMEs rendered. Pure: nothing is written here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from generator.config import environments
from generator.language import secrets
from generator.synthesis import docs, synth, tftest, tree
from generator.config.environments import Environment
from generator.language.inputs import InputError
from generator.model.module import ModuleDefinition

PROJECT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Result:
    files: dict[str, bytes]
    environments: list[Environment]
    scope: tree.Scope


def default_environment_files() -> list[tuple[Path, str]]:
    return environments.default_files()


def produce(
    environment_files: list[tuple[Path, str]] | None = None,
    existing: Mapping[str, bytes] | None = None,
    *,
    modules: Mapping[str, ModuleDefinition],
) -> Result:
    """Synthesize the modules (as discovered: generator.model.discovery) and the given environments (default: every
    environments/*.toml).

    With explicit files, the run owns only the modules, those stacks and the index; `existing` (the current
    tree) supplies the other stacks' names to the index.
    """
    partial = environment_files is not None
    envs = environments.load_all(environment_files if partial else default_environment_files(), modules)
    names = {e.name for e in envs}

    def scope(path: str) -> bool:
        return not path.startswith("stacks/") or path.split("/")[1] in names

    owned = scope if partial else tree.everything
    files = synth.synthesize(modules, envs)
    declared = {kind: json.loads(files[f"modules/{kind}/main.tf.json"]) for kind in modules
                if f"modules/{kind}/main.tf.json" in files}
    import_problems = [line for e in envs for line in environments.import_target_problems(e, declared)]
    if import_problems:
        raise InputError(import_problems)
    files.update(tftest.render(modules, files))  # each module's native `terraform test`
    files.update(docs.render(modules, envs, existing=existing or {}, scope=owned, files=files))
    # The marker lists every file of the tree the run leaves: these, and (with --config) the other stacks' files an
    # earlier run wrote. Computed from `existing` as the writer computes it, so that --check compares it too.
    files[tree.MARKER] = tree.complete_tree(existing or {}, files, owned)[tree.MARKER]
    leaks = secrets.find_secrets(files)
    if leaks:
        raise InputError([f"refusing to write a secret: {leak}" for leak in leaks])
    return Result(files=dict(sorted(files.items())), environments=envs, scope=owned)
