"""Pilot tests of what makes a run of any size watchable: the zoom, the pace and its
keys, the jumps, and the notice that something is being computed."""

from __future__ import annotations

import pytest

from models.scenario import load_preset
from models.scenario_model import Mm, Scenario, Vma
from swaptui.viewer.app import SwapApp
from swaptui.viewer.player import RunKey, build_timeline
from swaptui.widgets.diskhead import DiskHead
from swaptui.widgets.swapmap import SwapMap
from swaptui.widgets.text import Header, NowLine
from tests.pilot import sync
from tests.screen import screen_lines

BASE = 0x7F00_0000_0000


def demo_app(algorithm: str = "legacy", **kw: object) -> SwapApp:
    sc = load_preset("demo")
    key = RunKey(algorithm, None, None)
    return SwapApp(sc, build_timeline(sc, key), key, remember_theme=False, **kw)  # type: ignore[arg-type]


def low_area() -> Scenario:
    """8,192 slots, the 40 in use all at the bottom (slots 1-40), as a fresh area fills."""
    swapped = tuple((i, 1 + i) for i in range(40))
    return Scenario(
        name="low",
        slots=8192,
        mms=(Mm(100, "a", None, (Vma(BASE, 64, True, (), swapped),)),),
    )


@sync
async def test_digits_jump_by_tenths_of_the_run() -> None:
    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        # demo on legacy plays range steps: 169 frames, the last is 168
        assert (app.player.granularity, app.player.frames) == ("range", 169)
        await pilot.press("5")
        assert app.player.frame == 84  # 168 * 5 / 10
        await pilot.press("9")
        assert app.player.frame == 151  # round(151.2)
        await pilot.press("1")
        assert app.player.frame == 17  # round(16.8)
        await pilot.press("0")
        assert app.player.frame == 0


@sync
async def test_brackets_follow_the_frame_counts_of_the_run() -> None:
    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        # legacy on demo: pte 1,080 frames, range 169, mm 74, entry 42, pass 2
        await pilot.press("right_square_bracket")
        assert app.player.granularity == "mm"
        await pilot.press("right_square_bracket")
        assert app.player.granularity == "entry"
        await pilot.press("left_square_bracket", "left_square_bracket", "left_square_bracket")
        assert app.player.granularity == "pte"
        await pilot.press("left_square_bracket")  # nothing finer: stays, says so
        await pilot.pause()
        assert app.player.granularity == "pte"
        assert any("already the finest" in n.message for n in app._notifications)
        header = screen_lines(app)[0]
        assert "pte 20/s" in header  # the speed that plays this step size in about a minute


@sync
async def test_z_toggles_between_the_work_and_the_whole_area() -> None:
    sc = low_area()
    key = RunKey("legacy", None, None)
    app = SwapApp(sc, build_timeline(sc, key), key, remember_theme=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        smap, disk = app.query_one(SwapMap), app.query_one(DiskHead)
        # slots 1-40 in use (and read), one slot of margin: 0-41 of 8,192
        assert (smap.span.lo, smap.span.hi) == (0, 42)
        assert "slots 0-41 of 8,192" in str(smap.border_title)
        assert disk.render_line(0).text.rstrip().endswith("┤ 41")
        await pilot.press("z")
        await pilot.pause()
        assert smap.span.whole and "8,192 slots" in str(smap.border_title)
        assert disk.render_line(0).text.rstrip().endswith("┤ 8,191")
        await pilot.press("z")
        await pilot.pause()
        assert (smap.span.lo, smap.span.hi) == (0, 42)


@pytest.mark.slow
@sync
async def test_a_says_at_once_what_it_computes() -> None:
    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        # the key's action, on its own: when it returns, before any worker has run, the
        # header and the now line already say what is coming (demo computes too fast
        # to catch it between two pilot steps)
        app.main.action_cycle_algorithm()
        now = str(app.query_one(NowLine).render())
        assert now.startswith("computing rfc on demo: ")
        assert "the run on screen stays until the new one is ready" in now
        assert "⟳ computing rfc" in str(app.query_one(Header).render())
        assert app.player.key.algorithm == "legacy"  # the old run stays meanwhile
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.player.key.algorithm == "rfc"
        assert "computing" not in "\n".join(screen_lines(app))


@pytest.mark.slow
@sync
async def test_start_up_shows_what_is_computed_and_no_numbers_of_nothing() -> None:
    # a preset by name: the screen comes up, then generates it and runs the engine
    app = SwapApp("demo", None, RunKey("linear", None, None), remember_theme=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        shown = "\n".join(screen_lines(app))
        if app.computing:  # (a fast machine may be done already)
            assert "computing linear on demo" in shown
            # a stand-in run is held meanwhile: none of its numbers may show
            for empty in ("0 in use", "no disk requests", "0 slots", "frame 0/"):
                assert empty not in shown
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert not app.computing and app.player.scenario.name == "demo"
        assert "in use" in str(app.query_one(SwapMap).border_title)


@pytest.mark.slow
@sync
async def test_race_from_the_app_comes_up_at_once() -> None:
    from swaptui.race.screen import RaceScreen

    app = demo_app("linear")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("c")
        scr = app.screen
        assert isinstance(scr, RaceScreen)
        if scr.race is None:
            assert "computing legacy against linear" in "\n".join(screen_lines(app))
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert scr.race is not None and scr.race.algorithms == ("legacy", "linear")


@pytest.mark.slow
@sync
async def test_kelley_50m_at_120x36_shows_the_story() -> None:
    """The issue's bar, on the published 50 MB preset (a few seconds to generate)."""
    sc = load_preset("kelley-50m")
    for algorithm in ("legacy", "linear"):
        key = RunKey(algorithm, None, None)
        app = SwapApp(sc, build_timeline(sc, key), key, remember_theme=False)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            smap, disk = app.query_one(SwapMap), app.query_one(DiskHead)
            g = smap.grid()
            rows = [smap.render_line(y).text[g.label :] for y in range(g.rows)]
            # at frame 0 most rows of the swap_map show slots in use (12,800 of 262,144:
            # the whole area would be one row of them)
            assert sum(1 for r in rows if "█" in r or "▇" in r) > g.rows * 0.8
            # pace: entry steps at 200/s (12,801 steps: 64 s)
            assert (app.player.granularity, app.player.speed) == ("entry", 200)
            await pilot.press("end")
            await pilot.pause()
            lines = disk.chart_lines()
            assert lines >= 5  # several rows at 120x36
            marked = [
                y
                for y in range(1, lines + 1)
                if disk.render_line(y).text[disk.axis_gutter() :].strip()
            ]
            # legacy's ramp and linear's storm both span the chart's height
            assert len(marked) >= lines * 0.8
