"""Random keys, clicks and resizes through a running app, as a hostile user types them.

Used by tests/test_app_soak.py (a bounded, seeded soak) and tests/bench/soak.py.  The
events are posted to the app the way its terminal driver posts them, a burst of one
to four at a time, then the pilot waits for the screen to take them in (not for the
CPU to go idle: a playing run never does, and the pilot's idle wait would cost a
second a key).  Bursts are the point: keys that arrive together are handled by
screens that have changed in between (a dialog came up, the window shrank).

Seeded and bounded: the same seed gives the same events in the same bursts.  What
the app makes of them still depends on when its worker threads finish, so tests
assert what must hold whatever the timing.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from textual import events
from textual.geometry import Size

# key name -> the character a terminal sends with it (None: a special key)
CHARS: dict[str, str | None] = {
    "space": " ",
    "right": None,
    "left": None,
    "up": None,
    "down": None,
    "home": None,
    "end": None,
    "tab": "\t",
    "enter": "\r",
    "escape": "\x1b",
    "backspace": "\x7f",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "plus": "+",
    "minus": "-",
    "question_mark": "?",
    "ctrl+p": "\x10",
    "ctrl+s": "\x13",
    **{c: c for c in "0123456789acdhloprstxz"},
}
# what a user presses, weighted: stepping most, every other key now and then
APP_KEYS: tuple[str, ...] = (
    *("right",) * 6,
    *("left", "l", "h") * 2,
    *("space", "left_square_bracket", "right_square_bracket", "plus", "minus") * 2,
    *("home", "end", "0", "1", "5", "9", "z", "s", "t", "p"),
    *("a", "d", "r", "c", "o"),  # each computes another run (the race: c)
    *("question_mark", "escape", "escape", "enter", "tab", "up", "down", "backspace", "x"),
    "ctrl+p",
    "ctrl+s",
)
# `swaptui race` on its own: escape, c and q quit it by design, the rest is the race's
RACE_KEYS: tuple[str, ...] = tuple(k for k in APP_KEYS if k not in ("escape", "c"))
SIZES: tuple[tuple[int, int], ...] = (
    (80, 24),
    (79, 23),
    (79, 24),
    (80, 23),
    (20, 5),
    (40, 10),
    (100, 30),
    (120, 36),
    (160, 48),
    (250, 70),
)
RESIZE_SHARE = 0.10
CLICK_SHARE = 0.06
MAX_BURST = 4


def is_small(size: tuple[int, int]) -> bool:
    return size[0] < 80 or size[1] < 24


class Abuser:
    """Posts seeded random events into a running app (under a Pilot)."""

    def __init__(
        self,
        app: Any,
        pilot: Any,
        seed: int,
        keys: Sequence[str] = APP_KEYS,
        size: tuple[int, int] = (120, 36),
    ) -> None:
        self.app, self.pilot = app, pilot
        self.rng = random.Random(seed)
        self.keys = tuple(keys)
        self.size = size
        self.log: list[str] = []  # what was sent, for a failure's message

    def key(self, key: str) -> None:
        self.app.post_message(events.Key(key, CHARS[key]))
        self.log.append(key)

    def resize(self, size: tuple[int, int]) -> None:
        self.size = size
        self.app.post_message(events.Resize(Size(*size), Size(*size)))
        self.log.append(f"{size[0]}x{size[1]}")

    def click(self, x: int, y: int) -> None:
        args: dict[str, Any] = {
            "widget": None, "x": x, "y": y, "delta_x": 0, "delta_y": 0, "button": 1,
            "shift": False, "meta": False, "ctrl": False, "screen_x": x, "screen_y": y,
        }  # fmt: skip
        self.app.post_message(events.MouseDown(**args))
        self.app.post_message(events.MouseUp(**args))
        self.log.append(f"click {x},{y}")

    def one(self) -> None:
        r = self.rng.random()
        if r < RESIZE_SHARE:
            self.resize(self.rng.choice(SIZES))
        elif r < RESIZE_SHARE + CLICK_SHARE:
            self.click(self.rng.randrange(self.size[0]), self.rng.randrange(self.size[1]))
        else:
            self.key(self.rng.choice(self.keys))

    async def burst(self) -> None:
        """One to four events at once, then the screen takes them in."""
        for _ in range(self.rng.randint(1, MAX_BURST)):
            self.one()
        await self.pilot.pause(0)

    async def run(self, bursts: int) -> None:
        for _ in range(bursts):
            await self.burst()
            if self.app.crashed is not None:
                return

    def tail(self, n: int = 30) -> str:
        return " ".join(self.log[-n:])
