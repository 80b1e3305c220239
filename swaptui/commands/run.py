"""`swaptui run SCENARIO`: simulate swapoff and print the counters (table or JSON)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from attrs import frozen

from models.algorithms import ALGORITHMS, algorithm
from models.engine import OptionError, RunResult, run_swapoff
from models.faults import fault_spec
from models.invariants import check
from models.scenario.genspec import NOTE_REFERENCES
from models.scenario_model import Scenario
from swaptui.atomic import check_writable, write_atomic
from swaptui.commands.options import add_engine_options, run_options
from swaptui.commands.scenario import load, say
from swaptui.errors import UsageError, fail

# above this many swap references, the run keeps no event list (memory); the
# invariants then check the final state only, not the counters against the events
EVENTS_LIMIT = 300_000


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "run",
        help="simulate swapoff and print the counters",
        description=(
            "Simulate swapoff of SCENARIO (a preset or a .toml file) and print the kernel "
            "counters and the simulated time, for one algorithm or all of them side by side. "
            "Exit status: 0 ran and the invariants hold, 1 an invariant broke, 2 bad input."
        ),
    )
    p.add_argument("scenario", help="preset name or scenario file")
    add_engine_options(p, multi_algo=True)
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--trace", metavar="FILE", help="write one JSON line per disk request to FILE")
    p.add_argument("--force", action="store_true", help="overwrite the --trace FILE if it exists")


@frozen
class NotApplicable:
    """An algorithm of `--algo all` that refuses the readahead asked for (legacy and vma)."""

    algorithm: str
    readahead: str
    reason: str


Outcome = tuple[RunResult, list[str]] | NotApplicable


def run(ns: argparse.Namespace) -> int:
    scenario = load(ns.scenario)
    algos = list(ALGORITHMS) if ns.algo == "all" else [ns.algo or "legacy"]
    if ns.trace and len(algos) > 1:
        raise UsageError("--trace needs a single --algo")
    if ns.trace:
        check_writable(ns.trace, force=ns.force)
    refs = scenario.swap_references()
    if refs >= NOTE_REFERENCES:
        runs = "each algorithm runs" if len(algos) > 1 else "the run takes"
        say(f"{scenario.name}: {refs:,} swapped references: {runs} tens of seconds")
    keep = refs <= EVENTS_LIMIT
    results: list[Outcome] = []
    for a in algos:
        refused = algorithm(a).refused
        if len(algos) > 1 and ns.readahead in refused:
            # one algorithm cannot take this policy: the others still run
            results.append(NotApplicable(a, ns.readahead, refused[ns.readahead]))
            continue
        opt = run_options(ns, a, keep_events=keep, keep_requests=bool(ns.trace))
        try:
            r = _run_one(scenario, opt)
        except OptionError as e:
            return fail(str(e))
        results.append((r, check(r)))
    ran = [o for o in results if not isinstance(o, NotApplicable)]
    if not ran:
        return fail("; ".join(o.reason for o in results if isinstance(o, NotApplicable)))
    if ns.trace:
        write_atomic(ns.trace, "".join(json.dumps(line) + "\n" for line in trace_lines(ran[0][0])))
    if ns.json:
        disk = ran[0][0].disk
        docs = [
            not_applicable(o, ran[0][0].scenario.name, disk)
            if isinstance(o, NotApplicable)
            else report(*o)
            for o in results
        ]
        print(json.dumps(docs[0] if len(docs) == 1 else docs, indent=2))
    else:
        from swaptui.commands.run_table import print_table

        print_table(results)
    return 1 if any(problems for _r, problems in ran) else 0


def _run_one(scenario: Scenario, opt: Any) -> RunResult:
    """Run with a progress bar on stderr once the run has taken more than a second."""
    started = time.monotonic()
    bar: Any = None
    task: Any = None

    def progress(fraction: float) -> None:
        nonlocal bar, task
        if bar is None:
            if time.monotonic() - started < 1.0 or not sys.stderr.isatty():
                return
            from rich.console import Console
            from rich.progress import Progress

            bar = Progress(console=Console(stderr=True), transient=True)
            bar.start()
            task = bar.add_task(f"{opt.algorithm}", total=1.0)
        bar.update(task, completed=fraction)

    try:
        return run_swapoff(scenario, opt, progress=progress)
    finally:
        if bar is not None:
            bar.stop()


def report(r: RunResult, problems: list[str]) -> dict[str, Any]:
    """The JSON object of docs/engine.md, section 5."""
    return {
        "scenario": r.scenario.name,
        "algorithm": r.algorithm,
        "readahead": r.readahead,
        "disk": r.disk,
        "result": r.result,
        "invariants": problems if problems else "ok",
        "faults": [
            {"spec": fault_spec(f), "fired_at_ns": dict(r.fired).get(i)}
            for i, f in enumerate(r.faults)
        ],
        "counters": r.counters.as_dict(),
        **({"memory": memory_report(r)} if r.final.mem is not None else {}),
    }


def memory_report(r: RunResult) -> dict[str, Any]:
    """Memory pressure (docs/engine.md, section 9): where the pages are at the end."""
    mem = r.final.mem
    assert mem is not None
    s = r.scenario
    return {
        "free_pages": s.free_pages,
        "free_at_end": mem.free,
        "swapcache_at_end": r.final.cache_size,
        "fresh_slots": s.fresh.slots if s.fresh is not None else None,
        "fresh_disk": s.fresh.disk if s.fresh is not None else None,
        "fresh_used": mem.fresh_used,
        "load_touched": mem.load_touched,
        "load_written": mem.load_touched - mem.load_resident(),
    }


def not_applicable(o: NotApplicable, scenario: str, disk: str) -> dict[str, Any]:
    """The JSON object of an algorithm that did not run: `result` "n/a" and why."""
    return {
        "scenario": scenario,
        "algorithm": o.algorithm,
        "readahead": o.readahead,
        "disk": disk,
        "result": "n/a",
        "reason": o.reason,
        "invariants": "n/a",
        "faults": [],
        "counters": None,
    }


def trace_lines(r: RunResult) -> list[dict[str, Any]]:
    """One line per disk request in issue order: the reads, and under memory pressure
    reclaim's writes (`reason` "write", `start` a slot of the fresh area, `area` "fresh")."""
    reads = [
        (
            q.t0,
            {
                "t_ns": q.t0 // 1000,
                "start": q.start,
                "pages": q.pages,
                "seek_slots": q.seek_slots,
                "ns": (q.t1 - q.t0) // 1000,
                "reason": q.reason,
            },
        )
        for q in r.requests
    ]
    writes = [
        (
            w.t0,
            {
                "t_ns": w.t0 // 1000,
                "start": w.start,
                "pages": len(w.pages),
                "seek_slots": w.seek_slots,
                "ns": (w.t1 - w.t0) // 1000,
                "reason": "write",
                "area": "fresh",
            },
        )
        for w in r.writes
    ]
    return [line for _t, line in sorted(reads + writes, key=lambda x: x[0])]
