"""The main screen: one run of one algorithm, stepped frame by frame.

The panels (swap_map, page tables, source, disk head, now line) and the keys that
move through the run live here; `SwapApp` only hosts this screen.  Race mode is
another screen pushed over this one, so its keys simply replace these while it is up.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.events import Resize
from textual.widgets import Footer, Static

from models.narrate import literal
from models.scenario_model import Scenario
from models.timeline import Timeline
from swaptui.screens.modals import in_front
from swaptui.viewer.computing import RunComputing, quiet_gc
from swaptui.viewer.jobs import JOB_REPAINT_S, Job
from swaptui.viewer.player import (
    Player,
    RunKey,
)
from swaptui.viewer.runs import placeholder_timeline
from swaptui.viewer.zoom import SlotSpan, whole_area, work_span
from swaptui.widgets.base import retitle
from swaptui.widgets.diskhead import DiskHead
from swaptui.widgets.memory import MemoryPanel
from swaptui.widgets.pagetables import PageTables
from swaptui.widgets.source import SourcePane
from swaptui.widgets.swapmap import SwapMap
from swaptui.widgets.text import Header, KeyFooter, NowLine

DISK_SHARE = 0.3  # of the screen's height, for the disk head and its chart
SOURCE_BESIDE = 160  # from this width the source pane goes beside the page tables
# what waits until the run is computed
RUN_ACTIONS = frozenset(
    {"toggle_play", "step", "first", "last", "tenth", "finer", "coarser", "open", "race", "zoom"}
    | {"cycle_algorithm", "cycle_disk", "cycle_readahead"}
)


class MainScreen(RunComputing):
    DEFAULT_CSS = """
    MainScreen { layout: vertical; }
    #top { height: 1fr; }
    .panel { border: round $primary 60%; border-title-color: $foreground; padding: 0 0; }
    #mapcol { width: 2fr; }
    /* memory under pressure: the gauge and the fresh area, under the old swap_map */
    #memory { display: none; }
    #memory.-shown { display: block; }
    #tables { width: 3fr; }
    /* the source pane (s): beside the panels from 160 columns, in place of the page
       tables below that */
    #source { width: 3fr; display: none; }
    #top.-source #source { display: block; }
    #top.-source #tables { width: 2fr; }
    #top.-source.-narrow #tables { display: none; }
    #disk { height: 6; }
    #now { height: 5; }
    #caption {
        dock: bottom; offset-y: -2; width: 100%; height: auto; display: none;
        content-align: center middle; text-align: center; text-style: bold;
        background: $foreground; color: $background; padding: 0 1;
    }
    #caption.-shown { display: block; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_play", "play", key_display="space"),
        Binding("right,l", "step(1)", "step", key_display="← →"),
        Binding("left,h", "step(-1)", "back", key_display="←", show=False),
        Binding("left_square_bracket", "finer", "finer", key_display="[", show=False),
        Binding("right_square_bracket", "coarser", "size", key_display="[ ]"),
        Binding("plus,equals_sign", "faster", "speed", key_display="+ -"),
        Binding("minus", "slower", "slower", key_display="-", show=False),
        Binding("home", "first", "first", show=False),
        Binding("end", "last", "last", show=False),
        # 1..9: a tenth of the run each (5: the middle), 0: the start
        *(Binding(str(k), f"tenth({k})", f"{10 * k}%", show=False) for k in range(10)),
        Binding("a", "cycle_algorithm", "algorithm"),
        Binding("c", "race", "race"),
        Binding("z", "zoom", "zoom", show=False),
        Binding("s", "toggle_source", "source", show=False),
        Binding("d", "cycle_disk", "disk", show=False),
        Binding("r", "cycle_readahead", "readahead", show=False),
        Binding("o", "open", "open", show=False),
        Binding("t", "app.cycle_theme", "theme", show=False),
        Binding("question_mark", "help", "help", key_display="?"),
    ]

    def __init__(
        self,
        source: Scenario | str,
        timeline: Timeline | None,
        key: RunKey,
        granularity: str | None = None,
    ) -> None:
        """`source`: the scenario, or a preset name or path to load once the screen is up;
        `timeline` None: the run is computed in a worker once the screen is up."""
        super().__init__()
        self._bindings_key: tuple[object, ...] = ()
        self.ready = timeline is not None  # a real run is on screen
        self._first: tuple[Scenario | str, RunKey] | None = None
        if isinstance(source, Scenario):
            scenario = source
        else:  # a stand-in with the name, until the worker has loaded it
            scenario = Scenario(name=Path(source).stem, slots=2)
        if timeline is None:
            self._first = (source, key)
            timeline = placeholder_timeline(scenario, key)
        self.player = Player(scenario, timeline, key, granularity)
        self.job: Job | None = None  # what is being computed now
        self._job_painted = 0.0  # when the progress was last drawn (monotonic)
        self._caption: str | None = None
        self._wanted: RunKey | None = None  # the run being computed, for the cycle keys
        self._last_tick = time.monotonic()
        self._notices: dict[str, float] = {}  # message -> until when it is shown
        self.zoomed = True  # the swap_map and the head chart cover the span of the work
        self._span: SlotSpan | None = None  # the run's work span, once computed

    @property
    def computing(self) -> bool:
        """No run to show yet: the first one is being computed."""
        return not self.ready

    # ---- layout ---------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header(id="header")
        with Horizontal(id="top"):
            with Vertical(id="mapcol"):
                yield SwapMap(id="map")
                yield MemoryPanel(id="memory")
            yield PageTables(id="tables")
            yield SourcePane(id="source")
        yield DiskHead(id="disk")
        yield NowLine(id="now")
        yield Static(id="caption", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        quiet_gc()
        for wid in ("#map", "#memory", "#tables", "#source", "#disk", "#now"):
            self.query_one(wid).add_class("panel")
        self.query_one("#disk").border_title = "disk head"
        self.query_one("#now").border_title = "now"
        if self.ready:
            self.install_machine()
        self.fit_layout(*self.app.size)
        if self._caption is not None:
            self._show_caption()
        if self._first is not None:
            self.recompute(*self._first)
        else:
            self.show_frame()

    def install_machine(self) -> None:
        tl = self.player.timeline
        self._span = None
        span = self.span()
        self.query_one(SwapMap).set_machine(tl.machine, span)
        self.query_one(PageTables).set_machine(tl.machine)
        self.query_one(DiskHead).set_timeline(tl, span)
        memory = self.query_one(MemoryPanel)
        memory.set_timeline(tl, self.zoomed)
        memory.set_class(memory.active, "-shown")
        self.show_frame()

    def span(self) -> SlotSpan:
        """The slots the swap_map and head chart cover: the work's span, or (z) all."""
        tl = self.player.timeline
        if not self.zoomed:
            return whole_area(tl.machine.slots)
        if self._span is None:
            self._span = work_span(tl)
        return self._span

    def action_zoom(self) -> None:
        self.zoomed = not self.zoomed
        span = self.span()
        self.query_one(SwapMap).set_span(span)
        self.query_one(DiskHead).set_span(span)
        self.query_one(MemoryPanel).set_zoom(self.zoomed)
        self.show_frame()
        self.notice(
            f"showing {span.label()}" if self.zoomed else "showing the whole swap area", 1.5
        )

    def show_frame(self) -> None:
        """Draw the player's current frame on every panel (the only way panels change)."""
        p = self.player
        view = p.view()
        if not self.ready:
            # nothing to draw yet but what is being computed: no panel shows the numbers
            # of the stand-in (an empty area would read as an empty scenario)
            for wid, title in (("#map", "swap_map"), ("#tables", "page tables")):
                retitle(self.query_one(wid), title, "")
            retitle(self.query_one("#disk"), "disk head", "")
            self.show_job()
            return
        smap = self.query_one(SwapMap)
        smap.show(view)
        retitle(smap, smap.title(smap.size.width), smap.subtitle())
        tables = self.query_one(PageTables)
        tables.show(view)
        retitle(tables, tables.title(tables.size.width), tables.legend(tables.size.width))
        tables.follow()
        disk = self.query_one(DiskHead)
        disk.show(view)
        retitle(disk, disk.title(disk.size.width), disk.subtitle())
        memory = self.query_one(MemoryPanel)
        if memory.active:
            memory.show(view)
            width = memory.size.width
            retitle(memory, memory.title(width), memory.subtitle(width))
        if self.source_shown:
            source = self.query_one(SourcePane)
            source.set_algorithm(p.timeline.run.algorithm)
            source.show(view)
            retitle(source, source.title())
        self.show_job()

    def show_job(self) -> None:
        """The header and the now line: what is computed and how far, else the frame."""
        p = self.player
        view = p.view()
        self.query_one(Header).show(p, view, self.job, self.ready)
        self.query_one(NowLine).show(p, view, self.job, self.ready)
        self._job_painted = time.monotonic()

    # ---- size -----------------------------------------------------------------------
    def on_resize(self, event: Resize) -> None:
        self.fit_layout(event.size.width, event.size.height)
        # call_next, not call_after_refresh: that posts this screen a message, which
        # came between two queued sizes and kept Textual from folding them into
        # one: the screen laid itself out at each in turn, forever (#18 item 6)
        self.call_next(self.show_frame)

    def fit_layout(self, w: int, h: int) -> None:
        """Give the disk head chart the spare height of tall screens; keep the footer
        to what fits."""
        try:
            disk = self.query_one(DiskHead)
            footer = self.query_one(Footer)
            memory = self.query_one(MemoryPanel)
        except NoMatches:  # not composed yet
            return
        # the head chart carries the story (legacy's ramp, linear's storm): it gets
        # real height, rows added as the screen grows
        disk.styles.height = max(6, min(24, round(h * DISK_SHARE)))
        # the memory panel: the gauge and one row of the fresh area on small screens,
        # the gauge in words and more rows as the screen grows
        memory.styles.height = 4 if h < 30 else (5 if h < 45 else 7)
        self.query_one("#top").set_class(w < SOURCE_BESIDE, "-narrow")
        footer.show_command_palette = w >= 100

    # ---- caption --------------------------------------------------------------------
    def set_caption(self, text: str | None) -> None:
        """Show a caption line over the bottom of the screen (None or "" hides it).

        For scripted screencasts: bold, high contrast, centred; the text is shown
        literally (no markup).
        """
        self._caption = text or None
        if self.is_mounted:
            self._show_caption()

    def _show_caption(self) -> None:
        try:
            cap = self.query_one("#caption", Static)
        except NoMatches:
            return
        cap.update(literal(self._caption or ""))
        cap.set_class(self._caption is not None, "-shown")

    @property
    def caption(self) -> str | None:
        return self._caption

    # ---- playing --------------------------------------------------------------------
    def tick(self) -> None:
        """One beat of the play clock (the app's timer calls it)."""
        if not self.is_mounted or not self.query(SwapMap):
            # the play timer can fire once more while the app shuts down and its
            # panels are already gone: nothing to draw
            return
        now = time.monotonic()
        elapsed, self._last_tick = now - self._last_tick, now
        if self.job is not None and now - self._job_painted >= JOB_REPAINT_S:
            self.show_job()  # the progress of the computation, a few times a second
        was_playing = self.player.playing
        if self.player.tick(elapsed) or was_playing != self.player.playing:
            self.show_frame()
            self.refresh_bindings_if_needed()

    def refresh_bindings_if_needed(self) -> None:
        """Refresh the Footer only when what check_action answers can have changed.

        refresh_bindings recomposes the Footer (a new widget per key): doing it on every
        frame cost ~100 ms a step and piled up widgets in a long session.
        """
        p = self.player
        key = (p.frame == 0, p.frame == p.last_frame, p.playing, self.ready)
        if key != self._bindings_key:
            self._bindings_key = key
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        p = self.player
        if self.computing and action in RUN_ACTIONS:
            return None
        if action == "step":
            n = parameters[0] if parameters else 1
            at_end = p.frame == 0 if n == -1 else p.frame == p.last_frame
            return None if at_end else True
        return True

    def changed(self) -> None:
        self.show_frame()
        self.refresh_bindings_if_needed()

    def action_toggle_play(self) -> None:
        self.player.toggle()
        self._last_tick = time.monotonic()
        self.changed()

    def action_step(self, n: int) -> None:
        self.player.playing = False
        self.player.step(n)
        self.changed()

    def action_first(self) -> None:
        self.player.seek(0)
        self.changed()

    def action_last(self) -> None:
        self.player.seek(self.player.last_frame)
        self.changed()

    def action_tenth(self, k: int) -> None:
        self.player.seek_tenth(k)
        self.changed()

    def action_finer(self) -> None:
        if not self.player.finer():
            self.notice(f"{self.player.granularity} is already the finest step of this run")
        self.changed()

    def action_coarser(self) -> None:
        if not self.player.coarser():
            self.notice(f"{self.player.granularity} is already the coarsest step of this run")
        self.changed()

    def notice(self, message: str, timeout: float = 2) -> None:
        """A notification, unless the same one is still on screen (a held key must not
        stack up a tower of identical toasts)."""
        now = time.monotonic()
        if self._notices.get(message, 0.0) > now:
            return
        self._notices = {m: t for m, t in self._notices.items() if t > now}
        self._notices[message] = now + timeout
        self.app.notify(message, timeout=timeout)

    def action_faster(self) -> None:
        self.player.faster()
        self.changed()

    def action_slower(self) -> None:
        self.player.slower()
        self.changed()

    def set_granularity(self, granularity: str) -> None:
        self.player.set_granularity(granularity)
        self.changed()

    # ---- race and source ------------------------------------------------------------
    @property
    def source_shown(self) -> bool:
        return self.query_one("#top").has_class("-source")

    def action_toggle_source(self) -> None:
        self.query_one("#top").toggle_class("-source")
        self.show_frame()
        # the titles fit the panels' widths, which change with the next layout
        self.call_after_refresh(self.show_frame)

    def action_race(self) -> None:
        """Race this scenario: the race screen comes up at once and computes its sides."""
        p = self.player
        # the race modules load when a race starts, not with the app
        from swaptui.race.model import RaceSpec, race_algorithms
        from swaptui.race.screen import RaceScreen

        algos = race_algorithms(p.timeline.run.algorithm)
        if not in_front(self):
            return
        # the run behind the race stands still (and costs nothing) until escape
        p.playing = False
        self.changed()
        spec = RaceSpec(p.scenario, algos, p.timeline.run.disk, extras=p.key.extras)
        self.open_over(RaceScreen(spec))

    # ---- help ----------------------------------------------------------
    def action_help(self) -> None:
        from swaptui.screens.modals import HelpScreen

        self.open_over(HelpScreen())

    # ---- mouse ----------------------------------------------------------------------
    def on_swap_map_slot_clicked(self, message: SwapMap.SlotClicked) -> None:
        if not in_front(self):
            return
        view = self.player.view()
        self.query_one(SwapMap).selected = message.slot
        self.show_frame()
        from swaptui.screens.modals import DetailsScreen
        from swaptui.viewer.details import slot_details

        body = slot_details(self.player.timeline, view, message.slot)
        self.open_over(DetailsScreen(f"slot {message.slot}", body))

    def on_page_tables_pte_clicked(self, message: PageTables.PteClicked) -> None:
        if not in_front(self):
            return
        view = self.player.view()
        self.query_one(PageTables).selected_ref = message.ref
        self.query_one(SwapMap).selected = self.player.timeline.machine.refs[message.ref].slot
        self.show_frame()
        from swaptui.screens.modals import DetailsScreen
        from swaptui.viewer.details import ref_details

        title, body = ref_details(self.player.timeline, view, message.ref)
        self.open_over(DetailsScreen(title, body))
