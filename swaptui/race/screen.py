"""Race mode on screen: the sides of a `Race` next to each other, one clock, a verdict.

`RaceScreen` works both inside the main app (`c` pushes it on the current scenario)
and on its own (`swaptui race`, through `RaceApp`).  Every side shows what the main
screen shows for one run, smaller: its swap_map, the disk head with its trail and
sparkline, the time-breakdown bars, the "now" sentence and a few counters.
"""

from __future__ import annotations

import time
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from models.narrate import duration, literal
from models.scenario_model import DISK_KINDS, Scenario
from swaptui.race.model import (
    RA_LABELS,
    RA_MODES,
    RACE_SECONDS,
    Race,
    RaceError,
)
from swaptui.race.side import RaceSidePanel
from swaptui.screens.modals import HelpScreen
from swaptui.themed import ThemedApp
from swaptui.widgets.text import KeyFooter

TICK_S = 1 / 30

RACE_KEYS = (
    ("space", "pause / play (at the end: race again)"),
    ("+  -", f"faster / slower (1x: the slower side takes about {RACE_SECONDS:.0f} s)"),
    ("End", "jump to the verdict"),
    ("Home", "start the race again"),
    ("d", "next disk: hdd, ssd, zram (the race restarts: watch the verdict move)"),
    ("r", "readahead: each algorithm's own, none, on for all (restarts)"),
    ("s", "source pane: the pseudo-C line each side is running"),
    ("t", "next theme"),
    ("escape", "back to the single-run screen (quit when started as swaptui race)"),
    ("q", "quit"),
)


class RaceHelp(HelpScreen):
    TITLE = "race: two or three algorithms, one scenario, one clock"
    KEYS = RACE_KEYS
    NOTES = (
        "Bars: where each side's simulated time went (one scale for all sides).\n"
        "Sparkline: head position request by request: a ramp reads in order, a storm seeks.\n"
    )


class RaceScreen(Screen[None]):
    DEFAULT_CSS = """
    RaceScreen { layout: vertical; }
    #race-header { height: 1; background: $panel; color: $foreground; text-wrap: nowrap; }
    #sides { height: 1fr; }
    #verdict { height: auto; max-height: 3; padding: 0 1; background: $panel; }
    #verdict.final { background: $accent 35%; text-style: bold; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_play", "play", key_display="space"),
        Binding("plus,equals_sign", "faster", "speed", key_display="+ -", show=False),
        Binding("minus", "slower", "slower", show=False),
        Binding("end", "to_end", "verdict", key_display="End"),
        Binding("home", "restart", "restart", show=False),
        Binding("d", "cycle_disk", "disk"),
        Binding("r", "cycle_readahead", "readahead"),
        Binding("s", "toggle_source", "source"),
        Binding("t", "app.cycle_theme", "theme", show=False),
        Binding("question_mark", "help", "help", key_display="?"),
        Binding("escape,c", "leave", "back", show=False),
        Binding("q", "app.quit", "quit"),
    ]

    def __init__(self, race: Race, *, standalone: bool = False, autoplay: bool = True) -> None:
        super().__init__()
        self.race = race
        self.standalone = standalone
        # a new race (d, r) plays at once unless the screen was opened paused (tests, SVGs)
        self.autoplay = autoplay
        self._last_tick = time.monotonic()
        self.busy = False  # a new race is being computed (disk or readahead changed)

    def compose(self) -> ComposeResult:
        yield Static(id="race-header")
        with Horizontal(id="sides"):
            for i in range(len(self.race.sides)):
                yield RaceSidePanel(i)
        yield Static(id="verdict")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.install_race()
        self.set_interval(TICK_S, self.tick)

    def install_race(self) -> None:
        for panel, side in zip(self.query(RaceSidePanel), self.race.sides, strict=True):
            panel.install(side)
        self._last_tick = time.monotonic()
        self.show_race()

    def show_race(self) -> None:
        race = self.race
        for panel in self.query(RaceSidePanel):
            panel.show(race)
        self.query_one("#race-header", Static).update(self.header_text())
        verdict = self.query_one("#verdict", Static)
        final = race.verdict()
        verdict.set_class(final is not None, "final")
        if self.busy:
            verdict.update(Text("running the engine for the new race…", style="italic"))
        elif final is not None:
            # the verdict may wrap (three sides at 80 columns): it is the point of the race
            verdict.update(Text(f"on {race.disk}: {final}"))
        else:
            verdict.update(self.progress_text())

    def header_text(self) -> Text:
        race = self.race
        play = "▶" if race.playing else "‖"
        out = Text(no_wrap=True, overflow="ellipsis")
        out.append(" race ", style="bold reverse")
        out.append(f" {literal(race.scenario.name)} ", style="bold")
        out.append(f"· {race.disk} ", style="bold")
        out.append(f"· {play} {race.speed_text()} ", style="bold")
        out.append(f"· t = {duration(race.clock_ps)} of {duration(race.end_ps)} ", style="bold")
        out.append(f"· {RA_LABELS.get(race.readahead, race.readahead)} ")
        out.append(f"· {literal(race.scenario.title)}", style="italic")
        return out

    def progress_text(self) -> Text:
        race = self.race
        done = [s for s in race.sides if s.finished_at(race.clock_ps)]
        out = Text(no_wrap=True, overflow="ellipsis")
        if done:
            first = done[0]
            out.append(f"{first.algorithm} is done in {duration(first.total_ns * 1000)}; ")
            waiting = [s.algorithm for s in race.sides if s not in done]
            out.append(f"waiting for {', '.join(waiting)} · ")
        out.append(
            f"{race.speed_text()}: the race takes {race.wall_seconds():.0f} s · "
            "End: verdict · d: disk",
            style="dim",
        )
        return out

    # ---- the clock --------------------------------------------------------------------
    def tick(self) -> None:
        now = time.monotonic()
        elapsed, self._last_tick = now - self._last_tick, now
        was = self.race.playing
        if self.race.tick(elapsed) or was != self.race.playing:
            self.show_race()
            if was != self.race.playing:
                self.refresh_bindings()

    def changed(self) -> None:
        self._last_tick = time.monotonic()
        self.show_race()
        self.refresh_bindings()

    def action_toggle_play(self) -> None:
        self.race.toggle()
        self.changed()

    def action_faster(self) -> None:
        self.race.faster()
        self.changed()

    def action_slower(self) -> None:
        self.race.slower()
        self.changed()

    def action_to_end(self) -> None:
        self.race.to_end()
        self.changed()

    def action_restart(self) -> None:
        self.race.restart()
        self.changed()

    # ---- a new race -------------------------------------------------------------------
    def action_cycle_disk(self) -> None:
        kinds = DISK_KINDS
        disk = kinds[(kinds.index(self.race.disk) + 1) % len(kinds)]
        self.rebuild(disk, self.race.readahead)

    def action_cycle_readahead(self) -> None:
        mode = self.race.readahead
        nxt = (
            RA_MODES[(RA_MODES.index(mode) + 1) % len(RA_MODES)] if mode in RA_MODES else "default"
        )
        self.rebuild(self.race.disk, nxt)

    def rebuild(self, disk: str, readahead: str) -> None:
        self.busy = True
        self.show_race()
        self.build_race(self.race.scenario, self.race.algorithms, disk, readahead)

    @work(thread=True, exclusive=True, group="race")
    def build_race(
        self, scenario: Scenario, algorithms: tuple[str, ...], disk: str, readahead: str
    ) -> None:
        """Run the engine off the event loop; the old race stays on screen until then."""
        worker = get_current_worker()
        try:
            race = Race(scenario, algorithms, disk, readahead, extras=self.race.extras)
        except RaceError as e:
            self.app.call_from_thread(self.failed, str(e))
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self.replace_race, race)

    def failed(self, message: str) -> None:
        self.busy = False
        self.app.notify(message, severity="error", timeout=6)
        self.show_race()

    def replace_race(self, race: Race) -> None:
        race.speed = self.race.speed
        race.playing = self.autoplay
        self.race = race
        self.busy = False
        self.install_race()
        self.refresh_bindings()
        self.app.notify(
            f"new race on {race.disk}, {RA_LABELS.get(race.readahead, race.readahead)}",
            timeout=2,
        )

    # ---- looks and leaving ------------------------------------------------------------
    def action_toggle_source(self) -> None:
        for panel in self.query(RaceSidePanel):
            panel.toggle_class("source")
        self.call_after_refresh(self.show_race)

    def action_help(self) -> None:
        self.app.push_screen(RaceHelp())

    def action_leave(self) -> None:
        if self.standalone:
            self.app.exit(0)
        else:
            self.dismiss()

    def on_resize(self, event: Resize) -> None:
        # below 100 columns the footer needs the palette's room for the race's own keys
        self.query_one(Footer).show_command_palette = event.size.width >= 100
        self.call_after_refresh(self.show_race)


class RaceApp(ThemedApp):
    """`swaptui race`: the race screen on its own, with the app's themes."""

    TITLE = "swaptui race"

    def __init__(
        self,
        race: Race,
        *,
        theme: str | None = None,
        remember_theme: bool = True,
        autoplay: bool = True,
        present: bool = False,
    ) -> None:
        super().__init__(theme=theme, remember_theme=remember_theme, present=present)
        race.playing = autoplay and race.playing
        self.main = RaceScreen(race, standalone=True, autoplay=autoplay)

    def presentation_changed(self) -> None:
        self.main.show_race()

    def get_default_screen(self) -> Screen[None]:
        return self.main

    @property
    def race(self) -> Race:
        return self.main.race
