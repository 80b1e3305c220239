"""Memory pressure: the engine against the naive reference walker (docs/engine.md, section 9).

Random scenarios with random memory limits, the fresh area on the old area's disk, on
its own or absent, and sometimes a concurrent load, through every algorithm and
readahead policy: the engine and `tests/reference.py` (whose reclaim is
`tests/reference_pressure.py`, written from the rules) must agree on the result,
every counter, every disk request, where every page ended, both swap maps and the
free pages; and the invariants must hold.
"""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.engine import RunOptions, run_swapoff
from models.invariants import check
from models.kernel import vmscan
from models.machine import ANON
from models.scenario import load_preset
from models.scenario_model import FreshArea
from models.state import FRESH, PRESENT, SWAP
from tests import reference_pressure
from tests.profiles import examples
from tests.reference import reference_run
from tests.strategies import algorithms_and_readahead, scenarios

STATES = {"present": PRESENT, "swap": SWAP, "fresh": FRESH}


def compare(scenario, algorithm, readahead):
    ref = reference_run(scenario, algorithm, readahead)
    got = run_swapoff(scenario, RunOptions(algorithm=algorithm, readahead=readahead))
    assert got.result == ref.result
    assert got.counters.as_dict() == ref.counters
    requests = [
        (q.start, q.pages, q.seek_slots, (q.t1 - q.t0) // 1000, q.reason) for q in got.requests
    ]
    assert requests == [tuple(r) for r in ref.requests]
    m, st = got.machine, got.final
    mem = st.mem
    assert mem is not None
    for i, r in enumerate(m.refs):
        if r.kind == ANON:
            key = (scenario.mms[r.owner].pid, r.vma, r.page)
        else:
            key = ("shmem", r.owner, r.page)
        cell = ref.final[key]
        assert cell[-1] == r.slot
        assert st.ref_state[i] == STATES[cell[0]], key
        if cell[0] == "fresh":
            assert mem.ref_fresh[i] == cell[1], key
    assert list(st.count) == ref.swap_map
    assert {s for s in range(scenario.slots) if st.cached[s]} == ref.cached
    assert mem.free == ref.free
    assert list(mem.fresh_count) == ref.fresh_map
    assert list(mem.load_fresh) == ref.load_fresh
    assert check(got) == []
    return got


@settings(max_examples=examples(300))
@given(scenario=scenarios(pressure=True), pair=algorithms_and_readahead(include_default=True))
def test_engine_matches_reference_under_pressure(scenario, pair):
    algorithm, readahead = pair
    compare(scenario, algorithm, readahead)


@settings(max_examples=examples(60))
@given(
    scenario=scenarios(max_slots=200, max_mms=5, max_vma_pages=1500, pressure=True),
    pair=algorithms_and_readahead(),
)
def test_engine_matches_reference_under_pressure_larger(scenario, pair):
    algorithm, readahead = pair
    compare(scenario, algorithm, readahead)


@settings(max_examples=examples(200))
@given(
    scenario=scenarios(max_slots=120, pressure=True),
    pair=algorithms_and_readahead(),
    batch=st.sampled_from((1, 3, 8)),
)
def test_engine_matches_reference_with_small_reclaim_batches(scenario, pair, batch):
    """SWAP_CLUSTER_MAX is 32 in both; small scenarios rarely hold more than 32 pages
    reclaim could take, so the order rules (oldest read dropped first, mapped longest
    ago written first, pages still in the old swap cache passed over) only decide
    something with a smaller batch.  Both sides take it from their own constant."""
    algorithm, readahead = pair
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(vmscan, "SWAP_CLUSTER_MAX", batch)
        mp.setattr(reference_pressure, "RECLAIM_BATCH", batch)
        compare(scenario, algorithm, readahead)


@pytest.mark.parametrize("batch", (1, 5, 32))
@pytest.mark.parametrize("where", (None, "shared", "own"))
@pytest.mark.parametrize("algorithm", ("legacy", "rfc", "linear", "linear-5.1", "prefetch"))
def test_demo_under_pressure_matches_reference(algorithm, where, batch):
    """The demo preset with 8 free pages: every algorithm runs out of memory early, so
    reclaim decides every read after the first few (prefetch's phase 1 reads 34 pages
    into 8, dropping the oldest as it goes)."""
    fresh = None if where is None else FreshArea(slots=64, disk=where)
    s = attrs.evolve(load_preset("demo"), free_pages=8, reclaim=True, fresh=fresh)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(vmscan, "SWAP_CLUSTER_MAX", batch)
        mp.setattr(reference_pressure, "RECLAIM_BATCH", batch)
        got = compare(s, algorithm, None)
    if where is not None:
        assert got.result == "ok" and got.counters.pages_written > 0
    else:
        assert got.result == "ENOMEM"
