"""The screen of a headless app as terminal output, and the caption overlay.

Textual keeps what is on screen in the screen's compositor; a headless run never
writes it anywhere.  We ask the compositor for the full screen the way Textual's own
SVG export does, then write each line ourselves with one SGR sequence per change of
style.  Rich's renderer would reset after every segment, which is about twice the
bytes, and the output here must not depend on the terminal we happen to run in.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar

from rich.color import ColorSystem
from rich.style import Style
from textual.strip import Strip
from textual.widgets import Static

if TYPE_CHECKING:
    from textual.app import App

CURSOR_HOME = "\x1b[H"
HIDE_CURSOR = "\x1b[?25l"

# SGR number of each attribute Textual can put on a cell, in a fixed order so the same
# style always gives the same bytes
_ATTRIBUTES = (
    ("bold", "1"),
    ("dim", "2"),
    ("italic", "3"),
    ("underline", "4"),
    ("blink", "5"),
    ("reverse", "7"),
    ("conceal", "8"),
    ("strike", "9"),
)

# underline, reverse and strike draw on a space too; the others only on glyphs
_SHOWS_ON_BLANK = frozenset({"4", "7", "9"})


@dataclass(frozen=True)
class Pen:
    """What the terminal is set to draw with: attributes and the two colours' codes."""

    attrs: tuple[str, ...] = ()
    fg: tuple[str, ...] = ()
    bg: tuple[str, ...] = ()


RESET_PEN = Pen()


@lru_cache(maxsize=4096)  # a screen has a few dozen styles, met thousands of times
def pen(style: Style | None) -> Pen:
    if style is None:
        return RESET_PEN
    attrs = tuple(code for attr, code in _ATTRIBUTES if getattr(style, attr))
    fg = style.color.downgrade(ColorSystem.TRUECOLOR).get_ansi_codes(True) if style.color else ()
    bg = (
        style.bgcolor.downgrade(ColorSystem.TRUECOLOR).get_ansi_codes(False)
        if style.bgcolor
        else ()
    )
    return Pen(attrs, tuple(fg), tuple(bg))


def sgr(old: Pen | None, new: Pen) -> str:
    """The shortest SGR sequence we know that turns `old` into `new`.

    Only the parts that change are sent; an attribute can only be switched off by a
    reset, which then sends everything.  Neighbouring cells mostly share a background,
    so this halves the size of a frame against a full set per change.
    """
    if old == new:
        return ""
    if (
        old is None
        or not set(old.attrs) <= set(new.attrs)
        or (old.fg and not new.fg)
        or (old.bg and not new.bg)
    ):
        codes = ["0", *new.attrs, *new.fg, *new.bg]
    else:
        codes = [a for a in new.attrs if a not in old.attrs]
        if new.fg != old.fg:
            codes += new.fg
        if new.bg != old.bg:
            codes += new.bg
    return f"\x1b[{';'.join(codes)}m"


def _blank_keeps(current: Pen, new: Pen, text: str) -> bool:
    if text.strip(" ") or not new.bg or not current.bg:
        return False
    return not _SHOWS_ON_BLANK.intersection(current.attrs + new.attrs)


def screen_strips(app: App[Any]) -> list[Strip]:
    """The current screen, one strip per row, as the user would see it.

    The screen stack matters: a modal (the help) is drawn over the screen below it.
    This is private Textual API, the same call `App.export_screenshot` makes; it is
    kept to this one function so a Textual upgrade has one place to fix.
    """
    update = app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens, simplify=True
    )
    rows: list[Strip] = []
    for row in getattr(update, "strips", []):
        rows.append(Strip.join(list(row)))
    return rows


def encode(rows: list[Strip]) -> str:
    """The rows as ANSI text: cursor home, then each row at its own position.

    Each row is placed with an explicit cursor move, never a newline, so a full-width
    row cannot wrap and the last row cannot scroll the screen in any player.
    """
    out = [CURSOR_HOME]
    current: Pen | None = None  # unknown: the first segment sets everything
    for y, row in enumerate(rows):
        if y:
            out.append(f"\x1b[{y + 1};1H")
        for seg in row:
            if seg.control or not seg.text:
                continue
            new = pen(seg.style)
            if current is not None and _blank_keeps(current, new, seg.text):
                # a run of spaces shows only its background: keep the pen's colour and
                # attributes rather than switch them back and forth between glyphs
                new = Pen(current.attrs, current.fg, new.bg)
            out.append(sgr(current, new))
            current = new
            out.append(seg.text)
    return "".join(out)


def plain(rows: list[Strip]) -> list[str]:
    """The characters of each row (what tests compare against a VT emulator)."""
    return [row.text for row in rows]


class CaptionBar(Static):
    """A caption over the bottom of the screen, for recordings made before the app
    had its own (`SwapApp.set_caption`); it floats on the screen's overlay layer so
    the panels underneath keep their layout."""

    DEFAULT_CSS: ClassVar[str] = """
    CaptionBar {
        dock: bottom;
        overlay: screen;
        width: 100%;
        height: auto;
        margin: 0 4 2 4;
        padding: 0 2;
        content-align: center middle;
        text-align: center;
        text-style: bold;
        color: $background;
        background: $warning;
    }
    """
