"""Widget logic through render_line(i).text, without running the app."""

from __future__ import annotations

from typing import Any

from textual.geometry import Size

from models.events import DiskRequest
from models.scenario_model import Mm, Scenario, Vma
from swaptui.player import Player, RunKey, build_timeline
from swaptui.widgets.diskhead import DiskHead
from swaptui.widgets.pagetables import PageTables
from swaptui.widgets.swapmap import SwapMap, layout
from themes import GLYPHS

BASE = 0x7F00_0000_0000


def scenario(slots: int = 16) -> Scenario:
    return Scenario(
        name="w",
        slots=slots,
        bad=(15,) if slots > 15 else (),
        mms=(
            Mm(1, "a", None, (Vma(BASE, 8, True, ((0, 2),), ((2, 1), (3, 2))),)),
            Mm(2, "b", 1, (Vma(BASE, 8, True, (), ((2, 1), (5, 3))),)),
        ),
    )


def sized(widget: Any, w: int, h: int) -> Any:
    # a detached widget: give it a size the way the compositor would
    widget.fixed_size = Size(w, h)
    return widget


def player(algorithm: str = "legacy", slots: int = 16) -> Player:
    sc = scenario(slots)
    key = RunKey(algorithm, None, None)
    return Player(sc, build_timeline(sc, key), key)


def lines(widget: Any, h: int) -> list[str]:
    return [widget.render_line(i).text for i in range(h)]


def make_map(p: Player, w: int = 40, h: int = 6) -> SwapMap:
    m = SwapMap()
    m.set_machine(p.timeline.machine)
    m.show(p.view())
    return sized(m, w, h)


def test_layout_aggregates_when_slots_do_not_fit() -> None:
    g = layout(32768, 40, 10)
    assert g.per > 1 and g.cols * g.rows * g.per >= 32768 and g.rows <= 10
    assert layout(16, 40, 10).per == 1


def test_swap_map_glyphs_first_frame() -> None:
    p = player()
    m = make_map(p)
    text = lines(m, 6)
    grid = "".join(text[: m.grid().rows])
    assert GLYPHS["shared"] in grid  # slot 1 is held by both mms
    assert GLYPHS["used"] in grid and GLYPHS["bad"] in grid
    assert "in use" in text[-1] or "in use" in "".join(text)


def test_swap_map_frees_slots_as_the_run_goes() -> None:
    p = player()
    p.seek(p.last_frame)
    m = make_map(p)
    grid = "".join(lines(m, m.grid().rows))
    for glyph in (GLYPHS["used"], GLYPHS["shared"], GLYPHS["cached"]):
        assert glyph not in grid


def test_swap_map_aggregated_cells() -> None:
    p = player(slots=4000)
    m = make_map(p, 30, 6)
    g = m.grid()
    assert g.per > 1
    assert "1 cell =" in "".join(lines(m, 6))


def test_disk_head_shows_request_in_flight() -> None:
    p = player()
    tl = p.timeline
    i = next(i for i, e in enumerate(tl.events) if isinstance(e, DiskRequest))
    p.seek(tl.frame_of_event(p.granularity, i))
    d = DiskHead()
    d.set_timeline(tl)
    d.show(p.view())
    sized(d, 60, 4)
    text = lines(d, 4)
    assert "━" in text[0] or "▲" in text[0]
    assert "requests" in text[3]


def test_page_tables_lines_and_labels() -> None:
    p = player()
    t = PageTables()
    t.set_machine(p.timeline.machine)
    t.show(p.view())
    sized(t, 70, 10)
    text = lines(t, 10)
    assert text[0].startswith("▸ 1 a")
    assert "7f0000000000" in text[1]
    # the swap PTEs' slots are labelled on the line
    assert " 1 2" in text[1]


def test_page_tables_cursor_follows_walk() -> None:
    p = player("linear")
    p.set_granularity("pte")
    tl = p.timeline
    f = next(i for i in range(p.frames) if tl.view("pte", i).cursor is not None)
    p.seek(f)
    t = PageTables()
    t.set_machine(tl.machine)
    t.show(p.view())
    sized(t, 70, 10)
    row = t.target_row()
    assert row is not None
    assert t.render_line(row).text.startswith("▶")
