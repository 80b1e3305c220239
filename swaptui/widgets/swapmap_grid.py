"""The swap_map's geometry and counting, apart from the widget that draws it: how a span
of slots fits a panel (cells of one slot or of a run of slots, their size, the row
labels, the legend's lines) and what one cell of a zoomed-out map counts.
"""

from __future__ import annotations

import functools

from attrs import frozen

from swaptui.widgets.numbers import count, plural
from themes import GLYPHS

EIGHTHS = " ▁▂▃▄▅▆▇█"
FREED = "○"
# every glyph a frame can show: the states, then the slot the frame is about and the
# one it just freed
LEGEND = (
    ("used", "in use"),
    ("shared", "shared"),
    ("shmem", "shmem"),
    ("cached", "swap cache"),
    ("head", "reading"),
    ("free", "free"),
    ("bad", "bad"),
    ("cursor", "in focus"),
    ("freed", "just freed"),
)


@frozen
class Grid:
    """Where the slots go: `per` slots a cell, `cw` columns a cell (gap included),
    `ch` lines a cell and `pitch` lines a grid row (a blank line between rows when
    there is room), `cols` cells a row after a `label`-wide slot number; `legend`
    lines of legend under the grid; `numbers`: the slot number is written in the cell;
    `tight`: the legend in its tightest form, with no blank line above it."""

    label: int
    cols: int
    per: int
    cw: int
    rows: int
    legend: int
    ch: int = 1
    pitch: int = 1
    numbers: bool = False
    tight: bool = False

    @property
    def lines(self) -> int:
        """Screen lines the grid takes."""
        return max(0, self.rows * self.pitch - (self.pitch - self.ch))


# the same, in a word each, for narrow panels
SHORT_LABELS = {"cached": "cache", "head": "read", "cursor": "focus", "freed": "freed"}
NARROW = 44  # below this width the legend uses SHORT_LABELS
# the tightest words, for a legend that would otherwise crowd out the map (80x24)
TIGHT_LABELS = {"used": "used"}


@functools.lru_cache(maxsize=256)
def legend_lines(
    width: int, cache: tuple[int, int] | None = None, tight: bool = False
) -> list[list[tuple[str, str]]]:
    """The legend as (text, state) pieces wrapped to the width (how many slots a cell
    holds is the panel's subtitle).  `cache`: the pages in the swap cache now and the
    most so far, written after its glyph (the memory a run costs, in plain sight).
    `tight`: one word a glyph, no space after the glyph and one between items, for a
    panel too short to give the legend more than a third of its lines."""
    gap = " " if tight else "  "
    items: list[list[tuple[str, str]]] = []
    for state, label in LEGEND:
        glyph = FREED if state == "freed" else GLYPHS[state]
        if tight:
            label = TIGHT_LABELS.get(state, SHORT_LABELS.get(state, label))
        elif width < NARROW:
            label = SHORT_LABELS.get(state, label)
        if state == "cached" and cache is not None:
            now, peak = cache
            label += (
                f" {count(now)} (peak {count(peak)})"
                if width < NARROW or tight
                else (f" {plural(now, 'page')} (peak {count(peak)})")
            )
        text = label if tight else f" {label}"
        items.append([(glyph, "cursor" if state == "freed" else state), (text, "dim")])
    lines: list[list[tuple[str, str]]] = [[]]
    used = 0
    for item in items:
        n = sum(len(t) for t, _ in item) + len(gap)
        if used and used + n - len(gap) > width:
            lines.append([])
            used = 0
        lines[-1].extend([*item, (gap, "dim")])
        used += n
    return lines


CELL_SHAPES = (
    (5, 6),
    (4, 5),
    (3, 4),
    (3, 3),
    (2, 3),
    (2, 2),
    (1, 2),
    (1, 1),
)  # (lines, pitch), best first


def shows_numbers(cw: int, ch: int, digits: int) -> bool:
    # one line: glyph and number side by side; taller: the number has a line of its own
    return cw - 1 >= digits + (1 if ch == 1 else 0)


@functools.lru_cache(maxsize=64)
def layout(slots: int, width: int, height: int, last: int | None = None) -> Grid:
    """The grid of `slots` cells-worth of slots in width x height; `last` is the highest
    slot number a row label may have to show (default slots - 1)."""
    label = len(str(max(slots - 1 if last is None else last, 0))) + 1
    if width - label < 8:
        label = 0
    avail = max(1, width - label)
    # room for the legend with the longest swap cache numbers it can show (no more
    # pages than slots; counts of 100,000 and up are written short: 262k)
    most = min(99_999, max(slots, last or 0))
    legend = len(legend_lines(width, (most, most))) if height >= 4 else 0
    tight = 3 * legend > height  # the legend would take more than a third of the panel
    if tight:
        legend = len(legend_lines(width, (most, most), tight=True))
    rows_avail = max(1, height - legend - (1 if legend and not tight else 0))
    if slots <= avail * rows_avail:
        digits = len(str(max(slots - 1, 0)))
        best: tuple[tuple[int, ...], Grid] | None = None
        for cols in range(1, min(slots, avail) + 1):
            cw = min(avail // cols, max(2 * digits + 4, 14))
            rows = -(-slots // cols)
            for ch, pitch in CELL_SHAPES:
                if rows * pitch - (pitch - ch) <= rows_avail and (cw > 2 or ch == 1):
                    break
            else:
                continue
            nums = shows_numbers(cw, ch, digits)
            # a cell looks square when it is about twice as wide as it is tall
            side = min(cw - 1, 2 * ch + 1)  # cw 1: no gap, the cells run together
            score = (
                side * ch,
                nums,
                cols % 8 == 0 or cols == slots,  # rows start at round numbers
                -abs(cols * cw - 2 * rows * pitch),  # a squarish grid
            )
            if best is None or score > best[0]:
                best = (score, Grid(label, cols, 1, cw, rows, legend, ch, pitch, nums, tight))
        assert best is not None
        g = best[1]
        if g.numbers:
            # every cell carries its number: a row label would repeat the first one's
            return Grid(0, g.cols, 1, g.cw, g.rows, legend, g.ch, g.pitch, True, tight)
        if g.cw > 2:
            # no number in the cell: the glyph and a gap read best, not a wide smear
            g = Grid(label, g.cols, 1, min(g.cw, 4), g.rows, legend, g.ch, g.pitch, tight=tight)
        return g
    per = -(-slots // (avail * rows_avail))
    cells = -(-slots // per)
    return Grid(label, avail, per, 1, -(-cells // avail), legend, tight=tight)


def tally_run(
    count: bytearray, cached: bytearray, shm: bytearray, bad: bytearray, a: int, b: int
) -> tuple[dict[str, int], int]:
    """How many slots of [a, b) are of each kind in use (used, shared, shmem, cached),
    and how many are bad: what one cell of a zoomed-out swap_map stands for."""
    n = b - a
    tally = {"used": 0, "shared": 0, "shmem": 0, "cached": 0}
    n_cached = n - cached[a:b].count(0)
    if (not n_cached or n_cached == n) and bad[a:b].count(0) == n and shm[a:b].count(0) == n:
        # no bad or tmpfs slot, and none or all of them cached: counted at C speed
        if n_cached:
            tally["cached"] = n
        else:
            counts = count[a:b]
            zero, one = counts.count(0), counts.count(1)
            tally["used"], tally["shared"] = one, n - zero - one
        return tally, 0
    n_bad = 0
    for s in range(a, b):
        if bad[s]:
            n_bad += 1
        elif cached[s]:
            tally["cached"] += 1
        elif count[s]:
            if shm[s]:
                tally["shmem"] += 1
            elif count[s] > 1:
                tally["shared"] += 1
            else:
                tally["used"] += 1
    return tally, n_bad
