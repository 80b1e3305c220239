"""The checks of `swaptui record`'s options, all made before anything is recorded.

Sizes, frame rates, the files to write (their kind by extension, each writable, no
file twice) and what pictures need (the video extra, a font, a sane size): every
problem is one line and exit status 2, and nothing has been written yet.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from swaptui.atomic import check_dir, check_writable
from swaptui.errors import UsageError
from swaptui.screens.modals import MIN_HEIGHT, MIN_WIDTH

MAX_SIZE = (500, 200)
MAX_FPS = 120.0
CAST_SUFFIX = ".cast"
VIDEO_SUFFIXES = (".mp4", ".gif")


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


def still_dir(ns: argparse.Namespace, flag: str, suffix: str) -> Path | None:
    value = getattr(ns, flag.lstrip("-").replace("-", "_"))
    if value is None:
        return None
    try:
        d = check_dir(value)  # a directory, or one that can be made, and written in
    except UsageError as e:
        raise UsageError(f"{flag} {e}") from None
    old = sorted(d.glob(f"frame-*{suffix}")) if d.is_dir() else []
    if old and not ns.force:
        raise UsageError(f"{flag} {d}: holds frames already (use --force to replace them)")
    return d


def outputs(ns: argparse.Namespace) -> tuple[str | None, list[str]]:
    """The cast (at most one) and the video files, each checked writable up front."""
    casts: list[str] = []
    videos: list[str] = []
    for out in ns.output:
        # what is at the path first (a directory, a device, a file without --force):
        # that refusal is the more telling one
        check_writable(out, force=ns.force)
        suffix = Path(out).suffix.lower()
        if suffix == CAST_SUFFIX:
            casts.append(out)
        elif suffix in VIDEO_SUFFIXES:
            videos.append(out)
        else:
            raise UsageError(f"-o {out}: unknown kind of file (use .cast, .mp4 or .gif)")
    if len(casts) > 1:
        raise UsageError(f"-o {casts[1]}: one cast per recording")
    if len({str(Path(o).resolve()) for o in ns.output}) < len(ns.output):
        raise UsageError("-o: the same file twice")
    return (casts[0] if casts else None), videos


def pictures(ns: argparse.Namespace, videos: list[str]) -> None:
    """Video and PNG need Pillow, ffmpeg and a font: say so before recording."""
    if not videos and ns.png_dir is None:
        return
    from swaptui.record.video import missing_extra

    what = f"-o {videos[0]}" if videos else "--png-dir"
    missing = missing_extra(what)
    if missing is not None:
        raise UsageError(missing)
    if not 6 <= ns.font_size <= 200:
        raise UsageError(f"--font-size {ns.font_size}: must be 6 to 200 pixels")
    from swaptui.record.raster import MAX_PIXELS, FontError, picture_size

    try:
        w, h = picture_size(*parse_size(ns.size), ns.font_size, ns.font)
    except FontError as e:
        raise UsageError(str(e)) from None
    if max(w, h) > MAX_PIXELS:
        raise UsageError(
            f"--font-size {ns.font_size} at {ns.size} makes pictures of {w}x{h} pixels; "
            f"at most {MAX_PIXELS} a side (a smaller --font-size or --size)"
        )
