"""When swaptui itself fails: one line on stderr, the traceback in a file, exit status 70.

A crash is a swaptui bug, not the user's doing, but the user is the one who sees it:
a screenful of Textual's traceback (with locals) over the terminal says nothing they
can act on, and an exit status of 0 after it lets a script carry on as if the run had
worked.  So the traceback goes to a file (with the versions and the command line, for
the bug report), and the terminal gets one line naming the error and the file.

The directory is $SWAPTUI_CRASH_DIR when set, else the user state directory
(`~/.local/state/swaptui` on Linux), else the temporary directory.
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
import traceback
from pathlib import Path

import platformdirs

from swaptui import __version__

CRASH_STATUS = 70  # EX_SOFTWARE (sysexits.h): an internal software error
ENV_DIR = "SWAPTUI_CRASH_DIR"
MESSAGE_CHARS = 160  # of the exception's message, in the line on stderr


def crash_dirs() -> list[Path]:
    """Where a report may go, in order of preference."""
    override = os.environ.get(ENV_DIR)
    if override:
        return [Path(override)]
    return [Path(platformdirs.user_state_dir("swaptui")), Path(tempfile.gettempdir())]


def root_cause(error: BaseException) -> BaseException:
    """The error a worker failed with, rather than Textual's WorkerFailed around it."""
    inner = getattr(error, "error", None)
    return inner if isinstance(inner, BaseException) else error


def report_text(error: BaseException, context: str = "") -> str:
    """What the report file holds: what ran, on what, and the traceback."""
    try:
        import textual

        textual_version = textual.__version__
    except (ImportError, AttributeError):
        textual_version = "?"
    head = [
        f"swaptui {__version__} crashed at {time.strftime('%Y-%m-%d %H:%M:%S')}",
        f"command line: {' '.join(sys.argv)}",
        f"python {platform.python_version()} on {platform.platform()}, textual {textual_version}",
        *([context] if context else []),
        "",
    ]
    cause = root_cause(error)  # a worker's error carries the traceback, not WorkerFailed
    lines = traceback.format_exception(type(cause), cause, cause.__traceback__)
    return "\n".join(head) + "".join(lines)


def write_report(error: BaseException, context: str = "") -> Path | None:
    """Write the report; its path, or None when no directory would take it."""
    name = f"crash-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.txt"
    text = report_text(error, context)
    for directory in crash_dirs():
        try:
            directory.mkdir(parents=True, exist_ok=True)
            path = directory / name
            # O_EXCL: never write through a file (or a symlink) someone else put there
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as f:
                f.write(text)
            return path
        except OSError:
            continue
    return None


def summary(error: BaseException) -> str:
    """'ZeroDivisionError: division by zero', on one line and not too long."""
    cause = root_cause(error)
    message = " ".join(str(cause).split())
    if len(message) > MESSAGE_CHARS:
        message = message[: MESSAGE_CHARS - 1] + "…"
    return f"{type(cause).__name__}: {message}" if message else type(cause).__name__


def report(error: BaseException, context: str = "") -> int:
    """Say in one line on stderr that swaptui crashed and where the traceback is
    (`context`: what the app had on screen, for the report)."""
    path = write_report(error, context)
    if path is None:
        # nowhere to write it: the traceback is all there is to report the bug with
        cause = root_cause(error)
        traceback.print_exception(type(cause), cause, cause.__traceback__, file=sys.stderr)
        where = "the traceback is above (no directory would take a report)"
    else:
        where = f"the traceback is in {path}"
    line = f"swaptui: crashed (a swaptui bug): {summary(error)}; {where}"
    print(line.replace("\n", " "), file=sys.stderr, flush=True)
    return CRASH_STATUS
