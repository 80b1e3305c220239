"""Compact checkpoints: a timeline keeps only the span of slots some reference names,
and every state it rebuilds from them equals the one replayed from the start."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models import timeline as timeline_mod
from models.engine import RunOptions, run_swapoff
from models.state import State
from models.timeline import Timeline
from tests.profiles import examples
from tests.strategies import algorithms_and_readahead, scenarios
from tests.test_faults import fault_mixes


def _whole(st_: State) -> tuple:
    return (
        bytes(st_.count),
        bytes(st_.cached),
        bytes(st_.ref_state),
        st_.ref_token.tobytes(),
        sorted(st_.unreadable),
        bytes(st_.active),
        st_.head,
        st_.inuse,
        st_.cache_size,
        st_.clock,
        st_.counters.as_dict(),
    )


@settings(max_examples=examples(120))
@given(data=st.data(), scenario=scenarios(), pair=algorithms_and_readahead())
def test_states_from_compact_checkpoints_equal_the_replay(data, scenario, pair) -> None:
    faults = data.draw(fault_mixes(scenario))
    run = run_swapoff(scenario, RunOptions(pair[0], pair[1], faults=faults))
    every = data.draw(st.integers(1, 5))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(timeline_mod, "MIN_EVERY", every)  # many checkpoints mid-run
        tl = Timeline(run)
    assert tl.every == every
    replay = State(run.machine)
    for i, e in enumerate(tl.events):
        assert _whole(tl.state_before(i)) == _whole(replay), i
        replay.apply(e)
    assert _whole(tl.final) == _whole(replay) == _whole(tl.state_before(len(tl.events)))


def test_a_checkpoint_keeps_only_the_named_span() -> None:
    """fragmented names slots 1 to 4,851 of 8,192: a checkpoint holds that span only."""
    from models.scenario import load_preset

    run = run_swapoff(load_preset("fragmented"), RunOptions("linear"))
    tl = Timeline(run)
    lo, hi = tl._span
    named = run.machine.slot_refs.slots
    assert (lo, hi) == (named[0], named[-1] + 1)
    cp = tl._checkpoints[-1]
    assert len(cp.count) == len(cp.cached) == hi - lo < run.machine.slots


def test_a_slot_in_use_outside_the_span_means_whole_checkpoints() -> None:
    """Should an event ever give a slot no reference names a count or a cached page,
    the compact copies would lose it: the timeline sees it at the checkpoint and keeps
    whole ones.  Here the span is made to miss the first named slot (in use from the
    start)."""
    from array import array

    from models.scenario import load_preset

    run = run_swapoff(load_preset("demo"), RunOptions("linear"))
    refs = run.machine.slot_refs
    named = refs.slots
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(refs, "slots", array("q", named[1:]))
        tl = Timeline(run)
    assert tl._span == (0, run.machine.slots)
    replay = State(run.machine)
    for i, e in enumerate(tl.events):
        assert _whole(tl.state_before(i)) == _whole(replay), i
        replay.apply(e)


@settings(max_examples=examples(60))
@given(data=st.data(), scenario=scenarios(), pair=algorithms_and_readahead())
def test_checkpoints_taken_on_demand_in_any_order_give_the_replayed_states(
    data, scenario, pair
) -> None:
    """Checkpoints are taken when a state past them is first asked for: asking in any
    order (a jump to the end first, then back) gives the states of a plain replay."""
    run = run_swapoff(scenario, RunOptions(pair[0], pair[1]))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(timeline_mod, "MIN_EVERY", data.draw(st.integers(1, 5)))
        tl = Timeline(run)
    replay = State(run.machine)
    expected = []
    for e in tl.events:
        expected.append(_whole(replay))
        replay.apply(e)
    expected.append(_whole(replay))
    order = data.draw(st.permutations(range(len(expected))))
    for i in order:
        assert _whole(tl.state_before(i)) == expected[i], i


def test_a_new_timeline_holds_one_checkpoint_until_asked_or_warmed() -> None:
    """demo linear, a checkpoint every 4 events: the timeline starts with the initial
    state only; a state at event 9 takes checkpoints 0, 1 and 2 (events 0, 4, 8);
    warm takes the rest, ceil(events / 4) in all; a warm told to stop stops."""
    from models.scenario import load_preset

    run = run_swapoff(load_preset("demo"), RunOptions("linear"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(timeline_mod, "MIN_EVERY", 4)
        tl = Timeline(run)
    assert tl.every == 4 and len(tl._checkpoints) == 1 and not tl.checkpointed
    tl.state_before(9)
    assert len(tl._checkpoints) == 3

    class Stop(Exception):
        pass

    def stop() -> None:
        raise Stop

    with pytest.raises(Stop):
        tl.warm(stop)
    assert len(tl._checkpoints) == 3
    tl.warm()
    assert tl.checkpointed and len(tl._checkpoints) == -(-len(tl.events) // 4)
