"""The kernel stays alive at exit until jsii's runtime index of the provider exists (generator.cdk.runtime_index).

Without the index every load parses the provider's whole assembly (3-5 s, 1.3 GB); jsii builds it in a worker
that a short synth used to kill at exit. These tests drive the waiting logic on a cache tree of their own; the
benchmark (`python -m benchmarks`) shows the effect on a real cold cache."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from generator.cdk import runtime_index


def entry(root: Path, package: str = "@cdktn/provider-aws", version: str = "25.8.1", digest: str = "ab12") -> Path:
    folder = root / package / version / digest
    folder.mkdir(parents=True)
    (folder / ".jsii").write_text("{}")
    return folder


def test_the_cache_root_is_the_kernels(monkeypatch, tmp_path):
    monkeypatch.delenv("JSII_RUNTIME_PACKAGE_CACHE", raising=False)
    monkeypatch.delenv("JSII_RUNTIME_PACKAGE_CACHE_ROOT", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(runtime_index.sys, "platform", "linux")
    assert runtime_index.cache_root() == tmp_path / ".cache" / "aws" / "jsii" / "package-cache"
    monkeypatch.setenv("JSII_RUNTIME_PACKAGE_CACHE_ROOT", str(tmp_path / "elsewhere"))
    assert runtime_index.cache_root() == tmp_path / "elsewhere"


@pytest.mark.parametrize("setting", ["disabled", "DISABLED", "off"])
def test_no_cache_no_wait(monkeypatch, tmp_path, setting):
    monkeypatch.setenv("JSII_RUNTIME_PACKAGE_CACHE", setting)
    monkeypatch.setenv("JSII_RUNTIME_PACKAGE_CACHE_ROOT", str(tmp_path))
    entry(tmp_path)
    assert runtime_index.cache_root() is None
    assert runtime_index.index_missing("@cdktn/provider-aws", "25.8.1") is False


def test_the_version_comes_from_the_tarball_the_package_loads(tmp_path):
    jsii_folder = tmp_path / "_jsii"
    jsii_folder.mkdir()
    (jsii_folder / "provider-aws@25.8.1.jsii.tgz").write_bytes(b"")
    assert runtime_index.tarball_version(str(jsii_folder / "__init__.py")) == "25.8.1"
    (jsii_folder / "provider-aws@25.8.1.jsii.tgz").unlink()
    assert runtime_index.tarball_version(str(jsii_folder / "__init__.py")) is None


def test_an_entry_without_its_manifest_is_missing_its_index(tmp_path):
    assert runtime_index.index_missing("@cdktn/provider-aws", "25.8.1", tmp_path) is False  # nothing cached
    folder = entry(tmp_path)
    assert runtime_index.index_missing("@cdktn/provider-aws", "25.8.1", tmp_path) is True
    assert runtime_index.index_missing("@cdktn/provider-aws", "25.9.0", tmp_path) is False  # another version
    (folder / runtime_index.MANIFEST).write_text("{}")
    assert runtime_index.index_missing("@cdktn/provider-aws", "25.8.1", tmp_path) is False


def test_the_wait_ends_when_the_worker_writes_the_manifest(monkeypatch, tmp_path):
    monkeypatch.delenv("JSII_RUNTIME_PACKAGE_CACHE", raising=False)
    monkeypatch.setenv("JSII_RUNTIME_PACKAGE_CACHE_ROOT", str(tmp_path))
    folder = entry(tmp_path)
    monkeypatch.setattr(runtime_index, "_pending", [("@cdktn/provider-aws", "25.8.1")])
    writer = threading.Timer(0.3, lambda: (folder / runtime_index.MANIFEST).write_text("{}"))
    writer.start()
    started = time.monotonic()
    runtime_index.wait_for_pending(timeout=30)
    waited = time.monotonic() - started
    writer.join()
    assert 0.25 <= waited < 5
    assert not runtime_index.index_missing("@cdktn/provider-aws", "25.8.1")


def test_the_wait_is_bounded(monkeypatch, tmp_path):
    monkeypatch.delenv("JSII_RUNTIME_PACKAGE_CACHE", raising=False)
    monkeypatch.setenv("JSII_RUNTIME_PACKAGE_CACHE_ROOT", str(tmp_path))
    entry(tmp_path)
    monkeypatch.setattr(runtime_index, "_pending", [("@cdktn/provider-aws", "25.8.1")])
    started = time.monotonic()
    runtime_index.wait_for_pending(timeout=0.2)
    assert 0.2 <= time.monotonic() - started < 2
    assert runtime_index.index_missing("@cdktn/provider-aws", "25.8.1")


def test_a_load_is_recorded_once_with_its_version(monkeypatch, tmp_path):
    monkeypatch.delenv("JSII_RUNTIME_PACKAGE_CACHE", raising=False)
    monkeypatch.setenv("JSII_RUNTIME_PACKAGE_CACHE_ROOT", str(tmp_path))
    registered = []
    monkeypatch.setattr(runtime_index.atexit, "register", registered.append)
    monkeypatch.setattr(runtime_index, "_pending", [])
    jsii_folder = tmp_path / "_jsii"
    jsii_folder.mkdir()
    (jsii_folder / "provider-aws@21.22.1.jsii.tgz").write_bytes(b"")
    runtime_index.loaded("@cdktf/provider-aws", str(jsii_folder / "__init__.py"))
    runtime_index.loaded("@cdktf/provider-aws", str(jsii_folder / "__init__.py"))
    assert runtime_index._pending == [("@cdktf/provider-aws", "21.22.1")]
    assert registered == [runtime_index.wait_for_pending]


def test_a_ctrl_c_ends_the_wait_quietly(monkeypatch, tmp_path):
    monkeypatch.delenv("JSII_RUNTIME_PACKAGE_CACHE", raising=False)
    monkeypatch.setenv("JSII_RUNTIME_PACKAGE_CACHE_ROOT", str(tmp_path))
    entry(tmp_path)
    monkeypatch.setattr(runtime_index, "_pending", [("@cdktn/provider-aws", "25.8.1")])

    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(runtime_index.time, "sleep", interrupted)
    runtime_index.wait_for_pending(timeout=30)  # returns instead of raising out of an exit handler
    assert runtime_index.index_missing("@cdktn/provider-aws", "25.8.1")
