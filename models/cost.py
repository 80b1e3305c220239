"""The cost model: simulated time for disk requests and CPU work (docs/engine.md, section 4).

CPU and I/O never overlap: swapoff waits for every batch it submits.  The constants
live in `DiskParams` / `CpuParams`; docs/cost-model.md says where each default comes
from.  This is the one place the formulas are written: the engine charges with them,
and the breakdown (`models.breakdown`) and the narration (`models.narrate`) show the
parts they compute here, so a changed constant moves all three together.
"""

from __future__ import annotations

import functools
import math

from attrs import frozen

from models.scenario_model import PAGE_SIZE, CpuParams, DiskParams


def ps(ns: float) -> int:
    """Nanoseconds to integer picoseconds (the engine's clock unit)."""
    return round(ns * 1000)


@frozen
class CpuTerm:
    """One factor of a CPU charge: `count` operations of `what` at `each_ps`."""

    what: str  # "PTE", "page table", "unuse_mm call", "restore", "swap_map entry"
    count: int
    each_ps: int

    @property
    def ps(self) -> int:
        return self.count * self.each_ps


@frozen
class CpuCost:
    """CPU constants in integer picoseconds, so that sums are exact."""

    pte: int
    range: int
    mm: int
    unuse_pte: int
    slot_scan: int

    @classmethod
    def from_params(cls, p: CpuParams) -> CpuCost:
        return cls(
            ps(p.pte_ns), ps(p.range_ns), ps(p.mm_ns), ps(p.unuse_pte_ns), ps(p.slot_scan_ns)
        )

    def walk(self, ptes: int, calls: int) -> int:
        """unuse_pte_range: `calls` calls entered, `ptes` PTEs compared in them."""
        return ptes * self.pte + calls * self.range

    def restores(self, n: int) -> int:
        """unuse_pte for `n` PTEs."""
        return n * self.unuse_pte

    def search(self, ptes: int, calls: int, mm_calls: int, restores: int) -> int:
        """A stretch of legacy's mmlist search: walks, unuse_mm calls and the PTEs restored."""
        return self.walk(ptes, calls) + mm_calls * self.mm + self.restores(restores)

    def scan(self, examined: int) -> int:
        """find_next_to_unuse reading `examined` swap_map entries."""
        return examined * self.slot_scan

    def search_terms(
        self, ptes: int, calls: int, mm_calls: int = 0, restores: int = 0
    ) -> tuple[CpuTerm, ...]:
        """The factors of `search` (or of `walk`, without the last two): what narration shows.

        The PTE term is always there; the others only when they count something.
        """
        terms = [CpuTerm("PTE", ptes, self.pte)]
        for what, count, each in (
            ("page table", calls, self.range),
            ("unuse_mm call", mm_calls, self.mm),
            ("restore", restores, self.unuse_pte),
        ):
            if count:
                terms.append(CpuTerm(what, count, each))
        return tuple(terms)


@frozen
class DiskParts:
    """One request's time, part by part, in (fractional) nanoseconds.

    `seek`: moving the arm; `rotation`: waiting for the platter (half a turn after a
    seek, or the gap passing under the head); `access`: an SSD's per-request latency;
    `transfer`: the pages themselves (zram: their decompression).  `how` names the
    case of the model: "zram", "ssd", or on an hdd "at head" (no wait), "gap" (a short
    way ahead: the platter turns past the gap) or "seek".
    """

    how: str
    total: float  # the sum of the parts (as the formula adds them up)
    seek: float = 0.0
    rotation: float = 0.0
    access: float = 0.0
    transfer: float = 0.0

    @property
    def ns(self) -> int:
        """The request's cost: integer nanoseconds, rounded half up."""
        return int(self.total + 0.5)


class DiskModel:
    """Cost of one request given the head position: hdd, ssd or zram."""

    @classmethod
    def of(cls, params: DiskParams, slots: int) -> DiskModel:
        """The model of a disk under an area of `slots` (shared: it holds no state)."""
        return _disk_model(params, slots)

    def __init__(self, params: DiskParams, slots: int) -> None:
        self.params = params
        self.kind = params.kind
        p = params
        self.hdd_page_ns = PAGE_SIZE / (p.hdd_mb_s * 1e6) * 1e9
        self.half_rotation_ns = 30.0 / p.rpm * 1e9
        # the whole swap area spans `span` of the stroke: a seek across it is this many slots
        self.stroke_slots = slots / p.span if p.span > 0 else float("inf")
        self.ssd_page_ns = PAGE_SIZE / (p.ssd_mb_s * 1e6) * 1e9
        self.ssd_request_ns = p.ssd_request_us * 1000.0

    def parts(self, head: int, start: int, pages: int) -> DiskParts:
        """Where the time of reading `pages` slots from `start` goes, the head at `head`."""
        if self.kind == "zram":
            transfer = pages * self.params.zram_page_us * 1000.0
            return DiskParts("zram", transfer, transfer=transfer)
        if self.kind == "ssd":
            transfer = pages * self.ssd_page_ns
            return DiskParts(
                "ssd", self.ssd_request_ns + transfer, access=self.ssd_request_ns, transfer=transfer
            )
        transfer = pages * self.hdd_page_ns
        d = start - head
        if d == 0:
            return DiskParts("at head", transfer, transfer=transfer)
        if 0 < d <= self.params.skip_slots:
            # a short way ahead: wait while the platter turns past the gap
            wait = d * self.hdd_page_ns
            return DiskParts(
                "gap", (d + pages) * self.hdd_page_ns, rotation=wait, transfer=transfer
            )
        seek = self.seek_ns(abs(d))
        return DiskParts(
            "seek",
            seek + self.half_rotation_ns + transfer,
            seek=seek,
            rotation=self.half_rotation_ns,
            transfer=transfer,
        )

    def request_ns(self, head: int, start: int, pages: int) -> int:
        """Integer nanoseconds (rounded half up) for reading `pages` slots from `start`:
        `parts(...).ns`, without building the parts (once per disk request).  The sums
        are written exactly as `parts` adds them, so the floats are the same."""
        if self.kind == "zram":
            total = pages * self.params.zram_page_us * 1000.0
        elif self.kind == "ssd":
            total = self.ssd_request_ns + pages * self.ssd_page_ns
        else:
            d = start - head
            if d == 0:
                total = pages * self.hdd_page_ns
            elif 0 < d <= self.params.skip_slots:
                total = (d + pages) * self.hdd_page_ns
            else:
                total = self.seek_ns(abs(d)) + self.half_rotation_ns + pages * self.hdd_page_ns
        return int(total + 0.5)

    def seek_ns(self, distance: int) -> float:
        p = self.params
        frac = min(1.0, distance / self.stroke_slots)
        return (p.track_ms + (p.stroke_ms - p.track_ms) * math.sqrt(frac)) * 1e6


@functools.lru_cache(maxsize=16)
def _disk_model(params: DiskParams, slots: int) -> DiskModel:
    return DiskModel(params, slots)


@functools.lru_cache(maxsize=16)
def cpu_cost(params: CpuParams) -> CpuCost:
    """The CPU constants of `params` in picoseconds (shared: frozen)."""
    return CpuCost.from_params(params)
