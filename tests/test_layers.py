"""The layers: imports go one way (testkit → modules → generator, and inside generator/ from its upper layers to its
lower ones, with no circle), and the core loads without Node."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURE_ENVIRONMENTS, PROJECT

# Packages the generator and its core must never load: the CDK toolkits, their jsii runtime and the AWS bindings.
NODE_PACKAGES = ("cdktf", "cdktn", "jsii", "constructs", "cdktf_cdktf_provider_aws", "cdktn_provider_aws")


def imported_packages(path: Path) -> set[tuple[str, int]]:
    """(top-level package, line) of every import in a file, at any depth (function bodies included)."""
    found: set[tuple[str, int]] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update((alias.name.split(".")[0], node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add((node.module.split(".")[0], node.lineno))
    return found


def imports_of(package: str, forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{path.relative_to(PROJECT).as_posix()}:{line} imports {name}"
        for path in (PROJECT / package).rglob("*.py")
        for name, line in imported_packages(path)
        if name in forbidden
    )


def test_the_generator_never_imports_the_modules_or_the_test_tools():
    """main.py hands the discovered modules to the generator (generator.model.discovery imports a folder it is given)."""
    assert imports_of("generator", ("modules", "testkit", "tests")) == []


def test_the_modules_never_import_the_test_tools():
    assert imports_of("modules", ("testkit", "tests")) == []


# generator/'s sub-packages, lowest first: a file may import only from its own layer and the ones before it.
LAYERS = ("language", "cdk", "model", "config", "synthesis", "adoption", "commands")


def generator_imports(path: Path) -> set[str]:
    """The generator modules a file imports, at any depth, as dotted names (`from generator.x import y` gives
    generator.x.y when that is a module of its own, else generator.x)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.split(".")[0] == "generator")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and node.module.split(".")[0] == "generator":
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                module_file = PROJECT / Path(*candidate.split("."))
                found.add(candidate if module_file.with_suffix(".py").is_file() or module_file.is_dir() else node.module)
    return found


def generator_modules() -> dict[str, Path]:
    return {
        ".".join(path.relative_to(PROJECT).with_suffix("").parts).removesuffix(".__init__"): path
        for path in sorted((PROJECT / "generator").rglob("*.py"))
    }


def test_every_generator_file_belongs_to_a_layer():
    outside = [name for name in generator_modules() if name != "generator" and name.split(".")[1] not in LAYERS]
    assert outside == []


def test_imports_go_down_the_layers():
    upward = sorted(
        f"{name} imports {imported}"
        for name, path in generator_modules().items() if name != "generator"
        for imported in generator_imports(path)
        if imported != "generator" and LAYERS.index(imported.split(".")[1]) > LAYERS.index(name.split(".")[1])
    )
    assert upward == []


def import_circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every circle of the graph, each once, starting at its smallest name."""
    circles: set[tuple[str, ...]] = set()

    def visit(node: str, path: list[str]) -> None:
        for target in sorted(graph.get(node, ())):
            if target in path:
                circle = path[path.index(target):]
                start = circle.index(min(circle))
                circles.add(tuple(circle[start:] + circle[:start]))
            elif target in graph:
                visit(target, path + [target])

    for node in sorted(graph):
        visit(node, [node])
    return [list(circle) for circle in sorted(circles)]


def test_no_import_circle_in_the_generator():
    """Imports inside functions count too: a circle hidden in a function body is still a circle."""
    modules = generator_modules()
    graph = {name: {m for m in generator_imports(path) if m in modules and m != name} for name, path in modules.items()}
    assert import_circles(graph) == []


def test_the_circle_finder_finds_circles():
    assert import_circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert import_circles({"a": {"b"}, "b": set()}) == []


def test_the_scan_sees_imports_inside_functions(tmp_path):
    source = tmp_path / "late.py"
    source.write_text("def f():\n    from modules import all_modules\n    import modules.msk.inputs\n")
    assert imported_packages(source) == {("modules", 2), ("modules", 3)}


@pytest.mark.parametrize("module", ["generator.config.environments", "generator.model.discovery", "generator.config.limits"])
def test_the_core_imports_no_cdk_toolkit(module):
    """`python -X importtime -c "import generator.config.environments"` lists every module the import loads."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"], cwd=PROJECT,
                            capture_output=True, text=True, env=env, check=True)
    loaded = [line.rsplit("|", 1)[1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")]
    assert module in loaded  # the listing is read right
    assert [name for name in loaded if name.split(".")[0] in NODE_PACKAGES] == []


def test_checking_environment_files_and_reading_module_declarations_starts_no_node():
    """Every module's declaration loaded, both environment files checked against it, every rule evaluated and the
    inputs' docs rendered: none of it needs the jsii runtime (a module's resources are imported at synth only,
    generator.model.module.ModuleDefinition.build)."""
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from modules import all_modules\n"
        "from generator.synthesis import docs\n"
        "from generator.config import environments\n"
        "modules = all_modules()\n"
        "paths = [(p, p.name) for p in sorted(Path(sys.argv[1]).glob('*.toml'))]\n"
        "loaded = environments.load_all(paths, modules)\n"
        "for definition in modules.values():\n"
        "    for spec in definition.inputs.inputs:\n"
        "        [rule.check(spec.type.convert(rule.example)) for rule in spec.rules if rule.example is not None]\n"
        "    docs.module_context(definition, None)\n"
        "print(len(loaded), len(modules), sorted({m.split('.')[0] for m in sys.modules} & set(sys.argv[2:])))\n"
    )
    result = subprocess.run([sys.executable, "-c", script, str(FIXTURE_ENVIRONMENTS), *NODE_PACKAGES], cwd=PROJECT, capture_output=True,
                            text=True, check=True)
    assert result.stdout.split(" ", 2)[2].strip() == "[]", result.stdout
    assert int(result.stdout.split()[0]) == len(list(FIXTURE_ENVIRONMENTS.glob("*.toml"))) == 2
