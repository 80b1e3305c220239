"""The recording script language: one command a line, checked whole before recording.

A script is what a presenter would do at the keyboard, written down so a recording
can be made again byte for byte.  Only `play DURATION`, `wait DURATION`, `step` and
`back` take time; every other command changes the screen at once, and the change is
seen in the next frame.  Parsing checks every name and number up front, so a typo
on line 40 fails before a minute of recording rather than after it.
"""

from __future__ import annotations

import re
import shlex
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import themes
from models.algorithms import ALGORITHMS
from models.events import GRANULARITIES
from models.readahead import POLICIES
from models.scenario_model import DISK_KINDS
from swaptui.errors import UsageError
from swaptui.viewer.player import SPEEDS

# keys a recording cannot drive: they open an input box (its cursor blinks on the
# wall clock, so two recordings would differ), write files, or end the app
REFUSED_KEYS = {
    "o": "opens a file prompt",
    "ctrl+p": "opens the command palette",
    "ctrl+s": "writes a screenshot file (use --svg-dir)",
    "q": "quits the app (the script's end ends the recording)",
    "ctrl+q": "quits the app (the script's end ends the recording)",
    "ctrl+c": "quits the app (the script's end ends the recording)",
}

_DURATION = re.compile(r"^(\d+(?:\.\d+)?|\.\d+)(ms|s)?$")
# a recording is minutes long: a longer wait or play is a typo (and would record for
# days), as is a step count beyond any run's frames
MAX_SECONDS = 3600.0
MAX_COUNT = 1_000_000
_MODIFIERS = ("ctrl", "shift", "alt", "meta", "super")
_NAMED_KEYS = {
    "escape", "enter", "return", "tab", "space", "backspace", "delete", "insert",
    "home", "end", "pageup", "pagedown", "up", "down", "left", "right",
    *(f"f{i}" for i in range(1, 25)),
}  # fmt: skip


class ScriptError(UsageError):
    """A script line that cannot be run: `NAME:LINE: what is wrong`."""


@dataclass(frozen=True)
class Command:
    """One script line.  `seconds` is set for the commands that take time."""

    line: int
    name: str
    args: tuple[str, ...] = ()
    seconds: float | None = None
    count: int = 1


@dataclass(frozen=True)
class Script:
    name: str
    commands: tuple[Command, ...]

    def where(self, cmd: Command) -> str:
        return f"{self.name}:{cmd.line}"

    @property
    def uses_race(self) -> bool:
        return any(c.name == "race" and c.args == ("on",) for c in self.commands)


# ---- built-in scripts ---------------------------------------------------------------
def _builtin_dir() -> Path:
    return Path(str(resources.files("swaptui.record") / "scripts"))


def builtin_names() -> list[str]:
    folder = _builtin_dir()
    return sorted(p.stem for p in folder.glob("*.txt")) if folder.is_dir() else []


def builtin_summary(name: str) -> str:
    """The first comment line of a built-in script: what it shows."""
    for raw in (_builtin_dir() / f"{name}.txt").read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("#"):
            return line.lstrip("#").strip()
        if line:
            break
    return ""


def load_script(ref: str) -> Script:
    """A script file, or the name of a built-in one; ScriptError/UsageError if unusable."""
    path = Path(ref)
    if path.is_file():
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise UsageError(f"--script {ref}: cannot read it ({e})") from None
        return parse(text, path.name)
    if ref in builtin_names():
        text = (_builtin_dir() / f"{ref}.txt").read_text(encoding="utf-8")
        return parse(text, f"{ref}.txt")
    builtin = ", ".join(builtin_names()) or "none"
    raise UsageError(f"--script {ref}: no such file or built-in script (built-in: {builtin})")


# ---- parsing --------------------------------------------------------------------------
def parse_duration(text: str) -> float | None:
    """`3s`, `1.5s`, `250ms` or a bare number of seconds; None if it is not one."""
    m = _DURATION.match(text)
    if m is None:
        return None
    value = float(m.group(1))
    return value / 1000 if m.group(2) == "ms" else value


def known_key(name: str) -> bool:
    """A key Textual can press: one printable character or a key name like `ctrl+left`."""
    if len(name) == 1:
        return name.isprintable() and not name.isspace()
    *mods, base = name.split("+")
    if any(m not in _MODIFIERS for m in mods) or not base:
        return False
    if len(base) == 1 or base in _NAMED_KEYS:
        return True
    # Textual names punctuation by its Unicode name: `question_mark`, `left_square_bracket`
    try:
        return len(unicodedata.lookup(base.replace("_", " ").upper())) == 1
    except KeyError:
        return False


def parse(text: str, name: str = "script") -> Script:
    commands: list[Command] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        where = f"{name}:{lineno}"
        try:
            words = shlex.split(raw, comments=True)
        except ValueError as e:  # an unclosed quote
            raise ScriptError(f"{where}: {e}") from None
        if not words:
            continue
        try:
            commands.append(_command(lineno, words[0], words[1:]))
        except _LineError as e:
            raise ScriptError(f"{where}: {e}") from None
    return Script(name, tuple(commands))


class _LineError(Exception):
    pass


def _one_of(value: str, choices: tuple[str, ...] | list[str], what: str) -> str:
    if value not in choices:
        raise _LineError(f"unknown {what} {value!r} (choose from {', '.join(choices)})")
    return value


def _duration(word: str) -> float:
    seconds = parse_duration(word)
    if seconds is None:
        raise _LineError(f"{word!r} is not a duration (like 3s, 1.5s or 250ms)")
    if seconds > MAX_SECONDS:
        raise _LineError(f"{word}: at most {MAX_SECONDS:g}s (an hour) in one command")
    return seconds


def _count(word: str) -> int:
    if not word.isdigit() or int(word) < 1:
        raise _LineError(f"{word!r} is not a count (a whole number from 1)")
    if len(word) > 7 or int(word) > MAX_COUNT:
        raise _LineError(f"{word}: at most {MAX_COUNT:,} steps in one command")
    return int(word)


def _nargs(cmd: str, args: list[str], low: int, high: int, usage: str) -> None:
    if not low <= len(args) <= high:
        raise _LineError(f"usage: {cmd} {usage}".rstrip())


def _command(line: int, cmd: str, args: list[str]) -> Command:
    if cmd == "play":
        _nargs(cmd, args, 0, 1, "[DURATION]   (no duration: until the last frame)")
        return Command(line, cmd, seconds=_duration(args[0]) if args else None)
    if cmd == "wait":
        _nargs(cmd, args, 1, 1, "DURATION")
        return Command(line, cmd, seconds=_duration(args[0]))
    if cmd == "pause":
        _nargs(cmd, args, 0, 0, "")
        return Command(line, cmd)
    if cmd in ("step", "back"):
        _nargs(cmd, args, 0, 1, "[COUNT]")
        return Command(line, cmd, count=_count(args[0]) if args else 1)
    if cmd == "granularity":
        _nargs(cmd, args, 1, 1, "|".join(GRANULARITIES))
        return Command(line, cmd, (_one_of(args[0], GRANULARITIES, "granularity"),))
    if cmd == "algo":
        _nargs(cmd, args, 1, 1, "|".join(ALGORITHMS))
        return Command(line, cmd, (_one_of(args[0], ALGORITHMS, "algorithm"),))
    if cmd == "disk":
        _nargs(cmd, args, 1, 1, "|".join(DISK_KINDS))
        return Command(line, cmd, (_one_of(args[0], DISK_KINDS, "disk"),))
    if cmd == "readahead":
        _nargs(cmd, args, 1, 1, "default|" + "|".join(POLICIES))
        return Command(line, cmd, (_one_of(args[0], ("default", *POLICIES), "readahead"),))
    if cmd == "speed":
        speeds = tuple(str(s) for s in SPEEDS)
        _nargs(cmd, args, 1, 1, "FRAMES_PER_SECOND")
        return Command(line, cmd, (_one_of(args[0], speeds, "speed"),))
    if cmd == "theme":
        _nargs(cmd, args, 1, 1, "NAME")
        resolved = themes.resolve(args[0])
        if resolved is None:
            _one_of(args[0], list(themes.SHORT_NAMES), "theme")
        return Command(line, cmd, (str(resolved),))
    if cmd == "race":
        _nargs(cmd, args, 1, 1, "on|off")
        return Command(line, cmd, (_one_of(args[0], ("on", "off"), "race setting"),))
    if cmd == "key":
        _nargs(cmd, args, 1, 32, "KEY [KEY ...]")
        for key in args:
            if key in REFUSED_KEYS:
                raise _LineError(f"key {key}: {REFUSED_KEYS[key]}, which a recording cannot do")
            if not known_key(key):
                raise _LineError(f"key {key!r}: not a key name (like t, space, left, ctrl+left)")
        return Command(line, cmd, tuple(args))
    if cmd == "caption":
        if args == ["off"] or not args:
            return Command(line, cmd)  # no text: take the caption down
        _nargs(cmd, args, 1, 2, '"TEXT" [DURATION]   or   caption off')
        seconds = _duration(args[1]) if len(args) == 2 else None
        if not args[0].strip():
            return Command(line, cmd)
        return Command(line, cmd, (args[0],), seconds=seconds)
    known = (
        "play, pause, step, back, wait, granularity, algo, disk, readahead, speed, "
        "theme, race, key, caption"
    )
    raise _LineError(f"unknown command {cmd!r} (commands: {known})")
