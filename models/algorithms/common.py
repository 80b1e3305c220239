"""What every algorithm shares: the run context, swap-in with readahead, reading a batch.

The algorithms call these helpers the way the kernel's try_to_unuse variants call
read_swap_cache_async / swapin_readahead / lookup_swap_cache: the helpers emit the
events (disk requests, lookups) and the state changes follow from those events.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from typing import Any

from models import events as ev
from models.algorithms.inject import Injector
from models.cost import CpuCost, DiskModel
from models.machine import Machine
from models.readahead import ClusterState, VmaState, cluster_block
from models.scenario_model import Fault
from models.state import SWAP, State

PROGRESS_EVERY = 8192


class OutOfMemory(Exception):
    """A page the algorithm must have could not be allocated: try_to_unuse returns -ENOMEM."""


class Run:
    """One swapoff in progress: machine, state, clock, readahead state, emitted events."""

    def __init__(
        self,
        machine: Machine,
        algorithm: str,
        readahead: str,
        disk: DiskModel,
        cpu: CpuCost,
        keep_events: bool,
        keep_requests: bool = True,
        faults: tuple[Fault, ...] = (),
        children: dict[int, int] | None = None,
    ) -> None:
        self.machine = machine
        self.algorithm = algorithm
        self.readahead = readahead
        self.disk = disk
        self.cpu = cpu
        self.state = State(machine)
        self.events: list[ev.Event] | None = [] if keep_events else None
        # kept even without events, for --trace; None when not wanted (memory)
        self.requests: list[ev.DiskRequest] | None = [] if keep_requests else None
        self.page_cluster = machine.scenario.page_cluster
        self.free_pages = machine.scenario.free_pages
        self.cluster = ClusterState()
        self.cluster.hits = machine.scenario.readahead_hits
        self.vma_hits = machine.scenario.readahead_vma_hits
        # progress reporting for long runs: called every PROGRESS_EVERY events
        self.progress: Callable[[float], None] | None = None
        self._emitted = 0
        self._initial_inuse_exact = self.state.inuse
        self._initial_inuse = max(1, self.state.inuse)
        self.vma_state: dict[tuple[int, int], VmaState] = {}
        self.faults = faults
        # legacy's prefix sums over the mms on the mmlist, keyed by that set
        self.legacy_prefix: tuple[bytes, tuple[array, array, array]] | None = None
        self.inject = Injector(self, faults, children or {})
        if self.inject.enomem is not None:
            budget = self.inject.enomem
            self.free_pages = budget if self.free_pages is None else min(budget, self.free_pages)

    # ---- emitting --------------------------------------------------------------------
    def emit(self, cls: type[ev.Event], cost_ps: int, site: str, **fields: Any) -> ev.Event:
        t0 = self.state.clock
        event = cls(t0=t0, t1=t0 + cost_ps, site=site, **fields)
        self.state.apply(event)
        if self.events is not None:
            self.events.append(event)
        self._emitted += 1
        if self.progress is not None and self._emitted % PROGRESS_EVERY == 0:
            self.progress(1.0 - self.state.inuse / self._initial_inuse)
        return event

    def scan_up(self, first: int, limit: int) -> int:
        """The first slot in [first, limit) in use (counted or cached, not bad); else limit."""
        count, cached, bad = self.state.count, self.state.cached, self.machine.bad
        i = first
        while i < limit and not ((count[i] or cached[i]) and i not in bad):
            i += 1
        return i

    def swap_map_scan(self, start: int, examined: int, found: int, site: str) -> int:
        """Charge find_next_to_unuse's reads of swap_map; returns `found`."""
        self.emit(
            ev.SwapMapScan,
            examined * self.cpu.slot_scan,
            site,
            start=start,
            examined=examined,
            found=found,
        )
        return found

    def free_cache(self, slot: int, site: str) -> None:
        """delete_from_swap_cache / try_to_free_swap: the page leaves the swap cache."""
        self.emit(ev.FreeSwapCache, 0, site, slot=slot, freed=self.state.count[slot] == 0)

    # ---- reading ---------------------------------------------------------------------
    def read_batch(self, candidates: list[int] | range, target: int, site: str) -> None:
        """Submit reads for the candidates that are in use, not bad and not cached, in order.

        Consecutive submissions of consecutive slots merge into one request (the block
        layer's plug).  A readahead page that does not fit in memory is skipped; the
        target not fitting is -ENOMEM.
        """
        st = self.state
        count, cached, bad = st.count, st.cached, self.machine.bad
        budget = None if self.free_pages is None else self.free_pages - st.allocated
        chosen: list[int] = []
        target_failed = False
        for slot in candidates:
            if cached[slot] or not count[slot] or slot in bad or slot in chosen:
                continue
            if budget is not None:
                if budget <= 0:
                    # the readahead pages already allocated are still read; then -ENOMEM
                    target_failed = target_failed or slot == target
                    continue
                budget -= 1
            chosen.append(slot)
        i = 0
        while i < len(chosen):
            j = i + 1
            while j < len(chosen) and chosen[j] == chosen[j - 1] + 1:
                j += 1
            start, pages = chosen[i], j - i
            head = st.head
            ns = self.disk.request_ns(head, start, pages)
            reason = "target" if start <= target < start + pages else "readahead"
            failed = tuple(s for s in range(start, start + pages) if s in self.inject.eio)
            request = self.emit(
                ev.DiskRequest,
                ns * 1000,
                site,
                start=start,
                pages=pages,
                head=head,
                seek_slots=abs(start - head),
                target=target,
                reason=reason,
                failed=failed,
            )
            if failed:
                self.inject.note_eio(failed)
            if self.requests is not None:
                self.requests.append(request)  # type: ignore[arg-type]
            i = j
        if target_failed:
            self.inject.note_enomem()
            raise OutOfMemory

    def cluster_readahead(self, slot: int, policy: str, site: str) -> None:
        """swap_cluster_readahead (or a plain read for `none`) for target `slot`."""
        if policy == "none":
            window = 1
        else:
            window = self.cluster.window(slot, self.page_cluster, policy == "cluster-adaptive")
        self.read_batch(cluster_block(slot, window, self.machine.slots), slot, site)

    def swapin_readahead(self, ref: int, site: str) -> None:
        """swapin_readahead for the anon PTE of `ref`: VMA or cluster readahead by policy."""
        refs = self.machine.refs
        if self.readahead != "vma":
            self.cluster_readahead(refs.slot[ref], self.readahead, site)
            return
        r = refs[ref]
        walk = self.machine.walks[r.owner]
        start, end, _anon = walk.vma_bounds[r.vma]
        state = self.vma_state.get((r.owner, r.vma))
        if state is None:
            state = self.vma_state[(r.owner, r.vma)] = VmaState(self.vma_hits)
        lo, hi = state.window(r.vpage, self.page_cluster, start, end)
        if hi - lo == 1:
            self.read_batch([r.slot], r.slot, site)
            return
        ref_state, ref_slot = self.state.ref_state, self.machine.refs.slot
        # the swap PTEs in the window, in PTE order (the walk order is address order)
        slots = [ref_slot[o] for o in walk.refs_between(lo, hi) if ref_state[o] == SWAP]
        self.read_batch(slots, r.slot, site)

    def lookup_swap_cache(self, ref: int, site: str) -> bool:
        """lookup_swap_cache: is the page cached?  Counts a readahead page's first use as a hit."""
        refs = self.machine.refs
        st = self.state
        slot = refs.slot[ref]
        hit = bool(st.cached[slot])
        ra = hit and bool(st.readahead[slot])
        if hit:
            if self.readahead == "vma" and refs.vpage[ref] >= 0:
                key = (refs.owner[ref], refs.vma[ref])
                state = self.vma_state.get(key)
                if state is None:
                    state = self.vma_state[key] = VmaState(self.vma_hits)
                state.on_hit(refs.vpage[ref], ra)
            elif ra:
                self.cluster.hits += 1
        self.emit(ev.Lookup, 0, site, slot=slot, ref=ref, hit=hit, readahead_hit=ra)
        return hit

    def shmem_swapin(self, ref: int, site: str) -> None:
        """shmem_swapin_folio: look the entry up, else cluster readahead.

        shmem never uses VMA readahead: its swap-in always takes the cluster path.
        """
        if not self.lookup_swap_cache(ref, "shmem_swapin:lookup"):
            policy = "cluster-adaptive" if self.readahead == "vma" else self.readahead
            self.cluster_readahead(self.machine.refs.slot[ref], policy, site)

    def done(self, result: str) -> None:
        self.emit(ev.Done, 0, "try_to_unuse:return", result=result)


def unuse_mm(run: Run, mi: int, unuse_one: Any) -> None:
    """unuse_mm -> unuse_vma -> ... -> unuse_pte_range over every anon VMA of mm `mi`.

    The PTE loop is folded into Walk events: one per stretch of PTEs up to and including
    the next swap PTE of this area, which `unuse_one(ref)` then handles.  Walking PTE by
    PTE would only repeat what the walk ordinals already say.
    """
    walk = run.machine.walks[mi]
    run.emit(ev.UnuseMm, run.cpu.mm, "unuse_mm", mm=mi)
    ref_state = run.state.ref_state
    refs = run.machine.refs

    def examine(first: int, last: int) -> None:
        """unuse_pte_range over PTEs first..last (walk ordinals) and the units starting there."""
        calls = walk.unit_starts_between(first, last)
        ptes = last - first + 1
        run.emit(
            ev.Walk,
            run.cpu.walk(ptes, calls),
            "unuse_pte_range",
            mm=mi,
            first=first,
            ptes=ptes,
            calls=calls,
        )

    cursor = 0
    for ref in walk.anon_refs:
        run.inject.poll()
        if ref_state[ref] != SWAP:
            continue  # restored already (an earlier pass, a racing fault): a present PTE
        o = refs.ordinal[ref]
        examine(cursor, o)
        cursor = o + 1
        unuse_one(ref)
    if cursor < walk.total_ptes:
        examine(cursor, walk.total_ptes - 1)


def shmem_unuse(run: Run) -> None:
    """shmem_unuse(type): every file on shmem_swaplist, every swapped index ascending."""
    m = run.machine
    ref_state = run.state.ref_state
    for fi, refs in enumerate(m.file_refs):
        for ref in refs:
            run.inject.poll()
            if ref_state[ref] != SWAP:
                continue
            slot = m.refs.slot[ref]
            run.shmem_swapin(ref, "shmem_swapin")
            run.emit(ev.ShmemUnuse, 0, "shmem_unuse_inode", ref=ref, slot=slot, file=fi, searched=0)
            run.free_cache(slot, "shmem_unuse_inode:delete_from_swap_cache")
