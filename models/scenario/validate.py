"""The rules of scenario-format.md, checked on a `Scenario` (parsed or built in code):
the header, swap area, costs and memory pressure in validate_header.py, the mms, their
fork families, VMAs and every swapped reference here.

Every broken rule raises a `Problem` whose location follows the file's structure
(mm i, vma j, element k of `swapped`), so the loader can point at the line.

Speed matters: generated scenarios carry about a million references.  Each reference
costs a handful of dict/array operations; per-slot state lives in one flat array
indexed by slot (or a dict when the swap area is huge and nearly empty), packing
"who referenced this slot first, at which virtual page" into one integer.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections import defaultdict
from collections.abc import MutableSequence, Sequence

from models.faults import check_faults
from models.scenario.errors import Loc, Problem
from models.scenario.limits import (
    MAX_MMS,
    MAX_PID,
    MAX_REFERENCES,
    MAX_RESIDENT_RANGES,
    MAX_SHARERS,
    MAX_SHMEM_FILES,
    MAX_TOTAL_VMAS,
    MAX_VMAS,
    over_limit,
)
from models.scenario.validate_header import check_text, validate_base
from models.scenario_model import PAGE_SIZE, USER_ADDRESS_LIMIT, Scenario, Vma

# An owner key packs (virtual page << _TAG_BITS) | (mm index + 1); shmem owners are
# negative: -(file index + 1).  4096 mms fit in the tag.
_TAG_BITS = 13
_TAG_MASK = (1 << _TAG_BITS) - 1


def validate(s: Scenario) -> None:
    """Raise `Problem` for the first broken rule, in file order where it matters."""
    bad = validate_base(s)
    roots = _fork_families(s)
    _References(s, bad, roots).check()
    _check_faults(s)


def _check_faults(s: Scenario) -> None:
    """Faults must name processes, files and slots the scenario has."""
    for i, fault in enumerate(s.faults):
        try:
            check_faults(s, (fault,))
        except ValueError as e:
            raise Problem(("fault", i), str(e).partition(": ")[2] or str(e)) from None


def _fork_families(s: Scenario) -> list[int]:
    """Check pids and parent links; return each mm's family root (an mm index)."""
    if len(s.mms) > MAX_MMS:
        raise Problem(("mm",), over_limit("mms", MAX_MMS, len(s.mms)), at=(MAX_MMS,))
    index_of: dict[int, int] = {}
    for i, mm in enumerate(s.mms):
        if not 1 <= mm.pid <= MAX_PID:
            raise Problem(("mm", i), f"pid {mm.pid} is out of range (1..{MAX_PID})", at=("pid",))
        if mm.pid in index_of:
            raise Problem(
                ("mm", i), f"pid {mm.pid} is already used by mm[{index_of[mm.pid]}]", at=("pid",)
            )
        index_of[mm.pid] = i
        check_text(mm.comm, ("mm", i, "comm"))
    parents: list[int] = []
    for i, mm in enumerate(s.mms):
        if mm.parent is None:
            parents.append(-1)
        elif mm.parent in index_of:
            parents.append(index_of[mm.parent])
        else:
            raise Problem(
                ("mm", i),
                f"parent {mm.parent} is not the pid of an mm in this scenario",
                at=("parent",),
            )

    roots = [-1] * len(s.mms)
    for i in range(len(s.mms)):
        path: list[int] = []
        on_path: set[int] = set()
        j = i
        while roots[j] < 0:
            if j in on_path:
                cycle = [*path[path.index(j) :], j]
                pids = " -> ".join(str(s.mms[k].pid) for k in cycle)
                raise Problem(("mm", i), f"parent links form a cycle: {pids}", at=("parent",))
            on_path.add(j)
            path.append(j)
            if parents[j] < 0:
                roots[j] = j
                break
            j = parents[j]
        for k in path:
            roots[k] = roots[j]
    return roots


def _resident_bounds(vma: Vma, where: Loc) -> tuple[list[int], list[int]]:
    """Sorted starts and ends of the resident ranges, after checking them."""
    ranges = sorted((a, b, k) for k, (a, b) in enumerate(vma.resident))
    starts: list[int] = []
    ends: list[int] = []
    prev_end = 0
    for n, (a, b, k) in enumerate(ranges):
        at: Loc = ("resident", k)
        if not a < b:
            raise Problem(where, f"resident range [{a}, {b}] is empty or reversed", at=at)
        if a < 0 or b > vma.pages:
            raise Problem(
                where, f"resident range [{a}, {b}] is outside the VMA (pages = {vma.pages})", at=at
            )
        if n and a < prev_end:
            raise Problem(
                where, f"resident range [{a}, {b}] overlaps [{starts[-1]}, {ends[-1]}]", at=at
            )
        starts.append(a)
        ends.append(b)
        prev_end = b
    return starts, ends


class _References:
    """Checks VMAs, shmem files and every swapped reference against the slot rules."""

    def __init__(self, s: Scenario, bad: frozenset[int], roots: list[int]) -> None:
        self.s = s
        self.bad = bad
        self.roots = roots
        refs = s.swap_references()
        if refs > MAX_REFERENCES:
            raise Problem((), over_limit("swapped references", MAX_REFERENCES, refs))
        vmas = sum(len(mm.vmas) for mm in s.mms)
        if vmas > MAX_TOTAL_VMAS:
            raise Problem(("mm",), over_limit("VMAs in all mms together", MAX_TOTAL_VMAS, vmas))
        ranges = sum(len(v.resident) for mm in s.mms for v in mm.vmas)
        if ranges > MAX_RESIDENT_RANGES:
            raise Problem((), over_limit("resident ranges", MAX_RESIDENT_RANGES, ranges))
        if len(s.shmem) > MAX_SHMEM_FILES:
            raise Problem(
                ("shmem",),
                over_limit("shmem files", MAX_SHMEM_FILES, len(s.shmem)),
                at=(MAX_SHMEM_FILES,),
            )
        # One int per slot; a dict only when the area is huge and nearly empty, so a
        # file with slots = 2**26 and three references does not allocate 512 MiB.
        self.owner: MutableSequence[int] | defaultdict[int, int]
        if s.slots <= 8 * refs + 65536:
            self.owner = array("q", bytes(8 * s.slots))
        else:
            self.owner = defaultdict(int)
        self.sharers: dict[int, set[int]] = {}

    def check(self) -> None:
        for i, mm in enumerate(self.s.mms):
            if len(mm.vmas) > MAX_VMAS:
                raise Problem(
                    ("mm", i),
                    over_limit("VMAs", MAX_VMAS, len(mm.vmas), "vm.max_map_count"),
                    at=("vma", MAX_VMAS),
                )
            prev_end = 0
            for j, vma in enumerate(mm.vmas):
                where = ("mm", i, "vma", j)
                self._vma_shape(vma, where, prev_end, j)
                prev_end = vma.start + vma.pages * PAGE_SIZE
                self._anon_refs(i, vma, where)
        for f, shm in enumerate(self.s.shmem):
            self._shmem_refs(f, shm.name, shm.pages, shm.swapped)

    def _vma_shape(self, vma: Vma, where: Loc, prev_end: int, j: int) -> None:
        if vma.start < 0:
            raise Problem(where, f"start {vma.start} is negative", at=("start",))
        if vma.start % PAGE_SIZE:
            raise Problem(
                where,
                f"start {vma.start:#x} is not page-aligned ({PAGE_SIZE} bytes)",
                at=("start",),
            )
        if vma.pages < 1:
            raise Problem(where, f"pages must be >= 1, got {vma.pages}", at=("pages",))
        end = vma.start + vma.pages * PAGE_SIZE
        if end > USER_ADDRESS_LIMIT:
            raise Problem(
                where,
                f"the VMA ends at {end:#x}, above the user address limit "
                f"{USER_ADDRESS_LIMIT:#x} (2**47)",
                at=("pages",),
            )
        if j and vma.start < prev_end:
            raise Problem(
                where,
                f"start {vma.start:#x} is below the end of vma[{j - 1}] ({prev_end:#x}): "
                "VMAs must be in ascending address order and must not overlap",
                at=("start",),
            )

    def _slot_ok(self, slot: int, where: Loc, at: Loc) -> None:
        """The slow path for a slot that failed the range or bad test."""
        if slot == 0:
            raise Problem(where, "slot 0 is the swap header, it holds no page", at=at)
        if not 0 < slot < self.s.slots:
            raise Problem(
                where, f"slot {slot} is outside the swap area (slots = {self.s.slots})", at=at
            )
        raise Problem(where, f"slot {slot} is marked bad", at=at)

    def _anon_refs(self, mi: int, vma: Vma, where: Loc) -> None:
        starts, ends = _resident_bounds(vma, where)
        if not vma.swapped:
            return
        if not vma.anon:
            raise Problem(
                where,
                "swapped pages in a VMA with anon = false (unuse_mm would never find them)",
                at=("swapped", 0),
            )
        pages = vma.pages
        base = vma.start_page
        nslots = self.s.slots
        bad = self.bad
        owner = self.owner
        tag = mi + 1
        seen: set[int] = set()
        for k, (idx, slot) in enumerate(vma.swapped):
            if not 0 <= idx < pages:
                raise Problem(
                    where, f"page {idx} is outside the VMA (pages = {pages})", at=("swapped", k)
                )
            if idx in seen:
                raise Problem(where, f"page {idx} appears twice in swapped", at=("swapped", k))
            seen.add(idx)
            if starts:
                r = bisect_right(starts, idx) - 1
                if r >= 0 and idx < ends[r]:
                    raise Problem(
                        where, f"page {idx} is both resident and swapped", at=("swapped", k)
                    )
            if not 0 < slot < nslots or slot in bad:
                self._slot_ok(slot, where, ("swapped", k))
            key = ((base + idx) << _TAG_BITS) | tag
            prev = owner[slot]
            if prev == 0:
                owner[slot] = key
            else:
                self._shared(slot, prev, key, mi, where, k)

    def _owner_name(self, prev: int) -> str:
        if prev < 0:
            return f"shmem[{-prev - 1}]"
        m = (prev & _TAG_MASK) - 1
        return f"mm[{m}] (pid {self.s.mms[m].pid})"

    def _shared(self, slot: int, prev: int, key: int, mi: int, where: Loc, k: int) -> None:
        """A second (third, ...) anon reference to `slot`: a page shared after fork."""
        at: Loc = ("swapped", k)
        if prev < 0:
            raise Problem(where, f"slot {slot} is already used by {self._owner_name(prev)}", at=at)
        first = (prev & _TAG_MASK) - 1
        sharers = self.sharers.setdefault(slot, {first})
        if mi in sharers:
            raise Problem(
                where,
                f"slot {slot} is referenced twice by this mm (pid {self.s.mms[mi].pid}): "
                "sharers must be distinct mms",
                at=at,
            )
        if self.roots[mi] != self.roots[first]:
            raise Problem(
                where,
                f"slot {slot} is shared with {self._owner_name(prev)}, which is not in this "
                "mm's fork family (linked by parent)",
                at=at,
            )
        if prev >> _TAG_BITS != key >> _TAG_BITS:
            here = (key >> _TAG_BITS) * PAGE_SIZE
            there = (prev >> _TAG_BITS) * PAGE_SIZE
            raise Problem(
                where,
                f"slot {slot} is mapped at {here:#x} here but at {there:#x} by "
                f"{self._owner_name(prev)}: fork leaves a shared page at the same address",
                at=at,
            )
        sharers.add(mi)
        if len(sharers) > MAX_SHARERS:
            raise Problem(
                where,
                f"slot {slot} has more than {MAX_SHARERS} references (SWAP_MAP_MAX)",
                at=at,
            )

    def _shmem_refs(
        self, f: int, name: str, pages: int, swapped: Sequence[tuple[int, int]]
    ) -> None:
        where: Loc = ("shmem", f)
        check_text(name, (*where, "name"))
        if pages < 1:
            raise Problem(where, f"pages must be >= 1, got {pages}", at=("pages",))
        nslots = self.s.slots
        bad = self.bad
        owner = self.owner
        key = -(f + 1)
        seen: set[int] = set()
        for k, (idx, slot) in enumerate(swapped):
            at: Loc = ("swapped", k)
            if not 0 <= idx < pages:
                raise Problem(where, f"page {idx} is outside the file (pages = {pages})", at=at)
            if idx in seen:
                raise Problem(where, f"page {idx} appears twice in swapped", at=at)
            seen.add(idx)
            if not 0 < slot < nslots or slot in bad:
                self._slot_ok(slot, where, at)
            prev = owner[slot]
            if prev:
                raise Problem(
                    where,
                    f"slot {slot} is already used by {self._owner_name(prev)}: "
                    "a shmem slot has exactly one reference",
                    at=at,
                )
            owner[slot] = key
