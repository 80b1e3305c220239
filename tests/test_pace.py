"""The default pace of a run (step size and speed) and the order of the step sizes.

The frame counts below are the real ones of the presets (`Timeline.frame_count`),
copied so that each expectation can be checked by hand.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from models.events import GRANULARITIES
from models.scenario import load_preset
from swaptui.viewer.pace import (
    LIMIT_S,
    MIN_FRAMES,
    SPEEDS,
    Pace,
    choose_pace,
    neighbour,
    speed_for,
    step_order,
)
from swaptui.viewer.player import Player, RunKey, build_timeline

DEMO_LEGACY = {"pte": 1080, "range": 169, "entry": 42, "mm": 74, "pass": 2}
DEMO_LINEAR = {"pte": 238, "range": 14, "entry": 42, "mm": 6, "pass": 2}
KELLEY_LEGACY = {
    "pte": 5_773_909_455,
    "range": 22_690_539,
    "entry": 12_802,
    "mm": 170_772,
    "pass": 2,
}
KELLEY_LINEAR = {"pte": 1_812_547, "range": 6_939, "entry": 12_802, "mm": 52, "pass": 2}
RFC3_LEGACY_ENTRY = 61_442


def test_step_order_follows_the_frame_counts() -> None:
    # legacy: one entry is a whole mmlist search, many unuse_mm calls: mm is finer
    assert step_order(KELLEY_LEGACY) == ("pte", "range", "mm", "entry", "pass")
    # linear: one unuse_mm per process, thousands of entries freed in each: entry is finer
    assert step_order(KELLEY_LINEAR) == ("pte", "entry", "range", "mm", "pass")
    assert step_order(DEMO_LEGACY) == ("pte", "range", "mm", "entry", "pass")


def test_step_sizes_with_the_same_frames_count_once() -> None:
    # range and entry both cut the run into 5 frames: only range (first in the usual order)
    counts = {"pte": 10, "range": 5, "entry": 5, "mm": 3, "pass": 3}
    assert step_order(counts) == ("pte", "range", "mm")
    # so ] from range skips entry (the same frames) and lands on mm
    assert neighbour(counts, "range", finer=False) == "mm"
    assert neighbour(counts, "entry", finer=False) == "mm"
    assert neighbour(counts, "entry", finer=True) == "pte"


def test_brackets_move_to_genuinely_finer_and_coarser_steps() -> None:
    # the example: ] from entry on legacy must not go to mm (170,772 frames)
    assert neighbour(KELLEY_LEGACY, "entry", finer=False) == "pass"
    assert neighbour(KELLEY_LEGACY, "entry", finer=True) == "mm"
    assert neighbour(KELLEY_LEGACY, "pte", finer=True) is None
    assert neighbour(KELLEY_LEGACY, "pass", finer=False) is None
    assert neighbour(KELLEY_LINEAR, "entry", finer=False) == "range"


def test_demo_keeps_its_range_steps_at_five_a_second() -> None:
    # pte: 1,079 steps at the legible 10/s is 108 s, over the 75 s limit; range: 168
    # steps fit (16.8 s at 10/s); the slowest speed within 75 s: 2/s is 84 s, 5/s 33.6 s
    assert choose_pace(DEMO_LEGACY) == Pace("range", 5)
    # linear's pte run has 237 steps: 23.7 s at 10/s; 2/s is 118.5 s, 5/s 47.4 s
    assert choose_pace(DEMO_LINEAR) == Pace("pte", 5)


def test_full_scale_presets_play_in_about_a_minute() -> None:
    # no step fits at 10/s (mm, 52 frames, is below MIN_FRAMES for linear); the finest
    # within 75 s at 1000/s is entry: 12,801 steps, 200/s makes 64 s (100/s: 128 s)
    assert choose_pace(KELLEY_LEGACY) == Pace("entry", 200)
    assert choose_pace(KELLEY_LINEAR) == Pace("entry", 200)
    assert Pace("entry", 200).seconds(12_802) == 64.005
    rfc3 = {"pte": 10**10, "range": 10**8, "entry": RFC3_LEGACY_ENTRY, "mm": 900_000, "pass": 2}
    # 61,441 steps: 1000/s is 61.4 s (500/s: 123 s)
    assert choose_pace(rfc3) == Pace("entry", 1000)


def test_a_run_too_big_for_a_minute_takes_the_coarsest_real_step_at_full_speed() -> None:
    counts = {"pte": 10**9, "range": 10**8, "entry": 10**6, "mm": 10**5, "pass": 2}
    # every step over 60 frames needs more than 75 s at 1000/s: mm (100,000) is the
    # coarsest of them (pass has 2 frames: a slide show)
    assert choose_pace(counts) == Pace("mm", 1000)


def test_a_run_of_a_few_frames_shows_them_all_slowly() -> None:
    counts = {"pte": 30, "range": 5, "entry": 5, "mm": 2, "pass": 2}
    # nothing reaches 60 frames: the finest (30 frames) at 1/s (29 s)
    assert choose_pace(counts) == Pace("pte", 1)


def test_speed_for() -> None:
    assert speed_for(1) == 1
    assert speed_for(76) == 1  # 75 steps: 75 s
    assert speed_for(77) == 2
    assert speed_for(10**9) == SPEEDS[-1]


COUNTS = st.fixed_dictionaries({g: st.integers(1, 10**10) for g in GRANULARITIES})


@given(COUNTS)
def test_pace_properties(counts: dict[str, int]) -> None:
    pace = choose_pace(counts)
    order = step_order(counts)
    assert pace.granularity in order and pace.speed in SPEEDS
    playable = [g for g in order if MIN_FRAMES <= counts[g] <= LIMIT_S * SPEEDS[-1] + 1]
    if playable:
        # something plays in about a minute: the chosen step does, and no finer one
        # would at any speed
        assert pace.seconds(counts[pace.granularity]) <= LIMIT_S
        assert pace.granularity == playable[0] or ((counts[pace.granularity] - 1) / 10 <= LIMIT_S)
    for g in order:
        finer = neighbour(counts, g, finer=True)
        coarser = neighbour(counts, g, finer=False)
        assert finer is None or counts[finer] > counts[g]
        assert coarser is None or counts[coarser] < counts[g]


def test_player_jumps_by_tenths_and_orders_the_steps_of_its_run() -> None:
    sc = load_preset("demo")
    key = RunKey("legacy", None, None)
    p = Player(sc, build_timeline(sc, key), key)
    assert (p.granularity, p.speed) == ("range", 5) and p.frames == 169
    p.seek_tenth(5)
    assert p.frame == 84  # round(168 * 5 / 10)
    p.seek_tenth(9)
    assert p.frame == 151  # round(151.2)
    p.seek_tenth(0)
    assert p.frame == 0
    p.set_granularity("entry")
    assert p.finer() and p.granularity == "mm"  # 74 frames against entry's 42
    assert p.coarser() and p.granularity == "entry"
    assert p.coarser() and p.granularity == "pass"
    assert not p.coarser()


def test_a_new_run_gets_its_own_pace_unless_a_step_was_asked_for() -> None:
    sc = load_preset("demo")
    legacy, linear = RunKey("legacy", None, None), RunKey("linear", None, None)
    p = Player(sc, build_timeline(sc, legacy), legacy)
    p.replace(sc, build_timeline(sc, linear), linear)
    assert (p.granularity, p.speed) == ("pte", 5)
    fixed = Player(sc, build_timeline(sc, legacy), legacy, "entry")
    # entry keeps: 41 steps play within 75 s at 1/s
    assert (fixed.granularity, fixed.speed) == ("entry", 1)
    fixed.replace(sc, build_timeline(sc, linear), linear)
    assert fixed.granularity == "entry"


def test_what_the_user_chose_stays_for_the_next_run() -> None:
    sc = load_preset("demo")
    legacy, linear = RunKey("legacy", None, None), RunKey("linear", None, None)
    p = Player(sc, build_timeline(sc, legacy), legacy)
    assert p.coarser() and p.granularity == "mm"  # ] from range: mm (74 frames)
    p.replace(sc, build_timeline(sc, linear), linear)
    # the step size stays; the speed follows it: linear has 6 mm frames, 1/s
    assert (p.granularity, p.speed) == ("mm", 1)
    assert p.faster() and p.speed == 2
    p.replace(sc, build_timeline(sc, legacy), legacy)
    assert (p.granularity, p.speed) == ("mm", 2)  # both chosen: both stay
