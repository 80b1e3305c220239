"""`swaptui capture` on fabricated /proc trees: round trips, repairs, errors."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from models.engine import RunOptions, run_swapoff
from models.scenario import parse_scenario
from models.scenario_model import PAGE_SIZE, FreshArea, Scenario
from swaptui.commands import capture
from swaptui.commands.capture import collect, render
from swaptui.errors import UsageError
from tests.procfs import Tree

ALGORITHMS = ("legacy", "rfc", "linear", "linear-5.1")
HEAP = 0x7F0000000000
EXE = 0x400000


def _parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="swaptui")
    sub = top.add_subparsers(dest="command")
    capture.add_parser(sub)
    return top


def run_capture(*argv: str) -> int:
    return capture.run(_parser().parse_args(["capture", *argv]))


def captured(tree: Tree, **kw: object) -> tuple[Scenario, str]:
    """Capture the tree; return the scenario as the written file parses back, and the text."""
    text = render(collect(str(tree.proc), **kw))  # type: ignore[arg-type]
    return parse_scenario(text, "captured.toml"), text


def references(s: Scenario) -> set[tuple[int, int, int]]:
    return {
        (m.pid, v.start + page * PAGE_SIZE, slot)
        for m in s.mms
        for v in m.vmas
        for page, slot in v.swapped
    }


def comments(text: str) -> str:
    return "".join(line + "\n" for line in text.splitlines() if line.startswith("#"))


@pytest.fixture
def machine(tmp_path: Path) -> Tree:
    """Several processes, a forked pair sharing slots, a kernel thread."""
    t = Tree(tmp_path).area("/dev/sda2", 8192, used_kib=4 * 12)
    t.rotational["sda"] = 1
    web = t.process(100, "web", starttime=50)
    web.vma(EXE, 8, perms="r-xp", path="/usr/bin/web", dev="08:02", inode=7).present(
        0, 1, file=True
    )
    web.vma(HEAP, 1024).present(0, 1, 2).swap(3, 10).swap(4, 11).swap(700, 12)
    web.vma(HEAP + 2048 * PAGE_SIZE, 4, path="[stack]").present(3).swap(0, 13)
    worker = t.process(101, "web", ppid=100, starttime=60)
    worker.vma(EXE, 8, perms="r-xp", path="/usr/bin/web", dev="08:02", inode=7).present(0)
    # shares slots 10 and 11 with its parent, wrote page 700 after the fork (new slot 20)
    worker.vma(HEAP, 1024).present(0, 1).swap(3, 10).swap(4, 11).swap(700, 20)
    worker.vma(HEAP + 2048 * PAGE_SIZE, 4, path="[stack]").present(3)
    db = t.process(200, "db", starttime=40)
    db.vma(0x55550000_0000, 64).swap(0, 30).swap(1, 31).swap(63, 5).present(2, 3)
    db.vma(0xFFFFFFFFFF600000, 1, perms="--xp", path="[vsyscall]")
    cron = t.process(300, "cron", starttime=70)
    cron.vma(0x7F5000000000, 2).present(0)  # no swap: not on the mmlist as far as we know
    t.process(2, "kthreadd", ppid=0, kernel_thread=True)
    t.write()
    return t


# ---------------------------------------------------------------- round trip


def test_swap_entries_round_trip(machine: Tree) -> None:
    s, _ = captured(machine)
    assert references(s) == machine.references()
    assert s.slots == 8192 // 4 + 1
    assert s.disk.kind == "hdd"
    assert s.page_cluster == 3
    assert {m.pid for m in s.mms} == {100, 101, 200}


def test_resident_pages_round_trip(machine: Tree) -> None:
    s, _ = captured(machine)
    web = next(m for m in s.mms if m.pid == 100)
    assert [(v.start, v.pages, v.anon) for v in web.vmas] == [
        (EXE, 8, False),
        (HEAP, 1024, True),
        (HEAP + 2048 * PAGE_SIZE, 4, True),
    ]
    assert web.vmas[0].resident == ((0, 2),)
    assert web.vmas[1].resident == ((0, 3),)
    assert web.vmas[2].resident == ((3, 4),)


def test_fork_family_and_mmlist_order(machine: Tree) -> None:
    s, _ = captured(machine)
    assert [(m.pid, m.parent) for m in s.mms] == [(100, None), (101, 100), (200, None)]


def test_runs_under_every_algorithm_with_matching_counters(machine: Tree) -> None:
    s, _ = captured(machine)
    anon_refs = len(machine.references())
    assert anon_refs == 10
    for algorithm in ALGORITHMS:
        r = run_swapoff(s, RunOptions(algorithm=algorithm, keep_events=False))
        assert r.result == "ok", algorithm
        counters = r.counters.as_dict()
        assert counters["unuse_pte_calls"] == anon_refs, algorithm
        # every distinct slot is read once, by a request or as a readahead neighbour
        assert counters["pages_read"] >= len({slot for _p, _a, slot in machine.references()})


def test_comment_block_lists_approximations(machine: Tree) -> None:
    _, text = captured(machine)
    head = text.split("format =")[0]
    assert all(line.startswith("#") or not line.strip() for line in head.splitlines())
    for topic in ("mmlist order", "fork families", "disk kind hdd", "shmem", "bad slots"):
        assert topic in head
    assert "mapping at or above 2**47" in head
    assert "1 process without an address space" in head
    assert "1 process without swap entries" in head  # plurals agree with counts
    assert "1 processes" not in head


def test_exec_child_is_not_a_fork_child(tmp_path: Path) -> None:
    t = Tree(tmp_path).area("/swapfile", 4096, kind="file")
    t.process(10, "bash").vma(HEAP, 4).swap(0, 3)
    # exec'd: a different layout, no shared slot
    t.process(11, "vim", ppid=10).vma(0x7E0000000000, 4).swap(0, 4)
    t.write()
    s, text = captured(t)
    assert [m.parent for m in s.mms] == [None, None]
    assert "1 children that exec'd" in text or "children that exec'd" in text


# ---------------------------------------------------------------- two areas


@pytest.fixture
def two_areas(tmp_path: Path) -> Tree:
    t = (
        Tree(tmp_path)
        .area("/dev/sda2", 4096, used_kib=8)
        .area("/swap file", 2048, used_kib=12, kind="file", prio=-3)
    )
    t.mounts = [("/dev/sda1", "/"), ("/dev/nvme0n1p2", "/swap file")]
    t.rotational.update({"sda": 1, "nvme0n1": 0})
    p = t.process(50, "java")
    p.vma(HEAP, 16).swap(0, 7).swap(1, 8, swap_type=1).swap(2, 9, swap_type=1).present(3)
    q = t.process(51, "python")
    q.vma(HEAP, 16).swap(5, 7, swap_type=1).swap(6, 100)
    t.write()
    return t


def test_two_areas_first_by_default(two_areas: Tree) -> None:
    s, text = captured(two_areas)
    assert references(s) == two_areas.references(0)
    assert s.disk.kind == "hdd"
    assert "swap entries of other swap areas" in text


def test_two_areas_pick_by_name(two_areas: Tree) -> None:
    s, text = captured(two_areas, swap="/swap file")
    assert references(s) == two_areas.references(1)
    assert s.slots == 2048 // 4 + 1
    # a swap file: the disk is the one its mount point lives on
    assert s.disk.kind == "ssd"
    assert "/dev/nvme0n1p2" in comments(text)
    # while a rotational area is active, Linux reads every area with cluster readahead
    assert (
        "Linux uses cluster readahead here, as /dev/sda2 is on a rotational disk; swaptui "
        "chooses by this area's disk: run with --readahead cluster-adaptive" in text
    )


def test_the_other_area_is_where_reclaim_writes(two_areas: Tree) -> None:
    # swapping off /dev/sda2 (hdd), reclaim writes to the swap file, on the nvme disk:
    # 2048 KiB with 12 used = 509 free slots, plus its header
    s, text = captured(two_areas)
    assert s.reclaim and s.free_pages == (8 << 20) // 4
    assert s.fresh == FreshArea(slots=509 + 1, disk="own")
    assert "/swap file, the other active area with the highest priority" in text
    # the other way round: /dev/sda2's 1022 free slots, on a disk the file does not share
    s, _ = captured(two_areas, swap="/swap file")
    assert s.fresh == FreshArea(slots=1022 + 1, disk="own")


def test_an_other_area_on_the_same_disk_is_shared(tmp_path: Path) -> None:
    t = Tree(tmp_path).area("/dev/sda2", 4096).area("/dev/sda3", 8192, used_kib=0, prio=5)
    t.area("/dev/sdb1", 8192, used_kib=0, prio=-4)  # lower priority: not chosen
    t.rotational["sda"] = 1
    t.process(9, "x").vma(HEAP, 4).swap(0, 3)
    t.write()
    s, _ = captured(t)
    assert s.fresh == FreshArea(slots=2048 + 1, disk="shared")


def test_one_area_alone_means_reclaim_with_nowhere_to_write(tmp_path: Path) -> None:
    t = Tree(tmp_path).area("/dev/sda2", 4096)
    t.process(9, "x").vma(HEAP, 4).swap(0, 3)
    t.write()
    s, _ = captured(t)
    assert s.reclaim and s.fresh is None
    u = Tree(tmp_path / "no-meminfo", mem_available_kib=None).area("/dev/sda2", 4096)
    u.process(9, "x").vma(HEAP, 4).swap(0, 3)
    u.write()
    s, _ = captured(u)
    assert not s.reclaim and s.free_pages is None  # no MemAvailable: no limit at all


def test_vma_readahead_switched_off_is_said(tmp_path: Path) -> None:
    t = Tree(tmp_path).area("/dev/nvme0n1p3", 4096)
    t.rotational["nvme0n1"] = 0
    t.process(9, "x").vma(HEAP, 4).swap(0, 3)
    t.write()
    _, text = captured(t)
    assert "Linux uses cluster readahead" not in text
    knob = tmp_path / "sys" / "kernel" / "mm" / "swap"
    knob.mkdir(parents=True)
    (knob / "vma_ra_enabled").write_text("false\n")
    _, text = captured(t)
    assert "Linux uses cluster readahead here, as VMA readahead is switched off" in text


def test_two_areas_pick_by_base_name(two_areas: Tree) -> None:
    s, _ = captured(two_areas, swap="sda2")
    assert references(s) == two_areas.references(0)


def test_unknown_area_lists_the_active_ones(
    two_areas: Tree, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_capture("--proc-root", str(two_areas.proc), "--swap", "/dev/sdz9") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "no swap area named '/dev/sdz9'" in err and "/dev/sda2" in err


def test_type_taken_from_pagemap_when_an_earlier_area_was_removed(tmp_path: Path) -> None:
    # /proc/swaps lists one area but its entries carry type 1 (type 0 was swapoff'd)
    t = Tree(tmp_path).area("/dev/sdb1", 4096, used_kib=8)
    t.process(5, "app").vma(HEAP, 4).swap(0, 3, swap_type=1).swap(1, 4, swap_type=1)
    t.write()
    s, text = captured(t)
    assert references(s) == t.references(1)
    assert "swap type 1" in text


# ---------------------------------------------------------------- repairs


def test_shared_slot_without_fork_relation_joins_families(tmp_path: Path) -> None:
    # two workers reparented to init after their parent exited: same address, same slot.
    # fork put each right after the parent on the mmlist, so the newer one comes first.
    t = Tree(tmp_path).area("/dev/sda2", 4096)
    t.process(20, "nginx", starttime=5).vma(HEAP, 8).swap(1, 40).swap(2, 41)
    t.process(21, "nginx", starttime=6).vma(HEAP, 8).swap(1, 40).swap(3, 42)
    t.write()
    s, text = captured(t)
    assert [(m.pid, m.parent) for m in s.mms] == [(21, None), (20, 21)]
    assert references(s) == t.references()
    assert "20 (nginx) shares 1 slot at the same addresses with 21 (nginx)" in text
    for algorithm in ALGORITHMS:
        r = run_swapoff(s, RunOptions(algorithm=algorithm, keep_events=False))
        assert r.result == "ok"
        assert r.counters.unuse_pte_calls == 4


def test_reparented_siblings_come_newest_first(tmp_path: Path) -> None:
    """Three children of an exited parent (PPid 1), as a Linux 6.1 guest showed them.

    The parent swapped before forking, so fork put each child right after it on the
    mmlist: after forking 20, 21, 22 the list read parent, 22, 21, 20, and the parent's
    exit left 22, 21, 20.  A process started before them (10) joined the mmlist before
    the parent did, so it comes after them; one started after them (50), before.
    """
    t = Tree(tmp_path).area("/dev/sda2", 4096, used_kib=4 * 20)
    t.process(10, "old", starttime=1).vma(0x7E0000000000, 4).swap(0, 2)
    for pid, start, own in ((20, 5, 60), (21, 6, 61), (22, 7, 62)):
        v = t.process(pid, "worker", starttime=start).vma(HEAP, 16)
        for page in range(4):  # the parent's pages, shared by all three
            v.swap(page, 40 + page)
        v.swap(8, own)  # and one page each wrote after the fork
    t.process(50, "new", starttime=9).vma(0x7D0000000000, 4).swap(0, 3)
    t.write()
    s, text = captured(t)
    assert [(m.pid, m.parent) for m in s.mms] == [
        (50, None),
        (22, None),
        (21, 22),
        (20, 22),
        (10, None),
    ]
    # the note counts every slot shared, not the pairs joined
    assert "20 (worker) shares 4 slots at the same addresses with 21 (worker), 22 (worker)" in text
    assert "made the fork child of 22 (worker)" in text
    assert " shares 1 slot " not in text


def test_orphaned_grandchildren_follow_their_grandparent(tmp_path: Path) -> None:
    """A live process whose forked child exited after forking twice itself.

    Its grandchildren were reparented to init, so PPid links nothing, but they hold the
    grandparent's slots at the same addresses.  The mmlist had grandparent, child,
    grandchildren newest first; the child's exit left 10, 13, 12.  The grandparent's
    own parent (a shell, pid 7) was not captured: a different PPid from theirs, so it is
    taken for their ancestor, not their sibling.
    """
    t = Tree(tmp_path).area("/dev/sda2", 4096)
    for pid, ppid, start in ((10, 7, 1), (12, 1, 3), (13, 1, 4)):
        v = t.process(pid, "db", ppid=ppid, starttime=start).vma(HEAP, 8).swap(0, 30).swap(1, 31)
        v.swap(2, 20 + pid)  # a page each wrote on its own
    t.write()
    s, _ = captured(t)
    assert [(m.pid, m.parent) for m in s.mms] == [(10, None), (13, 10), (12, 10)]


def test_slot_at_two_addresses_is_kept_once(tmp_path: Path) -> None:
    t = Tree(tmp_path).area("/dev/sda2", 4096)
    t.process(30, "a").vma(HEAP, 8).swap(1, 40)
    t.process(31, "b").vma(0x7E0000000000, 8).swap(5, 40).swap(6, 41)
    t.write()
    s, text = captured(t)
    refs = references(s)
    assert len([r for r in refs if r[2] == 40]) == 1
    assert (31, 0x7E0000000000 + 6 * PAGE_SIZE, 41) in refs
    assert "mapped at another address" in text


def test_more_than_62_sharers_are_trimmed(tmp_path: Path) -> None:
    t = Tree(tmp_path).area("/dev/sda2", 4096)
    t.process(1000, "pool", starttime=1).vma(HEAP, 2).swap(0, 9)
    for i in range(1, 70):
        child = t.process(1000 + i, "pool", ppid=1000, starttime=1 + i)
        child.vma(HEAP, 2).swap(0, 9).present(1, pfn=i)  # each wrote its own page since fork
    t.write()
    s, text = captured(t)
    assert len(references(s)) == 62
    assert "beyond 62 sharers" in text
    r = run_swapoff(s, RunOptions(algorithm="legacy", keep_events=False))
    assert r.result == "ok" and r.counters.unuse_pte_calls == 62


def test_clone_vm_duplicates_are_kept_once(tmp_path: Path) -> None:
    t = Tree(tmp_path).area("/dev/sda2", 4096)
    for pid in (40, 41):
        t.process(pid, "qemu", ppid=1).vma(HEAP, 8).swap(1, 50).present(2)
    t.write()
    s, text = captured(t)
    assert [m.pid for m in s.mms] == [40]
    assert "same address space" in text


def test_slot_beyond_the_reported_size_widens_the_area(tmp_path: Path) -> None:
    t = Tree(tmp_path).area("/dev/sda2", 16)  # 4 usable pages + header
    t.process(7, "x").vma(HEAP, 4).swap(0, 3).swap(1, 9)
    t.write()
    s, text = captured(t)
    assert s.slots == 10
    assert "widened" in text


def test_shared_mapping_swap_entries_become_shmem(tmp_path: Path) -> None:
    t = Tree(tmp_path).area("/dev/sda2", 4096)
    p = t.process(60, "pulse")
    p.vma(HEAP, 4).swap(0, 70)
    shm: dict[str, object] = {
        "perms": "rw-s",
        "path": "/dev/shm/pulse-shm-1",
        "dev": "00:1a",
        "inode": 99,
    }
    p.vma(0x7F7000000000, 4, offset=0, **shm).swap(1, 71).present(0, file=True)
    q = t.process(61, "app")
    q.vma(0x7F8000000000, 4, offset=0, **shm).swap(1, 71).swap(2, 72)
    t.write()
    s, _ = captured(t)
    assert [(f.name, f.pages, f.swapped) for f in s.shmem] == [
        ("/dev/shm/pulse-shm-1", 4, ((1, 71), (2, 72)))
    ]
    vma = s.mms[0].vmas[1] if s.mms[0].pid == 60 else s.mms[1].vmas[1]
    assert not vma.anon and vma.resident == ((0, 1),)
    for algorithm in ALGORITHMS:
        assert run_swapoff(s, RunOptions(algorithm=algorithm)).result == "ok"


def test_zero_offsets_among_real_ones_are_dropped(tmp_path: Path) -> None:
    t = Tree(tmp_path).area("/dev/sda2", 4096)
    t.process(8, "x").vma(HEAP, 4).swap(0, 3).swap(1, 0)
    t.write()
    s, text = captured(t)
    assert references(s) == {(8, HEAP, 3)}
    assert "offset 0" in text


def test_overlapping_mapping_in_a_copied_tree_is_dropped(tmp_path: Path) -> None:
    t = Tree(tmp_path).area("/dev/sda2", 4096)
    p = t.process(9, "x")
    p.vma(HEAP, 8).swap(0, 3)
    p.vma(HEAP + 4 * PAGE_SIZE, 8).swap(7, 4)
    t.write()
    s, text = captured(t)
    assert references(s) == {(9, HEAP, 3)}
    assert "overlaps the one before: dropped" in text


# ---------------------------------------------------------------- host facts


def test_zram_and_missing_sys(tmp_path: Path) -> None:
    t = Tree(tmp_path).area("/dev/zram0", 4096)
    t.with_sys = False
    t.process(9, "x").vma(HEAP, 4).swap(0, 3)
    t.write()
    s, _ = captured(t)
    assert s.disk.kind == "zram"


def test_unknown_disk_is_said(tmp_path: Path) -> None:
    t = Tree(tmp_path).area("/dev/vdb", 4096)
    t.page_cluster = None
    t.mem_available_kib = None
    t.process(9, "x").vma(HEAP, 4).swap(0, 3)
    t.write()
    s, text = captured(t)
    assert s.disk.kind == "ssd" and s.free_pages is None and s.page_cluster == 3
    assert "disk kind unknown" in text and "page-cluster unreadable" in text


# ---------------------------------------------------------------- anonymize


def test_anonymize_replaces_names_stably(tmp_path: Path) -> None:
    t = Tree(tmp_path).area("/home/alice/secret.swap", 4096, kind="file")
    t.hostname = "alice-laptop"
    shm: dict[str, object] = {
        "perms": "rw-s",
        "path": "/dev/shm/alice-chat",
        "dev": "00:1a",
        "inode": 5,
    }
    t.process(1, "firefox").vma(HEAP, 4).swap(0, 3)
    t.process(2, "firefox").vma(HEAP, 4).swap(1, 4)
    signal = t.process(3, "signal")
    signal.vma(0x7F1000000000, 4, **shm).swap(0, 5)
    signal.vma(HEAP, 4).swap(2, 6)
    t.write()
    s, text = captured(t, anonymize=True)
    for secret in ("firefox", "signal", "alice", "secret"):
        assert secret not in text
    comms = {m.pid: m.comm for m in s.mms}
    assert comms[1] == comms[2] != comms[3]
    assert [f.name for f in s.shmem] == ["file-1"]
    assert "# swap area: the swap area (file," in text
    assert s.name == "capture"
    again, _ = captured(t, anonymize=True)
    assert (again.mms, again.shmem) == (s.mms, s.shmem)


def test_smaps_spares_reading_empty_reservations(tmp_path: Path) -> None:
    # a terabyte reservation: pagemap would be 2 GiB of zeros; smaps says it is empty
    heap, reserved = 0x7E0000000000, 0x7E8000000000
    t = Tree(tmp_path).area("/dev/sda2", 4096)
    p = t.process(70, "chrome", smaps=True)
    p.vma(heap, 4).swap(0, 3).present(1)
    p.vma(reserved, 1 << 28, perms="---p")
    p.pagemap_end = heap // PAGE_SIZE + 4  # the reservation is not even in the file
    t.write()
    s, _ = captured(t)
    assert references(s) == {(70, heap, 3)}
    assert [v.pages for v in s.mms[0].vmas] == [4, 1 << 28]
    # without smaps the same file reads as a process that exited mid-read
    (t.proc / "70" / "smaps").unlink()
    with pytest.raises(UsageError, match="no readable process"):
        collect(str(t.proc))


# ---------------------------------------------------------------- errors


def test_hidden_offsets_refuse_to_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    t = Tree(tmp_path).area("/dev/sda2", 4096)
    for pid in (1, 2):
        t.process(pid, "x").vma(HEAP, 4).swap(0, 0).swap(1, 0).present(2, pfn=0)
    t.write()
    out = tmp_path / "out.toml"
    assert run_capture("--proc-root", str(t.proc), "-o", str(out)) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("swaptui: ")
    assert "hides their swap offsets" in err and "root" in err
    assert not out.exists()


def test_pagemap_of_zeros_refuses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    t = Tree(tmp_path).area("/dev/sda2", 4096)
    t.process(1, "x").vma(HEAP, 4)
    t.process(2, "y").vma(HEAP, 4)
    t.write()
    assert run_capture("--proc-root", str(t.proc)) == 2
    assert "reads as zeros" in capsys.readouterr().err


def test_no_swap_area(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    t = Tree(tmp_path)
    t.process(1, "x").vma(HEAP, 4).swap(0, 3)
    t.write()
    assert run_capture("--proc-root", str(t.proc)) == 2
    assert "no swap area is active" in capsys.readouterr().err


def test_not_a_proc_tree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_capture("--proc-root", str(tmp_path / "nope")) == 2
    assert "no such directory" in capsys.readouterr().err
    assert run_capture("--proc-root", str(tmp_path)) == 2
    assert "swaps does not exist" in capsys.readouterr().err


def test_no_process_with_swap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    t = Tree(tmp_path).area("/dev/sda2", 4096, used_kib=0)
    t.process(1, "x").vma(HEAP, 4).present(0)
    t.write()
    assert run_capture("--proc-root", str(t.proc)) == 2
    err = capsys.readouterr().err
    assert "no readable process has pages on /dev/sda2" in err


def test_process_vanishing_mid_read_is_skipped(tmp_path: Path) -> None:
    t = Tree(tmp_path).area("/dev/sda2", 4096)
    t.process(1, "stays").vma(HEAP, 4).swap(0, 3)
    t.process(2, "gone", no_pagemap=True).vma(HEAP, 4).swap(1, 4)
    t.process(3, "going", short_pagemap=True).vma(HEAP, 4).swap(1, 5)
    t.write()
    (t.proc / "4").mkdir()  # its files already gone
    s, text = captured(t)
    assert references(s) == {(1, HEAP, 3)}
    assert "3 processes exited while being read: skipped" in text


def test_unreadable_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    t = Tree(tmp_path).area("/dev/sda2", 4096)
    t.process(1, "mine").vma(HEAP, 4).swap(0, 3)
    t.process(2, "theirs").vma(HEAP, 4).swap(1, 4)
    t.write()
    real_open = os.open
    denied = {str(t.proc / "2" / "pagemap")}

    def fake_open(path: object, *args: object, **kw: object) -> int:
        if str(path) in denied:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr("os.open", fake_open)
    s, text = captured(t)
    assert references(s) == {(1, HEAP, 3)}
    assert "1 process could not be read" in text
    denied.add(str(t.proc / "1" / "pagemap"))
    assert run_capture("--proc-root", str(t.proc)) == 2
    assert "permission denied reading the page tables of all 2" in capsys.readouterr().err


def test_pids_filter(machine: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    s, text = captured(machine, pids=[200, 999])
    assert [m.pid for m in s.mms] == [200]
    assert "--pids: no such process: 999" in text
    assert run_capture("--proc-root", str(machine.proc), "--pids", "998", "999") == 2
    assert "none of the pids" in capsys.readouterr().err


# ---------------------------------------------------------------- the command


def test_output_file_needs_force(machine: Tree, tmp_path: Path) -> None:
    out = tmp_path / "capture.toml"
    assert run_capture("--proc-root", str(machine.proc), "-o", str(out)) == 0
    first = out.read_text()
    parse_scenario(first, str(out))
    assert run_capture("--proc-root", str(machine.proc), "-o", str(out)) == 2
    assert out.read_text() == first
    assert run_capture("--proc-root", str(machine.proc), "-o", str(out), "--force") == 0
    assert sorted(os.listdir(tmp_path)) == ["capture.toml", "proc", "sys"]


def test_stdout_and_summary(machine: Tree, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_capture("--proc-root", str(machine.proc)) == 0
    out, err = capsys.readouterr()
    parse_scenario(out, "<stdout>")
    assert err.startswith("captured 3 processes") and err.count("\n") == 1


def test_python_m_swaptui_capture(machine: Tree, tmp_path: Path) -> None:
    out = tmp_path / "m.toml"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "swaptui",
            "capture",
            "--proc-root",
            str(machine.proc),
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert proc.returncode == 0, proc.stderr
    assert references(parse_scenario(out.read_text(), str(out))) == machine.references()


# ---------------------------------------------------------------- what the title and notes say


def test_placeholder_hostname_is_no_name(tmp_path: Path) -> None:
    # a machine nobody named reports the kernel's placeholder, "(none)"
    t = Tree(tmp_path).area("/dev/sda2", 4096)
    t.hostname = "(none)"
    t.process(9, "x").vma(HEAP, 4).swap(0, 3)
    t.write()
    s, _ = captured(t)
    assert s.name == "capture"
    assert "(none)" not in s.title and "none" not in s.name


def test_copied_tree_is_dated_by_its_copy(tmp_path: Path) -> None:
    t = Tree(tmp_path).area("/dev/sda2", 4096)
    t.process(9, "x").vma(HEAP, 4).swap(0, 3)
    t.write()
    copied = 1614834360  # 2021-03-04 05:06 UTC: when the copy's swaps was written
    os.utime(t.proc / "swaps", (copied, copied))
    s, _ = captured(t)
    assert s.title.endswith(", copied 2021-03-04 05:06 UTC")


def test_pids_note_names_the_processes_left_out(machine: Tree) -> None:
    # /proc/swaps says 12 slots are used; process 200 alone references 3 of them
    _, text = captured(machine, pids=[200])
    assert "9 of the 12 slots /proc/swaps counts as used are referenced by no captured" in text
    assert "processes left out by --pids)" in text
    _, text = captured(machine)
    assert "--pids" not in text.split("format =")[0]
