"""Race mode on screen: the sides of a `Race` next to each other, one clock, a verdict.

`RaceScreen` works both inside the main app (`c` pushes it on the current scenario)
and on its own (`swaptui race`, through `RaceApp`).  Every side shows what the main
screen shows for one run, smaller: its swap_map, the disk head with its trail and
chart, the time-breakdown bars, the "now" sentence and a few counters.

The screen comes up at once: given a `RaceSpec` it builds the race in a worker and
says meanwhile which side and phase is being computed, and how far.
"""

from __future__ import annotations

import contextlib
import threading
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

from models.narrate import literal
from models.scenario import ScenarioError
from models.scenario_model import DISK_KINDS
from swaptui.race.help import RaceHelp
from swaptui.race.model import RA_LABELS, RA_MODES, Race, RaceError, RaceSpec
from swaptui.race.side import RaceSidePanel
from swaptui.race.status import race_header, race_progress
from swaptui.screens.modals import in_front
from swaptui.themed import ThemedApp
from swaptui.viewer.jobs import JOB_REPAINT_S, PAINT_WAIT_S, TICK_S, Abandoned, Job
from swaptui.viewer.zoom import SlotSpan, union, whole_area, work_span
from swaptui.widgets.text import KeyFooter


def verdict_lines(width: int) -> int:
    """Lines kept for the verdict: the same all race long, so nothing moves when it comes
    (three sides and the memory line take three lines below 120 columns)."""
    return 2 if width >= 120 else 3


class RaceScreen(Screen[None]):
    DEFAULT_CSS = """
    RaceScreen { layout: vertical; }
    #race-header { height: 1; background: $panel; color: $foreground; text-wrap: nowrap; }
    #sides { height: 1fr; }
    #verdict { height: 2; padding: 0 1; background: $panel; }
    #verdict.final { background: $accent 35%; text-style: bold; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "toggle_play", "play", key_display="space"),
        Binding("plus,equals_sign", "faster", "speed", key_display="+ -", show=False),
        Binding("minus", "slower", "slower", show=False),
        Binding("end", "to_end", "verdict", key_display="End"),
        Binding("home", "restart", "restart", show=False),
        *(Binding(str(k), f"tenth({k})", f"{10 * k}%", show=False) for k in range(10)),
        Binding("d", "cycle_disk", "disk"),
        Binding("r", "cycle_readahead", "readahead"),
        Binding("z", "zoom", "zoom", show=False),
        Binding("s", "toggle_source", "source"),
        Binding("t", "app.cycle_theme", "theme", show=False),
        Binding("question_mark", "help", "help", key_display="?"),
        Binding("escape,c", "leave", "back", show=False),
        Binding("q", "app.quit", "quit"),
    ]

    def __init__(
        self, race: Race | RaceSpec, *, standalone: bool = False, autoplay: bool = True
    ) -> None:
        super().__init__()
        # a RaceSpec is built in a worker once the screen is up
        self.race: Race | None = race if isinstance(race, Race) else None
        self.spec = race if isinstance(race, RaceSpec) else None
        self.algorithms = race.algorithms
        self.standalone = standalone
        # a new race (d, r) plays at once unless the screen was opened paused (tests, SVGs)
        self.autoplay = autoplay
        self._last_tick = time.monotonic()
        self.job: Job | None = None  # a race being computed (the first, or after d, r)
        self._job_painted = 0.0  # when the progress was last drawn (monotonic)
        self.zoomed = True
        self._span: SlotSpan | None = None

    @property
    def busy(self) -> bool:
        return self.job is not None

    def compose(self) -> ComposeResult:
        yield Static(id="race-header")
        with Horizontal(id="sides"):
            for i, algorithm in enumerate(self.algorithms):
                yield RaceSidePanel(i, algorithm)
        yield Static(id="verdict")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.fit(*self.app.size)
        if self.race is not None:
            self.install_race()
        elif self.spec is not None:
            self.start(self.spec)
        self.set_interval(TICK_S, self.tick)

    def install_race(self) -> None:
        assert self.race is not None
        self._span = None
        span = self.span()
        for panel, side in zip(self.query(RaceSidePanel), self.race.sides, strict=True):
            panel.install(side, span)
        self._last_tick = time.monotonic()
        self.show_race()

    def span(self) -> SlotSpan:
        """The slots every side's swap_map and chart cover: the same on all sides (the
        union of their work spans), so that the sides compare cell for cell."""
        race = self.race
        assert race is not None
        if not self.zoomed:
            return whole_area(race.sides[0].timeline.machine.slots)
        if self._span is None:
            self._span = union([work_span(s.timeline) for s in race.sides])
        return self._span

    def show_race(self) -> None:
        # fixed heights (CSS, fit): an update repaints, it needs no layout
        name = self.spec.name if self.spec is not None else ""
        header = race_header(self.race, name, self.algorithms, self.size.width)
        self.query_one("#race-header", Static).update(header, layout=False)
        verdict = self.query_one("#verdict", Static)
        race = self.race
        if race is None:
            verdict.set_class(False, "final")
            self.show_job(verdict)
            return
        for panel in self.query(RaceSidePanel):
            panel.show(race)
        final = race.verdict()
        verdict.set_class(final is not None and self.job is None, "final")
        if self.job is not None:
            self.show_job(verdict)
        elif final is not None:
            # the verdict may wrap (three sides at 80 columns): it is the point of the race
            verdict.update(Text(final), layout=False)
        else:
            verdict.update(race_progress(race), layout=False)

    def show_job(self, verdict: Static | None = None) -> None:
        """What is being computed, in the verdict's place (and on every side while
        there is no race yet)."""
        job = self.job
        if job is None:
            return
        verdict = verdict or self.query_one("#verdict", Static)
        line = job.line(width=max(20, self.size.width - 2))
        self._job_painted = time.monotonic()
        note = (
            "the race on screen stays until the new one is ready"
            if self.race is not None
            else "the sides appear when every algorithm has run"
        )
        verdict.update(Text(line, style="bold") + Text("\n" + note, style="dim"), layout=False)
        if self.race is None:
            for panel in self.query(RaceSidePanel):
                panel.waiting(job)

    # ---- the clock --------------------------------------------------------------------
    def tick(self) -> None:
        now = time.monotonic()
        elapsed, self._last_tick = now - self._last_tick, now
        if self.job is not None and now - self._job_painted >= JOB_REPAINT_S:
            self.show_job()  # the progress of the computation, a few times a second
        race = self.race
        if race is None:
            return
        was = race.playing
        if race.tick(elapsed) or was != race.playing:
            self.show_race()
            if was != race.playing:
                self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.race is None and action not in ("leave", "help", "cycle_theme"):
            return None  # nothing to play yet
        return True

    def changed(self) -> None:
        self._last_tick = time.monotonic()
        self.show_race()
        self.refresh_bindings()

    def action_toggle_play(self) -> None:
        if self.race is not None:
            self.race.toggle()
            self.changed()

    def action_faster(self) -> None:
        if self.race is not None:
            self.race.faster()
            self.changed()

    def action_slower(self) -> None:
        if self.race is not None:
            self.race.slower()
            self.changed()

    def action_to_end(self) -> None:
        if self.race is not None:
            self.race.to_end()
            self.changed()

    def action_restart(self) -> None:
        if self.race is not None:
            self.race.restart()
            self.changed()

    def action_tenth(self, k: int) -> None:
        if self.race is not None:
            self.race.seek_tenth(k)
            self.changed()

    def action_zoom(self) -> None:
        if self.race is None:
            return
        self.zoomed = not self.zoomed
        span = self.span()
        for panel in self.query(RaceSidePanel):
            panel.set_span(span)
        self.show_race()
        what = f"showing {span.label()}" if self.zoomed else "showing the whole swap area"
        self.app.notify(what, timeout=1.5)

    # ---- a new race -------------------------------------------------------------------
    def action_cycle_disk(self) -> None:
        race = self.race
        if race is None:
            return
        kinds = DISK_KINDS
        disk = kinds[(kinds.index(race.disk) + 1) % len(kinds)]
        self.rebuild(disk, race.readahead)

    def action_cycle_readahead(self) -> None:
        race = self.race
        if race is None:
            return
        mode = race.readahead
        nxt = (
            RA_MODES[(RA_MODES.index(mode) + 1) % len(RA_MODES)] if mode in RA_MODES else "default"
        )
        self.rebuild(race.disk, nxt)

    def rebuild(self, disk: str, readahead: str) -> None:
        race = self.race
        assert race is not None
        self.start(RaceSpec(race.scenario, race.algorithms, disk, readahead, race.extras))

    def start(self, spec: RaceSpec) -> None:
        """Say at once what is being computed; compute it once that is on screen."""
        disk = f" on {spec.disk}" if spec.disk else ""
        job = self.job = Job(f"{' against '.join(spec.algorithms)}{disk}")
        self.show_race()
        painted = threading.Event()
        self.call_after_refresh(painted.set)
        self.build_race(spec, job, painted)

    @work(thread=True, exclusive=True, group="race")
    def build_race(self, spec: RaceSpec, job: Job, painted: threading.Event) -> None:
        """Run the engine off the event loop; the old race stays on screen until then."""
        worker = get_current_worker()
        # replaced by another race (d, r), the screen closed (escape) or the app quits
        job.abandoned = lambda: worker.is_cancelled
        painted.wait(PAINT_WAIT_S)
        try:
            race = spec.build(job)
        except Abandoned:
            return
        except (RaceError, ScenarioError) as e:
            self.app.call_from_thread(self.failed, job, str(e).splitlines()[0])
            return
        if worker.is_cancelled:
            return
        self.app.call_from_thread(self.replace_race, race, job)

        # the race is on screen: take the sides' checkpoints now, so that a jump far
        # ahead (a digit, End) replays a checkpoint's worth of events, not the run;
        # job.check stops that once the race is replaced or left
        with contextlib.suppress(Abandoned):
            for side in race.sides:
                side.timeline.warm(job.check)

    def failed(self, job: Job, message: str) -> None:
        self.app.notify(literal(message), severity="error", timeout=6)
        if self.job is job and self in self.app.screen_stack:
            self.job = None if self.race is not None else Job(job.what, f"failed: {message}")
            self.show_race()

    def replace_race(self, race: Race, job: Job | None = None) -> None:
        if job is not None and job is not self.job:
            return  # a newer race replaced this one
        if self not in self.app.screen_stack:
            # escape closed this screen while the hand-over was already queued: its
            # panels are being removed, and nobody will look at this race
            return
        first = self.race is None
        if self.race is not None:
            race.speed = self.race.speed
        race.playing = self.autoplay
        self.race = race
        self.job = None
        self.install_race()
        self.refresh_bindings()
        if not first:
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
        if in_front(self):  # not for a key handled after another screen came over
            self.app.push_screen(RaceHelp())

    def action_leave(self) -> None:
        if not in_front(self):
            return  # an escape meant for this screen, handled after its help came over
        if self.standalone:
            self.app.exit(0)
        else:
            self.dismiss()

    def on_resize(self, event: Resize) -> None:
        self.fit(event.size.width, event.size.height)
        # call_next, not call_after_refresh: that posts this screen a message, which
        # came between two queued sizes and kept Textual from folding them into
        # one: the screen laid itself out at each in turn, forever (#18 item 6)
        self.call_next(self.show_race)

    def fit(self, w: int, h: int) -> None:
        """Heights that depend on the size only (never on how far the race is)."""
        # below 100 columns the footer needs the palette's room for the race's own keys
        self.query_one(Footer).show_command_palette = w >= 100
        self.query_one("#verdict").styles.height = verdict_lines(w)
        sides = max(1, h - 2 - verdict_lines(w))  # header and footer
        for panel in self.query(RaceSidePanel):
            panel.fit(sides)


class RaceApp(ThemedApp):
    """`swaptui race`: the race screen on its own, with the app's themes."""

    TITLE = "swaptui race"

    def __init__(
        self,
        race: Race | RaceSpec,
        *,
        theme: str | None = None,
        remember_theme: bool = True,
        autoplay: bool = True,
        present: bool = False,
    ) -> None:
        super().__init__(theme=theme, remember_theme=remember_theme, present=present)
        if isinstance(race, Race):
            race.playing = autoplay and race.playing
        self.main = RaceScreen(race, standalone=True, autoplay=autoplay)

    def presentation_changed(self) -> None:
        self.main.show_race()

    def get_default_screen(self) -> Screen[None]:
        return self.main

    def fit(self, w: int, h: int) -> None:
        if self.main.is_mounted:
            self.main.fit(w, h)

    @property
    def race(self) -> Race | None:
        return self.main.race
