"""The app as a recording runs it: headless, on the recorder's clock, its screen kept.

Three differences from the app a user runs, each for reproducible recordings:
- the wall-clock play timer is silenced: the recorder moves the clock, a tick a frame;
- toasts are not shown: they go away on the wall clock (two recordings would differ)
  and are noise on a slide;
- every screen update Textual renders is written into a Grid instead of being
  dropped by the headless driver, so nothing is ever rendered twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from swaptui.record.grid import Grid, segments_of
from swaptui.viewer.app import SwapApp

if TYPE_CHECKING:
    from rich.console import RenderableType
    from textual.pilot import Pilot
    from textual.screen import Screen

# rounds in one settle: a refresh posts messages (widget to screen), a layout change
# posts resize events whose handlers may refresh again; more than a few dozen means
# something refreshes forever, and the frame is taken as it is
SETTLE_ROUNDS = 40


class RecordingApp(SwapApp):
    """SwapApp on the recorder's clock, its screen written into `grid`."""

    grid: Grid | None = None

    def tick(self) -> None:
        pass

    def notify(self, *args: Any, **kwargs: Any) -> None:
        pass

    def _display(self, screen: Screen[Any], renderable: RenderableType | None) -> None:
        # what Textual hands a terminal driver (the changed spans of the screen); it
        # drops them while a batch update is open, and so do we
        if renderable is not None and not self._batch_count and self.grid is not None:
            self.grid.apply(segments_of(renderable, self.console))
        super()._display(screen, renderable)


def _pending(screen: Screen[Any]) -> bool:
    return bool(
        screen._layout_required
        or screen._scroll_required
        or screen._repaint_required
        or screen._recompose_required
        or screen._dirty_widgets
    )


def _messages_waiting(app: Any, screen: Screen[Any]) -> bool:
    # a widget's refresh reaches the screen as a message it posts when it next runs
    return any(node._message_queue.qsize() for node in (app, *screen.walk_children(with_self=True)))


async def settle(pilot: Pilot[Any]) -> None:
    """Let the app handle what it was sent, then paint the screen now.

    Textual paints on a 60 Hz timer once the app is idle; a test pilot waits for
    idleness by sleeping in 20 ms steps.  Here the messages queued are processed
    (Textual's own wait for the screen) until none is left, then the screen's update
    runs at once; again until nothing is left to paint.  The private names are
    Textual 8.2's.
    """
    app = pilot.app
    for _ in range(SETTLE_ROUNDS):
        await pilot._wait_for_screen()
        screen = app.screen
        if _messages_waiting(app, screen):
            continue
        if not _pending(screen):
            return
        screen._on_timer_update()
