"""Frames of a cast: the first one whole, every later one as the cells that changed.

A terminal keeps what it was sent, so after the first screen a frame only needs the
cells that differ from the frame before: a cursor move to each changed stretch of a
row and the new text, with the shortest SGR change of pen.  Textual's driver does the
same for a real terminal (it writes the changed spans of each refresh); here the
changes are taken between two frames of the recording clock, from the cells
themselves, so the bytes depend only on what is on screen and never on how the
refreshes happened to be batched in between.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.strip import Strip
from textual.widgets import Static

from swaptui.record.grid import WIDE_TAIL, Cell, Grid
from swaptui.record.pens import Pen, blank_keeps, sgr

if TYPE_CHECKING:
    pass

CURSOR_HOME = "\x1b[H"
HIDE_CURSOR = "\x1b[?25l"
# unchanged cells between two changes that are sent again rather than jumped over:
# a cursor move costs 6 to 8 bytes, a plain cell 1 to 3
_GAP = 3


class Encoder:
    """Turns successive states of a Grid into terminal output (state: the pen)."""

    def __init__(self) -> None:
        self.pen: Pen | None = None  # unknown until the first frame sets everything
        self.shown: list[tuple[Cell, ...]] | None = None

    def frame(self, grid: Grid, rows: list[int]) -> str:
        """The output that turns the last frame into `grid` (rows: those maybe changed)."""
        out: list[str] = []
        if self.shown is None:
            self.shown = grid.snapshot()
            out.append(CURSOR_HOME)
            for y, row in enumerate(self.shown):
                if y:
                    out.append(f"\x1b[{y + 1};1H")
                self._cells(out, row, 0, len(row))
            return "".join(out)
        for y in rows:
            old, new = self.shown[y], tuple(grid.rows[y])
            if old == new:
                continue
            for start, end in _changed_runs(old, new):
                out.append(f"\x1b[{y + 1};{start + 1}H")
                self._cells(out, new, start, end)
            self.shown[y] = new
        return "".join(out)

    def _cells(self, out: list[str], row: tuple[Cell, ...], start: int, end: int) -> None:
        x = start
        while x < end:
            p = row[x][1]
            chars: list[str] = []
            while x < end and row[x][1] == p:
                if row[x][0] != WIDE_TAIL:
                    chars.append(row[x][0])
                x += 1
            text = "".join(chars)
            if self.pen is not None and blank_keeps(self.pen, p, text):
                p = Pen(self.pen.attrs, self.pen.fg, p.bg)
            out.append(sgr(self.pen, p))
            self.pen = p
            out.append(text)


def _changed_runs(old: tuple[Cell, ...], new: tuple[Cell, ...]) -> list[tuple[int, int]]:
    """Stretches [start, end) where the rows differ, close ones merged, never splitting
    a wide character from its right half."""
    runs: list[tuple[int, int]] = []
    width = len(new)
    x = 0
    while x < width:
        if old[x] == new[x]:
            x += 1
            continue
        start = x
        end = x + 1
        x += 1
        while x < width:
            if old[x] != new[x]:
                end = x + 1
            elif x - end >= _GAP:
                break
            x += 1
        if start > 0 and new[start][0] == WIDE_TAIL:
            start -= 1
        if end < width and new[end][0] == WIDE_TAIL:
            end += 1
        if runs and start <= runs[-1][1]:
            runs[-1] = (runs[-1][0], end)
        else:
            runs.append((start, end))
    return runs


def grid_of(rows: list[Strip], width: int) -> Grid:
    """A Grid holding the given rows (a still of a running app)."""
    from rich.control import Control

    grid = Grid(width, len(rows))
    for y, row in enumerate(rows):
        grid.apply([Control.move_to(0, y).segment, *row])
    return grid


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
