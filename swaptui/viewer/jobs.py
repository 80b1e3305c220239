"""A computation the screen is waiting for, and how far it got.

Building a run of a full-scale preset takes seconds: generating the scenario, the
engine, indexing the frames, checking the end state.  The worker thread that does
it writes its phase and, where the engine reports one, the fraction done into a
`Job`; the screen reads it on every beat of its clock and says what is being
computed and how far it is, so that no key press is followed by silence.

A thread cannot be stopped from outside, so a computation nobody waits for any more
(another key replaced it, the screen closed, the app quits) stops itself: every
phase and every progress report asks the job's `abandoned` check, and raises
`Abandoned` when it says so.  Without that, each press of `a` on a full-scale preset
left a run computing to its end: they piled up, took the CPU from the screen, and
quitting waited for all of them.
Pure Python, no Textual.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from attrs import define, field

BAR_CELLS = 12
# the screens that show a job (the app's and the race's) share these
TICK_S = 1 / 30  # the play clock; faster speeds skip frames instead of ticking faster
PAINT_WAIT_S = 0.5  # the longest a computation waits for the screen to say it started
JOB_REPAINT_S = 0.25  # progress redrawn a few times a second: more takes the GIL from the worker
EIGHTHS = " ▏▎▍▌▋▊▉█"


class Abandoned(Exception):
    """Raised in the computing thread: nobody waits for this job any more."""


def _never() -> bool:
    return False


@define
class Job:
    """What is being computed (`what`) and its progress: the phase and, when known, the
    fraction of it done.  Written by one worker thread, read by the UI thread: plain
    attribute stores, each atomic."""

    what: str
    phase: str = "starting"
    fraction: float | None = None
    step: int = 0  # which phase, 1-based, of `steps`
    steps: int = 0
    started: float = field(factory=time.monotonic)
    # asked at every phase and report (the worker's "am I cancelled?")
    abandoned: Callable[[], bool] = field(default=_never, repr=False)

    def check(self) -> None:
        """Abandoned if nobody waits for this job any more."""
        if self.abandoned():
            raise Abandoned(self.what)

    def enter(self, phase: str, step: int = 0, steps: int = 0) -> None:
        """A new phase begins (its fraction unknown until reported)."""
        self.check()
        self.fraction = None
        self.phase = phase
        self.step, self.steps = step, steps

    def report(self, fraction: float) -> None:
        self.check()
        self.fraction = min(1.0, max(0.0, fraction))

    def reporter(self) -> Callable[[float], None]:
        return self.report

    def elapsed(self, now: float | None = None) -> float:
        return (time.monotonic() if now is None else now) - self.started

    def line(self, now: float | None = None, width: int = 1000) -> str:
        """'computing linear on kelley-50m: 2/4 running the engine ▕████▌  ▏ 45% · 1.2 s'
        (without the bar when that would not fit in `width`)."""
        count = f"{self.step}/{self.steps} " if self.steps else ""
        head = f"computing {self.what}: {count}{self.phase}"
        tail = f" · {self.elapsed(now):.1f} s"
        if self.fraction is None:
            return head + tail
        with_bar = f"{head} {bar(self.fraction)} {self.fraction:.0%}{tail}"
        return with_bar if len(with_bar) <= width else f"{head} {self.fraction:.0%}{tail}"

    def short(self) -> str:
        """For the header: 'computing linear 45%' or 'computing linear…'."""
        if self.fraction is not None:
            return f"computing {self.what.split(' ')[0]} {self.fraction:.0%}"
        return f"computing {self.what.split(' ')[0]}…"


def bar(fraction: float, cells: int = BAR_CELLS) -> str:
    """A progress bar in eighths of a cell between ▕ and ▏."""
    eighths = round(min(1.0, max(0.0, fraction)) * cells * 8)
    full, rest = divmod(eighths, 8)
    body = "█" * full + (EIGHTHS[rest] if rest and full < cells else "")
    return "▕" + body.ljust(cells) + "▏"
