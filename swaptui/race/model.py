"""Race mode without Textual: two or three runs of one scenario on one simulated clock.

Every side is an ordinary engine run (`run_swapoff`) of the same scenario, disk and
cost model; only the algorithm (and its readahead) differs.  The race owns a single
clock in simulated picoseconds; each side shows the frame its own timeline has at
that time, so the side that needs less simulated time visibly finishes first.

Playback maps simulated time to wall time so that the slower side takes about a
minute at 1x, whatever the scenario: a 1 ms race and a 40 s race both fill a talk's
minute.  The speed keys scale that.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from attrs import frozen

from models import events as ev
from models.algorithms import ALGORITHMS
from models.breakdown import Breakdown, Parts
from models.cost import CpuCost, DiskModel
from models.engine import OptionError, RunResult, run_swapoff
from models.narrate import duration
from models.scenario_model import DISK_KINDS, Scenario
from models.timeline import FrameView, Timeline
from swaptui.viewer.player import NO_EXTRAS, Extras, RunKey

DEFAULT_ALGOS = ("legacy", "linear")
RACE_SECONDS = 60.0  # wall seconds the slower side takes at 1x
SPEEDS = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
DEFAULT_SPEED = 1.0
# readahead for the whole race: each algorithm's kernel default; nobody reads ahead;
# everybody does (legacy then uses swapin_readahead, the variant Hugh tried in 2014).
RA_MODES = ("default", "none", "on")
RA_LABELS = {
    "default": "default readahead",
    "none": "no readahead",
    "on": "readahead for all",
}
# the frames of a race side: one per PTE, so that a long walk moves under the eye
GRANULARITY = "pte"


class RaceError(ValueError):
    """A race the user asked for that cannot be run (bad algorithm list, refused option)."""


def parse_algos(text: str) -> tuple[str, ...]:
    """`legacy,linear` -> ('legacy', 'linear'); two or three distinct known algorithms."""
    names = tuple(a.strip() for a in text.split(",") if a.strip())
    for a in names:
        if a not in ALGORITHMS:
            raise RaceError(f"unknown algorithm {a!r} (choose from {', '.join(ALGORITHMS)})")
    if len(set(names)) != len(names):
        raise RaceError(f"--algos {text!r}: an algorithm cannot race itself")
    if not 2 <= len(names) <= 3:
        raise RaceError(f"--algos {text!r}: a race needs two or three algorithms")
    return names


def race_algorithms(current: str) -> tuple[str, ...]:
    """What `c` races from the single-run screen: the algorithm on screen against legacy
    (the seed's debate), or legacy against linear when legacy is on screen."""
    if current == "legacy" or current not in ALGORITHMS:
        return DEFAULT_ALGOS
    return ("legacy", current)


def readahead_for(algorithm: str, mode: str) -> str | None:
    """The engine's readahead option for one side under a race-wide mode (or a policy name)."""
    if mode == "default":
        return None
    if mode == "on":
        # legacy's default is `none`: give it swapin_readahead with the full page-cluster
        # window, the change Hugh tried and found "at best risible" on a hard disk (legacy
        # already reads in order); the others read ahead by default
        return "cluster" if algorithm == "legacy" else None
    if mode == "vma" and algorithm == "legacy":
        return "cluster-adaptive"  # legacy has no faulting PTE for a VMA window
    return mode


def _in_flight(events: Sequence[ev.Event]) -> tuple[list[int], list[int], list[int]]:
    """(t0, t1, event index) of the events that take time, for 'what runs at t'."""
    t0: list[int] = []
    t1: list[int] = []
    idx: list[int] = []
    for i, e in enumerate(events):
        if e.t1 > e.t0:
            t0.append(e.t0)
            t1.append(e.t1)
            idx.append(i)
    return t0, t1, idx


class RaceSide:
    """One algorithm's run, its timeline and its time breakdown."""

    def __init__(self, run: RunResult) -> None:
        self.run = run
        self.algorithm = run.algorithm
        self.timeline = Timeline(run)
        events = self.timeline.events
        # the run's end on the simulated clock: total_ns of the counters, in ps
        self.total_ps = events[-1].t1 if events else 0
        scen = run.scenario
        self.breakdown = Breakdown(
            events, DiskModel(scen.disk, scen.slots), CpuCost.from_params(scen.cpu)
        )
        self._t0, self._t1, self._idx = _in_flight(events)
        self._view: FrameView | None = None
        self._frame = -1

    @property
    def total_ns(self) -> int:
        return self.run.counters.total_ns

    def finished_at(self, t_ps: int) -> bool:
        return t_ps >= self.total_ps

    def frame_at(self, t_ps: int) -> int:
        """The frame to show at simulated time t_ps.

        A disk request in progress is shown as its own frame (the request in flight on
        the head bar and the swap_map); CPU work in progress as the PTE reached so far.
        """
        tl = self.timeline
        last = tl.frame_count(GRANULARITY) - 1
        if t_ps >= self.total_ps:
            return last
        k = bisect.bisect_right(self._t0, t_ps) - 1
        if k >= 0 and t_ps < self._t1[k]:
            i = self._idx[k]
            if isinstance(tl.events[i], ev.DiskRequest):
                return tl.frame_of_event(GRANULARITY, i)
        return tl.frame_at_time(GRANULARITY, t_ps // 1000)

    def view_at(self, t_ps: int) -> FrameView:
        frame = self.frame_at(t_ps)
        if self._view is None or frame != self._frame:
            self._view = self.timeline.view(GRANULARITY, frame)
            self._frame = frame
        return self._view

    def parts_at(self, t_ps: int) -> Parts:
        return self.breakdown.at(min(t_ps, self.total_ps))


@frozen
class Finish:
    algorithm: str
    total_ns: int
    result: str = "ok"  # "ENOMEM", "EINTR": the side gave up (an injected fault)


def ratio_text(slow_ns: int, fast_ns: int) -> str:
    if fast_ns <= 0:
        return "∞x" if slow_ns > 0 else "1x"
    r = slow_ns / fast_ns
    return f"{r:.0f}x" if r >= 10 else f"{r:.1f}x"


def verdict_text(finishes: Sequence[Finish]) -> str:
    """'linear finished in 410 ms, legacy in 12.9 s: 31x faster' (fastest named first).

    A side that gave up (ENOMEM, EINTR) is no contender: it is named apart, last."""
    quit_ = [f for f in finishes if f.result != "ok"]
    gave_up = ", ".join(
        f"{f.algorithm} gave up with {f.result} after {duration(f.total_ns * 1000)}" for f in quit_
    )
    finishes = [f for f in finishes if f.result == "ok"]
    if not finishes:
        return gave_up
    if quit_ and len(finishes) == 1:
        only = finishes[0]
        return f"{only.algorithm} finished in {duration(only.total_ns * 1000)}; {gave_up}"
    if quit_:
        return f"{verdict_text(finishes)}; {gave_up}"
    order = sorted(finishes, key=lambda f: (f.total_ns, f.algorithm))
    first = order[0]
    parts = [f"{first.algorithm} finished in {duration(first.total_ns * 1000)}"]
    parts += [f"{f.algorithm} in {duration(f.total_ns * 1000)}" for f in order[1:]]
    text = ", ".join(parts)
    if all(f.total_ns == first.total_ns for f in order):
        return text + ": a dead heat"
    if len(order) == 2:
        return f"{text}: {ratio_text(order[1].total_ns, first.total_ns)} faster"
    ratios = [
        f"{ratio_text(f.total_ns, first.total_ns)} faster than {f.algorithm}" for f in order[1:]
    ]
    return f"{text}: {first.algorithm} is " + " and ".join(ratios)


class Race:
    """The sides and the shared clock; pure, so the tests drive it without a screen."""

    def __init__(
        self,
        scenario: Scenario,
        algorithms: Sequence[str] = DEFAULT_ALGOS,
        disk: str | None = None,
        readahead: str = "default",
        *,
        extras: Extras = NO_EXTRAS,
    ) -> None:
        if disk is not None and disk not in DISK_KINDS:
            raise RaceError(f"unknown disk {disk!r} (choose from {', '.join(DISK_KINDS)})")
        self.scenario = scenario
        self.algorithms = tuple(algorithms)
        self.readahead = readahead
        self.extras = extras  # faults and cost overrides, the same on every side
        sides = []
        for a in self.algorithms:
            key = RunKey(a, disk, readahead_for(a, readahead), extras)
            opts = key.options()
            try:
                sides.append(RaceSide(run_swapoff(scenario, opts)))
            except OptionError as e:
                raise RaceError(f"{a}: {e}") from None
        self.sides = sides
        self.disk = sides[0].run.disk
        self.clock_ps = 0
        self.speed = DEFAULT_SPEED
        self.playing = True
        self.end_ps = max(s.total_ps for s in sides)
        # simulated picoseconds per wall second at 1x
        self.rate = max(1.0, self.end_ps / RACE_SECONDS)

    # ---- the clock ------------------------------------------------------------------
    @property
    def finished(self) -> bool:
        return self.clock_ps >= self.end_ps

    def tick(self, elapsed_s: float) -> bool:
        """Advance the clock by the wall time elapsed; True if it moved."""
        if not self.playing or self.finished:
            return False
        self.seek(self.clock_ps + round(elapsed_s * self.rate * self.speed))
        return True

    def seek(self, t_ps: int) -> None:
        self.clock_ps = max(0, min(int(t_ps), self.end_ps))
        if self.finished:
            self.playing = False

    def to_end(self) -> None:
        self.seek(self.end_ps)

    def restart(self) -> None:
        self.clock_ps = 0
        self.playing = True

    def toggle(self) -> bool:
        if self.finished:
            self.restart()
            return True
        self.playing = not self.playing
        return self.playing

    def faster(self) -> bool:
        i = SPEEDS.index(self.speed) if self.speed in SPEEDS else SPEEDS.index(1.0)
        self.speed = SPEEDS[min(i + 1, len(SPEEDS) - 1)]
        return i + 1 < len(SPEEDS)

    def slower(self) -> bool:
        i = SPEEDS.index(self.speed) if self.speed in SPEEDS else SPEEDS.index(1.0)
        self.speed = SPEEDS[max(i - 1, 0)]
        return i > 0

    # ---- what to say ----------------------------------------------------------------
    def finishes(self) -> list[Finish]:
        return [Finish(s.algorithm, s.total_ns, s.run.result) for s in self.sides]

    def verdict(self) -> str | None:
        """The verdict line once every side has finished, else None."""
        if not self.finished:
            return None
        return verdict_text(self.finishes())

    def wall_seconds(self) -> float:
        """Wall seconds the whole race takes at the current speed."""
        return self.end_ps / self.rate / self.speed

    def speed_text(self) -> str:
        s = self.speed
        return f"{s:g}x"
