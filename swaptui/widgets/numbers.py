"""One way to write a number on screen: counts, sizes and plurals (and `fit`, the
longest of a text's forms that has room).

Counts keep every digit up to 99,999 and three significant digits above, with a
suffix (611k, 22.7M, 5.77G), the same precision `models.narrate.duration`
gives times (41.3 ms, 2.12 s): the header, the counters, the disk head's title and
the race all write numbers this way.
"""

from __future__ import annotations

from collections.abc import Sequence

from models.scenario_model import PAGE_SIZE

_SUFFIXES = ((1e9, "G"), (1e6, "M"), (1e3, "k"))


def count(n: int) -> str:
    """12,800 / 611k / 22.7M / 5.77G."""
    if abs(n) < 100_000:
        return f"{n:,}"
    for scale, suffix in _SUFFIXES:
        if abs(n) >= scale:
            value = n / scale
            text = f"{value:.3g}"
            if "e" in text:  # 1000G and up: no exponent on screen
                text = f"{value:,.0f}"
            return text + suffix
    return f"{n:,}"  # pragma: no cover (|n| >= 100,000 always has a suffix)


def plural(n: int, word: str, words: str | None = None) -> str:
    """'1 slot', '2 slots', '611k slots' (`words`: an irregular plural)."""
    return f"{count(n)} {word if n == 1 else (words or word + 's')}"


def pages_size(pages: int) -> str:
    """The memory `pages` pages of 4 KiB take: 4 KB, 32 KB, 240 MB (binary units, as the
    presets' names use them: kelley-50m swaps 12,800 pages)."""
    size = pages * PAGE_SIZE
    for unit, name in ((1 << 30, "GB"), (1 << 20, "MB"), (1 << 10, "KB")):
        if size >= unit:
            value = size / unit
            return f"{value:.3g} {name}" if value < 1000 else f"{value:,.0f} {name}"
    return f"{size} B"


def fit(forms: Sequence[str], width: int) -> str:
    """The first (longest) of `forms` that fits in `width` columns, else the last."""
    for text in forms:
        if len(text) <= width:
            return text
    return forms[-1]
