"""Start-up and synthesis cost, measured side by side: `python -m benchmarks [--pairs N] [--skip-tests]`.

Prints wall time and peak RSS (the Python process plus its jsii Node.js process, sampled from /proc) of:
- a bare `import cdktf_cdktf_provider_aws` (what every process paid before the lazy loading in generator/cdk/lazy.py),
- a full synth (`python main.py --out <tmp>`: every module, stack and README), with the lazy loading and without it,
- their ratio, as the median of alternating pairs,
- a 50-module environment against the shipped dev environment,
- the test suite: the README's command and the run without Terraform, median of 3, with CPU seconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
PAGE = os.sysconf("SC_PAGE_SIZE")


def _tree_rss(root: int) -> int:
    """Resident bytes of `root` and all its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/statm") as statm:
                rss[int(entry)] = int(statm.read().split()[1]) * PAGE
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


def measure(command: list[str], env: dict[str, str] | None = None, cwd: Path = PROJECT) -> tuple[float, int]:
    """(wall seconds, peak RSS bytes of the process tree) of one run; fails loudly if the command fails."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(process.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{stderr.decode()}")
    return wall, peak


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20", CHECKPOINT_DISABLE="1")
    env.pop("CDK_EAGER_IMPORT", None)
    env.update(extra)
    return env


def big_environment(path: Path, blocks: int) -> None:
    """An environment with `blocks` module blocks, cycling through the three kinds."""
    dev = (PROJECT / "environments" / "dev.toml").read_text()
    head = dev.split("\n[", 1)[0]
    parts = [head, '\n[tags]\nEnvironment = "bench"\n']
    for i in range(blocks):
        kind = ("elasticache", "dynamodb", "msk")[i % 3]
        if kind == "elasticache":
            parts.append(f'\n[elasticache_c{i}]\ncluster_name = "c{i}"\n')
        elif kind == "dynamodb":
            parts.append(f'\n[dynamodb_t{i}]\ntable_name = "t{i}"\nhash_key = "id"\nattributes = [{{ name = "id", type = "S" }}]\n')
        else:
            parts.append(f'\n[msk_k{i}]\ncluster_name = "k{i}"\n')
    path.write_text("".join(parts))


def mb(value: int) -> str:
    return f"{value / 2**20:.0f} MB"


def test_suite(python: str, runs: int) -> None:
    """The README's test command, `runs` times (median wall; CPU is user + system of all its processes, which on a
    busy machine says more than wall time), and the Terraform-free run a pre-commit hook makes."""
    import resource

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    for label, extra in (("test suite (pytest):", []), ('without Terraform (-m "not terraform"):', ["-m", "not terraform"])):
        walls, cpus, peak = [], [], 0
        for _ in range(runs):
            before = cpu()
            wall, rss = measure([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra], _env())
            walls.append(wall)
            cpus.append(cpu() - before)
            peak = max(peak, rss)
        print(f"{label:<33}{statistics.median(walls):7.2f} s wall (median of {runs}; runs: "
              f"{', '.join(f'{w:.1f}' for w in walls)}), {statistics.median(cpus):.1f} s CPU, "
              f"{os.getloadavg()[0]:.1f} load, peak RSS {mb(peak)}")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--pairs", type=int, default=3, help="alternating import/synth pairs (median is reported)")
    parser.add_argument("--skip-tests", action="store_true", help="do not time the test suite")
    args = parser.parse_args()
    python = sys.executable
    scratch = Path(tempfile.mkdtemp(prefix="bench-"))
    bare = [python, "-c", "import cdktf_cdktf_provider_aws"]
    synth = [python, "main.py", "--out", str(scratch / "out")]

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    measure(synth, _env())  # warm the jsii package cache and the page cache once
    imports, synths = [], []
    for _ in range(args.pairs):
        imports.append(measure(bare, _env()))
        synths.append(measure(synth, _env()))
    ratios = [s[0] / i[0] for i, s in zip(imports, synths)]
    imp_wall, imp_rss = statistics.median(t for t, _ in imports), max(r for _, r in imports)
    syn_wall, syn_rss = statistics.median(t for t, _ in synths), max(r for _, r in synths)
    print(f"bare import of the AWS bindings: {imp_wall:6.2f} s wall (median of {args.pairs}), peak RSS {mb(imp_rss)}")
    print(f"full synth (python main.py):     {syn_wall:6.2f} s wall (median of {args.pairs}), peak RSS {mb(syn_rss)}")
    print(f"synth / import wall ratio:       {statistics.median(ratios):6.3f} (pairs: {', '.join(f'{r:.3f}' for r in ratios)}; target <= 0.35)")
    print(f"synth / import peak RSS ratio:   {syn_rss / imp_rss:6.3f}")

    eager_wall, eager_rss = measure(synth, _env(CDK_EAGER_IMPORT="1"))
    print(f"full synth, ordinary import:     {eager_wall:6.2f} s wall, peak RSS {mb(eager_rss)} (CDK_EAGER_IMPORT=1)")

    big = scratch / "big.toml"
    big_environment(big, 50)
    dev_runs, big_runs = [], []
    for _ in range(args.pairs):
        dev_runs.append(measure([python, "main.py", "--config", "environments/dev.toml", "--out", str(scratch / "dev")], _env())[0])
        big_runs.append(measure([python, "main.py", "--config", str(big), "--out", str(scratch / "big")], _env())[0])
    dev_wall, big_wall = statistics.median(dev_runs), statistics.median(big_runs)
    print(f"dev environment (4 modules):     {dev_wall:6.2f} s wall")
    print(f"50-module environment:           {big_wall:6.2f} s wall")
    print(f"50-module / dev ratio:           {big_wall / dev_wall:6.3f} (target <= 1.5)")

    if not args.skip_tests:
        test_suite(python, runs=3)
    return 0


if __name__ == "__main__":
    sys.exit(main())
