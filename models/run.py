"""One swapoff in progress: the machine, its state, the clock and the events emitted.

Every algorithm and every kernel function of `models/kernel/` takes a `Run`.  They
change the state only by emitting events (`emit`), which `models.state.State`
applies; the clock advances by each event's cost.

Faults: the ones the kernel notices where it allocates or reads (enomem, eio) are
kept here, because the reading path in `models.kernel.swap_state` needs them; the
racing tasks (touch, exit, fork, pressure, unlink, eintr) fire when the algorithm
calls `poll()` at one of its safe points: the engine points `poll` at a
`models.inject.Injector` when there are any.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from models import events as ev
from models.cost import CpuCost, DiskModel
from models.faults import fault_spec
from models.machine import Machine
from models.readahead import ClusterState, VmaState
from models.scenario_model import Fault
from models.sites import Site, fault_site
from models.state import COST_ONLY, State

PROGRESS_EVERY = 8192


class OutOfMemory(Exception):
    """A page the algorithm must have could not be allocated: try_to_unuse returns -ENOMEM."""


def _alone() -> None:
    """No other task races the walk."""


class Run:
    """One swapoff in progress: machine, state, clock, readahead state, emitted events."""

    def __init__(
        self,
        machine: Machine,
        algorithm: str,
        readahead: str,
        disk: DiskModel,
        cpu: CpuCost,
        keep_events: bool,
        keep_requests: bool = True,
        faults: tuple[Fault, ...] = (),
    ) -> None:
        self.machine = machine
        self.algorithm = algorithm
        self.readahead = readahead
        self.disk = disk
        self.cpu = cpu
        # pages allocated for the batch being read, not yet applied (models/kernel/vmscan.py)
        self.reserved = 0
        self.state = State(machine)
        self.events: list[ev.Event] | None = [] if keep_events else None
        # kept even without events, for --trace; None when not wanted (memory)
        self.requests: list[ev.DiskRequest] | None = [] if keep_requests else None
        # reclaim's writes to the fresh area, kept with the requests (for --trace)
        self.writes: list[ev.PageOut] | None = [] if keep_requests else None
        # counters only (nothing keeps the events): emit applies a light record of the
        # same fields instead of building an event object (a third of a run's CPU)
        self.light = not keep_events
        self.page_cluster = machine.scenario.page_cluster
        # readahead state: swap_cluster_readahead's globals, and each VMA's own
        # (the hit counts they start from: the scenario's [readahead] table, 0 by default;
        # Linux boots with 4 and an unset VMA reads as 4, see docs/capture.md)
        self.cluster = ClusterState()
        self.cluster.hits = machine.scenario.readahead_hits
        self.vma_hits = machine.scenario.readahead_vma_hits
        self.vma_ra: dict[tuple[int, int], VmaState] = {}
        # progress reporting for long runs: called every PROGRESS_EVERY events
        self.progress: Callable[[float], None] | None = None
        self.emitted = 0
        self.initial_inuse = self.state.inuse
        # a safe point of the algorithm: racing tasks whose trigger is reached act now
        self.poll: Callable[[], None] = _alone
        # faults: every one asked for, those fired (index, simulated ns), and the two
        # kinds the reading path notices itself
        self.faults = faults
        self.fired: list[tuple[int, int]] = []
        self.eio = {f.slot for f in faults if f.kind == "eio"}
        self.eio_reported: set[int] = set()
        # the budget of allocations: free_pages without reclaim, and an enomem fault's
        # count in any case (with reclaim, free pages are the state's: State.mem)
        scenario = machine.scenario
        self.free_pages = None if scenario.reclaim else scenario.free_pages
        enomem = min((f.after for f in faults if f.kind == "enomem"), default=None)
        if enomem is not None:
            self.free_pages = enomem if self.free_pages is None else min(enomem, self.free_pages)
        # where reclaim writes: the fresh area on the old area's disk, after its last
        # slot (one head for both), or on a disk of its own (its own head)
        fresh = scenario.fresh
        self.fresh_own = fresh is not None and fresh.disk == "own"
        self.fresh_disk = disk
        if fresh is not None and self.fresh_own:
            self.fresh_disk = DiskModel.of(scenario.disk, fresh.slots)
        self.fresh_base = 0 if self.fresh_own else machine.slots

    # ---- emitting --------------------------------------------------------------------
    def emit(self, cls: type[ev.Event], cost_ps: int, site: Site, **fields: Any) -> Any:
        """Apply an event of class `cls` costing `cost_ps` and return it.  When nothing
        keeps events (`light`) the event is a namespace with the same fields, applied by
        the same mutator, or nothing at all (None) for a class whose mutator only takes
        time (`models.state.COST_ONLY`); a disk request kept for --trace is always a
        real event."""
        t0 = self.state.clock
        if self.light and cls in COST_ONLY:
            # nothing but time: no record at all (a swap_map scan, once per slot)
            event: Any = None
            self.state.charge(cost_ps)
        elif self.light and not (
            (cls is ev.DiskRequest and self.requests is not None)
            or (cls is ev.PageOut and self.writes is not None)
        ):
            event = SimpleNamespace(t0=t0, t1=t0 + cost_ps, site=site, **fields)
            self.state.apply_as(cls, event)
        else:
            event = cls(t0=t0, t1=t0 + cost_ps, site=site, **fields)
            self.state.apply_as(cls, event)
            if self.events is not None:
                self.events.append(event)
        self.emitted += 1
        if self.progress is not None and self.emitted % PROGRESS_EVERY == 0:
            self.progress(1.0 - self.state.inuse / max(1, self.initial_inuse))
        return event

    def done(self, result: str) -> None:
        """try_to_unuse returns: "ok", "ENOMEM" or "EINTR"."""
        self.emit(ev.Done, 0, Site.TRY_TO_UNUSE_RETURN, result=result)

    # ---- faults ----------------------------------------------------------------------
    def freed(self) -> int:
        """Slots freed since swapoff began (what a fault's `after=N` counts)."""
        return self.initial_inuse - self.state.inuse

    def fault_fired(self, index: int, f: Fault, detail: str) -> None:
        """Fault `index` of `faults` takes effect now: record it and show it."""
        self.fired.append((index, self.state.clock // 1000))
        self.emit(
            ev.FaultFired, 0, fault_site(f.kind), kind=f.kind, spec=fault_spec(f), detail=detail
        )

    def note_enomem(self) -> None:
        """An allocation failed: say which enomem fault it was (if one was asked for)."""
        for i, f in enumerate(self.faults):
            if f.kind == "enomem":
                self.fault_fired(
                    i, f, f"allocation {f.after + 1} failed: swapoff gives up with ENOMEM"
                )
                return

    def note_eio(self, slots: tuple[int, ...]) -> None:
        """Reads of these slots failed: each eio fault is reported once."""
        for i, f in enumerate(self.faults):
            if f.kind == "eio" and f.slot in slots and f.slot not in self.eio_reported:
                self.eio_reported.add(f.slot)
                self.fault_fired(
                    i, f, f"reading slot {f.slot} failed: its PTEs get an error marker"
                )
