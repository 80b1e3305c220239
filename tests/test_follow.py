"""The page tables follow the walk: the cursor's page table is on screen, even at 80x24."""

from __future__ import annotations

import asyncio

import pytest

from swaptui.viewer.app import SwapApp
from swaptui.widgets.pagetables import PageTables


@pytest.mark.slow
def test_the_walked_page_table_scrolls_into_view() -> None:
    async def check() -> None:
        app = SwapApp.deferred("demo", "linear", remember_theme=False)
        async with app.run_test(size=(80, 24)) as pilot:
            while app.computing:
                await asyncio.sleep(0.02)
            tables = app.query_one(PageTables)
            seen_below_the_fold = False
            for _ in range(13):  # every range step of the demo's linear walk
                await pilot.press("right")
                await pilot.pause()
                row = tables.target_row()
                if row is None:
                    continue
                top = round(tables.scroll_offset.y)
                visible = tables.scrollable_content_region.height
                # 8 steps in, the walk is in Xorg's second page table, row 10 of 17:
                # below the 9 rows an 80x24 screen gives the panel
                seen_below_the_fold |= row >= visible
                assert top <= row < top + visible, (row, top, visible)
            assert seen_below_the_fold

    asyncio.run(check())
