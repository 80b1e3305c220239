"""Turn what /proc showed into a scenario that validates, noting every guess and every fix.

/proc shows page tables, not the kernel's lists, so some of a scenario has to be inferred
(the mmlist order, fork families, the swap type of an area) and some of what it shows
breaks the scenario rules (a slot seen in two unrelated processes, more than 62 sharers,
more mms or slots than a scenario may hold).  Each inference and each repair adds a line
to `Notes`, which becomes the comment block at the top of the captured file.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from attrs import define, field

from models.scenario_model import (
    PAGE_SIZE,
    PTES_PER_TABLE,
    DiskParams,
    Mm,
    Scenario,
    ShmemFile,
    Vma,
)
from swaptui.capture.proc import MapLine, ProcRead, SwapArea, VmaRead

MAX_MMS = 4096
MAX_SLOTS = 1 << 24
MAX_REFS = 1 << 22
MAX_SHARERS = 62  # SWAP_MAP_MAX: more sharers need count continuation pages
MAX_VMAS = 65530  # per mm in a scenario: the kernel's default vm.max_map_count
# Swap types at or above this are the kernel's special entries (migration, device-private,
# hwpoison, PTE markers), never swap areas: MAX_SWAPFILES is 32 minus those, 23 or more.
FIRST_SPECIAL_TYPE = 23
# VMAs that never get an anon_vma whatever their flags say
_SPECIAL_MAPPINGS = ("[vdso]", "[vvar]", "[vsyscall]", "[uprobes]", "[vvar_vclock]")


class HiddenOffsets(Exception):
    """pagemap does not show swap offsets to us: capturing would write a scenario of zeros."""


class NothingToCapture(Exception):
    """No readable process has pages on the chosen area."""


@define
class Notes:
    """Lines for the comment block: fixed approximations, then what this capture ran into."""

    approximations: list[str] = field(factory=list)
    resolved: list[str] = field(factory=list)
    skipped: list[str] = field(factory=list)

    def count(self) -> int:
        return len(self.approximations) + len(self.resolved) + len(self.skipped)


class Namer:
    """Process and file names as written, or stable placeholders with --anonymize.

    Placeholders are numbered by first use, and the same name always gets the same
    placeholder, so "three processes called proc-2" still reads as it did.
    """

    def __init__(self, anonymize: bool) -> None:
        self.anonymize = anonymize
        self._comms: dict[str, str] = {}
        self._files: dict[str, str] = {}

    def comm(self, comm: str) -> str:
        if not self.anonymize:
            return comm
        return self._comms.setdefault(comm, f"proc-{len(self._comms) + 1}")

    def file(self, name: str) -> str:
        if not self.anonymize:
            return name
        return self._files.setdefault(name, f"file-{len(self._files) + 1}")

    def area(self, area: SwapArea) -> str:
        return "the swap area" if self.anonymize else area.filename

    def proc(self, p: ProcRead) -> str:
        return f"{p.pid} ({self.comm(p.comm)})"


def plural(n: int, word: str) -> str:
    if n == 1:
        return f"{n} {word}"
    return f"{n} {word}es" if word.endswith("s") else f"{n} {word}s"


def printable(text: str) -> str:
    """`text` with every character a terminal or TOML comment would not show as itself
    (controls, escapes, line separators) replaced by '?'."""
    return "".join(c if c.isprintable() else "?" for c in text)


def _pid_list(pids: Iterable[int], limit: int = 8) -> str:
    items = sorted(pids)
    shown = ", ".join(str(p) for p in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


# ------------------------------------------------------------------------ hidden offsets


def check_visible(procs: list[ProcRead], readable: int, blank: int) -> None:
    """Refuse to go on when pagemap hides what we need (not root on a 4.18+ kernel)."""
    entries = 0
    zero = 0
    for p in procs:
        for v in p.vmas:
            for _i, t, off in v.swapped:
                if t >= FIRST_SPECIAL_TYPE:
                    continue
                entries += 1
                zero += off == 0
    if entries and zero == entries:
        raise HiddenOffsets(
            f"pagemap shows {entries} swapped pages but hides their swap offsets "
            "(needs CAP_SYS_ADMIN since Linux 4.18): run swaptui capture as root"
        )
    if readable and blank == readable:
        raise HiddenOffsets(
            f"pagemap reads as zeros for all {readable} readable processes "
            "(no permission to see page tables): run swaptui capture as root"
        )


# ------------------------------------------------------------------------ the area's type


def area_type(areas: list[SwapArea], area: SwapArea, procs: list[ProcRead], notes: Notes) -> int:
    """The swap type (index in the kernel's swap_info[]) of `area`.

    /proc/swaps lists areas in ascending type order, skipping unused types; types are only
    unused after a swapoff that no swapon has refilled.  Areas that hold data show up in
    pagemap, so when as many types appear as areas have data, the k-th type seen belongs
    to the k-th such area.  Otherwise an area's type is its line number.
    """
    seen = sorted({t for t in _types(procs) if t < FIRST_SPECIAL_TYPE})
    holding = [a for a in areas if a.used_kib > 0]
    if area in holding and len(seen) == len(holding):
        return seen[holding.index(area)]
    if len(areas) > 1:
        notes.approximations.append(
            f"swap type: assumed {area.position} from the order of /proc/swaps "
            f"(pagemap shows types {seen or 'none'} for {len(holding)} areas holding data)"
        )
    return area.position


def _types(procs: list[ProcRead]) -> Iterable[int]:
    for p in procs:
        for v in p.vmas:
            for _i, t, off in v.swapped:
                if off:
                    yield t


# ------------------------------------------------------------------------ the build


@define
class Host:
    """Facts about the machine besides its processes."""

    hostname: str | None = None
    release: str | None = None
    page_cluster: int | None = None
    mem_available_kib: int | None = None
    pswpin: int | None = None  # pages swapped in since boot (/proc/vmstat)
    disk: str | None = None
    disk_how: str = ""
    when: str = ""


@define
class _AnonRef:
    pid: int
    vma: int  # index into the process's vmas
    page: int  # index in the VMA
    vpage: int  # virtual page number, for "same address" checks


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


def _layout_match(child: ProcRead, parent: ProcRead) -> bool:
    """Does the child still have the parent's address-space layout (forked, no exec)?

    With address-space randomisation an exec'd child shares no mapping address with its
    parent; a forked one starts with all of them.  Half of the child's private mappings
    at the parent's addresses is taken as a fork that was not followed by exec.
    """
    mine = {(v.line.start, v.line.end) for v in child.vmas if not v.line.shared}
    if not mine:
        return False
    theirs = {(v.line.start, v.line.end) for v in parent.vmas if not v.line.shared}
    return 2 * len(mine & theirs) >= len(mine)


_ShmemKey = tuple[str, int, str]  # (device, inode, path) of a shared mapping
_ShmemPage = tuple[_ShmemKey, int]  # (file, page index in the file)


def _shmem_key(line: MapLine) -> _ShmemKey:
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
                others = _pid_list(q.pid for q in group[1:])
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
        anon: dict[int, list[_AnonRef]] = defaultdict(list)
        shmem_files: dict[_ShmemKey, _ShmemBuild] = {}
        shmem_refs: dict[int, list[_ShmemPage]] = defaultdict(list)
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
                        anon[off].append(
                            _AnonRef(p.pid, vi, page, v.line.start // PAGE_SIZE + page)
                        )
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

        parents = self._families(procs, anon)
        kept_anon, kept_shmem = self._resolve(anon, shmem_refs, parents)
        kept_anon, kept_shmem = self._limit_refs(kept_anon, kept_shmem)

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
        for p in self._mmlist(procs, parents):
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
            parent = parents.get(p.pid)
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
        return self._scenario(slots, tuple(mms), shmem)

    # -- fork families

    def _families(self, procs: list[ProcRead], anon: dict[int, list[_AnonRef]]) -> dict[int, int]:
        """child pid -> parent pid, for children forked without exec from a captured parent."""
        pids = {p.pid for p in procs}
        together: set[tuple[int, int]] = set()
        for refs in anon.values():
            if len(refs) > 1:
                for a in refs:
                    for b in refs:
                        if a.pid != b.pid and a.vpage == b.vpage:
                            together.add((a.pid, b.pid))
        parents: dict[int, int] = {}
        exec_children = 0
        for p in procs:
            # a copied tree may be inconsistent: never let PPid links form a loop
            if p.ppid is None or p.ppid not in pids or self._root(p.ppid, parents) == p.pid:
                continue
            parent = self.by_pid[p.ppid]
            if (p.pid, p.ppid) in together or _layout_match(p, parent):
                parents[p.pid] = p.ppid
            else:
                exec_children += 1
        self.notes.approximations.append(
            "fork families: a process is its parent's fork child (same anon_vma root) when "
            "/proc/PID/status PPid names a captured process and they share a swap slot at one "
            "address or half the child's mappings sit at the parent's addresses"
            + (
                f"; {exec_children} children that exec'd were left unlinked"
                if exec_children
                else ""
            )
        )
        return parents

    def _root(self, pid: int, parents: dict[int, int]) -> int:
        seen = 0
        while pid in parents and seen <= len(parents):
            pid = parents[pid]
            seen += 1
        return pid

    def _age(self, pid: int) -> tuple[int, int]:
        p = self.by_pid[pid]
        return (p.starttime, p.pid)

    # -- shared slots

    def _resolve(
        self,
        anon: dict[int, list[_AnonRef]],
        shmem_refs: dict[int, list[_ShmemPage]],
        parents: dict[int, int],
    ) -> tuple[dict[int, list[_AnonRef]], dict[int, _ShmemPage]]:
        """Make every slot obey the rule: one shmem page, or 1..62 anon pages of distinct
        mms of one fork family at one virtual address."""
        kept: dict[int, list[_AnonRef]] = {}
        kept_shmem: dict[int, _ShmemPage] = {}
        both = elsewhere = shmem_dup = over = 0
        # the families as PPid made them, before any join: to count what they share
        original = {p.pid: self._root(p.pid, parents) for p in self.procs}
        shared: dict[int, int] = defaultdict(int)  # original family -> slots shared across
        partners: dict[int, set[int]] = defaultdict(set)
        attached: dict[int, int] = {}  # family root joined -> the process it now hangs under
        for slot in sorted({*anon, *shmem_refs}):
            refs = anon.get(slot, [])
            srefs = shmem_refs.get(slot, [])
            if len(refs) == 1 and not srefs:
                kept[slot] = refs  # the common case: one page, nothing to decide
                continue
            if refs and srefs:
                # a page-table entry is the surer witness than a shared mapping's report
                both += 1
                srefs = []
            if srefs:
                shmem_dup += len(srefs) - 1
                kept_shmem[slot] = srefs[0]
                continue
            by_addr: dict[int, list[_AnonRef]] = defaultdict(list)
            for r in refs:
                if all(q.pid != r.pid for q in by_addr[r.vpage]):
                    by_addr[r.vpage].append(r)
                else:
                    elsewhere += 1  # the same mm twice at one address cannot be
            groups = sorted(by_addr.values(), key=lambda g: (-len(g), min(r.pid for r in g)))
            group = groups[0]
            elsewhere += sum(len(g) for g in groups[1:])
            group.sort(key=lambda r: self._age(r.pid))
            if len(group) > MAX_SHARERS:
                over += len(group) - MAX_SHARERS
                group = group[:MAX_SHARERS]
            roots = sorted({self._root(r.pid, parents) for r in group}, key=self._age)
            if len(roots) > 1:
                # Sharing a slot at one address is what fork leaves behind: the common
                # ancestor is gone (reparented orphans) or was not captured.
                self._join(roots, parents, attached)
            families = {original[r.pid] for r in group}
            if len(families) > 1:
                for f in families:
                    shared[f] += 1
                    partners[f] |= families - {f}
            kept[slot] = group
        n = self.namer
        for root, host in sorted(attached.items()):
            others = ", ".join(n.proc(self.by_pid[f]) for f in sorted(partners[root]))
            self.notes.resolved.append(
                f"{n.proc(self.by_pid[root])} shares {plural(shared[root], 'slot')} at the "
                f"same addresses with {others} but no fork relation was seen (common "
                f"ancestor exited?): made the fork child of {n.proc(self.by_pid[host])}"
            )
        if elsewhere:
            self.notes.resolved.append(
                f"{plural(elsewhere, 'reference')} to slots also mapped at another address "
                "(slot freed and reused between two reads?) dropped; each slot is kept at "
                "the address where most processes map it"
            )
        if over:
            self.notes.resolved.append(
                f"{over} references beyond {MAX_SHARERS} sharers of one slot dropped "
                "(the kernel keeps such counts in continuation pages; the scenario cannot)"
            )
        if both:
            self.notes.resolved.append(
                f"{plural(both, 'slot')} seen both in page tables and in a shared mapping: "
                "kept as anon references"
            )
        if shmem_dup:
            self.notes.resolved.append(
                f"{shmem_dup} shmem references to slots already held by another shmem page dropped"
            )
        return kept, kept_shmem

    def _join(self, roots: list[int], parents: dict[int, int], attached: dict[int, int]) -> None:
        """Make one fork family of the families rooted at `roots` (oldest first).

        Processes with one parent pid in common (reparented to init or a subreaper after
        their parent exited) are siblings: fork put each right after that parent on the
        mmlist, so they come newest first.  The newest becomes the host and the others
        hang under it, which gives that order.  Otherwise the oldest is taken for the
        others' ancestor (a grandparent whose child exited, say) and comes first.
        """
        siblings = len({self.by_pid[r].ppid for r in roots}) == 1
        host = roots[-1] if siblings else roots[0]
        for r in roots:
            if r != host:
                parents[r] = host
                attached[r] = host

    def _limit_refs(
        self, anon: dict[int, list[_AnonRef]], shmem: dict[int, _ShmemPage]
    ) -> tuple[dict[int, list[_AnonRef]], dict[int, _ShmemPage]]:
        total = sum(len(r) for r in anon.values()) + len(shmem)
        if total <= MAX_REFS:
            return anon, shmem
        # Cut by slot so that every slot keeps all of its sharers.
        count = 0
        cut = 0
        for slot in sorted({*anon, *shmem}):
            n = len(anon.get(slot, ())) + (slot in shmem)
            if count + n > MAX_REFS:
                cut = slot
                break
            count += n
        self.notes.resolved.append(
            f"{total} swap references, a scenario holds {MAX_REFS}: slots from {cut} on "
            f"were left out ({total - count} references)"
        )
        return (
            {s: r for s, r in anon.items() if s < cut},
            {s: page for s, page in shmem.items() if s < cut},
        )

    # -- the mmlist

    def _mmlist(self, procs: list[ProcRead], parents: dict[int, int]) -> list[ProcRead]:
        """mmlist order, as the kernel would have built it, under stated assumptions.

        An mm joins right after init_mm at its first swap-out, so the last to join comes
        first; we take first swap-outs to follow process start times (the older a process,
        the older its idle pages).  fork links a child right after its parent when it
        copies a swap entry, that is when the parent had pages on swap at the fork; we
        assume it had, so each parent is followed by its children, newest first, each
        with its own descendants.  A child forked before its parent's first swap-out
        joins at its own first swap-out instead, which /proc cannot show.
        """
        children: dict[int, list[int]] = defaultdict(list)
        for child, parent in parents.items():
            children[parent].append(child)
        newest_first = lambda pids: sorted(pids, key=self._age, reverse=True)  # noqa: E731
        # A family's place is its first swap-out: its oldest member's start time stands
        # in for it (the root, unless siblings were joined under the newest of them).
        oldest: dict[int, tuple[int, int]] = {}
        for p in procs:
            root = self._root(p.pid, parents)
            oldest[root] = min(oldest.get(root, self._age(p.pid)), self._age(p.pid))
        roots = sorted(oldest, key=lambda r: oldest[r], reverse=True)
        order: list[ProcRead] = []
        stack = roots[::-1]
        while stack:
            pid = stack.pop()
            order.append(self.by_pid[pid])
            stack.extend(newest_first(children[pid])[::-1])
        self.notes.approximations.append(
            "mmlist order: families newest first (process start time stands in for the "
            "unknown time of first swap-out), each parent followed by its fork children "
            "newest first, as fork links a child right after its parent when the parent "
            "has pages on swap at the fork; a child forked before its parent's first "
            "swap-out joins at its own first swap-out, which /proc cannot show"
        )
        return order

    # -- the scenario

    def _readahead_start(self) -> int:
        """The readahead hit count swapoff starts from ([readahead] hits and vma_hits).

        Linux boots with swapin_readahead_hits = 4, and a VMA that never had a swap-in
        reads as hits 4 too.  A machine that swapped nothing in since boot still has those
        values; after swap-ins the state is whatever the last faults left, which /proc
        does not show, and swaptui's 0 is taken (it matched such machines in the tests).
        """
        pswpin = self.host.pswpin
        if pswpin == 0:
            self.notes.approximations.append(
                "readahead: nothing was swapped in since boot (/proc/vmstat pswpin 0), so "
                "readahead starts from Linux's boot state: hits 4 ([readahead])"
            )
            return 4
        if pswpin is None:
            self.notes.approximations.append(
                "readahead: /proc/vmstat unreadable: the state left by earlier swap-ins is "
                "unknown, hits 0 assumed; hits 4 if nothing was swapped in since boot"
            )
        else:
            self.notes.approximations.append(
                f"readahead: {pswpin} pages were swapped in since boot (/proc/vmstat "
                "pswpin); the state they left is not in /proc: hits 0 assumed"
            )
        return 0

    def _scenario(self, slots: int, mms: tuple[Mm, ...], shmem: tuple[ShmemFile, ...]) -> Scenario:
        host, notes, namer = self.host, self.notes, self.namer
        disk = host.disk
        if disk is None:
            notes.approximations.append(
                f"disk kind unknown ({host.disk_how}): assumed ssd; try `--disk hdd` when running"
            )
            disk = "ssd"
        else:
            notes.approximations.append(f"disk kind {disk}: {host.disk_how}")
        notes.approximations.append(
            "disk and CPU cost parameters are swaptui's defaults for that kind, not measured here"
        )
        page_cluster = 3
        if host.page_cluster is None:
            notes.approximations.append("vm.page-cluster unreadable: assumed the default, 3")
        else:
            page_cluster = min(max(host.page_cluster, 0), 5)
            if page_cluster != host.page_cluster:
                notes.resolved.append(
                    f"vm.page-cluster = {host.page_cluster} clamped to {page_cluster}"
                )
        free_pages = None
        if host.mem_available_kib is not None:
            free_pages = host.mem_available_kib // (PAGE_SIZE // 1024)
            notes.approximations.append(
                f"free memory: MemAvailable ({host.mem_available_kib} KiB) taken as the pages "
                "swapoff may allocate before ENOMEM; delete [memory] for no limit"
            )
        else:
            notes.approximations.append("free memory unknown (/proc/meminfo): no limit")
        ra_hits = self._readahead_start()
        notes.approximations.append("bad slots are not visible in /proc: none marked")
        notes.approximations.append(
            "swap cache: pages both in RAM and on swap are not visible in pagemap, so none "
            "start in the swap cache"
        )
        notes.approximations.append(
            "shmem: only swapped pages that pagemap reports inside shared mappings are "
            "modelled; tmpfs/shm pages whose PTEs were cleared, and unmapped tmpfs files, "
            "are missing; shmem_swaplist order = first seen"
        )
        name = "capture"
        if host.hostname and not namer.anonymize:
            tail = re.sub(r"[^a-z0-9-]+", "-", host.hostname.lower()).strip("-")
            name = f"capture-{tail}"[:64].rstrip("-") if tail else name
        title = "captured with swaptui capture"
        if not namer.anonymize and host.hostname:
            title += f" on {host.hostname}"
        if host.release:
            title += f", Linux {host.release}"
        if host.when:
            title += f", {host.when}"
        return Scenario(
            name=name,
            slots=slots,
            title=title,
            page_cluster=page_cluster,
            disk=DiskParams().with_kind(disk),
            free_pages=free_pages,
            readahead_hits=ra_hits,
            readahead_vma_hits=ra_hits,
            mms=mms,
            shmem=shmem,
        )
