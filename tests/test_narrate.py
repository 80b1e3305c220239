"""models.narrate: one plain sentence for every frame of every algorithm."""

from __future__ import annotations

import attrs
import pytest

from models import events as ev
from models.algorithms import ALGORITHMS
from models.engine import RunOptions, run_swapoff
from models.events import GRANULARITIES
from models.narrate import duration, literal, narrate
from models.scenario_model import Mm, Scenario, ShmemFile, Vma
from models.timeline import Timeline

BASE = 0x7F00_0000_0000


def scenario() -> Scenario:
    return Scenario(
        name="n",
        slots=40,
        mms=(
            Mm(101, "firefox", None, (Vma(BASE, 64, True, ((0, 4),), ((10, 3), (11, 30))),)),
            Mm(102, "child", 101, (Vma(BASE, 64, True, (), ((10, 3), (20, 7))),)),
            Mm(103, "sshd\x1b[2J", None, (Vma(BASE, 700, True, (), ((600, 12),)),)),
        ),
        shmem=(ShmemFile("/dev/shm/x", 4, ((0, 20),)),),
    )


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("granularity", GRANULARITIES)
def test_every_frame_has_one_plain_line(algorithm: str, granularity: str) -> None:
    tl = Timeline(run_swapoff(scenario(), RunOptions(algorithm=algorithm)))
    for i in range(tl.frame_count(granularity)):
        line = narrate(tl.view(granularity, i), tl.machine)
        assert line and "\n" not in line and "\x1b" not in line


def test_every_event_kind_is_narrated() -> None:
    seen: set[type] = set()
    for algorithm in ("legacy", "rfc", "linear"):
        tl = Timeline(run_swapoff(scenario(), RunOptions(algorithm=algorithm)))
        for i in range(tl.frame_count("pte")):
            v = tl.view("pte", i)
            if v.event is not None:
                seen.add(type(v.event))
                assert type(v.event).__name__ not in narrate(v, tl.machine)
    assert {
        ev.PassStart,
        ev.SwapMapScan,
        ev.DiskRequest,
        ev.Lookup,
        ev.UnuseMm,
        ev.Walk,
        ev.Search,
        ev.UnusePte,
        ev.ShmemUnuse,
        ev.FreeSwapCache,
        ev.Done,
    } <= seen


def test_legacy_read_says_why_and_what_it_cost() -> None:
    tl = Timeline(run_swapoff(scenario(), RunOptions(algorithm="legacy")))
    i = next(i for i, e in enumerate(tl.events) if isinstance(e, ev.DiskRequest))
    line = narrate(tl.view("pte", tl.frame_of_event("pte", i)), tl.machine)
    assert "is read alone: legacy never reads ahead;" in line
    assert line.endswith("s")  # "= 5.2 ms"


def event_ends(tl: Timeline, kind: type) -> list[str]:
    """The sentences of each event of this kind taken whole (a frame inside a walk or a
    search narrates its progress instead; the recorder and race mode show them whole)."""
    out = []
    for i, e in enumerate(tl.events):
        if isinstance(e, kind):
            view = tl.view("pte", tl.frame_of_event("pte", i))
            out.append(narrate(attrs.evolve(view, progress=None, cursor=None), tl.machine))
    return out


def test_prefetch_phase_one_is_narrated() -> None:
    """scenario(): slots 3, 7, 12, 20 and 30 in use of 40.  Phase 1's one batch: the scan
    reads swap_map from slot 1 to the end (39 entries) and gathers the 5 slots; they are
    read upwards, 3 alone, then 7, 12, 20, 30 each alone (no two are consecutive)."""
    tl = Timeline(run_swapoff(scenario(), RunOptions(algorithm="prefetch", disk="hdd")))
    first = narrate(tl.view("pte", 1), tl.machine)
    assert first == (
        "prefetch, phase 1: find_next_to_unuse read 39 swap_map entries from slot 1 and "
        "gathered 5 slots in use, to be read next in disk order (20 ns each = 780 ns)"
    )
    reads = [narrate(tl.view("pte", i), tl.machine) for i in range(2, 7)]
    assert [s.split(" into")[0] for s in reads] == [
        f"prefetch reads slot {n}" for n in (3, 7, 12, 20, 30)
    ]
    assert all(" into the swap cache, in disk order: " in s and " = " in s for s in reads)
    assert narrate(tl.view("pte", 7), tl.machine).startswith("phase 2, linear's walk")


def test_walk_names_the_mm_and_the_page_table() -> None:
    tl = Timeline(run_swapoff(scenario(), RunOptions(algorithm="linear")))
    lines = [narrate(tl.view("pte", i), tl.machine) for i in range(tl.frame_count("pte"))]
    pte_ns = f"{tl.machine.scenario.cpu.pte_ns:g} ns"
    assert any(
        "mm 101 firefox: unuse_pte_range examined PTE" in s and f"({pte_ns} each)" in s
        for s in lines
    )
    assert any("\\x1b[2J" in s for s in lines)  # escape bytes spelled out
    # a whole stretch (coarser steps) gives the CPU model's factors and their sum
    whole = event_ends(tl, ev.Walk)
    assert any(f"PTEs × {pte_ns} + " in s and "page table × 40 ns = " in s for s in whole)


def _request_line(disk: str, algorithm: str = "linear") -> list[str]:
    tl = Timeline(run_swapoff(scenario(), RunOptions(algorithm=algorithm, disk=disk)))
    return [
        narrate(tl.view("pte", tl.frame_of_event("pte", i)), tl.machine)
        for i, e in enumerate(tl.events)
        if isinstance(e, ev.DiskRequest)
    ]


def test_every_disk_explains_its_cost() -> None:
    hdd = _request_line("hdd")
    assert any("seek " in s and "+ half a rotation (4.17 ms) + transfer" in s for s in hdd)
    assert any("no seek, the platter turns past" in s for s in _request_line("hdd", "legacy"))
    ssd = _request_line("ssd")
    assert all("ssd latency 90 µs + " in s and "at 500 MB/s = " in s for s in ssd)
    assert all("zram decompresses " in s and "at 4 µs each = " in s for s in _request_line("zram"))


def test_the_parts_named_add_up_to_the_request() -> None:
    """The hdd sentence names seek, rotation and transfer: they sum to the total shown."""
    from models.breakdown import split_request
    from models.cost import DiskModel

    run = run_swapoff(scenario(), RunOptions(algorithm="linear", disk="hdd"))
    model = DiskModel(run.scenario.disk, run.scenario.slots)
    for q in run.requests:
        _w, _c, seek, rotation, _a, transfer = split_request(model, q)
        assert seek + rotation + transfer == q.t1 - q.t0


def test_one_seek_formula_drives_the_charge_the_sentence_and_the_breakdown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Replace the seek curve of the cost model by a flat 7 ms: the engine's charge, the
    narrated seek and the race's seek bar all follow, because all three ask
    models.cost.DiskModel and nothing else."""
    from models.breakdown import split_request
    from models.cost import DiskModel

    monkeypatch.setattr(DiskModel, "seek_ns", lambda self, distance: 7_000_000.0)
    tl = Timeline(run_swapoff(scenario(), RunOptions(algorithm="linear", disk="hdd")))
    model = DiskModel.of(tl.run.scenario.disk, tl.run.scenario.slots)
    seeks = [
        (i, e)
        for i, e in enumerate(tl.events)
        if isinstance(e, ev.DiskRequest) and e.start - e.head not in range(257)
    ]
    assert seeks
    for i, e in seeks:
        # 7 ms + half a turn at 7200 rpm (4,166,666.67 ns) + 27,306.67 ns per 4 KiB page
        expect_ns = int(7_000_000 + 30 / 7200 * 1e9 + e.pages * 4096 / 150e6 * 1e9 + 0.5)
        assert e.t1 - e.t0 == expect_ns * 1000
        line = narrate(tl.view("pte", tl.frame_of_event("pte", i)), tl.machine)
        assert "slots (7 ms) + half a rotation (4.17 ms)" in line or "slot (7 ms)" in line
        _w, _c, seek, rotation, _a, _t = split_request(model, e)
        assert (seek, rotation) == (7_000_000_000, 4_166_666_667)


def test_a_cpu_constant_moves_the_sentence_the_charge_and_the_breakdown() -> None:
    """--cpu-param pte_ns=3: a walk of p PTEs over c page tables costs p x 3 ns + c x 40 ns,
    the sentence says "× 3 ns", and the breakdown puts exactly that in the walk bar."""
    from models.breakdown import split_event
    from models.cost import CpuCost, DiskModel

    run = run_swapoff(scenario(), RunOptions(algorithm="linear", cpu_params={"pte_ns": 3}))
    tl = Timeline(run)
    walks = [e for e in tl.events if isinstance(e, ev.Walk)]
    assert walks
    for e in walks:
        assert e.t1 - e.t0 == e.ptes * 3000 + e.calls * 40_000
        disk = DiskModel.of(run.scenario.disk, run.scenario.slots)
        walk_ps = split_event(disk, CpuCost.from_params(run.scenario.cpu), e)[0]
        assert walk_ps == e.t1 - e.t0
    whole = event_ends(tl, ev.Walk)
    assert all("PTE" in s and " × 3 ns" in s for s in whole)


def test_searches_explain_the_quadratic_cost() -> None:
    tl = Timeline(run_swapoff(scenario(), RunOptions(algorithm="legacy")))
    lines = event_ends(tl, ev.Search)
    assert any(
        "searched every mm for slot" in s
        and "unuse_mm calls × 500 ns" in s
        and "legacy searches again for every slot" in s
        for s in lines
    )
    fine = [narrate(tl.view("pte", i), tl.machine) for i in range(tl.frame_count("pte"))]
    assert any("unuse_pte_range walks until it finds the entry" in s for s in fine)
    assert any("page_address_in_vma: the page is mapped already" in s for s in fine)


def test_racing_tasks_are_narrated() -> None:
    from models.faults import parse_fault

    faults = (
        "touch:pid=103:after=1",
        "exit:pid=102:after=1",
        "fork:pid=101:after=1",
        "unlink:shmem=/dev/shm/x:after=0",
        "eio:slot=12",
    )
    kinds: set[str] = set()
    for spec in faults:
        tl = Timeline(
            run_swapoff(scenario(), RunOptions(algorithm="linear", faults=(parse_fault(spec),)))
        )
        for i in range(tl.frame_count("pte")):
            v = tl.view("pte", i)
            if v.event is None:
                continue
            line = narrate(v, tl.machine)
            assert type(v.event).__name__ not in line and line
            kinds.add(type(v.event).__name__)
            if isinstance(v.event, ev.DiskRequest) and v.event.failed:
                assert "failed (EIO)" in line
    assert {"FaultFired", "FaultIn", "DropRef", "MmExit", "MmFork"} <= kinds


def test_first_and_last_frames() -> None:
    tl = Timeline(run_swapoff(scenario(), RunOptions(algorithm="legacy")))
    assert narrate(tl.view("entry", 0), tl.machine).startswith("swapoff has not started")
    last = tl.frame_count("entry") - 1
    assert "every slot is free" in narrate(tl.view("entry", last), tl.machine)


def test_helpers() -> None:
    assert duration(1500) == "1.5 ns"
    assert duration(5_200_000_000) == "5.2 ms"
    assert literal("a\x1bb\n") == "a\\x1bb\\x0a"
