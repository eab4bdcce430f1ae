"""The mutation command (benchmarks/mutation.py, docs/mutation-testing.md): what it mutates and against which tests.
Running it takes minutes to hours; the docs run its sampled form on one file."""

from __future__ import annotations

import ast

import pytest

from benchmarks import mutation
from testkit.project import PROJECT


def test_every_target_and_its_test_files_exist():
    for name, target in mutation.TARGETS.items():
        assert (PROJECT / name).is_file(), name
        assert target.tests and all((PROJECT / test).is_file() for test in target.tests), name


def test_the_targets_are_the_files_where_a_silent_bug_costs_most():
    assert sorted(mutation.TARGETS) == ["generator/commands/adopt.py", "generator/commands/review.py",
                                        "generator/language/expr.py", "generator/language/secrets.py",
                                        "generator/synthesis/tree.py", "modules/shared/kms.py"]


def test_expr_is_mutated_in_its_evaluator_only():
    source = (PROJECT / "generator/language/expr.py").read_text()
    lines = mutation.mutable_lines(source, mutation.TARGETS["generator/language/expr.py"].functions)
    tree = ast.parse(source)
    evaluate = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "evaluate"]
    hcl = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "hcl"]
    assert len(evaluate) > 10
    assert all(n.lineno - 1 in lines for n in evaluate)  # every evaluate method
    assert not any(n.lineno - 1 in lines for n in hcl)  # no HCL rendering
    functions = [n for n in tree.body if isinstance(n, ast.AnnAssign) and n.target.id == "_FUNCTIONS"]
    assert functions and all(line in lines for line in range(functions[0].lineno - 1, functions[0].end_lineno))


def test_a_sample_is_the_same_every_run_and_a_fraction():
    pytest.importorskip("mutmut")
    target = mutation.TARGETS["modules/shared/kms.py"]
    source = (PROJECT / "modules/shared/kms.py").read_text()
    every, total = mutation.mutants("modules/shared/kms.py", source, target, 1)
    sampled, _ = mutation.mutants("modules/shared/kms.py", source, target, 5)
    again, _ = mutation.mutants("modules/shared/kms.py", source, target, 5)
    assert len(every) == total > 20
    assert [mutation._key(m) for m in sampled] == [mutation._key(m) for m in again]
    assert 0 < len(sampled) < len(every) / 2
