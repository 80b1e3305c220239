"""The machine at the moment swapoff starts, as a scenario file describes it.

These classes are plain immutable data: the parser builds them, the generator builds
them, the exporter writes them back out, and the engine compiles them into its own
run-time structures (`models.machine`).  Nothing here knows about algorithms.
"""

from __future__ import annotations

from attrs import evolve, field, frozen

from models.pairs import Pairs

PAGE_SIZE = 4096
PTES_PER_TABLE = 512  # x86_64: one page table maps 512 pages = 2 MiB
USER_ADDRESS_LIMIT = 1 << 47

DISK_KINDS = ("hdd", "ssd", "zram")


def _ranges(value: object) -> Pairs:
    """Pairs of integers in one array (16 bytes a pair: a full-scale scenario has
    millions).  A number too large for 64 bits stays in a tuple, for the validator to
    refuse by name."""
    if type(value) is Pairs:
        return value
    try:
        return Pairs.of(value)  # type: ignore[arg-type]
    except OverflowError:
        return tuple((int(a), int(b)) for a, b in value)  # type: ignore[attr-defined,return-value]


@frozen
class Vma:
    """One virtual memory area of an mm, in pages from `start` (a byte address)."""

    start: int
    pages: int
    anon: bool = True
    # half-open page-index ranges present in RAM
    resident: Pairs = field(factory=Pairs, converter=_ranges)
    # (page index in this VMA, swap slot)
    swapped: Pairs = field(factory=Pairs, converter=_ranges)

    @property
    def start_page(self) -> int:
        return self.start // PAGE_SIZE

    @property
    def end_page(self) -> int:
        return self.start_page + self.pages


@frozen
class Mm:
    """A process address space on the mmlist."""

    pid: int
    comm: str = ""
    parent: int | None = None
    vmas: tuple[Vma, ...] = ()


@frozen
class ShmemFile:
    """A tmpfs/shmem file on shmem_swaplist, with its swapped pages."""

    name: str
    pages: int
    swapped: Pairs = field(factory=Pairs, converter=_ranges)


@frozen
class DiskParams:
    """Cost-model constants for the disk under the swap area (docs/engine.md, section 4).

    Every value is documented in the README with its source.
    """

    kind: str = "hdd"
    # hdd
    rpm: float = 7200.0  # half a rotation at 7200 rpm = 4.17 ms average latency
    hdd_mb_s: float = 150.0  # media transfer rate, MB/s (10**6 bytes)
    track_ms: float = 1.0  # track-to-track seek
    stroke_ms: float = 15.0  # full-stroke seek
    span: float = 0.02  # the swap area covers this fraction of the disk's stroke
    skip_slots: int = 256  # a gap this short is waited out as the platter turns (about a track)
    # ssd
    ssd_request_us: float = 90.0  # per request (QD1 4 KiB random read latency)
    ssd_mb_s: float = 500.0  # per-page transfer
    # zram
    zram_page_us: float = 4.0  # decompression of one page

    def with_kind(self, kind: str) -> DiskParams:
        return evolve(self, kind=kind)

    def as_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in DISK_PARAM_NAMES}


@frozen
class CpuParams:
    """CPU cost model, nanoseconds per operation (docs/engine.md, section 4)."""

    # one PTE compared inside unuse_pte_range: ~1-2 cycles of a 2-3 GHz core streaming a
    # 4 KiB table.  Calibrated on the merged patch's changelog (1200M calls, 8 min at 80%
    # CPU: ~320 ns per call over full 512-PTE tables); see docs/cost-model.md
    pte_ns: float = 0.5
    range_ns: float = 40.0  # entering one unuse_pte_range call
    mm_ns: float = 500.0  # one unuse_mm call (mmap lock, VMA list)
    unuse_pte_ns: float = 300.0  # restoring one PTE (rmap, counters, swap_free)
    slot_scan_ns: float = 20.0  # one swap_map slot examined by find_next_to_unuse

    def as_dict(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in CPU_PARAM_NAMES}


DISK_PARAM_NAMES = (
    "kind",
    "rpm",
    "hdd_mb_s",
    "track_ms",
    "stroke_ms",
    "span",
    "skip_slots",
    "ssd_request_us",
    "ssd_mb_s",
    "zram_page_us",
)
CPU_PARAM_NAMES = ("pte_ns", "range_ns", "mm_ns", "unuse_pte_ns", "slot_scan_ns")


@frozen
class Fault:
    """A fault to inject while swapoff runs (see models/faults.py for the kinds)."""

    kind: str
    after: int = 0
    slot: int = 0
    pid: int = 0
    pages: int = 0
    shmem: str = ""


FRESH_DISKS = ("shared", "own")


@frozen
class FreshArea:
    """A second, empty swap area, swapped on just before swapoff (Hugh Dickins's test).

    Reclaim writes the pages it must push out here: the old area takes no new pages
    while it is being swapped off.  `disk`: "shared" puts it on the old area's disk,
    right after it (one head travels between the two); "own" gives it a disk of its
    own with the same cost constants (and its own head).
    """

    slots: int
    disk: str = "shared"


@frozen
class Load:
    """Another task touching new anonymous pages while swapoff runs.

    It touches `pages_per_ms` new pages per simulated millisecond, `pages` in all, each
    taking a free page as swapoff's own pages do.
    """

    pages: int
    pages_per_ms: float


@frozen
class Scenario:
    """One machine at swapoff time: the explicit form of a scenario file."""

    name: str
    slots: int
    title: str = ""
    seed: int = 0
    page_cluster: int = 3
    bad: tuple[int, ...] = ()
    disk: DiskParams = DiskParams()
    cpu: CpuParams = CpuParams()
    free_pages: int | None = None  # None: swapoff never runs out of memory
    mms: tuple[Mm, ...] = ()  # mmlist order (init_mm is implicit and first)
    shmem: tuple[ShmemFile, ...] = ()  # shmem_swaplist order
    description: str = ""  # one line, for presets
    faults: tuple[Fault, ...] = ()  # injected while swapoff runs ([[fault]] tables)
    # readahead state when swapoff starts ([readahead]): swapin_readahead_hits, and the hit
    # count of a VMA without readahead history.  0 fits a machine that has swapped pages
    # in since boot; Linux boots with 4 for both (ATOMIC_INIT(4), GET_SWAP_RA_VAL).
    readahead_hits: int = 0
    readahead_vma_hits: int = 0
    # memory pressure ([memory] reclaim, [fresh], [load]; docs/engine.md, section 9).
    # Without reclaim, free_pages is a hard budget (a page that does not fit is
    # skipped, or ends the run with ENOMEM); with it, running out of free pages makes
    # reclaim drop and write pages, as the kernel does.
    reclaim: bool = False
    fresh: FreshArea | None = None
    load: Load | None = None

    def swap_references(self) -> int:
        return sum(len(v.swapped) for m in self.mms for v in m.vmas) + sum(
            len(f.swapped) for f in self.shmem
        )
