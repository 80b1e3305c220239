"""Time and peak memory of loading scenarios: big legal ones, and hostile ones refused.

    python tests/bench/scenarios.py [--only NAME,...]

A script, not a test: the suite asserts what happens, this measures how long it takes
and how much memory it holds (the tests once asserted wall-clock limits and failed on a
loaded machine).  Each case runs `swaptui scenario show FILE` (load, validate, print a
summary: no swapoff) in a fresh process, and reports its wall time, its peak resident
set (the child's maxrss: interpreter, parser and scenario together) and its exit
status.  The files are written to a temporary directory first (the big ones are not
kept in the repository).

Cases:
- legal: the million-reference recipe the generator tests used to time (reclaim and
  random layouts), a recipe the size of the linux-6.1 captures, the vineeth-6g
  preset, and an explicit file of 200,000 references;
- hostile (issue #18, each refused with one line): a few thousand levels of dotted
  keys, an 80 KB key of 40,000 parts, a 200-byte recipe for 4.2M VMAs, a 128 GiB VMA
  with 3.3M swapped pages (by slots_used and by fraction), 50 MB of resident ranges,
  and a million resident ranges under the size limit (one over their own limit).

Targets: a hostile file is refused within a few seconds and a few hundred MB.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

HEAD = 'format = "swaptui-scenario/1"\n[scenario]\nname = "bench"\n[swap]\nslots = {slots}\n'
HOSTILE_TARGET_S = 5.0
HOSTILE_TARGET_MB = 300.0


def recipe(slots: int, body: str) -> str:
    return HEAD.format(slots=slots) + "[generate]\n" + body


MILLION = """\
processes = 200
forks = 60
vmas = [4, 12]
vma_pages = [64, 65536]
swapped_fraction = [0.05, 0.5]
resident_fraction = [0.05, 0.3]
shmem_files = 20
slots_used = 900000
bad_slots = 10
layout = "{layout}"
"""


def explicit(refs: int) -> str:
    from models.scenario import export_scenario, parse_scenario

    body = f"processes = 40\nforks = 10\nvma_pages = [1024, 16384]\nslots_used = {refs}\n"
    return export_scenario(parse_scenario(recipe(1 << 20, body), "gen"))


def resident_flood(size: int) -> str:
    """One VMA of one-page resident ranges, `size` bytes of them, on one line."""
    per = len("[10000000, 10000001], ")
    n = size // per
    body = ", ".join(f"[{10_000_000 + 2 * i}, {10_000_001 + 2 * i}]" for i in range(n))
    return (
        HEAD.format(slots=64)
        + f"[[mm]]\npid = 1\n[[mm.vma]]\nstart = 0\npages = {10_000_000 + 2 * n + 2}\n"
        + f"resident = [{body}]\n"
    )


def export_flood(n: int) -> str:
    """n + 1 one-page resident ranges as export writes them: 8 a line."""
    rows = "".join(
        "    " + ", ".join(f"[{2 * i}, {2 * i + 1}]" for i in range(k, min(n, k + 8))) + ",\n"
        for k in range(0, n, 8)
    )
    return (
        HEAD.format(slots=64)
        + f"[[mm]]\npid = 1\n  [[mm.vma]]\n  start = 0\n  pages = {2 * n}\n"
        + "  resident = [\n"
        + rows
        + "  ]\n"
    )


HUGE_VMA = (
    "processes = 1\nvmas = 1\nfile_vmas = 0\nvma_pages = 33554432\nswapped_fraction = 0.1\n"
    "resident_fraction = 0\n"
)

# name -> (kind, what it writes: file text, or None for a preset name)
CASES: dict[str, tuple[str, Callable[[], str | None]]] = {
    "million-reclaim": ("legal", lambda: recipe(2097152, MILLION.format(layout="reclaim"))),
    "million-random": ("legal", lambda: recipe(2097152, MILLION.format(layout="random"))),
    "capture-sized": (
        "legal",
        lambda: recipe(32768, "processes = 3\nforks = 2\nvmas = [6, 8]\nvma_pages = [1, 10240]\n"),
    ),
    "vineeth-6g": ("legal", lambda: None),
    "explicit-200k": ("legal", lambda: explicit(200_000)),
    "dotted-3000": (
        "hostile",
        lambda: HEAD.format(slots=64) + "[scenario.x]\n" + "a" + ".a" * 3000 + " = 1\n",
    ),
    "key-40000-parts": (
        "hostile",
        lambda: HEAD.format(slots=64) + ".".join(["a"] * 40_000) + " = 1\n",
    ),
    "recipe-4.2M-vmas": (
        "hostile",
        lambda: recipe(1 << 24, "processes = 4096\nvmas = 1024\nfile_vmas = 0\nvma_pages = 1\n"),
    ),
    "vma-128g-slots-used": (
        "hostile",
        lambda: recipe(1 << 24, HUGE_VMA + "slots_used = 3300000\n"),
    ),
    "vma-128g-fraction": ("hostile", lambda: recipe(1 << 24, HUGE_VMA)),
    "resident-50MB": ("hostile", lambda: resident_flood(50_000_000)),
    "resident-flood-1M": ("hostile", lambda: export_flood((1 << 20) + 1)),
}


def measure(target: str, tmp: str) -> tuple[float, float, int, str]:
    """Wall seconds, peak MB, exit status and last stderr line of `scenario show`.

    Through /usr/bin/time: a child forked from this process would count the memory of
    the texts built here in its own peak, until its exec.
    """
    report = Path(tmp) / "time.txt"
    timed = ["/usr/bin/time", "-f", "%e %M", "-o", str(report)]
    proc = subprocess.run(
        [*timed, sys.executable, "-m", "swaptui", "scenario", "show", target],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        text=True,
        check=False,
        # no preset cache: a preset is generated, as on its first load
        env={**os.environ, "SWAPTUI_CACHE_DIR": ""},
    )
    wall, peak_kb = report.read_text().split()[-2:]
    err = proc.stderr.strip()
    last = err.splitlines()[-1] if err else ""
    return float(wall), int(peak_kb) * 1024 / 1e6, proc.returncode, last


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated case names")
    args = parser.parse_args()
    names = args.only.split(",") if args.only else list(CASES)
    if shutil.which("/usr/bin/time") is None:
        print("needs /usr/bin/time (GNU time) for the peak memory of each run")
        return 2
    print(
        f"# {platform.node()} · {os.cpu_count()} CPUs · Python {platform.python_version()} · "
        f"load {os.getloadavg()[0]:.1f}"
    )
    print(f"{'case':<22} {'kind':<8} {'file MB':>8} {'wall s':>7} {'peak MB':>8} {'exit':>4}  says")
    missed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            kind, make = CASES[name]
            text = make()
            if text is None:
                target, size = name, 0.0
            else:
                path = Path(tmp) / f"{name}.toml"
                path.write_text(text)
                target, size = str(path), path.stat().st_size / 1e6
            del text  # not held while the child runs
            wall, peak, status, said = measure(target, tmp)
            ok = kind == "legal" or (
                status == 2 and wall <= HOSTILE_TARGET_S and peak <= HOSTILE_TARGET_MB
            )
            missed += not ok
            said = said.replace(tmp + "/", "")
            print(
                f"{name:<22} {kind:<8} {size:>8.2f} {wall:>7.2f} {peak:>8.0f} {status:>4}  "
                f"{said[:110]}{'' if ok else '  MISSED'}",
                flush=True,
            )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
