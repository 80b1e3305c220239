"""Swap readahead window policies (docs/engine.md, section 3; mm/swap_state.c).

`cluster-adaptive` is swap_cluster_readahead sized by swapin_nr_pages() (the hit
detector of commit 579f82901f6f); `cluster` keeps the window at its maximum;
`vma` is swap_vma_readahead with per-VMA state; `none` reads the target only.
"""

from __future__ import annotations

POLICIES = ("none", "cluster", "cluster-adaptive", "vma")
HITS_MAX = 63  # SWAP_RA_HITS_MAX: the per-VMA hit count is a 6-bit field


def nr_pages(prev_offset: int, offset: int, hits: int, max_pages: int, prev_win: int) -> int:
    """__swapin_nr_pages: the window size from the recent hit count."""
    pages = hits + 2
    if pages == 2:
        # no hits: read a neighbour only when the faults walk sequentially
        if offset != prev_offset + 1 and offset != prev_offset - 1:
            pages = 1
    else:
        roundup = 4
        while roundup < pages:
            roundup <<= 1
        pages = roundup
    pages = min(pages, max_pages)
    # don't shrink the window faster than by half per fault
    return max(pages, prev_win // 2)


class ClusterState:
    """The global state of swap_cluster_readahead (swapin_readahead_hits and friends)."""

    __slots__ = ("hits", "last_window", "prev_offset")

    def __init__(self) -> None:
        self.hits = 0
        self.prev_offset = 0
        self.last_window = 0

    def window(self, offset: int, page_cluster: int, adaptive: bool) -> int:
        max_pages = 1 << page_cluster
        if max_pages <= 1:
            return 1
        if not adaptive:
            return max_pages
        hits, self.hits = self.hits, 0
        pages = nr_pages(self.prev_offset, offset, hits, max_pages, self.last_window)
        if hits == 0:
            self.prev_offset = offset
        self.last_window = pages
        return pages


def cluster_block(offset: int, window: int, slots: int) -> range:
    """The aligned block of `window` slots holding `offset`, without the header slot."""
    if window <= 1:
        return range(offset, offset + 1)
    mask = window - 1
    start = offset & ~mask
    end = offset | mask
    start = max(start, 1)
    end = min(end, slots - 1)
    return range(start, end + 1)


class VmaState:
    """vma->swap_readahead_info: last fault page, last window, hits."""

    __slots__ = ("addr", "hits", "win")

    def __init__(self, hits: int = 0) -> None:
        self.addr = 0
        self.win = 0
        self.hits = hits

    def on_hit(self, vpage: int, was_readahead: bool) -> None:
        """lookup_swap_cache found the page: record the address, count a readahead hit."""
        if was_readahead:
            self.hits = min(self.hits + 1, HITS_MAX)
        self.addr = vpage

    def window(
        self, fpage: int, page_cluster: int, vma_start: int, vma_end: int
    ) -> tuple[int, int]:
        """swap_ra_info: the half-open range of virtual pages to read around fault page `fpage`."""
        max_win = 1 << min(page_cluster, 5)  # SWAP_RA_ORDER_CEILING on 64-bit
        if max_win == 1:
            return fpage, fpage + 1
        prev = self.addr
        win = nr_pages(prev, fpage, self.hits, max_win, self.win)
        self.addr, self.win, self.hits = fpage, win, 0
        if win == 1:
            return fpage, fpage + 1
        if fpage == prev + 1:  # moving forward
            lo, hi = fpage, fpage + win
        elif prev == fpage + 1:  # moving backward
            lo, hi = fpage - win + 1, fpage + 1
        else:
            left = (win - 1) // 2
            lo, hi = fpage - left, fpage + win - left
        # clamp to the VMA and to the page table of the fault
        table = fpage - fpage % 512
        return max(lo, vma_start, table), min(hi, vma_end, table + 512)
