"""The head chart rasterised: every disk request of a run as quadrant-block pixels
(2 x 2 a character), with the seek from the previous request drawn as a line, computed
once per run, span and size so that a frame only picks which requests are bright.
"""

from __future__ import annotations

from attrs import frozen

from swaptui.viewer.zoom import SlotSpan

# quadrant blocks, 2 x 2 pixels a character: thick enough for a projector
QUADS = " ▘▝▀▖▌▞▛▗▚▐▜▄▙▟█"
PIX = ((1, 4), (2, 8))  # bit of the pixel (column in the cell, line in the cell)


@frozen
class Chart:
    """The static geometry of the chart for one run, width and height.

    `col_of[i]`: the character column of request i; `masks[i]`: the pixels it adds
    (the line from the previous request to its first slot, then its own slots) as
    (line, column, bits); `full[line]`: the whole run drawn in that line (a string);
    `firsts[c]`: the first request of column c or later; `wrote[line]`: per column,
    "1" where a write to the fresh area drew (it takes the fresh area's colour)."""

    width: int
    lines: int
    col_of: tuple[int, ...]
    masks: tuple[tuple[tuple[int, int, int], ...], ...]
    full: tuple[str, ...]
    firsts: tuple[int, ...]
    wrote: tuple[str, ...] = ()


def rasterise(
    reqs: tuple[tuple[int, int, int], ...],
    span: SlotSpan,
    width: int,
    lines: int,
    writes: frozenset[int] = frozenset(),
) -> Chart:
    """The chart of `reqs` ((head, first slot, pages) each, in issue order) over `span`
    in `width` x `lines` characters; `writes`: which of them are reclaim's writes."""
    total = len(reqs)
    xs, ys = 2 * width, 2 * lines
    top = max(1, span.size - 1)
    # more requests than pixel columns: draw where each one read, not the seeks between
    # them (every column would be a solid bar of seek lines): a sweep is still a ramp,
    # and a run that jumps about is a speckled storm over the whole height
    dense = total > xs

    def pix_y(slot: int) -> int:
        return (ys - 1) - min(span.size - 1, max(0, slot - span.lo)) * (ys - 1) // top

    col_of: list[int] = []
    masks: list[tuple[tuple[int, int, int], ...]] = []
    grid = [[0] * width for _ in range(lines)]
    wrote = [["0"] * width for _ in range(lines)]
    prev: tuple[int, int] | None = None
    for i, (_head, start, pages) in enumerate(reqs):
        if total < xs:  # few requests: centre each in its share of the width
            px = min(xs - 1, (2 * i + 1) * xs // (2 * total))
        else:
            px = min(xs - 1, i * xs // total)
        y0, y1 = pix_y(start), pix_y(start + pages - 1)
        pts: set[tuple[int, int]] = set()
        if prev is not None and not dense:  # the seek: a line from where the head was
            (x_a, y_a), (x_b, y_b) = prev, (px, y0)
            steps = max(abs(x_b - x_a), abs(y_b - y_a), 1)
            for k in range(steps + 1):
                pts.add((x_a + (x_b - x_a) * k // steps, y_a + (y_b - y_a) * k // steps))
        for y in range(min(y0, y1), max(y0, y1) + 1):
            pts.add((px, y))
        bits: dict[tuple[int, int], int] = {}
        for x, y in pts:
            c, dx = divmod(x, 2)
            line, dy = divmod(y, 2)
            bits[(line, c)] = bits.get((line, c), 0) | PIX[dx][dy]
        mask = tuple((line, c, b) for (line, c), b in sorted(bits.items()))
        for line, c, b in mask:
            grid[line][c] |= b
            if i in writes:
                wrote[line][c] = "1"
        col_of.append(px // 2)
        masks.append(mask)
        prev = (px, y1)
    full = tuple("".join(QUADS[b] for b in row) for row in grid)
    firsts = [total] * (width + 1)
    for i in range(total - 1, -1, -1):
        firsts[col_of[i]] = i
    for c in range(width - 1, -1, -1):
        firsts[c] = min(firsts[c], firsts[c + 1])
    return Chart(
        width,
        lines,
        tuple(col_of),
        tuple(masks),
        full,
        tuple(firsts),
        tuple("".join(row) for row in wrote),
    )
