"""One plain sentence per frame for the "now" line: what happened and what it cost.

Standard library (and the engine's own modules) only: the TUI and the recorder both
use it.  Names from scenario files pass through `literal` so that escape bytes print
as text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from models import events as ev
from models.algorithms.registry import BY_NAME
from models.cost import DiskModel, cpu_cost
from models.narrate_pressure import pressure
from models.sites import Site
from models.words import disk_cost, duration, literal
from models.words import plural as _n

if TYPE_CHECKING:
    from models.machine import Machine
    from models.timeline import FrameView


def mm_label(machine: Machine, mi: int) -> str:
    m = machine.scenario.mms[mi]
    return f"mm {m.pid} {literal(m.comm)}".rstrip()


def _disk_cost(machine: Machine, e: ev.DiskRequest) -> str:
    """How the request's time splits: the parts the cost model computes (models.cost),
    so the parts named add up to the total and follow any change of a constant."""
    model = DiskModel.of(machine.scenario.disk, machine.slots)
    return disk_cost(model, e.head, e.start, e.pages, e.t1 - e.t0)


def _slots(e: ev.DiskRequest) -> str:
    if e.pages == 1:
        return f"slot {e.start}"
    return f"slots {e.start}-{e.start + e.pages - 1}"


def _prefetch_scan(machine: Machine, e: ev.SwapMapScan) -> str:
    """prefetch's phase 1: one batch gathered (or the end of the area reached)."""
    cost = f"{duration(cpu_cost(machine.scenario.cpu).slot_scan)} each = {duration(e.t1 - e.t0)}"
    read = f"find_next_to_unuse read {_n(e.examined, 'swap_map entry')} from slot {e.start}"
    if e.gathered:
        return (
            f"prefetch, phase 1: {read} and gathered {_n(e.gathered, 'slot')} in use, to be "
            f"read next in disk order ({cost})"
        )
    return f"prefetch, phase 1 ends: {read} to the end of the area ({cost}); now the walk"


def _request(view: FrameView, machine: Machine, e: ev.DiskRequest) -> str:
    cost = _disk_cost(machine, e)
    if e.failed:
        bad = ", ".join(str(s) for s in e.failed)
        cost += f"; reading slot {bad} failed (EIO): its PTEs get an error marker"
    if e.site == Site.PREFETCH_READ:
        return f"prefetch reads {_slots(e)} into the swap cache, in disk order: {cost}"
    if e.pages == 1 and e.start == e.target:
        if e.site == "read_swap_cache_async":
            why = "legacy never reads ahead"
        else:
            why = "its readahead window has nothing else to read"
        return f"slot {e.start} is read alone: {why}; {cost}"
    if e.reason == "target":
        return (
            f"{_slots(e)} read in one request for slot {e.target} and its readahead window: {cost}"
        )
    return f"readahead for slot {e.target} also reads {_slots(e)}: {cost}"


def _where(machine: Machine, mi: int, ordinal: int) -> str:
    walk = machine.walks[mi]
    if not walk.units:
        return "no page tables"
    u, _vpage = walk.page_of(ordinal)
    unit = walk.units[u]
    return f"PTE {ordinal - unit.ordinal + 1} of page table {u + 1}/{walk.total_units}"


def _cpu_terms(machine: Machine, ptes: int, calls: int, mms: int = 0, restores: int = 0) -> str:
    """'952 PTEs × 0.5 ns + 167 page tables × 40 ns': the CPU model's factors."""
    cpu = cpu_cost(machine.scenario.cpu)
    return " + ".join(
        f"{_n(t.count, t.what)} × {duration(t.each_ps)}"
        for t in cpu.search_terms(ptes, calls, mms, restores)
    )


def _walk(view: FrameView, machine: Machine, e: ev.Walk) -> str:
    who = mm_label(machine, e.mm)
    if view.cursor is not None:
        c = view.cursor
        return (
            f"{who}: unuse_pte_range examined {_where(machine, c.mm, c.ordinal)}: every PTE "
            f"is compared, swap or not ({duration(cpu_cost(machine.scenario.cpu).pte)} each)"
        )
    last = e.first + e.ptes - 1
    return (
        f"{who}: unuse_pte_range examined {_n(e.ptes, 'PTE')} up to "
        f"{_where(machine, e.mm, last)}: {_cpu_terms(machine, e.ptes, e.calls)} = "
        f"{duration(e.t1 - e.t0)}"
    )


def _search(view: FrameView, machine: Machine, e: ev.Search) -> str:
    c = view.cursor
    if view.progress is not None and c is not None:
        if c.vpage < 0:
            return (
                f"searching every mm for slot {e.slot}: unuse_mm({mm_label(machine, c.mm)}), "
                f"{_n(view.progress.mm_calls, 'mm')} so far"
            )
        if c.targeted:
            how = "page_address_in_vma: the page is mapped already, one PTE to try"
        else:
            how = "unuse_pte_range walks until it finds the entry"
        return (
            f"searching every mm for slot {e.slot}: {mm_label(machine, c.mm)}, "
            f"{_where(machine, c.mm, c.ordinal)} ({how})"
        )
    terms = _cpu_terms(machine, e.ptes, e.calls, e.unuse_mm_calls, len(e.restored))
    return (
        f"searched every mm for slot {e.slot}, restored {_n(len(e.restored), 'PTE')}: "
        f"{terms} = {duration(e.t1 - e.t0)}; legacy searches again for every slot"
    )


def _unuse_pte(view: FrameView, machine: Machine, e: ev.UnusePte) -> str:
    r = machine.refs[e.ref]
    left = view.state.count[e.slot]
    return (
        f"unuse_pte: {mm_label(machine, r.owner)} page {r.vpage * 4096:#x} maps the page "
        f"of slot {e.slot} again ({_n(left, 'reference')} left): rmap, counters and "
        f"swap_free, {duration(e.t1 - e.t0)}"
    )


def _shmem(view: FrameView, machine: Machine, e: ev.ShmemUnuse) -> str:
    f = machine.scenario.shmem[e.file]
    where = f"page {machine.refs[e.ref].page} of {literal(f.name)}"
    if e.site == "shmem_unuse":
        # legacy: shmem_unuse(entry) must find the file that holds this one entry
        return (
            f"shmem_unuse: {where} is back in the page cache (slot {e.slot}); "
            f"found after asking {_n(e.searched, 'tmpfs file')} in turn"
        )
    return (
        f"shmem_unuse_inode: {where} is back in the page cache (slot {e.slot}); "
        "tmpfs files are walked index by index, once"
    )


def _first(machine: Machine) -> str:
    s = machine.scenario
    pts = sum(w.total_units for w in machine.walks)
    return (
        f"swapoff has not started: {_n(len(machine.slot_refs), 'slot')} in use, "
        f"{_n(len(machine.refs), 'reference')} in {_n(pts, 'page table')} of "
        f"{_n(len(s.mms), 'process')}"
        + (f" and {_n(len(s.shmem), 'tmpfs file')}" if s.shmem else "")
    )


FAULT_GLYPH = "↯"  # marks an injected fault: one cell wide everywhere (⚡ is two)
WHY = {"ENOMEM": "out of memory", "EINTR": "a signal arrived"}


def fault_tag(e: ev.FaultFired) -> str:
    """A few words for the header: 'exit pid 1840', 'pressure 3 pages', 'enomem'."""
    words = [e.kind]
    for item in e.spec.split(":")[1:]:
        key, _sep, value = item.partition("=")
        if key == "after":
            continue
        if key == "pages":
            words.append(f"{value} page{'s' if value != '1' else ''}")
        elif key == "shmem":
            words.append(literal(value))
        else:
            words.append(f"{key} {literal(value)}")
    return " ".join(words)


def gave_up(result: str, view: FrameView) -> str:
    """The last frame of a run that try_to_unuse abandoned (ENOMEM, EINTR): calm and exact."""
    c = view.counters
    why = WHY.get(result, "an error")
    fresh = (
        f", {_n(c.pages_written, 'page')} in the fresh area"
        if view.state.mem is not None and c.pages_written
        else ""
    )
    return (
        f"swapoff gave up with {result} ({why}) after {duration(c.total_ns * 1000)} and "
        f"{_n(c.pages_read, 'page')} read: what was swapped in stays in{fresh}, "
        f"{_n(view.state.inuse, 'slot')} stay in use and the swap area stays on"
    )


def left_behind(algorithm: str, left: int, problems: list[str] | tuple[str, ...]) -> str:
    """The last frame of a run whose end state breaks the invariants (models.invariants)."""
    if left and algorithm == "rfc":
        return (
            f"{_n(left, 'swap entry')} left behind: the 2014 RFC has no retry pass, so what "
            "reclaim put back behind its walk stays in swap although swapoff returned 0"
        )
    if left:
        return f"{_n(left, 'swap entry')} left behind although swapoff returned 0: {problems[0]}"
    return f"the end state is wrong: {problems[0]}" + (
        f" (and {_n(len(problems) - 1, 'more problem')})" if len(problems) > 1 else ""
    )


def _owner(machine: Machine, ref: int) -> str:
    r = machine.refs[ref]
    if r.vpage < 0:  # a tmpfs page
        return f"page {r.page} of {literal(machine.scenario.shmem[r.owner].name)}"
    return f"{mm_label(machine, r.owner)} page {r.vpage * 4096:#x}"


def _racing(view: FrameView, machine: Machine, e: ev.Event) -> str | None:
    """What another task did meanwhile (the scenario's injected faults), or None."""
    if isinstance(e, ev.FaultFired):
        return f"{FAULT_GLYPH} {e.detail} (injected fault {literal(e.spec)})"
    if isinstance(e, ev.FaultIn):
        return (
            f"do_swap_page: {_owner(machine, e.ref)} touched its page first and mapped "
            f"slot {e.slot} itself; the walk will find a present PTE there"
        )
    if isinstance(e, ev.DropRef):
        return (
            f"{_owner(machine, e.ref)} went away ({e.site}): slot {e.slot} lost a reference "
            "without any read"
        )
    if isinstance(e, ev.MmExit):
        return f"{mm_label(machine, e.mm)} exited: it leaves the mmlist, no walk visits it"
    if isinstance(e, ev.MmFork):
        return (
            f"fork: {mm_label(machine, e.mm)} copies {mm_label(machine, e.parent)}'s page "
            "tables (copy_one_pte): their swap entries are shared now"
        )
    if isinstance(e, ev.Reclaim):
        return (
            f"reclaim: try_to_unmap put {_n(len(e.refs), 'page')} back in swap: their slots "
            "are in use again and must be unused once more"
        )
    return None


def narrate(view: FrameView, machine: Machine) -> str:
    """The "now" line for one frame."""
    e = view.event
    if e is None:
        return _first(machine)
    if isinstance(e, ev.PassStart):
        if e.number > 1:
            return f"try_to_unuse: pass {e.number} begins (some slots are still in use: retry)"
        if view.algorithm == "prefetch":
            return (
                "phase 2, linear's walk: tmpfs files first, then one walk of each mm; every "
                "page it needs is in the swap cache already"
            )
        alg = BY_NAME.get(view.algorithm)
        if alg is not None:
            return f"try_to_unuse begins, as in {alg.kernel}: {alg.description}"
        return "try_to_unuse begins"
    if isinstance(e, ev.SwapMapScan) and e.site == Site.PREFETCH_FIND_NEXT:
        return _prefetch_scan(machine, e)
    if isinstance(e, ev.SwapMapScan):
        what = f"next slot in use is {e.found}" if e.found else "no slot left in use"
        return (
            f"find_next_to_unuse examined {_n(e.examined, 'swap_map entry')} from slot "
            f"{e.start}: {what} ({duration(cpu_cost(machine.scenario.cpu).slot_scan)} each = "
            f"{duration(e.t1 - e.t0)})"
        )
    if isinstance(e, ev.DiskRequest):
        return _request(view, machine, e)
    if isinstance(e, ev.Lookup):
        if not e.hit:
            return f"lookup_swap_cache(slot {e.slot}): miss, the page must be read from disk"
        how = "readahead brought it in" if e.readahead_hit else "it is in the swap cache"
        return f"lookup_swap_cache(slot {e.slot}): hit, {how}: no disk request, no wait"
    if isinstance(e, ev.UnuseMm):
        w = machine.walks[e.mm]
        return (
            f"unuse_mm({mm_label(machine, e.mm)}): {duration(e.t1 - e.t0)} for the mmap lock "
            f"and VMA list, then {_n(w.total_ptes, 'PTE')} in "
            f"{_n(w.total_units, 'page table')} of its anon VMAs to walk"
        )
    if isinstance(e, ev.Walk):
        return _walk(view, machine, e)
    if isinstance(e, ev.Search):
        return _search(view, machine, e)
    if isinstance(e, ev.UnusePte):
        return _unuse_pte(view, machine, e)
    if isinstance(e, ev.ShmemUnuse):
        return _shmem(view, machine, e)
    if isinstance(e, ev.FreeSwapCache):
        if e.freed:
            return f"slot {e.slot} is free: no PTE holds it and its page left the swap cache"
        return (
            f"the page of slot {e.slot} left the swap cache ({e.site}) while "
            f"{_n(view.state.count[e.slot], 'reference')} still held the slot: "
            "that reference will read it again"
        )
    racing = _racing(view, machine, e) or pressure(view, machine, e)
    if racing is not None:
        return racing
    if isinstance(e, ev.Done):
        c = view.counters
        if e.result == "ok":
            lost = (
                f"; {_n(c.io_errors, 'read')} failed: those PTEs carry an error marker"
                if c.io_errors
                else ""
            )
            if view.state.mem is not None and (c.pages_written or c.pages_dropped):
                lost += (
                    f"; under memory pressure reclaim wrote {_n(c.pages_written, 'page')} to "
                    f"the fresh area and dropped {c.pages_dropped:,} ({c.pages_reread:,} read "
                    "again)"
                )
            return (
                f"try_to_unuse returned 0: every slot is free after {duration(c.total_ns * 1000)}"
                f" (cpu {duration(c.cpu_ps)}, io {duration(c.io_ns * 1000)}){lost}"
            )
        return gave_up(e.result, view)
    return f"{type(e).__name__} ({e.site})"
