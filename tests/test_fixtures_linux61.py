"""A real Linux 6.1 kernel's swapoff, read for read (tests/data/linux-6.1, see its README).

Three captures from a qemu guest: `linear` with the matching readahead policy must make
the same number of unuse_pte_range calls and read the same slots in the same order.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.engine import RunOptions, run_swapoff
from models.invariants import check
from models.scenario import load_scenario

DATA = Path(__file__).parent / "data" / "linux-6.1"

CASES = [
    ("pc0", "none"),  # page_cluster 0 on a rotational device: no readahead
    ("pc3", "cluster-adaptive"),  # page_cluster 3, rotational: swap_cluster_readahead
    ("vma3", "vma"),  # page_cluster 3, non-rotational: swap_vma_readahead
]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "readahead"), CASES)
def test_linear_reproduces_the_kernel(name: str, readahead: str) -> None:
    kernel = json.loads((DATA / f"{name}.kernel.json").read_text())
    scenario = load_scenario(str(DATA / f"{name}.toml"))
    assert [m.pid for m in scenario.mms] == kernel["mmlist"]
    run = run_swapoff(scenario, RunOptions(algorithm="linear", readahead=readahead))
    assert run.result == "ok"
    assert run.counters.unuse_pte_range_calls == kernel["unuse_pte_range_calls"]
    reads = [s for q in run.requests for s in range(q.start, q.start + q.pages)]
    assert len(reads) == len(kernel["reads"])
    # compare in one go, but say where they part if they do
    first_diff = next(
        (i for i, (a, b) in enumerate(zip(reads, kernel["reads"], strict=True)) if a != b), None
    )
    assert first_diff is None, (
        f"read {first_diff} differs: {reads[first_diff - 2 : first_diff + 3]}"
    )
    assert check(run) == []


@pytest.mark.slow
def test_default_readahead_matches_the_kernels_choice() -> None:
    """The kernel used cluster readahead on the rotational device, VMA readahead otherwise."""
    for name, readahead in CASES[1:]:
        scenario = load_scenario(str(DATA / f"{name}.toml"))
        run = run_swapoff(scenario, RunOptions(algorithm="linear"))
        assert run.readahead == readahead
