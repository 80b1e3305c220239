"""What a capture says about itself: the notes of the comment block, and how it names things.

Every guess and every repair adds a line to `Notes`; `Namer` writes names as they are, or
as stable placeholders with --anonymize; `printable` keeps a name from /proc (which may
hold a newline or an escape sequence) to one harmless line.
"""

from __future__ import annotations

from collections.abc import Iterable

from attrs import define, field

from swaptui.capture.proc import ProcRead, SwapArea


@define
class Notes:
    """Lines for the comment block: fixed approximations, then what this capture ran into."""

    approximations: list[str] = field(factory=list)
    resolved: list[str] = field(factory=list)
    skipped: list[str] = field(factory=list)

    def count(self) -> int:
        return len(self.approximations) + len(self.resolved) + len(self.skipped)


class Namer:
    """Process and file names as written, or stable placeholders with --anonymize.

    Placeholders are numbered by first use, and the same name always gets the same
    placeholder, so "three processes called proc-2" still reads as it did.
    """

    def __init__(self, anonymize: bool) -> None:
        self.anonymize = anonymize
        self._comms: dict[str, str] = {}
        self._files: dict[str, str] = {}

    def comm(self, comm: str) -> str:
        if not self.anonymize:
            return comm
        return self._comms.setdefault(comm, f"proc-{len(self._comms) + 1}")

    def file(self, name: str) -> str:
        if not self.anonymize:
            return name
        return self._files.setdefault(name, f"file-{len(self._files) + 1}")

    def area(self, area: SwapArea) -> str:
        return "the swap area" if self.anonymize else area.filename

    def proc(self, p: ProcRead) -> str:
        return f"{p.pid} ({self.comm(p.comm)})"


def plural(n: int, word: str) -> str:
    if n == 1:
        return f"{n} {word}"
    return f"{n} {word}es" if word.endswith("s") else f"{n} {word}s"


def printable(text: str) -> str:
    """`text` with every character a terminal or TOML comment would not show as itself
    (controls, escapes, line separators) replaced by '?'."""
    return "".join(c if c.isprintable() else "?" for c in text)


def pid_list(pids: Iterable[int], limit: int = 8) -> str:
    items = sorted(pids)
    shown = ", ".join(str(p) for p in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")
