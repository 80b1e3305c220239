"""The fast engine against the naive reference walker (tests/reference.py).

The reference walks explicit page tables PTE by PTE, the way the kernel loops do;
the engine folds walks into Walk/Search events and counts legacy with prefix sums.
On random scenarios, for every algorithm x readahead pair, every counter, the
request order, the final state of every reference and the result must agree.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from models.engine import RunOptions, run_swapoff
from models.invariants import check
from models.machine import ANON
from models.state import PRESENT, SWAP
from tests.profiles import examples
from tests.reference import reference_run
from tests.strategies import algorithms_and_readahead, scenarios


def _compare(scenario, algorithm, readahead):
    ref = reference_run(scenario, algorithm, readahead)
    got = run_swapoff(scenario, RunOptions(algorithm=algorithm, readahead=readahead))
    assert got.result == ref.result
    assert got.counters.as_dict() == ref.counters
    requests = [
        (q.start, q.pages, q.seek_slots, (q.t1 - q.t0) // 1000, q.reason) for q in got.requests
    ]
    assert requests == [tuple(r) for r in ref.requests]
    # every reference ends where the reference walker left it
    m = got.machine
    for i, r in enumerate(m.refs):
        if r.kind == ANON:
            key = (scenario.mms[r.owner].pid, r.vma, r.page)
        else:
            key = ("shmem", r.owner, r.page)
        kind, slot = ref.final[key][0], ref.final[key][-1]
        assert slot == r.slot
        expect = {"present": PRESENT, "swap": SWAP, "shmem": PRESENT}.get(kind, PRESENT)
        if kind == "swap":
            assert got.final.ref_state[i] == SWAP, key
        else:
            assert got.final.ref_state[i] == expect, key
    assert list(got.final.count) == ref.swap_map
    assert {s for s in range(scenario.slots) if got.final.cached[s]} == ref.cached
    assert check(got) == []


@settings(max_examples=examples(300))
@given(scenario=scenarios(), pair=algorithms_and_readahead(include_default=True))
def test_engine_matches_reference(scenario, pair):
    algorithm, readahead = pair
    _compare(scenario, algorithm, readahead)


@settings(max_examples=examples(60))
@given(
    scenario=scenarios(max_slots=200, max_mms=5, max_vma_pages=1500),
    pair=algorithms_and_readahead(),
    page_cluster=st.integers(0, 5),
)
def test_engine_matches_reference_larger(scenario, pair, page_cluster):
    from attrs import evolve

    algorithm, readahead = pair
    _compare(evolve(scenario, page_cluster=page_cluster), algorithm, readahead)
