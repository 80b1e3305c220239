"""Reading the files of a /proc or /sys tree, which may be a user's copy: safely.

The live /proc only holds regular files (size 0, read until EOF).  A copied tree may
hold anything: a FIFO would block the first read for ever, a device such as /dev/zero
would never end, a directory or a huge file is not what a /proc file can be.  Every file
the capture reads is opened without blocking, checked to be a regular file, and read up
to a size limit; anything else is `BadTree`, which names the file and ends the capture
with one line.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

# /proc/PID/smaps of a process with 65,530 mappings is about 70 MB; nothing the
# capture reads comes near this
TEXT_LIMIT = 256 << 20

_KINDS = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFDIR: "a directory",
    stat.S_IFSOCK: "a socket",
}


class BadTree(Exception):
    """A file of the tree is not what /proc or /sys would hold there."""


class TooLarge(BadTree):
    """A file larger than the limit (an optional one may be done without)."""


def open_regular(path: Path) -> int:
    """A file descriptor for reading `path`, which must be a regular file.

    O_NONBLOCK makes opening a FIFO return at once instead of waiting for a writer; it
    changes nothing for a regular file.  OSError (missing, no permission) propagates.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        kind = _KINDS.get(stat.S_IFMT(mode), "not a regular file")
        raise BadTree(f"{path} is {kind}, not a file as /proc has there")
    return fd


def read_bytes(path: Path, limit: int = TEXT_LIMIT) -> bytes:
    fd = open_regular(path)
    try:
        chunks: list[bytes] = []
        size = 0
        while True:
            try:
                chunk = os.read(fd, 1 << 20)
            except InterruptedError:
                continue
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise TooLarge(f"{path} is larger than {limit >> 20} MiB: not a /proc file")
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_text(path: Path, limit: int = TEXT_LIMIT) -> str:
    return read_bytes(path, limit).decode("utf-8", errors="replace")


def lines(text: str) -> list[str]:
    """The lines of a kernel file: split at newlines only.

    str.splitlines() also splits at carriage returns, form feeds and other separators,
    which the kernel leaves unescaped in file names (a swap file or a mapped file may be
    called "a\\rb"); only the newline ends a line there.
    """
    out = text.split("\n")
    if out and out[-1] == "":
        out.pop()
    return out


def first_line(path: Path) -> str | None:
    """The first line of a small file, stripped; None when it cannot be read."""
    try:
        text = read_text(path, limit=1 << 16)
    except OSError:  # a BadTree (not an OSError) goes up as it is
        return None
    found = lines(text)
    return found[0].strip() if found else None


def gone(e: OSError) -> bool:
    """Did the read fail because the process exited (ESRCH: torn down as we read)?"""
    return isinstance(e, FileNotFoundError) or e.errno in (errno.ESRCH, errno.ENOENT)
