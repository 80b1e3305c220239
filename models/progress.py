"""How far into a compound event a frame is: the types the timeline and the walkers share.

A Walk (unuse_pte_range over a stretch of PTEs) or a legacy Search (one mmlist search)
is one event but many frames.  The module that emits such an event also knows how
to open it up (`Expand`); the timeline asks it through the algorithm registry and
knows no algorithm itself.
"""

from __future__ import annotations

from collections.abc import Callable

from attrs import frozen

from models import events as ev
from models.cost import CpuCost
from models.machine import Machine
from models.state import State


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

    def cost(self, cpu: CpuCost) -> int:
        """The CPU time spent so far in the event (the cost model's own formula)."""
        return cpu.search(self.ptes, self.calls, self.mm_calls, len(self.restored))


Expand = Callable[[Machine, Callable[[], State], ev.Event, str, int], Progress]
"""(machine, before, event, granularity, j) -> the j-th boundary (0-based) at `granularity`
inside a compound event.  `before()` gives the state just before the event (do not
modify it); a walk does not need it, so it is built only when asked for."""
