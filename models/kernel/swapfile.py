"""mm/swapfile.c: the swap_map scan and the page-table walk of swapoff (Linux 5.1 on).

    find_next_to_unuse     ascending scan of swap_map for the next slot in use
    unuse_mm               every anon VMA of an mm          -> unuse_vma
    unuse_vma              every page table of the VMA      -> unuse_pte_range
    unuse_pte_range        every PTE of one page table; at a swap PTE of the area,
                           the algorithm's step (`SwapPteStep`)  -> unuse_pte
    unuse_pte              the swap PTE becomes a present PTE again
    try_to_free_swap       the page leaves the swap cache once no reference is left

The PTEs examined are folded into `Walk` events: one per stretch of PTEs up to and
including the next swap PTE of the area, however many page tables and VMAs it
crosses (`PteWalk`).  Walking PTE by PTE would only repeat what the walk ordinals
already say; the timeline opens a Walk up again frame by frame (`walk_progress`).

Legacy's walk of 3.14 (one entry searched for at a time) is in
`models/algorithms/legacy.py`; its swap_map scan wraps round, this one does not.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable

from models import events as ev
from models.kernel.swap_state import delete_from_swap_cache
from models.machine import Machine, MmWalk
from models.progress import Cursor, Progress
from models.run import Run
from models.sites import Site
from models.state import SWAP, State

SwapPteStep = Callable[[Run, int], None]
"""What an algorithm does at one swap PTE of the area inside unuse_pte_range (the ref)."""


# ---- swap_map ---------------------------------------------------------------------
def next_in_use(run: Run, first: int, limit: int) -> int:
    """The first slot in [first, limit) in use (counted or cached, not bad); else `limit`.

    Only slots that have a reference can be in use, so the scan looks at those alone:
    its wall time follows the slots in use, never the size of the area.  What the
    kernel pays for reading every swap_map byte on the way is charged by the caller.
    """
    used = run.machine.used_slots
    count, cached = run.state.count, run.state.cached
    k = bisect.bisect_left(used, first)
    n = len(used)
    while k < n:
        s = used[k]
        if s >= limit:
            break
        if count[s] or cached[s]:
            return s
        k += 1
    return limit


def charge_scan(
    run: Run, start: int, examined: int, found: int, site: Site, gathered: int = 0
) -> int:
    """Charge find_next_to_unuse's reads of swap_map (`examined` bytes); returns `found`.

    `gathered`: the slots to read that the scan collected (prefetch's batches).
    """
    run.emit(
        ev.SwapMapScan,
        run.cpu.scan(examined),
        site,
        start=start,
        examined=examined,
        found=found,
        gathered=gathered,
    )
    return found


def find_next_to_unuse(run: Run, prev: int, site: Site = Site.FIND_NEXT_TO_UNUSE) -> int:
    """Ascending scan of swap_map from prev+1 for a slot in use; 0 at the end (no wrap)."""
    slots = run.machine.slots
    i = next_in_use(run, prev + 1, slots)
    found = i if i < slots else 0
    examined = (i - prev) if found else (slots - 1 - prev)
    return charge_scan(run, prev + 1, examined, found, site)


# ---- the walk -----------------------------------------------------------------------
class PteWalk:
    """The PTEs of one mm examined so far, folded into Walk events.

    `through(o)` examines every PTE from the last one examined up to walk ordinal `o`
    (inclusive) in one Walk event, counting the unuse_pte_range calls entered on the way.
    """

    __slots__ = ("mm", "next", "run", "walk")

    def __init__(self, run: Run, mm: int) -> None:
        self.run = run
        self.mm = mm
        self.walk: MmWalk = run.machine.walks[mm]
        self.next = 0  # walk ordinal of the next PTE to examine

    def through(self, last: int) -> None:
        first = self.next
        calls = self.walk.unit_starts_between(first, last)
        ptes = last - first + 1
        self.run.emit(
            ev.Walk,
            self.run.cpu.walk(ptes, calls),
            Site.UNUSE_PTE_RANGE,
            mm=self.mm,
            first=first,
            ptes=ptes,
            calls=calls,
        )
        self.next = last + 1

    def finish(self) -> None:
        """The PTEs after the last swap PTE: examined too, to the end of the mm."""
        if self.next < self.walk.total_ptes:
            self.through(self.walk.total_ptes - 1)


def unuse_mm(run: Run, mm: int, step: SwapPteStep) -> None:
    """unuse_mm(mm, type): every anon VMA of the mm, in address order."""
    run.emit(ev.UnuseMm, run.cpu.mm, Site.UNUSE_MM, mm=mm)
    walked = PteWalk(run, mm)
    for _vma, first_unit, end_unit in walked.walk.anon_vmas:
        unuse_vma(run, walked, first_unit, end_unit, step)
    walked.finish()


def unuse_vma(run: Run, walked: PteWalk, first_unit: int, end_unit: int, step: SwapPteStep) -> None:
    """unuse_vma: pgd -> pud -> pmd, one unuse_pte_range per page table of the VMA."""
    for unit in range(first_unit, end_unit):
        unuse_pte_range(run, walked, unit, step)


def unuse_pte_range(run: Run, walked: PteWalk, unit: int, step: SwapPteStep) -> None:
    """Every PTE of one page table (unit); `step` at each swap PTE of the area."""
    walk = walked.walk
    anon_refs = walk.anon_refs
    ref_state, ordinal = run.state.ref_state, run.machine.refs.ordinal
    for k in range(walk.unit_refs[unit], walk.unit_refs[unit + 1]):
        ref = anon_refs[k]
        run.poll()
        if ref_state[ref] != SWAP:
            continue  # restored already (an earlier pass, a racing fault): a present PTE
        walked.through(ordinal[ref])
        step(run, ref)


def unuse_pte(run: Run, ref: int) -> int:
    """The swap PTE of `ref` maps the cached page again (rmap, counters, swap_free).

    Returns the slot, whose count is one lower now.
    """
    slot = run.machine.refs.slot[ref]
    run.emit(ev.UnusePte, run.cpu.unuse_pte, Site.UNUSE_PTE, ref=ref, slot=slot)
    return slot


def try_to_free_swap(run: Run, slot: int, site: Site = Site.TRY_TO_FREE_SWAP) -> None:
    """The page leaves the swap cache only if no swap reference to its slot is left."""
    if run.state.count[slot] == 0:
        delete_from_swap_cache(run, slot, site)


# ---- frames inside a Walk -----------------------------------------------------------
def walk_progress(
    machine: Machine, before: Callable[[], State], e: ev.Event, granularity: str, j: int
) -> Progress:
    """The j-th boundary inside Walk `e`: the j-th PTE, or the j-th page table entered."""
    assert isinstance(e, ev.Walk)
    walk = machine.walks[e.mm]
    if granularity == "range":
        lo = bisect.bisect_left(walk.unit_ordinals, e.first)
        o = walk.unit_ordinals[lo + j]
    else:
        o = e.first + j
    examined = o - e.first + 1
    calls = walk.unit_starts_between(e.first, o)
    u, vpage = walk.page_of(o)
    return Progress(examined, calls, 0, (), Cursor(e.mm, o, u, vpage, False))
