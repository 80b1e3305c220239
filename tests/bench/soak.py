"""Soak: step the app headless through many frames with random keys (a script, not a test).

    python tests/bench/soak.py [--frames 100000] [--scenario demo] [--seed 1]

Presses a seeded random mix of the stepping keys (→ ← [ ] + - Home End, space) and now
and then a key that recomputes the run (a algorithm, d disk, r readahead, t theme),
waits for each to be handled, and reports memory every tenth of the way: Python's
traced allocations (tracemalloc) and the process's resident set.  Target: no growth
after warm-up beyond the timeline's checkpoints of the run on screen.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("SWAPTUI_CONFIG_DIR", tempfile.mkdtemp())
os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

from swaptui.app import SwapApp

STEP_KEYS = ["right"] * 6 + ["left"] * 3 + ["left_square_bracket", "right_square_bracket"]
STEP_KEYS += ["plus", "minus", "home", "end", "space"]
RARE_KEYS = ["a", "d", "r", "t"]  # each recomputes a run (or restyles every panel)


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


async def soak(frames: int, scenario: str, seed: int) -> None:
    rng = random.Random(seed)
    app = SwapApp.deferred(scenario, "legacy", remember_theme=False)
    tracemalloc.start()
    marks: list[tuple[int, float, float, float]] = []
    started = time.perf_counter()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        for i in range(1, frames + 1):
            key = rng.choice(RARE_KEYS) if rng.random() < 0.002 else rng.choice(STEP_KEYS)
            await pilot.press(key)
            while getattr(app, "computing", False):
                await asyncio.sleep(0.01)
            if i % max(1, frames // 10) == 0:
                await pilot.pause()
                traced = tracemalloc.get_traced_memory()[0] / 2**20
                marks.append((i, traced, rss_mib(), time.perf_counter() - started))
                print(
                    f"{i:>8,} frames  traced {traced:7.1f} MiB  rss {rss_mib():7.1f} MiB  "
                    f"{time.perf_counter() - started:7.1f} s",
                    flush=True,
                )
    warm = marks[0]
    last = marks[-1]
    print(
        f"growth after warm-up ({warm[0]:,} -> {last[0]:,} frames): "
        f"traced {last[1] - warm[1]:+.1f} MiB, rss {last[2] - warm[2]:+.1f} MiB; "
        f"{last[0] / last[3]:.0f} frames/s"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--frames", type=int, default=100_000)
    p.add_argument("--scenario", default="demo")
    p.add_argument("--seed", type=int, default=1)
    ns = p.parse_args()
    asyncio.run(soak(ns.frames, ns.scenario, ns.seed))


if __name__ == "__main__":
    main()
