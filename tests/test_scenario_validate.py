"""Every rule of scenario-format.md: one broken example each, exact message and line."""

from __future__ import annotations

import attrs
import pytest

from models.scenario import ScenarioError, parse_scenario, validate_scenario
from models.scenario import parse as parse_module
from models.scenario import validate as validate_module
from models.scenario_model import Mm, Scenario, ShmemFile, Vma

# Line numbers below refer to this document.
BASE = """\
format = "swaptui-scenario/1"

[scenario]
name = "t"
page_cluster = 3

[swap]
slots = 64
bad = [9]

[[mm]]
pid = 100
comm = "parent"
  [[mm.vma]]
  start = 0x7f0000000000
  pages = 16
  resident = [[0, 4]]
  swapped = [[4, 10], [5, 11]]
  [[mm.vma]]
  start = 0x7f0000100000
  pages = 4
  anon = false

[[mm]]
pid = 101
comm = "child"
parent = 100
  [[mm.vma]]
  start = 0x7f0000000000
  pages = 16
  swapped = [[4, 10], [6, 12]]

[[mm]]
pid = 200
comm = "other"
  [[mm.vma]]
  start = 0x1000000
  pages = 8
  swapped = [[0, 20]]

[[shmem]]
name = "/dev/shm/x"
pages = 4
swapped = [[0, 30]]
"""


def error(text: str) -> str:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "t.toml")
    return str(info.value)


def broken(old: str, new: str, count: int = 1) -> str:
    """The error of BASE with `old` replaced by `new` (`old` must occur `count` times)."""
    assert BASE.count(old) == count, old
    return error(BASE.replace(old, new))


def test_base_document_is_valid() -> None:
    s = parse_scenario(BASE, "t.toml")
    assert [m.pid for m in s.mms] == [100, 101, 200]
    assert s.mms[1].parent == 100
    assert s.mms[0].vmas[0].swapped == ((4, 10), (5, 11))
    assert s.shmem[0].swapped == ((0, 30),)
    assert s.bad == (9,)


# (old, new, expected error): one row per rule, and per variant of a rule
RULES = [
    # a slot is in 1 .. slots-1 and not bad
    (
        "swapped = [[0, 20]]",
        "swapped = [[0, 70]]",
        "t.toml:39: mm[2].vma[0]: slot 70 is outside the swap area (slots = 64)",
    ),
    (
        "swapped = [[0, 20]]",
        "swapped = [[0, 64]]",
        "t.toml:39: mm[2].vma[0]: slot 64 is outside the swap area (slots = 64)",
    ),
    (
        "swapped = [[0, 20]]",
        "swapped = [[0, -3]]",
        "t.toml:39: mm[2].vma[0]: slot -3 is outside the swap area (slots = 64)",
    ),
    (
        "swapped = [[0, 20]]",
        "swapped = [[0, 0]]",
        "t.toml:39: mm[2].vma[0]: slot 0 is the swap header, it holds no page",
    ),
    (
        "swapped = [[0, 20]]",
        "swapped = [[0, 9]]",
        "t.toml:39: mm[2].vma[0]: slot 9 is marked bad",
    ),
    (
        "swapped = [[0, 30]]",
        "swapped = [[0, 9]]",
        "t.toml:44: shmem[0]: slot 9 is marked bad",
    ),
    (
        "swapped = [[0, 30]]",
        "swapped = [[0, 64]]",
        "t.toml:44: shmem[0]: slot 64 is outside the swap area (slots = 64)",
    ),
    # a shmem slot has exactly one reference
    (
        "swapped = [[0, 30]]",
        "swapped = [[0, 20]]",
        "t.toml:44: shmem[0]: slot 20 is already used by mm[2] (pid 200): "
        "a shmem slot has exactly one reference",
    ),
    (
        "swapped = [[0, 30]]",
        "swapped = [[0, 30], [1, 30]]",
        "t.toml:44: shmem[0]: slot 30 is already used by shmem[0]: "
        "a shmem slot has exactly one reference",
    ),
    # anon sharers: distinct mms, one fork family, the same virtual address
    (
        "swapped = [[4, 10], [5, 11]]",
        "swapped = [[4, 10], [5, 10]]",
        "t.toml:18: mm[0].vma[0]: slot 10 is referenced twice by this mm (pid 100): "
        "sharers must be distinct mms",
    ),
    (
        "swapped = [[0, 20]]",
        "swapped = [[0, 10]]",
        "t.toml:39: mm[2].vma[0]: slot 10 is shared with mm[0] (pid 100), which is not in "
        "this mm's fork family (linked by parent)",
    ),
    (
        "swapped = [[4, 10], [6, 12]]",
        "swapped = [[5, 10], [6, 12]]",
        "t.toml:31: mm[1].vma[0]: slot 10 is mapped at 0x7f0000005000 here but at "
        "0x7f0000004000 by mm[0] (pid 100): fork leaves a shared page at the same address",
    ),
    # parent names a pid, no cycles
    (
        "parent = 100",
        "parent = 999",
        "t.toml:27: mm[1]: parent 999 is not the pid of an mm in this scenario",
    ),
    (
        'comm = "parent"',
        'comm = "parent"\nparent = 101',
        "t.toml:14: mm[0]: parent links form a cycle: 100 -> 101 -> 100",
    ),
    (
        'comm = "other"',
        'comm = "other"\nparent = 200',
        "t.toml:36: mm[2]: parent links form a cycle: 200 -> 200",
    ),
    # page indices: inside the VMA, once, never resident and swapped
    (
        "swapped = [[0, 20]]",
        "swapped = [[8, 20]]",
        "t.toml:39: mm[2].vma[0]: page 8 is outside the VMA (pages = 8)",
    ),
    (
        "swapped = [[0, 20]]",
        "swapped = [[-1, 20]]",
        "t.toml:39: mm[2].vma[0]: page -1 is outside the VMA (pages = 8)",
    ),
    (
        "swapped = [[4, 10], [5, 11]]",
        "swapped = [[4, 10], [4, 11]]",
        "t.toml:18: mm[0].vma[0]: page 4 appears twice in swapped",
    ),
    (
        "resident = [[0, 4]]",
        "resident = [[0, 5]]",
        "t.toml:18: mm[0].vma[0]: page 4 is both resident and swapped",
    ),
    (
        "swapped = [[0, 30]]",
        "swapped = [[4, 30]]",
        "t.toml:44: shmem[0]: page 4 is outside the file (pages = 4)",
    ),
    (
        "swapped = [[0, 30]]",
        "swapped = [[0, 30], [0, 31]]",
        "t.toml:44: shmem[0]: page 0 appears twice in swapped",
    ),
    # resident ranges
    (
        "resident = [[0, 4]]",
        "resident = [[4, 2]]",
        "t.toml:17: mm[0].vma[0]: resident range [4, 2] is empty or reversed",
    ),
    (
        "resident = [[0, 4]]",
        "resident = [[0, 17]]",
        "t.toml:17: mm[0].vma[0]: resident range [0, 17] is outside the VMA (pages = 16)",
    ),
    (
        "resident = [[0, 4]]",
        "resident = [[0, 3], [2, 4]]",
        "t.toml:17: mm[0].vma[0]: resident range [2, 4] overlaps [0, 3]",
    ),
    # swapped pages only in anon VMAs
    (
        "  anon = false\n",
        "  anon = false\n  swapped = [[0, 40]]\n",
        "t.toml:23: mm[0].vma[1]: swapped pages in a VMA with anon = false "
        "(unuse_mm would never find them)",
    ),
    # VMA geometry: ascending, non-overlapping, page-aligned, below 2**47
    (
        "start = 0x7f0000100000",
        "start = 0x7f0000008000",
        "t.toml:20: mm[0].vma[1]: start 0x7f0000008000 is below the end of vma[0] "
        "(0x7f0000010000): VMAs must be in ascending address order and must not overlap",
    ),
    (
        "start = 0x7f0000100000",
        "start = 0x7e0000000000",
        "t.toml:20: mm[0].vma[1]: start 0x7e0000000000 is below the end of vma[0] "
        "(0x7f0000010000): VMAs must be in ascending address order and must not overlap",
    ),
    (
        "start = 0x1000000",
        "start = 0x1000800",
        "t.toml:37: mm[2].vma[0]: start 0x1000800 is not page-aligned (4096 bytes)",
    ),
    (
        "start = 0x1000000",
        "start = -4096",
        "t.toml:37: mm[2].vma[0]: start -4096 is negative",
    ),
    (
        "start = 0x1000000",
        "start = 0x7ffffffff000",
        "t.toml:38: mm[2].vma[0]: the VMA ends at 0x800000007000, above the user address "
        "limit 0x800000000000 (2**47)",
    ),
    (
        "  pages = 8\n",
        "  pages = 0\n",
        "t.toml:38: mm[2].vma[0]: pages must be >= 1, got 0",
    ),
    (
        "pages = 4\nswapped",
        "pages = 0\nswapped",
        "t.toml:43: shmem[0]: pages must be >= 1, got 0",
    ),
    # pids
    (
        "pid = 200",
        "pid = 100",
        "t.toml:34: mm[2]: pid 100 is already used by mm[0]",
    ),
    (
        "pid = 200",
        "pid = 0",
        "t.toml:34: mm[2]: pid 0 is out of range (1..4194304)",
    ),
    # [scenario]
    (
        'name = "t"',
        'name = "Bad Name"',
        "t.toml:4: scenario.name: 'Bad Name' is not a valid name: 1-64 characters from a-z, "
        "0-9 and '-', not starting with '-'",
    ),
    (
        'name = "t"',
        'name = "-t"',
        "t.toml:4: scenario.name: '-t' is not a valid name: 1-64 characters from a-z, "
        "0-9 and '-', not starting with '-'",
    ),
    (
        'name = "t"',
        'name = ""',
        "t.toml:4: scenario.name: '' is not a valid name: 1-64 characters from a-z, "
        "0-9 and '-', not starting with '-'",
    ),
    (
        'name = "t"',
        f'name = "{"a" * 65}"',
        f"t.toml:4: scenario.name: '{'a' * 65}' is not a valid name: 1-64 characters from "
        "a-z, 0-9 and '-', not starting with '-'",
    ),
    (
        "page_cluster = 3",
        "page_cluster = 6",
        "t.toml:5: scenario.page_cluster: 6 is out of range (0..5)",
    ),
    (
        "page_cluster = 3",
        "page_cluster = -1",
        "t.toml:5: scenario.page_cluster: -1 is out of range (0..5)",
    ),
    (
        "page_cluster = 3",
        "page_cluster = 3\nseed = 0x7fffffffffffffff\ntitle = 'x'",
        None,  # the largest TOML integer is a fine seed
    ),
    # [swap]
    (
        "slots = 64",
        "slots = 1",
        "t.toml:8: swap: slots = 1 is too small: slot 0 is the header, at least 2 are needed",
    ),
    (
        "slots = 64",
        "slots = 67108865",
        "t.toml:8: swap: too many slots: 67108865, the limit is 67108864 (2**26)",
    ),
    (
        "bad = [9]",
        "bad = [64]",
        "t.toml:9: swap: bad slot 64 is outside the swap area (slots = 64)",
    ),
    ("bad = [9]", "bad = [0]", "t.toml:9: swap: bad slot 0 is the swap header"),
    ("bad = [9]", "bad = [9, 9]", "t.toml:9: swap: bad slot 9 is listed twice"),
    # [disk], [cpu], [memory]
    (
        "[swap]",
        '[disk]\nkind = "tape"\n\n[swap]',
        "t.toml:8: disk.kind: unknown disk kind 'tape' (valid: hdd, ssd, zram)",
    ),
    (
        "[swap]",
        "[disk]\nrpm = 0\n\n[swap]",
        "t.toml:8: disk.rpm: must be a number from 60 to 1000000 rpm, got 0.0",
    ),
    (
        "[swap]",
        "[disk]\nspan = 2\n\n[swap]",
        "t.toml:8: disk.span: must be a number from 1e-6 to 1 (the swap area's share of the disk), got 2.0",
    ),
    (
        "[swap]",
        "[disk]\nssd_mb_s = nan\n\n[swap]",
        "t.toml:8: disk.ssd_mb_s: must be a number from 0.01 to 1000000 MB/s, got nan",
    ),
    (
        "[swap]",
        "[disk]\nskip_slots = -1\n\n[swap]",
        "t.toml:8: disk.skip_slots: must be an integer from 0 to 67108864 slots, got -1",
    ),
    (
        "[swap]",
        "[cpu]\npte_ns = -1\n\n[swap]",
        "t.toml:8: cpu.pte_ns: must be a number from 0 to 1e9 ns, got -1.0",
    ),
    (
        "[swap]",
        "[cpu]\nmm_ns = inf\n\n[swap]",
        "t.toml:8: cpu.mm_ns: must be a number from 0 to 1e9 ns, got inf",
    ),
    (
        "[swap]",
        "[memory]\nfree_pages = -1\n\n[swap]",
        "t.toml:8: memory.free_pages: -1 is out of range (0..2**63-1)",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), RULES)
def test_rule(old: str, new: str, expected: str | None) -> None:
    text = BASE.replace(old, new, 1)
    assert text != BASE
    if expected is None:
        parse_scenario(text, "t.toml")
    else:
        assert error(text) == expected


def test_slot_shared_by_more_than_62_mms() -> None:
    head = BASE.split("[[mm]]")[0]
    parts = [head]
    for k in range(63):
        parent = "" if k == 0 else "parent = 1000\n"
        parts.append(
            f"[[mm]]\npid = {1000 + k}\n{parent}[[mm.vma]]\nstart = 0x10000\npages = 1\n"
            "swapped = [[0, 5]]\n\n"
        )
    text = "".join(parts)
    line = text.count("\n", 0, text.rindex("swapped")) + 1
    assert error(text) == (
        f"t.toml:{line}: mm[62].vma[0]: slot 5 has more than 62 references (SWAP_MAP_MAX)"
    )
    # 62 sharers are fine
    parse_scenario(text[: text.rindex("[[mm]]")], "t.toml")


def test_grandchild_shares_with_its_grandparent() -> None:
    text = BASE.replace(
        "[[shmem]]",
        "[[mm]]\npid = 102\nparent = 101\n[[mm.vma]]\nstart = 0x7f0000000000\npages = 16\n"
        "swapped = [[4, 10], [6, 12]]\n\n[[shmem]]",
    )
    s = parse_scenario(text, "t.toml")
    assert s.mms[3].parent == 101


def test_too_many_mms_points_at_the_first_one_over() -> None:
    head = BASE.split("[[mm]]")[0]
    text = head + "".join(f"[[mm]]\npid = {k + 1}\n" for k in range(4097))
    line = text.count("\n", 0, text.index("pid = 4097")) - 1 + 1  # the [[mm]] above it
    assert error(text) == f"t.toml:{line}: mm: too many mms: 4097, the limit is 4096 (2**12)"
    parse_scenario(head + "".join(f"[[mm]]\npid = {k + 1}\n" for k in range(4096)), "t.toml")


def test_too_many_references(monkeypatch: pytest.MonkeyPatch) -> None:
    # 2**22 real references would take a minute to parse: lower the limit instead.
    monkeypatch.setattr(parse_module, "MAX_REFERENCES", 3)
    assert error(BASE) == (
        "t.toml:31: mm[1].vma[0]: too many swapped references: more than 3, the limit is 3"
    )
    monkeypatch.setattr(parse_module, "MAX_REFERENCES", 7)
    monkeypatch.setattr(validate_module, "MAX_REFERENCES", 5)
    assert error(BASE) == "t.toml: too many swapped references: 6, the limit is 5"


def test_too_many_vmas(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validate_module, "MAX_VMAS", 1)
    assert error(BASE) == ("t.toml:19: mm[0]: too many VMAs: 2, the limit is 1 (vm.max_map_count)")


def test_too_many_shmem_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validate_module, "MAX_SHMEM_FILES", 0)
    assert error(BASE) == "t.toml:41: shmem: too many shmem files: 1, the limit is 0"


def test_multiline_array_points_at_the_element() -> None:
    text = BASE.replace(
        "swapped = [[4, 10], [6, 12]]",
        "swapped = [\n    [4, 10],  # shared\n    [6, 12],\n    [7, 99],\n  ]",
    )
    assert error(text) == "t.toml:34: mm[1].vma[0]: slot 99 is outside the swap area (slots = 64)"


def test_inline_tables_fall_back_to_the_nearest_line() -> None:
    text = (
        'format = "swaptui-scenario/1"\nscenario = {name = "t"}\nswap = {slots = 8}\n'
        "mm = [\n  {pid = 1},\n  {pid = 1},\n]\n"
    )
    assert error(text) == "t.toml:6: mm[1]: pid 1 is already used by mm[0]"


def test_text_fields_reject_lone_surrogates_from_code() -> None:
    s = parse_scenario(BASE, "t.toml")
    bad = attrs.evolve(s, mms=(attrs.evolve(s.mms[0], comm="x\ud800"), *s.mms[1:]))
    with pytest.raises(ScenarioError) as info:
        validate_scenario(bad)
    assert str(info.value) == "<scenario>: mm[0].comm: contains a lone surrogate (U+D800)"


def test_validate_scenario_accepts_the_base() -> None:
    validate_scenario(parse_scenario(BASE, "t.toml"))


def test_validate_scenario_checks_built_scenarios() -> None:
    s = Scenario(
        name="x",
        slots=8,
        mms=(Mm(pid=1, vmas=(Vma(start=0, pages=1, swapped=((0, 8),)),)),),
        shmem=(ShmemFile(name="f", pages=1),),
    )
    with pytest.raises(ScenarioError) as info:
        validate_scenario(s, "built")
    assert str(info.value) == "built: mm[0].vma[0]: slot 8 is outside the swap area (slots = 8)"


def test_sparse_huge_area_is_cheap() -> None:
    # slots = 2**26 with one reference: the per-slot table must not be allocated densely
    text = BASE.replace("slots = 64", f"slots = {1 << 26}").replace("[[0, 20]]", "[[0, 67108863]]")
    s = parse_scenario(text, "t.toml")
    assert s.slots == 1 << 26
