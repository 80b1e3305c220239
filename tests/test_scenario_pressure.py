"""The memory-pressure keys of a scenario: [memory] reclaim, [fresh] and [load].

Parsed, refused with the file, line and key when wrong, exported and read back.
"""

from __future__ import annotations

import attrs
import pytest

from models.scenario import ScenarioError, export_scenario, parse_scenario
from models.scenario_model import FreshArea, Load

# Line numbers below refer to this document.
BASE = """\
format = "swaptui-scenario/1"

[scenario]
name = "t"

[swap]
slots = 64

[memory]
free_pages = 12

[fresh]
slots = 64
disk = "shared"

[load]
pages = 100
pages_per_ms = 0.5

[[mm]]
pid = 100
  [[mm.vma]]
  start = 0x7f0000000000
  pages = 16
  swapped = [[4, 10], [5, 11]]
"""


def parse(text: str):
    return parse_scenario(text, "t.toml")


def test_the_tables_are_read() -> None:
    s = parse(BASE)
    assert s.free_pages == 12
    assert s.reclaim  # implied by [fresh] and [load]
    assert s.fresh == FreshArea(slots=64, disk="shared")
    assert s.load == Load(pages=100, pages_per_ms=0.5)


FRESH = '[fresh]\nslots = 64\ndisk = "shared"\n'
LOAD = "[load]\npages = 100\npages_per_ms = 0.5\n"


def test_a_scenario_without_them_has_no_pressure() -> None:
    s = parse(BASE.replace(FRESH, "").replace(LOAD, ""))
    assert not s.reclaim and s.fresh is None and s.load is None
    assert s.free_pages == 12  # the plain budget, as before


def test_disk_defaults_to_shared_and_own_is_kept() -> None:
    assert parse(BASE.replace('disk = "shared"\n', "")).fresh == FreshArea(64, "shared")
    assert parse(BASE.replace('"shared"', '"own"')).fresh == FreshArea(64, "own")


def test_reclaim_alone_needs_only_free_pages() -> None:
    text = BASE.replace(FRESH, "").replace(LOAD, "")
    text = text.replace("free_pages = 12\n", "free_pages = 12\nreclaim = true\n")
    s = parse(text)
    assert s.reclaim and s.fresh is None and s.load is None


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "free_pages = 12\n",
            "",
            "t.toml:9: memory: reclaim needs free_pages: with unlimited memory nothing is "
            "ever reclaimed",
        ),
        (
            "free_pages = 12\n",
            "free_pages = 12\nreclaim = false\n",
            "t.toml:11: memory.reclaim: a [fresh] area means memory pressure: it needs "
            "reclaim = true",
        ),
        (
            "free_pages = 12\n",
            'free_pages = 12\nreclaim = "yes"\n',
            "t.toml:11: memory.reclaim: expected true or false, got a string",
        ),
        ("slots = 64\ndisk", "slots = 1\ndisk", "t.toml:13: fresh.slots: slots = 1 is too small"),
        (
            "slots = 64\ndisk",
            "slots = 67108865\ndisk",
            "t.toml:13: fresh.slots: too many slots: 67108865, the limit is 67108864 (2**26)",
        ),
        (
            '"shared"',
            '"usb"',
            "t.toml:14: fresh.disk: unknown disk 'usb' (valid: shared, own: the old area's "
            "disk, or one of its own)",
        ),
        (
            "disk = ",
            "kind = ",
            "t.toml:14: fresh: unknown key 'kind' (valid keys: slots, disk)",
        ),
        ("pages = 100\n", "", "t.toml:16: load: missing required key 'pages'"),
        (
            "pages = 100\n",
            "pages = -1\n",
            "t.toml:17: load.pages: -1 is out of range (0..2097152, 2**21)",
        ),
        (
            "pages_per_ms = 0.5",
            "pages_per_ms = 0.0",
            "t.toml:18: load.pages_per_ms: must be a number from 1e-6 to 1e9 pages per ms, got 0.0",
        ),
        (
            "pages_per_ms = 0.5",
            "pages_per_ms = nan",
            "t.toml:18: load.pages_per_ms: must be a number from 1e-6 to 1e9 pages per ms, got nan",
        ),
    ],
)
def test_rule(old: str, new: str, expected: str) -> None:
    assert old in BASE
    with pytest.raises(ScenarioError) as info:
        parse(BASE.replace(old, new, 1))
    assert str(info.value).startswith(expected)


def test_racing_faults_are_refused_with_reclaim() -> None:
    text = BASE + '\n[[fault]]\nkind = "touch"\npid = 100\nafter = 0\n'
    with pytest.raises(ScenarioError) as info:
        parse(text)
    assert str(info.value) == (
        "t.toml:27: fault[0]: touch cannot be combined with memory pressure (reclaim, a "
        "[fresh] area or a [load]); enomem, eintr and eio can"
    )
    # the kinds the reading path notices still go
    parse(BASE + '\n[[fault]]\nkind = "eintr"\nafter = 1\n')


@pytest.mark.parametrize(
    "change",
    [
        {},
        {"fresh": None},
        {"load": None},
        {"fresh": None, "load": None},
        {"fresh": FreshArea(5, "own"), "load": Load(0, 1e-6)},
        {"load": Load(7, 1e9), "free_pages": 0},
    ],
)
def test_export_reads_back(change: dict) -> None:
    s = attrs.evolve(parse(BASE), **change)
    text = export_scenario(s)
    assert parse_scenario(text, "x.toml") == s
    assert export_scenario(parse_scenario(text, "x.toml")) == text
    assert ("reclaim = true" in text) == s.reclaim


def test_export_writes_the_tables_in_order() -> None:
    text = export_scenario(parse(BASE))
    assert (
        "\n[memory]\nfree_pages = 12\nreclaim = true\n\n[fresh]\nslots = 64\n"
        'disk = "shared"\n\n[load]\npages = 100\npages_per_ms = 0.5\n'
    ) in text


def test_the_format_doc_example_reads_as_the_preset_says() -> None:
    """docs/scenario-format.md's memory tables are hugh-test's own."""
    from pathlib import Path

    from models.scenario import load_preset

    doc = (Path(__file__).parents[1] / "docs" / "scenario-format.md").read_text("utf-8")
    tables = doc.split("```toml\n", 1)[1].split("```", 1)[0]
    head = BASE.split("[memory]")[0]
    s = parse(head + tables)
    hugh = load_preset("hugh-test")
    assert (s.free_pages, s.reclaim, s.fresh, s.load) == (
        hugh.free_pages,
        hugh.reclaim,
        hugh.fresh,
        hugh.load,
    )
