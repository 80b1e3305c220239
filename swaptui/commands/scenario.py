"""`swaptui scenario list | show NAME | export NAME [-o FILE]`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from models.narrate import literal
from models.scenario_model import Scenario
from swaptui.atomic import check_writable, write_atomic
from swaptui.errors import UsageError


def say(message: str) -> None:
    """One line on stderr, before a long piece of work (stdout stays the output's)."""
    print(f"swaptui: {message}".replace("\n", " "), file=sys.stderr)


def load(ref: str) -> Scenario:
    """A preset or a scenario file (the one loader, models.scenario.load_scenario); any
    problem becomes one line for the user, and a big one is announced before it is read
    or generated."""
    from models.scenario import ScenarioError, load_scenario

    try:
        return load_scenario(ref, note=say)
    except ScenarioError as e:
        raise UsageError(str(e)) from None


def add_parser(sub: Any) -> None:
    p = sub.add_parser("scenario", help="list, show and export scenarios")
    verbs = p.add_subparsers(dest="verb", required=True, parser_class=type(p))
    verbs.add_parser("list", help="the presets, with a line each")
    show = verbs.add_parser("show", help="what a scenario holds")
    show.add_argument("name", help="preset name or scenario file")
    export = verbs.add_parser("export", help="write a scenario in the explicit form")
    export.add_argument("name", help="preset name or scenario file")
    export.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: stdout)")
    export.add_argument("--force", action="store_true", help="overwrite FILE if it exists")


def run(ns: argparse.Namespace) -> int:
    from models.scenario import export_scenario, preset_description, preset_names
    from models.scenario.presets import LARGE_PRESETS

    console = Console()
    if ns.verb == "list":
        table = Table(show_header=True, box=None)
        table.add_column("preset", style="bold")
        table.add_column("description")
        for name in preset_names():
            table.add_row(name, Text(literal(preset_description(name))))
        for name in LARGE_PRESETS:
            # full-scale: too big for the app's list, loaded by name like any other
            table.add_row(name, Text(literal(preset_description(name)) + " [large: ~1 min a run]"))
        console.print(table)
        return 0
    if ns.verb == "export":
        if ns.output:
            check_writable(ns.output, force=ns.force)
        text = export_scenario(load(ns.name))
        if ns.output:
            write_atomic(ns.output, text)
        else:
            print(text, end="")
        return 0
    show(load(ns.name), console)
    return 0


def show(s: Scenario, console: Console) -> None:
    shared = 0
    per_slot: dict[int, int] = {}
    for m in s.mms:
        for v in m.vmas:
            for _page, slot in v.swapped:
                per_slot[slot] = per_slot.get(slot, 0) + 1
    shared = sum(1 for n in per_slot.values() if n > 1)
    head = Text()
    head.append(literal(s.name), style="bold")
    if s.title:
        head.append(" · ")
        head.append(literal(s.title))
    console.print(head)
    if s.description:
        console.print(Text(literal(s.description), style="dim"))
    facts = Table(show_header=False, box=None)
    facts.add_column(style="dim")
    facts.add_column()
    facts.add_row("swap area", f"{s.slots:,} slots, bad {list(s.bad) if s.bad else 'none'}")
    facts.add_row("disk", s.disk.kind)
    facts.add_row("page_cluster", str(s.page_cluster))
    facts.add_row("free_pages", "unlimited" if s.free_pages is None else f"{s.free_pages:,}")
    if s.reclaim:  # memory pressure (docs/engine.md, section 9)
        fresh = s.fresh
        if fresh is None:
            where = "none: reclaim can drop pages but write none"
        else:
            disk = "on the same disk" if fresh.disk == "shared" else "on its own disk"
            where = f"{fresh.slots:,} slots, {disk}"
        facts.add_row("fresh area", where)
        if s.load is not None:
            facts.add_row(
                "load", f"{s.load.pages:,} new pages at {s.load.pages_per_ms:g} a millisecond"
            )
    facts.add_row(
        "references", f"{s.swap_references():,} ({len(per_slot):,} anon slots, {shared:,} shared)"
    )
    facts.add_row("seed", str(s.seed))
    console.print(facts)
    mms = Table(title="mmlist (init_mm first, implicit)", title_justify="left")
    mms.add_column("pid", justify="right")
    mms.add_column("comm")
    mms.add_column("parent", justify="right")
    mms.add_column("vmas", justify="right")
    mms.add_column("swapped", justify="right")
    mms.add_column("resident", justify="right")
    limit = 40
    for m in s.mms[:limit]:
        mms.add_row(
            str(m.pid),
            Text(literal(m.comm)),
            "" if m.parent is None else str(m.parent),
            str(len(m.vmas)),
            f"{sum(len(v.swapped) for v in m.vmas):,}",
            f"{sum(b - a for v in m.vmas for a, b in v.resident):,}",
        )
    if len(s.mms) > limit:
        mms.add_row("…", Text(f"{len(s.mms) - limit} more"), "", "", "", "")
    console.print(mms)
    if s.shmem:
        files = Table(title="shmem_swaplist", title_justify="left")
        files.add_column("file")
        files.add_column("pages", justify="right")
        files.add_column("swapped", justify="right")
        for f in s.shmem[:limit]:
            files.add_row(Text(literal(f.name)), f"{f.pages:,}", f"{len(f.swapped):,}")
        console.print(files)
