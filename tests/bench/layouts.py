"""How the swap layout moves the race between the algorithms (a script, not a test).

    python tests/bench/layouts.py [--markdown]

Hugh Dickins's question of 2014: does walking page tables make the disk head seek?
The answer is in the layout.  This takes rfc3-240m (240 MB swapped by 40 processes on
a laptop disk) and lays the same swapped pages out five ways, from the page-table
walk's best case to its worst:

    sequential      each mm's pages in address order, mms in mmlist order
    reclaim, aged   the preset: long LRU stretches in address order (lru_shuffle = 0)
    reclaim, 32     stretches of ~32 pages, random ages (the generator's default)
    reclaim, 2      owners change every ~2 pages (kelley-50m's interleaving)
    random          slots drawn uniformly from the whole area

and prints simulated swapoff time per algorithm on hdd and on ssd, with legacy's
time divided by each algorithm's (above 1: the page-table walk wins), and prefetch's
price: the most pages it holds in the swap cache, against linear's.  `--markdown`
prints the full table of docs/reproduction.md, then the README's short one.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from models.engine import RunOptions, run_swapoff
from models.machine import Machine
from models.scenario import parse_scenario
from models.scenario.presets import preset_text

LAYOUTS = (
    ("sequential", 'layout = "sequential"'),
    ("reclaim, aged", 'layout = "reclaim"\nlru_run = 1024\nlru_shuffle = 0.0'),
    ("reclaim, 32", 'layout = "reclaim"\nlru_run = 32'),
    ("reclaim, 2", 'layout = "reclaim"\nlru_run = 2'),
    ("random", 'layout = "random"'),
)
ALGORITHMS = ("legacy", "rfc", "linear", "linear-5.1", "prefetch")
README_LABELS = {
    "sequential": "sequential (each process in address order, one after another)",
    "reclaim, aged": "reclaim, long stretches in address order (the preset)",
    "reclaim, 32": "reclaim, 32-page stretches",
    "reclaim, 2": "reclaim, 2-page stretches",
    "random": "random",
}


def recipe(layout: str) -> str:
    """rfc3-240m's text with its layout keys replaced."""
    lines = [
        line
        for line in preset_text("rfc3-240m").splitlines()
        if not line.startswith(("layout =", "lru_run =", "lru_shuffle ="))
    ]
    return "\n".join(lines) + "\n" + layout + "\n"


def measure() -> list[tuple[str, str, dict[str, float], dict[str, int]]]:
    """(layout, disk, seconds per algorithm, swapcache_peak per algorithm) per row."""
    rows = []
    for label, keys in LAYOUTS:
        scenario = parse_scenario(recipe(keys), label)
        machine = Machine(scenario)
        for disk in ("hdd", "ssd"):
            times, peaks = {}, {}
            for algorithm in ALGORITHMS:
                options = RunOptions(algorithm, disk=disk, keep_events=False, keep_requests=False)
                result = run_swapoff(scenario, options, machine=machine)
                times[algorithm] = result.counters.total_ns / 1e9
                peaks[algorithm] = result.counters.swapcache_peak
            rows.append((label, disk, times, peaks))
            print(f"# {label} {disk} done", file=sys.stderr, flush=True)
    return rows


def readme_table(rows: list[tuple[str, str, dict[str, float], dict[str, int]]]) -> None:
    """legacy's time divided by linear's and by prefetch's, per layout and disk."""
    print("| layout | hdd: linear | hdd: prefetch | ssd: linear | ssd: prefetch |")
    print("|---|---|---|---|---|")
    by = {(label, disk): times for label, disk, times, _p in rows}
    for label, _keys in LAYOUTS:
        cells = [
            f"{by[(label, disk)]['legacy'] / by[(label, disk)][a]:.2f}"
            for disk in ("hdd", "ssd")
            for a in ("linear", "prefetch")
        ]
        print(f"| {README_LABELS[label]} | " + " | ".join(cells) + " |")


def main() -> None:
    markdown = "--markdown" in sys.argv
    rows = measure()
    cols = ["layout", "disk", *(f"{a} s" for a in ALGORITHMS)]
    cols += [f"legacy/{a}" for a in ALGORITHMS[1:]]
    cols += ["peak: linear", "peak: prefetch"]
    if markdown:
        print("| " + " | ".join(cols) + " |")
        print("|" + "---|" * len(cols))
    else:
        print("  ".join(f"{c:>14}" for c in cols))
    for label, disk, times, peaks in rows:
        row = [label, disk, *(f"{times[a]:.2f}" for a in ALGORITHMS)]
        row += [f"{times['legacy'] / times[a]:.2f}" for a in ALGORITHMS[1:]]
        row += [f"{peaks['linear']:,}", f"{peaks['prefetch']:,}"]
        if markdown:
            print("| " + " | ".join(row) + " |")
        else:
            print("  ".join(f"{c:>14}" for c in row), flush=True)
    if markdown:
        print()
        readme_table(rows)


if __name__ == "__main__":
    main()
