"""textual-serve's server, guarded for a talk: who may connect, how big, how long.

textual-serve starts an app process per websocket and relays its terminal.  Left as
it is, any web page the presenter opens could connect to it (a browser lets a page
open a websocket to any address), a client could ask for a screen of any size, and
an app process that stops listening outlives its client and the server.  Here:
- the websocket's Origin must be this server's own page (checked before any process
  starts); a request without one (not a browser page) is refused as well;
- the size a client asks for, at the start and on every resize, is capped;
- each app runs in its own process group, ended when its client goes (asked to quit
  first, then SIGTERM, then SIGKILL), and every app is ended when the server stops;
  SIGINT and SIGTERM stop the server within a few seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web
from aiohttp.web_runner import GracefulExit
from textual_serve.app_service import AppService
from textual_serve.server import Server

log = logging.getLogger("swaptui.serve")

PAGE_DIR = Path(__file__).with_name("serve_page")
MAX_COLS, MAX_ROWS = 500, 200  # the largest screen `swaptui record --size` takes
QUIT_GRACE_S = 2.0  # after "quit", before SIGTERM; then as long again before SIGKILL
SHUTDOWN_S = 3.0  # the server's own wait for open connections when it stops


def clamp_size(width: object, height: object) -> tuple[int, int]:
    """A terminal size a client asked for, as whole cells within the caps."""

    def whole(value: object, default: int, cap: int) -> int:
        try:
            n = int(str(value))
        except ValueError:
            return default
        return min(max(n, 1), cap)

    return whole(width, 80, MAX_COLS), whole(height, 24, MAX_ROWS)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


class GroupAppService(AppService):
    """An app process started without a shell, in a process group of its own, so it
    can be ended (with anything it started) when its client goes."""

    def __init__(self, argv: list[str], **kw: Any) -> None:
        super().__init__(" ".join(argv), **kw)
        self.argv = argv

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Any:
        env = self._build_environment(width=width, height=height)
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    async def end(self) -> None:
        """Ask the app to quit; if it has not within the grace, end its group."""
        process = self._process
        if process is None:
            return
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.stop(), QUIT_GRACE_S)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if process.returncode is not None:
                break
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, sig)
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(process.wait(), QUIT_GRACE_S)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task
            self._task = None


class GuardedServer(Server):
    def __init__(self, argv: list[str], **kw: Any) -> None:
        super().__init__(" ".join(argv), templates_path=PAGE_DIR, **kw)
        self.argv = argv
        self.apps: set[GroupAppService] = set()
        self.allowed_origins = {origin_of(self.public_url)}
        host = urlsplit(self.public_url).hostname or ""
        if host in ("127.0.0.1", "localhost", "::1"):
            # the same machine under its other loopback names
            port = f":{self.port}" if self.port not in (80, 443) else ""
            scheme = urlsplit(self.public_url).scheme
            for name in ("127.0.0.1", "localhost", "[::1]"):
                self.allowed_origins.add(f"{scheme}://{name}{port}")

    # ---- the websocket ----------------------------------------------------------------
    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        origin = (request.headers.get("Origin") or "").lower()
        if origin not in self.allowed_origins:
            log.warning("refused a websocket from origin %r", origin or "(none)")
            raise web.HTTPForbidden(text="swaptui serve: this page's origin may not connect")
        width, height = clamp_size(
            request.query.get("width", "80"), request.query.get("height", "24")
        )
        websocket = web.WebSocketResponse(heartbeat=15)
        await websocket.prepare(request)
        service = GroupAppService(
            self.argv,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
            debug=self.debug,
        )
        self.apps.add(service)
        try:
            await service.start(width, height)
            await self._relay(websocket, service)
        except asyncio.CancelledError:
            pass
        except Exception as error:  # a broken client must not take the server down
            log.warning("websocket ended: %s", error)
        finally:
            await service.end()
            self.apps.discard(service)
            with contextlib.suppress(Exception):
                await websocket.close()
        return websocket

    async def _relay(self, websocket: web.WebSocketResponse, service: GroupAppService) -> None:
        """The browser's messages to the app; anything malformed is ignored."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
                kind = envelope[0]
            except (ValueError, TypeError, IndexError, KeyError):
                continue
            data = envelope[1] if len(envelope) > 1 else None
            if kind == "stdin" and isinstance(data, str):
                await service.send_bytes(data.encode("utf-8"))
            elif kind == "resize" and isinstance(data, dict):
                await service.set_terminal_size(*clamp_size(data.get("width"), data.get("height")))
            elif kind == "ping":
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await service.blur()
            elif kind == "focus":
                await service.focus()

    # ---- starting and stopping ---------------------------------------------------------
    async def on_shutdown(self, app: web.Application) -> None:
        await asyncio.gather(*(s.end() for s in list(self.apps)), return_exceptions=True)

    def serve(self, debug: bool = False) -> None:
        """Serve until SIGINT or SIGTERM; then every app is ended before the exit."""
        self.debug = debug
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, self.request_exit)
        web.run_app(
            self._make_app(),
            host=self.host,
            port=self.port,
            handle_signals=False,
            loop=loop,
            shutdown_timeout=SHUTDOWN_S,
            print=lambda *_a: None,
        )

    def request_exit(self) -> None:
        raise GracefulExit()
