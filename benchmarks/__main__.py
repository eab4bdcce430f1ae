"""Start-up and synthesis cost, measured side by side: `python -m benchmarks [--pairs N] [--skip-tests]`.

Prints wall time and peak RSS (the Python process plus its jsii Node.js processes, sampled from /proc) of:
- a bare `import cdktf_cdktf_provider_aws` (what every process paid before the lazy loading in generator/cdk/),
- a full synth (`python main.py --out <tmp>`: every module, stack and README), lazy on both sides, and with the
  provider's JavaScript loaded the ordinary way (CDK_NODE_EAGER=1), alternating with the bare import; their ratio
  as the median of those pairs, and where a synth's time goes, phase by phase (generator/cdk/phases.py),
- the same synth with the ordinary loading everywhere (CDK_EAGER_IMPORT=1),
- environments of 1, 10, 50 and 200 module blocks, and the cost of one more block,
- both toolkits side by side (cdktf and its fork cdktn, when a cdktn interpreter is there: `.venv-cdktn`, as
  .ci/run makes it, or --cdktn-python): alternating full synths, their wall ratio and peaks, and cdktn's first
  synth on an empty jsii package cache against the next one (generator/cdk/runtime_index.py),
- the test suite: the README's command and the run without Terraform, median of 3, with CPU seconds (user + system
  of the process tree) against the targets: 120 s for the suite, 20 s without Terraform.
The machine's load average is printed before and after: the figures of a shared machine are only comparable
side by side, which is why every comparison alternates.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
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


def _children_cpu() -> float:
    """User+system seconds of the finished child processes and their waited-for descendants (the Node kernels)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _toolkit():
    """generator/cdk/toolkit.py on its own: importing it through its package would start a jsii kernel in the
    benchmark's own process."""
    spec = importlib.util.spec_from_file_location("_bench_toolkit", PROJECT / "generator" / "cdk" / "toolkit.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module.selected()


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="20", CHECKPOINT_DISABLE="1")
    for switch in ("CDK_EAGER_IMPORT", "CDK_NODE_EAGER", "CDK_NODE_LAZY_PACKAGES", "CDK_PHASE_TIMES", "NODE_OPTIONS"):
        env.pop(switch, None)
    env.update(extra)
    return env


# Phases of one synth, from the instants generator/cdk/phases.py records (CDK_PHASE_TIMES) and the benchmark's own
# start and end of the process.
PHASES = (
    ("python start-up and imports", "start", "layer_import"),
    ("kernel start (Node, jsii, cdktf)", "layer_import", "kernel_ready"),
    ("provider assembly load", "provider_begin", "provider_end"),
    ("constructs (and project imports)", "kernel_ready", "synth_begin"),
    ("synth (app.synth)", "synth_begin", "synth_end"),
    ("write (normalize, docs, files)", "synth_end", "exit"),
    ("kernel stop", "exit", "end"),
)


def measure_phases(command: list[str], env: dict[str, str], scratch: Path) -> tuple[float, int, dict[str, float]]:
    """measure(), plus the seconds spent in each of PHASES."""
    instants_file = scratch / "phases.json"
    instants_file.unlink(missing_ok=True)
    start = time.time()
    wall, peak = measure(command, dict(env, CDK_PHASE_TIMES=str(instants_file)))
    instants = dict(json.loads(instants_file.read_text()), start=start, end=start + wall)
    phases = {name: instants[end] - instants[begin] for name, begin, end in PHASES}
    # The provider's assembly loads while the first constructs are built: count it once.
    phases["constructs (and project imports)"] -= phases["provider assembly load"]
    return wall, peak, phases


def big_environment(path: Path, blocks: int) -> None:
    """An environment with `blocks` module blocks, cycling through the three kinds."""
    dev = (PROJECT / "tests" / "fixtures" / "environments" / "dev.toml").read_text()
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
    return f"{value / 2**20:.0f} MiB"


def _median_phases(runs: list[dict[str, float]]) -> dict[str, float]:
    return {name: statistics.median(run[name] for run in runs) for name, _, _ in PHASES}


def test_suite(python: str, runs: int) -> None:
    """The README's test command, `runs` times (median wall; CPU is user + system of all its processes, which on a
    busy machine says more than wall time), and the Terraform-free run a pre-commit hook makes."""
    import resource

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    targets = {"test suite (pytest):": 120, 'without Terraform (-m "not terraform"):': 20}  # CPU seconds (issue #27)
    for label, extra in (("test suite (pytest):", []), ('without Terraform (-m "not terraform"):', ["-m", "not terraform"])):
        walls, cpus, peak = [], [], 0
        for _ in range(runs):
            before = cpu()
            wall, rss = measure([python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra], _env())
            walls.append(wall)
            cpus.append(cpu() - before)
            peak = max(peak, rss)
        print(f"{label:<33}{statistics.median(walls):7.2f} s wall (median of {runs}; runs: "
              f"{', '.join(f'{w:.1f}' for w in walls)}), {statistics.median(cpus):.1f} s CPU "
              f"(target <= {targets[label]} s), "
              f"{os.getloadavg()[0]:.1f} load, peak RSS {mb(peak)}")


def toolkits_side_by_side(cdktf_python: str, cdktn_python: str, pairs: int, scratch: Path) -> None:
    """cdktf and cdktn synths alternating (the same tree, byte for byte, is tested elsewhere), then cdktn on a
    cold jsii package cache: the first run extracts the provider and waits for jsii's runtime index; the second
    must be as fast as a warm one."""
    runs: dict[str, list[tuple[float, int]]] = {"cdktf": [], "cdktn": []}
    cpu: dict[str, list[float]] = {"cdktf": [], "cdktn": []}
    pythons = {"cdktf": cdktf_python, "cdktn": cdktn_python}
    for name, python in pythons.items():  # warm each toolkit's package cache once
        measure([python, "main.py", "--out", str(scratch / f"out-{name}")], _env(CDK_TOOLKIT=name))
    for _ in range(pairs):
        for name, python in pythons.items():
            before = _children_cpu()
            command = [python, "main.py", "--out", str(scratch / f"out-{name}")]
            runs[name].append(measure(command, _env(CDK_TOOLKIT=name)))
            cpu[name].append(_children_cpu() - before)
    ratios = [n[0] / f[0] for f, n in zip(runs["cdktf"], runs["cdktn"])]
    for name in pythons:
        wall, peak = statistics.median(t for t, _ in runs[name]), max(r for _, r in runs[name])
        print(f"  {name} full synth:               {wall:6.2f} s wall (median of {pairs}), "
              f"{statistics.median(cpu[name]):.2f} s CPU, peak RSS {mb(peak)} (target <= 300 MiB)")
    print(f"  cdktn / cdktf wall ratio:       {statistics.median(ratios):6.3f} (pairs: "
          f"{', '.join(f'{r:.3f}' for r in ratios)}; target <= 1.2)")
    cold = scratch / "jsii-cache-cold"
    first = measure([cdktn_python, "main.py", "--out", str(scratch / "out-cold")],
                    _env(CDK_TOOLKIT="cdktn", JSII_RUNTIME_PACKAGE_CACHE_ROOT=str(cold)))
    second = measure([cdktn_python, "main.py", "--out", str(scratch / "out-cold")],
                     _env(CDK_TOOLKIT="cdktn", JSII_RUNTIME_PACKAGE_CACHE_ROOT=str(cold)))
    print(f"  cdktn, empty jsii package cache: first synth {first[0]:.2f} s, {mb(first[1])} (extracts the provider, "
          f"builds jsii's runtime index once); next synth {second[0]:.2f} s, {mb(second[1])}")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--pairs", type=int, default=3, help="alternating runs of each kind (medians are reported)")
    parser.add_argument("--skip-tests", action="store_true", help="do not time the test suite")
    parser.add_argument("--skip-scaling", action="store_true", help="do not time the 1/10/50/200-block environments")
    parser.add_argument("--cdktn-python", help="an interpreter with the cdktn extra installed "
                        "(default: .venv-cdktn/bin/python when it exists)")
    args = parser.parse_args()
    python = sys.executable
    scratch = Path(tempfile.mkdtemp(prefix="bench-"))
    toolkit = _toolkit()
    bare = [python, "-c", f"import {toolkit.aws_package}"]
    synth = [python, "main.py", "--out", str(scratch / "out")]

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, toolkit {toolkit.name}, load average "
          + " ".join(f"{x:.2f}" for x in os.getloadavg()) + " (before)")
    measure(synth, _env())  # warm the jsii package cache and the page cache once
    # Alternating, so that the load of a shared machine hits every kind alike: a bare import of the bindings, a
    # full synth (lazy on both sides), and a full synth loading the provider's JavaScript the ordinary way.
    imports, synths, node_eager = [], [], []
    cpu_imports, cpu_synths = [], []
    for _ in range(args.pairs):
        before = _children_cpu()
        imports.append(measure(bare, _env()))
        middle = _children_cpu()
        synths.append(measure_phases(synth, _env(), scratch))
        cpu_imports.append(middle - before)
        cpu_synths.append(_children_cpu() - middle)
        node_eager.append(measure_phases(synth, _env(CDK_NODE_EAGER="1"), scratch))
    ratios = [s[0] / i[0] for i, s in zip(imports, synths)]
    imp_wall, imp_rss = statistics.median(t for t, _ in imports), max(r for _, r in imports)
    syn_wall, syn_rss = statistics.median(s[0] for s in synths), max(s[1] for s in synths)
    nod_wall, nod_rss = statistics.median(s[0] for s in node_eager), max(s[1] for s in node_eager)
    print(f"bare import of the AWS bindings:  {imp_wall:6.2f} s wall (median of {args.pairs}), peak RSS {mb(imp_rss)}")
    print(f"full synth (python main.py):      {syn_wall:6.2f} s wall (median of {args.pairs}), peak RSS {mb(syn_rss)} "
          f"(process tree; target <= 300 MiB)")
    print(f"  same, Node side ordinary:       {nod_wall:6.2f} s wall (median of {args.pairs}), peak RSS {mb(nod_rss)} "
          f"(CDK_NODE_EAGER=1)")
    print(f"synth / import wall ratio:        {statistics.median(ratios):6.3f} "
          f"(pairs: {', '.join(f'{r:.3f}' for r in ratios)}; target <= 0.12"
          + ("" if toolkit.name == "cdktf" else ", set against cdktf's bindings, which import every submodule") + ")")
    print(f"  CPU time (user+sys, Python and Node): import {statistics.median(cpu_imports):.2f} s, synth "
          f"{statistics.median(cpu_synths):.2f} s, ratio {statistics.median(cpu_synths) / statistics.median(cpu_imports):.3f}")
    print(f"synth / import peak RSS ratio:    {syn_rss / imp_rss:6.3f}")
    print("phases of a full synth (median), Node side lazy | ordinary:")
    lazy_phases, eager_phases = _median_phases([s[2] for s in synths]), _median_phases([s[2] for s in node_eager])
    for name, _, _ in PHASES:
        print(f"  {name:34} {lazy_phases[name]:6.3f} s | {eager_phases[name]:6.3f} s")

    eager_wall, eager_rss = measure(synth, _env(CDK_EAGER_IMPORT="1"))
    print(f"full synth, ordinary everywhere:  {eager_wall:6.2f} s wall, peak RSS {mb(eager_rss)} (CDK_EAGER_IMPORT=1)")

    if not args.skip_scaling:
        sizes = (1, 200, 10, 50)  # 1 and 200 back to back: their difference is the per-block cost
        configs: dict[int | str, Path] = {}
        for blocks in sizes:
            configs[blocks] = scratch / f"blocks-{blocks}.toml"
            big_environment(configs[blocks], blocks)
        configs["dev"] = PROJECT / "tests" / "fixtures" / "environments" / "dev.toml"
        runs: dict[int | str, list[tuple[float, int]]] = {name: [] for name in configs}
        cpu: dict[int | str, list[float]] = {name: [] for name in configs}
        for _ in range(args.pairs):  # rounds over all sizes, so that load drifts hit every size alike
            for name, config in configs.items():
                command = [python, "main.py", "--config", str(config), "--out", str(scratch / "big")]
                before = _children_cpu()
                runs[name].append(measure(command, _env()))
                cpu[name].append(_children_cpu() - before)
        walls = {name: statistics.median(t for t, _ in runs[name]) for name in configs}
        print("environment size scaling (median wall, peak RSS of the process tree):")
        for name in sorted(configs, key=lambda n: (n == "dev", n if n != "dev" else 0)):
            label = "dev environment (4 blocks)" if name == "dev" else f"{name} module blocks"
            print(f"  {label:26} {walls[name]:6.2f} s, {mb(max(r for _, r in runs[name]))}")
        per_block = [(big[0] - small[0]) / 199 for small, big in zip(runs[1], runs[200])]
        print(f"per-block cost (200 vs 1 block): {statistics.median(per_block) * 1000:6.1f} ms, median of the rounds' "
              f"back-to-back pairs ({', '.join(f'{c * 1000:.1f}' for c in per_block)}; target <= 10 ms)")
        cpu_per_block = (statistics.median(cpu[200]) - statistics.median(cpu[1])) / 199
        print(f"  CPU time per block (user+sys, Python and Node): {cpu_per_block * 1000:.1f} ms (what the load does not change)")
        print(f"50-block / dev ratio:             {walls[50] / walls['dev']:6.3f} (target <= 1.5)")

    cdktn_python = args.cdktn_python or str(PROJECT / ".venv-cdktn" / "bin" / "python")
    if toolkit.name == "cdktf" and Path(cdktn_python).exists():
        print("both toolkits, alternating:")
        toolkits_side_by_side(python, cdktn_python, args.pairs, scratch)
    else:
        print(f"both toolkits: skipped (no cdktn interpreter at {cdktn_python}; .ci/run makes .venv-cdktn)")

    print("load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()) + " (after)")

    if not args.skip_tests:
        test_suite(python, runs=3)
    return 0


if __name__ == "__main__":
    sys.exit(main())
