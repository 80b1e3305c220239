"""Write files whole or not at all, and only where a regular file belongs.

Every file swaptui writes (casts and SVG frames, `run --trace`, `scenario export -o`,
`capture -o`, the config) goes through here:

- `check_writable` runs before any work, so a bad path costs nothing: it refuses a
  directory, a device, a FIFO or a socket (as root, a rename would replace
  /dev/null itself), a symbolic link (a rename replaces the link, not the file it
  points to, which is never what was meant), an existing file without --force, and a
  directory where no file can be created (it tries, with a temporary file);
- `write_atomic` writes a temporary file beside the target, flushes it to disk and
  renames it over the target, so a crash, a full disk or a signal leaves the old file
  or the new one, never half of one, and no temporary file behind.

Every failure is one UsageError naming the path: one line on stderr, exit status 2.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

from swaptui.errors import UsageError

# Signals whose default action kills the process without unwinding: while a temporary
# file exists they raise SystemExit instead, so the cleanup below runs.  (SIGINT
# already raises KeyboardInterrupt.)
_UNWIND_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def _kind(mode: int) -> str | None:
    """What a non-regular file is, for the message; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a directory"
    if stat.S_ISLNK(mode):
        return "is a symbolic link"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a regular file"
    if stat.S_ISFIFO(mode):
        return "is a FIFO, not a regular file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a regular file"
    return "is not a regular file"


def _reason(e: OSError) -> str:
    text = e.strerror or str(e)
    return text[:1].lower() + text[1:]


def _parent(p: Path) -> Path:
    return p.parent if str(p.parent) else Path(".")


def _refuse_special(path: str, p: Path) -> bool:
    """UsageError if `p` exists and is not a regular file; whether it exists."""
    try:
        info = os.lstat(p)
    except FileNotFoundError:
        return False
    except OSError as e:  # ENOTDIR (a file used as a directory), EACCES, ELOOP...
        raise UsageError(f"{path}: {_reason(e)}") from None
    what = _kind(info.st_mode)
    if what == "is a symbolic link":
        target = os.readlink(p)
        raise UsageError(f"{path}: is a symbolic link to {target}; give the file itself")
    if what is not None:
        raise UsageError(f"{path}: {what}")
    return True


@contextlib.contextmanager
def signals_unwind() -> Iterator[None]:
    """While the block runs, SIGTERM and SIGHUP raise SystemExit (exit status 128+N)
    instead of killing the process outright.  Only the main thread can set handlers,
    and a signal someone chose to ignore (nohup) stays ignored."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def unwind(signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    saved = {}
    for sig in _UNWIND_SIGNALS:
        if signal.getsignal(sig) is signal.SIG_DFL:
            saved[sig] = signal.signal(sig, unwind)
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


def _probe(path: str, parent: Path) -> None:
    """Create and remove a temporary file in `parent`: the one sure test that a file
    can be written there (root ignores permission bits; /proc refuses new files)."""
    with signals_unwind():
        try:
            fd, tmp = tempfile.mkstemp(prefix=".swaptui-probe.", dir=parent)
        except OSError as e:
            raise UsageError(f"{path}: cannot write in {parent} ({_reason(e)})") from None
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def check_writable(path: str, force: bool = False) -> Path:
    """Fail early (before any work) if `path` cannot or must not be written."""
    p = Path(path)
    if _refuse_special(path, p) and not force:
        raise UsageError(f"{path}: exists (use --force to overwrite)")
    parent = _parent(p)
    if not parent.is_dir():
        raise UsageError(f"{path}: directory {parent} does not exist")
    _probe(path, parent)
    return p


def check_dir(path: str) -> Path:
    """Fail early if `path` cannot be (or become) a directory to write files in.

    Nothing is created yet: the nearest existing ancestor must be a directory where
    a file can be written.  A symbolic link to a directory is a directory here.
    """
    d = Path(path)
    if d.exists() and not d.is_dir():
        raise UsageError(f"{path}: exists and is not a directory")
    existing = d
    while not existing.exists():
        if existing == _parent(existing):
            break
        existing = _parent(existing)
    if not existing.is_dir():
        raise UsageError(f"{path}: {existing} is not a directory")
    _probe(path, existing)
    return d


def make_dir(path: str | Path) -> Path:
    """Create a directory (and its parents) for output; UsageError if that fails."""
    d = Path(path)
    try:
        d.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UsageError(f"{path}: cannot create the directory ({_reason(e)})") from None
    return d


def write_atomic(path: str, data: str | bytes) -> None:
    """Replace `path` with `data`, whole or not at all (see the module docstring).

    Whether an existing file may be replaced is check_writable's decision, taken
    before the work; this checks again only that the target is not (or has not
    become) something other than a regular file.
    """
    p = Path(path)
    _refuse_special(path, p)
    payload = data.encode() if isinstance(data, str) else data
    with signals_unwind():
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=_parent(p))
        except OSError as e:
            raise UsageError(f"{path}: cannot write in {_parent(p)} ({_reason(e)})") from None
        try:
            with os.fdopen(fd, "wb") as f:
                # mkstemp makes the file private (0600); give it the mode open() would
                umask = os.umask(0)
                os.umask(umask)
                os.fchmod(f.fileno(), 0o666 & ~umask)
                f.write(payload)
                f.flush()
                os.fsync(f.fileno())  # on disk before the rename makes it the file
            os.replace(tmp, p)
        except BaseException as e:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            if isinstance(e, OSError):
                raise UsageError(f"{path}: cannot write ({_reason(e)})") from None
            raise
