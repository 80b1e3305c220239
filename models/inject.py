"""Firing the injected faults at the algorithms' safe points.

The kernel's races happen under locks: do_swap_page and unuse_pte take the same PTE
lock, exit_mmap and unuse_mm the same mmap lock.  The algorithms therefore let
faults in only between whole steps (before an mm, before a swap PTE, before a slot),
which is what the locks make of the race, and re-check the state afterwards.
"""

from __future__ import annotations

from models import events as ev
from models.kernel.memory import do_swap_page
from models.kernel.swap_state import delete_from_swap_cache
from models.run import OutOfMemory, Run
from models.scenario_model import Fault
from models.sites import Site
from models.state import PRESENT, SWAP


class Injector:
    """The racing faults not yet fired, and what firing each one does.

    enomem and eio are not here: they act where the kernel notices them, when a page
    is allocated or read (`models.run.Run.note_enomem`, `note_eio`).
    """

    def __init__(self, run: Run, faults: tuple[Fault, ...], children: dict[int, int]) -> None:
        self.run = run
        self.pending = [(i, f) for i, f in enumerate(faults) if f.kind not in ("enomem", "eio")]
        self.children = children  # fault index -> pid of the fork child

    def poll(self) -> None:
        """Fire every pending fault whose trigger has been reached, in the order given."""
        if not self.pending:
            return
        done = self.run.freed()
        due = [(i, f) for i, f in self.pending if f.after <= done]
        if not due:
            return
        self.pending = [p for p in self.pending if p not in due]
        for i, f in due:
            getattr(self, f"_{f.kind}")(i, f)

    def _mark(self, i: int, f: Fault, detail: str) -> None:
        self.run.fault_fired(i, f, detail)

    # ---- the kinds --------------------------------------------------------------------
    def _eintr(self, i: int, f: Fault) -> None:
        self._mark(i, f, "a signal is pending: swapoff stops at its next check (EINTR)")

    def _mm(self, pid: int) -> int:
        return self.run.machine.mm_index(pid)

    def _touch(self, i: int, f: Fault) -> None:
        run, st = self.run, self.run.state
        mi = self._mm(f.pid)
        refs = [r for r in run.machine.walks[mi].anon_refs if st.ref_state[r] == SWAP]
        if not st.active[mi] or not refs:
            self._mark(i, f, f"pid {f.pid} has nothing left in swap")
            return
        self._mark(i, f, f"pid {f.pid} faults its {len(refs)} swapped pages in (do_swap_page)")
        for ref in refs:
            if st.ref_state[ref] != SWAP:
                continue  # read in by readahead and mapped by an earlier fault of ours
            try:
                do_swap_page(run, ref)
            except OutOfMemory:
                return  # the process gets VM_FAULT_OOM; swapoff itself goes on

    def _drop(self, refs: list[int] | range, site: Site) -> None:
        run, st, slots = self.run, self.run.state, self.run.machine.refs.slot
        for ref in refs:
            if st.ref_state[ref] == SWAP:
                run.emit(ev.DropRef, 0, site, ref=ref, slot=slots[ref])
                if st.count[slots[ref]] == 0 and st.cached[slots[ref]]:
                    delete_from_swap_cache(run, slots[ref], Site.FREE_SWAP_AND_CACHE)

    def _exit(self, i: int, f: Fault) -> None:
        mi = self._mm(f.pid)
        if not self.run.state.active[mi]:
            self._mark(i, f, f"pid {f.pid} is not on the mmlist")
            return
        self._mark(i, f, f"pid {f.pid} exits: its swap entries are dropped, it leaves the mmlist")
        self._drop(self.run.machine.mm_refs[mi], Site.ZAP_PTE_RANGE)
        self.run.emit(ev.MmExit, 0, Site.EXIT_MMAP, mm=mi)

    def _fork(self, i: int, f: Fault) -> None:
        parent = self._mm(f.pid)
        child = self._mm(self.children[i])
        if not self.run.state.active[parent]:
            self._mark(i, f, f"pid {f.pid} is gone: no fork")
            return
        shared = sum(
            1 for r in self.run.machine.mm_refs[parent] if self.run.state.ref_state[r] == SWAP
        )
        self._mark(
            i, f, f"pid {f.pid} forks pid {self.children[i]}: {shared} swap entries now shared"
        )
        self.run.emit(ev.MmFork, 0, Site.COPY_ONE_PTE, mm=child, parent=parent)

    def _pressure(self, i: int, f: Fault) -> None:
        """try_to_unmap of mapped pages still in the swap cache: the entry goes back in the PTE."""
        run, st, m = self.run, self.run.state, self.run.machine
        chosen: list[int] = []
        for mi in range(len(m.walks)):
            if not st.active[mi]:
                # an exited (or not yet forked) mm maps nothing: reclaim finds no PTE of
                # its to unmap (and the walk would never come back for one)
                continue
            for ref in m.walks[mi].anon_refs:
                if len(chosen) >= f.pages:
                    break
                if st.ref_state[ref] == PRESENT and st.cached[m.refs.slot[ref]]:
                    chosen.append(ref)
        self._mark(
            i,
            f,
            f"reclaim unmaps {len(chosen)} of {f.pages} pages still in the swap cache"
            + ("" if chosen else ": none is both mapped and cached now"),
        )
        if chosen:
            run.emit(ev.Reclaim, 0, Site.TRY_TO_UNMAP, refs=tuple(chosen))

    def _unlink(self, i: int, f: Fault) -> None:
        m = self.run.machine
        fi = next(k for k, s in enumerate(m.scenario.shmem) if s.name == f.shmem)
        self._mark(i, f, f"{f.shmem} is deleted: its swap entries are freed")
        self._drop(m.file_refs[fi], Site.SHMEM_EVICT_INODE)
