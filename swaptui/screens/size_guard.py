"""Below 80x24 the "enlarge" notice covers the app; it stays on top until the size is back.

The notice is a screen pushed over whatever is open, and the app goes on behind it.
Textual's screen stack makes that fragile in two ways, both met under random keys
and resizes (#18 item 6):

- `Screen.dismiss()` pops the top screen, whoever asks.  A dialog under the notice
  that dismissed itself (the command palette's Enter, or a click, pressed before the
  window shrank and handled after) popped the notice instead: the app went on at
  40x10 with no notice, and the dialog, dismissed a second time later, crashed
  (InvalidStateError).
- A screen pushed while the notice is up (a palette command run after the palette
  closed: Race, Open) went over the notice, hiding it.

So the app keeps the notice on top: a pop asked for while it is on top pops the
screen under it, and a push goes under it.  The notice is a fresh screen each time
it is put back (a popped screen cannot be pushed again).
"""

from __future__ import annotations

from typing import Any

from textual.app import App, ScreenStackError
from textual.await_complete import AwaitComplete
from textual.screen import Screen

from swaptui.screens.modals import MIN_HEIGHT, MIN_WIDTH, TooSmallScreen


class SizeGuardApp(App[int]):
    """An app that shows the "enlarge" notice below 80x24, always on top."""

    def __init__(self) -> None:
        super().__init__()
        self._small: TooSmallScreen | None = None  # the notice, while it is up

    @property
    def too_small(self) -> bool:
        return self._small is not None

    def guard_size(self, w: int, h: int) -> None:
        """Put the notice up below 80x24, take it away at 80x24 and more."""
        small = w < MIN_WIDTH or h < MIN_HEIGHT
        if small and self._small is None:
            self._small = TooSmallScreen()
            super().push_screen(self._small)
        elif not small and self._small is not None:
            notice, self._small = self._small, None
            if self.screen is notice:  # always, as push_screen and pop_screen see to it
                super().pop_screen()

    def _notice_on_top(self) -> bool:
        return self._small is not None and self.screen is self._small

    def _notice_again(self) -> None:
        self._small = TooSmallScreen()
        super().push_screen(self._small)

    def push_screen(self, screen: Any, *args: Any, **kwargs: Any) -> Any:
        if not self._notice_on_top() or kwargs.get("mode") is not None:
            return super().push_screen(screen, *args, **kwargs)
        # under the notice: the notice comes off, the screen goes on, the notice again
        super().pop_screen()
        pushed = super().push_screen(screen, *args, **kwargs)
        self._notice_again()
        return pushed

    def pop_screen(self) -> AwaitComplete:
        if not self._notice_on_top():
            return super().pop_screen()
        if len(self.screen_stack) <= 2:
            # as Textual says without the notice: the main screen cannot go
            raise ScreenStackError("Can't pop screen; there must be at least one screen")
        # the screen under the notice asked to go (its dismiss): it goes, the notice stays
        super().pop_screen()
        popped = super().pop_screen()
        self._notice_again()
        return popped

    def switch_screen(self, screen: Screen[Any] | str) -> AwaitComplete:
        if not self._notice_on_top():
            return super().switch_screen(screen)
        super().pop_screen()
        switched = super().switch_screen(screen)
        self._notice_again()
        return switched
