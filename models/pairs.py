"""Pairs of integers held in one array: a VMA's swapped pages and resident ranges.

A full-scale scenario has millions of (page, slot) pairs.  As tuples they take about
120 bytes each (the tuple and its two ints); here they take 16.  `Pairs` reads like
the tuple of pairs it replaces: it iterates, indexes and compares as one (equal to
the tuple of the same pairs), so nothing that reads a scenario has to know.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain
from typing import overload


class Pairs(Sequence[tuple[int, int]]):
    """An immutable sequence of (a, b) integer pairs, stored flat: a0, b0, a1, b1, ..."""

    __slots__ = ("_flat",)

    def __init__(self, flat: array[int] | None = None) -> None:
        # the caller hands the array over: nothing else may change it afterwards
        self._flat: array[int] = array("q") if flat is None else flat

    @classmethod
    def of(cls, pairs: Iterable[Sequence[int]]) -> Pairs:
        """From pairs of integers (ValueError if an item is not a pair, OverflowError if
        a number does not fit in 64 bits)."""
        items = pairs if isinstance(pairs, (list, tuple)) else list(pairs)
        if not set(map(len, items)) <= {2}:
            raise ValueError("expected pairs")
        return cls(array("q", chain.from_iterable(items)))

    @classmethod
    def zipped(cls, firsts: Sequence[int], seconds: Sequence[int]) -> Pairs:
        """The pairs (firsts[i], seconds[i]), from two columns of the same length."""
        n = len(firsts)
        if len(seconds) != n:
            raise ValueError("columns of different lengths")
        flat = array("q", bytes(16 * n))
        flat[0::2] = firsts if isinstance(firsts, array) else array("q", firsts)
        flat[1::2] = seconds if isinstance(seconds, array) else array("q", seconds)
        return cls(flat)

    @property
    def flat(self) -> array[int]:
        """The numbers in order (a0, b0, a1, ...); do not change it."""
        return self._flat

    def firsts(self) -> array[int]:
        return self._flat[0::2]

    def seconds(self) -> array[int]:
        return self._flat[1::2]

    def __len__(self) -> int:
        return len(self._flat) >> 1

    def __iter__(self) -> Iterator[tuple[int, int]]:
        it = iter(self._flat)
        return zip(it, it, strict=False)  # one iterator twice: consecutive numbers pair up

    @overload
    def __getitem__(self, i: int) -> tuple[int, int]: ...
    @overload
    def __getitem__(self, i: slice) -> Pairs: ...
    def __getitem__(self, i: int | slice) -> tuple[int, int] | Pairs:
        if isinstance(i, slice):
            return Pairs.of(list(self)[i])
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("pair index out of range")
        return self._flat[2 * i], self._flat[2 * i + 1]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Pairs):
            return self._flat == other._flat
        if isinstance(other, tuple):
            return len(other) == len(self) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))
