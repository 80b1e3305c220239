"""One plain sentence per frame for the "now" line: what happened and what it cost.

Standard library (and the engine's own modules) only: the TUI and the recorder both
use it.  Names from scenario files pass through `literal` so that escape bytes print
as text.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from models import events as ev

if TYPE_CHECKING:
    from models.machine import Machine
    from models.timeline import FrameView


def literal(name: str) -> str:
    """A name from a scenario file with control characters spelled out (\\x1b, \\n)."""
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in name)


def duration(ps: int) -> str:
    """Picoseconds to a short human duration: 1.5 ns, 830 µs, 5.2 ms, 12.9 s."""
    ns = ps / 1000
    if ns < 1000:
        return f"{ns:.3g} ns"
    if ns < 1e6:
        return f"{ns / 1e3:.3g} µs"
    if ns < 1e9:
        return f"{ns / 1e6:.3g} ms"
    return f"{ns / 1e9:.3g} s"


def _n(k: int, word: str) -> str:
    if k != 1:
        if word.endswith("s"):
            word += "es"
        elif word.endswith("y"):
            word = word[:-1] + "ies"
        else:
            word += "s"
    return f"{k:,} {word}"


def mm_label(machine: Machine, mi: int) -> str:
    m = machine.scenario.mms[mi]
    return f"mm {m.pid} {literal(m.comm)}".rstrip()


def _disk_cost(machine: Machine, e: ev.DiskRequest) -> str:
    """How the request's time splits, by the engine's cost model (engine-spec section 4)."""
    p = machine.scenario.disk
    total = duration(e.t1 - e.t0)
    if p.kind == "zram":
        return f"decompress {_n(e.pages, 'page')} = {total}"
    if p.kind == "ssd":
        return f"one ssd request + {_n(e.pages, 'page')} = {total}"
    d = e.start - e.head
    if d == 0:
        return f"head already there, transfer {_n(e.pages, 'page')} = {total}"
    if 0 < d <= p.skip_slots:
        return f"wait while the platter turns past {_n(d, 'slot')} = {total}"
    span = machine.slots / p.span if p.span > 0 else math.inf
    frac = min(1.0, abs(d) / span)
    seek_ms = p.track_ms + (p.stroke_ms - p.track_ms) * math.sqrt(frac)
    return f"seek {_n(abs(d), 'slot')} ({seek_ms:.2g} ms) + half a rotation = {total}"


def _slots(e: ev.DiskRequest) -> str:
    if e.pages == 1:
        return f"slot {e.start}"
    return f"slots {e.start}-{e.start + e.pages - 1}"


def _request(view: FrameView, machine: Machine, e: ev.DiskRequest) -> str:
    cost = _disk_cost(machine, e)
    if e.pages == 1 and e.start == e.target:
        why = (
            " (legacy never reads ahead)"
            if e.site == "read_swap_cache_async"
            else " (nothing else to read in the window)"
        )
        return f"{_slots(e)} read alone{why}: {cost}"
    if e.reason == "target":
        return f"read {_slots(e)} for slot {e.target} and its readahead window: {cost}"
    return f"readahead for slot {e.target} reads {_slots(e)}: {cost}"


def _where(machine: Machine, mi: int, ordinal: int) -> str:
    walk = machine.walks[mi]
    if not walk.units:
        return "no page tables"
    u, _vpage = walk.page_of(ordinal)
    unit = walk.units[u]
    return f"PTE {ordinal - unit.ordinal + 1} of page table {u + 1}/{walk.total_units}"


def _walk(view: FrameView, machine: Machine, e: ev.Walk) -> str:
    who = mm_label(machine, e.mm)
    if view.cursor is not None:
        c = view.cursor
        return f"{who}: examined {_where(machine, c.mm, c.ordinal)} (unuse_pte_range)"
    last = e.first + e.ptes - 1
    return (
        f"{who}: unuse_pte_range examined {_n(e.ptes, 'PTE')} up to "
        f"{_where(machine, e.mm, last)}, {duration(e.t1 - e.t0)}"
    )


def _search(view: FrameView, machine: Machine, e: ev.Search) -> str:
    c = view.cursor
    if view.progress is not None and c is not None:
        how = "page_address_in_vma shortcut" if c.targeted else "unuse_pte_range"
        if c.vpage < 0:
            return f"searching the mmlist for slot {e.slot}: unuse_mm({mm_label(machine, c.mm)})"
        return (
            f"searching the mmlist for slot {e.slot}: {mm_label(machine, c.mm)}, "
            f"{_where(machine, c.mm, c.ordinal)} ({how})"
        )
    return (
        f"searched the mmlist for slot {e.slot}: {_n(e.unuse_mm_calls, 'unuse_mm call')}, "
        f"{_n(e.ptes, 'PTE')} in {_n(e.calls, 'page table')}, "
        f"restored {_n(len(e.restored), 'PTE')}: {duration(e.t1 - e.t0)}"
    )


def _unuse_pte(view: FrameView, machine: Machine, e: ev.UnusePte) -> str:
    r = machine.refs[e.ref]
    left = view.state.count[e.slot]
    return (
        f"unuse_pte: {mm_label(machine, r.owner)} page {r.vpage * 4096:#x} maps the page "
        f"of slot {e.slot} again ({_n(left, 'reference')} left): {duration(e.t1 - e.t0)}"
    )


def _shmem(view: FrameView, machine: Machine, e: ev.ShmemUnuse) -> str:
    f = machine.scenario.shmem[e.file]
    searched = f", after searching {_n(e.searched, 'file')}" if e.searched else ""
    return (
        f"shmem_unuse: page {machine.refs[e.ref].page} of {literal(f.name)} is back in the "
        f"page cache (slot {e.slot}{searched})"
    )


def _first(machine: Machine) -> str:
    s = machine.scenario
    pts = sum(w.total_units for w in machine.walks)
    return (
        f"swapoff has not started: {_n(len(machine.slot_refs), 'slot')} in use, "
        f"{_n(len(machine.refs), 'reference')} in {_n(pts, 'page table')} of "
        f"{_n(len(s.mms), 'process')}"
        + (f" and {_n(len(s.shmem), 'tmpfs file')}" if s.shmem else "")
    )


def narrate(view: FrameView, machine: Machine) -> str:
    """The "now" line for one frame."""
    e = view.event
    if e is None:
        return _first(machine)
    if isinstance(e, ev.PassStart):
        again = " (some slots are still in use: retry)" if e.number > 1 else ""
        return f"try_to_unuse: pass {e.number} begins{again}"
    if isinstance(e, ev.SwapMapScan):
        what = f"next slot in use is {e.found}" if e.found else "no slot left in use"
        return (
            f"find_next_to_unuse examined {_n(e.examined, 'swap_map entry')} from slot "
            f"{e.start}: {what} ({duration(e.t1 - e.t0)})"
        )
    if isinstance(e, ev.DiskRequest):
        return _request(view, machine, e)
    if isinstance(e, ev.Lookup):
        if not e.hit:
            return f"lookup_swap_cache(slot {e.slot}): miss, the page must be read"
        how = "brought in by readahead" if e.readahead_hit else "already in the swap cache"
        return f"lookup_swap_cache(slot {e.slot}): hit, {how}: no disk request"
    if isinstance(e, ev.UnuseMm):
        w = machine.walks[e.mm]
        return (
            f"unuse_mm({mm_label(machine, e.mm)}): walk {_n(w.total_ptes, 'PTE')} in "
            f"{_n(w.total_units, 'page table')} of its anon VMAs"
        )
    if isinstance(e, ev.Walk):
        return _walk(view, machine, e)
    if isinstance(e, ev.Search):
        return _search(view, machine, e)
    if isinstance(e, ev.UnusePte):
        return _unuse_pte(view, machine, e)
    if isinstance(e, ev.ShmemUnuse):
        return _shmem(view, machine, e)
    if isinstance(e, ev.FreeSwapCache):
        if e.freed:
            return f"slot {e.slot} is free: its page left the swap cache ({e.site})"
        return f"the page of slot {e.slot} left the swap cache; the slot is still referenced"
    if isinstance(e, ev.Done):
        c = view.counters
        if e.result == "ok":
            return (
                f"try_to_unuse returned 0: every slot is free after {duration(c.total_ns * 1000)}"
                f" (cpu {duration(c.cpu_ps)}, io {duration(c.io_ns * 1000)})"
            )
        return f"try_to_unuse failed with {e.result} after {duration(c.total_ns * 1000)}"
    return f"{type(e).__name__} ({e.site})"
