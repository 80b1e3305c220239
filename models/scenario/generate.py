"""Build a machine from a `[generate]` recipe (see genspec.py for the keys).

Steps 1-3 (processes, address spaces, populated pages) are populate.py's; then:
4. swapped pages: exactly the requested number of objects (and shmem pages) is
   chosen, spread over VMAs and files in proportion to their swapped fractions;
5. slots: the layout (layout.py) gives each chosen object a slot; an object shared
   by several mms gives all of them the same slot at the same address;
6. the mmlist: families in order of first swap-out (newest first) for `reclaim`,
   shuffled otherwise; within a family the kernel's fork order: each mm followed by
   its children, newest child first.
All randomness comes from one `random.Random(scenario.seed)`, drawn in a fixed order.
"""

from __future__ import annotations

import math
import random
import re
from array import array
from collections.abc import Sequence
from itertools import chain, compress
from operator import methodcaller

import attrs

from models.pairs import Pairs
from models.scenario.errors import Problem
from models.scenario.genspec import GenerateSpec
from models.scenario.layout import assign_ascending, assign_random, pick_runs, reclaim_order
from models.scenario.limits import MAX_REFERENCES, over_limit
from models.scenario.populate import Area, Population, Proc
from models.scenario_model import Mm, Scenario, ShmemFile, Vma

_RESIDENT_RUN = re.compile(b"\x01+")
_span = methodcaller("span")  # a match's (start, end)


def apportion(weights: list[float], caps: list[int], total: int) -> list[int]:
    """Split `total` in proportion to `weights`, never above `caps` (water-filling,
    then largest remainders).  Units of weight 0 only get pages once every weighted
    unit is full.  The caller guarantees total <= sum(caps).
    """
    alloc = [0] * len(weights)
    remaining = total
    for phase_weights in (weights, [float(c) for c in caps]):
        active = [i for i in range(len(alloc)) if phase_weights[i] > 0 and caps[i] > alloc[i]]
        if remaining <= 0 or not active:
            continue
        room = {i: caps[i] - alloc[i] for i in active}
        # Units fill up in order of room per weight; whoever would get more than its
        # room at the current rate is capped, which only raises the rate for the rest.
        active.sort(key=lambda i: (room[i] / phase_weights[i], i))
        wsum = math.fsum(phase_weights[i] for i in active)
        k = 0
        while k < len(active) and remaining * phase_weights[active[k]] >= room[active[k]] * wsum:
            i = active[k]
            alloc[i] += room[i]
            remaining -= room[i]
            wsum -= phase_weights[i]
            k += 1
        rest = active[k:]
        if not rest or remaining <= 0 or wsum <= 0:
            continue
        shares = [(remaining * phase_weights[i] / wsum, i) for i in rest]
        floors = {i: int(share) for share, i in shares}
        left = max(0, remaining - sum(floors.values()))
        by_fraction = sorted(shares, key=lambda s: (-(s[0] - floors[s[1]]), s[1]))
        for _, i in by_fraction[:left]:
            floors[i] += 1
        for i, n in floors.items():
            alloc[i] += min(n, room[i])
        remaining = total - sum(alloc)
    # Floating-point shares can leave the sum one or two off: settle it by index order.
    for i in range(len(alloc)):
        if remaining > 0:
            step = min(remaining, caps[i] - alloc[i])
        else:
            step = -min(-remaining, alloc[i])
        alloc[i] += step
        remaining -= step
    return alloc


class _Generator:
    def __init__(self, base: Scenario, spec: GenerateSpec) -> None:
        self.base = base
        self.spec = spec
        self.rng = random.Random(base.seed)
        self.pop = Population(spec, self.rng)

    # -- 4. swapped pages -------------------------------------------------------------

    def _choose_swapped(self, usable: int) -> None:
        spec, rng = self.spec, self.rng
        weights = [u.weight for u in self.pop.units]
        caps = [len(u.objs) for u in self.pop.units]
        capacity = sum(caps)
        if spec.slots_used is not None:
            target = spec.slots_used
            if target > capacity:
                raise Problem(
                    ("generate",),
                    f"slots_used = {target}, but the recipe only populates {capacity} pages "
                    "that could be swapped: raise processes, vmas, vma_pages or the fractions",
                    at=("slots_used",),
                )
        else:
            target = min(round(math.fsum(weights)), capacity)
        if target > usable:
            raise Problem(
                ("generate",),
                f"{target} slots in use do not fit in the swap area "
                f"({usable} usable slots: slots - 1 - bad)",
                at=("slots_used",) if spec.slots_used is not None else (),
            )
        for unit, quota in zip(self.pop.units, apportion(weights, caps, target), strict=True):
            unit.runs = [
                unit.objs[a:b] for a, b in pick_runs(rng, len(unit.objs), quota, spec.run_pages)
            ]

    # -- 5./6. slots and mmlist --------------------------------------------------------

    def _mmlist(self, first: list[int] | None) -> list[Proc]:
        roots = [p for p in self.pop.procs if p.parent is None]
        if first is None:
            self.rng.shuffle(roots)
        else:
            # list_add() at the head on first swap-out: the latest newcomer comes first;
            # processes that never swapped go last.
            roots.sort(key=lambda p: (first[p.index] < 0, -first[p.index], p.index))
        order: list[Proc] = []
        stack = list(reversed(roots))
        while stack:
            proc = stack.pop()
            order.append(proc)
            # fork puts a child right after its parent, so the newest child comes first
            stack.extend(proc.children)
        return order

    def _assign_slots(self, slot_of: array[int], bad: frozenset[int]) -> list[Proc]:
        spec, rng = self.spec, self.rng
        slots = self.base.slots
        if spec.layout == "reclaim":
            queues: list[list[Sequence[int]]] = [
                [] for _ in range(spec.processes + len(self.pop.files))
            ]
            units = self.pop.units
            if spec.lru_shuffle < 1.0:
                # an owner's runs in address order: VMAs ascending, runs ascending
                units = sorted(units, key=lambda u: (u.owner, u.addr))
            for unit in units:
                runs = unit.runs
                if spec.lru_shuffle < 1.0:
                    runs = sorted(runs, key=lambda run: run[0])
                queues[unit.owner].extend(runs)
            order, first = reclaim_order(rng, queues, spec.lru_run, spec.lru_shuffle)
            assign_ascending(rng, order, slot_of, slots, bad, spec.holes)
            return self._mmlist(first)
        mmlist = self._mmlist(None)
        if spec.layout == "random":
            chosen: array[int] = array("q")
            for unit in self.pop.units:
                for run in unit.runs:
                    chosen.extend(run)
            assign_random(rng, chosen, slot_of, slots, bad)
            return mmlist
        # sequential: mark the chosen objects, then take them in mmlist and address order
        for unit in self.pop.units:
            for run in unit.runs:
                for o in run:
                    slot_of[o] = -1
        walk: array[int] = array("q")
        for proc in mmlist:
            for area in proc.areas:
                for o in area.obj:
                    if slot_of[o] == -1:
                        slot_of[o] = 0
                        walk.append(o)
        for unit in self.pop.shmem_units:
            for o in sorted(o for run in unit.runs for o in run):
                walk.append(o)
        assign_ascending(rng, walk, slot_of, slots, bad, spec.holes)
        return mmlist

    # -- output -----------------------------------------------------------------------

    @staticmethod
    def _vma(area: Area, slot_of: array[int]) -> Vma:
        if not area.anon:
            return Vma(area.start, area.pages, False, area.resident)
        # Hot path (once per populated page): C-level iterators instead of a loop.
        slots = list(map(slot_of.__getitem__, area.obj))
        swapped_pos = list(compress(area.pos, slots))
        swapped = Pairs.zipped(swapped_pos, list(filter(None, slots)))
        state = bytearray(area.pages)  # 1 = populated and not swapped: resident
        for a, b in area.touched:
            state[a:b] = b"\x01" * (b - a)
        for p in swapped_pos:
            state[p] = 0
        resident = Pairs(array("q", chain.from_iterable(map(_span, _RESIDENT_RUN.finditer(state)))))
        return Vma(area.start, area.pages, True, resident, swapped)

    def run(self) -> Scenario:
        base = self.base
        bad = base.bad + self._extra_bad()
        self.pop.build()
        bad_set = frozenset(bad)
        usable = base.slots - 1 - len(bad_set)
        self._choose_swapped(usable)
        slot_of: array[int] = array("q", bytes(8 * self.pop.next_obj))
        mmlist = self._assign_slots(slot_of, bad_set)
        # Count before building the output: a recipe far over the limit would otherwise
        # build millions of tuples first.
        refs = sum(sum(map(len, u.runs)) for u in self.pop.shmem_units)
        for proc in mmlist:
            for area in proc.areas:
                refs += sum(map(bool, map(slot_of.__getitem__, area.obj)))
        if refs > MAX_REFERENCES:
            raise Problem(("generate",), over_limit("swapped references", MAX_REFERENCES, refs))

        mms = tuple(
            Mm(
                pid=proc.pid,
                comm=proc.comm,
                parent=proc.parent.pid if proc.parent else None,
                vmas=tuple(self._vma(a, slot_of) for a in proc.areas),
            )
            for proc in mmlist
        )
        shmem = []
        for unit, (name, pages, first) in zip(self.pop.shmem_units, self.pop.files, strict=True):
            pairs = sorted((o - first, slot_of[o]) for run in unit.runs for o in run)
            shmem.append(ShmemFile(name, pages, tuple(pairs)))
        return attrs.evolve(base, bad=bad, mms=mms, shmem=tuple(shmem))

    def _extra_bad(self) -> tuple[int, ...]:
        n = self.spec.bad_slots
        if not n:
            return ()
        existing = set(self.base.bad)  # valid and distinct: validate_base ran first
        free = self.base.slots - 1 - len(existing)
        if n > free:
            raise Problem(
                ("generate",),
                f"bad_slots = {n} exceeds the {free} slots left in the swap area",
                at=("bad_slots",),
            )
        picks = self.rng.sample(
            range(1, self.base.slots), min(self.base.slots - 1, n + len(existing))
        )
        return tuple(sorted([s for s in picks if s not in existing][:n]))


def generate(base: Scenario, spec: GenerateSpec) -> Scenario:
    """The scenario `spec` describes, on top of `base` (name, slots, disk, ...)."""
    return _Generator(base, spec).run()
