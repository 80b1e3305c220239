"""The source pane's pseudo-C of each algorithm, and which line each engine site runs.

Each algorithm's module writes its listing (`LISTING`, from the blocks of
`models.listing`); the registry collects them here.  `line_of(algorithm, site)` is the
index of the line a site stands for.  Besides the engine's own sites, two
refinements exist for legacy's Search events, which fold a whole mmlist search into
one event: the pane shows `unuse_pte_range` while the search walks page tables,
`unuse_mm` when it enters an mm, and `unuse_vma:page_address_in_vma` while it takes
the shortcut for a page that is already mapped.

Standard library and attrs only: the recorder and the tests use it without Textual.
"""

from __future__ import annotations

from models.algorithms.registry import REGISTRY
from models.listing import Line
from models.sites import Site

LISTINGS: dict[str, tuple[Line, ...]] = {a.name: a.listing for a in REGISTRY}

# legacy's Search event, seen from inside (see the module docstring)
SEARCH_WALK = Site.UNUSE_PTE_RANGE
SEARCH_SHORTCUT = Site.UNUSE_VMA_SHORTCUT
SEARCH_MM = Site.UNUSE_MM


def _site_lines(listing: tuple[Line, ...]) -> dict[str, int]:
    out: dict[str, int] = {}
    for i, line in enumerate(listing):
        for site in line.sites:
            if site in out:
                raise ValueError(f"site {site!r} marks two lines")
            out[site] = i
    return out


SITE_LINES: dict[str, dict[str, int]] = {a: _site_lines(lst) for a, lst in LISTINGS.items()}


def listing(algorithm: str) -> list[str]:
    """The pseudo-C lines of an algorithm (KeyError for an unknown one)."""
    return [line.text for line in LISTINGS[algorithm]]


def line_of(algorithm: str, site: str) -> int | None:
    """The listing line the engine site runs, or None (no event yet, unknown site)."""
    return SITE_LINES.get(algorithm, {}).get(site)


def function_of(algorithm: str, line: int) -> str:
    """The name of the pseudo-C function holding a line (for the pane's title)."""
    lst = LISTINGS[algorithm]
    for i in range(min(line, len(lst) - 1), -1, -1):
        text = lst[i].text
        if text and not text[0].isspace() and "(" in text and not text.startswith("/*"):
            head = text.split("(", 1)[0].split()
            return head[-1].lstrip("*") if head else ""
    return ""
