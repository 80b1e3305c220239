"""The swap_map: one cell per slot, or per run of slots when they do not all fit.

It covers a span of the area (`viewer.zoom`): by default the slots the run is about,
on `z` the whole area; row labels, the "1 cell = N slots" note and the mouse follow.
"""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.message import Message

from models.machine import SHMEM, Machine
from swaptui.viewer.focus import focus_slot, freed_slot, request_in_flight
from swaptui.viewer.zoom import SlotSpan, whole_area
from swaptui.widgets.base import runs
from swaptui.widgets.spanpanel import SpanPanel
from swaptui.widgets.swapmap_grid import (
    EIGHTHS,
    FREED,
    Grid,
    layout,
    legend_lines,
    tally_run,
)
from themes import GLYPHS


class SwapMap(SpanPanel):
    DEFAULT_CSS = """
    SwapMap { height: 1fr; width: 1fr; }
    """

    class SlotClicked(Message):
        def __init__(self, slot: int) -> None:
            self.slot = slot
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.machine: Machine | None = None
        self.selected: int | None = None
        self._shmem = bytearray()
        self._bad = bytearray()

    def set_machine(self, machine: Machine, span: SlotSpan | None = None) -> None:
        self.machine = machine
        self.span = span or whole_area(machine.slots)
        self.frame = None  # a frame of the previous run must not be drawn on this one
        self._shmem = bytearray(machine.slots)
        # read the kind column, not Ref objects (61k of them on rfc3-240m: 0.1 s before
        # its first frame), and not at all when no reference is a tmpfs page
        kind = machine.refs.kind
        if SHMEM in kind:
            for slot, refs in machine.slot_refs.items():
                if refs and kind[refs[0]] == SHMEM:
                    self._shmem[slot] = 1
        self._bad = bytearray(machine.slots)
        for b in machine.bad:
            if 0 <= b < machine.slots:
                self._bad[b] = 1
        self._strips.clear()
        self.redraw()

    def grid(self) -> Grid:
        sp = self.span
        return layout(sp.size, self.area.width, self.area.height, sp.hi - 1)

    def title(self, width: int = 200) -> str:
        if self.machine is None or self.frame is None:
            return "swap_map"
        used, sp = self.frame.state.inuse, self.span
        shown = f"slots {sp.lo:,}-{sp.hi - 1:,}" if not sp.whole else sp.label()
        for text in (
            f"swap_map · {sp.label()} · {used:,} in use",
            f"swap_map · {sp.label()}",
            f"swap_map · {shown}",
        ):
            if len(text) + 4 <= width:
                return text
        return "swap_map"

    def subtitle(self) -> str:
        """How many slots a cell holds, when it holds more than one."""
        if self.machine is None or self.frame is None:
            return ""
        per = self.grid().per
        return f"1 cell = {per:,} slots" if per > 1 else ""

    # ---- drawing --------------------------------------------------------------------
    def view_signature(self) -> tuple[Any, ...]:
        return (*super().view_signature(), self.span)

    def line_spec(self, y: int) -> tuple[tuple[Any, ...], Any] | None:
        if self.machine is None or self.frame is None:
            return None
        g = self.grid()
        if y < g.lines:
            row, sub = divmod(y, g.pitch)
            if sub < g.ch:
                return self._grid_line(g, row, sub)
            return None
        first = self.area.height - g.legend
        if g.legend and y >= first:
            cache = self.cache_pages()
            key = ("legend", y - first, cache, g.tight)
            return key, lambda: self._legend(g, y - first, cache)
        return None

    def cache_pages(self) -> tuple[int, int] | None:
        """(pages in the swap cache now, the most so far) of the frame on screen."""
        if self.frame is None:
            return None
        return self.frame.state.cache_size, self.frame.counters.swapcache_peak

    def _row_range(self, g: Grid, row: int) -> tuple[int, int]:
        """The slots [a, b) of grid row `row`."""
        sp = self.span
        a = sp.lo + row * g.cols * g.per
        return a, min(sp.hi, a + g.cols * g.per)

    def _overlays(self, a: int, b: int) -> tuple[object, ...]:
        """The transient highlights of this frame that fall in slots [a, b)."""
        v = self.frame
        assert v is not None
        req = request_in_flight(v)
        r = None
        if req is not None and req.start < b and req.start + req.pages > a:
            r = (req.start, req.pages)
        out: list[object] = [r]
        for s in (focus_slot(v), freed_slot(v), self.selected):
            out.append(s if s is not None and a <= s < b else None)
        return tuple(out)

    def _grid_line(self, g: Grid, row: int, sub: int) -> tuple[tuple[Any, ...], Any]:
        assert self.machine is not None and self.frame is not None
        st = self.frame.state
        a, b = self._row_range(g, row)
        key = (row, sub, g, a, bytes(st.count[a:b]), bytes(st.cached[a:b]), self._overlays(a, b))
        return key, lambda: self._build_row(g, a, b, sub)

    def _slot_state(self, s: int, req: tuple[int, int] | None) -> str:
        st = self.frame.state  # type: ignore[union-attr]
        if self._bad[s]:
            return "bad"
        if req is not None and req[0] <= s < req[0] + req[1]:
            return "head"
        if not st.count[s] and not st.cached[s]:
            return "free"
        if st.cached[s]:
            return "cached"
        if self._shmem[s]:
            return "shmem"
        if st.count[s] > 1:
            return "shared"
        return "used"

    def _agg_cell(self, a: int, b: int, req: tuple[int, int] | None) -> tuple[str, Style]:
        st = self.frame.state  # type: ignore[union-attr]
        if req is not None and req[0] < b and req[0] + req[1] > a:
            return GLYPHS["head"], self.style("head-bg")
        tally, n_bad = tally_run(st.count, st.cached, self._shmem, self._bad, a, b)
        return self._agg_glyph(tally, n_bad, a, b)

    def _agg_glyph(self, tally: dict[str, int], n_bad: int, a: int, b: int) -> tuple[str, Style]:
        """The glyph of a run of slots from the tally of their kinds."""
        used = sum(tally.values())
        if not used:
            if n_bad == b - a:
                return GLYPHS["bad"], self.style("bad")
            return GLYPHS["free"], self.style("free")
        kind = max(tally, key=lambda k: tally[k])
        # the fill level says how much of the run is in use, the colour what kind
        level = max(1, round(8 * used / max(1, b - a - n_bad)))
        return EIGHTHS[level], self.style(kind)

    def _cell(
        self, g: Grid, s: int, sub: int, state: str, mark: str | None
    ) -> list[tuple[str, Style]]:
        """One line (`sub`) of the cell of slot s: cw-1 columns, then the gap.

        `mark`: "focus" (the slot the frame is about), "freed", "selected" or None.
        """
        w = g.cw - 1 if g.cw > 1 else 1
        glyph = GLYPHS[state]
        fg, bg = self.style(state), self.style(f"{state}-bg")
        if state == "free":
            bg = self.style("dim-bg")
        if mark == "freed":
            glyph, fg, bg = FREED, self.style("cursor"), self.style("cursor-bg")
        elif mark == "focus" and state != "head":
            glyph, fg, bg = GLYPHS["cursor"], self.style("cursor"), self.style("cursor-bg")
        if mark == "selected":
            fg, bg = fg + self.style("reverse"), bg + self.style("reverse")
        out: list[tuple[str, Style]] = []
        number_line = (g.ch - 1) // 2
        if g.numbers and g.ch == 1:
            out.append((glyph, fg))
            out.append((f"{s:>{w - 1}}", bg))
        elif g.numbers and sub == number_line:
            out.append((f"{s:^{w}}", bg))
        elif glyph in "█▓▒░":
            out.append((glyph * w, fg))
        elif (w > 1 and state in ("head", "bad")) or mark in ("focus", "freed"):
            out.append((f"{glyph:^{w}}", bg))
        else:
            out.append((f"{glyph:^{w}}", fg))
        if g.cw > 1:
            out.append((" ", self.style("text")))
        return out

    def _build_row(self, g: Grid, a: int, b: int, sub: int = 0) -> list[Segment]:
        v = self.frame
        assert v is not None
        req = request_in_flight(v)
        r = (req.start, req.pages) if req is not None else None
        focus, freed = focus_slot(v), freed_slot(v)
        cells: list[tuple[str, Style]] = []
        if g.label:
            number = f"{a:>{g.label - 1}} " if sub == (g.ch - 1) // 2 else ""
            cells.append((f"{number:>{g.label}}", self.style("dim")))
        if g.per == 1:
            for s in range(a, b):
                mark = None
                if self.selected == s:
                    mark = "selected"
                elif freed == s:
                    mark = "freed"
                elif focus == s:
                    mark = "focus"
                cells.extend(self._cell(g, s, sub, self._slot_state(s, r), mark))
            return runs(cells)
        for c0 in range(a, b, g.per):
            c1 = min(b, c0 + g.per)
            ch, style = self._agg_cell(c0, c1, r)
            if freed is not None and c0 <= freed < c1 and r is None:
                ch, style = FREED, self.style("cursor")
            if self.selected is not None and c0 <= self.selected < c1:
                style = style + self.style("reverse")
            elif focus is not None and c0 <= focus < c1 and style is not self.style("head-bg"):
                style = self.style("cursor-bg")
            cells.append((ch, style))
        return runs(cells)

    def _legend(self, g: Grid, line: int, cache: tuple[int, int] | None) -> list[Segment]:
        pieces = legend_lines(self.area.width, cache, g.tight)
        segs: list[Segment] = []
        for text, state in pieces[line] if line < len(pieces) else []:
            # the glyphs drawn on a colour in the map are drawn so here too
            style = self.style(f"{state}-bg") if state in ("head", "cursor") else self.style(state)
            segs.append(Segment(text, style))
        return segs

    # ---- mouse ----------------------------------------------------------------------
    def slot_at(self, x: int, y: int) -> int | None:
        if self.machine is None:
            return None
        g = self.grid()
        row, sub = divmod(y, g.pitch)
        if row >= g.rows or sub >= g.ch or x < g.label:
            return None
        cell = (x - g.label) // g.cw
        if cell >= g.cols:
            return None
        slot = self.span.lo + (row * g.cols + cell) * g.per
        return slot if slot < self.span.hi else None

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        slot = None if offset is None else self.slot_at(offset.x, offset.y)
        if slot is not None:
            self.post_message(self.SlotClicked(slot))
