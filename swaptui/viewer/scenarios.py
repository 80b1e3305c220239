"""Where the app gets scenarios: the one loader, `models.scenario.load_scenario`.

`load(ref)` takes a preset name or a path and raises ScenarioError (one line) when it
cannot be used; the commands turn the same error into their exit status 2.
"""

from __future__ import annotations

from models.scenario import ScenarioError, preset_names
from models.scenario import load_scenario as load

__all__ = ["ScenarioError", "largest_preset", "load", "preset_names"]


def largest_preset() -> str:
    """The listed preset with the most swap references."""
    best, size = "demo", -1
    for name in preset_names():
        n = load(name).swap_references()
        if n > size:
            best, size = name, n
    return best
