"""What a click on a slot or a PTE shows: who references it and its history so far."""

from __future__ import annotations

from rich.text import Text

from models import events as ev
from models.machine import SHMEM
from models.narrate import duration, literal, mm_label
from models.state import ABSENT, DROPPED, ERROR, FRESH, PRESENT, SWAP
from models.timeline import FrameView, Timeline

MAX_HISTORY = 14
STATE_NAMES = {
    SWAP: "swap PTE",
    PRESENT: "present",
    ERROR: "error marker: the read failed, a lost page (SIGBUS on access)",
    DROPPED: "gone: its process exited or its file was unlinked",
    ABSENT: "no PTE yet: the process has not forked",
    FRESH: "a swap PTE of the fresh area: reclaim wrote the page out there",
}


def _who(timeline: Timeline, ref: int, view: FrameView) -> str:
    m = timeline.machine
    r = m.refs[ref]
    state = STATE_NAMES.get(view.state.ref_state[ref], "?")
    if r.kind == SHMEM:
        return f"{literal(m.scenario.shmem[r.owner].name)} page {r.page}: {state}"
    walk = m.walks[r.owner]
    u, _ = walk.page_of(r.ordinal)
    return (
        f"{mm_label(m, r.owner)} address {r.vpage * 4096:#x} "
        f"(page table {u + 1}/{walk.total_units}): {state}"
    )


def _what(e: ev.Event, slot: int) -> str:
    if isinstance(e, ev.DiskRequest):
        why = "" if e.start <= slot < e.start + e.pages and slot == e.target else " (readahead)"
        return f"read in request {e.start}+{e.pages}{why}"
    if isinstance(e, ev.Lookup):
        return "swap cache lookup: " + ("hit" if e.hit else "miss")
    if isinstance(e, ev.UnusePte):
        return f"unuse_pte restored reference {e.ref}"
    if isinstance(e, ev.ShmemUnuse):
        return "shmem page back in the page cache"
    if isinstance(e, ev.Search):
        return f"mmlist searched: {e.unuse_mm_calls:,} unuse_mm, {e.ptes:,} PTEs"
    if isinstance(e, ev.FreeSwapCache):
        return "left the swap cache" + (": slot free" if e.freed else "")
    if isinstance(e, ev.ReclaimDrop):
        return "dropped from the swap cache by reclaim (no write)"
    return type(e).__name__


def slot_details(timeline: Timeline, view: FrameView, slot: int) -> Text:
    m = timeline.machine
    st = view.state
    out = Text()
    if slot in m.bad:
        out.append("marked bad (SWAP_MAP_BAD): never used\n", style="bold")
    out.append(f"swap count {st.count[slot]}, ", style="bold")
    out.append("in the swap cache" if st.cached[slot] else "not in the swap cache", style="bold")
    out.append("\n\nreferenced by:\n")
    refs = m.slot_refs.get(slot, [])
    if not refs:
        out.append("  nobody: the slot was free when swapoff started\n")
    for r in refs:
        out.append(f"  {_who(timeline, r, view)}\n")
    out.append("\nhistory (events that touched it):\n")
    history = timeline.slot_events(slot)
    if not history:
        out.append("  none\n")
    for n, i in enumerate(history):
        if n >= MAX_HISTORY:
            out.append(f"  … {len(history) - MAX_HISTORY} more\n")
            break
        e = timeline.events[i]
        later = i > view.event_index
        line = f"  t = {duration(e.t0):>9}  {_what(e, slot)}" + ("  (later)" if later else "")
        out.append(line + "\n", style="dim" if later else "")
    return out


def ref_details(timeline: Timeline, view: FrameView, ref: int) -> tuple[str, Text]:
    r = timeline.machine.refs[ref]
    out = Text(_who(timeline, ref, view) + "\n", style="bold")
    out.append(f"swap slot {r.slot}:\n")
    out.append_text(slot_details(timeline, view, r.slot))
    return f"PTE → slot {r.slot}", out
