"""The timeline: frames at every granularity, states rebuilt from checkpoints, partial events."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from models import events as ev
from models.algorithms.legacy_search import search_visits
from models.engine import RunOptions, run_swapoff
from models.events import GRANULARITIES
from models.state import State
from models.timeline import Timeline
from tests.profiles import examples
from tests.strategies import algorithms_and_readahead, scenarios

SETTINGS = settings(max_examples=examples(120))


def _snapshot(st: State) -> tuple:
    return (bytes(st.count), bytes(st.cached), bytes(st.ref_state), st.head, st.counters.as_dict())


@SETTINGS
@given(scenario=scenarios(), pair=algorithms_and_readahead(), data=st.data())
def test_frames_replay_the_run(scenario, pair, data):
    run = run_swapoff(scenario, RunOptions(algorithm=pair[0], readahead=pair[1]))
    tl = Timeline(run)
    for g in GRANULARITIES:
        n = tl.frame_count(g)
        assert n >= 2 or not run.events
        first, last = tl.view(g, 0), tl.view(g, n - 1)
        # frame 0 is the machine before swapoff, the last frame the run's end
        assert first.counters.as_dict() == State(run.machine).counters.as_dict()
        assert _snapshot(last.state) == _snapshot(run.final)
        assert last.counters.as_dict() == run.counters.as_dict()
        assert last.finished
        # counters never go backwards from one frame to the next
        frames = sorted(data.draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=12)))
        views = [tl.view(g, i) for i in frames]
        for a, b in itertools.pairwise(views):
            for name, value in a.counters.as_dict().items():
                assert b.counters.as_dict()[name] >= value, (g, name)
            assert b.time_ns >= a.time_ns
        # stepping back gives exactly what stepping forward gave
        i = data.draw(st.integers(0, n - 1))
        forward = _snapshot(tl.view(g, i).state)
        tl.view(g, n - 1)
        assert _snapshot(tl.view(g, i).state) == forward


@SETTINGS
@given(scenario=scenarios(), pair=algorithms_and_readahead())
def test_pte_frames_count_every_pte(scenario, pair):
    """At pte granularity each PTE examined is its own frame, with the counter one higher."""
    run = run_swapoff(scenario, RunOptions(algorithm=pair[0], readahead=pair[1]))
    tl = Timeline(run)
    n = tl.frame_count("pte")
    walked = [tl.view("pte", i) for i in range(min(n, 400))]
    for a, b in itertools.pairwise(walked):
        step = b.counters.ptes_scanned - a.counters.ptes_scanned
        assert step in (0, 1) or (isinstance(b.event, ev.Search) and b.progress is None)


@SETTINGS
@given(
    scenario=scenarios(max_mms=5), pair=st.sampled_from([("legacy", "none"), ("legacy", "cluster")])
)
def test_legacy_search_fast_path_equals_literal_walk(scenario, pair):
    """search() sums whole-mm walks with prefix sums; search_visits() walks mm by mm.

    Both must give the same unuse_mm calls, unuse_pte_range calls, PTEs and restores.
    """
    run = run_swapoff(scenario, RunOptions(algorithm=pair[0], readahead=pair[1]))
    tl = Timeline(run)
    for i, e in enumerate(run.events or ()):
        if not isinstance(e, ev.Search):
            continue
        before = tl.state_before(i)
        visits = list(
            search_visits(run.machine, before.ref_state, e.slot, e.first_pos, before.active)
        )
        assert sum(v.mm >= 0 for v in visits) == e.unuse_mm_calls
        assert sum(v.calls for v in visits) == e.calls
        assert sum(v.ptes for v in visits) == e.ptes
        assert tuple(v.restored for v in visits if v.restored >= 0) == e.restored


@SETTINGS
@given(scenario=scenarios(), pair=algorithms_and_readahead(), data=st.data())
def test_granularity_conversion_keeps_time_order(scenario, pair, data):
    run = run_swapoff(scenario, RunOptions(algorithm=pair[0], readahead=pair[1]))
    tl = Timeline(run)
    src, dst = data.draw(st.sampled_from(GRANULARITIES)), data.draw(st.sampled_from(GRANULARITIES))
    i = data.draw(st.integers(0, tl.frame_count(src) - 1))
    j = tl.convert(i, src, dst)
    assert 0 <= j < tl.frame_count(dst)
    # the converted frame never lies after the original in simulated time
    if j > 0:
        assert tl.view(dst, j).time_ns <= max(tl.view(src, i).time_ns, tl.view(dst, 1).time_ns)


@SETTINGS
@given(scenario=scenarios(), pair=algorithms_and_readahead(), data=st.data())
def test_frame_at_time(scenario, pair, data):
    run = run_swapoff(scenario, RunOptions(algorithm=pair[0], readahead=pair[1]))
    tl = Timeline(run)
    g = data.draw(st.sampled_from(GRANULARITIES))
    end = run.counters.total_ns
    assert tl.frame_at_time(g, end + 1) == tl.frame_count(g) - 1
    assert tl.frame_at_time(g, -1) == 0
    t = data.draw(st.integers(0, max(0, end)))
    i = tl.frame_at_time(g, t)
    assert tl.view(g, i).time_ns <= max(t, 0) or i == tl.frame_count(g) - 1


def test_hand_computed_frames():
    """One mm, one VMA of 3 pages in one page table, slot 1 at page 1; linear, no readahead.

    Events: PassStart, UnuseMm, Walk(PTEs 0..1: 1 call), Lookup(miss), DiskRequest(slot 1),
    UnusePte, FreeSwapCache(freed), Walk(PTE 2: no new call), Done.
    pte frames: initial + PassStart, UnuseMm, PTE 0, PTE 1, Lookup, DiskRequest, UnusePte,
    FreeSwapCache, PTE 2, Done = 11.  range frames: initial, the one unit entered, end = 3.
    entry: initial, slot 1 freed, end = 3.  mm: initial, unuse_mm, end = 3.
    """
    from models.scenario_model import Mm, Scenario, Vma

    s = Scenario(
        name="t",
        slots=4,
        mms=(Mm(pid=1, vmas=(Vma(start=0x400000, pages=3, swapped=((1, 1),)),)),),
    )
    tl = Timeline(run_swapoff(s, RunOptions(algorithm="linear", readahead="none")))
    assert [tl.frame_count(g) for g in GRANULARITIES] == [11, 3, 3, 3, 2]
    v = tl.view("pte", 4)  # after PTE 1, the swap PTE, before its lookup
    assert v.cursor is not None and (v.cursor.ordinal, v.cursor.vpage) == (1, 0x400 + 1)
    assert v.counters.ptes_scanned == 2 and v.counters.unuse_pte_range_calls == 1
    assert tl.view("entry", 1).state.count[1] == 0
    assert tl.view("range", 1).counters.ptes_scanned == 1


def test_frames_show_the_memory_the_swap_cache_holds():
    """Two mms, one VMA each, slots 1, 2 and 3 in use (slot 2 shared by both); zram.

    prefetch reads 1-3 in one request before any walk: from that frame on the swap
    cache holds 3 pages (peak 3).  mm 1 restores slot 1 (freed: 2 pages held) and its
    share of slot 2 (kept for mm 2); mm 2 restores slot 2 (1 held) and 3 (none).  The
    peak stays 3 to the end.  linear reads as it walks: 1 (freed at once), 2 (kept
    until mm 2 restores it), 3 (after 2 was freed): it never holds more than 1 page.
    """
    from models.scenario_model import Mm, Scenario, Vma

    s = Scenario(
        name="m",
        slots=8,
        page_cluster=0,
        mms=(
            Mm(pid=1, vmas=(Vma(start=0x400000, pages=4, swapped=((0, 1), (1, 2))),)),
            Mm(pid=2, vmas=(Vma(start=0x800000, pages=4, swapped=((0, 2), (1, 3))),)),
        ),
    )
    tl = Timeline(run_swapoff(s, RunOptions(algorithm="prefetch", readahead="none", disk="zram")))
    views = [tl.view("pte", i) for i in range(tl.frame_count("pte"))]
    held = [v.swapcache_pages for v in views]
    peak = [v.swapcache_peak for v in views]
    read = next(i for i, v in enumerate(views) if isinstance(v.event, ev.DiskRequest))
    assert held[:read] == [0] * read and held[read] == 3 and peak[read] == 3
    after = [h for h, v in zip(held, views, strict=True) if isinstance(v.event, ev.FreeSwapCache)]
    assert after == [2, 1, 0]
    assert held[-1] == 0 and peak[-1] == 3 and peak == sorted(peak)
    lin = Timeline(run_swapoff(s, RunOptions(algorithm="linear", readahead="none", disk="zram")))
    most = max(lin.view("pte", i).swapcache_pages for i in range(lin.frame_count("pte")))
    assert most == 1 == lin.view("pte", lin.frame_count("pte") - 1).swapcache_peak
