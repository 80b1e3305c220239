"""Reading scenario files: both forms, types and key names, syntax errors, bad files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from models.scenario import (
    ScenarioError,
    load_scenario,
    parse_scenario,
    preset_names,
)
from models.scenario import load as load_module
from models.scenario import prescan as prescan_module
from models.scenario.locate import locate
from models.scenario_model import CpuParams, DiskParams

FIXTURES = Path(__file__).resolve().parent / "data" / "linux-6.1"
FIXTURE_FILES = sorted(FIXTURES.glob("*.toml")) if FIXTURES.is_dir() else []

MINIMAL = """\
format = "swaptui-scenario/1"

[scenario]
name = "t"

[swap]
slots = 16

[[mm]]
pid = 1
  [[mm.vma]]
  start = 0x10000
  pages = 4
  swapped = [[0, 3]]
"""


def error(text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "t.toml")
    return info.value


def message(text: str) -> str:
    return str(error(text))


def test_minimal_explicit_form() -> None:
    s = parse_scenario(MINIMAL, "t.toml")
    assert s.name == "t"
    assert s.slots == 16
    assert s.page_cluster == 3  # the kernel default
    assert s.seed == 0
    assert s.free_pages is None  # unlimited
    assert s.disk == DiskParams()
    assert s.cpu == CpuParams()
    assert s.bad == ()
    vma = s.mms[0].vmas[0]
    assert (vma.start, vma.pages, vma.anon, vma.swapped) == (0x10000, 4, True, ((0, 3),))
    assert s.mms[0].comm == ""
    assert s.mms[0].parent is None


def test_every_optional_table() -> None:
    text = MINIMAL.replace(
        "[swap]",
        '[disk]\nkind = "ssd"\nssd_request_us = 20\nskip_slots = 12\n\n'
        "[cpu]\npte_ns = 2\nmm_ns = 0.5\n\n[memory]\nfree_pages = 0\n\n[swap]",
    ).replace('name = "t"', 'name = "t"\ntitle = "T"\ndescription = "D"\nseed = -7')
    s = parse_scenario(text, "t.toml")
    assert s.disk == DiskParams(kind="ssd", ssd_request_us=20.0, skip_slots=12)
    assert isinstance(s.disk.ssd_request_us, float)
    assert s.cpu == CpuParams(pte_ns=2.0, mm_ns=0.5)
    assert s.free_pages == 0
    assert (s.title, s.description, s.seed) == ("T", "D", -7)


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.name)
def test_kernel_fixtures_load(path: Path) -> None:
    s = load_scenario(str(path))
    assert s.name == "kernel-capture"
    assert [m.pid for m in s.mms] == [96, 99, 98]
    assert [m.parent for m in s.mms] == [None, 96, 96]
    assert 30_000 < s.swap_references() < 32_000


def test_fixtures_are_present() -> None:
    assert len(FIXTURE_FILES) == 3


def test_free_text_is_kept_verbatim() -> None:
    weird = '[red]x\\u001b[2J \\u00e9 \\\\ \\" ☃'
    text = MINIMAL.replace("pid = 1", f'pid = 1\ncomm = "{weird}"').replace(
        'name = "t"', "name = \"t\"\ntitle = '[bold]literal \\n'"
    )
    s = parse_scenario(text, "t.toml")
    assert s.mms[0].comm == '[red]x\x1b[2J é \\ " ☃'
    assert s.title == "[bold]literal \\n"


# --- types, key names, required keys ----------------------------------------------------

TYPE_ERRORS = [
    (
        "pages = 4",
        'pages = "4"',
        "t.toml:13: mm[0].vma[0].pages: expected an integer, got a string",
    ),
    ("pages = 4", "pages = 4.0", "t.toml:13: mm[0].vma[0].pages: expected an integer, got a float"),
    (
        "pages = 4",
        "pages = true",
        "t.toml:13: mm[0].vma[0].pages: expected an integer, got a boolean",
    ),
    ("pid = 1", "pid = [1]", "t.toml:10: mm[0].pid: expected an integer, got an array"),
    (
        "pid = 1",
        "pid = 1\nparent = 1979-05-27",
        "t.toml:11: mm[0].parent: expected an integer, got a date/time",
    ),
    ("pid = 1", "pid = 1\ncomm = 5", "t.toml:11: mm[0].comm: expected a string, got an integer"),
    (
        "pages = 4",
        "pages = 4\n  anon = 1",
        "t.toml:14: mm[0].vma[0].anon: expected true or false, got an integer",
    ),
    (
        "swapped = [[0, 3]]",
        'swapped = [[0, 3], [1, "5"]]',
        "t.toml:14: mm[0].vma[0].swapped[1]: expected a [page, slot] pair of integers, got [1, a string]",
    ),
    (
        "swapped = [[0, 3]]",
        "swapped = [[0, 3, 4]]",
        "t.toml:14: mm[0].vma[0].swapped[0]: expected a [page, slot] pair of integers, got [0, 3, 4]",
    ),
    (
        "swapped = [[0, 3]]",
        "swapped = [3]",
        "t.toml:14: mm[0].vma[0].swapped[0]: expected a [page, slot] pair of integers, got 3",
    ),
    (
        "swapped = [[0, 3]]",
        "swapped = 3",
        "t.toml:14: mm[0].vma[0].swapped: expected an array of [page, slot] pairs, got an integer",
    ),
    (
        "swapped = [[0, 3]]",
        "resident = [[0.5, 1]]",
        "t.toml:14: mm[0].vma[0].resident[0]: expected a [first, end) pair of integers, "
        "got [a float, 1]",
    ),
    ("slots = 16", 'slots = "16"', "t.toml:7: swap.slots: expected an integer, got a string"),
    (
        "slots = 16",
        "slots = 16\nbad = [1, 2.5]",
        "t.toml:8: swap.bad[1]: expected an integer, got a float",
    ),
    (
        "slots = 16",
        "slots = 16\nbad = 3",
        "t.toml:8: swap.bad: expected an array of integers, got an integer",
    ),
    ('name = "t"', "name = 5", "t.toml:4: scenario.name: expected a string, got an integer"),
    (
        'name = "t"',
        'name = "t"\nseed = "1"',
        "t.toml:5: scenario.seed: expected an integer, got a string",
    ),
    (
        'name = "t"',
        'name = "t"\npage_cluster = 1.5',
        "t.toml:5: scenario.page_cluster: expected an integer, got a float",
    ),
    # unknown keys name the valid ones
    (
        "pages = 4",
        "pages = 4\n  size = 4",
        "t.toml:14: mm[0].vma[0]: unknown key 'size' (valid keys: start, pages, anon, resident, swapped)",
    ),
    (
        "pid = 1",
        "pid = 1\npids = 2",
        "t.toml:11: mm[0]: unknown key 'pids' (valid keys: pid, comm, parent, vma)",
    ),
    (
        'name = "t"',
        'name = "t"\nnmae = "u"',
        "t.toml:5: scenario: unknown key 'nmae' (valid keys: name, title, description, seed, page_cluster)",
    ),
    (
        "slots = 16",
        "slots = 16\nsize = 3",
        "t.toml:8: swap: unknown key 'size' (valid keys: slots, bad)",
    ),
    (
        "[swap]",
        "[disk]\nseek_ms = 3\n\n[swap]",
        "t.toml:7: disk: unknown key 'seek_ms' (valid keys: kind, rpm, hdd_mb_s, track_ms, stroke_ms, "
        "span, skip_slots, ssd_request_us, ssd_mb_s, zram_page_us)",
    ),
    (
        "[swap]",
        "[cpu]\npte = 3\n\n[swap]",
        "t.toml:7: cpu: unknown key 'pte' (valid keys: pte_ns, range_ns, mm_ns, unuse_pte_ns, slot_scan_ns)",
    ),
    (
        "[swap]",
        '[disk]\nrpm = "fast"\n\n[swap]',
        "t.toml:7: disk.rpm: expected a number, got a string",
    ),
    (
        "[swap]",
        "[disk]\nskip_slots = 2.5\n\n[swap]",
        "t.toml:7: disk.skip_slots: expected an integer, got a float",
    ),
    (
        "[swap]",
        "[disk]\nkind = 3\n\n[swap]",
        "t.toml:7: disk.kind: expected a string, got an integer",
    ),
    (
        "[swap]",
        "[memory]\nfree = 3\n\n[swap]",
        "t.toml:7: memory: unknown key 'free' (valid keys: free_pages, reclaim)",
    ),
    (
        "[swap]",
        '[memory]\nfree_pages = "lots"\n\n[swap]',
        "t.toml:7: memory.free_pages: expected an integer, got a string",
    ),
    (
        "[swap]",
        "[extra]\nx = 1\n\n[swap]",
        "t.toml:6: unknown key 'extra' (valid keys: format, scenario, swap, disk, cpu, memory, mm, shmem, generate, fault, readahead, fresh, load)",
    ),
    # missing required keys point at their table
    ("  pages = 4\n", "", "t.toml:11: mm[0].vma[0]: missing required key 'pages'"),
    ("  start = 0x10000\n", "", "t.toml:11: mm[0].vma[0]: missing required key 'start'"),
    ("pid = 1\n", "comm = 'x'\n", "t.toml:9: mm[0]: missing required key 'pid'"),
    ('name = "t"\n', "", "t.toml:3: scenario: missing required key 'name'"),
    ("slots = 16\n", "", "t.toml:6: swap: missing required key 'slots'"),
    ("[swap]\nslots = 16\n", "", "t.toml: missing required table [swap]"),
    ('[scenario]\nname = "t"\n', "", "t.toml: missing required table [scenario]"),
    (
        'format = "swaptui-scenario/1"\n',
        "",
        't.toml: missing format = "swaptui-scenario/1" (is this a swaptui scenario file?)',
    ),
    (
        'format = "swaptui-scenario/1"\n',
        'format = "swaptui-scenario/2"\n',
        "t.toml:1: format: expected \"swaptui-scenario/1\", got 'swaptui-scenario/2'",
    ),
    (
        'format = "swaptui-scenario/1"\n',
        "format = 1\n",
        "t.toml:1: format: expected a string, got an integer",
    ),
    # wrong table shapes
    (
        'format = "swaptui-scenario/1"\n',
        'format = "swaptui-scenario/1"\ndisk = 16\n',
        "t.toml:2: disk: expected a table, got an integer",
    ),
    (
        'format = "swaptui-scenario/1"\n',
        'format = "swaptui-scenario/1"\nshmem = [1]\n',
        "t.toml:2: shmem[0]: expected a table, got an integer",
    ),
    (
        "[[mm]]\npid = 1\n",
        "[mm]\npid = 1\n",
        "t.toml:9: mm: expected an array of tables ([[mm]]), got a table",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), TYPE_ERRORS)
def test_type_and_key_errors(old: str, new: str, expected: str) -> None:
    text = MINIMAL.replace(old, new, 1)
    assert text != MINIMAL
    assert message(text) == expected


def test_error_fields_and_pickling() -> None:
    import pickle

    e = error(MINIMAL.replace("slots = 16", "slots = 2"))
    assert (e.filename, e.line, e.column) == ("t.toml", 14, None)
    assert e.message == "mm[0].vma[0]: slot 3 is outside the swap area (slots = 2)"
    copy = pickle.loads(pickle.dumps(e))
    assert (copy.filename, copy.line, copy.message, str(copy)) == (
        e.filename,
        e.line,
        e.message,
        str(e),
    )


# --- TOML syntax ----------------------------------------------------------------------


def test_syntax_error_has_line_and_column() -> None:
    e = error(MINIMAL.replace("pages = 4", "pages = "))
    assert str(e) == "t.toml:13: TOML syntax error at column 11: invalid value"
    assert (e.filename, e.line, e.column) == ("t.toml", 13, 11)


def test_syntax_error_duplicate_key() -> None:
    e = error(MINIMAL.replace("pid = 1", "pid = 1\npid = 2"))
    assert str(e) == "t.toml:11: TOML syntax error at column 8: cannot overwrite a value"


def test_syntax_error_at_end_of_document() -> None:
    e = error(MINIMAL + "x = [1,\n")
    assert str(e) == "t.toml:16: TOML syntax error at column 1: invalid value"
    e = error('format = "swaptui-scenario/1"\nx = [1, 2')
    assert (e.line, e.column) == (2, 10)
    assert str(e).startswith("t.toml:2: TOML syntax error at column 10: ")


def test_unterminated_string() -> None:
    assert (
        message('x = "abc\n') == "t.toml:1: TOML syntax error at column 9: illegal character '\\n'"
    )


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    assert message("x = " + "[" * 100_000) == (
        "t.toml: TOML syntax error: arrays or inline tables nested too deeply "
        "(more than a few hundred levels)"
    )


def test_huge_integer_literal_is_an_error_not_a_crash() -> None:
    text = MINIMAL.replace('name = "t"', 'name = "t"\nseed = 1' + "0" * 5000)
    assert message(text).startswith("t.toml: TOML error: exceeds the limit (4300 digits)")


def test_integer_beyond_64_bits() -> None:
    text = MINIMAL.replace('name = "t"', f'name = "t"\nseed = {1 << 64}')
    # tomllib accepts it; our rule refuses what export could not write back
    assert message(text) == (f"t.toml:5: scenario.seed: {1 << 64} does not fit in a 64-bit integer")


def test_empty_text() -> None:
    assert message("") == "t.toml: the scenario is empty (expected a TOML document)"
    assert message(" \n\t\n") == "t.toml: the scenario is empty (expected a TOML document)"


def test_a_comment_only_document_is_missing_the_format() -> None:
    assert message("# nothing here\n") == (
        't.toml: missing format = "swaptui-scenario/1" (is this a swaptui scenario file?)'
    )


# --- files -----------------------------------------------------------------------------


def file_error(path: Path | str) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(str(path))
    assert info.value.line is None
    return str(info.value)


def test_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "ok.toml"
    path.write_text(MINIMAL)
    assert load_scenario(str(path)) == parse_scenario(MINIMAL, "x")


def test_file_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(MINIMAL.replace("slots = 16", "slots = 2"))
    with pytest.raises(ScenarioError) as info:
        load_scenario(str(path))
    assert (
        str(info.value) == f"{path}:14: mm[0].vma[0]: slot 3 is outside the swap area (slots = 2)"
    )
    assert info.value.filename == str(path)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    assert file_error(path) == f"{path}: no such file"


def test_directory(tmp_path: Path) -> None:
    assert file_error(tmp_path) == f"{tmp_path}: is a directory, not a scenario file"


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.toml"
    path.write_text(MINIMAL)
    path.chmod(0)
    if os.access(path, os.R_OK):  # running as root: simulate the refusal

        def refuse(*args: object, **kwargs: object) -> None:
            raise PermissionError(13, "Permission denied")

        monkeypatch.setattr(load_module, "open", refuse, raising=False)
    assert file_error(path) == f"{path}: permission denied"


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    path = tmp_path / "pipe.toml"
    os.mkfifo(path)
    assert file_error(path) == f"{path}: is not a regular file"


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "core.toml"
    path.write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00")
    assert file_error(path) == f"{path}: is a binary file (it contains NUL bytes), not TOML"


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(MINIMAL.replace('"t"', '"t\xe9"').encode("latin-1"))
    offset = MINIMAL.index('"t"') + 2
    assert file_error(path) == f"{path}: is not UTF-8 text (byte 0xe9 at offset {offset})"


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.toml"
    path.write_bytes(b"")
    assert file_error(path) == f"{path}: is empty (expected a TOML scenario)"
    path.write_bytes(b"\n  \n")
    assert file_error(path) == f"{path}: is empty (expected a TOML scenario)"


def test_too_large_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prescan_module, "MAX_FILE_BYTES", 100)
    path = tmp_path / "big.toml"
    path.write_text(MINIMAL)
    assert file_error(path) == (
        f"{path}: is too large: {len(MINIMAL)} bytes, the limit is 0 MiB "
        "(write a machine this big as a [generate] recipe)"
    )


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode())
    assert load_scenario(str(path)).name == "t"


def test_crlf_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "dos.toml"
    path.write_bytes(MINIMAL.replace("slots = 16", "slots = 2").replace("\n", "\r\n").encode())
    assert file_error_with_line(path) == (
        14,
        "mm[0].vma[0]: slot 3 is outside the swap area (slots = 2)",
    )


def file_error_with_line(path: Path) -> tuple[int | None, str]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(str(path))
    return info.value.line, info.value.message


# --- preset or path ----------------------------------------------------------------------


def test_ref_resolution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_scenario("demo").name == "demo"
    assert file_error("no-such-thing") == (
        "no-such-thing: no such file or preset (presets: " + ", ".join(preset_names()) + ")"
    )
    assert file_error("no-such-thing.toml") == "no-such-thing.toml: no such file"
    # a file named like a preset is reached through a path
    monkeypatch.chdir(tmp_path)
    (tmp_path / "demo").write_text(MINIMAL)
    assert load_scenario("demo").name == "demo"
    assert load_scenario("./demo").name == "t"
    (tmp_path / "mine").write_text(MINIMAL)
    assert load_scenario("mine").name == "t"


# --- line finding -------------------------------------------------------------------------


LOCATE_DOC = """\
# comment [[mm]] in a comment
format = "swaptui-scenario/1"
[ scenario ]
name = "x"   # [[mm]]
title = \"\"\"
[[mm]]
a "quoted" line \\\"\"\"
\"\"\"
[[mm]]
pid = 1
"weird key" = 3
[[ "mm" . vma ]]
start = 0
swapped = [
  [0, 1],  # [[mm]]
  [1, 2], [2,
  3],
]
[[mm.vma]]
pages = 2
[[mm]]
pid = 2
x.y = 'lit[eral'
[[mm.vma]]
start = 5
"""


@pytest.mark.parametrize(
    ("loc", "line"),
    [
        (("format",), 2),
        (("scenario",), 3),
        (("scenario", "name"), 4),
        (("scenario", "title"), 5),
        (("mm", 0), 9),
        (("mm",), 9),
        (("mm", 0, "pid"), 10),
        (("mm", 0, "weird key"), 11),
        (("mm", 0, "vma", 0), 12),
        (("mm", 0, "vma", 0, "start"), 13),
        (("mm", 0, "vma", 0, "swapped"), 14),
        (("mm", 0, "vma", 0, "swapped", 0), 15),
        (("mm", 0, "vma", 0, "swapped", 1), 16),
        (("mm", 0, "vma", 0, "swapped", 2), 16),
        (("mm", 0, "vma", 0, "swapped", 2, 1), 16),
        (("mm", 0, "vma", 0, "swapped", 9), 14),
        (("mm", 0, "vma", 1), 19),
        (("mm", 0, "vma", 1, "pages"), 20),
        (("mm", 0, "vma", 1, "swapped", 3), 19),
        (("mm", 1), 21),
        (("mm", 1, "x", "y"), 23),
        (("mm", 1, "vma", 0, "start"), 25),
        (("mm", 7), 9),
        (("shmem", 0), None),
        ((), None),
    ],
)
def test_locate(loc: tuple[str | int, ...], line: int | None) -> None:
    import tomllib

    tomllib.loads(LOCATE_DOC)  # the document itself must be valid TOML
    assert locate(LOCATE_DOC, loc) == line
