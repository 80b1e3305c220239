"""Scenario files: parse (explicit and generated forms), validate, generate, export.

    load_scenario(ref, note)      a preset name or a path to a .toml file
    parse_scenario(text, name)    text in either form; `name` appears in errors
    export_scenario(s)            explicit-form TOML, deterministic
    preset_names(), preset_description(name), load_preset(name)
    validate_scenario(s)          the file rules, for scenarios built in code

Every failure is a ScenarioError: `str(e)` is "FILE:LINE: path: problem" (no
":LINE" when the line is unknown).
"""

from __future__ import annotations

import os

from models.scenario.errors import ScenarioError
from models.scenario.export import export_scenario
from models.scenario.load import Note, load_file, parse_scenario, validate_scenario
from models.scenario.presets import find_preset, load_preset, preset_description, preset_names
from models.scenario_model import Scenario


def load_scenario(ref: str, note: Note | None = None) -> Scenario:
    """A preset by name, or a scenario file by path.

    A bare name (no '/', not ending in .toml) that names a preset is the preset;
    anything else is a path, so a file that shares a preset's name is `./demo`.
    `note`, if given, hears one line before a long load (a big file or recipe).
    """
    is_path = "/" in ref or ref.endswith(".toml")
    name = None if is_path else find_preset(ref)
    if name is not None:
        return load_preset(name, note)
    if not is_path and not os.path.exists(ref):
        presets = ", ".join(preset_names())
        raise ScenarioError(ref, None, f"no such file or preset (presets: {presets})")
    return load_file(ref, note)


__all__ = [
    "ScenarioError",
    "export_scenario",
    "load_preset",
    "load_scenario",
    "parse_scenario",
    "preset_description",
    "preset_names",
    "validate_scenario",
]
