"""Pseudo-C of each swapoff algorithm, and which line each engine site runs.

The listings are written for swaptui: they paraphrase the shape of the kernel
functions the engine models (try_to_unuse, find_next_to_unuse, unuse_mm,
unuse_pte_range, shmem_unuse ...) in a few lines each, so that the source pane can
highlight "the line that is running" like a debugger.  They are not kernel source.

Every line may carry the engine *sites* (`models.events.Event.site`) it stands for;
`line_of(algorithm, site)` is the index of that line.  Besides the engine's own
sites, two refinements exist for legacy's Search events, which fold a whole mmlist
search into one event: the source pane shows `unuse_pte_range` while the search
walks page tables and `unuse_vma:page_address_in_vma` while it takes the shortcut
for a page that is already mapped.

Standard library only: the recorder and the tests use it without Textual.
"""

from __future__ import annotations

from dataclasses import dataclass

# ---- listings ------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    text: str
    sites: tuple[str, ...] = ()


def _l(text: str, *sites: str) -> Line:
    return Line(text, sites)


_BLANK = _l("")

# legacy: Linux 3.14 -- one slot at a time, each searched for in every mm.
_LEGACY_TRY = (
    _l("/* legacy: Linux 3.14, one swap entry at a time */"),
    _l("int try_to_unuse(int type)", "try_to_unuse"),
    _l("{"),
    _l("    struct mm_struct *start_mm = &init_mm;"),
    _l("    unsigned int i = 0;"),
    _l(""),
    _l("    while ((i = find_next_to_unuse(si, i)) != 0) {", "try_to_unuse:find_next_to_unuse"),
    _l("        entry = swp_entry(type, i);"),
    _l("        if (!readahead)       /* 3.14: a single 4 KiB read */"),
    _l("            page = read_swap_cache_async(entry);", "read_swap_cache_async"),
    _l("        else                  /* the variant Hugh tried */"),
    _l("            page = swapin_readahead(entry);", "swapin_readahead"),
    _l("        if (the entry is a tmpfs page) {"),
    _l("            shmem_unuse(entry, page);  /* search the files */", "shmem_unuse"),
    _l("        } else {"),
    _l("            /* every mm from start_mm round the mmlist */"),
    _l("            /* until no PTE holds the entry any more  */"),
    _l("            for (mm = start_mm; swap_count(i); mm = next(mm))", "try_to_unuse:search"),
    _l("                unuse_mm(mm, entry, page);"),
    _l("            start_mm = the first mm that held it;"),
    _l("        }"),
    _l(
        "        delete_from_swap_cache(page);   /* slot i is free */",
        "try_to_unuse:delete_from_swap_cache",
    ),
    _l("    }"),
    _l("    return 0;", "try_to_unuse:return"),
    _l("}"),
)

_LEGACY_FIND = (
    _l("/* circular: up from prev, then round from 1 */"),
    _l("unsigned int find_next_to_unuse(si, prev)"),
    _l("{"),
    _l("    for (i = prev + 1; i != prev; i = next slot, wrapping)"),
    _l("        if (swap_map[i] && swap_map[i] != SWAP_MAP_BAD)"),
    _l("            return i;"),
    _l("    return 0;"),
    _l("}"),
)

_LEGACY_UNUSE = (
    _l("int unuse_mm(mm, entry, page)"),
    _l("{"),
    _l("    for (vma = mm->mmap; vma; vma = vma->vm_next)", "unuse_mm"),
    _l("        if (vma->anon_vma && unuse_vma(vma, entry, page))"),
    _l("            break;            /* found: this mm is done */"),
    _l("}"),
    _l(""),
    _l("int unuse_vma(vma, entry, page)"),
    _l("{"),
    _l("    if (page is anon-mapped already)     /* one PTE to try */"),
    _l("        addr = page_address_in_vma(page, vma);", "unuse_vma:page_address_in_vma"),
    _l("    else                                 /* the whole vma */"),
    _l("        addr = vma->vm_start, end = vma->vm_end;"),
    _l("    /* pgd -> pud -> pmd, one page table at a time */"),
    _l("    return unuse_pte_range(pmd, addr, end, entry, page);"),
    _l("}"),
    _l(""),
    _l("int unuse_pte_range(pmd, addr, end, entry, page)"),
    _l("{"),
    _l(
        "    for (each pte from addr to end)",
        "unuse_pte_range",
    ),
    _l("        if (*pte is the swap pte of entry)"),
    _l("            return unuse_pte(vma, pte, entry, page);"),
    _l("    return 0;         /* not here: on to the next PTE, mm */"),
    _l("}"),
)

_LEGACY_SHMEM = (
    _l("/* 3.14: which tmpfs file holds the entry? ask each */"),
    _l("int shmem_unuse(entry, page)"),
    _l("{"),
    _l("    list_for_each(info, &shmem_swaplist)"),
    _l("        if (shmem_unuse_inode(info, entry, page))"),
    _l("            break;    /* found: back in its page cache */"),
    _l("}"),
)

# rfc: the one-pass prototype of February 2014 (the seed).
_RFC_TRY = (
    _l("/* rfc: the February 2014 prototype, one pass over the mms */"),
    _l("int try_to_unuse(int type)", "try_to_unuse"),
    _l("{"),
    _l("    shmem_unuse(type);         /* every tmpfs file first */"),
    _l("    for each mm on init_mm.mmlist"),
    _l("        unuse_mm(mm, type);    /* one walk finds every entry */"),
    _l("    return 0;      /* no retry: what is left stays (a TODO) */", "try_to_unuse:return"),
    _l("}"),
)

_RFC_PTE = (
    _l("int unuse_pte_range(pmd, addr, end, type)"),
    _l("{"),
    _l(
        "    for (each pte from addr to end) {",
        "unuse_pte_range",
    ),
    _l("        if (!is_swap_pte(*pte) || swp_type(*pte) != type)"),
    _l("            continue;     /* one compare, on to the next */"),
    _l("        entry = pte_to_swp_entry(*pte);"),
    _l("        page = swapin_readahead(entry, addr);  /* no lookup */", "swapin_readahead"),
    _l("        unuse_pte(vma, pmd, addr, entry, page);", "unuse_pte"),
    _l("        delete_from_swap_cache(page); /* even if another */", "delete_from_swap_cache"),
    _l("    }                                 /* mm still maps it */"),
    _l("}"),
)

# linear: try_to_unuse as merged in 5.1 and as it runs today.
_LINEAR_TRY = (
    _l("/* linear: Linux 5.1 onwards, one walk of each mm per pass */"),
    _l("int try_to_unuse(int type)"),
    _l("{"),
    _l("retry:", "try_to_unuse:retry"),
    _l("    shmem_unuse(type);         /* every tmpfs file first */"),
    _l("    for each mm on init_mm.mmlist while (si->inuse_pages)"),
    _l("        unuse_mm(mm, type);"),
    _l("    i = 0;                /* pages readahead left behind */"),
    _l("    while (si->inuse_pages && (i = find_next_to_unuse(si, i)))"),
    _l("        if (swap cache page of slot i has no user left)"),
    _l("            folio_free_swap(folio);", "try_to_unuse:folio_free_swap"),
    _l("    if (si->inuse_pages)"),
    _l("        goto retry;"),
    _l("    return 0;", "try_to_unuse:return"),
    _l("}"),
)

_LINEAR_PTE_HEAD = (
    _l("int unuse_pte_range(pmd, addr, end, type)"),
    _l("{"),
    _l(
        "    for (each pte from addr to end) {",
        "unuse_pte_range",
    ),
    _l("        if (!is_swap_pte(*pte) || swp_type(*pte) != type)"),
    _l("            continue;     /* one compare, on to the next */"),
    _l("        entry = pte_to_swp_entry(*pte);"),
)
_LINEAR_PTE_LOOKUP = (
    _l(
        "        page = lookup_swap_cache(entry);   /* readahead's? */",
        "unuse_pte_range:lookup_swap_cache",
    ),
    _l("        if (!page)"),
    _l("            page = swapin_readahead(entry, &vmf);", "swapin_readahead"),
)
_LINEAR_51_PTE_LOOKUP = (
    _l("        /* 5.1: no lookup yet (added 2020): readahead */"),
    _l("        /* sizes a window even for a cached page    */"),
    _l("        page = swapin_readahead(entry, &vmf);", "swapin_readahead"),
)
_LINEAR_PTE_TAIL = (
    _l("        unuse_pte(vma, pmd, addr, entry, page);", "unuse_pte"),
    _l("        if (no other PTE holds the entry)"),
    _l("            try_to_free_swap(page);    /* slot is free */", "try_to_free_swap"),
    _l("    }"),
    _l("}"),
)

_LINEAR_FIND = (
    _l("/* no wrap: one sweep up the swap_map */"),
    _l("unsigned int find_next_to_unuse(si, prev)"),
    _l("{"),
    _l("    for (i = prev + 1; i < si->max; i++)", "find_next_to_unuse"),
    _l("        if (swap_map[i] in use and not bad)"),
    _l("            return i;"),
    _l("    return 0;"),
    _l("}"),
)

# what rfc and linear share: unuse_mm walks everything, shmem_unuse walks the files
_WALK_MM = (
    _l("int unuse_mm(mm, type)"),
    _l("{"),
    _l("    for (vma = mm->mmap; vma; vma = vma->vm_next)", "unuse_mm"),
    _l("        if (vma->anon_vma)    /* pgd -> pud -> pmd -> ... */"),
    _l("            unuse_vma(vma, type);  /* -> unuse_pte_range */"),
    _l("}"),
)

_SHMEM_TYPE = (
    _l("int shmem_unuse(type)"),
    _l("{"),
    _l("    list_for_each(info, &shmem_swaplist)"),
    _l("        for each index of info in swap, ascending {"),
    _l("            page = lookup_swap_cache(entry);", "shmem_swapin:lookup"),
    _l("            if (!page)        /* tmpfs reads by cluster */"),
    _l("                page = shmem_swapin(entry, info, index);", "shmem_swapin"),
    _l("            put page in the file's page cache;", "shmem_unuse_inode"),
    _l(
        "            delete_from_swap_cache(page);",
        "shmem_unuse_inode:delete_from_swap_cache",
    ),
    _l("        }"),
    _l("}"),
)

# Other tasks racing swapoff (the scenario's injected faults, models/faults.py): not
# swapoff's code, but the pane must show where the event came from.  `fault:<kind>`
# sites all land on the block's first line.
FAULT_SITE = "fault:*"
_ELSEWHERE = (
    _l("/* meanwhile, other tasks race the walk (faults): */", FAULT_SITE),
    _l("vm_fault_t do_swap_page(vmf)   /* the task touches a page */", "do_swap_page"),
    _l("{"),
    _l("    page = lookup_swap_cache(entry);", "do_swap_page:lookup_swap_cache"),
    _l("    if (!page)"),
    _l("        page = swapin_readahead(entry, vmf);", "do_swap_page:swapin_readahead"),
    _l("    map the page; try_to_free_swap(page);", "do_swap_page:try_to_free_swap"),
    _l("}"),
    _l("exit_mmap(mm):  off the mmlist, walks skip it", "exit_mmap"),
    _l("    zap_pte_range: each swap PTE is dropped", "exit_mmap:zap_pte_range"),
    _l("    free_swap_and_cache(entry);", "free_swap_and_cache"),
    _l("fork():  copy_one_pte shares each swap entry", "copy_one_pte"),
    _l("reclaim: try_to_unmap puts an entry back in a PTE", "try_to_unmap"),
    _l("unlink:  shmem_evict_inode frees the file's entries", "shmem_evict_inode"),
)


def _join(*blocks: tuple[Line, ...]) -> tuple[Line, ...]:
    out: list[Line] = []
    for b in blocks:
        if out:
            out.append(_BLANK)
        out.extend(b)
    return tuple(out)


LISTINGS: dict[str, tuple[Line, ...]] = {
    "legacy": _join(_LEGACY_TRY, _LEGACY_FIND, _LEGACY_UNUSE, _LEGACY_SHMEM, _ELSEWHERE),
    "rfc": _join(_RFC_TRY, _WALK_MM, _RFC_PTE, _SHMEM_TYPE, _ELSEWHERE),
    "linear": _join(
        _LINEAR_TRY,
        _WALK_MM,
        _LINEAR_PTE_HEAD + _LINEAR_PTE_LOOKUP + _LINEAR_PTE_TAIL,
        _LINEAR_FIND,
        _SHMEM_TYPE,
        _ELSEWHERE,
    ),
    "linear-5.1": _join(
        _LINEAR_TRY,
        _WALK_MM,
        _LINEAR_PTE_HEAD + _LINEAR_51_PTE_LOOKUP + _LINEAR_PTE_TAIL,
        _LINEAR_FIND,
        _SHMEM_TYPE,
        _ELSEWHERE,
    ),
}

# legacy's Search event, seen from inside (see the module docstring)
SEARCH_WALK = "unuse_pte_range"
SEARCH_SHORTCUT = "unuse_vma:page_address_in_vma"
SEARCH_MM = "unuse_mm"


def _site_lines(listing: tuple[Line, ...]) -> dict[str, int]:
    out: dict[str, int] = {}
    for i, line in enumerate(listing):
        for site in line.sites:
            if site in out:
                raise ValueError(f"site {site!r} marks two lines")
            out[site] = i
    return out


SITE_LINES: dict[str, dict[str, int]] = {a: _site_lines(lst) for a, lst in LISTINGS.items()}


def listing(algorithm: str) -> list[str]:
    """The pseudo-C lines of an algorithm (KeyError for an unknown one)."""
    return [line.text for line in LISTINGS[algorithm]]


def line_of(algorithm: str, site: str) -> int | None:
    """The listing line the engine site runs, or None (no event yet, unknown site)."""
    if site.startswith("fault:"):
        site = FAULT_SITE
    return SITE_LINES.get(algorithm, {}).get(site)


def function_of(algorithm: str, line: int) -> str:
    """The name of the pseudo-C function holding a line (for the pane's title)."""
    lst = LISTINGS[algorithm]
    for i in range(min(line, len(lst) - 1), -1, -1):
        text = lst[i].text
        if text and not text[0].isspace() and "(" in text and not text.startswith("/*"):
            head = text.split("(", 1)[0].split()
            return head[-1].lstrip("*") if head else ""
    return ""
