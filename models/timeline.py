"""Random access to a run: the state at frame i, at any granularity, or at simulated time t.

Events are stored once, at the engine's own grain; frames are *boundaries* inside
them, counted per granularity (`events.boundaries`).  A frame finer than its
event (one PTE of a 512-PTE Walk, one mm of a legacy Search) is recovered by
`progress`, which replays just that part of the event.  States come from the
nearest checkpoint plus at most `every` events, so stepping back costs the
same as stepping forward.
"""

from __future__ import annotations

import bisect
import threading
from array import array
from collections.abc import Callable
from itertools import accumulate
from operator import itemgetter

from attrs import frozen

from models import events as ev
from models.algorithms.registry import BY_NAME
from models.cost import CpuCost
from models.counters import Counters
from models.engine import RunResult
from models.events import COMPOUND, GRANULARITIES, boundaries
from models.machine import Machine
from models.progress import Cursor, Progress
from models.state import State

# keep checkpoints below this many bytes in all (each is a copy of the per-slot and per-ref arrays)
CHECKPOINT_BUDGET = 192 * 1024 * 1024
# at least this many events between checkpoints: a view replays at most this many
# (about a millisecond), and the timeline is built with fewer copies
MIN_EVERY = 256


@frozen
class FrameView:
    """Everything a widget needs to draw one frame.  Do not mutate `state`."""

    granularity: str
    frame: int
    frames: int
    event_index: int  # index of the event this frame is in (-1: before the first)
    event: ev.Event | None
    progress: Progress | None  # None: `event` is fully applied
    state: State
    counters: Counters
    time_ps: int
    cursor: Cursor | None
    site: str
    algorithm: str = ""  # the run's algorithm (a registry name)

    @property
    def time_ns(self) -> int:
        return self.time_ps // 1000

    @property
    def finished(self) -> bool:
        return self.frame == self.frames - 1

    @property
    def swapcache_pages(self) -> int:
        """Pages in the swap cache at this frame (the memory swapoff holds there)."""
        return self.state.cache_size

    @property
    def swapcache_peak(self) -> int:
        """The most pages the swap cache has held so far, up to this frame."""
        return self.counters.swapcache_peak


class Timeline:
    def __init__(self, run: RunResult) -> None:
        if run.events is None:
            raise ValueError("the run was made without keeping its events")
        self.run = run
        self.machine: Machine = run.machine
        self.events = run.events
        self._t0 = array("q", (e.t0 for e in self.events))
        # frame boundaries so far, per granularity: one pass of boundaries(), then a
        # running sum per column (column by column: zip(*rows) made a call of a quarter
        # of a million arguments on rfc3-240m, four times slower)
        rows = list(map(boundaries, self.events))
        self._cum = [
            array("q", accumulate(map(itemgetter(g), rows), initial=0))
            for g in range(len(GRANULARITIES))
        ]
        self._request_index = array(
            "q", (i for i, e in enumerate(self.events) if isinstance(e, ev.DiskRequest))
        )
        # checkpoints: state before event i*every, taken lazily (`_extend`): the first
        # frames are on screen before the run has been replayed to its end, and a worker
        # (`warm`) takes the rest meanwhile.  Only the slots some reference names ever
        # hold a count or a cached page, so a checkpoint keeps just their span
        # (kelley-50m: 13,000 of 262,144 slots): cheaper to take and to keep
        named = self.machine.slot_refs.slots
        self._lock = threading.RLock()  # the worker warming and the screen viewing
        self._start((named[0], named[-1] + 1) if len(named) else (0, 0))
        # the engine's own end state: replaying every event to the end gives the same
        self.final: State = run.final
        self._slot_events: dict[int, list[int]] | None = None
        self.cpu = CpuCost.from_params(run.scenario.cpu)
        # how to open up the compound events this algorithm emits
        self.expand = BY_NAME[run.algorithm].expand

    def _start(self, span: tuple[int, int]) -> None:
        """(Re)start the checkpoints, keeping the slots of `span` in each, and take the
        first (the initial state)."""
        n = len(self.events)
        initial = State(self.machine)
        self._span = span
        lo, hi = span
        # a checkpoint copies two bytes a slot of the span and nine a reference (and,
        # under memory pressure, the memory's own state)
        size = (hi - lo) * 2 + len(initial.ref_state) * 9
        if initial.mem is not None:
            size += initial.mem.checkpoint_bytes(self.machine)
        size = max(1, size)
        max_checkpoints = max(2, CHECKPOINT_BUDGET // size)
        self.every = max(MIN_EVERY, -(-n // max_checkpoints))
        self._checkpoints: list[State] = []
        self._wanted = -(-n // self.every)  # one before every `every`-th event
        self._replay = initial  # the state before event len(_checkpoints) * every
        self._extend(0)

    def _extend(self, c: int) -> None:
        """Take the checkpoints up to number `c` (replaying the events since the last).

        Should a slot outside the span be in use at one (an event that gives new slots
        a count), the compact copies would lose it: all is started again with whole
        checkpoints, which are always correct."""
        with self._lock:
            c = min(c, self._wanted - 1)
            while len(self._checkpoints) <= c:
                st, (lo, hi) = self._replay, self._span
                outside = lo + self.machine.slots - hi
                if outside and any(
                    a.count(0, 0, lo) + a.count(0, hi) != outside for a in (st.count, st.cached)
                ):
                    self._start((0, self.machine.slots))
                    c = min(c, self._wanted - 1)
                    continue
                self._checkpoints.append(st.copy(self._span))
                i = (len(self._checkpoints) - 1) * self.every
                for e in self.events[i : i + self.every]:
                    st.apply(e)

    @property
    def checkpointed(self) -> bool:
        """Every checkpoint taken (`warm` has nothing left to do)."""
        return len(self._checkpoints) >= self._wanted

    def warm(self, check: Callable[[], None] = lambda: None) -> None:
        """Take every checkpoint not taken yet, one at a time (a worker calls this after
        the first frame is on screen; `check` may raise to stop it)."""
        while not self.checkpointed:
            check()
            self._extend(len(self._checkpoints))

    # ---- frames ---------------------------------------------------------------------
    def _g(self, granularity: str) -> int:
        return GRANULARITIES.index(granularity)

    def frame_count(self, granularity: str) -> int:
        """Frames at this granularity: the initial state, each boundary, and the end."""
        g = self._g(granularity)
        return 1 + self._cum[g][-1] + (0 if self._ends_on_boundary(g) else 1)

    def _ends_on_boundary(self, g: int) -> bool:
        if not self.events:
            return True
        last = self.events[-1]
        return boundaries(last)[g] > 0 and not isinstance(last, COMPOUND)

    def position(self, granularity: str, frame: int) -> tuple[int, int | None]:
        """(event index, boundary within it or None for 'fully applied') of a frame.

        Event index -1 is the initial state.
        """
        g = self._g(granularity)
        frame = max(0, min(frame, self.frame_count(granularity) - 1))
        if frame == 0:
            return -1, None
        k = frame - 1
        cum = self._cum[g]
        if k >= cum[-1]:
            return len(self.events) - 1, None
        e = bisect.bisect_right(cum, k) - 1
        j = k - cum[e]
        event = self.events[e]
        if isinstance(event, COMPOUND):
            return e, j
        return e, None

    def frame_of_event(self, granularity: str, event_index: int) -> int:
        """The first frame at this granularity at or after the end of event `event_index`."""
        g = self._g(granularity)
        cum = self._cum[g]
        e = max(-1, min(event_index, len(self.events) - 1))
        return min(cum[e + 1], self.frame_count(granularity) - 1) if e >= 0 else 0

    def convert(self, frame: int, src: str, dst: str) -> int:
        """The frame at granularity `dst` showing (about) what `frame` at `src` shows."""
        e, j = self.position(src, frame)
        if e < 0:
            return 0
        if j is not None:
            e -= 1  # inside an event: go to the frame where it starts
        return self.frame_of_event(dst, e) if e >= 0 else 0

    def frame_at_time(self, granularity: str, t_ns: int) -> int:
        """The last frame whose simulated time is at most t_ns."""
        t = t_ns * 1000
        e = bisect.bisect_right(self._t0, t) - 1
        if e < 0:
            return 0
        event = self.events[e]
        g = self._g(granularity)
        b = boundaries(event)[g]
        base = self._cum[g][e]
        if event.t1 <= t:
            done = b
        elif isinstance(event, COMPOUND):
            done = self._boundaries_by(event, e, granularity, b, t)
        else:
            done = 0  # still running at t: its frame comes when it ends
        if e == len(self.events) - 1 and event.t1 <= t:
            return self.frame_count(granularity) - 1
        # frame k is the state after k boundaries
        return min(base + done, self.frame_count(granularity) - 1)

    def _boundaries_by(self, event: ev.Event, e: int, granularity: str, b: int, t: int) -> int:
        """How many of the event's `b` boundaries lie at or before time `t` (binary search)."""
        state: list[State] = []  # the state before the event, built once if asked for

        def before() -> State:
            if not state:
                state.append(self.state_before(e))
            return state[0]

        def at(j: int) -> int:
            expand = self.expand[type(event)]
            return event.t0 + expand(self.machine, before, event, granularity, j).cost(self.cpu)

        lo, hi = 0, b  # answer in [lo, hi]: boundaries 0..answer-1 are at or before t
        while lo < hi:
            mid = (lo + hi) // 2
            if at(mid) <= t:
                lo = mid + 1
            else:
                hi = mid
        return lo

    # ---- states ---------------------------------------------------------------------
    def state_before(self, event_index: int) -> State:
        """A fresh copy of the state just before event `event_index` (len(events): the end)."""
        if event_index >= len(self.events):
            return self.final.copy()
        with self._lock:
            self._extend(event_index // self.every)
            # (a restart with whole checkpoints makes `every` larger: read it again)
            c = event_index // self.every
            st = self._checkpoints[c].widened(self._span)
        for i in range(c * self.every, event_index):
            st.apply(self.events[i])
        return st

    def view(self, granularity: str, frame: int) -> FrameView:
        algo = self.run.algorithm
        frames = self.frame_count(granularity)
        frame = max(0, min(frame, frames - 1))
        e, j = self.position(granularity, frame)
        if e < 0:
            st = self.state_before(0)
            return FrameView(
                granularity, frame, frames, -1, None, None, st, st.counters, 0, None, "", algo
            )
        event = self.events[e]
        if j is None:
            st = self.state_before(e + 1)
            return FrameView(
                granularity,
                frame,
                frames,
                e,
                event,
                None,
                st,
                st.counters,
                event.t1,
                None,
                event.site,
                algo,
            )
        st = self.state_before(e)
        prog = self.expand[type(event)](self.machine, lambda: st, event, granularity, j)
        counters = st.counters.copy()
        counters.ptes_scanned += prog.ptes
        counters.unuse_pte_range_calls += prog.calls
        counters.unuse_mm_calls += prog.mm_calls
        counters.unuse_pte_calls += len(prog.restored)
        spent = min(prog.cost(self.cpu), event.t1 - event.t0)
        counters.cpu_ps += spent
        if prog.restored:
            slot = event.slot  # type: ignore[attr-defined]
            for ref in prog.restored:
                st.drop_reference(ref, slot)
        return FrameView(
            granularity,
            frame,
            frames,
            e,
            event,
            prog,
            st,
            counters,
            event.t0 + spent,
            prog.cursor,
            event.site,
            algo,
        )

    # ---- history -------------------------------------------------------------------
    def requests_until(self, event_index: int, limit: int) -> list[ev.DiskRequest]:
        """The last `limit` disk requests issued up to and including event `event_index`."""
        hi = bisect.bisect_right(self._request_index, event_index)
        lo = max(0, hi - limit)
        return [self.events[i] for i in self._request_index[lo:hi]]  # type: ignore[misc]

    @property
    def requests(self) -> list[ev.DiskRequest]:
        return [self.events[i] for i in self._request_index]  # type: ignore[misc]

    def slot_events(self, slot: int) -> list[int]:
        """Indices of the events that touched `slot` (reads, lookups, restores, frees)."""
        if self._slot_events is None:
            index: dict[int, list[int]] = {}
            for i, e in enumerate(self.events):
                if isinstance(e, ev.DiskRequest):
                    for s in range(e.start, e.start + e.pages):
                        index.setdefault(s, []).append(i)
                else:
                    slot_of = getattr(e, "slot", None)
                    if slot_of is not None:
                        index.setdefault(slot_of, []).append(i)
            self._slot_events = index
        return self._slot_events.get(slot, [])
