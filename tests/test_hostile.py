"""Pathological scenario files: refused by a documented limit before the work they ask for.

Each case once hung, tracebacked or ate gigabytes (issue #18); the small ones are
fixtures in tests/data/hostile/, the big ones are made here.  Every refusal is one line
naming the file, the key (and its line, when the text has one) and the limit, and
comes before the TOML parser (text too big, keys too deep, arrays too long) or before
the generator (a recipe certainly over a limit).  What each takes in time and memory
is measured by tests/bench/hostile.py, not asserted here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from models.scenario import ScenarioError, load_scenario, parse_scenario
from models.scenario import genspec as genspec_module
from models.scenario import load as load_module
from models.scenario import parse as parse_module
from models.scenario.limits import MAX_FILE_BYTES, MAX_RESIDENT_RANGES
from swaptui.cli import main
from swaptui.commands import run as run_module

HOSTILE = Path(__file__).parent / "data" / "hostile"

HEAD = """\
format = "swaptui-scenario/1"

[scenario]
name = "hostile"

[swap]
slots = 64
"""


def refusal(path: Path | str) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(str(path))
    return str(info.value)


def cli_refusal(capsys: pytest.CaptureFixture[str], path: Path | str) -> str:
    assert main(["run", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err
    return err.rstrip("\n")


@pytest.fixture
def no_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    """The TOML parser must not run: the refusal comes before it."""

    def refuse(_text: str) -> Any:
        raise AssertionError("tomllib ran")

    monkeypatch.setattr(load_module.tomllib, "loads", refuse)


@pytest.fixture
def no_generator(monkeypatch: pytest.MonkeyPatch) -> None:
    """The generator must not run: the refusal comes before it."""

    def refuse(*_args: object) -> Any:
        raise AssertionError("the generator ran")

    monkeypatch.setattr(parse_module, "generate", refuse)


# ---- keys too deep: refused before the parser ----------------------------------------------
def test_a_few_thousand_levels_of_dotted_keys(
    no_parser: None, capsys: pytest.CaptureFixture[str]
) -> None:
    path = HOSTILE / "deep-dotted-key.toml"
    # line 11: a comment, the 7 lines of the head, a blank line, [scenario.x], the key
    assert cli_refusal(capsys, path) == (
        f"swaptui: {path}:11: the key a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.… has 3,001 "
        "dotted parts, the limit is 8 (a scenario's keys have at most 2)"
    )


def test_a_table_header_thousands_deep(no_parser: None) -> None:
    path = HOSTILE / "deep-table-header.toml"
    assert refusal(path) == (  # a comment, 7 lines of head, a blank line, the header
        f"{path}:10: the key a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.… has 3,001 dotted parts, "
        "the limit is 8 (a scenario's keys have at most 2)"
    )


def test_an_80_kb_key_of_40000_parts(no_parser: None, tmp_path: Path) -> None:
    # once 6.3 GB: tomllib keeps every prefix of a dotted key
    path = tmp_path / "long-key.toml"
    path.write_text(HEAD + ".".join(["a"] * 40_000) + " = 1\n")
    assert path.stat().st_size > 80_000
    assert refusal(path) == (
        f"{path}:8: the key a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.a.… has 40,000 dotted parts, "
        "the limit is 8 (a scenario's keys have at most 2)"
    )


@pytest.mark.parametrize(
    "key",
    [
        "a.b.c.d.e.f.g.h.i = 1",  # 9 parts
        'a . "b.c" . c . d . e . f . g . h . i = 1',  # spaces and a quoted part
        "x = {a.b.c.d.e.f.g.h.i = 1}",  # in an inline table
        "x = {y = 1, a.b.c.d.e.f.g.h.i = 1}",
        "[a.b.c.d.e.f.g.h.i]",
        "[[a.b.c.d.e.f.g.h.i]]",
    ],
)
def test_where_a_key_may_stand(key: str, no_parser: None) -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(HEAD + key + "\n", "k.toml")
    assert str(info.value).startswith("k.toml:8: the key ") and "has 9 dotted parts" in str(
        info.value
    )


@pytest.mark.parametrize(
    "text",
    [
        "a.b.c.d.e.f.g.h = 1",  # 8 parts: the limit itself
        'title = "a.b.c.d.e.f.g.h.i.j, and more"',  # dots inside a string value
        "x = [1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5]",  # floats
        "# a.b.c.d.e.f.g.h.i.j.k",  # a comment
    ],
)
def test_dots_that_are_not_a_deep_key_pass_the_scan(text: str) -> None:
    try:  # in [scenario]: the title is accepted, the others refused by the schema
        parse_scenario(HEAD.replace("[swap]", text + "\n[swap]"), "k.toml")
    except ScenarioError as e:
        assert "dotted parts" not in str(e)


def test_inline_tables_nested_past_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    path = HOSTILE / "deep-inline-tables.toml"
    assert cli_refusal(capsys, path) == (
        f"swaptui: {path}: TOML syntax error: arrays or inline tables nested too deeply "
        "(more than a few hundred levels)"
    )


# ---- text too big: refused before reading ----------------------------------------------------
def test_50_mb_of_resident_ranges_is_refused_by_its_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "resident.toml"
    with path.open("wb") as f:  # sparse: the size is what is checked, before a read
        f.truncate(50_000_000)

    def no_read(*_args: object, **_kw: object) -> Any:
        raise AssertionError("the file was opened")

    monkeypatch.setattr(load_module, "open", no_read, raising=False)
    assert cli_refusal(capsys, path) == (
        f"swaptui: {path}: is too large: 50,000,000 bytes, the limit is 32 MiB (write a machine "
        "this big as a [generate] recipe)"
    )


def test_text_over_the_size_limit_is_refused_too(no_parser: None) -> None:
    # text that never was a file (a capture's self-check, the app's open)
    with pytest.raises(ScenarioError) as info:
        parse_scenario(HEAD + "#" * MAX_FILE_BYTES, "t.toml")
    assert str(info.value).startswith("t.toml: is too large: ")


# ---- arrays too long: counted before the parser -----------------------------------------------
def resident_flood(n: int) -> str:
    """One VMA holding n one-page resident ranges, written as export writes arrays."""
    rows = []
    for k in range(0, n, 8):
        rows.append(
            "    " + ", ".join(f"[{2 * i}, {2 * i + 1}]" for i in range(k, min(n, k + 8))) + ",\n"
        )
    return (
        HEAD + f"\n[[mm]]\npid = 1\n  [[mm.vma]]\n  start = 0\n  pages = {2 * n}\n"
        "  resident = [\n" + "".join(rows) + "  ]\n"
    )


@pytest.mark.slow
def test_resident_ranges_over_the_limit_are_counted_before_parsing(
    no_parser: None, tmp_path: Path
) -> None:
    path = tmp_path / "flood.toml"
    path.write_text(resident_flood(MAX_RESIDENT_RANGES + 1))
    assert path.stat().st_size < MAX_FILE_BYTES  # so the size alone does not refuse it
    # the head's 7 lines, a blank line, [[mm]], pid, [[mm.vma]], start, pages, resident
    assert refusal(path) == (
        f"{path}:14: resident: too many resident ranges: more than 1048576, the limit is "
        "1048576 (2**20)"
    )


def test_resident_ranges_the_scan_cannot_count_are_counted_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # a comment inside the array: the scan leaves it to the exact count
    monkeypatch.setattr(parse_module, "MAX_RESIDENT_RANGES", 3)
    text = resident_flood(4).replace("  resident = [\n", "  resident = [  # ranges\n")
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "r.toml")
    assert str(info.value) == (
        "r.toml:14: mm[0].vma[0]: too many resident ranges: more than 3, the limit is 3"
    )


def test_the_scan_counts_exactly_what_export_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    from models.scenario import export_scenario, load_preset
    from models.scenario import prescan as prescan_module

    text = export_scenario(load_preset("fragmented"))
    s = parse_scenario(text, "f.toml")
    refs = s.swap_references()
    monkeypatch.setattr(prescan_module, "MAX_REFERENCES", refs)
    parse_scenario(text, "f.toml")  # exactly at the limit: accepted
    monkeypatch.setattr(prescan_module, "MAX_REFERENCES", refs - 1)
    monkeypatch.setattr(load_module.tomllib, "loads", None)  # not reached
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "f.toml")
    assert f"swapped: too many swapped references: more than {refs - 1}" in str(info.value)


# ---- recipes certainly over a limit: refused before generating --------------------------------
def test_a_200_byte_recipe_for_4_million_vmas(
    no_generator: None, capsys: pytest.CaptureFixture[str]
) -> None:
    path = HOSTILE / "many-vmas.toml"
    # line 9 (vmas): a comment, format, [scenario], name, [swap], slots, [generate], processes
    assert cli_refusal(capsys, path) == (
        f"swaptui: {path}:9: generate: the recipe maps up to 4,194,304 VMAs (processes × "
        "(vmas + file_vmas) + forks × child_vmas), the limit is 262144 (2**18, in all mms "
        "together)"
    )


def test_a_128_gib_vma_with_3_million_swapped_pages(
    no_generator: None, capsys: pytest.CaptureFixture[str]
) -> None:
    path = HOSTILE / "huge-vma.toml"
    assert cli_refusal(capsys, path) == (
        f"swaptui: {path}:14: generate.slots_used: too many swapped references: 3300000, the "
        "limit is 2097152 (2**21)"
    )


def test_the_same_vma_asked_by_fraction(no_generator: None) -> None:
    path = HOSTILE / "huge-vma-fractions.toml"
    # 1 process × 1 VMA × 33,554,432 pages × 0.1 swapped
    assert refusal(path) == (
        f"{path}:12: generate: the recipe swaps out at least 3,355,443 pages, the limit of "
        "swapped references is 2097152 (2**21)"
    )


@pytest.mark.slow
def test_fractions_over_the_limit_stop_while_populating() -> None:
    # smallest draw under the limit (1 page a VMA), actual draws over: caught as the
    # fractions add up, long before slots or output are built
    text = HEAD.replace("slots = 64", "slots = 16777216") + (
        "[generate]\nprocesses = 64\nvmas = [1, 4]\nfile_vmas = 0\nvma_pages = [1, 33554432]\n"
        "swapped_fraction = 0.9\nresident_fraction = 0\n"
    )
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "g.toml")
    assert str(info.value) == (  # line 13: swapped_fraction
        "g.toml:13: generate: the recipe's fractions swap out more than 2097152 pages (2**21, "
        "the limit of swapped references): lower them, or give slots_used"
    )


# ---- cost constants ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "line", "expected"),
    [
        # a comment, the head's 7 lines, a blank line, [cpu] or [disk], kind (disk only)
        ("cpu-1e308.toml", 11, "cpu.pte_ns: must be a number from 0 to 1e9 ns, got 1e+308"),
        (
            "disk-tiny-rate.toml",
            12,
            "disk.hdd_mb_s: must be a number from 0.01 to 1000000 MB/s, got 1e-300",
        ),
    ],
)
def test_cost_constants_out_of_range(
    name: str, line: int, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = HOSTILE / name
    assert cli_refusal(capsys, path) == f"swaptui: {path}:{line}: {expected}"


# ---- large but legal: a word up front ---------------------------------------------------------
def test_a_big_recipe_is_announced_before_it_is_generated(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setattr(genspec_module, "NOTE_REFERENCES", 100)
    monkeypatch.setattr(run_module, "NOTE_REFERENCES", 100)
    path = tmp_path / "big.toml"
    path.write_text(
        HEAD.replace("slots = 64", "slots = 4096") + "[generate]\nprocesses = 4\nslots_used = 300\n"
    )
    heard: list[str] = []
    s = load_scenario(str(path), note=heard.append)
    assert heard == [
        f"{path}: generating 300 swapped pages in 4 processes (about 1 s; each algorithm "
        "then runs for tens of seconds)"
    ]
    assert main(["run", str(path), "--algo", "all"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"swaptui: {heard[0]}",
        f"swaptui: hostile: {s.swap_references():,} swapped references: each algorithm runs "
        "tens of seconds",
    ]


def test_a_big_file_is_announced_before_it_is_parsed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(load_module, "NOTE_BYTES", 100)
    path = tmp_path / "f.toml"
    path.write_text(HEAD + "#" * 2_000_000 + "\n")
    heard: list[str] = []
    real = load_module.tomllib.loads

    def parse(text: str) -> Any:
        assert heard, "announced before parsing"
        return real(text)

    monkeypatch.setattr(load_module.tomllib, "loads", parse)
    load_scenario(str(path), note=heard.append)
    assert heard == [f"{path}: 2 MB of scenario: reading it takes about 1 s"]


def test_small_scenarios_say_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "fragmented", "--algo", "linear"]) == 0
    assert capsys.readouterr().err == ""


def test_vmas_in_all_mms_are_counted_before_and_after_parsing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from models.scenario import prescan as prescan_module

    vma = "  [[mm.vma]]\n  start = {start}\n  pages = 1\n"
    text = HEAD + "".join(
        f"[[mm]]\npid = {pid}\n" + vma.format(start=0x1000) + vma.format(start=0x2000)
        for pid in (1, 2)
    )
    monkeypatch.setattr(prescan_module, "MAX_TOTAL_VMAS", 3)
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "v.toml")
    # the fourth [[mm.vma]]: 7 lines of head, then 2 + 3 + 3 lines for mm 1, [[mm]], pid
    assert str(info.value) == (
        "v.toml:21: mm.vma: too many VMAs in all mms together: 4, the limit is 3"
    )
    # written inline, the headers are not there to count: the exact count after parsing
    mms = ", ".join(
        f"{{pid = {pid}, vma = [{{start = 4096, pages = 1}}, {{start = 8192, pages = 1}}]}}"
        for pid in (1, 2)
    )
    inline = HEAD.replace("[scenario]", f"mm = [{mms}]\n\n[scenario]")  # mm on line 3
    monkeypatch.setattr(parse_module, "MAX_TOTAL_VMAS", 3)
    with pytest.raises(ScenarioError) as info:
        parse_scenario(inline, "v.toml")
    assert str(info.value) == (
        "v.toml:3: mm[1]: too many VMAs in all mms together: more than 3, the limit is 3"
    )
