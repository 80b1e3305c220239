"""What the Line-API panels share: theme colours as Rich styles, and a strip cache."""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.cache import LRUCache
from textual.color import Color
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget

from themes import STATES, palette_of


class LinePanel(Widget):
    """A widget drawn line by line with strips cached by everything that affects them.

    Subclasses put the frame-dependent inputs of a line into its cache key; the theme
    generation and the width are added here, and the cache is dropped on theme change.
    """

    def __init__(self, *, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self._strips: LRUCache[tuple[Any, ...], Strip] = LRUCache(4096)
        self._styles: dict[str, Style] = {}
        self._theme_gen = 0
        self.fixed_size: Size | None = None  # for tests of a detached widget
        self._last_lines: tuple[tuple[Any, ...], list[Any]] | None = None
        # read once, not once a line: Widget.size asks the compositor for the region
        # and rich_style walks the ancestors' styles (together a fifth of a frame)
        self._area: tuple[tuple[Any, ...], Size] | None = None
        self._base_style: Style | None = None

    @property
    def area(self) -> Size:
        """The content size (or the fixed size a test gave a detached widget), computed
        again only when the widget's outer size or its gutter changes."""
        if self.fixed_size is not None:
            return self.fixed_size
        key = (self._size, self.styles.gutter)
        memo = self._area
        if memo is None or memo[0] != key:
            memo = self._area = (key, self.size)
        return memo[1]

    @property
    def base_style(self) -> Style:
        """This widget's own rich_style (colours from CSS), kept until a style update."""
        s = self._base_style
        if s is None:
            s = self._base_style = self.rich_style
        return s

    # ---- lines ----------------------------------------------------------------------
    def line_spec(self, y: int) -> tuple[tuple[Any, ...], Any] | None:
        """(cache key, builder of the segments) of content line y; None: a blank line."""
        return None

    def render_line(self, y: int) -> Strip:
        spec = self.line_spec(y)
        if spec is None:
            return Strip.blank(self.area.width, self.base_style)
        return self.cached(*spec)

    def view_signature(self) -> tuple[Any, ...]:
        """What changes every line at once (size, theme; a scroll view adds its offset)."""
        return (self.size, self._theme_gen)

    def redraw(self) -> None:
        """Repaint the lines whose cache key changed since the last frame, and only those:
        Textual keeps the other lines it rendered."""
        if not self.is_attached:
            return
        w, h = self.size
        keys = [None if (sp := self.line_spec(y)) is None else sp[0] for y in range(h)]
        sig = self.view_signature()
        last = self._last_lines
        self._last_lines = (sig, keys)
        if last is None or last[0] != sig:
            self.refresh()
            return
        for y, (old, new) in enumerate(zip(last[1], keys, strict=True)):
            if old != new:
                self.refresh(Region(0, y, w, 1))

    # ---- colours --------------------------------------------------------------------
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self.clear_caches()

    def clear_caches(self) -> None:
        self._last_lines = None
        self._strips.clear()
        self._styles = {}
        self._area = None
        self._base_style = None
        self._theme_gen += 1

    def style(self, name: str) -> Style:
        """Foreground style of a semantic state colour (free, used, ... dim)."""
        s = self._styles.get(name)
        if s is None:
            if not self._styles:
                self._load_styles()
            s = self._styles.get(name, Style())
        return s

    def _load_styles(self) -> None:
        try:
            variables = self.app.current_theme.variables
        except RuntimeError:  # no active app (widget tests): the dark theme's colours
            variables = {}
        base = self.base_style if self.is_attached else Style()
        for key, colour in palette_of(variables).items():
            self._styles[key] = Style(color=colour)
        bg = self._styles["cursor"].color
        self._styles["text"] = Style(color=base.color)
        self._styles["bold"] = Style(color=base.color, bold=True)
        self._styles["reverse"] = Style(reverse=True, bold=True)
        self._styles["cursor-bg"] = Style(bgcolor=bg, color=base.bgcolor, bold=True)
        # "<state>-bg": a number written on the state's colour (PTE and slot labels)
        for key in STATES:
            colour = palette_of(variables)[key]
            ink = "#000000" if Color.parse(colour).brightness > 0.45 else "#ffffff"
            self._styles[f"{key}-bg"] = Style(bgcolor=colour, color=ink, bold=True)
        self._styles["dim-bg"] = Style(color=self._styles["dim"].color, bold=True)
        # injected faults: the theme's warning colour (the swap cache's as a fallback)
        try:
            warning = self.app.current_theme.warning or palette_of(variables)["cached"]
        except RuntimeError:  # no active app, as above
            warning = palette_of(variables)["cached"]
        ink = "#000000" if Color.parse(warning).brightness > 0.45 else "#ffffff"
        self._styles["warning"] = Style(color=warning, bold=True)
        self._styles["warning-bg"] = Style(bgcolor=warning, color=ink, bold=True)

    # ---- strips ---------------------------------------------------------------------
    def cached(self, key: tuple[Any, ...], build: Any) -> Strip:
        width = self.area.width
        full = (self._theme_gen, width, *key)
        strip = self._strips.get(full)
        if strip is None:
            strip = Strip(build())
            if strip.cell_length != width:
                strip = strip.crop_extend(0, width, None)
            # the widget's style under every segment, then equal neighbours joined: what
            # Strip.apply_style and Strip.simplify do, without a Strip for each step
            segments: Any = strip
            if self.is_attached:
                segments = Segment.apply_style(segments, self.base_style)
            strip = Strip(Segment.simplify(segments), width)
            self._strips[full] = strip
        return strip


def runs(cells: list[tuple[str, Style]]) -> list[Segment]:
    """Join neighbouring cells of one style into one segment (fewer segments to encode)."""
    out: list[Segment] = []
    text: list[str] = []
    style: Style | None = None
    for ch, st in cells:
        if st is not style and text:
            out.append(Segment("".join(text), style))
            text = []
        style = st
        text.append(ch)
    if text:
        out.append(Segment("".join(text), style))
    return out


def retitle(widget: Widget, title: str, subtitle: str | None = None) -> None:
    """Set a panel's border titles only when they change (each set repaints it all)."""
    if widget.border_title != title:
        widget.border_title = title
    if subtitle is not None and widget.border_subtitle != subtitle:
        widget.border_subtitle = subtitle
