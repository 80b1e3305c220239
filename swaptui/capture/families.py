"""Fork families and the mmlist order, inferred from what /proc shows.

The kernel keeps both in lists /proc never shows: the anon_vma tree a fork child shares
with its parent, and the mmlist that try_to_unuse walks.  What /proc does show (PPid,
start times, mapping addresses, and which swap slots two processes hold at the same
address) is enough under rules that docs/capture.md states; each rule used adds a note.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from swaptui.capture.notes import Namer, Notes
from swaptui.capture.proc import ProcRead


def _layout_match(child: ProcRead, parent: ProcRead) -> bool:
    """Does the child still have the parent's address-space layout (forked, no exec)?

    With address-space randomisation an exec'd child shares no mapping address with its
    parent; a forked one starts with all of them.  Half of the child's private mappings
    at the parent's addresses is taken as a fork that was not followed by exec.
    """
    mine = {(v.line.start, v.line.end) for v in child.vmas if not v.line.shared}
    if not mine:
        return False
    theirs = {(v.line.start, v.line.end) for v in parent.vmas if not v.line.shared}
    return 2 * len(mine & theirs) >= len(mine)


class Families:
    """child pid -> parent pid links (`parents`), as PPid and shared slots imply them."""

    def __init__(self, by_pid: dict[int, ProcRead], namer: Namer, notes: Notes) -> None:
        self.by_pid = by_pid
        self.namer = namer
        self.notes = notes
        self.parents: dict[int, int] = {}
        self.attached: dict[int, int] = {}  # family root joined -> the process it hangs under

    # -- fork families

    def link_forks(self, procs: list[ProcRead], shared: Iterable[list[tuple[int, int]]]) -> None:
        """Link children forked without exec from a captured parent.

        `shared` lists, for each slot held by several processes, its (pid, virtual page)
        holders: a child holding one of its parent's slots at the same address was forked.
        """
        pids = {p.pid for p in procs}
        together: set[tuple[int, int]] = set()
        for holders in shared:
            for a, apage in holders:
                for b, bpage in holders:
                    if a != b and apage == bpage:
                        together.add((a, b))
        exec_children = 0
        for p in procs:
            # a copied tree may be inconsistent: never let PPid links form a loop
            if p.ppid is None or p.ppid not in pids or self.root(p.ppid) == p.pid:
                continue
            parent = self.by_pid[p.ppid]
            if (p.pid, p.ppid) in together or _layout_match(p, parent):
                self.parents[p.pid] = p.ppid
            else:
                exec_children += 1
        self.notes.approximations.append(
            "fork families: a process is its parent's fork child (same anon_vma root) when "
            "/proc/PID/status PPid names a captured process and they share a swap slot at one "
            "address or half the child's mappings sit at the parent's addresses"
            + (
                f"; {exec_children} children that exec'd were left unlinked"
                if exec_children
                else ""
            )
        )

    def root(self, pid: int) -> int:
        seen = 0
        while pid in self.parents and seen <= len(self.parents):
            pid = self.parents[pid]
            seen += 1
        return pid

    def age(self, pid: int) -> tuple[int, int]:
        p = self.by_pid[pid]
        return (p.starttime, p.pid)

    def join(self, roots: list[int]) -> None:
        """Make one fork family of the families rooted at `roots` (oldest first).

        Processes with one parent pid in common (reparented to init or a subreaper after
        their parent exited) are siblings: fork put each right after that parent on the
        mmlist, so they come newest first.  The newest becomes the host and the others
        hang under it, which gives that order.  Otherwise the oldest is taken for the
        others' ancestor (a grandparent whose child exited, say) and comes first.
        """
        siblings = len({self.by_pid[r].ppid for r in roots}) == 1
        host = roots[-1] if siblings else roots[0]
        for r in roots:
            if r != host:
                self.parents[r] = host
                self.attached[r] = host

    # -- the mmlist

    def mmlist(self, procs: list[ProcRead]) -> list[ProcRead]:
        """mmlist order, as the kernel would have built it, under stated assumptions.

        An mm joins right after init_mm at its first swap-out, so the last to join comes
        first; we take first swap-outs to follow process start times (the older a process,
        the older its idle pages).  fork links a child right after its parent when it
        copies a swap entry, that is when the parent had pages on swap at the fork; we
        assume it had, so each parent is followed by its children, newest first, each
        with its own descendants.  A child forked before its parent's first swap-out
        joins at its own first swap-out instead, which /proc cannot show.
        """
        children: dict[int, list[int]] = defaultdict(list)
        for child, parent in self.parents.items():
            children[parent].append(child)
        newest_first = lambda pids: sorted(pids, key=self.age, reverse=True)  # noqa: E731
        # A family's place is its first swap-out: its oldest member's start time stands
        # in for it (the root, unless siblings were joined under the newest of them).
        oldest: dict[int, tuple[int, int]] = {}
        for p in procs:
            root = self.root(p.pid)
            oldest[root] = min(oldest.get(root, self.age(p.pid)), self.age(p.pid))
        order: list[ProcRead] = []
        stack = sorted(oldest, key=lambda r: oldest[r])
        while stack:
            pid = stack.pop()
            order.append(self.by_pid[pid])
            stack.extend(newest_first(children[pid])[::-1])
        self.notes.approximations.append(
            "mmlist order: families newest first (process start time stands in for the "
            "unknown time of first swap-out), each parent followed by its fork children "
            "newest first, as fork links a child right after its parent when the parent "
            "has pages on swap at the fork; a child forked before its parent's first "
            "swap-out joins at its own first swap-out, which /proc cannot show"
        )
        return order
