"""Reading casts back the way a player does: a VT emulator (pyte) fed the output events."""

from __future__ import annotations

import json
from pathlib import Path

import pyte


def read_cast(path: Path) -> tuple[dict[str, object], list[list[object]]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return json.loads(lines[0]), [json.loads(line) for line in lines[1:]]


def size_of(header: dict[str, object]) -> tuple[int, int]:
    if header["version"] == 2:
        return int(header["width"]), int(header["height"])  # type: ignore[call-overload]
    term = header["term"]
    assert isinstance(term, dict)
    return int(term["cols"]), int(term["rows"])


def replay(header: dict[str, object], events: list[list[object]]) -> list[str]:
    """The screen a terminal shows after playing every output event."""
    w, h = size_of(header)
    screen = pyte.Screen(w, h)
    stream = pyte.Stream(screen)
    for _t, code, data in events:
        if code == "o":
            stream.feed(str(data))
    return [line.rstrip() for line in screen.display]


def screens(header: dict[str, object], events: list[list[object]]) -> list[tuple[float, list[str]]]:
    """(time, screen) after each output event (v2 stamps: seconds since the start)."""
    w, h = size_of(header)
    screen = pyte.Screen(w, h)
    stream = pyte.Stream(screen)
    out = []
    for t, code, data in events:
        if code == "o":
            stream.feed(str(data))
            out.append((float(t), [line.rstrip() for line in screen.display]))  # type: ignore[arg-type]
    return out
