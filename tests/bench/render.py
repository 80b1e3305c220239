"""What the app pays per frame and to start, beside a bare Textual app measured in the
same run (a script, not a test).

    python tests/bench/render.py [--size 200x60] [SCENARIO ...]

For each scenario (default: demo, kelley-50m and rfc3-240m), legacy at entry steps
and linear at pte steps, opened by name as `swaptui SCENARIO` does:
- first paint: from creating the app to its first full screen (which says what is
  being computed while a worker loads the preset and runs the engine);
- playable: until the computed run's first frame is painted, twice: with an empty preset cache
  (the preset is generated) and with the cache the first start left (the worker
  then still checks the end state and takes the timeline's checkpoints: the steps
  below are measured once it is done);
- a step: the frame's view, every panel, and all Textual does until it is idle
  again (messages, layout when needed, compositor update, encoding: measured around
  `Pilot.pause`, whose own overhead the baseline pays too), in CPU milliseconds
  (median and p95): "next frame" steps one frame after another as a viewer does,
  "jump" lands on 120 frames spread over the run, so the page tables scroll to a new
  place every time.
The baseline, in the same run: a bare Textual app that mounts one widget (its first
paint), and the same app repainting a full screen of coloured cells through the Line
API (a frame of Textual's own cost).
Targets (issue #17): first paint <= 1.2x the bare app's; playable within 1 s
(rfc3-240m: 2 s); jump median <= 16 ms, p95 <= 33 ms; next frame <= 8 ms.
CPU time, not wall time: the machine is shared, and a frame's wall time includes the
wait for Textual's 60 Hz refresh timer.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("SWAPTUI_CONFIG_DIR", tempfile.mkdtemp())
os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

from rich.segment import Segment
from rich.style import Style
from textual.app import App, ComposeResult
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from models.scenario import cache, presets
from models.scenario.presets import find_preset
from swaptui.viewer import scenarios
from swaptui.viewer.app import SwapApp
from swaptui.viewer.player import RunKey

STEPS = 120
COLOURS = [Style(bgcolor=c) for c in ("red", "green", "blue", "yellow", "magenta", "cyan")]


def p95(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[max(0, int(len(xs) * 0.95) - 1)] if xs else 0.0


class Grid(Widget):
    """A full screen of two-column coloured cells; every frame changes every line."""

    tick = 0

    def render_line(self, y: int) -> Strip:
        w = self.size.width
        segs = [
            Segment(f"{(x + y + self.tick) % 100:>2}", COLOURS[(x * 7 + y + self.tick) % 6])
            for x in range(w // 2)
        ]
        return Strip(segs, w // 2 * 2)


class Bare(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("hello")


class BareGrid(App[None]):
    def compose(self) -> ComposeResult:
        yield Grid()


async def bare_first_paint(size: tuple[int, int]) -> float:
    t0 = time.perf_counter()
    app = Bare()
    async with app.run_test(size=size):
        app.screen._compositor.render_update(full=True)
        return time.perf_counter() - t0


async def bare_frames(size: tuple[int, int]) -> list[float]:
    app = BareGrid()
    times: list[float] = []
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        grid = app.query_one(Grid)
        for i in range(STEPS):
            t = time.process_time()
            grid.tick = i + 1
            grid.refresh()
            await pilot.pause()
            times.append((time.process_time() - t) * 1000)
    return times


async def start(ref: str, algorithm: str, granularity: str, size: tuple[int, int]) -> tuple:
    """(first paint s, playable s, app, pilot context) of a fresh start."""
    presets._loaded.clear()  # as a new process: only the on-disk cache is kept
    gc.unfreeze()  # ... and nothing frozen by the app of the previous start
    gc.collect()
    t0 = time.perf_counter()
    source = find_preset(ref) or scenarios.load(ref)
    app = SwapApp(source, None, RunKey(algorithm, None, None), granularity=granularity)
    ctx = app.run_test(size=size)
    pilot = await ctx.__aenter__()
    app.screen._compositor.render_update(full=True)
    first = time.perf_counter() - t0
    while app.computing:
        await asyncio.sleep(0.02)
    # playable: the run's first frame painted.  Not `pilot.pause()`: that waits until
    # the whole process is idle, and the worker goes on finishing the run meanwhile
    painted = asyncio.Event()
    app.screen.call_after_refresh(painted.set)
    await painted.wait()
    return first, time.perf_counter() - t0, app, pilot, ctx


async def bench(ref: str, algorithm: str, granularity: str, size: tuple[int, int]) -> dict:
    with tempfile.TemporaryDirectory() as d:
        cache.use_directory(d)
        first, cold, app, _pilot, ctx = await start(ref, algorithm, granularity, size)
        await ctx.__aexit__(None, None, None)
        gc.collect()
        first2, warm, app, pilot, ctx = await start(ref, algorithm, granularity, size)
    # the steps measure frames, not the worker that finishes the run once it is
    # playable (the end state's check, the rest of the checkpoints)
    await app.workers.wait_for_complete()

    async def step(frame: int) -> float:
        t = time.process_time()
        app.player.seek(frame)
        app.show_frame()
        await pilot.pause()
        return (time.process_time() - t) * 1000

    frames = app.player.frames
    stride = max(1, frames // STEPS)
    jumps = [await step(i) for i in range(0, min(frames, STEPS * stride), stride)]
    nexts = [await step(i) for i in range(frames // 2, min(frames, frames // 2 + STEPS))]
    await ctx.__aexit__(None, None, None)
    return {
        "frames": frames,
        "first": min(first, first2),
        "cold": cold,
        "warm": warm,
        "jump": (statistics.median(jumps), p95(jumps)),
        "next": (statistics.median(nexts), p95(nexts)),
    }


async def main_async(refs: list[str], size: tuple[int, int]) -> None:
    bare = min([await bare_first_paint(size) for _ in range(3)])
    grid = await bare_frames(size)
    print(
        f"# {size[0]}x{size[1]}, load average {os.getloadavg()[0]:.1f}; baseline (bare "
        f"Textual app): first paint {bare * 1000:.0f} ms, full-screen frame "
        f"{statistics.median(grid):.1f} / {p95(grid):.1f} ms CPU (median / p95)"
    )
    print(
        f"{'scenario':<12} {'algorithm':<9} {'step':<6} {'frames':>10}  {'first paint':>15}  "
        f"{'playable cold / cached':>22}  {'next frame':>13}  {'jump':>13}"
    )
    for ref in refs:
        for algorithm, granularity in (("legacy", "entry"), ("linear", "pte")):
            r = await bench(ref, algorithm, granularity, size)
            print(
                f"{Path(ref).name:<12} {algorithm:<9} {granularity:<6} {r['frames']:>10,}  "
                f"{r['first'] * 1000:>5.0f} ms {r['first'] / bare:>4.1f}x  "
                f"{r['cold'] * 1000:>8.0f} / {r['warm'] * 1000:>5.0f} ms  "
                f"{r['next'][0]:>5.1f} / {r['next'][1]:>5.1f}  "
                f"{r['jump'][0]:>5.1f} / {r['jump'][1]:>5.1f}",
                flush=True,
            )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenarios", nargs="*", default=["demo", "kelley-50m", "rfc3-240m"])
    ap.add_argument("--size", default="200x60")
    ns = ap.parse_args()
    w, h = (int(v) for v in ns.size.split("x"))
    asyncio.run(main_async(ns.scenarios, (w, h)))


if __name__ == "__main__":
    main()
