"""Every test runs with its own config and cache directories and without animations.

The app remembers the theme in the user's config directory; tests must neither read
the developer's choice nor write theirs, and snapshots need no motion.  The Hypothesis
profile (ci or dev, from $HYPOTHESIS_PROFILE) is loaded here, once, before any test
module builds its settings: see tests/profiles.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.profiles import register

PROFILE = register()


def pytest_report_header() -> str:
    return f"hypothesis profile: {PROFILE} (set HYPOTHESIS_PROFILE=ci or dev)"


@pytest.fixture(autouse=True)
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config"
    monkeypatch.setenv("SWAPTUI_CONFIG_DIR", str(path))
    # generated presets are cached per test, never in the developer's cache
    monkeypatch.setenv("SWAPTUI_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    return path
