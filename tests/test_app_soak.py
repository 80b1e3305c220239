"""A soak: seeded random keys, clicks and resizes through the app and the race (#18.6).

Thirteen one-minute sessions of random keys and resizes once crashed five times and
froze seven.  Here the app (with `c`, its race) and `swaptui race` take bursts of
random events (tests/soak.py) and must never crash, keep the "enlarge" notice on
top whenever it is up and take it away when the size is back, and still quit on `q`
at the end (a frozen app would fail the pilot's wait instead).  The quick soak runs
with every test run; the long ones, on the full-scale kelley-50m too, are `slow`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from models.scenario import load_preset
from swaptui.race.model import Race, RaceSpec
from swaptui.race.screen import RaceApp
from swaptui.screens.modals import TooSmallScreen
from swaptui.themed import ThemedApp
from swaptui.viewer.app import SwapApp
from swaptui.viewer.player import RunKey, build_timeline
from tests.pilot import sync
from tests.soak import APP_KEYS, RACE_KEYS, Abuser

BIG = (120, 36)


def stack(app: Any) -> list[str]:
    return [type(s).__name__ for s in app.screen_stack]


def demo_app() -> SwapApp:
    sc = load_preset("demo")
    key = RunKey("legacy", None, None)
    return SwapApp(sc, build_timeline(sc, key), key, remember_theme=False)


def demo_race() -> RaceApp:
    return RaceApp(Race(load_preset("demo"), ("legacy", "linear"), "hdd"), remember_theme=False)


async def soak(
    make_app: Callable[[], ThemedApp], seed: int, bursts: int, keys: tuple[str, ...]
) -> int:
    """`bursts` bursts of random events, then the checks; the app must quit on q.

    The app may end the session itself, without a crash: the command palette's Quit
    (a click or enter on it).  Then a new session takes the rest of the bursts.
    Returns the number of sessions."""
    sessions = 0
    rng = random.Random(seed)
    while True:
        sessions += 1
        app = make_app()
        async with app.run_test(size=BIG) as pilot:
            abuser = Abuser(app, pilot, rng.randrange(2**32), keys)
            while bursts > 0 and app.return_code is None:
                bursts -= 1
                await abuser.burst()
                assert app.crashed is None, abuser.tail()
                # whenever the notice is up, it is on top (nothing hides it)
                notices = [s for s in app.screen_stack if isinstance(s, TooSmallScreen)]
                assert notices == ([app.screen] if app.too_small else []), (
                    stack(app),
                    abuser.tail(),
                )
            if app.return_code is not None:
                assert app.return_code == 0, abuser.tail()
                assert sessions < 10, "the app quits all the time: " + abuser.tail()
                continue  # it quit (the palette's Quit): a new session
            await final_checks(app, pilot, abuser)
        assert app.crashed is None
        return sessions


async def final_checks(app: ThemedApp, pilot: Any, abuser: Abuser) -> None:
    """The notice goes with the size and comes again; q quits."""
    await pilot.resize_terminal(*BIG)
    await pilot.pause()
    assert not app.too_small and "TooSmallScreen" not in stack(app), (stack(app), abuser.tail())
    await pilot.resize_terminal(79, 24)
    await pilot.pause()
    assert isinstance(app.screen, TooSmallScreen), stack(app)
    await pilot.resize_terminal(*BIG)
    await pilot.pause()
    # close whatever is open (dialogs, the palette, the race), then q quits
    main = getattr(app, "main", None)
    for _ in range(8):
        if app.screen is main:
            break
        await pilot.press("escape")
    assert app.screen is main, stack(app)
    await pilot.press("q")
    assert app.return_code == 0, abuser.tail()


@pytest.fixture(autouse=True)
def stills_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # ctrl+s writes its stills in the current directory


@sync
async def test_quick_soak_of_the_app_and_its_race() -> None:
    await soak(demo_app, seed=1, bursts=40, keys=APP_KEYS)


@sync
async def test_quick_soak_of_swaptui_race() -> None:
    await soak(demo_race, seed=2, bursts=25, keys=RACE_KEYS)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [11, 12, 13])
@sync
async def test_soak_of_the_app(seed: int) -> None:
    await soak(demo_app, seed=seed, bursts=150, keys=APP_KEYS)


@pytest.mark.slow
@sync
async def test_soak_of_the_app_on_kelley_50m() -> None:
    # the full-scale preset, opened by name as the command line does: every a, d, r
    # and c computes for a second or more, so keys keep landing while it computes
    def kelley() -> ThemedApp:
        return SwapApp.deferred("kelley-50m", "legacy", remember_theme=False)

    await soak(kelley, seed=21, bursts=60, keys=APP_KEYS)


@pytest.mark.slow
@sync
async def test_soak_of_swaptui_race_on_kelley_50m() -> None:
    def kelley() -> ThemedApp:
        return RaceApp(RaceSpec("kelley-50m", ("legacy", "linear"), None), remember_theme=False)

    await soak(kelley, seed=22, bursts=60, keys=RACE_KEYS)
