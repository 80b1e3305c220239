"""The invariants of docs/engine.md, section 7, checked after every run.

Completed: every slot free and out of the swap cache; every reference restored with
its own slot's token (or an error marker for a failed read); counters agree with the
events.  Aborted (ENOMEM, EINTR): every reference is either still a swap entry of a
slot in use or a present page with the right token, and each slot's swap count equals
the references left: nothing lost, nothing duplicated.
"""

from __future__ import annotations

from collections.abc import Sequence

from models import events as ev
from models.engine import RunResult
from models.state import ABSENT, DROPPED, ERROR, FRESH, PRESENT, SWAP, State
from models.tokens import token


def check(run: RunResult) -> list[str]:
    """Violations, as sentences; an empty list means "ok"."""
    m, st = run.machine, run.final
    problems: list[str] = []
    seed = m.scenario.seed
    left: dict[int, int] = {}
    failed = {s for q in run.requests for s in q.failed} | {
        f.slot for f in run.faults if f.kind == "eio"
    }
    # column by column: a million references must not become a million Ref objects
    ref_state, ref_token = st.ref_state, st.ref_token
    for i, slot in enumerate(m.refs.slot):
        state = ref_state[i]
        if state == PRESENT:
            if ref_token[i] != token(seed, slot):
                problems.append(f"{_who(run, i)} was restored with the wrong content (slot {slot})")
        elif state == SWAP:
            left[slot] = left.get(slot, 0) + 1
            if run.result == "ok":
                problems.append(f"{_who(run, i)} still holds swap entry {slot}")
        elif state == ERROR:
            if slot not in failed:
                problems.append(f"{_who(run, i)} has an error marker but slot {slot} read fine")
        elif state == FRESH:
            # written to the fresh area by reclaim: its content went with it
            if st.mem is None or ref_token[i] != token(seed, slot):
                problems.append(
                    f"{_who(run, i)} was written to the fresh area with the wrong content "
                    f"(slot {slot})"
                )
        elif state not in (DROPPED, ABSENT):
            problems.append(f"{_who(run, i)} is in an unknown state {state}")
    # only a slot some reference names can hold a count or a cached page: look at those
    # one by one, and check that no other slot holds anything with two C-speed counts
    # (a 256 GiB area has 67 million slots)
    named = m.slot_refs.slots
    for slot in named:
        if st.count[slot] != left.get(slot, 0):
            problems.append(
                f"slot {slot}: swap count {st.count[slot]} but {left.get(slot, 0)} references left"
            )
        if run.result == "ok" and st.cached[slot]:
            problems.append(f"slot {slot} is still in the swap cache")
    counted = sum(1 for s in named if st.count[s])
    if len(st.count) - st.count.count(0) != counted:
        problems.append("a slot no reference names has a swap count")
    cached = sum(1 for s in named if st.cached[s])
    if len(st.cached) - st.cached.count(0) != cached:
        problems.append("a slot no reference names has a page in the swap cache")
    if st.mem is not None:
        problems.extend(_memory(run))
    if run.events is not None:
        problems.extend(_counters_match_events(run.events, st))
    return (
        problems[:50]
        if len(problems) <= 50
        else [*problems[:49], f"... and {len(problems) - 49} more"]
    )


def _memory(run: RunResult) -> list[str]:
    """Memory pressure: no fresh slot leaked, and every page accounted for."""
    m, st = run.machine, run.final
    mem = st.mem
    assert mem is not None
    problems: list[str] = []
    held: dict[int, int] = {}  # fresh slot -> the PTEs and load pages that hold it
    for i in range(len(m.refs)):
        if st.ref_state[i] == FRESH:
            f = mem.ref_fresh[i]
            held[f] = held.get(f, 0) + 1
    for f in mem.load_fresh:
        if f:
            held[f] = held.get(f, 0) + 1
    for f, n in held.items():
        if not 0 < f < len(mem.fresh_count) or mem.fresh_count[f] != n:
            count = mem.fresh_count[f] if 0 <= f < len(mem.fresh_count) else "none"
            problems.append(f"fresh slot {f}: swap count {count} but {n} entries hold it")
    if len(mem.fresh_count) - mem.fresh_count.count(0) != len(held):
        problems.append("a fresh slot no entry holds has a swap count (leaked)")
    if len(held) != st.counters.pages_written or mem.fresh_used != len(held):
        problems.append(
            f"the fresh area holds {len(held)} pages but reclaim wrote "
            f"{st.counters.pages_written} to {mem.fresh_used} slots"
        )
    # every page is free, in the swap cache, mapped, or the load's
    pages = mem.free + st.cache_size + mem.mapped_pages() + mem.load_resident()
    total = m.scenario.free_pages or 0
    if mem.free < 0 or pages != total:
        problems.append(
            f"memory: {mem.free} free + {st.cache_size} in the swap cache + "
            f"{mem.mapped_pages()} mapped + {mem.load_resident()} of the load = {pages}, "
            f"not the {total} pages swapoff started with"
        )
    return problems


def _who(run: RunResult, ref: int) -> str:
    r = run.machine.refs[ref]
    if r.owner >= 0 and r.vma >= 0:
        mm = run.machine.scenario.mms[r.owner]
        return f"mm {mm.pid} vma[{r.vma}] page {r.page}"
    return f"shmem[{r.owner}] page {r.page}"


def _counters_match_events(events: Sequence[ev.Event], st: State) -> list[str]:
    """Recount from the events themselves, independently of State.apply."""
    ptes = calls = mm_calls = unuse = pages = requests = seek = 0
    cpu_ps = io_ns = 0
    written = write_ns = dropped = 0
    for e in events:
        if isinstance(e, ev.Walk):
            ptes += e.ptes
            calls += e.calls
        elif isinstance(e, ev.Search):
            ptes += e.ptes
            calls += e.calls
            mm_calls += e.unuse_mm_calls
            unuse += len(e.restored)
        elif isinstance(e, ev.UnuseMm):
            mm_calls += 1
        elif isinstance(e, ev.UnusePte):
            unuse += 1
        if isinstance(e, ev.DiskRequest):
            pages += e.pages
            requests += 1
            seek += e.seek_slots
            io_ns += (e.t1 - e.t0) // 1000
        elif isinstance(e, ev.PageOut):
            written += len(e.pages)
            write_ns += (e.t1 - e.t0) // 1000
        else:
            cpu_ps += e.t1 - e.t0
            if isinstance(e, ev.ReclaimDrop):
                dropped += len(e.slots)
            elif isinstance(e, ev.ReclaimUnmap):
                dropped += len(e.pages)
    c = st.counters
    expect = {
        "ptes_scanned": ptes,
        "unuse_pte_range_calls": calls,
        "unuse_mm_calls": mm_calls,
        "unuse_pte_calls": unuse,
        "pages_read": pages,
        "io_requests": requests,
        "seek_slots": seek,
        "io_ns": io_ns + write_ns,
        "cpu_ns": cpu_ps // 1000,
        "pages_written": written,
        "write_ns": write_ns,
        "pages_dropped": dropped,
    }
    got = c.as_dict()
    out = [
        f"counter {k} is {got[k]} but the events add up to {v}"
        for k, v in expect.items()
        if got[k] != v
    ]
    last = events[-1].t1 if events else 0
    if c.total_ns != last // 1000 and abs(c.total_ns - last // 1000) > 1:
        out.append(f"total_ns {c.total_ns} differs from the clock {last // 1000}")
    return out
