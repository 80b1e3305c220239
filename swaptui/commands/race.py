"""`swaptui race SCENARIO`: two or three algorithms on one scenario, one clock, a verdict."""

from __future__ import annotations

import argparse
from typing import Any

from models.readahead import POLICIES
from models.scenario_model import DISK_KINDS
from swaptui.commands.options import add_extra_options, run_options
from swaptui.errors import UsageError, fail
from swaptui.race.model import (
    DEFAULT_ALGOS,
    RA_MODES,
    RaceError,
    RaceSpec,
    parse_algos,
    readahead_for,
)
from swaptui.viewer.player import Extras, RunKey


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "race",
        help="race two or three algorithms on one scenario",
        description=(
            "Run two or three swapoff algorithms on identical copies of SCENARIO, side by "
            "side on one simulated clock, and name the winner. Keys: d switches the disk, "
            "r the readahead, End jumps to the verdict, ? lists the rest."
        ),
    )
    p.add_argument("scenario", help="preset name or scenario file")
    p.add_argument(
        "--algos",
        default=",".join(DEFAULT_ALGOS),
        metavar="A,B[,C]",
        help="the algorithms that race (default: legacy,linear)",
    )
    p.add_argument(
        "--disk", choices=DISK_KINDS, help="disk under the swap area (default: the scenario's)"
    )
    p.add_argument(
        "--readahead",
        nargs="?",
        const="on",
        default="default",
        choices=(*RA_MODES, *POLICIES),
        metavar="MODE",
        help=(
            "bare: every side reads ahead (legacy too, as tried in 2014); or one of "
            "default (each algorithm's own), none, on, or a policy for all sides "
            f"({', '.join(POLICIES)})"
        ),
    )
    p.add_argument("--theme", help="colour theme (remembered between runs)")
    p.add_argument(
        "--present",
        action="store_true",
        help="presentation mode: no key bar, no key hints (p toggles it)",
    )
    add_extra_options(p)


def run(ns: argparse.Namespace) -> int:
    import themes
    from swaptui.commands.app import check_options, source_of

    if ns.theme is not None and themes.resolve(ns.theme) is None:
        return fail(f"unknown theme {ns.theme!r} (choose from {', '.join(themes.SHORT_NAMES)})")
    try:
        algos = parse_algos(ns.algos)
    except RaceError as e:
        return fail(str(e))
    extras = Extras.of(run_options(ns, "legacy", keep_events=False))
    # the screen comes up at once and runs the sides there, with progress (a preset
    # without faults is even generated there: `swaptui race kelley-50m` paints at once);
    # everything a user can get wrong is refused here first, in one line
    source = source_of(ns.scenario, load_now=bool(extras.faults))
    for a in algos:
        try:
            check_options(source, RunKey(a, ns.disk, readahead_for(a, ns.readahead), extras))
        except UsageError as e:
            return fail(str(e))  # (a refusal that depends on the algorithm names it)
    spec = RaceSpec(source, algos, ns.disk, ns.readahead, extras)
    from swaptui.race.screen import RaceApp

    return RaceApp(spec, theme=ns.theme, present=ns.present).run_for_status()
