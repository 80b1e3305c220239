"""The references to swap slots, the facts every algorithm looks up: each anon PTE and
each shmem file page that holds a swap entry, stored column-wise, and the index from a
slot to the references to it (what the swap_map's count counts).
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Iterator, Mapping
from typing import Any

from attrs import frozen

ANON = 0
SHMEM = 1


@frozen
class Ref:
    """One reference to a swap slot: an anon PTE or a shmem file page."""

    kind: int  # ANON or SHMEM
    owner: int  # mm index (ANON) or shmem file index (SHMEM)
    vma: int  # VMA index in the mm (ANON); -1 for shmem
    page: int  # page index in the VMA or file
    slot: int
    vpage: int  # absolute virtual page number (ANON); -1 for shmem
    ordinal: int  # walk ordinal of the PTE in its mm (ANON); -1 for shmem


class RefTable:
    """All references, stored column-wise (a million Ref objects would not fit the budget).

    `table[i]` builds the `Ref` of reference i on demand; hot paths read the columns.
    """

    __slots__ = ("kind", "ordinal", "owner", "page", "slot", "vma", "vpage")

    def __init__(self) -> None:
        self.kind = array("b")
        self.owner = array("q")
        self.vma = array("q")
        self.page = array("q")
        self.slot = array("q")
        self.vpage = array("q")
        self.ordinal = array("q")

    def append(
        self, kind: int, owner: int, vma: int, page: int, slot: int, vpage: int, o: int
    ) -> int:
        self.kind.append(kind)
        self.owner.append(owner)
        self.vma.append(vma)
        self.page.append(page)
        self.slot.append(slot)
        self.vpage.append(vpage)
        self.ordinal.append(o)
        return len(self.slot) - 1

    def extend(
        self,
        kind: int,
        owner: int,
        vma: list[int],
        page: list[int],
        slot: list[int],
        vpage: list[int],
        o: list[int],
    ) -> int:
        """Append len(slot) references of one kind and owner, given column by column;
        returns the id of the first."""
        first = len(self.slot)
        n = len(slot)
        self.kind.extend(array("b", [kind]) * n)
        self.owner.extend(array("q", [owner]) * n)
        self.vma.extend(array("q", vma))
        self.page.extend(array("q", page))
        self.slot.extend(array("q", slot))
        self.vpage.extend(array("q", vpage))
        self.ordinal.extend(array("q", o))
        return first

    def __len__(self) -> int:
        return len(self.slot)

    def __getitem__(self, i: int) -> Ref:
        return Ref(
            self.kind[i],
            self.owner[i],
            self.vma[i],
            self.page[i],
            self.slot[i],
            self.vpage[i],
            self.ordinal[i],
        )

    def __iter__(self) -> Iterator[Ref]:
        return (self[i] for i in range(len(self)))


class SlotRefs(Mapping[int, list[int]]):
    """slot -> the references to it (ascending ids), as one index sorted by slot.

    Built by counting on an area of ordinary density and by sorting the references on
    a huge, nearly empty one: either way it costs what the references cost, not what
    the area does.
    """

    def __init__(self, ref_slot: array, slots: int) -> None:
        n = len(ref_slot)
        self.slots = array("q")  # the distinct slots, ascending
        self._start = array("q")  # where each slot's references begin in _refs
        if slots <= 8 * n + 65536:
            # a dense area: count per slot (memory and time follow the references)
            self._refs = self._by_counting(ref_slot, slots)
        else:
            # a huge, nearly empty area: sort the few references instead (stable: the
            # references to one slot stay in id order)
            order = sorted(range(n), key=ref_slot.__getitem__)
            self._refs = array("q", order)
            prev = -1
            for k, r in enumerate(order):
                s = ref_slot[r]
                if s != prev:
                    self.slots.append(s)
                    self._start.append(k)
                    prev = s
        self._start.append(n)

    def _by_counting(self, ref_slot: array, slots: int) -> array:
        count = array("q", bytes(8 * slots))
        for s in ref_slot:
            count[s] += 1
        k = 0
        for s in range(slots):
            c = count[s]
            if c:
                self.slots.append(s)
                self._start.append(k)
                count[s] = k  # from here on: where the next reference to s goes
                k += c
        refs = array("q", bytes(8 * len(ref_slot)))
        for r, s in enumerate(ref_slot):
            refs[count[s]] = r
            count[s] += 1
        return refs

    def _find(self, slot: int) -> int:
        k = bisect.bisect_left(self.slots, slot)
        return k if k < len(self.slots) and self.slots[k] == slot else -1

    def get(self, slot: int, default: Any = None) -> Any:
        # _find, inlined: legacy asks for every slot in use, twice
        slots = self.slots
        k = bisect.bisect_left(slots, slot)
        if k == len(slots) or slots[k] != slot:
            return default
        return self._refs[self._start[k] : self._start[k + 1]].tolist()

    def count(self, slot: int) -> int:
        k = self._find(slot)
        return 0 if k < 0 else self._start[k + 1] - self._start[k]

    def __getitem__(self, slot: int) -> list[int]:
        refs = self.get(slot)
        if refs is None:
            raise KeyError(slot)
        return refs

    def __iter__(self) -> Iterator[int]:
        return iter(self.slots)

    def __len__(self) -> int:
        return len(self.slots)
