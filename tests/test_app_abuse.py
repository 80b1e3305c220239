"""The app under abuse (#18 item 6): what random keys and resizes broke, one test each.

Each test replays, in a pilot, the shortest sequence found that broke the app in a
real session (tmux, random keys and `resize-window`), and says what went wrong.
"""

from __future__ import annotations

from typing import Any

from textual.command import CommandPalette

from models.scenario import load_preset
from swaptui.race.model import Race
from swaptui.race.screen import RaceApp, RaceScreen
from swaptui.screens.modals import HelpScreen, TooSmallScreen
from swaptui.viewer.app import SwapApp
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
