"""Widget logic through render_line(i).text, without running the app."""

from __future__ import annotations

from typing import Any

from textual.geometry import Size

from models.events import DiskRequest
from models.scenario_model import Mm, Scenario, Vma
from swaptui.viewer.player import Player, RunKey, build_timeline
from swaptui.widgets.diskhead import DiskHead
from swaptui.widgets.pagetables import PageTables
from swaptui.widgets.swapmap import SwapMap, layout, legend_lines
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
    grid = "".join(text[: m.grid().lines])
    assert GLYPHS["shared"] in grid  # slot 1 is held by both mms
    assert GLYPHS["used"] in grid and GLYPHS["bad"] in grid
    # (a panel this short names them tightly: "used" for "in use")
    assert ("used" if m.grid().tight else "in use") in "".join(text)


def test_swap_map_frees_slots_as_the_run_goes() -> None:
    p = player()
    p.seek(p.last_frame)
    m = make_map(p)
    grid = "".join(lines(m, m.grid().lines))
    for glyph in (GLYPHS["used"], GLYPHS["shared"], GLYPHS["cached"]):
        assert glyph not in grid


def test_swap_map_aggregated_cells() -> None:
    p = player(slots=4000)
    m = make_map(p, 30, 6)
    g = m.grid()
    assert g.per > 1
    # the panel's subtitle says how many slots a cell holds
    assert m.subtitle() == f"1 cell = {g.per:,} slots"


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
    # the running totals are in the border title, said to be totals so far; 1 slot of
    # seek (the head at 0, the first request at slot 1), in the singular
    title = d.title()
    assert "so far" in title and "request 1/" in title and "1 slot in all" in title
    assert "1 page read" in title


def test_page_tables_lines_and_labels() -> None:
    p = player()
    t = PageTables()
    t.set_machine(p.timeline.machine)
    t.show(p.view())
    sized(t, 70, 10)
    text = lines(t, 10)
    # the mm's header: no marker that looks like a tree node to fold
    assert text[0].startswith("mm 1 a · 1 page table · 2/2 swap PTEs left")
    assert "7f0000000000" in text[1]
    # the swap PTEs' cells carry their slot numbers
    assert " 1  2" in text[1]
    # too narrow for numbered cells: a glyph a PTE, the slot numbers after the line
    sized(t, 24, 10)
    t.clear_caches()
    assert t.render_line(1).text.rstrip().endswith(" 1 2")


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


def test_swap_map_wide_cells_carry_slot_numbers() -> None:
    p = player(slots=16)
    m = make_map(p, 90, 30)
    g = m.grid()
    assert g.numbers and g.ch >= 2 and g.cw >= 3
    text = "\n".join(lines(m, g.lines))
    for slot in (1, 5, 12):
        assert str(slot) in text
    # the compact form at 80x24 sizes: a glyph a slot, no numbers
    assert not layout(64, 30, 9).numbers


def test_page_table_cells_carry_slot_numbers_when_wide() -> None:
    p = player()
    t = PageTables()
    t.set_machine(p.timeline.machine)
    t.show(p.view())
    sized(t, 90, 10)
    row = t.rows[1]
    t._fill(row)
    _prefix, _n, per, cw = t.cells_geometry(row)
    assert per == 1 and cw == 3  # slots 0..15: two digits and a gap
    text = t.render_line(1).text
    # mm 1's swap PTEs hold slots 1 and 2, written in their cells
    assert " 1  2" in text


def test_disk_chart_legacy_ramp_and_linear_storm() -> None:
    """legacy reads the slots in order (the chart only rises); linear jumps around."""

    from swaptui.viewer import scenarios

    demo = scenarios.load("demo")

    def heights(algorithm: str) -> list[int]:
        key = RunKey(algorithm, None, None)
        p = Player(demo, build_timeline(demo, key), key)
        p.seek(p.last_frame)
        d = DiskHead()
        d.set_timeline(p.timeline)
        d.show(p.view())
        sized(d, 60, 12)
        text = lines(d, 12)
        assert text[1].lstrip().startswith("63 ┤") and "0 ┤" in text[d.chart_lines()]
        assert "request 1" in text[-1]
        # the top line of dots in each column: legacy's only rises (or stays)
        tops = []
        for x in range(d.axis_gutter(), 60):
            filled = [y for y in range(1, d.chart_lines() + 1) if text[y][x] != " "]
            if filled:
                tops.append(-min(filled))
        return tops

    legacy = heights("legacy")
    assert legacy == sorted(legacy)
    linear = heights("linear")
    assert linear != sorted(linear)


def test_disk_chart_marks_the_request_in_flight() -> None:
    p = player()
    p.set_granularity("pte")
    tl = p.timeline
    i = next(i for i, e in enumerate(tl.events) if isinstance(e, DiskRequest))
    p.seek(tl.frame_of_event(p.granularity, i))
    d = DiskHead()
    d.set_timeline(tl)
    d.show(p.view())
    sized(d, 60, 5)
    assert d.requests_done() == 1
    chart = "".join(lines(d, 5)[1:])
    assert any(ch in chart for ch in "▘▝▀▖▌▞▛▗▚▐▜▄▙▟█")
    assert "requests 1 →" in d.subtitle()  # no room for an x axis line: the border says it


def test_now_lines_wrap_on_words() -> None:
    from swaptui.widgets.text import now_lines

    s = "searching the mmlist for slot 8: mm 1840 postgres, PTE 1 of page table 1/3 (unuse_pte_range)"
    out = now_lines(s, 78)
    assert len(out) == 2 and all(len(x) <= 78 for x in out)
    assert "unuse_pte_range" in out[1] and not out[0].endswith("…")
    assert now_lines("short", 78) == ["short"]


def test_header_keeps_everything_at_80_columns() -> None:
    from swaptui.widgets.text import header_text

    p = player()
    p.seek(3)
    text = header_text(p, p.view(), 80).plain
    assert len(text) <= 80
    run = p.timeline.run
    # the pace chosen for this run of 35 frames (34 steps): pte at 1/s (34 s; it is the
    # slowest speed, and it plays within 75 s)
    assert (p.granularity, p.speed, p.frames) == ("pte", 1, 35)
    for piece in (run.algorithm, "w", run.disk, run.readahead, "pte 1/s", f"3/{p.last_frame}"):
        assert piece in text
    assert "‖" in text  # paused
    wide = header_text(p, p.view(), 200).plain
    assert "readahead" in wide and "frame 3/" in wide
    # the pace and what it makes of the run; simulated time, said once
    assert "pte 1/s: 34 s a run" in wide
    assert wide.count("simulated") == 1 and "simulated t = " in wide


def test_a_short_panel_keeps_its_rows_for_the_map() -> None:
    """kelley-50m's span (13,242 slots) in the 30x8 swap_map of an 80x24 screen: the
    legend in its usual form wraps to 4 lines (plus a blank one), leaving 3 rows of 24
    cells (184 slots a cell).  Tightened (one word a glyph, one space between items, no
    blank line) it takes 3 lines: 5 rows of 24 cells, 111 slots a cell, every glyph
    still named."""
    g = layout(13242, 30, 8)
    assert g.tight and g.legend == 3 and g.rows == 5 and g.per == 111
    text = " ".join("".join(t for t, _ in line) for line in legend_lines(30, (9, 9), True))
    for word in ("used", "shared", "shmem", "cache 9 (peak 9)", "read", "free", "bad", "focus"):
        assert word in text
    # a panel with room keeps the roomy legend
    assert not layout(13242, 46, 17).tight
