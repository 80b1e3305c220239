"""Where one side's simulated time went, as bars that grow while the race runs, and
what it holds in memory.

One bar per category of `models.breakdown` that the disk kind can fill.  All sides of
a race share one scale (the largest final part of any side), so a bar twice as long
is twice the time on either side: the audience compares lengths across the screen.
The last bar is the swap cache: the pages the side holds now, on the scale of the
largest peak of any side, with its own peak so far written after it.
"""

from __future__ import annotations

from typing import Any

from rich.segment import Segment

from models.breakdown import CATEGORIES, LABELS, PRESSURE, SHOWN, Parts
from models.narrate import duration
from swaptui.widgets.base import LinePanel
from swaptui.widgets.numbers import pages_size

EIGHTHS = " ▏▎▍▌▋▊▉"
SHORT = {
    "walk": "pt walks",
    "cpu": "cpu other",
    "seek": "seek",
    "rotation": "rotation",
    "access": "ssd lat.",
    "transfer": "transfer",
    "write": "writes",
    "reread": "re-reads",
}
# on zram the only "disk" time is the CPU decompressing pages (the cost model's per-page
# charge), not a transfer: say so
ZRAM = {"transfer": ("zram: decompression", "decompress")}
MEMORY = ("swap cache (peak)", "swap cache")
# one state colour of the theme per bar, so the bars recolour with the theme
COLOUR = {
    "walk": "used",
    "cpu": "shared",
    "seek": "head",
    "rotation": "bad",
    "access": "head",
    "transfer": "shmem",
    "write": "cursor",
    "reread": "cached",
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


def bar_rows(kind: str, pressure: bool) -> tuple[str, ...]:
    """The parts a disk of this kind shows a bar for (reclaim's two under pressure)."""
    shown = SHOWN.get(kind, CATEGORIES[:6])
    return (*shown, *PRESSURE) if pressure else shown


class BreakdownBars(LinePanel):
    DEFAULT_CSS = """
    BreakdownBars { height: 5; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.parts: Parts | None = None
        self.scale = 0
        self.kind = "hdd"
        self.memory: tuple[int, int, int] | None = None  # pages now, peak so far, scale
        self.pressure = False  # a run under memory pressure: reclaim's two bars too

    def rows(self) -> tuple[str, ...]:
        return bar_rows(self.kind, self.pressure)

    def show(
        self,
        parts: Parts,
        scale: int,
        kind: str,
        memory: tuple[int, int, int] | None = None,
        pressure: bool = False,
    ) -> None:
        new = (parts, scale, kind, memory, pressure)
        if new != (self.parts, self.scale, self.kind, self.memory, self.pressure):
            self.parts, self.scale, self.kind, self.memory, self.pressure = new
            self.redraw()

    def label(self, cat: str, wide: bool) -> str:
        if self.kind == "zram" and cat in ZRAM:
            return ZRAM[cat][0 if wide else 1]
        if cat == "memory":
            return MEMORY[0 if wide else 1]
        return LABELS[cat] if wide else SHORT[cat]

    def line_spec(self, y: int) -> tuple[tuple[Any, ...], Any] | None:
        rows = self.rows()
        if self.parts is None:
            return None
        if y == len(rows) and self.memory is not None:
            mem = self.memory
            return ("memory", mem, rows, self.kind), lambda: self._memory_line(*mem)
        if y >= len(rows):
            return None
        cat = rows[y]
        value = self.parts[CATEGORIES.index(cat)]
        return ("bar", cat, value, self.scale, rows, self.kind), lambda: self._line(cat, value)

    def _label_width(self, wide: bool) -> int:
        cats = [*self.rows(), *(("memory",) if self.memory is not None else ())]
        return max(len(self.label(c, wide)) for c in cats)

    def _line(self, cat: str, value: int) -> list[Segment]:
        w = self.area.width
        wide = w >= 64
        label_w = self._label_width(wide)
        amount = duration(value) if value else "0"
        value_w = 9
        bar_w = max(1, w - label_w - value_w - 2)
        return [
            Segment(self.label(cat, wide).ljust(label_w) + " ", self.style("dim")),
            Segment(bar_text(value, self.scale, bar_w), self.style(COLOUR[cat])),
            Segment(" " + amount.rjust(value_w - 1), self.style("text")),
        ]

    def _memory_line(self, pages: int, peak: int, scale: int) -> list[Segment]:
        """The pages held now as a bar; the peak so far, as a size, after it."""
        w = self.area.width
        wide = w >= 64
        label_w = self._label_width(wide)
        amount = pages_size(peak)
        value_w = max(9, len(amount) + 1)
        bar_w = max(1, w - label_w - value_w - 2)
        return [
            Segment(self.label("memory", wide).ljust(label_w) + " ", self.style("dim")),
            Segment(bar_text(pages, scale, bar_w), self.style("cached")),
            Segment(" " + amount.rjust(value_w - 1), self.style("text")),
        ]
