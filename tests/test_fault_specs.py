"""Fault specs name any file, and every spec swaptui prints reads back to the same fault.

`--fault unlink:shmem=NAME:after=N` split on every colon, so a memfd
(`/memfd:wayland-shm (deleted)`, as /proc/PID/maps shows it) could not be named, and
the spec `run --json` printed for such a file did not parse back.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.faults import FAULT_KEYS, INT_LIMIT, fault_spec, parse_fault
from models.scenario import ScenarioError, parse_scenario
from models.scenario_model import Fault
from swaptui.cli import main
from tests.profiles import examples

MEMFD = "/memfd:wayland-shm (deleted)"

SCENARIO = f"""\
format = "swaptui-scenario/1"

[scenario]
name = "memfd"

[swap]
slots = 16

[[mm]]
pid = 10
  [[mm.vma]]
  start = 0x400000
  pages = 4
  swapped = [[0, 1], [1, 2]]

[[shmem]]
name = "{MEMFD}"
pages = 4
swapped = [[0, 5], [1, 6], [2, 7]]
"""


@pytest.mark.parametrize(
    "text",
    [
        f"unlink:shmem={MEMFD}:after=1",  # unquoted: runs to the next :after=
        f"unlink:after=1:shmem={MEMFD}",  # last: runs to the end
        'unlink:shmem="/memfd:wayland-shm (deleted)":after=1',  # quoted, JSON escapes
        'unlink:after=1:shmem="/memfd:wayland-shm \\u0028deleted)"',
    ],
)
def test_a_memfd_name_with_a_colon(text: str) -> None:
    assert parse_fault(text) == Fault(kind="unlink", after=1, shmem=MEMFD)


def test_the_canonical_spec_quotes_what_needs_it() -> None:
    # hand-written expectations: plain names stay plain, the rest become JSON strings
    assert (
        fault_spec(Fault("unlink", after=2, shmem="/dev/shm/x"))
        == "unlink:shmem=/dev/shm/x:after=2"
    )
    assert fault_spec(Fault("unlink", after=2, shmem=MEMFD)) == (
        'unlink:shmem="/memfd:wayland-shm (deleted)":after=2'
    )
    assert fault_spec(Fault("unlink", after=0, shmem="a\nb\x1b")) == (
        'unlink:shmem="a\\nb\\u001b":after=0'
    )
    assert fault_spec(Fault("unlink", after=0, shmem=" x")) == 'unlink:shmem=" x":after=0'
    assert fault_spec(Fault("unlink", after=0, shmem="")) == 'unlink:shmem="":after=0'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('unlink:shmem="/memfd:x:after=1', "unterminated quoted name"),
        ('unlink:shmem="x"after=1', "expected ':' after the quoted shmem"),
        ("unlink:shmem=x:after=1:after=2", "after given twice"),
    ],
)
def test_bad_quoting(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_fault(text)


names = st.text(max_size=30)
numbers = st.integers(0, INT_LIMIT - 1)


@st.composite
def faults(draw: st.DrawFn) -> Fault:
    kind = draw(st.sampled_from(sorted(FAULT_KEYS)))
    values = {k: draw(names if k == "shmem" else numbers) for k in FAULT_KEYS[kind]}
    return Fault(kind=kind, **values)


@settings(max_examples=examples(400))
@given(faults())
def test_every_spec_reads_back(f: Fault) -> None:
    spec = fault_spec(f)
    assert "\n" not in spec and spec.isprintable()  # one line in a table or a terminal
    assert parse_fault(spec) == f


def test_the_json_spec_reads_back_through_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "memfd.toml"
    path.write_text(SCENARIO)
    args = ["run", str(path), "--algo", "linear", "--json"]
    assert main([*args, "--fault", f"unlink:shmem={MEMFD}:after=1"]) == 0
    first = json.loads(capsys.readouterr().out)
    spec = first["faults"][0]["spec"]
    assert spec == 'unlink:shmem="/memfd:wayland-shm (deleted)":after=1'
    assert first["faults"][0]["fired_at_ns"] is not None
    assert main([*args, "--fault", spec]) == 0  # what was printed, given back
    again = json.loads(capsys.readouterr().out)
    assert again == first


def test_a_fault_table_names_a_memfd_and_its_spec_reads_back() -> None:
    s = parse_scenario(
        SCENARIO + f'\n[[fault]]\nkind = "unlink"\nshmem = "{MEMFD}"\nafter = 1\n', "f.toml"
    )
    assert parse_fault(fault_spec(s.faults[0])) == s.faults[0]


def test_a_fault_table_takes_the_command_line_range() -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(SCENARIO + '\n[[fault]]\nkind = "eintr"\nafter = 1099511627776\n', "f.toml")
    # SCENARIO's 19 lines, a blank line, [[fault]], kind, after: line 23
    assert (
        str(info.value) == "f.toml:23: fault[0].after: 1099511627776 is out of range (0..2**40-1)"
    )
