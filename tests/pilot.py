"""Running async pilot tests without an async pytest plugin."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Coroutine
from typing import Any


def sync(fn: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async test with asyncio.run (no pytest async plugin is installed)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        asyncio.run(fn(*args, **kwargs))

    return wrapper


async def open_race(app: Any, pilot: Any) -> Any:
    """`c` in the single-run app: the race screen, once its race is computed and shown."""
    from swaptui.race.screen import RaceScreen

    await pilot.press("c")
    await app.workers.wait_for_complete()
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, RaceScreen) and screen.race is not None
    return screen
