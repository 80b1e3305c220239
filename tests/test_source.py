"""The source pane's listings: every engine site has a line, in every algorithm that emits it.

The sites are enumerated twice: statically, from the `Site` members the engine's
modules name outside their pseudo-C (found with `ast`), and dynamically, from the
events of real runs.
"""

from __future__ import annotations

import ast
from pathlib import Path

import attrs
import pytest

from models import events as ev
from models import source
from models.algorithms import ALGORITHMS
from models.engine import RunOptions, run_swapoff
from models.faults import FAULT_KEYS
from models.listing import WIDTH
from models.scenario import load_preset, preset_names
from models.scenario_model import FreshArea, Load
from models.sites import Site, fault_site
from models.timeline import Timeline
from swaptui.widgets.source import SourcePane, site_of

MODELS = Path(source.__file__).parent
# the refinements of legacy's Search event (models.source docstring)
REFINED = {source.SEARCH_WALK, source.SEARCH_SHORTCUT, source.SEARCH_MM}
# modules that name sites without emitting them: the enum, the listings, the pane
NOT_EMITTERS = {"sites.py", "listing.py", "source.py"}


def emitted_sites(path: Path) -> set[Site]:
    """`Site.X` named in one module, except inside `line(...)` (its pseudo-C)."""
    tree = ast.parse(path.read_text())
    in_listing: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "line":
            in_listing.update(id(n) for n in ast.walk(node))
    return {
        Site[node.attr]
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and getattr(node.value, "id", None) == "Site"
        and id(node) not in in_listing
    }


MODULE_SITES = {
    str(p.relative_to(MODELS)): emitted_sites(p)
    for p in MODELS.rglob("*.py")
    if p.name not in NOT_EMITTERS
}
# fault sites are made from the kind (models.sites.fault_site)
ALL_STATIC = set().union(*MODULE_SITES.values()) | {fault_site(k) for k in FAULT_KEYS}


def test_fault_sites_land_on_the_racing_block() -> None:
    for algo in source.LISTINGS:
        lines = {source.line_of(algo, fault_site(k)) for k in FAULT_KEYS}
        assert len(lines) == 1 and None not in lines
        assert lines == {source.line_of(algo, "fault:exit")}  # plain text finds it too


def test_the_static_enumeration_finds_the_sites() -> None:
    # a sanity check of the AST walk itself: one site of each helper kind
    assert Site.LEGACY_FIND_NEXT in MODULE_SITES["algorithms/legacy.py"]
    assert Site.READ_SWAP_CACHE_ASYNC in MODULE_SITES["kernel/swap_state.py"]
    assert Site.TRY_TO_FREE_SWAP in MODULE_SITES["kernel/swapfile.py"]
    assert Site.SHMEM_SWAPIN_LOOKUP in MODULE_SITES["kernel/shmem.py"]
    assert Site.TRY_TO_UNUSE_RETURN in MODULE_SITES["run.py"]
    # and it skips the pseudo-C: rfc's module names this site only in its listing
    assert Site.UNUSE_PTE_RANGE not in MODULE_SITES["algorithms/rfc.py"]
    assert len(ALL_STATIC) >= 20


def test_every_site_is_emitted_or_a_refinement() -> None:
    assert set(Site) - ALL_STATIC - REFINED == set()


@pytest.mark.parametrize("site", sorted(ALL_STATIC))
def test_every_engine_site_has_a_line(site: str) -> None:
    lines = {a: source.line_of(a, site) for a in source.LISTINGS}
    assert any(v is not None for v in lines.values()), f"no listing shows {site!r}"


OWN_MODULES = {
    "legacy": ("algorithms/legacy.py", "algorithms/legacy_search.py"),
    "rfc": ("algorithms/rfc.py",),
    "linear": ("algorithms/linear.py",),
    "linear-5.1": ("algorithms/linear.py",),
    "prefetch": ("algorithms/prefetch.py", "algorithms/linear.py"),
}


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_each_algorithm_maps_the_sites_of_its_own_module(algorithm: str) -> None:
    own = set().union(*(MODULE_SITES[m] for m in OWN_MODULES[algorithm]))
    if algorithm == "linear-5.1":
        own.discard(Site.UNUSE_PTE_RANGE_LOOKUP)  # 5.1 had no lookup there
    if algorithm == "legacy":
        own |= REFINED
    own |= {fault_site(k) for k in FAULT_KEYS} | MODULE_SITES["inject.py"]  # racing tasks
    missing = {s for s in own if source.line_of(algorithm, s) is None}
    assert not missing


# the full-scale presets emit no site the small ones do not (their size changes counts,
# not code paths), and take most of the time: the coverage runs on the small ones
SMALL_PRESETS = [p for p in preset_names() if p not in ("hugh-test", "kelley-50m", "rfc3-240m")]


def _runs() -> list[tuple[str, str, str | None, str]]:
    combos = []
    for name in SMALL_PRESETS:
        for algo in ALGORITHMS:
            for disk in ("hdd", "ssd"):
                for ra in (None, "none", "cluster"):
                    combos.append((name, algo, ra, disk))
    return combos


@pytest.mark.parametrize(("preset", "algorithm", "readahead", "disk"), _runs())
def test_every_emitted_site_has_a_line_in_its_algorithm(
    preset: str, algorithm: str, readahead: str | None, disk: str
) -> None:
    run = run_swapoff(load_preset(preset), RunOptions(algorithm, readahead, disk))
    assert run.events is not None
    sites = {e.site for e in run.events}
    assert sites <= ALL_STATIC
    assert all(isinstance(site, Site) for site in sites)
    missing = {s for s in sites if source.line_of(algorithm, s) is None}
    assert not missing


@pytest.mark.parametrize("fresh", [None, "shared"])
@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_reclaim_sites_have_a_line_in_every_algorithm(algorithm: str, fresh: str | None) -> None:
    """hugh-test's sites (the load, reclaim's drops and writes, the OOM) at a size the
    suite affords: the demo with 8 free pages, a load and a fresh area or none."""
    s = attrs.evolve(
        load_preset("demo"),
        free_pages=8,
        reclaim=True,
        fresh=None if fresh is None else FreshArea(64, fresh),
        load=Load(pages=30, pages_per_ms=2.0),
    )
    run = run_swapoff(s, RunOptions(algorithm))
    assert run.events is not None
    sites = {e.site for e in run.events}
    expected = {Site.LOAD_TOUCH, Site.SHRINK_DROP} | (
        {Site.OOM_KILL} if fresh is None else {Site.SHRINK_PAGEOUT}
    )
    if algorithm == "legacy":
        expected.discard(Site.SHRINK_DROP)  # it never holds a page nothing maps
        if fresh is None:
            expected.discard(Site.LOAD_TOUCH)  # out of memory before the load's first page
    assert expected <= sites
    assert not {s for s in sites if source.line_of(algorithm, s) is None}


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
            assert len(line.text) <= WIDTH, (algo, line.text)
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
