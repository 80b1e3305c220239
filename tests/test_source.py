"""The source pane's listings: every engine site has a line, in every algorithm that emits it.

The sites are enumerated twice: statically, from the string literals the algorithm
modules pass as a `site` argument (found with `ast`, the argument position taken from
the helpers' own signatures), and dynamically, from the events of real runs.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from models import events as ev
from models import source
from models.algorithms import ALGORITHMS, common
from models.engine import RunOptions, run_swapoff
from models.scenario import load_preset
from models.timeline import Timeline
from swaptui.widgets.source import SourcePane, site_of

ALGO_DIR = Path(common.__file__).parent
# the refinements of legacy's Search event (models.source docstring)
REFINED = {source.SEARCH_WALK, source.SEARCH_SHORTCUT, source.SEARCH_MM}


def _site_positions() -> dict[str, int]:
    """Function name -> index of its `site` parameter among a call's positional args,
    for every function and method of the algorithm modules that takes a site."""
    out = {}
    for path in ALGO_DIR.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef):
                names = [a.arg for a in node.args.args]
                if "site" in names:
                    k = names.index("site")
                    out[node.name] = k - 1 if names[:1] == ["self"] else k
    assert inspect.signature(common.Run.emit).parameters  # emit(cls, cost, site, ...)
    return out


def _string(arg: ast.expr) -> str | None:
    """A literal site, or the pattern of an f-string one ('fault:{kind}' -> 'fault:*')."""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    if isinstance(arg, ast.JoinedStr):
        head = arg.values[0] if arg.values else None
        if isinstance(head, ast.Constant) and isinstance(head.value, str):
            return head.value + "*"
    return None


def static_sites(path: Path) -> set[str]:
    """String literals passed as `site` (by position or keyword) in one module."""
    positions = _site_positions()
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        for kw in node.keywords:
            if kw.arg == "site" and (site := _string(kw.value)) is not None:
                found.add(site)
        k = positions.get(name) if name else None
        if k is not None and k < len(node.args):
            site = _string(node.args[k])
            if site is not None:
                found.add(site)
    return found


MODULE_SITES = {p.stem: static_sites(p) for p in ALGO_DIR.glob("*.py") if p.stem != "__init__"}
ALL_STATIC = set().union(*MODULE_SITES.values())


def test_fault_sites_land_on_the_racing_block() -> None:
    for algo in source.LISTINGS:
        line = source.line_of(algo, "fault:exit")
        assert line is not None and line == source.line_of(algo, source.FAULT_SITE)


def test_the_static_enumeration_finds_the_sites() -> None:
    # a sanity check of the AST walk itself: one site of each helper kind
    assert "try_to_unuse:find_next_to_unuse" in MODULE_SITES["legacy"]  # emit(...)
    assert "read_swap_cache_async" in MODULE_SITES["legacy"]  # read_batch(...)
    assert "try_to_free_swap" in MODULE_SITES["linear"]  # free_cache(...)
    assert "shmem_swapin:lookup" in MODULE_SITES["common"]  # lookup_swap_cache(...)
    assert "try_to_unuse:return" in MODULE_SITES["common"]  # Run.done
    assert len(ALL_STATIC) >= 20


@pytest.mark.parametrize("site", sorted(ALL_STATIC))
def test_every_engine_site_has_a_line(site: str) -> None:
    lines = {a: source.line_of(a, site) for a in source.LISTINGS}
    assert any(v is not None for v in lines.values()), f"no listing shows {site!r}"


def test_no_listing_marks_a_site_the_engine_does_not_have() -> None:
    marked = set().union(*(set(m) for m in source.SITE_LINES.values()))
    assert marked - ALL_STATIC - REFINED == set()


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_each_algorithm_maps_its_own_module_and_the_common_sites_it_can_reach(
    algorithm: str,
) -> None:
    module = "linear" if algorithm.startswith("linear") else algorithm
    own = set(MODULE_SITES[module])
    if algorithm == "linear-5.1":
        own.discard("unuse_pte_range:lookup_swap_cache")  # 5.1 had no lookup there
    if algorithm != "legacy":
        own |= MODULE_SITES["common"]  # unuse_mm, shmem_unuse: the shared walkers
    else:
        own |= {"try_to_unuse:return"} | REFINED
    own |= MODULE_SITES.get("inject", set())  # racing tasks: in every listing
    missing = {s for s in own if source.line_of(algorithm, s) is None}
    assert not missing


def _runs() -> list[tuple[str, str, str | None, str]]:
    # Which sites a run emits depends on what the scenario holds (tmpfs files, forked
    # sharers, a bad slot, readahead), not on its size: the demo holds all of them, and
    # every other preset, the 240 MB one included, emits no site the demo does not
    # (checked by hand over every preset and combination below when this was narrowed).
    combos = []
    for algo in ALGORITHMS:
        for disk in ("hdd", "ssd"):
            for ra in (None, "none", "cluster"):
                combos.append(("demo", algo, ra, disk))
    return combos


@pytest.mark.parametrize(("preset", "algorithm", "readahead", "disk"), _runs())
def test_every_emitted_site_has_a_line_in_its_algorithm(
    preset: str, algorithm: str, readahead: str | None, disk: str
) -> None:
    run = run_swapoff(load_preset(preset), RunOptions(algorithm, readahead, disk))
    assert run.events is not None
    sites = {e.site for e in run.events}
    assert sites <= ALL_STATIC
    missing = {s for s in sites if source.line_of(algorithm, s) is None}
    assert not missing


def test_legacy_searches_are_seen_from_inside() -> None:
    run = run_swapoff(load_preset("demo"), RunOptions("legacy"))
    tl = Timeline(run)
    seen = set()
    for f in range(tl.frame_count("pte")):
        view = tl.view("pte", f)
        if isinstance(view.event, ev.Search):
            seen.add(site_of(view))
    assert source.SEARCH_WALK in seen
    for site in seen:
        assert source.line_of("legacy", site) is not None


def test_listings_are_short_and_fit_beside_the_panels() -> None:
    for algo, lines in source.LISTINGS.items():
        assert 20 <= len(lines) <= 100, algo
        for line in lines:
            assert len(line.text) <= 64, (algo, line.text)
            assert line.text.isprintable() or not line.text


def test_function_of_names_the_enclosing_function() -> None:
    line = source.line_of("legacy", "unuse_pte_range")
    assert line is not None
    assert source.function_of("legacy", line) == "unuse_pte_range"
    line = source.line_of("linear", "try_to_unuse:retry")
    assert line is not None
    assert source.function_of("linear", line) == "try_to_unuse"


def test_the_pane_highlights_and_follows_the_running_line() -> None:
    run = run_swapoff(load_preset("demo"), RunOptions("linear"))
    tl = Timeline(run)
    pane = SourcePane()
    from textual.geometry import Size

    pane.fixed_size = Size(60, 10)
    pane.set_algorithm("linear")
    last = tl.frame_count("entry") - 1
    view = tl.view("entry", last)
    pane.show(view)
    assert pane.current == source.line_of("linear", "try_to_unuse:return")
    top = pane.scroll_top()
    assert top <= pane.current < top + 10
    text = pane.render_line(pane.current - top).text
    assert pane.line_spec(len(pane.lines)) is None
    assert "return 0;" in text and "▶" in text
    # back to the start: the pane scrolls up again
    pane.show(tl.view("entry", 1))
    top = pane.scroll_top()
    assert pane.current is not None and top <= pane.current < top + 10


FAULTS = (
    "touch:pid=977:after=3",
    "exit:pid=2231:after=6",
    "fork:pid=1840:after=2",
    "pressure:pages=4:after=9",
    "unlink:shmem=/dev/shm/pulse-shm-3081852341:after=1",
    "eio:slot=30",
    "eintr:after=30",
)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_racing_tasks_have_lines_too(algorithm: str) -> None:
    """Runs with injected faults emit the racing tasks' sites: each has a line."""
    from models.faults import parse_fault

    sites: set[str] = set()
    for spec in FAULTS:
        opts = RunOptions(algorithm, faults=(parse_fault(spec),))
        run = run_swapoff(load_preset("demo"), opts)
        assert run.events is not None
        sites |= {e.site for e in run.events}
    assert any(s.startswith("fault:") for s in sites)
    assert "do_swap_page" in sites
    missing = {s for s in sites if source.line_of(algorithm, s) is None}
    assert not missing
