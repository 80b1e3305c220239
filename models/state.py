"""The mutable state of one swapoff run, changed only by applying events.

The engine applies each event as it emits it; the timeline applies the same events
to a copy of a checkpoint to rebuild the state at any frame.  One mutator for both
is what makes "counters agree with the events" true by construction.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from typing import Any

from models import events as ev
from models.counters import Counters
from models.machine import Machine
from models.memstate import MemoryState
from models.tokens import token

SWAP = 0
PRESENT = 1
ERROR = 2  # the read failed: the PTE carries an error marker (SIGBUS on access)
DROPPED = 3  # the reference went away: its mm exited or its file was unlinked
ABSENT = 4  # a fork child's reference before the fork (or if its parent's was gone)
FRESH = 5  # reclaim wrote the page to the fresh area: the PTE holds a fresh-area entry
ERROR_TOKEN = (1 << 64) - 1  # the content of a page whose read failed
CACHED = 1  # State.cached: the slot's page is in the swap cache
READAHEAD = 2  # ... and readahead brought it in: its first lookup is a hit


class State:
    __slots__ = (
        "active",
        "allocated",
        "cache_size",
        "cached",
        "clock",
        "count",
        "counters",
        "head",
        "inuse",
        "machine",
        "mem",
        "passes",
        "ref_state",
        "ref_token",
        "result",
        "seed",
        "signal",
        "unreadable",
    )

    def __init__(self, machine: Machine) -> None:
        self.machine = machine
        slots = machine.slots
        # swap count per slot (the low bits of swap_map); SWAP_HAS_CACHE lives in `cached`:
        # CACHED, or READAHEAD while the page still has PG_readahead (brought in by readahead
        # and not yet used through a lookup), 0 when the slot has no page in the swap cache
        self.count = bytearray(slots)
        self.cached = bytearray(slots)
        self.ref_state = bytearray(len(machine.refs))
        # what each restored PTE received (a cached page holds its slot's token, or
        # ERROR_TOKEN if its read failed: those slots are `unreadable`)
        self.ref_token = array("Q", bytes(8 * len(machine.refs)))
        self.unreadable: set[int] = set()
        self.seed = machine.scenario.seed
        # mms on the mmlist (a fork child joins when its fork happens)
        self.active = bytearray(b"\x01" * len(machine.walks))
        for mi in machine.unborn:
            self.active[mi] = 0
            for r in machine.mm_refs[mi]:
                self.ref_state[r] = ABSENT
        ref_slot = machine.refs.slot
        for r in range(len(ref_slot)):
            if self.ref_state[r] == SWAP:
                self.count[ref_slot[r]] += 1
        count = self.count
        self.inuse = sum(1 for s in machine.used_slots if count[s])
        self.signal = False
        self.head = 0
        self.cache_size = 0
        self.allocated = 0
        self.clock = 0
        self.counters = Counters()
        self.result = ""
        self.passes = 0
        # memory pressure only: free pages, what reclaim may take, the fresh area
        self.mem = MemoryState(machine) if machine.scenario.reclaim else None

    def copy(self, span: tuple[int, int] | None = None) -> State:
        """A copy; with `span` (lo, hi) a compact one whose `count` and `cached` hold
        only slots [lo, hi) (a timeline checkpoint: `widened` makes it whole again)."""
        other = State.__new__(State)
        other.machine = self.machine
        if span is None:
            other.count = bytearray(self.count)
            other.cached = bytearray(self.cached)
        else:
            lo, hi = span
            other.count = self.count[lo:hi]
            other.cached = self.cached[lo:hi]
        other.ref_state = bytearray(self.ref_state)
        other.ref_token = array("Q", self.ref_token)
        other.unreadable = set(self.unreadable)
        other.seed = self.seed
        other.active = bytearray(self.active)
        other.signal = self.signal
        other.head = self.head
        other.inuse = self.inuse
        other.cache_size = self.cache_size
        other.allocated = self.allocated
        other.clock = self.clock
        other.counters = self.counters.copy()
        other.result = self.result
        other.passes = self.passes
        other.mem = self.mem.copy() if self.mem is not None else None
        return other

    def widened(self, span: tuple[int, int]) -> State:
        """A whole copy of a compact one (`copy(span)`): the slots outside the span,
        which no reference names, hold no count and no cached page."""
        other = self.copy()
        lo, hi = span
        for name in ("count", "cached"):
            whole = bytearray(self.machine.slots)
            whole[lo:hi] = getattr(self, name)
            setattr(other, name, whole)
        return other

    def in_use(self, slot: int) -> bool:
        return bool(self.count[slot] or self.cached[slot])

    # ---- applying events ----------------------------------------------------------
    def apply(self, e: ev.Event) -> None:
        self.apply_as(type(e), e)

    def charge(self, cost_ps: int) -> None:
        """Apply an event of a COST_ONLY class costing `cost_ps` (its fields are not
        needed: its mutator changes nothing)."""
        self.counters.cpu_ps += cost_ps
        self.clock += cost_ps

    def apply_as(self, cls: type[ev.Event], e: Any) -> None:
        """Apply `e` as an event of class `cls` (the engine's counters-only path hands
        over a namespace of the same fields)."""
        _APPLY[cls](self, e)
        if cls is not ev.DiskRequest and cls is not ev.PageOut:  # disk time is io, not cpu
            self.counters.cpu_ps += e.t1 - e.t0
        self.clock = e.t1

    def _pass_start(self, e: ev.PassStart) -> None:
        self.passes = e.number
        self.counters.passes = e.number

    def _scan(self, e: ev.SwapMapScan) -> None:
        pass

    def _request(self, e: ev.DiskRequest) -> None:
        c = self.counters
        cached, count, failed, target = self.cached, self.count, e.failed, e.target
        mem = self.mem
        reread = 0
        for slot in range(e.start, e.start + e.pages):
            if mem is not None and mem.read(slot):
                reread += 1
            if not cached[slot]:
                self.cache_size += 1
                if not count[slot]:
                    self.inuse += 1
            cached[slot] = CACHED if slot == target else READAHEAD
            if failed and slot in failed:
                self.unreadable.add(slot)
            elif self.unreadable:
                self.unreadable.discard(slot)
        self.allocated += e.pages
        self.head = e.start + e.pages
        c.pages_read += e.pages
        c.io_errors += len(e.failed)
        c.io_requests += 1
        c.seek_slots += e.seek_slots
        ns = (e.t1 - e.t0) // 1000
        c.io_ns += ns
        if mem is not None:
            mem.free -= e.pages  # allocated before the read (models/kernel/vmscan.py)
            if reread:
                c.pages_reread += reread
                c.reread_ns += ns * reread // e.pages
        if self.cache_size > c.swapcache_peak:
            c.swapcache_peak = self.cache_size

    def _lookup(self, e: ev.Lookup) -> None:
        if e.readahead_hit:
            self.cached[e.slot] = CACHED
            self.counters.readahead_hits += 1

    def _unuse_mm(self, e: ev.UnuseMm) -> None:
        self.counters.unuse_mm_calls += 1

    def _walk(self, e: ev.Walk) -> None:
        self.counters.ptes_scanned += e.ptes
        self.counters.unuse_pte_range_calls += e.calls

    def drop_reference(self, ref: int, slot: int, state: int = PRESENT) -> None:
        """Reference `ref` stops holding `slot`: restored (PRESENT) from the cached page, or
        gone (DROPPED).  The timeline calls it too, for restores inside a partial search."""
        if not self.cached[slot]:
            page = 0  # no page: the invariants will see the PTE did not get its content
        elif slot in self.unreadable:
            page = ERROR_TOKEN
        else:
            page = token(self.seed, slot)
        if state == PRESENT and page == ERROR_TOKEN:
            state = ERROR  # the read failed: an error marker, never silently wrong data
        self.ref_state[ref] = state
        self.ref_token[ref] = page if state == PRESENT else 0
        if state == PRESENT and self.mem is not None and page:
            self.mem.map(ref, slot)  # (no page: nothing to map; the invariants say so)
        self.count[slot] -= 1
        if not self.count[slot] and not self.cached[slot]:
            self.inuse -= 1

    def _unuse_pte(self, e: ev.UnusePte) -> None:
        self.drop_reference(e.ref, e.slot)
        self.counters.unuse_pte_calls += 1

    def _shmem(self, e: ev.ShmemUnuse) -> None:
        self.drop_reference(e.ref, e.slot)

    def _search(self, e: ev.Search) -> None:
        c = self.counters
        c.unuse_mm_calls += e.unuse_mm_calls
        c.unuse_pte_range_calls += e.calls
        c.ptes_scanned += e.ptes
        c.unuse_pte_calls += len(e.restored)
        for ref in e.restored:
            self.drop_reference(ref, e.slot)

    def _uncache(self, slot: int) -> bool:
        """The page of `slot` leaves the swap cache (freed, or dropped by reclaim):
        whether the slot stays in use (a swap count still holds it)."""
        self.cached[slot] = 0
        self.unreadable.discard(slot)
        self.cache_size -= 1
        if self.count[slot]:
            return True
        self.inuse -= 1
        return False

    def _back_in_swap(self, ref: int, slot: int) -> None:
        """The old swap entry is back in the PTE of `ref` (a retry, or reclaim)."""
        self.ref_state[ref] = SWAP
        self.ref_token[ref] = 0
        self.count[slot] += 1

    def _free(self, e: ev.FreeSwapCache) -> None:
        slot = e.slot
        if self.cached[slot]:
            self._uncache(slot)
            if self.mem is not None:
                self.mem.uncache(slot)

    def _done(self, e: ev.Done) -> None:
        self.result = e.result

    def _fault(self, e: ev.FaultFired) -> None:
        if e.kind == "eintr":
            self.signal = True

    def _fault_in(self, e: ev.FaultIn) -> None:
        self.drop_reference(e.ref, e.slot)

    def _drop_ref(self, e: ev.DropRef) -> None:
        self.drop_reference(e.ref, e.slot, DROPPED)

    def _mm_exit(self, e: ev.MmExit) -> None:
        self.active[e.mm] = 0

    def _mm_fork(self, e: ev.MmFork) -> None:
        """The child's PTEs are copies of the parent's as they are now."""
        self.active[e.mm] = 1
        m = self.machine
        for child, parent in zip(m.mm_refs[e.mm], m.mm_refs[e.parent], strict=True):
            state = self.ref_state[parent]
            if state == SWAP:
                self.count[m.refs.slot[child]] += 1  # swap_duplicate
            elif state not in (PRESENT, ERROR):
                state = ABSENT
            self.ref_state[child] = state
            self.ref_token[child] = self.ref_token[parent]

    def _reclaim(self, e: ev.Reclaim) -> None:
        slots = self.machine.refs.slot
        for ref in e.refs:
            self._back_in_swap(ref, slots[ref])

    # ---- memory pressure ------------------------------------------------------------
    def _load_touch(self, e: ev.LoadTouch) -> None:
        mem = self.mem
        assert mem is not None
        mem.free -= e.pages
        for k in range(e.first, e.first + e.pages):
            mem.load_fresh.append(0)
            mem.lru[~k] = None

    def _reclaim_drop(self, e: ev.ReclaimDrop) -> None:
        mem = self.mem
        assert mem is not None
        for slot in e.slots:
            # an orphan (no reference left) is free now; any other is read again later
            if self._uncache(slot):
                mem.dropped.add(slot)
            del mem.unmapped[slot]
        mem.free += len(e.slots)
        self.counters.pages_dropped += len(e.slots)

    def _reclaim_unmap(self, e: ev.ReclaimUnmap) -> None:
        mem = self.mem
        assert mem is not None
        m = self.machine
        for pid in e.kept:
            mem.lru.move_to_end(pid)  # activated: nowhere to write it now
        for pid in e.pages:
            slot = m.refs.slot[pid]
            del mem.lru[pid]
            del mem.slot_page[slot]
            for r in m.slot_refs.get(slot, ()):
                if mem.page_of[r] == pid:
                    mem.page_of[r] = -1
                    self._back_in_swap(r, slot)
            # freed without a write: out of the swap cache (the slot stays in use: the
            # counts just put back hold it), and read again when the walk comes back
            self._uncache(slot)
            mem.dropped.add(slot)
        mem.free += len(e.pages)
        self.counters.pages_dropped += len(e.pages)

    def _page_out(self, e: ev.PageOut) -> None:
        mem = self.mem
        assert mem is not None
        m = self.machine
        for i, pid in enumerate(e.pages):
            f = e.start + i
            del mem.lru[pid]
            if pid < 0:
                mem.load_fresh[~pid] = f
                mem.fresh_count[f] += 1
                continue
            for r in m.slot_refs.get(m.refs.slot[pid], ()):
                if mem.page_of[r] == pid:
                    mem.page_of[r] = -1
                    mem.ref_fresh[r] = f
                    self.ref_state[r] = FRESH
                    mem.fresh_count[f] += 1
        n = len(e.pages)
        mem.free += n
        mem.fresh_next = e.start + n
        if m.scenario.fresh is not None and m.scenario.fresh.disk == "own":
            mem.fresh_head = e.start + n
        else:
            self.head = m.slots + e.start + n  # the fresh area lies after the old one
        c = self.counters
        ns = (e.t1 - e.t0) // 1000
        c.pages_written += n
        c.io_ns += ns
        c.write_ns += ns

    def _no_memory(self, e: ev.NoMemory) -> None:
        pass


_APPLY: dict[type, Callable[[State, ev.Event], None]] = {
    ev.PassStart: State._pass_start,  # type: ignore[dict-item]
    ev.SwapMapScan: State._scan,  # type: ignore[dict-item]
    ev.DiskRequest: State._request,  # type: ignore[dict-item]
    ev.Lookup: State._lookup,  # type: ignore[dict-item]
    ev.UnuseMm: State._unuse_mm,  # type: ignore[dict-item]
    ev.Walk: State._walk,  # type: ignore[dict-item]
    ev.UnusePte: State._unuse_pte,  # type: ignore[dict-item]
    ev.ShmemUnuse: State._shmem,  # type: ignore[dict-item]
    ev.Search: State._search,  # type: ignore[dict-item]
    ev.FreeSwapCache: State._free,  # type: ignore[dict-item]
    ev.Done: State._done,  # type: ignore[dict-item]
    ev.FaultFired: State._fault,  # type: ignore[dict-item]
    ev.FaultIn: State._fault_in,  # type: ignore[dict-item]
    ev.DropRef: State._drop_ref,  # type: ignore[dict-item]
    ev.MmExit: State._mm_exit,  # type: ignore[dict-item]
    ev.MmFork: State._mm_fork,  # type: ignore[dict-item]
    ev.Reclaim: State._reclaim,  # type: ignore[dict-item]
    ev.LoadTouch: State._load_touch,  # type: ignore[dict-item]
    ev.ReclaimDrop: State._reclaim_drop,  # type: ignore[dict-item]
    ev.ReclaimUnmap: State._reclaim_unmap,  # type: ignore[dict-item]
    ev.PageOut: State._page_out,  # type: ignore[dict-item]
    ev.NoMemory: State._no_memory,  # type: ignore[dict-item]
}

# events whose mutator is a no-op: applying one only advances the clock and the CPU
# time (the engine's counters-only path charges them without a record)
COST_ONLY = frozenset(cls for cls, apply in _APPLY.items() if apply is State._scan)
