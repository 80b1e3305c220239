"""Pens: what a terminal draws a cell with, as SGR codes for the cast and RGB for pictures.

A cell's Rich style is reduced once (cached) to a Pen: its attributes and the SGR codes
of its two colours, plus the colours as RGB triples for the rasterizer.  `sgr()` gives
the shortest change from one pen to the next, which is what keeps a cast small.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from rich.color import ColorSystem
from rich.style import Style

RGB = tuple[int, int, int]

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
    """Attributes and the two colours' SGR codes; `fg_rgb`/`bg_rgb` (None: the
    terminal's default) only serve the rasterizer and never change equality."""

    attrs: tuple[str, ...] = ()
    fg: tuple[str, ...] = ()
    bg: tuple[str, ...] = ()
    fg_rgb: RGB | None = field(default=None, compare=False)
    bg_rgb: RGB | None = field(default=None, compare=False)


RESET_PEN = Pen()


@lru_cache(maxsize=4096)  # a screen has a few dozen styles, met thousands of times
def pen(style: Style | None) -> Pen:
    if style is None:
        return RESET_PEN
    attrs = tuple(code for attr, code in _ATTRIBUTES if getattr(style, attr))
    fg: tuple[str, ...] = ()
    bg: tuple[str, ...] = ()
    fg_rgb = bg_rgb = None
    if style.color is not None and not style.color.is_default:
        fg = tuple(style.color.downgrade(ColorSystem.TRUECOLOR).get_ansi_codes(True))
        fg_rgb = tuple(style.color.get_truecolor())
    if style.bgcolor is not None and not style.bgcolor.is_default:
        bg = tuple(style.bgcolor.downgrade(ColorSystem.TRUECOLOR).get_ansi_codes(False))
        bg_rgb = tuple(style.bgcolor.get_truecolor(foreground=False))
    return Pen(attrs, fg, bg, fg_rgb, bg_rgb)  # type: ignore[arg-type]


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


def blank_keeps(current: Pen, new: Pen, text: str) -> bool:
    """A run of spaces shows only its background: the pen may keep its foreground and
    attributes rather than switch them back and forth between glyphs."""
    if text.strip(" ") or not new.bg or not current.bg:
        return False
    return not _SHOWS_ON_BLANK.intersection(current.attrs + new.attrs)
