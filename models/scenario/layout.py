"""Where swapped pages land on the swap area: the three generator layouts.

The generator hands over *objects* (one per swapped page; a page shared after fork
is one object referenced by several mms) and gets back a slot per object, written
into `slot_of`.  Everything here draws from the generator's single `random.Random`.
"""

from __future__ import annotations

import math
import random
from array import array
from bisect import bisect_left
from collections.abc import Sequence
from itertools import accumulate

SWAP_CLUSTER_MAX = 32  # pages reclaimed per shrink_page_list batch

Run = tuple[int, int]


def chop(rng: random.Random, n: int, mean: int) -> list[Run]:
    """Cut range(n) into consecutive runs of geometric length with the given mean."""
    if n <= 0:
        return []
    if mean <= 1:
        return [(i, i + 1) for i in range(n)]
    log_q = math.log(1.0 - 1.0 / mean)
    log = math.log
    rand = rng.random
    ends: list[int] = []
    total = 0
    while total < n:
        # Lengths drawn in bulk (a comprehension is several times faster than a loop
        # of appends); 1 - random() is in (0, 1], so the logarithm is finite.
        count = int((n - total) / mean) + 16
        lengths = [1 + int(log(1.0 - rand()) / log_q) for _ in range(count)]
        ends += list(accumulate(lengths, initial=total))[1:]
        total = ends[-1]
    cut = bisect_left(ends, n)
    del ends[cut + 1 :]
    ends[cut] = n
    return list(zip([0, *ends[:-1]], ends, strict=True))


def pick_runs(rng: random.Random, n: int, k: int, mean: int) -> list[Run]:
    """Choose exactly k of range(n) as whole runs (the last one cut short).

    The runs come back in random order: callers that need addresses sort them,
    the reclaim layout uses the order as the pages' age.
    """
    if k <= 0:
        return []
    runs = chop(rng, n, mean)
    rng.shuffle(runs)
    out: list[Run] = []
    need = k
    for a, b in runs:
        if b - a >= need:
            out.append((a, a + need))
            break
        out.append((a, b))
        need -= b - a
    return out


def age_order(rng: random.Random, runs: list[Sequence[int]], shuffle: float) -> None:
    """Put one owner's runs (given in address order) in age order, oldest first, in place.

    shuffle = 1: ages are random (memory touched again and again, in no order);
    shuffle = 0: ages follow addresses (memory filled once, upwards, then left idle:
    a heap or an arena grows by first touch, so its pages reach the LRU in address
    order); in between, each run keeps its address rank with probability 1 - shuffle
    and the others take random ranks.
    """
    if shuffle >= 1.0:
        rng.shuffle(runs)  # the original draw, so older recipes keep their bytes
        return
    if shuffle <= 0.0:
        return
    n = len(runs)
    rand = rng.random
    keys = [i + 0.5 if rand() >= shuffle else rand() * n for i in range(n)]
    runs[:] = [runs[i] for i in sorted(range(n), key=keys.__getitem__)]


def reclaim_order(
    rng: random.Random,
    queues: list[list[Sequence[int]]],
    lru_run: int,
    shuffle: float = 1.0,
) -> tuple[array[int], list[int]]:
    """The global LRU: each owner's runs in age order (see `age_order`), cut into
    stretches of about `lru_run` pages, the stretches of all owners interleaved.

    Returns the objects in reclaim order and, per owner, the position of its first
    page in that order (-1 if it has none), which decides the mmlist order.

    With random ages (shuffle = 1) the stretches are simply shuffled together.
    Otherwise the interleaving keeps each owner's stretches in their age order, as
    one LRU list does: the owners take turns at random, each resuming where it left.
    """
    stretches: list[tuple[int, Sequence[int]]] = []
    for owner, runs in enumerate(queues):
        if not runs:
            continue
        age_order(rng, runs, shuffle)
        seq: array[int] = array("q")
        for run in runs:
            seq.extend(run)
        stretches.extend((owner, seq[a:b]) for a, b in chop(rng, len(seq), lru_run))
    if shuffle >= 1.0:
        rng.shuffle(stretches)
    else:
        # shuffle the turns only: the k-th turn of an owner gets its k-th stretch
        by_owner: dict[int, list[Sequence[int]]] = {}
        for owner, stretch in stretches:
            by_owner.setdefault(owner, []).append(stretch)
        turns = [owner for owner, _ in stretches]
        rng.shuffle(turns)
        nxt = dict.fromkeys(by_owner, 0)
        merged: list[tuple[int, Sequence[int]]] = []
        for owner in turns:
            merged.append((owner, by_owner[owner][nxt[owner]]))
            nxt[owner] += 1
        stretches = merged
    order: array[int] = array("q")
    first = [-1] * len(queues)
    for owner, stretch in stretches:
        if first[owner] < 0:
            first[owner] = len(order)
        order.extend(stretch)
    return order, first


def assign_ascending(
    rng: random.Random,
    order: Sequence[int],
    slot_of: array[int],
    slots: int,
    bad: frozenset[int],
    holes: float,
) -> None:
    """Hand out slots from 1 upwards in batches of SWAP_CLUSTER_MAX, skipping bad slots,
    with a hole now and then between batches (slots that were used and freed since).

    About `holes` of the used span ends up free; holes never make the pages overflow
    the area, they shrink when spare slots run short.
    """
    spare = slots - 1 - len(bad) - len(order)
    per_batch = SWAP_CLUSTER_MAX * holes / (1.0 - holes)  # mean free slots per batch
    chance = min(0.25, per_batch)
    span = max(1, round(2 * per_batch / chance - 1)) if chance > 0 else 1
    slot = 1
    for i, obj in enumerate(order):
        if i and not i % SWAP_CLUSTER_MAX and spare > 0 and chance and rng.random() < chance:
            gap = min(spare, 1 + rng.randrange(span))
            spare -= gap
            while gap:
                if slot not in bad:
                    gap -= 1
                slot += 1
        while slot in bad:
            slot += 1
        slot_of[obj] = slot
        slot += 1


def _distinct(rng: random.Random, k: int, slots: int, bad: frozenset[int]) -> list[int]:
    """k distinct usable slots in random order: random draws, duplicates dropped.

    Much faster than random.sample for a million slots, and only used for k at most
    half of the usable slots, so few draws are wasted.
    """
    rand = rng.random
    span = slots - 1
    picked: dict[int, None] = {}
    while len(picked) < k:
        missing = k - len(picked)
        picked.update(dict.fromkeys([1 + int(rand() * span) for _ in range(2 * missing + 16)]))
        for slot in bad:
            picked.pop(slot, None)
    return list(picked)[:k]


def assign_random(
    rng: random.Random,
    order: Sequence[int],
    slot_of: array[int],
    slots: int,
    bad: frozenset[int],
) -> None:
    """Slots drawn uniformly (without replacement) from the usable ones."""
    usable = slots - 1 - len(bad)
    need = len(order)
    if need <= usable // 2:
        chosen = _distinct(rng, need, slots, bad)
    else:  # nearly full: draw the few slots that stay free instead
        free = set(_distinct(rng, usable - need, slots, bad)) | bad
        chosen = [s for s in range(1, slots) if s not in free]
        rng.shuffle(chosen)
    for obj, slot in zip(order, chosen, strict=True):
        slot_of[obj] = slot
