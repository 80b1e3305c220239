"""The app under abuse (#18 item 6): what random keys and resizes broke, one test each.

Each test replays, in a pilot, the shortest sequence found that broke the app in a
real session (tmux, random keys and `resize-window`), and says what went wrong.
"""

from __future__ import annotations

import asyncio
import re
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandList, CommandPalette
from textual.events import Resize
from textual.geometry import Size
from textual.widgets import Input

from models.scenario import load_preset
from swaptui import crash
from swaptui.crash import CRASH_STATUS
from swaptui.race.model import Race, RaceSpec
from swaptui.race.screen import RaceApp, RaceScreen
from swaptui.screens.modals import HelpScreen, TooSmallScreen
from swaptui.viewer.app import SwapApp
from swaptui.viewer.jobs import Abandoned
from swaptui.viewer.player import ALGO_CYCLE, RunKey, build_timeline
from swaptui.viewer.screen import MainScreen
from tests.pilot import open_race, sync

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


@pytest.mark.slow
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


@pytest.mark.slow
@sync
async def test_a_screen_pushed_while_the_notice_is_up_goes_under_it() -> None:
    # ctrl+p below 80x24 opened the palette over the notice (now ctrl+p does nothing
    # there); a palette command run after the window shrank (Race, Open) still pushes
    # a screen.  It goes under the notice, which stays on top and goes with the size.
    for app in (demo_app(), race_app()):
        async with app.run_test(size=BIG) as pilot:
            await resize(pilot, (20, 5))
            await pilot.press("ctrl+p")
            await pilot.pause()
            assert isinstance(app.screen, TooSmallScreen)
            app.push_screen(HelpScreen())
            await pilot.pause()
            assert isinstance(app.screen, TooSmallScreen)
            assert stack(app)[-2:] == ["HelpScreen", "TooSmallScreen"]
            await resize(pilot, BIG)
            assert "TooSmallScreen" not in stack(app), stack(app)
            assert isinstance(app.screen, HelpScreen)


@sync
async def test_a_dialog_under_the_notice_that_dismisses_itself_leaves_the_notice() -> None:
    # Screen.dismiss() pops the top screen, whoever asks: a dialog closed by a key or
    # click pressed before the window shrank (and handled after) popped the notice.
    # The app went on at 40x10 with no notice, the dialog stayed, and its second
    # dismiss crashed (InvalidStateError).
    app = demo_app()
    async with app.run_test(size=BIG) as pilot:
        help_screen = HelpScreen()
        app.push_screen(help_screen)
        await pilot.pause()
        await resize(pilot, (40, 10))
        assert stack(app) == ["MainScreen", "HelpScreen", "TooSmallScreen"]
        help_screen.dismiss()  # as its click handler does
        await pilot.pause()
        assert stack(app) == ["MainScreen", "TooSmallScreen"]
        await resize(pilot, BIG)
        assert stack(app) == ["MainScreen"]


@pytest.mark.slow
@sync
async def test_a_palette_command_chosen_before_a_shrink_runs_under_the_notice() -> None:
    # The session that crashed with InvalidStateError: the palette's Enter (choose
    # "Race") was handled after the window shrank to 40x10.
    app = demo_app()
    async with app.run_test(size=BIG) as pilot:
        await pilot.press("ctrl+p", *"Race")
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        for _ in range(100):  # the palette gathers its matches in a worker
            await pilot.pause(0.05)
            if palette.query_one(CommandList).option_count == 1 and palette.has_class("-ready"):
                break
        await resize(pilot, (40, 10))
        # Enter, pressed before the shrink, reaches the palette's input now
        await palette.query_one(Input).action_submit()
        for _ in range(100):  # the palette closes, then runs the command
            await pilot.pause(0.05)
            if "RaceScreen" in stack(app):
                break
        assert isinstance(app.screen, TooSmallScreen)
        assert stack(app) == ["MainScreen", "RaceScreen", "TooSmallScreen"], stack(app)
        await resize(pilot, BIG)
        assert isinstance(app.screen, RaceScreen)


# ---- keys handled after another screen came over ----------------------------------------------
# A key or click reaches a screen through the screen's own queue: one pressed just before
# another screen came over it is handled after.  The tests call the action as that late
# key does.


@pytest.mark.slow
@sync
async def test_a_late_escape_on_the_race_does_not_close_its_help() -> None:
    # ? then escape, fast, on the race: the race opened its help, then its escape
    # dismissed, which pops the top screen (the help), and the next escape dismissed
    # the race a second time: InvalidStateError.
    app = demo_app()
    async with app.run_test(size=BIG) as pilot:
        race = await open_race(app, pilot)
        race.action_help()
        race.action_leave()  # the late escape: dropped
        await pilot.pause()
        assert stack(app) == ["MainScreen", "RaceScreen", "RaceHelp"]
        await pilot.press("escape")  # closes the help
        await pilot.pause()
        await pilot.press("escape")  # leaves the race
        await pilot.pause()
        assert stack(app) == ["MainScreen"]


@pytest.mark.slow
@sync
async def test_a_race_computed_after_its_screen_left_is_dropped() -> None:
    # The soak (seed 13) once crashed with NoMatches('#race-header'): escape closed
    # the race while its worker was handing the computed race over; the hand-over,
    # already queued on the event loop, ran on a screen being removed and queried
    # panels that were gone.  Here the hand-over comes after the screen has left.
    app = demo_app()
    async with app.run_test(size=BIG) as pilot:
        race_screen = await open_race(app, pilot)
        assert race_screen.race is not None
        computed = race_screen.race
        await pilot.press("escape")
        await pilot.pause()
        assert stack(app) == ["MainScreen"]
        race_screen.replace_race(computed)  # the late hand-over: dropped, no crash
        await pilot.pause()
        assert stack(app) == ["MainScreen"]
        await pilot.press("q")
    assert app.return_code in (0, None)


@sync
async def test_a_late_escape_on_the_help_does_not_close_the_palette_over_it() -> None:
    # ctrl+p (a priority key) opened the palette over the help at once, the help's
    # escape then popped the palette while it gathered its commands: NoMatches
    app = demo_app()
    async with app.run_test(size=BIG) as pilot:
        await pilot.press("question_mark")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        await pilot.press("ctrl+p")
        await pilot.pause()
        help_screen.action_close()  # the late escape: dropped
        await pilot.pause()
        assert stack(app) == ["MainScreen", "HelpScreen", "Palette"]
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert stack(app) == ["MainScreen"]


@sync
async def test_late_keys_on_the_main_screen_open_nothing_over_a_dialog() -> None:
    # ? then c (or o, or a click), fast: the race opened over the help
    app = demo_app()
    async with app.run_test(size=BIG) as pilot:
        await pilot.press("question_mark")
        main = app.main
        main.action_race()
        main.action_open()
        main.action_help()
        await pilot.pause()
        assert stack(app) == ["MainScreen", "HelpScreen"]


@pytest.mark.slow
@sync
async def test_the_palette_over_the_race_offers_no_commands_of_the_run_behind_it() -> None:
    # ctrl+p on the race listed the single-run commands: "Algorithm: rfc" recomputed the
    # run hidden behind the race, "Race" opened a race over the race
    app = demo_app()
    async with app.run_test(size=BIG) as pilot:
        on_main = {c.title for c in app.get_system_commands(app.main)}
        assert {"Algorithm: rfc", "Race", "Next disk", "Theme: swaptui-light"} <= on_main
        on_race = {c.title for c in app.get_system_commands(await open_race(app, pilot))}
        assert "Theme: swaptui-light" in on_race and "Presentation mode" in on_race
        assert not {"Algorithm: rfc", "Race", "Next disk", "Play / pause"} & on_race


@pytest.mark.slow
@sync
async def test_a_palette_command_chosen_twice_at_once_runs_once() -> None:
    # Found by the soak (seed 11): in the palette, Enter on the highlighted command and a
    # click on a command, together.  Each posts a selection; the first closed the
    # palette and ran its command, the second, handled by the closed palette, called
    # dismiss() again, which pops the top screen whoever asks: the main screen, the
    # last one (ScreenStackError).  Without the crash it would run a command the user
    # no longer sees.  The second selection is dropped.
    app = demo_app()
    async with app.run_test(size=BIG) as pilot:
        chosen: list[str] = []
        app.set_theme = chosen.append  # type: ignore[method-assign]
        await pilot.press("ctrl+p", *"Theme: swaptui-light")
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        commands = palette.query_one(CommandList)
        for _ in range(100):  # the palette gathers its matches in a worker
            await pilot.pause(0.05)
            if commands.option_count == 1 and palette.has_class("-ready"):
                break
        commands.highlighted = 0
        commands.action_select()  # the Enter
        commands.action_select()  # the click, before the Enter's selection is handled
        for _ in range(3):
            await pilot.pause()
        assert app.crashed is None
        assert stack(app) == ["MainScreen"]
        assert chosen == ["swaptui-light"]  # once


@sync
async def test_a_key_typed_into_the_palette_as_it_closes_gathers_nothing() -> None:
    # Found by the soak (seed 12), on the race: + typed into the palette and a click on
    # its background, together.  The click closed the palette (and stopped its search);
    # the typed key's change, handled after, started a new search for the closed
    # palette, whose list was gone by the time it showed its matches: NoMatches in a
    # worker, a crash.  The late change is dropped.
    app = race_app()
    async with app.run_test(size=BIG) as pilot:
        await pilot.press("ctrl+p")
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        await pilot.pause()
        typed = Input.Changed(palette.query_one(Input), "+")
        await pilot.press("escape")  # as the click on its background closes it
        await palette._dispatch_message(typed)  # the change, handled after
        for _ in range(10):  # the search (if any) ends
            await pilot.pause(0.05)
        assert app.crashed is None
        assert stack(app) == ["RaceScreen"]


# ---- two sizes at once ------------------------------------------------------------------------


@pytest.mark.parametrize("make", [demo_app, race_app], ids=["main", "race"])
@sync
async def test_two_sizes_at_once_do_not_keep_the_screen_resizing(
    make: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Seven sessions of the issue stopped answering at 80-90% CPU; the soak found why.
    # Two resizes close together leave two sizes in the screen's queue, with a message
    # between them (a key, a callback), so Textual does not fold them into one.  A
    # screen laying itself out at a new size posts itself a Resize; handling the older
    # size then the newer one, each re-posted its own, forever, as long as something
    # came between them: the screen's on_resize did, itself (a call_after_refresh
    # message).  The screen must settle after a few resizes.
    app = make()
    screen_cls = type(app.main) if isinstance(app, SwapApp) else RaceScreen
    handled: list[tuple[int, int]] = []
    real = screen_cls.on_resize

    def counting(self: Any, event: Resize) -> None:
        handled.append(tuple(event.size))
        if len(handled) < 50:  # past that, stop it, so that a failing test ends
            real(self, event)

    monkeypatch.setattr(screen_cls, "on_resize", counting)
    async with app.run_test(size=BIG) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, screen_cls)
        handled.clear()
        screen.post_message(Resize(Size(100, 30), Size(100, 30)))
        screen.call_later(lambda: None)  # something between the two sizes
        screen.post_message(Resize(Size(*BIG), Size(*BIG)))
        for _ in range(50):  # not pilot.pause(): it waits for a screen that never idles
            await asyncio.sleep(0.01)
        assert len(handled) < 10, handled[:6]
        assert screen.size == Size(*BIG)


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


@pytest.mark.slow
@sync
async def test_runs_replaced_by_newer_ones_stop_computing(monkeypatch: pytest.MonkeyPatch) -> None:
    # a pressed five times on kelley-50m: each press cancelled the worker of the one
    # before, but a thread cannot be stopped, so all five ran to their end at once,
    # starving the screen (80-90% CPU, keys answered seconds late).  The replaced ones
    # must stop at their next progress report.
    import swaptui.viewer.computing as computing_module

    slow = SlowBuilds(computing_module.build_run)
    monkeypatch.setattr(computing_module, "build_run", slow)
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
        # the last one pressed is on screen: five steps along the cycle from legacy
        last = ALGO_CYCLE[(ALGO_CYCLE.index("legacy") + 5) % len(ALGO_CYCLE)]
        assert app.player.key.algorithm == last


@sync
async def test_quitting_stops_the_computation(monkeypatch: pytest.MonkeyPatch) -> None:
    # q while a run was computing: the app closed, but the process waited for the
    # thread to finish (for a minute on vineeth-6g, seconds with several piled up)
    import swaptui.viewer.computing as computing_module

    slow = SlowBuilds(computing_module.build_run)
    monkeypatch.setattr(computing_module, "build_run", slow)
    app = demo_app()
    async with app.run_test(size=BIG) as pilot:
        await pilot.press("a")
        await pilot.pause(0.1)
        await pilot.press("q")
    await slow.all_ended()
    assert (slow.started, slow.abandoned, slow.finished) == (1, 1, 0)


@pytest.mark.slow
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


# ---- crashes ----------------------------------------------------------------------------------


def crash_files(directory: Path) -> list[Path]:
    return sorted(directory.glob("crash-*.txt"))


def test_a_crash_is_one_line_a_report_and_a_failing_status(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Textual printed its traceback (with locals) over the terminal and the app exited
    # with status 0.  Now: the traceback in a file, one line naming it, status 70.
    monkeypatch.setenv("SWAPTUI_CRASH_DIR", str(tmp_path))

    def broken_zoom(self: MainScreen) -> None:
        raise ZeroDivisionError("the zoom divided by nothing")

    monkeypatch.setattr(MainScreen, "action_zoom", broken_zoom)

    async def press_z(pilot: Any) -> None:
        await pilot.pause()
        await pilot.press("z")

    status = demo_app().run_for_status(headless=True, size=BIG, auto_pilot=press_z)
    assert status == CRASH_STATUS == 70
    out, err = capsys.readouterr()
    [report] = crash_files(tmp_path)
    assert err.splitlines() == [
        "swaptui: crashed (a swaptui bug): ZeroDivisionError: the zoom divided by nothing;"
        f" the traceback is in {report}"
    ]
    assert "Traceback" not in out + err
    text = report.read_text()
    assert "Traceback (most recent call last)" in text
    assert "in broken_zoom" in text and "the zoom divided by nothing" in text
    assert text.startswith("swaptui ") and "textual 8." in text
    assert "screens: MainScreen; terminal 120x36" in text


def test_a_crash_in_a_worker_names_the_error_not_the_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # `swaptui race`: an error in the thread that builds the race (one its handler does
    # not expect) ends the app; the line names that error, not Textual's WorkerFailed
    monkeypatch.setenv("SWAPTUI_CRASH_DIR", str(tmp_path))

    def broken_build(spec: RaceSpec, job: Any = None) -> Race:
        raise RuntimeError("an engine bug")

    monkeypatch.setattr(RaceSpec, "build", broken_build)
    app = RaceApp(RaceSpec(load_preset("demo"), ("legacy", "linear"), None), remember_theme=False)

    async def wait(pilot: Any) -> None:
        await pilot.pause(0.5)

    assert app.run_for_status(headless=True, size=BIG, auto_pilot=wait) == CRASH_STATUS
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("swaptui: crashed (a swaptui bug): RuntimeError: an engine bug;")
    assert "broken_build" in crash_files(tmp_path)[0].read_text()


def test_no_crash_no_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWAPTUI_CRASH_DIR", str(tmp_path))

    async def quit_(pilot: Any) -> None:
        await pilot.pause()
        await pilot.press("q")

    assert demo_app().run_for_status(headless=True, size=BIG, auto_pilot=quit_) == 0
    assert crash_files(tmp_path) == []


def test_a_report_that_cannot_be_written_is_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # nowhere to write (a read-only or full disk): the traceback is all there is
    monkeypatch.setenv("SWAPTUI_CRASH_DIR", str(tmp_path / "file"))
    (tmp_path / "file").write_text("not a directory")
    try:
        raise KeyError("k")
    except KeyError as e:
        assert crash.report(e) == CRASH_STATUS
    err = capsys.readouterr().err
    assert "Traceback (most recent call last)" in err
    assert err.splitlines()[-1] == (
        "swaptui: crashed (a swaptui bug): KeyError: 'k';"
        " the traceback is above (no directory would take a report)"
    )


CRASHING_APP = """
import sys
from swaptui.race.screen import RaceScreen
from swaptui.viewer.screen import MainScreen

def broken_zoom(self):
    raise ZeroDivisionError("the zoom divided by nothing")

MainScreen.action_zoom = RaceScreen.action_zoom = broken_zoom
from swaptui.cli import main
raise SystemExit(main(sys.argv[1:]))
"""


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
@pytest.mark.parametrize("argv", [["demo"], ["race", "demo"]])
def test_a_crash_in_a_terminal(tmp_path: Path, argv: list[str]) -> None:
    """The app and `swaptui race` on a pty, as a user runs them: a key that crashes
    (z, made to raise) ends with the screen restored, one line, and status 70."""
    import contextlib
    import os
    import pty
    import select

    pid, fd = pty.fork()
    if pid == 0:  # the child: swaptui on the pty, 100x30
        os.environ["SWAPTUI_CONFIG_DIR"] = str(tmp_path / "config")
        os.environ["SWAPTUI_CRASH_DIR"] = str(tmp_path / "crashes")
        os.environ["COLUMNS"], os.environ["LINES"] = "100", "30"
        os.execv(sys.executable, [sys.executable, "-c", CRASHING_APP, *argv])
    seen = b""
    deadline = time.monotonic() + 30
    status = None
    try:
        while b"legacy" not in seen and time.monotonic() < deadline:
            if select.select([fd], [], [], 0.5)[0]:
                seen += os.read(fd, 65536)
        assert b"legacy" in seen, seen[-2000:]
        time.sleep(1)  # the run (the race's sides) is computed first: z waits for it
        os.write(fd, b"z")
        while status is None and time.monotonic() < deadline:
            if select.select([fd], [], [], 0.2)[0]:
                with contextlib.suppress(OSError):
                    seen += os.read(fd, 65536)
            done, code = os.waitpid(pid, os.WNOHANG)
            if done:
                status = code
        with contextlib.suppress(OSError):
            while select.select([fd], [], [], 0.2)[0]:
                seen += os.read(fd, 65536)
    finally:
        if status is None:
            with contextlib.suppress(ProcessLookupError, ChildProcessError):
                os.kill(pid, 9)
                os.waitpid(pid, 0)
        os.close(fd)
    assert status is not None, "still running 30 s after the crash"
    assert os.waitstatus_to_exitcode(status) == CRASH_STATUS
    # what is left on the terminal once the app's screen is gone
    after = seen.rsplit(b"\x1b[?1049l", 1)[-1].decode(errors="replace")
    after = re.sub(r"\x1b\[[0-9;?<>=$]*[A-Za-z~]", "", after)  # the terminal modes reset
    lines = [line for line in after.replace("\r", "").split("\n") if line.strip()]
    [report] = crash_files(tmp_path / "crashes")
    assert lines == [
        "swaptui: crashed (a swaptui bug): ZeroDivisionError: the zoom divided by nothing;"
        f" the traceback is in {report}"
    ], after
    assert "Traceback" not in after


def test_every_command_reports_a_crash_the_same_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # `swaptui run` failing inside (an engine bug) printed a Python traceback
    from swaptui.cli import main
    from swaptui.commands import run as run_command

    monkeypatch.setenv("SWAPTUI_CRASH_DIR", str(tmp_path))

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the engine lost a page")

    monkeypatch.setattr(run_command, "run", broken)
    assert main(["run", "demo"]) == CRASH_STATUS
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("swaptui: crashed (a swaptui bug): AssertionError: the engine lost")
    assert len(crash_files(tmp_path)) == 1
