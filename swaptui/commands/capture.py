"""`swaptui capture`: this machine's swap area, processes and page tables as a scenario file.

The reading is in `swaptui.capture.proc` (processes), `host` (the machine) and `files`
(safe reading of a tree); the inference and repairs in `build`, `families`, `area` and
`header`; this module is the command: options, messages, the comment
block that lists every approximation, and writing the file whole or not at all.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from attrs import frozen

from models.scenario_model import PAGE_SIZE, Scenario
from swaptui.atomic import check_writable, write_atomic
from swaptui.capture.area import HiddenOffsets, area_type, check_visible
from swaptui.capture.build import Builder, NothingToCapture
from swaptui.capture.files import BadTree, first_line
from swaptui.capture.header import Host
from swaptui.capture.host import (
    disk_kind,
    read_meminfo_kib,
    read_vmstat,
    sys_root_for,
    whole_disk,
)
from swaptui.capture.notes import Namer, Notes, plural, printable
from swaptui.capture.proc import ProcError, ScanResult, SwapArea, pick_area, read_swaps, scan
from swaptui.errors import UsageError, fail


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "capture",
        help="write this machine's swap state as a scenario file (needs root)",
        description=(
            "Read /proc/swaps and every process's maps and pagemap, and write the swap area's "
            "state as an explicit scenario, with comments at the top listing what /proc could "
            "not tell and what was approximated. Swap offsets are visible in pagemap only to "
            "root (CAP_SYS_ADMIN)."
        ),
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write to FILE (default: stdout); an existing FILE is kept unless --force",
    )
    p.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    p.add_argument(
        "--swap",
        metavar="NAME",
        help="the swap area to model, by its /proc/swaps file name (default: the first listed)",
    )
    p.add_argument(
        "--proc-root",
        metavar="DIR",
        default="/proc",
        help="read this tree instead of /proc (a copy taken elsewhere; its sysfs is DIR/../sys)",
    )
    p.add_argument(
        "--pids",
        metavar="PID",
        nargs="+",
        type=int,
        help="capture only these processes (default: all)",
    )
    p.add_argument(
        "--anonymize",
        action="store_true",
        help="replace process, file and host names with placeholders, for sharing the file",
    )


# the kernel's name for a host nobody named (UTS_NODENAME): no name at all
_NO_HOSTNAME = "(none)"


def _when(proc: Path) -> str:
    """When the tree was read: now for the live /proc; for a copy, when it was copied
    (the modification time of its `swaps`, written by the copy)."""
    fmt = "%Y-%m-%d %H:%M UTC"
    if proc.resolve() == Path("/proc"):
        return time.strftime(fmt, time.gmtime())
    try:
        return "copied " + time.strftime(fmt, time.gmtime((proc / "swaps").stat().st_mtime))
    except OSError:
        return ""


def _host(proc: Path, area: SwapArea, areas: list[SwapArea]) -> Host:
    pc = first_line(proc / "sys" / "vm" / "page-cluster")
    kind, how = disk_kind(proc, area)
    # swapin_readahead takes cluster readahead for every area while any active area is
    # rotational (nr_rotate_swap), or when VMA readahead is switched off
    rotational = [a.filename for a in areas if a != area and disk_kind(proc, a)[0] == "hdd"]
    sys_root = sys_root_for(proc)
    vma_ra = first_line(sys_root / "kernel/mm/swap/vma_ra_enabled") if sys_root else None
    hostname = first_line(proc / "sys" / "kernel" / "hostname")
    return Host(
        hostname=None if hostname == _NO_HOSTNAME else hostname,
        release=first_line(proc / "sys" / "kernel" / "osrelease"),
        page_cluster=int(pc) if pc is not None and pc.lstrip("-").isdigit() else None,
        mem_available_kib=read_meminfo_kib(proc, "MemAvailable"),
        pswpin=read_vmstat(proc, "pswpin"),
        disk=kind,
        disk_how=how,
        other_rotational=tuple(rotational),
        vma_readahead_off=vma_ra == "false",
        when=_when(proc),
        other_area=_other_area(proc, area, areas),
    )


def _other_area(proc: Path, area: SwapArea, areas: list[SwapArea]) -> tuple[str, int, bool] | None:
    """The active area get_swap_pages would fill while `area` is swapped off: the
    highest priority of the others (the first listed among equals)."""
    others = [a for a in areas if a != area]
    if not others:
        return None
    best = max(others, key=lambda a: (a.priority, -a.position))
    free = max(0, best.size_kib - best.used_kib) // (PAGE_SIZE // 1024)
    disk = whole_disk(proc, area)
    return best.filename, free, disk is not None and disk == whole_disk(proc, best)


def _scan_notes(result: ScanResult, notes: Notes) -> None:
    if result.vanished:
        notes.skipped.append(
            f"{plural(len(result.vanished), 'process')} exited while being read: skipped"
        )
    if result.unreadable:
        notes.skipped.append(
            f"{plural(len(result.unreadable), 'process')} could not be read "
            f"(permission denied): skipped"
        )
    if result.missing:
        notes.skipped.append("--pids: no such process: " + ", ".join(map(str, result.missing)))
    if result.kernel_threads:
        notes.skipped.append(
            f"{plural(result.kernel_threads, 'process')} without an address space "
            "(kernel threads, zombies)"
        )
    if result.without_swap:
        notes.approximations.append(
            f"{plural(result.without_swap, 'process')} without swap entries left out: they may "
            "still be on the mmlist (an mm stays there until it exits), /proc cannot tell"
        )


def _comment_block(area: SwapArea, swap_type: int, notes: Notes, namer: Namer) -> str:
    # names come from /proc and may hold anything; a comment must stay one line
    out = [
        "# Captured by `swaptui capture`; what /proc could not tell is approximated below.",
        f"# swap area: {printable(namer.area(area))} ({area.kind}, {area.size_kib} KiB, "
        f"{area.used_kib} KiB used, swap type {swap_type})",
    ]
    for title, lines in (
        ("approximations", notes.approximations),
        ("resolved while capturing", notes.resolved),
        ("skipped", notes.skipped),
    ):
        if lines:
            out.append(f"# {title}:")
            out.extend(f"#  - {printable(line)}" for line in lines)
    return "\n".join(out) + "\n"


@frozen
class Captured:
    """A capture before it is written: the scenario and the comment block that goes first."""

    scenario: Scenario
    comments: str
    source: str  # the swap area, as the comments name it
    notes: int


def collect(
    proc_root: str, swap: str | None = None, pids: list[int] | None = None, anonymize: bool = False
) -> Captured:
    """Read the tree and build the scenario.  Raises UsageError with the message to show.

    Messages may quote file names from the tree, which may hold anything (a newline, an
    escape sequence): they are made printable, so the error stays one harmless line.
    """
    try:
        return _collect(proc_root, swap, pids, anonymize)
    except (BadTree, UsageError) as e:
        raise UsageError(printable(str(e))) from None


def _collect(proc_root: str, swap: str | None, pids: list[int] | None, anonymize: bool) -> Captured:
    proc = Path(proc_root)
    if not proc.is_dir():
        raise UsageError(f"{proc_root}: no such directory")
    notes = Notes()
    namer = Namer(anonymize)
    try:
        areas = read_swaps(proc)
        area = pick_area(areas, swap)
        result = scan(proc, pids)
    except ProcError as e:
        raise UsageError(str(e)) from None
    if pids is not None and not result.scanned:
        raise UsageError(f"none of the pids {' '.join(map(str, pids))} exists in {proc_root}")
    readable = result.scanned - len(result.vanished) - len(result.unreadable)
    readable -= result.kernel_threads
    if result.unreadable and readable == 0:
        raise UsageError(
            f"permission denied reading the page tables of all {len(result.unreadable)} "
            "processes: run swaptui capture as root"
        )
    try:
        check_visible(result.procs, readable, result.blank)
        swap_type = area_type(areas, area, result.procs, notes)
        _scan_notes(result, notes)
        builder = Builder(
            area,
            swap_type,
            result.procs,
            _host(proc, area, areas),
            namer,
            notes,
            only=pids is not None,
        )
        scenario = builder.build()
    except HiddenOffsets as e:
        raise UsageError(str(e)) from None
    except NothingToCapture as e:
        hint = ""
        if result.unreadable:
            hint = f"; {len(result.unreadable)} processes could not be read: run as root"
        raise UsageError(f"{e}{hint}") from None
    return Captured(
        scenario=scenario,
        comments=_comment_block(area, swap_type, notes, namer),
        source=printable(namer.area(area)),
        notes=notes.count(),
    )


def render(captured: Captured) -> str:
    """The file's text: comments, then the explicit form; checked to load."""
    from models.scenario import ScenarioError, export_scenario, parse_scenario

    text = captured.comments + "\n" + export_scenario(captured.scenario)
    # The promise is a file that loads: check it here, not when the user runs it.
    try:
        parse_scenario(text, "<capture>")
    except ScenarioError as e:
        raise UsageError(f"captured scenario does not validate (a swaptui bug): {e}") from None
    return text


def summary(captured: Captured) -> str:
    s = captured.scenario
    return (
        f"captured {len(s.mms)} processes, {len(s.shmem)} shmem files and "
        f"{s.swap_references()} swap references of {captured.source} "
        f"({captured.notes} notes in the comment block)"
    )


def run(args: argparse.Namespace) -> int:
    try:
        if args.output:
            check_writable(args.output, force=args.force)
        captured = collect(args.proc_root, args.swap, args.pids, args.anonymize)
        text = render(captured)
        if args.output:
            write_atomic(args.output, text)
            print(f"{summary(captured)}: {args.output}", file=sys.stderr)
        else:
            sys.stdout.write(text)
            print(summary(captured), file=sys.stderr)
    except UsageError as e:
        return fail(str(e))
    except OSError as e:
        return fail(f"{e.filename or 'output'}: {e.strerror}")
    return 0
