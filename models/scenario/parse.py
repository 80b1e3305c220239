"""From the dict tomllib returns to a `Scenario`: types, key names, size limits.

This layer only checks what the TOML *says* (a known key, of the right type, present
when required) and refuses documents too big to hold; whether the machine it
describes makes sense is `validate.py`'s job, so programmatically built scenarios
get the same semantic checks.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from models.faults import FAULT_KEYS, INT_LIMIT
from models.scenario.errors import Loc, Problem
from models.scenario.fields import Fields, expect_table, expect_tables
from models.scenario.generate import generate
from models.scenario.genspec import parse_generate, size_note
from models.scenario.limits import (
    MAX_REFERENCES,
    MAX_RESIDENT_RANGES,
    MAX_TOTAL_VMAS,
    over_limit,
)
from models.scenario.validate_header import validate_base
from models.scenario_model import (
    CPU_PARAM_NAMES,
    DISK_PARAM_NAMES,
    CpuParams,
    DiskParams,
    Fault,
    FreshArea,
    Load,
    Mm,
    Scenario,
    ShmemFile,
    Vma,
)

FORMAT = "swaptui-scenario/1"

_TOP_KEYS = (
    "format",
    "scenario",
    "swap",
    "disk",
    "cpu",
    "memory",
    "mm",
    "shmem",
    "generate",
    "fault",
    "readahead",
    "fresh",
    "load",
)
_FAULT_KEYS = ("kind", "after", "slot", "pid", "pages", "shmem")
_SCENARIO_KEYS = ("name", "title", "description", "seed", "page_cluster")
_MM_KEYS = ("pid", "comm", "parent", "vma")
_VMA_KEYS = ("start", "pages", "anon", "resident", "swapped")
_SHMEM_KEYS = ("name", "pages", "swapped")
_READAHEAD_KEYS = ("hits", "vma_hits")
_LOAD_KEYS = ("pages", "pages_per_ms")
_INT_DISK_PARAMS = frozenset({"skip_slots"})


def scenario_from_toml(data: dict[str, Any], note: Callable[[str], None] | None = None) -> Scenario:
    """Build the scenario a parsed document describes (either form); raises Problem.

    `note` is told, in one line, before a big recipe is generated."""
    top = Fields(data, (), _TOP_KEYS)
    if "format" not in data:
        raise Problem((), f'missing format = "{FORMAT}" (is this a swaptui scenario file?)')
    fmt = top.get_str("format")
    if fmt != FORMAT:
        raise Problem(("format",), f'expected "{FORMAT}", got {fmt!r}')
    for table in ("scenario", "swap"):
        if table not in data:
            raise Problem((), f"missing required table [{table}]")

    info = Fields(
        expect_table(data["scenario"], ("scenario",)), ("scenario",), _SCENARIO_KEYS, ("name",)
    )
    swap = Fields(expect_table(data["swap"], ("swap",)), ("swap",), ("slots", "bad"), ("slots",))
    slots = swap.get_int("slots")
    memory = Fields(
        expect_table(data.get("memory", {}), ("memory",)), ("memory",), ("free_pages", "reclaim")
    )
    fresh = _fresh(data["fresh"]) if "fresh" in data else None
    load = _load(data["load"]) if "load" in data else None
    readahead = Fields(
        expect_table(data.get("readahead", {}), ("readahead",)), ("readahead",), _READAHEAD_KEYS
    )
    base = Scenario(
        name=info.get_str("name"),
        title=info.get_str("title"),
        description=info.get_str("description"),
        seed=info.get_int("seed", 0),
        page_cluster=info.get_int("page_cluster", 3),
        slots=slots,
        bad=tuple(swap.int_list("bad")),
        disk=_disk(data.get("disk", {})),
        cpu=_cpu(data.get("cpu", {})),
        free_pages=memory.optional_int("free_pages"),
        # a fresh area or a load means memory pressure: reclaim, unless told otherwise
        reclaim=memory.get_bool("reclaim", fresh is not None or load is not None),
        fresh=fresh,
        load=load,
        readahead_hits=readahead.get_int("hits", 0),
        readahead_vma_hits=readahead.get_int("vma_hits", 0),
        faults=tuple(
            _fault(t, i) for i, t in enumerate(expect_tables(data.get("fault", []), ("fault",)))
        ),
    )

    if "generate" in data:
        if "mm" in data or "shmem" in data:
            raise Problem(
                ("generate",),
                "cannot be combined with [[mm]] or [[shmem]] tables: "
                "a scenario is either explicit or generated",
            )
        spec = parse_generate(expect_table(data["generate"], ("generate",)))
        validate_base(base)
        said = size_note(spec)
        if note is not None and said is not None:
            note(said)
        return generate(base, spec)

    budget = _Budget()
    mms = tuple(_mm(t, i, budget) for i, t in enumerate(expect_tables(data.get("mm", []), ("mm",))))
    shmem = tuple(
        _shmem(t, i, budget) for i, t in enumerate(expect_tables(data.get("shmem", []), ("shmem",)))
    )
    return attrs.evolve(base, mms=mms, shmem=shmem)


def _fault(table: dict[str, Any], i: int) -> Fault:
    """A [[fault]] table: the same kinds and keys as `--fault KIND:key=value`."""
    where = ("fault", i)
    f = Fields(table, where, _FAULT_KEYS, ("kind",))
    kind = f.get_str("kind")
    if kind not in FAULT_KEYS:
        raise Problem(
            (*where, "kind"), f"unknown fault kind {kind!r} (kinds: {', '.join(FAULT_KEYS)})"
        )
    wanted = FAULT_KEYS[kind]
    for key in table:
        if key != "kind" and key not in wanted:
            raise Problem((*where, key), f"{kind} takes {', '.join(wanted)}, not {key!r}")
    for key in wanted:
        if key not in table:
            raise Problem(where, f"{kind} needs {key}")
    values: dict[str, Any] = {}
    for key in wanted:
        if key == "shmem":
            values[key] = f.get_str(key)
        else:
            number = f.get_int(key)
            if number < 0:
                raise Problem((*where, key), f"must not be negative, got {number}")
            if number >= INT_LIMIT:  # as on the command line, so every spec reads back
                raise Problem((*where, key), f"{number} is out of range (0..2**40-1)")
            values[key] = number
    return Fault(kind=kind, **values)


class _Budget:
    """Counts what an explicit file holds while it is converted, so that a file over a
    limit is refused before the scenario is built and validated."""

    def __init__(self) -> None:
        self.references = 0
        self.resident = 0
        self.vmas = 0

    def take_references(self, n: int, where: Loc) -> None:
        self.references += n
        if self.references > MAX_REFERENCES:
            raise Problem(where, over_limit("swapped references", MAX_REFERENCES), at=("swapped",))

    def take_resident(self, n: int, where: Loc) -> None:
        self.resident += n
        if self.resident > MAX_RESIDENT_RANGES:
            raise Problem(
                where, over_limit("resident ranges", MAX_RESIDENT_RANGES), at=("resident",)
            )

    def take_vmas(self, n: int, where: Loc) -> None:
        """`n` VMAs of the mm at `where`; the error points at the one over the limit."""
        self.vmas += n
        if self.vmas > MAX_TOTAL_VMAS:
            first_over = n - (self.vmas - MAX_TOTAL_VMAS)
            raise Problem(
                where,
                over_limit("VMAs in all mms together", MAX_TOTAL_VMAS),
                at=("vma", first_over),
            )


def _fresh(value: object) -> FreshArea:
    f = Fields(expect_table(value, ("fresh",)), ("fresh",), ("slots", "disk"), ("slots",))
    return FreshArea(slots=f.get_int("slots"), disk=f.get_str("disk", "shared"))


def _load(value: object) -> Load:
    f = Fields(expect_table(value, ("load",)), ("load",), _LOAD_KEYS, _LOAD_KEYS)
    return Load(pages=f.get_int("pages"), pages_per_ms=f.get_float("pages_per_ms"))


def _disk(value: object) -> DiskParams:
    table = expect_table(value, ("disk",))
    f = Fields(table, ("disk",), DISK_PARAM_NAMES)
    defaults = DiskParams()
    params: dict[str, Any] = {"kind": f.get_str("kind", defaults.kind)}
    for name in DISK_PARAM_NAMES[1:]:
        if name in table:
            if name in _INT_DISK_PARAMS:
                params[name] = f.get_int(name)
            else:
                params[name] = f.get_float(name)
    return DiskParams(**params)


def _cpu(value: object) -> CpuParams:
    table = expect_table(value, ("cpu",))
    f = Fields(table, ("cpu",), CPU_PARAM_NAMES)
    return CpuParams(**{name: f.get_float(name) for name in CPU_PARAM_NAMES if name in table})


def _mm(table: dict[str, Any], i: int, budget: _Budget) -> Mm:
    where = ("mm", i)
    f = Fields(table, where, _MM_KEYS, ("pid",))
    vma_tables = expect_tables(table.get("vma", []), (*where, "vma"))
    budget.take_vmas(len(vma_tables), where)
    vmas = tuple(_vma(t, (*where, "vma", j), budget) for j, t in enumerate(vma_tables))
    return Mm(
        pid=f.get_int("pid"), comm=f.get_str("comm"), parent=f.optional_int("parent"), vmas=vmas
    )


def _vma(table: dict[str, Any], where: Loc, budget: _Budget) -> Vma:
    f = Fields(table, where, _VMA_KEYS, ("start", "pages"))
    swapped = f.pairs("swapped", "[page, slot]")
    budget.take_references(len(swapped), where)
    resident = f.pairs("resident", "[first, end)")
    budget.take_resident(len(resident), where)
    return Vma(
        start=f.get_int("start"),
        pages=f.get_int("pages"),
        anon=f.get_bool("anon", True),
        resident=resident,
        swapped=swapped,
    )


def _shmem(table: dict[str, Any], i: int, budget: _Budget) -> ShmemFile:
    where = ("shmem", i)
    f = Fields(table, where, _SHMEM_KEYS, ("name", "pages"))
    swapped = f.pairs("swapped", "[page, slot]")
    budget.take_references(len(swapped), where)
    return ShmemFile(name=f.get_str("name"), pages=f.get_int("pages"), swapped=swapped)
