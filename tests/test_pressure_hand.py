"""Memory pressure, computed by hand (docs/engine.md, section 9), on both walkers.

Each test works one tiny swapoff out step by step in its comments and checks every
counter, request and final page against it, on the naive reference walker and on
the engine alike (the `run` fixture gives either).

The machine (SCEN_P): 8 slots on zram (4000 ns a page, no request cost, no seek), one
mm, pid 100, one anon VMA of 4 pages at vpn 512 (one page table):
    page 0 -> slot 2, page 1 -> slot 4, page 2 -> slot 3, page 3 -> slot 5
readahead `cluster` with page_cluster 1: every window is the aligned pair of slots
around the target ({2,3} or {4,5}); 2 free pages; a fresh area of 8 slots on the same
disk (positions 8 + f: slot f of the fresh area lies after the old area's 8).
`linear` walks PTE 0, 1, 2, 3 in that order: each window reads one page the walk
needs later (3 with 2, 5 with 4), and memory holds only two pages.

CPU, the same in every case that completes: 4 PTEs x 500 ps + 1 page table x 40000 +
1 unuse_mm x 500000 + 4 restores x 300000 = 1_742_000 ps; no find_next_to_unuse (no
slot is left in use after the walk, so the tail sweep does not run).
"""

from __future__ import annotations

from collections.abc import Callable

import attrs
import pytest

from models.engine import RunOptions, run_swapoff
from models.machine import ANON
from models.scenario_model import DiskParams, FreshArea, Load, Mm, Scenario, Vma
from models.state import FRESH, PRESENT, SWAP
from tests.reference import COUNTER_NAMES, RefResult, reference_run

SCEN_P = Scenario(
    name="p",
    slots=8,
    page_cluster=1,
    disk=DiskParams(kind="zram"),
    free_pages=2,
    reclaim=True,
    fresh=FreshArea(slots=8, disk="shared"),
    mms=(
        Mm(
            pid=100,
            vmas=(Vma(start=512 * 4096, pages=4, swapped=((0, 2), (1, 4), (2, 3), (3, 5))),),
        ),
    ),
)


def engine_run(scenario: Scenario, algorithm: str, readahead: str | None = None) -> RefResult:
    """The engine's answer in the reference walker's shape."""
    r = run_swapoff(scenario, RunOptions(algorithm=algorithm, readahead=readahead))
    m, st = r.machine, r.final
    mem = st.mem
    final: dict[tuple, tuple] = {}
    for i, ref in enumerate(m.refs):
        assert ref.kind == ANON
        key = (scenario.mms[ref.owner].pid, ref.vma, ref.page)
        state = st.ref_state[i]
        if state == FRESH and mem is not None:
            final[key] = ("fresh", mem.ref_fresh[i], ref.slot)
        else:
            assert state in (SWAP, PRESENT)
            final[key] = ("swap" if state == SWAP else "present", ref.slot)
    return RefResult(
        result=r.result,
        counters=r.counters.as_dict(),
        requests=[
            (q.start, q.pages, q.seek_slots, (q.t1 - q.t0) // 1000, q.reason) for q in r.requests
        ],
        reads=[s for q in r.requests for s in range(q.start, q.start + q.pages)],
        final=final,
        swap_map=list(st.count),
        cached={s for s in range(scenario.slots) if st.cached[s]},
        free=None if mem is None else mem.free,
        fresh_map=[] if mem is None else list(mem.fresh_count),
        load_fresh=[] if mem is None else list(mem.load_fresh),
    )


@pytest.fixture(params=["reference", "engine"])
def run(request: pytest.FixtureRequest) -> Callable[..., RefResult]:
    return reference_run if request.param == "reference" else engine_run


def counters(**kw: int) -> dict[str, int]:
    out = dict.fromkeys(COUNTER_NAMES, 0)
    out.update(kw)
    out["total_ns"] = out["cpu_ns"] + out["io_ns"]
    return out


def test_drop_then_write_then_read_again(run: Callable[..., RefResult]) -> None:
    # PTE 0, slot 2 misses: the window {2,3} takes both free pages; one request (2,2)
    #   from head 0 (seek 2).  Slot 2's page is mapped (page A), leaves the swap cache
    #   (count 0) and stays mapped; slot 3's page waits, mapped by nothing.
    # PTE 1, slot 4 misses: no free page.  Reclaim: drop slot 3 (the only swap-cache page
    #   nothing maps), then write page A (mapped longest ago, no longer in the swap
    #   cache) to fresh slot 1: position 9, from head 4 (seek 5), 4000 ns; head 10.
    #   Two pages free: {4,5} is read as (4,2), seek |4 - 10| = 6.  Page B = slot 4's.
    # PTE 2, slot 3 was dropped: a miss.  Window {2,3}: slot 2 is free, slot 3 needs a
    #   page: reclaim drops slot 5 (unused readahead again) and writes page B to fresh
    #   slot 2 (position 10 from head 6).  Slot 3 is read again: (3,1), seek |3 - 11| =
    #   8: a re-read of 4000 ns.  One page stays free.
    # PTE 3, slot 5 was dropped: read again into the free page: (5,1), seek 1.
    r = run(SCEN_P, "linear", "cluster")
    assert r.result == "ok"
    assert r.requests == [
        (2, 2, 2, 8000, "target"),
        (4, 2, 6, 8000, "target"),
        (3, 1, 8, 4000, "target"),
        (5, 1, 1, 4000, "target"),
    ]
    assert r.counters == counters(
        unuse_pte_range_calls=1,
        ptes_scanned=4,
        unuse_pte_calls=4,
        unuse_mm_calls=1,
        pages_read=6,
        io_requests=4,
        seek_slots=17,
        swapcache_peak=2,
        passes=1,
        pages_dropped=2,
        pages_written=2,
        pages_reread=2,
        cpu_ns=1742,
        io_ns=24_000 + 8000,
        write_ns=8000,
        reread_ns=8000,
    )
    assert r.final == {
        (100, 0, 0): ("fresh", 1, 2),
        (100, 0, 1): ("fresh", 2, 4),
        (100, 0, 2): ("present", 3),
        (100, 0, 3): ("present", 5),
    }
    assert r.fresh_map == [0, 1, 1, 0, 0, 0, 0, 0]
    assert r.swap_map == [0] * 8 and r.cached == set()
    # 0 free + 2 mapped (slots 3 and 5's pages) = the 2 pages swapoff started with
    assert r.free == 0


def test_no_fresh_area_ends_in_enomem_with_nothing_lost(run: Callable[..., RefResult]) -> None:
    # PTE 0 as above: (2,2), page A mapped, slot 3 cached and unmapped, no page free.
    # PTE 1, slot 4: reclaim drops slot 3 but has nowhere to write page A: one page, for
    #   the target 4.  Slot 5 (readahead) finds nothing more to reclaim: skipped.
    #   Request (4,1), seek 0.  Page B mapped.
    # PTE 2, slot 3 (dropped): nothing is free, nothing can be dropped (no swap-cache
    #   page is left) or written: the OOM killer would take swapoff first; try_to_unuse
    #   fails with ENOMEM after 3 PTEs.  Slots 3 and 5 keep their references: the area
    #   stays usable.
    # cpu: 3 PTEs x 500 + 40000 + 500000 + 2 restores x 300000 = 1_141_500 ps
    r = run(attrs.evolve(SCEN_P, fresh=None), "linear", "cluster")
    assert r.result == "ENOMEM"
    assert r.requests == [(2, 2, 2, 8000, "target"), (4, 1, 0, 4000, "target")]
    assert r.counters == counters(
        unuse_pte_range_calls=1,
        ptes_scanned=3,
        unuse_pte_calls=2,
        unuse_mm_calls=1,
        pages_read=3,
        io_requests=2,
        seek_slots=2,
        swapcache_peak=2,
        passes=1,
        pages_dropped=1,
        cpu_ns=1141,
        io_ns=12_000,
    )
    assert r.final == {
        (100, 0, 0): ("present", 2),
        (100, 0, 1): ("present", 4),
        (100, 0, 2): ("swap", 3),
        (100, 0, 3): ("swap", 5),
    }
    assert r.swap_map == [0, 0, 0, 1, 0, 1, 0, 0] and r.cached == set()
    assert r.fresh_map == [] and r.free == 0


def test_the_load_takes_memory_first(run: Callable[..., RefResult]) -> None:
    # A load of 2 pages at 4000 pages/ms.  The first allocation comes at 540_500 ps
    #   (unuse_mm 500 ns + one PTE 0.5 ns + one page table 40 ns): the load has touched
    #   floor(4000 x 540500 / 1e9) = 2 pages by then, and takes both free pages.
    # Slot 2 then needs a page: nothing to drop; the two load pages (mapped longest ago)
    #   go to fresh slots 1-2: position 9 from head 0, seek 9, 2 x 4000 ns; head 11.
    #   (2,2) is read from there: seek |2 - 11| = 9.
    # PTE 1, slot 4: drop 3, write page A to fresh 3 (position 11, head 4: seek 7; head
    #   12); read (4,2), seek 8.  PTE 2: drop 5, write page B to fresh 4; re-read (3,1),
    #   seek |3 - 13| = 10.  PTE 3: re-read (5,1), seek 1.  The load asks for nothing
    #   more (it touched all its 2 pages).
    r = run(attrs.evolve(SCEN_P, load=Load(pages=2, pages_per_ms=4000.0)), "linear", "cluster")
    assert r.result == "ok"
    assert r.requests == [
        (2, 2, 9, 8000, "target"),
        (4, 2, 8, 8000, "target"),
        (3, 1, 10, 4000, "target"),
        (5, 1, 1, 4000, "target"),
    ]
    assert r.counters == counters(
        unuse_pte_range_calls=1,
        ptes_scanned=4,
        unuse_pte_calls=4,
        unuse_mm_calls=1,
        pages_read=6,
        io_requests=4,
        seek_slots=28,
        swapcache_peak=2,
        passes=1,
        pages_dropped=2,
        pages_written=4,
        pages_reread=2,
        cpu_ns=1742,
        io_ns=24_000 + 16_000,
        write_ns=16_000,
        reread_ns=8000,
    )
    assert r.final == {
        (100, 0, 0): ("fresh", 3, 2),
        (100, 0, 1): ("fresh", 4, 4),
        (100, 0, 2): ("present", 3),
        (100, 0, 3): ("present", 5),
    }
    assert r.load_fresh == [1, 2]
    assert r.fresh_map == [0, 1, 1, 1, 1, 0, 0, 0]
    assert r.free == 0


def test_ample_memory_reclaims_nothing(run: Callable[..., RefResult]) -> None:
    # 6 free pages hold every page read: nothing is dropped or written, and the run is
    # the one without pressure (same requests and counters).
    plain = run(attrs.evolve(SCEN_P, free_pages=None, reclaim=False, fresh=None), "linear")
    r = run(attrs.evolve(SCEN_P, free_pages=6), "linear")
    assert (r.result, r.requests, r.counters) == (plain.result, plain.requests, plain.counters)
    assert r.counters["pages_dropped"] == r.counters["pages_written"] == 0


def test_the_page_being_faulted_is_not_reclaimed(run: Callable[..., RefResult]) -> None:
    # Slot 2 shared by two mms: mm 100 page 0, and mm 101 page 0 (page 1 -> slot 3);
    # one free page, a fresh area of 8 slots on the same disk, zram, windows {2,3}.
    # linear-5.1 calls swapin_readahead for every swap PTE, even when the page is cached.
    # mm 100, PTE 0, slot 2: the window takes the free page for slot 2; slot 3 finds
    #   nothing to reclaim (slot 2's page is being read: not in the swap cache yet):
    #   skipped.  Request (2,1), seek 2; head 3.  Page P (slot 2's) mapped; slot 2 keeps
    #   mm 101's count, so P stays in the swap cache.
    # mm 101, PTE 0, slot 2 (cached): the window's slot 3 needs a page; reclaim finds
    #   nothing to drop, and P, mapped and clean in the swap cache, is the page being
    #   faulted: swapoff holds it, so it is not unmapped (were it, slot 2 would be
    #   restored from a page no longer there).  Slot 3 skipped, no request.  P mapped by
    #   mm 101 too; slot 2's count is 0: P leaves the swap cache, still mapped.
    # mm 101, PTE 1, slot 3: reclaim writes P (now out of the swap cache) to fresh slot
    #   1: position 9 from head 3, 4000 ns; head 10.  Slot 3 read into the freed page:
    #   (3,1), seek |3 - 10| = 7.
    # cpu: 3 PTEs x 500 + 2 page tables x 40000 + 2 unuse_mm x 500000 + 3 restores x
    #   300000 = 1_981_500 ps
    s = attrs.evolve(
        SCEN_P,
        free_pages=1,
        mms=(
            Mm(pid=100, vmas=(Vma(start=512 * 4096, pages=1, swapped=((0, 2),)),)),
            Mm(pid=101, vmas=(Vma(start=512 * 4096, pages=2, swapped=((0, 2), (1, 3))),)),
        ),
    )
    r = run(s, "linear-5.1", "cluster")
    assert r.result == "ok"
    assert r.requests == [(2, 1, 2, 4000, "target"), (3, 1, 7, 4000, "target")]
    assert r.counters == counters(
        unuse_pte_range_calls=2,
        ptes_scanned=3,
        unuse_pte_calls=3,
        unuse_mm_calls=2,
        pages_read=2,
        io_requests=2,
        seek_slots=9,
        swapcache_peak=1,
        passes=1,
        pages_written=1,
        cpu_ns=1981,
        io_ns=12_000,
        write_ns=4000,
    )
    assert r.final == {
        (100, 0, 0): ("fresh", 1, 2),
        (101, 0, 0): ("fresh", 1, 2),
        (101, 0, 1): ("present", 3),
    }
    assert r.fresh_map == [0, 2, 0, 0, 0, 0, 0, 0]
    assert r.swap_map == [0] * 8 and r.cached == set() and r.free == 0
