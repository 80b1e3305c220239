"""Built-in scenarios, stored as TOML files next to this module (presets/NAME.toml).

A preset may be written in either form; its one-line description is the file's
`[scenario].description`.  Loading parses the file (and runs the generator for
the generated ones) each time it is asked for: same bytes, same scenario.
"""

from __future__ import annotations

import functools
import tomllib
from importlib import resources

from models.scenario.errors import ScenarioError
from models.scenario.load import parse_scenario
from models.scenario_model import Scenario

# In the order a user should meet them.
PRESETS = ("demo", "fork", "shmem", "fragmented")


def preset_names() -> list[str]:
    return list(PRESETS)


def _unknown(name: str) -> ScenarioError:
    return ScenarioError(name, None, f"no such preset (presets: {', '.join(PRESETS)})")


@functools.cache
def preset_text(name: str) -> str:
    """The TOML source of a preset."""
    if name not in PRESETS:
        raise _unknown(name)
    return (resources.files(__package__) / "presets" / f"{name}.toml").read_text("utf-8")


def _filename(name: str) -> str:
    return f"preset:{name}"


@functools.cache
def preset_description(name: str) -> str:
    """The preset's one-line description, without building the scenario."""
    data = tomllib.loads(preset_text(name))
    return str(data.get("scenario", {}).get("description", ""))


@functools.cache
def load_preset(name: str) -> Scenario:
    """The preset as a scenario (scenarios are immutable, so one copy is shared)."""
    return parse_scenario(preset_text(name), _filename(name))
