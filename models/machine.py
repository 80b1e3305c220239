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

from models.pairs import Pairs
from models.refs import ANON, SHMEM, RefTable, SlotRefs
from models.scenario_model import PTES_PER_TABLE, Mm, Scenario


@frozen
class Unit:
    """One unuse_pte_range call: the part of one 2 MiB page table inside one anon VMA."""

    vma: int  # index of the VMA in its mm
    first_page: int  # absolute virtual page number of the first PTE examined
    ptes: int  # PTEs examined by a whole walk of the unit
    ordinal: int  # walk ordinal of the first PTE (PTEs of the mm numbered in walk order)


class MmWalk:
    """The static walk order of one mm: its units, and where its swap PTEs lie."""

    __slots__ = (
        "anon_refs",
        "anon_vmas",
        "ref_vpages",
        "total_ptes",
        "unit_ordinals",
        "unit_pages",
        "unit_refs",
        "units",
        "vma_bounds",
    )

    def __init__(self, units: list[Unit], vma_bounds: list[tuple[int, int, bool]]) -> None:
        self.units = units
        self.unit_ordinals = array("q", (u.ordinal for u in units))
        # VMAs ascend and do not overlap, so units ascend in virtual address too
        self.unit_pages = array("q", (u.first_page for u in units))
        self.total_ptes = units[-1].ordinal + units[-1].ptes if units else 0
        # swap references of this mm, in walk order (filled by Machine)
        self.anon_refs = array("q")
        # their virtual pages (ascending, like the walk), for VMA readahead's neighbours
        self.ref_vpages = array("q")
        # where each unit's swap references begin in anon_refs (one more: the end)
        self.unit_refs = array("q", [0] * (len(units) + 1))
        # (start page, end page, anon) per VMA, for address lookups
        self.vma_bounds = vma_bounds
        # the anon VMAs in address order, each with its units: (vma, first unit, end unit)
        self.anon_vmas: list[tuple[int, int, int]] = []
        u = 0
        for vi, (_start, _end, anon) in enumerate(vma_bounds):
            if not anon:
                continue  # no anon_vma: unuse_mm skips the VMA
            first = u
            while u < len(units) and units[u].vma == vi:
                u += 1
            self.anon_vmas.append((vi, first, u))

    def set_refs(self, anon_refs: array, ordinals: array, vpages: array) -> None:
        """This mm's swap references, in walk order, with their walk ordinals and pages."""
        self.anon_refs = anon_refs
        self.ref_vpages = vpages
        for u, start in enumerate(self.unit_ordinals):
            self.unit_refs[u] = bisect.bisect_left(ordinals, start)
        self.unit_refs[len(self.units)] = len(anon_refs)

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

    def refs_between(self, lo: int, hi: int) -> array:
        """The swap references of this mm at virtual pages [lo, hi), in address order."""
        a = bisect.bisect_left(self.ref_vpages, lo)
        b = bisect.bisect_left(self.ref_vpages, hi)
        return self.anon_refs[a:b]

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

    def __init__(self, scenario: Scenario, unborn: frozenset[int] = frozenset()) -> None:
        """`unborn`: pids of fork children that come alive only when their fork fault fires."""
        self.scenario = scenario
        self.slots = scenario.slots
        self.bad = frozenset(scenario.bad)
        self.mm_pids = [m.pid for m in scenario.mms]
        self.walks: list[MmWalk] = []
        self.refs = RefTable()
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
        # each mm's references are one contiguous block of ids, in the order of its
        # VMAs and their swapped lists: a fork child's block lines up with its parent's
        self.mm_refs: list[range] = []
        for mi, m in enumerate(scenario.mms):
            first = len(self.refs)
            self.walks.append(self._compile_mm(mi, m))
            self.mm_refs.append(range(first, len(self.refs)))
        self.unborn = frozenset(i for i, m in enumerate(scenario.mms) if m.pid in unborn)
        # each file's swapped pages in index order, as shmem_unuse_inode finds them
        self.file_refs: list[list[int]] = []
        for fi, f in enumerate(scenario.shmem):
            self.file_refs.append(
                [
                    self.refs.append(SHMEM, fi, -1, page, slot, -1, -1)
                    for page, slot in sorted(f.swapped)
                ]
            )
        self.slot_refs = SlotRefs(self.refs.slot, self.slots)
        # the slots find_next_to_unuse can ever stop at: referenced and not bad.  The
        # scan skips everything else without looking (its cost is counted, not looped).
        if any(self.slot_refs.count(b) for b in self.bad):
            self.used_slots = array("q", (s for s in self.slot_refs.slots if s not in self.bad))
        else:  # no bad slot is referenced (a valid scenario): the same array, shared
            self.used_slots = self.slot_refs.slots
        # position of an mm in the circular mmlist: init_mm is position 0
        self.n_positions = len(scenario.mms) + 1
        self.total_units = sum(w.total_units for w in self.walks)

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
        walk = MmWalk(units, bounds)
        # the references in the order of the VMAs and their swapped lists, column by
        # column (comprehensions over a million pages: no call, no tuple per page)
        owner_vma: list[int] = []
        pages: list[int] = []
        slots: list[int] = []
        vpages: list[int] = []
        ords: list[int] = []
        by_vma: dict[int, dict[int, int]] = {}
        for j, unit in enumerate(units):
            by_vma.setdefault(unit.vma, {})[unit.first_page // PTES_PER_TABLE] = j
        for vi, vma in enumerate(vmas):
            sw = vma.swapped
            if not sw:
                continue
            if isinstance(sw, Pairs):
                here, their_slots = sw.firsts().tolist(), sw.seconds().tolist()
            else:
                here, their_slots = [p for p, _s in sw], [s for _p, s in sw]
            # this VMA's units by page table: each swapped page's unit is the one of its
            # table (the tables were made from these very pages)
            table_unit = by_vma.get(vi, {})
            if min(here) < 0 or max(here) >= vma.pages:  # outside the VMA: no unit covers it
                bad = next(p for p in here if not 0 <= p < vma.pages)
                raise ValueError(f"mm {m.pid}: page {bad} of vma {vi} has no page table")
            base = vma.start_page
            vp = [base + p for p in here]
            try:
                js = [table_unit[v // PTES_PER_TABLE] for v in vp]
            except KeyError:  # a VMA without anon page tables
                bad = next(
                    p
                    for p, v in zip(here, vp, strict=True)
                    if v // PTES_PER_TABLE not in table_unit
                )
                raise ValueError(f"mm {m.pid}: page {bad} of vma {vi} has no page table") from None
            ords.extend(
                [units[j].ordinal + v - units[j].first_page for j, v in zip(js, vp, strict=True)]
            )
            owner_vma.extend([vi] * len(vp))
            pages.extend(here)
            slots.extend(their_slots)
            vpages.extend(vp)
        first = self.refs.extend(ANON, mi, owner_vma, pages, slots, vpages, ords)
        # walk order: by ordinal (a PTE holds one entry, so ties cannot occur; a stable
        # sort would keep them in id order anyway)
        order = sorted(range(len(ords)), key=ords.__getitem__)
        walk.set_refs(
            array("q", [first + i for i in order]),
            array("q", [ords[i] for i in order]),
            array("q", [vpages[i] for i in order]),
        )
        return walk

    def mm_index(self, pid: int) -> int:
        return self.mm_pids.index(pid)
