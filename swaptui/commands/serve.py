"""`swaptui serve`: the app in a web browser, through textual-serve.

Each browser tab gets its own `swaptui SCENARIO ...` process, whose terminal output
textual-serve relays over a websocket to xterm.js in the page.  The server listens
on the loopback address unless told otherwise, accepts websockets only from its own
page, caps the screen a client may ask for and ends each app with its client
(`serve_server`).  The page loads nothing from the internet and takes the keyboard
at once; ctrl+s downloads the screenshot in the browser.  For a projector, add
`?fontsize=24` (or more) to the page's address.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import themes
from models.events import GRANULARITIES
from swaptui.commands.options import add_engine_options, run_options
from swaptui.errors import UsageError

DEFAULT_PORT = 8000
LOOPBACK = "127.0.0.1"


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "serve",
        help="serve the app in a web browser",
        description=(
            "Serve the app over HTTP: open the printed address in a browser and every "
            "tab runs its own copy (ended when the tab closes). Add ?fontsize=N to the "
            "address for a projector (16 by default). Only the server's own page may "
            "connect, and the page needs no internet."
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
    p.add_argument(
        "--public-url",
        help="the address browsers use, behind a proxy (the only origin allowed to connect)",
    )
    add_engine_options(p, multi_algo=False)
    p.add_argument("--theme", help="colour theme")
    p.add_argument("--granularity", choices=GRANULARITIES, help="what one step shows (range)")
    p.add_argument(
        "--present",
        action="store_true",
        help="presentation mode in every tab: no key bar, no key hints (p toggles it)",
    )


def app_argv(ns: argparse.Namespace) -> list[str]:
    """The command textual-serve starts per browser tab (run without a shell)."""
    argv = [sys.executable, "-m", "swaptui", ns.scenario]
    for flag in ("algo", "disk", "readahead", "theme", "granularity"):
        value = getattr(ns, flag, None)
        if value is not None:
            argv += [f"--{flag}", value]
    for flag in ("fault", "disk_param", "cpu_param"):
        for value in getattr(ns, flag, None) or []:
            argv += [f"--{flag.replace('_', '-')}", value]
    if getattr(ns, "present", False):
        argv.append("--present")
    return argv


def check(ns: argparse.Namespace) -> None:
    """Everything an app tab would refuse, refused here once (UsageError: exit 2)."""
    if not 0 < ns.port < 65536:
        raise UsageError(f"--port {ns.port}: must be 1 to 65535")
    if ns.theme is not None and themes.resolve(ns.theme) is None:
        raise UsageError(
            f"unknown theme {ns.theme!r} (choose from {', '.join(themes.SHORT_NAMES)})"
        )
    from swaptui.commands.app import check_options
    from swaptui.commands.scenario import load
    from swaptui.viewer.player import Extras, RunKey

    algorithm = ns.algo or "legacy"
    opts = run_options(ns, algorithm, keep_events=True)
    check_options(load(ns.scenario), RunKey(algorithm, ns.disk, ns.readahead, Extras.of(opts)))


def run(ns: argparse.Namespace) -> int:
    check(ns)
    try:
        from swaptui.commands.serve_server import GuardedServer
    except ImportError:
        raise UsageError("serve needs textual-serve (pip install textual-serve)") from None
    server = GuardedServer(
        app_argv(ns),
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
