"""Building the run the main screen shows, off the event loop, with its progress told.

Pure Python, no Textual: the screen's worker calls `build_run` and hands the result
(or the reason it failed) back to the screen.
"""

from __future__ import annotations

from pathlib import Path

import attrs

from models.engine import OptionError
from models.narrate import literal
from models.scenario import load_scenario
from models.scenario_model import Scenario
from models.timeline import Timeline
from swaptui.viewer.jobs import Job
from swaptui.viewer.player import RunKey, build_timeline, check_key


def describe(source: Scenario | str, key: RunKey) -> str:
    """'linear on kelley-50m · ssd': what a Job computes, in the words of the header."""
    name = source.name if isinstance(source, Scenario) else Path(source).stem
    disk = f" · {key.disk}" if key.disk else ""
    ra = f" · readahead {key.readahead}" if key.readahead else ""
    return f"{key.algorithm} on {literal(name)}{disk}{ra}"


def placeholder_timeline(scenario: Scenario, key: RunKey) -> Timeline:
    """A run of nothing, for the player to hold until the first run is ready (the
    panels draw nothing of it: they wait for the real one)."""
    empty = attrs.evolve(scenario, mms=(), shmem=(), faults=())
    return build_timeline(empty, key.but(extras=attrs.evolve(key.extras, faults=())))


def faults_that_fit(scenario: Scenario, key: RunKey) -> tuple[RunKey, list[str]]:
    """The key with only the faults that apply to `scenario` (an opened scenario keeps
    the command line's faults that name its processes and files), and why each other
    one was dropped."""
    kept, dropped = [], []
    for f in key.extras.faults:
        try:
            check_key(scenario, key.but(extras=attrs.evolve(key.extras, faults=(f,))))
        except OptionError as e:
            dropped.append(str(e))
            continue
        kept.append(f)
    return key.but(extras=attrs.evolve(key.extras, faults=tuple(kept))), dropped


@attrs.frozen
class Built:
    scenario: Scenario
    timeline: Timeline
    key: RunKey  # the key run (faults that did not apply dropped)
    dropped: tuple[str, ...] = ()  # why those faults were dropped


def build_run(source: Scenario | str, key: RunKey, job: Job) -> Built:
    """Load the scenario if `source` names one (generating a full-scale preset takes
    seconds), then run it, telling `job` each phase.  ScenarioError, OptionError.
    The end state is not checked yet (`player.settle`, once the run is on screen)."""
    dropped: list[str] = []
    if isinstance(source, str):
        job.enter(f"loading {Path(source).name}", 1, 3)
        scenario = load_scenario(source)
        if key.extras.faults:
            key, dropped = faults_that_fit(scenario, key)
    else:
        scenario = source
    return Built(scenario, build_timeline(scenario, key, job, check_end=False), key, tuple(dropped))
