"""mm/vmscan.c and friends: what happens when swapoff needs a page and none is free.

Only scenarios with memory pressure (`reclaim`) come here; the rules are those of
docs/engine.md, section 9, and every one of them is deterministic.

    load_catch_up       the concurrent load takes the pages it touched since the
                        last allocation (pages_per_ms of simulated time, `pages` in all)
    alloc_page          one free page for a page swapoff reads; reclaim if none is free
    shrink              one round of reclaim, SWAP_CLUSTER_MAX pages at most:
                          1. clean swap-cache pages that nothing maps yet are dropped
                             (__remove_mapping: no write, the slot keeps its count),
                             oldest read first;
                          2. then mapped pages, mapped longest ago first: one still
                             in the old area's swap cache is clean there and is only
                             unmapped (try_to_unmap: the old entry is back in its
                             PTEs, behind the walk); any other is written to the fresh
                             area (add_to_swap -> get_swap_pages, try_to_unmap,
                             pageout): its PTEs hold fresh-area entries now
    page_out            the write; its slots come as get_swap_pages hands them out
                        on a fresh area: ascending from 1 (the old area takes no new
                        page while it is swapped off: SWP_WRITEOK is clear)

When nothing can be freed, the page cannot be had.  The kernel would run the OOM
killer, whose first choice is the task that set_current_oom_origin() marked: swapoff
itself.  A readahead page is given up; the page swapoff must have (the target), or
the load's, ends try_to_unuse with ENOMEM, nothing lost and the area still in use.
"""

from __future__ import annotations

from typing import NoReturn

from models import events as ev
from models.memstate import MemoryState
from models.run import OutOfMemory, Run
from models.sites import Site

SWAP_CLUSTER_MAX = 32  # pages one round of reclaim frees (at most)


def _mem(run: Run) -> MemoryState:
    mem = run.state.mem
    assert mem is not None, "memory pressure without a MemoryState"
    return mem


def available(run: Run) -> int:
    """Free pages not yet promised to the batch being read."""
    return _mem(run).free - run.reserved


def load_catch_up(run: Run, protect: int) -> None:
    """The load touches what it has touched by now; OutOfMemory if it gets no page."""
    load = run.machine.scenario.load
    if load is None:
        return
    mem = _mem(run)
    due = min(load.pages, int(load.pages_per_ms * run.state.clock / 1e9)) - mem.load_touched
    while due > 0:
        if available(run) <= 0 and not shrink(run, protect):
            out_of_memory(run, "load")
        n = min(due, available(run))
        run.emit(ev.LoadTouch, 0, Site.LOAD_TOUCH, first=mem.load_touched, pages=n)
        due -= n


def out_of_memory(run: Run, who: str, why: str = "") -> NoReturn:
    """Nothing to reclaim: the OOM killer would pick swapoff; try_to_unuse gets -ENOMEM."""
    if not why:
        fresh = run.machine.scenario.fresh
        if fresh is None:
            why = "nowhere"  # no other swap area: no page can be written
        elif fresh.slots - _mem(run).fresh_next <= 0:
            why = "full"
        else:
            why = "empty"  # neither swapoff nor the load holds a page to reclaim
    run.emit(ev.NoMemory, 0, Site.OOM_KILL, who=who, why=why)
    raise OutOfMemory


def alloc_page(run: Run, protect: int) -> bool:
    """Promise one free page to the batch being read, reclaiming if none is free.

    `protect`: the slot being faulted, which reclaim must not drop (its page is the
    one the walk is about to map).  False if reclaim found nothing to free.
    """
    if available(run) <= 0 and not shrink(run, protect):
        return False
    run.reserved += 1
    return True


def shrink(run: Run, protect: int) -> int:
    """One round of reclaim; returns the pages it freed (0: nothing could be)."""
    mem = _mem(run)
    drop: list[int] = []
    for slot in mem.unmapped:
        if slot != protect:
            drop.append(slot)
            if len(drop) == SWAP_CLUSTER_MAX:
                break
    if drop:
        run.emit(ev.ReclaimDrop, 0, Site.SHRINK_DROP, slots=tuple(drop))
    return len(drop) + shrink_mapped(run, SWAP_CLUSTER_MAX - len(drop), protect)


def shrink_mapped(run: Run, want: int, protect: int) -> int:
    """Free up to `want` mapped pages, mapped longest ago first.

    A page still in the old area's swap cache (a shared page whose other references
    the walk has not reached) is clean: try_to_unmap puts the old entry back in its
    PTEs and the page is freed without a write; the walk restores them on a later
    pass.  Any other page is dirty (its slot was freed): it is written to the fresh
    area while the area has room, and passed over (moved to the young end) when not.
    The page of `protect`, the slot being faulted, is left where it is: swapoff holds
    it (locked, with a reference) to map it next, and shrink_page_list skips a page
    it cannot lock.
    """
    if want <= 0:
        return 0
    mem = _mem(run)
    fresh = run.machine.scenario.fresh
    room = 0 if fresh is None else max(0, fresh.slots - mem.fresh_next)
    slot_of = run.machine.refs.slot
    unmap: list[int] = []
    victims: list[int] = []
    kept: list[int] = []
    for page in mem.lru:
        if page >= 0 and mem.slot_page.get(slot_of[page]) == page:
            if slot_of[page] == protect:
                continue  # the page the walk is about to map
            unmap.append(page)
        elif len(victims) < room:
            victims.append(page)  # add_to_swap: the fresh area's next slot
        else:
            kept.append(page)  # get_swap_pages fails: the page stays (activated)
        if len(unmap) + len(victims) == want:
            break
    if unmap or kept:
        run.emit(ev.ReclaimUnmap, 0, Site.SHRINK_UNMAP, pages=tuple(unmap), kept=tuple(kept))
    if victims:
        page_out(run, victims)
    return len(unmap) + len(victims)


def page_out(run: Run, victims: list[int]) -> None:
    """Write the pages to the fresh area, in the next slots, in one request."""
    mem = _mem(run)
    start = mem.fresh_next  # get_swap_pages: the next slots, ascending
    head = mem.fresh_head if run.fresh_own else run.state.head
    at = run.fresh_base + start  # where those slots lie on their disk
    ns = run.fresh_disk.request_ns(head, at, len(victims))
    write = run.emit(
        ev.PageOut,
        ns * 1000,
        Site.SHRINK_PAGEOUT,
        start=start,
        pages=tuple(victims),
        head=head,
        seek_slots=abs(at - head),
    )
    if run.writes is not None:
        run.writes.append(write)
