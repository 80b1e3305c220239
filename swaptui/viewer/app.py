"""The swaptui Textual app: one run of one algorithm, stepped frame by frame."""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

import attrs
from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.events import Resize
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

import themes
from models.engine import OptionError
from models.events import GRANULARITIES
from models.narrate import literal
from models.scenario_model import Scenario
from models.timeline import Timeline
from swaptui import config
from swaptui.race.model import Race, RaceError, race_algorithms
from swaptui.race.screen import RaceScreen
from swaptui.screens.modals import (
    DetailsScreen,
    HelpScreen,
    OpenScreen,
    TooSmallScreen,
    guard_size,
)
from swaptui.viewer import scenarios
from swaptui.viewer.details import ref_details, slot_details
from swaptui.viewer.player import (
    ALGO_CYCLE,
    DEFAULT_GRANULARITY,
    DISK_CYCLE,
    NO_EXTRAS,
    READAHEAD_CYCLE,
    Extras,
    Player,
    RunKey,
    build_timeline,
    check_key,
    next_in,
)
from swaptui.widgets.diskhead import DiskHead
from swaptui.widgets.pagetables import PageTables
from swaptui.widgets.source import SourcePane
from swaptui.widgets.swapmap import SwapMap
from swaptui.widgets.text import Header, KeyFooter, NowLine

TICK_S = 1 / 30  # the play clock; faster speeds skip frames instead of ticking faster
SOURCE_BESIDE = 160  # from this width the source pane goes beside the page tables
# app actions still allowed while the race screen is up (its own keys come first)
RACE_PASSES = frozenset({"quit", "save_svg", "command_palette"})
# what waits until the run is computed
RUN_ACTIONS = frozenset(
    {"toggle_play", "step", "first", "last", "finer", "coarser", "open"}
    | {"cycle_algorithm", "cycle_disk", "cycle_readahead"}
)


def retitle(widget: Widget, title: str, subtitle: str | None = None) -> None:
    """Set a panel's border titles only when they change (each set repaints it all)."""
    if widget.border_title != title:
        widget.border_title = title
    if subtitle is not None and widget.border_subtitle != subtitle:
        widget.border_subtitle = subtitle


def placeholder_timeline(scenario: Scenario, key: RunKey) -> Timeline:
    """A run of nothing on the scenario's swap area: what is on screen while computing."""
    empty = attrs.evolve(scenario, mms=(), shmem=(), faults=())
    return build_timeline(empty, key.but(extras=attrs.evolve(key.extras, faults=())))


def _key(algorithm: str, kw: dict[str, object]) -> RunKey:
    """The RunKey of from_ref/deferred's keyword arguments (taken out of `kw`)."""
    extras = kw.pop("extras", None) or NO_EXTRAS
    disk, readahead = kw.pop("disk", None), kw.pop("readahead", None)
    return RunKey(algorithm, disk, readahead, extras)  # type: ignore[arg-type]


class SwapApp(App[int]):
    TITLE = "swaptui"
    CSS = """
    Screen { layout: vertical; }
    #top { height: 1fr; }
    .panel { border: round $primary 60%; border-title-color: $foreground; padding: 0 0; }
    #map { width: 2fr; }
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
        Binding("a", "cycle_algorithm", "algorithm"),
        Binding("c", "race", "race"),
        Binding("s", "toggle_source", "source", show=False),
        Binding("d", "cycle_disk", "disk", show=False),
        Binding("r", "cycle_readahead", "readahead", show=False),
        Binding("o", "open", "open", show=False),
        Binding("t", "cycle_theme", "theme", show=False),
        Binding("ctrl+s", "save_svg", "screenshot", show=False),
        Binding("question_mark", "help", "help", key_display="?"),
        Binding("q", "quit", "quit"),
    ]

    def __init__(
        self,
        scenario: Scenario,
        timeline: Timeline | None,
        key: RunKey,
        *,
        granularity: str | None = None,
        theme: str | None = None,
        remember_theme: bool = True,
    ) -> None:
        self._booted = False  # theme changes before mount are not the user's
        self._bindings_key: tuple[object, ...] = ()
        super().__init__()
        for t in themes.THEMES:
            self.register_theme(t)
        # timeline None: the run is computed in a worker once the screen is up
        self._pending: tuple[Scenario, RunKey] | None = None
        if timeline is None:
            self._pending = (scenario, key)
            timeline = placeholder_timeline(scenario, key)
        self.player = Player(scenario, timeline, key, granularity or DEFAULT_GRANULARITY)
        self._caption: str | None = None
        self._wanted: RunKey | None = None  # the run being computed, for the cycle keys
        self.remember_theme = remember_theme
        chosen = themes.resolve(theme) if theme else None
        if chosen is None:
            saved = config.load().get("theme")
            chosen = themes.resolve(saved) if saved else None
        self.theme = chosen or themes.DEFAULT_THEME
        self._last_tick = time.monotonic()
        self._small: TooSmallScreen | None = None
        self._notices: dict[str, float] = {}  # message -> until when it is shown

    @classmethod
    def from_ref(
        cls, scenario_ref: str = "demo", algorithm: str = "legacy", **kw: object
    ) -> SwapApp:
        """Load and run a scenario (tests and run_app); ScenarioError/OptionError escape."""
        scenario = scenarios.load(scenario_ref)
        key = _key(algorithm, kw)
        return cls(scenario, build_timeline(scenario, key), key, **kw)  # type: ignore[arg-type]

    @classmethod
    def deferred(
        cls, scenario_ref: str = "demo", algorithm: str = "legacy", **kw: object
    ) -> SwapApp:
        """Load and check the scenario now (errors escape), run it after the first paint.

        The screen comes up at once with a "computing" note; the run replaces it when
        the worker is done (a big scenario takes a second or more).
        """
        scenario = scenarios.load(scenario_ref)
        key = _key(algorithm, kw)
        check_key(scenario, key)
        return cls(scenario, None, key, **kw)  # type: ignore[arg-type]

    @property
    def computing(self) -> bool:
        return self._pending is not None

    def get_theme_variable_defaults(self) -> dict[str, str]:
        # Textual's own themes (command palette) get the dark theme's state colours
        return dict(themes.DEFAULT_VARIABLES)

    # ---- layout ---------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header(id="header")
        with Horizontal(id="top"):
            yield SwapMap(id="map")
            yield PageTables(id="tables")
            yield SourcePane(id="source")
        yield DiskHead(id="disk")
        yield NowLine(id="now")
        yield Static(id="caption", markup=False)
        yield KeyFooter()

    def on_mount(self) -> None:
        for wid in ("#map", "#tables", "#source", "#disk", "#now"):
            self.query_one(wid).add_class("panel")
        self.query_one("#disk").border_title = "disk head"
        self.query_one("#now").border_title = "now"
        self.install_machine()
        self.set_interval(TICK_S, self.tick)
        self.check_size()
        self._booted = True
        if self._pending is not None:
            # after the first paint: the worker must not hold the GIL before it
            sc, key = self._pending
            self.call_after_refresh(self.rerun, sc, key)

    def install_machine(self) -> None:
        tl = self.player.timeline
        self.query_one(SwapMap).set_machine(tl.machine)
        self.query_one(PageTables).set_machine(tl.machine)
        self.query_one(DiskHead).set_timeline(tl)
        self.show_frame()

    def show_frame(self) -> None:
        """Draw the player's current frame on every panel (the only way panels change)."""
        p = self.player
        view = p.view()
        smap = self.query_one(SwapMap)
        smap.show(view)
        retitle(smap, smap.title(smap.size.width))
        tables = self.query_one(PageTables)
        tables.show(view)
        retitle(tables, tables.title(tables.size.width))
        tables.follow()
        disk = self.query_one(DiskHead)
        disk.show(view)
        retitle(disk, disk.title(), disk.subtitle())
        if self.source_shown:
            source = self.query_one(SourcePane)
            source.set_algorithm(p.timeline.run.algorithm)
            source.show(view)
            retitle(source, source.title())
        self.query_one(Header).show(p, view, computing=self.computing)
        self.query_one(NowLine).show(p, view, computing=self.computing)

    # ---- size -----------------------------------------------------------------------
    def on_resize(self, event: Resize) -> None:
        # App.size follows a debounce timer: the event has the new size now
        self.check_size(event.size.width, event.size.height)
        self.call_after_refresh(self.show_frame)

    def check_size(self, w: int | None = None, h: int | None = None) -> None:
        if w is None or h is None:
            w, h = self.size
        self.fit_layout(w, h)
        self._small = guard_size(self, self._small, w, h)

    def fit_layout(self, w: int, h: int) -> None:
        """Give the disk head chart the spare height of tall screens; keep the footer
        to what fits."""
        try:
            disk = self.query_one(DiskHead)
            footer = self.query_one(Footer)
        except Exception:  # not composed yet
            return
        disk.styles.height = max(6, min(20, h // 4))
        self.query_one("#top").set_class(w < SOURCE_BESIDE, "-narrow")
        footer.show_command_palette = w >= 100

    # ---- caption --------------------------------------------------------------------
    def set_caption(self, text: str | None) -> None:
        """Show a caption line over the bottom of the screen (None or "" hides it).

        For scripted screencasts: bold, high contrast, centred; the text is shown
        literally (no markup).
        """
        self._caption = text or None
        try:
            cap = self.query_one("#caption", Static)
        except Exception:  # before mount: shown once composed
            self.call_after_refresh(self._show_caption)
            return
        self._show_caption(cap)

    def _show_caption(self, cap: Static | None = None) -> None:
        if cap is None:
            try:
                cap = self.screen.query_one("#caption", Static)
            except Exception:
                return
        cap.update(literal(self._caption or ""))
        cap.set_class(self._caption is not None, "-shown")

    @property
    def caption(self) -> str | None:
        return self._caption

    # ---- playing --------------------------------------------------------------------
    def tick(self) -> None:
        if not self.screen_stack or not self.query(SwapMap):
            # the play timer can fire once more while the app shuts down and its
            # panels are already gone: nothing to draw
            return
        now = time.monotonic()
        elapsed, self._last_tick = now - self._last_tick, now
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
        key = (p.frame == 0, p.frame == p.last_frame, p.playing, self.computing, type(self.screen))
        if key != self._bindings_key:
            self._bindings_key = key
            self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        p = self.player
        if isinstance(self.screen, RaceScreen) and action not in RACE_PASSES:
            # the race screen has its own keys: the player behind it stays as it was
            return False
        if self.computing and action == "race":
            return None
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

    def action_finer(self) -> None:
        if not self.player.finer():
            self.notice("already stepping one PTE at a time")
        self.changed()

    def action_coarser(self) -> None:
        if not self.player.coarser():
            self.notice("already stepping one pass at a time")
        self.changed()

    def notice(self, message: str, timeout: float = 2) -> None:
        """A notification, unless the same one is still on screen (a held key must not
        stack up a tower of identical toasts)."""
        now = time.monotonic()
        if self._notices.get(message, 0.0) > now:
            return
        self._notices = {m: t for m, t in self._notices.items() if t > now}
        self._notices[message] = now + timeout
        self.notify(message, timeout=timeout)

    def action_faster(self) -> None:
        self.player.faster()
        self.changed()

    def action_slower(self) -> None:
        self.player.slower()
        self.changed()

    # ---- other runs -----------------------------------------------------------------
    def action_cycle_algorithm(self) -> None:
        k = self._wanted or self.player.key
        algo = next_in(ALGO_CYCLE, k.algorithm) or "legacy"
        readahead = k.readahead
        if algo == "legacy" and readahead == "vma":
            self.notify("legacy cannot use vma readahead: back to its default", timeout=3)
            readahead = None
        self.rerun(self.player.scenario, k.but(algorithm=algo, readahead=readahead))

    def action_cycle_disk(self) -> None:
        k = self._wanted or self.player.key
        disk = next_in(DISK_CYCLE, k.disk or self.player.timeline.run.disk)
        self.rerun(self.player.scenario, k.but(disk=disk))

    def action_cycle_readahead(self) -> None:
        k = self._wanted or self.player.key
        ra = next_in(READAHEAD_CYCLE, k.readahead)
        self.rerun(self.player.scenario, k.but(readahead=ra))

    def set_algorithm(self, algorithm: str) -> None:
        self.rerun(self.player.scenario, self.player.key.but(algorithm=algorithm))

    def set_granularity(self, granularity: str) -> None:
        self.player.set_granularity(granularity)
        self.changed()

    @work(thread=True, exclusive=True, group="run")
    def rerun(self, scenario: Scenario | str, key: RunKey) -> None:
        """Load (for a path) and run off the event loop; the current run stays on screen
        until the new one is ready, and stays for good if it fails."""
        worker = get_current_worker()
        self._wanted = key
        try:
            sc = scenarios.load(scenario) if isinstance(scenario, str) else scenario
            if isinstance(scenario, str) and key.extras.faults:
                key = self._faults_that_fit(sc, key)
            timeline = build_timeline(sc, key)
        except OptionError as e:
            if key.readahead == "vma" and key.algorithm == "legacy":
                # the cycle would stick on a refused value: skip it, say why
                nxt = next_in(READAHEAD_CYCLE, key.readahead)
                self.call_from_thread(self.notify, str(e), severity="warning", timeout=4)
                self.call_from_thread(self.rerun, scenario, key.but(readahead=nxt))
                return
            self.call_from_thread(self.notify, str(e), severity="error", timeout=6)
            return
        except scenarios.ScenarioError as e:
            msg = str(e).splitlines()[0] if str(e) else type(e).__name__
            self.call_from_thread(self.notify, literal(msg), severity="error", timeout=8)
            return
        except Exception as e:  # an engine bug must not kill the viewer or hang "computing"
            if self._pending is not None:
                raise
            self.call_from_thread(self.notify, literal(repr(e)), severity="error", timeout=8)
            return
        if not worker.is_cancelled:
            self.call_from_thread(self.install_run, sc, timeline, key)

    def _faults_that_fit(self, scenario: Scenario, key: RunKey) -> RunKey:
        """An opened scenario keeps the command line's faults that apply to it (a pid or
        a file it does not have drops that fault, with a notice)."""
        kept = []
        for f in key.extras.faults:
            try:
                check_key(scenario, key.but(extras=attrs.evolve(key.extras, faults=(f,))))
            except OptionError as e:
                self.call_from_thread(self.notify, str(e), severity="warning", timeout=6)
                continue
            kept.append(f)
        return key.but(extras=attrs.evolve(key.extras, faults=tuple(kept)))

    def install_run(self, scenario: Scenario, timeline: Timeline, key: RunKey) -> None:
        self._pending = None
        self._wanted = None
        self.player.replace(scenario, timeline, key)
        self.install_machine()
        self.refresh_bindings()
        # the run is hundreds of thousands of long-lived objects: keep them out of the
        # garbage collector's full passes, which would otherwise stall frames now and then.
        # Unfreeze first: what was frozen with the previous run (that run, widgets removed
        # since) would otherwise never be collected.
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    def action_open(self) -> None:
        def opened(ref: str | None) -> None:
            if ref:
                k = self.player.key
                self.rerun(ref, RunKey(k.algorithm, None, None, k.extras))

        self.push_screen(OpenScreen(list(scenarios.preset_names())), opened)

    # ---- race and source ------------------------------------------------------------
    @property
    def source_shown(self) -> bool:
        return self.query_one("#top").has_class("-source")

    def action_toggle_source(self) -> None:
        self.query_one("#top").toggle_class("-source")
        self.show_frame()

    def action_race(self) -> None:
        p = self.player
        algos = race_algorithms(p.timeline.run.algorithm)
        # the run behind the race stands still (and costs nothing) until escape
        p.playing = False
        self.changed()
        self.notify(f"racing {' against '.join(algos)} on {p.timeline.run.disk}…", timeout=1.5)
        self.start_race(p.scenario, algos, p.timeline.run.disk, p.key.extras)

    @work(thread=True, exclusive=True, group="race")
    def start_race(
        self, scenario: Scenario, algos: tuple[str, ...], disk: str, extras: Extras = NO_EXTRAS
    ) -> None:
        """Run the race's engines off the event loop, then show it over this screen."""
        try:
            race = Race(scenario, algos, disk, extras=extras)
        except RaceError as e:
            self.call_from_thread(self.notify, str(e), severity="error", timeout=6)
            return
        self.call_from_thread(self.push_screen, RaceScreen(race))

    # ---- looks ----------------------------------------------------------------------
    def action_cycle_theme(self) -> None:
        names = themes.THEME_NAMES
        i = names.index(self.theme) if self.theme in names else -1
        self.set_theme(names[(i + 1) % len(names)])

    def set_theme(self, name: str) -> None:
        self.theme = name
        self.notify(f"theme {name}", timeout=2)

    def watch_theme(self, theme: str) -> None:
        if not self._booted:
            return
        if self.remember_theme and theme in themes.THEME_NAMES:
            config.save(theme=theme)
        for panel in self.query(".panel"):
            clear = getattr(panel, "clear_caches", None)
            if clear is not None:
                clear()
                panel.refresh()

    def action_save_svg(self) -> None:
        name = f"swaptui-{self.player.timeline.run.algorithm}-{self.player.frame}.svg"
        path = self.save_screenshot(filename=name, path=str(Path.cwd()))
        self.notify(f"saved {path}", timeout=4)

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    # ---- mouse ----------------------------------------------------------------------
    def on_swap_map_slot_clicked(self, message: SwapMap.SlotClicked) -> None:
        view = self.player.view()
        self.query_one(SwapMap).selected = message.slot
        self.show_frame()
        body = slot_details(self.player.timeline, view, message.slot)
        self.push_screen(DetailsScreen(f"slot {message.slot}", body))

    def on_page_tables_pte_clicked(self, message: PageTables.PteClicked) -> None:
        view = self.player.view()
        self.query_one(PageTables).selected_ref = message.ref
        self.query_one(SwapMap).selected = self.player.timeline.machine.refs[message.ref].slot
        self.show_frame()
        title, body = ref_details(self.player.timeline, view, message.ref)
        self.push_screen(DetailsScreen(title, body))

    # ---- command palette ------------------------------------------------------------
    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Play / pause", "space", self.action_toggle_play)
        yield SystemCommand("First frame", "Home", self.action_first)
        yield SystemCommand("Last frame", "End", self.action_last)
        for algo in ("legacy", "rfc", "linear", "linear-5.1"):
            yield SystemCommand(
                f"Algorithm: {algo}", "restart at frame 0", lambda a=algo: self.set_algorithm(a)
            )
        for g in GRANULARITIES:
            yield SystemCommand(
                f"Step size: {g}",
                "frames at this granularity",
                lambda g=g: self.set_granularity(g),
            )
        for name in themes.THEME_NAMES:
            yield SystemCommand(f"Theme: {name}", "swaptui theme", lambda n=name: self.set_theme(n))
        yield SystemCommand("Race", "c: two algorithms, one clock, a verdict", self.action_race)
        yield SystemCommand(
            "Source pane", "s: the running line of the algorithm", self.action_toggle_source
        )
        yield SystemCommand("Next disk", "d", self.action_cycle_disk)
        yield SystemCommand("Next readahead", "r", self.action_cycle_readahead)
        yield SystemCommand("Open a scenario", "o", self.action_open)
        yield SystemCommand("Save SVG screenshot", "ctrl+s", self.action_save_svg)


def run_app(
    scenario_ref: str = "demo",
    algorithm: str = "legacy",
    disk: str | None = None,
    readahead: str | None = None,
    theme: str | None = None,
    granularity: str | None = None,
    extras: Extras = NO_EXTRAS,
) -> int:
    """The CLI's default command: exit status 2 (one line on stderr) for bad input.

    `extras`: faults and cost overrides, kept by every run the app and its races build."""
    if theme is not None and themes.resolve(theme) is None:
        print(
            f"swaptui: unknown theme {theme!r} (choose from {', '.join(themes.SHORT_NAMES)})",
            file=sys.stderr,
        )
        return 2
    if granularity is not None and granularity not in GRANULARITIES:
        print(
            f"swaptui: unknown granularity {granularity!r} (choose from "
            f"{', '.join(GRANULARITIES)})",
            file=sys.stderr,
        )
        return 2
    try:
        app = SwapApp.deferred(
            scenario_ref,
            algorithm,
            disk=disk,
            readahead=readahead,
            theme=theme,
            granularity=granularity,
            extras=extras,
        )
    except (scenarios.ScenarioError, OptionError) as e:
        msg = str(e).splitlines()[0] if str(e) else type(e).__name__
        print(f"swaptui: {literal(msg)}", file=sys.stderr)
        return 2
    result = app.run()
    return result if isinstance(result, int) else 0
