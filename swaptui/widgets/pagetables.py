"""Page tables: one block per mm in mmlist order, one line per page table (a 2 MiB
unuse_pte_range unit), VMA by VMA, then the shmem files.

Virtualised: only the visible lines are ever built, so thousands of page tables
scroll as fast as ten.  A swap PTE is drawn with the glyph and colour of its slot's
state in the swap_map, and its slot number follows on the line, so the eye can match
the two panels; the walk cursor and the entry being searched are highlighted.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from models.machine import SHMEM, Machine
from models.narrate import literal
from models.state import ABSENT, DROPPED, ERROR, FRESH, SWAP
from models.timeline import FrameView
from swaptui.viewer.focus import focus_ref, focus_slot
from swaptui.widgets.base import LinePanel
from swaptui.widgets.numbers import fit
from swaptui.widgets.pte_cells import (
    DROPPED_PTE,
    ERROR_PTE,
    EXITED,
    FRESH_PTE,
    LIVE,
    NONE_PTE,
    PRESENT_PTE,
    RESTORED_PTE,
    UNBORN,
    PteCells,
    Row,
    file_label,
    picker,
    ref_columns,
)

# the panel, and the line parts that its users (and tests) name through this module
__all__ = [
    "DROPPED_PTE",
    "ERROR_PTE",
    "EXITED",
    "LIVE",
    "NONE_PTE",
    "PRESENT_PTE",
    "RESTORED_PTE",
    "UNBORN",
    "PageTables",
    "Row",
    "file_label",
]


class PageTables(PteCells, ScrollView):
    DEFAULT_CSS = """
    PageTables {
        height: 1fr; width: 1fr; scrollbar-size-vertical: 1; overflow-x: hidden; overflow-y: auto;
    }
    """

    class PteClicked(Message):
        def __init__(self, ref: int) -> None:
            self.ref = ref
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.machine: Machine | None = None
        self.frame: FrameView | None = None
        self.rows: list[Row] = []
        self.row_of_unit: list[int] = []  # first row of each mm block
        self.file_row: list[int] = []
        self.selected_ref: int | None = None
        self._rslot: Sequence[int] = ()
        self._rkind: Sequence[int] = ()
        self._rord: Sequence[int] = ()
        self._mm_ords: dict[int, list[int]] = {}
        self._mm_pick: dict[int, Callable[[Sequence[int]], tuple[int, ...]]] = {}
        self._life: dict[int, str] = {}  # mm -> LIVE/UNBORN/EXITED, for the frame on screen

    # ---- model ----------------------------------------------------------------------
    def set_machine(self, machine: Machine) -> None:
        self.machine = machine
        self.frame = None  # a frame of the previous run must not be drawn on this one
        self._life = {}
        self._rslot, self._rkind, self._rord = ref_columns(machine)
        self._mm_ords = {}
        self._mm_pick = {}
        rows: list[Row] = []
        self.row_of_unit = []
        for mi, walk in enumerate(machine.walks):
            self.row_of_unit.append(len(rows))
            rows.append(Row("mm", mi))
            rows.extend(Row("pt", mi, u, unit.ptes) for u, unit in enumerate(walk.units))
        self.file_row = []
        for fi, f in enumerate(machine.scenario.shmem):
            self.file_row.append(len(rows))
            rows.append(Row("file", fi, -1, f.pages))
        self.rows = rows
        self._strips.clear()
        self.virtual_size = Size(self.area.width, len(rows))
        if self.is_attached:
            self.scroll_to(0, 0, animate=False)
        self.redraw()

    def title(self, width: int = 200) -> str:
        if self.machine is None:
            return "page tables"
        m = self.machine
        n = len(m.scenario.mms)
        files = len(m.scenario.shmem)
        extra = f" + {files:,} tmpfs file{'s' if files != 1 else ''}" if files else ""
        full = (
            f"page tables · {n:,} mm{'s' if n != 1 else ''} in mmlist order"
            f" · {m.total_units:,} page tables{extra}"
        )
        if len(full) + 4 <= width:
            return full
        return f"page tables · {n:,} mms · {m.total_units:,} tables"

    def _fill(self, row: Row) -> None:
        """Static facts of a line (its swap PTEs and resident pages), on first sight."""
        if row.refs is not None or self.machine is None:
            return
        m = self.machine
        if row.kind == "file":
            row.refs = [(m.refs[r].page, r) for r in m.file_refs[row.owner]]
            row.resident = []
            self._index(row)
            return
        walk = m.walks[row.owner]
        unit = walk.units[row.unit]
        ords = self._mm_ords.get(row.owner)
        if ords is None:
            ords = self._mm_ords[row.owner] = [self._rord[r] for r in walk.anon_refs]
        lo = bisect.bisect_left(ords, unit.ordinal)
        hi = bisect.bisect_left(ords, unit.ordinal + unit.ptes)
        row.refs = [(ords[i] - unit.ordinal, walk.anon_refs[i]) for i in range(lo, hi)]
        self._index(row)
        vma = m.scenario.mms[row.owner].vmas[unit.vma]
        res: list[tuple[int, int]] = []
        for a, b in vma.resident:
            a0 = max(vma.start_page + a, unit.first_page) - unit.first_page
            b0 = min(vma.start_page + b, unit.first_page + unit.ptes) - unit.first_page
            if b0 > a0:
                res.append((a0, b0))
        row.resident = res

    def _index(self, row: Row) -> None:
        row.ids = tuple(r for _o, r in row.refs or [])
        row.slots = tuple(self._rslot[r] for r in row.ids)
        row.slot_set = frozenset(row.slots)
        row.ref_set = frozenset(row.ids)
        row.pick_refs = picker(row.ids)
        row.pick_slots = picker(row.slots)

    def show(self, view: FrameView) -> None:
        self.frame = view
        self._life = {}
        # scroll to the frame's line first (at once, not after the next refresh): a
        # jump then draws the page tables once, at their new place
        self.follow()
        self.redraw()

    # ---- following the cursor -------------------------------------------------------
    def target_row(self) -> int | None:
        v, m = self.frame, self.machine
        if v is None or m is None:
            return None
        c = v.cursor
        if c is not None:
            if c.vpage < 0 or not m.walks[c.mm].units:
                return self.row_of_unit[c.mm]
            return self.row_of_unit[c.mm] + 1 + c.unit
        ref = focus_ref(v)
        if ref is not None:
            r = m.refs[ref]
            if r.kind == SHMEM:
                return self.file_row[r.owner]
            return self.row_of_unit[r.owner] + 1 + m.walks[r.owner].unit_of(r.ordinal)
        mm = getattr(v.event, "mm", None)
        if isinstance(mm, int):
            return self.row_of_unit[mm]
        # a slot freed (entry steps) is not followed: at the speeds those steps play,
        # scrolling the panel to each one redrew all of it every frame
        return None

    def follow(self) -> None:
        row = self.target_row()
        # the rows actually visible: a scrollbar, when shown, takes one of them
        h = self.area.height if self.fixed_size else self.scrollable_content_region.height
        if row is None or h <= 0:
            return
        top = round(self.scroll_offset.y)
        if top <= row < top + h:
            return
        self.scroll_to(y=max(0, row - h // 3), animate=False, immediate=True)

    # ---- drawing --------------------------------------------------------------------
    def line_spec(self, y: int) -> tuple[tuple[Any, ...], Any] | None:
        i = y + round(self.scroll_offset.y)
        if self.machine is None or self.frame is None or not 0 <= i < len(self.rows):
            return None
        row = self.rows[i]
        if row.kind == "mm":
            return self._header(row)
        return self._line(row)

    def render_line(self, y: int) -> Strip:
        return LinePanel.render_line(self, y)

    def view_signature(self) -> tuple[Any, ...]:
        return (self.size, self._theme_gen, round(self.scroll_offset.y))

    def _cursor_at(self, row: Row) -> int | None:
        c = self.frame.cursor if self.frame else None
        if c is None or row.kind != "pt" or c.mm != row.owner or c.unit != row.unit:
            return None
        if c.vpage < 0:
            return None
        unit = self.machine.walks[row.owner].units[row.unit]  # type: ignore[union-attr]
        return c.ordinal - unit.ordinal

    def _header(self, row: Row) -> tuple[tuple[Any, ...], Any]:
        assert self.machine is not None and self.frame is not None
        m, v = self.machine, self.frame
        walk = m.walks[row.owner]
        pick = self._mm_pick.get(row.owner)
        if pick is None:
            pick = self._mm_pick[row.owner] = picker(tuple(walk.anon_refs))
        states = pick(v.state.ref_state)
        left = states.count(SWAP)
        lost = states.count(ERROR)
        dropped = states.count(DROPPED)
        fresh = states.count(FRESH)
        life = self.life(row.owner)
        c = v.cursor
        here = (c is not None and c.mm == row.owner) or getattr(v.event, "mm", -1) == row.owner
        key = ("mm", row.owner, left, lost, dropped, fresh, life, here)
        return key, lambda: self._build_header(row, left, lost, dropped, life, here, fresh)

    def life(self, mi: int) -> str:
        """LIVE, UNBORN (a fork child before its fork) or EXITED (left the mmlist)."""
        assert self.machine is not None and self.frame is not None
        st = self.frame.state
        if st.active[mi]:
            return LIVE
        life = self._life.get(mi)
        if life is None:
            life = EXITED
            if mi in self.machine.unborn:
                refs = self.machine.mm_refs[mi]
                if all(st.ref_state[r] == ABSENT for r in refs):
                    life = UNBORN
            self._life[mi] = life
        return life

    def _build_header(
        self, row: Row, left: int, lost: int, dropped: int, life: str, here: bool, fresh: int = 0
    ) -> list[Segment]:
        """'mm 1602 qemu-system-x86 · 126 page tables · 192/192 swap PTEs left', in the
        longest form that fits the width (never cut in the middle of a word)."""
        assert self.machine is not None
        m = self.machine
        mm = m.scenario.mms[row.owner]
        walk = m.walks[row.owner]
        style = self.style("cursor") if here else self.style("bold")
        name = literal(f"{mm.pid} {mm.comm}")
        w = self.content_width()
        if life == UNBORN:
            parent = next((p for p in m.scenario.mms if p.pid == mm.parent), None)
            forms = [" · not forked yet", ""]
            if parent is not None:
                forms.insert(0, f" · not forked yet ({parent.pid} will fork it)")
            rest = fit(forms, w - 3 - len(name))
            return [
                Segment("mm ", self.style("dim")),
                Segment(name, self.style("dim")),
                Segment(rest, self.style("dim")),
            ]
        if life == EXITED:
            forms = [" · exited", ""]
            if dropped:
                forms.insert(0, f" · exited · {dropped:,} swap PTEs dropped unread")
            rest = fit(forms, w - 5 - len(name))
            return [
                Segment("✝ mm ", self.style("dim")),
                Segment(name, self.style("dim") + Style(strike=True)),
                Segment(rest, self.style("dim")),
            ]
        total = len(walk.anon_refs)
        units = walk.total_units
        walk_mark = ("  ◀ walk", " ◀") if here else ("", "")
        lost_text = f" · {ERROR_PTE} {lost:,} lost" if lost else ""
        if walk.units:
            # under memory pressure: how many of its pages reclaim pushed to the fresh area
            out = f" · {FRESH_PTE} {fresh:,} in the fresh area" if fresh else ""
            forms = [
                f" · {units:,} page table{'s' if units != 1 else ''}"
                f" · {left:,}/{total:,} swap PTEs left{out}",
                f" · {units:,} page table{'s' if units != 1 else ''}"
                f" · {left:,}/{total:,} swap PTEs left",
                f" · {units:,} table{'s' if units != 1 else ''} · {left:,}/{total:,} swap",
                f" · {left:,}/{total:,} swap",
                "",
            ]
        else:
            forms = [" · no anon page tables", ""]
        room = w - 3 - len(name) - len(lost_text)
        mark = walk_mark[0] if room - len(walk_mark[0]) >= len(forms[-2]) else walk_mark[1]
        info = fit(forms, room - len(mark))
        segs = [Segment("mm ", self.style("dim")), Segment(name, style)]
        if lost:  # before the rest: a lost page matters more than the counts
            segs.append(Segment(lost_text, self.style("bad") + Style(bold=True)))
        segs.append(Segment(info, self.style("dim")))
        if mark:
            segs.append(Segment(mark, self.style("cursor")))
        return segs

    def content_width(self) -> int:
        """Columns for text: the width less the scrollbar when one is shown."""
        if self.fixed_size is not None or not self.is_attached:
            return self.area.width
        return self.scrollable_content_region.width

    def _line(self, row: Row) -> tuple[tuple[Any, ...], Any]:
        assert self.machine is not None and self.frame is not None
        self._fill(row)
        st, v = self.frame.state, self.frame
        states = row.pick_refs(st.ref_state)
        slot_states = (row.pick_slots(st.count), row.pick_slots(st.cached))
        focus = focus_slot(v)
        fref = focus_ref(v)
        focus_here = focus if focus in row.slot_set else None
        fref_here = fref if fref in row.ref_set else None
        sel = self.selected_ref if self.selected_ref in row.ref_set else None
        cur = self._cursor_at(row)
        life = LIVE if row.kind == "file" else self.life(row.owner)
        key = ("line", id(row), states, slot_states, focus_here, fref_here, sel, cur, life)
        return key, lambda: self._build_line(row, cur, focus_here, fref_here, sel, life)

    # ---- mouse ----------------------------------------------------------------------
    def ref_at(self, x: int, y: int) -> int | None:
        i = y + round(self.scroll_offset.y)
        if self.machine is None or not 0 <= i < len(self.rows):
            return None
        row = self.rows[i]
        if row.kind == "mm":
            return None
        self._fill(row)
        prefix, n, per, cw = self.cells_geometry(row)
        c = (x - prefix) // cw
        if x < prefix or not 0 <= c < n:
            return None
        for off, r in row.refs or []:
            if off // per == c:
                return r
        return None

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        ref = None if offset is None else self.ref_at(offset.x, offset.y)
        if ref is not None:
            self.post_message(self.PteClicked(ref))

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, len(self.rows))
