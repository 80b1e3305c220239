"""Steps 1 to 3 of the generator: processes, their address spaces, populated pages.

1. processes: root processes, then forked children (pids grow with creation time);
2. address spaces: each root gets a program image, heap, stack and mmaps spread over
   the 47-bit space, as on x86_64; each child copies its parent's VMAs (same
   addresses, as fork leaves them) and may map a few of its own;
3. populated pages: each anon VMA has runs of populated pages, and every populated
   page is an *object*.  A child shares its parent's object for a page neither side
   rewrote since fork, and has its own object otherwise.  Objects are grouped in
   *units* (the VMA or shmem file that created them), which later get their quota of
   swapped pages.
"""

from __future__ import annotations

import math
import random
from array import array
from collections.abc import Sequence

import attrs

from models.scenario.errors import Problem
from models.scenario.genspec import GenerateSpec
from models.scenario.layout import chop, pick_runs
from models.scenario.limits import MAX_POPULATED, MAX_REFERENCES, MAX_SHARERS
from models.scenario_model import PAGE_SIZE

NON_PIE_BASE = 0x400000
PIE_BASE = 0x555555554000  # ELF_ET_DYN_BASE on x86_64, randomised upwards by up to 1 TiB
STACK_TOP_LOW = 0x7FFC00000000  # stacks end between here and just below 2**47
STACK_TOP_SPAN_PAGES = 0x3FF000000 // PAGE_SIZE
STACK_MAX_PAGES = 2048  # 8 MiB, the default stack rlimit
FILE_VMA_PAGES = (1, 512)  # text, rodata and data of a binary or a library

COMMS = (
    "firefox", "chrome", "Xorg", "gnome-shell", "postgres", "mysqld", "java", "python3",
    "node", "redis-server", "nginx", "apache2", "bash", "sshd", "pulseaudio", "thunderbird",
    "code", "slack", "dockerd", "containerd", "emacs", "vim", "cc1plus", "ld", "evolution",
    "tracker-miner-f", "gsd-color", "nautilus", "spotify", "qemu-system-x86",
)  # fmt: skip


@attrs.define
class Area:
    """A VMA under construction; `pos` are populated page indices, `obj` their objects."""

    start: int
    pages: int
    anon: bool
    f: float = 0.0  # swapped fraction drawn for this VMA
    r: float = 0.0  # resident fraction
    touched: Sequence[tuple[int, int]] = ()  # populated runs, ascending
    pos: Sequence[int] = ()
    obj: Sequence[int] = ()
    resident: tuple[tuple[int, int], ...] = ()  # file-backed VMAs only


@attrs.define(eq=False)
class Proc:
    index: int  # creation order
    pid: int
    comm: str
    parent: Proc | None
    children: list[Proc] = attrs.Factory(list)
    areas: list[Area] = attrs.Factory(list)
    mmap_low: int = 0  # lowest mmap address: where the next anonymous mmap goes
    low_end: int = 0  # end of image and heap: mmaps must stay above


@attrs.define
class Unit:
    """Objects created by one VMA (or one shmem file); quotas are set per unit."""

    owner: int  # process creation index, or processes + file index for shmem
    weight: float  # swapped pages this unit would have by its own fractions
    objs: Sequence[int]  # ascending with the page's address (or file index)
    runs: list[Sequence[int]] = attrs.Factory(list)
    addr: int = 0  # start of the VMA (0 for a shmem file): orders an owner's units


def _loguniform(rng: random.Random, lo: int, hi: int) -> int:
    if lo >= hi:
        return lo
    x = int(math.exp(rng.uniform(math.log(lo), math.log(hi + 1))))
    return min(max(x, lo), hi)


def _merge(runs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sort runs and join those that touch."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(runs):
        if out and out[-1][1] == a:
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


class Population:
    """Everything the recipe populates, before any page is swapped."""

    def __init__(self, spec: GenerateSpec, rng: random.Random) -> None:
        self.spec = spec
        self.rng = rng
        self.procs: list[Proc] = []  # creation order
        self.units: list[Unit] = []  # anon units first, then one per shmem file
        self.files: list[tuple[str, int, int]] = []  # shmem: name, pages, first object
        self.next_obj = 0
        self.populated = 0
        self.weight = 0.0  # swapped pages the fractions ask for so far

    @property
    def shmem_units(self) -> list[Unit]:
        return self.units[len(self.units) - len(self.files) :]

    def build(self) -> None:
        self._processes()
        for proc in self.procs:  # a parent is always complete before its children
            if proc.parent is None:
                self._root_areas(proc)
            else:
                self._child_areas(proc)
        self._shmem()

    # -- 1. processes ---------------------------------------------------------------

    def _processes(self) -> None:
        spec, rng = self.spec, self.rng
        n_roots = spec.processes - spec.forks
        if spec.forks > n_roots * (MAX_SHARERS - 1):
            raise Problem(
                ("generate",),
                f"{spec.forks} forks do not fit: a fork family holds at most {MAX_SHARERS} "
                f"mms, so {n_roots} root processes allow {n_roots * (MAX_SHARERS - 1)} children",
                at=("forks",),
            )
        pid = rng.randrange(300, 3000)
        family: dict[int, int] = {}  # root index -> members
        root_of: list[int] = []
        for i in range(n_roots):
            self.procs.append(Proc(i, pid, rng.choice(COMMS), None))
            family[i] = 1
            root_of.append(i)
            pid += 1 + int(rng.expovariate(1 / 20))  # other tasks start in between
        open_roots = list(range(n_roots))
        open_procs = list(range(n_roots))
        for i in range(n_roots, spec.processes):
            # Most children come straight from a root (a server's workers), some
            # from another child (grandchildren).
            pool = open_roots if rng.random() < 0.75 else open_procs
            parent = self.procs[rng.choice(pool)]
            child = Proc(i, pid, parent.comm, parent)
            pid += 1 + int(rng.expovariate(1 / 20))
            parent.children.append(child)
            self.procs.append(child)
            root = root_of[parent.index]
            root_of.append(root)
            family[root] += 1
            if family[root] < MAX_SHARERS:
                open_procs.append(i)
            else:
                open_roots = [r for r in open_roots if family[r] < MAX_SHARERS]
                open_procs = [p for p in open_procs if family[root_of[p]] < MAX_SHARERS]

    # -- 2./3. address spaces and populated pages -----------------------------------------

    def _count(self, pages: int) -> None:
        self.populated += pages
        if self.populated > MAX_POPULATED:
            raise Problem(
                ("generate",),
                f"the recipe populates more than {MAX_POPULATED} pages (counted per "
                "mm, shmem included), the generator's limit: lower processes, vmas, "
                "vma_pages, the fractions or shmem_pages",
            )

    def _new_objects(self, n: int) -> range:
        objs = range(self.next_obj, self.next_obj + n)
        self.next_obj += n
        return objs

    def _unit(self, owner: int, f: float, r: float, objs: Sequence[int], addr: int) -> None:
        weight = len(objs) * f / (f + r) if f + r > 0 else 0.0
        self.units.append(Unit(owner, weight, objs, addr=addr))
        self._weigh(weight)

    def _weigh(self, weight: float) -> None:
        self.weight += weight
        if self.spec.slots_used is None and self.weight > MAX_REFERENCES:
            # without slots_used the fractions decide: stop as soon as they are over
            raise Problem(
                ("generate",),
                f"the recipe's fractions swap out more than {MAX_REFERENCES} pages (2**21, "
                "the limit of swapped references): lower them, or give slots_used",
                at=("swapped_fraction",),
            )

    def _anon_area(self, proc: Proc, start: int, pages: int) -> Area:
        spec, rng = self.spec, self.rng
        f = rng.uniform(*spec.swapped_fraction)
        r = min(rng.uniform(*spec.resident_fraction), 1.0 - f)
        touched = round((f + r) * pages)
        self._count(touched)
        runs = sorted(pick_runs(rng, pages, touched, spec.run_pages))
        pos: array[int] = array("q")
        for a, b in runs:
            pos.extend(range(a, b))
        objs = self._new_objects(len(pos))
        self._unit(proc.index, f, r, objs, start)
        return Area(start, pages, True, f, r, runs, pos, objs)

    def _file_area(self, start: int, pages: int) -> Area:
        rng = self.rng
        k = round(rng.uniform(*self.spec.resident_fraction) * pages)
        runs = pick_runs(rng, pages, k, self.spec.run_pages)
        return Area(start, pages, False, resident=tuple(_merge(runs)))

    def _vma_pages(self) -> int:
        return _loguniform(self.rng, *self.spec.vma_pages)

    def _gap(self) -> int:
        lo, hi = self.spec.gap_pages
        return (_loguniform(self.rng, lo + 1, hi + 1) - 1) * PAGE_SIZE

    def _mmap_below(self, proc: Proc, pages: int, anon: bool) -> Area:
        """Place a mapping top-down under the lowest one, as the mmap allocator does."""
        start = proc.mmap_low - self._gap() - pages * PAGE_SIZE
        if start < proc.low_end:
            raise Problem(
                ("generate",),
                f"pid {proc.pid}'s address space is full: lower vma_pages, gap_pages or vmas",
                at=("vma_pages",),
            )
        proc.mmap_low = start
        return self._anon_area(proc, start, pages) if anon else self._file_area(start, pages)

    def _root_areas(self, proc: Proc) -> None:
        spec, rng = self.spec, self.rng
        n_anon = rng.randint(*spec.vmas)
        n_file = rng.randint(*spec.file_vmas)
        if rng.random() < 0.2:
            base = NON_PIE_BASE
        else:
            base = PIE_BASE + rng.randrange(1 << 28) * PAGE_SIZE
        areas = proc.areas
        low_end = base
        if n_file:
            text = self._file_area(base, _loguniform(rng, *FILE_VMA_PAGES))
            areas.append(text)
            low_end = base + text.pages * PAGE_SIZE
            n_file -= 1
        if n_anon:  # the heap, after a random brk offset of up to 32 MiB
            heap_start = low_end + rng.randrange(8192) * PAGE_SIZE
            heap = self._anon_area(proc, heap_start, self._vma_pages())
            areas.append(heap)
            low_end = heap_start + heap.pages * PAGE_SIZE
            n_anon -= 1
        top = STACK_TOP_LOW + rng.randrange(STACK_TOP_SPAN_PAGES) * PAGE_SIZE
        if n_anon:
            pages = min(self._vma_pages(), max(STACK_MAX_PAGES, spec.vma_pages[0]))
            top -= pages * PAGE_SIZE
            areas.append(self._anon_area(proc, top, pages))
            n_anon -= 1
        # mmap_base: below the stack's guard gap (128 MiB) and up to 1 TiB of randomisation
        proc.mmap_low = top - (1 << 27) - rng.randrange(1 << 28) * PAGE_SIZE
        proc.low_end = low_end
        kinds = [True] * n_anon + [False] * n_file
        rng.shuffle(kinds)
        for anon in kinds:
            pages = self._vma_pages() if anon else _loguniform(rng, *FILE_VMA_PAGES)
            areas.append(self._mmap_below(proc, pages, anon))
        areas.sort(key=lambda a: a.start)

    def _child_areas(self, child: Proc) -> None:
        spec, rng = self.spec, self.rng
        parent = child.parent
        assert parent is not None
        child.mmap_low, child.low_end = parent.mmap_low, parent.low_end
        for area in parent.areas:
            if not area.anon:
                child.areas.append(Area(area.start, area.pages, False, resident=area.resident))
                continue
            self._count(len(area.pos))
            obj: array[int] = array("q")
            own: array[int] = array("q")
            for a, b in chop(rng, len(area.pos), spec.run_pages):
                if rng.random() < spec.shared:
                    obj.extend(area.obj[a:b])
                else:  # rewritten since fork: the child's own copy
                    fresh = self._new_objects(b - a)
                    obj.extend(fresh)
                    own.extend(fresh)
            self._unit(child.index, area.f, area.r, own, area.start)
            child.areas.append(
                Area(area.start, area.pages, True, area.f, area.r, area.touched, area.pos, obj)
            )
        for _ in range(rng.randint(*spec.child_vmas)):
            child.areas.append(self._mmap_below(child, self._vma_pages(), True))
        child.areas.sort(key=lambda a: a.start)

    def _shmem(self) -> None:
        spec, rng = self.spec, self.rng
        for i in range(spec.shmem_files):
            pages = _loguniform(rng, *spec.shmem_pages)
            self._count(pages)
            frac = rng.uniform(*spec.shmem_swapped_fraction)
            objs = self._new_objects(pages)
            self.units.append(Unit(spec.processes + i, pages * frac, objs))
            self._weigh(pages * frac)
            self.files.append((_shmem_name(rng), pages, objs.start))


def _shmem_name(rng: random.Random) -> str:
    """A plausible name for a tmpfs/shmem object."""
    kind = rng.randrange(6)
    if kind == 0:
        return f"/dev/shm/pulse-shm-{rng.randrange(10**9, 5 * 10**9)}"
    if kind == 1:
        return f"/dev/shm/PostgreSQL.{rng.randrange(1 << 31)}"
    if kind == 2:
        return "/memfd:wayland-shm (deleted)"
    if kind == 3:
        return f"/SYSV{rng.randrange(1 << 32):08x} (deleted)"
    if kind == 4:
        token = "".join(
            rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
            for _ in range(6)
        )
        return f"/dev/shm/.org.chromium.Chromium.{token}"
    return f"/tmp/cc{rng.randrange(36**6):06x}.s"
