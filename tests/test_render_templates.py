"""Faster drawing, same pictures: the swap_map's C-speed tally of a zoomed cell and
the page tables' per-row templates give exactly what the per-slot and per-cell loops
they replace gave (those loops are kept here as the reference).
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.segment import Segment
from rich.style import Style

from models.engine import RunOptions, run_swapoff
from models.state import DROPPED, ERROR, PRESENT, SWAP
from models.timeline import Timeline
from swaptui.viewer.focus import focus_ref, focus_slot
from swaptui.widgets.base import runs
from swaptui.widgets.pagetables import (
    DROPPED_PTE,
    ERROR_PTE,
    EXITED,
    LIVE,
    NONE_PTE,
    PRESENT_PTE,
    RESTORED_PTE,
    UNBORN,
    PageTables,
    Row,
    file_label,
)
from swaptui.widgets.swapmap import tally_run
from tests.profiles import examples
from tests.strategies import scenarios
from tests.test_faults import fault_mixes
from tests.test_widgets_panels import sized
from themes import GLYPHS


def reference_tally(count, cached, shm, bad, a: int, b: int) -> tuple[dict[str, int], int]:
    """The per-slot loop the swap_map used for every cell."""
    tally = {"used": 0, "shared": 0, "shmem": 0, "cached": 0}
    n_bad = 0
    for s in range(a, b):
        if bad[s]:
            n_bad += 1
        elif cached[s]:
            tally["cached"] += 1
        elif count[s]:
            if shm[s]:
                tally["shmem"] += 1
            elif count[s] > 1:
                tally["shared"] += 1
            else:
                tally["used"] += 1
    return tally, n_bad


def _bytes(n: int, values: list[int]) -> Any:
    return st.lists(st.sampled_from(values), min_size=n, max_size=n).map(bytearray)


@settings(max_examples=examples(400))
@given(data=st.data(), n=st.integers(1, 40))
def test_tally_run_equals_the_slot_loop(data, n: int) -> None:
    # few distinct values, so that whole runs of one kind (the fast path) are common
    count = data.draw(_bytes(n, [0, 0, 1, 1, 1, 2]))
    cached = data.draw(_bytes(n, [0, 0, 0, 1, 2]))
    shm = data.draw(_bytes(n, [0, 0, 0, 0, 1]))
    bad = data.draw(_bytes(n, [0, 0, 0, 0, 0, 1]))
    a = data.draw(st.integers(0, n - 1))
    b = data.draw(st.integers(a + 1, n))
    assert tally_run(count, cached, shm, bad, a, b) == reference_tally(
        count, cached, shm, bad, a, b
    )


def reference_line(
    self: PageTables,
    row: Row,
    cur: int | None,
    focus: int | None,
    fref: int | None,
    sel: int | None,
    life: str = LIVE,
) -> list[Segment]:
    assert self.machine is not None and self.frame is not None
    m, st = self.machine, self.frame.state
    prefix, n, per, cw = self.cells_geometry(row)
    segs: list[Segment] = []
    mark = "▶ " if cur is not None else "  "
    segs.append(Segment(mark, self.style("cursor")))
    if row.kind == "pt" and prefix > 2:
        unit = m.walks[row.owner].units[row.unit]
        segs.append(Segment(f"{unit.first_page * 4096:>12x} ", self.style("dim")))
    elif row.kind == "file":
        room = prefix - 3
        name = file_label(m.scenario.shmem[row.owner].name, room)
        segs.append(Segment(f"{name:<{room}} ", self.style("shmem")))
    cells: list[tuple[str, Style]] = []
    refs = row.refs or []
    by_cell: dict[int, list[int]] = {}
    for off, r in refs:
        by_cell.setdefault(off // per, []).append(r)
    # an unborn fork child has no PTEs yet, not even its parent's resident pages
    resident = [] if life == UNBORN else row.resident or []
    numbered = cw > 1
    gap = (" ", self.style("text"))
    for c in range(n):
        lo, hi = c * per, (c + 1) * per
        ch, style = NONE_PTE, self.style("dim")
        if any(a < hi and b > lo for a, b in resident):
            ch, style = PRESENT_PTE, self.style("text")
        rs = by_cell.get(c, [])
        states = [st.ref_state[r] for r in rs]
        if ERROR in states:  # a lost page outranks everything else in its cell
            ch = ERROR_PTE
            style = self.style("bad-bg") if numbered else self.style("bad") + Style(bold=True)
        elif PRESENT in states:
            ch, style = PRESENT_PTE, self.style("text")
        elif DROPPED in states:
            ch, style = DROPPED_PTE, self.style("dim")
        if fref is not None and fref in rs:
            ch, style = RESTORED_PTE, self.style("cursor")
        if life == EXITED and ch != ERROR_PTE:
            style = self.style("dim")
        swap = [r for r in rs if st.ref_state[r] == SWAP]
        if swap:
            slot = self._rslot[swap[0]]
            state = self._pte_state(slot)
            if numbered:
                ch, style = str(slot), self.style(f"{state}-bg")
            else:
                ch, style = GLYPHS[state], self.style(state)
            if focus is not None and any(self._rslot[r] == focus for r in swap):
                ch = str(focus) if numbered else GLYPHS["cursor"]
                style = self.style("cursor-bg")
        if cur is not None and lo <= cur < hi:
            style = self.style("cursor-bg")
        if sel is not None and sel in rs:
            style = style + self.style("reverse")
        if numbered:
            cells.append((f"{ch:>{cw - 1}}", style))
            cells.append(gap)
        else:
            cells.append((ch, style))
    segs.extend(runs(cells))
    if numbered:
        return segs
    used = prefix + n
    labels = [self._rslot[r] for _o, r in refs if st.ref_state[r] == SWAP]
    room = self.area.width - used - 1
    if labels and room > 3:
        segs.append(Segment(" "))
        for s in labels:
            text = f"{s} "
            if len(text) + 1 > room:
                segs.append(Segment("…", self.style("dim")))
                break
            style = self.style("cursor-bg") if s == focus else self.style("dim")
            segs.append(Segment(str(s), style))
            segs.append(Segment(" "))
            room -= len(text)
    return segs


def _segments(segs: list[Segment]) -> list[tuple[str, Style | None]]:
    return [(s.text, s.style) for s in segs]


@settings(max_examples=examples(80))
@given(
    data=st.data(),
    scenario=scenarios(max_slots=200, max_mms=4, max_vma_pages=1500),
    algorithm=st.sampled_from(["legacy", "linear", "rfc"]),
    width=st.sampled_from([24, 40, 70, 120, 200]),
)
def test_page_table_lines_equal_the_cell_loop(data, scenario, algorithm, width) -> None:
    faults = data.draw(fault_mixes(scenario))
    run = run_swapoff(scenario, RunOptions(algorithm, faults=faults))
    tl = Timeline(run)
    t = PageTables()
    t.set_machine(tl.machine)
    sized(t, width, 30)
    frames = tl.frame_count("pte")
    picks = data.draw(st.lists(st.integers(0, frames - 1), min_size=1, max_size=6))
    for frame in picks:
        view = tl.view("pte", frame)
        t.show(view)
        sel = data.draw(st.sampled_from([None, *range(len(tl.machine.refs))]))
        t.selected_ref = sel
        for row in t.rows:
            if row.kind == "mm":
                continue
            t._fill(row)
            cur = t._cursor_at(row)
            life = LIVE if row.kind == "file" else t.life(row.owner)
            focus, fref = focus_slot(view), focus_ref(view)
            sel_here = sel if sel in row.ref_set else None
            got = t._build_line(row, cur, focus, fref, sel_here, life)
            want = reference_line(t, row, cur, focus, fref, sel_here, life)
            assert _segments(got) == _segments(want), (row, frame, life, width)
