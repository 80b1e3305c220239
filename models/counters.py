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
    "pages_dropped",
    "pages_written",
    "pages_reread",
    "cpu_ns",
    "io_ns",
    "write_ns",
    "reread_ns",
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
    # memory pressure (docs/engine.md, section 9): pages reclaim dropped from the swap
    # cache, wrote to the fresh area, and dropped pages read again; the disk time of
    # the writes and (each read request's share) of the re-reads, both inside io_ns
    pages_dropped: int = 0
    pages_written: int = 0
    pages_reread: int = 0
    cpu_ps: int = 0
    io_ns: int = 0
    write_ns: int = 0
    reread_ns: int = 0

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
