"""The few choices remembered between runs (for now: the theme), in a small TOML file.

The directory is platformdirs' user config dir, or $SWAPTUI_CONFIG_DIR when set, which
the tests use so that they never touch the real one.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import platformdirs

ENV_DIR = "SWAPTUI_CONFIG_DIR"


def config_dir() -> Path:
    override = os.environ.get(ENV_DIR)
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir("swaptui", appauthor=False))


def config_path() -> Path:
    return config_dir() / "config.toml"


def load() -> dict[str, str]:
    """The saved settings; an unreadable or broken file counts as empty, never an error."""
    try:
        with config_path().open("rb") as f:
            data = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    return {str(k): v for k, v in data.items() if isinstance(v, str)}


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def save(**values: str) -> None:
    """Merge `values` into the file; failing to write (read-only home) is silently ignored."""
    data = load()
    data.update(values)
    path = config_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text("".join(f"{k} = {_quote(v)}\n" for k, v in sorted(data.items())))
        tmp.replace(path)
    except OSError:
        pass
