"""What memory pressure costs each algorithm: hugh-test with and without it (a script).

    python tests/bench/pressure.py [--markdown] [--algo A,B] [--disk hdd,ssd] [--fresh shared,own]

For every disk kind and fresh-area layout asked for, each algorithm runs hugh-test
twice: as the preset says (16 MiB free, a 64 MiB load, a fresh area) and with the
memory tables removed (no pressure: the same machine with memory to spare).  It
prints the simulated times, what pressure added (`lost`: the difference, and the
ratio), the reclaim counters and the engine's own wall time.  `--markdown` prints the
tables of docs/race.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import attrs

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from models.algorithms import ALGORITHMS  # noqa: E402
from models.engine import RunOptions, run_swapoff  # noqa: E402
from models.invariants import check  # noqa: E402
from models.scenario import load_preset  # noqa: E402
from models.scenario_model import FreshArea  # noqa: E402


def s(ns: int) -> str:
    return f"{ns / 1e9:.2f} s"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--markdown", action="store_true")
    p.add_argument("--algo", default=",".join(ALGORITHMS))
    p.add_argument("--disk", default="hdd,ssd")
    p.add_argument("--fresh", default="shared,own")
    args = p.parse_args()
    base = load_preset("hugh-test")
    assert base.fresh is not None
    plain = attrs.evolve(base, free_pages=None, reclaim=False, fresh=None, load=None)
    broken = 0
    for disk in args.disk.split(","):
        for where in args.fresh.split(","):
            pressed = attrs.evolve(base, fresh=FreshArea(base.fresh.slots, where))
            title = f"hugh-test, {disk}, fresh area on {'the same disk' if where == 'shared' else 'its own disk'}"
            if args.markdown:
                print(f"\n{title}\n")
                print(
                    "| algorithm | no pressure | under pressure | lost | × | written | "
                    "write time | dropped | re-read | re-read time |"
                )
                print("|---|---|---|---|---|---|---|---|---|---|")
            else:
                print(f"# {title}")
            for algo in args.algo.split(","):
                opt = RunOptions(algo, disk=disk, keep_events=False, keep_requests=False)
                a = run_swapoff(plain, opt)
                t = time.perf_counter()
                r = run_swapoff(pressed, opt)
                wall = time.perf_counter() - t
                problems = check(r)
                broken += bool(problems) or r.result != "ok"
                c, c0 = r.counters, a.counters
                lost = c.total_ns - c0.total_ns
                ratio = c.total_ns / c0.total_ns if c0.total_ns else float("inf")
                row = (
                    algo,
                    s(c0.total_ns),
                    s(c.total_ns),
                    s(lost),
                    f"{ratio:.1f}",
                    f"{c.pages_written:,}",
                    s(c.write_ns),
                    f"{c.pages_dropped:,}",
                    f"{c.pages_reread:,}",
                    s(c.reread_ns),
                )
                if args.markdown:
                    print("| " + " | ".join(row) + " |")
                else:
                    print(
                        "  ".join(f"{x:>10}" for x in row)
                        + f"  {r.result} {'ok' if not problems else problems[0]} "
                        f"(engine {wall:.1f} s)",
                        flush=True,
                    )
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
