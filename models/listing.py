"""The pieces of the source pane's pseudo-C, and the blocks several algorithms share.

Each algorithm's module builds its own listing from these (its `LISTING`), and the
registry hands it to the source pane (`models.source`).  The listings are written for
swaptui: a few lines per kernel function, paraphrasing its shape so that the pane
can highlight "the line that is running" like a debugger.  They are not kernel source.

A line may carry the engine sites (`models.sites.Site`) it stands for.
"""

from __future__ import annotations

from attrs import frozen

from models.sites import Site

WIDTH = 64  # the longest line the pane shows beside the panels


@frozen
class Line:
    text: str
    sites: tuple[Site, ...] = ()


def line(text: str, *sites: Site) -> Line:
    return Line(text, sites)


BLANK = line("")


def join(*blocks: tuple[Line, ...]) -> tuple[Line, ...]:
    """Blocks one after another, a blank line between two."""
    out: list[Line] = []
    for b in blocks:
        if out:
            out.append(BLANK)
        out.extend(b)
    return tuple(out)


# how unuse_pte_range begins in rfc and linear: every PTE of the range is compared
PTE_RANGE_HEAD = (
    line("int unuse_pte_range(pmd, addr, end, type)"),
    line("{"),
    line("    for (each pte from addr to end) {", Site.UNUSE_PTE_RANGE),
    line("        if (!is_swap_pte(*pte) || swp_type(*pte) != type)"),
    line("            continue;     /* one compare, on to the next */"),
    line("        entry = pte_to_swp_entry(*pte);"),
)

# what rfc, linear and prefetch share: unuse_mm walks everything, shmem_unuse the files
WALK_MM = (
    line("int unuse_mm(mm, type)"),
    line("{"),
    line("    for (vma = mm->mmap; vma; vma = vma->vm_next)", Site.UNUSE_MM),
    line("        if (vma->anon_vma)    /* pgd -> pud -> pmd -> ... */"),
    line("            unuse_vma(vma, type);  /* -> unuse_pte_range */"),
    line("}"),
)

SHMEM_TYPE = (
    line("int shmem_unuse(type)"),
    line("{"),
    line("    list_for_each(info, &shmem_swaplist)"),
    line("        for each index of info in swap, ascending {"),
    line("            page = lookup_swap_cache(entry);", Site.SHMEM_SWAPIN_LOOKUP),
    line("            if (!page)        /* tmpfs reads by cluster */"),
    line("                page = shmem_swapin(entry, info, index);", Site.SHMEM_SWAPIN),
    line("            put page in the file's page cache;", Site.SHMEM_UNUSE_INODE),
    line("            delete_from_swap_cache(page);", Site.SHMEM_UNUSE_INODE_DELETE),
    line("        }"),
    line("}"),
)

# find_next_to_unuse as linear and prefetch call it: one sweep, no wrap
FIND_NO_WRAP = (
    line("/* no wrap: one sweep up the swap_map */"),
    line("unsigned int find_next_to_unuse(si, prev)"),
    line("{"),
    line("    for (i = prev + 1; i < si->max; i++)", Site.FIND_NEXT_TO_UNUSE),
    line("        if (swap_map[i] in use and not bad)"),
    line("            return i;"),
    line("    return 0;"),
    line("}"),
)

# Other tasks racing swapoff (the injected faults, models/inject.py): not swapoff's
# code, but the pane must show where the event came from.  Every fault's moment
# lands on the block's first line.
FAULT_SITES = tuple(s for s in Site if s.startswith("fault:"))
ELSEWHERE = (
    line("/* meanwhile, other tasks race the walk (faults): */", *FAULT_SITES),
    line("vm_fault_t do_swap_page(vmf)   /* the task touches a page */", Site.DO_SWAP_PAGE),
    line("{"),
    line("    page = lookup_swap_cache(entry);", Site.DO_SWAP_PAGE_LOOKUP),
    line("    if (!page)"),
    line("        page = swapin_readahead(entry, vmf);", Site.DO_SWAP_PAGE_SWAPIN),
    line("    map the page; try_to_free_swap(page);", Site.DO_SWAP_PAGE_FREE),
    line("}"),
    line("exit_mmap(mm):  off the mmlist, walks skip it", Site.EXIT_MMAP),
    line("    zap_pte_range: each swap PTE is dropped", Site.ZAP_PTE_RANGE),
    line("    free_swap_and_cache(entry);", Site.FREE_SWAP_AND_CACHE),
    line("fork():  copy_one_pte shares each swap entry", Site.COPY_ONE_PTE),
    line("reclaim: try_to_unmap puts an entry back in a PTE", Site.TRY_TO_UNMAP),
    line("unlink:  shmem_evict_inode frees the file's entries", Site.SHMEM_EVICT_INODE),
    line("load:    another task touches new pages", Site.LOAD_TOUCH),
    line("/* no free page: reclaim, SWAP_CLUSTER_MAX pages a round */"),
    line("shrink_folio_list(folio_list)"),
    line("{"),
    line("    clean swap cache page, unmapped: __remove_mapping;", Site.SHRINK_DROP),
    line("    mapped, clean in swapoff's area: try_to_unmap, free;", Site.SHRINK_UNMAP),
    line("    mapped, dirty: add_to_swap (fresh area), try_to_unmap,"),
    line("            pageout;         /* the PTEs hold it now */", Site.SHRINK_PAGEOUT),
    line("}"),
    line("out_of_memory: swapoff dies first (set_current_oom_origin)", Site.OOM_KILL),
)
