"""The "now" line for memory pressure: the load, reclaim's drops and writes, the OOM.

`models.narrate` asks `pressure` first for an event it does not word itself.  The
rules behind each sentence are docs/engine.md, section 9.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from models import events as ev
from models.cost import DiskModel
from models.words import disk_cost, plural

if TYPE_CHECKING:
    from models.machine import Machine
    from models.timeline import FrameView


def _slots(slots: tuple[int, ...], most: int = 4) -> str:
    shown = ", ".join(str(s) for s in slots[:most])
    return shown + (f" and {len(slots) - most} more" if len(slots) > most else "")


def _free(view: FrameView) -> str:
    mem = view.state.mem
    return "" if mem is None else f" ({plural(mem.free, 'page')} free now)"


def write_cost(machine: Machine, e: ev.PageOut) -> str:
    """The write's time, part by part, on the disk it went to."""
    s = machine.scenario
    fresh = s.fresh
    if fresh is not None and fresh.disk == "own":
        model = DiskModel.of(s.disk, fresh.slots)
        at = e.start
    else:
        model = DiskModel.of(s.disk, machine.slots)
        at = machine.slots + e.start  # the fresh area lies after the old one
    return disk_cost(model, e.head, at, len(e.pages), e.t1 - e.t0, write=True)


def _page_out(view: FrameView, machine: Machine, e: ev.PageOut) -> str:
    n = len(e.pages)
    load = sum(1 for p in e.pages if p < 0)
    whose = (
        "the load's"
        if load == n
        else ("swapoff's" if not load else f"{n - load} of swapoff's and {load} of the load's")
    )
    last = e.start + n - 1
    where = f"fresh slot {e.start}" if n == 1 else f"fresh slots {e.start}-{last}"
    disk = (
        "on its own disk"
        if machine.scenario.fresh is not None and machine.scenario.fresh.disk == "own"
        else "across the disk"
    )
    return (
        f"reclaim wrote {plural(n, 'page')} mapped longest ago ({whose}) to {where}, {disk}: "
        f"{write_cost(machine, e)}; their PTEs hold fresh-area entries now{_free(view)}"
    )


def pressure(view: FrameView, machine: Machine, e: ev.Event) -> str | None:
    """The sentence for a memory-pressure event, or None for any other event."""
    if isinstance(e, ev.LoadTouch):
        return (
            f"the load touched {plural(e.pages, 'new page')}: another task takes memory "
            f"while swapoff runs{_free(view)}"
        )
    if isinstance(e, ev.ReclaimDrop):
        return (
            f"no free page: reclaim dropped {plural(len(e.slots), 'clean swap-cache page')} "
            f"nothing maps yet (slot {_slots(e.slots)}): no write, but the walk must read "
            f"them again{_free(view)}"
        )
    if isinstance(e, ev.PageOut):
        return _page_out(view, machine, e)
    if isinstance(e, ev.ReclaimUnmap):
        if not e.pages:
            return f"reclaim passed over {plural(len(e.kept), 'page')}: nowhere to write them"
        slot_of = machine.refs.slot
        slots = tuple(slot_of[p] for p in e.pages)
        return (
            f"reclaim unmapped {plural(len(e.pages), 'page')} the walk had mapped but other "
            f"references still wait for (slot {_slots(slots)}): clean in the old area, so "
            f"freed without a write; the old entries are back behind the walk{_free(view)}"
        )
    if isinstance(e, ev.NoMemory):
        oom = (
            "the OOM killer would take swapoff first (set_current_oom_origin), so "
            "try_to_unuse fails with ENOMEM; nothing is lost"
        )
        if e.why == "pass":
            return (
                "a whole pass freed no slot: memory is so short that reclaim unmapped as "
                "many pages as the walk restored; the kernel would go round until the OOM "
                "killer took swapoff (set_current_oom_origin) or a signal came: ENOMEM "
                "here, nothing lost"
            )
        why = {
            "nowhere": "there is no other swap area to write to",
            "full": "the fresh area is full",
            "empty": "no page is left that reclaim could take",
        }.get(e.why, e.why)
        who = "swapoff" if e.who == "swapoff" else "the load"
        return f"no free page for {who} and nothing reclaim can free ({why}): {oom}"
    return None
