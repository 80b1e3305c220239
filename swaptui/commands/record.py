"""`swaptui record SCENARIO -o talk.cast`: a screencast made without a terminal.

The app runs headless on a clock of fixed ticks; at each tick what changed on screen
is written as one asciicast event, so the file plays in asciinema and comes out byte
for byte the same from the same inputs (CI can record it).  `-o talk.mp4` and
`-o talk.gif` draw the same frames on the same clock into a video (the `video`
extra).  A script (`--script`) drives the app the way a presenter would;
`--svg-dir`/`--png-dir` keep frames as stills for slides.
"""

from __future__ import annotations

import argparse
import asyncio
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
from swaptui.atomic import make_dir, write_atomic
from swaptui.commands.options import run_options
from swaptui.commands.record_checks import outputs, parse_fps, parse_size, pictures, still_dir
from swaptui.errors import UsageError, fail
from swaptui.record.cast import Cast
from swaptui.record.script import builtin_names, builtin_summary, load_script, parse_duration
from swaptui.viewer.player import (
    SPEEDS,
    Extras,
    RunKey,
    build_timeline,
)

DEFAULT_SIZE = (120, 36)
DEFAULT_FPS = 10.0
DEFAULT_HOLD = "2s"  # without a script the end state is the point: keep it on screen
DEFAULT_FONT_SIZE = 20  # pixels, for pictures: 120 columns come out ~1450 pixels wide


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "record",
        help="record a screencast (asciicast, MP4 or GIF) without a terminal",
        description=(
            "Render the app headlessly and write what it shows, one frame per tick of "
            "--fps: an asciinema cast (.cast: the first screen whole, then what changed; "
            "the same bytes for the same inputs), an MP4 (.mp4) or a GIF (.gif), chosen "
            "by the extension of each -o. Without --script the run plays from its first "
            "frame to its last. Video and PNG need the video extra "
            "(pip install 'swaptui[video]')."
        ),
    )
    p.add_argument(
        "scenario", nargs="?", default="demo", help="preset name or scenario file (demo)"
    )
    p.add_argument(
        "-o",
        "--output",
        action="append",
        default=[],
        metavar="FILE",
        help="write FILE.cast, FILE.mp4 or FILE.gif (repeat -o for several from one run)",
    )
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
    p.add_argument(
        "--fps", default=f"{DEFAULT_FPS:g}", help=f"frames per second of the cast ({DEFAULT_FPS:g})"
    )
    p.add_argument(
        "--speed",
        type=int,
        choices=SPEEDS,
        metavar="N",
        help=(
            "app frames per second while playing, as + and - set it (default: the run's "
            "own pace, as in the app: the speed that plays it in about a minute)"
        ),
    )
    p.add_argument(
        "--granularity",
        choices=GRANULARITIES,
        help=(
            "what one step shows (default: the run's own pace, as in the app: the finest "
            "step that plays it in about a minute)"
        ),
    )
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
        "--present",
        action="store_true",
        help="presentation mode: no key bar, no key hints (a script's `key p` toggles it)",
    )
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
        "--png-dir", metavar="DIR", help="also write frames as PNG files into DIR (video extra)"
    )
    p.add_argument(
        "--every",
        type=int,
        default=1,
        metavar="N",
        help="with --svg-dir/--png-dir: every Nth frame, and always the last (1)",
    )
    p.add_argument(
        "--font-size",
        type=int,
        default=DEFAULT_FONT_SIZE,
        metavar="PX",
        help=f"for MP4, GIF and PNG: the font size in pixels ({DEFAULT_FONT_SIZE})",
    )
    p.add_argument(
        "--font",
        metavar="FILE",
        help="for MP4, GIF and PNG: a monospace TrueType font (default: the system's)",
    )
    p.add_argument("--force", action="store_true", help="overwrite existing files")


def list_scripts() -> int:
    for name in builtin_names():
        print(f"{name:<14}{builtin_summary(name)}")
    return 0


def run(ns: argparse.Namespace) -> int:
    if ns.list_scripts:
        return list_scripts()
    if not ns.output and ns.svg_dir is None and ns.png_dir is None:
        raise UsageError(
            "record: give -o FILE.cast, FILE.mp4 or FILE.gif (or --svg-dir/--png-dir DIR)"
        )
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
    if ns.every < 1:
        raise UsageError(f"--every {ns.every}: must be 1 or more")
    cast_out, videos = outputs(ns)
    svg_dir = still_dir(ns, "--svg-dir", ".svg")
    png_dir = still_dir(ns, "--png-dir", ".png")
    pictures(ns, videos)

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
        scenario,
        timeline,
        key,
        granularity=ns.granularity,
        theme=theme,
        remember_theme=False,
        present=ns.present,
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
        png_dir=png_dir,
        every=ns.every,
        race=ns.race,
        videos=videos,
        font_size=ns.font_size,
        font=ns.font,
    )
    cast = Cast(
        width=size[0],
        height=size[1],
        fps=fps,
        title=title,
        version=ns.cast_version,
        timestamp=_timestamp() if ns.timestamp else None,
    )
    for d, suffix, flag in ((svg_dir, ".svg", "--svg-dir"), (png_dir, ".png", "--png-dir")):
        if d is not None:
            try:
                make_dir(d)
                for old in d.glob(f"frame-*{suffix}"):  # --force: no stale frames left behind
                    old.unlink()
            except UsageError as e:
                raise UsageError(f"{flag} {e}") from None
            except OSError as e:
                raise UsageError(f"{flag} {d}: cannot write there ({e.strerror or e})") from None
    # the rasteriser (and PIL) is loaded only when frames become pictures
    drawing_errors: tuple[type[Exception], ...] = ()
    if videos or settings.png_dir is not None:
        from swaptui.record.raster import FontError

        drawing_errors = (FontError,)
    if videos:
        from swaptui.record.video import VideoError

        drawing_errors += (VideoError,)
    try:
        result = _record(app, settings, script, cast)
    except drawing_errors as e:
        raise UsageError(str(e)) from None
    except OSError as e:  # ffmpeg could not start, the disk filled up...
        where = f"{e.filename}: " if e.filename else ""
        raise UsageError(f"record: {where}{e.strerror or e}") from None
    if cast_out is not None:
        write_atomic(cast_out, cast.dumps())
    _summary(list(ns.output), cast, result)
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
    """Run the recording with a progress bar on stderr when stderr is a terminal.

    SIGTERM and SIGHUP unwind it (SystemExit) instead of killing the process: the
    video files are written as the frames come, and their temporary files must go."""
    from swaptui.atomic import signals_unwind

    with signals_unwind():
        return _record_with_progress(app, settings, script, cast)


def _record_with_progress(app: Any, settings: Any, script: Any, cast: Cast) -> Any:
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


def _summary(outputs: list[str], cast: Cast, result: Any) -> None:
    parts = [f"{result.ticks} frames ({cast.frames} distinct)", f"{cast.duration:g} s"]
    for out in outputs:
        size = Path(out).stat().st_size
        human = f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size:,} bytes"
        parts.append(f"{Path(out).suffix.lstrip('.')} {human}")
    for suffix in (".svg", ".png"):
        n = result.stills.count(suffix)
        if n:
            parts.append(f"{n} {suffix.lstrip('.').upper()} files")
    files = result.stills.files
    where = ", ".join(outputs) or str(files[0].parent if files else "")
    print(f"swaptui: recorded {where}: {', '.join(parts)}", file=sys.stderr)
