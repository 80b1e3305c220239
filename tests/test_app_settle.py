"""The run plays as soon as it is computed: what it still needs (the check of its end
state, the rest of its checkpoints) is done by the worker while it is on screen, and
the verdict of that check still reaches the last frame."""

from __future__ import annotations

import threading
import time

import pytest

from models.faults import parse_fault
from swaptui.viewer import player as player_mod
from swaptui.viewer.app import SwapApp
from swaptui.viewer.player import Extras
from tests.pilot import open_race, sync

WAIT_S = 10.0


@pytest.mark.slow
@sync
async def test_the_run_plays_while_its_end_state_is_still_being_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """rfc under a pressure fault leaves 2 swap entries behind (test_app_faults): the
    `⚠ 2 left behind` mark comes from the check of the end state.  Here that check
    waits until the test lets it go: the run must be on screen and step meanwhile
    (it would still say "computing" if the check came before the run was shown)."""
    release = threading.Event()
    entered = threading.Event()
    real = player_mod.check

    def held(run):  # type: ignore[no-untyped-def]
        entered.set()
        release.wait(WAIT_S)
        return real(run)

    monkeypatch.setattr(player_mod, "check", held)
    extras = Extras((parse_fault("pressure:pages=3:after=6"),))
    app = SwapApp.deferred("demo", "rfc", extras=extras, remember_theme=False)
    async with app.run_test(size=(120, 36)) as pilot:
        deadline = time.monotonic() + WAIT_S
        while app.computing and time.monotonic() < deadline:
            await pilot.pause(0.05)
        assert not app.computing, "the run is on screen before its end state is checked"
        while not entered.is_set() and time.monotonic() < deadline:
            await pilot.pause(0.05)
        assert entered.is_set() and not release.is_set()
        await pilot.press("right")
        await pilot.press("right")
        assert app.player.frame == 2  # it steps while the check waits
        header = app.query_one("#header").render().plain  # type: ignore[attr-defined]
        assert "computing" not in header
        release.set()
        await app.workers.wait_for_complete()
        assert app.player.timeline.checkpointed  # and the worker took every checkpoint
        await pilot.press("end")
        await pilot.pause()
        header = app.query_one("#header").render().plain  # type: ignore[attr-defined]
        assert "⚠ 2 left behind" in header


@pytest.mark.slow
@sync
async def test_the_first_run_is_frozen_without_a_full_collection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Nothing is frozen before the first run: installing it freezes it at once (no
    full pass over it before its first frame); the next run (a) unfreezes and
    collects first, so that what was frozen with the first can be freed."""
    import gc

    from swaptui.viewer import computing as computing_mod

    collections: list[int] = []

    class Spy:
        def __getattr__(self, name: str) -> object:
            return getattr(gc, name)

        def collect(self, *args: int) -> int:
            collections.append(gc.get_freeze_count())
            return gc.collect(*args)

    monkeypatch.setattr(computing_mod, "gc", Spy())
    gc.unfreeze()  # as in a fresh process
    try:
        app = SwapApp.deferred("demo", "legacy", remember_theme=False)
        async with app.run_test(size=(120, 36)) as pilot:
            deadline = time.monotonic() + WAIT_S
            while app.computing and time.monotonic() < deadline:
                await pilot.pause(0.05)
            assert not app.computing
            assert collections == [] and gc.get_freeze_count() > 0
            await app.workers.wait_for_complete()
            await pilot.press("a")
            while app.player.key.algorithm == "legacy" and time.monotonic() < deadline:
                await pilot.pause(0.05)
            assert app.player.key.algorithm != "legacy"
            # one full collection, made after unfreezing (nothing frozen at that moment)
            assert collections == [0]
    finally:
        gc.unfreeze()


@pytest.mark.slow
@sync
async def test_the_race_takes_its_sides_checkpoints_once_it_is_on_screen() -> None:
    """The race's sides are built on lazy timelines (one checkpoint each); once the race
    is on screen its worker takes the rest, so a digit or End replays a checkpoint's
    worth of events, not the whole run.  `fork`'s runs have thousands of events, many
    checkpoints' worth (asserted, or the test would prove nothing)."""
    app = SwapApp.deferred("fork", "legacy", remember_theme=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.workers.wait_for_complete()
        race_screen = await open_race(app, pilot)
        assert race_screen.race is not None
        timelines = [side.timeline for side in race_screen.race.sides]
        assert all(len(t.events) > t.every for t in timelines)
        assert all(t.checkpointed for t in timelines)
