"""Legacy's search of the mmlist for every reference to one slot (Linux 3.14).

    unuse_mm(start_mm) first; then round the circular mmlist from start_mm's successor,
    unuse_mm(mm, entry) on each mm until no reference is left.  unuse_mm stops at the
    PTE holding the entry, so an mm that holds it costs the walk up to that PTE and
    every other mm a walk of all its page tables.  Once one PTE has been restored the
    page is anon-mapped, and unuse_vma's page_address_in_vma shortcut makes the rest
    cheap: one PTE in mms of the same fork family, nothing at all in other families.

Walking PTE by PTE would take hours at published sizes (1200M unuse_pte_range
calls), so `search` counts the same walk with per-mm totals and prefix sums; the
per-mm detail the TUI shows is recomputed by `search_visits`, which follows the
kernel loop literally, and the tests hold the two to the same answers.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator

from attrs import frozen

from models import events as ev
from models.machine import Machine
from models.progress import Cursor, Progress
from models.refs import ANON
from models.run import Run
from models.sites import Site
from models.state import SWAP, State


@frozen
class Visit:
    """One step of the search: an unuse_mm call, or passing init_mm (mm = -1)."""

    pos: int
    mm: int
    calls: int
    ptes: int
    first: int  # walk ordinal of the first PTE examined
    targeted: bool  # page_address_in_vma shortcut (the page is already anon-mapped)
    restored: int  # ref restored, or -1


def search_visits(
    machine: Machine,
    ref_state: bytearray,
    slot: int,
    start_pos: int,
    active: bytearray | None = None,
) -> Iterator[Visit]:
    """The search for `slot` position by position, exactly as the kernel loop runs it.

    `ref_state` and `active` (mms on the mmlist) are the state before the search (they
    are not modified).  An mm off the mmlist is passed without an unuse_mm call.
    """
    n1 = machine.n_positions
    holders = {
        machine.refs.owner[r] + 1: r
        for r in machine.slot_refs.get(slot, [])
        if ref_state[r] == SWAP and machine.refs.kind[r] == ANON
    }
    count = len(holders)
    mapped_vpage = -1
    mapped_family = -1

    def visit(pos: int) -> Visit:
        nonlocal count, mapped_vpage, mapped_family
        mi = pos - 1
        walk = machine.walks[mi]
        r = holders.get(pos, -1)
        if mapped_vpage < 0:
            if r >= 0:
                o = machine.refs.ordinal[r]
                count -= 1
                mapped_vpage = machine.refs.vpage[r]
                mapped_family = machine.family[mi]
                return Visit(pos, mi, walk.unit_of(o) + 1, o + 1, 0, False, r)
            return Visit(pos, mi, walk.total_units, walk.total_ptes, 0, False, -1)
        if machine.family[mi] != mapped_family:
            return Visit(pos, mi, 0, 0, 0, True, -1)  # page_address_in_vma: -EFAULT everywhere
        u = walk.unit_covering(mapped_vpage)
        if u is None:
            return Visit(pos, mi, 0, 0, 0, True, -1)
        unit = walk.units[u]
        o = unit.ordinal + mapped_vpage - unit.first_page
        if r >= 0:
            count -= 1
        return Visit(pos, mi, 1, 1, o, True, r)

    if start_pos != 0 and count:
        yield visit(start_pos)
    for k in range(1, n1):
        if not count:
            return
        pos = (start_pos + k) % n1
        if pos == 0:
            yield Visit(0, -1, 0, 0, 0, False, -1)
        elif active is None or active[pos - 1]:
            yield visit(pos)


class WalkTotals:
    """Prefix sums over mm index of whole-walk PTEs, units and unuse_mm calls.

    Only mms on the mmlist count (an exited or unborn mm is passed without a call);
    the sums are rebuilt only when the set of such mms changes.
    """

    def __init__(self) -> None:
        self.key = b""
        self.sums: tuple[array, array, array] = (array("q"), array("q"), array("q"))

    def of(self, run: Run) -> tuple[array, array, array]:
        m, active = run.machine, run.state.active
        key = bytes(active)
        if self.sums[0] and self.key == key:
            return self.sums
        pp, uu, cc = array("q", [0]), array("q", [0]), array("q", [0])
        for mi, w in enumerate(m.walks):
            on = active[mi]
            pp.append(pp[-1] + (w.total_ptes if on else 0))
            uu.append(uu[-1] + (w.total_units if on else 0))
            cc.append(cc[-1] + on)
        self.key, self.sums = key, (pp, uu, cc)
        return self.sums


def search(
    run: Run, totals: WalkTotals, slot: int, start_pos: int, refs: list[int] | None = None
) -> int:
    """Search the mmlist for every reference to `slot`, emit one Search event.

    Returns the position of the new start_mm.  `refs`: the slot's references, when the
    caller has them already.

    Fast path of `search_visits`: whole-mm walks between holders are summed with prefix sums.
    """
    m = run.machine
    st = run.state
    n1 = m.n_positions
    owner, kind, ref_state = m.refs.owner, m.refs.kind, st.ref_state
    holders = sorted(
        ((owner[r] + 1 - start_pos) % n1, r)
        for r in (m.slot_refs.get(slot, []) if refs is None else refs)
        if ref_state[r] == SWAP and kind[r] == ANON
    )
    calls = ptes = mm_calls = 0
    restored: list[int] = []
    mapped_vpage = -1
    mapped_family = -1
    new_start = start_pos
    pp, uu, cc = totals.of(run)

    def span(k_from: int, k_to: int) -> tuple[int, int, int, bool]:
        """Positions start+k for k in [k_from, k_to): (mm calls, ptes, units, passes init_mm)."""
        if k_from >= k_to:
            return 0, 0, 0, False
        a, b = start_pos + k_from, start_pos + k_to  # unrolled positions, b exclusive
        if b <= n1 or a >= n1:
            a0, b0 = (a, b) if b <= n1 else (a - n1, b - n1)
            # positions a0..b0-1 are mms a0-1 .. b0-2; position 0 is init_mm
            lo = max(a0, 1)
            init = a0 == 0
            return cc[b0 - 1] - cc[lo - 1], pp[b0 - 1] - pp[lo - 1], uu[b0 - 1] - uu[lo - 1], init
        # wraps: a .. n1-1, init at n1, then 1 .. b-n1-1
        c1, p1, u1, _ = span(k_from, n1 - start_pos)
        c2, p2, u2, _ = span(n1 - start_pos, k_to)
        return c1 + c2, p1 + p2, u1 + u2, True

    k_done = 0  # positions start+0 .. start+k_done-1 have been visited
    set_start = True
    idx = 0
    if start_pos != 0:
        k_done = 1
        walk = m.walks[start_pos - 1]
        mm_calls += 1
        if holders and holders[0][0] == 0:
            r = holders[0][1]
            o = m.refs.ordinal[r]
            calls += walk.unit_of(o) + 1
            ptes += o + 1
            restored.append(r)
            mapped_vpage, mapped_family = m.refs.vpage[r], m.family[start_pos - 1]
            idx = 1
            set_start = False  # start_mm held it: it stays start_mm
        else:
            calls += walk.total_units
            ptes += walk.total_ptes
    family_members = None
    while idx < len(holders):
        k, r = holders[idx]
        if mapped_vpage < 0:
            c, p, u, init = span(k_done, k)
            mm_calls += c
            ptes += p
            calls += u
            o = m.refs.ordinal[r]
            walk = m.walks[m.refs.owner[r]]
            calls += walk.unit_of(o) + 1
            ptes += o + 1
            mapped_vpage, mapped_family = m.refs.vpage[r], m.family[m.refs.owner[r]]
        else:
            c, _p, _u, init = span(k_done, k)
            mm_calls += c
            if family_members is None:
                family_members = [
                    ((mi + 1 - start_pos) % n1, mi)
                    for mi in range(len(m.walks))
                    if m.family[mi] == mapped_family and st.active[mi]
                ]
            for km, mi in family_members:
                if k_done <= km < k and m.walks[mi].unit_covering(mapped_vpage) is not None:
                    calls += 1
                    ptes += 1
            calls += 1
            ptes += 1
        mm_calls += 1
        if init:
            set_start = True
        if set_start:
            new_start = (start_pos + k) % n1
            set_start = False
        restored.append(r)
        k_done = k + 1
        idx += 1
    positions = k_done
    run.emit(
        ev.Search,
        run.cpu.search(ptes, calls, mm_calls, len(restored)),
        Site.LEGACY_SEARCH,
        slot=slot,
        first_pos=start_pos,
        positions=positions,
        start_was_init=start_pos == 0,
        unuse_mm_calls=mm_calls,
        calls=calls,
        ptes=ptes,
        restored=tuple(restored),
        new_start_pos=new_start,
    )
    return new_start


def search_progress(
    machine: Machine, before: Callable[[], State], e: ev.Event, granularity: str, j: int
) -> Progress:
    """The j-th boundary inside Search `e`: the mm entered, the PTE or the page table."""
    assert isinstance(e, ev.Search)
    st = before()
    visits = search_visits(machine, st.ref_state, e.slot, e.first_pos, st.active)
    ptes = calls = mm_calls = 0
    restored: list[int] = []
    seen = 0  # boundaries passed so far
    for v in visits:
        if v.mm < 0:
            continue
        walk = machine.walks[v.mm]
        mm_calls += 1
        if granularity == "mm":
            if seen == j:
                cur = Cursor(
                    v.mm, v.first, walk.unit_of(v.first) if walk.units else 0, -1, v.targeted
                )
                return Progress(ptes, calls, mm_calls, tuple(restored), cur)
            seen += 1
        # boundaries inside this visit: PTEs (pte) or unit entries (range)
        if v.ptes:
            if granularity == "pte":
                n_here = v.ptes
            elif granularity == "range":
                n_here = v.calls
            else:
                n_here = 0
            if seen + n_here > j:
                k = j - seen
                if v.targeted:
                    o, got_calls, got_ptes = v.first, 1, 1
                elif granularity == "pte":
                    o = k
                    got_ptes = k + 1
                    got_calls = walk.unit_starts_between(0, o)
                else:
                    o = walk.units[k].ordinal
                    got_ptes = o + 1
                    got_calls = k + 1
                u, vpage = walk.page_of(o)
                rest = list(restored)
                if v.restored >= 0 and o == machine.refs[v.restored].ordinal:
                    rest.append(v.restored)
                return Progress(
                    ptes + got_ptes,
                    calls + got_calls,
                    mm_calls,
                    tuple(rest),
                    Cursor(v.mm, o, u, vpage, v.targeted),
                )
            seen += n_here
        ptes += v.ptes
        calls += v.calls
        if v.restored >= 0:
            restored.append(v.restored)
    # a search with no PTE at all (one pte-granularity step): show it complete
    return Progress(ptes, calls, mm_calls, tuple(restored), None)
