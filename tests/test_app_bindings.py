"""Pilot tests: every binding of the main screen, the mouse, resizes, broken files."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.containers import VerticalScroll

from models.scenario_model import Mm, Scenario, ShmemFile, Vma
from swaptui.commands import app as app_command
from swaptui.screens.modals import DetailsScreen, HelpScreen, OpenScreen, TooSmallScreen
from swaptui.viewer.app import SwapApp
from swaptui.viewer.player import RunKey, build_timeline
from swaptui.widgets.pagetables import PageTables
from swaptui.widgets.swapmap import SwapMap
from tests.pilot import sync
from tests.screen import screen_lines

BASE = 0x7F00_0000_0000


def small_scenario(name: str = "tiny", comm: str = "firefox") -> Scenario:
    return Scenario(
        name=name,
        slots=32,
        bad=(30,),
        mms=(
            Mm(101, comm, None, (Vma(BASE, 64, True, ((0, 4),), ((10, 3), (11, 4), (12, 9))),)),
            Mm(102, "sshd", None, (Vma(BASE, 600, True, (), ((5, 5), (520, 12))),)),
        ),
        shmem=(ShmemFile("/dev/shm/x", 8, ((0, 20), (1, 21))),),
    )


def make_app(scenario: Scenario | None = None, algorithm: str = "legacy", **kw: object) -> SwapApp:
    sc = scenario or small_scenario()
    key = RunKey(algorithm, None, None)
    return SwapApp(sc, build_timeline(sc, key), key, **kw)  # type: ignore[arg-type]


@sync
async def test_starts_paused_at_frame_zero_with_a_hint() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.player.frame == 0 and not app.player.playing
        now = str(app.query_one("#now").render())
        assert "space play" in now


@sync
async def test_step_keys() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("right", "l")
        assert app.player.frame == 2
        await pilot.press("left")
        assert app.player.frame == 1
        await pilot.press("h", "h")  # clamped at 0
        assert app.player.frame == 0
        await pilot.press("end")
        assert app.player.frame == app.player.last_frame
        await pilot.press("home")
        assert app.player.frame == 0


@pytest.mark.slow
@sync
async def test_play_pause_and_speed() -> None:
    app = make_app(granularity="pte")
    async with app.run_test(size=(100, 30)) as pilot:
        speed = app.player.speed
        await pilot.press("plus")
        assert app.player.speed > speed
        await pilot.press("minus", "minus")
        assert app.player.speed < speed
        await pilot.press("plus", "plus", "plus")  # 10 frames a second
        await pilot.press("space")
        assert app.player.playing
        await pilot.pause(0.3)
        await pilot.press("space")
        assert not app.player.playing
        assert app.player.frame > 0


@pytest.mark.slow
@sync
async def test_play_at_full_speed_skips_frames() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        app.player.set_granularity("pte")
        for _ in range(12):
            await pilot.press("plus")
        assert app.player.speed == 1000
        await pilot.press("space")
        await pilot.pause(0.5)
        # the run is done (or nearly) after half a second, not one frame per tick
        assert app.player.frame > 100


@sync
async def test_granularity_keys_keep_position() -> None:
    app = make_app(granularity="entry")
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.player.granularity == "entry"
        await pilot.press("right", "right", "right")
        await pilot.press("left_square_bracket")
        assert app.player.granularity == "mm" or app.player.granularity == "range"
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert app.player.granularity == "pte"
        assert app.player.frame > 0
        await pilot.press("right_square_bracket")
        assert app.player.granularity == "range"


@pytest.mark.slow
@sync
async def test_cycle_algorithm_disk_readahead() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("right")
        await pilot.press("a")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.player.key.algorithm == "rfc" and app.player.frame == 0
        await pilot.press("a")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.player.timeline.run.algorithm == "linear"
        await pilot.press("d")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.player.timeline.run.disk == "ssd"
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.player.timeline.run.readahead == "none"


@pytest.mark.slow
@sync
async def test_legacy_refuses_vma_readahead_without_crashing() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(3):  # from the default: none, cluster, cluster-adaptive, then vma
            await pilot.press("r")
            await app.workers.wait_for_complete()
            await pilot.pause()
        assert app.player.timeline.run.readahead == "cluster-adaptive"
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.player.timeline.run.readahead == "none"  # refused vma: skipped
        assert app.player.timeline.run.algorithm == "legacy"
        assert any("vma" in n.message for n in app._notifications)


@sync
async def test_theme_key_cycles_and_is_remembered(config_dir: Path) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        first = app.theme
        await pilot.press("t")
        assert app.theme != first
        chosen = app.theme
    assert chosen in (config_dir / "config.toml").read_text()
    again = make_app()
    async with again.run_test(size=(100, 30)):
        assert again.theme == chosen


@sync
async def test_help_and_quit() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("q")
    assert app.return_code == 0 or app.return_code is None


@sync
async def test_save_svg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert list(tmp_path.glob("swaptui-*.svg"))


@pytest.mark.slow
@sync
async def test_open_broken_file_keeps_the_run(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("format = \n")
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("right")
        await pilot.press("o")
        assert isinstance(app.screen, OpenScreen)
        await pilot.press(*str(bad))
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.player.scenario.name == "tiny"
        assert app.player.frame == 1
        messages = [n.message for n in app._notifications]
        assert any("bad.toml" in m and "\n" not in m for m in messages)


@pytest.mark.slow
@sync
async def test_click_slot_and_pte_show_details() -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        smap = app.query_one(SwapMap)
        g = smap.grid()
        # slot 3 is on the first row: label, then cells of g.cw columns
        x = g.label + 3 * g.cw
        assert smap.slot_at(x, 0) == 3
        await pilot.click(SwapMap, offset=(x + 1, 1))  # +1: the border
        await pilot.pause()
        assert isinstance(app.screen, DetailsScreen)
        # on screen, not only in the widget: the box once sized itself to nothing (an
        # empty 4x2 frame) while its text sat in the Static
        box = app.screen.query_one(VerticalScroll).region
        assert box.width >= 40 and box.height >= 8
        shown = "\n".join(screen_lines(app))
        assert "slot 3" in shown and "swap count 1, not in the swap cache" in shown
        assert "mm 101 firefox address 0x7f000000a000" in shown
        await pilot.press("escape")
        tables = app.query_one(PageTables)
        row = next(i for i, r in enumerate(tables.rows) if r.kind == "pt")
        prefix, _n, per, cw = tables.cells_geometry(tables.rows[row])
        x = prefix + (10 // per) * cw
        ref = tables.ref_at(x, row)
        assert ref is not None and app.player.timeline.machine.refs[ref].slot == 3
        await pilot.click(PageTables, offset=(x + 1, row + 1))
        await pilot.pause()
        assert isinstance(app.screen, DetailsScreen)
        shown = "\n".join(screen_lines(app))
        assert "PTE → slot 3" in shown and "referenced by:" in shown


@pytest.mark.slow
@sync
async def test_resize_down_to_20x5_and_back() -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        app.player.set_granularity("pte")  # enough frames to still be playing at the end
        await pilot.press("space")
        for w, h in ((100, 30), (79, 24), (40, 10), (20, 5), (80, 23), (80, 24), (250, 70)):
            await pilot.resize_terminal(w, h)
            await pilot.pause()
            small = w < 80 or h < 24
            assert isinstance(app.screen, TooSmallScreen) == small
        frame = app.player.frame
        await pilot.resize_terminal(20, 5)
        await pilot.pause(0.3)
        assert app.player.frame > frame  # the run goes on behind the notice
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert not isinstance(app.screen, TooSmallScreen)


@sync
async def test_names_are_shown_literally() -> None:
    evil = "[red]x[/red]\x1b[31m"
    sc = small_scenario(comm=evil)
    app = make_app(sc)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        tables = app.query_one(PageTables)
        text = tables.render_line(0).text
        assert "[red]x[/red]" in text
        assert "\x1b" not in text and "\\x1b" in text


def test_run_app_bad_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    assert app_command.run_app("/no/such/file.toml") == 2
    err = capsys.readouterr().err
    assert err.startswith("swaptui: ") and err.count("\n") == 1


@sync
async def test_caption_overlay() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        cap = app.query_one("#caption")
        assert not cap.display or not cap.has_class("-shown")
        app.set_caption("legacy searches every [b]page table[/b] \x1b")
        await pilot.pause()
        assert cap.has_class("-shown") and cap.region.height >= 1
        assert "[b]page table[/b]" in str(cap.render())  # literal text, no markup
        assert cap.region.y > 12  # over the bottom of the screen
        app.set_caption(None)
        await pilot.pause()
        assert not cap.has_class("-shown") and app.caption is None


@pytest.mark.slow
@sync
async def test_deferred_run_shows_the_screen_then_the_run() -> None:
    app = SwapApp.deferred("demo", "legacy")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for _ in range(100):
            if not app.computing:
                break
            await pilot.pause(0.05)
        assert not app.computing
        assert app.player.frames > 2
        await pilot.press("right")
        assert app.player.frame == 1


@sync
async def test_footer_drops_the_palette_hint_at_80_columns() -> None:
    from textual.widgets import Footer

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not app.query_one(Footer).show_command_palette
        await pilot.resize_terminal(140, 40)
        await pilot.pause()
        assert app.query_one(Footer).show_command_palette


@pytest.mark.slow
@sync
async def test_cycle_algorithm_twice_while_computing() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("a", "a")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.player.timeline.run.algorithm == "linear"
