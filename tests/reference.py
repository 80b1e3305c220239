"""A deliberately naive reference walker for swapoff, written from docs/engine.md alone.

This is the independent cross-check of the engine in ``models/``: it follows
``docs/engine.md`` (sections 1-5 and 7) literally, PTE by PTE, and shares no code
with the engine (only the scenario data classes of ``models.scenario_model``).

Naive on purpose:
- every mm gets explicit page tables, a dict ``region -> list of 512 PTE cells``;
- every ``unuse_mm`` walks VMA by VMA, region by region, PTE by PTE, exactly like
  the kernel loops (no prefix sums, no indexes from slot to PTE);
- ``find_next_to_unuse`` reads ``swap_map`` one slot at a time;
- "in use" is recomputed by scanning ``swap_map`` whenever it is asked.

It is only meant for small scenarios (a few thousand PTEs; legacy is quadratic)
and for the Linux 6.1 fixtures under ``linear``.

Entry point: :func:`reference_run`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from models.scenario_model import PTES_PER_TABLE, DiskParams, Scenario
from tests.reference_pressure import Enomem, NaiveMemory

ALGORITHMS = ("legacy", "rfc", "linear", "linear-5.1", "prefetch")
PREFETCH_BATCH = 256  # section 2, prefetch: slots read under one plug (1 MiB)
READAHEADS = ("none", "cluster", "cluster-adaptive", "vma")

COUNTER_NAMES = (
    "unuse_pte_range_calls",
    "ptes_scanned",
    "unuse_pte_calls",
    "unuse_mm_calls",
    "pages_read",
    "io_requests",
    "seek_slots",
    "readahead_hits",
    "swapcache_peak",
    "passes",
    "io_errors",
    "pages_dropped",
    "pages_written",
    "pages_reread",
    "cpu_ns",
    "io_ns",
    "write_ns",
    "reread_ns",
    "total_ns",
)

SWAP_RA_HITS_MAX = 63

# A target page that does not fit in free_pages ends the run with ENOMEM.  The readahead
# pages submitted before it in the same batch (the window is submitted in ascending
# order, the target in its place) have taken their pages already and, as in the kernel's
# swap_cluster_readahead (the plug is flushed, then read_swap_cache_async fails on the
# target), they are read and stay cached.

# PTE cell values.  None = pte_none (no page ever populated there).
RESIDENT = ("resident",)


def _swap(slot: int) -> tuple[str, int]:
    return ("swap", slot)


def _present(slot: int) -> tuple[str, int]:
    return ("present", slot)


@dataclass
class RefResult:
    result: str  # "ok" or "ENOMEM"
    counters: dict[str, int]
    # (start slot, pages, seek_slots, ns, reason) per disk request, in issue order
    requests: list[tuple[int, int, int, int, str]]
    reads: list[int]  # every slot read, in read order (requests flattened)
    # (pid, vma_index, page_index) or ("shmem", file_index, page_index)
    #   -> ("present", slot) or ("swap", slot)
    final: dict[tuple, tuple[str, int]]
    swap_map: list[int]  # final reference count per slot (bad slots and slot 0: 0)
    cached: set[int] = field(default_factory=set)  # slots still in the swap cache
    # section 9, with reclaim only: free pages, the fresh area's swap counts, and the
    # fresh slot of each page the load touched (0: still resident)
    free: int | None = None
    fresh_map: list[int] = field(default_factory=list)
    load_fresh: list[int] = field(default_factory=list)


def default_readahead(algorithm: str, disk_kind: str) -> str:
    """Section 3, "Defaults"."""
    if algorithm == "legacy":
        return "none"
    if algorithm == "rfc":
        return "cluster-adaptive"
    return "cluster-adaptive" if disk_kind == "hdd" else "vma"


_Enomem = Enomem  # a target page could not be allocated: the run ends at once


def _nr_pages(prev: int, offset: int, hits: int, max_pages: int, prev_win: int) -> int:
    """__swapin_nr_pages: the adaptive window formula of section 3."""
    pages = hits + 2
    if pages == 2:
        if offset != prev + 1 and offset != prev - 1:
            pages = 1
    else:
        roundup = 4
        while roundup < pages:
            roundup *= 2
        pages = roundup
    if pages > max_pages:
        pages = max_pages
    if pages < prev_win // 2:
        pages = prev_win // 2
    return pages


class _Walker:
    def __init__(self, sc: Scenario, algorithm: str, readahead: str, disk: DiskParams) -> None:
        self.sc = sc
        self.algorithm = algorithm
        self.readahead = readahead
        self.disk = disk
        self.nslots = sc.slots
        self.bad = set(sc.bad)
        self.free_pages = sc.free_pages  # None: unlimited

        # swap_map: reference counts, plus the swap-cache flag kept as a set
        self.count = [0] * self.nslots
        self.cache: set[int] = set()
        self.ra_flag: set[int] = set()  # PG_readahead: brought in by readahead, not yet hit
        # legacy: where a cached page is anon-mapped, (family root pid, vpn), once restored
        self.page_anon: dict[int, tuple[int, int]] = {}

        # fork families: the root pid of each mm's parent chain
        by_pid = {m.pid: m for m in sc.mms}
        self.family = []
        for m in sc.mms:
            root = m
            while root.parent is not None:
                root = by_pid[root.parent]
            self.family.append(root.pid)

        # explicit page tables: per mm, region -> 512 cells
        self.tables: list[dict[int, list]] = []
        for m in sc.mms:
            tables: dict[int, list] = {}
            for v in m.vmas:
                for a, b in v.resident:
                    for idx in range(a, b):
                        vpn = v.start_page + idx
                        t = tables.setdefault(vpn // PTES_PER_TABLE, [None] * PTES_PER_TABLE)
                        t[vpn % PTES_PER_TABLE] = RESIDENT
                for idx, slot in v.swapped:
                    vpn = v.start_page + idx
                    t = tables.setdefault(vpn // PTES_PER_TABLE, [None] * PTES_PER_TABLE)
                    t[vpn % PTES_PER_TABLE] = _swap(slot)
                    self.count[slot] += 1
            self.tables.append(tables)
        # shmem files: index -> cell
        self.shmem: list[dict[int, tuple[str, int]]] = []
        for f in sc.shmem:
            pages = {}
            for idx, slot in f.swapped:
                pages[idx] = _swap(slot)
                self.count[slot] += 1
            self.shmem.append(pages)

        # counters
        self.c = dict.fromkeys(COUNTER_NAMES, 0)
        self.slot_scans = 0
        self.requests: list[tuple[int, int, int, int, str]] = []
        self.reads: list[int] = []
        self.head = 0
        # readahead state
        self.ra_hits = 0  # cluster: swapin_readahead_hits
        self.ra_prev_offset = 0
        self.ra_last_window = 0
        self.vma_ra: dict[tuple[int, int], tuple[int, int, int]] = {}  # (last vpn, win, hits)
        # section 9: memory pressure (tests/reference_pressure.py); None: free_pages is
        # the plain budget of section 3
        self.mem = NaiveMemory(self) if sc.reclaim else None

    # ------------------------------------------------------------------ swap_map
    def in_use(self, slot: int) -> bool:
        return slot not in self.bad and (self.count[slot] > 0 or slot in self.cache)

    def inuse_pages(self) -> int:
        n = 0
        for s in range(1, self.nslots):
            if self.in_use(s):
                n += 1
        return n

    def delete_from_swap_cache(self, slot: int) -> None:
        if self.mem is not None and slot in self.cache:
            self.mem.uncached(slot)
        self.cache.discard(slot)
        self.ra_flag.discard(slot)
        self.page_anon.pop(slot, None)

    # ------------------------------------------------------------------ disk
    def request_ns(self, start: int, pages: int) -> float:
        return self.disk_ns(self.head, start, pages, self.nslots)

    def disk_ns(self, head: int, start: int, pages: int, area_slots: int) -> float:
        """Section 4: `pages` slots from disk position `start`, the head at `head`; the
        swap area of `area_slots` slots spans `span` of the stroke."""
        d = self.disk
        dist = start - head
        if d.kind == "hdd":
            t_page = 4096 / (d.hdd_mb_s * 1e6)  # seconds per page
            if dist == 0:
                sec = pages * t_page
            elif 0 < dist <= d.skip_slots:
                sec = (dist + pages) * t_page
            else:
                stroke_slots = area_slots / d.span
                # section 9: a distance past the whole stroke is a full stroke
                seek_ms = d.track_ms + (d.stroke_ms - d.track_ms) * math.sqrt(
                    min(1.0, abs(dist) / stroke_slots)
                )
                sec = seek_ms / 1000 + 30 / d.rpm + pages * t_page
            return sec * 1e9
        if d.kind == "ssd":
            return d.ssd_request_us * 1000 + pages * 4096 / (d.ssd_mb_s * 1e6) * 1e9
        if d.kind == "zram":
            return pages * d.zram_page_us * 1000
        raise ValueError(f"unknown disk kind {d.kind!r}")

    def read_batch(self, order: list[int], target: int | None) -> None:
        """Submit the slots of one batch in `order` (already filtered: in use, not cached).

        Each page read allocates one page of the free_pages budget, in submission
        order: a readahead page that does not fit is skipped; a target that does not fit
        ends the run with ENOMEM.  What happens then to the readahead pages allocated
        before the target in the same batch are read (see the note at the top).
        """
        submitted: list[int] = []
        enomem = False
        for s in order:
            if self.free_pages is not None and self.free_pages <= 0:
                if s == target:
                    enomem = True
                    break
                continue
            if self.free_pages is not None:
                self.free_pages -= 1
            submitted.append(s)
        # merge consecutive submissions of consecutive slots into requests
        runs: list[list[int]] = []
        for s in submitted:
            if runs and runs[-1][-1] + 1 == s:
                runs[-1].append(s)
            else:
                runs.append([s])
        for run in runs:
            start, pages = run[0], len(run)
            seek = abs(start - self.head)
            ns = int(self.request_ns(start, pages) + 0.5)
            reason = "target" if target in run else "readahead"
            self.requests.append((start, pages, seek, ns, reason))
            self.c["io_requests"] += 1
            self.c["seek_slots"] += seek
            self.c["io_ns"] += ns
            self.head = run[-1] + 1
        for s in submitted:
            self.reads.append(s)
            self.c["pages_read"] += 1
            self.cache.add(s)
            self.page_anon.pop(s, None)  # a fresh page: not anon-mapped
            if s != target:
                self.ra_flag.add(s)
        self.c["swapcache_peak"] = max(self.c["swapcache_peak"], len(self.cache))
        if enomem:
            raise _Enomem()

    def wanted(self, s: int) -> bool:
        """A readahead window reads a slot that is in use, not bad and not cached."""
        return s not in self.bad and self.count[s] > 0 and s not in self.cache

    # ------------------------------------------------------------------ readahead
    def cluster_window(self, target: int, adaptive: bool) -> int:
        max_pages = 1 << self.sc.page_cluster
        if not adaptive:
            return max_pages
        if max_pages <= 1:
            return 1
        hits = self.ra_hits
        self.ra_hits = 0
        win = _nr_pages(self.ra_prev_offset, target, hits, max_pages, self.ra_last_window)
        if hits == 0:
            self.ra_prev_offset = target
        self.ra_last_window = win
        return win

    def swapin_cluster(self, target: int, policy: str) -> None:
        """swap_cluster_readahead (or a plain read for `none`); the target may be cached."""
        if policy == "none":
            win = 1
        else:
            win = self.cluster_window(target, adaptive=(policy == "cluster-adaptive"))
        if win <= 1:
            window = [target]
            order = [target] if target not in self.cache else []
        else:
            start = target & ~(win - 1)
            end = start + win - 1
            if start == 0:
                start = 1
            if end > self.nslots - 1:
                end = self.nslots - 1
            window = list(range(start, end + 1))
            order = [s for s in window if self.wanted(s)]
        if self.mem is not None:
            self.mem.read_batch(window, target)  # each slot looked at in its turn
        elif order:
            self.read_batch(order, target)
        if target not in self.cache:
            raise AssertionError(f"target {target} not in the swap cache after swap-in")

    def swapin_vma(self, mi: int, vi: int, vpn: int, target: int) -> None:
        """swap_vma_readahead for the swap PTE at `vpn` of VMA `vi` of mm `mi`."""
        v = self.sc.mms[mi].vmas[vi]
        max_win = 1 << min(self.sc.page_cluster, 5)  # SWAP_RA_ORDER_CEILING 5
        last, prev_win, hits = self.vma_ra.get((mi, vi), (0, 0, 0))
        if max_win == 1:
            win = 1  # the kernel returns before touching the VMA's state
        else:
            win = _nr_pages(last, vpn, hits, max_win, prev_win)
            self.vma_ra[(mi, vi)] = (vpn, win, 0)
        window = [target]
        if win == 1:
            order = [target] if target not in self.cache else []
        else:
            if vpn == last + 1:
                lo, hi = vpn, vpn + win
            elif last == vpn + 1:
                lo, hi = vpn - win + 1, vpn + 1
            else:
                left = (win - 1) // 2
                lo, hi = vpn - left, vpn + win - left
            region = vpn // PTES_PER_TABLE
            lo = max(lo, v.start_page, region * PTES_PER_TABLE)
            hi = min(hi, v.end_page, (region + 1) * PTES_PER_TABLE)
            table = self.tables[mi][region]
            order = []
            window = []
            for p in range(lo, hi):
                cell = table[p % PTES_PER_TABLE]
                if cell is None or cell[0] != "swap":
                    continue
                s = cell[1]
                window.append(s)
                if s in order:
                    continue
                if self.wanted(s):
                    order.append(s)
        if self.mem is not None:
            self.mem.read_batch(window, target)  # each slot looked at in its turn
        elif order:
            self.read_batch(order, target)
        if target not in self.cache:
            raise AssertionError(f"target {target} not in the swap cache after swap-in")

    def lookup_swap_cache(self, slot: int, vma_key: tuple[int, int, int] | None) -> bool:
        """lookup_swap_cache: True on a hit.  vma_key = (mm, vma, vpn) for a PTE
        lookup under `vma` readahead; None for shmem or cluster policies."""
        if slot not in self.cache:
            return False
        was_ra = slot in self.ra_flag
        self.ra_flag.discard(slot)
        if was_ra:
            self.c["readahead_hits"] += 1
        if vma_key is not None:
            mi, vi, vpn = vma_key
            _last, win, hits = self.vma_ra.get((mi, vi), (0, 0, 0))
            if was_ra:
                hits = min(hits + 1, SWAP_RA_HITS_MAX)
            self.vma_ra[(mi, vi)] = (vpn, win, hits)
        elif was_ra:
            self.ra_hits += 1
        return True

    def shmem_policy(self) -> str:
        return "cluster-adaptive" if self.readahead == "vma" else self.readahead

    # ------------------------------------------------------------------ cpu
    def cpu_ns(self) -> int:
        cpu = self.sc.cpu

        def ps(x: float) -> int:
            return round(x * 1000)

        total = (
            self.c["ptes_scanned"] * ps(cpu.pte_ns)
            + self.c["unuse_pte_range_calls"] * ps(cpu.range_ns)
            + self.c["unuse_mm_calls"] * ps(cpu.mm_ns)
            + self.c["unuse_pte_calls"] * ps(cpu.unuse_pte_ns)
            + self.slot_scans * ps(cpu.slot_scan_ns)
        )
        return total // 1000

    # ------------------------------------------------------------------ legacy
    def legacy_find_next(self, prev: int) -> int:
        """find_next_to_unuse of 3.14: circular, every swap_map read counted."""
        i = prev
        mx = self.nslots
        while True:
            i += 1
            if i >= mx:
                if prev == 0:
                    return 0
                mx = prev + 1
                prev = 0
                i = 1
            self.slot_scans += 1
            if self.in_use(i):
                return i

    def legacy_unuse_mm(self, mi: int, slot: int) -> None:
        self.c["unuse_mm_calls"] += 1
        tables = self.tables[mi]
        anon = self.page_anon.get(slot)
        for v in self.sc.mms[mi].vmas:
            if not v.anon:
                continue
            if anon is not None:
                # page_address_in_vma: same anon_vma root and A inside this VMA
                root, a = anon
                if root != self.family[mi] or not (v.start_page <= a < v.end_page):
                    continue  # -EFAULT: no walk
                table = tables.get(a // PTES_PER_TABLE)
                if table is None:
                    continue
                self.c["unuse_pte_range_calls"] += 1
                self.c["ptes_scanned"] += 1
                if table[a % PTES_PER_TABLE] == _swap(slot):
                    self.unuse_pte(table, a, slot, mi)
                    return
                continue
            first_region = v.start_page // PTES_PER_TABLE
            last_region = (v.end_page - 1) // PTES_PER_TABLE
            for region in range(first_region, last_region + 1):
                table = tables.get(region)
                if table is None:
                    continue
                self.c["unuse_pte_range_calls"] += 1
                lo = max(v.start_page, region * PTES_PER_TABLE)
                hi = min(v.end_page, (region + 1) * PTES_PER_TABLE)
                for vpn in range(lo, hi):
                    self.c["ptes_scanned"] += 1
                    if table[vpn % PTES_PER_TABLE] == _swap(slot):
                        self.unuse_pte(table, vpn, slot, mi)
                        return

    def unuse_pte(self, table: list, vpn: int, slot: int, mi: int) -> None:
        table[vpn % PTES_PER_TABLE] = _present(slot)
        self.count[slot] -= 1
        if self.mem is not None:
            self.mem.restored((mi, vpn), slot)
        self.c["unuse_pte_calls"] += 1
        if slot not in self.page_anon:
            # page_add_anon_rmap: the page is now anon-mapped at vpn in this family
            self.page_anon[slot] = (self.family[mi], vpn)

    def run_legacy(self) -> None:
        self.c["passes"] = 1
        n = len(self.sc.mms)
        ring = [None, *range(n)]  # init_mm heads the circular mmlist
        start_mm: int | None = None  # init_mm
        shmem_cursor = 0
        i = 0
        while True:
            i = self.legacy_find_next(i)
            if i == 0:
                break
            slot = i
            # read_swap_cache_async, or swapin_readahead when readahead is asked
            if self.readahead == "none":
                if self.mem is not None:
                    self.mem.read_batch([slot], slot)
                elif slot not in self.cache:
                    self.read_batch([slot], slot)
            else:
                self.swapin_cluster(slot, self.readahead)
            shmem_at = self.find_shmem(slot)
            if shmem_at is not None:
                # shmem_unuse(entry): files in swaplist order from the last success
                nfiles = len(self.shmem)
                for k in range(nfiles):
                    fi = (shmem_cursor + k) % nfiles
                    hit = [idx for idx, cell in self.shmem[fi].items() if cell == _swap(slot)]
                    if hit:
                        self.shmem[fi][hit[0]] = _present(slot)
                        self.count[slot] -= 1
                        if self.mem is not None:
                            self.mem.restored(("shmem", fi, hit[0]), slot)
                        shmem_cursor = fi
                        break
                self.delete_from_swap_cache(slot)
                continue
            before = self.count[slot]
            if before > 0 and start_mm is not None:
                self.legacy_unuse_mm(start_mm, slot)
            if self.count[slot] > 0:
                set_start = self.count[slot] >= before
                new_start = start_mm
                pos = ring.index(start_mm)
                k = pos
                while self.count[slot] > 0:
                    k = (k + 1) % len(ring)
                    if k == pos:
                        break
                    mm = ring[k]
                    c = self.count[slot]
                    if mm is None:
                        set_start = True
                    else:
                        self.legacy_unuse_mm(mm, slot)
                    if set_start and self.count[slot] < c:
                        new_start = mm
                        set_start = False
                start_mm = new_start
            self.delete_from_swap_cache(slot)

    def find_shmem(self, slot: int) -> tuple[int, int] | None:
        for fi, pages in enumerate(self.shmem):
            for idx, cell in pages.items():
                if cell == _swap(slot):
                    return fi, idx
        return None

    # ------------------------------------------------- page-table walk (rfc, linear, linear-5.1)
    def shmem_unuse_type(self) -> None:
        """shmem_unuse(type): every file in order, every index ascending."""
        policy = self.shmem_policy()
        for fi, pages in enumerate(self.shmem):
            for idx in sorted(pages):
                cell = pages[idx]
                if cell[0] != "swap":
                    continue
                slot = cell[1]
                if not self.lookup_swap_cache(slot, None):
                    self.swapin_cluster(slot, policy)
                pages[idx] = _present(slot)
                self.count[slot] -= 1
                if self.mem is not None:
                    self.mem.restored(("shmem", fi, idx), slot)
                self.delete_from_swap_cache(slot)  # the page moves to the file's cache

    def walk_unuse_mm(self, mi: int) -> None:
        self.c["unuse_mm_calls"] += 1
        tables = self.tables[mi]
        for vi, v in enumerate(self.sc.mms[mi].vmas):
            if not v.anon:
                continue
            first_region = v.start_page // PTES_PER_TABLE
            last_region = (v.end_page - 1) // PTES_PER_TABLE
            for region in range(first_region, last_region + 1):
                table = tables.get(region)
                if table is None:
                    continue
                self.c["unuse_pte_range_calls"] += 1
                lo = max(v.start_page, region * PTES_PER_TABLE)
                hi = min(v.end_page, (region + 1) * PTES_PER_TABLE)
                for vpn in range(lo, hi):
                    self.c["ptes_scanned"] += 1
                    cell = table[vpn % PTES_PER_TABLE]
                    if cell is None or cell[0] != "swap":
                        continue
                    self.walk_swap_pte(mi, vi, vpn, table, cell[1])

    def walk_swap_pte(self, mi: int, vi: int, vpn: int, table: list, slot: int) -> None:
        algo = self.algorithm
        found = False
        if algo in ("linear", "prefetch"):  # prefetch's phase 2 is linear exactly
            vma_key = (mi, vi, vpn) if self.readahead == "vma" else None
            found = self.lookup_swap_cache(slot, vma_key)
        if not found:
            if self.readahead == "vma":
                self.swapin_vma(mi, vi, vpn, slot)
            else:
                self.swapin_cluster(slot, self.readahead)
        self.unuse_pte(table, vpn, slot, mi)
        if algo == "rfc":
            self.delete_from_swap_cache(slot)  # at once, even if sharers remain
        elif self.count[slot] == 0:
            self.delete_from_swap_cache(slot)  # try_to_free_swap

    def run_rfc(self) -> None:
        self.c["passes"] = 1
        self.shmem_unuse_type()
        for mi in range(len(self.sc.mms)):
            self.walk_unuse_mm(mi)

    def run_linear(self) -> None:
        while True:
            before = self.inuse_pages()
            self.c["passes"] += 1
            if before == 0:
                break  # try_to_unuse returns at once: nothing (left) in use
            self.shmem_unuse_type()
            for mi in range(len(self.sc.mms)):
                if self.inuse_pages() == 0:
                    break
                self.walk_unuse_mm(mi)
            # tail: find_next_to_unuse without wrapping; cache-only slots are freed
            i = 0
            while self.inuse_pages() > 0:
                nxt = 0
                j = i + 1
                while j < self.nslots:
                    self.slot_scans += 1
                    if self.in_use(j):
                        nxt = j
                        break
                    j += 1
                if nxt == 0:
                    break
                i = nxt
                if i in self.cache and self.count[i] == 0:
                    self.delete_from_swap_cache(i)  # folio_free_swap
            after = self.inuse_pages()
            if after == 0:
                break
            if after >= before:
                if self.mem is not None:
                    raise _Enomem()  # section 9: a pass undone by reclaim ends in ENOMEM
                raise AssertionError(
                    f"linear pass {self.c['passes']} freed nothing ({after} slots in use)"
                )

    def prefetch_batch(self, batch: list[int]) -> None:
        if self.mem is not None:
            self.mem.read_batch(batch, None)
        else:
            self.read_batch(batch, None)

    def set_cell(self, cell: tuple, value: tuple) -> None:
        """Section 9: reclaim wrote the page a PTE or tmpfs page maps to the fresh area."""
        if cell[0] == "shmem":
            self.shmem[cell[1]][cell[2]] = value
        else:
            mi, vpn = cell
            self.tables[mi][vpn // PTES_PER_TABLE][vpn % PTES_PER_TABLE] = value

    def run_prefetch(self) -> None:
        """Section 2, prefetch: the area in disk order into the swap cache, then linear."""
        if self.inuse_pages() > 0:
            # phase 1: find_next_to_unuse from slot 1 up, every swap_map read counted;
            # slots in use and not cached go into batches of 256, each read under one plug
            batch: list[int] = []
            i = 0
            while True:
                nxt = 0
                j = i + 1
                while j < self.nslots:
                    self.slot_scans += 1
                    if self.in_use(j):
                        nxt = j
                        break
                    j += 1
                if nxt == 0:
                    break
                i = nxt
                if self.wanted(i):
                    batch.append(i)
                if len(batch) == PREFETCH_BATCH:
                    self.prefetch_batch(batch)  # readahead pages: no target
                    batch = []
            if batch:
                self.prefetch_batch(batch)
        # phase 2: linear, which finds the pages in the swap cache
        self.run_linear()

    # ------------------------------------------------------------------ result
    def finish(self, result: str) -> RefResult:
        self.c["cpu_ns"] = self.cpu_ns()
        self.c["total_ns"] = self.c["cpu_ns"] + self.c["io_ns"]
        final: dict[tuple, tuple[str, int]] = {}
        for mi, m in enumerate(self.sc.mms):
            for vi, v in enumerate(m.vmas):
                for idx, _slot in v.swapped:
                    vpn = v.start_page + idx
                    cell = self.tables[mi][vpn // PTES_PER_TABLE][vpn % PTES_PER_TABLE]
                    final[(m.pid, vi, idx)] = cell
        for fi, pages in enumerate(self.shmem):
            for idx, cell in pages.items():
                final[("shmem", fi, idx)] = cell
        return RefResult(
            result=result,
            counters=dict(self.c),
            requests=list(self.requests),
            reads=list(self.reads),
            final=final,
            swap_map=list(self.count),
            cached=set(self.cache),
            free=None if self.mem is None else self.mem.free,
            fresh_map=[] if self.mem is None else list(self.mem.fresh_map),
            load_fresh=[]
            if self.mem is None
            else [self.mem.load_fresh.get(k, 0) for k in range(len(self.mem.load_pages))],
        )


def reference_run(
    scenario: Scenario,
    algorithm: str,
    readahead: str | None = None,
    disk_kind: str | None = None,
) -> RefResult:
    """Run swapoff on `scenario` the naive way and return what happened."""
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown algorithm {algorithm!r}")
    disk = scenario.disk if disk_kind is None else scenario.disk.with_kind(disk_kind)
    if readahead is None:
        readahead = default_readahead(algorithm, disk.kind)
    if readahead not in READAHEADS:
        raise ValueError(f"unknown readahead {readahead!r}")
    if algorithm == "legacy" and readahead == "vma":
        raise ValueError("legacy has no faulting PTE: vma readahead is refused")
    w = _Walker(scenario, algorithm, readahead, disk)
    try:
        if algorithm == "legacy":
            w.run_legacy()
        elif algorithm == "rfc":
            w.run_rfc()
        elif algorithm == "prefetch":
            w.run_prefetch()
        else:
            w.run_linear()
    except _Enomem:
        return w.finish("ENOMEM")
    for s in range(1, w.nslots):
        if w.in_use(s):
            raise AssertionError(f"{algorithm} completed with slot {s} still in use")
    return w.finish("ok")
