"""models.narrate: one plain sentence for every frame of every algorithm."""

from __future__ import annotations

import pytest

from models import events as ev
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


@pytest.mark.parametrize("algorithm", ["legacy", "rfc", "linear", "linear-5.1"])
@pytest.mark.parametrize("granularity", GRANULARITIES)
def test_every_frame_has_one_plain_line(algorithm: str, granularity: str) -> None:
    tl = Timeline(run_swapoff(scenario(), RunOptions(algorithm=algorithm)))
    for i in range(tl.frame_count(granularity)):
        line = narrate(tl.view(granularity, i), tl.machine)
        assert line and "\n" not in line and "\x1b" not in line


def test_every_event_kind_is_narrated() -> None:
    seen: set[type] = set()
    for algorithm in ("legacy", "linear"):
        tl = Timeline(run_swapoff(scenario(), RunOptions(algorithm=algorithm)))
        for i in range(tl.frame_count("pte")):
            v = tl.view("pte", i)
            if v.event is not None:
                seen.add(type(v.event))
                assert type(v.event).__name__ not in narrate(v, tl.machine)
    assert {ev.DiskRequest, ev.Walk, ev.Search, ev.UnusePte, ev.FreeSwapCache} <= seen


def test_legacy_read_says_why_and_what_it_cost() -> None:
    tl = Timeline(run_swapoff(scenario(), RunOptions(algorithm="legacy")))
    i = next(i for i, e in enumerate(tl.events) if isinstance(e, ev.DiskRequest))
    line = narrate(tl.view("pte", tl.frame_of_event("pte", i)), tl.machine)
    assert "read alone (legacy never reads ahead)" in line
    assert line.endswith("s")  # "= 5.2 ms"


def test_walk_names_the_mm_and_the_page_table() -> None:
    tl = Timeline(run_swapoff(scenario(), RunOptions(algorithm="linear")))
    lines = [narrate(tl.view("pte", i), tl.machine) for i in range(tl.frame_count("pte"))]
    assert any("mm 101 firefox: examined PTE" in s and "(unuse_pte_range)" in s for s in lines)
    assert any("\\x1b[2J" in s for s in lines)  # escape bytes spelled out


def test_first_and_last_frames() -> None:
    tl = Timeline(run_swapoff(scenario(), RunOptions(algorithm="legacy")))
    assert narrate(tl.view("entry", 0), tl.machine).startswith("swapoff has not started")
    last = tl.frame_count("entry") - 1
    assert "every slot is free" in narrate(tl.view("entry", last), tl.machine)


def test_helpers() -> None:
    assert duration(1500) == "1.5 ns"
    assert duration(5_200_000_000) == "5.2 ms"
    assert literal("a\x1bb\n") == "a\\x1bb\\x0a"
