"""mm/swap_state.c: reading swap slots into the swap cache, readahead, lookups.

    read_swap_cache_async     one page, no readahead (legacy's read)
    swap_cluster_readahead    the aligned block of slots around the target
    swap_vma_readahead        the PTEs around the faulting address
    swapin_readahead          either of the two, by policy
    lookup_swap_cache         is the page cached?  (a readahead page's first use is a hit)
    delete_from_swap_cache    the page leaves the swap cache

Reads are submitted in batches: one batch is what the kernel submits between
blk_start_plug and blk_finish_plug, so consecutive slots in it merge into one disk
request.  The window sizes come from `models.readahead` (swapin_nr_pages).
"""

from __future__ import annotations

from collections.abc import Iterable

from models import events as ev
from models.kernel import vmscan
from models.readahead import VmaState, cluster_block
from models.run import OutOfMemory, Run
from models.sites import Site
from models.state import READAHEAD, SWAP

NO_TARGET = 0  # a batch of readahead pages only (prefetch): slot 0 is the header, never read


def read_batch(run: Run, candidates: Iterable[int], target: int, site: Site) -> None:
    """Read the candidates that are in use, not bad and not cached, in order, under one plug.

    Consecutive submissions of consecutive slots merge into one request (the block
    layer's plug).  Every page read is allocated first: a readahead page that does not
    fit in memory is skipped; the target not fitting is -ENOMEM (OutOfMemory), after
    the readahead pages allocated before it are read.
    """
    st = run.state
    if st.mem is not None:
        _read_batch_reclaim(run, candidates, target, site)
        return
    count, cached, bad = st.count, st.cached, run.machine.bad
    budget = None if run.free_pages is None else run.free_pages - st.allocated
    chosen: list[int] = []
    seen: set[int] = set()  # a VMA window may name one slot twice (a page shared in the VMA)
    target_failed = False
    for slot in candidates:
        if cached[slot] or not count[slot] or slot in bad or slot in seen:
            continue
        seen.add(slot)
        if budget is not None:
            if budget <= 0:
                target_failed = target_failed or slot == target
                continue
            budget -= 1
        chosen.append(slot)
    _submit_runs(run, chosen, target, site)
    if target_failed:
        run.note_enomem()
        raise OutOfMemory


def _read_batch_reclaim(run: Run, candidates: Iterable[int], target: int, site: Site) -> None:
    """read_batch under memory pressure: every page comes from the free pages, and
    reclaim runs when none is left (models/kernel/vmscan.py).  The load first takes
    what it touched since the last batch.  A readahead page reclaim cannot make room
    for is skipped; the target is -ENOMEM, as without reclaim."""
    st = run.state
    count, cached, bad = st.count, st.cached, run.machine.bad
    cap = run.free_pages  # an enomem fault: that many allocations and no more
    chosen: list[int] = []
    seen: set[int] = set()
    target_failed = False
    exhausted = False  # reclaim found nothing: nothing will change within this batch
    loaded = False
    run.reserved = 0
    for slot in candidates:
        # (reclaim may drop a cached page of this window: it is read again here)
        if cached[slot] or not count[slot] or slot in bad or slot in seen:
            continue
        seen.add(slot)
        if cap is not None and st.allocated + len(chosen) >= cap:
            target_failed = target_failed or slot == target
            continue
        if not loaded:
            # the load first: it touched its pages while swapoff was not allocating
            loaded = True
            vmscan.load_catch_up(run, target)
        if exhausted or not vmscan.alloc_page(run, target):
            exhausted = True
            target_failed = target_failed or slot == target
            continue
        chosen.append(slot)
    _submit_runs(run, chosen, target, site)
    run.reserved = 0
    if target_failed:
        if cap is not None and st.allocated >= cap:
            run.note_enomem()
            raise OutOfMemory
        vmscan.out_of_memory(run, "swapoff")


def _submit_runs(run: Run, chosen: list[int], target: int, site: Site) -> None:
    """Consecutive slots of the batch merge into one request each."""
    i = 0
    while i < len(chosen):
        j = i + 1
        while j < len(chosen) and chosen[j] == chosen[j - 1] + 1:
            j += 1
        _submit(run, chosen[i], j - i, target, site)
        i = j


def _submit(run: Run, start: int, pages: int, target: int, site: Site) -> None:
    """One merged disk request: slots start .. start+pages-1."""
    head = run.state.head
    ns = run.disk.request_ns(head, start, pages)
    reason = "target" if start <= target < start + pages else "readahead"
    failed = tuple(s for s in range(start, start + pages) if s in run.eio) if run.eio else ()
    request = run.emit(
        ev.DiskRequest,
        ns * 1000,
        site,
        start=start,
        pages=pages,
        head=head,
        seek_slots=abs(start - head),
        target=target,
        reason=reason,
        failed=failed,
    )
    if failed:
        run.note_eio(failed)
    if run.requests is not None:
        run.requests.append(request)


def read_swap_cache_async(run: Run, slot: int, site: Site = Site.READ_SWAP_CACHE_ASYNC) -> None:
    """One page: a swap-cache hit costs nothing, a miss reads the slot alone.

    What `read_batch` does with the one candidate, without its lists and merging
    (legacy reads every slot this way: millions of calls at full scale).  Under memory
    pressure the page's allocation may have to reclaim: the general path then."""
    st = run.state
    if st.mem is not None:
        read_batch(run, (slot,), slot, site)
        return
    if st.cached[slot] or not st.count[slot] or slot in run.machine.bad:
        return
    if run.free_pages is not None and run.free_pages - st.allocated <= 0:
        run.note_enomem()  # the target itself does not fit: -ENOMEM
        raise OutOfMemory
    _submit(run, slot, 1, slot, site)


def swap_cluster_readahead(run: Run, slot: int, policy: str, site: Site) -> None:
    """The aligned block of slots around `slot` (just `slot` for policy `none`).

    `cluster-adaptive` sizes the block by the global hit detector, `cluster` keeps it
    at 2**page_cluster.
    """
    if policy == "none":
        window = 1
    else:
        window = run.cluster.window(slot, run.page_cluster, policy == "cluster-adaptive")
    if window <= 1:
        read_swap_cache_async(run, slot, site)
        return
    read_batch(run, cluster_block(slot, window, run.machine.slots), slot, site)


def _vma_state(run: Run, owner: int, vma: int) -> VmaState:
    key = (owner, vma)
    state = run.vma_ra.get(key)
    if state is None:
        state = run.vma_ra[key] = VmaState(run.vma_hits)
    return state


def swap_vma_readahead(run: Run, ref: int, site: Site) -> None:
    """The swap PTEs around the faulting PTE of `ref`, in PTE order (any disk offset)."""
    refs = run.machine.refs
    owner, vma, vpage, slot = refs.owner[ref], refs.vma[ref], refs.vpage[ref], refs.slot[ref]
    walk = run.machine.walks[owner]
    start, end, _anon = walk.vma_bounds[vma]
    lo, hi = _vma_state(run, owner, vma).window(vpage, run.page_cluster, start, end)
    if hi - lo == 1:
        read_swap_cache_async(run, slot, site)
        return
    ref_state, ref_slot = run.state.ref_state, refs.slot
    # the swap PTEs in the window, in PTE order (the walk order is address order)
    slots = [ref_slot[o] for o in walk.refs_between(lo, hi) if ref_state[o] == SWAP]
    read_batch(run, slots, slot, site)


def swapin_readahead(run: Run, ref: int, site: Site) -> None:
    """Swap in the anon page of `ref`: VMA readahead under `vma`, else cluster readahead."""
    if run.readahead == "vma":
        swap_vma_readahead(run, ref, site)
    else:
        swap_cluster_readahead(run, run.machine.refs.slot[ref], run.readahead, site)


def lookup_swap_cache(run: Run, ref: int, site: Site) -> bool:
    """Is the page of `ref`'s slot cached?  A readahead page's first use counts as a hit.

    Under `vma` an anon lookup updates its VMA's readahead state; otherwise a readahead
    hit feeds the global hit count of swap_cluster_readahead.
    """
    refs = run.machine.refs
    st = run.state
    slot = refs.slot[ref]
    hit = bool(st.cached[slot])
    ra = st.cached[slot] == READAHEAD
    if hit:
        if run.readahead == "vma" and refs.vpage[ref] >= 0:
            _vma_state(run, refs.owner[ref], refs.vma[ref]).on_hit(refs.vpage[ref], ra)
        elif ra:
            run.cluster.hits += 1
    run.emit(ev.Lookup, 0, site, slot=slot, ref=ref, hit=hit, readahead_hit=ra)
    return hit


def delete_from_swap_cache(run: Run, slot: int, site: Site) -> None:
    """The page of `slot` leaves the swap cache; the slot is free if no reference is left."""
    run.emit(ev.FreeSwapCache, 0, site, slot=slot, freed=run.state.count[slot] == 0)
