"""Tests of the naive reference walker (tests/reference.py) itself.

(a) tiny scenarios with hand-computed counters and request orders, per algorithm;
(b) the Linux 6.1 captures (tests/data/linux-6.1/, copied from shared/fixtures/linux-6.1):
    `linear` reproduces the kernel's unuse_pte_range calls and every read, in order;
(c) hypothesis properties on tests/strategies.py scenarios.

Cost constants used in the hand computations (docs/engine.md section 4, converted to
integer picoseconds): PTE 500 ps, unuse_pte_range 40000 ps, unuse_mm 500000 ps,
unuse_pte 300000 ps, swap_map slot 20000 ps.  zram: 4000 ns per page, no request cost.
"""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from models.scenario_model import (  # noqa: E402
    PTES_PER_TABLE,
    CpuParams,
    DiskParams,
    Mm,
    Scenario,
    ShmemFile,
    Vma,
)
from tests.profiles import examples  # noqa: E402
from tests.reference import COUNTER_NAMES, RefResult, reference_run  # noqa: E402
from tests.strategies import (  # noqa: E402
    algorithms_and_readahead,
    scenarios,
    validation_errors,
)

DATA = Path(__file__).resolve().parent / "data" / "linux-6.1"
PAGE = 4096


# --------------------------------------------------------------------------- helpers
def load_scenario_toml(path: Path) -> Scenario:
    """A small tomllib reader for explicit scenario files (scenario-format.md)."""
    with open(path, "rb") as fh:
        d = tomllib.load(fh)
    assert d["format"] == "swaptui-scenario/1"
    meta = d["scenario"]
    mms = tuple(
        Mm(
            pid=m["pid"],
            comm=m.get("comm", ""),
            parent=m.get("parent"),
            vmas=tuple(
                Vma(
                    start=v["start"],
                    pages=v["pages"],
                    anon=v.get("anon", True),
                    resident=v.get("resident", ()),
                    swapped=v.get("swapped", ()),
                )
                for v in m.get("vma", [])
            ),
        )
        for m in d.get("mm", [])
    )
    shmem = tuple(
        ShmemFile(name=f["name"], pages=f["pages"], swapped=f.get("swapped", ()))
        for f in d.get("shmem", [])
    )
    return Scenario(
        name=meta["name"],
        title=meta.get("title", ""),
        seed=meta.get("seed", 0),
        page_cluster=meta.get("page_cluster", 3),
        slots=d["swap"]["slots"],
        bad=tuple(d["swap"].get("bad", ())),
        disk=DiskParams(**d.get("disk", {})),
        cpu=CpuParams(**d.get("cpu", {})),
        free_pages=d.get("memory", {}).get("free_pages"),
        mms=mms,
        shmem=shmem,
    )


def vma(start_page: int, pages: int, swapped=(), resident=(), anon: bool = True) -> Vma:
    return Vma(start=start_page * PAGE, pages=pages, anon=anon, resident=resident, swapped=swapped)


def counters(**kw: int) -> dict[str, int]:
    out = dict.fromkeys(COUNTER_NAMES, 0)
    out.update(kw)
    out["total_ns"] = out["cpu_ns"] + out["io_ns"]
    return out


def zreq(*runs: tuple[int, int, int, str]) -> list[tuple[int, int, int, int, str]]:
    """zram requests from (start, pages, seek_slots, reason): 4000 ns per page."""
    return [(s, p, seek, 4000 * p, why) for s, p, seek, why in runs]


def all_present(r: RefResult) -> bool:
    return all(cell[0] == "present" for cell in r.final.values())


# --------------------------------------------------------------------------- (a) scenario A
# Three mms, mmlist [200, 100, 101]; 101 is forked from 100; 200 is another family.
#   mm 200: v0 pages 512-513 file-backed, resident; v1 pages 600-602 anon, 601 -> slot 5
#   mm 100: v0 pages 512-515: 512 -> slot 3, 513 resident, 514 -> slot 1
#           v1 pages 1020-1027 (spans regions 1 and 2): 1020 -> slot 7, 1026 -> slot 2
#   mm 101: same layout; 512 -> slot 3 (shared), 513-514 resident, 515 -> slot 6,
#           1020 -> slot 7 (shared), 1027 -> slot 4
# Page tables (region = vpn // 512): 200: {1}; 100: {1, 2}; 101: {1, 2}.
# Walk units: 200: v1 r1 [600,603) = 3 PTEs (v0 is not anon: no unit);
#             100 and 101: v0 r1 [512,516) 4, v1 r1 [1020,1024) 4, v1 r2 [1024,1028) 4.
SCEN_A = Scenario(
    name="a",
    slots=9,
    page_cluster=0,
    disk=DiskParams(kind="zram"),
    mms=(
        Mm(
            pid=200,
            vmas=(vma(512, 2, resident=[(0, 2)], anon=False), vma(600, 3, swapped=[(1, 5)])),
        ),
        Mm(
            pid=100,
            vmas=(
                vma(512, 4, swapped=[(0, 3), (2, 1)], resident=[(1, 2)]),
                vma(1020, 8, swapped=[(0, 7), (6, 2)]),
            ),
        ),
        Mm(
            pid=101,
            parent=100,
            vmas=(
                vma(512, 4, swapped=[(0, 3), (3, 6)], resident=[(1, 3)]),
                vma(1020, 8, swapped=[(0, 7), (7, 4)]),
            ),
        ),
    ),
)


def test_scenario_a_is_valid():
    assert validation_errors(SCEN_A) == []


def test_legacy_a():
    # ring: init, 200, 100, 101.  start_mm = init.  Readahead none: one page per slot.
    # slot 1 (1 slot scanned): read 1 (seek 1).  start_mm is init: no first unuse_mm.
    #   set_start = True.  200: full walk, 1 unit, 3 PTEs, no match.
    #   100: v0 r1: 512, 513, 514 match -> 1 unit, 3 PTEs; count 0 -> start_mm = 100.
    #   so far: mm 2, units 2, PTEs 6, unuse_pte 1
    # slot 2 (2 scanned): unuse_mm(100): v0 r1 4, v1 r1 4 (1020 holds 7), v1 r2 1024..1026 3
    #   -> 3 units, 11 PTEs.  so far: mm 3, units 5, PTEs 17, unuse_pte 2
    # slot 3 (3): unuse_mm(100): 512 matches at once: 1 unit, 1 PTE; count 2 -> 1;
    #   the page is now anon at 512 in family 100.  set_start = (1 >= 2) = False.
    #   101 (same family): only v0 contains 512: 1 unit, 1 PTE, match.  start_mm stays 100.
    #   so far: mm 5, units 7, PTEs 19, unuse_pte 4
    # slot 4 (4): unuse_mm(100): no match, 3 units, 12 PTEs.  set_start = True.
    #   101: v0 r1 4, v1 r1 4, v1 r2 1024..1027 4 (match) -> 3 units 12 PTEs; start_mm = 101.
    #   so far: mm 7, units 13, PTEs 43, unuse_pte 5
    # slot 5 (5): unuse_mm(101): 3 units 12 PTEs, no match.  set_start.  ring after 101:
    #   init (set_start), 200: 600, 601 match -> 1 unit 2 PTEs; start_mm = 200.
    #   so far: mm 9, units 17, PTEs 57, unuse_pte 6
    # slot 6 (6): unuse_mm(200): 1 unit 3 PTEs.  set_start.  100: no match, 3 units 12 PTEs.
    #   101: v0 r1 512..515 match -> 1 unit 4 PTEs; start_mm = 101.
    #   so far: mm 12, units 22, PTEs 76, unuse_pte 7
    # slot 7 (7): unuse_mm(101): v0 r1 4 PTEs, v1 r1 1020 matches: 2 units, 5 PTEs; count 1;
    #   page anon at 1020 in family 100; set_start = False.  ring after 101: init
    #   (set_start = True), 200: another family, every VMA -EFAULT: 0 units (but 1 unuse_mm);
    #   100: targeted, v1 contains 1020: 1 unit 1 PTE, match; start_mm = 100.
    #   total: mm 15, units 25, PTEs 82, unuse_pte 9
    # last find_next_to_unuse: 8, wrap, 1..7: 8 slots (= slots - 1).  Scans 7 + 8 = 15.
    # cpu ps: 82*500 + 25*40000 + 15*500000 + 9*300000 + 15*20000 = 11_541_000
    r = reference_run(SCEN_A, "legacy")
    assert r.result == "ok"
    assert r.reads == [1, 2, 3, 4, 5, 6, 7]
    # head 0 -> slot 1 (seek 1), then every read starts where the head rests
    assert r.requests == zreq((1, 1, 1, "target"), *[(s, 1, 0, "target") for s in range(2, 8)])
    assert r.counters == counters(
        unuse_pte_range_calls=25,
        ptes_scanned=82,
        unuse_pte_calls=9,
        unuse_mm_calls=15,
        pages_read=7,
        io_requests=7,
        seek_slots=1,
        swapcache_peak=1,
        passes=1,
        cpu_ns=11_541,
        io_ns=28_000,
    )
    assert all_present(r) and r.cached == set() and r.swap_map == [0] * 9
    assert r.final[(101, 1, 0)] == ("present", 7)
    assert r.final[(100, 0, 0)] == ("present", 3)


def test_linear_a():
    # mm loop in mmlist order, readahead none.
    # 200 (mm 1): unit v1 r1 (1): 600, 601 -> slot 5 missing: read 5 (seek 5, head 6), free.
    # 100 (mm 2): v0 r1 (2): 512 slot 3 read (seek 3, head 4), count 2 -> 1 stays cached;
    #   514 slot 1 read (seek 3, head 2), free.  v1 r1 (3): 1020 slot 7 read (seek 5, head 8),
    #   stays cached.  v1 r2 (4): 1026 slot 2 read (seek 6, head 3), free.
    #   cache {3, 7, 2} right after reading 2: swapcache_peak 3.
    # 101 (mm 3): v0 r1 (5): 512 slot 3 found by lookup_swap_cache (not a readahead page:
    #   no hit), freed; 515 slot 6 read (seek 3, head 7).  v1 r1 (6): 1020 slot 7 cached.
    #   v1 r2 (7): 1027 slot 4 read (seek 3, head 5).
    # Nothing left in use: the tail loop is not entered (no slot scanned).
    # PTEs 3 + 12 + 12 = 27.  cpu ps: 27*500 + 7*40000 + 3*500000 + 9*300000 = 4_493_500
    r = reference_run(SCEN_A, "linear", "none")
    assert r.result == "ok"
    assert r.reads == [5, 3, 1, 7, 2, 6, 4]
    assert r.requests == zreq(
        (5, 1, 5, "target"),
        (3, 1, 3, "target"),
        (1, 1, 3, "target"),
        (7, 1, 5, "target"),
        (2, 1, 6, "target"),
        (6, 1, 3, "target"),
        (4, 1, 3, "target"),
    )
    expected = counters(
        unuse_pte_range_calls=7,
        ptes_scanned=27,
        unuse_pte_calls=9,
        unuse_mm_calls=3,
        pages_read=7,
        io_requests=7,
        seek_slots=28,
        swapcache_peak=3,
        passes=1,
        cpu_ns=4_493,
        io_ns=28_000,
    )
    assert r.counters == expected
    assert all_present(r) and r.cached == set() and r.swap_map == [0] * 9
    # linear-5.1 with readahead none: read_swap_cache_async finds 3 and 7 cached: same run
    r51 = reference_run(SCEN_A, "linear-5.1", "none")
    assert (r51.reads, r51.requests, r51.counters) == (r.reads, r.requests, r.counters)


def test_linear_a_hdd_costs():
    # Same reads on hdd.  T = 4096 B / 150 MB/s = 27306.667 ns per page; stroke_slots =
    # 9 / 0.02 = 450; half a rotation = 30/7200 s = 4_166_666.667 ns.
    #   5 (head 0, d=+5 <= 256): (5+1) T = 163_840
    #   3 (head 6, d=-3): (1 + 14 sqrt(3/450)) ms + 4.1667 ms + T = 6_337_068.547 -> 6_337_069
    #   1 (head 4, d=-3): 6_337_069
    #   7 (head 2, d=+5): 6 T = 163_840
    #   2 (head 8, d=-6): (1 + 14 sqrt(6/450)) ms + 4.1667 ms + T = 6_810_554.087 -> 6_810_554
    #   6 (head 3, d=+3): 4 T = 109_226.667 -> 109_227
    #   4 (head 7, d=-3): 6_337_069
    r = reference_run(SCEN_A, "linear", "none", disk_kind="hdd")
    ns = [163_840, 6_337_069, 6_337_069, 163_840, 6_810_554, 109_227, 6_337_069]
    assert [q[3] for q in r.requests] == ns
    assert r.counters["io_ns"] == sum(ns) == 26_258_668
    assert r.counters["total_ns"] == 4_493 + 26_258_668
    # ssd: 90 us + 4096 B / 500 MB/s = 98_192 ns per one-page request
    r = reference_run(SCEN_A, "linear", "none", disk_kind="ssd")
    assert [q[3] for q in r.requests] == [98_192] * 7
    assert r.counters["io_ns"] == 7 * 98_192


def test_rfc_a():
    # rfc deletes each page from the swap cache right after unuse_pte: the second sharer
    # of 3 and of 7 (mm 101) reads it again.  Walk = linear's: 3 mm, 7 units, 27 PTEs.
    # reads 5, 3, 1, 7, 2, 3, 6, 7, 4; head: 0 -5-> 6 -3-> 4 -3-> 2 -5-> 8 -6-> 3 -0-> 4
    #   -2-> 7 -0-> 8 -4-> 5: seek 28.  Never more than one page cached.
    r = reference_run(SCEN_A, "rfc", "none")
    assert r.result == "ok"
    assert r.reads == [5, 3, 1, 7, 2, 3, 6, 7, 4]
    assert [q[2] for q in r.requests] == [5, 3, 3, 5, 6, 0, 2, 0, 4]
    assert r.counters == counters(
        unuse_pte_range_calls=7,
        ptes_scanned=27,
        unuse_pte_calls=9,
        unuse_mm_calls=3,
        pages_read=9,
        io_requests=9,
        seek_slots=28,
        swapcache_peak=1,
        passes=1,
        cpu_ns=4_493,
        io_ns=36_000,
    )
    assert all_present(r) and r.cached == set()


# --------------------------------------------------------------------------- (a) scenario B
# One mm, VMA at pages 1024..1031 (region 2, one unit of 8 PTEs); 1024+i -> slot 1+i for
# i = 0..5; slots 7..15 free.  page_cluster 2: windows of at most 4 slots.
SCEN_B = Scenario(
    name="b",
    slots=16,
    page_cluster=2,
    disk=DiskParams(kind="zram"),
    mms=(Mm(pid=100, vmas=(vma(1024, 8, swapped=[(i, i + 1) for i in range(6)]),)),),
)


def test_linear_b_cluster_adaptive():
    # state: hits 0, prev_offset 0, last_window 0.
    # 1024 slot 1: miss.  pages = 0 + 2 = 2; 1 == prev+1 keeps 2; window 2; prev = 1.
    #   block [0, 1] minus the header = [1]: read 1 (seek 1, head 2).
    # 1025 slot 2: miss.  2 == 1+1: window 2; prev = 2; block [2, 3]: read 2, 3 as one
    #   request (seek 0, head 4).  Cache {2, 3}: peak 2.  3 is a readahead page.
    # 1026 slot 3: lookup hit on a readahead page: readahead_hits 1, hits 1.
    # 1027 slot 4: miss.  hits 1 -> pages 3 -> 4; cap 4; window 4; prev stays 2 (hits was 1).
    #   block [4, 7]: 4, 5, 6 in use, 7 free: read 4..6 (seek 0, head 7).  Peak 3.
    # 1028 slot 5, 1029 slot 6: readahead hits 2 and 3.
    # cpu ps: 8*500 + 40000 + 500000 + 6*300000 = 2_344_000
    r = reference_run(SCEN_B, "linear", "cluster-adaptive")
    assert r.result == "ok"
    assert r.reads == [1, 2, 3, 4, 5, 6]
    assert r.requests == zreq((1, 1, 1, "target"), (2, 2, 0, "target"), (4, 3, 0, "target"))
    assert r.counters == counters(
        unuse_pte_range_calls=1,
        ptes_scanned=8,
        unuse_pte_calls=6,
        unuse_mm_calls=1,
        pages_read=6,
        io_requests=3,
        seek_slots=1,
        readahead_hits=3,
        swapcache_peak=3,
        passes=1,
        cpu_ns=2_344,
        io_ns=24_000,
    )


def test_linear_51_and_rfc_b_cluster_adaptive():
    # No lookup: every swap PTE calls swapin_readahead, hits stay 0, windows stay at 2.
    # 1024 slot 1: 1 == 0+1: window 2, block [1]: read 1.            prev 1
    # 1025 slot 2: window 2, block [2, 3]: read 2, 3.                prev 2
    # 1026 slot 3 (cached): window 2, block [2, 3]: 2 free, 3 cached: no I/O.  prev 3
    # 1027 slot 4: window 2, block [4, 5]: read 4, 5.                prev 4
    # 1028 slot 5 (cached): block [4, 5]: nothing.                    prev 5
    # 1029 slot 6: block [6, 7]: read 6 (7 is free).
    # rfc is the same here: every slot has a single reference.
    for algo in ("linear-5.1", "rfc"):
        r = reference_run(SCEN_B, algo, "cluster-adaptive")
        assert r.result == "ok"
        assert r.reads == [1, 2, 3, 4, 5, 6]
        assert r.requests == zreq(
            (1, 1, 1, "target"), (2, 2, 0, "target"), (4, 2, 0, "target"), (6, 1, 0, "target")
        )
        assert r.counters == counters(
            unuse_pte_range_calls=1,
            ptes_scanned=8,
            unuse_pte_calls=6,
            unuse_mm_calls=1,
            pages_read=6,
            io_requests=4,
            seek_slots=1,
            swapcache_peak=2,
            passes=1,
            cpu_ns=2_344,
            io_ns=24_000,
        )


def test_legacy_b_cluster_adaptive():
    # legacy reads through swapin_readahead, never looks up: hits stay 0.
    # slot 1: window 2 (1 == prev 0 + 1), block [1]: read 1.  ring: 100 found it at the
    #   first PTE (1 unit, 1 PTE); start_mm = 100.
    # slot 2: window 2, block [2, 3]: read 2, 3.  unuse_mm(100): 1 unit, 2 PTEs.
    # slot 3: cached; window 2, block [2, 3]: nothing to read.  unuse_mm(100): 3 PTEs.
    # slot 4: block [4, 5]: read 4, 5; 4 PTEs.  slot 5: nothing; 5 PTEs.  slot 6: read 6; 6 PTEs.
    # one unuse_mm per slot: mm 6, units 6, PTEs 1+2+3+4+5+6 = 21.
    # slots scanned: 1..6 -> 6, then 7..15 and 1..6 -> 15: 21.
    # cpu ps: 21*500 + 6*40000 + 6*500000 + 6*300000 + 21*20000 = 5_470_500
    r = reference_run(SCEN_B, "legacy", "cluster-adaptive")
    assert r.result == "ok"
    assert r.reads == [1, 2, 3, 4, 5, 6]
    assert r.requests == zreq(
        (1, 1, 1, "target"), (2, 2, 0, "target"), (4, 2, 0, "target"), (6, 1, 0, "target")
    )
    assert r.counters == counters(
        unuse_pte_range_calls=6,
        ptes_scanned=21,
        unuse_pte_calls=6,
        unuse_mm_calls=6,
        pages_read=6,
        io_requests=4,
        seek_slots=1,
        swapcache_peak=2,
        passes=1,
        cpu_ns=5_470,
        io_ns=24_000,
    )


def test_linear_b_enomem():
    # free_pages 3: 1 (budget 2), then 2 and 3 (budget 0), hit on 3; at 1027 the window
    # [4, 7] starts with the target 4, which does not fit: ENOMEM at once.  The PTE of
    # slot 4 was examined (4 PTEs) but not restored.
    sc = Scenario(
        name="b3",
        slots=16,
        page_cluster=2,
        disk=DiskParams(kind="zram"),
        free_pages=3,
        mms=SCEN_B.mms,
    )
    r = reference_run(sc, "linear", "cluster-adaptive")
    assert r.result == "ENOMEM"
    assert r.reads == [1, 2, 3]
    c = r.counters
    assert (c["unuse_pte_calls"], c["ptes_scanned"], c["pages_read"], c["readahead_hits"]) == (
        3,
        4,
        3,
        1,
    )
    assert r.final[(100, 0, 3)] == ("swap", 4)
    assert r.final[(100, 0, 2)] == ("present", 3)
    assert r.swap_map[4:7] == [1, 1, 1] and r.cached == set()
    # free_pages 4: at 1027 the target 4 fits (budget 0), readahead 5 and 6 are skipped.
    # At 1028 slot 5 misses: hits 0, 5 is not prev_offset (2) +- 1 -> 1, but never below
    # last_window 4 // 2 = 2: block [4, 5], target 5 does not fit: ENOMEM.
    sc = Scenario(
        name="b4",
        slots=16,
        page_cluster=2,
        disk=DiskParams(kind="zram"),
        free_pages=4,
        mms=SCEN_B.mms,
    )
    r = reference_run(sc, "linear", "cluster-adaptive")
    assert r.result == "ENOMEM"
    assert r.reads == [1, 2, 3, 4]
    assert r.requests[-1] == (4, 1, 0, 4000, "target")
    assert r.counters["unuse_pte_calls"] == 4 and r.counters["ptes_scanned"] == 5


def test_enomem_readahead_before_target():
    # Pages are allocated in submission order.  Slot 3's block [2, 3] submits readahead 2
    # first; it takes the last free page, then the target 3 does not fit: ENOMEM.
    sc = Scenario(
        name="ra-first",
        slots=8,
        page_cluster=1,
        disk=DiskParams(kind="zram"),
        free_pages=1,
        mms=(Mm(pid=1, vmas=(vma(100, 4, swapped=[(0, 3), (2, 2)]),)),),
    )
    # the kernel's order: the readahead page already submitted is read and stays cached
    r = reference_run(sc, "linear", "cluster")
    assert r.result == "ENOMEM"
    assert r.requests == [(2, 1, 2, 4000, "readahead")]
    assert r.cached == {2}
    assert r.counters["swapcache_peak"] == 1 and r.counters["unuse_pte_calls"] == 0
    assert r.final == {(1, 0, 0): ("swap", 3), (1, 0, 2): ("swap", 2)}


# --------------------------------------------------------------------------- (a) scenario D: vma
# One mm, VMA at pages 1024..1029 (one unit, 6 PTEs): 1024->9, 1025->3, 1026->4, 1027->12,
# 1028->2, 1029 none.  ssd, page_cluster 3 (window up to 8 PTEs).
SCEN_D = Scenario(
    name="d",
    slots=16,
    page_cluster=3,
    disk=DiskParams(kind="ssd"),
    mms=(Mm(pid=100, vmas=(vma(1024, 6, swapped=[(0, 9), (1, 3), (2, 4), (3, 12), (4, 2)]),)),),
)


def test_linear_d_vma():
    # VMA state (last, win, hits) = (0, 0, 0).  ssd: 90_000 + 8192 ns per page.
    # 1024 slot 9: miss.  pages 2, 1024 is not 0 +- 1 -> window 1; state (1024, 1, 0).
    #   read 9 (seek 9, head 10).
    # 1025 slot 3: miss.  1025 == 1024 + 1 -> window 2, forward [1025, 1027): PTEs hold 3, 4:
    #   one request 3..4 (seek 7, head 5).  state (1025, 2, 0).
    # 1026 slot 4: hit on a readahead page: readahead_hits 1, state (1026, 2, 1).
    # 1027 slot 12: miss.  hits 1 -> pages 3 -> 4 (>= 2 // 2); forward [1027, 1031) clipped to
    #   the VMA's end 1030: PTEs 12, 2, none; 12 and 2 are not consecutive: two requests,
    #   12 (seek 7, head 13) target, 2 (seek 11, head 3) readahead.
    # 1028 slot 2: readahead hit 2.
    # cpu ps: 6*500 + 40000 + 500000 + 5*300000 = 2_043_000
    r = reference_run(SCEN_D, "linear")  # default on ssd: vma
    assert r.result == "ok"
    assert r.reads == [9, 3, 4, 12, 2]
    assert r.requests == [
        (9, 1, 9, 98_192, "target"),
        (3, 2, 7, 106_384, "target"),
        (12, 1, 7, 98_192, "target"),
        (2, 1, 11, 98_192, "readahead"),
    ]
    assert r.counters == counters(
        unuse_pte_range_calls=1,
        ptes_scanned=6,
        unuse_pte_calls=5,
        unuse_mm_calls=1,
        pages_read=5,
        io_requests=4,
        seek_slots=34,
        readahead_hits=2,
        swapcache_peak=2,
        passes=1,
        cpu_ns=2_043,
        io_ns=400_960,
    )


def test_linear_51_d_vma():
    # No lookups: the window is computed at every swap PTE, hits stay 0.
    # 1024 slot 9: window 1: read 9.                       state (1024, 1, 0)
    # 1025 slot 3: window 2, [1025, 1027): read 3, 4.       state (1025, 2, 0)
    # 1026 slot 4 (cached): window 2 (consecutive), [1026, 1028): 4 cached, 12 missing:
    #   read 12, a readahead request (the target is not in it).
    # 1027 slot 12 (cached): window 2, [1027, 1029): read 2 (readahead).
    # 1028 slot 2 (cached): window 2, [1028, 1030): nothing.
    r = reference_run(SCEN_D, "linear-5.1", "vma")
    assert r.reads == [9, 3, 4, 12, 2]
    assert [(q[0], q[1], q[2], q[4]) for q in r.requests] == [
        (9, 1, 9, "target"),
        (3, 2, 7, "target"),
        (12, 1, 7, "readahead"),
        (2, 1, 11, "readahead"),
    ]
    assert r.counters["readahead_hits"] == 0
    assert r.counters["io_ns"] == 400_960


# --------------------------------------------------------------------------- (a) scenario C: shmem
# shmem f0: index 0 -> slot 1, index 1 -> slot 2; f1: index 1 -> slot 3.
# mm 100: VMA pages 512..513 (region 1): 513 -> slot 4.  mm 300: VMA 2048..2052 all resident.
# page_cluster 1 (windows of at most 2), zram.
SCEN_C = Scenario(
    name="c",
    slots=8,
    page_cluster=1,
    disk=DiskParams(kind="zram"),
    mms=(
        Mm(pid=100, vmas=(vma(512, 2, swapped=[(1, 4)]),)),
        Mm(pid=300, vmas=(vma(2048, 5, resident=[(0, 5)]),)),
    ),
    shmem=(
        ShmemFile(name="f0", pages=4, swapped=[(0, 1), (1, 2)]),
        ShmemFile(name="f1", pages=2, swapped=[(1, 3)]),
    ),
)


def test_linear_c_shmem_then_mms():
    # Default on zram: vma; shmem swap-in uses cluster-adaptive (global state).
    # shmem_unuse: f0[0] slot 1: miss, 1 == 0+1 -> window 2, block [1]: read 1 (seek 1).
    #   The page leaves the swap cache, slot 1 free.
    # f0[1] slot 2: 2 == 1+1 -> window 2, block [2, 3]: read 2, 3 (seek 0, head 4).  Peak 2.
    # f1[1] slot 3: lookup hit on a readahead page: readahead_hits 1.
    # mm 100 (mm 1): 1 unit, 2 PTEs; 513 slot 4: miss, VMA window: 513 is not 0 +- 1 -> 1:
    #   read 4 (seek 0, head 5).  Now nothing is in use: mm 300 is not walked.
    # shmem entries are not unuse_pte calls.  cpu ps: 2*500 + 40000 + 500000 + 300000
    r = reference_run(SCEN_C, "linear")
    assert r.result == "ok"
    assert r.reads == [1, 2, 3, 4]
    assert r.requests == zreq((1, 1, 1, "target"), (2, 2, 0, "target"), (4, 1, 0, "target"))
    expected = counters(
        unuse_pte_range_calls=1,
        ptes_scanned=2,
        unuse_pte_calls=1,
        unuse_mm_calls=1,
        pages_read=4,
        io_requests=3,
        seek_slots=1,
        readahead_hits=1,
        swapcache_peak=2,
        passes=1,
        cpu_ns=841,
        io_ns=16_000,
    )
    assert r.counters == expected
    assert r.final[("shmem", 1, 1)] == ("present", 3)
    assert all_present(r) and r.cached == set()
    # linear-5.1: the shmem path still looks pages up (the hit counts); same run here
    assert reference_run(SCEN_C, "linear-5.1").counters == expected


def test_rfc_c_shmem_and_idle_mm():
    # rfc default: cluster-adaptive.  shmem as above (reads 1 | 2, 3; hit on 3: hits 1).
    # mm 100 (mm 1): 513 slot 4: hits 1 -> pages 3 -> 4, capped at 2; window 2; prev stays 2;
    #   block [4, 5]: read 4.
    # rfc walks every mm: mm 300 (mm 2): 1 unit, 5 PTEs (all resident).
    # cpu ps: 7*500 + 2*40000 + 2*500000 + 300000 = 1_383_500
    r = reference_run(SCEN_C, "rfc")
    assert r.result == "ok"
    assert r.reads == [1, 2, 3, 4]
    assert r.counters == counters(
        unuse_pte_range_calls=2,
        ptes_scanned=7,
        unuse_pte_calls=1,
        unuse_mm_calls=2,
        pages_read=4,
        io_requests=3,
        seek_slots=1,
        readahead_hits=1,
        swapcache_peak=2,
        passes=1,
        cpu_ns=1_383,
        io_ns=16_000,
    )


def test_legacy_c_shmem():
    # readahead none: slots 1, 2, 3 are shmem: each read (1 page) and handed to
    # shmem_unuse, no counters but the read.  slot 4: ring init -> 100: 1 unit, 2 PTEs.
    # scans: 1, 2, 3, 4, then 5..7 and 1..4 = 7: 11.
    # cpu ps: 2*500 + 40000 + 500000 + 300000 + 11*20000 = 1_061_000
    r = reference_run(SCEN_C, "legacy")
    expected = counters(
        unuse_pte_range_calls=1,
        ptes_scanned=2,
        unuse_pte_calls=1,
        unuse_mm_calls=1,
        pages_read=4,
        io_requests=4,
        seek_slots=1,
        swapcache_peak=1,
        passes=1,
        cpu_ns=1_061,
        io_ns=16_000,
    )
    assert r.result == "ok"
    assert r.reads == [1, 2, 3, 4]
    assert r.counters == expected
    # with a fixed window of 2: slot 1 block [1]; slot 2 block [2, 3] reads 3 ahead; slot 3
    # is then cached (the window [2, 3] has nothing to read) and no hit is counted.
    r = reference_run(SCEN_C, "legacy", "cluster")
    assert r.requests == zreq((1, 1, 1, "target"), (2, 2, 0, "target"), (4, 1, 0, "target"))
    assert r.counters == {**expected, "io_requests": 3, "swapcache_peak": 2}


# --------------------------------------------------------------------------- prefetch
def test_prefetch_a():
    # Scenario A (zram, page_cluster 0), readahead none.  Slots in use: 1-7 (8 is free).
    # Phase 1: find_next_to_unuse from 0 returns 1, 2, ..., 7 (one swap_map read each),
    #   then from 7 reads slot 8 and finds nothing: 8 reads = slots - 1.  The batch
    #   [1..7] (fewer than 256) is one plug, and the 7 consecutive slots one request:
    #   start 1, head 0 -> seek 1, 7 x 4000 ns.  All 7 pages are readahead pages (no
    #   target), in the swap cache at once: swapcache_peak 7.
    # Phase 2 is linear's run of test_linear_a with every lookup a hit: 200 finds 5;
    #   100 finds 3 (stays: 101 shares it), 1, 7 (stays), 2; 101 finds 3 and 7 again
    #   (no longer readahead pages: not hits), 6 and 4.  Hits: 5, 3, 1, 7, 2, 6, 4 = 7.
    #   Nothing is read: the walk's I/O is the one request of phase 1.
    # Walk counts as in test_linear_a: 7 calls, 27 PTEs, 9 restores, 3 unuse_mm.
    # cpu ps: 27*500 + 7*40000 + 3*500000 + 9*300000 + 8*20000 = 4_653_500
    r = reference_run(SCEN_A, "prefetch", "none")
    assert r.result == "ok"
    assert r.reads == [1, 2, 3, 4, 5, 6, 7]
    assert r.requests == zreq((1, 7, 1, "readahead"))
    expected = counters(
        unuse_pte_range_calls=7,
        ptes_scanned=27,
        unuse_pte_calls=9,
        unuse_mm_calls=3,
        pages_read=7,
        io_requests=1,
        seek_slots=1,
        readahead_hits=7,
        swapcache_peak=7,
        passes=1,
        cpu_ns=4_653,
        io_ns=28_000,
    )
    assert r.counters == expected
    assert all_present(r) and r.cached == set() and r.swap_map == [0] * 9


def test_prefetch_batches_of_256():
    # One mm, one anon VMA of 300 pages at page 512 (one page table: [512, 812)), page k
    # in slot k + 1: slots 1-300 of 512 in use.  Phase 1 gathers 1-256 (a full batch:
    # one plug, one request, seek 1 from slot 0) and then 257-300 (a second plug: the head
    # rests at 257 after the first request, so seek 0), then reads swap_map up to slot
    # 511 and finds nothing more: 511 swap_map reads in all.  zram: 300 x 4000 ns.
    # The walk: 1 unuse_mm, 1 call, 300 PTEs, 300 restores, every lookup a hit.
    # cpu ps: 300*500 + 40000 + 500000 + 300*300000 + 511*20000 = 100_910_000
    sc = Scenario(
        name="p",
        slots=512,
        page_cluster=3,
        disk=DiskParams(kind="zram"),
        mms=(Mm(pid=1, vmas=(vma(512, 300, swapped=[(k, k + 1) for k in range(300)]),)),),
    )
    r = reference_run(sc, "prefetch", "cluster-adaptive")
    assert r.result == "ok"
    assert r.requests == zreq((1, 256, 1, "readahead"), (257, 44, 0, "readahead"))
    expected = counters(
        unuse_pte_range_calls=1,
        ptes_scanned=300,
        unuse_pte_calls=300,
        unuse_mm_calls=1,
        pages_read=300,
        io_requests=2,
        seek_slots=1,
        readahead_hits=300,
        swapcache_peak=300,
        passes=1,
        cpu_ns=100_910,
        io_ns=1_200_000,
    )
    assert r.counters == expected
    # linear on the same: the same one walk, but it reads as it goes (windows of up to
    # 8 slots) and holds a window at a time, not the area
    lin = reference_run(sc, "linear", "cluster-adaptive")
    assert lin.counters["swapcache_peak"] < 16 and lin.counters["io_requests"] > 2


def test_prefetch_a_memory_runs_out():
    # Scenario A with free_pages 4: phase 1 reads what fits, 1-4 (one request, seek 1),
    # and skips 5, 6, 7 (readahead pages that do not fit are skipped, no error).  The
    # walk starts with mm 200: PTEs 600, 601 (one call), slot 5 misses the swap cache,
    # its read is the target and does not fit: ENOMEM.  Nothing was restored; pages 1-4
    # stay cached, every count is unchanged.
    # cpu ps: 2*500 + 40000 + 500000 + 8*20000 = 701_000
    sc = Scenario(**{**_fields(SCEN_A), "free_pages": 4})
    r = reference_run(sc, "prefetch", "none")
    assert r.result == "ENOMEM"
    assert r.requests == zreq((1, 4, 1, "readahead"))
    expected = counters(
        unuse_pte_range_calls=1,
        ptes_scanned=2,
        unuse_mm_calls=1,
        pages_read=4,
        io_requests=1,
        seek_slots=1,
        swapcache_peak=4,
        passes=1,
        cpu_ns=701,
        io_ns=16_000,
    )
    assert r.counters == expected
    assert r.cached == {1, 2, 3, 4}
    assert r.swap_map == [0, 1, 1, 2, 1, 1, 1, 2, 0]
    assert r.final[(200, 1, 1)] == ("swap", 5)


def test_refusals_and_defaults():
    with pytest.raises(ValueError):
        reference_run(SCEN_A, "legacy", "vma")
    with pytest.raises(ValueError):
        reference_run(SCEN_A, "quadratic")
    with pytest.raises(ValueError):
        reference_run(SCEN_A, "linear", "random")
    # defaults: linear on hdd is cluster-adaptive, on ssd/zram vma
    assert (
        reference_run(SCEN_D, "linear", disk_kind="hdd").reads
        == reference_run(SCEN_D, "linear", "cluster-adaptive", disk_kind="hdd").reads
    )
    assert (
        reference_run(SCEN_D, "rfc").reads == reference_run(SCEN_D, "rfc", "cluster-adaptive").reads
    )


# --------------------------------------------------------------------------- (b) Linux 6.1 captures
@pytest.mark.parametrize(
    ("name", "readahead"),
    [("pc0", "none"), ("pc3", "cluster-adaptive"), ("vma3", "vma")],
)
def test_linux_61_fixture(name: str, readahead: str):
    sc = load_scenario_toml(DATA / f"{name}.toml")
    with open(DATA / f"{name}.kernel.json") as fh:
        kernel = json.load(fh)
    assert [m.pid for m in sc.mms] == kernel["mmlist"]
    r = reference_run(sc, "linear", readahead)
    assert r.result == "ok"
    assert r.counters["unuse_pte_range_calls"] == kernel["unuse_pte_range_calls"]
    assert r.reads == kernel["reads"]
    flat = [s for start, pages, *_ in r.requests for s in range(start, start + pages)]
    assert flat == r.reads
    assert all_present(r) and r.cached == set()


# --------------------------------------------------------------------------- (c) properties
PROPS = settings(
    max_examples=examples(200),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _anon_refs(sc: Scenario) -> list[tuple[int, int, int, int]]:
    return [
        (m.pid, vi, idx, slot)
        for m in sc.mms
        for vi, v in enumerate(m.vmas)
        for idx, slot in v.swapped
    ]


def _shmem_refs(sc: Scenario) -> list[tuple[int, int, int]]:
    return [(fi, idx, slot) for fi, f in enumerate(sc.shmem) for idx, slot in f.swapped]


def _units(sc: Scenario, mm: Mm) -> list[int]:
    """Lengths of the walk units of one mm, computed from the scenario directly."""
    populated = set()
    for v in mm.vmas:
        for a, b in v.resident:
            populated.update((v.start_page + i) // PTES_PER_TABLE for i in range(a, b))
        for idx, _ in v.swapped:
            populated.add((v.start_page + idx) // PTES_PER_TABLE)
    out = []
    for v in mm.vmas:
        if not v.anon:
            continue
        for region in sorted(populated):
            lo = max(v.start_page, region * PTES_PER_TABLE)
            hi = min(v.end_page, (region + 1) * PTES_PER_TABLE)
            if lo < hi:
                out.append(hi - lo)
    return out


def _check_common(sc: Scenario, algo: str, r: RefResult) -> None:
    c = r.counters
    assert set(c) == set(COUNTER_NAMES)
    assert r.result in ("ok", "ENOMEM")
    # requests and reads agree
    flat = [s for start, pages, *_ in r.requests for s in range(start, start + pages)]
    assert flat == r.reads
    assert c["pages_read"] == len(r.reads)
    assert c["io_requests"] == len(r.requests)
    assert c["seek_slots"] == sum(q[2] for q in r.requests)
    assert c["io_ns"] == sum(q[3] for q in r.requests)
    assert c["total_ns"] == c["cpu_ns"] + c["io_ns"]
    assert c["io_errors"] == 0 and c["passes"] == 1
    head = 0
    for start, pages, seek, _ns, why in r.requests:
        assert seek == abs(start - head) and pages >= 1 and why in ("target", "readahead")
        head = start + pages
    bad = set(sc.bad)
    referenced = {s for *_, s in _anon_refs(sc)} | {s for *_, s in _shmem_refs(sc)}
    assert all(s in referenced and s not in bad for s in r.reads)
    if sc.disk.kind == "zram":
        assert c["io_ns"] == 4000 * c["pages_read"]
    elif sc.disk.kind == "ssd":
        assert c["io_ns"] == 90_000 * c["io_requests"] + 8192 * c["pages_read"]
    if sc.free_pages is not None:
        assert c["pages_read"] <= sc.free_pages
    assert c["readahead_hits"] <= c["pages_read"]
    if c["pages_read"]:
        assert c["swapcache_peak"] >= 1
    # cpu: exact from the counters, plus swap_map scans for legacy and prefetch only
    # (linear's tail sweep never runs without faults: its pass leaves nothing in use)
    cpu = sc.cpu
    ps = (
        c["ptes_scanned"] * round(cpu.pte_ns * 1000)
        + c["unuse_pte_range_calls"] * round(cpu.range_ns * 1000)
        + c["unuse_mm_calls"] * round(cpu.mm_ns * 1000)
        + c["unuse_pte_calls"] * round(cpu.unuse_pte_ns * 1000)
    )
    if algo == "legacy" and r.result == "ok":
        last = max((s for s in referenced), default=0)
        ps += (last + sc.slots - 1) * round(cpu.slot_scan_ns * 1000)
    if algo == "prefetch" and referenced:
        # phase 1 reads swap_map from slot 1 to the end, once, whatever happens after
        ps += (sc.slots - 1) * round(cpu.slot_scan_ns * 1000)
    if algo != "legacy" or r.result == "ok":
        assert c["cpu_ns"] == ps // 1000

    anon = _anon_refs(sc)
    shm = _shmem_refs(sc)
    assert len(r.final) == len(anon) + len(shm)
    if r.result == "ok":
        # completed: every slot free and uncached, every reference present with its slot
        assert r.swap_map == [0] * sc.slots
        assert r.cached == set()
        for pid, vi, idx, slot in anon:
            assert r.final[(pid, vi, idx)] == ("present", slot)
        for fi, idx, slot in shm:
            assert r.final[("shmem", fi, idx)] == ("present", slot)
        assert c["unuse_pte_calls"] == len(anon)
    else:
        # aborted: nothing lost, nothing duplicated
        left: dict[int, int] = {}
        keys = [((pid, vi, idx), slot) for pid, vi, idx, slot in anon]
        keys += [(("shmem", fi, idx), slot) for fi, idx, slot in shm]
        for key, slot in keys:
            state, s = r.final[key]
            assert s == slot and state in ("present", "swap")
            if state == "swap":
                left[slot] = left.get(slot, 0) + 1
        assert r.swap_map == [left.get(s, 0) for s in range(sc.slots)]
        restored = sum(1 for k, _ in keys if k[0] != "shmem" and r.final[k][0] == "present")
        assert c["unuse_pte_calls"] == restored
        assert all(s in referenced for s in r.cached)


@PROPS
@given(scenarios())
def test_strategy_builds_valid_scenarios(sc):
    assert validation_errors(sc) == []


@PROPS
@given(scenarios(cpu=True), algorithms_and_readahead(include_default=True))
def test_run_invariants(sc, pair):
    algo, ra = pair
    r = reference_run(sc, algo, ra)
    _check_common(sc, algo, r)
    # deterministic
    again = reference_run(sc, algo, ra)
    assert (again.counters, again.requests, again.final) == (r.counters, r.requests, r.final)


@PROPS
@given(scenarios(memory=False), algorithms_and_readahead())
def test_counts_without_memory_limit(sc, pair):
    algo, ra = pair
    r = reference_run(sc, algo, ra)
    assert r.result == "ok"
    c = r.counters
    anon = _anon_refs(sc)
    shm = _shmem_refs(sc)
    slots_in_use = {s for *_, s in anon} | {s for *_, s in shm}
    assert c["unuse_pte_calls"] == len(anon)
    if algo == "legacy":
        # each unuse_mm restores at most one PTE; each slot's page read at least once
        assert c["unuse_mm_calls"] >= c["unuse_pte_calls"]
        assert c["ptes_scanned"] >= c["unuse_pte_calls"]
        assert c["readahead_hits"] == 0
        assert sorted(r.reads) == sorted(slots_in_use)  # each slot read exactly once
        if ra == "none":
            assert r.reads == sorted(slots_in_use)
            assert c["swapcache_peak"] == (1 if slots_in_use else 0)
    else:
        units = [_units(sc, m) for m in sc.mms]
        walked = c["unuse_mm_calls"]
        if algo == "rfc":
            assert walked == len(sc.mms)
        else:
            # the mm loop stops once nothing is in use: right after the last mm holding
            # a swap entry
            holders = [k for k, m in enumerate(sc.mms) if any(v.swapped for v in m.vmas)]
            assert walked == (holders[-1] + 1 if holders else 0)
        assert c["unuse_pte_range_calls"] == sum(len(u) for u in units[:walked])
        assert c["ptes_scanned"] == sum(sum(u) for u in units[:walked])
        if algo == "prefetch":
            # phase 1 reads every slot in use once, in ascending order, as readahead pages
            # under plugs of 256 slots; the walk then finds each one cached: all hits,
            # and the swap cache held every slot in use at once
            assert r.reads == sorted(slots_in_use)
            assert all(q[4] == "readahead" for q in r.requests)
            assert c["readahead_hits"] == c["pages_read"] == len(slots_in_use)
            assert c["swapcache_peak"] == len(slots_in_use)
            batches = [sorted(slots_in_use)[k : k + 256] for k in range(0, len(slots_in_use), 256)]
            runs = sum(1 + sum(b[i] != b[i - 1] + 1 for i in range(1, len(b))) for b in batches)
            assert c["io_requests"] == runs
        elif ra == "none":
            if algo == "rfc":
                assert c["pages_read"] == len(anon) + len(shm)
                assert c["swapcache_peak"] == (1 if c["pages_read"] else 0)
            else:
                assert sorted(r.reads) == sorted(slots_in_use)
            assert c["readahead_hits"] == 0
        else:
            # a slot whose references all lie in the mms walked before is never read again
            assert set(r.reads) <= slots_in_use
        if algo in ("rfc", "linear-5.1") and not sc.shmem:
            assert c["readahead_hits"] == 0
        if algo == "linear":
            # every slot read once: cached until its last reference is restored
            assert sorted(r.reads) == sorted(slots_in_use)
            # every readahead page is used once through a lookup: a hit
            target_requests = sum(1 for q in r.requests if q[4] == "target")
            assert c["readahead_hits"] == c["pages_read"] - target_requests


@PROPS
@given(scenarios(memory=False), algorithms_and_readahead(), st.integers(0, 3))
def test_ample_memory_changes_nothing(sc, pair, extra):
    algo, ra = pair
    free = reference_run(sc, algo, ra)
    budget = Scenario(**{**_fields(sc), "free_pages": free.counters["pages_read"] + extra})
    limited = reference_run(budget, algo, ra)
    assert (limited.result, limited.counters, limited.requests) == (
        free.result,
        free.counters,
        free.requests,
    )
    if free.counters["pages_read"] > 0:
        short = Scenario(**{**_fields(sc), "free_pages": free.counters["pages_read"] - 1})
        r = reference_run(short, algo, ra)
        assert r.result == "ENOMEM"
        _check_common(short, algo, r)


@PROPS
@given(scenarios(memory=False), st.sampled_from(("legacy", "rfc", "linear", "linear-5.1")))
def test_readahead_never_changes_the_final_state(sc, algo):
    base = reference_run(sc, algo, "none")
    for ra in ("cluster", "cluster-adaptive") + (() if algo == "legacy" else ("vma",)):
        r = reference_run(sc, algo, ra)
        assert r.final == base.final
        # the page-table walk does not depend on readahead
        for name in ("unuse_pte_range_calls", "ptes_scanned", "unuse_pte_calls", "unuse_mm_calls"):
            assert r.counters[name] == base.counters[name]


def _fields(sc: Scenario) -> dict:
    return {
        name: getattr(sc, name)
        for name in (
            "name",
            "slots",
            "title",
            "seed",
            "page_cluster",
            "bad",
            "disk",
            "cpu",
            "free_pages",
            "mms",
            "shmem",
            "description",
        )
    }
