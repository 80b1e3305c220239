"""Per-frame update+render time of the app, headless at 200x60 (a script, not a test).

    python tests/bench/render.py [SCENARIO ...]

For each scenario (default: demo, the largest preset, and the pc3 kernel capture when
it is there):
- first paint: from the start to the first full screen, which says what is being
  computed while a worker generates the preset and runs the engine, as `swaptui
  PRESET` does (a scenario file is loaded before, as the command line does);
- run on screen: until the computed run replaces it (the first real frame);
- then the median and p95 of one step (FrameView, every panel, compositor update and
  ANSI encoding) over a spread of frames, and of one scroll of the page tables.
Targets: median <= 16 ms, p95 <= 33 ms, first frame <= 1 s.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("SWAPTUI_CONFIG_DIR", tempfile.mkdtemp())
os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

from models.scenario.presets import find_preset
from swaptui.viewer import scenarios
from swaptui.viewer.app import SwapApp
from swaptui.viewer.player import RunKey
from swaptui.viewer.scenarios import largest_preset
from swaptui.widgets.pagetables import PageTables

PC3 = str(Path(__file__).resolve().parents[1] / "data" / "linux-6.1" / "pc3.toml")
STEPS = 120


def p95(times: list[float]) -> float:
    times = sorted(times)
    return times[max(0, int(len(times) * 0.95) - 1)] if times else 0.0


async def bench(ref: str, algorithm: str, granularity: str) -> None:
    t0 = time.perf_counter()
    # as the command line opens it: a preset by name (generated on screen), a file loaded
    source = find_preset(ref) or scenarios.load(ref)
    key = RunKey(algorithm, None, None)
    app = SwapApp(source, None, key, granularity=granularity, remember_theme=False)
    times: list[float] = []
    scrolls: list[float] = []
    async with app.run_test(size=(200, 60)) as pilot:
        screen = app.screen
        screen._compositor.render_update(full=True)
        first = time.perf_counter() - t0
        while app.computing:
            await asyncio.sleep(0.05)
        await pilot.pause()
        ready = time.perf_counter() - t0

        def paint() -> None:
            # what Textual does on its next refresh: lay out dirty widgets, render, encode
            screen._compositor.update_widgets(set(screen._dirty_widgets))
            screen._dirty_widgets.clear()
            update = screen._compositor.render_update(full=True)
            if update is not None:
                update.render_segments(app.console)

        frames = app.player.frames
        stride = max(1, frames // STEPS)
        for i in range(0, min(frames, STEPS * stride), stride):
            t = time.perf_counter()
            app.player.seek(i)
            app.show_frame()
            paint()
            times.append((time.perf_counter() - t) * 1000)
        # stepping as a viewer does: one frame after another (the jumps above make the
        # page tables scroll to a new place at every step; these mostly do not)
        steps: list[float] = []
        start = frames // 2
        for i in range(start, min(frames, start + STEPS)):
            t = time.perf_counter()
            app.player.seek(i)
            app.show_frame()
            paint()
            steps.append((time.perf_counter() - t) * 1000)
        tables = app.query_one(PageTables)
        for _ in range(40):
            t = time.perf_counter()
            tables.scroll_to(y=tables.scroll_offset.y + 7, animate=False, immediate=True)
            tables.refresh()
            paint()
            scrolls.append((time.perf_counter() - t) * 1000)
        await pilot.pause()
    print(
        f"{Path(ref).name:<14} {algorithm:<7} {granularity:<6} frames {frames:>9,}  "
        f"first paint {first * 1000:5.0f} ms  run on screen {ready * 1000:5.0f} ms  "
        f"jump median {statistics.median(times):5.1f} ms p95 {p95(times):5.1f} ms  "
        f"next-frame median {statistics.median(steps):5.1f} ms p95 {p95(steps):5.1f} ms  "
        f"scroll median {statistics.median(scrolls):5.1f} ms ({len(times)} steps)"
    )


def main() -> None:
    refs = sys.argv[1:] or ["demo", largest_preset()] + ([PC3] if Path(PC3).exists() else [])
    for ref in dict.fromkeys(refs):
        for algorithm, granularity in (("legacy", "entry"), ("linear", "pte")):
            asyncio.run(bench(ref, algorithm, granularity))


if __name__ == "__main__":
    main()
