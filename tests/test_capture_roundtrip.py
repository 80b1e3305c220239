"""Random fabricated machines: what `swaptui capture` writes is what the tree holds.

Each example builds a /proc tree of unrelated processes and fork children (sharing some
of their parent's slots at the same addresses), captures it, and checks the written file
against the tree itself, not against the capture's own reading: the swap entries, the
fork links, and the engine's counters that the page tables alone decide.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from models.engine import RunOptions, run_swapoff
from models.scenario import parse_scenario
from models.scenario_model import PAGE_SIZE, PTES_PER_TABLE
from swaptui.commands.capture import collect, render
from tests.procfs import PRESENT, SWAPPED, FakeProc, Tree
from tests.profiles import examples

ALGORITHMS = ("legacy", "rfc", "linear", "linear-5.1")
SLOTS = 4096


@st.composite
def machines(draw: st.DrawFn) -> list[FakeProc]:
    # slots in a random order, so that layouts interleave processes as reclaim does
    rng = random.Random(draw(st.integers(0, 2**32)))
    slots = iter(rng.sample(range(1, SLOTS), SLOTS - 1))
    procs: list[FakeProc] = []
    n = draw(st.integers(1, 4))
    for k in range(n):
        pid = 100 + 10 * k
        p = FakeProc(pid, f"p{k}", ppid=1, starttime=pid)
        base = 0x7F0000000000 + k * (1 << 36)
        for j in range(draw(st.integers(1, 3))):
            start = base + j * (1 << 30) + draw(st.integers(0, 1024)) * PAGE_SIZE
            v = p.vma(start, draw(st.integers(1, 1200)))
            for i in draw(st.sets(st.integers(0, v.pages - 1), max_size=40)):
                if draw(st.booleans()):
                    v.swap(i, next(slots))
                else:
                    v.present(i, pfn=pid * 100000 + i)
        if not any(e & SWAPPED for v in p.vmas for e in v.entries.values()):
            p.vmas[0].swap(0, next(slots))
        procs.append(p)
        # fork children: the parent's layout, some of its swap entries, pages of their own
        for c in range(draw(st.integers(0, 2))):
            child = FakeProc(pid + 1 + c, f"p{k}", ppid=pid, starttime=pid + 1 + c)
            for v in p.vmas:
                cv = child.vma(v.start, v.pages)
                for i, e in v.entries.items():
                    if e & SWAPPED and draw(st.booleans()):
                        cv.entries[i] = e
            mine = child.vmas[0]
            free = [i for i in range(mine.pages) if i not in mine.entries]
            if free:
                mine.swap(free[0], next(slots))
            else:
                mine.entries.clear()
                mine.swap(0, next(slots))
            procs.append(child)
    return procs


def _linear_walk(procs: list[FakeProc]) -> tuple[int, int]:
    """unuse_pte_range calls and PTEs scanned by one full walk of every mm: one call per
    page table (2 MiB region holding a page of the mm) inside each anon VMA."""
    calls = scanned = 0
    for p in procs:
        if not any(e & SWAPPED for v in p.vmas for e in v.entries.values()):
            continue  # not captured: no swap entries
        regions = {(v.start // PAGE_SIZE + i) // PTES_PER_TABLE for v in p.vmas for i in v.entries}
        for v in p.vmas:
            first, end = v.start // PAGE_SIZE, v.start // PAGE_SIZE + v.pages
            for r in regions:
                lo, hi = max(first, r * PTES_PER_TABLE), min(end, (r + 1) * PTES_PER_TABLE)
                if lo < hi:
                    calls += 1
                    scanned += hi - lo
    return calls, scanned


@settings(max_examples=examples(40))
@given(machines())
def test_capture_round_trips(procs: list[FakeProc]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tree = Tree(Path(tmp)).area("/dev/sda2", (SLOTS - 1) * 4)
        tree.rotational["sda"] = 1
        tree.procs = {p.pid: p for p in procs}
        tree.write()
        text = render(collect(str(tree.proc)))
    s = parse_scenario(text, "captured.toml")

    expected = tree.references()
    got = {
        (m.pid, v.start + i * PAGE_SIZE, slot)
        for m in s.mms
        for v in m.vmas
        for i, slot in v.swapped
    }
    assert got == expected
    resident = {
        (m.pid, v.start + i * PAGE_SIZE)
        for m in s.mms
        for v in m.vmas
        for a, b in v.resident
        for i in range(a, b)
    }
    assert resident == {
        (p.pid, v.start + i * PAGE_SIZE)
        for p in procs
        for v in p.vmas
        for i, e in v.entries.items()
        if e & PRESENT and p.pid in {m.pid for m in s.mms}
    }
    # children that share a slot with their parent are linked to it, and follow it
    parents = {m.pid: m.parent for m in s.mms}
    order = [m.pid for m in s.mms]
    for p in procs:
        if p.ppid != 1:
            assert parents[p.pid] == p.ppid
            assert order.index(p.ppid) < order.index(p.pid)

    refs = len(expected)
    distinct = len({slot for _p, _a, slot in expected})
    calls, scanned = _linear_walk(procs)
    for algorithm in ALGORITHMS:
        r = run_swapoff(s, RunOptions(algorithm=algorithm, keep_events=False))
        c = r.counters.as_dict()
        assert r.result == "ok", algorithm
        assert c["unuse_pte_calls"] == refs, algorithm
        if algorithm == "legacy":
            assert c["pages_read"] == distinct  # one read per slot in use, no readahead
        else:
            assert c["unuse_mm_calls"] == len(s.mms), algorithm
            assert (c["unuse_pte_range_calls"], c["ptes_scanned"]) == (calls, scanned)
