"""`rfc`: Kelley Nielsen's one-pass prototype of February 2014 (the seed).

    try_to_unuse(type):
        shmem_unuse(type)                          # every tmpfs file, index ascending
        for mm in mmlist:
            unuse_mm(mm, type)                     # every PTE of every anon VMA, once:
                at each swap PTE: swapin_readahead()   # no swap-cache lookup first
                                  unuse_pte()
                                  delete_from_swap_cache()   # at once, even if shared
    (no retry pass: whatever is left stays in use -- the prototype's own TODO)

Deleting the page while another mm still holds the entry means that mm reads the
slot again when its turn comes: the prototype's re-reads are counted in pages_read.
"""

from __future__ import annotations

from models import events as ev
from models.kernel.shmem import shmem_unuse
from models.kernel.swap_state import delete_from_swap_cache, swapin_readahead
from models.kernel.swapfile import unuse_mm, unuse_pte
from models.listing import ELSEWHERE, PTE_RANGE_HEAD, SHMEM_TYPE, WALK_MM, join, line
from models.run import OutOfMemory, Run
from models.sites import Site


def unuse_swap_pte(run: Run, ref: int) -> None:
    """unuse_pte_range's step at one swap PTE of the area, as the prototype wrote it."""
    swapin_readahead(run, ref, Site.SWAPIN_READAHEAD)
    slot = unuse_pte(run, ref)
    delete_from_swap_cache(run, slot, Site.DELETE_FROM_SWAP_CACHE)


def try_to_unuse(run: Run) -> None:
    run.emit(ev.PassStart, 0, Site.TRY_TO_UNUSE, number=1)
    try:
        shmem_unuse(run)
        for mi in range(len(run.machine.walks)):
            run.poll()
            if run.state.signal:
                run.done("EINTR")
                return
            if run.state.active[mi]:
                unuse_mm(run, mi, unuse_swap_pte)
    except OutOfMemory:
        run.done("ENOMEM")
        return
    run.done("ok")


# ---- the source pane's pseudo-C ------------------------------------------------------
_TRY = (
    line("/* rfc: the February 2014 prototype, one pass over the mms */"),
    line("int try_to_unuse(int type)", Site.TRY_TO_UNUSE),
    line("{"),
    line("    shmem_unuse(type);         /* every tmpfs file first */"),
    line("    for each mm on init_mm.mmlist"),
    line("        unuse_mm(mm, type);    /* one walk finds every entry */"),
    line(
        "    return 0;      /* no retry: what is left stays (a TODO) */", Site.TRY_TO_UNUSE_RETURN
    ),
    line("}"),
)

_PTE = (
    *PTE_RANGE_HEAD,
    line("        page = swapin_readahead(entry, addr);  /* no lookup */", Site.SWAPIN_READAHEAD),
    line("        unuse_pte(vma, pmd, addr, entry, page);", Site.UNUSE_PTE),
    line(
        "        delete_from_swap_cache(page); /* even if another */", Site.DELETE_FROM_SWAP_CACHE
    ),
    line("    }                                 /* mm still maps it */"),
    line("}"),
)

LISTING = join(_TRY, WALK_MM, _PTE, SHMEM_TYPE, ELSEWHERE)
