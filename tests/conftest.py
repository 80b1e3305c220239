"""Every test runs with its own config and cache directories and without animations
(and every fixture wider than a test with a cache directory of the session).

The app remembers the theme in the user's config directory; tests must neither read
the developer's choice nor write theirs, and snapshots need no motion.  The Hypothesis
profile (ci or dev, from $HYPOTHESIS_PROFILE) is loaded here, once, before any test
module builds its settings: see tests/profiles.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.profiles import register

PROFILE = register()


def pytest_report_header() -> str:
    return f"hypothesis profile: {PROFILE} (set HYPOTHESIS_PROFILE=ci or dev)"


@pytest.fixture(scope="session", autouse=True)
def session_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The preset cache for fixtures wider than a test (module-scoped ones run before
    `config_dir` below): a directory of this session, never the developer's.

    $SWAPTUI_CACHE_DIR wins over the directory swaptui.cli configures, so a test that
    ran `cli.main` earlier in this process cannot send a later load to the user's."""
    path = tmp_path_factory.mktemp("preset-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SWAPTUI_CACHE_DIR", str(path))
        yield path


@pytest.fixture(autouse=True)
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config"
    monkeypatch.setenv("SWAPTUI_CONFIG_DIR", str(path))
    # generated presets are cached per test, never in the developer's cache
    monkeypatch.setenv("SWAPTUI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    return path
