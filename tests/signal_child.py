"""A child Python that stops at a point where it holds a temporary file, then a signal.

Tests of "a signal leaves nothing behind" (tests/test_writers.py, the video recorder in
tests/test_record_video.py) share this: the child prints "writing" once the temporary
file exists and stalls there; the test looks at the directory, signals the child and
waits for it to unwind."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def signal_while_writing(
    script: str, args: list[str], sig: int, holding: Callable[[], bool], timeout: float = 30
) -> tuple[int, str]:
    """Run `script` with `args`; once it says "writing", assert `holding()` (the
    temporary file is there to clean up), send `sig`; the exit status and stderr."""
    child = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == "writing\n"
        assert holding()
        child.send_signal(sig)
        child.wait(timeout=timeout)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    return child.returncode, child.stderr.read() if child.stderr else ""
