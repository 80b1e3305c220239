"""Kernel in the loop: a real Linux 6.1 swapoff against `swaptui capture` + `swaptui run`.

Each boot (tests/kernel/vm.py) runs forked workloads in a qemu guest, pushes them out to
a ram-disk swap area, copies the /proc files the capture reads, and traces swapoff.
Then, on the host, exactly what a user would run:

    swaptui capture --proc-root TREE/proc -o captured.toml
    swaptui run captured.toml --algo linear --json --trace reads.jsonl

and the kernel's trace must come out of it call for call and read for read: the same
unuse_pte_range calls (mm, VMA and page table of each, in order) and the same slots
read, in the same order.  `linear` picks the kernel's readahead by itself (VMA
readahead on the non-rotational boot, cluster readahead on the rotational one).

Three boots, each with a family whose parent exits after forking, so its children are
reparented to init and share thousands of slots with no parent to tie them (the mmlist
holds them newest first, as fork left them behind their parent):
- warm: the children rewrite part of what they inherited (swap-ins before swapoff), on
  a non-rotational disk (VMA readahead);
- cold: nothing is swapped in before swapoff (the families fork after their pages went
  to swap and never touch them), so readahead starts from Linux's boot state, which the
  capture reads from /proc/vmstat (pswpin 0); rotational (cluster readahead);
- cold-vma: the same on a non-rotational disk (VMA readahead).
VMA readahead reads in the walk's order whatever its windows, so the read order does
not show them; the kernel's readahead hit counter (vmstat swap_ra_hit) does, and it is
compared with the simulation's readahead_hits.

Opt in with SWAPTUI_KERNEL_TEST=1 (`.ci/run` does); it installs qemu, a static busybox
and a C compiler with apt-get when they are missing, downloads Debian's kernel package
once into tests/kernel/.cache/, and skips with one line where none of that can be had.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from models.scenario import load_scenario
from tests.kernel import compare, trace, vm

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("SWAPTUI_KERNEL_TEST") != "1",
        reason="kernel-in-the-loop test: set SWAPTUI_KERNEL_TEST=1 to boot Linux 6.1 under qemu",
    ),
]

PLANS = {
    "warm": vm.Plan(
        "warm",
        rotational=False,
        page_cluster=3,
        families=(
            vm.Family("a", 16, kids=2, touch_pct=30, limit_mb=8),
            vm.Family("b", 12, kids=3, touch_pct=25, leave=True, limit_mb=6),
        ),
    ),
    "cold": vm.Plan(
        "cold",
        rotational=True,
        page_cluster=3,
        families=(
            vm.Family("c", 16, kids=2),
            vm.Family("d", 6),
            vm.Family("e", 10, kids=3, leave=True),
        ),
    ),
    "cold-vma": vm.Plan(
        "cold-vma",
        rotational=False,
        page_cluster=3,
        families=(
            vm.Family("f", 12, kids=2),
            vm.Family("g", 6, kids=2, leave=True),
            vm.Family("h", 4),
        ),
    ),
}
# what linear chooses on its own, as the kernel did (swap_use_vma_readahead)
READAHEAD = {"warm": "vma", "cold": "cluster-adaptive", "cold-vma": "vma"}

_setup: dict[str, object] = {}


def _prepare() -> None:
    """Install and download once per session; skip the module when it cannot be done."""
    if "error" in _setup:
        pytest.skip(str(_setup["error"]))
    if "ready" in _setup:
        return
    try:
        t0 = time.monotonic()
        install = vm.ensure_tools()
        *_kernel, version, download = vm.ensure_kernel()
        _setup.update(ready=True, install=install, download=download, version=version)
        print(
            f"setup: tools installed in {install:.1f} s, Linux {version} fetched in "
            f"{download:.1f} s (0: already there), {time.monotonic() - t0:.1f} s in all"
        )
    except vm.Unavailable as e:
        _setup["error"] = f"kernel-in-the-loop test cannot run here: {e}"
        pytest.skip(str(_setup["error"]))


def _swaptui(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "swaptui", *argv], capture_output=True, text=True, check=False
    )


class Result:
    """One boot, captured and simulated."""

    def __init__(self, name: str, workdir: Path) -> None:
        _prepare()
        try:
            self.boot = vm.boot(PLANS[name], workdir / name)
        except vm.Unavailable as e:
            pytest.skip(f"kernel-in-the-loop test cannot run here: {e}")
        out = self.boot.out
        self.trace = trace.read_trace(out / "trace")
        self.vmstat = trace.read_vmstat(out / "vmstat-before")
        after = trace.read_vmstat(out / "vmstat-after")
        self.during = {key: after[key] - value for key, value in self.vmstat.items()}
        self.captured = out / "captured.toml"
        cap = _swaptui(
            "capture", "--proc-root", str(self.boot.tree / "proc"), "-o", str(self.captured)
        )
        assert cap.returncode == 0, cap.stderr
        self.capture_stderr = cap.stderr
        self.reads_file = out / "reads.jsonl"
        run = _swaptui(
            "run", str(self.captured), "--algo", "linear", "--json", "--trace", str(self.reads_file)
        )
        assert run.returncode == 0, run.stderr
        self.run = json.loads(run.stdout)
        self.sim_reads: list[int] = []
        for line in self.reads_file.read_text().splitlines():
            request = json.loads(line)
            self.sim_reads.extend(range(request["start"], request["start"] + request["pages"]))
        self.scenario = load_scenario(str(self.captured))
        self.named = compare.name_mms(self.trace, compare.maps_of(self.boot.tree / "proc"))
        self.kernel_calls = compare.kernel_calls(self.trace, self.named)

    def summary(self) -> str:
        b = self.boot
        return (
            f"{b.plan.name}: Linux {b.kernel}, boot {b.seconds:.1f} s, pswpin {self.vmstat['pswpin']}; "
            f"kernel {len(self.trace.walks)} unuse_pte_range calls, {len(self.trace.reads)} reads; "
            f"swaptui {self.run['counters']['unuse_pte_range_calls']} calls, {len(self.sim_reads)} reads "
            f"({self.run['readahead']}); readahead hits: kernel {self.during['swap_ra_hit']}, "
            f"swaptui {self.run['counters']['readahead_hits']}; "
            f"mmlist {compare.in_order(self.kernel_calls)}; "
            f"files in {b.out}"
        )


_results: dict[str, Result] = {}


@pytest.fixture(scope="module", params=sorted(PLANS))
def result(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Result:
    name = request.param
    if name not in _results:
        _results[name] = Result(name, tmp_path_factory.mktemp("vm"))
        print(_results[name].summary())
    return _results[name]


def test_the_workload_is_what_the_plan_says(result: Result) -> None:
    """Guards the guest: every process of the plan holds swap, swapoff read something."""
    plan = result.boot.plan
    processes = sum((0 if f.leave else 1) + f.kids for f in plan.families)
    assert len(result.scenario.mms) == processes
    assert len(result.trace.reads) > 1000
    if plan.name.startswith("cold"):
        assert result.vmstat["pswpin"] == 0
    else:
        assert result.vmstat["pswpin"] > 0


def test_walk_visits_the_kernels_mms_vmas_and_page_tables_in_order(result: Result) -> None:
    expected = compare.expected_walk(result.scenario)
    assert compare.in_order(result.kernel_calls) == [m.pid for m in result.scenario.mms]
    i = compare.first_difference(result.kernel_calls, expected)
    assert i is None, (
        f"call {i}: kernel {result.kernel_calls[i : i + 3]}, capture {expected[i : i + 3]}"
    )


def test_linear_makes_the_kernels_unuse_pte_range_calls(result: Result) -> None:
    assert result.run["readahead"] == READAHEAD[result.boot.plan.name]
    assert result.run["counters"]["unuse_pte_range_calls"] == len(result.trace.walks)
    assert result.run["invariants"] == "ok" and result.run["result"] == "ok"


def test_linear_reads_the_kernels_slots_in_the_kernels_order(result: Result) -> None:
    kernel = list(result.trace.reads)
    i = compare.first_difference(result.sim_reads, kernel)
    assert i is None, (
        f"read {i} of {len(kernel)}: kernel {kernel[max(0, i - 2) : i + 6]}, "
        f"swaptui {result.sim_reads[max(0, i - 2) : i + 6]}"
    )


def test_linear_reads_as_many_pages_and_hits_as_many_readahead_pages(result: Result) -> None:
    """The kernel's own counters during swapoff: pages read (pswpin) and readahead pages
    found in the swap cache (swap_ra_hit), against the simulation's.

    With nothing swapped in before (cold), the readahead state is known and the counts
    must be equal.  After swap-ins (warm) the state the faults left in each VMA is not
    in /proc; the capture takes 4 hits for every VMA (right for those never swapped in),
    which leaves the count within 1%.
    """
    counters = result.run["counters"]
    assert counters["pages_read"] == result.during["pswpin"]
    kernel, ours = result.during["swap_ra_hit"], counters["readahead_hits"]
    if result.boot.plan.name.startswith("cold"):
        assert ours == kernel
    else:
        assert abs(ours - kernel) <= kernel / 100, (ours, kernel)


def test_reparented_siblings_come_newest_first(result: Result) -> None:
    """The family whose parent exited: its children, newest first, with the note's count."""
    leaving = [f for f in result.boot.plan.families if f.leave]
    assert leaving, "every plan has a family whose parent exits"
    order = [m.pid for m in result.scenario.mms]
    for family in leaving:
        pids = [m.pid for m in result.scenario.mms if m.comm == f"hog-{family.name}"]
        assert len(pids) == family.kids
        assert pids == sorted(pids, reverse=True)  # forked in pid order, walked newest first
        assert order.index(pids[-1]) - order.index(pids[0]) == family.kids - 1
    text = result.captured.read_text()
    assert "no fork relation was seen" in text and " shares 1 slot " not in text
