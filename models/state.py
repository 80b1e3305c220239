"""The mutable state of one swapoff run, changed only by applying events.

The engine applies each event as it emits it; the timeline applies the same events
to a copy of a checkpoint to rebuild the state at any frame.  One mutator for both
is what makes "counters agree with the events" true by construction.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable

from models import events as ev
from models.counters import Counters
from models.machine import Machine
from models.tokens import token

SWAP = 0
PRESENT = 1
ERROR = 2  # the read failed: the PTE carries an error marker (SIGBUS on access)


class State:
    __slots__ = (
        "allocated",
        "cache_size",
        "cache_token",
        "cached",
        "clock",
        "count",
        "counters",
        "head",
        "inuse",
        "machine",
        "passes",
        "readahead",
        "ref_state",
        "ref_token",
        "result",
        "seed",
    )

    def __init__(self, machine: Machine) -> None:
        self.machine = machine
        slots = machine.slots
        # swap count per slot (the low bits of swap_map); SWAP_HAS_CACHE lives in `cached`
        self.count = bytearray(slots)
        self.cached = bytearray(slots)
        # PG_readahead: brought in by readahead and not yet used through a lookup
        self.readahead = bytearray(slots)
        self.ref_state = bytearray(len(machine.refs))
        # the content of each cached page, and what each restored PTE received
        self.cache_token = array("Q", bytes(8 * slots))
        self.ref_token = array("Q", bytes(8 * len(machine.refs)))
        self.seed = machine.scenario.seed
        for slot, refs in machine.slot_refs.items():
            self.count[slot] = len(refs)
        self.inuse = len(machine.slot_refs)
        self.head = 0
        self.cache_size = 0
        self.allocated = 0
        self.clock = 0
        self.counters = Counters()
        self.result = ""
        self.passes = 0

    def copy(self) -> State:
        other = State.__new__(State)
        other.machine = self.machine
        other.count = bytearray(self.count)
        other.cached = bytearray(self.cached)
        other.readahead = bytearray(self.readahead)
        other.ref_state = bytearray(self.ref_state)
        other.cache_token = array("Q", self.cache_token)
        other.ref_token = array("Q", self.ref_token)
        other.seed = self.seed
        other.head = self.head
        other.inuse = self.inuse
        other.cache_size = self.cache_size
        other.allocated = self.allocated
        other.clock = self.clock
        other.counters = self.counters.copy()
        other.result = self.result
        other.passes = self.passes
        return other

    def in_use(self, slot: int) -> bool:
        return bool(self.count[slot] or self.cached[slot])

    # ---- applying events ----------------------------------------------------------
    def apply(self, e: ev.Event) -> None:
        _APPLY[type(e)](self, e)
        if not isinstance(e, ev.DiskRequest):
            self.counters.cpu_ps += e.t1 - e.t0
        self.clock = e.t1

    def _pass_start(self, e: ev.PassStart) -> None:
        self.passes = e.number
        self.counters.passes = e.number

    def _scan(self, e: ev.SwapMapScan) -> None:
        pass

    def _request(self, e: ev.DiskRequest) -> None:
        c = self.counters
        for slot in range(e.start, e.start + e.pages):
            if not self.cached[slot]:
                self.cache_size += 1
                if not self.count[slot]:
                    self.inuse += 1
            self.cached[slot] = 1
            self.cache_token[slot] = token(self.seed, slot)
            self.readahead[slot] = 0 if slot == e.target else 1
        self.allocated += e.pages
        self.head = e.start + e.pages
        c.pages_read += e.pages
        c.io_requests += 1
        c.seek_slots += e.seek_slots
        c.io_ns += (e.t1 - e.t0) // 1000
        if self.cache_size > c.swapcache_peak:
            c.swapcache_peak = self.cache_size

    def _lookup(self, e: ev.Lookup) -> None:
        if e.readahead_hit:
            self.readahead[e.slot] = 0
            self.counters.readahead_hits += 1

    def _unuse_mm(self, e: ev.UnuseMm) -> None:
        self.counters.unuse_mm_calls += 1

    def _walk(self, e: ev.Walk) -> None:
        self.counters.ptes_scanned += e.ptes
        self.counters.unuse_pte_range_calls += e.calls

    def _drop_reference(self, ref: int, slot: int) -> None:
        self.ref_state[ref] = PRESENT
        self.ref_token[ref] = self.cache_token[slot]
        self.count[slot] -= 1
        if not self.count[slot] and not self.cached[slot]:
            self.inuse -= 1

    def _unuse_pte(self, e: ev.UnusePte) -> None:
        self._drop_reference(e.ref, e.slot)
        self.counters.unuse_pte_calls += 1

    def _shmem(self, e: ev.ShmemUnuse) -> None:
        self._drop_reference(e.ref, e.slot)

    def _search(self, e: ev.Search) -> None:
        c = self.counters
        c.unuse_mm_calls += e.unuse_mm_calls
        c.unuse_pte_range_calls += e.calls
        c.ptes_scanned += e.ptes
        c.unuse_pte_calls += len(e.restored)
        for ref in e.restored:
            self._drop_reference(ref, e.slot)

    def _free(self, e: ev.FreeSwapCache) -> None:
        slot = e.slot
        if self.cached[slot]:
            self.cached[slot] = 0
            self.cache_token[slot] = 0
            self.readahead[slot] = 0
            self.cache_size -= 1
            if not self.count[slot]:
                self.inuse -= 1

    def _done(self, e: ev.Done) -> None:
        self.result = e.result


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
}
