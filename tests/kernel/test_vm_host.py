"""The host side of the kernel-in-the-loop harness, without a VM (runs in every `pytest`).

What the boots rely on and a boot would only show as a confusing mismatch: reading the
trace, rebuilding sparse pagemaps, the cpio archive the kernel unpacks, the plan script,
pairing the kernel's mm addresses with pids, the walk a scenario implies, and skipping
with one line when a tool is missing.
"""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from models.scenario import parse_scenario
from tests.kernel import compare, vm
from tests.kernel import trace as kt

# two lines of each event as Linux 6.1's trace file shows them (from a boot)
TRACE = """\
         swapoff-123     [000] .....     6.305319: walk: (unuse_pte_range+0x0/0x900) vm_start=0x4a3000 vm_end=0x4a7000 mm=0xffff8bcb0105b180 addr=0x4a3000
         swapoff-123     [000] .....     6.306404: read: (swap_readpage+0x0/0x590) entry=0x2f97
         swapoff-123     [000] .....     6.306467: read: (swap_readpage+0x0/0x590) entry=0x400000000002f98
         swapoff-123     [000] .....     6.306820: walk: (unuse_pte_range+0x0/0x900) vm_start=0x7f0000000000 vm_end=0x7f0000400000 mm=0xffff8bcb0105c000 addr=0x7f0000200000
"""


def test_trace_lines_become_walks_and_reads(tmp_path: Path) -> None:
    path = tmp_path / "trace"
    path.write_text(TRACE)
    trace = kt.read_trace(path)
    assert trace.walks == (
        kt.Walk(0xFFFF8BCB0105B180, 0x4A3000, 0x4A7000, 0x4A3000 >> 21),
        kt.Walk(0xFFFF8BCB0105C000, 0x7F0000000000, 0x7F0000400000, 0x3F80001),
    )
    # the swap type sits above bit 58 of the entry: type 1, offset 0x2f98 reads as 0x2f98
    assert trace.reads == (0x2F97, 0x2F98)


def test_pagemap_parts_become_a_sparse_pagemap(tmp_path: Path) -> None:
    pid = tmp_path / "42"
    pid.mkdir()
    swapped = (1 << 62) | (7 << 5)  # slot 7 of swap type 0
    parts = struct.pack("<QQ", 0x400, 2) + struct.pack("<QQ", 0, swapped)
    parts += struct.pack("<QQ", 0x7F0000000, 1) + struct.pack("<Q", 1 << 63)
    (pid / "pagemap.parts").write_bytes(parts)
    assert vm.rebuild_pagemaps(tmp_path) == 1
    pagemap = pid / "pagemap"
    assert not (pid / "pagemap.parts").exists()
    assert pagemap.stat().st_size == (0x7F0000000 + 1) * 8  # ends after the highest part
    with open(pagemap, "rb") as f:
        f.seek(0x401 * 8)
        assert struct.unpack("<Q", f.read(8))[0] == swapped
        f.seek(0x7F0000000 * 8)
        assert struct.unpack("<Q", f.read(8))[0] == 1 << 63
        f.seek(0x500 * 8)
        assert f.read(8) == bytes(8)  # a hole reads as zeros


def test_a_damaged_part_is_refused(tmp_path: Path) -> None:
    (tmp_path / "7").mkdir()
    (tmp_path / "7" / "pagemap.parts").write_bytes(struct.pack("<QQ", 16, 4) + bytes(8))
    with pytest.raises(vm.BootFailed, match="a damaged part at byte 0"):
        vm.rebuild_pagemaps(tmp_path)


def test_cpio_entry_is_newc() -> None:
    entry = vm._cpio_entry("init", 0o100755, b"#!/bin/sh\n")
    assert entry[:6] == b"070701"
    fields = [int(entry[6 + 8 * i : 14 + 8 * i], 16) for i in range(13)]
    assert fields[1] == 0o100755 and fields[6] == 10 and fields[11] == len("init") + 1
    # header (110 bytes) + "init\0", padded to 4; then the data, padded to 4
    assert entry[110:115] == b"init\0" and entry[116:126] == b"#!/bin/sh\n"
    assert len(entry) % 4 == 0 and len(entry) == 128


def test_plan_script_for_the_guest() -> None:
    plan = vm.Plan(
        "p", rotational=True, page_cluster=2, families=(vm.Family("a", 8, kids=2, leave=True),)
    )
    assert plan.script() == (
        "# plan p\nROTATIONAL=1\nPAGE_CLUSTER=2\nFAMILIES='family a 8 2 0 1 0'\n"
    )


def test_a_missing_tool_is_one_line_to_skip_with() -> None:
    with pytest.raises(vm.Unavailable, match=r"^boot: no-such-qemu is not installed$"):
        vm._run(["no-such-qemu", "-version"], "boot")


def test_mms_are_named_by_their_vmas() -> None:
    # the parent's VMAs are a subset of each child's: children are named first
    maps = {10: {(1, 2)}, 11: {(1, 2), (5, 6)}, 12: {(1, 2), (7, 8)}}
    trace = kt.Trace(
        walks=(
            kt.Walk(0xA, 1, 2, 0),
            kt.Walk(0xB, 1, 2, 0),
            kt.Walk(0xB, 5, 6, 0),
            kt.Walk(0xC, 7, 8, 0),
            kt.Walk(0xC, 1, 2, 0),
        ),
        reads=(),
    )
    assert compare.name_mms(trace, maps) == {0xA: 10, 0xB: 11, 0xC: 12}


def test_the_walk_a_scenario_implies() -> None:
    s = parse_scenario(
        """format = "swaptui-scenario/1"
[scenario]
name = "w"
[swap]
slots = 64
[[mm]]
pid = 5
  [[mm.vma]]
  start = 0x7f0000000000
  pages = 1536
  swapped = [[0, 1], [1100, 2]]
  [[mm.vma]]
  start = 0x7f0000600000
  pages = 16
  anon = false
  resident = [[0, 1]]
  [[mm.vma]]
  start = 0x7f0000610000
  pages = 16
""",
        "w.toml",
    )
    table = 0x7F0000000000 >> 21
    # VMA 0 spans three page tables, of which the first and the third hold a page; the
    # file VMA is not walked but its page makes the fourth table exist, which the last
    # (empty, anon) VMA shares
    assert compare.expected_walk(s) == [
        compare.Call(5, 0x7F0000000000, table),
        compare.Call(5, 0x7F0000000000, table + 2),
        compare.Call(5, 0x7F0000610000, table + 3),
    ]
