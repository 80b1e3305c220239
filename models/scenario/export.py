"""Write a scenario in the explicit form, byte for byte the same every time.

Layout follows scenario-format.md's example: the format line, [scenario], [swap],
[disk] (the kind and only the parameters that differ from the defaults), [cpu] and
[memory] only when they say something, then one [[mm]] per process with its
[[mm.vma]] tables indented under it, then the [[shmem]] files.  Arrays longer than a
line wrap at a fixed count, so error messages can point at the line of one element.

`description` is written into [scenario] (an optional key of this project's own),
so `parse_scenario(export_scenario(s)) == s` holds for every valid scenario.
"""

from __future__ import annotations

from collections.abc import Iterable

from models.faults import FAULT_KEYS
from models.scenario.parse import FORMAT
from models.scenario_model import (
    CPU_PARAM_NAMES,
    DISK_PARAM_NAMES,
    CpuParams,
    DiskParams,
    Scenario,
)

PAIRS_PER_LINE = 8
INTS_PER_LINE = 16

# Characters that TOML forbids raw in a basic string (C0 controls, DEL) plus those a
# terminal or an editor would act on rather than show (C1 controls, line and
# paragraph separators, bidirectional overrides): all written as \uXXXX.
_ESCAPED = [*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029, *range(0x202A, 0x202F)]
_ESCAPED += [0x200E, 0x200F, *range(0x2066, 0x206A)]
_TRANSLATE = {c: f"\\u{c:04X}" for c in _ESCAPED} | {ord('"'): '\\"', ord("\\"): "\\\\"}


def toml_string(text: str) -> str:
    """A TOML basic string that reads back as exactly `text`."""
    return '"' + text.translate(_TRANSLATE) + '"'


def _float(value: float) -> str:
    # repr() is the shortest text that reads back as the same double, and its
    # spellings (1e-05, inf, nan) are all valid TOML floats.
    return repr(float(value))


def _wrapped(key: str, items: list[str], indent: str, per_line: int) -> list[str]:
    if len(items) <= per_line:
        return [f"{indent}{key} = [{', '.join(items)}]"]
    lines = [f"{indent}{key} = ["]
    for i in range(0, len(items), per_line):
        lines.append(f"{indent}  {', '.join(items[i : i + per_line])},")
    lines.append(f"{indent}]")
    return lines


def _pairs(key: str, pairs: Iterable[tuple[int, int]], indent: str) -> list[str]:
    items = [f"[{a}, {b}]" for a, b in pairs]
    return _wrapped(key, items, indent, PAIRS_PER_LINE) if items else []


def export_scenario(s: Scenario) -> str:
    """The explicit-form TOML text of `s` (which should be valid: see validate)."""
    out: list[str] = [f"format = {toml_string(FORMAT)}", "", "[scenario]"]
    out.append(f"name = {toml_string(s.name)}")
    if s.title:
        out.append(f"title = {toml_string(s.title)}")
    if s.description:
        out.append(f"description = {toml_string(s.description)}")
    out.append(f"seed = {s.seed}")
    out.append(f"page_cluster = {s.page_cluster}")

    out += ["", "[swap]", f"slots = {s.slots}"]
    if s.bad:
        out += _wrapped("bad", [str(b) for b in s.bad], "", INTS_PER_LINE)

    out += ["", "[disk]", f"kind = {toml_string(s.disk.kind)}"]
    disk_defaults = DiskParams()
    for name in DISK_PARAM_NAMES[1:]:
        value = getattr(s.disk, name)
        if value != getattr(disk_defaults, name):
            text = str(value) if name == "skip_slots" else _float(value)
            out.append(f"{name} = {text}")

    cpu_defaults = CpuParams()
    cpu = [n for n in CPU_PARAM_NAMES if getattr(s.cpu, n) != getattr(cpu_defaults, n)]
    if cpu:
        out += ["", "[cpu]"] + [f"{n} = {_float(getattr(s.cpu, n))}" for n in cpu]
    if s.free_pages is not None or s.reclaim:
        out += ["", "[memory]"]
        if s.free_pages is not None:
            out.append(f"free_pages = {s.free_pages}")
        if s.reclaim:
            out.append("reclaim = true")
    if s.fresh is not None:
        out += ["", "[fresh]", f"slots = {s.fresh.slots}", f"disk = {toml_string(s.fresh.disk)}"]
    if s.load is not None:
        out += ["", "[load]", f"pages = {s.load.pages}"]
        out.append(f"pages_per_ms = {_float(s.load.pages_per_ms)}")
    if s.readahead_hits or s.readahead_vma_hits:
        out += ["", "[readahead]", f"hits = {s.readahead_hits}"]
        out.append(f"vma_hits = {s.readahead_vma_hits}")

    for mm in s.mms:
        out += ["", "[[mm]]", f"pid = {mm.pid}", f"comm = {toml_string(mm.comm)}"]
        if mm.parent is not None:
            out.append(f"parent = {mm.parent}")
        for vma in mm.vmas:
            start = f"{vma.start:#x}" if vma.start >= 0 else str(vma.start)
            out += ["  [[mm.vma]]", f"  start = {start}", f"  pages = {vma.pages}"]
            out.append(f"  anon = {'true' if vma.anon else 'false'}")
            out += _pairs("resident", vma.resident, "  ")
            out += _pairs("swapped", vma.swapped, "  ")

    for shm in s.shmem:
        out += ["", "[[shmem]]", f"name = {toml_string(shm.name)}", f"pages = {shm.pages}"]
        out += _pairs("swapped", shm.swapped, "")

    for fault in s.faults:
        out += ["", "[[fault]]", f"kind = {toml_string(fault.kind)}"]
        for key in FAULT_KEYS.get(fault.kind, ()):
            value = getattr(fault, key)
            out.append(f"{key} = {toml_string(value) if key == 'shmem' else value}")
    return "\n".join(out) + "\n"
