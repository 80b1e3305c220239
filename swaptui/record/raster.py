"""Pictures of the screen: each cell drawn in its own colours, the way a terminal does.

The cells come from the recording's Grid (or a still of the running app), so a PNG,
a GIF frame and an MP4 frame show exactly what the cast shows.  Text is drawn with a
monospace TrueType font through Pillow; block elements, shades and the light box
lines the panels and the head chart are made of are drawn as rectangles instead, so
bars and borders join without the gaps a font leaves between lines.

Pillow comes with the `video` extra; importing this module without it raises
ImportError, which the callers turn into one line naming the extra.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from swaptui.record.grid import WIDE_TAIL, Cell, Grid
from swaptui.record.pens import RGB, Pen

DEFAULT_FONT_SIZE = 20  # pixels: 120 columns come out about 1450 pixels wide
MAX_PIXELS = 8192  # a side: what H.264 players take, and 200 MB a frame at most
DEFAULT_FG: RGB = (224, 224, 224)
DEFAULT_BG: RGB = (0, 0, 0)

# where a monospace font usually is when fontconfig is not there to ask
_FONT_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
    "/usr/share/fonts/dejavu/DejaVuSansMono.ttf",
    "/usr/share/fonts/TTF/DejaVuSansMono.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf",
    "/usr/share/fonts/liberation-mono/LiberationMono-Regular.ttf",
    "/Library/Fonts/Menlo.ttc",
    "/System/Library/Fonts/Menlo.ttc",
    "C:\\Windows\\Fonts\\consola.ttf",
)


class FontError(Exception):
    """No usable monospace font: the message says how to give one."""


def _fc_match(pattern: str) -> str | None:
    exe = shutil.which("fc-match")
    if exe is None:
        return None
    try:
        out = subprocess.run(
            [exe, "-f", "%{file}", pattern],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return out if out and os.path.isfile(out) else None


@lru_cache(maxsize=4)
def find_font(path: str | None = None) -> tuple[str, str]:
    """The regular and bold monospace font files to draw with (`path`: the user's)."""
    if path is not None:
        if not os.path.isfile(path):
            raise FontError(f"--font {path}: no such file")
        return path, path
    regular = _fc_match("monospace")
    bold = _fc_match("monospace:bold") if regular else None
    if regular is None:
        regular = next((p for p in _FONT_PATHS if os.path.isfile(p)), None)
    if regular is None:
        raise FontError(
            "no monospace font found for pictures: install one (Debian: fonts-dejavu-core) "
            "or pass --font FILE.ttf"
        )
    if bold is None:
        guess = regular.replace("Mono.ttf", "Mono-Bold.ttf").replace("-Regular", "-Bold")
        bold = guess if os.path.isfile(guess) else regular
    return regular, bold


@lru_cache(maxsize=8)
def _load(path: str, size: int) -> ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(path, size)
    except OSError as e:
        raise FontError(f"{path}: not a font Pillow can read ({e})") from None


@dataclass(frozen=True)
class Metrics:
    cell_w: float  # the font's advance: fractional, so long runs stay on the grid
    cell_h: int
    ascent: int

    def x(self, col: int) -> int:
        return round(col * self.cell_w)


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def colours(p: Pen) -> tuple[RGB, RGB]:
    """The foreground and background a cell is drawn in (reverse and dim applied)."""
    fg = p.fg_rgb or DEFAULT_FG
    bg = p.bg_rgb or DEFAULT_BG
    if "7" in p.attrs:
        fg, bg = bg, fg
    if "2" in p.attrs:
        fg = _mix(fg, bg, 0.4)
    return fg, bg


# block elements as (x0, y0, x1, y1) fractions of the cell, and shades as ink coverage
_BLOCKS: dict[str, tuple[tuple[float, float, float, float], ...]] = {
    "█": ((0, 0, 1, 1),),
    "▀": ((0, 0, 1, 0.5),),
    "▐": ((0.5, 0, 1, 1),),
    "▔": ((0, 0, 1, 0.125),),
    "▕": ((0.875, 0, 1, 1),),
    "▖": ((0, 0.5, 0.5, 1),),
    "▗": ((0.5, 0.5, 1, 1),),
    "▘": ((0, 0, 0.5, 0.5),),
    "▝": ((0.5, 0, 1, 0.5),),
    "▙": ((0, 0, 0.5, 1), (0.5, 0.5, 1, 1)),
    "▚": ((0, 0, 0.5, 0.5), (0.5, 0.5, 1, 1)),
    "▛": ((0, 0, 1, 0.5), (0, 0.5, 0.5, 1)),
    "▜": ((0, 0, 1, 0.5), (0.5, 0.5, 1, 1)),
    "▞": ((0.5, 0, 1, 0.5), (0, 0.5, 0.5, 1)),
    "▟": ((0.5, 0, 1, 0.5), (0, 0.5, 1, 1)),
}
for _i, _ch in enumerate("▁▂▃▄▅▆▇", start=1):  # lower eighths
    _BLOCKS[_ch] = ((0, 1 - _i / 8, 1, 1),)
for _i, _ch in enumerate("▏▎▍▌▋▊▉", start=1):  # left eighths
    _BLOCKS[_ch] = ((0, 0, _i / 8, 1),)
_SHADES = {"░": 1, "▒": 2, "▓": 3}  # quarters of the cell's dots in the foreground
# light box lines: which arms (up, down, left, right) leave the centre; the rounded
# corners are drawn square, which at a few pixels looks the same
_BOX = {
    "─": "lr", "│": "ud", "┌": "dr", "┐": "dl", "└": "ur", "┘": "ul",
    "├": "udr", "┤": "udl", "┬": "dlr", "┴": "ulr", "┼": "udlr",
    "╭": "dr", "╮": "dl", "╯": "ul", "╰": "ur", "╴": "l", "╶": "r", "╵": "u", "╷": "d",
}  # fmt: skip
_HEAVY_BOX = {"━": "lr", "┃": "ud", "┏": "dr", "┓": "dl", "┗": "ur", "┛": "ul"}
DRAWN = frozenset(_BLOCKS) | frozenset(_SHADES) | frozenset(_BOX) | frozenset(_HEAVY_BOX)


Ink = RGB | int  # a colour, or its palette index on a paletted canvas
SPARE = 255  # the palette index a paletted canvas never uses (GIF: "unchanged")


@lru_cache(maxsize=256)
def _shade_tile(quarters: int, fg: Ink, bg: Ink, w: int, h: int, mode: str) -> Image.Image:
    """A shade as a terminal font draws it, a pattern of dots (not a mixed colour: the
    pattern is what tells shared, shmem and cached slots apart without colour)."""
    tile = Image.new(mode, (w, h), bg)
    d = ImageDraw.Draw(tile)
    dot = max(2, round(h / 10))
    for j in range(0, h, dot):
        for i in range(0, w, dot):
            a, b = (i // dot) % 2, (j // dot) % 2
            lit = (a == 0 and b == 0) if quarters == 1 else (a == b)
            if quarters == 3:
                lit = not (a == 1 and b == 1)
            if lit:
                d.rectangle((i, j, i + dot - 1, j + dot - 1), fill=fg)
    return tile


class Canvas:
    """One image of the whole screen, redrawn a row at a time as the grid changes.

    `paletted`: a P-mode image whose palette grows with the colours drawn (255 at most,
    index 255 left free), text drawn without anti-aliasing, so every pixel is a cell's
    own colour: what a GIF holds exactly, with no quantizing per frame.
    """

    def __init__(
        self,
        width: int,
        height: int,
        font_size: int = DEFAULT_FONT_SIZE,
        font: str | None = None,
        paletted: bool = False,
    ) -> None:
        regular, bold = find_font(font)
        self.font_size, self.font_path = font_size, font
        self.font = _load(regular, font_size)
        self.bold = _load(bold, font_size)
        ascent, descent = self.font.getmetrics()
        self.m = Metrics(self.font.getlength("M"), ascent + descent, ascent)
        self.cols, self.rows = width, height
        self.size = (self.m.x(width), self.m.cell_h * height)
        self._drawn: list[tuple[Cell, ...] | None] = [None] * height  # what each row shows
        self.paletted = paletted
        self._palette: dict[RGB, int] = {}
        if paletted:
            self.image = Image.new("P", self.size, 0)
            self._ink(DEFAULT_BG)
        else:
            self.image = Image.new("RGB", self.size, DEFAULT_BG)
        self._draw = ImageDraw.Draw(self.image)
        if paletted:
            self._draw.fontmode = "1"  # no blended edges: they have no palette entry

    def _ink(self, rgb: RGB) -> Ink:
        if not self.paletted:
            return rgb
        index = self._palette.get(rgb)
        if index is None:
            if len(self._palette) < SPARE:
                index = self._palette[rgb] = len(self._palette)
                flat = [v for c in self._palette for v in c]
                self.image.putpalette(flat + [0] * (3 * 256 - len(flat)))
            else:  # a 256th colour: the nearest one there is
                index = min(
                    self._palette.items(),
                    key=lambda kv: sum((a - b) ** 2 for a, b in zip(kv[0], rgb, strict=True)),
                )[1]
        return index

    def draw_grid(self, grid: Grid, rows: Iterable[int] | None = None) -> None:
        for y in range(grid.height) if rows is None else rows:
            self.draw_row(y, grid.rows[y])

    def draw_row(self, y: int, row: list[Cell]) -> None:
        """Redraw the runs of the row that differ from what was drawn there last
        (a row marked changed mostly has a few changed cells)."""
        m, d = self.m, self._draw
        top = y * m.cell_h
        x = 0
        width = len(row)
        cells = tuple(row)
        old = self._drawn[y]
        self._drawn[y] = cells
        while x < width:
            p = row[x][1]
            start = x
            while x < width and row[x][1] == p:
                x += 1
            if old is not None and old[start:x] == cells[start:x]:
                continue
            fg_rgb, bg_rgb = colours(p)
            fg, bg = self._ink(fg_rgb), self._ink(bg_rgb)
            d.rectangle((m.x(start), top, m.x(x) - 1, top + m.cell_h - 1), fill=bg)
            self._run(row, start, x, top, fg, bg, p)

    def _run(
        self, row: list[Cell], start: int, end: int, top: int, fg: Ink, bg: Ink, p: Pen
    ) -> None:
        """The glyphs of cells start..end (one pen): text runs through the font in
        one call (every glyph of a monospace font has the cell's advance), drawn
        glyphs and wide characters cell by cell."""
        m, d = self.m, self._draw
        font = self.bold if "1" in p.attrs else self.font
        text_from = None
        chunk: list[str] = []

        def flush() -> None:
            if text_from is not None and "".join(chunk).strip():
                d.text((m.x(text_from), top), "".join(chunk), font=font, fill=fg)

        x = start
        while x < end:
            ch = row[x][0]
            wide = x + 1 < end and row[x + 1][0] == WIDE_TAIL
            if ch in DRAWN or wide:
                flush()
                text_from, chunk = None, []
                self._glyph(ch, x, 2 if wide else 1, top, fg, bg, font)
            elif ch != WIDE_TAIL:
                if text_from is None:
                    text_from = x
                chunk.append(ch)
            x += 1
        flush()
        if "4" in p.attrs or "9" in p.attrs:
            ys = []
            if "4" in p.attrs:
                ys.append(top + m.ascent + 1)
            if "9" in p.attrs:
                ys.append(top + m.cell_h // 2)
            for ly in ys:
                d.line((m.x(start), ly, m.x(end) - 1, ly), fill=fg)

    def _glyph(
        self, ch: str, col: int, span: int, top: int, fg: Ink, bg: Ink, font: ImageFont.FreeTypeFont
    ) -> None:
        m, d = self.m, self._draw
        x0, x1 = m.x(col), m.x(col + span)
        w, h = x1 - x0, m.cell_h
        if ch in _BLOCKS:
            for fx0, fy0, fx1, fy1 in _BLOCKS[ch]:
                box = (x0 + round(fx0 * w), top + round(fy0 * h))
                end = (x0 + round(fx1 * w) - 1, top + round(fy1 * h) - 1)
                if end[0] >= box[0] and end[1] >= box[1]:
                    d.rectangle((*box, *end), fill=fg)
        elif ch in _SHADES:
            tile = _shade_tile(_SHADES[ch], fg, bg, w, h, self.image.mode)
            self.image.paste(tile, (x0, top))
        elif ch in _BOX or ch in _HEAVY_BOX:
            arms = _BOX.get(ch) or _HEAVY_BOX[ch]
            t = max(1, round(h / 14)) * (2 if ch in _HEAVY_BOX else 1)
            cx, cy = x0 + (w - t) // 2, top + (h - t) // 2
            if "u" in arms:
                d.rectangle((cx, top, cx + t - 1, cy + t - 1), fill=fg)
            if "d" in arms:
                d.rectangle((cx, cy, cx + t - 1, top + h - 1), fill=fg)
            if "l" in arms:
                d.rectangle((x0, cy, cx + t - 1, cy + t - 1), fill=fg)
            if "r" in arms:
                d.rectangle((cx, cy, x1 - 1, cy + t - 1), fill=fg)
        elif ch.strip():
            d.text((x0, top), ch, font=font, fill=fg)

    def png(self) -> bytes:
        buf = io.BytesIO()
        self.image.save(buf, format="PNG", compress_level=6)
        return buf.getvalue()

    def cell_box(self, col: int, row: int) -> tuple[int, int, int, int]:
        """The pixels of one cell (tests look at the colour inside it)."""
        return (self.m.x(col), row * self.m.cell_h, self.m.x(col + 1), (row + 1) * self.m.cell_h)

    def row_band(self, rows: list[int]) -> tuple[int, int, int, int]:
        """The box of pixel rows that holds the given text rows (for GIF deltas)."""
        top, bottom = min(rows), max(rows) + 1
        return (0, top * self.m.cell_h, self.size[0], bottom * self.m.cell_h)


def picture_size(
    cols: int, rows: int, font_size: int = DEFAULT_FONT_SIZE, font: str | None = None
) -> tuple[int, int]:
    """The pixels a screen of cols x rows cells takes (FontError without a font)."""
    regular, _bold = find_font(font)
    f = _load(regular, font_size)
    ascent, descent = f.getmetrics()
    return round(cols * f.getlength("M")), rows * (ascent + descent)


def png_bytes(grid: Grid, font_size: int = DEFAULT_FONT_SIZE, font: str | None = None) -> bytes:
    """The PNG of one screen (the caller writes it atomically)."""
    canvas = Canvas(grid.width, grid.height, font_size, font)
    canvas.draw_grid(grid)
    return canvas.png()
