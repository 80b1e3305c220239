"""CPU time and peak memory of a whole `swaptui run` command, beside a baseline tree
(a script, not a test).

    python tests/bench/cli.py [--baseline DIR] [--repeat N] [SCENARIO [ALGORITHM]]

Default: `swaptui run vineeth-6g --algo legacy`, the command issue #17 measures.
Each run is a fresh `python -m swaptui run ...` process; its CPU time (user + system)
and maximum resident set come from the kernel's accounting of that child
(`os.wait4`).  The current tree runs twice per repeat: once with an empty preset
cache (the preset is generated) and once with the cache that run left.  With
`--baseline DIR` (an older checkout), the baseline runs right after, so both see the
same load; the figures then come with the ratio current / baseline.
Targets (issue #17): 40% less CPU than the baseline, peak <= 300 MB.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def measure(tree: Path, args: list[str], cache: str | None) -> tuple[float, float]:
    """(CPU seconds, peak MB) of one `python -m swaptui ARGS` run in `tree`."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    env.pop("SWAPTUI_CACHE_DIR", None)
    if cache is not None:
        env["SWAPTUI_CACHE_DIR"] = cache
    proc = subprocess.Popen(
        [sys.executable, "-m", "swaptui", *args],
        cwd=tree,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _pid, status, usage = os.wait4(proc.pid, 0)
    if status:
        raise SystemExit(f"{tree}: swaptui {' '.join(args)} failed ({status})")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1000  # KiB on Linux


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("scenario", nargs="?", default="vineeth-6g")
    ap.add_argument("algorithm", nargs="?", default="legacy")
    ap.add_argument("--baseline", metavar="DIR")
    ap.add_argument("--repeat", type=int, default=1)
    ns = ap.parse_args()
    args = ["run", ns.scenario, "--algo", ns.algorithm]
    print(f"# swaptui {' '.join(args)}; load average {os.getloadavg()[0]:.1f}")
    for i in range(ns.repeat):
        with tempfile.TemporaryDirectory() as d:
            cold = measure(ROOT, args, d)
            warm = measure(ROOT, args, d)
        line = (
            f"run {i + 1}: generated {cold[0]:6.1f} s CPU {cold[1]:5.0f} MB; "
            f"cached {warm[0]:6.1f} s CPU {warm[1]:5.0f} MB"
        )
        if ns.baseline:
            base = measure(Path(ns.baseline).resolve(), args, None)
            line += (
                f"; baseline {base[0]:6.1f} s CPU {base[1]:5.0f} MB "
                f"(generated {cold[0] / base[0]:.2f}x, cached {warm[0] / base[0]:.2f}x)"
            )
        print(line, flush=True)


if __name__ == "__main__":
    main()
