"""Reading a /proc tree (live or copied) for `swaptui capture`: swap areas, processes, disks.

Everything here only reads and parses; deciding what the readings mean for a scenario
(fork families, shared slots, limits) is `swaptui.capture.build`'s job.  The readers are
written for a live system where processes come and go between two reads: a file that
disappears, or a pagemap that ends early, means the process exited and it is skipped.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from array import array
from collections.abc import Callable
from pathlib import Path

from attrs import define, field, frozen

from models.scenario_model import PAGE_SIZE, USER_ADDRESS_LIMIT
from swaptui.capture.files import TooLarge, gone, lines, open_regular, read_text

# pagemap entry bits (Documentation/admin-guide/mm/pagemap.rst)
PM_PRESENT = 1 << 63
PM_SWAP = 1 << 62
PM_FILE = 1 << 61  # file page or shared anon: a present page without it is a private anon page
SWAP_TYPE_MASK = 0x1F
SWAP_OFFSET_SHIFT = 5
SWAP_OFFSET_MASK = (1 << 50) - 1

# Read pagemap this many entries at a time: 4 MiB, large enough to be cheap per call,
# small enough that a VMA reserving terabytes never sits in memory at once.
CHUNK_ENTRIES = 1 << 19


class ProcError(Exception):
    """Something the capture cannot go on without (no /proc/swaps, no swap area, ...)."""


class Vanished(Exception):
    """The process exited while we read it."""


class Unreadable(Exception):
    """We may not read this process (another user's process without root)."""


@frozen
class SwapArea:
    """One line of /proc/swaps.  `position` is its index among the listed areas."""

    filename: str
    kind: str  # partition | file
    size_kib: int
    used_kib: int
    priority: int
    position: int


@frozen
class MapLine:
    """One line of /proc/PID/maps."""

    start: int
    end: int
    perms: str
    offset: int
    dev: str
    inode: int
    path: str

    @property
    def shared(self) -> bool:
        return self.perms[3:4] == "s"

    @property
    def pages(self) -> int:
        return (self.end - self.start) // PAGE_SIZE


@define
class VmaRead:
    """What pagemap says about one VMA: page indexes relative to the VMA start."""

    line: MapLine
    resident: list[tuple[int, int]]
    # (page index, swap type, swap offset)
    swapped: list[tuple[int, int, int]]
    # a present page without the file/shared bit: the VMA has an anon_vma
    anon_present: bool = False


@define
class ProcRead:
    """One process as read from /proc."""

    pid: int
    comm: str
    ppid: int | None
    starttime: int  # clock ticks after boot; the pid when /proc/PID/stat is missing
    vmas: list[VmaRead]
    digest: str  # of maps and pagemap: equal digests = the same address space
    dropped_high: int = 0  # VMAs at or above 2**47 (vsyscall, 5-level paging)

    @property
    def swap_entries(self) -> int:
        return sum(len(v.swapped) for v in self.vmas)


def unescape(name: str) -> str:
    # seq_file escapes space, tab, newline and backslash in paths as \ooo
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), name)


def read_swaps(proc: Path) -> list[SwapArea]:
    path = proc / "swaps"
    try:
        text = read_text(path)
    except FileNotFoundError:
        raise ProcError(f"{path} does not exist: is {proc} a proc file system?") from None
    except OSError as e:
        raise ProcError(f"cannot read {path}: {e.strerror}") from None
    areas: list[SwapArea] = []
    for line in lines(text)[1:]:
        # the file name may contain escaped blanks, so split the numeric columns off the right
        parts = line.rsplit(None, 4)
        if len(parts) != 5:
            continue
        name, kind, size, used, prio = parts
        try:
            areas.append(
                SwapArea(unescape(name), kind, int(size), int(used), int(prio), len(areas))
            )
        except ValueError:
            continue
    return areas


def pick_area(areas: list[SwapArea], name: str | None) -> SwapArea:
    """The area named on the command line (full path or base name), else the first one."""
    if not areas:
        raise ProcError("no swap area is active (/proc/swaps lists none): nothing to capture")
    if name is None:
        return areas[0]
    exact = [a for a in areas if a.filename == name]
    if exact:
        return exact[0]
    base = [a for a in areas if os.path.basename(a.filename) == os.path.basename(name)]
    if len(base) == 1:
        return base[0]
    listed = ", ".join(a.filename for a in areas)
    raise ProcError(f"no swap area named {name!r} (active: {listed})")


def list_pids(proc: Path) -> list[int]:
    try:
        return sorted(int(e.name) for e in os.scandir(proc) if e.name.isdigit())
    except OSError as e:
        raise ProcError(f"cannot list {proc}: {e.strerror}") from None


def _read_text(path: Path) -> str:
    try:
        return read_text(path)
    except OSError as e:
        raise Vanished() if gone(e) else Unreadable() from None


def parse_maps(text: str) -> list[MapLine]:
    out: list[MapLine] = []
    for raw in lines(text):
        fields = raw.split(None, 5)
        if len(fields) < 5:
            continue
        lo, _, hi = fields[0].partition("-")
        try:
            out.append(
                MapLine(
                    start=int(lo, 16),
                    end=int(hi, 16),
                    perms=fields[1],
                    offset=int(fields[2], 16),
                    dev=fields[3],
                    inode=int(fields[4]),
                    # padded with blanks; the name itself may end in anything
                    path=fields[5].lstrip(" ") if len(fields) > 5 else "",
                )
            )
        except ValueError:
            continue
    return out


def _parse_status_ppid(text: str) -> int | None:
    for line in lines(text):
        if line.startswith("PPid:"):
            try:
                ppid = int(line.split()[1])
            except (IndexError, ValueError):
                return None
            return ppid or None
    return None


def _parse_starttime(proc: Path, pid: int) -> int:
    """Field 22 of /proc/PID/stat; the pid when stat is missing (pids mostly grow with age)."""
    try:
        text = read_text(proc / str(pid) / "stat")
        # comm may contain ')' and blanks: the fields start after the last ')'
        rest = text[text.rindex(")") + 2 :].split()
        return int(rest[19])
    except (OSError, ValueError, IndexError):
        return pid


class _Reader:
    """Reads pagemap ranges through one reused buffer.

    Most of a big address space is unpopulated: zeros in pagemap.  Whole chunks of zeros
    are recognised with one comparison, then each page table's worth (512 entries) of a
    chunk that is not all zeros, so Python only looks at entries of populated tables.
    """

    def __init__(self, fh: io.RawIOBase, digest: Callable[[bytes], None]) -> None:
        self.fh = fh
        self.digest = digest
        self.buf = bytearray(CHUNK_ENTRIES * 8)

    def _fill(self, nbytes: int) -> memoryview:
        view = memoryview(self.buf)[:nbytes]
        got = 0
        while got < nbytes:
            n = self.fh.readinto(view[got:])
            if not n:
                # The kernel answers every address below the user limit while the mm
                # lives; running out early means the mm is gone.
                raise Vanished()
            got += n
        return view

    def vma(self, line: MapLine, index: int) -> VmaRead:
        resident: list[tuple[int, int]] = []
        swapped: list[tuple[int, int, int]] = []
        anon_present = False
        # the resident run being built is [run_start, run_next); a present page at
        # run_next extends it, any other present page closes it and starts a new one
        run_start = run_next = -1
        total = line.pages
        self.fh.seek(line.start // PAGE_SIZE * 8)
        done = 0
        while done < total:
            want = min(CHUNK_ENTRIES, total - done)
            view = self._fill(want * 8)
            if want == CHUNK_ENTRIES and self.buf == _ZERO_CHUNK:
                done += want
                continue
            for b in range(0, want, _BLOCK):
                n = min(_BLOCK, want - b)
                block = view[b * 8 : (b + n) * 8].tobytes()
                if block == _ZERO_BLOCK[: n * 8]:
                    continue
                at = done + b
                self.digest(index.to_bytes(4, "little") + at.to_bytes(8, "little") + block)
                for i, e in enumerate(array("Q", block), at):
                    if e & PM_PRESENT:
                        if i != run_next:
                            if run_start >= 0:
                                resident.append((run_start, run_next))
                            run_start = i
                        run_next = i + 1
                        if not e & PM_FILE:
                            anon_present = True
                    elif e & PM_SWAP:
                        offset = (e >> SWAP_OFFSET_SHIFT) & SWAP_OFFSET_MASK
                        swapped.append((i, e & SWAP_TYPE_MASK, offset))
            done += want
        if run_start >= 0:
            resident.append((run_start, run_next))
        return VmaRead(line, resident, swapped, anon_present)


_BLOCK = 512  # entries of one page table
_ZERO_CHUNK = bytes(CHUNK_ENTRIES * 8)
_ZERO_BLOCK = bytes(_BLOCK * 8)


def read_smaps_hints(text: str) -> dict[int, bool]:
    """VMA start -> whether smaps reports any resident or swapped page in it."""
    hints: dict[int, bool] = {}
    current: int | None = None
    populated = False
    for line in lines(text):
        head = line.split(None, 1)
        if not head:
            continue
        if "-" in head[0] and not head[0].endswith(":"):
            if current is not None:
                hints[current] = populated
            try:
                current = int(head[0].partition("-")[0], 16)
            except ValueError:
                current = None
            populated = False
        elif head[0] in ("Rss:", "Swap:") and len(head) > 1:
            populated = populated or head[1].split()[0] != "0"
    if current is not None:
        hints[current] = populated
    return hints


def read_process(proc: Path, pid: int) -> ProcRead | None:
    """Read one process; None for a process without an address space (a kernel thread).

    Raises Vanished or Unreadable.
    """
    base = proc / str(pid)
    maps_text = _read_text(base / "maps")
    lines = parse_maps(maps_text)
    if not lines:
        return None
    comm = _read_text(base / "comm").rstrip("\n")
    ppid = _parse_status_ppid(_read_text(base / "status"))
    # smaps, when we may read it, says which VMAs hold no page at all: their pagemap
    # ranges (a terabyte reservation reads as 2 GiB of zeros) need not be read.
    try:
        hints = read_smaps_hints(_read_text(base / "smaps"))
    except (Vanished, Unreadable, TooLarge):
        hints = {}
    digest = hashlib.blake2b(digest_size=16)
    digest.update(maps_text.encode())
    vmas: list[VmaRead] = []
    dropped = 0
    try:
        with os.fdopen(open_regular(base / "pagemap"), "rb", buffering=0) as f:
            reader = _Reader(f, digest.update)
            for index, line in enumerate(lines):
                if line.end > USER_ADDRESS_LIMIT or line.end <= line.start:
                    dropped += 1
                    continue
                if hints.get(line.start, True):
                    vmas.append(reader.vma(line, index))
                else:
                    vmas.append(VmaRead(line, [], []))
    except OSError as e:
        raise Vanished() if gone(e) else Unreadable() from None
    return ProcRead(
        pid=pid,
        comm=comm,
        ppid=ppid,
        starttime=_parse_starttime(proc, pid),
        vmas=vmas,
        digest=digest.hexdigest(),
        dropped_high=dropped,
    )


@define
class ScanResult:
    """Processes with at least one swap entry (of any area), and what was skipped."""

    procs: list[ProcRead]
    scanned: int = 0
    kernel_threads: int = 0
    without_swap: int = 0
    blank: int = 0  # readable, with mappings, yet pagemap shows no page at all
    vanished: list[int] = field(factory=list)
    unreadable: list[int] = field(factory=list)
    missing: list[int] = field(factory=list)  # asked for with --pids but not in the tree


def scan(proc: Path, pids: list[int] | None = None) -> ScanResult:
    existing = list_pids(proc)
    result = ScanResult(procs=[])
    if pids is not None:
        present = set(existing)
        result.missing = sorted(p for p in set(pids) if p not in present)
        existing = sorted(p for p in set(pids) if p in present)
    for pid in existing:
        result.scanned += 1
        try:
            read = read_process(proc, pid)
        except Vanished:
            result.vanished.append(pid)
            continue
        except Unreadable:
            result.unreadable.append(pid)
            continue
        if read is None:
            result.kernel_threads += 1
        elif read.swap_entries == 0:
            # Not on the mmlist as far as we can tell: dropping it early also keeps the
            # memory of a big capture down to the processes that matter.
            result.without_swap += 1
            if not any(v.resident for v in read.vmas):
                result.blank += 1
        else:
            result.procs.append(read)
    return result
