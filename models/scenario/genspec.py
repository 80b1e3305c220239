"""The `[generate]` table: a recipe for a machine instead of a list of its pages.

Every key is optional.  A *range* is either one number or `[low, high]` (inclusive);
the generator draws from it per process, per VMA or per file.  Sizes are drawn
log-uniformly (small mappings are common, huge ones rare but present), fractions
uniformly.  All randomness comes from `random.Random(scenario.seed)`.

Processes and fork
    processes = 8            mms on the mmlist, forked children included (1..4096)
    forks = 0                how many of them are forked children (0..processes-1).
                             Most are forked from a root process, some from a child;
                             a fork family holds at most 62 mms (SWAP_MAP_MAX)
    shared = 0.5             share of a child's inherited populated pages that neither
                             side rewrote since fork: same state, same slot as the parent
    child_vmas = [0, 1]      anon VMAs a child maps after fork, besides the inherited ones

Address space of a root process (x86_64 layout: program image and heap low, stack
near 2**47, mmap area growing down below the stack, so a process spans several
distant 2 MiB regions, each with its own page table)
    vmas = [2, 6]            anon VMAs: the first is the heap, the second the stack,
                             the others anonymous mmaps (malloc arenas, JIT heaps...)
    file_vmas = [2, 8]       file-backed VMAs without anon_vma (anon = false: text,
                             libraries); they hold resident pages only
    vma_pages = [8, 4096]    pages per anon VMA (stacks are capped at 2048 pages,
                             the 8 MiB rlimit, unless the low end is higher)
    gap_pages = [0, 262144]  unmapped pages between neighbouring mmaps (0 .. 1 GiB)

Which pages are populated (each anon VMA draws its own fractions)
    swapped_fraction = [0.1, 0.6]   share of the VMA's pages that are swapped out
    resident_fraction = [0.1, 0.4]  share that is resident (the rest was never
                                    touched: no page, and no page table if a whole
                                    2 MiB region is untouched)
    run_pages = 16           mean length of runs of populated pages and of swapped
                             pages (geometric): cold memory comes in stretches
    slots_used               exact number of slots in use (anon + shmem).  When given,
                             every VMA's and file's swapped count is scaled in
                             proportion to hit it exactly (populated pages and page
                             tables stay as drawn; pages not swapped stay resident).
                             When absent it follows from the fractions.

tmpfs / shmem
    shmem_files = 0                        files on shmem_swaplist
    shmem_pages = [16, 1024]               pages per file
    shmem_swapped_fraction = [0.2, 0.8]    share of each file's pages that is swapped

The swap area
    bad_slots = 0            slots marked bad at random, besides [swap].bad
    layout = "reclaim"       how slots are handed to the swapped pages:
      "reclaim"    a global LRU of all swapped pages, each process's pages in
                   stretches of about `lru_run`, processes interleaved; reclaimed in
                   batches of 32 (SWAP_CLUSTER_MAX) that take slots in ascending order,
                   with occasional holes (slots freed since) between batches
      "sequential" each mm's pages in address order, one mm after another in mmlist
                   order, then the shmem files (the page-table walk's best case)
      "random"     slots drawn uniformly from the whole area
    lru_run = 32             reclaim: mean stretch of consecutive LRU pages of one owner
    lru_shuffle = 1.0        reclaim: how little an owner's LRU order follows its addresses.
                             1: its runs of swapped pages have random ages (memory used
                             over and over); 0: they age in address order (memory filled
                             once, upwards, then left idle), and the owners' stretches
                             interleave without reordering, as one LRU list keeps them;
                             in between, that share of the runs takes random ages
    holes = 0.02             reclaim and sequential: share of the used span left free
"""

from __future__ import annotations

from typing import Any

import attrs
from attrs import frozen

from models.scenario.errors import Loc, Problem
from models.scenario.fields import Fields, is_int, is_number, toml_type
from models.scenario.limits import (
    MAX_MMS,
    MAX_POPULATED,
    MAX_REFERENCES,
    MAX_SHMEM_FILES,
    MAX_TOTAL_VMAS,
    over_limit,
)

LAYOUTS = ("reclaim", "sequential", "random")

IntRange = tuple[int, int]
FloatRange = tuple[float, float]


@frozen
class GenerateSpec:
    """A parsed `[generate]` table (see the module docstring for every key)."""

    processes: int = 8
    forks: int = 0
    shared: float = 0.5
    child_vmas: IntRange = (0, 1)
    vmas: IntRange = (2, 6)
    file_vmas: IntRange = (2, 8)
    vma_pages: IntRange = (8, 4096)
    gap_pages: IntRange = (0, 262144)
    swapped_fraction: FloatRange = (0.1, 0.6)
    resident_fraction: FloatRange = (0.1, 0.4)
    run_pages: int = 16
    slots_used: int | None = None
    shmem_files: int = 0
    shmem_pages: IntRange = (16, 1024)
    shmem_swapped_fraction: FloatRange = (0.2, 0.8)
    bad_slots: int = 0
    layout: str = "reclaim"
    lru_run: int = 32
    lru_shuffle: float = 1.0
    holes: float = 0.02


_KEYS = tuple(a.name for a in attrs.fields(GenerateSpec))
_WHERE = ("generate",)


def _int(f: Fields, key: str, default: int, low: int, high: int) -> int:
    value = f.get_int(key, default)
    if not low <= value <= high:
        raise Problem((*_WHERE, key), f"{value} is out of range ({low}..{high})")
    return value


def _fraction(f: Fields, key: str, default: float, high: float = 1.0) -> float:
    value = f.get_float(key, default)
    if not 0.0 <= value <= high:
        raise Problem((*_WHERE, key), f"{value!r} is out of range (0..{high})")
    return value


def _range(
    data: dict[str, Any], key: str, default: tuple[Any, Any], low: float, high: float, ints: bool
) -> Any:
    """One number or [low, high] within the given bounds."""
    value = data.get(key, list(default))
    loc = (*_WHERE, key)
    check = is_int if ints else is_number
    kind = "an integer" if ints else "a number"
    if check(value):
        value = [value, value]
    if not (isinstance(value, list) and len(value) == 2 and all(check(v) for v in value)):
        shown = toml_type(value)
        raise Problem(loc, f"expected {kind} or a [low, high] pair of them, got {shown}")
    lo, hi = value
    if not low <= lo <= hi <= high:
        raise Problem(loc, f"[{lo}, {hi}] must satisfy {low} <= low <= high <= {high}")
    return (lo, hi) if ints else (float(lo), float(hi))


def parse_generate(data: dict[str, Any]) -> GenerateSpec:
    """Check and convert a `[generate]` table; raises Problem."""
    f = Fields(data, _WHERE, _KEYS)
    d = GenerateSpec()
    processes = _int(f, "processes", d.processes, 1, MAX_MMS)
    layout = f.get_str("layout", d.layout)
    if layout not in LAYOUTS:
        raise Problem(
            (*_WHERE, "layout"), f"unknown layout {layout!r} (valid: {', '.join(LAYOUTS)})"
        )
    slots_used = f.optional_int("slots_used")
    if slots_used is not None and slots_used < 0:
        raise Problem((*_WHERE, "slots_used"), f"{slots_used} is negative")
    if slots_used is not None and slots_used > MAX_REFERENCES:
        raise Problem(
            (*_WHERE, "slots_used"), over_limit("swapped references", MAX_REFERENCES, slots_used)
        )
    big = 1 << 35  # pages in 2**47 bytes: nothing larger fits in an address space
    spec = GenerateSpec(
        processes=processes,
        forks=_int(f, "forks", d.forks, 0, processes - 1),
        shared=_fraction(f, "shared", d.shared),
        child_vmas=_range(data, "child_vmas", d.child_vmas, 0, 1024, True),
        vmas=_range(data, "vmas", d.vmas, 0, 1024, True),
        file_vmas=_range(data, "file_vmas", d.file_vmas, 0, 1024, True),
        vma_pages=_range(data, "vma_pages", d.vma_pages, 1, 1 << 30, True),
        gap_pages=_range(data, "gap_pages", d.gap_pages, 0, 1 << 30, True),
        swapped_fraction=_range(data, "swapped_fraction", d.swapped_fraction, 0, 1, False),
        resident_fraction=_range(data, "resident_fraction", d.resident_fraction, 0, 1, False),
        run_pages=_int(f, "run_pages", d.run_pages, 1, big),
        slots_used=slots_used,
        shmem_files=_int(f, "shmem_files", d.shmem_files, 0, MAX_SHMEM_FILES),
        shmem_pages=_range(data, "shmem_pages", d.shmem_pages, 1, 1 << 30, True),
        shmem_swapped_fraction=_range(
            data, "shmem_swapped_fraction", d.shmem_swapped_fraction, 0, 1, False
        ),
        bad_slots=_int(f, "bad_slots", d.bad_slots, 0, 1 << 24),
        layout=layout,
        lru_run=_int(f, "lru_run", d.lru_run, 1, big),
        lru_shuffle=_fraction(f, "lru_shuffle", d.lru_shuffle),
        holes=_fraction(f, "holes", d.holes, 0.9),
    )
    _check_bounds(spec, data)
    return spec


def _check_bounds(spec: GenerateSpec, data: dict[str, Any]) -> None:
    """Refuse, before generating, a recipe that is certainly over a limit.

    The VMA count is bounded from above (the counts are drawn uniformly); swapped and
    populated pages from below (sizes are drawn log-uniformly, so their upper bound
    says little): a recipe whose smallest draw is over the limit cannot be generated.
    Whatever passes here is still counted while it is generated (populate.py).
    """

    def at(*keys: str) -> Loc:
        return next(((k,) for k in keys if k in data), ())

    vmas = spec.processes * (spec.vmas[1] + spec.file_vmas[1]) + spec.forks * spec.child_vmas[1]
    if vmas > MAX_TOTAL_VMAS:
        raise Problem(
            _WHERE,
            f"the recipe maps up to {vmas:,} VMAs (processes × (vmas + file_vmas) + forks × "
            f"child_vmas), the limit is {MAX_TOTAL_VMAS} (2**18, in all mms together)",
            at=at("vmas", "file_vmas", "processes"),
        )
    roots = spec.processes - spec.forks
    anon = roots * spec.vmas[0] * spec.vma_pages[0]
    shmem = spec.shmem_files * spec.shmem_pages[0]
    populated = (
        spec.processes * spec.vmas[0] * spec.vma_pages[0]
        * min(1.0, spec.swapped_fraction[0] + spec.resident_fraction[0])
        + shmem
    )  # fmt: skip
    if populated > MAX_POPULATED:
        raise Problem(
            _WHERE,
            f"the recipe populates at least {populated:,.0f} pages, the limit is "
            f"{MAX_POPULATED} (2**24, counted per mm)",
            at=at("vma_pages", "vmas", "shmem_pages", "processes"),
        )
    if spec.slots_used is None:
        swapped = anon * spec.swapped_fraction[0] + shmem * spec.shmem_swapped_fraction[0]
        if swapped > MAX_REFERENCES:
            raise Problem(
                _WHERE,
                f"the recipe swaps out at least {swapped:,.0f} pages, the limit of swapped "
                f"references is {MAX_REFERENCES} (2**21)",
                at=at("swapped_fraction", "vma_pages", "shmem_swapped_fraction"),
            )


# A recipe for more swapped pages than this takes seconds to generate and tens of
# seconds a run: said up front (the loaders' `note`).
NOTE_REFERENCES = 250_000


def size_note(spec: GenerateSpec) -> str | None:
    """One line on the size of a big recipe, said before generating it; else None."""
    if spec.slots_used is None or spec.slots_used < NOTE_REFERENCES:
        return None
    return (
        f"generating {spec.slots_used:,} swapped pages in {spec.processes:,} processes "
        f"(about {max(1, round(spec.slots_used / 150_000))} s; each algorithm then runs "
        "for tens of seconds)"
    )
