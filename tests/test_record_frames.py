"""Lean casts: each frame is what changed, and replaying them gives every screen back."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rich.control import Control
from rich.segment import Segment
from rich.style import Style

from swaptui.record.cast import Cast
from swaptui.record.frames import CURSOR_HOME, Encoder, plain
from swaptui.record.grid import Grid
from swaptui.record.recorder import RecordingApp, Settings, record
from swaptui.record.script import parse
from swaptui.record.still import rows_of

pytest.importorskip("pyte")
from tests.castplay import read_cast, replay, screens

RED = Style(color="#ff0000", bgcolor="#000000")
BLUE = Style(color="#0000ff", bgcolor="#000000")


def grid_with(width: int, rows: list[list[Segment]]) -> Grid:
    g = Grid(width, len(rows))
    for y, row in enumerate(rows):
        g.apply([Control.move_to(0, y).segment, *row])
    return g


def test_first_frame_is_whole_then_only_changed_cells() -> None:
    g = grid_with(8, [[Segment("abcdefgh", RED)], [Segment("12345678", RED)]])
    enc = Encoder()
    first = enc.frame(g, g.take_dirty())
    red = "\x1b[0;38;2;255;0;0;48;2;0;0;0m"
    # home, the pen set once, row 1, a cursor move to row 2 with the pen unchanged
    assert first == f"{CURSOR_HOME}{red}abcdefgh\x1b[2;1H12345678"
    # one cell changes colour and letter: a move to row 2, column 3, the new pen
    g.apply([Control.move_to(2, 1).segment, Segment("X", BLUE)])
    assert enc.frame(g, g.take_dirty()) == "\x1b[2;3H\x1b[38;2;0;0;255mX"
    # nothing changed since: nothing to send
    assert enc.frame(g, g.take_dirty()) == ""


def test_close_changes_are_one_stretch_far_ones_two() -> None:
    g = grid_with(12, [[Segment("............", RED)]])
    enc = Encoder()
    enc.frame(g, g.take_dirty())
    # columns 0 and 2 differ (one unchanged cell between): sent as one stretch of 3
    g.apply([Control.move_to(0, 0).segment, Segment("A.B", RED)])
    assert enc.frame(g, g.take_dirty()) == "\x1b[1;1HA.B"
    # now columns 0 (A to C), 2 (B back to .) and 11 differ: 0-2 as one stretch, then
    # a cursor move over the eight unchanged cells to column 11
    g.apply([Control.move_to(0, 0).segment, Segment("C..........D", RED)])
    assert enc.frame(g, g.take_dirty()) == "\x1b[1;1HC..\x1b[1;12HD"


def test_a_wide_character_is_never_split() -> None:
    g = grid_with(6, [[Segment("ab日cd", RED)]])  # 日 takes columns 2 and 3
    enc = Encoder()
    enc.frame(g, g.take_dirty())
    # only the right half's cell "changes" colour: the whole character is sent again
    g.apply([Control.move_to(2, 0).segment, Segment("日", BLUE)])
    assert enc.frame(g, g.take_dirty()) == "\x1b[1;3H\x1b[38;2;0;0;255m日"


SCRIPT = """
caption "lean casts" 1s
speed 20
play 2s
pause
granularity pte
step 4
back 2
theme light
key question_mark
wait 300ms
key escape
algo linear
disk ssd
play 1s
race on
play 2s
"""


@pytest.mark.slow
def test_every_frame_replays_to_the_screen_the_app_showed(tmp_path: Path) -> None:
    """Feed the cast to a VT emulator event by event: after each, its screen is the
    one the app's compositor renders whole at that tick (the old full-repaint way)."""
    app = RecordingApp.from_ref("demo", "legacy", theme="dark", remember_theme=False)
    reference: dict[int, list[str]] = {}

    def on_frame(tick: int) -> None:
        reference[tick] = [
            line.rstrip() for line in plain(rows_of(app.screen, app._background_screens))
        ]

    cast = Cast(width=100, height=30, fps=10, title="t")
    settings = Settings(size=(100, 30), fps=10, title="t")
    asyncio.run(record(app, settings, parse(SCRIPT, "lean.txt"), cast, on_frame))
    path = tmp_path / "lean.cast"
    path.write_text(cast.dumps(), encoding="utf-8")
    header, events = read_cast(path)
    shown = screens(header, events)
    assert len(shown) > 20  # the script changes the screen many times
    i = -1
    for tick in sorted(reference):
        while i + 1 < len(shown) and round(shown[i + 1][0] * 10) <= tick:
            i += 1
        assert shown[i][1] == reference[tick], f"tick {tick}"
    # the help screen and the race were on screen at some point
    texts = ["\n".join(s) for _t, s in shown]
    assert any("race" in t and "linear" in t and "legacy" in t for t in texts[-5:])


def test_no_toasts_in_a_recording(tmp_path: Path) -> None:
    # the app says "theme swaptui-light" in a toast when the theme changes; a
    # recording shows the screen without it (it would stay on the wall clock)
    app = RecordingApp.from_ref("demo", "legacy", theme="dark", remember_theme=False)
    cast = Cast(width=100, height=30, fps=10, title="t")
    script = parse("key t\nwait 1s\nkey left_square_bracket left_square_bracket\nwait 1s\n")
    result = asyncio.run(record(app, Settings(size=(100, 30), fps=10, title="t"), script, cast))
    path = tmp_path / "t.cast"
    path.write_text(cast.dumps(), encoding="utf-8")
    header, events = read_cast(path)
    for _t, screen in screens(header, events):
        text = "\n".join(screen)
        assert "theme swaptui" not in text and "already stepping" not in text
    assert app.theme != "swaptui-dark"  # the key did change the theme
    assert replay(header, events) == [line.rstrip() for line in result.final_screen]


@pytest.mark.slow
def test_later_frames_are_small(tmp_path: Path) -> None:
    app = RecordingApp.from_ref("demo", "legacy", theme="dark", remember_theme=False)
    app.player.speed = 10
    cast = Cast(width=120, height=36, fps=10, title="t")
    asyncio.run(record(app, Settings(size=(120, 36), fps=10, title="t"), None, cast))
    sizes = [len(d.encode()) for _t, code, d in cast.events if code == "o"]
    # a whole 120x36 screen is ~13 KB; a step changes a few rows of it
    assert sizes[0] > 8000
    assert sum(sizes[1:]) / len(sizes[1:]) < sizes[0] / 8
