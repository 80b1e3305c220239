"""Where a run's simulated time went: page-table walks, other CPU, seek, rotation, transfer.

The engine charges every event one cost (t1 - t0).  This module splits that cost
into the parts the cost model itself computes (`models.cost.DiskModel.parts`,
`CpuCost.restores`), so that the parts of every disk request add up to exactly the
request's nanoseconds, and the parts of the whole run add up to its total.  Race
mode draws these as growing bars: Hugh Dickins's trade-off (CPU against seeks) is
the difference between two sides' bars.

Standard library and the engine's modules only.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from models import events as ev
from models.cost import CpuCost, DiskModel, ps

# walk: unuse_mm / unuse_pte_range (Walk, Search, UnuseMm);  cpu: everything else the
# CPU does (find_next_to_unuse's scans, unuse_pte);  then the disk's parts.  `access`
# is an SSD's fixed per-request latency, the nearest thing it has to seek + rotation.
# Under memory pressure (docs/engine.md, section 9) two more: `write`, reclaim's
# writes to the fresh area (all their parts), and `reread`, each read request's share
# of the pages reclaim had dropped (taken from its parts in proportion).
CATEGORIES = ("walk", "cpu", "seek", "rotation", "access", "transfer", "write", "reread")
LABELS = {
    "walk": "cpu: page-table walks",
    "cpu": "cpu: everything else",
    "seek": "disk: seek",
    "rotation": "disk: rotation",
    "access": "disk: ssd latency",
    "transfer": "disk: transfer",
    "write": "reclaim: writes",
    "reread": "reclaim: re-reads",
}
# which bars a disk kind can fill (an hdd never has `access`, zram only transfers)
SHOWN = {
    "hdd": ("walk", "cpu", "seek", "rotation", "transfer"),
    "ssd": ("walk", "cpu", "access", "transfer"),
    "zram": ("walk", "cpu", "transfer"),
}
PRESSURE = ("write", "reread")  # the bars a run under memory pressure adds

Parts = tuple[int, int, int, int, int, int, int, int]
RequestParts = tuple[int, int, int, int, int, int]  # one read: the first six of Parts
_ZERO: Parts = (0, 0, 0, 0, 0, 0, 0, 0)


def split_request(disk: DiskModel, e: ev.DiskRequest) -> RequestParts:
    """(.., seek, rotation, access, transfer) of one request, in picoseconds.

    Transfer takes what rounding leaves, so the parts sum to the request's cost exactly.
    """
    total = e.t1 - e.t0
    parts = disk.parts(e.head, e.start, e.pages)
    seek = min(total, ps(parts.seek))
    rotation = min(total - seek, ps(parts.rotation))
    access = min(total - seek - rotation, ps(parts.access))
    return (0, 0, seek, rotation, access, total - seek - rotation - access)


def split_event(disk: DiskModel, cpu: CpuCost, e: ev.Event, reread: int = 0) -> Parts:
    """The cost of one event by category (picoseconds); zero-cost events give zeros.

    `reread`: how many pages of a read request reclaim had dropped before."""
    total = e.t1 - e.t0
    if total == 0:
        return _ZERO
    if isinstance(e, ev.DiskRequest):
        w, c, seek, rotation, access, transfer = split_request(disk, e)
        if not reread:
            return (w, c, seek, rotation, access, transfer, 0, 0)
        keep = e.pages - reread  # the rest of the request is the re-reads' share
        seek, rotation, access, transfer = (
            p * keep // e.pages for p in (seek, rotation, access, transfer)
        )
        return (
            w,
            c,
            seek,
            rotation,
            access,
            transfer,
            0,
            total - (seek + rotation + access + transfer),
        )
    if isinstance(e, ev.PageOut):
        return (0, 0, 0, 0, 0, 0, total, 0)
    if isinstance(e, ev.Search):
        # the restores inside a search are unuse_pte work, not walking
        other = min(total, cpu.restores(len(e.restored)))
        return (total - other, other, 0, 0, 0, 0, 0, 0)
    if isinstance(e, (ev.Walk, ev.UnuseMm)):
        return (total, 0, 0, 0, 0, 0, 0, 0)
    return (0, total, 0, 0, 0, 0, 0, 0)


class Breakdown:
    """Cumulative parts of one run at any simulated time (prefix sums over costed events).

    `slot_of` (the machine's reference -> slot column) lets it follow which slots
    reclaim dropped, so that their reads again count as re-reads."""

    def __init__(
        self,
        events: Sequence[ev.Event],
        disk: DiskModel,
        cpu: CpuCost,
        slot_of: Sequence[int] | None = None,
    ) -> None:
        self.t0: list[int] = []
        self.t1: list[int] = []
        self.parts: list[Parts] = []
        self.cum: list[Parts] = [_ZERO]
        dropped: set[int] = set()
        for e in events:
            reread = 0
            if isinstance(e, ev.ReclaimDrop):
                dropped.update(e.slots)
            elif isinstance(e, ev.ReclaimUnmap) and slot_of is not None:
                dropped.update(slot_of[p] for p in e.pages)
            elif isinstance(e, ev.DiskRequest) and dropped:
                again = dropped.intersection(range(e.start, e.start + e.pages))
                reread = len(again)
                dropped -= again
            if e.t1 == e.t0:
                continue
            parts = split_event(disk, cpu, e, reread)
            self.t0.append(e.t0)
            self.t1.append(e.t1)
            self.parts.append(parts)
            last = self.cum[-1]
            self.cum.append(tuple(a + b for a, b in zip(last, parts, strict=True)))  # type: ignore[arg-type]

    @property
    def total(self) -> Parts:
        return self.cum[-1]

    def at(self, t_ps: int) -> Parts:
        """The parts spent by simulated time t_ps (an event in progress counts in part:
        a request's seek fills first, then rotation, then transfer, as the disk does it)."""
        i = bisect.bisect_right(self.t0, t_ps) - 1
        if i < 0:
            return _ZERO
        base = self.cum[i]
        if t_ps >= self.t1[i]:
            return self.cum[i + 1]
        left = t_ps - self.t0[i]
        out = list(base)
        for k, part in enumerate(self.parts[i]):
            take = min(part, left)
            out[k] += take
            left -= take
            if left <= 0:
                break
        return tuple(out)  # type: ignore[return-value]
