"""mm/memory.c: a process touching one of its swapped pages while swapoff runs.

do_swap_page    look the entry up in the swap cache, else swapin_readahead; map
                the page; try_to_free_swap
"""

from __future__ import annotations

from models import events as ev
from models.kernel.swap_state import lookup_swap_cache, swapin_readahead
from models.kernel.swapfile import try_to_free_swap
from models.run import Run
from models.sites import Site


def do_swap_page(run: Run, ref: int) -> None:
    """The process faults the page of `ref` in itself (OutOfMemory if it cannot)."""
    if not lookup_swap_cache(run, ref, Site.DO_SWAP_PAGE_LOOKUP):
        swapin_readahead(run, ref, Site.DO_SWAP_PAGE_SWAPIN)
    slot = run.machine.refs.slot[ref]
    run.emit(ev.FaultIn, 0, Site.DO_SWAP_PAGE, ref=ref, slot=slot)
    try_to_free_swap(run, slot, Site.DO_SWAP_PAGE_FREE)
