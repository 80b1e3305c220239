"""What a pilot test's terminal shows, as plain text, modals drawn over their screen."""

from __future__ import annotations

from typing import Any

from textual.strip import Strip


def screen_lines(app: Any) -> list[str]:
    """The rows of the screen as the user sees them (the call export_screenshot makes)."""
    update = app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens, simplify=True
    )
    return [Strip.join(list(row)).text for row in getattr(update, "strips", [])]
