"""`legacy`: try_to_unuse() of Linux 3.14 (mm/swapfile.c), quadratic in the swap entries.

    start_mm = init_mm
    for each slot i in use (find_next_to_unuse: ascending, wrapping once):
        page = read_swap_cache_async(i)           # one 4 KiB read, no readahead
        if the slot is shmem's: shmem_unuse(entry) # search tmpfs files; next slot
        if start_mm is not init_mm: unuse_mm(start_mm, entry)
        if references remain: walk the circular mmlist from start_mm's successor,
            unuse_mm(mm, entry) on each until none remain; the first mm (after the
            list head, or other than start_mm) that held one becomes start_mm
        delete_from_swap_cache(page)               # the slot is free

The search itself is in `legacy_search.py`.
"""

from __future__ import annotations

from models import events as ev
from models.algorithms.legacy_search import WalkTotals, search
from models.kernel.shmem import shmem_unuse_entry
from models.kernel.swap_state import (
    delete_from_swap_cache,
    read_swap_cache_async,
    swap_cluster_readahead,
)
from models.kernel.swapfile import charge_scan, next_in_use
from models.listing import ELSEWHERE, join, line
from models.refs import SHMEM
from models.run import OutOfMemory, Run
from models.sites import Site


def find_next_to_unuse(run: Run, prev: int) -> int:
    """3.14's circular scan: upward from prev+1; at the end rescan 1..prev once; 0 if none."""
    slots = run.machine.slots
    i = next_in_use(run, prev + 1, slots)
    if i < slots:
        found, examined = i, i - prev
    elif prev == 0:
        found, examined = 0, slots - 1
    else:
        j = next_in_use(run, 1, prev + 1)
        found = j if j <= prev else 0
        examined = (slots - 1 - prev) + (j if found else prev)
    return charge_scan(run, prev + 1, examined, found, Site.LEGACY_FIND_NEXT)


def try_to_unuse(run: Run) -> None:
    st = run.state
    m = run.machine
    totals = WalkTotals()
    start_pos = 0  # init_mm
    shmem_start = 0
    i = 0
    try:
        run.emit(ev.PassStart, 0, Site.TRY_TO_UNUSE, number=1)
        while True:
            i = find_next_to_unuse(run, i)
            if not i:
                break
            run.poll()
            if st.signal:
                run.done("EINTR")
                return
            if not st.in_use(i):
                continue  # freed meanwhile by a racing fault: nothing to read
            if start_pos and not st.active[start_pos - 1]:
                start_pos = 0  # start_mm exited: start again from init_mm
            if run.readahead == "none":
                # a cache hit costs nothing, a miss reads one page
                read_swap_cache_async(run, i)
            else:
                swap_cluster_readahead(run, i, run.readahead, Site.SWAPIN_READAHEAD)
            refs = m.slot_refs.get(i, [])
            if st.count[i] and refs and m.refs.kind[refs[0]] == SHMEM:
                shmem_start = shmem_unuse_entry(run, i, shmem_start)
            elif st.count[i]:
                start_pos = search(run, totals, i, start_pos, refs)
            delete_from_swap_cache(run, i, Site.LEGACY_DELETE)
    except OutOfMemory:
        run.done("ENOMEM")
        return
    run.done("ok")


# ---- the source pane's pseudo-C ------------------------------------------------------
_TRY = (
    line("/* legacy: Linux 3.14, one swap entry at a time */"),
    line("int try_to_unuse(int type)", Site.TRY_TO_UNUSE),
    line("{"),
    line("    struct mm_struct *start_mm = &init_mm;"),
    line("    unsigned int i = 0;"),
    line(""),
    line("    while ((i = find_next_to_unuse(si, i)) != 0) {", Site.LEGACY_FIND_NEXT),
    line("        entry = swp_entry(type, i);"),
    line("        if (!readahead)       /* 3.14: a single 4 KiB read */"),
    line("            page = read_swap_cache_async(entry);", Site.READ_SWAP_CACHE_ASYNC),
    line("        else                  /* the variant Hugh tried */"),
    line("            page = swapin_readahead(entry);", Site.SWAPIN_READAHEAD),
    line("        if (the entry is a tmpfs page) {"),
    line("            shmem_unuse(entry, page);  /* search the files */", Site.SHMEM_UNUSE),
    line("        } else {"),
    line("            /* every mm from start_mm round the mmlist */"),
    line("            /* until no PTE holds the entry any more  */"),
    line("            for (mm = start_mm; swap_count(i); mm = next(mm))", Site.LEGACY_SEARCH),
    line("                unuse_mm(mm, entry, page);"),
    line("            start_mm = the first mm that held it;"),
    line("        }"),
    line("        delete_from_swap_cache(page);   /* slot i is free */", Site.LEGACY_DELETE),
    line("    }"),
    line("    return 0;", Site.TRY_TO_UNUSE_RETURN),
    line("}"),
)

_FIND = (
    line("/* circular: up from prev, then round from 1 */"),
    line("unsigned int find_next_to_unuse(si, prev)"),
    line("{"),
    line("    for (i = prev + 1; i != prev; i = next slot, wrapping)"),
    line("        if (swap_map[i] && swap_map[i] != SWAP_MAP_BAD)"),
    line("            return i;"),
    line("    return 0;"),
    line("}"),
)

# the search seen from inside: the source pane refines a Search event's site to the
# line of the mm being entered, the PTEs being compared or the shortcut being taken
_UNUSE = (
    line("int unuse_mm(mm, entry, page)"),
    line("{"),
    line("    for (vma = mm->mmap; vma; vma = vma->vm_next)", Site.UNUSE_MM),
    line("        if (vma->anon_vma && unuse_vma(vma, entry, page))"),
    line("            break;            /* found: this mm is done */"),
    line("}"),
    line(""),
    line("int unuse_vma(vma, entry, page)"),
    line("{"),
    line("    if (page is anon-mapped already)     /* one PTE to try */"),
    line("        addr = page_address_in_vma(page, vma);", Site.UNUSE_VMA_SHORTCUT),
    line("    else                                 /* the whole vma */"),
    line("        addr = vma->vm_start, end = vma->vm_end;"),
    line("    /* pgd -> pud -> pmd, one page table at a time */"),
    line("    return unuse_pte_range(pmd, addr, end, entry, page);"),
    line("}"),
    line(""),
    line("int unuse_pte_range(pmd, addr, end, entry, page)"),
    line("{"),
    line("    for (each pte from addr to end)", Site.UNUSE_PTE_RANGE),
    line("        if (*pte is the swap pte of entry)"),
    line("            return unuse_pte(vma, pte, entry, page);"),
    line("    return 0;         /* not here: on to the next PTE, mm */"),
    line("}"),
)

_SHMEM = (
    line("/* 3.14: which tmpfs file holds the entry? ask each */"),
    line("int shmem_unuse(entry, page)"),
    line("{"),
    line("    list_for_each(info, &shmem_swaplist)"),
    line("        if (shmem_unuse_inode(info, entry, page))"),
    line("            break;    /* found: back in its page cache */"),
    line("}"),
)

LISTING = join(_TRY, _FIND, _UNUSE, _SHMEM, ELSEWHERE)
