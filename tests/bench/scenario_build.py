"""Wall time of building scenarios (a script, not a test).

    python tests/bench/scenario_build.py

- validation of a generated scenario of about 230,000 references (target: well under
  a second per 100,000 references);
- a million references generated and validated from a 300-byte recipe, `reclaim` and
  `random` layouts, each in a fresh process for its peak memory (targets: 30 s, 1 GB);
- a small fixture-like recipe (target: milliseconds).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

BIG = """\
format = "swaptui-scenario/1"
[scenario]
name = "big"
seed = 7
[swap]
slots = 2097152
[generate]
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

SMALL = """\
format = "swaptui-scenario/1"
[scenario]
name = "small"
seed = 1
[swap]
slots = 32768
[generate]
processes = 3
forks = 2
vmas = [6, 8]
vma_pages = [1, 10240]
"""


def validation() -> tuple[float, int]:
    from models.scenario import validate_scenario
    from models.scenario.generate import generate
    from models.scenario.genspec import GenerateSpec
    from models.scenario_model import Scenario

    base = Scenario(name="speed", slots=1 << 19, seed=5)
    spec = GenerateSpec(
        processes=40,
        forks=10,
        vma_pages=(1024, 16384),
        slots_used=200_000,
        swapped_fraction=(0.3, 0.6),
    )
    s = generate(base, spec)
    start = time.perf_counter()
    validate_scenario(s)
    return time.perf_counter() - start, s.swap_references()


def child(layout: str) -> None:
    from models.scenario import parse_scenario

    t = time.perf_counter()
    s = parse_scenario(BIG.format(layout=layout), "big.toml")
    seconds = time.perf_counter() - t
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"s": seconds, "refs": s.swap_references(), "rss_mb": rss_mb}))


def main() -> int:
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2])
        return 0
    from models.scenario import parse_scenario

    seconds, refs = validation()
    per = seconds / refs * 100_000
    print(f"validation: {refs:,} references in {seconds:.2f} s ({per:.2f} s per 100k)")
    for layout in ("reclaim", "random"):
        proc = subprocess.run(
            [sys.executable, __file__, "--child", layout],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(proc.stdout)
        print(
            f"generate {layout}: {r['refs']:,} references in {r['s']:.1f} s, "
            f"peak {r['rss_mb']:.0f} MB"
        )
    t = time.perf_counter()
    parse_scenario(SMALL, "small.toml")
    print(f"fixture-like recipe: {(time.perf_counter() - t) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
