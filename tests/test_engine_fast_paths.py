"""The engine's fast paths change nothing but speed.

- Counters only (`keep_events=False`): the engine applies a light record of each
  event instead of building it.  Every counter, the result, the end state of every
  slot and reference, the fired faults and the disk requests (kept for --trace) must
  be those of the same run with its events kept.
- One-page reads (`read_swap_cache_async`, and readahead windows of one page) skip
  `read_batch`'s lists: a run with them equals the same run through `read_batch`.
- `DiskModel.request_ns` adds the parts up without building them: it equals
  `parts(...).ns` for every kind of disk, head and request.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.algorithms import legacy
from models.cost import CpuCost, DiskModel
from models.engine import RunOptions, run_swapoff
from models.invariants import check
from models.kernel import swap_state
from models.machine import Machine
from models.run import OutOfMemory, Run
from models.scenario import load_preset
from models.scenario_model import DISK_KINDS, DiskParams, Mm, Scenario, Vma
from models.sites import Site
from models.state import ERROR
from tests.profiles import examples
from tests.strategies import algorithms_and_readahead, scenarios
from tests.test_faults import fault_mixes


def _outcome(r):
    st_ = r.final
    return (
        r.result,
        r.counters.as_dict(),
        bytes(st_.count),
        bytes(st_.cached),
        bytes(st_.ref_state),
        st_.ref_token.tobytes(),
        sorted(st_.unreadable),
        st_.clock,
        r.fired,
    )


def _requests(r):
    return [
        (q.t0, q.t1, q.start, q.pages, q.head, q.target, q.reason, q.failed) for q in r.requests
    ]


@pytest.mark.slow
@settings(max_examples=examples(200))
@given(data=st.data(), scenario=scenarios(), pair=algorithms_and_readahead(include_default=True))
def test_counters_only_is_the_same_run(data, scenario, pair) -> None:
    algorithm, readahead = pair
    faults = data.draw(fault_mixes(scenario))
    full = run_swapoff(scenario, RunOptions(algorithm, readahead, faults=faults))
    light = run_swapoff(
        scenario, RunOptions(algorithm, readahead, faults=faults, keep_events=False)
    )
    bare = run_swapoff(
        scenario,
        RunOptions(algorithm, readahead, faults=faults, keep_events=False, keep_requests=False),
    )
    assert light.events is None and bare.events is None
    assert _outcome(light) == _outcome(full) == _outcome(bare)
    assert _requests(light) == _requests(full)
    assert bare.requests == ()


def _through_read_batch(monkeypatch) -> None:
    """The one-page path as it was: every read through read_batch."""

    def read_one(run, slot, site=Site.READ_SWAP_CACHE_ASYNC):
        swap_state.read_batch(run, (slot,), slot, site)

    monkeypatch.setattr(swap_state, "read_swap_cache_async", read_one)
    monkeypatch.setattr(legacy, "read_swap_cache_async", read_one)  # imported by name


@settings(max_examples=examples(120))
@given(data=st.data(), scenario=scenarios(), pair=algorithms_and_readahead(include_default=True))
def test_one_page_reads_equal_read_batch(data, scenario, pair) -> None:
    algorithm, readahead = pair
    faults = data.draw(fault_mixes(scenario))
    options = RunOptions(algorithm, readahead, faults=faults)
    fast = run_swapoff(scenario, options)
    with pytest.MonkeyPatch.context() as mp:
        _through_read_batch(mp)
        slow = run_swapoff(scenario, options)
    assert _outcome(fast) == _outcome(slow)
    assert _requests(fast) == _requests(slow)
    assert fast.events == slow.events


def test_one_page_read_hand_computed() -> None:
    """demo's legacy reads slot by slot: what it reads and charges is fixed by hand.

    A cached, a free or a bad slot costs no request; an uncached slot in use is one
    request of one page whose target is itself; no memory left for the target is
    ENOMEM before any request."""
    scenario = load_preset("demo")
    machine = Machine(scenario)
    run = Run(
        machine,
        "legacy",
        "none",
        DiskModel(scenario.disk, scenario.slots),
        CpuCost.from_params(scenario.cpu),
        keep_events=False,
    )
    used = next(iter(machine.used_slots))
    bad = min(machine.bad)
    free = next(
        s for s in range(1, scenario.slots) if not run.state.count[s] and s not in machine.bad
    )
    swap_state.read_swap_cache_async(run, free)
    swap_state.read_swap_cache_async(run, bad)
    assert run.requests == []
    swap_state.read_swap_cache_async(run, used)
    swap_state.read_swap_cache_async(run, used)  # now cached: no second request
    assert [(q.start, q.pages, q.target, q.reason) for q in run.requests] == [
        (used, 1, used, "target")
    ]
    assert run.state.cached[used] and run.state.counters.pages_read == 1
    run.free_pages = run.state.allocated  # nothing left to allocate
    other = next(s for s in machine.used_slots if s != used)
    with pytest.raises(OutOfMemory):
        swap_state.read_swap_cache_async(run, other)
    assert len(run.requests) == 1 and not run.state.cached[other]


@settings(max_examples=examples(400))
@given(
    kind=st.sampled_from(DISK_KINDS),
    slots=st.integers(2, 1 << 26),
    skip=st.integers(0, 512),
    head=st.integers(0, 1 << 26),
    start=st.integers(1, 1 << 26),
    pages=st.integers(1, 512),
    near=st.booleans(),
)
def test_request_ns_equals_the_parts(kind, slots, skip, head, start, pages, near) -> None:
    if near:  # the hdd's three cases meet around the head: look there often
        start = max(1, head + start % (2 * skip + 3) - skip - 1)
    disk = DiskModel(DiskParams(kind=kind, skip_slots=skip), slots)
    assert disk.request_ns(head, start, pages) == disk.parts(head, start, pages).ns


def test_invariants_read_the_columns() -> None:
    """check() walks the reference columns: a corrupted end state is named by reference
    and slot (demo on linear ends with every reference PRESENT)."""
    r = run_swapoff(load_preset("demo"), RunOptions("linear"))
    assert check(r) == []
    refs = r.machine.refs
    slot0, slot1 = refs.slot[0], refs.slot[1]
    r.final.ref_token[0] ^= 1  # reference 0 holds someone else's bytes
    r.final.ref_state[1] = ERROR  # reference 1 claims a failed read of a good slot
    problems = check(r)
    assert any(p.endswith(f"wrong content (slot {slot0})") for p in problems), problems
    assert any(p.endswith(f"error marker but slot {slot1} read fine") for p in problems)


@pytest.mark.parametrize(
    "vma",
    [
        Vma(0x10000, 4, True, (), ((5, 1),)),  # a page past the VMA's end
        Vma(0x10000, 4, True, (), ((-1, 1),)),  # and before its start
        Vma(0x10000, 4, False, (), ((1, 1),)),  # a file VMA: no anon page tables
    ],
)
def test_a_swapped_page_without_a_page_table_is_refused(vma: Vma) -> None:
    """Machine compiles references column by column; a page no unit covers is still an
    error naming the mm, the page and the VMA."""
    scenario = Scenario(name="x", slots=8, mms=(Mm(7, "p", None, (vma,)),))
    with pytest.raises(ValueError, match=r"mm 7: page -?\d of vma 0 has no page table"):
        Machine(scenario)
