"""`legacy`: try_to_unuse() of Linux 3.14, quadratic in the number of swap entries.

    start_mm = init_mm
    for each slot i in use (find_next_to_unuse: ascending, wrapping once):
        page = read_swap_cache_async(i)           # one 4 KiB read, no readahead
        if the slot is shmem's: shmem_unuse(entry) # search tmpfs files; next slot
        if start_mm is not init_mm: unuse_mm(start_mm, entry)
        if references remain: walk the circular mmlist from start_mm's successor,
            unuse_mm(mm, entry) on each until none remain; the first mm (after the
            list head, or other than start_mm) that held one becomes start_mm
        delete_from_swap_cache(page)               # the slot is free

unuse_mm stops at the PTE holding the entry, so an mm that holds it costs the walk
up to that PTE and every other mm costs a walk of all its page tables.  Once one
PTE has been restored the page is anon-mapped, and unuse_vma's page_address_in_vma
shortcut makes the rest of the search cheap: one PTE in mms of the same fork
family, nothing at all in other families.

Walking PTE by PTE would take hours at published sizes (1200M unuse_pte_range
calls), so `search` counts the same walk with per-mm totals and prefix sums; the
per-mm detail the TUI shows is recomputed by `search_visits`, which follows the
kernel loop literally, and the tests hold the two to the same answers.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator

from attrs import frozen

from models import events as ev
from models.algorithms.common import OutOfMemory, Run
from models.machine import ANON, SHMEM, Machine
from models.state import SWAP


def find_next_to_unuse(run: Run, prev: int) -> int:
    """3.14's circular scan: upward from prev+1; at the end rescan 1..prev once; 0 if none."""
    slots = run.machine.slots
    i = run.scan_up(prev + 1, slots)
    if i < slots:
        found, examined = i, i - prev
    elif prev == 0:
        found, examined = 0, slots - 1
    else:
        j = run.scan_up(1, prev + 1)
        found = j if j <= prev else 0
        examined = (slots - 1 - prev) + (j if found else prev)
    return run.swap_map_scan(prev + 1, examined, found, "try_to_unuse:find_next_to_unuse")


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


def _active_prefix(run: Run) -> tuple[array, array, array]:
    """Prefix sums over mm index of whole-walk PTEs, units and unuse_mm calls.

    Only mms on the mmlist count (an exited or unborn mm is skipped without a call);
    the arrays are rebuilt only when the set of such mms changes.
    """
    m, active = run.machine, run.state.active
    key = bytes(active)
    cached = run.legacy_prefix
    if cached is not None and cached[0] == key:
        return cached[1]
    pp, uu, cc = array("q", [0]), array("q", [0]), array("q", [0])
    for mi, w in enumerate(m.walks):
        on = active[mi]
        pp.append(pp[-1] + (w.total_ptes if on else 0))
        uu.append(uu[-1] + (w.total_units if on else 0))
        cc.append(cc[-1] + on)
    run.legacy_prefix = (key, (pp, uu, cc))
    return pp, uu, cc


def search(run: Run, slot: int, start_pos: int) -> int:
    """Search the mmlist for every reference to `slot`, emit one Search event.

    Returns the position of the new start_mm.

    Fast path of `search_visits`: whole-mm walks between holders are summed with prefix sums.
    """
    m = run.machine
    st = run.state
    n1 = m.n_positions
    holders = sorted(
        ((m.refs.owner[r] + 1 - start_pos) % n1, r)
        for r in m.slot_refs.get(slot, [])
        if st.ref_state[r] == SWAP and m.refs.kind[r] == ANON
    )
    calls = ptes = mm_calls = 0
    restored: list[int] = []
    mapped_vpage = -1
    mapped_family = -1
    new_start = start_pos
    pp, uu, cc = _active_prefix(run)

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
    cpu = run.cpu
    cost = cpu.walk(ptes, calls) + mm_calls * cpu.mm + len(restored) * cpu.unuse_pte
    run.emit(
        ev.Search,
        cost,
        "try_to_unuse:search",
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


def shmem_unuse_entry(run: Run, slot: int, start_file: int) -> int:
    """3.14 shmem_unuse(entry): search files circularly from the last hit; return the file found."""
    m = run.machine
    ref = next(r for r in m.slot_refs[slot] if run.state.ref_state[r] == SWAP)
    target = m.refs.owner[ref]
    n = len(m.file_refs)
    searched = 0
    for k in range(n):
        fi = (start_file + k) % n
        # files with nothing left in swap were dropped from shmem_swaplist
        if any(run.state.ref_state[r] == SWAP for r in m.file_refs[fi]):
            searched += 1
        if fi == target:
            break
    run.emit(ev.ShmemUnuse, 0, "shmem_unuse", ref=ref, slot=slot, file=target, searched=searched)
    return target


def try_to_unuse(run: Run) -> None:
    st = run.state
    m = run.machine
    start_pos = 0  # init_mm
    shmem_start = 0
    i = 0
    try:
        run.emit(ev.PassStart, 0, "try_to_unuse", number=1)
        while True:
            i = find_next_to_unuse(run, i)
            if not i:
                break
            run.inject.poll()
            if st.signal:
                run.done("EINTR")
                return
            if not st.in_use(i):
                continue  # freed meanwhile by a racing fault: nothing to read
            if start_pos and not st.active[start_pos - 1]:
                start_pos = 0  # start_mm exited: start again from init_mm
            if run.readahead == "none":
                # read_swap_cache_async: a cache hit costs nothing, a miss reads one page
                run.read_batch([i], i, "read_swap_cache_async")
            else:
                run.cluster_readahead(i, run.readahead, "swapin_readahead")
            refs = m.slot_refs.get(i, [])
            if st.count[i] and refs and m.refs.kind[refs[0]] == SHMEM:
                shmem_start = shmem_unuse_entry(run, i, shmem_start)
            elif st.count[i]:
                start_pos = search(run, i, start_pos)
            run.free_cache(i, "try_to_unuse:delete_from_swap_cache")
    except OutOfMemory:
        run.done("ENOMEM")
        return
    run.done("ok")
