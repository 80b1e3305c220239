"""What the engine emits: immutable events on the simulated clock.

Every event carries its simulated start and end (`t0`, `t1`, integer picoseconds, so
that 0.5 ns per PTE adds up exactly) and the algorithm *site* it belongs to
(`models.sites.Site`): a stable name such as ``unuse_pte_range`` that the TUI's
source pane and narration key on.

Applying the events in order to a fresh `models.state.State` reproduces the run
exactly: the algorithms themselves change the state only by emitting events.
"""

from __future__ import annotations

from attrs import frozen

from models.sites import Site


@frozen
class Event:
    t0: int
    t1: int
    site: Site


@frozen
class PassStart(Event):
    """try_to_unuse starts a pass (linear retries from the top)."""

    number: int


@frozen
class SwapMapScan(Event):
    """find_next_to_unuse read `examined` swap_map entries and stopped at `found` (0: none).

    prefetch charges all the calls that gathered one batch in one event: `gathered`
    slots to read, `found` the last slot returned (0 when the scan reached the end).
    """

    start: int  # first slot examined
    examined: int
    found: int
    gathered: int = 0


@frozen
class DiskRequest(Event):
    """One disk request: slots start .. start+pages-1 read into the swap cache."""

    start: int
    pages: int
    head: int  # head position before the request
    seek_slots: int
    target: int  # the slot being faulted or searched for by this batch (0: none, prefetch)
    reason: str  # "target" if the request holds `target`, else "readahead"
    failed: tuple[int, ...] = ()  # slots whose read failed (an eio fault)


@frozen
class Lookup(Event):
    """lookup_swap_cache for a slot.

    `hit` if the page is cached; `readahead_hit` on the first use of a readahead page.
    """

    slot: int
    ref: int
    hit: bool
    readahead_hit: bool


@frozen
class UnuseMm(Event):
    """unuse_mm(mm) begins."""

    mm: int


@frozen
class Walk(Event):
    """unuse_pte_range examined PTEs `first` .. `first+ptes-1` (walk ordinals) of `mm`.

    `calls` is the number of unuse_pte_range calls entered in that stretch.
    """

    mm: int
    first: int
    ptes: int
    calls: int


@frozen
class UnusePte(Event):
    """unuse_pte: the swap PTE of reference `ref` now maps the page of `slot`."""

    ref: int
    slot: int


@frozen
class ShmemUnuse(Event):
    """shmem swap-in: page `ref` of a tmpfs file is back in the page cache.

    `searched` counts the files legacy's shmem_unuse(entry) looked through.
    """

    ref: int
    slot: int
    file: int
    searched: int


@frozen
class Search(Event):
    """legacy: the search of the mmlist for every reference to `slot` (one try_to_unuse iteration).

    The visits are consecutive positions of the circular mmlist (position 0 is init_mm,
    position k is mm k-1) starting at `first_pos` (the start_mm if it was not init_mm),
    `positions` of them.  The totals are exact; `search_progress` recovers the
    per-mm detail on demand (models.algorithms.legacy_search).
    """

    slot: int
    first_pos: int
    positions: int
    start_was_init: bool
    unuse_mm_calls: int
    calls: int
    ptes: int
    restored: tuple[int, ...]  # refs restored, in order
    new_start_pos: int  # start_mm for the next slot (position)


@frozen
class FreeSwapCache(Event):
    """The page of `slot` left the swap cache; `freed` if the slot's count was 0 (slot free)."""

    slot: int
    freed: bool


@frozen
class FaultFired(Event):
    """A fault of the scenario or the command line took effect (see models/faults.py)."""

    kind: str
    spec: str
    detail: str  # what it did, in words


@frozen
class FaultIn(Event):
    """do_swap_page: the process itself faulted the page of `ref` in, racing the walk."""

    ref: int
    slot: int


@frozen
class DropRef(Event):
    """A reference went away without being swapped in (the mm exited, the file was unlinked)."""

    ref: int
    slot: int


@frozen
class MmExit(Event):
    """The mm left the mmlist: walks skip it from now on."""

    mm: int


@frozen
class MmFork(Event):
    """fork(): mm `mm` (a copy of `parent`) joins the mmlist and shares its swap entries."""

    mm: int
    parent: int


@frozen
class Reclaim(Event):
    """Reclaim unmapped mapped pages still in the swap cache: their swap entries are back."""

    refs: tuple[int, ...]


# ---- memory pressure (docs/engine.md, section 9) -------------------------------------
@frozen
class LoadTouch(Event):
    """The concurrent load touched `pages` new pages (load pages first .. first+pages-1)."""

    first: int
    pages: int


@frozen
class ReclaimDrop(Event):
    """shrink_folio_list freed clean swap-cache pages that nothing maps: no write.

    Their slots keep their swap counts; the walk reads them again when it needs them.
    """

    slots: tuple[int, ...]


@frozen
class ReclaimUnmap(Event):
    """Reclaim unmapped mapped pages still in the old area's swap cache, and freed them.

    Clean there (their slots still hold their content): try_to_unmap puts the old
    entry back in each PTE that mapped one, and the page is freed without a write.
    A page is named by the first reference that mapped it.  `kept`: pages the scan
    passed over (nowhere to write them), moved to the young end of the LRU.
    """

    pages: tuple[int, ...]
    kept: tuple[int, ...] = ()


@frozen
class PageOut(Event):
    """Reclaim wrote mapped pages to the fresh area: page i went to fresh slot start+i.

    A page is named by the first reference that mapped it (>= 0) or, for the load's
    page k, by ~k.  Their PTEs hold entries of the fresh area now.  `head` and
    `seek_slots` are in the coordinates of the disk written (docs/engine.md, 9).
    """

    start: int
    pages: tuple[int, ...]
    head: int
    seek_slots: int


@frozen
class NoMemory(Event):
    """No free page and nothing to reclaim: the OOM killer's first choice is swapoff.

    `who`: "swapoff" (the page it needed) or "load" (the load's page).  `why`:
    "nowhere" (no fresh area), "full" (the fresh area is full), "pass" (a whole pass
    of the walk freed no slot: reclaim unmapped as much as the walk restored).
    """

    who: str
    why: str = "nowhere"


@frozen
class Done(Event):
    """try_to_unuse returned."""

    result: str  # "ok", "ENOMEM", "EINTR"


# ---- frame boundaries -------------------------------------------------------------
GRANULARITIES = ("pte", "range", "entry", "mm", "pass")

# events that hold many frames: the module that emits one also opens it up
# (models.progress.Expand, through the algorithm registry)
COMPOUND: tuple[type[Event], ...] = (Walk, Search)


def boundaries(ev: Event) -> tuple[int, int, int, int, int]:
    """How many frame boundaries event `ev` holds at each granularity (pte, range, entry, mm, pass).

    A frame at granularity g is the state right after a g-step: one PTE examined (every
    other event is its own pte step too), one unuse_pte_range call entered, one slot
    freed, one unuse_mm entered, one pass started (after the first).
    """
    if isinstance(ev, Walk):
        return (ev.ptes, ev.calls, 0, 0, 0)
    if isinstance(ev, Search):
        return (max(ev.ptes, 1), ev.calls, 0, ev.unuse_mm_calls, 0)
    if isinstance(ev, UnuseMm):
        return (1, 0, 0, 1, 0)
    if isinstance(ev, FreeSwapCache):
        return (1, 0, 1 if ev.freed else 0, 0, 0)
    if isinstance(ev, ShmemUnuse):
        return (1, 0, 0, 0, 0)
    if isinstance(ev, PassStart):
        return (1, 0, 0, 0, 1 if ev.number > 1 else 0)
    if isinstance(ev, FaultFired | NoMemory):
        return (1, 1, 1, 1, 0)  # a fault is worth a stop at every step size
    return (1, 0, 0, 0, 0)
