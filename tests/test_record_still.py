"""ctrl+s stills for slides, and presentation mode, in the app and in `swaptui race`."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from models.scenario import load_preset
from swaptui.race.model import Race
from swaptui.race.screen import RaceApp
from swaptui.record.still import free_stem
from swaptui.viewer.app import SwapApp
from tests.pilot import sync

SIZE = (120, 36)
STILL_S = 0.3  # the still waits a moment for the toasts to go


def svg_text(path: Path) -> str:
    svg = path.read_text(encoding="utf-8")
    return html.unescape(re.sub(r"<[^>]+>", "", svg)).replace("\xa0", " ")


def app_text(app: SwapApp | RaceApp) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", app.export_screenshot())).replace("\xa0", " ")


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def stills(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("swaptui-*"))


@pytest.mark.slow
@sync
async def test_stills_are_named_by_what_they_show_and_never_overwrite(here: Path) -> None:
    app = SwapApp.from_ref("demo", "legacy", theme="dark", remember_theme=False)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause(STILL_S)
        await pilot.press("ctrl+s")  # the same frame, the same theme: a second file
        await pilot.pause(STILL_S)
        await pilot.press("t")  # theme light: a toast says so
        await pilot.pause()
        assert "theme swaptui-light" in app_text(app)
        await pilot.press("ctrl+s")
        await pilot.pause(STILL_S)
    png = pytest.importorskip("PIL") and ".png"
    assert stills(here) == sorted(
        f"swaptui-demo-legacy-{theme}-f0-{n}{ext}"
        for theme, n in (("dark", 1), ("dark", 2), ("light", 1))
        for ext in (".svg", png)
    )
    # the still was taken after the theme's toast was cleared
    text = svg_text(here / "swaptui-demo-legacy-light-f0-1.svg")
    assert "swap_map" in text and "theme swaptui-light" not in text


def test_free_stem_skips_a_number_taken_by_either_kind(tmp_path: Path) -> None:
    (tmp_path / "s-1.png").write_text("")  # only the PNG of 1 exists: 1 is taken
    (tmp_path / "s-2.svg").write_text("")
    assert free_stem(tmp_path, "s", (".svg", ".png")) == tmp_path / "s-3"


@sync
async def test_a_dialog_on_top_is_left_out_of_the_still(here: Path) -> None:
    app = SwapApp.from_ref("demo", "legacy", theme="dark", remember_theme=False)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        assert "help" in app_text(app).lower()
        await pilot.press("ctrl+s")
        await pilot.pause(STILL_S)
    svg = here / "swaptui-demo-legacy-dark-f0-1.svg"
    text = svg_text(svg)
    # the main screen's panels, and none of the help's key list
    assert "swap_map" in text and "page tables" in text
    assert "jump to the verdict" not in text and "step size" in text  # the footer's


@pytest.mark.slow
@sync
async def test_a_still_of_the_apps_race_names_the_race(here: Path) -> None:
    app = SwapApp.from_ref("demo", "legacy", theme="dark", remember_theme=False)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("c")
        for _ in range(100):  # the race is built in a worker
            await pilot.pause(0.05)
            if type(app.screen).__name__ == "RaceScreen":
                break
        await pilot.press("ctrl+s")
        await pilot.pause(STILL_S)
    names = stills(here)
    assert names and all(n.startswith("swaptui-demo-legacy-vs-linear-hdd-dark-t") for n in names)


@sync
async def test_swaptui_race_has_ctrl_s_too(here: Path) -> None:
    app = RaceApp(
        Race(load_preset("demo"), ("legacy", "linear"), "ssd"),
        theme="light",
        remember_theme=False,
        autoplay=False,
    )
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("end")  # to the verdict
        await pilot.press("ctrl+s")
        await pilot.pause(STILL_S)
    names = stills(here)
    assert names and names[0].startswith("swaptui-demo-legacy-vs-linear-ssd-light-t")
    svg = next(here.glob("*.svg"))
    assert "faster" in svg_text(svg)  # the verdict is on it


@sync
async def test_presentation_mode_hides_the_key_bar_hints_and_toasts() -> None:
    app = SwapApp.from_ref("demo", "legacy", theme="dark", remember_theme=False)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        before = app_text(app)
        assert "space play" in before  # frame 0: the hint line and the key bar
        await pilot.press("p")
        await pilot.pause()
        during = app_text(app)
        assert "space play" not in during and "quit" not in during
        assert "unuse_pte_range 0" in during  # the counters take the hint's place
        await pilot.press("t")  # would say "theme swaptui-light" in a toast
        await pilot.pause(0.2)
        assert "theme swaptui" not in app_text(app)
        await pilot.press("p")
        await pilot.pause()
        assert "space play" in app_text(app)


@sync
async def test_present_flag_starts_the_race_in_presentation_mode() -> None:
    app = RaceApp(
        Race(load_preset("demo"), ("legacy", "linear"), "hdd"),
        remember_theme=False,
        autoplay=False,
        present=True,
    )
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        text = app_text(app)
        assert "legacy" in text and "quit" not in text


def test_present_flag_on_the_command_lines() -> None:
    from swaptui.cli import _app_parser, _command_parser
    from swaptui.commands.serve import app_argv

    assert _app_parser().parse_args(["demo", "--present"]).present is True
    for argv in (["race", "demo", "--present"], ["record", "demo", "--present"]):
        parser, _run = _command_parser(argv[0])
        assert parser.parse_args(argv).present is True
    parser, _run = _command_parser("serve")
    ns = parser.parse_args(["serve", "demo", "--present"])
    assert app_argv(ns)[-1] == "--present"  # every browser tab's app presents
