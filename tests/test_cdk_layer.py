"""The thin cdk layer: toolkit selection and the lazy loading of the provider bindings."""

from __future__ import annotations

import os
import subprocess
import sys

from generator import tree
from generator.cdk import TOOLKIT
from tests.conftest import PROJECT


def test_lazy_loading_gives_the_same_bytes_as_the_ordinary_import(tmp_path, produced):
    """The ordinary import (all ~2,200 submodules) and the lazy one (only those used) synthesize the same tree."""
    env = dict(os.environ, CDK_EAGER_IMPORT="1")
    result = subprocess.run(
        [sys.executable, "main.py", "--out", str(tmp_path / "eager")], cwd=PROJECT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert tree.read_tree(tmp_path / "eager") == produced.files


def test_lazy_loading_is_what_this_process_used(produced):
    # The session synthesized through the bare package: the bindings' __init__ (2,200 imports) never ran.
    loaded = sorted(
        name for name in sys.modules
        if name.startswith(TOOLKIT.aws_package + ".") and "._" not in name and not name.endswith("._jsii")
    )
    # The submodules of the resource classes the modules use, not the package's ~2,200.
    assert "cdktf_cdktf_provider_aws.msk_cluster" in loaded or TOOLKIT.name != "cdktf"
    assert 5 <= len(loaded) < 40, loaded


def test_unknown_toolkit_is_refused():
    result = subprocess.run(
        [sys.executable, "main.py", "--check"], cwd=PROJECT, env=dict(os.environ, CDK_TOOLKIT="pulumi"),
        capture_output=True, text=True,
    )
    assert result.returncode == 1
    assert result.stderr == "error: CDK_TOOLKIT: must be one of cdktf, cdktn, got 'pulumi'\n"


def _other_toolkit() -> str | None:
    import importlib.util

    from generator.cdk.toolkit import TOOLKITS

    other = "cdktn" if TOOLKIT.name == "cdktf" else "cdktf"
    spec = TOOLKITS[other]
    if importlib.util.find_spec(spec.core_package) and importlib.util.find_spec(spec.aws_package):
        return other
    return None


def test_both_toolkits_write_identical_trees(tmp_path, produced):
    """cdktf and its fork cdktn synthesize byte-identical trees (CI installs both in one environment)."""
    import pytest

    other = _other_toolkit()
    if other is None:
        pytest.skip(f"only {TOOLKIT.name} is installed here; .ci/run installs both toolkits in .venv-cdktn")
    env = dict(os.environ, CDK_TOOLKIT=other)
    result = subprocess.run(
        [sys.executable, "main.py", "--out", str(tmp_path / other)], cwd=PROJECT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert tree.read_tree(tmp_path / other) == produced.files
