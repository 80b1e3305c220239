"""The swap area's side of a capture: can pagemap be trusted, and which swap type is it?

pagemap hides swap offsets from readers without CAP_SYS_ADMIN (since Linux 4.18), and a
process's swap entries name their area by swap type, an index /proc/swaps does not print.
"""

from __future__ import annotations

from collections.abc import Iterable

from swaptui.capture.notes import Notes
from swaptui.capture.proc import ProcRead, SwapArea

# Swap types at or above this are the kernel's special entries (migration, device-private,
# hwpoison, PTE markers), never swap areas: MAX_SWAPFILES is 32 minus those, 23 or more.
FIRST_SPECIAL_TYPE = 23


class HiddenOffsets(Exception):
    """pagemap does not show swap offsets to us: capturing would write a scenario of zeros."""


# ------------------------------------------------------------------------ hidden offsets


def check_visible(procs: list[ProcRead], readable: int, blank: int) -> None:
    """Refuse to go on when pagemap hides what we need (not root on a 4.18+ kernel)."""
    entries = 0
    zero = 0
    for p in procs:
        for v in p.vmas:
            for _i, t, off in v.swapped:
                if t >= FIRST_SPECIAL_TYPE:
                    continue
                entries += 1
                zero += off == 0
    if entries and zero == entries:
        raise HiddenOffsets(
            f"pagemap shows {entries} swapped pages but hides their swap offsets "
            "(needs CAP_SYS_ADMIN since Linux 4.18): run swaptui capture as root"
        )
    if readable and blank == readable:
        raise HiddenOffsets(
            f"pagemap reads as zeros for all {readable} readable processes "
            "(no permission to see page tables): run swaptui capture as root"
        )


# ------------------------------------------------------------------------ the area's type


def area_type(areas: list[SwapArea], area: SwapArea, procs: list[ProcRead], notes: Notes) -> int:
    """The swap type (index in the kernel's swap_info[]) of `area`.

    /proc/swaps lists areas in ascending type order, skipping unused types; types are only
    unused after a swapoff that no swapon has refilled.  Areas that hold data show up in
    pagemap, so when as many types appear as areas have data, the k-th type seen belongs
    to the k-th such area.  Otherwise an area's type is its line number.
    """
    seen = sorted({t for t in _types(procs) if t < FIRST_SPECIAL_TYPE})
    holding = [a for a in areas if a.used_kib > 0]
    if area in holding and len(seen) == len(holding):
        return seen[holding.index(area)]
    if len(areas) > 1:
        notes.approximations.append(
            f"swap type: assumed {area.position} from the order of /proc/swaps "
            f"(pagemap shows types {seen or 'none'} for {len(holding)} areas holding data)"
        )
    return area.position


def _types(procs: list[ProcRead]) -> Iterable[int]:
    for p in procs:
        for v in p.vmas:
            for _i, t, off in v.swapped:
                if off:
                    yield t
