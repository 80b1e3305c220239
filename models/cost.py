"""The cost model: simulated nanoseconds for disk requests and CPU work (engine-spec section 4).

CPU and I/O never overlap: swapoff waits for every batch it submits.  The constants
live in `DiskParams` / `CpuParams`; the README says where each default comes from.
"""

from __future__ import annotations

import math

from attrs import frozen

from models.scenario_model import PAGE_SIZE, CpuParams, DiskParams


def _ps(ns: float) -> int:
    return round(ns * 1000)


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
            _ps(p.pte_ns), _ps(p.range_ns), _ps(p.mm_ns), _ps(p.unuse_pte_ns), _ps(p.slot_scan_ns)
        )

    def walk(self, ptes: int, calls: int) -> int:
        return ptes * self.pte + calls * self.range


class DiskModel:
    """Cost of one request given the head position: hdd, ssd or zram."""

    def __init__(self, params: DiskParams, slots: int) -> None:
        self.params = params
        self.kind = params.kind
        p = params
        self.hdd_page_ns = PAGE_SIZE / (p.hdd_mb_s * 1e6) * 1e9
        self.half_rotation_ns = 30.0 / p.rpm * 1e9
        # the whole swap area spans `span` of the stroke: a seek across it is this many slots
        self.stroke_slots = slots / p.span if p.span > 0 else float("inf")
        self.ssd_page_ns = PAGE_SIZE / (p.ssd_mb_s * 1e6) * 1e9

    def request_ns(self, head: int, start: int, pages: int) -> int:
        """Integer nanoseconds (rounded half up) for reading `pages` slots from `start`."""
        p = self.params
        if self.kind == "zram":
            cost = pages * p.zram_page_us * 1000.0
        elif self.kind == "ssd":
            cost = p.ssd_request_us * 1000.0 + pages * self.ssd_page_ns
        else:
            d = start - head
            if d == 0:
                cost = pages * self.hdd_page_ns
            elif 0 < d <= p.skip_slots:
                # a short way ahead: wait while the platter turns past the gap
                cost = (d + pages) * self.hdd_page_ns
            else:
                cost = self.seek_ns(abs(d)) + self.half_rotation_ns + pages * self.hdd_page_ns
        return int(cost + 0.5)

    def seek_ns(self, distance: int) -> float:
        p = self.params
        frac = min(1.0, distance / self.stroke_slots)
        return (p.track_ms + (p.stroke_ms - p.track_ms) * math.sqrt(frac)) * 1e6
