"""Fabricated /proc (and /sys) trees for testing `swaptui capture`.

A test describes processes, their mappings and the pagemap entries of chosen pages;
`Tree.write()` lays out `ROOT/proc/...` and `ROOT/sys/...` as the kernel would show
them.  Pagemap files are sparse: they are truncated to cover the highest mapping and
only the described entries are written, so a mapping at 0x7f0000000000 costs nothing.
"""

from __future__ import annotations

import struct
from pathlib import Path

from attrs import define, field

PAGE = 4096
PRESENT = 1 << 63
SWAPPED = 1 << 62
FILE_OR_SHARED = 1 << 61


def _escape(path: str) -> str:
    """As the kernel's seq_file shows paths: blanks and backslashes as octal escapes."""
    return "".join(f"\\{ord(c):03o}" if c in " \t\n\\" else c for c in path)


def _smaps_entry(v: FakeVma) -> str:
    rss = sum(1 for e in v.entries.values() if e & PRESENT) * 4
    swap = sum(1 for e in v.entries.values() if e & SWAPPED and not e & PRESENT) * 4
    return (
        f"{v.map_line()}\nSize:  {v.pages * 4} kB\nRss:  {rss} kB\nPss:  {rss} kB\n"
        f"Swap:  {swap} kB\nSwapPss:  {swap} kB\nVmFlags: rd wr mr mw me ac\n"
    )


def swap_entry(swap_type: int, offset: int) -> int:
    return SWAPPED | (offset << 5) | swap_type


def present_entry(pfn: int = 0x1234, file_or_shared: bool = False) -> int:
    return PRESENT | pfn | (FILE_OR_SHARED if file_or_shared else 0)


@define
class FakeVma:
    start: int
    pages: int
    perms: str = "rw-p"
    path: str = ""
    offset: int = 0
    dev: str = "00:00"
    inode: int = 0
    entries: dict[int, int] = field(factory=dict)  # page index -> raw pagemap value

    def present(self, *indexes: int, pfn: int = 0x1000, file: bool = False) -> FakeVma:
        for i in indexes:
            self.entries[i] = present_entry(pfn + i, file)
        return self

    def swap(self, index: int, offset: int, swap_type: int = 0) -> FakeVma:
        self.entries[index] = swap_entry(swap_type, offset)
        return self

    def map_line(self) -> str:
        end = self.start + self.pages * PAGE
        line = f"{self.start:08x}-{end:08x} {self.perms} {self.offset:08x} {self.dev} {self.inode}"
        return f"{line:<73}{self.path}" if self.path else line


@define
class FakeProc:
    pid: int
    comm: str
    ppid: int = 1
    starttime: int | None = None
    vmas: list[FakeVma] = field(factory=list)
    # what to leave out, to fake a process that exits while we read it
    no_pagemap: bool = False
    short_pagemap: bool = False
    kernel_thread: bool = False
    smaps: bool = False  # write /proc/PID/smaps (Rss and Swap per VMA) too
    pagemap_end: int | None = None  # cut pagemap at this page (default: after the last VMA)

    def vma(self, start: int, pages: int, **kw: object) -> FakeVma:
        v = FakeVma(start, pages, **kw)  # type: ignore[arg-type]
        self.vmas.append(v)
        self.vmas.sort(key=lambda x: x.start)
        return v


@define
class Tree:
    root: Path
    swaps: list[tuple[str, str, int, int, int]] = field(factory=list)
    procs: dict[int, FakeProc] = field(factory=dict)
    hostname: str | None = "testhost"
    release: str | None = "6.1.0-test"
    page_cluster: int | None = 3
    mem_available_kib: int | None = 8 << 20
    rotational: dict[str, int] = field(factory=dict)  # sys/block/NAME/queue/rotational
    mounts: list[tuple[str, str]] = field(factory=list)  # (device, mount point)
    with_sys: bool = True

    @property
    def proc(self) -> Path:
        return self.root / "proc"

    def area(
        self, name: str, size_kib: int, used_kib: int = 4, kind: str = "partition", prio: int = -2
    ) -> Tree:
        self.swaps.append((name, kind, size_kib, used_kib, prio))
        return self

    def process(self, pid: int, comm: str, ppid: int = 1, **kw: object) -> FakeProc:
        p = FakeProc(pid, comm, ppid, **kw)  # type: ignore[arg-type]
        self.procs[pid] = p
        return p

    def write(self) -> Path:
        proc = self.proc
        proc.mkdir(parents=True, exist_ok=True)
        lines = ["Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority"]
        for name, kind, size, used, prio in self.swaps:
            lines.append(f"{_escape(name):<40}{kind}\t{size}\t{used}\t{prio}")
        (proc / "swaps").write_text("\n".join(lines) + "\n")
        kernel = proc / "sys" / "kernel"
        kernel.mkdir(parents=True, exist_ok=True)
        if self.hostname is not None:
            (kernel / "hostname").write_text(self.hostname + "\n")
        if self.release is not None:
            (kernel / "osrelease").write_text(self.release + "\n")
        vm = proc / "sys" / "vm"
        vm.mkdir(parents=True, exist_ok=True)
        if self.page_cluster is not None:
            (vm / "page-cluster").write_text(f"{self.page_cluster}\n")
        if self.mem_available_kib is not None:
            (proc / "meminfo").write_text(
                f"MemTotal:       16000000 kB\nMemAvailable:   {self.mem_available_kib} kB\n"
            )
        if self.mounts:
            (proc / "mounts").write_text(
                "".join(f"{_escape(dev)} {_escape(mnt)} ext4 rw 0 0\n" for dev, mnt in self.mounts)
            )
        if self.with_sys:
            for dev, value in self.rotational.items():
                q = self.root / "sys" / "block" / dev / "queue"
                q.mkdir(parents=True, exist_ok=True)
                (q / "rotational").write_text(f"{value}\n")
        for p in self.procs.values():
            self._write_proc(p)
        return proc

    def _write_proc(self, p: FakeProc) -> None:
        d = self.proc / str(p.pid)
        d.mkdir(parents=True, exist_ok=True)
        (d / "comm").write_text(p.comm + "\n")
        (d / "status").write_text(
            f"Name:\t{p.comm}\nState:\tS (sleeping)\nTgid:\t{p.pid}\nPid:\t{p.pid}\n"
            f"PPid:\t{p.ppid}\n"
        )
        start = p.starttime if p.starttime is not None else p.pid * 10
        fields = ["S", str(p.ppid)] + ["0"] * 17 + [str(start)] + ["0"] * 10
        (d / "stat").write_text(f"{p.pid} ({p.comm}) {' '.join(fields)}\n")
        if p.kernel_thread:
            (d / "maps").write_text("")
            (d / "pagemap").write_bytes(b"")
            return
        (d / "maps").write_text("".join(v.map_line() + "\n" for v in p.vmas))
        if p.smaps:
            (d / "smaps").write_text("".join(_smaps_entry(v) for v in p.vmas))
        if p.no_pagemap:
            return
        with open(d / "pagemap", "wb") as f:
            # A file system cannot hold a file reaching 0xffffffffff600000 * 2; the capture
            # never reads at or above 2**47 anyway, so the file stops below that.
            end = max((v.start // PAGE + v.pages for v in p.vmas if v.start < 1 << 47), default=0)
            if p.short_pagemap:
                end = p.vmas[0].start // PAGE if p.vmas else 0
            if p.pagemap_end is not None:
                end = p.pagemap_end
            f.truncate(end * 8)
            for v in p.vmas:
                for i, value in sorted(v.entries.items()):
                    page = v.start // PAGE + i
                    if page < end:
                        f.seek(page * 8)
                        f.write(struct.pack("=Q", value))

    # -- what the tree describes, to compare a capture with

    def references(self, swap_type: int = 0) -> set[tuple[int, int, int]]:
        """(pid, virtual address, slot) of every swap entry of `swap_type` in private VMAs."""
        out = set()
        for p in self.procs.values():
            for v in p.vmas:
                if v.perms[3] == "s":
                    continue
                for i, value in v.entries.items():
                    if value & SWAPPED and value & 31 == swap_type:
                        out.add((p.pid, v.start + i * PAGE, (value >> 5) & ((1 << 50) - 1)))
        return out
