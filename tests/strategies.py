"""Hypothesis strategies: small, valid swapoff scenarios and algorithm choices.

`scenarios()` builds `models.scenario_model.Scenario` objects that obey every rule of
scenario-format.md, shaped like real machines in miniature:

- 1-5 mms, grouped in fork families: a forked child is inserted right after its
  parent on the mmlist (as copy_one_pte's list_add does), inherits its parent's
  VMA layout at the same addresses and some of its parent's swapped pages (the same
  slot at the same virtual address), has some of them resident instead (rewritten
  after the fork), and swaps out pages of its own;
- several VMAs per mm, anon and file-backed (resident pages only), VMAs sharing a
  2 MiB region and VMAs spanning region boundaries, resident ranges that create
  page tables without swap entries;
- tmpfs/shmem files, bad slots, page_cluster 0..5, every disk kind, and sometimes a
  small free_pages budget;
- with `pressure=True`, memory pressure instead of the budget: reclaim, a random
  free_pages, a fresh area on the same disk, on its own or none, and sometimes a load;
- slots handed out in ascending order, with holes, or at random.

`validation_errors()` re-checks the format's rules (used by the tests on the strategy).
"""

from __future__ import annotations

from hypothesis import strategies as st

from models.scenario_model import (
    PTES_PER_TABLE,
    USER_ADDRESS_LIMIT,
    CpuParams,
    DiskParams,
    FreshArea,
    Load,
    Mm,
    Scenario,
    ShmemFile,
    Vma,
)

ALGORITHM_READAHEADS = (
    ("legacy", "none"),
    ("legacy", "cluster"),
    ("legacy", "cluster-adaptive"),
    ("rfc", "none"),
    ("rfc", "cluster"),
    ("rfc", "cluster-adaptive"),
    ("rfc", "vma"),
    ("linear", "none"),
    ("linear", "cluster"),
    ("linear", "cluster-adaptive"),
    ("linear", "vma"),
    ("linear-5.1", "none"),
    ("linear-5.1", "cluster"),
    ("linear-5.1", "cluster-adaptive"),
    ("linear-5.1", "vma"),
    ("prefetch", "none"),
    ("prefetch", "cluster"),
    ("prefetch", "cluster-adaptive"),
    ("prefetch", "vma"),
)

# first 2 MiB region of a family's layout: low, middle and top of the user space
_BASE_REGIONS = (1, 3, 200, USER_ADDRESS_LIMIT // (4096 * PTES_PER_TABLE) - 8)


def algorithms_and_readahead(include_default: bool = False) -> st.SearchStrategy:
    """Valid (algorithm, readahead) pairs; readahead None (the default) if asked."""
    pairs = list(ALGORITHM_READAHEADS)
    if include_default:
        pairs += [(a, None) for a in ("legacy", "rfc", "linear", "linear-5.1", "prefetch")]
    return st.sampled_from(pairs)


def _chance(draw, k: int, n: int) -> bool:
    """True with probability k/n (sampled_from draws uniformly; shrinks towards True)."""
    return draw(st.sampled_from(range(n))) < k


def _runs(draw, pages: int, max_runs: int, max_len: int, min_runs: int = 0) -> set[int]:
    """A few runs of consecutive page indices inside [0, pages)."""
    out: set[int] = set()
    for _ in range(draw(st.integers(min_runs, max_runs))):
        start = draw(st.integers(0, pages - 1))
        length = draw(st.integers(1, max_len))
        out.update(range(start, min(pages, start + length)))
    return out


def _ranges(indices: set[int]) -> tuple[tuple[int, int], ...]:
    """Sorted half-open ranges covering exactly `indices`."""
    out: list[list[int]] = []
    for i in sorted(indices):
        if out and out[-1][1] == i:
            out[-1][1] = i + 1
        else:
            out.append([i, i + 1])
    return tuple((a, b) for a, b in out)


@st.composite
def scenarios(
    draw,
    max_slots: int = 64,
    min_slots: int = 8,
    max_mms: int = 5,
    max_vmas: int = 4,
    max_vma_pages: int = 600,
    shmem: bool = True,
    bad: bool = True,
    memory: bool = True,
    disk_kinds: tuple[str, ...] = ("hdd", "ssd", "zram"),
    cpu: bool = False,
    pressure: bool = False,
) -> Scenario:
    """A small valid Scenario (see the module docstring)."""
    slots = draw(st.integers(min_slots, max_slots))
    bad_slots: set[int] = set()
    if bad:
        bad_slots = draw(st.sets(st.integers(1, slots - 1), max_size=min(4, slots // 4)))
    good = [s for s in range(1, slots) if s not in bad_slots]
    layout = draw(st.sampled_from(("ascending", "holes", "random", "descending")))
    if layout == "ascending":
        pool = good
    elif layout == "descending":
        pool = good[::-1]
    elif layout == "holes":
        skip = draw(st.lists(st.booleans(), min_size=len(good), max_size=len(good)))
        pool = [s for s, k in zip(good, skip, strict=True) if not k] + [
            s for s, k in zip(good, skip, strict=True) if k
        ]
    else:
        pool = list(draw(st.permutations(good)))
    pool.reverse()  # pop() hands out slots in pool order

    def new_slot() -> int | None:
        return pool.pop() if pool else None

    # --- fork families and the mmlist -------------------------------------------
    n_mms = draw(st.integers(1, max_mms))
    pids = list(range(100, 100 + n_mms))
    order: list[int] = []  # mmlist order, by index into pids
    parent: dict[int, int | None] = {}
    for k in range(n_mms):
        if k == 0 or _chance(draw, 1, 3):
            parent[k] = None
            # a new mm that starts swapping goes to the head (or, for variety, the tail)
            if draw(st.booleans()):
                order.insert(0, k)
            else:
                order.append(k)
        else:
            p = draw(st.sampled_from(list(range(k))))
            parent[k] = p
            order.insert(order.index(p) + 1, k)  # fork: child right after parent

    # layouts: (start_page, pages, anon) per family root, children copy it
    def draw_layout() -> list[tuple[int, int, bool]]:
        base = draw(st.sampled_from(_BASE_REGIONS)) * PTES_PER_TABLE
        page = base + draw(st.integers(0, 2 * PTES_PER_TABLE))
        out = []
        for _ in range(draw(st.integers(1, max_vmas))):
            page += draw(st.sampled_from((0, 0, 1, 7, 100, 511, 600)))  # gap
            pages = draw(st.integers(1, max_vma_pages))
            if page + pages > USER_ADDRESS_LIMIT // 4096:
                break
            out.append((page, pages, _chance(draw, 3, 4)))
            page += pages
        return out

    # state per mm: list of VMAs, each [start_page, pages, anon, {idx: "R" or slot}]
    state: dict[int, list[list]] = {}
    for k in range(n_mms):  # creation order: a parent always before its children
        if parent[k] is None:
            vmas = [[s, n, a, {}] for s, n, a in draw_layout()]
            own_new = True
        else:
            vmas = []
            for s, n, a, cells in state[parent[k]]:
                child: dict[int, object] = {}
                for idx, cell in cells.items():
                    # fork copies every PTE; since then the child rewrote some pages
                    # (resident now) or dropped them
                    fate = draw(st.sampled_from(range(6))) if cell != "R" else 0
                    if fate <= 3:
                        child[idx] = cell
                    elif fate == 4:
                        child[idx] = "R"
                vmas.append([s, n, a, child])
            own_new = draw(st.booleans())
            if _chance(draw, 1, 4):  # an extra mapping of its own, after the layout
                end = max((s + n for s, n, _, _ in vmas), default=0)
                gap = draw(st.sampled_from((0, 3, 512)))
                pages = draw(st.integers(1, max_vma_pages))
                if end + gap + pages <= USER_ADDRESS_LIMIT // 4096:
                    vmas.append([end + gap, pages, True, {}])
        for v in vmas:
            s, n, anon, cells = v
            if _chance(draw, 1, 4):
                for idx in _runs(draw, n, 2, 40):
                    cells.setdefault(idx, "R")
            if anon and (own_new or not cells):
                for idx in sorted(_runs(draw, n, 3, 12, min_runs=1)):
                    if idx in cells:
                        continue
                    slot = new_slot()
                    if slot is None:
                        break
                    cells[idx] = slot
        state[k] = vmas

    # the parent may have faulted back a shared page since the fork: drop some references
    for k in range(n_mms):
        for v in state[k]:
            cells = v[3]
            for idx in sorted(cells):
                if cells[idx] != "R" and _chance(draw, 1, 10):
                    cells[idx] = "R"

    mms = []
    for k in order:
        vmas = []
        for s, n, anon, cells in state[k]:
            resident = {i for i, c in cells.items() if c == "R"}
            swapped = tuple(sorted((i, c) for i, c in cells.items() if c != "R"))
            vmas.append(
                Vma(start=s * 4096, pages=n, anon=anon, resident=_ranges(resident), swapped=swapped)
            )
        mms.append(
            Mm(
                pid=pids[k],
                comm=f"p{k}",
                parent=None if parent[k] is None else pids[parent[k]],
                vmas=tuple(vmas),
            )
        )

    files = []
    if shmem:
        for fi in range(draw(st.integers(0, 2))):
            pages = draw(st.integers(1, 24))
            swapped = []
            for idx in sorted(_runs(draw, pages, 2, 8, min_runs=1)):
                slot = new_slot()
                if slot is None:
                    break
                swapped.append((idx, slot))
            files.append(ShmemFile(name=f"/dev/shm/f{fi}", pages=pages, swapped=tuple(swapped)))

    refs = sum(len(v.swapped) for m in mms for v in m.vmas) + sum(len(f.swapped) for f in files)
    free_pages = None
    fresh = load = None
    if pressure:
        # memory pressure (docs/engine.md, section 9): always reclaim, a memory limit
        # from nothing to more than every page, and both fresh area layouts (or none)
        # mostly short of memory (then reclaim decides everything), sometimes not
        top = refs // 2 if _chance(draw, 3, 4) else refs + 34
        free_pages = draw(st.integers(0, top))
        where = draw(st.sampled_from((None, "shared", "own")))
        if where is not None:
            fresh = FreshArea(slots=draw(st.integers(2, 2 * slots)), disk=where)
        if draw(st.booleans()):
            load = Load(
                pages=draw(st.integers(0, 80)),
                pages_per_ms=draw(st.sampled_from((0.001, 0.05, 1.0, 20.0, 500.0))),
            )
    elif memory and _chance(draw, 1, 4):
        free_pages = draw(st.integers(0, refs + 2))
    kind = draw(st.sampled_from(disk_kinds))
    cpu_params = CpuParams()
    if cpu and draw(st.booleans()):
        cpu_params = CpuParams(
            pte_ns=draw(st.sampled_from((0.25, 1.5, 2.0))),
            range_ns=draw(st.sampled_from((0.0, 40.0, 12.5))),
            mm_ns=500.0,
            unuse_pte_ns=draw(st.sampled_from((300.0, 0.001))),
            slot_scan_ns=draw(st.sampled_from((20.0, 0.3333))),
        )
    return Scenario(
        name="hypothesis",
        slots=slots,
        seed=0,
        page_cluster=draw(st.integers(0, 5)),
        bad=tuple(sorted(bad_slots)),
        disk=DiskParams(kind=kind),
        cpu=cpu_params,
        free_pages=free_pages,
        mms=tuple(mms),
        shmem=tuple(files),
        reclaim=pressure,
        fresh=fresh,
        load=load,
    )


def validation_errors(sc: Scenario) -> list[str]:
    """The rules of scenario-format.md, checked naively; [] when `sc` is valid."""
    errors: list[str] = []
    bad = set(sc.bad)
    pids = [m.pid for m in sc.mms]
    by_pid = {m.pid: m for m in sc.mms}
    if len(set(pids)) != len(pids):
        errors.append("duplicate pid")
    if not 0 <= sc.page_cluster <= 5:
        errors.append("page_cluster out of range")
    for b in bad:
        if not 1 <= b < sc.slots:
            errors.append(f"bad slot {b} outside the area")

    def root(m: Mm) -> int | None:
        seen = set()
        while m.parent is not None:
            if m.parent not in by_pid:
                errors.append(f"mm {m.pid}: unknown parent {m.parent}")
                return None
            if m.pid in seen:
                errors.append(f"mm {m.pid}: parent cycle")
                return None
            seen.add(m.pid)
            m = by_pid[m.parent]
        return m.pid

    users: dict[int, list[tuple[str, int | None, int]]] = {}
    for m in sc.mms:
        r = root(m)
        prev_end = -1
        for vi, v in enumerate(m.vmas):
            if v.start % 4096 or v.pages < 1:
                errors.append(f"mm {m.pid} vma {vi}: bad geometry")
            if v.start_page < prev_end:
                errors.append(f"mm {m.pid} vma {vi}: overlaps or out of order")
            prev_end = v.end_page
            if v.end_page * 4096 > USER_ADDRESS_LIMIT:
                errors.append(f"mm {m.pid} vma {vi}: above 2**47")
            resident = set()
            for a, b in v.resident:
                if not 0 <= a < b <= v.pages:
                    errors.append(f"mm {m.pid} vma {vi}: resident range {a, b}")
                resident.update(range(a, b))
            seen_idx = set()
            for idx, slot in v.swapped:
                if not v.anon:
                    errors.append(f"mm {m.pid} vma {vi}: swapped page in a non-anon VMA")
                if not 0 <= idx < v.pages or idx in seen_idx or idx in resident:
                    errors.append(f"mm {m.pid} vma {vi}: page index {idx}")
                seen_idx.add(idx)
                users.setdefault(slot, []).append(("mm", m.pid, v.start_page + idx))
                if r is not None:
                    users[slot][-1] = ("mm", r, v.start_page + idx)
    for f in sc.shmem:
        seen_idx = set()
        for idx, slot in f.swapped:
            if not 0 <= idx < f.pages or idx in seen_idx:
                errors.append(f"shmem {f.name}: page index {idx}")
            seen_idx.add(idx)
            users.setdefault(slot, []).append(("shmem", None, idx))
    for slot, us in users.items():
        if not 1 <= slot < sc.slots or slot in bad:
            errors.append(f"slot {slot} outside the area or bad")
        kinds = {u[0] for u in us}
        if "shmem" in kinds and len(us) != 1:
            errors.append(f"slot {slot}: shmem slot with other references")
        if kinds == {"mm"}:
            if len(us) > 62:
                errors.append(f"slot {slot}: more than 62 references")
            if len({(u[1], u[2]) for u in us}) != 1:
                errors.append(f"slot {slot}: sharers differ in family or address")
    # distinct mms per slot
    for slot in users:
        holders = [m.pid for m in sc.mms for v in m.vmas for _i, s in v.swapped if s == slot]
        if len(holders) != len(set(holders)):
            errors.append(f"slot {slot}: referenced twice by one mm")
    return errors
