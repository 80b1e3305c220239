"""NO_COLOR: a monochrome screen that still reads, thanks to the glyphs."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from swaptui.viewer.app import SwapApp


def test_no_color_gives_a_monochrome_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")

    async def check() -> None:
        app = SwapApp.deferred("demo", "legacy", remember_theme=False)
        async with app.run_test(size=(80, 24)) as pilot:
            while app.computing:
                await asyncio.sleep(0.02)
            await pilot.press("right", "right")
            await pilot.pause()
            svg = app.export_screenshot()
            # Textual's monochrome filter: every colour in the screenshot is a grey
            # (the window buttons and default text colour of the SVG frame are not the app's)
            frame = {"#ff5f57", "#febc2e", "#28c840", "#c5c8c6"}
            colours = {c.lower() for c in _hex_colours(svg)} - frame
            assert colours and all(c[1:3] == c[3:5] == c[5:7] for c in colours), colours
            # and the states still differ by glyph: in use, free, bad
            text = "".join(
                app.screen._compositor.render_update(full=True).render_segments(app.console)
            )
            for glyph in ("█", "·", "X"):
                assert glyph in text

    asyncio.run(check())


def _hex_colours(svg: str) -> list[str]:
    import re

    return re.findall(r"#[0-9a-fA-F]{6}\b", svg)
