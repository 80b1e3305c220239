"""The hand-computed scenarios of test_reference.py, run again on the fast engine.

Each of those tests works out every counter and request of a tiny scenario step by
step (the reasoning is in its comments) and checks the naive walker against it.  Here
the same tests run with `reference_run` replaced by the engine, so the hand-computed
numbers bind the engine directly, not only through the cross-check.
"""

from __future__ import annotations

import pytest

from models.engine import OptionError, RunOptions, run_swapoff
from models.machine import ANON
from models.state import PRESENT, SWAP
from tests import test_reference
from tests.reference import RefResult

HAND_TESTS = [
    "test_legacy_a",
    "test_linear_a",
    "test_linear_a_hdd_costs",
    "test_rfc_a",
    "test_linear_b_cluster_adaptive",
    "test_linear_51_and_rfc_b_cluster_adaptive",
    "test_legacy_b_cluster_adaptive",
    "test_linear_b_enomem",
    "test_enomem_readahead_before_target",
    "test_linear_d_vma",
    "test_linear_51_d_vma",
    "test_linear_c_shmem_then_mms",
    "test_rfc_c_shmem_and_idle_mm",
    "test_legacy_c_shmem",
    "test_refusals_and_defaults",
    "test_prefetch_a",
    "test_prefetch_batches_of_256",
    "test_prefetch_a_memory_runs_out",
]


def engine_run(scenario, algorithm, readahead=None, disk_kind=None) -> RefResult:
    """The engine's answer in the reference walker's shape."""
    try:
        r = run_swapoff(
            scenario, RunOptions(algorithm=algorithm, readahead=readahead, disk=disk_kind)
        )
    except OptionError as e:
        raise ValueError(str(e)) from None
    m, st = r.machine, r.final
    final: dict[tuple, tuple[str, int]] = {}
    for i, ref in enumerate(m.refs):
        if ref.kind == ANON:
            key: tuple = (scenario.mms[ref.owner].pid, ref.vma, ref.page)
        else:
            key = ("shmem", ref.owner, ref.page)
        final[key] = ("swap" if st.ref_state[i] == SWAP else "present", ref.slot)
        assert st.ref_state[i] in (SWAP, PRESENT)
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
    )


@pytest.mark.parametrize("name", HAND_TESTS)
def test_engine_gives_the_hand_computed_answers(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(test_reference, "reference_run", engine_run)
    getattr(test_reference, name)()
