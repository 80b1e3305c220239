"""Typed access to one TOML table, with errors that name the offending key.

tomllib hands back plain Python values; a scenario file written by hand can put a
string where a number belongs, misspell a key or forget one.  Every such mistake
becomes a `Problem` located at the key (or the table, for a missing key).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from models.scenario.errors import Loc, Problem


def toml_type(value: object) -> str:
    """The TOML name of a parsed value's type, for messages."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, datetime.date | datetime.time):
        return "a date/time"
    return type(value).__name__


def is_int(value: object) -> bool:
    # bool is a subclass of int in Python, but `pages = true` is a mistake.
    return type(value) is int


def is_number(value: object) -> bool:
    return type(value) is int or type(value) is float


def expect_table(value: object, where: Loc) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise Problem(where, f"expected a table, got {toml_type(value)}")
    return value


def expect_tables(value: object, where: Loc) -> list[dict[str, Any]]:
    """An array of tables (`[[mm]]`); also accepts an inline array of inline tables."""
    name = str(where[-1]) if where else "?"
    if not isinstance(value, list):
        raise Problem(where, f"expected an array of tables ([[{name}]]), got {toml_type(value)}")
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise Problem((*where, i), f"expected a table, got {toml_type(item)}")
    return value


class Fields:
    """One table's keys, checked against the known and required names on creation."""

    def __init__(
        self,
        data: dict[str, Any],
        where: Loc,
        known: Iterable[str],
        required: Iterable[str] = (),
    ) -> None:
        self.data = data
        self.where = where
        known = tuple(known)
        for key in data:
            if key not in known:
                valid = ", ".join(known)
                raise Problem(where, f"unknown key {key!r} (valid keys: {valid})", at=(key,))
        for key in required:
            if key not in data:
                raise Problem(where, f"missing required key {key!r}")

    def _loc(self, key: str) -> Loc:
        return (*self.where, key)

    def get_int(self, key: str, default: int = 0) -> int:
        value = self.data.get(key, default)
        if not is_int(value):
            raise Problem(self._loc(key), f"expected an integer, got {toml_type(value)}")
        return int(value)

    def optional_int(self, key: str) -> int | None:
        return self.get_int(key) if key in self.data else None

    def get_float(self, key: str, default: float = 0.0) -> float:
        value = self.data.get(key, default)
        if not is_number(value):
            raise Problem(self._loc(key), f"expected a number, got {toml_type(value)}")
        return float(value)

    def get_str(self, key: str, default: str = "") -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str):
            raise Problem(self._loc(key), f"expected a string, got {toml_type(value)}")
        return value

    def get_bool(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise Problem(self._loc(key), f"expected true or false, got {toml_type(value)}")
        return value

    def int_list(self, key: str) -> list[int]:
        value = self.data.get(key, [])
        loc = self._loc(key)
        if not isinstance(value, list):
            raise Problem(loc, f"expected an array of integers, got {toml_type(value)}")
        for i, item in enumerate(value):
            if not is_int(item):
                raise Problem((*loc, i), f"expected an integer, got {toml_type(item)}")
        return value

    def pairs(self, key: str, shape: str) -> list[list[int]]:
        """An array of two-integer arrays, e.g. `[[page, slot], ...]`.

        This runs once per swapped reference, so it checks types with `type() is`
        rather than going through the helpers above.
        """
        value = self.data.get(key, [])
        loc = self._loc(key)
        if not isinstance(value, list):
            raise Problem(loc, f"expected an array of {shape} pairs, got {toml_type(value)}")
        for i, item in enumerate(value):
            if (
                type(item) is not list
                or len(item) != 2
                or type(item[0]) is not int
                or type(item[1]) is not int
            ):
                raise Problem((*loc, i), f"expected a {shape} pair of integers, got {_show(item)}")
        return value


def _show(value: object) -> str:
    if isinstance(value, list) and len(value) <= 4:
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return toml_type(value)
