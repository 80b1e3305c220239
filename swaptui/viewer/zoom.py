"""Which slots the swap_map and the head chart cover: where the work is, or the whole area.

The full-scale presets swap 12,800 pages out to a 262,144-slot area, all of them low
in it (the kernel's allocator fills a fresh area from the bottom).  Drawn whole, the
area is one row of used cells over fourteen empty ones and the head chart a flat
line at the bottom.  So by default both cover the *span*: from the lowest to the
highest slot that is in use when swapoff starts or that any disk request of the run
reads (readahead, a fault putting an entry back), with a small margin.  `z` shows
the whole area instead.
"""

from __future__ import annotations

from attrs import frozen

from models.timeline import Timeline

MARGIN = 1 / 64  # of the span, on each side (at least one slot)
WHOLE_ABOVE = 0.5  # a span this share of the area or more is shown as the whole area
SMALL_AREA = 4096  # an area this small is always shown whole (it fits, slot by slot)


@frozen
class SlotSpan:
    """Slots [lo, hi) of an area of `total` slots."""

    lo: int
    hi: int
    total: int

    @property
    def size(self) -> int:
        return self.hi - self.lo

    @property
    def whole(self) -> bool:
        return self.lo == 0 and self.hi == self.total

    def label(self) -> str:
        """'slots 1-12,801 of 262,144', or '262,144 slots' for the whole area."""
        if self.whole:
            return f"{self.total:,} slot{'s' if self.total != 1 else ''}"
        return f"slots {self.lo:,}-{self.hi - 1:,} of {self.total:,}"


def whole_area(total: int) -> SlotSpan:
    return SlotSpan(0, max(total, 0), max(total, 0))


def _nonzero_bounds(data: bytes | bytearray) -> tuple[int, int] | None:
    """(first, last + 1) of the non-zero bytes, at C speed; None if all are zero."""
    hi = len(data.rstrip(b"\x00"))
    if hi == 0:
        return None
    return len(data) - len(data.lstrip(b"\x00")), hi


def work_span(timeline: Timeline) -> SlotSpan:
    """The slots the run is about: in use at the start or read by a request, plus margin."""
    total = timeline.machine.slots
    first = timeline.state_before(0)
    bounds = [b for b in (_nonzero_bounds(first.count), _nonzero_bounds(first.cached)) if b]
    for r in timeline.requests:
        bounds.append((r.start, r.start + r.pages))
    if not bounds or total <= 0:
        return whole_area(total)
    lo = min(b[0] for b in bounds)
    hi = max(b[1] for b in bounds)
    pad = max(1, round((hi - lo) * MARGIN))
    lo, hi = max(0, lo - pad), min(total, hi + pad)
    if total <= SMALL_AREA or hi - lo >= WHOLE_ABOVE * total:
        return whole_area(total)
    return SlotSpan(lo, hi, total)


def union(spans: list[SlotSpan]) -> SlotSpan:
    """The smallest span holding all of `spans` (of one area): the whole area if any is."""
    total = spans[0].total
    if any(s.whole for s in spans):
        return whole_area(total)
    return SlotSpan(min(s.lo for s in spans), max(s.hi for s in spans), total)
