"""The terminal screen a recording shows: a grid of cells fed by Textual's own updates.

A headless Textual app still renders every change: each refresh hands the app a
compositor update (the changed spans of the changed rows, as Rich segments with
cursor moves between them) that a terminal driver would write out.  The recorder
keeps those updates here instead of dropping them, so the screen is rendered once
per change and never again for the recording; the cast, the PNG stills and the
video frames are all made from this one grid.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.cells import cell_len
from rich.segment import ControlType, Segment

from swaptui.record.pens import RESET_PEN, Pen, pen

# a cell: its text (one character, or "" for the right half of a wide one) and pen
Cell = tuple[str, Pen]
BLANK: Cell = (" ", RESET_PEN)
WIDE_TAIL = ""


class Grid:
    """What a terminal of `width` x `height` cells shows, with the rows touched since
    the last `take_dirty()`."""

    def __init__(self, width: int, height: int) -> None:
        self.width = width
        self.height = height
        self.rows: list[list[Cell]] = [[BLANK] * width for _ in range(height)]
        self.dirty: set[int] = set(range(height))

    def apply(self, segments: Iterable[Segment]) -> None:
        """Write segments as a terminal would: cursor moves place the text after them."""
        x = y = 0
        width, height = self.width, self.height
        for seg in segments:
            if seg.control:
                for code in seg.control:
                    if code[0] == ControlType.CURSOR_MOVE_TO:
                        x, y = int(code[1]), int(code[2])  # type: ignore[misc]
                continue
            text = seg.text
            if not text or text == "\n" or not 0 <= y < height:
                continue  # the line breaks between rows: a cursor move always follows
            row = self.rows[y]
            p = pen(seg.style)
            self.dirty.add(y)
            if text.isascii():
                end = min(x + len(text), width)
                if x < end:
                    row[x:end] = [(c, p) for c in text[: end - x]]
                x += len(text)
                continue
            for ch in text:
                w = cell_len(ch)
                if w == 0:
                    continue  # a combining mark: the cell before keeps its glyph
                if x + w > width:
                    break
                row[x] = (ch, p)
                if w == 2:
                    row[x + 1] = (WIDE_TAIL, p)
                x += w

    def take_dirty(self) -> list[int]:
        """The rows written since the last call, top to bottom."""
        rows = sorted(self.dirty)
        self.dirty = set()
        return rows

    def text(self) -> list[str]:
        """The characters of each row, as a VT emulator would show them."""
        return ["".join(c for c, _p in row) for row in self.rows]

    def snapshot(self) -> list[tuple[Cell, ...]]:
        return [tuple(row) for row in self.rows]


def segments_of(update: object, console: object) -> Iterable[Segment]:
    """The segments (with cursor moves) of a compositor update, as a driver gets them."""
    render = getattr(update, "__rich_console__", None)
    if render is None:
        return ()
    return render(console, console.options)  # type: ignore[attr-defined]


def text_width(text: str) -> int:
    return cell_len(text)
