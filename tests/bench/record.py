"""Recording speed and cast size (a script, not a test).

    python tests/bench/record.py [SCENARIO] [--size 200x60] [--frames 300]

Records SCENARIO (default kelley-50m) with the legacy algorithm at SIZE while it
plays at speed 10 and the cast clock runs at 10 frames a second, as `swaptui record`
does, and prints:
- frames per second of recording (wall time of the recording loop, the engine's
  run built beforehand and not counted) and the time of one frame (median, p95);
- the cast's bytes per second of animation (its size over its duration).
The CPU time a frame is printed too, with the load average: on a shared machine the
wall time follows the other jobs.
Targets: >= 60 frames/s (a frame within 16 ms) at 200x60 on kelley-50m; bytes per
second no larger than a real terminal's recording of the same run (`asciinema rec`
of `swaptui kelley-50m` at 200x60, see the README).
With --video, the same recording also writes an MP4 and a GIF, timed apart.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("SWAPTUI_CONFIG_DIR", tempfile.mkdtemp())

from swaptui.record import recorder as rec_mod
from swaptui.record.cast import Cast
from swaptui.record.recorder import RecordingApp, Settings, record


def p95(xs: list[float]) -> float:
    xs = sorted(xs)
    return xs[max(0, int(len(xs) * 0.95) - 1)]


async def bench(ref: str, size: tuple[int, int], frames: int, videos: list[str]) -> None:
    t0 = time.perf_counter()
    app = RecordingApp.from_ref(ref, "legacy", theme="dark", remember_theme=False)
    app.player.speed = 10
    built = time.perf_counter() - t0
    cast = Cast(width=size[0], height=size[1], fps=10, title=ref)
    settings = Settings(size=size, fps=10, title=ref, frame_limit=frames, videos=videos)
    times: list[float] = []
    last = [time.perf_counter()]

    def on_frame(_tick: int) -> None:
        now = time.perf_counter()
        times.append(now - last[0])
        last[0] = now

    t1, c1 = time.perf_counter(), time.process_time()
    result = await record(app, settings, None, cast, on_frame)
    wall, cpu = time.perf_counter() - t1, time.process_time() - c1
    data = cast.dumps().encode()
    steady = times[1:]  # the first frame includes starting the app
    print(f"{ref} at {size[0]}x{size[1]}: run built in {built:.2f} s")
    print(
        f"  {result.ticks} frames ({cast.frames} distinct) in {wall:.2f} s: "
        f"{len(steady) / sum(steady):.0f} frames/s steady, "
        f"median {statistics.median(steady) * 1000:.1f} ms, p95 {p95(steady) * 1000:.1f} ms; "
        f"CPU {cpu / result.ticks * 1000:.1f} ms a frame (load average {os.getloadavg()[0]:.1f})"
    )
    print(
        f"  cast {len(data) / 1000:.0f} KB for {cast.duration:g} s: "
        f"{len(data) / cast.duration / 1000:.1f} KB/s, "
        f"first frame {len(cast.events[0][2].encode()) / 1000:.1f} KB, "
        f"later frames {statistics.mean(len(e[2].encode()) for e in cast.events[1:]):.0f} B avg"
    )
    for v in videos:
        print(f"  {Path(v).suffix}: {os.path.getsize(v) / 1_000_000:.1f} MB")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("scenario", nargs="?", default="kelley-50m")
    ap.add_argument("--size", default="200x60")
    ap.add_argument("--frames", type=int, default=300)
    ap.add_argument("--video", action="store_true")
    ns = ap.parse_args()
    w, h = (int(v) for v in ns.size.split("x"))
    videos = []
    if ns.video:
        d = tempfile.mkdtemp()
        videos = [f"{d}/bench.mp4", f"{d}/bench.gif"]
    assert rec_mod is not None
    asyncio.run(bench(ns.scenario, (w, h), ns.frames, videos))


if __name__ == "__main__":
    main()
