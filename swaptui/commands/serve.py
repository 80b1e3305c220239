"""`swaptui serve`: the app in a web browser, through textual-serve.

Each browser tab gets its own `swaptui SCENARIO ...` process, whose terminal output
textual-serve relays over a websocket to xterm.js in the page.  The server listens
on the loopback address unless told otherwise: the app can open files by name (the
`o` key), which is not something to offer a whole conference network by accident.
For a projector, add `?fontsize=24` (or more) to the page's address.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from typing import Any

import themes
from models.algorithms import ALGORITHMS
from models.events import GRANULARITIES
from models.readahead import POLICIES
from models.scenario_model import DISK_KINDS
from swaptui.errors import UsageError

DEFAULT_PORT = 8000
LOOPBACK = "127.0.0.1"


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "serve",
        help="serve the app in a web browser",
        description=(
            "Serve the app over HTTP: open the printed address in a browser and every "
            "tab runs its own copy. Add ?fontsize=N to the address for a projector "
            "(16 by default)."
        ),
    )
    p.add_argument(
        "scenario", nargs="?", default="demo", help="preset name or scenario file (demo)"
    )
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"TCP port ({DEFAULT_PORT})")
    p.add_argument(
        "--host",
        default=LOOPBACK,
        help=f"address to listen on ({LOOPBACK}: this machine only; 0.0.0.0: everyone)",
    )
    p.add_argument("--public-url", help="the address browsers use, behind a proxy")
    p.add_argument("--algo", choices=ALGORITHMS, help="algorithm (default: legacy)")
    p.add_argument("--disk", choices=DISK_KINDS, help="disk (default: the scenario's)")
    p.add_argument("--readahead", choices=POLICIES, help="readahead (default: the algorithm's)")
    p.add_argument("--theme", help="colour theme")
    p.add_argument("--granularity", choices=GRANULARITIES, help="what one step shows")


def app_command(ns: argparse.Namespace) -> str:
    """The shell command textual-serve starts per browser tab (it runs it with a shell)."""
    argv = [sys.executable, "-m", "swaptui", ns.scenario]
    for flag in ("algo", "disk", "readahead", "theme", "granularity"):
        value = getattr(ns, flag)
        if value is not None:
            argv += [f"--{flag}", value]
    return shlex.join(argv)


def run(ns: argparse.Namespace) -> int:
    if not 0 < ns.port < 65536:
        raise UsageError(f"--port {ns.port}: must be 1 to 65535")
    if ns.theme is not None and themes.resolve(ns.theme) is None:
        raise UsageError(
            f"unknown theme {ns.theme!r} (choose from {', '.join(themes.SHORT_NAMES)})"
        )
    # check the scenario now: a typo should fail here, not in every browser tab
    from swaptui.commands.scenario import load

    load(ns.scenario)
    try:
        from textual_serve.server import Server
    except ImportError:
        raise UsageError("serve needs textual-serve (pip install textual-serve)") from None
    server = Server(
        app_command(ns),
        host=ns.host,
        port=ns.port,
        title=f"swaptui · {ns.scenario}",
        public_url=ns.public_url,
    )
    try:
        server.serve()
    except OSError as e:  # the port is taken, or the address is not ours
        raise UsageError(
            f"serve: cannot listen on {ns.host}:{ns.port} ({e.strerror or e})"
        ) from None
    return 0
