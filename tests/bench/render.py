"""Per-frame update + render time of the app, headless at 200x60 (a script, not a test).

    python tests/bench/render.py [SCENARIO ...]

For each scenario (default: demo and the pc3 kernel capture): time to first frame
(load, run, timeline, first paint), then the median and p95 of one step forward
(FrameView, every panel, compositor update) over a spread of frames.
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

from swaptui.app import SwapApp

PC3 = "/work/shared/fixtures/linux-6.1/pc3.toml"
STEPS = 120


async def bench(ref: str, algorithm: str, granularity: str) -> None:
    t0 = time.perf_counter()
    app = SwapApp.from_ref(ref, algorithm, granularity=granularity, remember_theme=False)
    times: list[float] = []
    async with app.run_test(size=(200, 60)) as pilot:
        screen = app.screen
        screen._compositor.render_update(full=True)
        first = time.perf_counter() - t0
        frames = app.player.frames
        stride = max(1, frames // STEPS)
        for i in range(0, min(frames, STEPS * stride), stride):
            t = time.perf_counter()
            app.player.seek(i)
            app.show_frame()
            # what Textual does on its next refresh: lay out the dirty widgets, render, encode
            screen._compositor.update_widgets(set(screen._dirty_widgets))
            screen._dirty_widgets.clear()
            update = screen._compositor.render_update(full=True)
            if update is not None:
                update.render_segments(app.console)  # the ANSI encoding
            times.append((time.perf_counter() - t) * 1000)
        await pilot.pause()
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1] if times else 0.0
    print(
        f"{Path(ref).name:<14} {algorithm:<7} {granularity:<6} frames {frames:>9,}  "
        f"first frame {first * 1000:6.0f} ms  median {statistics.median(times):5.1f} ms  "
        f"p95 {p95:5.1f} ms  ({len(times)} steps)"
    )


def main() -> None:
    refs = sys.argv[1:] or ["demo", PC3]
    for ref in refs:
        for algorithm, granularity in (("legacy", "entry"), ("linear", "pte")):
            asyncio.run(bench(ref, algorithm, granularity))


if __name__ == "__main__":
    main()
