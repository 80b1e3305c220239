"""Stills of a recording for slides: every Nth frame as SVG and/or PNG, the last always.

A frame identical to the previous still is skipped (it would make the same slide),
and the recording's last frame is always kept, whatever N is: it is the one a
presenter wants.  SVG is Textual's own screenshot export; PNG is drawn from the
recording's cells by the rasterizer (the `video` extra).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from swaptui.atomic import write_atomic

if TYPE_CHECKING:
    from swaptui.record.raster import Canvas


@dataclass
class Stills:
    svg_dir: Path | None = None
    png_dir: Path | None = None
    every: int = 1
    title: str = ""
    files: list[Path] = field(default_factory=list)
    _taken_of: int = -1  # the screen (its change count) of the last still

    @property
    def wanted(self) -> bool:
        return self.svg_dir is not None or self.png_dir is not None

    def offer(
        self, tick: int, change: int, app: Any, canvas: Canvas | None, last: bool = False
    ) -> None:
        """Take a still of the screen at `tick` if N says so (or it is the last)."""
        if not self.wanted or change == self._taken_of:
            return
        if tick % self.every and not last:
            return
        name = f"frame-{tick:05d}"
        if self.svg_dir is not None:
            path = self.svg_dir / f"{name}.svg"
            write_atomic(str(path), app.export_screenshot(title=self.title))
            self.files.append(path)
        if self.png_dir is not None and canvas is not None:
            path = self.png_dir / f"{name}.png"
            write_atomic(str(path), canvas.png())
            self.files.append(path)
        self._taken_of = change

    def count(self, suffix: str) -> int:
        return sum(1 for f in self.files if f.suffix == suffix)
