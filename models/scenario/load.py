"""Text or file to a validated `Scenario`, with every failure as a ScenarioError."""

from __future__ import annotations

import os
import re
import stat
import tomllib
from collections.abc import Callable

from models.scenario.errors import Problem, ScenarioError
from models.scenario.limits import MAX_FILE_BYTES
from models.scenario.locate import locate
from models.scenario.parse import scenario_from_toml
from models.scenario.prescan import check_counts, check_key_depth, check_size
from models.scenario.validate import validate
from models.scenario_model import Scenario

# Told, before the work, when a legal scenario is big enough to take a while: a file
# above NOTE_BYTES (the parser reads about 2 MB/s), a recipe for more than
# NOTE_REFERENCES swapped pages (genspec.size_note).
Note = Callable[[str], None]
NOTE_BYTES = 4 << 20

_TOMLLIB_POSITION = re.compile(r"^(.*) \(at line (\d+), column (\d+)\)$", re.DOTALL)
_TOMLLIB_END = re.compile(r"^(.*) \(at end of document\)$", re.DOTALL)


def _syntax_error(e: tomllib.TOMLDecodeError, text: str, filename: str) -> ScenarioError:
    message = str(e)
    line: int | None = None
    column: int | None = None
    m = _TOMLLIB_POSITION.match(message)
    if m:
        message, line, column = m.group(1), int(m.group(2)), int(m.group(3))
    else:
        m = _TOMLLIB_END.match(message)
        if m:
            message = m.group(1)
            line = text.count("\n") + 1
            column = len(text) - text.rfind("\n")
    message = message[:1].lower() + message[1:]
    where = f" at column {column}" if column is not None else ""
    return ScenarioError(filename, line, f"TOML syntax error{where}: {message}", column)


def parse_scenario(text: str, filename: str = "<scenario>", note: Note | None = None) -> Scenario:
    """Parse and validate scenario text in either form.

    `note`, if given, is called with one line before a long piece of work (generating
    a big recipe); every failure is a ScenarioError.
    """
    if not text.strip():
        raise ScenarioError(filename, None, "the scenario is empty (expected a TOML document)")
    check_size(len(text), filename)
    check_key_depth(text, filename)
    check_counts(text, filename)
    if note is not None and len(text) > NOTE_BYTES:
        note(
            f"{filename}: {len(text) / 1e6:.0f} MB of scenario: reading it takes about "
            f"{max(1, round(len(text) / 2e6))} s"
        )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise _syntax_error(e, text, filename) from None
    except RecursionError:
        raise ScenarioError(
            filename,
            None,
            # tomllib recurses per level and gives out at 300-500 levels; the deepest
            # scenario is 5 (swapped in an inline vma table in an inline mm array)
            "TOML syntax error: arrays or inline tables nested too deeply "
            "(more than a few hundred levels)",
        ) from None
    except ValueError as e:  # e.g. an integer beyond Python's int-string conversion limit
        reason = str(e)
        raise ScenarioError(
            filename, None, f"TOML error: {reason[:1].lower()}{reason[1:]}"
        ) from None
    try:
        scenario = scenario_from_toml(data, (lambda m: note(f"{filename}: {m}")) if note else None)
        validate(scenario)
    except Problem as p:
        raise ScenarioError(filename, locate(text, p.loc), p.message) from None
    return scenario


def validate_scenario(s: Scenario, filename: str = "<scenario>") -> None:
    """Check a scenario built in code against the same rules as a file."""
    try:
        validate(s)
    except Problem as p:
        raise ScenarioError(filename, None, p.message) from None


def load_file(path: str, note: Note | None = None) -> Scenario:
    """Read and parse a scenario file; any failure is a ScenarioError naming the file."""
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise ScenarioError(path, None, "is a directory, not a scenario file")
        if not stat.S_ISREG(info.st_mode):
            raise ScenarioError(path, None, "is not a regular file")
        check_size(info.st_size, path)
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ScenarioError(path, None, "no such file") from None
    except PermissionError:
        raise ScenarioError(path, None, "permission denied") from None
    except OSError as e:
        raise ScenarioError(path, None, e.strerror or str(e)) from None
    check_size(len(data), path)  # it grew since the stat
    if not data.strip():
        raise ScenarioError(path, None, "is empty (expected a TOML scenario)")
    if b"\0" in data:
        raise ScenarioError(path, None, "is a binary file (it contains NUL bytes), not TOML")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ScenarioError(
            path, None, f"is not UTF-8 text (byte {data[e.start]:#04x} at offset {e.start})"
        ) from None
    # Some editors start UTF-8 files with a byte-order mark; TOML does not allow it.
    return parse_scenario(text.removeprefix("\ufeff"), path, note)
