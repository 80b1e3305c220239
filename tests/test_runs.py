"""Building a run for the screen, and how its progress is told (no screen needed)."""

from __future__ import annotations

from models.faults import parse_fault
from models.scenario import load_preset
from swaptui.viewer.jobs import Job, bar
from swaptui.viewer.player import Extras, RunKey
from swaptui.viewer.runs import build_run, describe, faults_that_fit


def test_describe_says_what_is_computed() -> None:
    assert describe("kelley-50m", RunKey("linear", None, None)) == "linear on kelley-50m"
    assert describe("/tmp/my box.toml", RunKey("legacy", "ssd", "none")) == (
        "legacy on my box · ssd · readahead none"
    )


def test_bar_in_eighths() -> None:
    # 4 cells are 32 eighths: half is 16, two full cells; 0.3 is 9.6 -> 10 eighths
    assert bar(0.5, 4) == "▕██  ▏"
    assert bar(0.3, 4) == "▕█▎  ▏"
    assert bar(0.0, 4) == "▕    ▏" and bar(1.0, 4) == "▕████▏"


def test_job_line_names_the_phase_and_the_progress() -> None:
    job = Job("linear on kelley-50m", started=100.0)
    assert job.line(now=100.4) == "computing linear on kelley-50m: starting · 0.4 s"
    job.enter("running the engine", 2, 4)
    job.report(0.45)
    assert job.line(now=101.25) == (
        "computing linear on kelley-50m: 2/4 running the engine ▕█████▍      ▏ 45% · 1.2 s"
    )
    assert job.short() == "computing linear 45%"
    job.enter("indexing the frames", 3, 4)  # a new phase: its fraction is not known yet
    assert job.fraction is None and job.short() == "computing linear…"


def test_an_opened_scenario_keeps_the_faults_that_apply_to_it() -> None:
    demo = load_preset("demo")
    faults = (parse_fault("exit:pid=1840:after=3"), parse_fault("exit:pid=9999:after=1"))
    key, dropped = faults_that_fit(demo, RunKey("legacy", None, None, Extras(faults)))
    assert key.extras.faults == faults[:1]
    assert len(dropped) == 1 and "9999" in dropped[0]


def test_build_run_loads_a_preset_and_tells_each_phase() -> None:
    seen: list[tuple[int, int, str]] = []

    class Watched(Job):
        def enter(self, phase: str, step: int = 0, steps: int = 0) -> None:
            seen.append((step, steps, phase))
            super().enter(phase, step, steps)

    built = build_run("demo", RunKey("linear", None, None), Watched("linear on demo"))
    assert built.scenario.name == "demo" and built.timeline.run.algorithm == "linear"
    # the end state is checked once the run is on screen (player.settle), not here
    assert seen == [
        (1, 3, "loading demo"),
        (2, 3, "running the engine"),
        (3, 3, "indexing the frames"),
    ]


def test_job_line_drops_the_bar_rather_than_be_cut() -> None:
    job = Job("rfc on fork · ssd · readahead none", started=0.0)
    job.enter("running the engine", 1, 3)
    job.report(0.44)
    full = job.line(now=0.2)
    assert "▕" in full and full.endswith(" 44% · 0.2 s")
    narrow = job.line(now=0.2, width=78)
    assert (
        narrow == "computing rfc on fork · ssd · readahead none: 1/3 running the engine 44% · 0.2 s"
    )
