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
from array import array

from attrs import frozen

from models import events as ev
from models.algorithms.legacy import Visit, search_visits
from models.cost import CpuCost
from models.counters import Counters
from models.engine import RunResult
from models.events import GRANULARITIES, boundaries
from models.machine import Machine
from models.state import State

# keep checkpoints below this many bytes in all (each is a copy of the per-slot and per-ref arrays)
CHECKPOINT_BUDGET = 192 * 1024 * 1024


@frozen
class Cursor:
    """Where the walk is: mm, the PTE being examined (walk ordinal), its unit and page."""

    mm: int
    ordinal: int
    unit: int
    vpage: int
    targeted: bool  # legacy's page_address_in_vma shortcut: one PTE only


@frozen
class Progress:
    """How far into a partial event: Walk -> PTEs examined; Search -> visits done + PTEs."""

    ptes: int  # PTEs examined so far in this event
    calls: int  # unuse_pte_range calls entered so far
    mm_calls: int  # unuse_mm calls so far (Search)
    restored: tuple[int, ...]  # refs restored so far (Search)
    cursor: Cursor | None


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

    @property
    def time_ns(self) -> int:
        return self.time_ps // 1000

    @property
    def finished(self) -> bool:
        return self.frame == self.frames - 1


class Timeline:
    def __init__(self, run: RunResult) -> None:
        if run.events is None:
            raise ValueError("the run was made without keeping its events")
        self.run = run
        self.machine: Machine = run.machine
        self.events = run.events
        n = len(self.events)
        self._t0 = array("q", (e.t0 for e in self.events))
        self._cum = [array("q", [0]) for _ in GRANULARITIES]
        for e in self.events:
            b = boundaries(e)
            for g in range(len(GRANULARITIES)):
                self._cum[g].append(self._cum[g][-1] + b[g])
        self._request_index = array(
            "q", (i for i, e in enumerate(self.events) if isinstance(e, ev.DiskRequest))
        )
        # checkpoints: state before event i*every
        initial = State(self.machine)
        size = max(1, len(initial.count) * 11 + len(initial.ref_state) * 9)
        max_checkpoints = max(2, CHECKPOINT_BUDGET // size)
        self.every = max(64, -(-n // max_checkpoints))
        self._checkpoints: list[State] = []
        st = initial
        for i, e in enumerate(self.events):
            if i % self.every == 0:
                self._checkpoints.append(st.copy())
            st.apply(e)
        self.final = st
        self._slot_events: dict[int, list[int]] | None = None
        self.cpu = CpuCost.from_params(run.scenario.cpu)

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
        return boundaries(last)[g] > 0 and not isinstance(last, (ev.Walk, ev.Search))

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
        if isinstance(event, (ev.Walk, ev.Search)):
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
        elif isinstance(event, (ev.Walk, ev.Search)):
            done = self._boundaries_by(event, e, granularity, b, t)
        else:
            done = 0  # still running at t: its frame comes when it ends
        if e == len(self.events) - 1 and event.t1 <= t:
            return self.frame_count(granularity) - 1
        # frame k is the state after k boundaries
        return min(base + done, self.frame_count(granularity) - 1)

    def _boundaries_by(self, event: ev.Event, e: int, granularity: str, b: int, t: int) -> int:
        """How many of the event's `b` boundaries lie at or before time `t` (binary search)."""
        before = self.state_before(e) if isinstance(event, ev.Search) else None
        cpu = self.cpu

        def at(j: int) -> int:
            prog = self.progress(before, event, granularity, j)  # type: ignore[arg-type]
            spent = cpu.walk(prog.ptes, prog.calls) + prog.mm_calls * cpu.mm
            return event.t0 + spent + len(prog.restored) * cpu.unuse_pte

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
        c = event_index // self.every
        st = self._checkpoints[c].copy()
        for i in range(c * self.every, event_index):
            st.apply(self.events[i])
        return st

    def view(self, granularity: str, frame: int) -> FrameView:
        frames = self.frame_count(granularity)
        frame = max(0, min(frame, frames - 1))
        e, j = self.position(granularity, frame)
        if e < 0:
            st = self.state_before(0)
            return FrameView(
                granularity, frame, frames, -1, None, None, st, st.counters, 0, None, ""
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
            )
        st = self.state_before(e)
        prog = self.progress(st, event, granularity, j)
        counters = st.counters.copy()
        cpu = self.cpu
        counters.ptes_scanned += prog.ptes
        counters.unuse_pte_range_calls += prog.calls
        counters.unuse_mm_calls += prog.mm_calls
        counters.unuse_pte_calls += len(prog.restored)
        spent = (
            cpu.walk(prog.ptes, prog.calls)
            + prog.mm_calls * cpu.mm
            + len(prog.restored) * cpu.unuse_pte
        )
        spent = min(spent, event.t1 - event.t0)
        counters.cpu_ps += spent
        if prog.restored:
            slot = event.slot  # type: ignore[attr-defined]
            for ref in prog.restored:
                st._drop_reference(ref, slot)
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
        )

    # ---- partial events ------------------------------------------------------------
    def progress(self, before: State, event: ev.Event, granularity: str, j: int) -> Progress:
        """The j-th boundary (0-based) at `granularity` inside a Walk or Search event."""
        if isinstance(event, ev.Walk):
            return self._walk_progress(event, granularity, j)
        assert isinstance(event, ev.Search)
        return self._search_progress(before, event, granularity, j)

    def _walk_progress(self, e: ev.Walk, granularity: str, j: int) -> Progress:
        walk = self.machine.walks[e.mm]
        if granularity == "range":
            lo = bisect.bisect_left(walk.unit_ordinals, e.first)
            o = walk.unit_ordinals[lo + j]
        else:
            o = e.first + j
        examined = o - e.first + 1
        calls = walk.unit_starts_between(e.first, o)
        u, vpage = walk.page_of(o)
        return Progress(examined, calls, 0, (), Cursor(e.mm, o, u, vpage, False))

    def search_visits(self, before: State, e: ev.Search) -> list[Visit]:
        return list(
            search_visits(self.machine, before.ref_state, e.slot, e.first_pos, before.active)
        )

    def _search_progress(self, before: State, e: ev.Search, granularity: str, j: int) -> Progress:
        visits = self.search_visits(before, e)
        ptes = calls = mm_calls = 0
        restored: list[int] = []
        seen = 0  # boundaries passed so far
        for v in visits:
            if v.mm < 0:
                continue
            walk = self.machine.walks[v.mm]
            mm_calls += 1
            if granularity == "mm":
                if seen == j:
                    cur = Cursor(
                        v.mm, v.first, walk.unit_of(v.first) if walk.units else 0, -1, v.targeted
                    )
                    return Progress(ptes, calls, mm_calls, tuple(restored), cur)
                seen += 1
            # boundaries inside this visit: PTEs (pte) or unit entries (range)
            if v.ptes:
                if granularity == "pte":
                    n_here = v.ptes
                elif granularity == "range":
                    n_here = v.calls
                else:
                    n_here = 0
                if seen + n_here > j:
                    k = j - seen
                    if v.targeted:
                        o, got_calls, got_ptes = v.first, 1, 1
                    elif granularity == "pte":
                        o = k
                        got_ptes = k + 1
                        got_calls = walk.unit_starts_between(0, o)
                    else:
                        o = walk.units[k].ordinal
                        got_ptes = o + 1
                        got_calls = k + 1
                    u, vpage = walk.page_of(o)
                    rest = list(restored)
                    if v.restored >= 0 and o == self.machine.refs[v.restored].ordinal:
                        rest.append(v.restored)
                    return Progress(
                        ptes + got_ptes,
                        calls + got_calls,
                        mm_calls,
                        tuple(rest),
                        Cursor(v.mm, o, u, vpage, v.targeted),
                    )
                seen += n_here
            ptes += v.ptes
            calls += v.calls
            if v.restored >= 0:
                restored.append(v.restored)
        # a search with no PTE at all (one pte-granularity step): show it complete
        return Progress(ptes, calls, mm_calls, tuple(restored), None)

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
