"""Page tables: one block per mm in mmlist order, one line per page table (a 2 MiB
unuse_pte_range unit), VMA by VMA, then the shmem files.

Virtualised: only the visible lines are ever built, so thousands of page tables
scroll as fast as ten.  A swap PTE is drawn with the glyph and colour of its slot's
state in the swap_map, and its slot number follows on the line, so the eye can match
the two panels; the walk cursor and the entry being searched are highlighted.
"""

from __future__ import annotations

import bisect

from attrs import define
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from models.machine import SHMEM, Machine
from models.narrate import literal
from models.state import ERROR, PRESENT
from models.timeline import FrameView
from swaptui.focus import focus_ref, focus_slot
from swaptui.widgets.base import LinePanel, runs
from themes import GLYPHS

NONE_PTE = "·"
PRESENT_PTE = "▪"
RESTORED_PTE = "■"


@define
class Row:
    kind: str  # "mm" header, "pt" page table, "file" shmem file
    owner: int  # mm index or shmem file index
    unit: int = -1
    span: int = 0  # PTEs (or file pages) on the line
    refs: list[tuple[int, int]] | None = None  # (offset in the line, ref), filled lazily
    resident: list[tuple[int, int]] | None = None  # present offset ranges


class PageTables(LinePanel, ScrollView):
    DEFAULT_CSS = """
    PageTables { height: 1fr; width: 1fr; scrollbar-size-vertical: 1; overflow-x: hidden; }
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

    # ---- model ----------------------------------------------------------------------
    def set_machine(self, machine: Machine) -> None:
        self.machine = machine
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

    def _fill(self, row: Row) -> None:
        """Static facts of a line (its swap PTEs and resident pages), on first sight."""
        if row.refs is not None or self.machine is None:
            return
        m = self.machine
        if row.kind == "file":
            row.refs = [(m.refs[r].page, r) for r in m.file_refs[row.owner]]
            row.resident = []
            return
        walk = m.walks[row.owner]
        unit = walk.units[row.unit]
        ords = [m.refs[r].ordinal for r in walk.anon_refs]
        lo = bisect.bisect_left(ords, unit.ordinal)
        hi = bisect.bisect_left(ords, unit.ordinal + unit.ptes)
        row.refs = [(ords[i] - unit.ordinal, walk.anon_refs[i]) for i in range(lo, hi)]
        vma = m.scenario.mms[row.owner].vmas[unit.vma]
        res: list[tuple[int, int]] = []
        for a, b in vma.resident:
            a0 = max(vma.start_page + a, unit.first_page) - unit.first_page
            b0 = min(vma.start_page + b, unit.first_page + unit.ptes) - unit.first_page
            if b0 > a0:
                res.append((a0, b0))
        row.resident = res

    def show(self, view: FrameView) -> None:
        self.frame = view
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
        return None

    def follow(self) -> None:
        row = self.target_row()
        h = self.area.height
        if row is None or h <= 0:
            return
        top = round(self.scroll_offset.y)
        if top <= row < top + h:
            return
        self.scroll_to(y=max(0, row - h // 3), animate=False)

    # ---- drawing --------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        i = y + round(self.scroll_offset.y)
        if self.machine is None or self.frame is None or not 0 <= i < len(self.rows):
            return Strip.blank(self.area.width, self.rich_style)
        row = self.rows[i]
        if row.kind == "mm":
            return self._header(row)
        return self._line(row)

    def _cursor_at(self, row: Row) -> int | None:
        c = self.frame.cursor if self.frame else None
        if c is None or row.kind != "pt" or c.mm != row.owner or c.unit != row.unit:
            return None
        if c.vpage < 0:
            return None
        unit = self.machine.walks[row.owner].units[row.unit]  # type: ignore[union-attr]
        return c.ordinal - unit.ordinal

    def _header(self, row: Row) -> Strip:
        assert self.machine is not None and self.frame is not None
        m, v = self.machine, self.frame
        walk = m.walks[row.owner]
        refs = walk.anon_refs
        left = sum(1 for r in refs if v.state.ref_state[r] != PRESENT)
        c = v.cursor
        here = (c is not None and c.mm == row.owner) or getattr(v.event, "mm", -1) == row.owner
        key = ("mm", row.owner, left, here)
        return self.cached(key, lambda: self._build_header(row, left, here))

    def _build_header(self, row: Row, left: int, here: bool) -> list[Segment]:
        assert self.machine is not None
        mm = self.machine.scenario.mms[row.owner]
        walk = self.machine.walks[row.owner]
        mark = "▶ " if here else "▸ "
        style = self.style("cursor") if here else self.style("bold")
        name = literal(f"{mm.pid} {mm.comm}")
        info = (
            f" · {walk.total_units:,} page table{'s' if walk.total_units != 1 else ''}"
            f" · {left:,}/{len(walk.anon_refs):,} swap PTEs"
            if walk.units
            else " · no anon page tables"
        )
        segs = [Segment(mark, style), Segment(name, style), Segment(info, self.style("dim"))]
        if here:
            segs.append(Segment("  ◀ walk", self.style("cursor")))
        return segs

    def _line(self, row: Row) -> Strip:
        assert self.machine is not None and self.frame is not None
        self._fill(row)
        st = self.frame.state
        refs = row.refs or []
        states = bytes(st.ref_state[r] for _o, r in refs)
        slot_states = bytes(
            3 if st.cached[s] else min(st.count[s], 2)
            for s in (self.machine.refs[r].slot for _o, r in refs)
        )
        focus = focus_slot(self.frame)
        fref = focus_ref(self.frame)
        focus_here = focus if any(self.machine.refs[r].slot == focus for _o, r in refs) else None
        fref_here = fref if any(r == fref for _o, r in refs) else None
        sel = self.selected_ref if any(r == self.selected_ref for _o, r in refs) else None
        cur = self._cursor_at(row)
        key = ("line", id(row), states, slot_states, focus_here, fref_here, sel, cur)
        return self.cached(key, lambda: self._build_line(row, cur, focus_here, fref_here, sel))

    def cells_geometry(self, row: Row) -> tuple[int, int, int]:
        """(prefix width, number of cells, PTEs per cell) of a line at the current width."""
        w = self.area.width
        prefix = 2 + (13 if w >= 56 and row.kind == "pt" else 0)
        if row.kind == "file":
            prefix = 2 + min(16, max(4, w // 5)) + 1
        room = max(1, w - prefix - (w // 4 if w >= 48 else 0))
        n = min(max(row.span, 1), room)
        per = -(-max(row.span, 1) // n)
        n = -(-max(row.span, 1) // per)
        return prefix, n, per

    def _pte_style(self, slot: int) -> tuple[str, Style]:
        """The glyph and colour of a swap PTE: those of its slot in the swap_map."""
        st = self.frame.state  # type: ignore[union-attr]
        m = self.machine
        assert m is not None
        if st.cached[slot]:
            return GLYPHS["cached"], self.style("cached")
        refs = m.slot_refs.get(slot, [])
        if refs and m.refs[refs[0]].kind == SHMEM:
            return GLYPHS["shmem"], self.style("shmem")
        if st.count[slot] > 1:
            return GLYPHS["shared"], self.style("shared")
        return GLYPHS["used"], self.style("used")

    def _build_line(
        self, row: Row, cur: int | None, focus: int | None, fref: int | None, sel: int | None
    ) -> list[Segment]:
        assert self.machine is not None and self.frame is not None
        m, st = self.machine, self.frame.state
        prefix, n, per = self.cells_geometry(row)
        segs: list[Segment] = []
        mark = "▶ " if cur is not None else "  "
        segs.append(Segment(mark, self.style("cursor")))
        if row.kind == "pt" and prefix > 2:
            unit = m.walks[row.owner].units[row.unit]
            segs.append(Segment(f"{unit.first_page * 4096:>12x} ", self.style("dim")))
        elif row.kind == "file":
            name = literal(m.scenario.shmem[row.owner].name)
            room = prefix - 3
            name = name if len(name) <= room else "…" + name[-(room - 1) :]
            segs.append(Segment(f"{name:<{room}} ", self.style("shmem")))
        cells: list[tuple[str, Style]] = []
        refs = row.refs or []
        by_cell: dict[int, list[int]] = {}
        for off, r in refs:
            by_cell.setdefault(off // per, []).append(r)
        resident = row.resident or []
        for c in range(n):
            lo, hi = c * per, (c + 1) * per
            ch, style = NONE_PTE, self.style("dim")
            if any(a < hi and b > lo for a, b in resident):
                ch, style = PRESENT_PTE, self.style("text")
            rs = by_cell.get(c, [])
            for r in rs:
                s = st.ref_state[r]
                if s == PRESENT:
                    ch, style = PRESENT_PTE, self.style("text")
                elif s == ERROR:
                    ch, style = "E", self.style("bad")
            if fref is not None and fref in rs:
                ch, style = RESTORED_PTE, self.style("cursor")
            swap = [r for r in rs if st.ref_state[r] == 0]
            if swap:
                ch, style = self._pte_style(m.refs[swap[0]].slot)
                if focus is not None and any(m.refs[r].slot == focus for r in swap):
                    ch, style = GLYPHS["cursor"], self.style("cursor-bg")
            if cur is not None and lo <= cur < hi:
                style = self.style("cursor-bg")
            if sel is not None and sel in rs:
                style = style + self.style("reverse")
            cells.append((ch, style))
        segs.extend(runs(cells))
        used = prefix + n
        labels = [m.refs[r].slot for _o, r in refs if st.ref_state[r] == 0]
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

    # ---- mouse ----------------------------------------------------------------------
    def ref_at(self, x: int, y: int) -> int | None:
        i = y + round(self.scroll_offset.y)
        if self.machine is None or not 0 <= i < len(self.rows):
            return None
        row = self.rows[i]
        if row.kind == "mm":
            return None
        self._fill(row)
        prefix, n, per = self.cells_geometry(row)
        c = x - prefix
        if not 0 <= c < n:
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
