"""The disk head: its position over the swap area with the request in flight and a
fading trail, then a chart of head position over time, request by request.

The chart is drawn in quadrant blocks (2 x 2 a character): x is the request index over
the whole run (so it grows left to right and never rescales), y is the slot (the
bottom of the span shown at the bottom).  Each request draws the seek from where the
head was to its first slot, then its own slots, so a sequential sweep is a calm rising
ramp and a run that jumps around the disk is a storm of tall zigzags; with more
requests than pixel columns only the slots read are drawn (a ramp stays a ramp, a
storm becomes a speckled cloud over the whole height).  Recent requests are bright, older ones
fade, the one in flight is highlighted.

Under memory pressure with the fresh area on the same disk, reclaim's writes are
requests of this head too: the fresh area lies above the old one, so each write is a
spike to the top edge and back, drawn in the fresh area's colour.  With the fresh
area on a disk of its own, the writes are marks along the chart's top line.
"""

from __future__ import annotations

import bisect
import functools
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.strip import Strip

from models import events as ev
from models.narrate import FAULT_GLYPH
from models.timeline import Timeline
from swaptui.viewer.focus import request_in_flight
from swaptui.viewer.zoom import SlotSpan, whole_area
from swaptui.widgets.base import runs
from swaptui.widgets.headchart import QUADS, Chart, rasterise
from swaptui.widgets.numbers import count, plural
from swaptui.widgets.spanpanel import SpanPanel

TRAIL = 8  # requests in the fading trail
WRITE_GLYPH = "▴"  # a write to a fresh area on its own disk, along the chart's top
AXIS_ROWS = 6  # from this many chart lines on, the last one is an x axis


def bar_cell(slot: int, span: SlotSpan, width: int) -> int:
    """The bar's cell of a slot (slots outside the span sit at its edges)."""
    off = min(max(slot - span.lo, 0), span.size - 1)
    return min(width - 1, max(0, off * width // max(1, span.size)))


class DiskHead(SpanPanel):
    DEFAULT_CSS = """
    DiskHead { height: 4; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.timeline: Timeline | None = None
        self._reqs: tuple[tuple[int, int, int], ...] = ()
        self._req_events: list[int] = []
        self._chart: tuple[tuple[SlotSpan, int, int], Chart] | None = None
        self._faults: list[tuple[int, int]] = []  # (event index, requests issued before it)
        self._writes: frozenset[int] = frozenset()  # which of _reqs are reclaim's writes
        self._own_writes: list[tuple[int, int]] = []  # writes to a disk of their own

    def set_timeline(self, timeline: Timeline, span: SlotSpan | None = None) -> None:
        self.timeline = timeline
        self.span = span or whole_area(timeline.machine.slots)
        self.frame = None  # a frame of the previous run must not be drawn on this one
        fresh = timeline.machine.scenario.fresh
        shared = fresh is not None and fresh.disk == "shared"
        slots = timeline.machine.slots
        ops: list[tuple[int, int, int, int]] = []  # (event, head, disk position, pages)
        writes: list[int] = []
        own: list[int] = []
        for i, e in enumerate(timeline.events):
            if isinstance(e, ev.DiskRequest):
                ops.append((i, e.head, e.start, e.pages))
            elif isinstance(e, ev.PageOut):
                if shared:  # the fresh area lies after the old one, on this disk
                    writes.append(len(ops))
                    ops.append((i, e.head, slots + e.start, len(e.pages)))
                else:
                    own.append(i)
        self._reqs = tuple((h, start, n) for _i, h, start, n in ops)
        self._req_events = [i for i, *_rest in ops]
        self._writes = frozenset(writes)
        self._faults = [
            (i, bisect.bisect_left(self._req_events, i))
            for i, e in enumerate(timeline.events)
            if isinstance(e, ev.FaultFired)
        ]
        self._own_writes = [(i, bisect.bisect_left(self._req_events, i)) for i in own]
        self._chart = None
        self._strips.clear()
        self.redraw()

    def requests_done(self) -> int:
        """How many requests were issued up to and including this frame's event."""
        if self.frame is None:
            return 0
        return bisect.bisect_right(self._req_events, self.frame.event_index)

    # ---- geometry ------------------------------------------------------------------
    def chart_lines(self) -> int:
        """Lines of dots (the bar takes the first line, an x axis maybe the last)."""
        n = max(0, self.area.height - 1)
        return n - 1 if n >= AXIS_ROWS else n

    def has_axis(self) -> bool:
        return self.area.height - 1 >= AXIS_ROWS

    def axis_gutter(self) -> int:
        return len(f"{max(self.span.hi - 1, 0):,}") + 2

    def chart(self) -> Chart:
        w = max(1, self.area.width - self.axis_gutter())
        key = (self.span, w, max(1, self.chart_lines()))
        if self._chart is None or self._chart[0] != key:
            self._chart = (key, rasterise(self._reqs, *key, self._writes))
        return self._chart[1]

    def title(self, width: int = 200) -> str:
        """Where the head is and, so far, the requests, the pages read and the seek
        distance they added up to (the panel's border title, as long as fits)."""
        if self.frame is None:
            return "disk head"
        c = self.frame.counters
        slots = self.timeline.machine.slots if self.timeline is not None else 0
        at = self.frame.state.head
        head = f"{at:,}" if at < slots or not slots else f"{at - slots:,} of the fresh area"
        reqs = f"{count(self.requests_done())}/{count(len(self._reqs))}"
        seek = plural(c.seek_slots, "slot")
        wrote = f", {plural(c.pages_written, 'page')} written" if c.pages_written else ""
        forms = (
            f"disk head at slot {head} · so far: request {reqs}, "
            f"{plural(c.pages_read, 'page')} read{wrote}, seek distance {seek} in all",
            f"disk head at slot {head} · so far: request {reqs}, "
            f"{plural(c.pages_read, 'page')} read, seek distance {seek} in all",
            f"disk head at {head} · request {reqs} · seek so far {seek}",
            f"head at {head} · request {reqs} · seek {seek} so far",
            f"head at {head} · request {reqs}",
        )
        return next((f for f in forms if len(f) + 4 <= width), "disk head")

    def subtitle(self) -> str:
        """The x axis, when the chart has no line for it."""
        if self._writes:
            # the spikes to the top edge: the head goes to the fresh area above and back
            return "head position · writes to the fresh area: up to the top edge"
        if self._own_writes:
            return f"head position · {WRITE_GLYPH} a write to the fresh area (on its own disk)"
        if self.has_axis() or not self._reqs:
            return ""
        return f"head position, requests 1 → {len(self._reqs):,}"

    # ---- drawing --------------------------------------------------------------------
    def view_signature(self) -> tuple[Any, ...]:
        return (*super().view_signature(), self.span)

    def line_spec(self, y: int) -> tuple[tuple[Any, ...], Any] | None:
        if self.timeline is None or self.frame is None:
            return None
        if y == 0:
            return self._bar()
        lines = self.chart_lines()
        marks = self.fault_marks()
        if 1 <= y <= lines:
            n = self.requests_done()
            flying = request_in_flight(self.frame) is not None or (
                isinstance(self.frame.event, ev.PageOut) and bool(self._writes)
            )
            here = marks if y == 1 and not self.has_axis() else ()
            # writes to a fresh area on a disk of its own: marks along the top line
            wm = self.write_marks() if y == 1 else ()
            key = ("chart", y, lines, n, flying, here, wm)
            return key, lambda: self._marked(
                self._marked(self._chart_line(y - 1, n, flying), wm, WRITE_GLYPH, "shmem"), here
            )
        if y == lines + 1 and self.has_axis():
            return ("axis", len(self._reqs), marks), lambda: self._marked(self._axis(), marks)
        return None

    # ---- faults ---------------------------------------------------------------------
    def fault_marks(self) -> tuple[tuple[int, bool], ...]:
        """(chart column, is this frame's) of each fault fired so far: a ↯ on the time
        axis (on the chart's top line when there is no axis line)."""
        return self._marks(self._faults)

    def write_marks(self) -> tuple[tuple[int, bool], ...]:
        """The same for reclaim's writes to a fresh area on a disk of its own."""
        return self._marks(self._own_writes)

    def _marks(self, events: list[tuple[int, int]]) -> tuple[tuple[int, bool], ...]:
        if not events or not self._reqs or self.frame is None:
            return ()
        at = self.frame.event_index
        cols = self.chart().col_of
        g = self.axis_gutter()
        out: dict[int, bool] = {}
        for i, k in events:
            if i > at:
                break
            # between the last request before it and the first after it
            before = cols[min(k, len(cols)) - 1] if k else cols[0]
            after = cols[k] if k < len(cols) else before
            col = g + (before + after + 1) // 2
            out[col] = out.get(col, False) or i == at
        return tuple(sorted(out.items()))

    def _marked(
        self,
        segs: list[Segment],
        marks: tuple[tuple[int, bool], ...],
        glyph: str = FAULT_GLYPH,
        state: str = "warning",
    ) -> list[Segment]:
        """The line with a fault glyph over the cells at the marks' columns."""
        if not marks:
            return segs
        line = Strip(segs).crop_extend(0, self.area.width, None)
        for col, now in marks:
            if not 0 <= col < self.area.width:
                continue
            style = self.style(f"{state}-bg") if now else self.style(state)
            left = line.crop(0, col)
            right = line.crop(col + 1, self.area.width)
            line = Strip.join([left, Strip([Segment(glyph, style)], 1), right])
        return list(line)

    # ---- the head bar ---------------------------------------------------------------
    def _bar(self) -> tuple[tuple[Any, ...], Any]:
        assert self.timeline is not None and self.frame is not None
        v = self.frame
        req = request_in_flight(v)
        trail = tuple(r.start for r in self.timeline.requests_until(v.event_index, TRAIL + 1)[:-1])
        r = (req.start, req.pages) if req else None
        return ("bar", v.state.head, r, trail), lambda: self._build_bar(r, trail)

    def _fade(self, age: int) -> Style:
        """The colour of a position `age` requests old (0: the newest)."""
        return _fade_style(
            self.style("head").color, self.style("dim").color, min(age, TRAIL), self._theme_gen
        )

    def _build_bar(self, req: tuple[int, int] | None, trail: tuple[int, ...]) -> list[Segment]:
        assert self.frame is not None and self.timeline is not None
        sp = self.span
        left, right = f"{sp.lo:,} ├", f"┤ {sp.hi - 1:,}"
        w = self.area.width - len(left) - len(right)
        if w < 4:
            left, right, w = "", "", self.area.width
        cells: list[tuple[str, Style]] = [("─", self.style("dim"))] * max(0, w)
        # oldest first, so newer positions overwrite older ones in the same cell
        for age, start in enumerate(trail):
            cells[bar_cell(start, sp, w)] = ("•", self._fade(len(trail) - age))
        if req is not None:
            a = bar_cell(req[0], sp, w)
            b = bar_cell(req[0] + req[1] - 1, sp, w)
            for x in range(a, b + 1):
                cells[x] = ("━", self.style("head-bg"))
        cells[bar_cell(self.frame.state.head, sp, w)] = ("▲", self.style("head"))
        segs = [Segment(left, self.style("dim"))]
        segs.extend(Segment(ch, st) for ch, st in cells)
        segs.append(Segment(right, self.style("dim")))
        return segs

    # ---- the chart ------------------------------------------------------------------
    def _chart_line(self, line: int, n: int, flying: bool) -> list[Segment]:
        """Line `line` of the chart of the first n requests (the n-th maybe in flight)."""
        assert self.timeline is not None
        ch = self.chart()
        sp = self.span
        lines = ch.lines
        g = self.axis_gutter()
        if line == 0:
            label = f"{sp.hi - 1:>{g - 2},} ┤"
        elif line == lines - 1:
            label = f"{sp.lo:>{g - 2},} ┤"
        elif line == lines // 2 and lines >= 5 and g >= 6:
            label = f"{'slot':>{g - 2}} │"
        else:
            label = f"{'':>{g - 2}} │"
        segs = [Segment(label, self.style("dim"))]
        if not self._reqs:
            if line == lines // 2:
                segs.append(Segment(" no disk requests in this run", self.style("dim")))
            return segs
        if n == 0:
            return segs
        # columns holding only old requests come straight from the whole-run drawing
        recent = max(0, n - TRAIL)
        c_old = ch.col_of[recent]
        c_now = ch.col_of[n - 1]
        old = ch.full[line][:c_old]
        wrote = ch.wrote[line][:c_old] if ch.wrote else ""
        if "1" in wrote:
            # the writes' columns keep the fresh area's colour
            write, fade = self.style("shmem"), self._fade(TRAIL)
            cells = [(c, write if w == "1" else fade) for c, w in zip(old, wrote, strict=True)]
            segs += runs(cells)
        else:
            segs.append(Segment(old, self._fade(TRAIL)))
        for c in range(c_old, c_now + 1):
            # the requests drawn in column c: those placed there, and the next one
            # (its seek line starts there)
            lo = max(0, ch.firsts[c] - 1)
            hi = min(n, ch.firsts[c + 1] + 1)
            bits, youngest = 0, -1
            for i in range(lo, hi):
                for ln, col, b in ch.masks[i]:
                    if ln == line and col == c:
                        bits |= b
                        youngest = i
            if not bits:
                segs.append(Segment(" "))
                continue
            age = n - 1 - youngest
            style = self._fade(age)
            if youngest in self._writes or (ch.wrote and ch.wrote[line][c] == "1"):
                style = self.style("shmem")
            if age == 0:
                style = self.style("head-bg") if flying else self.style("head") + Style(bold=True)
            segs.append(Segment(QUADS[bits], style))
        return segs

    def _axis(self) -> list[Segment]:
        g = self.axis_gutter()
        w = self.area.width - g
        total = len(self._reqs)
        right = f" {total:,} ┘" if total else " ┘"
        left = "└ request 1 "
        if total == 0:
            left = "└ "
        mid = " time → "
        dash = max(0, w - len(left) - len(right) + 1 - len(mid))
        text = left + "─" * (dash // 2) + mid + "─" * (dash - dash // 2) + right
        return [Segment(" " * (g - 1) + text[: w + 1], self.style("dim"))]


@functools.lru_cache(maxsize=256)
def _fade_style(head: object, dim: object, age: int, _gen: int) -> Style:
    head_c = Color.from_rich_color(head) if head else Color.parse("orange")
    dim_c = Color.from_rich_color(dim) if dim else Color.parse("grey")
    # the newest is the head's colour; the trail fades; the past keeps a third of it
    share = 1.0 - 0.5 * age / TRAIL
    return Style(color=dim_c.blend(head_c, share).rich_color)
