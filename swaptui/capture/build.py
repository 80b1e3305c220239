"""Turn what /proc showed into a scenario that validates, noting every guess and every fix.

/proc shows page tables, not the kernel's lists, so some of a scenario has to be inferred
(the mmlist order, fork families, the swap type of an area) and some of what it shows
breaks the scenario rules (a slot seen in two unrelated processes, more than 62 sharers,
more mms or slots than a scenario may hold).  Each inference and each repair adds a line
to `Notes`, which becomes the comment block at the top of the captured file.
"""

from __future__ import annotations

from collections import defaultdict

from attrs import define, field

from models.scenario.limits import MAX_MMS, MAX_SLOTS, MAX_VMAS
from models.scenario_model import (
    PAGE_SIZE,
    PTES_PER_TABLE,
    Mm,
    Scenario,
    ShmemFile,
    Vma,
)
from swaptui.capture.area import FIRST_SPECIAL_TYPE
from swaptui.capture.families import Families
from swaptui.capture.header import Host, machine_scenario
from swaptui.capture.notes import Namer, Notes, pid_list, plural
from swaptui.capture.proc import MapLine, ProcRead, SwapArea, VmaRead
from swaptui.capture.shared_slots import AnonRef, ShmemKey, ShmemPage, limit_refs, resolve_shared

# VMAs that never get an anon_vma whatever their flags say
_SPECIAL_MAPPINGS = ("[vdso]", "[vvar]", "[vsyscall]", "[uprobes]", "[vvar_vclock]")


class NothingToCapture(Exception):
    """No readable process has pages on the chosen area."""


# ------------------------------------------------------------------------ the build


@define
class _ShmemBuild:
    name: str
    pages: int
    swapped: dict[int, int] = field(factory=dict)  # file page index -> slot


def _is_anon_vma(v: VmaRead) -> bool:
    """Does the VMA have an anon_vma (the only VMAs unuse_mm looks at)?

    pagemap cannot say, so: a private VMA with swap entries or with a private anon page
    present certainly has one; an anonymous private mapping is assumed to have been
    touched; a private file mapping without any anon page is assumed never COW-written.
    """
    line = v.line
    if line.shared:
        return False
    if v.swapped or v.anon_present:
        return True
    if line.path in _SPECIAL_MAPPINGS:
        return False
    return line.path == "" or line.path.startswith(("[heap]", "[stack", "[anon:"))


def _shmem_key(line: MapLine) -> ShmemKey:
    return (line.dev, line.inode, line.path)


def _clean_path(path: str) -> str:
    return path.removesuffix(" (deleted)") or "[shared anonymous]"


class Builder:
    def __init__(
        self,
        area: SwapArea,
        swap_type: int,
        procs: list[ProcRead],
        host: Host,
        namer: Namer,
        notes: Notes,
        only: bool = False,
    ) -> None:
        self.only = only  # --pids: the processes left out may hold slots too
        self.area = area
        self.type = swap_type
        self.host = host
        self.namer = namer
        self.notes = notes
        self.procs = self._dedupe(sorted(procs, key=lambda p: p.pid))
        self.by_pid = {p.pid: p for p in self.procs}

    # -- one address space seen under several pids

    def _dedupe(self, procs: list[ProcRead]) -> list[ProcRead]:
        """Pids with byte-identical maps and pagemap share one mm (CLONE_VM without
        CLONE_THREAD); a forked child always differs, at least in the pages it wrote
        since the fork and in the page frames that copy-on-write gave it."""
        groups: dict[str, list[ProcRead]] = defaultdict(list)
        for p in procs:
            groups[p.digest].append(p)
        kept: list[ProcRead] = []
        for p in procs:
            group = groups[p.digest]
            if group[0] is not p:
                continue
            kept.append(p)
            if len(group) > 1:
                others = pid_list(q.pid for q in group[1:])
                self.notes.resolved.append(
                    f"pids {others} show the same address space as {self.namer.proc(p)} "
                    "(identical maps and pagemap: one mm under several pids): kept once"
                )
        return kept

    # -- which processes go in

    def _area_refs(self, p: ProcRead) -> int:
        return sum(1 for v in p.vmas for _i, t, off in v.swapped if t == self.type and off)

    def _select(self) -> list[ProcRead]:
        real = [
            p
            for p in self.procs
            if any(t < FIRST_SPECIAL_TYPE and off for v in p.vmas for _i, t, off in v.swapped)
        ]
        special_only = len(self.procs) - len(real)
        if special_only:
            self.notes.skipped.append(
                f"{plural(special_only, 'process')} with only migration or other special "
                "entries in their page tables (not on the mmlist): left out"
            )
        if len(real) > MAX_MMS:
            ranked = sorted(real, key=lambda p: (-self._area_refs(p), p.pid))
            dropped = ranked[MAX_MMS:]
            lost = sum(self._area_refs(p) for p in dropped)
            self.notes.resolved.append(
                f"{len(real)} processes have swap entries, a scenario holds {MAX_MMS}: "
                f"the {len(dropped)} with the fewest entries on this area were left out "
                f"({lost} swap references lost)"
            )
            keep = {p.pid for p in ranked[:MAX_MMS]}
            real = [p for p in real if p.pid in keep]
        return real

    def _clean_vmas(self, p: ProcRead) -> None:
        """maps is sorted and page aligned on a live system; a copied tree may not be."""
        kept: list[VmaRead] = []
        prev_end = 0
        for v in sorted(p.vmas, key=lambda v: v.line.start):
            line = v.line
            if line.start % PAGE_SIZE or line.end % PAGE_SIZE or line.start < prev_end:
                self.notes.resolved.append(
                    f"{self.namer.proc(p)}: mapping at {line.start:#x} is unaligned or "
                    "overlaps the one before: dropped"
                )
                continue
            prev_end = line.end
            kept.append(v)
        p.vmas = kept

    def _limit_vmas(self, p: ProcRead) -> None:
        """At most MAX_VMAS mappings per process (vm.max_map_count can be raised).

        What the walk sees decides which go first.  A mapping is walked when it has an
        anon_vma, and costs an unuse_pte_range call for each page table it shares with a
        page of the process; pages of any mapping make those page tables exist.  So the
        mappings that change nothing go first (no swap entry, and neither walked in a
        populated page table nor populating one that a walked mapping crosses), then the
        rest without swap entries, then the highest with swap entries.
        """
        excess = len(p.vmas) - MAX_VMAS
        if excess <= 0:
            return

        def tables(first: int, pages: int) -> range:
            return range(first // PTES_PER_TABLE, (first + pages - 1) // PTES_PER_TABLE + 1)

        populated: set[int] = set()
        walked: set[int] = set()
        for v in p.vmas:
            base = v.line.start // PAGE_SIZE
            for a, b in v.resident:
                populated.update(tables(base + a, b - a))
            populated.update((base + i) // PTES_PER_TABLE for i, _t, _o in v.swapped)
            if _is_anon_vma(v):
                walked.update(tables(base, v.line.pages))

        def rank(v: VmaRead) -> int:
            if v.swapped:
                return 2
            span = set(tables(v.line.start // PAGE_SIZE, v.line.pages))
            matters = (_is_anon_vma(v) and span & populated) or (v.resident and span & walked)
            return 1 if matters else 0

        # the highest addresses first within a rank: stable and easy to state
        order = sorted(range(len(p.vmas)), key=lambda i: (rank(p.vmas[i]), -i))
        dropped = sorted(order[:excess])
        ranks = [rank(p.vmas[i]) for i in dropped]
        lost = sum(len(p.vmas[i].swapped) for i in dropped)
        keep = set(range(len(p.vmas))) - set(dropped)
        p.vmas = [v for i, v in enumerate(p.vmas) if i in keep]
        effect = "nothing the walk sees"
        if ranks.count(1):
            effect = f"{ranks.count(1)} walked or populating a walked page table (walks cost less)"
        if lost:
            effect += f"; {lost} swap entries lost"
        self.notes.resolved.append(
            f"{self.namer.proc(p)}: {len(keep) + excess} mappings, a scenario holds "
            f"{MAX_VMAS} per process: {excess} left out ({effect})"
        )

    # -- the swap area's size

    def _slots(self, max_offset: int) -> int:
        # Size counts usable pages; swap_map also has the header slot and any bad pages.
        slots = self.area.size_kib // (PAGE_SIZE // 1024) + 1
        if max_offset >= slots:
            self.notes.resolved.append(
                f"slot {max_offset} is beyond the {slots} slots /proc/swaps implies "
                "(bad pages are not counted in Size): the area was widened to fit it"
            )
            slots = max_offset + 1
        if slots > MAX_SLOTS:
            self.notes.resolved.append(
                f"the area has {slots} slots, a scenario holds {MAX_SLOTS}: the tail beyond "
                f"slot {MAX_SLOTS - 1} is left out (its scan cost is not modelled)"
            )
            slots = MAX_SLOTS
        return slots

    def build(self) -> Scenario:
        procs = self._select()
        notes, namer = self.notes, self.namer
        for p in procs:
            self._clean_vmas(p)
            self._limit_vmas(p)
            if p.dropped_high:
                notes.resolved.append(
                    f"{namer.proc(p)}: {plural(p.dropped_high, 'mapping')} at or above 2**47 "
                    "(vsyscall page or 5-level paging) dropped"
                )

        # Gather references of this area, split into page-table (anon) and shmem ones.
        anon: dict[int, list[AnonRef]] = defaultdict(list)
        shmem_files: dict[ShmemKey, _ShmemBuild] = {}
        shmem_refs: dict[int, list[ShmemPage]] = defaultdict(list)
        other_area = special = zero = 0
        for p in procs:
            for vi, v in enumerate(p.vmas):
                for page, t, off in v.swapped:
                    if t >= FIRST_SPECIAL_TYPE:
                        special += 1
                    elif off == 0:
                        zero += 1
                    elif t != self.type:
                        other_area += 1
                    elif v.line.shared:
                        key = _shmem_key(v.line)
                        index = v.line.offset // PAGE_SIZE + page
                        f = shmem_files.get(key)
                        if f is None:
                            f = shmem_files[key] = _ShmemBuild(_clean_path(v.line.path), 0)
                        f.pages = max(f.pages, v.line.offset // PAGE_SIZE + v.line.pages)
                        if f.swapped.get(index) != off:
                            f.swapped[index] = off
                            shmem_refs[off].append((key, index))
                    else:
                        anon[off].append(AnonRef(p.pid, vi, page, v.line.start // PAGE_SIZE + page))
        if other_area:
            notes.approximations.append(
                f"{other_area} swap entries of other swap areas are not modelled: "
                "page tables that hold nothing else look absent, so walks cost a little less"
            )
        if special:
            notes.skipped.append(f"{special} migration or other special page-table entries ignored")
        if zero:
            notes.resolved.append(f"{zero} swap entries with offset 0 (the header slot) dropped")

        # Drop references beyond what a scenario may hold (slot numbers too big).
        max_offset = max([*anon, *shmem_refs, 0])
        if max_offset >= MAX_SLOTS:
            too_far = sum(len(anon[s]) for s in anon if s >= MAX_SLOTS) + sum(
                len(shmem_refs[s]) for s in shmem_refs if s >= MAX_SLOTS
            )
            notes.resolved.append(
                f"{too_far} swap references at slots {MAX_SLOTS} and above dropped "
                f"(a scenario holds {MAX_SLOTS} slots)"
            )
            for s in [s for s in anon if s >= MAX_SLOTS]:
                del anon[s]
            for s in [s for s in shmem_refs if s >= MAX_SLOTS]:
                for key, index in shmem_refs.pop(s):
                    shmem_files[key].swapped.pop(index, None)
            max_offset = max([*anon, *shmem_refs, 0])
        slots = self._slots(max_offset)

        fam = Families(self.by_pid, self.namer, notes)
        # only a slot with several holders can tie a child to its parent (nearly every
        # slot has one: the pair loop over all of them cost seconds on big captures)
        fam.link_forks(
            procs, ([(r.pid, r.vpage) for r in refs] for refs in anon.values() if len(refs) > 1)
        )
        kept_anon, kept_shmem = resolve_shared(anon, shmem_refs, fam, self.procs)
        kept_anon, kept_shmem = limit_refs(kept_anon, kept_shmem, notes)

        if not kept_anon and not kept_shmem:
            raise NothingToCapture(
                f"no readable process has pages on {namer.area(self.area)} "
                f"({self.area.used_kib} KiB used)"
            )

        used = self.area.used_kib // (PAGE_SIZE // 1024)
        found = len(kept_anon) + len(kept_shmem)
        if used > found:
            left_out = ", processes left out by --pids" if self.only else ""
            notes.approximations.append(
                f"{used - found} of the {used} slots /proc/swaps counts as used are referenced "
                "by no captured page table (swap cache, tmpfs pages, unreadable or exited "
                f"processes{left_out}): not modelled"
            )

        # Assemble mms in mmlist order.
        swapped_by: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
        for slot, refs in kept_anon.items():
            for r in refs:
                swapped_by[(r.pid, r.vma)].append((r.page, slot))
        mms: list[Mm] = []
        for p in fam.mmlist(procs):
            vmas: list[Vma] = []
            for vi, v in enumerate(p.vmas):
                vmas.append(
                    Vma(
                        start=v.line.start,
                        pages=v.line.pages,
                        anon=_is_anon_vma(v),
                        resident=tuple(v.resident),
                        swapped=tuple(sorted(swapped_by.get((p.pid, vi), ()))),
                    )
                )
            parent = fam.parents.get(p.pid)
            mms.append(Mm(pid=p.pid, comm=namer.comm(p.comm), parent=parent, vmas=tuple(vmas)))

        shmem = tuple(
            ShmemFile(
                name=namer.file(f.name),
                pages=max(f.pages, 1),
                swapped=tuple(
                    sorted((i, s) for i, s in f.swapped.items() if kept_shmem.get(s) == (key, i))
                ),
            )
            for key, f in shmem_files.items()
        )
        shmem = tuple(f for f in shmem if f.swapped)
        return machine_scenario(self.host, self.namer, self.notes, slots, tuple(mms), shmem)
