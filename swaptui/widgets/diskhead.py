"""The disk head: its position over the swap area, the request in flight, a fading trail
of the last requests and a sparkline of head position, request by request."""

from __future__ import annotations

import bisect

from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.strip import Strip

from models.narrate import duration
from models.timeline import FrameView, Timeline
from swaptui.focus import request_in_flight
from swaptui.widgets.base import LinePanel

TRAIL = 8  # requests in the fading trail
SPARK = "▁▂▃▄▅▆▇█"


def bar_cell(slot: int, slots: int, width: int) -> int:
    return min(width - 1, slot * width // max(1, slots))


class DiskHead(LinePanel):
    DEFAULT_CSS = """
    DiskHead { height: 4; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.timeline: Timeline | None = None
        self.frame: FrameView | None = None
        self._starts: list[int] = []
        self._req_events: list[int] = []

    def set_timeline(self, timeline: Timeline) -> None:
        self.timeline = timeline
        reqs = timeline.requests
        self._starts = [r.start for r in reqs]
        self._req_events = list(timeline._request_index)
        self._strips.clear()
        self.redraw()

    def show(self, view: FrameView) -> None:
        self.frame = view
        self.redraw()

    def requests_done(self) -> int:
        """How many requests were issued up to and including this frame's event."""
        if self.frame is None:
            return 0
        return bisect.bisect_right(self._req_events, self.frame.event_index)

    def spark_rows(self) -> int:
        return max(0, min(2, self.area.height - 2))

    def render_line(self, y: int) -> Strip:
        if self.timeline is None or self.frame is None:
            return Strip.blank(self.area.width, self.rich_style)
        spark = self.spark_rows()
        if y == 0:
            return self._bar()
        if 1 <= y <= spark:
            n = self.requests_done()
            return self.cached(("spark", y, spark, n), lambda: self._spark(y - 1, spark, n))
        if y == spark + 1:
            c = self.frame.counters
            key = ("stats", c.seek_slots, c.io_requests, c.pages_read, c.io_ns)
            return self.cached(key, self._stats)
        return Strip.blank(self.area.width, self.rich_style)

    # ---- the head bar ---------------------------------------------------------------
    def _bar(self) -> Strip:
        assert self.timeline is not None and self.frame is not None
        v = self.frame
        req = request_in_flight(v)
        trail = tuple(r.start for r in self.timeline.requests_until(v.event_index, TRAIL + 1)[:-1])
        r = (req.start, req.pages) if req else None
        return self.cached(("bar", v.state.head, r, trail), lambda: self._build_bar(r, trail))

    def _build_bar(self, req: tuple[int, int] | None, trail: tuple[int, ...]) -> list[Segment]:
        assert self.frame is not None and self.timeline is not None
        slots = self.timeline.machine.slots
        left, right = "0 ├", f"┤ {slots - 1}"
        w = self.area.width - len(left) - len(right)
        if w < 4:
            left, right, w = "", "", self.area.width
        cells: list[tuple[str, Style]] = [("─", self.style("dim"))] * max(0, w)
        head_rich, dim_rich = self.style("head").color, self.style("dim").color
        head_c = Color.from_rich_color(head_rich) if head_rich else Color.parse("red")
        dim_c = Color.from_rich_color(dim_rich) if dim_rich else Color.parse("grey")
        # oldest first, so newer positions overwrite older ones in the same cell
        for age, start in enumerate(trail):
            fade = (age + 1) / (len(trail) + 1)
            colour = dim_c.blend(head_c, fade)
            cells[bar_cell(start, slots, w)] = ("•", Style(color=colour.rich_color))
        if req is not None:
            a = bar_cell(req[0], slots, w)
            b = bar_cell(req[0] + req[1] - 1, slots, w)
            for x in range(a, b + 1):
                cells[x] = ("━", self.style("head-bg"))
        head = self.frame.state.head
        cells[bar_cell(min(head, slots - 1), slots, w)] = ("▲", self.style("head"))
        segs = [Segment(left, self.style("dim"))]
        segs.extend(Segment(ch, st) for ch, st in cells)
        segs.append(Segment(right, self.style("dim")))
        return segs

    # ---- the sparkline --------------------------------------------------------------
    def _spark(self, row: int, rows: int, n: int) -> list[Segment]:
        """Row `row` of a `rows`-high sparkline of the first n requests.

        The x axis spans every request of the whole run, so the line grows left to
        right as swapoff goes on and never rescales under the viewer's eyes.
        """
        assert self.timeline is not None
        w = self.area.width
        total = len(self._starts)
        slots = self.timeline.machine.slots
        levels = 8 * rows
        out: list[tuple[str, Style]] = []
        style = self.style("head")
        for x in range(w):
            lo = x * total // w
            hi = max(lo + 1, (x + 1) * total // w)
            if total == 0 or lo >= n:
                out.append((" ", style))
                continue
            # the last position in the bucket: sampling keeps a storm stormy
            pos = self._starts[min(hi, n) - 1]
            level = 1 + pos * (levels - 1) // max(1, slots - 1)
            # row 0 is the top line: it draws what rises above the lower rows
            base = (rows - 1 - row) * 8
            fill = level - base
            if fill <= 0:
                out.append((" ", style))
            else:
                out.append((SPARK[min(fill, 8) - 1], style))
        segs: list[Segment] = []
        text = "".join(ch for ch, _ in out)
        segs.append(Segment(text, style))
        return segs

    def _stats(self) -> list[Segment]:
        assert self.frame is not None
        c = self.frame.counters
        text = (
            f"head {self.frame.state.head:,} · seek {c.seek_slots:,} slots · "
            f"{c.io_requests:,} requests · {c.pages_read:,} pages read · "
            f"io {duration(c.io_ns * 1000)}"
        )
        return [Segment(text, self.style("text"))]
