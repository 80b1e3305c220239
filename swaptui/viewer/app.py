"""The swaptui Textual app: a thin host for the main screen (`viewer.screen`).

The app owns what outlives a screen: the theme (`ThemedApp`), the play clock's
timer, quitting, screenshots and the command palette.  Everything about the run on
screen is the main screen's; the few methods here that forward to it are what the
recorder and the tests drive.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from textual.app import SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen

import themes
from models.algorithms import REGISTRY
from models.events import GRANULARITIES
from models.scenario_model import Scenario
from models.timeline import Timeline
from swaptui.themed import ThemedApp
from swaptui.viewer import scenarios
from swaptui.viewer.jobs import TICK_S
from swaptui.viewer.player import NO_EXTRAS, Player, RunKey, build_timeline, check_key
from swaptui.viewer.screen import MainScreen


def _key(algorithm: str, kw: dict[str, object]) -> RunKey:
    """The RunKey of from_ref/deferred's keyword arguments (taken out of `kw`)."""
    extras = kw.pop("extras", None) or NO_EXTRAS
    disk, readahead = kw.pop("disk", None), kw.pop("readahead", None)
    return RunKey(algorithm, disk, readahead, extras)  # type: ignore[arg-type]


class SwapApp(ThemedApp):
    TITLE = "swaptui"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "quit"),
    ]

    def __init__(
        self,
        scenario: Scenario | str,
        timeline: Timeline | None,
        key: RunKey,
        *,
        granularity: str | None = None,
        theme: str | None = None,
        remember_theme: bool = True,
        present: bool = False,
    ) -> None:
        super().__init__(theme=theme, remember_theme=remember_theme, present=present)
        # timeline None: the screen comes up at once and computes the run in a worker
        self.main = MainScreen(scenario, timeline, key, granularity)

    @classmethod
    def from_ref(
        cls, scenario_ref: str = "demo", algorithm: str = "legacy", **kw: object
    ) -> SwapApp:
        """Load and run a scenario (tests, benchmarks); ScenarioError/OptionError escape."""
        scenario = scenarios.load(scenario_ref)
        key = _key(algorithm, kw)
        return cls(scenario, build_timeline(scenario, key), key, **kw)  # type: ignore[arg-type]

    @classmethod
    def deferred(
        cls, scenario_ref: str = "demo", algorithm: str = "legacy", **kw: object
    ) -> SwapApp:
        """Load and check the scenario now (errors escape), run it after the first paint."""
        scenario = scenarios.load(scenario_ref)
        key = _key(algorithm, kw)
        check_key(scenario, key)
        return cls(scenario, None, key, **kw)  # type: ignore[arg-type]

    def get_default_screen(self) -> Screen[None]:
        return self.main

    def on_mount(self) -> None:
        self.set_interval(TICK_S, self.tick)

    def fit(self, w: int, h: int) -> None:
        self.main.fit_layout(w, h)

    # ---- what the recorder and the tests drive --------------------------------------
    @property
    def player(self) -> Player:
        return self.main.player

    @property
    def computing(self) -> bool:
        return self.main.computing

    def tick(self) -> None:
        """The play clock (the recorder silences it and moves the player itself)."""
        self.main.tick()

    def changed(self) -> None:
        self.main.changed()

    def show_frame(self) -> None:
        self.main.show_frame()

    def action_step(self, n: int) -> None:
        self.main.action_step(n)

    def set_granularity(self, granularity: str) -> None:
        self.main.set_granularity(granularity)

    def set_algorithm(self, algorithm: str) -> None:
        self.main.set_algorithm(algorithm)

    def install_run(self, scenario: Scenario, timeline: Timeline, key: RunKey) -> None:
        self.main.install_run(scenario, timeline, key)

    def set_caption(self, text: str | None) -> None:
        """A bold centred line over the bottom of the main screen (None hides it)."""
        self.main.set_caption(text)

    @property
    def caption(self) -> str | None:
        return self.main.caption

    # ---- app-wide actions -----------------------------------------------------------
    def presentation_changed(self) -> None:
        # the key hints of frame 0 come and go with presentation mode
        self.main.show_frame()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        main = self.main
        for name in themes.THEME_NAMES:
            yield SystemCommand(f"Theme: {name}", "swaptui theme", lambda n=name: self.set_theme(n))
        yield SystemCommand("Screenshot (SVG and PNG)", "ctrl+s", self.action_save_still)
        yield SystemCommand(
            "Presentation mode", "p: no key bar or hints", self.action_toggle_present
        )
        if not main.ready or screen is not main:
            # no run yet: nothing to play, switch or race; or the palette is over the race
            # (or a dialog), where these would change the run hidden behind it
            return
        yield SystemCommand("Play / pause", "space", main.action_toggle_play)
        yield SystemCommand("First frame", "Home", main.action_first)
        yield SystemCommand("Last frame", "End", main.action_last)
        for entry in REGISTRY:
            yield SystemCommand(
                f"Algorithm: {entry.name}",
                f"{entry.description} (restarts at frame 0)",
                lambda a=entry.name: main.set_algorithm(a),
            )
        for g in GRANULARITIES:
            yield SystemCommand(
                f"Step size: {g}",
                "frames at this granularity",
                lambda g=g: main.set_granularity(g),
            )
        yield SystemCommand("Race", "c: two algorithms, one clock, a verdict", main.action_race)
        yield SystemCommand(
            "Source pane", "s: the running line of the algorithm", main.action_toggle_source
        )
        yield SystemCommand("Next disk", "d", main.action_cycle_disk)
        yield SystemCommand("Next readahead", "r", main.action_cycle_readahead)
        yield SystemCommand("Open a scenario", "o", main.action_open)


def launch(
    scenario: Scenario | str,
    key: RunKey,
    *,
    theme: str | None = None,
    granularity: str | None = None,
    present: bool = False,
) -> int:
    """Run the app on a checked scenario (or a preset's name) and key; the scenario is
    generated and the run computed after the first paint.  The command layer
    (`swaptui.commands.app`) has checked everything."""
    app = SwapApp(scenario, None, key, granularity=granularity, theme=theme, present=present)
    return app.run_for_status()
