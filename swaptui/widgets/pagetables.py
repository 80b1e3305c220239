"""Page tables: one block per mm in mmlist order, one line per page table (a 2 MiB
unuse_pte_range unit), VMA by VMA, then the shmem files.

Virtualised: only the visible lines are ever built, so thousands of page tables
scroll as fast as ten.  A swap PTE is drawn with the glyph and colour of its slot's
state in the swap_map, and its slot number follows on the line, so the eye can match
the two panels; the walk cursor and the entry being searched are highlighted.
"""

from __future__ import annotations

import bisect
import operator
from array import array
from collections.abc import Callable, Sequence
from typing import Any

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
from models.state import ABSENT, DROPPED, ERROR, FRESH, PRESENT, SWAP
from models.timeline import FrameView
from swaptui.viewer.focus import focus_ref, focus_slot
from swaptui.widgets.base import LinePanel, runs
from themes import GLYPHS

NONE_PTE = "·"
PRESENT_PTE = "▪"
RESTORED_PTE = "■"
ERROR_PTE = "!"  # an error marker: the read failed, the page is lost (SIGBUS on access)
DROPPED_PTE = "×"  # the reference went away: its mm exited, its file was unlinked
FRESH_PTE = "»"  # reclaim wrote the page out: the PTE holds an entry of the fresh area

# what an mm block is at this frame
LIVE, UNBORN, EXITED = "live", "unborn", "exited"
FILE_NAME_MAX = 24  # columns for a tmpfs file's name


def fit(forms: Sequence[str], width: int) -> str:
    """The first (longest) of `forms` that fits in `width` columns, else the last."""
    for text in forms:
        if len(text) <= width:
            return text
    return forms[-1]


def file_label(path: str, room: int) -> str:
    """A tmpfs file's name in `room` columns: its last path component (the directory is
    /dev/shm or the like for all of them), cut in the middle if need be, so that both
    its start and its informative end stay (pulse-shm-3081852341 -> pulse…3081852341)."""
    name = literal(path.rstrip("/").rsplit("/", 1)[-1] or path)
    if len(name) <= room:
        return name
    if room < 3:
        return name[:room]
    head = (room - 1) // 3
    return name[:head] + "…" + name[len(name) - (room - 1 - head) :]


@define
class Row:
    kind: str  # "mm" header, "pt" page table, "file" shmem file
    owner: int  # mm index or shmem file index
    unit: int = -1
    span: int = 0  # PTEs (or file pages) on the line
    refs: list[tuple[int, int]] | None = None  # (offset in the line, ref), filled lazily
    resident: list[tuple[int, int]] | None = None  # present offset ranges
    ids: tuple[int, ...] = ()  # the refs of the line, and their slots
    slots: tuple[int, ...] = ()
    slot_set: frozenset[int] = frozenset()
    ref_set: frozenset[int] = frozenset()
    pick_refs: Any = None  # gathers of the line's ref states and slot states
    pick_slots: Any = None
    template: Any = None  # (key, raw cells, drawn cells): the line without its swap PTEs


def picker(ids: tuple[int, ...]) -> Callable[[Sequence[int]], tuple[int, ...]]:
    """A C-speed gather of `ids` from a sequence, always as a tuple."""
    if not ids:
        return lambda _seq: ()
    if len(ids) == 1:
        i = ids[0]
        return lambda seq: (seq[i],)
    return operator.itemgetter(*ids)


def ref_columns(machine: Machine) -> tuple[Sequence[int], Sequence[int], Sequence[int]]:
    """(slot, kind, walk ordinal) of every reference, as columns."""
    refs: Any = machine.refs
    if all(hasattr(refs, a) for a in ("slot", "kind", "ordinal")):
        return refs.slot, refs.kind, refs.ordinal
    return (
        array("q", (r.slot for r in refs)),
        array("q", (r.kind for r in refs)),
        array("q", (r.ordinal for r in refs)),
    )


class PageTables(LinePanel, ScrollView):
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

    def legend(self, width: int) -> str:
        """One line on what a PTE cell shows (the panel's subtitle)."""
        row = next((r for r in self.rows if r.kind == "pt"), None)
        numbered = row is not None and self.cells_geometry(row)[3] > 1
        swap = (
            ("12 a swap PTE for slot 12", "12 swap PTE→slot")
            if numbered
            else ("█ a swap PTE in its slot's colour (slots at the end)", "█ swap PTE")
        )
        short = swap[1].split("→")[0]  # "12 swap PTE"
        pressure = self.frame is not None and self.frame.state.mem is not None
        forms = (
            [
                f"{swap[1]} · ▪ present · ■ restored · {FRESH_PTE} in the fresh area · · none",
                f"{short} · ▪ present · ■ restored · {FRESH_PTE} fresh area",
                f"{short} · ▪ present · {FRESH_PTE} fresh",
            ]
            if pressure
            else []
        )
        forms += [
            f"{swap[0]} · ▪ present · ■ just restored · · none",
            f"{swap[1]} · ▪ present · ■ restored · · none",
            f"{swap[1]} · ▪ present · ■ restored",
            f"{short} · ▪ present · ■ restored",
            f"{short} · ▪ present",
            "",
        ]
        return fit(forms, width - 4)

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

    def cells_geometry(self, row: Row) -> tuple[int, int, int, int]:
        """(prefix width, number of cells, PTEs per cell, columns per cell) of a line.

        Wide enough, every PTE gets a cell that carries its slot number (on the slot's
        colour) and a gap; otherwise a glyph a cell, the slot numbers after the line.
        """
        w = self.area.width
        span = max(row.span, 1)
        prefix = 2 + (13 if w >= 56 and row.kind == "pt" else 0)
        if row.kind == "file" and self.machine is not None:
            name = file_label(self.machine.scenario.shmem[row.owner].name, 1 << 30)
            prefix = 2 + min(len(name), FILE_NAME_MAX, max(8, w // 2 - 3)) + 1
        digits = len(str(max((self.machine.slots if self.machine else 1) - 1, 0)))
        cw = digits + 1
        room = w - prefix - 1
        if room // cw >= min(span, 16):
            n = min(span, room // cw)
            per = -(-span // n)
            return prefix, -(-span // per), per, cw
        room = max(1, w - prefix - (w // 4 if w >= 48 else 0))
        n = min(span, room)
        per = -(-span // n)
        return prefix, -(-span // per), per, 1

    def _pte_state(self, slot: int) -> str:
        """The state of a swap PTE's slot, as the swap_map shows it."""
        st = self.frame.state  # type: ignore[union-attr]
        m = self.machine
        assert m is not None
        if st.cached[slot]:
            return "cached"
        refs = m.slot_refs.get(slot, [])
        if refs and self._rkind[refs[0]] == SHMEM:
            return "shmem"
        if st.count[slot] > 1:
            return "shared"
        return "used"

    def _template(
        self, row: Row, n: int, per: int, cw: int, life: str
    ) -> tuple[list[tuple[str, Style]], list[tuple[str, Style]]]:
        """The cells of a line before its references and the cursor are drawn: `raw`
        (present or none, a glyph and style per cell) and `drawn` (as they appear on
        the line: dimmed for an exited mm, padded and followed by a gap when numbered).
        Kept on the row until the geometry, the mm's life or the theme changes."""
        key = (n, per, cw, life, self._theme_gen)
        if row.template is not None and row.template[0] == key:
            return row.template[1], row.template[2]
        none, present = (NONE_PTE, self.style("dim")), (PRESENT_PTE, self.style("text"))
        raw = [none] * n
        # an unborn fork child has no PTEs yet, not even its parent's resident pages
        for a, b in [] if life == UNBORN else row.resident or []:
            for c in range(a // per, min(n, (b - 1) // per + 1)):
                raw[c] = present
        shown = raw
        if life == EXITED:
            shown = [(ch, self.style("dim")) for ch, _style in raw]
        drawn: list[tuple[str, Style]]
        if cw > 1:
            gap = (" ", self.style("text"))
            drawn = []
            for ch, style in shown:
                drawn.append((f"{ch:>{cw - 1}}", style))
                drawn.append(gap)
        else:
            drawn = list(shown)
        row.template = (key, raw, drawn)
        return raw, drawn

    def _build_line(
        self,
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
        refs = row.refs or []
        by_cell: dict[int, list[int]] = {}
        for off, r in refs:
            by_cell.setdefault(off // per, []).append(r)
        numbered = cw > 1
        # the line as it is without its swap PTEs and the cursor, built once per row and
        # geometry; only the cells holding a reference or the cursor are drawn per frame
        raw, drawn = self._template(row, n, per, cw, life)
        cells = list(drawn)
        todo = set(by_cell)
        if cur is not None and 0 <= cur // per < n:
            todo.add(cur // per)
        for c in sorted(todo):
            lo, hi = c * per, (c + 1) * per
            ch, style = raw[c]
            rs = by_cell.get(c, [])
            states = [st.ref_state[r] for r in rs]
            if ERROR in states:  # a lost page outranks everything else in its cell
                ch = ERROR_PTE
                style = self.style("bad-bg") if numbered else self.style("bad") + Style(bold=True)
            elif PRESENT in states:
                ch, style = PRESENT_PTE, self.style("text")
            elif FRESH in states:
                ch, style = FRESH_PTE, self.style("shmem")
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
                cells[2 * c] = (f"{ch:>{cw - 1}}", style)
            else:
                cells[c] = (ch, style)
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
