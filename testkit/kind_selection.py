"""A pytest plugin that runs the module-generic tests for one kind: `pytest -p testkit.kind_selection --kind K`.

It selects every test parametrized by the kind K (one of the test's parameters is K, or a tuple or list holding it)
and every test marked `every_kind` (a test that reads the whole list of kinds without being parametrized by it,
such as "generated/modules/ holds exactly the discovered modules"), and deselects the rest. tests/test_new_module.py
runs it in a copy of the project with a new module folder: the suite's tests that can be about a module they do not
know by name are these, so they are the tests a new module must pass without any other file changed.

With `--kind-report FILE` it writes, for every collected test, its node id, the function it instantiates, the kinds
its parameters name (of the discovered modules) and whether it was selected: the proof, read by the test, that no
test parametrized by every other module left the new one out.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kind selection")
    group.addoption("--kind", help="run only the tests parametrized by this module kind and those marked every_kind")
    group.addoption("--kind-report", type=Path, help="write what was collected and selected, as JSON, to this file")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "every_kind: reads the whole list of kinds without being parametrized by it")


def _values(value: Any) -> list[Any]:
    return list(value) if isinstance(value, (tuple, list)) else [value]


def kinds_of(item: pytest.Item, kinds: set[str]) -> list[str]:
    """The discovered kinds among the item's parameters."""
    callspec = getattr(item, "callspec", None)
    if callspec is None:
        return []
    found = {v for value in callspec.params.values() for v in _values(value) if isinstance(v, str) and v in kinds}
    return sorted(found)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    kind = config.getoption("kind")
    if kind is None:
        return
    from modules import all_modules

    kinds = set(all_modules())
    if kind not in kinds:
        raise pytest.UsageError(f"--kind {kind}: not a discovered module kind (one of {', '.join(sorted(kinds))})")
    report = []
    selected, deselected = [], []
    for item in items:
        named = kinds_of(item, kinds)
        keep = kind in named or item.get_closest_marker("every_kind") is not None
        (selected if keep else deselected).append(item)
        report.append({"id": item.nodeid, "function": item.nodeid.split("[", 1)[0], "kinds": named,
                       "every_kind": item.get_closest_marker("every_kind") is not None, "selected": keep})
    items[:] = selected
    config.hook.pytest_deselected(items=deselected)
    path = config.getoption("kind_report")
    if path is not None:
        path.write_text(json.dumps(report, indent=1) + "\n")
