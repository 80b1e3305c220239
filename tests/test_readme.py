"""The README's scenario example is a valid scenario, and its error example is what swaptui says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from models.engine import RunOptions, run_swapoff
from models.invariants import check
from models.scenario import ScenarioError, parse_scenario

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def example() -> str:
    match = re.search(r"```toml\n(.*?)```", README, re.S)
    assert match, "the README lost its scenario example"
    return match.group(1)


@pytest.mark.parametrize("algorithm", ["legacy", "rfc", "linear", "linear-5.1"])
def test_the_example_runs(algorithm: str) -> None:
    run = run_swapoff(parse_scenario(example(), "tiny.toml"), RunOptions(algorithm=algorithm))
    assert run.result == "ok" and check(run) == []


def test_the_error_example_is_real() -> None:
    quoted = re.search(r"`swaptui: (tiny\.toml:\d+: [^`]*)`", README)
    assert quoted
    broken = example().replace("swapped = [[10, 4], [30, 6]]", "swapped = [[10, 4], [30, 70]]")
    with pytest.raises(ScenarioError) as info:
        parse_scenario(broken, "tiny.toml")
    assert str(info.value) == quoted.group(1)


def test_the_two_commands_come_first() -> None:
    commands = [
        line.strip() for line in README.splitlines() if line.startswith("    python3 -m venv")
    ]
    assert commands[:2] == [
        "python3 -m venv .venv && . .venv/bin/activate && pip install -e . && swaptui",
        "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test]' && pytest",
    ]


def section(title: str) -> str:
    return README.split(title, 1)[1].split("\n## ", 1)[0]


def test_the_limits_table_says_what_limits_py_enforces() -> None:
    from models.scenario import limits

    table = section("### Limits")
    for value in (
        f"{limits.MAX_FILE_BYTES >> 20} MiB",
        f"| {limits.MAX_KEY_PARTS} (",
        f"{limits.MAX_REFERENCES:,}",
        f"{limits.MAX_RESIDENT_RANGES:,}",
        f"{limits.MAX_TOTAL_VMAS:,}",
        f"{limits.MAX_VMAS:,}",
        f"| {limits.MAX_MMS:,} |",
        f"{limits.MAX_SLOTS:,}",
        f"{limits.MAX_POPULATED:,}",
        f"| {limits.MAX_SHMEM_FILES:,} |",
        f"| {limits.MAX_SHARERS} (",
    ):
        assert value in table, value


def test_the_cost_ranges_are_the_enforced_ones() -> None:
    from models.scenario.limits import COST_BOUNDS, _num

    # the rows of the ranges table: a list of constants, then their range
    rows = [
        line
        for line in section("## The cost model").splitlines()
        if re.match(r"\| `\w+`(, `\w+`)* \| [^|]+ to [^|]+ \|$", line)
    ]
    for name, (low, high, _unit) in COST_BOUNDS.items():
        row = next((r for r in rows if f"`{name}`" in r), None)
        assert row is not None, f"{name} has no range in the README"
        assert f"| {_num(low)} to {_num(high)}" in row, (name, row)
