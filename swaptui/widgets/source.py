"""The source pane: the running algorithm's pseudo-C, the current line highlighted.

Like a debugger's: the line of the frame's engine site (`models.source`) is drawn in
the cursor colour with a ▶ in the gutter, and the pane scrolls to keep it in view
with a few lines of context above.  The listing is swaptui's paraphrase, not kernel
source.
"""

from __future__ import annotations

from typing import Any

from rich.segment import Segment

from models import events as ev
from models import source
from models.timeline import FrameView
from swaptui.widgets.base import LinePanel

CONTEXT = 3  # lines kept visible above the current one


def site_of(view: FrameView) -> str | None:
    """The site whose line the frame runs; legacy's searches are seen from inside."""
    e = view.event
    if e is None:
        return None
    if isinstance(e, ev.Search) and view.progress is not None and view.cursor is not None:
        c = view.cursor
        if c.targeted:
            return source.SEARCH_SHORTCUT
        if c.vpage < 0:
            return source.SEARCH_MM
        return source.SEARCH_WALK
    return view.site


class SourcePane(LinePanel):
    DEFAULT_CSS = """
    SourcePane { height: 1fr; width: 1fr; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.algorithm: str | None = None
        self.lines: list[str] = []
        self.current: int | None = None
        self.top = 0

    def set_algorithm(self, algorithm: str) -> None:
        if algorithm != self.algorithm:
            self.algorithm = algorithm
            self.lines = source.listing(algorithm) if algorithm in source.LISTINGS else []
            self.current = None
            self.top = 0
            self.redraw()

    def show(self, view: FrameView) -> None:
        site = site_of(view)
        line = None
        if site is not None and self.algorithm is not None:
            line = source.line_of(self.algorithm, site)
        self.show_line(line)

    def show_line(self, line: int | None) -> None:
        if line != self.current:
            self.current = line
            self.redraw()

    def scroll_top(self) -> int:
        """The first line shown: it moves only when the current line would leave the view
        (or lose its CONTEXT lines above), so the listing does not jitter while a walk
        stays in one function.  Computed at draw time, from the size the pane has then."""
        h = max(1, self.area.height)
        ctx = min(CONTEXT, h // 3)
        top = self.top
        if self.current is not None and not top + ctx <= self.current < top + h:
            top = self.current - ctx
        self.top = max(0, min(top, len(self.lines) - h))
        return self.top

    def title(self) -> str:
        if self.algorithm is None:
            return "source"
        fn = ""
        if self.current is not None:
            fn = source.function_of(self.algorithm, self.current)
        where = f" · {fn}()" if fn else ""
        return f"source · {self.algorithm}{where} · pseudo-C"

    def line_spec(self, y: int) -> tuple[tuple[Any, ...], Any] | None:
        i = self.scroll_top() + y
        if i >= len(self.lines):
            return None
        hot = i == self.current
        return ("src", self.algorithm, i, hot), lambda: self._line(i, hot)

    def _line(self, i: int, hot: bool) -> list[Segment]:
        text = self.lines[i]
        gutter = f"{i + 1:>3}{'▶' if hot else ' '}"
        if hot:
            body = text.ljust(max(0, self.area.width - len(gutter)))
            return [Segment(gutter, self.style("head")), Segment(body, self.style("cursor-bg"))]
        code, sep, comment = text.partition("/*")
        # a function's first line: at column 0, its body's brace on the next line
        nxt = self.lines[i + 1] if i + 1 < len(self.lines) else ""
        is_head = bool(text) and not text[0].isspace() and nxt == "{"
        style = self.style("bold") if is_head or text in ("{", "}") else self.style("text")
        segs = [Segment(gutter, self.style("dim")), Segment(code, style)]
        if sep:
            segs.append(Segment(sep + comment, self.style("dim")))
        return segs
