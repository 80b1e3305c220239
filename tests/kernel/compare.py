"""Set a boot's kernel trace against what `swaptui capture` and `swaptui run` made of it.

The kernel names an mm by its address; the capture names it by pid.  `name_mms` pairs
them through the VMAs: each mm the kernel walked is the process whose /proc/PID/maps
holds every VMA walked for it (a child holds its parent's VMAs plus its own, so the
pairing goes from the most specific VMA set to the least).

`expected_walk` is the order of unuse_pte_range calls a scenario implies for one pass
of the page-table walk, computed here from the scenario alone, not by the engine: the
mms in mmlist order, in each the VMAs that have an anon_vma in address order, in each
VMA every 2 MiB page table that holds a page (resident or swapped) of that mm.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from attrs import frozen

from models.scenario_model import PAGE_SIZE, PTES_PER_TABLE, Scenario
from tests.kernel.trace import Trace


@frozen
class Call:
    pid: int
    vm_start: int
    table: int


def maps_of(proc: Path) -> dict[int, set[tuple[int, int]]]:
    """pid -> the (start, end) of each line of its maps, for the processes of the tree."""
    out: dict[int, set[tuple[int, int]]] = {}
    for maps in proc.glob("[0-9]*/maps"):
        spans = set()
        for line in maps.read_text(errors="replace").splitlines():
            lo, _, hi = line.split(" ", 1)[0].partition("-")
            spans.add((int(lo, 16), int(hi, 16)))
        out[int(maps.parent.name)] = spans
    return out


def name_mms(trace: Trace, maps: dict[int, set[tuple[int, int]]]) -> dict[int, int]:
    """mm address -> pid; raises AssertionError when the VMAs do not decide it."""
    walked: dict[int, set[tuple[int, int]]] = {}
    for w in trace.walks:
        walked.setdefault(w.mm, set()).add((w.vm_start, w.vm_end))
    named: dict[int, int] = {}
    # the mm with the most VMAs first: a child's set includes the VMAs it got from its
    # parent, so once the children are named the parent is the one process left
    for mm in sorted(walked, key=lambda m: -len(walked[m])):
        fits = [
            pid for pid, spans in maps.items() if walked[mm] <= spans and pid not in named.values()
        ]
        assert len(fits) == 1, f"mm {mm:#x}: its VMAs fit pids {fits}, not exactly one"
        named[mm] = fits[0]
    return named


def kernel_calls(trace: Trace, named: dict[int, int]) -> list[Call]:
    return [Call(named[w.mm], w.vm_start, w.table) for w in trace.walks]


def expected_walk(s: Scenario) -> list[Call]:
    calls: list[Call] = []
    pages_per_table = PTES_PER_TABLE
    for mm in s.mms:
        tables: set[int] = set()
        for v in mm.vmas:
            base = v.start // PAGE_SIZE
            tables.update((base + i) // pages_per_table for i, _slot in v.swapped)
            for a, b in v.resident:
                tables.update(
                    range((base + a) // pages_per_table, (base + b - 1) // pages_per_table + 1)
                )
        for v in mm.vmas:
            if not v.anon:
                continue
            first = v.start // PAGE_SIZE // pages_per_table
            last = (v.start // PAGE_SIZE + v.pages - 1) // pages_per_table
            calls.extend(Call(mm.pid, v.start, t) for t in range(first, last + 1) if t in tables)
    return calls


def first_difference(a: Sequence[object], b: Sequence[object]) -> int | None:
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return i
    return None if len(a) == len(b) else min(len(a), len(b))


def in_order(calls: list[Call]) -> list[int]:
    """The pids in the order the walk first reaches them."""
    seen: list[int] = []
    for c in calls:
        if c.pid not in seen:
            seen.append(c.pid)
    return seen
