"""The few choices remembered between runs (for now: the theme), in a small TOML file.

The directory is platformdirs' user config dir, or $SWAPTUI_CONFIG_DIR when set, which
the tests use so that they never touch the real one.

A broken file never stops the app: a crash or a full disk mid-write, an editor's
mistake or stray bytes make `load` return no settings, and `problem()` says, in one
line, what was ignored.  The file is written atomically (swaptui.atomic), so swaptui
itself never leaves half of one.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import tomllib
from pathlib import Path

import platformdirs

from swaptui.atomic import write_atomic
from swaptui.errors import UsageError

ENV_DIR = "SWAPTUI_CONFIG_DIR"
# a settings file is a few lines; anything bigger is not ours
MAX_BYTES = 64 << 10

_problem: str | None = None


def config_dir() -> Path:
    override = os.environ.get(ENV_DIR)
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir("swaptui", appauthor=False))


def cache_dir() -> Path:
    """Where generated presets are kept (models.scenario.cache): the user cache dir."""
    return Path(platformdirs.user_cache_dir("swaptui", appauthor=False))


def config_path() -> Path:
    return config_dir() / "config.toml"


def problem() -> str | None:
    """Why the last `load` ignored the file (one line), or None if it did not."""
    return _problem


def warn_if_broken() -> None:
    """Before an app starts: one line on stderr if the file is broken (it is ignored).

    The line stays on the terminal under the app's screen and shows again when it
    quits; the app itself starts with the default settings."""
    load()
    if _problem is not None:
        print(f"swaptui: {_problem}".replace("\n", " "), file=sys.stderr)


def _read(path: Path) -> dict[str, object]:
    """The parsed file; ValueError with the reason for anything unusable."""
    try:
        info = path.stat()  # a symlinked dotfile is fine to read
    except FileNotFoundError:
        return {}
    if not stat.S_ISREG(info.st_mode):
        raise ValueError("is not a regular file")  # a FIFO would block the start
    if info.st_size > MAX_BYTES:
        raise ValueError(f"is {info.st_size} bytes, more than a settings file holds")
    with path.open("rb") as f:
        data = f.read(MAX_BYTES + 1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("is not UTF-8 text") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        raise ValueError("is not valid TOML") from None


def load() -> dict[str, str]:
    """The saved settings; an unreadable or broken file counts as empty, never an error."""
    global _problem
    path = config_path()
    _problem = None
    try:
        data = _read(path)
    except (OSError, ValueError) as e:
        reason = str(e) if isinstance(e, ValueError) else (e.strerror or str(e)).lower()
        _problem = f"{path}: {reason}: ignored (it is rewritten when a setting changes)"
        return {}
    return {str(k): v for k, v in data.items() if isinstance(v, str)}


def _quote(value: str) -> str:
    # JSON's string escapes are TOML's basic-string escapes (control characters too)
    return json.dumps(value)


def save(**values: str) -> None:
    """Merge `values` into the file; failing to write (read-only home) is silently ignored."""
    data = load()
    data.update(values)
    path = config_path()
    text = "".join(f"{k} = {_quote(v)}\n" for k, v in sorted(data.items()))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(str(path), text)
    except (OSError, UsageError):
        pass
