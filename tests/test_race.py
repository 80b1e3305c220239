"""Race mode's model: one clock, the engine's totals, the verdict, the time breakdown."""

from __future__ import annotations

import json
import re

import pytest

from models import events as ev
from models.breakdown import CATEGORIES, Breakdown, split_request
from models.cost import CpuCost, DiskModel
from models.engine import RunOptions, run_swapoff
from models.narrate import duration
from models.scenario import load_preset
from swaptui.cli import main
from swaptui.race.model import (
    RACE_SECONDS,
    Finish,
    Race,
    RaceError,
    parse_algos,
    race_algorithms,
    ratio_text,
    readahead_for,
    verdict_text,
)
from swaptui.widgets.numbers import pages_size

RACES = [
    ("demo", ("legacy", "linear"), "hdd"),
    ("demo", ("legacy", "linear"), "ssd"),
    ("demo", ("legacy", "linear"), "zram"),
    ("demo", ("legacy", "rfc", "linear"), "hdd"),
    ("fragmented", ("linear", "linear-5.1"), "hdd"),
    ("shmem", ("legacy", "rfc"), "ssd"),
]


def cli_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert main(["run", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


@pytest.mark.parametrize(("preset", "algos", "disk"), RACES)
def test_each_side_ends_at_the_total_swaptui_run_prints(
    capsys: pytest.CaptureFixture[str], preset: str, algos: tuple[str, ...], disk: str
) -> None:
    race = Race(load_preset(preset), algos, disk)
    for side in race.sides:
        doc = cli_json(capsys, preset, "--algo", side.algorithm, "--disk", disk)
        counters = doc["counters"]
        assert isinstance(counters, dict)
        assert side.total_ns == counters["total_ns"]
        assert side.total_ps // 1000 == counters["total_ns"]
        assert side.run.readahead == doc["readahead"]
        # at the end of the race every side shows the engine's own final counters
        race.to_end()
        view = side.view_at(race.clock_ps)
        assert view.finished
        assert view.counters.as_dict() == counters
    assert race.end_ps == max(s.total_ps for s in race.sides)


@pytest.mark.parametrize(("preset", "algos", "disk"), RACES)
def test_the_verdict_quotes_the_engine(preset: str, algos: tuple[str, ...], disk: str) -> None:
    race = Race(load_preset(preset), algos, disk)
    assert race.verdict() is None
    race.to_end()
    text = race.verdict()
    assert text is not None
    totals = {
        a: run_swapoff(load_preset(preset), RunOptions(a, disk=disk)).counters.total_ns
        for a in algos
    }
    fastest = min(totals, key=lambda a: (totals[a], a))
    assert text.startswith((f"{fastest} is ", f"{fastest} and "))
    assert f"on {disk} (" in text
    for a, ns in totals.items():
        assert duration(ns * 1000) in text
        if a != fastest and ns != totals[fastest]:
            assert ratio_text(ns, totals[fastest]) in text


def test_the_verdict_flips_with_the_disk() -> None:
    """The seed's debate: on a hard disk legacy's in-order reads win, on flash linear does."""
    sc = load_preset("demo")
    hdd, ssd = Race(sc, disk="hdd"), Race(sc, disk="ssd")
    hdd.to_end()
    ssd.to_end()
    assert (hdd.verdict() or "").startswith("legacy is ")
    assert (ssd.verdict() or "").startswith("linear is ")


def test_verdict_wording() -> None:
    """Read aloud, the verdict names the winner first, then by how much, then the times
    in the same order, the same way for two and three sides; then the memory."""
    two = [Finish("legacy", 12_900_000_000, peak_pages=1), Finish("linear", 410_000_000, "ok", 8)]
    assert verdict_text(two, "ssd") == (
        "linear is 31x faster than legacy on ssd (410 ms vs 12.9 s)"
        " · swap cache at most: linear 32 KB, legacy 4 KB"
    )
    # the example: 4.25 s against 21.9 s is 5.15x, written 5.2x
    hdd = [Finish("legacy", 4_250_000_000), Finish("linear", 21_900_000_000)]
    assert verdict_text(hdd, "hdd").startswith(
        "legacy is 5.2x faster than linear on hdd (4.25 s vs 21.9 s) · "
    )
    assert "1.5x faster than b (2 µs vs 3 µs)" in verdict_text(
        [Finish("a", 2000), Finish("b", 3000)]
    )
    assert verdict_text([Finish("a", 5), Finish("b", 5)], "hdd").startswith(
        "a and b tie on hdd (5 ns): a dead heat"
    )
    three = verdict_text([Finish("rfc", 30), Finish("legacy", 10), Finish("linear", 20)], "hdd")
    assert three.startswith(
        "legacy is 2.0x faster than linear and 3.0x faster than rfc on hdd "
        "(10 ns vs 20 ns vs 30 ns) · swap cache at most: "
    )
    # 240 MB is 61,440 pages of 4 KiB
    mem = verdict_text([Finish("prefetch", 2, "ok", 61_440), Finish("linear", 5, "ok", 8)])
    assert mem.endswith("swap cache at most: prefetch 240 MB, linear 32 KB")


def test_one_shared_clock_and_a_minute_at_1x() -> None:
    race = Race(load_preset("demo"), disk="hdd")
    legacy, linear = race.sides
    assert legacy.total_ps < linear.total_ps
    race.tick(RACE_SECONDS / 2)
    assert not race.finished and race.clock_ps == pytest.approx(race.end_ps / 2, rel=1e-6)
    assert legacy.finished_at(race.clock_ps) and not linear.finished_at(race.clock_ps)
    race.tick(RACE_SECONDS / 2 + 0.01)
    assert race.finished and not race.playing
    race.restart()
    race.faster()
    race.faster()  # 1x -> 2x -> 5x
    assert race.speed == 5.0
    race.tick(RACE_SECONDS / 5 + 0.01)
    assert race.finished
    race.restart()
    race.toggle()  # paused: the clock stands still
    assert not race.tick(10.0) and race.clock_ps == 0


def test_a_request_in_flight_is_the_frame_shown() -> None:
    race = Race(load_preset("demo"), disk="hdd")
    side = race.sides[0]
    req = side.timeline.requests[3]
    mid = (req.t0 + req.t1) // 2
    view = side.view_at(mid)
    assert view.event == req
    # and CPU work in progress shows how far it has got
    walks = [e for e in race.sides[1].timeline.events if isinstance(e, ev.Walk) and e.ptes > 2]
    w = walks[0]
    view = race.sides[1].view_at((w.t0 + w.t1) // 2)
    assert view.event == w and view.progress is not None


def test_breakdown_parts_add_up() -> None:
    for disk in ("hdd", "ssd", "zram"):
        for algo in ("legacy", "rfc", "linear"):
            run = run_swapoff(load_preset("demo"), RunOptions(algo, disk=disk))
            assert run.events is not None
            model = DiskModel(run.scenario.disk, run.scenario.slots)
            for q in run.requests:
                parts = split_request(model, q)
                assert sum(parts) == q.t1 - q.t0 and min(parts) >= 0
            bd = Breakdown(run.events, model, CpuCost.from_params(run.scenario.cpu))
            total = run.counters.cpu_ps + run.counters.io_ns * 1000
            assert sum(bd.total) == total
            walk, cpu = bd.total[0], bd.total[1]
            assert walk + cpu == run.counters.cpu_ps
            # the bars grow with the clock, and what they hold is the time elapsed
            end = run.events[-1].t1
            prev = (0,) * len(CATEGORIES)
            for k in range(41):
                t = end * k // 40
                now = bd.at(t)
                assert sum(now) == t
                assert all(a >= b for a, b in zip(now, prev, strict=True))
                prev = now


def test_hdd_split_follows_the_cost_model() -> None:
    run = run_swapoff(load_preset("demo"), RunOptions("linear", disk="hdd"))
    model = DiskModel(run.scenario.disk, run.scenario.slots)
    far = [q for q in run.requests if abs(q.start - q.head) > run.scenario.disk.skip_slots]
    far += [q for q in run.requests if q.start < q.head]
    assert far
    for q in far:
        _w, _c, seek, rotation, access, _t = split_request(model, q)
        assert seek == round(model.seek_ns(abs(q.start - q.head)) * 1000)
        assert rotation == round(model.half_rotation_ns * 1000)
        assert access == 0


def test_readahead_modes() -> None:
    assert readahead_for("legacy", "default") is None
    assert readahead_for("legacy", "on") == "cluster"
    assert readahead_for("linear", "on") is None
    assert readahead_for("linear", "none") == "none"
    assert readahead_for("legacy", "vma") == "cluster-adaptive"
    race = Race(load_preset("demo"), readahead="on")
    assert [s.run.readahead for s in race.sides] == ["cluster", "cluster-adaptive"]
    race = Race(load_preset("demo"), readahead="none")
    assert [s.run.readahead for s in race.sides] == ["none", "none"]


def test_algorithm_lists() -> None:
    assert race_algorithms("legacy") == ("legacy", "linear")
    assert race_algorithms("rfc") == ("legacy", "rfc")
    assert race_algorithms("linear-5.1") == ("legacy", "linear-5.1")
    assert parse_algos("legacy,linear") == ("legacy", "linear")
    assert parse_algos(" rfc , linear-5.1 ,legacy") == ("rfc", "linear-5.1", "legacy")
    for bad in ("legacy", "legacy,legacy", "a,b", "legacy,rfc,linear,linear-5.1", ""):
        with pytest.raises(RaceError):
            parse_algos(bad)
    with pytest.raises(RaceError):
        Race(load_preset("demo"), disk="floppy")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["demo", "--algos", "legacy"], "two or three algorithms"),
        (["demo", "--algos", "legacy,nope"], "unknown algorithm 'nope'"),
        (["no-such-preset"], "no such file or preset"),
        (["demo", "--disk", "floppy"], "invalid choice"),
        (["demo", "--theme", "neon"], "unknown theme"),
        (["demo", "--readahead", "sideways"], "invalid choice"),
    ],
)
def test_race_command_errors_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["race", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("swaptui")
    assert message in err


def test_race_command_runs_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, object] = {}

    def fake_run(self: object) -> int:
        # the app is handed what to build (the screen builds it once it is up): a preset
        # without faults goes by name, generated on screen
        spec = self.main.spec  # type: ignore[attr-defined]
        assert self.race is None and spec.source == "demo"  # type: ignore[attr-defined]
        race = spec.build()
        seen["algos"] = race.algorithms
        seen["disk"] = race.disk
        seen["readahead"] = [s.run.readahead for s in race.sides]
        return 0

    monkeypatch.setattr("swaptui.race.screen.RaceApp.run", fake_run)
    argv = ["race", "demo", "--algos", "legacy,rfc,linear", "--disk", "ssd", "--readahead"]
    assert main(argv) == 0
    assert seen["algos"] == ("legacy", "rfc", "linear")
    assert seen["disk"] == "ssd"
    assert seen["readahead"] == ["cluster", "cluster-adaptive", "vma"]


def test_verdict_numbers_parse_back() -> None:
    race = Race(load_preset("demo"), disk="ssd")
    race.to_end()
    text = race.verdict() or ""
    m = re.match(
        r"(\S+) is ([\d.]+)x faster than (\S+) on ssd \(([\d.]+ \S+) vs ([\d.]+ \S+)\)", text
    )
    assert m is not None
    by_name = {s.algorithm: s for s in race.sides}
    assert duration(by_name[m[1]].total_ns * 1000) == m[4]
    assert duration(by_name[m[3]].total_ns * 1000) == m[5]
    ratio = by_name[m[3]].total_ns / by_name[m[1]].total_ns
    assert float(m[2]) == pytest.approx(ratio, abs=0.05)
    # and the memory, from the engine's counter
    peaks = {s.algorithm: s.run.counters.swapcache_peak for s in race.sides}
    assert text.endswith(
        f"swap cache at most: {m[1]} {pages_size(peaks[m[1]])}, {m[3]} {pages_size(peaks[m[3]])}"
    )


def test_race_command_refuses_in_one_line_before_any_screen(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(self: object) -> int:
        raise AssertionError("the app must not start on bad input")

    monkeypatch.setattr("swaptui.race.screen.RaceApp.run", never)
    for argv, words in (
        (["race", "demo", "--fault", "exit:pid=9999:after=1"], "no process with pid 9999 in demo"),
        (["race", "demo", "--disk-param", "rpm=-1"], "--disk-param rpm: must be a number from 60"),
        (["race", "no-such-preset"], "no-such-preset: no such file or preset"),
    ):
        assert main(argv) == 2
        out, err = capsys.readouterr()
        assert out == "" and err.startswith("swaptui: ") and words in err
        assert err.count("\n") == 1


def test_race_command_loads_the_scenario_when_faults_name_its_processes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, object] = {}

    def fake_run(self: object) -> int:
        seen["source"] = self.main.spec.source  # type: ignore[attr-defined]
        return 0

    monkeypatch.setattr("swaptui.race.screen.RaceApp.run", fake_run)
    assert main(["race", "demo", "--fault", "exit:pid=1840:after=3"]) == 0
    # checked against the scenario before the screen: so the screen gets the scenario
    source = seen["source"]
    assert not isinstance(source, str) and source.name == "demo"  # type: ignore[attr-defined]
