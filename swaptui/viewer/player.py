"""The viewing state of one run: which frame, which granularity, how fast.

Pure Python, no Textual: the app drives it and the tests poke it directly.  It never
changes the simulation, it only picks which precomputed frame of the timeline to show.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from attrs import evolve, frozen

from models.algorithms import APP_CYCLE
from models.engine import OptionError, RunOptions, configure, run_swapoff
from models.events import GRANULARITIES
from models.faults import check_faults
from models.invariants import check
from models.scenario_model import DISK_KINDS, Fault, Scenario
from models.state import SWAP
from models.timeline import FrameView, Timeline
from swaptui.viewer.jobs import Job
from swaptui.viewer.pace import SPEEDS as SPEEDS
from swaptui.viewer.pace import Pace, choose_pace, neighbour, speed_for

# `a` cycles through the registry's algorithms but those it keeps out of the cycle
# (linear-5.1, the walk as first merged: --algo and the command palette reach it)
ALGO_CYCLE = APP_CYCLE
DISK_CYCLE = DISK_KINDS
# None: the engine's default for the algorithm and disk
READAHEAD_CYCLE: tuple[str | None, ...] = (None, "none", "cluster", "cluster-adaptive", "vma")
DEFAULT_SPEED = 5
DEFAULT_GRANULARITY = "range"


@frozen
class Extras:
    """The engine flags that stay the same when a, d, r or c picks another run:
    injected faults (--fault) and cost overrides (--disk-param, --cpu-param)."""

    faults: tuple[Fault, ...] = ()
    disk_params: tuple[tuple[str, float], ...] = ()
    cpu_params: tuple[tuple[str, float], ...] = ()

    @classmethod
    def of(cls, options: RunOptions) -> Extras:
        return cls(options.faults, options.disk_params, options.cpu_params)


NO_EXTRAS = Extras()


@frozen
class RunKey:
    """What selects a run of the scenario (the engine is deterministic in these)."""

    algorithm: str
    disk: str | None
    readahead: str | None
    extras: Extras = NO_EXTRAS

    def options(self) -> RunOptions:
        return RunOptions(
            algorithm=self.algorithm,
            readahead=self.readahead,
            disk=self.disk,
            disk_params=self.extras.disk_params,
            cpu_params=self.extras.cpu_params,
            faults=self.extras.faults,
        )

    def but(self, **changes: Any) -> RunKey:
        """The same key with some of algorithm, disk, readahead changed."""
        return evolve(self, **changes)


def check_key(scenario: Scenario, key: RunKey) -> None:
    """Refuse what the engine would refuse, before running it (OptionError)."""
    configured, _ra = configure(scenario, key.options())
    try:
        check_faults(configured, configured.faults + key.extras.faults)
    except ValueError as e:
        raise OptionError(str(e)) from None


@frozen
class Outcome:
    """How a run ended: try_to_unuse's result, the swap entries still held at the end,
    and what models.invariants finds wrong with the end state (empty: nothing)."""

    result: str
    left: int
    problems: tuple[str, ...]

    @property
    def broken(self) -> bool:
        return bool(self.problems)


_OUTCOMES: weakref.WeakKeyDictionary[Timeline, Outcome] = weakref.WeakKeyDictionary()


def outcome(timeline: Timeline) -> Outcome:
    """The run's Outcome, checked once per timeline (build_timeline does it in the worker)."""
    found = _OUTCOMES.get(timeline)
    if found is None:
        run = timeline.run
        left = timeline.final.ref_state.count(SWAP)
        found = _OUTCOMES[timeline] = Outcome(run.result, left, tuple(check(run)))
    return found


def build_timeline(
    scenario: Scenario, key: RunKey, job: Job | None = None, *, check_end: bool = True
) -> Timeline:
    """Run the engine, index its frames and (`check_end`) check its end state;
    OptionError for a refused combination.

    `job`, if given, is told each phase and the engine's progress (the screen shows it).
    The screen leaves the check out (`settle` does it once the run is on screen: its
    verdict only decorates the last frame)."""
    # after a loading step (viewer.runs: 1 of 3), or the first of two (three with the check)
    steps = 2 + check_end
    first, steps = (job.step + 1, job.steps) if job is not None and job.steps else (1, steps)
    if job is not None:
        job.enter("running the engine", first, steps)
    run = run_swapoff(scenario, key.options(), progress=job.reporter() if job else None)
    if job is not None:
        job.enter("indexing the frames", first + 1, steps)
    timeline = Timeline(run)
    if check_end:
        if job is not None:
            job.enter("checking the end state", first + 2, steps)
        outcome(timeline)
    return timeline


def settle(timeline: Timeline, check: Callable[[], None] = lambda: None) -> None:
    """What a run on screen still needs, done in its worker: the check of its end state
    (the `⚠ left behind` mark and the verdict of the last frame), then the rest of its
    checkpoints (a jump far ahead then replays no more than a checkpoint's worth).
    `check` may raise to stop it."""
    check()
    outcome(timeline)
    timeline.warm(check)


def next_in(cycle: tuple[str | None, ...], value: str | None) -> str | None:
    i = cycle.index(value) if value in cycle else -1
    return cycle[(i + 1) % len(cycle)]


class Player:
    """Which frame of a run is on screen, at which step size and speed.

    Every run gets its own pace (`viewer.pace`): the step size and speed that play it
    in about a minute, chosen again for every new run (a, d, r, o).  What the user
    chose stays instead: a step size (--granularity, `[` `]`, the palette, a script)
    and a speed (`+` `-`, --speed, a script); a chosen step size alone gets the speed
    that plays it in about a minute.
    """

    def __init__(
        self,
        scenario: Scenario,
        timeline: Timeline,
        key: RunKey,
        granularity: str | None = None,
    ) -> None:
        if granularity is not None and granularity not in GRANULARITIES:
            raise ValueError(f"unknown granularity {granularity!r}")
        self.scenario = scenario
        self.timeline = timeline
        self.key = key
        self.fixed = granularity  # the step size the user asked for, or None
        self.granularity = granularity or DEFAULT_GRANULARITY
        self._speed = DEFAULT_SPEED
        self.speed_fixed = False  # the user chose the speed
        self.frame = 0
        self.playing = False
        self._carry = 0.0  # fractional frames owed by the play clock
        self._view: FrameView | None = None
        self._counts: dict[str, int] | None = None
        self.repace()

    # ---- what to show ---------------------------------------------------------------
    @property
    def frames(self) -> int:
        return self.timeline.frame_count(self.granularity)

    @property
    def last_frame(self) -> int:
        return self.frames - 1

    def counts(self) -> dict[str, int]:
        """Frames of this run at every step size."""
        if self._counts is None:
            self._counts = {g: self.timeline.frame_count(g) for g in GRANULARITIES}
        return self._counts

    def view(self) -> FrameView:
        v = self._view
        if v is None or v.frame != self.frame or v.granularity != self.granularity:
            v = self._view = self.timeline.view(self.granularity, self.frame)
        return v

    def play_seconds(self) -> float:
        """Wall seconds the whole run takes at the current step size and speed."""
        return Pace(self.granularity, self.speed).seconds(self.frames)

    @property
    def speed(self) -> int:
        """Frames a second while playing."""
        return self._speed

    @speed.setter
    def speed(self, value: int) -> None:
        # set from outside (keys, --speed, a script): the user's choice, kept
        self._speed = value
        self.speed_fixed = True

    def repace(self) -> None:
        """The run's own step size and speed, but for what the user chose."""
        counts = self.counts()
        if self.fixed is None:
            pace = choose_pace(counts)
            self.granularity = pace.granularity
            if not self.speed_fixed:
                self._speed = pace.speed
        elif not self.speed_fixed:
            self._speed = speed_for(counts[self.granularity])

    # ---- moving ---------------------------------------------------------------------
    def seek(self, frame: int) -> bool:
        """Go to a frame (clamped); True if it changed."""
        frame = max(0, min(frame, self.last_frame))
        changed = frame != self.frame
        self.frame = frame
        if self.frame == self.last_frame:
            self.playing = False
        return changed

    def step(self, n: int) -> bool:
        return self.seek(self.frame + n)

    def seek_tenth(self, k: int) -> bool:
        """Jump to k tenths of the run (0: the start, 5: the middle)."""
        return self.seek(round(self.last_frame * k / 10))

    def set_granularity(self, granularity: str) -> None:
        """The user's choice of step size (kept for the runs to come); the frame on
        screen stays (about) the same, and unless the user chose a speed too, the speed
        becomes the one that plays this step size in about a minute."""
        self.fixed = granularity
        if not self.speed_fixed:  # and the speed that plays it in about a minute
            self._speed = speed_for(self.counts()[granularity])
        if granularity == self.granularity:
            return
        self.frame = self.timeline.convert(self.frame, self.granularity, granularity)
        self.granularity = granularity
        self._view = None

    def finer(self) -> bool:
        """A step size with more frames than this one (False: none is finer)."""
        g = neighbour(self.counts(), self.granularity, finer=True)
        if g is None:
            return False
        self.set_granularity(g)
        return True

    def coarser(self) -> bool:
        """A step size with fewer frames than this one (False: none is coarser)."""
        g = neighbour(self.counts(), self.granularity, finer=False)
        if g is None:
            return False
        self.set_granularity(g)
        return True

    def faster(self) -> bool:
        i = SPEEDS.index(self.speed) if self.speed in SPEEDS else 0
        self.speed = SPEEDS[min(i + 1, len(SPEEDS) - 1)]
        return i + 1 < len(SPEEDS)

    def slower(self) -> bool:
        i = SPEEDS.index(self.speed) if self.speed in SPEEDS else 0
        self.speed = SPEEDS[max(i - 1, 0)]
        return i > 0

    def toggle(self) -> bool:
        """Play or pause; playing at the last frame starts again from the first."""
        if not self.playing and self.frame == self.last_frame:
            self.frame = 0
        self.playing = not self.playing
        self._carry = 0.0
        return self.playing

    def tick(self, elapsed_s: float) -> bool:
        """Advance by the frames `elapsed_s` of wall time are worth at the current speed.

        Frames in between are skipped, never queued: a slow render only makes the
        next jump longer.
        """
        if not self.playing:
            return False
        self._carry += elapsed_s * self.speed
        n = int(self._carry)
        if n <= 0:
            return False
        self._carry -= n
        return self.step(n)

    def replace(self, scenario: Scenario, timeline: Timeline, key: RunKey) -> None:
        """A new run (algorithm, disk, readahead or scenario changed): back to frame 0,
        at the new run's own pace."""
        self.scenario = scenario
        self.timeline = timeline
        self.key = key
        self.frame = 0
        self._carry = 0.0
        self._view = None
        self._counts = None
        self.repace()
