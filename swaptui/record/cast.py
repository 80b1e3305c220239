"""Asciicast v2 and v3 text, built from frames stamped with whole ticks of the clock.

Times are kept as tick numbers and turned into seconds only when written, so a frame
rate like 30 fps never accumulates float error and two recordings of the same inputs
give the same bytes.  v2 stamps each event with its time since the start, v3 with the
time since the previous event (asciinema's format documents, v2 and v3).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

TERM_TYPE = "xterm-256color"
# written to the header so players and agg know the colours are 24-bit
ENV = {"TERM": TERM_TYPE, "COLORTERM": "truecolor"}
# what a Textual app writes when it exits: attributes off, cursor back on
RESTORE = "\x1b[0m\x1b[?25h"


def seconds(ticks: int, fps: float) -> float:
    # six decimals, as asciinema writes them: enough for any frame rate we accept
    return round(ticks / fps, 6)


@dataclass
class Cast:
    width: int
    height: int
    fps: float
    title: str = ""
    version: int = 2
    timestamp: int | None = None  # a Unix time, only when the user asks for one
    events: list[tuple[int, str, str]] = field(default_factory=list)  # (tick, code, data)
    end_tick: int = 0

    def output(self, tick: int, data: str) -> None:
        """Add output: the first screen whole, then what changed since the one before."""
        self.events.append((tick, "o", data))

    def marker(self, tick: int, label: str) -> None:
        """A chapter mark (asciinema's player lists them): one per caption."""
        self.events.append((tick, "m", label))

    @property
    def frames(self) -> int:
        return sum(1 for _t, code, _d in self.events if code == "o")

    @property
    def duration(self) -> float:
        return seconds(self.end_tick, self.fps)

    def header(self) -> dict[str, object]:
        head: dict[str, object] = {"version": self.version}
        if self.version == 2:
            head.update(width=self.width, height=self.height)
        else:
            head["term"] = {"cols": self.width, "rows": self.height, "type": TERM_TYPE}
        if self.timestamp is not None:
            head["timestamp"] = self.timestamp
        if self.version == 2:
            head["duration"] = self.duration  # v3 headers have no duration field
        if self.title:
            head["title"] = self.title
        head["env"] = dict(ENV)
        return head

    def dumps(self) -> str:
        """The whole file: a header line, one event a line, the terminal restored last."""
        lines = [_json(self.header())]
        prev = 0
        events = [*self.events, (max(self.end_tick, self._last_tick()), "o", RESTORE)]
        for tick, code, data in events:
            stamp = seconds(tick, self.fps) if self.version == 2 else seconds(tick - prev, self.fps)
            prev = tick
            lines.append(_json([stamp, code, data]))
        return "\n".join(lines) + "\n"

    def _last_tick(self) -> int:
        return self.events[-1][0] if self.events else 0


def _json(value: object) -> str:
    # escape sequences are control characters, which JSON escapes anyway; the box and
    # block glyphs stay UTF-8 (3 bytes) instead of \uXXXX (6 bytes)
    return json.dumps(value, ensure_ascii=False)
