"""The scenario compiled into the structures the algorithms walk.

A `Machine` is immutable once built.  It answers the questions the kernel answers
by walking page tables (which PTE of which mm holds this swap entry, how many
unuse_pte_range calls and PTEs a whole walk of an mm costs) with precomputed
tables, so that `legacy`'s quadratic search can be counted exactly without
being executed PTE by PTE.
"""

from __future__ import annotations

import bisect
from array import array

from attrs import frozen

from models.scenario_model import PTES_PER_TABLE, Mm, Scenario

ANON = 0
SHMEM = 1


@frozen
class Unit:
    """One unuse_pte_range call: the part of one 2 MiB page table inside one anon VMA."""

    vma: int  # index of the VMA in its mm
    first_page: int  # absolute virtual page number of the first PTE examined
    ptes: int  # PTEs examined by a whole walk of the unit
    ordinal: int  # walk ordinal of the first PTE (PTEs of the mm numbered in walk order)


@frozen
class Ref:
    """One reference to a swap slot: an anon PTE or a shmem file page."""

    kind: int  # ANON or SHMEM
    owner: int  # mm index (ANON) or shmem file index (SHMEM)
    vma: int  # VMA index in the mm (ANON); -1 for shmem
    page: int  # page index in the VMA or file
    slot: int
    vpage: int  # absolute virtual page number (ANON); -1 for shmem
    ordinal: int  # walk ordinal of the PTE in its mm (ANON); -1 for shmem


class MmWalk:
    """The static walk order of one mm: its units, and where its swap PTEs lie."""

    __slots__ = (
        "anon_refs",
        "index",
        "ref_by_vpage",
        "total_ptes",
        "unit_ordinals",
        "unit_pages",
        "units",
        "vma_bounds",
    )

    def __init__(
        self, index: int, units: list[Unit], vma_bounds: list[tuple[int, int, bool]]
    ) -> None:
        self.index = index
        self.units = units
        self.unit_ordinals = array("q", (u.ordinal for u in units))
        # VMAs ascend and do not overlap, so units ascend in virtual address too
        self.unit_pages = array("q", (u.first_page for u in units))
        self.total_ptes = units[-1].ordinal + units[-1].ptes if units else 0
        # swap references of this mm, in walk order (filled by Machine)
        self.anon_refs: list[int] = []
        # virtual page -> reference, for VMA readahead's look at neighbouring PTEs
        self.ref_by_vpage: dict[int, int] = {}
        # (start page, end page, anon) per VMA, for address lookups
        self.vma_bounds = vma_bounds

    @property
    def total_units(self) -> int:
        return len(self.units)

    def unit_of(self, ordinal: int) -> int:
        """Index of the unit holding the PTE with this walk ordinal."""
        return bisect.bisect_right(self.unit_ordinals, ordinal) - 1

    def unit_starts_between(self, first: int, last: int) -> int:
        """How many units begin at an ordinal in [first, last] (unuse_pte_range calls entered)."""
        return bisect.bisect_right(self.unit_ordinals, last) - bisect.bisect_left(
            self.unit_ordinals, first
        )

    def page_of(self, ordinal: int) -> tuple[int, int]:
        """(unit index, absolute virtual page) of a walk ordinal."""
        u = self.unit_of(ordinal)
        unit = self.units[u]
        return u, unit.first_page + (ordinal - unit.ordinal)

    def unit_covering(self, vpage: int) -> int | None:
        """The unit (if any) whose page table and anon VMA cover this virtual page.

        This is the single unuse_pte_range call that unuse_vma's page_address_in_vma
        shortcut makes for a page that is already anon-mapped in the fork family.
        """
        j = bisect.bisect_right(self.unit_pages, vpage) - 1
        if j < 0:
            return None
        unit = self.units[j]
        if unit.first_page <= vpage < unit.first_page + unit.ptes:
            return j
        return None


def _populated_regions(scenario_mm: Mm) -> list[int]:
    """2 MiB regions holding at least one resident or swapped page of any VMA."""
    regions: set[int] = set()
    for vma in scenario_mm.vmas:
        base = vma.start_page
        for a, b in vma.resident:
            if b > a:
                regions.update(
                    range((base + a) // PTES_PER_TABLE, (base + b - 1) // PTES_PER_TABLE + 1)
                )
        for idx, _slot in vma.swapped:
            regions.add((base + idx) // PTES_PER_TABLE)
    return sorted(regions)


class Machine:
    """Everything about the scenario that does not change while swapoff runs."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.slots = scenario.slots
        self.bad = frozenset(scenario.bad)
        self.mm_pids = [m.pid for m in scenario.mms]
        self.walks: list[MmWalk] = []
        self.refs: list[Ref] = []
        self.slot_refs: dict[int, list[int]] = {}
        pid_index = {m.pid: i for i, m in enumerate(scenario.mms)}
        # fork family: the root ancestor's index (anon_vma root shared after fork)
        self.family: list[int] = []
        for m in scenario.mms:
            cur = m
            seen = 0
            while cur.parent is not None and cur.parent in pid_index and seen <= len(scenario.mms):
                cur = scenario.mms[pid_index[cur.parent]]
                seen += 1
            self.family.append(pid_index[cur.pid])
        for mi, m in enumerate(scenario.mms):
            self.walks.append(self._compile_mm(mi, m))
        # each file's swapped pages in index order, as shmem_unuse_inode finds them
        self.file_refs: list[list[int]] = []
        for fi, f in enumerate(scenario.shmem):
            self.file_refs.append(
                [
                    self._add_ref(Ref(SHMEM, fi, -1, page, slot, -1, -1))
                    for page, slot in sorted(f.swapped)
                ]
            )
        # position of an mm in the circular mmlist: init_mm is position 0
        self.n_positions = len(scenario.mms) + 1
        pp = array("q", [0])
        uu = array("q", [0])
        for w in self.walks:
            pp.append(pp[-1] + w.total_ptes)
            uu.append(uu[-1] + w.total_units)
        # prefix sums over mm index: sum of full walks of mms [a, b)
        self.prefix_ptes = pp
        self.prefix_units = uu
        self.total_ptes = pp[-1]
        self.total_units = uu[-1]

    def _add_ref(self, ref: Ref) -> int:
        index = len(self.refs)
        self.refs.append(ref)
        self.slot_refs.setdefault(ref.slot, []).append(index)
        return index

    def _compile_mm(self, mi: int, m: Mm) -> MmWalk:
        regions = _populated_regions(m)
        units: list[Unit] = []
        bounds: list[tuple[int, int, bool]] = []
        ordinal = 0
        vmas = m.vmas
        for vi, vma in enumerate(vmas):
            start, end = vma.start_page, vma.end_page
            bounds.append((start, end, vma.anon))
            if not vma.anon:
                continue  # no anon_vma: unuse_mm skips the VMA
            lo = bisect.bisect_left(regions, start // PTES_PER_TABLE)
            hi = bisect.bisect_right(regions, (end - 1) // PTES_PER_TABLE)
            for region in regions[lo:hi]:
                first = max(start, region * PTES_PER_TABLE)
                last = min(end, (region + 1) * PTES_PER_TABLE)
                units.append(Unit(vi, first, last - first, ordinal))
                ordinal += last - first
        walk = MmWalk(mi, units, bounds)
        found: list[tuple[int, int]] = []
        for vi, vma in enumerate(vmas):
            for page, slot in vma.swapped:
                vpage = vma.start_page + page
                u = walk.unit_covering(vpage)
                if u is None or units[u].vma != vi:
                    raise ValueError(f"mm {m.pid}: page {page} of vma {vi} has no page table")
                unit = units[u]
                o = unit.ordinal + (vpage - unit.first_page)
                found.append((o, self._add_ref(Ref(ANON, mi, vi, page, slot, vpage, o))))
        found.sort()
        walk.anon_refs = [r for _o, r in found]
        walk.ref_by_vpage = {self.refs[r].vpage: r for r in walk.anon_refs}
        return walk

    def mm_name(self, mi: int) -> str:
        m = self.scenario.mms[mi]
        return f"{m.pid} {m.comm}"
