"""Memory under pressure: a free-memory gauge, and the fresh area's swap_map filling.

Shown only for a run with memory pressure (docs/engine.md, section 9).  The first
line is a gauge of the pages swapoff started with: in the swap cache, mapped by what
swapoff restored, the load's, and free.  Then (room permitting) the same in words,
then the fresh area's slots, aggregated into cells: reclaim hands them out ascending
from slot 1 and never frees one during the run, so the area fills from the left,
swapoff's pages in its used colour and the load's in their own; a write in flight is
highlighted.  By default the rows cover the slots this run writes (with a margin);
`z` shows the whole area, as it does for the old one.
"""

from __future__ import annotations

from array import array
from itertools import accumulate
from typing import Any

from rich.segment import Segment
from rich.style import Style

from models import events as ev
from models.timeline import FrameView, Timeline
from swaptui.widgets.base import LinePanel, runs
from swaptui.widgets.numbers import count, plural
from swaptui.widgets.swapmap_grid import EIGHTHS
from themes import GLYPHS

# what the gauge shows, in order, with the glyph and theme state of each part
PARTS = (
    ("cache", GLYPHS["cached"], "cached", "swap cache", "cache"),
    ("mapped", GLYPHS["used"], "used", "mapped by swapoff", "mapped"),
    ("load", GLYPHS["shmem"], "shmem", "the load's", "load"),
    ("free", GLYPHS["free"], "free", "free", "free"),
)
MARGIN = 1 / 16  # of the written span, after it (the zoomed view of the fresh area)
WHOLE_ABOVE = 0.5  # a span this share of the area or more is shown whole


def shares(values: list[int], width: int) -> list[int]:
    """`width` cells split in proportion to `values` (largest remainders); a part that
    is not zero gets at least one cell while there are cells to give."""
    total = sum(values)
    if total <= 0 or width <= 0:
        return [0] * len(values)
    exact = [v * width / total for v in values]
    cells = [int(x) for x in exact]
    for i in sorted(range(len(values)), key=lambda i: exact[i] - cells[i], reverse=True):
        if sum(cells) >= width:
            break
        cells[i] += 1
    for i, v in enumerate(values):
        if v and not cells[i]:
            j = max(range(len(cells)), key=lambda k: cells[k])
            if cells[j] > 1:
                cells[j] -= 1
                cells[i] = 1
    return cells


class MemoryPanel(LinePanel):
    DEFAULT_CSS = """
    MemoryPanel { height: 5; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.timeline: Timeline | None = None
        self.frame: FrameView | None = None
        self.zoomed = True
        self._load_before = array("q")  # load pages in fresh slots < f (prefix sums)
        self._written = 0  # fresh slots the whole run writes

    def set_timeline(self, timeline: Timeline, zoomed: bool = True) -> None:
        self.timeline = timeline
        self.zoomed = zoomed
        self.frame = None
        mem = timeline.final.mem
        fresh = timeline.machine.scenario.fresh
        self._written = mem.fresh_used if mem is not None else 0
        if mem is not None and fresh is not None:
            # a fresh slot holds the load's page for the whole run once written (slots
            # are never freed): the final state says which
            is_load = bytearray(fresh.slots + 1)
            for f in mem.load_fresh:
                if f:
                    is_load[f] = 1
            self._load_before = array("q", accumulate(is_load, initial=0))
        else:
            self._load_before = array("q")
        self._strips.clear()
        self.redraw()

    def set_zoom(self, zoomed: bool) -> None:
        if zoomed != self.zoomed:
            self.zoomed = zoomed
            self._strips.clear()
            self.redraw()

    def show(self, view: FrameView) -> None:
        self.frame = view
        self.redraw()

    # ---- what is shown ----------------------------------------------------------------
    @property
    def active(self) -> bool:
        return self.timeline is not None and self.timeline.final.mem is not None

    def parts(self) -> dict[str, int]:
        """Where the pages swapoff started with are at this frame."""
        assert self.frame is not None
        st = self.frame.state
        mem = st.mem
        assert mem is not None
        return {
            "cache": st.cache_size,
            "mapped": mem.mapped_pages(),
            "load": mem.load_resident(),
            "free": mem.free,
        }

    def fresh_span(self) -> tuple[int, int]:
        """The fresh slots [lo, hi) the rows cover."""
        assert self.timeline is not None
        fresh = self.timeline.machine.scenario.fresh
        total = fresh.slots if fresh is not None else 0
        if not self.zoomed:
            return 0, total
        hi = min(total, self._written + 1 + max(8, round(self._written * MARGIN)))
        if hi >= WHOLE_ABOVE * total:
            return 0, total
        return 0, hi

    def title(self, width: int = 200) -> str:
        if not self.active or self.frame is None:
            return "memory"
        assert self.timeline is not None
        s = self.timeline.machine.scenario
        total = s.free_pages or 0
        free = self.parts()["free"]
        mem = self.frame.state.mem
        assert mem is not None
        fresh = s.fresh
        forms = []
        if fresh is not None:
            used = mem.fresh_used
            forms += [
                f"memory · {count(free)} of {count(total)} pages free · fresh area: "
                f"{count(used)} of {count(fresh.slots)} slots written",
                f"memory · {count(free)}/{count(total)} free · fresh {count(used)} written",
            ]
        else:
            forms.append(f"memory · {count(free)} of {count(total)} pages free · no fresh area")
        forms += [f"memory · {count(free)}/{count(total)} free", "memory"]
        return next(f for f in forms if len(f) + 4 <= width or f == "memory")

    def subtitle(self, width: int = 200) -> str:
        """Which fresh slots the rows cover and how many a cell holds, as fits."""
        if not self.active or self.timeline is None:
            return ""
        fresh = self.timeline.machine.scenario.fresh
        if fresh is None:
            return ""
        per = self._grid()[1]
        lo, hi = self.fresh_span()
        what = f"slots {lo:,}-{hi - 1:,}" if hi < fresh.slots else ""
        cell = f"1 cell = {per:,}" if per > 1 else ""
        # the rows' own labels are slot numbers: the border names the area they are
        # (narrow panels drop "fresh" from the title, so it must be said here)
        forms = [
            " · ".join(t for t in (f"fresh area {what}".strip(), cell) if t),
            " · ".join(t for t in ("fresh area", cell) if t),
            " · ".join(t for t in ("fresh", cell) if t),
            "fresh area",
            "fresh",
        ]
        return next((text for text in forms if len(text) + 4 <= width), "")

    # ---- geometry -------------------------------------------------------------------
    def _rows(self) -> tuple[int, int]:
        """(first line of the fresh area's rows, how many)."""
        h = self.area.height
        if h <= 1:
            return 1, 0
        if h == 2:
            return 1, 1
        return 2, h - 2

    def _label(self) -> int:
        _lo, hi = self.fresh_span()
        return len(f"{max(hi - 1, 0):,}") + 1

    def _grid(self) -> tuple[int, int]:
        """(cells a row, slots a cell) of the fresh area's rows."""
        lo, hi = self.fresh_span()
        _first, rows = self._rows()
        cols = max(1, self.area.width - self._label())
        per = max(1, -(-(hi - lo) // max(1, cols * max(1, rows))))
        return cols, per

    # ---- drawing --------------------------------------------------------------------
    def view_signature(self) -> tuple[Any, ...]:
        return (*super().view_signature(), self.zoomed)

    def line_spec(self, y: int) -> tuple[tuple[Any, ...], Any] | None:
        if not self.active or self.frame is None:
            return None
        if y == 0:
            parts = self.parts()
            key = ("gauge", tuple(parts.values()))
            return key, lambda: self._gauge(parts)
        first, rows = self._rows()
        if y == 1 and first == 2:
            parts = self.parts()
            key = ("words", tuple(parts.values()))
            return key, lambda: self._words(parts)
        if first <= y < first + rows:
            return self._fresh_row(y - first)
        return None

    def _gauge(self, parts: dict[str, int]) -> list[Segment]:
        total = sum(parts.values())
        right = f" {count(parts['free'])} free"
        left = "memory ▕"
        w = self.area.width - len(left) - len(right) - 1
        if w < 4:
            left, right, w = "", "", self.area.width
        cells = shares(list(parts.values()), w)
        segs = [Segment(left, self.style("dim"))]
        for (_name, glyph, state, _long, _short), n in zip(PARTS, cells, strict=True):
            if n:
                segs.append(Segment(glyph * n, self.style(state)))
        if left:
            segs.append(Segment("▏", self.style("dim")))
            style = self.style("bad") + Style(bold=True) if total and not parts["free"] else None
            segs.append(Segment(right, style or self.style("dim")))
        return segs

    def _words(self, parts: dict[str, int]) -> list[Segment]:
        """The gauge in words, as long as fits: the glyphs and counts at the least."""
        w = self.area.width
        pieces: list[tuple[str, str]] = []
        for form in ("long", "short", "bare"):
            pieces = []
            for name, glyph, state, long_word, short_word in PARTS:
                word = {"long": long_word, "short": short_word, "bare": ""}[form]
                pieces.append((glyph, state))
                pieces.append((f" {word} " if word else " ", "dim"))
                pieces.append((f"{count(parts[name])}  ", "text"))
            if sum(len(t) for t, _ in pieces) - 2 <= w:
                break
        return [Segment(t, self.style(st)) for t, st in pieces]

    def _fresh_row(self, row: int) -> tuple[tuple[Any, ...], Any]:
        assert self.timeline is not None and self.frame is not None
        mem = self.frame.state.mem
        assert mem is not None
        if self.timeline.machine.scenario.fresh is None:
            forms = (
                "no fresh area: reclaim can drop and unmap pages, never write one out",
                "no fresh area: nothing can be written",
                "no fresh area",
            )
            text = next((f for f in forms if len(f) <= self.area.width), forms[-1])
            blank: tuple[Any, ...] = ("nofresh", row)
            return blank, lambda: [Segment(text if row == 0 else "", self.style("dim"))]
        cols, per = self._grid()
        lo, hi = self.fresh_span()
        a = lo + row * cols * per
        b = min(hi, a + cols * per)
        nxt = mem.fresh_next
        e = self.frame.event
        flying = (e.start, e.start + len(e.pages)) if isinstance(e, ev.PageOut) else None
        key = ("fresh", row, a, b, per, min(max(nxt, a), b), flying)
        return key, lambda: self._build_fresh(a, b, per, nxt, flying)

    def _build_fresh(
        self, a: int, b: int, per: int, nxt: int, flying: tuple[int, int] | None
    ) -> list[Segment]:
        label = self._label()
        cells: list[tuple[str, Style]] = []
        if a < b:
            cells.append((f"{a:>{label - 1},} ", self.style("dim")))
        before = self._load_before
        for c0 in range(a, b, per):
            c1 = min(b, c0 + per)
            # written slots are exactly [1, nxt): ascending, never freed
            u0, u1 = max(c0, 1), min(c1, nxt)
            used = max(0, u1 - u0)
            if flying is not None and flying[0] < c1 and flying[1] > c0:
                cells.append((GLYPHS["head"], self.style("head-bg")))
                continue
            if not used:
                cells.append((GLYPHS["free"], self.style("free")))
                continue
            load = before[u1] - before[u0] if len(before) > u1 else 0
            state = "shmem" if 2 * load > used else "used"
            level = max(1, round(8 * used / max(1, c1 - max(c0, 1))))
            cells.append((EIGHTHS[level], self.style(state)))
        return runs(cells)

    def legend_text(self) -> str:
        """What the fresh area's cells mean (for the help screen and the docs)."""
        return (
            f"{GLYPHS['used']} swapoff's pages  {GLYPHS['shmem']} the load's  "
            f"{GLYPHS['head']} being written  {GLYPHS['free']} empty: "
            f"{plural(self._written, 'slot')} written in this run"
        )
