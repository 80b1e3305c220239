"""Faults injected while swapoff runs: the races the kernel threads are full of.

A fault is written `KIND:key=value:...` on the command line (`--fault`, repeatable)
or as a `[[fault]]` table in a scenario; a file name may be quoted as a JSON string.
Triggers are deterministic: `after=N` counts slots freed so far (allocated pages, for
`enomem`).

    enomem:after=N          the N+1-th page swapoff allocates fails: result ENOMEM
    eintr:after=N           a signal arrives: result EINTR at the next check
    eio:slot=S              reading slot S fails: its PTEs get an error marker
    touch:pid=P:after=N     P faults its swapped pages in (do_swap_page races the walk)
    exit:pid=P:after=N      P exits: its references are dropped, it leaves the mmlist
    fork:pid=P:after=N      P forks: the child follows P and shares its swap entries
    pressure:pages=K:after=N  reclaim unmaps K mapped pages still in the swap cache,
                            putting their swap entries back behind the walk
    unlink:shmem=NAME:after=N  a tmpfs file is deleted: its entries are freed
"""

from __future__ import annotations

import json

from attrs import evolve

from models.scenario_model import Fault, Mm, Scenario

# kind -> the keys it takes (all required)
FAULT_KEYS: dict[str, tuple[str, ...]] = {
    "enomem": ("after",),
    "eintr": ("after",),
    "eio": ("slot",),
    "touch": ("pid", "after"),
    "exit": ("pid", "after"),
    "fork": ("pid", "after"),
    "pressure": ("pages", "after"),
    "unlink": ("shmem", "after"),
}
_INT_KEYS = ("after", "slot", "pid", "pages")
# other tasks racing the walk: the kinds models/inject.py fires
RACING_TASKS = ("touch", "exit", "fork", "pressure", "unlink")
_STR_KEYS = ("shmem",)
INT_LIMIT = 1 << 40  # every count and number a fault takes is below this


def parse_fault(text: str) -> Fault:
    """`KIND:key=value:...` -> Fault; ValueError with a one-line reason.

    A file name may hold colons (`/memfd:wayland-shm (deleted)`): unquoted, it runs up
    to the next `:key=` of a key the kind takes; or it is written as a JSON string
    (`shmem="/memfd:wayland-shm (deleted)"`), as fault_spec writes any name that
    needs it, so that every spec swaptui prints reads back to the same fault.
    """
    kind, _, rest = text.strip().partition(":")
    if kind not in FAULT_KEYS:
        raise ValueError(f"fault {text!r}: unknown kind {kind!r} (kinds: {', '.join(FAULT_KEYS)})")
    wanted = FAULT_KEYS[kind]
    values: dict[str, int | str] = {}
    while rest:
        key, eq, after = rest.partition("=")
        if not eq or ":" in key:
            raise ValueError(f"fault {text!r}: expected key=value, got {key.split(':')[0]!r}")
        if key not in wanted:
            raise ValueError(f"fault {text!r}: {kind} takes {', '.join(wanted)}, not {key!r}")
        if key in values:
            raise ValueError(f"fault {text!r}: {key} given twice")
        if key in _STR_KEYS:
            value, rest = _string_value(text, key, after, wanted)
            values[key] = value
            continue
        value, _, rest = after.partition(":")
        try:
            number = int(value, 0)
        except ValueError:
            raise ValueError(f"fault {text!r}: {key}={value!r} is not an integer") from None
        if number < 0 or number >= INT_LIMIT:
            raise ValueError(f"fault {text!r}: {key}={number} is out of range")
        values[key] = number
    missing = [k for k in wanted if k not in values]
    if missing:
        raise ValueError(f"fault {text!r}: missing {', '.join(missing)}")
    return Fault(kind=kind, **values)  # type: ignore[arg-type]


def _string_value(text: str, key: str, after: str, wanted: tuple[str, ...]) -> tuple[str, str]:
    """A string value at the start of `after`, and what follows its `:` separator."""
    if after.startswith('"'):
        try:
            value, end = json.JSONDecoder().raw_decode(after)
        except json.JSONDecodeError:
            raise ValueError(f"fault {text!r}: {key}= has an unterminated quoted name") from None
        rest = after[end:]
        if rest and not rest.startswith(":"):
            raise ValueError(f"fault {text!r}: expected ':' after the quoted {key}")
        return str(value), rest[1:]
    # unquoted: up to the first `:k=` of another key this kind takes
    ends = [i for k in wanted if k != key and (i := after.find(f":{k}=")) >= 0]
    end = min(ends, default=len(after))
    return after[:end], after[end + 1 :]


def _plain(value: str) -> bool:
    """Whether a name reads back as itself without quotes."""
    return (
        bool(value)
        and value == value.strip()
        and value.isprintable()
        and not any(c in value for c in ':"')
    )


def fault_spec(f: Fault) -> str:
    """The canonical text form of a fault (what parse_fault reads back to `f`)."""
    parts = [f.kind]
    for k in FAULT_KEYS[f.kind]:
        value = getattr(f, k)
        if k in _STR_KEYS and not _plain(value):
            # JSON escapes: one printable line whatever the name holds
            value = json.dumps(value, ensure_ascii=not value.isprintable())
        parts.append(f"{k}={value}")
    return ":".join(parts)


def check_faults(s: Scenario, faults: tuple[Fault, ...]) -> None:
    """Refuse faults that name what the scenario does not have (ValueError)."""
    pids = {m.pid for m in s.mms}
    files = {f.name for f in s.shmem}
    for f in faults:
        if f.kind not in FAULT_KEYS:
            raise ValueError(f"fault {f.kind!r}: unknown kind (kinds: {', '.join(FAULT_KEYS)})")
        if f.kind in ("touch", "exit", "fork") and f.pid not in pids:
            raise ValueError(f"fault {fault_spec(f)}: no process with pid {f.pid} in {s.name}")
        if f.kind == "unlink" and f.shmem not in files:
            raise ValueError(f"fault {fault_spec(f)}: no shmem file {f.shmem!r} in {s.name}")
        if f.kind == "eio" and not 1 <= f.slot < s.slots:
            raise ValueError(f"fault {fault_spec(f)}: slot {f.slot} is outside the swap area")
        if s.reclaim and f.kind in RACING_TASKS:
            # the reclaim model keeps no account of another task's own pages
            raise ValueError(
                f"fault {fault_spec(f)}: {f.kind} cannot be combined with memory pressure "
                "(reclaim, a [fresh] area or a [load]); enomem, eintr and eio can"
            )


def with_fork_children(s: Scenario, faults: tuple[Fault, ...]) -> tuple[Scenario, dict[int, int]]:
    """The scenario with one not-yet-born child mm per fork fault, right after its parent.

    fork() copies the parent's page tables (and so its swap entries) into the child
    and puts the child right after the parent on the mmlist.  The machine must know
    the child's page tables from the start, so the child is there from the beginning,
    inactive, and comes alive (sharing whatever is still swapped) when the fault fires.
    Returns the scenario and {fault index: child pid}.
    """
    mms = list(s.mms)
    next_pid = max((m.pid for m in mms), default=0) + 1
    children: dict[int, int] = {}
    for i, f in enumerate(faults):
        if f.kind != "fork":
            continue
        at = next(k for k, m in enumerate(mms) if m.pid == f.pid)
        parent = mms[at]
        child = Mm(pid=next_pid, comm=parent.comm, parent=parent.pid, vmas=parent.vmas)
        mms.insert(at + 1, child)
        children[i] = next_pid
        next_pid += 1
    if not children:
        return s, {}
    return evolve(s, mms=tuple(mms)), children
