"""One line of the page-tables panel: a page table (a 2 MiB unuse_pte_range unit) or a
tmpfs file, its PTEs as cells, without the panel around it.

`Row` holds a line's static facts (its swap PTEs, resident ranges and the gathers of
their states), and `PteCells` draws it: how many PTEs a cell holds and how wide it
is, the template of present and empty PTEs kept per row, and each swap PTE in the
glyph and colour of its slot's state in the swap_map.  `PageTables` lays the lines
out, scrolls and follows the walk.
"""

from __future__ import annotations

import operator
from array import array
from collections.abc import Callable, Sequence
from typing import Any

from attrs import define
from rich.segment import Segment
from rich.style import Style

from models.machine import SHMEM, Machine
from models.narrate import literal
from models.state import DROPPED, ERROR, FRESH, PRESENT, SWAP
from models.timeline import FrameView
from swaptui.widgets.base import LinePanel, runs
from swaptui.widgets.numbers import fit
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


class PteCells(LinePanel):
    """The drawing of a page-table or tmpfs-file line, for `PageTables`."""

    machine: Machine | None
    frame: FrameView | None
    _rslot: Sequence[int]  # the slot and kind of every reference (ref_columns)
    _rkind: Sequence[int]
    rows: list[Row]

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
