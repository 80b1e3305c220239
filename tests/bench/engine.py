"""Wall time and peak memory of the engine at full scale (a script, not a test).

    python tests/bench/engine.py [--algo A,B] [SCENARIO ...]

Scenarios (default: all four): `kelley-50m`, `vineeth-6g`, `8gib` (generated: an
8 GiB swap area, 2,097,152 slots, half of them in use by 200 processes) and `256gib`
(five swapped pages of two processes on a 256 GiB area, 67,108,864 slots).  Each
(scenario, algorithm) runs in a fresh child process, so that its peak memory (the
child's maximum resident set: interpreter, scenario, machine and run together) is
its own.  The child builds the scenario (`load`: parse and generate), compiles it
(`machine`), then runs swapoff without keeping events, as `swaptui run` does, and
the run's wall time is `run`.

Targets on the 2-core reference machine: kelley-50m legacy <= 3 s and linear
<= 0.5 s; vineeth-6g and 8gib <= 60 s per algorithm; 256gib <= 1 s per algorithm (its
cost must follow the slots in use, not the area); peak memory <= 1 GB.

`--baseline DIR` runs every child a second time on the source tree in DIR (an older
checkout, e.g. `git worktree add /tmp/base <commit>`), right after the current one,
and prints the current run's time and peak as a fraction of the baseline's: on a
shared machine only such side-by-side ratios mean much.  The command itself is
timed by `swaptui run` in tests/bench/cli.py.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from models.algorithms import ALGORITHMS  # noqa: E402

SCENARIOS = ("kelley-50m", "vineeth-6g", "8gib", "256gib")
TARGETS = {("kelley-50m", "legacy"): 3.0, ("kelley-50m", "linear"): 0.5}
HUGE_TARGET_S = 1.0
BIG_TARGET_S = 60.0
MEMORY_TARGET_MB = 1000.0

EIGHT_GIB = """format = "swaptui-scenario/1"

[scenario]
name = "bench-8gib"
title = "An 8 GiB swap area, half full"
seed = 8

[swap]
slots = 2097152

[disk]
kind = "hdd"

[generate]
processes = 200
forks = 40
vmas = [3, 10]
vma_pages = [16, 65536]
swapped_fraction = [0.2, 0.7]
slots_used = 1048576
layout = "reclaim"
"""


HUGE = """format = "swaptui-scenario/1"

[scenario]
name = "bench-256gib"
title = "Five swapped pages on a 256 GiB swap area"

[swap]
slots = 67108864

[[mm]]
pid = 100
comm = "a"
  [[mm.vma]]
  start = 0x7f0000000000
  pages = 64
  resident = [[0, 10]]
  swapped = [[10, 4], [11, 5], [20, 67108000]]

[[mm]]
pid = 101
comm = "b"
  [[mm.vma]]
  start = 0x7f0000000000
  pages = 64
  swapped = [[10, 33554432], [30, 6]]
"""
TEXTS = {"8gib": EIGHT_GIB, "256gib": HUGE}


def child(name: str, algorithm: str, tree: str) -> None:
    """Build and run one scenario under one algorithm; print one JSON line."""
    sys.path.insert(0, tree)  # the tree under test (this one, or --baseline's)
    for mod in [m for m in sys.modules if m == "models" or m.startswith("models.")]:
        del sys.modules[mod]
    from models.engine import RunOptions, run_swapoff
    from models.machine import Machine
    from models.scenario import load_scenario, parse_scenario

    t0 = time.perf_counter()
    scenario = parse_scenario(TEXTS[name], name) if name in TEXTS else load_scenario(name)
    t1 = time.perf_counter()
    machine = Machine(scenario)
    t2 = time.perf_counter()
    options = RunOptions(algorithm, keep_events=False, keep_requests=False)
    result = run_swapoff(scenario, options, machine=machine)
    t3 = time.perf_counter()
    cpu = time.process_time()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    c = result.counters
    print(
        json.dumps(
            {
                "load": t1 - t0,
                "machine": t2 - t1,
                "run": t3 - t2,
                "cpu": cpu,
                "peak_mb": peak_kb * 1024 / 1e6,
                "result": result.result,
                "slots_in_use": len(machine.slot_refs),
                "calls": c.unuse_pte_range_calls,
                "simulated_s": c.total_ns / 1e9,
            }
        )
    )


def target(name: str, algorithm: str) -> float:
    if name == "256gib":
        return HUGE_TARGET_S
    return TARGETS.get((name, algorithm), BIG_TARGET_S if name != "kelley-50m" else 0.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", default=list(SCENARIOS))
    parser.add_argument("--algo", default=",".join(ALGORITHMS))
    parser.add_argument("--baseline", metavar="DIR", help="another source tree to compare with")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return 0
    print(
        f"# {platform.node()} · {platform.processor() or platform.machine()} · "
        f"{os.cpu_count()} CPUs · Python {platform.python_version()}"
    )
    header = (
        f"{'scenario':<11} {'algorithm':<10} {'load s':>7} {'machine s':>9} {'run s':>7} "
        f"{'target':>7} {'peak MB':>8} {'calls':>15} {'simulated':>10}"
    )
    if args.baseline:
        header += "  CPU / peak vs baseline"
    print(header)
    failed = 0

    def measure(name: str, algorithm: str, tree: Path) -> dict | None:
        proc = subprocess.run(
            [sys.executable, __file__, "--child", name, algorithm, str(tree)],
            capture_output=True,
            text=True,
            cwd=tree,
            check=False,
        )
        if proc.returncode:
            print(f"{name:<11} {algorithm:<10} failed on {tree}:\n{proc.stderr}")
            return None
        return json.loads(proc.stdout.strip().splitlines()[-1])

    for name in args.scenarios:
        for algorithm in args.algo.split(","):
            r = measure(name, algorithm, ROOT)
            if r is None:
                failed += 1
                continue
            versus = ""
            if args.baseline:
                b = measure(name, algorithm, Path(args.baseline).resolve())
                if b is not None:
                    versus = (
                        f"  {r['cpu']:.1f} / {b['cpu']:.1f} s CPU ({r['cpu'] / b['cpu']:.2f}x), "
                        f"{r['peak_mb']:.0f} / {b['peak_mb']:.0f} MB"
                    )
            limit = target(name, algorithm)
            ok = (not limit or r["run"] <= limit) and r["peak_mb"] <= MEMORY_TARGET_MB
            failed += not ok
            shown = f"{limit:.1f}" if limit else "-"
            print(
                f"{name:<11} {algorithm:<10} {r['load']:>7.2f} {r['machine']:>9.2f} "
                f"{r['run']:>7.2f} {shown:>7} {r['peak_mb']:>8.0f} {r['calls']:>15,} "
                f"{r['simulated_s']:>9.1f}s{'' if ok else '  MISSED'}{versus}",
                flush=True,
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
