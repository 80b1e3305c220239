"""How a run plays by default: the step size and the speed that make it last about a minute.

A 64-slot demo and a 240 MB reproduction differ by five orders of magnitude in frames
at any one step size, so no fixed default suits both.  For each run the step sizes
are ordered by how many frames they make of it (for legacy one `entry` holds many
`unuse_mm` calls, so `mm` is finer than `entry`; for linear it is the other way
round), and the pace is the finest step that plays in about a minute:

1. one that plays within LIMIT_S at a speed a viewer can follow frame by frame
   (at most LEGIBLE_FPS), else
2. one that plays within LIMIT_S at some speed up to the fastest (frames skipped),
   else (a run too big for any step to play in a minute)
3. the coarsest step that still has MIN_FRAMES frames, at the fastest speed.

The speed is then the slowest one at which that step plays within LIMIT_S.
Pure Python: the player and the tests use it without a screen.
"""

from __future__ import annotations

from attrs import frozen

from models.events import GRANULARITIES

SPEEDS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)  # frames per second
TARGET_S = 60.0  # what "about a minute" aims at
LIMIT_S = 75.0  # ... and how long it may take
LEGIBLE_FPS = 10  # up to here every frame is on screen long enough to read
MIN_FRAMES = 60  # fewer frames than this is a slide show, not a run


@frozen
class Pace:
    granularity: str
    speed: int  # frames per second

    def seconds(self, frames: int) -> float:
        """Wall seconds a run of `frames` frames takes at this pace."""
        return max(0, frames - 1) / self.speed


def step_order(counts: dict[str, int]) -> tuple[str, ...]:
    """The step sizes from finest (most frames) to coarsest, one per frame count.

    Two step sizes that cut a run into the same number of frames cut it at the same
    places (every boundary of the coarser is one of the finer), so only the first of
    them in the usual order (pte, range, entry, mm, pass) is kept: `[` and `]` then
    always change what a step does.
    """
    seen: dict[int, str] = {}
    for g in GRANULARITIES:
        seen.setdefault(counts[g], g)
    return tuple(seen[n] for n in sorted(seen, reverse=True))


def speed_for(frames: int, limit_s: float = LIMIT_S) -> int:
    """The slowest speed at which `frames` frames play within `limit_s` (else the fastest)."""
    for s in SPEEDS:
        if max(0, frames - 1) / s <= limit_s:
            return s
    return SPEEDS[-1]


def choose_pace(counts: dict[str, int]) -> Pace:
    """The default step size and speed for a run with these frame counts."""
    order = step_order(counts)
    fits = [g for g in order if counts[g] >= MIN_FRAMES]
    for g in fits:
        if (counts[g] - 1) / LEGIBLE_FPS <= LIMIT_S:
            return Pace(g, speed_for(counts[g]))
    for g in fits:
        if (counts[g] - 1) / SPEEDS[-1] <= LIMIT_S:
            return Pace(g, speed_for(counts[g]))
    if fits:
        return Pace(fits[-1], SPEEDS[-1])
    # a run of a few frames whatever the step: show all it has, slowly
    g = order[0]
    return Pace(g, speed_for(counts[g]))


def neighbour(counts: dict[str, int], current: str, finer: bool) -> str | None:
    """The next finer (more frames) or coarser step size than `current`, or None."""
    here = counts[current]
    order = step_order(counts)
    if finer:
        more = [g for g in order if counts[g] > here]
        return more[-1] if more else None
    fewer = [g for g in order if counts[g] < here]
    return fewer[0] if fewer else None
