"""One side of a race on screen: swap_map (or source), disk head, time bars, "now" line."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from models.breakdown import Parts
from models.narrate import duration, narrate
from models.timeline import FrameView
from swaptui.race.model import Race, RaceSide
from swaptui.viewer.jobs import Job
from swaptui.viewer.zoom import SlotSpan
from swaptui.widgets.base import retitle
from swaptui.widgets.breakdown import BreakdownBars, bar_rows
from swaptui.widgets.diskhead import DiskHead
from swaptui.widgets.numbers import count, fit, plural
from swaptui.widgets.source import SourcePane
from swaptui.widgets.swapmap import SwapMap
from swaptui.widgets.text import READAHEAD_SHORT, so_far

NOW_LINES = 3  # the SideNow block: a rule, the sentence, the counters
CHART_SHARE = 0.45  # of the height the swap_map and the head chart share
MIN_CHART = 6  # the disk head block from this much room on: rule, bar, 4 chart rows


def counters_line(view: FrameView, parts: Parts) -> Text:
    """The side's running totals.  cpu and io come from the breakdown at the clock, not
    from the frame: a request in flight is drawn as its own frame, whose counters
    already hold the whole request, and the totals must never run ahead of the clock."""
    c = view.counters
    cpu = parts[0] + parts[1]
    io = sum(parts) - cpu
    items = [
        ("cpu", duration(cpu)),
        ("io", duration(io)),
        ("requests", count(c.io_requests)),
        ("seek", plural(c.seek_slots, "slot")),
        ("unuse_pte_range", count(c.unuse_pte_range_calls)),
        ("PTEs", count(c.ptes_scanned)),
    ]
    return so_far(items)


class SideNow(Static):
    """The side's "now" sentence and its running counters."""

    DEFAULT_CSS = """
    SideNow { height: 2; text-wrap: nowrap; text-overflow: ellipsis; }
    """


class RaceSidePanel(Vertical):
    """One algorithm: swap_map (or its source), disk head, breakdown bars, now line."""

    DEFAULT_CSS = """
    RaceSidePanel { border: round $primary 60%; border-title-color: $foreground;
        border-subtitle-color: $foreground; width: 1fr; height: 1fr; }
    RaceSidePanel.done { border: round $success; }
    RaceSidePanel > SwapMap { height: 1fr; }
    RaceSidePanel > SourcePane { height: 1fr; display: none; }
    RaceSidePanel.source > SwapMap { display: none; }
    RaceSidePanel.source > SourcePane { display: block; }
    RaceSidePanel > DiskHead { height: 4; border-top: solid $primary 30%; }
    RaceSidePanel > BreakdownBars { height: 5; border-top: solid $primary 30%; }
    RaceSidePanel > SideNow { border-top: solid $primary 30%; height: 3; }
    """

    def __init__(self, index: int, algorithm: str = "") -> None:
        super().__init__(id=f"side{index}")
        self.index = index
        self.algorithm = algorithm
        self.side: RaceSide | None = None
        self._height = 0

    def compose(self) -> ComposeResult:
        yield SwapMap()
        yield SourcePane()
        yield DiskHead()
        yield BreakdownBars()
        yield SideNow()

    def on_mount(self) -> None:
        self.border_title = self.algorithm

    def install(self, side: RaceSide, span: SlotSpan | None = None) -> None:
        self.side = side
        tl = side.timeline
        self.query_one(SwapMap).set_machine(tl.machine, span)
        self.query_one(DiskHead).set_timeline(tl, span)
        self.query_one(SourcePane).set_algorithm(side.algorithm)
        self.fit(self._height)

    def set_span(self, span: SlotSpan) -> None:
        self.query_one(SwapMap).set_span(span)
        self.query_one(DiskHead).set_span(span)

    def waiting(self, job: Job) -> None:
        """No race yet: say so where the side's sentence will be (no numbers: they would
        read as those of an empty scenario)."""
        self.border_subtitle = "waiting for the engine"
        self.query_one(SideNow).update(Text(job.phase, style="dim italic"), layout=False)

    def fit(self, height: int) -> None:
        """Split the side's height: the head chart takes a fixed share of what the
        swap_map and it leave over (at least a bar and four chart rows when there is
        room), the same whatever the race's clock, so nothing moves while it plays."""
        self._height = height
        if height <= 0:
            return
        kind = self.side.run.disk if self.side is not None else "hdd"
        pressure = self.side is not None and self.side.pressure
        # rule, one per part (reclaim's two under pressure), swap cache
        bars = 1 + len(bar_rows(kind, pressure)) + 1
        rest = max(2, height - 2 - bars - NOW_LINES)
        if rest >= 2 * MIN_CHART:
            disk = max(MIN_CHART, round(rest * CHART_SHARE))
        else:
            disk = max(3, (rest + 1) // 2)
        self.query_one(DiskHead).styles.height = disk
        self.query_one(BreakdownBars).styles.height = bars

    def show(self, race: Race) -> None:
        side = self.side
        if side is None:
            return
        t = race.clock_ps
        view = side.view_at(t)
        self.query_one(SwapMap).show(view)
        self.query_one(DiskHead).show(view)
        src = self.query_one(SourcePane)
        src.show(view)
        bars = self.query_one(BreakdownBars)
        parts = side.parts_at(t)
        bars.show(
            parts,
            race_scale(race),
            race.disk,
            memory=race_memory(race, side, view),
            pressure=side.pressure,
        )
        machine = side.timeline.machine
        sentence = Text(narrate(view, machine), no_wrap=True, overflow="ellipsis")
        now = Text("\n", no_wrap=True).join([sentence, counters_line(view, parts)])
        self.query_one(SideNow).update(now, layout=False)  # a fixed height: no layout
        done = side.finished_at(t)
        self.set_class(done, "done")
        room = self.size.width - 6  # the corners and the title's padding
        run = side.run
        ra = READAHEAD_SHORT.get(run.readahead, run.readahead)
        title = fit(
            (f"{run.algorithm} · readahead {run.readahead}", f"{run.algorithm} · ra {ra}"), room
        )
        total = duration(side.total_ns * 1000)
        if done and run.result != "ok":
            # an injected fault made this side give up: not a win, however fast
            self.set_class(False, "done")
            forms: tuple[str, ...] = (f"✗ gave up with {run.result} after {total}", f"✗ {total}")
        elif done:
            forms = (f"✓ finished in {total}", f"✓ {total}")
        else:
            clock = duration(min(t, side.total_ps))
            forms = (f"running · {clock}", clock)
        # every tick: set only what changed (each set repaints the whole panel)
        retitle(self, title, fit(forms, room))


def race_scale(race: Race) -> int:
    """The breakdown bars' shared scale: the largest final part of any side."""
    return max(max(s.breakdown.total) for s in race.sides) or 1


def race_memory(race: Race, side: RaceSide, view: FrameView) -> tuple[int, int, int]:
    """(pages in the swap cache now, this side's peak so far, the largest final peak of
    any side): the memory bar, on one scale for all sides like the time bars."""
    scale = max(s.run.counters.swapcache_peak for s in race.sides) or 1
    return view.state.cache_size, view.counters.swapcache_peak, scale
