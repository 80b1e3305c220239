"""Find the line of a TOML document that a location path points at.

tomllib returns plain dicts without positions, so this module rescans the text, but
only when an error is reported.  It understands just enough TOML to be reliable on
any document that tomllib accepted: table headers (`[a.b]`, `[[a.b]]`, quoted key
parts), `key = value` lines (dotted and quoted keys), values spanning several lines
(arrays, inline tables, multi-line strings) and comments.  It maps

    ("mm", 2)                      -> the line of the third `[[mm]]` header
    ("mm", 2, "vma", 0, "pages")   -> the `pages =` line of that mm's first vma
    ("mm", 2, "vma", 0, "swapped", 7) -> the line where element 7 of `swapped` starts

and falls back to the nearest enclosing thing it knows (the key, then the table),
or None when not even that is in the text (a generated scenario, a missing table).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable

from models.scenario.errors import Loc

_BARE_KEY = re.compile(r"\s*([A-Za-z0-9_-]+(?:\s*\.\s*[A-Za-z0-9_-]+)*)\s*")
_BARE_PART = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPE_FREE = re.compile(r"[\"'#]")

# (line index, column) of the first character after `=`
_Pos = tuple[int, int]
# called with (line index) whenever an element of the watched array starts
_OnElement = Callable[[int], None]


class _ValueScanner:
    """Tracks bracket depth and multi-line strings across the lines of a value."""

    def __init__(self) -> None:
        self.depth = 0
        self.multiline: str | None = None  # '"""' or "'''" while inside one

    @property
    def idle(self) -> bool:
        return self.depth == 0 and self.multiline is None

    def feed(self, line: str, col: int, lineno: int, on_element: _OnElement | None = None) -> None:
        if on_element is None and self.multiline is None and not _ESCAPE_FREE.search(line, col):
            # Fast path for the bulk of big files: lines of numbers and brackets.
            part = line[col:]
            self.depth += part.count("[") + part.count("{") - part.count("]") - part.count("}")
            return
        self._feed_chars(line, col, lineno, on_element)

    def _feed_chars(self, line: str, i: int, lineno: int, on_element: _OnElement | None) -> None:
        n = len(line)
        while i < n:
            if self.multiline is not None:
                end = _find_closing(line, i, self.multiline)
                if end < 0:
                    return
                self.multiline = None
                i = end
                continue
            c = line[i]
            if c in " \t\r":
                i += 1
                continue
            if c == "#":
                return
            if on_element is not None and self.depth == 1 and c not in ",]}":
                on_element(lineno)
            if c in "\"'":
                triple = c * 3
                if line.startswith(triple, i):
                    self.multiline = triple
                    i += 3
                    continue
                i = _skip_string(line, i + 1, c)
                continue
            if c in "[{":
                self.depth += 1
            elif c in "]}":
                self.depth -= 1
            i = _skip_token(line, i + 1) if c not in "[]{},=" else i + 1


def _skip_token(line: str, i: int) -> int:
    """Past a bare value (number, boolean, date) so its characters are not re-examined."""
    n = len(line)
    while i < n and line[i] not in " \t\r,]}#":
        i += 1
    return i


def _skip_string(line: str, i: int, quote: str) -> int:
    n = len(line)
    while i < n:
        c = line[i]
        if c == "\\" and quote == '"':
            i += 2
            continue
        if c == quote:
            return i + 1
        i += 1
    return n


def _find_closing(line: str, i: int, delim: str) -> int:
    """Index just past the delimiter closing a multi-line string, or -1."""
    while True:
        j = line.find(delim, i)
        if j < 0:
            return -1
        if delim == '"""':
            backslashes = 0
            k = j - 1
            while k >= i and line[k] == "\\":
                backslashes += 1
                k -= 1
            if backslashes % 2:
                i = j + 1
                continue
        j += 3
        # TOML allows one or two quotes of content right before the closing delimiter.
        while j < len(line) and line[j] == delim[0] and j - i < 5:
            j += 1
        return j


def _parse_key(text: str, i: int, stop: str) -> tuple[tuple[str, ...], int] | None:
    """Parse a (dotted, maybe quoted) key starting at i, up to the `stop` character.

    Returns the key parts and the index of `stop`, or None if this is not a key.
    """
    m = _BARE_KEY.match(text, i)
    if m and m.end() < len(text) and text[m.end()] == stop:
        return tuple(p.strip() for p in m.group(1).split(".")), m.end()
    parts: list[str] = []
    n = len(text)
    while i < n:
        while i < n and text[i] in " \t":
            i += 1
        if i >= n:
            return None
        c = text[i]
        if c in "\"'":
            j = _skip_string(text, i + 1, c)
            try:
                parts.append(str(tomllib.loads("k = " + text[i:j])["k"]))
            except tomllib.TOMLDecodeError:
                return None
            i = j
        else:
            m = _BARE_PART.match(text, i)
            if not m:
                return None
            parts.append(m.group(0))
            i = m.end()
        while i < n and text[i] in " \t":
            i += 1
        if i < n and text[i] == ".":
            i += 1
            continue
        if i < n and text[i] == stop:
            return tuple(parts), i
        return None
    return None


class _Index:
    """Line numbers of every table header and key of one document."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.line_of: dict[Loc, int] = {}
        self.value_at: dict[Loc, _Pos] = {}
        self._build()

    def _remember(self, path: Loc, lineno: int) -> None:
        self.line_of.setdefault(path, lineno)

    def _build(self) -> None:
        scanner = _ValueScanner()
        array_counts: dict[Loc, int] = {}  # next index of each array of tables
        table: Loc = ()
        for idx, line in enumerate(self.lines):
            if not scanner.idle:
                scanner.feed(line, 0, idx)
                continue
            stripped = line.lstrip()
            col0 = len(line) - len(stripped)
            if not stripped or stripped[0] == "#":
                continue
            if stripped[0] == "[":
                is_array = stripped.startswith("[[")
                key = _parse_key(line, col0 + (2 if is_array else 1), "]")
                if key is None:
                    continue
                table = self._resolve(key[0], array_counts, is_array)
                self._remember(table, idx + 1)
                if is_array:
                    self._remember(table[:-1], idx + 1)
                continue
            key = _parse_key(line, col0, "=")
            if key is None:
                continue
            names, eq = key
            path = table + names
            self._remember(path, idx + 1)
            self.value_at.setdefault(path, (idx, eq + 1))
            scanner.feed(line, eq + 1, idx)

    @staticmethod
    def _resolve(names: tuple[str, ...], counts: dict[Loc, int], is_array: bool) -> Loc:
        """Turn header names into a concrete path, indexing arrays of tables."""
        path: Loc = ()
        for name in names[:-1]:
            path += (name,)
            if path in counts:
                path += (counts[path] - 1,)
        path += (names[-1],)
        if is_array:
            n = counts.get(path, 0)
            counts[path] = n + 1
            path += (n,)
        return path

    def element_line(self, path: Loc, index: int) -> int | None:
        """Line where element `index` of the array value of key `path` starts."""
        pos = self.value_at.get(path)
        if pos is None:
            return None
        found: list[int] = []

        def on_element(lineno: int) -> None:
            found.append(lineno)

        scanner = _ValueScanner()
        lineno, col = pos
        while lineno < len(self.lines):
            scanner.feed(self.lines[lineno], col, lineno, on_element)
            if len(found) > index:
                return found[index] + 1
            if scanner.idle:
                return None
            lineno, col = lineno + 1, 0
        return None


def locate(text: str, loc: Loc) -> int | None:
    """1-based line for `loc` in `text`, the nearest enclosing known spot, or None."""
    index = _Index(text.split("\n"))
    for cut in range(len(loc), 0, -1):
        prefix = loc[:cut]
        line = index.line_of.get(prefix)
        if line is None:
            continue
        if cut < len(loc) and isinstance(loc[cut], int):
            element = index.element_line(prefix, int(loc[cut]))
            if element is not None:
                return element
        return line
    return None
