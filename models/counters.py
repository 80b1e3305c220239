"""The counters of docs/engine.md, section 5, exactly these and no others."""

from __future__ import annotations

from attrs import define, fields

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
    "cpu_ns",
    "io_ns",
    "total_ns",
)


@define
class Counters:
    """Running totals.  CPU time is kept in picoseconds so fractional costs add up exactly."""

    unuse_pte_range_calls: int = 0
    ptes_scanned: int = 0
    unuse_pte_calls: int = 0
    unuse_mm_calls: int = 0
    pages_read: int = 0
    io_requests: int = 0
    seek_slots: int = 0
    readahead_hits: int = 0
    swapcache_peak: int = 0
    passes: int = 0
    io_errors: int = 0
    cpu_ps: int = 0
    io_ns: int = 0

    @property
    def cpu_ns(self) -> int:
        return self.cpu_ps // 1000

    @property
    def total_ns(self) -> int:
        return self.cpu_ns + self.io_ns

    def copy(self) -> Counters:
        return Counters(*(getattr(self, f.name) for f in fields(Counters)))

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNTER_NAMES}
