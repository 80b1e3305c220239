"""Built-in scenarios, stored as TOML files next to this module (presets/NAME.toml).

A preset may be written in either form; its one-line description is the file's
`[scenario].description`.  Loading parses the file (and runs the generator for
the generated ones): same bytes, same scenario.  A generated one is kept in the
preset cache (`models.scenario.cache`) and read back from there next time.

Names are looked up without regard to case (`kelley-50M` is `kelley-50m`: scenario
names are lower-case, the published figures are not).
"""

from __future__ import annotations

import functools
import re
import tomllib
from importlib import resources

from models.scenario import cache
from models.scenario.errors import ScenarioError
from models.scenario.load import Note, parse_scenario
from models.scenario_model import Scenario

# In the order a user should meet them.  hugh-test runs swapoff under memory pressure
# (docs/race.md); the last two reproduce published swapoff measurements
# (docs/reproduction.md).
PRESETS = ("demo", "fork", "shmem", "fragmented", "hugh-test", "kelley-50m", "rfc3-240m")
# Reproductions at full scale: loaded by name (`swaptui run vineeth-6G`) but not
# listed, because a list of presets is something callers open, run under every
# algorithm or export one by one, and 1.5 million swapped pages take a minute per run.
LARGE_PRESETS = ("vineeth-6g",)


def preset_names() -> list[str]:
    """The presets to offer (the large ones are left out: see LARGE_PRESETS)."""
    return list(PRESETS)


def all_preset_names() -> list[str]:
    """Every preset, the large ones last."""
    return [*PRESETS, *LARGE_PRESETS]


def find_preset(ref: str) -> str | None:
    """The preset that `ref` names, in any case, or None."""
    name = ref.lower()
    return name if name in PRESETS or name in LARGE_PRESETS else None


def _unknown(name: str) -> ScenarioError:
    return ScenarioError(name, None, f"no such preset (presets: {', '.join(PRESETS)})")


@functools.cache
def preset_text(name: str) -> str:
    """The TOML source of a preset."""
    found = find_preset(name)
    if found is None:
        raise _unknown(name)
    name = found
    return (resources.files(__package__) / "presets" / f"{name}.toml").read_text("utf-8")


def _filename(name: str) -> str:
    return f"preset:{name}"


@functools.cache
def preset_description(name: str) -> str:
    """The preset's one-line description, without building the scenario."""
    data = tomllib.loads(preset_text(name))
    return str(data.get("scenario", {}).get("description", ""))


_loaded: dict[str, Scenario] = {}
_RECIPE = re.compile(r"^\[generate\]", re.MULTILINE)


def load_preset(name: str, note: Note | None = None) -> Scenario:
    """The preset as a scenario (scenarios are immutable, so one copy is shared).

    `note` hears, before the first load of a large preset, how big it is."""
    found = find_preset(name)
    if found is None:
        raise _unknown(name)
    if found not in _loaded:
        text = preset_text(found)
        # a recipe is generated once per version of the code, then read back
        recipe = _RECIPE.search(text) is not None
        scenario = cache.load(found, text) if recipe else None
        if scenario is None:
            scenario = parse_scenario(text, _filename(found), note)
            if recipe:
                cache.store(found, text, scenario)
        _loaded[found] = scenario
    return _loaded[found]
