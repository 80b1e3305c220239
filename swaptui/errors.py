"""One way to fail: a single line on stderr, exit status 2."""

from __future__ import annotations

import sys


class UsageError(Exception):
    """Bad input from the user: printed as one line, exit status 2."""


def fail(message: str) -> int:
    if not message.startswith("swaptui"):
        message = f"swaptui: {message}"
    # one line, whatever the message holds (file names may contain newlines)
    print(message.replace("\n", " "), file=sys.stderr)
    return 2
