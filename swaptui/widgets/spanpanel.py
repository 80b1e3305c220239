"""A panel that covers a span of the swap area and draws one frame of a run: the
swap_map and the disk head both follow the zoom key's `SlotSpan` the same way.
"""

from __future__ import annotations

from models.timeline import FrameView
from swaptui.viewer.zoom import SlotSpan, whole_area
from swaptui.widgets.base import LinePanel


class SpanPanel(LinePanel):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.frame: FrameView | None = None
        self.span: SlotSpan = whole_area(0)

    def set_span(self, span: SlotSpan) -> None:
        """Cover these slots from now on (the zoom key)."""
        if span != self.span:
            self.span = span
            self._strips.clear()
            self.redraw()

    def show(self, view: FrameView) -> None:
        self.frame = view
        self.redraw()
