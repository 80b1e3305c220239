"""The naive reference walker's memory under pressure, written from docs/engine.md, section 9.

`tests/reference.py` hands its reads, restores and swap-cache deletions to a
`NaiveMemory` when the scenario has `reclaim`; nothing here comes from `models/`.
Naive on purpose: the pages are explicit objects holding the PTE cells that map them;
the swap-cache pages nothing maps are a plain list in read order; the mapped pages a
plain list in the order they were first mapped; every choice is a linear scan.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.reference import _Walker

RECLAIM_BATCH = 32  # SWAP_CLUSTER_MAX: what one round of reclaim frees at most


class Enomem(Exception):
    """No page for the target or for the load: try_to_unuse fails with ENOMEM."""


@dataclass(eq=False)
class Page:
    """One page of memory that something maps: swapoff's (the old slot it came from,
    the cells restored from it) or the load's (slot None)."""

    slot: int | None
    cells: list[tuple[Any, ...]] = field(default_factory=list)  # (mm index, vpn) or ("shmem", f, i)


class NaiveMemory:
    def __init__(self, walker: _Walker) -> None:
        self.w = walker
        sc = walker.sc
        self.free: int = sc.free_pages or 0
        self.unmapped: list[int] = []  # old-area swap-cache pages no PTE maps, read order
        self.mapped: list[Page] = []  # first mapped first
        self.cache_page: dict[int, Page] = {}  # slot -> its mapped page, while cached
        self.dropped: set[int] = set()  # slots dropped by reclaim and not read since
        self.fresh_slots = sc.fresh.slots if sc.fresh is not None else 0
        self.fresh_own = sc.fresh is not None and sc.fresh.disk == "own"
        self.fresh_map = [0] * self.fresh_slots  # swap counts of the fresh area
        self.fresh_next = 1
        self.fresh_head = 0  # its own disk's head (own) ...
        self.load_pages: list[Page] = []  # every page the load touched, in order
        self.load_fresh: dict[int, int] = {}  # load page index -> fresh slot

    # ------------------------------------------------------------------ the clock
    def clock_ps(self) -> int:
        """The simulated time so far: every counted operation and every request."""
        w = self.w
        cpu = w.sc.cpu

        def ps(x: float) -> int:
            return round(x * 1000)

        return (
            w.c["ptes_scanned"] * ps(cpu.pte_ns)
            + w.c["unuse_pte_range_calls"] * ps(cpu.range_ns)
            + w.c["unuse_mm_calls"] * ps(cpu.mm_ns)
            + w.c["unuse_pte_calls"] * ps(cpu.unuse_pte_ns)
            + w.slot_scans * ps(cpu.slot_scan_ns)
            + w.c["io_ns"] * 1000
        )

    # ------------------------------------------------------------------ reading
    def read_batch(self, candidates: list[int], target: int | None) -> None:
        """Rule 1: allocate page by page in order (a slot is looked at when its turn
        comes), the load first (rule 2); then the reads, consecutive slots merged."""
        w = self.w
        chosen: list[int] = []
        load_done = False
        for s in candidates:
            if s in w.bad or w.count[s] == 0 or s in w.cache or s in chosen:
                continue
            if not load_done:
                load_done = True
                self.load_catch_up(target)
            if self.free == 0 and self.reclaim(target) == 0:
                if s == target:
                    self.submit(chosen, target)
                    raise Enomem()
                continue  # a readahead page that cannot be had is skipped
            self.free -= 1
            chosen.append(s)
        self.submit(chosen, target)

    def submit(self, chosen: list[int], target: int | None) -> None:
        w = self.w
        runs: list[list[int]] = []
        for s in chosen:
            if runs and runs[-1][-1] + 1 == s:
                runs[-1].append(s)
            else:
                runs.append([s])
        for run in runs:
            start, pages = run[0], len(run)
            seek = abs(start - w.head)
            ns = int(w.request_ns(start, pages) + 0.5)
            w.requests.append((start, pages, seek, ns, "target" if target in run else "readahead"))
            w.c["io_requests"] += 1
            w.c["seek_slots"] += seek
            w.c["io_ns"] += ns
            w.head = run[-1] + 1
            again = [s for s in run if s in self.dropped]
            if again:
                w.c["pages_reread"] += len(again)
                w.c["reread_ns"] += ns * len(again) // pages
                self.dropped.difference_update(again)
        for s in chosen:
            w.reads.append(s)
            w.c["pages_read"] += 1
            w.cache.add(s)
            w.page_anon.pop(s, None)
            if s != target:
                w.ra_flag.add(s)
            self.unmapped.append(s)
        w.c["swapcache_peak"] = max(w.c["swapcache_peak"], len(w.cache))

    # ------------------------------------------------------------------ the load
    def load_catch_up(self, protect: int | None) -> None:
        load = self.w.sc.load
        if load is None:
            return
        want = min(load.pages, math.floor(load.pages_per_ms * self.clock_ps() / 1e9))
        while len(self.load_pages) < want:
            if self.free == 0 and self.reclaim(protect) == 0:
                raise Enomem()
            self.free -= 1
            page = Page(None)
            self.load_pages.append(page)
            self.mapped.append(page)

    # ------------------------------------------------------------------ mapping
    def restored(self, cell: tuple[Any, ...], slot: int) -> None:
        """Rule 3: a PTE (or a tmpfs page) restored from the swap-cache page of `slot`."""
        page = self.cache_page.get(slot)
        if page is None:
            page = Page(slot)
            self.cache_page[slot] = page
            self.mapped.append(page)
            if slot in self.unmapped:
                self.unmapped.remove(slot)
        page.cells.append(cell)

    def uncached(self, slot: int) -> None:
        """The page of `slot` leaves the swap cache: freed unless something maps it."""
        if slot in self.cache_page:
            del self.cache_page[slot]
        else:
            self.unmapped.remove(slot)
            self.free += 1

    # ------------------------------------------------------------------ reclaim
    def reclaim(self, protect: int | None) -> int:
        """Rule 4: one round, up to 32 pages: drop, then unmap or write."""
        w = self.w
        drop = [s for s in self.unmapped if s != protect][:RECLAIM_BATCH]
        for s in drop:
            self.unmapped.remove(s)
            w.cache.discard(s)
            w.ra_flag.discard(s)
            w.page_anon.pop(s, None)
            if w.count[s] > 0:
                self.dropped.add(s)
        self.free += len(drop)
        w.c["pages_dropped"] += len(drop)
        return len(drop) + self.shrink_mapped(RECLAIM_BATCH - len(drop), protect)

    def shrink_mapped(self, want: int, protect: int | None) -> int:
        """Rule 4b: mapped pages, first mapped first, until `want` are freed; the
        page of the slot being faulted stays where it is."""
        w = self.w
        room = max(0, self.fresh_slots - self.fresh_next)
        unmap: list[Page] = []
        victims: list[Page] = []
        passed: list[Page] = []
        for page in self.mapped:
            if len(unmap) + len(victims) == want:
                break
            if page.slot is not None and self.cache_page.get(page.slot) is page:
                if page.slot == protect:
                    continue  # swapoff holds it, to map it next
                unmap.append(page)  # clean in the old area: only unmapped
            elif len(victims) < room:
                victims.append(page)
            else:
                passed.append(page)  # nowhere to write it
        for page in passed:  # to the young end
            self.mapped.remove(page)
            self.mapped.append(page)
        for page in unmap:
            slot = page.slot
            assert slot is not None
            self.mapped.remove(page)
            del self.cache_page[slot]
            for cell in page.cells:
                w.set_cell(cell, ("swap", slot))  # the old entry is back
                w.count[slot] += 1
            w.cache.discard(slot)
            w.ra_flag.discard(slot)
            w.page_anon.pop(slot, None)
            self.dropped.add(slot)
        self.free += len(unmap)
        w.c["pages_dropped"] += len(unmap)
        if victims:
            self.write(victims)
        return len(unmap) + len(victims)

    def write(self, victims: list[Page]) -> None:
        w = self.w
        start = self.fresh_next
        for i, page in enumerate(victims):
            f = start + i
            self.mapped.remove(page)
            if page.slot is None:
                self.load_fresh[self.load_pages.index(page)] = f
                self.fresh_map[f] += 1
                continue
            for cell in page.cells:
                w.set_cell(cell, ("fresh", f, page.slot))
                self.fresh_map[f] += 1
        self.fresh_next += len(victims)
        # rule 6: the write's cost, on the old disk after its last slot, or on its own
        if self.fresh_own:
            ns = w.disk_ns(self.fresh_head, start, len(victims), self.fresh_slots)
            self.fresh_head = start + len(victims)
        else:
            ns = w.disk_ns(w.head, w.nslots + start, len(victims), w.nslots)
            w.head = w.nslots + start + len(victims)
        ns = int(ns + 0.5)
        w.c["io_ns"] += ns
        w.c["write_ns"] += ns
        w.c["pages_written"] += len(victims)
        self.free += len(victims)
