"""ctrl+s: a still of the screen for a slide, as SVG and PNG, under a name that never collides.

The still shows the run (the main screen or the race), never what is passing over
it: the toasts are cleared first and a dialog on top (help, details, the command
palette, the enlarge notice) is left out, the screen beneath is taken.  The name
says what is on it, `swaptui-SCENARIO-ALGORITHM-THEME-fFRAME-N` (a race names its
sides: `legacy-vs-linear`, and its clock), N being the first number that names no
existing still, so four shots of one frame in four themes are four files.
In a browser (`swaptui serve`) the still is downloaded instead of written.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.segment import Segment, Segments
from textual.screen import ModalScreen, Screen
from textual.strip import Strip

import themes
from swaptui.atomic import write_atomic

MAX_COUNTER = 10_000


def subject(screen: Screen[Any]) -> Screen[Any]:
    """The screen a still shows: the topmost one that is not a passing dialog."""
    from swaptui.screens.modals import TooSmallScreen

    stack = screen.app.screen_stack
    for s in reversed(stack):
        if not isinstance(s, ModalScreen | TooSmallScreen):
            return s
    return stack[0]


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._]+", "-", text).strip("-.") or "run"


def describe(screen: Screen[Any], theme: str) -> str:
    """scenario, algorithm (or the race), theme and frame, for the file name."""
    short = next((k for k, v in themes.SHORT_NAMES.items() if v == theme), theme)
    race = getattr(screen, "race", None)
    if race is not None:
        what = "-vs-".join(race.algorithms)
        when = f"t{race.clock_ps // 1_000_000}us"  # the race's clock, in µs
        return "-".join(_slug(p) for p in (race.scenario.name, what, race.disk, short, when))
    player = getattr(screen, "player", None)
    if player is not None:
        run = player.timeline.run
        parts = (player.scenario.name, run.algorithm, short, f"f{player.frame}")
        return "-".join(_slug(p) for p in parts)
    return _slug(f"swaptui-{short}")


def free_stem(folder: Path, base: str, suffixes: tuple[str, ...]) -> Path:
    """folder/base-N with the first N under which none of the suffixes exists."""
    for n in range(1, MAX_COUNTER):
        stem = folder / f"{base}-{n}"
        if not any(stem.with_name(stem.name + s).exists() for s in suffixes):
            return stem
    raise FileExistsError(f"{folder}: {MAX_COUNTER} stills named {base} already")


def rows_of(screen: Screen[Any], below: list[Screen[Any]] | None = None) -> list[Strip]:
    """The screen as it is now, one strip a row (the compositor's full render), drawn
    over the screens `below` it (a modal over its screen).

    Private Textual API, the call `App.export_screenshot` makes: kept to this one
    function so that a Textual upgrade has one place to fix."""
    update = screen._compositor.render_update(full=True, screen_stack=below or [], simplify=True)
    return [Strip.join(list(row)) for row in getattr(update, "strips", [])]


def svg_of(rows: list[Strip], width: int, title: str) -> str:
    console = Console(
        width=width,
        height=len(rows),
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    segments: list[Segment] = []
    for y, row in enumerate(rows):
        if y:
            segments.append(Segment.line())
        segments.extend(row)
    console.print(Segments(segments), end="")
    return console.export_svg(title=title)


def png_of(rows: list[Strip], width: int) -> bytes | None:
    """PNG bytes, or None without the video extra (Pillow) or a font."""
    try:
        from swaptui.record.frames import grid_of
        from swaptui.record.raster import FontError, png_bytes
    except ImportError:
        return None
    try:
        return png_bytes(grid_of(rows, width))
    except FontError:
        return None


def save_still(app: Any, folder: Path | None = None) -> list[str]:
    """Take the still now (toasts already cleared): write or deliver SVG and PNG.

    Returns what was saved, for the notice (file paths, or names in the browser)."""
    screen = subject(app.screen)
    width = app.size.width
    rows = rows_of(screen)
    base = f"swaptui-{describe(screen, app.theme)}"
    svg = svg_of(rows, width, title=base)
    png = png_of(rows, width)
    if getattr(app, "is_web", False):
        # one file to the browser: the PNG when we can draw it (a second download
        # would make the browser ask for permission in the middle of a talk)
        name = f"{base}.png" if png is not None else f"{base}.svg"
        if png is not None:
            app.deliver_binary(io.BytesIO(png), save_filename=name, mime_type="image/png")
        else:
            app.deliver_text(io.StringIO(svg), save_filename=name, mime_type="image/svg+xml")
        return [name]
    stem = free_stem(folder or Path.cwd(), base, (".svg", ".png"))
    saved = []
    write_atomic(str(stem) + ".svg", svg)
    saved.append(str(stem) + ".svg")
    if png is not None:
        write_atomic(str(stem) + ".png", png)
        saved.append(str(stem) + ".png")
    return saved
