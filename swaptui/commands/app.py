"""`swaptui [SCENARIO]`: the app's command line, checked here before any screen exists.

Every problem a user can cause (an unknown theme, a missing or broken scenario, an
option the engine refuses, a fault that names nobody) ends as one line on stderr and
exit status 2; the app itself is only started on what passed.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from models.events import GRANULARITIES
from models.scenario_model import Scenario
from swaptui.commands.options import add_engine_options, run_options
from swaptui.errors import UsageError, fail

if TYPE_CHECKING:  # the player and the engine are imported when the app starts
    from swaptui.viewer.player import Extras, RunKey


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "scenario", nargs="?", default="demo", help="preset name or scenario file (demo)"
    )
    add_engine_options(p, multi_algo=False)
    p.add_argument("--theme", help="colour theme (remembered between runs)")
    p.add_argument(
        "--granularity",
        choices=GRANULARITIES,
        help="what one step shows (default: range)",
    )
    p.add_argument(
        "--present",
        action="store_true",
        help="presentation mode: no key bar, no key hints (p toggles it)",
    )


def run(ns: argparse.Namespace) -> int:
    from swaptui.viewer.player import Extras

    # the engine flags the app shares with `swaptui run` (UsageError: exit 2)
    opts = run_options(ns, ns.algo or "legacy", keep_events=True)
    return run_app(
        ns.scenario,
        algorithm=ns.algo or "legacy",
        disk=ns.disk,
        readahead=ns.readahead,
        theme=ns.theme,
        granularity=ns.granularity,
        extras=Extras.of(opts),
        present=ns.present,
    )


def source_of(ref: str, *, load_now: bool = False) -> Scenario | str:
    """What the app opens: a preset by name, generated in the app after its first paint
    (a full-scale preset takes seconds, and a preset cannot be broken), or a scenario
    loaded here, where a broken file still ends as one line and exit status 2.

    `load_now`: load even a preset here (faults name its processes: they are checked
    against it before the app starts)."""
    from models.narrate import literal
    from models.scenario.presets import find_preset
    from swaptui.commands.scenario import load

    is_path = "/" in ref or ref.endswith(".toml")
    name = None if is_path else find_preset(ref)
    if name is not None and not load_now:
        return name
    try:
        return load(ref)
    except UsageError as e:
        # names from scenario files are shown literally (escape bytes as text)
        raise UsageError(literal(str(e).splitlines()[0]) if str(e) else ref) from None


def check_options(source: Scenario | str, key: RunKey) -> None:
    """Refuse what the engine would refuse, before any screen (UsageError).  A preset
    still to be generated has no faults (see source_of): its options are checked on a
    stand-in, as they do not depend on what the scenario holds."""
    from models.engine import OptionError
    from swaptui.viewer.player import check_key

    scenario = source if isinstance(source, Scenario) else Scenario(name=source, slots=2)
    try:
        check_key(scenario, key)
    except OptionError as e:
        raise UsageError(str(e)) from None


def run_app(
    scenario_ref: str = "demo",
    algorithm: str = "legacy",
    disk: str | None = None,
    readahead: str | None = None,
    theme: str | None = None,
    granularity: str | None = None,
    extras: Extras | None = None,
    present: bool = False,
) -> int:
    """Check everything, then open the app; exit status 2 (one line) for bad input.

    `extras`: faults and cost overrides, kept by every run the app and its races build."""
    import themes
    from swaptui.viewer.player import NO_EXTRAS, RunKey

    if theme is not None and themes.resolve(theme) is None:
        return fail(f"unknown theme {theme!r} (choose from {', '.join(themes.SHORT_NAMES)})")
    if granularity is not None and granularity not in GRANULARITIES:
        return fail(f"unknown granularity {granularity!r} (choose from {', '.join(GRANULARITIES)})")
    key = RunKey(algorithm, disk, readahead, extras or NO_EXTRAS)
    try:
        source = source_of(scenario_ref, load_now=bool(key.extras.faults))
        check_options(source, key)
    except UsageError as e:
        return fail(str(e))
    from swaptui.viewer.app import launch

    return launch(source, key, theme=theme, granularity=granularity, present=present)
