"""Every test runs with its own config directory and without animations.

The app remembers the theme in the user's config directory; tests must neither read
the developer's choice nor write theirs, and snapshots need no motion.
"""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config"
    monkeypatch.setenv("SWAPTUI_CONFIG_DIR", str(path))
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    return path
