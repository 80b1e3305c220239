"""What the current frame is about: the slot in focus and the disk request in flight.

Every panel highlights the same slot in the cursor colour, which is how the eye
matches a PTE in the page tables with its slot in the swap_map.
"""

from __future__ import annotations

from models import events as ev
from models.timeline import FrameView


def focus_slot(view: FrameView) -> int | None:
    e = view.event
    if isinstance(e, ev.DiskRequest):
        return e.target
    if isinstance(e, ev.SwapMapScan):
        return e.found or None
    slot = getattr(e, "slot", None)
    return slot if isinstance(slot, int) else None


def request_in_flight(view: FrameView) -> ev.DiskRequest | None:
    return view.event if isinstance(view.event, ev.DiskRequest) else None


def freed_slot(view: FrameView) -> int | None:
    """The slot this frame freed (drawn as a brief flash)."""
    e = view.event
    if isinstance(e, ev.FreeSwapCache) and e.freed:
        return e.slot
    return None


def focus_ref(view: FrameView) -> int | None:
    """The reference (PTE or shmem page) this frame restores, if any."""
    e = view.event
    if isinstance(e, (ev.UnusePte, ev.ShmemUnuse)):
        return e.ref
    if isinstance(e, ev.Search):
        done = view.progress.restored if view.progress is not None else e.restored
        return done[-1] if done else None
    return None
