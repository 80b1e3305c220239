"""The machine's memory and the fresh swap area, as part of a run's state.

Only scenarios with memory pressure (`reclaim`) have one (`State.mem`); every other
run keeps `free_pages` as the plain budget it always was and pays nothing here.

What is tracked (docs/engine.md, section 9):

- `free`: pages free.  Every page swapoff reads takes one, as does every page the
  load touches; a page dropped or written by reclaim, or an unmapped swap-cache page
  deleted by swapoff, gives one back.
- `unmapped`: the old area's swap-cache pages that no PTE maps yet (readahead pages,
  prefetch's pages, a page between its read and its first restore), oldest read
  first: what reclaim drops first.
- `lru`: the mapped pages, in the order they were first mapped (oldest first): what
  reclaim writes to the fresh area when dropping is not enough.  A page swapoff
  mapped is named by the first reference that mapped it (its *leader*); every
  reference restored from the same swap-cache page joins it (`page_of`).  The load's
  page k is named ~k.
- `slot_page`: the mapped page still in the old area's swap cache, per slot (a shared
  page whose other references the walk has not reached): clean there, so reclaim
  only unmaps it (the old entry back in its PTEs) instead of writing it.
- the fresh area: the swap count of each of its slots, the next slot to hand out
  (slots go out ascending from 1 and are never freed during the run), and the head
  of its own disk when it has one.

Changed only through `State.apply` (the events), like the rest of the state.
"""

from __future__ import annotations

from array import array
from collections import OrderedDict

from models.machine import Machine


class MemoryState:
    __slots__ = (
        "dropped",
        "free",
        "fresh_count",
        "fresh_head",
        "fresh_next",
        "load_fresh",
        "lru",
        "page_of",
        "ref_fresh",
        "slot_page",
        "unmapped",
    )

    def __init__(self, machine: Machine) -> None:
        s = machine.scenario
        refs = len(machine.refs)
        self.free = s.free_pages or 0
        self.unmapped: OrderedDict[int, None] = OrderedDict()
        self.lru: OrderedDict[int, None] = OrderedDict()
        self.slot_page: dict[int, int] = {}
        self.page_of = array("q", [-1]) * refs
        self.ref_fresh = array("q", bytes(8 * refs))
        self.fresh_count = bytearray(s.fresh.slots if s.fresh is not None else 0)
        self.fresh_next = 1  # slot 0 is the fresh area's header too
        self.fresh_head = 0  # the fresh area's own disk (unused when it shares the old one)
        self.load_fresh = array("q")  # per page the load touched: its fresh slot, 0 resident
        # old slots whose page reclaim dropped and nobody read since: a read is a re-read
        self.dropped: set[int] = set()

    def copy(self) -> MemoryState:
        other = MemoryState.__new__(MemoryState)
        other.free = self.free
        other.unmapped = self.unmapped.copy()
        other.lru = self.lru.copy()
        other.slot_page = dict(self.slot_page)
        other.page_of = array("q", self.page_of)
        other.ref_fresh = array("q", self.ref_fresh)
        other.fresh_count = bytearray(self.fresh_count)
        other.fresh_next = self.fresh_next
        other.fresh_head = self.fresh_head
        other.load_fresh = array("q", self.load_fresh)
        other.dropped = set(self.dropped)
        return other

    def checkpoint_bytes(self, machine: Machine) -> int:
        """About what a copy of this holds at most: the fresh swap_map, two arrays per
        reference, and the ordered dicts of pages, which never hold more pages than
        memory does (about 100 bytes an entry)."""
        s = machine.scenario
        load = s.load.pages if s.load is not None else 0
        pages = min(s.free_pages or 0, len(machine.refs) + load)
        return len(self.fresh_count) + 16 * len(self.page_of) + 100 * 2 * pages

    @property
    def load_touched(self) -> int:
        return len(self.load_fresh)

    @property
    def fresh_used(self) -> int:
        """Fresh slots handed out so far (none is freed while swapoff runs)."""
        return self.fresh_next - 1

    def mapped_pages(self) -> int:
        """Pages mapped by a PTE (or a tmpfs file) that are not in the old swap cache."""
        return len(self.lru) - len(self.slot_page) - self.load_resident()

    def load_resident(self) -> int:
        """The load's pages still in memory (a 0 is a page not written out)."""
        return self.load_fresh.count(0)

    # ---- the State hooks ------------------------------------------------------------
    def read(self, slot: int) -> bool:
        """`slot` was read into the swap cache (its page was allocated before the read):
        returns whether it is a re-read of a page reclaim dropped."""
        self.unmapped[slot] = None
        if slot in self.dropped:
            self.dropped.discard(slot)
            return True
        return False

    def map(self, ref: int, slot: int) -> None:
        """Reference `ref` maps the swap-cache page of `slot` (unuse_pte, shmem)."""
        leader = self.slot_page.get(slot)
        if leader is None:
            leader = ref
            self.slot_page[slot] = ref
            self.unmapped.pop(slot, None)
            self.lru[ref] = None
        self.page_of[ref] = leader

    def uncache(self, slot: int) -> None:
        """The page of `slot` left the old area's swap cache (delete_from_swap_cache)."""
        if self.slot_page.pop(slot, None) is None:
            # nothing maps it: the page itself is freed
            self.unmapped.pop(slot, None)
            self.free += 1
