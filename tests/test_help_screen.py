"""The help screens show their keys (a help that renders as an empty box went unnoticed once)."""

from __future__ import annotations

import asyncio

import pytest

from swaptui.viewer.app import SwapApp


@pytest.mark.slow
@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_help_lists_the_keys(size: tuple[int, int]) -> None:
    async def check() -> None:
        app = SwapApp.deferred("demo", "legacy", remember_theme=False)
        async with app.run_test(size=size) as pilot:
            while app.computing:
                await asyncio.sleep(0.02)
            await pilot.press("question_mark")
            await pilot.pause()
            lines = [app.screen._compositor.render_update(full=True)]
            text = "".join(lines[0].render_segments(app.console))
            for words in ("play / pause", "step forward", "finer / coarser"):
                assert words in text
            await pilot.press("escape", "c")  # the race screen has a help of its own
            for _ in range(200):
                if type(app.screen).__name__ == "RaceScreen":
                    break
                await asyncio.sleep(0.02)
            await pilot.press("question_mark")
            await pilot.pause()
            text = "".join(
                app.screen._compositor.render_update(full=True).render_segments(app.console)
            )
            assert "jump to the verdict" in text

    asyncio.run(check())
