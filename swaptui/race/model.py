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
from pathlib import Path

from attrs import frozen

from models import events as ev
from models.algorithms import ALGORITHMS, registry
from models.breakdown import Breakdown, Parts
from models.cost import CpuCost, DiskModel
from models.engine import OptionError, RunResult, run_swapoff
from models.narrate import duration
from models.scenario import load_scenario
from models.scenario_model import DISK_KINDS, Scenario
from models.timeline import FrameView, Timeline
from swaptui.viewer.jobs import Job
from swaptui.viewer.player import NO_EXTRAS, Extras, RunKey
from swaptui.widgets.numbers import pages_size

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
    if mode in registry.algorithm(algorithm).refused:
        # (legacy has no faulting PTE for a VMA window): the nearest policy it takes
        return "cluster-adaptive"
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
            events,
            DiskModel(scen.disk, scen.slots),
            CpuCost.from_params(scen.cpu),
            run.machine.refs.slot,
        )
        # under memory pressure: the bars of reclaim's writes and re-reads
        self.pressure = run.final.mem is not None
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
    peak_pages: int = 0  # the most pages it held in the swap cache at once
    # under memory pressure: the time of reclaim's writes and of the re-reads (ns)
    reclaim_ns: int | None = None


def ratio_text(slow_ns: int, fast_ns: int) -> str:
    if fast_ns <= 0:
        return "∞x" if slow_ns > 0 else "1x"
    r = slow_ns / fast_ns
    return f"{r:.0f}x" if r >= 10 else f"{r:.1f}x"


def _t(f: Finish) -> str:
    return duration(f.total_ns * 1000)


def memory_text(finishes: Sequence[Finish]) -> str:
    """'swap cache at most: legacy 4 KB, prefetch 240 MB': the memory each side held;
    under memory pressure also what reclaim's writes and re-reads cost each side."""
    text = "swap cache at most: " + ", ".join(
        f"{f.algorithm} {pages_size(f.peak_pages)}" for f in finishes
    )
    if any(f.reclaim_ns is not None for f in finishes):
        text += " · writes and re-reads under memory pressure: " + ", ".join(
            f"{f.algorithm} {duration((f.reclaim_ns or 0) * 1000)}" for f in finishes
        )
    return text


def verdict_text(finishes: Sequence[Finish], disk: str = "") -> str:
    """'legacy is 5.2x faster than linear on hdd (4.25 s vs 21.9 s)', the same shape for
    two and three sides (the fastest named first), then what each held in memory.

    A side that gave up (ENOMEM, EINTR) is no contender: it is named apart, last."""
    on = f" on {disk}" if disk else ""
    quit_ = [f for f in finishes if f.result != "ok"]
    gave_up = ", ".join(f"{f.algorithm} gave up with {f.result} after {_t(f)}" for f in quit_)
    ran = [f for f in finishes if f.result == "ok"]
    if not ran:
        return gave_up
    if quit_ and len(ran) == 1:
        return f"{ran[0].algorithm} finished in {_t(ran[0])}{on}; {gave_up}"
    if quit_:
        return f"{verdict_text(ran, disk)}; {gave_up}"
    order = sorted(ran, key=lambda f: (f.total_ns, f.algorithm))
    first, rest = order[0], order[1:]
    times = " vs ".join(_t(f) for f in order)
    if all(f.total_ns == first.total_ns for f in rest):
        names = " and ".join(f.algorithm for f in order)
        race = f"{names} tie{on} ({_t(first)}): a dead heat"
    else:
        ratios = " and ".join(
            f"{ratio_text(f.total_ns, first.total_ns)} faster than {f.algorithm}" for f in rest
        )
        race = f"{first.algorithm} is {ratios}{on} ({times})"
    return f"{race} · {memory_text(order)}"


@frozen
class RaceSpec:
    """A race to build: the scenario (or a preset name or path to load first), the
    algorithms, the disk (None: the scenario's), the readahead mode and the extras."""

    source: Scenario | str
    algorithms: tuple[str, ...] = DEFAULT_ALGOS
    disk: str | None = None
    readahead: str = "default"
    extras: Extras = NO_EXTRAS

    @property
    def name(self) -> str:
        src = self.source
        return src.name if isinstance(src, Scenario) else Path(src).stem

    def build(self, job: Job | None = None) -> Race:
        """Load the scenario if need be and run every side (RaceError, ScenarioError)."""
        if isinstance(self.source, str):
            if job is not None:
                job.enter(f"loading {Path(self.source).name}", 1, 1 + 2 * len(self.algorithms))
            scenario = load_scenario(self.source)
        else:
            scenario = self.source
        return Race(
            scenario, self.algorithms, self.disk, self.readahead, extras=self.extras, job=job
        )


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
        job: Job | None = None,
    ) -> None:
        """Run every side (seconds for a full-scale preset: `job`, if given, is told
        which side and phase is running, and the engine's progress)."""
        if disk is not None and disk not in DISK_KINDS:
            raise RaceError(f"unknown disk {disk!r} (choose from {', '.join(DISK_KINDS)})")
        self.scenario = scenario
        self.algorithms = tuple(algorithms)
        self.readahead = readahead
        self.extras = extras  # faults and cost overrides, the same on every side
        sides = []
        n = len(self.algorithms)
        first = job.step if job is not None and job.steps else 0
        steps = first + 2 * n
        for i, a in enumerate(self.algorithms):
            key = RunKey(a, disk, readahead_for(a, readahead), extras)
            opts = key.options()
            if job is not None:
                job.enter(f"{a}: running the engine", first + 2 * i + 1, steps)
            try:
                run = run_swapoff(scenario, opts, progress=job.reporter() if job else None)
            except OptionError as e:
                raise RaceError(f"{a}: {e}") from None
            if job is not None:
                job.enter(f"{a}: indexing the frames", first + 2 * i + 2, steps)
            sides.append(RaceSide(run))
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

    def seek_tenth(self, k: int) -> None:
        """Jump the clock to k tenths of the race (0: the start, 5: half the slower
        side's time)."""
        self.seek(self.end_ps * k // 10)

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
        return [
            Finish(
                s.algorithm,
                s.total_ns,
                s.run.result,
                s.run.counters.swapcache_peak,
                s.run.counters.write_ns + s.run.counters.reread_ns if s.pressure else None,
            )
            for s in self.sides
        ]

    def verdict(self) -> str | None:
        """The verdict line once every side has finished, else None."""
        if not self.finished:
            return None
        return verdict_text(self.finishes(), self.disk)

    def wall_seconds(self) -> float:
        """Wall seconds the whole race takes at the current speed."""
        return self.end_ps / self.rate / self.speed

    def speed_text(self) -> str:
        s = self.speed
        return f"{s:g}x"
