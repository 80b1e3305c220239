"""Error types shared by the scenario parser, validator and generator.

`Problem` is raised deep inside parsing and validation, where the file's text and
name are not at hand; it carries a *location* (a path into the TOML document) that
the loader turns into a line number only when an error is actually reported, so the
common case (a valid file) never pays for line finding.
"""

from __future__ import annotations

Loc = tuple[str | int, ...]


class ScenarioError(Exception):
    """A scenario that cannot be used: unreadable file, TOML syntax or a broken rule.

    `str(e)` is `FILE:LINE: message`, or `FILE: message` when no line is known.
    """

    def __init__(
        self, filename: str, line: int | None, message: str, column: int | None = None
    ) -> None:
        self.filename = filename
        self.line = line
        self.column = column
        self.message = message
        super().__init__(str(self))

    def __reduce__(self) -> tuple[type[ScenarioError], tuple[str, int | None, str, int | None]]:
        # Exception pickles its args (the formatted text); rebuild from the fields.
        return (type(self), (self.filename, self.line, self.message, self.column))

    def __str__(self) -> str:
        if self.line is None:
            return f"{self.filename}: {self.message}"
        return f"{self.filename}:{self.line}: {self.message}"


def format_path(path: Loc) -> str:
    """("mm", 2, "vma", 0) -> "mm[2].vma[0]"."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


class Problem(Exception):
    """One broken rule, before it is tied to a file and a line.

    `where` is the path shown in the message (e.g. `mm[2].vma[0]`); `at` extends it
    to the exact spot used for finding the line (e.g. `("swapped", 5)`), which the
    message does not need to repeat.
    """

    def __init__(self, where: Loc, message: str, at: Loc = ()) -> None:
        self.where = where
        self.at = at
        self.problem = message
        super().__init__(self.message)

    @property
    def loc(self) -> Loc:
        return self.where + self.at

    @property
    def message(self) -> str:
        path = format_path(self.where)
        return f"{path}: {self.problem}" if path else self.problem
