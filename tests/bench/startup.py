"""Start-up of the command line and the app, beside a bare Textual app started the
same way in the same run (a script, not a test).

    python tests/bench/startup.py [--repeat N]

Each figure is the best of N fresh processes (default 7), so that the other jobs of
a shared machine weigh as little as they can:
- `swaptui --help`: the time its imports take (python -X importtime, summed);
- `swaptui record demo --frames 1 -o X.cast`: wall time of the whole command;
- first paint of `swaptui kelley-50m` (and rfc3-240m): a process that opens the app
  on the preset's name as the command line does and stamps the time of its first
  paint (then leaves at once: the run's worker thread would otherwise be waited for);
- the baseline: a process that starts a bare Textual app mounting one widget,
  headless, and leaves at its first paint: its first paint, the same way, for the
  presets' ratios, and the whole process for the record command's.
Targets (issue #17): --help <= 0.15 s of imports; record <= 1.6x the bare app;
first paint <= 1.2x the bare app.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

BARE = """
import os, time
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("hello")

    def on_mount(self):
        self.call_after_refresh(painted)

def painted():
    print(time.time(), flush=True)
    os._exit(0)

Bare().run(headless=True, size=(200, 60))
"""

FIRST_PAINT = """
import os, sys, time
from swaptui.viewer.app import SwapApp
from swaptui.viewer.player import RunKey

def painted():
    print(time.time(), flush=True)
    os._exit(0)  # not waiting for the worker thread that computes the run

class FirstPaint(SwapApp):
    def on_mount(self):
        super().on_mount()
        self.call_after_refresh(painted)

FirstPaint(sys.argv[1], None, RunKey("legacy", None, None), remember_theme=False).run(
    headless=True, size=(200, 60)
)
"""


def best(cmd: list[str], repeat: int, env: dict[str, str]) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT, env=env)
        times.append(time.perf_counter() - t)
    return min(times)


def best_paint(cmd: list[str], repeat: int, env: dict[str, str]) -> float:
    """Seconds from starting the process to the first paint it reports (a wall-clock
    stamp on its stdout): the process then leaves at once, whatever threads still run."""
    times = []
    for _ in range(repeat):
        t = time.time()
        p = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT, env=env)
        times.append(float(p.stdout.split()[-1]) - t)
    return min(times)


def import_ms(args: list[str], repeat: int, env: dict[str, str]) -> float:
    out = []
    for _ in range(repeat):
        p = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "swaptui", *args],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            check=False,
        )
        total = 0
        for line in p.stderr.splitlines():
            if line.startswith("import time:"):
                _self, cumulative, name = line.split("|")
                # a top-level import (the first line is the column headings)
                if cumulative.strip().isdigit() and not name.startswith("  "):
                    total += int(cumulative)
        out.append(total / 1000)
    return min(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    ns = ap.parse_args()
    tmp = tempfile.mkdtemp()
    env = {
        **os.environ,
        "SWAPTUI_CONFIG_DIR": tmp,
        "SWAPTUI_CACHE_DIR": str(Path(tmp) / "cache"),
        "TEXTUAL_ANIMATIONS": "none",
        "SOURCE_DATE_EPOCH": "1",
    }
    py = sys.executable
    bare = best_paint([py, "-c", BARE], ns.repeat, env)
    bare_process = best([py, "-c", BARE], ns.repeat, env)
    print(f"# load average {os.getloadavg()[0]:.1f}; best of {ns.repeat} processes each")
    print(f"baseline: a bare Textual app, start to first paint  {bare * 1000:6.0f} ms")
    print(f"baseline: the same, whole process                   {bare_process * 1000:6.0f} ms")
    help_ms = import_ms(["--help"], ns.repeat, env)
    print(f"swaptui --help: imports                             {help_ms:6.0f} ms  (target 150)")
    cast = str(Path(tmp) / "x.cast")
    rec = best(
        [py, "-m", "swaptui", "record", "demo", "--frames", "1", "-o", cast, "--force"],
        ns.repeat,
        env,
    )
    print(
        f"swaptui record demo --frames 1                      {rec * 1000:6.0f} ms  "
        f"{rec / bare_process:4.2f}x  (target 1.6x)"
    )
    for preset in ("kelley-50m", "rfc3-240m"):
        paint = best_paint([py, "-c", FIRST_PAINT, preset], ns.repeat, env)
        print(
            f"swaptui {preset}: start to first paint           {paint * 1000:6.0f} ms  "
            f"{paint / bare:4.2f}x  (target 1.2x)"
        )


if __name__ == "__main__":
    main()
