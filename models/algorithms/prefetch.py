"""`prefetch`: a what-if in no kernel: the area in disk order first, then linear's walk.

Hugh Dickins's trade-off of 2014 (a fast CPU against a seeking disk) goes away if
swapoff spends memory: read every slot in use in ascending order first, so the disk
head sweeps once, then walk the page tables, which find every page in the swap cache.

    phase 1: find_next_to_unuse from slot 1 upwards (charged per entry read, as
        always); each slot in use, not bad and not in the swap cache joins a batch;
        every 256 slots (1 MiB) the batch is read under one plug, consecutive slots
        merged into one request; the pages enter the swap cache as readahead pages
        (their first lookup is a hit)
    phase 2: linear exactly (shmem_unuse(type), the walk with lookup_swap_cache first,
        the tail sweep, retries), which reads only what phase 1 could not hold or
        what a fault put back

Its price is memory: every page sits in the swap cache before any is mapped
(swapcache_peak = the slots in use), where linear holds about a readahead window.
"""

from __future__ import annotations

from models.algorithms import linear
from models.kernel.swap_state import NO_TARGET, read_batch
from models.kernel.swapfile import charge_scan, next_in_use
from models.listing import ELSEWHERE, FIND_NO_WRAP, SHMEM_TYPE, WALK_MM, join, line
from models.run import OutOfMemory, Run
from models.sites import Site

BATCH = 256  # slots read under one plug: 1 MiB


def read_area_in_order(run: Run) -> bool:
    """Phase 1: every slot in use into the swap cache, upwards, a batch at a time.

    One SwapMapScan event per batch charges the find_next_to_unuse calls that gathered
    it (every swap_map entry they read).  Returns False if a signal stopped it.
    """
    st = run.state
    slots = run.machine.slots
    cached = st.cached
    prev = 0  # the last slot find_next_to_unuse returned
    ended = False
    while not ended:
        run.poll()
        if st.signal:
            return False
        start = prev + 1
        batch: list[int] = []
        while len(batch) < BATCH:
            i = next_in_use(run, prev + 1, slots)
            if i >= slots:
                ended = True  # the call that finds nothing read up to the end
                break
            prev = i
            if not cached[i]:
                batch.append(i)
        last = slots - 1 if ended else prev
        charge_scan(
            run, start, last - start + 1, 0 if ended else prev, Site.PREFETCH_FIND_NEXT, len(batch)
        )
        if batch:
            read_batch(run, batch, NO_TARGET, Site.PREFETCH_READ)
    return True


def try_to_unuse(run: Run) -> None:
    if run.state.inuse == 0:
        linear.try_to_unuse(run)  # returns at once, as linear's does
        return
    try:
        if read_area_in_order(run):
            result = linear.retry_passes(run, linear.unuse_swap_pte)
        else:
            result = "EINTR"
    except OutOfMemory:
        result = "ENOMEM"
    run.done(result)


# ---- the source pane's pseudo-C ------------------------------------------------------
_TRY = (
    line("/* prefetch: a what-if, in no kernel: disk order first */"),
    line("int try_to_unuse(int type)"),
    line("{"),
    line("    /* phase 1: the whole area into the swap cache, in */"),
    line("    /* disk order, 256 slots (1 MiB) under each plug    */"),
    line("    for (i = 0; (i = find_next_to_unuse(si, i)); ) {", Site.PREFETCH_FIND_NEXT),
    line("        if (!swap cache page of slot i)"),
    line("            add slot i to the batch;"),
    line("        if (the batch holds 256 slots or the scan ended) {"),
    line("            blk_start_plug(&plug);"),
    line("            for each slot in the batch"),
    line("                read_swap_cache_async(slot);  /* readahead */", Site.PREFETCH_READ),
    line("            blk_finish_plug(&plug);"),
    line("        }"),
    line("    }"),
    line("    /* phase 2: linear's walk finds every page cached */"),
    *linear.RETRY,
)

LISTING = join(_TRY, WALK_MM, linear.PTE_RANGE, FIND_NO_WRAP, SHMEM_TYPE, ELSEWHERE)
