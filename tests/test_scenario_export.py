"""Export: the explicit form, byte-stable, and parse(export(s)) == s."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.scenario import (
    ScenarioError,
    export_scenario,
    load_preset,
    load_scenario,
    parse_scenario,
    preset_names,
)
from models.scenario.export import toml_string
from models.scenario.limits import COST_BOUNDS
from models.scenario_model import CpuParams, DiskParams, Mm, Scenario, ShmemFile, Vma
from tests.profiles import examples
from tests.strategies import scenarios

FIXTURES = sorted((Path(__file__).resolve().parent / "data" / "linux-6.1").glob("*.toml"))

SMALL = Scenario(
    name="small",
    slots=64,
    title="Four processes and a tmpfs file",
    seed=1,
    bad=(9,),
    mms=(
        Mm(pid=100, comm="sshd"),
        Mm(
            pid=101,
            comm="firefox",
            parent=100,
            vmas=(
                Vma(
                    start=0x7F0000000000,
                    pages=96,
                    resident=((0, 40), (50, 52)),
                    swapped=((40, 12), (41, 13)),
                ),
                Vma(start=0x7F0000100000, pages=3, anon=False),
            ),
        ),
    ),
    shmem=(ShmemFile(name="/dev/shm/pulse-shm-1", pages=16, swapped=((0, 30), (1, 31))),),
)

SMALL_TEXT = """\
format = "swaptui-scenario/1"

[scenario]
name = "small"
title = "Four processes and a tmpfs file"
seed = 1
page_cluster = 3

[swap]
slots = 64
bad = [9]

[disk]
kind = "hdd"

[[mm]]
pid = 100
comm = "sshd"

[[mm]]
pid = 101
comm = "firefox"
parent = 100
  [[mm.vma]]
  start = 0x7f0000000000
  pages = 96
  anon = true
  resident = [[0, 40], [50, 52]]
  swapped = [[40, 12], [41, 13]]
  [[mm.vma]]
  start = 0x7f0000100000
  pages = 3
  anon = false

[[shmem]]
name = "/dev/shm/pulse-shm-1"
pages = 16
swapped = [[0, 30], [1, 31]]
"""


def round_trip(s: Scenario) -> str:
    text = export_scenario(s)
    assert parse_scenario(text, "export.toml") == s
    assert export_scenario(parse_scenario(text, "export.toml")) == text
    return text


def test_the_explicit_form_looks_like_the_spec() -> None:
    assert round_trip(SMALL) == SMALL_TEXT


def test_optional_tables_only_when_they_say_something() -> None:
    s = attrs.evolve(
        SMALL,
        disk=DiskParams(kind="ssd", ssd_request_us=20.0, skip_slots=7),
        cpu=CpuParams(pte_ns=2.0),
        free_pages=0,
        description="one line",
        page_cluster=0,
    )
    text = round_trip(s)
    assert '[disk]\nkind = "ssd"\nskip_slots = 7\nssd_request_us = 20.0\n' in text
    assert "\n[cpu]\npte_ns = 2.0\n" in text
    assert "\n[memory]\nfree_pages = 0\n" in text
    assert 'description = "one line"\n' in text
    assert "page_cluster = 0\n" in text
    plain = export_scenario(SMALL)
    assert "[cpu]" not in plain and "[memory]" not in plain and "description" not in plain


def test_floats_survive_exactly() -> None:
    s = attrs.evolve(
        SMALL,
        disk=DiskParams(rpm=5400.0, span=1e-05, hdd_mb_s=123.456789012345, zram_page_us=0.1 + 0.2),
        cpu=CpuParams(pte_ns=0.0, slot_scan_ns=1 / 3),
    )
    text = round_trip(s)
    assert "span = 1e-05\n" in text
    assert "rpm = 5400.0\n" in text


def test_long_arrays_wrap_and_errors_point_at_their_line() -> None:
    vma = Vma(start=0x10000, pages=40, swapped=tuple((i, i + 1) for i in range(20)))
    s = Scenario(name="wrap", slots=64, mms=(Mm(pid=1, vmas=(vma,)),))
    text = round_trip(s)
    assert (
        "  swapped = [\n    [0, 1], [1, 2], [2, 3], [3, 4], [4, 5], [5, 6], [6, 7], [7, 8],\n"
        in text
    )
    broken = text.replace("[17, 18]", "[17, 99]")
    with pytest.raises(ScenarioError) as info:
        parse_scenario(broken, "w.toml")
    line = broken[: broken.index("[17, 99]")].count("\n") + 1
    assert str(info.value) == (
        f"w.toml:{line}: mm[0].vma[0]: slot 99 is outside the swap area (slots = 64)"
    )


@pytest.mark.parametrize(
    "text",
    [
        '[red]x" \\ \n\t\r\x00\x1b[2J\x7f\x85\u2028\u202e é ☃ 𝄞',
        "",
        "'''",
        '"""',
        "#not a comment",
    ],
)
def test_strings_are_escaped_and_kept(text: str) -> None:
    s = attrs.evolve(SMALL, title=text, mms=(attrs.evolve(SMALL.mms[0], comm=text),))
    out = round_trip(s)
    # nothing a terminal would act on is written raw
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e]", out)
    assert tomllib.loads(f"x = {toml_string(text)}")["x"] == text


def test_escape_spelling() -> None:
    assert toml_string('a"b\\c\x1b\n') == '"a\\"b\\\\c\\u001B\\u000A"'


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.slow) if n in ("kelley-50m", "rfc3-240m") else n
        for n in preset_names()
    ],
)
def test_presets_round_trip_byte_identically(name: str) -> None:
    s = load_preset(name)
    first = round_trip(s)
    assert export_scenario(load_preset(name)) == first
    assert first.startswith('format = "swaptui-scenario/1"\n\n[scenario]\nname = "' + name)


@pytest.mark.slow
@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fixtures_round_trip(path: Path) -> None:
    s = load_scenario(str(path))
    round_trip(s)


def test_fixtures_are_present() -> None:
    assert len(FIXTURES) == 3


text_fields = st.text(
    alphabet=st.characters(exclude_categories=("Cs",)),  # lone surrogates cannot be written
    max_size=20,
)


def within(name: str) -> st.SearchStrategy[float]:
    """Any float a cost constant accepts (models/scenario/limits.py)."""
    low, high, _unit = COST_BOUNDS[name]
    return st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)


@settings(max_examples=examples(150))
@given(
    scenarios(cpu=True),
    text_fields,
    text_fields,
    st.lists(text_fields, min_size=5, max_size=5),
    st.integers(min_value=-(1 << 63), max_value=(1 << 63) - 1),
    within("rpm"),
    within("pte_ns"),
)
def test_hypothesis_round_trip(
    s: Scenario, title: str, description: str, comms: list[str], seed: int, rpm: float, pte: float
) -> None:
    s = attrs.evolve(
        s,
        title=title,
        description=description,
        seed=seed,
        disk=attrs.evolve(s.disk, rpm=rpm),
        cpu=attrs.evolve(s.cpu, pte_ns=pte),
        mms=tuple(attrs.evolve(m, comm=c) for m, c in zip(s.mms, comms, strict=False)),
        shmem=tuple(attrs.evolve(f, name=c) for f, c in zip(s.shmem, comms[::-1], strict=False)),
    )
    round_trip(s)


@settings(max_examples=examples(25))
@given(
    st.integers(0, 1 << 40),
    st.sampled_from(["reclaim", "sequential", "random"]),
    st.integers(1, 8),
    st.integers(0, 1),
)
def test_hypothesis_generated_round_trip(
    seed: int, layout: str, processes: int, files: int
) -> None:
    text = (
        'format = "swaptui-scenario/1"\n[scenario]\nname = "h"\n'
        f"seed = {seed}\n[swap]\nslots = 8192\n[generate]\n"
        f'processes = {processes}\nforks = {processes // 2}\nlayout = "{layout}"\n'
        f"shmem_files = {files}\nvma_pages = [1, 64]\nbad_slots = 2\n"
    )
    s = parse_scenario(text, "h.toml")
    round_trip(s)
