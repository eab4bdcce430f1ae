"""Ctrl-C during a run of `python main.py`, as a terminal sends it (SIGINT to the whole process group: Python and
the jsii kernel's Node processes) and as `kill -INT <pid>` sends it (Python alone).

A Ctrl-C that lands before the run has written its tree stops it within a second: exit 130, one line, the old tree
in place. One that lands after (the "wrote" line is out, flushed at once) finds the new tree: exit 0, nothing on
stderr. There is no third outcome: the process used to live on ~0.3 s after its last line (seconds on a loaded
machine) in Python's finalization, looking busy, so a Ctrl-C meant for the synth came late and was "swallowed" (exit
0, the new tree); now it ends within ~0.1 s of the line. The moments are taken from a first run's own phases
(CDK_PHASE_TIMES), so the test lands in the kernel start, the provider load and the synth on any machine.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from generator.synthesis import tree
from testkit.project import PROJECT, fixture_config_args

LINE = "interrupted: {out} holds a complete tree; leftovers are cleaned on the next run"


def start(out: Path, phases: Path | None = None) -> tuple[subprocess.Popen[str], dict[str, float]]:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    if phases is not None:
        env["CDK_PHASE_TIMES"] = str(phases)
    # The tests' own environment files (what `produced` holds), not the team's.
    command = [sys.executable, "main.py", *fixture_config_args(), "--out", str(out)]
    process = subprocess.Popen(command, cwd=PROJECT, start_new_session=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    seen: dict[str, float] = {}

    def read() -> None:
        for line in process.stdout:
            seen.setdefault("wrote", time.monotonic())
            seen["stdout"] = seen.get("stdout", "") + line  # type: ignore[assignment]

    threading.Thread(target=read, daemon=True).start()
    return process, seen


@pytest.fixture(scope="module")
def timeline(tmp_path_factory) -> dict[str, float]:
    """When each phase comes, in seconds from the start, in an undisturbed run on this machine now; `tail`: from its
    flushed "wrote" line to its end."""
    folder = tmp_path_factory.mktemp("timeline")
    phases = folder / "phases.json"
    began = time.time()
    process, seen = start(folder / "out", phases)
    assert process.wait(timeout=120) == 0, process.stderr.read()
    tail = time.monotonic() - seen["wrote"]
    return {**{name: at - began for name, at in json.loads(phases.read_text()).items()}, "tail": tail}


def press(tmp_path, produced, delay: float, group: bool) -> None:
    out = tmp_path / "out"
    old = dict(produced.files, **{"README.md": b"old\n"})
    tree.write_tree(out, old)
    process, seen = start(out)
    time.sleep(delay)
    pressed = time.monotonic()
    (os.killpg if group else os.kill)(process.pid, signal.SIGINT)
    status = process.wait(timeout=30)
    stopped = time.monotonic() - pressed
    stderr = process.stderr.read()
    if "wrote" in seen and seen["wrote"] <= pressed:
        # The tree was written (and said) before the key was pressed: a late Ctrl-C changes nothing.
        assert (status, stderr) == (0, ""), f"late Ctrl-C at {delay:.2f}s"
        assert tree.read_tree(out) == dict(produced.files)
    else:
        assert (status, stderr.splitlines()) == (130, [LINE.format(out=out)]), f"Ctrl-C at {delay:.2f}s"
        assert stopped < 1.0, f"Ctrl-C at {delay:.2f}s took {stopped:.2f}s to stop the run"
        assert tree.read_tree(out) == old


MOMENTS = ["layer_import", "kernel_ready", "provider_begin", "provider_end", "synth_begin", "synth_end"]


@pytest.mark.parametrize("moment", MOMENTS)
def test_ctrl_c_from_a_terminal_stops_the_run_or_comes_after_it(tmp_path, produced, timeline, moment):
    press(tmp_path, produced, timeline[moment] + 0.05, group=True)


@pytest.mark.parametrize("moment", ["kernel_ready", "provider_end", "synth_begin"])
def test_ctrl_c_sent_to_python_alone_stops_the_run_or_comes_after_it(tmp_path, produced, timeline, moment):
    """kill -INT <pid>: the Node processes get nothing; Python stops them."""
    press(tmp_path, produced, timeline[moment] + 0.05, group=False)


@pytest.mark.parametrize("fraction", [0.3, 0.5, 0.7, 0.85])
def test_ctrl_c_while_the_kernel_starts_is_one_line(tmp_path, produced, timeline, fraction):
    """A kernel interrupted while it starts used to add "Exception ignored in: <function _NodeProcess.__del__>" and
    a traceback below the line (Python alone signalled)."""
    start_at = timeline["layer_import"]
    press(tmp_path, produced, start_at + fraction * (timeline["kernel_ready"] - start_at), group=False)


def test_the_process_ends_soon_after_its_last_line(tmp_path, timeline):
    """The window in which a Ctrl-C comes late: from the flushed "wrote" line to the end of the process (three runs:
    the timeline's and two more)."""
    tails = [timeline["tail"]]
    for _ in range(2):
        process, seen = start(tmp_path / "out")
        assert process.wait(timeout=120) == 0
        tails.append(time.monotonic() - seen["wrote"])
    assert min(tails) < 0.25, tails
