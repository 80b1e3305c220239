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
from swaptui.widgets.breakdown import BreakdownBars
from swaptui.widgets.diskhead import DiskHead
from swaptui.widgets.source import SourcePane
from swaptui.widgets.swapmap import SwapMap


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
        ("requests", f"{c.io_requests:,}"),
        ("seek", f"{c.seek_slots:,} slots"),
        ("unuse_pte_range", f"{c.unuse_pte_range_calls:,}"),
        ("ptes", f"{c.ptes_scanned:,}"),
    ]
    out = Text(no_wrap=True, overflow="ellipsis")
    for i, (name, value) in enumerate(items):
        if i:
            out.append(" · ", style="dim")
        out.append(name + " ", style="dim")
        out.append(value, style="bold")
    return out


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

    def __init__(self, index: int) -> None:
        super().__init__(id=f"side{index}")
        self.index = index
        self.side: RaceSide | None = None

    def compose(self) -> ComposeResult:
        yield SwapMap()
        yield SourcePane()
        yield DiskHead()
        yield BreakdownBars()
        yield SideNow()

    def install(self, side: RaceSide) -> None:
        self.side = side
        tl = side.timeline
        self.query_one(SwapMap).set_machine(tl.machine)
        self.query_one(DiskHead).set_timeline(tl)
        self.query_one(SourcePane).set_algorithm(side.algorithm)
        run = side.run
        self.border_title = f"{run.algorithm} · readahead {run.readahead}"

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
        bars.styles.height = len(bars.rows()) + 1
        parts = side.parts_at(t)
        bars.show(parts, race_scale(race), race.disk)
        machine = side.timeline.machine
        sentence = Text(narrate(view, machine), no_wrap=True, overflow="ellipsis")
        now = Text("\n", no_wrap=True).join([sentence, counters_line(view, parts)])
        self.query_one(SideNow).update(now)
        done = side.finished_at(t)
        self.set_class(done, "done")
        if done and side.run.result != "ok":
            # an injected fault made this side give up: not a win, however fast
            self.set_class(False, "done")
            self.border_subtitle = (
                f"✗ gave up with {side.run.result} after {duration(side.total_ns * 1000)}"
            )
        elif done:
            self.border_subtitle = f"✓ finished in {duration(side.total_ns * 1000)}"
        else:
            self.border_subtitle = f"running · {duration(min(t, side.total_ps))}"


def race_scale(race: Race) -> int:
    """The breakdown bars' shared scale: the largest final part of any side."""
    return max(max(s.breakdown.total) for s in race.sides) or 1
