"""`swaptui record SCENARIO -o talk.cast`: a screencast made without a terminal.

The app runs headless; every tick of a fixed frame rate the whole screen is written
as one asciicast event, so the file plays in asciinema, converts to a GIF with agg,
and comes out byte for byte the same from the same inputs (CI can record it).  A
script (`--script`) drives the app the way a presenter would; `--svg-dir` keeps
frames as SVG for slides.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import time
from pathlib import Path
from typing import Any

import themes
from models.algorithms import ALGORITHMS
from models.engine import OptionError
from models.events import GRANULARITIES
from models.readahead import POLICIES
from models.scenario_model import DISK_KINDS
from swaptui.atomic import check_dir, check_writable, make_dir, write_atomic
from swaptui.commands.options import run_options
from swaptui.errors import UsageError, fail
from swaptui.record.cast import Cast
from swaptui.record.script import builtin_names, builtin_summary, load_script, parse_duration
from swaptui.screens.modals import MIN_HEIGHT, MIN_WIDTH
from swaptui.viewer.player import SPEEDS, Extras, RunKey, build_timeline

DEFAULT_SIZE = (120, 36)
MAX_SIZE = (500, 200)
DEFAULT_FPS = 10.0
MAX_FPS = 120.0
DEFAULT_HOLD = "2s"  # without a script the end state is the point: keep it on screen


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "record",
        help="record a screencast (asciicast) without a terminal",
        description=(
            "Render the app headlessly and write an asciinema cast: one frame of the whole "
            "screen per tick of --fps, the same bytes for the same inputs. Without --script "
            "the run plays from its first frame to its last. Play it with `asciinema play`, "
            "make a GIF with `agg`."
        ),
    )
    p.add_argument(
        "scenario", nargs="?", default="demo", help="preset name or scenario file (demo)"
    )
    p.add_argument("-o", "--output", metavar="FILE", help="the cast to write (FILE.cast)")
    p.add_argument(
        "--cast-version", type=int, choices=(2, 3), default=2, help="asciicast version (2)"
    )
    p.add_argument("--algo", choices=ALGORITHMS, default="legacy", help="algorithm (legacy)")
    p.add_argument("--disk", choices=DISK_KINDS, help="disk (default: the scenario's)")
    p.add_argument("--readahead", choices=POLICIES, help="readahead (default: the algorithm's)")
    p.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SPEC",
        help="inject a fault while swapoff runs (repeatable; as in `swaptui run --fault`)",
    )
    p.add_argument(
        "--disk-param", action="append", default=[], metavar="NAME=VALUE",
        help="override a disk cost constant (as in `swaptui run`)",
    )  # fmt: skip
    p.add_argument(
        "--cpu-param", action="append", default=[], metavar="NAME=VALUE",
        help="override a CPU cost constant (as in `swaptui run`)",
    )  # fmt: skip
    p.add_argument("--theme", default="dark", help="colour theme (dark; never remembered)")
    p.add_argument("--size", default="x".join(map(str, DEFAULT_SIZE)), metavar="WxH",
                   help="screen size in cells (120x36)")  # fmt: skip
    p.add_argument("--fps", default=str(DEFAULT_FPS), help="frames per second of the cast (10)")
    p.add_argument(
        "--speed",
        type=int,
        choices=SPEEDS,
        metavar="N",
        help="app frames per second while playing, as + and - set it (10)",
    )
    p.add_argument("--granularity", choices=GRANULARITIES, help="what one step shows (entry)")
    stop = p.add_mutually_exclusive_group()
    stop.add_argument("--frames", type=int, metavar="N", help="record N frames, then stop")
    stop.add_argument("--until", choices=("done",), help="record until the run ends (the default)")
    p.add_argument(
        "--hold",
        metavar="DURATION",
        help=f"keep the last frame on for this long (default {DEFAULT_HOLD}; 0 with --script)",
    )
    p.add_argument("--race", action="store_true", help="record race mode (legacy vs linear)")
    p.add_argument(
        "--script",
        metavar="FILE",
        help=f"a recording script, or a built-in one: {', '.join(builtin_names())}",
    )
    p.add_argument("--list-scripts", action="store_true", help="list the built-in scripts and exit")
    p.add_argument("--title", help="the cast's title (default: scenario and algorithm)")
    p.add_argument(
        "--timestamp",
        action="store_true",
        help="put the recording time in the header (then two recordings differ)",
    )
    p.add_argument("--svg-dir", metavar="DIR", help="also write frames as SVG files into DIR")
    p.add_argument(
        "--every", type=int, default=1, metavar="N", help="with --svg-dir: every Nth frame (1)"
    )
    p.add_argument("--force", action="store_true", help="overwrite existing files")


def parse_size(text: str) -> tuple[int, int]:
    m = re.fullmatch(r"(\d+)[xX](\d+)", text.strip())
    if m is None:
        raise UsageError(f"--size {text!r}: expected WIDTHxHEIGHT, like 120x36")
    w, h = int(m.group(1)), int(m.group(2))
    if w < MIN_WIDTH or h < MIN_HEIGHT:
        raise UsageError(f"--size {text}: the app needs at least {MIN_WIDTH}x{MIN_HEIGHT}")
    if w > MAX_SIZE[0] or h > MAX_SIZE[1]:
        raise UsageError(f"--size {text}: at most {MAX_SIZE[0]}x{MAX_SIZE[1]}")
    return w, h


def parse_fps(text: str) -> float:
    try:
        fps = float(text)
    except ValueError:
        raise UsageError(f"--fps {text!r}: not a number") from None
    if not 0 < fps <= MAX_FPS:
        raise UsageError(f"--fps {text}: must be above 0 and at most {MAX_FPS:g}")
    return fps


def _svg_dir(ns: argparse.Namespace) -> Path | None:
    if ns.every < 1:
        raise UsageError(f"--every {ns.every}: must be 1 or more")
    if ns.svg_dir is None:
        return None
    d = check_dir(ns.svg_dir)
    old = sorted(d.glob("frame-*.svg")) if d.is_dir() else []
    if old and not ns.force:
        raise UsageError(f"--svg-dir {d}: holds frames already (use --force to replace them)")
    return d


def list_scripts() -> int:
    for name in builtin_names():
        print(f"{name:<14}{builtin_summary(name)}")
    return 0


def run(ns: argparse.Namespace) -> int:
    if ns.list_scripts:
        return list_scripts()
    if ns.output is None and ns.svg_dir is None:
        raise UsageError("record: give -o FILE.cast (or --svg-dir DIR for SVG frames only)")
    size = parse_size(ns.size)
    fps = parse_fps(ns.fps)
    if ns.frames is not None and ns.frames < 1:
        raise UsageError(f"--frames {ns.frames}: must be 1 or more")
    theme = themes.resolve(ns.theme)
    if theme is None:
        raise UsageError(
            f"unknown theme {ns.theme!r} (choose from {', '.join(themes.SHORT_NAMES)})"
        )
    hold = parse_duration(ns.hold) if ns.hold is not None else None
    if ns.hold is not None and hold is None:
        raise UsageError(f"--hold {ns.hold!r}: not a duration (like 2s or 500ms)")
    script = load_script(ns.script) if ns.script else None
    if script is not None and ns.until:
        raise UsageError("--until done does not go with --script (the script says when to stop)")
    if hold is None:
        hold = 0.0 if script is not None else parse_duration(DEFAULT_HOLD) or 0.0
    if ns.output is not None:
        check_writable(ns.output, force=ns.force)
    svg_dir = _svg_dir(ns)

    from swaptui.record.recorder import RACE_MISSING, RecordingApp, Settings, race_available

    if (ns.race or (script is not None and script.uses_race)) and not race_available():
        raise UsageError(RACE_MISSING)
    scenario = _load(ns.scenario)
    opts = run_options(ns, ns.algo, keep_events=True)  # the same path as `swaptui run`
    key = RunKey(ns.algo, ns.disk, ns.readahead, Extras.of(opts))
    try:
        timeline = build_timeline(scenario, key)
    except OptionError as e:
        return fail(str(e))
    app = RecordingApp(
        scenario, timeline, key, granularity=ns.granularity, theme=theme, remember_theme=False
    )
    if ns.speed is not None:
        app.player.speed = ns.speed
    title = ns.title or f"swaptui: {scenario.name} · {timeline.run.algorithm}"
    settings = Settings(
        size=size,
        fps=fps,
        title=title,
        frame_limit=ns.frames,
        hold_s=hold,
        svg_dir=svg_dir,
        every=ns.every,
        race=ns.race,
    )
    cast = Cast(
        width=size[0],
        height=size[1],
        fps=fps,
        title=title,
        version=ns.cast_version,
        timestamp=_timestamp() if ns.timestamp else None,
    )
    if svg_dir is not None:
        make_dir(svg_dir)
        for old in svg_dir.glob("frame-*.svg"):  # --force: no stale frames left behind
            old.unlink()
    result = _record(app, settings, script, cast)
    if ns.output is not None:
        write_atomic(ns.output, cast.dumps())
    _summary(ns.output, cast, result)
    return 0


def _load(ref: str) -> Any:
    from swaptui.commands.scenario import load

    try:
        return load(ref)
    except OSError as e:
        raise UsageError(f"{ref}: {e.strerror or e}") from None


def _timestamp() -> int:
    # SOURCE_DATE_EPOCH is the reproducible-builds convention for "now"
    import os

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    return int(epoch) if epoch.isdigit() else int(time.time())


def _record(app: Any, settings: Any, script: Any, cast: Cast) -> Any:
    """Run the recording with a progress bar on stderr when stderr is a terminal."""
    from swaptui.record.recorder import estimate_ticks, record

    if not sys.stderr.isatty():
        return asyncio.run(record(app, settings, script, cast))
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    total = estimate_ticks(app, script, settings)
    with Progress(
        TextColumn("recording"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("frames"),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("record", total=total)

        def on_frame(tick: int) -> None:
            bar.update(task, completed=tick + 1)

        return asyncio.run(record(app, settings, script, cast, on_frame))


def _summary(output: str | None, cast: Cast, result: Any) -> None:
    parts = [f"{result.ticks} frames ({cast.frames} distinct)", f"{cast.duration:g} s"]
    if output is not None:
        size = Path(output).stat().st_size
        parts.append(f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size:,} bytes")
    if result.svg_files:
        parts.append(f"{len(result.svg_files)} SVG files")
    where = output or str(result.svg_files[0].parent if result.svg_files else "")
    print(f"swaptui: recorded {where}: {', '.join(parts)}", file=sys.stderr)
