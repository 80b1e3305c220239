"""The swap_map: one cell per slot, or per run of slots when they do not all fit."""

from __future__ import annotations

import functools

from attrs import frozen
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.message import Message
from textual.strip import Strip

from models.machine import SHMEM, Machine
from models.timeline import FrameView
from swaptui.focus import focus_slot, freed_slot, request_in_flight
from swaptui.widgets.base import LinePanel, runs
from themes import GLYPHS

EIGHTHS = " ▁▂▃▄▅▆▇█"
FREED = "○"
LEGEND = (
    ("used", "in use"),
    ("shared", "shared"),
    ("shmem", "shmem"),
    ("cached", "swap cache"),
    ("head", "reading"),
    ("free", "free"),
    ("bad", "bad"),
)


@frozen
class Grid:
    """Where the slots go: `per` slots a cell, `cw` columns a cell, `cols` cells a row,
    after a `label`-wide slot number; `legend` lines of legend under the grid."""

    label: int
    cols: int
    per: int
    cw: int
    rows: int
    legend: int


@functools.lru_cache(maxsize=64)
def legend_lines(width: int, per: int) -> list[list[tuple[str, str]]]:
    """The legend as (text, state) pieces wrapped to the width."""
    items: list[list[tuple[str, str]]] = []
    if per > 1:
        items.append([(f"1 cell = {per:,} slots", "text")])
    for state, label in LEGEND:
        items.append([(GLYPHS[state], state), (f" {label}", "dim")])
    lines: list[list[tuple[str, str]]] = [[]]
    used = 0
    for item in items:
        n = sum(len(t) for t, _ in item) + 2
        if used and used + n > width:
            lines.append([])
            used = 0
        lines[-1].extend([*item, ("  ", "dim")])
        used += n
    return lines


@functools.lru_cache(maxsize=64)
def layout(slots: int, width: int, height: int) -> Grid:
    label = len(str(max(slots - 1, 0))) + 1
    if width - label < 8:
        label = 0
    avail = max(1, width - label)
    legend = len(legend_lines(width, 1)) if height >= 4 else 0
    rows_avail = max(1, height - legend - (1 if legend else 0))
    if slots <= avail * rows_avail:
        per = 1
        # few slots: wider cells (a glyph and a gap) read better on a projector
        cw = next(c for c in (4, 3, 2, 1) if slots <= (avail // c) * rows_avail)
        fit = avail // cw
        need = -(-slots // rows_avail)
        # a squarish grid whose rows start at round numbers (multiples of 8)
        target = max(need, min(fit, 8 * -(-int((2 * slots) ** 0.5) // 8)))
        cols = min(fit, 8 * -(-target // 8)) if fit >= 8 else fit
        cols = max(1, min(cols, slots))
    else:
        per = -(-slots // (avail * rows_avail))
        cw, cols = 1, avail
    legend = len(legend_lines(width, per)) if legend else 0
    cells = -(-slots // per)
    return Grid(label, cols, per, cw, -(-cells // cols), legend)


class SwapMap(LinePanel):
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
        self.frame: FrameView | None = None
        self.selected: int | None = None
        self._shmem = bytearray()
        self._bad = bytearray()

    def set_machine(self, machine: Machine) -> None:
        self.machine = machine
        self._shmem = bytearray(machine.slots)
        for slot, refs in machine.slot_refs.items():
            if refs and machine.refs[refs[0]].kind == SHMEM:
                self._shmem[slot] = 1
        self._bad = bytearray(machine.slots)
        for b in machine.bad:
            if 0 <= b < machine.slots:
                self._bad[b] = 1
        self._strips.clear()
        self.redraw()

    def show(self, view: FrameView) -> None:
        self.frame = view
        self.redraw()

    def grid(self) -> Grid:
        slots = self.machine.slots if self.machine else 0
        return layout(slots, self.area.width, self.area.height)

    def title(self) -> str:
        if self.machine is None or self.frame is None:
            return "swap_map"
        return f"swap_map · {self.machine.slots:,} slots · {self.frame.state.inuse:,} in use"

    # ---- drawing --------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        if self.machine is None or self.frame is None:
            return Strip.blank(self.area.width, self.rich_style)
        g = self.grid()
        if y < g.rows:
            return self._grid_line(g, y)
        first = self.area.height - g.legend
        if g.legend and y >= first:
            return self.cached(("legend", g.per, y - first), lambda: self._legend(g, y - first))
        return Strip.blank(self.area.width, self.rich_style)

    def _overlays(self, a: int, b: int) -> tuple[object, ...]:
        """The transient highlights of this frame that fall in slots [a, b)."""
        v = self.frame
        assert v is not None
        req = request_in_flight(v)
        r = None
        if req is not None and req.start < b and req.start + req.pages > a:
            r = (req.start, req.pages)
        out: list[object] = [r]
        for s in (focus_slot(v), freed_slot(v), self.selected, v.state.head):
            out.append(s if s is not None and a <= s < b else None)
        return tuple(out)

    def _grid_line(self, g: Grid, y: int) -> Strip:
        assert self.machine is not None and self.frame is not None
        st = self.frame.state
        a = y * g.cols * g.per
        b = min(self.machine.slots, a + g.cols * g.per)
        key = (y, g, bytes(st.count[a:b]), bytes(st.cached[a:b]), self._overlays(a, b))
        return self.cached(key, lambda: self._build_row(g, a, b))

    def _slot_cell(self, s: int, req: tuple[int, int] | None) -> tuple[str, Style]:
        st = self.frame.state  # type: ignore[union-attr]
        if self._bad[s]:
            return GLYPHS["bad"], self.style("bad")
        if req is not None and req[0] <= s < req[0] + req[1]:
            return GLYPHS["head"], self.style("head-bg")
        if not st.count[s] and not st.cached[s]:
            return GLYPHS["free"], self.style("free")
        if st.cached[s]:
            return GLYPHS["cached"], self.style("cached")
        if self._shmem[s]:
            return GLYPHS["shmem"], self.style("shmem")
        if st.count[s] > 1:
            return GLYPHS["shared"], self.style("shared")
        return GLYPHS["used"], self.style("used")

    def _agg_cell(self, a: int, b: int, req: tuple[int, int] | None) -> tuple[str, Style]:
        st = self.frame.state  # type: ignore[union-attr]
        if req is not None and req[0] < b and req[0] + req[1] > a:
            return GLYPHS["head"], self.style("head-bg")
        count, cached, shm, bad = st.count, st.cached, self._shmem, self._bad
        tally = {"used": 0, "shared": 0, "shmem": 0, "cached": 0}
        n_bad = 0
        for s in range(a, b):
            if bad[s]:
                n_bad += 1
            elif cached[s]:
                tally["cached"] += 1
            elif count[s]:
                if shm[s]:
                    tally["shmem"] += 1
                elif count[s] > 1:
                    tally["shared"] += 1
                else:
                    tally["used"] += 1
        used = sum(tally.values())
        if not used:
            if n_bad == b - a:
                return GLYPHS["bad"], self.style("bad")
            return GLYPHS["free"], self.style("free")
        kind = max(tally, key=lambda k: tally[k])
        # the fill level says how much of the run is in use, the colour what kind
        level = max(1, round(8 * used / max(1, b - a - n_bad)))
        return EIGHTHS[level], self.style(kind)

    def _build_row(self, g: Grid, a: int, b: int) -> list[Segment]:
        v = self.frame
        assert v is not None
        req = request_in_flight(v)
        r = (req.start, req.pages) if req is not None else None
        focus, freed = focus_slot(v), freed_slot(v)
        cells: list[tuple[str, Style]] = []
        if g.label:
            cells.append((f"{a:>{g.label - 1}} ", self.style("dim")))
        for c0 in range(a, b, g.per):
            c1 = min(b, c0 + g.per)
            if g.per == 1:
                ch, style = self._slot_cell(c0, r)
            else:
                ch, style = self._agg_cell(c0, c1, r)
            if freed is not None and c0 <= freed < c1 and (r is None or g.per == 1):
                ch, style = FREED, self.style("cursor")
            if self.selected is not None and c0 <= self.selected < c1:
                style = style + self.style("reverse")
            elif focus is not None and c0 <= focus < c1 and style is not self.style("head-bg"):
                style = self.style("cursor-bg")
            cells.append((ch, style))
            if g.cw > 1:
                wide = style in (self.style("head-bg"), self.style("cursor-bg"))
                # blocks widen to cw-1 columns, other glyphs stay one; then a gap
                if g.cw > 2:
                    fill = ch if wide or ch in "█▓▒░" else " "
                    cells.append((fill * (g.cw - 2), style if fill != " " else self.style("text")))
                cells.append((" ", self.style("text")))
        return runs(cells)

    def _legend(self, g: Grid, line: int) -> list[Segment]:
        pieces = legend_lines(self.area.width, g.per)
        segs: list[Segment] = []
        for text, state in pieces[line] if line < len(pieces) else []:
            style = self.style("head-bg") if state == "head" else self.style(state)
            segs.append(Segment(text, style))
        return segs

    # ---- mouse ----------------------------------------------------------------------
    def slot_at(self, x: int, y: int) -> int | None:
        if self.machine is None:
            return None
        g = self.grid()
        if y >= g.rows or x < g.label:
            return None
        cell = (x - g.label) // g.cw
        if cell >= g.cols:
            return None
        slot = (y * g.cols + cell) * g.per
        return slot if slot < self.machine.slots else None

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        slot = None if offset is None else self.slot_at(offset.x, offset.y)
        if slot is not None:
            self.post_message(self.SlotClicked(slot))
