"""Ctrl-C during a run of `python main.py`, as a terminal sends it (SIGINT to the whole process group: Python and
the jsii kernel's Node processes) and as `kill -INT <pid>` sends it (Python alone).

A Ctrl-C that lands before the run has written its tree stops it within a second: exit 130, one line, the old tree
in place. One that lands after (the "wrote" line is out, flushed at once) finds the new tree: exit 0, nothing on
stderr. There is no third outcome: the process used to live on ~0.3 s after its last line (seconds on a loaded
machine) in Python's finalization, looking busy, so a Ctrl-C meant for the synth came late and was "swallowed" (exit
0, the new tree); now it ends within ~0.1 s of the line. A key that comes while the new tree is put in place is
held until the "wrote" line is out, so it is late too (exit 0, the new tree). The moments are taken from a first
run's own phases (CDK_PHASE_TIMES), so the test lands in the kernel start, the provider load and the synth on any
machine.
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

from generator.commands import cli
from generator.synthesis import tree
from modules import all_modules
from testkit.project import PROJECT, fixture_config_args

LINE = "interrupted: {out} holds a complete tree; leftovers are cleaned on the next run"
# The longest the swap, its word and the flushed "wrote" line may take once the key is held (a few milliseconds;
# more on a loaded machine). A synth takes longer than this from any moment the tests press the key.
HELD = 0.2


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
    elif status == 0:
        # The key came while the new tree was put in place: Ctrl-C is held from the swap until the "wrote" line,
        # so it is late too, and the line follows the key at once. (Before, a key between the swap and the line
        # was reported as an interruption, exit 130, with the new tree in place: a third outcome. A Ctrl-C
        # swallowed during the synth would show here as a line that comes long after the key.)
        assert "wrote" in seen and seen["wrote"] - pressed < HELD, f"Ctrl-C at {delay:.2f}s swallowed: {seen}"
        assert stderr == ""
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


def test_ctrl_c_right_after_the_swap_is_late_not_an_interruption(tmp_path, produced, monkeypatch, capsys):
    """The moment the timing tests can only land in by chance, made certain: SIGINT arrives the instant the new tree
    is swapped in, before the command has said so. It used to raise KeyboardInterrupt there (exit 130, "interrupted",
    the new tree in place); held until the "wrote" line, it is a late Ctrl-C: exit 0, the line, the new tree."""
    out = tmp_path / "out"
    tree.write_tree(out, dict(produced.files, **{"README.md": b"old\n"}))
    swap = tree._swap

    def swap_then_ctrl_c(*args):
        swap(*args)
        os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr(tree, "_swap", swap_then_ctrl_c)
    status = cli.main([*fixture_config_args(), "--out", str(out)], modules=all_modules)
    said = capsys.readouterr()
    assert (status, said.err) == (0, "")
    assert said.out.splitlines()[-1] == f"wrote {len(produced.files)} files to {out}"
    assert tree.read_tree(out) == dict(produced.files)
