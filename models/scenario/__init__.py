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
from typing import TYPE_CHECKING, Any

from models.scenario.errors import ScenarioError

if TYPE_CHECKING:
    from models.scenario.export import export_scenario
    from models.scenario.load import Note, load_file, parse_scenario, validate_scenario
    from models.scenario.presets import (
        find_preset,
        load_preset,
        preset_description,
        preset_names,
    )
    from models.scenario_model import Scenario

# imported on first use: `swaptui --help` reads the limits without the parser, the
# generator and the exporter behind them
_LAZY = {
    "export_scenario": "models.scenario.export",
    "Note": "models.scenario.load",
    "load_file": "models.scenario.load",
    "parse_scenario": "models.scenario.load",
    "validate_scenario": "models.scenario.load",
    "find_preset": "models.scenario.presets",
    "load_preset": "models.scenario.presets",
    "preset_description": "models.scenario.presets",
    "preset_names": "models.scenario.presets",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def load_scenario(ref: str, note: Note | None = None) -> Scenario:
    """A preset by name, or a scenario file by path.

    A bare name (no '/', not ending in .toml) that names a preset is the preset;
    anything else is a path, so a file that shares a preset's name is `./demo`.
    `note`, if given, hears one line before a long load (a big file or recipe).
    """
    from models.scenario.load import load_file
    from models.scenario.presets import find_preset, load_preset, preset_names

    is_path = "/" in ref or ref.endswith(".toml")
    name = None if is_path else find_preset(ref)
    if name is not None:
        return load_preset(name, note)
    if not is_path and not os.path.exists(ref):
        presets = ", ".join(preset_names())
        raise ScenarioError(ref, None, f"no such file or preset (presets: {presets})")
    return load_file(ref, note)


__all__ = [
    "Note",
    "ScenarioError",
    "export_scenario",
    "find_preset",
    "load_file",
    "load_preset",
    "load_scenario",
    "parse_scenario",
    "preset_description",
    "preset_names",
    "validate_scenario",
]
