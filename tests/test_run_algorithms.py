"""`swaptui run` with every algorithm of the registry: prefetch, and policies one refuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.algorithms import ALGORITHMS
from models.engine import RunOptions, run_swapoff
from models.invariants import check
from models.machine import Machine
from models.scenario import load_preset, load_scenario
from swaptui.cli import main


def test_all_runs_what_accepts_vma_and_marks_legacy_not_applicable(capsys) -> None:
    """legacy refuses --readahead vma; with --algo all the others run, legacy is "n/a"."""
    assert main(["run", "demo", "--algo", "all", "--readahead", "vma", "--json"]) == 0
    docs = json.loads(capsys.readouterr().out)
    assert [d["algorithm"] for d in docs] == list(ALGORITHMS)
    legacy, *others = docs
    assert legacy["result"] == "n/a" and legacy["counters"] is None
    assert legacy["readahead"] == "vma" and "VMA window" in legacy["reason"]
    for d in others:
        assert d["result"] == "ok" and d["invariants"] == "ok" and d["readahead"] == "vma"
        assert d["counters"]["pages_read"] > 0


def test_the_table_says_not_applicable_too(capsys) -> None:
    assert main(["run", "demo", "--algo", "all", "--readahead", "vma"]) == 0
    out = capsys.readouterr().out
    assert "n/a" in out and "legacy: n/a: legacy has no faulting PTE" in out
    assert "vs fastest" in out and "prefetch" in out


@pytest.mark.slow
def test_the_title_is_one_line_over_a_narrow_table(monkeypatch, capsys) -> None:
    """One algorithm at 80 columns: the table is about 40 wide, and a table's own title
    wrapped at that width ("disk hdd" on a line of its own).  The title keeps the
    terminal's width: "swapoff of kelley-50m · 262,144 slots · disk hdd" is 48
    characters, one line at 80 columns."""
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["run", "kelley-50m", "--algo", "legacy"]) == 0
    first, second = capsys.readouterr().out.splitlines()[:2]
    assert first.rstrip() == "swapoff of kelley-50m · 262,144 slots · disk hdd"
    assert "disk" not in second


def test_a_single_algorithm_that_refuses_is_still_bad_input(capsys) -> None:
    assert main(["run", "demo", "--algo", "legacy", "--readahead", "vma"]) == 2
    err = capsys.readouterr().err
    assert "legacy has no faulting PTE" in err and err.count("\n") == 1


def test_prefetch_json_and_trace(tmp_path: Path, capsys) -> None:
    """demo: 40 slots in use in 4 runs of consecutive slots (1-16, 18-28, 30-41, 43), all
    in one batch of phase 1: four readahead requests first, in ascending order, then the
    walk reads nothing.  The swap cache holds all 40 at once."""
    trace = tmp_path / "t.jsonl"
    assert main(["run", "demo", "--algo", "prefetch", "--json", "--trace", str(trace)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["algorithm"] == "prefetch" and doc["result"] == "ok"
    c = doc["counters"]
    in_use = len(_slots_in_use("demo"))
    assert c["swapcache_peak"] == in_use == c["pages_read"] == c["readahead_hits"] == 40
    lines = [json.loads(x) for x in trace.read_text().splitlines()]
    assert [(q["start"], q["pages"]) for q in lines] == [(1, 16), (18, 11), (30, 12), (43, 1)]
    assert all(q["reason"] == "readahead" for q in lines)
    assert [q["seek_slots"] for q in lines] == [1, 1, 1, 1]


def _slots_in_use(name: str) -> set[int]:
    s = load_preset(name)
    return {slot for m in s.mms for v in m.vmas for _p, slot in v.swapped} | {
        slot for f in s.shmem for _p, slot in f.swapped
    }


@pytest.mark.parametrize("preset", ["demo", "fork", "shmem", "fragmented"])
def test_prefetch_holds_every_slot_in_use_at_its_peak(preset: str, capsys) -> None:
    assert main(["run", preset, "--algo", "prefetch", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["counters"]["swapcache_peak"] == len(_slots_in_use(preset))


@pytest.mark.slow
def test_the_interleaved_laptop_of_docs_race_md() -> None:
    """docs/race.md's claim: on rfc3-240m after ordinary reclaim (32-page stretches) the
    walk loses to legacy on the hard disk, and prefetch beats both, holding all 61,440
    pages in the swap cache at its peak."""
    path = Path(__file__).resolve().parent.parent / "docs/scenarios/rfc3-240m-interleaved.toml"
    scenario = load_scenario(str(path))
    assert scenario.disk.kind == "hdd"
    machine = Machine(scenario)
    totals, peaks = {}, {}
    for algo in ("legacy", "linear", "prefetch"):
        options = RunOptions(algo, keep_events=False, keep_requests=False)
        run = run_swapoff(scenario, options, machine=machine)
        assert run.result == "ok" and check(run) == []
        totals[algo] = run.counters.total_ns
        peaks[algo] = run.counters.swapcache_peak
    assert totals["prefetch"] < totals["legacy"] < totals["linear"]
    assert peaks["prefetch"] == 61_440 and peaks["linear"] < 61_440 // 10
