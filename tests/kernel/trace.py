"""What a boot's guest recorded about swapoff: the trace and the vmstat counters.

The trace has one `walk` event per unuse_pte_range call (the VMA's vm_start, vm_end and
vm_mm, and the address the call starts at) and one `read` event per swap_readpage (the
page's swap entry), in the order they happened; guest/init defines both kprobes.
"""

from __future__ import annotations

import re
from pathlib import Path

from attrs import frozen


@frozen
class Walk:
    """One unuse_pte_range call: the mm and VMA it walked, the page table (addr >> 21)."""

    mm: int
    vm_start: int
    vm_end: int
    table: int


@frozen
class Trace:
    walks: tuple[Walk, ...]
    reads: tuple[int, ...]  # the slot of every swap_readpage, in order


_WALK = re.compile(
    r" walk: .*vm_start=0x([0-9a-f]+) vm_end=0x([0-9a-f]+) mm=0x([0-9a-f]+) addr=0x([0-9a-f]+)"
)
_READ = re.compile(r" read: .*entry=0x([0-9a-f]+)")
SWP_OFFSET_MASK = (1 << 58) - 1  # x86_64: the swap type sits in the top bits of the entry


def read_trace(path: Path) -> Trace:
    walks: list[Walk] = []
    reads: list[int] = []
    for line in path.read_text(errors="replace").splitlines():
        if m := _WALK.search(line):
            start, end, mm, addr = (int(g, 16) for g in m.groups())
            walks.append(Walk(mm, start, end, addr >> 21))
        elif m := _READ.search(line):
            reads.append(int(m.group(1), 16) & SWP_OFFSET_MASK)
    return Trace(tuple(walks), tuple(reads))


def read_vmstat(path: Path) -> dict[str, int]:
    out: dict[str, int] = {}
    for line in path.read_text().splitlines():
        key, _, value = line.partition(" ")
        out[key] = int(value)
    return out
