"""The generated form: determinism, the recipe's knobs, the three layouts, presets."""

from __future__ import annotations

import hashlib
import itertools
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from models.scenario import (
    ScenarioError,
    export_scenario,
    load_preset,
    parse_scenario,
    preset_description,
    preset_names,
)
from models.scenario import generate as generate_module
from models.scenario import populate as populate_module
from models.scenario.generate import apportion
from models.scenario.layout import chop, pick_runs
from models.scenario.presets import all_preset_names, preset_text
from models.scenario_model import PAGE_SIZE, PTES_PER_TABLE, Scenario

REPO = Path(__file__).resolve().parent.parent

HEAD = """\
format = "swaptui-scenario/1"

[scenario]
name = "gen"
seed = {seed}

[swap]
slots = {slots}

[generate]
"""


def recipe(seed: int = 1, slots: int = 32768, **keys: object) -> str:
    lines = [HEAD.format(seed=seed, slots=slots)]
    for key, value in keys.items():
        if isinstance(value, str):
            value = f'"{value}"'
        elif isinstance(value, tuple):
            value = f"[{value[0]}, {value[1]}]"
        lines.append(f"{key} = {value}\n")
    return "".join(lines)


def gen(seed: int = 1, slots: int = 32768, **keys: object) -> Scenario:
    return parse_scenario(recipe(seed, slots, **keys), "g.toml")


def gen_error(**keys: object) -> str:
    with pytest.raises(ScenarioError) as info:
        gen(**keys)
    return str(info.value)


def slot_owners(s: Scenario) -> dict[int, str]:
    """slot -> "m<i>" (first mm in mmlist order referencing it) or "s<j>" (shmem file)."""
    out: dict[int, str] = {}
    for i, mm in enumerate(s.mms):
        for vma in mm.vmas:
            for _, slot in vma.swapped:
                out.setdefault(slot, f"m{i}")
    for j, f in enumerate(s.shmem):
        for _, slot in f.swapped:
            out[slot] = f"s{j}"
    return out


def creators(s: Scenario) -> dict[int, str]:
    """slot -> the mm that created the page: the family member highest in the tree.

    A shared slot's creator is its sharer nearest to the root (the parent precedes its
    children on the mmlist, so that is the first one in mmlist order)."""
    return slot_owners(s)


def ref_counts(s: Scenario) -> Counter[int]:
    return Counter(slot for m in s.mms for v in m.vmas for _, slot in v.swapped)


def page_tables(s: Scenario) -> list[int]:
    """Walk units per mm: (anon VMA, 2 MiB region) pairs with a populated page."""
    out = []
    for mm in s.mms:
        units = 0
        for v in mm.vmas:
            if not v.anon:
                continue
            pages = {i for i, _ in v.swapped}
            for a, b in v.resident:
                pages.update(range(a, b))
            units += len({(v.start_page + i) // PTES_PER_TABLE for i in pages})
        out.append(units)
    return out


# --- determinism ---------------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["reclaim", "sequential", "random"])
def test_same_seed_same_bytes(layout: str) -> None:
    keys = {"processes": 10, "forks": 3, "shmem_files": 2, "bad_slots": 2, "layout": layout}
    a = export_scenario(gen(seed=11, **keys))
    b = export_scenario(gen(seed=11, **keys))
    assert a == b
    assert a != export_scenario(gen(seed=12, **keys))


def test_determinism_across_processes_and_hash_seeds() -> None:
    code = (
        "import hashlib, sys\n"
        "from models.scenario import export_scenario, load_preset, parse_scenario\n"
        f"text = {recipe(seed=3, processes=12, forks=4, shmem_files=2, bad_slots=3)!r}\n"
        "out = export_scenario(parse_scenario(text, 'g'))\n"
        "for name in ('demo', 'fork', 'shmem', 'fragmented'):\n"
        "    out += export_scenario(load_preset(name))\n"
        "print(hashlib.sha256(out.encode()).hexdigest())\n"
    )
    digests = set()
    for hash_seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(REPO)}
        run = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        digests.add(run.stdout.strip())
    assert len(digests) == 1
    here = export_scenario(gen(seed=3, processes=12, forks=4, shmem_files=2, bad_slots=3))
    here += "".join(
        export_scenario(load_preset(n)) for n in ("demo", "fork", "shmem", "fragmented")
    )
    assert digests == {hashlib.sha256(here.encode()).hexdigest()}


def test_generated_scenario_exports_to_the_explicit_form() -> None:
    s = gen(processes=6, forks=2, shmem_files=1)
    text = export_scenario(s)
    assert "[generate]" not in text
    assert "[[mm]]" in text and "[[shmem]]" in text
    assert parse_scenario(text, "x") == s


# --- the recipe's knobs ----------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["reclaim", "sequential", "random"])
def test_slots_used_is_exact(layout: str) -> None:
    s = gen(processes=9, forks=3, shmem_files=3, slots_used=1500, bad_slots=5, layout=layout)
    assert len(slot_owners(s)) == 1500
    assert len(s.bad) == 5
    assert not set(slot_owners(s)) & set(s.bad)


def test_explicit_bad_slots_are_kept_first() -> None:
    text = recipe(bad_slots=3).replace("slots = 32768", "slots = 32768\nbad = [7, 3]")
    s = parse_scenario(text, "g.toml")
    assert s.bad[:2] == (7, 3)
    assert len(set(s.bad)) == 5
    assert list(s.bad[2:]) == sorted(s.bad[2:])


def test_processes_forks_and_the_mmlist_order() -> None:
    s = gen(processes=30, forks=20, slots=65536)
    assert len(s.mms) == 30
    assert sum(m.parent is not None for m in s.mms) == 20
    index = {m.pid: i for i, m in enumerate(s.mms)}
    children: dict[int, list[int]] = {}
    for i, m in enumerate(s.mms):
        if m.parent is not None:
            p = index[m.parent]
            assert p < i  # the parent precedes its children
            assert s.mms[p].pid < m.pid  # and was created before them
            assert s.mms[p].comm == m.comm  # fork keeps comm
            children.setdefault(p, []).append(i)

    def subtree_end(i: int) -> int:
        end = i + 1
        for c in children.get(i, []):
            end = max(end, subtree_end(c))
        return end

    for p, kids in children.items():
        # fork puts each child right after its parent: newest (highest pid) first, and
        # each child followed by its own subtree
        assert kids[0] == p + 1
        assert [s.mms[k].pid for k in kids] == sorted((s.mms[k].pid for k in kids), reverse=True)
        for a, b in itertools.pairwise(kids):
            assert subtree_end(a) == b


def test_children_share_slots_at_the_parents_addresses() -> None:
    s = gen(processes=4, forks=3, shared=1.0, child_vmas=0, slots=8192)
    root = s.mms[0]
    assert all(m.parent is not None for m in s.mms[1:])
    root_swapped = {(v.start + i * PAGE_SIZE, slot) for v in root.vmas for i, slot in v.swapped}
    for child in s.mms[1:]:
        assert [(v.start, v.pages, v.anon) for v in child.vmas] == [
            (v.start, v.pages, v.anon) for v in root.vmas
        ] or child.parent != root.pid
        child_swapped = {(v.start + i * PAGE_SIZE, sl) for v in child.vmas for i, sl in v.swapped}
        assert child_swapped == root_swapped  # nothing rewritten since fork
    assert set(ref_counts(s).values()) == {4}


def test_no_sharing_when_children_rewrote_everything() -> None:
    s = gen(processes=6, forks=3, shared=0.0)
    assert set(ref_counts(s).values()) == {1}


def test_sharing_fraction_is_realistic() -> None:
    s = gen(processes=20, forks=15, shared=0.8, slots=16384)
    counts = ref_counts(s)
    shared = sum(1 for c in counts.values() if c > 1)
    assert shared > 0.3 * len(counts)
    assert max(counts.values()) <= 62


def test_fork_family_limit() -> None:
    assert gen_error(processes=64, forks=63) == (
        "g.toml:12: generate: 63 forks do not fit: a fork family holds at most 62 mms, "
        "so 1 root processes allow 61 children"
    )
    s = gen(processes=62, forks=61, vmas=1, vma_pages=4, file_vmas=0, child_vmas=0, shared=1.0)
    assert max(ref_counts(s).values()) == 62


def test_shmem_files() -> None:
    s = gen(processes=2, shmem_files=5, shmem_pages=(32, 64), shmem_swapped_fraction=(0.5, 0.5))
    assert len(s.shmem) == 5
    for f in s.shmem:
        assert 32 <= f.pages <= 64
        assert abs(len(f.swapped) - f.pages / 2) <= 1
        assert [i for i, _ in f.swapped] == sorted(i for i, _ in f.swapped)


def test_address_space_is_sparse_and_realistic() -> None:
    s = gen(processes=8, vmas=(4, 6), file_vmas=(2, 4), slots=16384)
    for mm in s.mms:
        anon = [v for v in mm.vmas if v.anon]
        assert len(anon) >= 4
        assert 2 <= len(mm.vmas) - len(anon) <= 4
        regions = {v.start >> 30 for v in mm.vmas}  # 1 GiB granules
        assert len(regions) >= 3  # image/heap low, mmaps and stack high
        assert mm.vmas[-1].start >= 0x7FFC00000000  # the stack
        assert mm.vmas[0].start < 0x570000000000  # the program image
    assert min(page_tables(s)) >= 4


def test_vma_sizes_and_fractions() -> None:
    s = gen(
        processes=6,
        vmas=(3, 3),
        vma_pages=(100, 300),
        swapped_fraction=(0.25, 0.25),
        resident_fraction=(0.5, 0.5),
        slots=16384,
    )
    for mm in s.mms:
        for v in mm.vmas:
            if not v.anon:
                assert not v.swapped
                continue
            assert 100 <= v.pages <= 300
            resident = sum(b - a for a, b in v.resident)
            # the swapped counts are apportioned over all VMAs: each within a page
            assert abs(len(v.swapped) - 0.25 * v.pages) <= 1.5
            assert abs(resident - 0.5 * v.pages) <= 1.5


def test_slots_used_scales_the_swapped_pages() -> None:
    free = gen(processes=6, forks=2, shmem_files=2, seed=4)
    natural = len(slot_owners(free))
    scaled = gen(processes=6, forks=2, shmem_files=2, seed=4, slots_used=natural // 2)
    assert len(slot_owners(scaled)) == natural // 2
    # the same pages are populated: only their state changed
    scaled_by_pid = {m.pid: m for m in scaled.mms}
    for a in free.mms:
        b = scaled_by_pid[a.pid]
        for va, vb in zip(a.vmas, b.vmas, strict=True):
            populated_a = {i for i, _ in va.swapped} | {
                i for x, y in va.resident for i in range(x, y)
            }
            populated_b = {i for i, _ in vb.swapped} | {
                i for x, y in vb.resident for i in range(x, y)
            }
            assert populated_a == populated_b


# --- layouts ------------------------------------------------------------------------------------


def runs_of_one_owner(s: Scenario) -> tuple[float, int]:
    """Share of consecutive used slots with the same owner, and the number of owner changes."""
    owners = slot_owners(s)
    order = sorted(owners)
    same = sum(owners[a] == owners[b] for a, b in itertools.pairwise(order))
    return same / (len(order) - 1), len(order) - 1 - same


def test_sequential_layout() -> None:
    s = gen(processes=8, forks=2, shmem_files=2, layout="sequential", holes=0.0)
    # the page-table walk (mmlist order, VMAs and pages ascending) meets every slot it
    # has not met before in ascending order, shmem files last, without gaps
    walk = []
    seen: set[int] = set()
    for mm in s.mms:
        for v in mm.vmas:
            for _, slot in v.swapped:
                if slot not in seen:
                    seen.add(slot)
                    walk.append(slot)
    for f in s.shmem:
        walk += [slot for _, slot in f.swapped]
    assert walk == list(range(1, len(walk) + 1))


def test_sequential_layout_with_holes_and_bad_slots_stays_ascending() -> None:
    s = gen(processes=8, layout="sequential", holes=0.1, bad_slots=10)
    walk = [slot for mm in s.mms for v in mm.vmas for _, slot in v.swapped]
    assert walk == sorted(walk)
    assert walk[-1] > len(walk) + 10  # holes were left


def test_reclaim_layout_interleaves_processes_in_stretches() -> None:
    s = gen(processes=10, shmem_files=2, layout="reclaim", slots=8192, slots_used=3000)
    same, changes = runs_of_one_owner(s)
    assert same > 0.85  # consecutive slots mostly come from one process
    assert changes > 3 * len(s.mms)  # but the processes interleave, again and again
    used = sorted(slot_owners(s))
    span = used[-1]
    assert 0.005 < 1 - len(used) / span < 0.06  # occasional holes (holes = 0.02)


def test_reclaim_lru_run_controls_the_stretches() -> None:
    long_runs = gen(processes=10, layout="reclaim", slots=8192, slots_used=3000, lru_run=64)
    short_runs = gen(processes=10, layout="reclaim", slots=8192, slots_used=3000, lru_run=4)
    assert runs_of_one_owner(long_runs)[1] < runs_of_one_owner(short_runs)[1] / 4


def address_order_breaks(s: Scenario) -> int:
    """How often, walking each mm's swapped pages in address order, the slot goes down."""
    breaks = 0
    for mm in s.mms:
        slots = [slot for v in mm.vmas for _, slot in sorted(v.swapped)]
        breaks += sum(b < a for a, b in itertools.pairwise(slots))
    return breaks


def test_reclaim_lru_shuffle_zero_lays_each_process_out_in_address_order() -> None:
    keys: dict[str, object] = {"processes": 10, "layout": "reclaim", "slots_used": 3000}
    keys["lru_run"] = 64
    aged = gen(slots=8192, lru_shuffle=0.0, **keys)
    assert address_order_breaks(aged) == 0  # a page-table walk reads upwards only
    assert runs_of_one_owner(aged)[1] > 2 * len(aged.mms)  # the owners still interleave
    some = gen(slots=8192, lru_shuffle=0.3, **keys)
    random_ages = gen(slots=8192, **keys)  # lru_shuffle = 1
    assert 0 < address_order_breaks(some) < address_order_breaks(random_ages)


def test_reclaim_mmlist_is_newest_first_swap_out_first() -> None:
    s = gen(processes=12, forks=0, layout="reclaim", slots=8192, slots_used=2000)
    owners = slot_owners(s)
    first_slot = {}
    for slot in sorted(owners, reverse=True):
        first_slot[owners[slot]] = slot
    firsts = [first_slot[f"m{i}"] for i in range(len(s.mms)) if f"m{i}" in first_slot]
    assert firsts == sorted(firsts, reverse=True)


def test_random_layout_is_uniform() -> None:
    s = gen(processes=10, layout="random", slots=8192, slots_used=2000)
    used = sorted(slot_owners(s))
    assert used[-1] > 7500 and used[0] < 500
    halves = sum(1 for u in used if u < 4096)
    assert 850 < halves < 1150
    assert runs_of_one_owner(s)[0] < 0.4


def test_random_layout_nearly_full_area() -> None:
    s = gen(processes=3, layout="random", slots=600, slots_used=590, vma_pages=(512, 1024))
    assert len(slot_owners(s)) == 590


# --- recipe errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (
            {"procs": 3},
            "g.toml:11: generate: unknown key 'procs' (valid keys: processes, forks, shared, "
            "child_vmas, vmas, file_vmas, vma_pages, gap_pages, swapped_fraction, "
            "resident_fraction, run_pages, slots_used, shmem_files, shmem_pages, "
            "shmem_swapped_fraction, bad_slots, layout, lru_run, lru_shuffle, holes)",
        ),
        ({"processes": 0}, "g.toml:11: generate.processes: 0 is out of range (1..4096)"),
        ({"processes": 4097}, "g.toml:11: generate.processes: 4097 is out of range (1..4096)"),
        ({"processes": 3, "forks": 3}, "g.toml:12: generate.forks: 3 is out of range (0..2)"),
        ({"processes": "3"}, "g.toml:11: generate.processes: expected an integer, got a string"),
        ({"shared": 1.5}, "g.toml:11: generate.shared: 1.5 is out of range (0..1.0)"),
        ({"holes": 0.95}, "g.toml:11: generate.holes: 0.95 is out of range (0..0.9)"),
        ({"lru_shuffle": 2}, "g.toml:11: generate.lru_shuffle: 2.0 is out of range (0..1.0)"),
        (
            {"layout": "zigzag"},
            "g.toml:11: generate.layout: unknown layout 'zigzag' (valid: reclaim, sequential, random)",
        ),
        (
            {"vmas": (5, 2)},
            "g.toml:11: generate.vmas: [5, 2] must satisfy 0 <= low <= high <= 1024",
        ),
        (
            {"vma_pages": 0},
            "g.toml:11: generate.vma_pages: [0, 0] must satisfy 1 <= low <= high <= 1073741824",
        ),
        (
            {"swapped_fraction": "most"},
            "g.toml:11: generate.swapped_fraction: expected a number or a [low, high] pair of "
            "them, got a string",
        ),
        (
            {"vma_pages": (1.5, 3)},
            "g.toml:11: generate.vma_pages: expected an integer or a [low, high] pair of them, "
            "got an array",
        ),
        (
            {"slots_used": 5000, "slots": 4096},
            "g.toml:11: generate: 5000 slots in use do not fit in the swap area "
            "(4095 usable slots: slots - 1 - bad)",
        ),
        (
            {
                "slots_used": 4000,
                "processes": 1,
                "vmas": 1,
                "vma_pages": 10,
                "swapped_fraction": 0.3,
                "resident_fraction": 0.3,
            },
            "g.toml:11: generate: slots_used = 4000, but the recipe only populates 6 pages that "
            "could be swapped: raise processes, vmas, vma_pages or the fractions",
        ),
        ({"slots_used": -1}, "g.toml:11: generate.slots_used: -1 is negative"),
        (
            {"bad_slots": 5000, "slots": 4096},
            "g.toml:11: generate: bad_slots = 5000 exceeds the 4095 slots left in the swap area",
        ),
    ],
)
def test_recipe_errors(keys: dict[str, object], expected: str) -> None:
    assert gen_error(**keys) == expected


def test_recipe_cannot_be_mixed_with_explicit_tables() -> None:
    text = recipe(processes=2) + "\n[[mm]]\npid = 1\n"
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "g.toml")
    assert str(info.value) == (
        "g.toml:10: generate: cannot be combined with [[mm]] or [[shmem]] tables: "
        "a scenario is either explicit or generated"
    )


def test_base_rules_are_checked_before_generating() -> None:
    text = recipe(processes=2).replace('name = "gen"', 'name = "GEN"')
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "g.toml")
    assert str(info.value).startswith("g.toml:4: scenario.name: 'GEN' is not a valid name")


def test_populated_pages_guard() -> None:
    # certainly over (its smallest draw is): refused before anything is generated
    message = gen_error(
        processes=1, vmas=1, vma_pages=1 << 30, swapped_fraction=0.5, resident_fraction=0.5
    )
    # 1 process × 1 VMA × 2**30 pages × (0.5 + 0.5) populated
    assert message == (
        "g.toml:13: generate: the recipe populates at least 1,073,741,824 pages, the limit is "
        "16777216 (2**24, counted per mm)"
    )


def test_populated_pages_are_counted_while_generating(monkeypatch: pytest.MonkeyPatch) -> None:
    # a recipe whose smallest draw is under the limit but whose draws are not
    monkeypatch.setattr(populate_module, "MAX_POPULATED", 1000)
    message = gen_error(processes=4, vmas=(1, 4), vma_pages=(1, 4096), slots_used=10)
    assert message == (
        "g.toml:10: generate: the recipe populates more than 1000 pages (counted per "
        "mm, shmem included), the generator's limit: lower processes, vmas, vma_pages, the "
        "fractions or shmem_pages"
    )


def test_reference_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    refs = gen(processes=3, forks=1, shmem_files=1, slots_used=100, seed=9).swap_references()
    assert refs > 100  # the child's shared pages count once per mm
    monkeypatch.setattr(generate_module, "MAX_REFERENCES", 100)
    assert gen_error(processes=3, forks=1, shmem_files=1, slots_used=100, seed=9) == (
        f"g.toml:10: generate: too many swapped references: {refs}, the limit is 100"
    )


# --- helpers ----------------------------------------------------------------------------------


def test_apportion() -> None:
    assert apportion([1.0, 1.0, 2.0], [100, 100, 100], 8) == [2, 2, 4]
    assert apportion([1.0, 1.0, 2.0], [100, 100, 1], 9) == [4, 4, 1]
    assert apportion([1.0, 0.0], [3, 10], 7) == [3, 4]  # weightless units fill last
    assert apportion([1.0, 1.0, 1.0], [5, 5, 5], 10) == [4, 3, 3]
    assert sum(apportion([0.3] * 7, [2] * 7, 13)) == 13


def test_chop_and_pick_runs() -> None:
    import random

    rng = random.Random(5)
    runs = chop(rng, 10_000, 16)
    assert runs[0][0] == 0 and runs[-1][1] == 10_000
    assert all(a < b == c for (a, b), (c, _) in itertools.pairwise(runs))
    assert 10_000 / 16 * 0.8 < len(runs) < 10_000 / 16 * 1.2
    picked = pick_runs(rng, 10_000, 777, 16)
    assert sum(b - a for a, b in picked) == 777
    assert pick_runs(rng, 10, 0, 4) == []
    assert sum(b - a for a, b in pick_runs(rng, 10, 10, 4)) == 10


# --- presets ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_preset_names_and_descriptions() -> None:
    assert preset_names() == [
        "demo",
        "fork",
        "shmem",
        "fragmented",
        "hugh-test",
        "kelley-50m",
        "rfc3-240m",
    ]
    # too big to be listed, but loaded by name (tests/test_calibration.py checks it)
    assert all_preset_names() == [*preset_names(), "vineeth-6g"]
    presets_dir = REPO / "models" / "scenario" / "presets"
    assert sorted(p.stem for p in presets_dir.glob("*.toml")) == sorted(all_preset_names())
    for name in all_preset_names():
        description = preset_description(name)
        assert description and "\n" not in description and len(description) <= 100
    for name in preset_names():
        s = load_preset(name)
        assert s.name == name
        assert s.description == preset_description(name)
        # stable: parsing the text again gives the same bytes
        again = parse_scenario(preset_text(name), "again")
        assert export_scenario(again) == export_scenario(s)


def test_unknown_preset() -> None:
    with pytest.raises(ScenarioError) as info:
        load_preset("nope")
    assert str(info.value) == (
        "nope: no such preset (presets: demo, fork, shmem, fragmented, hugh-test, kelley-50m, rfc3-240m)"
    )
    with pytest.raises(ScenarioError):
        preset_description("nope")


def test_demo_is_talk_sized() -> None:
    s = load_preset("demo")
    assert s.slots <= 64
    assert 3 <= len(s.mms) <= 5
    assert any(m.parent is not None for m in s.mms)
    assert len(s.shmem) == 1
    assert len(s.bad) == 1
    assert max(ref_counts(s).values()) >= 2  # the child shares slots with its parent
    assert s.disk.kind == "hdd"
    # several VMAs and page tables, so legacy's repeated searches show
    assert max(page_tables(s)) >= 4
    assert sum(page_tables(s)) >= 10
    assert any(not v.anon for m in s.mms for v in m.vmas)


def test_demo_makes_legacy_and_linear_look_different() -> None:
    s = load_preset("demo")
    # linear: shmem first, then every mm's page tables in mmlist order, PTEs ascending
    linear: list[int] = [slot for f in s.shmem for _, slot in sorted(f.swapped)]
    for mm in s.mms:
        for v in mm.vmas:
            for _, slot in sorted(v.swapped):
                if slot not in linear:
                    linear.append(slot)
    legacy = sorted(slot_owners(s))
    assert sorted(linear) == legacy
    backwards = [b for a, b in itertools.pairwise(linear) if b < a]
    jumps = [abs(b - a) for a, b in itertools.pairwise(linear) if abs(b - a) > 8]
    assert len(backwards) >= 5  # the head goes back and forth
    assert len(jumps) >= 8
    # processes interleave on the area: many owner changes along ascending slots
    assert runs_of_one_owner(s)[1] >= 12


def test_fork_preset_shares_many_slots() -> None:
    s = load_preset("fork")
    counts = ref_counts(s)
    assert sum(m.parent is not None for m in s.mms) >= len(s.mms) * 3 // 4
    assert sum(1 for c in counts.values() if c > 1) >= 0.4 * len(counts)
    assert max(counts.values()) >= 8


def test_shmem_preset_is_tmpfs_heavy() -> None:
    s = load_preset("shmem")
    shmem_slots = sum(len(f.swapped) for f in s.shmem)
    assert len(s.shmem) >= 10
    assert shmem_slots >= 0.7 * len(slot_owners(s))


def test_fragmented_preset() -> None:
    s = load_preset("fragmented")
    assert s.disk.kind == "hdd"
    assert 2000 <= s.slots <= 10000
    used = sorted(slot_owners(s))
    assert 1000 <= len(used) <= 8000
    assert 1 - len(used) / used[-1] > 0.1  # full of holes
    same, changes = runs_of_one_owner(s)
    assert changes > 10 * len(s.mms)  # heavily interleaved
    assert same > 0.6  # yet consecutive slots still mostly share an owner


def test_fixture_like_recipe() -> None:
    # the size of the linux-6.1 captures; its time is measured by tests/bench/scenarios.py
    s = gen(processes=3, forks=2, vmas=(6, 8), vma_pages=(1, 10240), slots=32768)
    assert s.swap_references() > 1000
