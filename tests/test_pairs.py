"""Array-backed pairs (`models.pairs.Pairs`) read exactly like the tuple of pairs they
replace in `Vma.swapped`, `Vma.resident` and `ShmemFile.swapped`."""

from __future__ import annotations

from array import array

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.pairs import Pairs
from models.scenario import ScenarioError, parse_scenario
from models.scenario_model import ShmemFile, Vma

INT64 = st.integers(-(2**63), 2**63 - 1)
PAIRS = st.lists(st.tuples(INT64, INT64), max_size=40)


@given(PAIRS, st.integers(-45, 45), st.integers(-45, 45), st.sampled_from([None, 1, 2, -1]))
def test_pairs_behave_like_the_tuple(items, i, j, step) -> None:
    t = tuple(items)
    p = Pairs.of(items)
    assert len(p) == len(t) and bool(p) == bool(t)
    assert list(p) == items
    assert p == t and t == p and p == Pairs.of(t)
    assert hash(p) == hash(t) and repr(p) == repr(t)
    if -len(t) <= i < len(t):
        assert p[i] == t[i]
    else:
        with pytest.raises(IndexError):
            p[i]
    assert p[i:j:step] == t[i:j:step]
    assert sorted(p) == sorted(t)
    assert p.firsts().tolist() == [a for a, _b in t]
    assert p.seconds().tolist() == [b for _a, b in t]
    assert Pairs.zipped([a for a, _b in t], [b for _a, b in t]) == p


def test_a_different_pair_or_length_is_not_equal() -> None:
    p = Pairs.of([(1, 2), (3, 4)])
    assert p[-1] == (3, 4) and p[-2] == (1, 2) and p[1] == (3, 4)
    assert p != ((1, 2), (3, 5)) and p != ((1, 2),) and p != Pairs.of([(1, 2)])
    assert p != [(1, 2), (3, 4)]  # a list is not a tuple, as for tuples themselves


def test_only_pairs_are_taken() -> None:
    with pytest.raises(ValueError):
        Pairs.of([(1, 2), (3, 4, 5)])
    with pytest.raises(ValueError):
        Pairs.zipped([1, 2], [3])


def test_the_scenario_fields_hold_pairs_in_16_bytes_each() -> None:
    vma = Vma(0x1000, 8, resident=((0, 2),), swapped=[[2, 5], [3, 6]])
    assert type(vma.swapped) is Pairs and type(vma.resident) is Pairs
    assert vma.swapped == ((2, 5), (3, 6)) and vma.resident == ((0, 2),)
    assert vma.swapped.flat == array("q", [2, 5, 3, 6])
    assert vma.swapped.flat.itemsize * len(vma.swapped.flat) == 16 * len(vma.swapped)
    assert ShmemFile("f", 4, ((1, 7),)).swapped == ((1, 7),)
    assert Vma(0, 1) == Vma(0, 1, resident=(), swapped=())


def test_a_number_past_64_bits_is_refused_by_name() -> None:
    """The array cannot hold it: the field keeps a tuple and validation names the slot."""
    text = (
        'format = "swaptui-scenario/1"\n[scenario]\nname = "big"\n[swap]\nslots = 8\n'
        "[[mm]]\npid = 1\n  [[mm.vma]]\n  start = 0x1000\n  pages = 4\n"
        f"  swapped = [[0, {2**70}]]\n"
    )
    with pytest.raises(ScenarioError) as e:
        parse_scenario(text, "big.toml")
    assert str(2**70) in str(e.value) and len(str(e.value).splitlines()) == 1
