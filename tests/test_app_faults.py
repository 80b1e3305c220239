"""Injected faults in the app: the flags reach every run, and a viewer sees each fault."""

from __future__ import annotations

from typing import Any

import pytest
from rich.style import Style

from models import events as ev
from models.algorithms import ALGORITHMS
from models.faults import parse_fault
from models.state import DROPPED, ERROR
from swaptui.cli import main
from swaptui.viewer.app import SwapApp
from swaptui.viewer.player import Extras, Player, RunKey, build_timeline, outcome
from swaptui.viewer.scenarios import load
from swaptui.widgets.diskhead import DiskHead
from swaptui.widgets.pagetables import DROPPED_PTE, ERROR_PTE, PageTables
from swaptui.widgets.text import header_badges, header_text
from tests.pilot import sync

SHM = "/dev/shm/pulse-shm-3081852341"  # the demo preset's tmpfs file


def extras(*specs: str, **params: dict[str, float]) -> Extras:
    return Extras(
        tuple(parse_fault(s) for s in specs),
        tuple(params.get("disk", {}).items()),
        tuple(params.get("cpu", {}).items()),
    )


def player(algorithm: str, *specs: str, granularity: str = "range") -> Player:
    sc = load("demo")
    key = RunKey(algorithm, None, None, extras(*specs))
    return Player(sc, build_timeline(sc, key), key, granularity)


def fault_frames(p: Player) -> list[int]:
    """The frames whose event is a FaultFired (first frame of each)."""
    out: list[int] = []
    seen: set[int] = set()
    for i in range(p.frames):
        v = p.timeline.view(p.granularity, i)
        if isinstance(v.event, ev.FaultFired) and v.event_index not in seen:
            seen.add(v.event_index)
            out.append(i)
    return out


def app_for(algorithm: str, *specs: str, granularity: str = "range") -> SwapApp:
    return SwapApp.from_ref(
        "demo",
        algorithm,
        extras=extras(*specs),
        granularity=granularity,
        remember_theme=False,
    )


async def settle(pilot: Any) -> None:
    await pilot.pause()
    await pilot.pause()


async def at_frame(app: SwapApp, pilot: Any, frame: int) -> str:
    app.player.seek(frame)
    app.changed()
    await settle(pilot)
    return app.export_screenshot()


# ---- the flags -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--fault", "bogus"], "unknown kind"),
        (["--fault", "exit:pid=9:after=1"], "no process with pid 9"),
        (["--fault", "eio:slot=999"], "outside the swap area"),
        (["--disk-param", "warp=9"], "unknown disk parameter"),
        (["--cpu-param", "pte_ns=fast"], "is not a number"),
    ],
)
def test_bad_engine_flags_one_line_exit_2(
    args: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", *args]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1


def test_the_flags_reach_run_app(monkeypatch: pytest.MonkeyPatch) -> None:
    got: dict[str, Any] = {}

    def fake(scenario: str, **kw: Any) -> int:
        got.update(kw, scenario=scenario)
        return 0

    monkeypatch.setattr("swaptui.commands.app.run_app", fake)
    argv = ["demo", "--fault", "eintr:after=5", "--fault", "eio:slot=20"]
    argv += ["--disk-param", "rpm=5400", "--cpu-param", "pte_ns=2"]
    assert main(argv) == 0
    x = got["extras"]
    assert [f.kind for f in x.faults] == ["eintr", "eio"]
    assert x.disk_params == (("rpm", 5400.0),) and x.cpu_params == (("pte_ns", 2.0),)


@pytest.mark.slow
@sync
async def test_a_d_r_and_c_keep_faults_and_costs() -> None:
    x = extras("eintr:after=5", disk={"rpm": 5400.0}, cpu={"pte_ns": 2.0})
    app = SwapApp.from_ref("demo", "legacy", extras=x, remember_theme=False)
    assert app.player.timeline.run.result == "EINTR"
    async with app.run_test(size=(100, 30)) as pilot:
        for key in ("a", "d", "r"):
            before = app.player.key
            await pilot.press(key)
            while app.main._wanted is not None or app.player.key == before:
                await pilot.pause(0.05)
            assert app.player.key.extras == x
            run = app.player.timeline.run
            assert run.result == "EINTR" and run.faults == x.faults
            assert run.scenario.cpu.pte_ns == 2.0
        await pilot.press("c")
        for _ in range(100):
            if type(app.screen).__name__ == "RaceScreen":
                break
            await pilot.pause(0.05)
        race = app.screen.race  # type: ignore[attr-defined]
        assert race.extras == x
        assert all(s.run.result == "EINTR" for s in race.sides)
        assert all(s.run.scenario.cpu.pte_ns == 2.0 for s in race.sides)


@pytest.mark.slow
@sync
async def test_deferred_app_runs_with_the_faults() -> None:
    app = SwapApp.deferred("demo", "legacy", extras=extras("enomem:after=12"), remember_theme=False)
    async with app.run_test(size=(80, 24)) as pilot:
        while app.computing:
            await pilot.pause(0.05)
        await pilot.press("end")
        await settle(pilot)
        assert app.player.timeline.run.result == "ENOMEM"
        assert "ENOMEM" in app.query_one("#header").render().plain  # type: ignore[attr-defined]


# ---- each kind on the demo preset ----------------------------------------------------
@pytest.mark.parametrize(
    ("algorithm", "spec", "tag"),
    [
        ("legacy", "enomem:after=12", "enomem"),
        ("legacy", "eintr:after=5", "eintr"),
        ("linear", "eio:slot=20", "eio slot 20"),
        ("legacy", "touch:pid=2290:after=2", "touch pid 2290"),
        ("legacy", "exit:pid=1840:after=3", "exit pid 1840"),
        ("linear", "fork:pid=977:after=3", "fork pid 977"),
        ("linear", "pressure:pages=3:after=6", "pressure 3 pages"),
        ("legacy", f"unlink:shmem={SHM}:after=4", f"unlink {SHM}"),
    ],
)
@sync
async def test_each_fault_kind_is_a_marked_frame(algorithm: str, spec: str, tag: str) -> None:
    app = app_for(algorithm, spec)
    frames = fault_frames(app.player)
    assert frames, "the fault fired"
    async with app.run_test(size=(160, 48)) as pilot:
        text = await at_frame(app, pilot, frames[0])
        header = app.query_one("#header").render().plain  # type: ignore[attr-defined]
        assert f"↯ {tag}" in header
        now = app.query_one("#now").render().plain  # type: ignore[attr-defined]
        assert now.startswith("↯ ") and "injected fault" in now
        assert "↯" in "\n".join(app.query_one(DiskHead).render_line(y).text for y in range(12))
        # the next frame: the header tag is gone, the chart keeps the mark
        await at_frame(app, pilot, frames[0] + 1)
        header = app.query_one("#header").render().plain  # type: ignore[attr-defined]
        assert "↯" not in header
        # and the end is calm whatever happened
        text = await at_frame(app, pilot, app.player.last_frame)
        assert "Traceback" not in text


@pytest.mark.slow
@sync
async def test_enomem_and_eintr_end_frames_say_so() -> None:
    for spec, result, why in (
        ("enomem:after=12", "ENOMEM", "out of memory"),
        ("eintr:after=5", "EINTR", "a signal arrived"),
    ):
        app = app_for("legacy", spec)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("end")
            await settle(pilot)
            header = app.query_one("#header").render().plain  # type: ignore[attr-defined]
            now = app.query_one("#now").render().plain  # type: ignore[attr-defined]
            assert f" {result} " in header
            assert f"swapoff gave up with {result} ({why})" in now
            assert "stays on" in now
            await pilot.press("home")
            await settle(pilot)
            header = app.query_one("#header").render().plain  # type: ignore[attr-defined]
            assert result not in header


@sync
async def test_rfc_without_retry_pass_leaves_entries_behind() -> None:
    app = app_for("rfc", "pressure:pages=3:after=6")
    done = outcome(app.player.timeline)
    assert done.result == "ok" and done.left == 2 and done.broken
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("end")
        await settle(pilot)
        header = app.query_one("#header").render().plain  # type: ignore[attr-defined]
        now = app.query_one("#now").render().plain  # type: ignore[attr-defined]
        assert "⚠ 2 left behind" in header
        assert now.startswith("2 swap entries left behind: the 2014 RFC has no retry pass")


@sync
async def test_linear_retry_pass_shows_in_the_header() -> None:
    app = app_for("linear", "pressure:pages=3:after=6")
    assert app.player.timeline.run.counters.passes == 2
    assert not outcome(app.player.timeline).broken
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("end")
        await settle(pilot)
        header = app.query_one("#header").render().plain  # type: ignore[attr-defined]
        assert " pass 2 " in header and "left behind" not in header


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@sync
async def test_exit_on_every_algorithm(algorithm: str) -> None:
    app = app_for(algorithm, "exit:pid=1840:after=3", granularity="pte")
    assert fault_frames(app.player)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("end")
        await settle(pilot)
        tables = app.query_one(PageTables)
        tables.scroll_to(y=0, animate=False, immediate=True)
        await settle(pilot)
        first = tables.render_line(0).text
        assert first.startswith("✝ mm 1840 postgres · exited")
        assert outcome(app.player.timeline).problems == ()


@sync
async def test_fork_child_appears_when_born() -> None:
    app = app_for("legacy", "fork:pid=2231:after=3")
    p = app.player
    assert len(p.timeline.machine.scenario.mms) == len(p.scenario.mms) + 1
    fork = fault_frames(p)[0]
    async with app.run_test(size=(120, 60)) as pilot:
        await at_frame(app, pilot, 0)
        tables = app.query_one(PageTables)

        def block() -> list[str]:
            lines = [tables.render_line(y).text for y in range(tables.size.height)]
            at = next(i for i, line in enumerate(lines) if "2291 firefox" in line)
            return lines[at : at + 3]

        head, *body = block()
        assert "not forked yet (2231 will fork it)" in head
        assert all(set(line.split()[1:]) <= {"·"} for line in body)  # no PTE before the fork
        await at_frame(app, pilot, fork + 1)
        head, *body = block()
        assert "swap PTEs" in head and "not forked" not in head
        assert any(set(line.split()[1:]) - {"·"} for line in body)


# ---- cells ---------------------------------------------------------------------------
def tables_for(p: Player, frame: int, w: int = 100, h: int = 40) -> PageTables:
    from textual.geometry import Size

    t = PageTables()
    t.fixed_size = Size(w, h)
    t.set_machine(p.timeline.machine)
    p.seek(frame)
    t.show(p.view())
    return t


def cell_style(t: PageTables, y: int, ch: str) -> Style:
    for seg in t.render_line(y):
        if ch in seg.text:
            return seg.style or Style()
    raise AssertionError(f"{ch!r} not on line {y}")


@pytest.mark.parametrize("width", [100, 40])  # numbered cells, and a glyph a cell
def test_error_marker_cells_are_drawn_apart(width: int) -> None:
    p = player("linear", "eio:slot=20")
    st = p.timeline.final
    lost = [r for r in range(len(st.ref_state)) if st.ref_state[r] == ERROR]
    assert lost
    t = tables_for(p, p.last_frame, w=width)
    bad = t.style("bad").color
    ys = [y for y in range(40) if ERROR_PTE in t.render_line(y).text]
    assert ys, "the error marker is drawn"
    style = cell_style(t, ys[0], ERROR_PTE)
    assert bad in (style.color, style.bgcolor) and style.bold
    # the block header counts the lost page
    assert any(f"{ERROR_PTE} 1 lost" in t.render_line(y).text for y in range(40))


def test_dropped_cells_are_dimmed() -> None:
    p = player("legacy", f"unlink:shmem={SHM}:after=4")
    st = p.timeline.final
    assert DROPPED in st.ref_state
    t = tables_for(p, p.last_frame, w=100, h=60)
    y = t.file_row[0] - round(t.scroll_offset.y)
    line = t.render_line(y).text
    assert DROPPED_PTE in line
    style = cell_style(t, y, DROPPED_PTE)
    assert style.color == t.style("dim").color


def test_the_fault_mark_on_the_head_chart() -> None:
    from textual.geometry import Size

    p = player("linear", "pressure:pages=3:after=6")
    at = fault_frames(p)[0]
    for h, line in ((6, 1), (12, 11)):  # no axis: the chart's top line; else the axis
        d = DiskHead()
        d.fixed_size = Size(100, h)
        d.set_timeline(p.timeline)
        p.seek(at - 1)
        d.show(p.view())
        assert "↯" not in "".join(d.render_line(y).text for y in range(h))
        p.seek(at)
        d.show(p.view())
        assert "↯" in d.render_line(line).text
        now = cell_style_of(d, line, "↯")
        assert now.bgcolor is not None  # this frame's fault: highlighted
        p.seek(p.last_frame)
        d.show(p.view())
        later = cell_style_of(d, line, "↯")
        assert later.bgcolor is None and later.color == d.style("warning").color


def cell_style_of(widget: Any, y: int, ch: str) -> Style:
    for seg in widget.render_line(y):
        if ch in seg.text:
            return seg.style or Style()
    raise AssertionError(f"{ch!r} not on line {y}")


def test_header_badges_fit_80_columns() -> None:
    p = player("linear", "fork:pid=977:after=3")
    p.seek(fault_frames(p)[0])
    view = p.view()
    badges = header_badges(p, view)
    assert badges == [(" ↯ fork pid 977 ", "fault")]
    text = header_text(p, view, 80, badges=[(t, "bold") for t, _k in badges])
    assert text.cell_len <= 80
    plain = text.plain
    assert "↯ fork pid 977" in plain and "demo" in plain and "frame" not in plain[:0]
    assert plain.rstrip().endswith("s")  # the simulated time is still there


# ---- long sessions -------------------------------------------------------------------
@pytest.mark.slow
@sync
async def test_footer_keeps_no_removed_keys() -> None:
    """Every refresh_bindings recomposes the Footer; the removed keys must not stay
    bound to it (they piled up, ~2 MiB per 200 presses, before KeyFooter)."""
    from swaptui.widgets.text import KeyFooter

    app = app_for("legacy", "eintr:after=5")
    async with app.run_test(size=(100, 30)) as pilot:
        for _ in range(15):
            await pilot.press("end")
            await pilot.press("home")
        await settle(pilot)
        footer = app.query_one(KeyFooter)
        # Textual keeps a reactive's watchers in the private "__watchers" dict, which
        # KeyFooter.compose prunes: if Textual renames it, the fix and this test both
        # stop working, so its absence fails here instead of passing vacuously.
        watchers = vars(footer).get("__watchers")
        assert isinstance(watchers, dict), "Textual no longer keeps watchers in __watchers"
        bound = watchers.get("compact")
        assert bound, "the footer's keys are bound to its compact reactive"
        live = len(footer.children)
        assert live and len(bound) <= live


class FrozenClock:
    """Stands in for the `time` module inside swaptui.viewer.screen: the notice's "still
    on screen" test reads time.monotonic(), which a loaded machine would otherwise
    move past the 2 s a toast lasts while the presses are still being handled."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@sync
async def test_a_held_key_does_not_stack_notices(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FrozenClock()
    monkeypatch.setattr("swaptui.viewer.screen.time", clock)
    app = app_for("legacy", granularity="pte")
    shown: list[str] = []
    async with app.run_test(size=(100, 30)) as pilot:
        real_notify = app.notify

        def notify(message: str, **kw: Any) -> None:
            shown.append(message)
            real_notify(message, **kw)

        monkeypatch.setattr(app, "notify", notify)
        for _ in range(12):  # a held key, all within the toast's 2 s
            await pilot.press("left_square_bracket")
        await settle(pilot)
        assert shown == ["pte is already the finest step of this run"]
        clock.now += 2.5  # the toast is gone: the next press says it again
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert shown == ["pte is already the finest step of this run"] * 2
