"""`linear`: try_to_unuse() as merged in Linux 5.1 (b56a2d8af914) and as it runs today.

Also `linear-5.1`, the same algorithm before commit ebc5951eea49 (2020) added the
lookup_swap_cache call to unuse_pte_range: every swap PTE then went through
swapin_readahead, which sizes a window (and reads what is missing in it) even when
the target page is already in the swap cache, so readahead hits were never counted.

    try_to_unuse(type):
    retry:
        shmem_unuse(type)                         # tmpfs first
        for mm in init_mm.mmlist while inuse_pages:
            unuse_mm(mm, type)                     # every PTE of every anon VMA, once
        for each slot i in use (find_next_to_unuse, ascending, no wrap) while inuse_pages:
            if the page is in the swap cache: try_to_free_swap   # orphans of readahead
        if inuse_pages: goto retry
"""

from __future__ import annotations

from models import events as ev
from models.kernel import vmscan
from models.kernel.shmem import shmem_unuse
from models.kernel.swap_state import delete_from_swap_cache, lookup_swap_cache, swapin_readahead
from models.kernel.swapfile import (
    SwapPteStep,
    find_next_to_unuse,
    try_to_free_swap,
    unuse_mm,
    unuse_pte,
)
from models.listing import (
    ELSEWHERE,
    FIND_NO_WRAP,
    PTE_RANGE_HEAD,
    SHMEM_TYPE,
    WALK_MM,
    join,
    line,
)
from models.run import OutOfMemory, Run
from models.sites import Site


class NoProgress(RuntimeError):
    """A pass freed nothing: the kernel would retry forever (validation rules it out)."""


def unuse_swap_pte(run: Run, ref: int) -> None:
    """unuse_pte_range's step at one swap PTE of the area, with the 2020 lookup first."""
    if not lookup_swap_cache(run, ref, Site.UNUSE_PTE_RANGE_LOOKUP):
        swapin_readahead(run, ref, Site.SWAPIN_READAHEAD)
    try_to_free_swap(run, unuse_pte(run, ref))


def unuse_swap_pte_51(run: Run, ref: int) -> None:
    """The same step as first merged: swapin_readahead even for a page already cached."""
    swapin_readahead(run, ref, Site.SWAPIN_READAHEAD)
    try_to_free_swap(run, unuse_pte(run, ref))


def retry_passes(run: Run, step: SwapPteStep) -> str:
    """From the `retry:` label on: passes until no slot is in use; "ok" or "EINTR".

    OutOfMemory passes through (try_to_unuse returns -ENOMEM).
    """
    st = run.state
    number = 0
    while True:
        number += 1
        before = st.inuse
        run.emit(ev.PassStart, 0, Site.TRY_TO_UNUSE_RETRY, number=number)
        shmem_unuse(run)
        for mi in range(len(run.machine.walks)):
            run.poll()
            if st.inuse == 0 or st.signal:
                break
            if st.active[mi]:  # mmget_not_zero: an exited mm frees its own swap
                unuse_mm(run, mi, step)
        i = 0
        while st.inuse and not st.signal:
            run.poll()
            i = find_next_to_unuse(run, i)
            if not i:
                break
            if st.cached[i] and st.count[i] == 0:
                delete_from_swap_cache(run, i, Site.FOLIO_FREE_SWAP)
        if st.inuse == 0:
            return "ok"
        if st.signal:
            return "EINTR"
        if st.inuse >= before:
            if st.mem is not None:
                # memory so short that reclaim unmapped as much as the walk restored: the
                # kernel would go round until the OOM killer (or a signal) ended it
                vmscan.out_of_memory(run, "swapoff", "pass")
            # Only a reference the walk cannot reach gets here, which validation rules out.
            raise NoProgress(f"{run.algorithm} swapoff made no progress in pass {number}")


def try_to_unuse_with(run: Run, step: SwapPteStep) -> None:
    if run.state.inuse == 0:
        # try_to_unuse returns at once; count it as the one pass "1 + retries" says
        run.emit(ev.PassStart, 0, Site.TRY_TO_UNUSE_RETRY, number=1)
        run.done("ok")
        return
    try:
        result = retry_passes(run, step)
    except OutOfMemory:
        result = "ENOMEM"
    run.done(result)


def try_to_unuse(run: Run) -> None:
    try_to_unuse_with(run, unuse_swap_pte)


def try_to_unuse_51(run: Run) -> None:
    try_to_unuse_with(run, unuse_swap_pte_51)


# ---- the source pane's pseudo-C ------------------------------------------------------
RETRY = (
    line("retry:", Site.TRY_TO_UNUSE_RETRY),
    line("    shmem_unuse(type);         /* every tmpfs file first */"),
    line("    for each mm on init_mm.mmlist while (si->inuse_pages)"),
    line("        unuse_mm(mm, type);"),
    line("    i = 0;                /* pages readahead left behind */"),
    line("    while (si->inuse_pages && (i = find_next_to_unuse(si, i)))"),
    line("        if (swap cache page of slot i has no user left)"),
    line("            folio_free_swap(folio);", Site.FOLIO_FREE_SWAP),
    line("    if (si->inuse_pages)"),
    line("        goto retry;"),
    line("    return 0;", Site.TRY_TO_UNUSE_RETURN),
    line("}"),
)

_TRY = (
    line("/* linear: Linux 5.1 onwards, one walk of each mm per pass */"),
    line("int try_to_unuse(int type)"),
    line("{"),
    *RETRY,
)

_PTE_LOOKUP = (
    line(
        "        page = lookup_swap_cache(entry);   /* readahead's? */", Site.UNUSE_PTE_RANGE_LOOKUP
    ),
    line("        if (!page)"),
    line("            page = swapin_readahead(entry, &vmf);", Site.SWAPIN_READAHEAD),
)
_PTE_LOOKUP_51 = (
    line("        /* 5.1: no lookup yet (added 2020): readahead */"),
    line("        /* sizes a window even for a cached page    */"),
    line("        page = swapin_readahead(entry, &vmf);", Site.SWAPIN_READAHEAD),
)
_PTE_TAIL = (
    line("        unuse_pte(vma, pmd, addr, entry, page);", Site.UNUSE_PTE),
    line("        if (no other PTE holds the entry)"),
    line("            try_to_free_swap(page);    /* slot is free */", Site.TRY_TO_FREE_SWAP),
    line("    }"),
    line("}"),
)
PTE_RANGE = PTE_RANGE_HEAD + _PTE_LOOKUP + _PTE_TAIL

LISTING = join(_TRY, WALK_MM, PTE_RANGE, FIND_NO_WRAP, SHMEM_TYPE, ELSEWHERE)
LISTING_51 = join(
    _TRY, WALK_MM, PTE_RANGE_HEAD + _PTE_LOOKUP_51 + _PTE_TAIL, FIND_NO_WRAP, SHMEM_TYPE, ELSEWHERE
)
