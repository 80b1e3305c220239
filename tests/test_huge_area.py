"""A tiny scenario on a 256 GiB swap area (#18): the simulated scan is charged as the
kernel pays it, every swap_map entry read, while the engine only visits slots in use.

Its wall time is measured by tests/bench/engine.py (`256gib`), not asserted here.
"""

from __future__ import annotations

from array import array

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models import events as ev
from models.algorithms import ALGORITHMS
from models.engine import RunOptions, run_swapoff
from models.invariants import check
from models.machine import SlotRefs
from models.scenario import validate_scenario
from models.scenario.limits import MAX_SLOTS
from models.scenario_model import Mm, Scenario, Vma

SLOTS = 67_108_864  # 256 GiB of 4 KiB pages
BASE = 0x7F00_0000_0000  # page 0x7f0000000: the start of a page table

# mm A: one VMA of 64 pages, 0-9 resident, pages 10, 11, 20 in slots 4, 5, 67,108,000;
# mm B: one VMA of 64 pages, pages 10 and 30 in slots 33,554,432 and 6.  Each mm has one
# page table under its VMA: one walk unit of 64 PTEs.
HUGE = Scenario(
    name="huge",
    slots=SLOTS,
    mms=(
        Mm(1, "a", None, (Vma(BASE, 64, True, ((0, 10),), ((10, 4), (11, 5), (20, 67_108_000))),)),
        Mm(2, "b", None, (Vma(BASE, 64, True, (), ((10, 33_554_432), (30, 6))),)),
    ),
)
SCAN_PS = 20_000  # slot_scan_ns 20

# The walk of both mms once (rfc, linear, linear-5.1, prefetch's phase 2):
# 2 unuse_mm x 500 ns + 2 calls x 40 ns + 128 PTEs x 0.5 ns + 5 restores x 300 ns = 2,644 ns
WALK_NS = 2 * 500 + 2 * 40 + 128 // 2 + 5 * 300

# legacy, slot by slot (start_mm heuristic):
#   slot 4 (A, page 10): from init_mm, A is walked to PTE 10: 11 PTEs, 1 call, 1 mm,
#     1 restore = 5.5 + 40 + 500 + 300 = 845.5 ns; start_mm = A
#   slot 5 (A, page 11): A to PTE 11: 6 + 40 + 500 + 300 = 846
#   slot 6 (B, page 30): A whole (32 + 40 + 500 = 572), then B to PTE 30
#     (15.5 + 40 + 500 + 300 = 855.5); start_mm = B
#   slot 33,554,432 (B, page 10): B to PTE 10: 845.5
#   slot 67,108,000 (A, page 20): B whole (572), init_mm passed, A to PTE 20
#     (10.5 + 40 + 500 + 300 = 850.5); start_mm = A
# searches: 5,387 ns.  The scan: up to the last slot in use (67,108,000 entries), on to
# the end (863 more), then once round from slot 1 to where it was (67,108,000): 134,216,863
# swap_map reads x 20 ns = 2,684,337,260 ns.
LEGACY_SEARCH_NS = 5_387
LEGACY_SCANNED = 67_108_000 + 863 + 67_108_000

# prefetch's phase 1 reads swap_map from slot 1 to the end once: 67,108,863 entries; the
# walk after it finds everything cached, and no tail sweep runs (nothing left in use).
PREFETCH_SCANNED = SLOTS - 1


def test_the_limit_admits_a_256_gib_area() -> None:
    assert MAX_SLOTS >= SLOTS
    validate_scenario(HUGE)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_the_scan_is_charged_entry_by_entry(algorithm: str) -> None:
    run = run_swapoff(HUGE, RunOptions(algorithm, disk="zram"))
    assert run.result == "ok" and check(run) == []
    assert run.events is not None
    scanned = sum(e.examined for e in run.events if isinstance(e, ev.SwapMapScan))
    expect_scanned = {"legacy": LEGACY_SCANNED, "prefetch": PREFETCH_SCANNED}.get(algorithm, 0)
    assert scanned == expect_scanned
    walk = LEGACY_SEARCH_NS if algorithm == "legacy" else WALK_NS
    assert run.counters.cpu_ns == walk + expect_scanned * SCAN_PS // 1000
    if algorithm == "legacy":
        assert run.counters.cpu_ns == 2_684_342_647


@given(st.lists(st.integers(1, 65_535), max_size=60))
def test_the_slot_index_is_the_same_built_either_way(slots_of_refs: list[int]) -> None:
    """SlotRefs counts per slot on an ordinary area and sorts the references on a huge,
    nearly empty one: the same references give the same index both ways."""
    ref_slot = array("q", slots_of_refs)
    dense = SlotRefs(ref_slot, 65_536)  # at most 8 x refs + 65,536 slots: counted
    sparse = SlotRefs(ref_slot, SLOTS)  # 256 GiB: sorted
    assert len(dense) == len(sparse) == len(set(slots_of_refs))
    for slot in sorted(set(slots_of_refs)):
        expect = [r for r, s in enumerate(slots_of_refs) if s == slot]
        assert dense[slot] == sparse[slot] == expect
        assert dense.count(slot) == sparse.count(slot) == len(expect)
    assert list(dense) == list(sparse) == sorted(set(slots_of_refs))
