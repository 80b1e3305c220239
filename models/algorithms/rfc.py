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
from models.algorithms.common import OutOfMemory, Run, shmem_unuse, unuse_mm


def try_to_unuse(run: Run) -> None:
    def unuse_pte_range_entry(ref: int) -> None:
        run.swapin_readahead(ref, "swapin_readahead")
        slot = run.machine.refs.slot[ref]
        run.emit(ev.UnusePte, run.cpu.unuse_pte, "unuse_pte", ref=ref, slot=slot)
        run.free_cache(slot, "delete_from_swap_cache")

    run.emit(ev.PassStart, 0, "try_to_unuse", number=1)
    try:
        shmem_unuse(run)
        for mi in range(len(run.machine.walks)):
            run.inject.poll()
            if run.state.signal:
                run.done("EINTR")
                return
            if run.state.active[mi]:
                unuse_mm(run, mi, unuse_pte_range_entry)
    except OutOfMemory:
        run.done("ENOMEM")
        return
    run.done("ok")
