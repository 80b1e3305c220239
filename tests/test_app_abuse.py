"""The app under abuse (#18 item 6): what random keys and resizes broke, one test each.

Each test replays, in a pilot, the shortest sequence found that broke the app in a
real session (tmux, random keys and `resize-window`), and says what went wrong.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest
from textual.command import CommandPalette

from models.scenario import load_preset
from swaptui.race.model import Race, RaceSpec
from swaptui.race.screen import RaceApp, RaceScreen
from swaptui.screens.modals import HelpScreen, TooSmallScreen
from swaptui.viewer.app import SwapApp
from swaptui.viewer.jobs import Abandoned
from swaptui.viewer.player import RunKey, build_timeline
from swaptui.viewer.screen import MainScreen
from tests.pilot import sync

SMALL, BIG = (79, 23), (120, 36)


def demo_app() -> SwapApp:
    sc = load_preset("demo")
    key = RunKey("legacy", None, None)
    return SwapApp(sc, build_timeline(sc, key), key, remember_theme=False)


def race_app() -> RaceApp:
    race = Race(load_preset("demo"), ("legacy", "linear"), "hdd")
    return RaceApp(race, remember_theme=False, autoplay=False)


def stack(app: Any) -> list[str]:
    return [type(s).__name__ for s in app.screen_stack]


async def resize(pilot: Any, size: tuple[int, int]) -> None:
    await pilot.resize_terminal(*size)
    await pilot.pause()
    await pilot.pause()


# ---- the command palette and the "enlarge" notice ----------------------------------------


@sync
async def test_ctrl_p_over_the_notice_over_the_palette_does_not_crash() -> None:
    # The session that crashed: ctrl+p, resize to 79x23, ctrl+p.  The notice was pushed
    # over the open palette; Textual's "is a palette open?" looks only at the top screen
    # (the notice), so ctrl+p pushed a second palette with the same id: DuplicateIds.
    for app in (demo_app(), race_app()):
        async with app.run_test(size=BIG) as pilot:
            await pilot.press("ctrl+p")
            await pilot.pause()
            assert isinstance(app.screen, CommandPalette)
            await resize(pilot, SMALL)
            assert isinstance(app.screen, TooSmallScreen)
            await pilot.press("ctrl+p")
            await pilot.pause()
            assert isinstance(app.screen, TooSmallScreen)  # nothing opens over the notice
            await resize(pilot, BIG)
            # the palette the user opened is back, the notice is gone
            assert isinstance(app.screen, CommandPalette)
            assert "TooSmallScreen" not in stack(app)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, MainScreen | RaceScreen)


@sync
async def test_the_notice_goes_when_the_size_is_back_even_under_another_screen() -> None:
    # ctrl+p below 80x24 opened the palette over the notice; enlarging "dismissed" the
    # notice, which pops whatever screen is on top: the palette went and the notice
    # stayed for good.  Whatever lies over it, the notice itself must go.
    for app in (demo_app(), race_app()):
        async with app.run_test(size=BIG) as pilot:
            await resize(pilot, (20, 5))
            await pilot.press("ctrl+p")
            await pilot.pause()
            # and should anything else come over the notice, it still goes
            app.push_screen(HelpScreen())
            await pilot.pause()
            await resize(pilot, BIG)
            assert "TooSmallScreen" not in stack(app), stack(app)
            assert not isinstance(app.screen, TooSmallScreen)


# ---- computations nobody waits for ----------------------------------------------------------


class SlowBuilds:
    """Stands in for building a run or a race: a second of "engine" in 10 ms slices, each
    reporting its progress to the job as the engine does.  Counts how each one ended."""

    SLICES = 100

    def __init__(self, real: Any) -> None:
        self.real = real
        self.started = self.abandoned = self.finished = 0
        self.lock = threading.Lock()

    def __call__(self, *args: Any) -> Any:
        job = args[-1]
        with self.lock:
            self.started += 1
        try:
            for i in range(self.SLICES):
                job.report(i / self.SLICES)
                time.sleep(0.01)
        except Abandoned:
            with self.lock:
                self.abandoned += 1
            raise
        with self.lock:
            self.finished += 1
        return self.real(*args)

    async def all_ended(self) -> None:
        """Wait (at most 5 s) until every thread that started has ended, one way or the
        other: a thread outlives its cancelled worker."""
        for _ in range(500):
            if self.started == self.abandoned + self.finished:
                return
            await asyncio.sleep(0.01)


@sync
async def test_runs_replaced_by_newer_ones_stop_computing(monkeypatch: pytest.MonkeyPatch) -> None:
    # a pressed five times on kelley-50m: each press cancelled the worker of the one
    # before, but a thread cannot be stopped, so all five ran to their end at once,
    # starving the screen (80-90% CPU, keys answered seconds late).  The replaced ones
    # must stop at their next progress report.
    import swaptui.viewer.screen as screen_module

    slow = SlowBuilds(screen_module.build_run)
    monkeypatch.setattr(screen_module, "build_run", slow)
    app = demo_app()
    async with app.run_test(size=BIG) as pilot:
        for _ in range(5):
            await pilot.press("a")
            await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        await slow.all_ended()
        await pilot.pause()
        assert slow.started >= 2
        assert slow.finished == 1, (slow.started, slow.abandoned, slow.finished)
        assert slow.abandoned == slow.started - 1
        # the last one pressed is on screen: legacy, then rfc, linear, legacy, rfc, linear
        assert app.player.key.algorithm == "linear"


@sync
async def test_quitting_stops_the_computation(monkeypatch: pytest.MonkeyPatch) -> None:
    # q while a run was computing: the app closed, but the process waited for the
    # thread to finish (for a minute on vineeth-6g, seconds with several piled up)
    import swaptui.viewer.screen as screen_module

    slow = SlowBuilds(screen_module.build_run)
    monkeypatch.setattr(screen_module, "build_run", slow)
    app = demo_app()
    async with app.run_test(size=BIG) as pilot:
        await pilot.press("a")
        await pilot.pause(0.1)
        await pilot.press("q")
    await slow.all_ended()
    assert (slow.started, slow.abandoned, slow.finished) == (1, 1, 0)


@sync
async def test_races_replaced_or_left_stop_computing(monkeypatch: pytest.MonkeyPatch) -> None:
    # the race screen's own d and r, and escape while it computes, the same way
    slow = SlowBuilds(RaceSpec.build)
    monkeypatch.setattr(RaceSpec, "build", lambda spec, job: slow(spec, job))
    app = demo_app()
    async with app.run_test(size=BIG) as pilot:
        await pilot.press("c")  # the race is computed: escape leaves it
        await pilot.pause(0.1)
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert isinstance(app.screen, MainScreen)
        await slow.all_ended()
        assert (slow.started, slow.abandoned, slow.finished) == (1, 1, 0)
    slow.started = slow.abandoned = slow.finished = 0
    app2 = race_app()
    async with app2.run_test(size=BIG) as pilot:
        for key in "dddr":
            await pilot.press(key)
            await pilot.pause(0.05)
        await app2.workers.wait_for_complete()
        await slow.all_ended()
        assert slow.finished == 1 and slow.abandoned == slow.started - 1 >= 1
