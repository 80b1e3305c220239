"""Text or file to a validated `Scenario`, with every failure as a ScenarioError."""

from __future__ import annotations

import os
import re
import stat
import tomllib

from models.scenario.errors import Problem, ScenarioError
from models.scenario.locate import locate
from models.scenario.parse import scenario_from_toml
from models.scenario.validate import validate
from models.scenario_model import Scenario

# Guards the parser: 2**22 references take about 60 MB of TOML.
MAX_FILE_BYTES = 256 << 20

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


def parse_scenario(text: str, filename: str = "<scenario>") -> Scenario:
    """Parse and validate scenario text in either form."""
    if not text.strip():
        raise ScenarioError(filename, None, "the scenario is empty (expected a TOML document)")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise _syntax_error(e, text, filename) from None
    except RecursionError:
        raise ScenarioError(filename, None, "TOML syntax error: arrays nested too deeply") from None
    except ValueError as e:  # e.g. an integer beyond Python's int-string conversion limit
        reason = str(e)
        raise ScenarioError(
            filename, None, f"TOML error: {reason[:1].lower()}{reason[1:]}"
        ) from None
    try:
        scenario = scenario_from_toml(data)
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


def load_file(path: str) -> Scenario:
    """Read and parse a scenario file; any failure is a ScenarioError naming the file."""
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise ScenarioError(path, None, "is a directory, not a scenario file")
        if not stat.S_ISREG(info.st_mode):
            raise ScenarioError(path, None, "is not a regular file")
        if info.st_size > MAX_FILE_BYTES:
            raise ScenarioError(
                path,
                None,
                f"is too large ({info.st_size} bytes; scenario files are limited to "
                f"{MAX_FILE_BYTES >> 20} MiB)",
            )
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ScenarioError(path, None, "no such file") from None
    except PermissionError:
        raise ScenarioError(path, None, "permission denied") from None
    except OSError as e:
        raise ScenarioError(path, None, e.strerror or str(e)) from None
    if len(data) > MAX_FILE_BYTES:
        raise ScenarioError(path, None, f"is too large (over {MAX_FILE_BYTES >> 20} MiB)")
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
    return parse_scenario(text.removeprefix("\ufeff"), path)
