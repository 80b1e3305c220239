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
from models.algorithms.common import OutOfMemory, Run, shmem_unuse, unuse_mm


def find_next_to_unuse(run: Run, prev: int) -> int:
    """Ascending scan of swap_map from prev+1 for a slot in use; 0 at the end (no wrap)."""
    slots = run.machine.slots
    i = run.scan_up(prev + 1, slots)
    found = i if i < slots else 0
    examined = (i - prev) if found else (slots - 1 - prev)
    return run.swap_map_scan(prev + 1, examined, found, "find_next_to_unuse")


def try_to_unuse(run: Run) -> None:
    st = run.state
    lookup_first = run.algorithm == "linear"

    def unuse_pte_range_entry(ref: int) -> None:
        # one swap PTE of this area inside unuse_pte_range
        if not lookup_first or not run.lookup_swap_cache(ref, "unuse_pte_range:lookup_swap_cache"):
            run.swapin_readahead(ref, "swapin_readahead")
        slot = run.machine.refs.slot[ref]
        run.emit(ev.UnusePte, run.cpu.unuse_pte, "unuse_pte", ref=ref, slot=slot)
        if st.count[slot] == 0:
            run.free_cache(slot, "try_to_free_swap")

    if st.inuse == 0:
        # try_to_unuse returns at once; count it as the one pass the spec's "1 + retries" says
        run.emit(ev.PassStart, 0, "try_to_unuse:retry", number=1)
        run.done("ok")
        return
    number = 0
    try:
        while True:
            number += 1
            freed_before = st.inuse
            run.emit(ev.PassStart, 0, "try_to_unuse:retry", number=number)
            shmem_unuse(run)
            for mi in range(len(run.machine.walks)):
                run.inject.poll()
                if st.inuse == 0 or st.signal:
                    break
                if st.active[mi]:  # mmget_not_zero: an exited mm frees its own swap
                    unuse_mm(run, mi, unuse_pte_range_entry)
            i = 0
            while st.inuse and not st.signal:
                run.inject.poll()
                i = find_next_to_unuse(run, i)
                if not i:
                    break
                if st.cached[i] and st.count[i] == 0:
                    run.free_cache(i, "try_to_unuse:folio_free_swap")
            if st.inuse == 0:
                break
            if st.signal:
                run.done("EINTR")
                return
            if st.inuse >= freed_before:
                # Nothing could be freed: the kernel would retry forever.  Only a
                # reference the walk cannot reach gets here, which validation rules out.
                raise RuntimeError("linear swapoff made no progress in a pass")
    except OutOfMemory:
        run.done("ENOMEM")
        return
    run.done("ok")
