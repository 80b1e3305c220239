"""mm/shmem.c: tmpfs pages in swap come back into their files' page cache.

    shmem_unuse(type)       5.1 on: every file on shmem_swaplist, every index ascending
    shmem_unuse_entry       3.14's shmem_unuse(entry): which file holds this one entry?
    shmem_swapin            look the entry up in the swap cache, else read it

tmpfs never uses VMA readahead: its swap-in always takes the cluster path.
"""

from __future__ import annotations

from models import events as ev
from models.kernel.swap_state import (
    delete_from_swap_cache,
    lookup_swap_cache,
    swap_cluster_readahead,
)
from models.run import Run
from models.sites import Site
from models.state import SWAP


def shmem_swapin(run: Run, ref: int) -> None:
    """The page of tmpfs reference `ref` into the swap cache: a lookup, else a read."""
    if not lookup_swap_cache(run, ref, Site.SHMEM_SWAPIN_LOOKUP):
        policy = "cluster-adaptive" if run.readahead == "vma" else run.readahead
        swap_cluster_readahead(run, run.machine.refs.slot[ref], policy, Site.SHMEM_SWAPIN)


def shmem_unuse(run: Run) -> None:
    """shmem_unuse(type): every file on shmem_swaplist, every swapped index ascending."""
    m = run.machine
    ref_state = run.state.ref_state
    for fi, refs in enumerate(m.file_refs):
        for ref in refs:
            run.poll()
            if ref_state[ref] != SWAP:
                continue
            slot = m.refs.slot[ref]
            shmem_swapin(run, ref)
            run.emit(
                ev.ShmemUnuse, 0, Site.SHMEM_UNUSE_INODE, ref=ref, slot=slot, file=fi, searched=0
            )
            delete_from_swap_cache(run, slot, Site.SHMEM_UNUSE_INODE_DELETE)


def shmem_unuse_entry(run: Run, slot: int, start_file: int) -> int:
    """3.14 shmem_unuse(entry): ask the files in turn from the last hit; the file found.

    The page was read already; it moves into the file's page cache.  Files with nothing
    left in swap have left shmem_swaplist and are not asked.
    """
    m = run.machine
    ref = next(r for r in m.slot_refs[slot] if run.state.ref_state[r] == SWAP)
    target = m.refs.owner[ref]
    n = len(m.file_refs)
    searched = 0
    for k in range(n):
        fi = (start_file + k) % n
        if any(run.state.ref_state[r] == SWAP for r in m.file_refs[fi]):
            searched += 1
        if fi == target:
            break
    run.emit(ev.ShmemUnuse, 0, Site.SHMEM_UNUSE, ref=ref, slot=slot, file=target, searched=searched)
    return target
