"""Pilot tests of the race screen: every key, the verdict, switching disk and readahead."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from models.breakdown import CATEGORIES
from models.narrate import duration
from models.scenario import load_preset
from swaptui.race.model import Race
from swaptui.race.screen import RaceApp, RaceHelp, RaceScreen
from swaptui.race.side import RaceSidePanel
from swaptui.screens.modals import TooSmallScreen
from swaptui.widgets.breakdown import BreakdownBars
from swaptui.widgets.diskhead import DiskHead
from swaptui.widgets.source import SourcePane
from swaptui.widgets.swapmap import SwapMap
from tests.pilot import sync


def make_app(algos: tuple[str, ...] = ("legacy", "linear"), disk: str = "hdd") -> RaceApp:
    return RaceApp(Race(load_preset("demo"), algos, disk), remember_theme=False, autoplay=False)


def screen_of(app: RaceApp) -> RaceScreen:
    scr = app.screen
    assert isinstance(scr, RaceScreen)
    return scr


def verdict_of(app: RaceApp) -> str:
    return str(screen_of(app).query_one("#verdict").render())


def screen_text(app: RaceApp) -> str:
    """What the terminal shows, as plain text (from the SVG screenshot)."""
    svg = app.export_screenshot()
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


async def settle(app: RaceApp, pilot: Any) -> None:
    """Wait for a rebuild worker and the redraw after it; the new race stays paused
    (it would start playing, and a playing screen keeps the pilot waiting)."""
    await app.workers.wait_for_complete()
    await pilot.pause()
    screen_of(app).race.playing = False
    await pilot.pause()


@pytest.mark.slow
@sync
async def test_end_shows_the_verdict_and_home_restarts() -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        scr = screen_of(app)
        assert scr.race.clock_ps == 0 and "End: verdict" in verdict_of(app)
        await pilot.press("end")
        assert scr.race.finished
        text = verdict_of(app)
        assert text.startswith("legacy is 24x faster than linear on hdd (1.26 ms vs 30.2 ms)")
        assert scr.query_one("#verdict").has_class("final")
        for panel in scr.query(RaceSidePanel):
            assert panel.has_class("done")
            assert "finished in" in str(panel.border_subtitle)
        await pilot.press("home")
        assert scr.race.playing and scr.race.clock_ps < scr.race.end_ps // 10
        assert not scr.query_one("#verdict").has_class("final")


@pytest.mark.slow
@sync
async def test_space_plays_and_the_faster_side_finishes_first() -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        scr = screen_of(app)
        assert not scr.race.playing
        await pilot.press("space")
        assert scr.race.playing
        await pilot.press("space")
        assert not scr.race.playing
        legacy, linear = scr.race.sides
        scr.race.seek((legacy.total_ps + linear.total_ps) // 2)
        scr.show_race()
        await pilot.pause()
        panels = list(scr.query(RaceSidePanel))
        assert panels[0].has_class("done") and not panels[1].has_class("done")
        assert "legacy is done in" in verdict_of(app)
        assert "waiting for linear" in verdict_of(app)
        # the bars on screen (not only in the widget) hold the time at the clock
        parts = linear.parts_at(scr.race.clock_ps)
        shown = screen_text(app)
        assert duration(parts[CATEGORIES.index("rotation")]) in shown


@sync
async def test_speed_keys() -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        scr = screen_of(app)
        await pilot.press("plus", "plus")
        assert scr.race.speed == 5.0
        await pilot.press("minus", "minus", "minus", "minus")
        assert scr.race.speed == 0.25
        header = str(scr.query_one("#race-header").render())
        assert "0.25x" in header


@pytest.mark.slow
@sync
async def test_d_switches_the_disk_and_the_verdict_flips() -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        scr = screen_of(app)
        await pilot.press("end")
        assert verdict_of(app).startswith("legacy is ") and " on hdd (" in verdict_of(app)
        await pilot.press("d")
        await settle(app, pilot)
        assert scr.race.disk == "ssd" and scr.race.clock_ps == 0
        await pilot.press("end")
        assert verdict_of(app).startswith("linear is ") and " on ssd (" in verdict_of(app)
        # the bars show the disk's own parts: an ssd has latency, not seek or rotation
        assert scr.query(BreakdownBars).first().rows() == ("walk", "cpu", "access", "transfer")
        await pilot.press("d")
        await settle(app, pilot)
        assert scr.race.disk == "zram"
        await pilot.press("d")
        await settle(app, pilot)
        assert scr.race.disk == "hdd"


@pytest.mark.slow
@sync
async def test_r_cycles_the_readahead() -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        scr = screen_of(app)
        assert [s.run.readahead for s in scr.race.sides] == ["none", "cluster-adaptive"]
        await pilot.press("r")
        await settle(app, pilot)
        assert scr.race.readahead == "none"
        assert [s.run.readahead for s in scr.race.sides] == ["none", "none"]
        await pilot.press("r")
        await settle(app, pilot)
        assert scr.race.readahead == "on"
        assert [s.run.readahead for s in scr.race.sides] == ["cluster", "cluster-adaptive"]
        await pilot.press("r")
        await settle(app, pilot)
        assert scr.race.readahead == "default"


@sync
async def test_s_shows_the_source_of_every_side() -> None:
    app = make_app(("legacy", "rfc", "linear"))
    async with app.run_test(size=(160, 48)) as pilot:
        scr = screen_of(app)
        scr.race.seek(scr.race.end_ps // 3)
        await pilot.press("s")
        await pilot.pause()
        for panel in scr.query(RaceSidePanel):
            assert panel.has_class("source")
            pane = panel.query_one(SourcePane)
            assert pane.display and pane.current is not None
            assert pane.algorithm == panel.side.algorithm  # type: ignore[union-attr]
        await pilot.press("s")
        await pilot.pause()
        assert not any(p.has_class("source") for p in scr.query(RaceSidePanel))


@pytest.mark.slow
@sync
async def test_help_theme_and_leaving() -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, RaceHelp)
        await pilot.press("escape")
        assert isinstance(app.screen, RaceScreen)
        before = app.theme
        await pilot.press("t")
        assert app.theme != before
        await pilot.press("escape")
        await pilot.pause()
    assert app.return_value == 0


@pytest.mark.slow
@sync
async def test_resizing_down_and_back_never_raises() -> None:
    app = make_app(("legacy", "rfc", "linear"))
    async with app.run_test(size=(160, 48)) as pilot:
        screen_of(app).race.seek(screen_of(app).race.end_ps // 2)
        for size in ((80, 24), (20, 5), (79, 30), (250, 70), (80, 24)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            await pilot.pause()
            if size[0] < 80 or size[1] < 24:
                assert isinstance(app.screen, TooSmallScreen)
            else:
                assert isinstance(app.screen, RaceScreen)


# ---- from the single-run app -------------------------------------------------------------


def swap_app(algorithm: str = "legacy") -> Any:
    from swaptui.viewer.app import SwapApp
    from swaptui.viewer.player import RunKey, build_timeline

    sc = load_preset("demo")
    key = RunKey(algorithm, None, None)
    return SwapApp(sc, build_timeline(sc, key), key, remember_theme=False)


@pytest.mark.slow
@sync
async def test_c_races_the_current_scenario_and_escape_comes_back() -> None:
    app = swap_app("rfc")
    async with app.run_test(size=(160, 48)) as pilot:
        frame = app.player.frame
        await pilot.press("c")
        await app.workers.wait_for_complete()
        await pilot.pause()
        scr = app.screen
        assert isinstance(scr, RaceScreen) and not scr.standalone
        assert scr.race.algorithms == ("legacy", "rfc")
        assert scr.race.scenario is app.player.scenario
        scr.race.playing = False
        # the player's keys do nothing behind the race
        await pilot.press("a", "right", "left_square_bracket")
        assert app.player.key.algorithm == "rfc" and app.player.frame == frame
        await pilot.press("end")
        assert scr.race.finished and verdict_of(app).startswith("legacy is ")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, RaceScreen)
        await pilot.press("a")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.player.key.algorithm == "linear"


@pytest.mark.slow
@sync
async def test_s_puts_the_source_beside_or_instead_of_the_page_tables() -> None:
    from swaptui.widgets.pagetables import PageTables

    app = swap_app("linear")
    async with app.run_test(size=(160, 48)) as pilot:
        pane = app.query_one(SourcePane)
        assert not pane.display
        await pilot.press("s")
        await pilot.pause()
        assert pane.display and app.query_one(PageTables).display
        assert pane.region.x > app.query_one(PageTables).region.x  # beside, to the right
        for _ in range(8):
            await pilot.press("right")
        await pilot.pause()
        assert pane.algorithm == "linear" and pane.current is not None
        assert "source · linear" in str(pane.border_title)
        # below 160 columns it takes the page tables' place
        await pilot.resize_terminal(120, 36)
        await pilot.pause()
        await pilot.pause()
        assert pane.display and not app.query_one(PageTables).display
        await pilot.press("a")  # linear -> prefetch (the registry's cycle): the listing follows
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("right", "right")
        await pilot.pause()
        assert pane.algorithm == "prefetch"
        await pilot.press("s")
        await pilot.pause()
        assert not pane.display and app.query_one(PageTables).display


@sync
async def test_digits_jump_the_clock_and_z_zooms_every_side() -> None:
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        scr = screen_of(app)
        race = scr.race
        assert race is not None
        await pilot.press("5")
        assert race.clock_ps == race.end_ps * 5 // 10
        await pilot.press("0")
        assert race.clock_ps == 0
        # demo's 64 slots are shown whole (a small area always is); z toggles anyway
        maps = [p.query_one(SwapMap) for p in scr.query(RaceSidePanel)]
        assert all(m.span.whole for m in maps)
        await pilot.press("z")
        await pilot.pause()
        assert all(m.span == maps[0].span for m in maps)


@sync
async def test_the_layout_stays_put_when_a_side_finishes() -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        scr = screen_of(app)
        race = scr.race
        assert race is not None

        def regions() -> list[object]:
            return [w.region for w in scr.query("RaceSidePanel > *")] + [
                scr.query_one("#verdict").region
            ]

        before = regions()
        legacy = race.sides[0]
        race.seek(legacy.total_ps + 1)  # legacy is done, linear is not
        scr.show_race()
        await pilot.pause()
        assert regions() == before
        await pilot.press("end")  # the verdict (two lines: it had them all along)
        await pilot.pause()
        assert regions() == before
        # the head chart has real height: a bar and at least four chart rows
        disk = scr.query_one("#side0").query_one(DiskHead)
        assert disk.chart_lines() >= 4


@sync
async def test_a_race_spec_paints_first_and_says_what_it_computes() -> None:
    from swaptui.race.model import RaceSpec

    app = RaceApp(RaceSpec("demo"), remember_theme=False, autoplay=False)
    async with app.run_test(size=(120, 36)) as pilot:
        scr = screen_of(app)
        if scr.race is None:  # (a fast machine may be done already)
            shown = screen_text(app)
            assert "computing legacy against linear" in shown
            assert "in use" not in shown and "no disk requests" not in shown
        await settle(app, pilot)
        assert scr.race is not None and scr.race.scenario.name == "demo"
