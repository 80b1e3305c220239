"""The command line: output, exit statuses, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from swaptui import __version__
from swaptui.cli import main


def run_cli(*args: str) -> tuple[int, str, str]:
    p = subprocess.run(
        [sys.executable, "-m", "swaptui", *args], capture_output=True, text=True, timeout=120
    )
    return p.returncode, p.stdout, p.stderr


def test_version() -> None:
    status, out, _ = run_cli("--version")
    assert status == 0 and out.strip() == f"swaptui {__version__}"


def test_run_demo_all_prints_a_comparison(capsys) -> None:
    assert main(["run", "demo", "--algo", "all"]) == 0
    out = capsys.readouterr().out
    for name in ("legacy", "rfc", "linear", "linear-5.1", "unuse_pte_range", "vs fastest"):
        assert name in out


def test_json_matches_the_spec(capsys) -> None:
    assert main(["run", "demo", "--algo", "linear", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == {
        "scenario",
        "algorithm",
        "readahead",
        "disk",
        "result",
        "invariants",
        "faults",
        "counters",
    }
    assert doc["invariants"] == "ok" and doc["result"] == "ok"
    assert doc["readahead"] == "cluster-adaptive" and doc["disk"] == "hdd"
    assert set(doc["counters"]) == {
        "unuse_pte_range_calls",
        "ptes_scanned",
        "unuse_pte_calls",
        "unuse_mm_calls",
        "pages_read",
        "io_requests",
        "seek_slots",
        "readahead_hits",
        "swapcache_peak",
        "passes",
        "io_errors",
        "pages_dropped",
        "pages_written",
        "pages_reread",
        "cpu_ns",
        "io_ns",
        "write_ns",
        "reread_ns",
        "total_ns",
    }


def test_trace_has_one_line_per_request(tmp_path: Path, capsys) -> None:
    trace = tmp_path / "t.jsonl"
    assert main(["run", "demo", "--algo", "legacy", "--json", "--trace", str(trace)]) == 0
    doc = json.loads(capsys.readouterr().out)
    lines = [json.loads(x) for x in trace.read_text().splitlines()]
    assert len(lines) == doc["counters"]["io_requests"]
    assert sum(x["pages"] for x in lines) == doc["counters"]["pages_read"]
    assert sum(x["ns"] for x in lines) == doc["counters"]["io_ns"]
    assert all(set(x) == {"t_ns", "start", "pages", "seek_slots", "ns", "reason"} for x in lines)
    # legacy reads each slot alone, in ascending order, as the target of its own search
    assert [x["start"] for x in lines] == sorted(x["start"] for x in lines)
    assert {x["reason"] for x in lines} == {"target"}


def test_disk_and_cpu_params_change_the_cost(capsys) -> None:
    main(["run", "demo", "--json"])
    base = json.loads(capsys.readouterr().out)["counters"]
    main(["run", "demo", "--json", "--cpu-param", "pte_ns=3", "--disk-param", "hdd_mb_s=100"])
    slow = json.loads(capsys.readouterr().out)["counters"]
    assert slow["cpu_ns"] > base["cpu_ns"] and slow["io_ns"] > base["io_ns"]
    assert slow["ptes_scanned"] == base["ptes_scanned"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "nosuch"], "no such file or preset"),
        (["run", "/nonexistent/x.toml"], "x.toml"),
        (["run", "demo", "--algo", "quick"], "invalid choice"),
        (["run", "demo", "--algo", "legacy", "--readahead", "vma"], "legacy"),
        (["run", "demo", "--disk-param", "rpm"], "expected NAME=VALUE"),
        (["run", "demo", "--disk-param", "warp=9"], "unknown disk parameter"),
        (["run", "demo", "--cpu-param", "pte_ns=nan"], "finite"),
        (["run", "demo", "--fault", "meteor:after=1"], "unknown kind"),
        (["run", "demo", "--algo", "all", "--trace", "t.jsonl"], "single --algo"),
        (["scenario", "show", "nosuch"], "no such file or preset"),
        (["scenario"], "required"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    status, out, err = run_cli(*args)
    assert status == 2, err
    assert err.count("\n") == 1 and message in err and "Traceback" not in err
    assert out == ""  # nothing half-written


@pytest.mark.parametrize("content", [b"", b"\x00\xff\xfe binary", b"format = 3\n"])
def test_broken_files(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "s.toml"
    path.write_bytes(content)
    status, _, err = run_cli("run", str(path))
    assert status == 2 and err.startswith(f"swaptui: {path}") and err.count("\n") == 1


def test_a_directory_is_refused(tmp_path: Path) -> None:
    status, _, err = run_cli("run", str(tmp_path) + "/")
    assert status == 2 and err.count("\n") == 1


@pytest.mark.slow
def test_export_is_byte_identical_and_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "demo.toml"
    assert run_cli("scenario", "export", "demo", "-o", str(out))[0] == 0
    first = out.read_bytes()
    status, _, err = run_cli("scenario", "export", "demo", "-o", str(out))
    assert status == 2 and "--force" in err
    assert run_cli("scenario", "export", "demo", "-o", str(out), "--force")[0] == 0
    assert out.read_bytes() == first
    assert oct(os.stat(out).st_mode & 0o077) != "0o0"  # not left private by the temp file


def test_markup_in_names_prints_literally(tmp_path: Path) -> None:
    path = tmp_path / "m.toml"
    path.write_text(
        'format = "swaptui-scenario/1"\n[scenario]\nname = "m"\ntitle = "[red]x[/red] \\u001b[31m"\n'
        '[swap]\nslots = 4\n[[mm]]\npid = 1\ncomm = "[bold]evil[/bold]"\n'
        "  [[mm.vma]]\n  start = 0x1000\n  pages = 1\n  swapped = [[0, 1]]\n"
    )
    status, out, _ = run_cli("scenario", "show", str(path))
    assert status == 0 and "[bold]evil[/bold]" in out and "[red]x[/red]" in out
    assert "\x1b[31m" not in out and "\\x1b[31m" in out  # the escape byte spelled out


def test_scenario_list_names_every_preset() -> None:
    from models.scenario import preset_names

    status, out, _ = run_cli("scenario", "list")
    assert status == 0
    assert all(name in out for name in preset_names())


def test_broken_invariant_exits_1(capsys) -> None:
    # rfc has no retry pass: an entry put back behind its walk stays in use
    status = main(["run", "demo", "--algo", "rfc", "--json", "--fault", "pressure:pages=3:after=6"])
    doc = json.loads(capsys.readouterr().out)
    assert status == 1 and doc["invariants"] != "ok"


@pytest.mark.slow
def test_race_takes_the_engine_flags() -> None:
    from models.faults import parse_fault
    from models.scenario import load_preset
    from swaptui.race.model import Race
    from swaptui.viewer.player import Extras

    race = Race(
        load_preset("demo"),
        ("legacy", "linear"),
        extras=Extras(faults=(parse_fault("eintr:after=3"),)),
    )
    assert {side.run.result for side in race.sides} == {"EINTR"}
    status, out, err = run_cli("race", "demo", "--fault", "touch:pid=99:after=1")
    assert status == 2 and "no process with pid 99" in err and err.count("\n") == 1
    assert out == ""
