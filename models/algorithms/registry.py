"""Every algorithm, once: what the engine runs, the command line offers, the app cycles
through, the race lines up, the source pane lists and the palette names.

Adding an algorithm is one entry here plus its module (its `try_to_unuse` and its
pseudo-C `LISTING`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from attrs import field, frozen

from models import events as ev
from models.algorithms import legacy, legacy_search, linear, prefetch, rfc
from models.kernel.swapfile import walk_progress
from models.listing import Line
from models.progress import Expand
from models.readahead import POLICIES
from models.run import Run
from models.scenario_model import DISK_KINDS

# what the page-table walkers emit and the timeline opens up frame by frame
_WALKS: Mapping[type[ev.Event], Expand] = {ev.Walk: walk_progress}

# VMA readahead is off while a rotational swap device is active (swap_use_vma_readahead)
_MERGED_DEFAULTS = {"hdd": "cluster-adaptive", "ssd": "vma", "zram": "vma"}


def _frozen_map(value: Mapping[str, str]) -> Mapping[str, str]:
    return dict(value)


@frozen
class Algorithm:
    """One swapoff algorithm and everything the program says and does about it."""

    name: str
    try_to_unuse: Callable[[Run], None] = field(eq=False)
    title: str  # a few words for headers: "try_to_unuse (3.14)"
    kernel: str  # where it comes from: a kernel version, a posting, or none
    description: str  # one line for help texts and the palette
    # default readahead policy per disk kind
    defaults: Mapping[str, str] = field(converter=_frozen_map, eq=False)
    # readahead policies it refuses, each with the reason (the command line's one line)
    refused: Mapping[str, str] = field(converter=_frozen_map, factory=dict, eq=False)
    listing: tuple[Line, ...] = field(default=(), eq=False)
    # how to open up its compound events frame by frame (models.progress.Expand)
    expand: Mapping[type[ev.Event], Expand] = field(factory=dict, eq=False)
    in_cycle: bool = True  # the app's `a` key steps through it

    @property
    def accepts(self) -> tuple[str, ...]:
        """The readahead policies it runs with."""
        return tuple(p for p in POLICIES if p not in self.refused)

    def default_readahead(self, disk_kind: str) -> str:
        return self.defaults[disk_kind]


REGISTRY: tuple[Algorithm, ...] = (
    Algorithm(
        name="legacy",
        try_to_unuse=legacy.try_to_unuse,
        title="try_to_unuse (3.14)",
        kernel="Linux 3.14",
        description="one slot at a time, in disk order, each searched for in every mm",
        defaults=dict.fromkeys(DISK_KINDS, "none"),
        refused={
            "vma": "legacy has no faulting PTE to centre a VMA window on: "
            "--readahead vma is refused"
        },
        listing=legacy.LISTING,
        expand={ev.Search: legacy_search.search_progress},
    ),
    Algorithm(
        name="rfc",
        try_to_unuse=rfc.try_to_unuse,
        title="the 2014 RFC",
        kernel="Kelley Nielsen's prototype of February 2014",
        description="one walk of every page table, no swap-cache lookup, no retry",
        defaults=dict.fromkeys(DISK_KINDS, "cluster-adaptive"),
        listing=rfc.LISTING,
        expand=_WALKS,
    ),
    Algorithm(
        name="linear",
        try_to_unuse=linear.try_to_unuse,
        title="try_to_unuse (5.1+)",
        kernel="Linux 5.1 and later, with the 2020 lookup",
        description="one walk of every page table; readahead pages found in the swap cache",
        defaults=_MERGED_DEFAULTS,
        listing=linear.LISTING,
        expand=_WALKS,
    ),
    Algorithm(
        name="linear-5.1",
        try_to_unuse=linear.try_to_unuse_51,
        title="try_to_unuse (5.1, no lookup)",
        kernel="Linux 5.1 as first merged",
        description="the walk as first merged: every swap PTE computes a readahead window",
        defaults=_MERGED_DEFAULTS,
        listing=linear.LISTING_51,
        expand=_WALKS,
        in_cycle=False,
    ),
    Algorithm(
        name="prefetch",
        try_to_unuse=prefetch.try_to_unuse,
        title="prefetch (a what-if)",
        kernel="no kernel (a what-if)",
        description="the whole area read in disk order first, then linear's walk: "
        "fast on any disk, at the price of memory",
        defaults=_MERGED_DEFAULTS,
        listing=prefetch.LISTING,
        expand=_WALKS,
    ),
)

BY_NAME: Mapping[str, Algorithm] = {a.name: a for a in REGISTRY}
ALGORITHMS: tuple[str, ...] = tuple(a.name for a in REGISTRY)
APP_CYCLE: tuple[str, ...] = tuple(a.name for a in REGISTRY if a.in_cycle)


def algorithm(name: str) -> Algorithm:
    """The registry entry of `name` (KeyError for an unknown one)."""
    return BY_NAME[name]
