"""Where one side's simulated time went, as bars that grow while the race runs.

One bar per category of `models.breakdown` that the disk kind can fill.  All sides of
a race share one scale (the largest final part of any side), so a bar twice as long
is twice the time on either side: the audience compares lengths across the screen.
"""

from __future__ import annotations

from typing import Any

from rich.segment import Segment

from models.breakdown import CATEGORIES, LABELS, SHOWN, Parts
from models.narrate import duration
from swaptui.widgets.base import LinePanel

EIGHTHS = " ▏▎▍▌▋▊▉"
SHORT = {
    "walk": "pt walks",
    "cpu": "cpu other",
    "seek": "seek",
    "rotation": "rotation",
    "access": "ssd lat.",
    "transfer": "transfer",
}
# one state colour of the theme per bar, so the bars recolour with the theme
COLOUR = {
    "walk": "used",
    "cpu": "shared",
    "seek": "head",
    "rotation": "cached",
    "access": "head",
    "transfer": "shmem",
}


def bar_text(value: int, scale: int, width: int) -> str:
    """A left-aligned bar of `width` cells for value/scale, in eighths of a cell."""
    if width <= 0:
        return ""
    if scale <= 0 or value <= 0:
        return " " * width
    eighths = value * width * 8 // scale
    if eighths == 0:
        eighths = 1  # something spent is never drawn as nothing
    full, rest = divmod(min(eighths, width * 8), 8)
    text = "█" * full + (EIGHTHS[rest] if rest else "")
    return text.ljust(width)


class BreakdownBars(LinePanel):
    DEFAULT_CSS = """
    BreakdownBars { height: 5; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.parts: Parts | None = None
        self.scale = 0
        self.kind = "hdd"

    def rows(self) -> tuple[str, ...]:
        return SHOWN.get(self.kind, CATEGORIES)

    def show(self, parts: Parts, scale: int, kind: str) -> None:
        if parts != self.parts or scale != self.scale or kind != self.kind:
            self.parts, self.scale, self.kind = parts, scale, kind
            self.redraw()

    def line_spec(self, y: int) -> tuple[tuple[Any, ...], Any] | None:
        rows = self.rows()
        if self.parts is None or y >= len(rows):
            return None
        cat = rows[y]
        value = self.parts[CATEGORIES.index(cat)]
        return ("bar", cat, value, self.scale, rows), lambda: self._line(cat, value)

    def _line(self, cat: str, value: int) -> list[Segment]:
        w = self.area.width
        label = LABELS[cat] if w >= 64 else SHORT[cat]
        label_w = max(len(LABELS[c] if w >= 64 else SHORT[c]) for c in self.rows())
        amount = duration(value) if value else "0"
        value_w = 9
        bar_w = max(1, w - label_w - value_w - 2)
        return [
            Segment(label.ljust(label_w) + " ", self.style("dim")),
            Segment(bar_text(value, self.scale, bar_w), self.style(COLOUR[cat])),
            Segment(" " + amount.rjust(value_w - 1), self.style("text")),
        ]
