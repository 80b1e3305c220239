"""Shared slots made to obey the scenario rules, noting each repair.

/proc can show a slot in places the kernel's rules do not allow together (in two
unrelated processes, at two addresses, in a page table and a shared mapping, with
more than SWAP_MAP_MAX sharers): `resolve_shared` keeps, for every slot, one shmem
page or 1..62 anon pages of one fork family at one address, joining families where
a slot shows they forked.  `limit_refs` cuts the references a scenario cannot hold.
"""

from __future__ import annotations

from collections import defaultdict

from attrs import define

from models.scenario.limits import MAX_REFERENCES, MAX_SHARERS
from swaptui.capture.families import Families
from swaptui.capture.notes import Notes, plural
from swaptui.capture.proc import ProcRead


@define
class AnonRef:
    pid: int
    vma: int  # index into the process's vmas
    page: int  # index in the VMA
    vpage: int  # virtual page number, for "same address" checks


ShmemKey = tuple[str, int, str]  # (device, inode, path) of a shared mapping
ShmemPage = tuple[ShmemKey, int]  # (file, page index in the file)


def resolve_shared(
    anon: dict[int, list[AnonRef]],
    shmem_refs: dict[int, list[ShmemPage]],
    fam: Families,
    procs: list[ProcRead],
) -> tuple[dict[int, list[AnonRef]], dict[int, ShmemPage]]:
    """Make every slot obey the rule: one shmem page, or 1..62 anon pages of distinct
    mms of one fork family at one virtual address (the processes, their names and the
    notes are the families')."""
    by_pid, namer, notes = fam.by_pid, fam.namer, fam.notes
    kept: dict[int, list[AnonRef]] = {}
    kept_shmem: dict[int, ShmemPage] = {}
    both = elsewhere = shmem_dup = over = 0
    # the families as PPid made them, before any join: to count what they share
    original = {p.pid: fam.root(p.pid) for p in procs}
    shared: dict[int, int] = defaultdict(int)  # original family -> slots shared across
    partners: dict[int, set[int]] = defaultdict(set)
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
        by_addr: dict[int, list[AnonRef]] = defaultdict(list)
        for r in refs:
            if all(q.pid != r.pid for q in by_addr[r.vpage]):
                by_addr[r.vpage].append(r)
            else:
                elsewhere += 1  # the same mm twice at one address cannot be
        groups = sorted(by_addr.values(), key=lambda g: (-len(g), min(r.pid for r in g)))
        group = groups[0]
        elsewhere += sum(len(g) for g in groups[1:])
        group.sort(key=lambda r: fam.age(r.pid))
        if len(group) > MAX_SHARERS:
            over += len(group) - MAX_SHARERS
            group = group[:MAX_SHARERS]
        roots = sorted({fam.root(r.pid) for r in group}, key=fam.age)
        if len(roots) > 1:
            # Sharing a slot at one address is what fork leaves behind: the common
            # ancestor is gone (reparented orphans) or was not captured.
            fam.join(roots)
        families = {original[r.pid] for r in group}
        if len(families) > 1:
            for f in families:
                shared[f] += 1
                partners[f] |= families - {f}
        kept[slot] = group
    n = namer
    for root, host in sorted(fam.attached.items()):
        others = ", ".join(n.proc(by_pid[f]) for f in sorted(partners[root]))
        notes.resolved.append(
            f"{n.proc(by_pid[root])} shares {plural(shared[root], 'slot')} at the "
            f"same addresses with {others} but no fork relation was seen (common "
            f"ancestor exited?): made the fork child of {n.proc(by_pid[host])}"
        )
    if elsewhere:
        notes.resolved.append(
            f"{plural(elsewhere, 'reference')} to slots also mapped at another address "
            "(slot freed and reused between two reads?) dropped; each slot is kept at "
            "the address where most processes map it"
        )
    if over:
        notes.resolved.append(
            f"{over} references beyond {MAX_SHARERS} sharers of one slot dropped "
            "(the kernel keeps such counts in continuation pages; the scenario cannot)"
        )
    if both:
        notes.resolved.append(
            f"{plural(both, 'slot')} seen both in page tables and in a shared mapping: "
            "kept as anon references"
        )
    if shmem_dup:
        notes.resolved.append(
            f"{shmem_dup} shmem references to slots already held by another shmem page dropped"
        )
    return kept, kept_shmem


def limit_refs(
    anon: dict[int, list[AnonRef]], shmem: dict[int, ShmemPage], notes: Notes
) -> tuple[dict[int, list[AnonRef]], dict[int, ShmemPage]]:
    total = sum(len(r) for r in anon.values()) + len(shmem)
    if total <= MAX_REFERENCES:
        return anon, shmem
    # Cut by slot so that every slot keeps all of its sharers.
    count = 0
    cut = 0
    for slot in sorted({*anon, *shmem}):
        n = len(anon.get(slot, ())) + (slot in shmem)
        if count + n > MAX_REFERENCES:
            cut = slot
            break
        count += n
    notes.resolved.append(
        f"{total} swap references, a scenario holds {MAX_REFERENCES}: slots from {cut} on "
        f"were left out ({total - count} references)"
    )
    return (
        {s: r for s, r in anon.items() if s < cut},
        {s: page for s, page in shmem.items() if s < cut},
    )
