"""The engine's fast paths under memory pressure (docs/engine.md, section 9).

The counters-only path (`keep_events=False`) applies a light record of each event,
and a one-page read skips `read_batch`.  Both were written for runs with unlimited
memory; under pressure every page read must still be allocated, and reclaim must run
when none is free.  So: a run under pressure through either fast path is the same run
as through the general one (every counter, the end state of each slot, reference and
fresh slot, the requests and the writes kept for --trace), and a tiny legacy run, all
of whose reads are one-page reads, is worked out by hand.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.algorithms import legacy
from models.engine import RunOptions, run_swapoff
from models.faults import parse_fault
from models.invariants import check
from models.kernel import swap_state
from models.scenario_model import DiskParams, FreshArea, Mm, Scenario, Vma
from models.sites import Site
from models.state import FRESH, PRESENT
from tests.profiles import examples
from tests.strategies import algorithms_and_readahead, scenarios


def _outcome(r):
    st_ = r.final
    mem = st_.mem
    assert mem is not None
    return (
        r.result,
        r.counters.as_dict(),
        bytes(st_.count),
        bytes(st_.cached),
        bytes(st_.ref_state),
        st_.ref_token.tobytes(),
        st_.clock,
        mem.free,
        mem.fresh_used,
        bytes(mem.fresh_count),
        list(mem.ref_fresh),
        list(mem.load_fresh),
    )


def _io(r):
    reads = [(q.t0, q.t1, q.start, q.pages, q.head, q.target, q.reason) for q in r.requests]
    writes = [(w.t0, w.t1, w.start, w.pages, w.head, w.seek_slots) for w in r.writes]
    return reads, writes


@settings(max_examples=examples(120))
@given(scenario=scenarios(pressure=True), pair=algorithms_and_readahead(include_default=True))
def test_counters_only_is_the_same_run_under_pressure(scenario, pair) -> None:
    algorithm, readahead = pair
    full = run_swapoff(scenario, RunOptions(algorithm, readahead))
    light = run_swapoff(scenario, RunOptions(algorithm, readahead, keep_events=False))
    assert light.events is None
    assert _outcome(light) == _outcome(full)
    assert _io(light) == _io(full)
    # the writes kept for --trace are real events even when nothing else is kept
    assert all(type(w).__name__ == "PageOut" for w in light.writes)


@settings(max_examples=examples(80))
@given(scenario=scenarios(pressure=True), pair=algorithms_and_readahead(include_default=True))
def test_one_page_reads_equal_read_batch_under_pressure(scenario, pair) -> None:
    algorithm, readahead = pair
    options = RunOptions(algorithm, readahead)
    fast = run_swapoff(scenario, options)

    def read_one(run, slot, site=Site.READ_SWAP_CACHE_ASYNC):
        swap_state.read_batch(run, (slot,), slot, site)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(swap_state, "read_swap_cache_async", read_one)
        mp.setattr(legacy, "read_swap_cache_async", read_one)  # imported by name
        slow = run_swapoff(scenario, options)
    assert _outcome(fast) == _outcome(slow)
    assert _io(fast) == _io(slow)
    assert fast.events == slow.events


@pytest.mark.parametrize("keep_events", [True, False])
def test_legacy_one_page_reads_reclaim(keep_events: bool) -> None:
    """legacy without readahead reads every slot alone (the one-page fast path).

    One mm, three swapped pages (slots 1, 2, 3, in page order), 1 free page, a fresh
    area of 8 slots on the same disk, no load.  legacy goes slot by slot:
    - slot 1: the free page is taken; the search restores page 0 and it is mapped;
      it leaves the swap cache but stays in memory (something maps it);
    - slot 2: no free page, so reclaim: nothing unmapped to drop (page 0 is mapped and
      out of the swap cache), so page 0, the only mapped page, is written to fresh
      slot 1 (one request) and its PTE holds that entry; the freed page holds slot 2;
    - slot 3: the same for page 1, into fresh slot 2.
    End: page 2 resident, pages 0 and 1 in fresh slots 1 and 2, nothing free, two
    pages written, none dropped, three read.  A fast path that skipped the allocation
    would write nothing and end with -2 free pages."""
    s = Scenario(
        name="legacy-one-page",
        slots=8,
        disk=DiskParams(kind="ssd"),
        free_pages=1,
        reclaim=True,
        fresh=FreshArea(slots=8, disk="shared"),
        mms=(Mm(pid=7, vmas=(Vma(start=512 * 4096, pages=3, swapped=((0, 1), (1, 2), (2, 3))),)),),
    )
    r = run_swapoff(s, RunOptions("legacy", "none", keep_events=keep_events))
    assert check(r) == []
    assert r.result == "ok"
    c, st_ = r.counters, r.final
    mem = st_.mem
    assert mem is not None
    assert (c.pages_read, c.io_requests, c.pages_written, c.pages_dropped) == (3, 3, 2, 0)
    assert (mem.free, mem.fresh_used) == (0, 2)
    assert list(st_.ref_state) == [FRESH, FRESH, PRESENT]
    assert list(mem.ref_fresh)[:2] == [1, 2]
    assert [(w.start, w.pages) for w in r.writes] == [(1, (0,)), (2, (1,))]


@settings(max_examples=examples(30))
@given(scenario=scenarios(pressure=True), granted=st.integers(0, 3))
def test_an_enomem_fault_under_pressure_is_the_same_on_both_paths(scenario, granted) -> None:
    """An enomem fault caps the allocations under pressure too, on either path."""
    faults = (parse_fault(f"enomem:after={granted}"),)
    full = run_swapoff(scenario, RunOptions("legacy", "none", faults=faults))
    light = run_swapoff(scenario, RunOptions("legacy", "none", faults=faults, keep_events=False))
    assert check(full) == []
    assert _outcome(light) == _outcome(full)
