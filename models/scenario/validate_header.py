"""The rules on everything of a scenario but its mms and shmem files: the [scenario]
header, the swap area's size and bad slots, the disk and CPU costs, and memory pressure
([memory], [fresh], [load]).  A [generate] recipe is checked against these before its
mms are built; validate.py checks the rest.
"""

from __future__ import annotations

import re

from models.readahead import HITS_MAX
from models.scenario.errors import Loc, Problem
from models.scenario.limits import MAX_LOAD_PAGES, MAX_SLOTS, cost_problem, over_limit
from models.scenario_model import (
    CPU_PARAM_NAMES,
    DISK_KINDS,
    DISK_PARAM_NAMES,
    FRESH_DISKS,
    Scenario,
)

NAME_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1


def validate_base(s: Scenario) -> frozenset[int]:
    """The rules on everything but mms and shmem files (what a [generate] recipe
    builds on); returns the bad slots."""
    _check_header(s)
    bad = _check_swap(s)
    _check_disk_cpu(s)
    _check_pressure(s)
    return bad


def check_text(value: str, where: Loc) -> None:
    # Free text is kept verbatim (markup and escape bytes are data), but a lone
    # surrogate cannot be encoded into a UTF-8 file, so export would fail later.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as e:
        raise Problem(where, f"contains a lone surrogate (U+{ord(value[e.start]):04X})") from None


def _check_header(s: Scenario) -> None:
    if not NAME_RE.fullmatch(s.name):
        raise Problem(
            ("scenario", "name"),
            f"{s.name!r} is not a valid name: 1-64 characters from a-z, 0-9 and '-', "
            "not starting with '-'",
        )
    check_text(s.title, ("scenario", "title"))
    check_text(s.description, ("scenario", "description"))
    if not _INT64_MIN <= s.seed <= _INT64_MAX:
        raise Problem(("scenario", "seed"), f"{s.seed} does not fit in a 64-bit integer")
    if not 0 <= s.page_cluster <= 5:
        raise Problem(("scenario", "page_cluster"), f"{s.page_cluster} is out of range (0..5)")
    if s.free_pages is not None and not 0 <= s.free_pages <= _INT64_MAX:
        raise Problem(("memory", "free_pages"), f"{s.free_pages} is out of range (0..2**63-1)")
    for key, hits in (("hits", s.readahead_hits), ("vma_hits", s.readahead_vma_hits)):
        # beyond 63 (SWAP_RA_HITS_MAX) no window grows any further
        if not 0 <= hits <= HITS_MAX:
            raise Problem(("readahead", key), f"{hits} is out of range (0..{HITS_MAX})")


def _check_pressure(s: Scenario) -> None:
    """[memory] reclaim, [fresh] and [load] (docs/scenario-format.md)."""
    if s.reclaim and s.free_pages is None:
        raise Problem(
            ("memory",),
            "reclaim needs free_pages: with unlimited memory nothing is ever reclaimed",
            at=("reclaim",),
        )
    if not s.reclaim and (s.fresh is not None or s.load is not None):
        what = "a [fresh] area" if s.fresh is not None else "a [load]"
        raise Problem(
            ("memory", "reclaim"), f"{what} means memory pressure: it needs reclaim = true"
        )
    if s.fresh is not None:
        if s.fresh.slots > MAX_SLOTS:
            raise Problem(("fresh", "slots"), over_limit("slots", MAX_SLOTS, s.fresh.slots))
        if s.fresh.slots < 2:
            raise Problem(
                ("fresh", "slots"),
                f"slots = {s.fresh.slots} is too small: slot 0 is the header, at least 2 "
                "are needed",
            )
        if s.fresh.disk not in FRESH_DISKS:
            raise Problem(
                ("fresh", "disk"),
                f"unknown disk {s.fresh.disk!r} (valid: {', '.join(FRESH_DISKS)}: the old "
                "area's disk, or one of its own)",
            )
    if s.load is not None:
        if not 0 <= s.load.pages <= MAX_LOAD_PAGES:
            raise Problem(
                ("load", "pages"), f"{s.load.pages} is out of range (0..{MAX_LOAD_PAGES}, 2**21)"
            )
        rate = s.load.pages_per_ms
        if rate != rate or not 1e-6 <= rate <= 1e9:
            raise Problem(
                ("load", "pages_per_ms"),
                f"must be a number from 1e-6 to 1e9 pages per ms, got {rate!r}",
            )


def _check_swap(s: Scenario) -> frozenset[int]:
    if s.slots > MAX_SLOTS:
        raise Problem(("swap",), over_limit("slots", MAX_SLOTS, s.slots), at=("slots",))
    if s.slots < 2:
        raise Problem(
            ("swap",),
            f"slots = {s.slots} is too small: slot 0 is the header, at least 2 are needed",
            at=("slots",),
        )
    seen: set[int] = set()
    for i, slot in enumerate(s.bad):
        at: Loc = ("bad", i)
        if slot == 0:
            raise Problem(("swap",), "bad slot 0 is the swap header", at=at)
        if not 0 < slot < s.slots:
            raise Problem(
                ("swap",), f"bad slot {slot} is outside the swap area (slots = {s.slots})", at=at
            )
        if slot in seen:
            raise Problem(("swap",), f"bad slot {slot} is listed twice", at=at)
        seen.add(slot)
    return frozenset(seen)


def _check_disk_cpu(s: Scenario) -> None:
    disk = s.disk
    if disk.kind not in DISK_KINDS:
        raise Problem(
            ("disk", "kind"), f"unknown disk kind {disk.kind!r} (valid: {', '.join(DISK_KINDS)})"
        )
    for name in DISK_PARAM_NAMES[1:]:
        problem = cost_problem(name, getattr(disk, name))
        if problem is not None:
            raise Problem(("disk", name), problem)
    for name in CPU_PARAM_NAMES:
        problem = cost_problem(name, getattr(s.cpu, name))
        if problem is not None:
            raise Problem(("cpu", name), problem)
