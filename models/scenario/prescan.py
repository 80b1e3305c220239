"""What is refused before the TOML parser runs: text too big, keys too deep, arrays
too long.

tomllib's memory and time grow with the square of a dotted key's parts (it records
every prefix of the key), so one 40,000-part key in an 80 KB file took 6.3 GB, and a
few thousand parts took minutes.  No scenario key has more than two parts, so a key
of more than MAX_KEY_PARTS is refused here, with its line, before tomllib sees it.

Finding keys without parsing: a dotted key lies on one line (TOML allows spaces and
tabs around the dots, not newlines), and needs a dot per extra part.  Dots are rare in
a scenario (no address, slot or page number has one), so only the lines with enough
of them are looked at closely, which keeps this to a few per cent of the parse time.

Counting without parsing: the parser holds about 11 bytes per byte of text, so a file
just under the size limit that is all resident ranges would take 350 MB and half a
minute before the exact count refused it.  In the form export and capture write
(`swapped = [` or `resident = [` at a line's start, the pairs on the lines up to the
next key or table), the pairs are the `[` in between, counted at C speed.  A stretch
holding a comment or a string is left to the exact count after parsing, as are
inline tables: the estimate never refuses a file the exact count would accept.
"""

from __future__ import annotations

import re

from models.scenario.errors import ScenarioError
from models.scenario.limits import (
    MAX_FILE_BYTES,
    MAX_KEY_PARTS,
    MAX_MMS,
    MAX_REFERENCES,
    MAX_RESIDENT_RANGES,
    MAX_TOTAL_VMAS,
    over_limit,
)

# a bare key part, or a quoted one (basic with escapes, or literal)
_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')"""
# a key where keys start: at a line's start (after the brackets of a table header),
# or after the `{` or `,` of an inline table; more than MAX_KEY_PARTS parts
_DEEP_KEY = re.compile(
    rf"(?:^|[{{,])[ \t]*\[{{0,2}}[ \t]*({_PART}(?:[ \t]*\.[ \t]*{_PART}){{{MAX_KEY_PARTS},}})",
    re.MULTILINE,
)
_PART_RE = re.compile(_PART)
_DOT = re.compile(r"\.")


def check_size(size: int, filename: str, what: str = "is") -> None:
    if size > MAX_FILE_BYTES:
        raise ScenarioError(
            filename,
            None,
            f"{what} too large: {size:,} bytes, the limit is {MAX_FILE_BYTES >> 20} MiB "
            "(write a machine this big as a [generate] recipe)",
        )


def check_key_depth(text: str, filename: str) -> None:
    """ScenarioError at the first key with more than MAX_KEY_PARTS dotted parts."""
    line_end = -1
    dots = 0
    for dot in _DOT.finditer(text):
        pos = dot.start()
        if pos > line_end:  # a new line: count its dots from here
            line_end = text.find("\n", pos)
            if line_end < 0:
                line_end = len(text)
            dots = 0
        dots += 1
        if dots == MAX_KEY_PARTS:  # enough dots on this line for a key too deep
            start = text.rfind("\n", 0, pos) + 1
            m = _DEEP_KEY.search(text, start, line_end)
            if m is not None:
                key = m.group(1)
                parts = len(_PART_RE.findall(key))
                shown = key if len(key) <= 40 else key[:40] + "…"
                raise ScenarioError(
                    filename,
                    text.count("\n", 0, start) + 1,
                    f"the key {shown} has {parts:,} dotted parts, the limit is "
                    f"{MAX_KEY_PARTS} (a scenario's keys have at most 2)",
                )


# a line that starts a key or a table (continuation lines of an array start with
# `[digit`, `]` or spaces); group 1: the arrays counted here
_KEY_LINE = re.compile(
    r"""^[ \t]*(?:(resident|swapped)[ \t]*=|[A-Za-z0-9_"'-]|\[\[?[ \t]*[A-Za-z_"'])""",
    re.MULTILINE,
)
_ARRAY_NOUNS = {"resident": "resident ranges", "swapped": "swapped references"}


def check_counts(text: str, filename: str) -> None:
    """ScenarioError if the explicit form's arrays, VMAs or mms are certainly too many."""
    for header, where, noun, limit in (
        ("[[mm]]", "mm", "mms", MAX_MMS),
        ("[[mm.vma]]", "mm.vma", "VMAs in all mms together", MAX_TOTAL_VMAS),
    ):
        count = text.count(header)
        if count > limit:
            at = -1
            for _ in range(limit + 1):  # the first header over the limit
                at = text.find(header, at + 1)
            line = text.count("\n", 0, at) + 1
            raise ScenarioError(filename, line, f"{where}: {over_limit(noun, limit, count)}")
    totals = dict.fromkeys(_ARRAY_NOUNS, 0)
    pending: tuple[str, int, int] | None = None  # (key, line start, value start)
    for m in _KEY_LINE.finditer(text):
        if pending is not None:
            _count(text, filename, pending, m.start(), totals)
            pending = None
        if m.group(1) is not None:
            pending = (m.group(1), m.start(), m.end())
    if pending is not None:
        _count(text, filename, pending, len(text), totals)


def _count(
    text: str, filename: str, pending: tuple[str, int, int], end: int, totals: dict[str, int]
) -> None:
    key, line_start, start = pending
    if text.count("#", start, end) or text.count('"', start, end) or text.count("'", start, end):
        return  # a comment or a string may hold brackets: the exact count decides
    totals[key] += max(0, text.count("[", start, end) - 1)  # minus the array's own
    noun = _ARRAY_NOUNS[key]
    limit = MAX_RESIDENT_RANGES if key == "resident" else MAX_REFERENCES
    if totals[key] > limit:
        raise ScenarioError(
            filename, text.count("\n", 0, line_start) + 1, f"{key}: {over_limit(noun, limit)}"
        )
