"""The largest listed preset opens, steps both ways and plays without trouble.

How fast it steps is measured by tests/bench/render.py, not asserted here.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from swaptui.viewer import scenarios
from swaptui.viewer.app import SwapApp
from swaptui.viewer.player import RunKey, build_timeline
from swaptui.widgets.pagetables import PageTables

# 61,440 slots in use: the biggest preset the app lists (vineeth-6g is loaded by name
# only, and takes a minute a run)
LARGEST = "rfc3-240m"


@pytest.mark.slow
def test_largest_opens_and_steps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWAPTUI_CONFIG_DIR", str(tmp_path))
    assert scenarios.preset_names()[-1] == LARGEST
    sc = scenarios.load(LARGEST)
    key = RunKey("linear", None, None)
    app = SwapApp(sc, build_timeline(sc, key), key)

    async def go() -> None:
        async with app.run_test(size=(200, 60)) as pilot:
            await pilot.pause()
            await pilot.press("right", "right", "left")
            assert app.player.frame == 1
            await pilot.press("end", "left", "left", "home", "right")
            assert app.player.frame == 1
            await pilot.press("left_square_bracket", "left_square_bracket")
            await pilot.press(*["right"] * 5)
            tables = app.query_one(PageTables)
            assert len(tables.rows) > 3
            await pilot.press("end")
            assert app.player.view().finished

    asyncio.run(go())
