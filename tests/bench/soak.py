"""Soak: step the app headless through many frames (a script, not a test).

    python tests/bench/soak.py [--frames 100000] [--scenario demo] [--seed 1]
                               [--race] [--resize-every N]
                               [--fault SPEC ...] [--trace] [--top 12]

A seeded random mix of the stepping keys (→ ← [ ] + - Home End, space) is applied by
calling the app's actions directly and painting the screen through the compositor
the way Textual does on a refresh (lay out the dirty widgets, render, encode ANSI), as
tests/bench/render.py does; the event loop runs every few frames so that timers,
Footer updates and notifications are handled as in a live session.  Now and then
(0.2 %) a key that recomputes the run (a algorithm, d disk, r readahead) or restyles
every panel (t theme) is pressed for real through Pilot, and the soak waits for it.

--race opens the race (c) and soaks it instead: each frame is a tick of the race's
clock (50 ms of its simulated time, or a seek, play/pause, faster, slower).
--resize-every N resizes the terminal every N frames, through sizes from 20x5 to
250x70 (the enlarge notice comes and goes), back to --size at the end.

Memory is reported every tenth of the way, after gc.collect(): Python's allocated
blocks, the traced allocations (with --trace; tracemalloc halves the speed) and the
process's resident set.  Target: no growth after warm-up beyond the timeline's
checkpoints of the run on screen.  --trace also prints the allocation sites that
grew most between the first tenth and the end.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("SWAPTUI_CONFIG_DIR", tempfile.mkdtemp())
os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

from models.faults import parse_fault
from swaptui.viewer.app import SwapApp
from swaptui.viewer.player import Extras

STEP_KEYS = ["right"] * 6 + ["left"] * 3 + ["left_square_bracket", "right_square_bracket"]
STEP_KEYS += ["plus", "minus", "home", "end", "space"]
RARE_KEYS = ["a", "d", "r", "t"]  # each recomputes a run (or restyles every panel)
RARE = 0.002
LOOP_EVERY = 16  # frames between turns of the event loop
SIZES = ((80, 24), (79, 23), (20, 5), (100, 30), (160, 48), (250, 70), (120, 36))
RACE_TICK_S = 0.05


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def race_actions(app: SwapApp, rng: random.Random) -> Callable[[], None]:
    screen: Any = app.screen  # the race screen

    def frame() -> None:
        r = rng.random()
        race = screen.race
        if r < 0.02:
            screen.action_tenth(rng.randrange(10))
        elif r < 0.03:
            screen.action_toggle_play()
        elif r < 0.04:
            rng.choice((screen.action_faster, screen.action_slower))()
        else:
            if not race.playing:
                screen.action_toggle_play()
            race.tick(RACE_TICK_S)
            screen.show_race()

    return frame


def actions(app: SwapApp) -> dict[str, Callable[[], None]]:
    main = app.main
    return {
        "right": lambda: main.action_step(1),
        "left": lambda: main.action_step(-1),
        "left_square_bracket": main.action_finer,
        "right_square_bracket": main.action_coarser,
        "plus": main.action_faster,
        "minus": main.action_slower,
        "home": main.action_first,
        "end": main.action_last,
        "space": main.action_toggle_play,
    }


async def soak(ns: argparse.Namespace) -> None:
    rng = random.Random(ns.seed)
    extras = Extras(tuple(parse_fault(f) for f in ns.fault))
    app = SwapApp.deferred(ns.scenario, "legacy", remember_theme=False, extras=extras)
    if ns.trace:
        tracemalloc.start(ns.depth)
    marks: list[tuple[int, int, float, float, float]] = []
    first_snapshot: tracemalloc.Snapshot | None = None
    w, h = map(int, ns.size.split("x"))
    async with app.run_test(size=(w, h)) as pilot:
        while app.computing:
            await asyncio.sleep(0.01)
        await pilot.pause()
        do = actions(app)
        race_frame: Callable[[], None] | None = None
        if ns.race:
            await pilot.press("c")
            while getattr(app.screen, "race", None) is None:
                await asyncio.sleep(0.01)
            await pilot.pause()
            race_frame = race_actions(app, rng)
        resizes = 0

        def paint() -> None:
            # what Textual does on its next refresh: lay out dirty widgets, render, encode
            screen = app.screen
            screen._compositor.update_widgets(set(screen._dirty_widgets))
            screen._dirty_widgets.clear()
            update = screen._compositor.render_update(full=False)
            if update is not None:
                update.render_segments(app.console)

        started = time.perf_counter()
        rare = 0
        for i in range(1, ns.frames + 1):
            if ns.resize_every and i % ns.resize_every == 0:
                resizes += 1
                await pilot.resize_terminal(*rng.choice(SIZES))
                await pilot.pause()
            if race_frame is not None:
                race_frame()
                paint()
            elif rng.random() < RARE:
                rare += 1
                await pilot.press(rng.choice(RARE_KEYS))
                while app.computing or app.main._wanted is not None:
                    await asyncio.sleep(0.01)
                await pilot.pause()
            else:
                do[rng.choice(STEP_KEYS)]()
                paint()
            if i % LOOP_EVERY == 0:
                await asyncio.sleep(0)
            if i % max(1, ns.frames // 10) == 0:
                await pilot.pause()
                gc.collect()
                traced = tracemalloc.get_traced_memory()[0] / 2**20 if ns.trace else 0.0
                blocks = sys.getallocatedblocks()
                elapsed = time.perf_counter() - started
                marks.append((i, blocks, traced, rss_mib(), elapsed))
                print(
                    f"{i:>8,} frames  blocks {blocks:>10,}  "
                    + (f"traced {traced:7.1f} MiB  " if ns.trace else "")
                    + f"rss {rss_mib():7.1f} MiB  {elapsed:7.1f} s  "
                    f"({app.player.timeline.run.algorithm}, {len(app.player.timeline.events):,} "
                    f"events, {rare} recomputes, {resizes} resizes"
                    + (", race" if ns.race else "")
                    + ")",
                    flush=True,
                )
                if ns.trace and first_snapshot is None:
                    first_snapshot = tracemalloc.take_snapshot()
        if ns.trace and first_snapshot is not None:
            gc.collect()
            last = tracemalloc.take_snapshot()
            print(f"allocation sites that grew most since {marks[0][0]:,} frames:")
            for stat in last.compare_to(first_snapshot, "traceback")[: ns.top]:
                frame = stat.traceback[-1] if stat.traceback else None
                print(f"  {stat.size_diff / 1024:+9.1f} KiB {stat.count_diff:+7,}  {frame}")
    warm, end = marks[0], marks[-1]
    print(
        f"growth after warm-up ({warm[0]:,} -> {end[0]:,} frames): "
        f"blocks {end[1] - warm[1]:+,}, "
        + (f"traced {end[2] - warm[2]:+.1f} MiB, " if ns.trace else "")
        + f"rss {end[3] - warm[3]:+.1f} MiB; {end[0] / end[4]:.0f} frames/s"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--frames", type=int, default=100_000)
    p.add_argument("--scenario", default="demo")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--size", default="120x36")
    p.add_argument("--race", action="store_true", help="soak the race (c) instead")
    p.add_argument("--resize-every", type=int, default=0, help="resize every N frames")
    p.add_argument("--fault", action="append", default=[], help="as swaptui --fault")
    p.add_argument("--trace", action="store_true", help="tracemalloc (slower)")
    p.add_argument("--depth", type=int, default=1, help="traceback depth with --trace")
    p.add_argument("--top", type=int, default=12)
    asyncio.run(soak(p.parse_args()))


if __name__ == "__main__":
    main()
