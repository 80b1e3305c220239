"""Every cost constant is bounded, so a run's totals stay finite whatever the file says.

`[cpu] pte_ns = 1e308` (or `--cpu-param pte_ns=1e308`) once ended in OverflowError
inside the cost model.  Now each constant has a documented range
(models/scenario/limits.py, the README): outside it, the file or the flag is refused
with the constant and the range named; at either end of it, every algorithm runs.
"""

from __future__ import annotations

import attrs
import pytest

from models.algorithms import ALGORITHMS
from models.engine import RunOptions, run_swapoff
from models.scenario import ScenarioError, load_preset, parse_scenario
from models.scenario.limits import COST_BOUNDS
from models.scenario_model import CPU_PARAM_NAMES, DISK_KINDS
from swaptui.cli import main

# which disk kind reads each disk constant
KIND_OF = {
    "rpm": "hdd",
    "hdd_mb_s": "hdd",
    "track_ms": "hdd",
    "stroke_ms": "hdd",
    "span": "hdd",
    "skip_slots": "hdd",
    "ssd_request_us": "ssd",
    "ssd_mb_s": "ssd",
    "zram_page_us": "zram",
}

SCENARIO = """\
format = "swaptui-scenario/1"
[scenario]
name = "bounds"
[swap]
slots = 64
[{table}]
{name} = {value}
"""


def test_every_constant_has_bounds() -> None:
    assert set(COST_BOUNDS) == set(KIND_OF) | set(CPU_PARAM_NAMES)
    assert set(KIND_OF.values()) == set(DISK_KINDS)


def _table(name: str) -> str:
    return "cpu" if name in CPU_PARAM_NAMES else "disk"


@pytest.mark.parametrize("name", sorted(COST_BOUNDS))
@pytest.mark.parametrize("end", [0, 1], ids=["lowest", "highest"])
def test_either_end_of_a_range_runs_finite(name: str, end: int) -> None:
    value = COST_BOUNDS[name][end]
    demo = load_preset("demo")
    kind = KIND_OF.get(name, "hdd")
    if name in CPU_PARAM_NAMES:
        sc = attrs.evolve(demo, cpu=attrs.evolve(demo.cpu, **{name: value}))
    else:
        sc = attrs.evolve(demo, disk=attrs.evolve(demo.disk, kind=kind, **{name: value}))
    for algorithm in ALGORITHMS:
        readahead = "none" if algorithm == "legacy" else None
        r = run_swapoff(sc, RunOptions(algorithm, readahead))
        c = r.counters
        assert isinstance(c.total_ns, int) and c.total_ns == c.cpu_ns + c.io_ns, algorithm
        assert c.total_ns >= 0


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("pte_ns", "1e308", "cpu.pte_ns: must be a number from 0 to 1e9 ns, got 1e+308"),
        ("slot_scan_ns", "-0.5", "cpu.slot_scan_ns: must be a number from 0 to 1e9 ns, got -0.5"),
        ("rpm", "59.9", "disk.rpm: must be a number from 60 to 1000000 rpm, got 59.9"),
        (
            "hdd_mb_s",
            "1e-300",
            "disk.hdd_mb_s: must be a number from 0.01 to 1000000 MB/s, got 1e-300",
        ),
        (
            "skip_slots",
            "67108865",
            "disk.skip_slots: must be an integer from 0 to 67108864 slots, got 67108865",
        ),
    ],
)
def test_the_file_names_the_constant_and_the_range(name: str, value: str, expected: str) -> None:
    text = SCENARIO.format(table=_table(name), name=name, value=value)
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "b.toml")
    assert str(info.value) == f"b.toml:7: {expected}"


@pytest.mark.parametrize(
    ("flag", "item", "expected"),
    [
        (
            "--cpu-param",
            "pte_ns=1e308",
            "swaptui: --cpu-param pte_ns: must be a number from 0 to 1e9 ns, got 1e+308\n",
        ),
        (
            "--disk-param",
            "span=1e-9",
            "swaptui: --disk-param span: must be a number from 1e-6 to 1 "
            "(the swap area's share of the disk), got 1e-09\n",
        ),
        (
            "--disk-param",
            "skip_slots=2.5",
            "swaptui: --disk-param skip_slots: must be an integer from 0 to 67108864 slots, "
            "got 2.5\n",
        ),
    ],
)
@pytest.mark.parametrize("command", [["run", "demo"], ["demo"], ["race", "demo"]])
def test_the_flags_name_the_constant_and_the_range(
    command: list[str], flag: str, item: str, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*command, flag, item]) == 2
    assert capsys.readouterr().err == expected


def test_the_highest_values_together_still_run(capsys: pytest.CaptureFixture[str]) -> None:
    flags = [
        arg
        for name in ("rpm", "track_ms", "stroke_ms", "skip_slots", *CPU_PARAM_NAMES)
        for arg in (
            "--cpu-param" if name in CPU_PARAM_NAMES else "--disk-param",
            f"{name}={COST_BOUNDS[name][1]:.17g}",
        )
    ]
    assert (
        main(["run", "demo", "--algo", "all", "--json", *flags, "--disk-param", "hdd_mb_s=0.01"])
        == 0
    )
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"cpu_params": (("pte_ns", 1e308),)}, "cpu parameter pte_ns must be a number from 0"),
        ({"disk_params": (("rpm", 1.0),)}, "disk parameter rpm must be a number from 60"),
        ({"disk_params": (("span", 2.0),)}, "disk parameter span must be a number from"),
    ],
)
def test_the_engine_bounds_options_given_in_code(params: dict, expected: str) -> None:
    """A caller that builds RunOptions in code (not through the file or the flags) gets
    the same bounds: pte_ns = 1e308 once reached the cost model and overflowed there,
    rpm = 1 and span = 2 were taken as given (only negatives were refused)."""
    from models.engine import OptionError

    with pytest.raises(OptionError, match=expected):
        run_swapoff(load_preset("demo"), RunOptions("linear", **params))
