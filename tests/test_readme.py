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
