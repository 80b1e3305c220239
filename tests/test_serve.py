"""`swaptui serve` on a real loopback server: its page, who may connect, how big, how long.

Each test starts `swaptui serve` as a process on a free loopback port, talks to it
with aiohttp (the page over HTTP, the app over the websocket, as the page's script
does) and stops it.  Every wait is bounded; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from swaptui.cli import main
from swaptui.commands.serve import app_argv
from swaptui.commands.serve_server import MAX_COLS, MAX_ROWS, clamp_size

pytest.importorskip("textual_serve")
aiohttp = pytest.importorskip("aiohttp")

WAIT_S = 15.0  # starting Python, aiohttp and an app; each answers well before this
WS_TIMEOUT = aiohttp.ClientWSTimeout(ws_receive=WAIT_S, ws_close=WAIT_S)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str, deadline: float) -> str:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                return str(r.read().decode("utf-8"))
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def children(pid: int) -> set[int]:
    """Every process below `pid` (from /proc), however deep."""
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(entry))
    out: set[int] = set()
    todo = [pid]
    while todo:
        for k in kids.get(todo.pop(), []):
            out.add(k)
            todo.append(k)
    return out


def alive(pids: set[int]) -> set[int]:
    out = set()
    for p in pids:
        try:
            state = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            out.add(p)
    return out


class Served:
    def __init__(self, proc: subprocess.Popen[bytes], port: int) -> None:
        self.proc, self.port = proc, port
        self.origin = f"http://127.0.0.1:{port}"
        self.ws_url = f"ws://127.0.0.1:{port}/ws"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    port = free_port()
    env = {**os.environ, "SWAPTUI_CONFIG_DIR": str(tmp_path / "config")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "swaptui", "serve", "--port", str(port)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        fetch(f"http://127.0.0.1:{port}/", time.monotonic() + WAIT_S)
        yield Served(proc, port)
    finally:
        kids = children(proc.pid)
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=WAIT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for k in alive(kids):  # never leave an app behind, even when a test failed
            os.kill(k, signal.SIGKILL)


async def first_output(
    url: str, origin: str | None, width: int = 100, height: int = 30
) -> tuple[bytes, int]:
    """Connect as the page does and collect the app's first screen (bytes, status)."""
    headers = {"Origin": origin} if origin else {}
    async with aiohttp.ClientSession() as session:
        try:
            ws = await session.ws_connect(
                f"{url}?width={width}&height={height}", headers=headers, timeout=WS_TIMEOUT
            )
        except aiohttp.WSServerHandshakeError as e:
            return b"", e.status
        got = b""
        deadline = time.monotonic() + WAIT_S
        async with ws:
            while time.monotonic() < deadline and b"swap_map" not in got and len(got) < 200_000:
                try:
                    msg = await asyncio.wait_for(ws.receive(), 2)
                except TimeoutError:
                    if got:
                        break
                    continue
                if msg.type == aiohttp.WSMsgType.BINARY:
                    got += msg.data
                elif msg.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                    break
        return got, 101


@pytest.mark.slow
def test_page_loads_nothing_from_elsewhere_and_takes_the_keyboard(served: Served) -> None:
    page = fetch(f"{served.origin}/?fontsize=28", time.monotonic() + WAIT_S)
    # every address in the page is this server's (no web font from the internet)
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", page)
    assert urls and all(u.startswith(served.origin) for u in urls), urls
    assert "googleapis" not in page and "@font-face" in page
    # the font it names is served here
    font = re.search(r"url\(\"([^\"]+\.ttf)\"\)", page)
    assert font is not None
    with urllib.request.urlopen(font.group(1), timeout=5) as r:
        assert r.status == 200 and len(r.read()) > 10_000
    # the terminal gets the focus by itself; the font size reached the page
    assert "xterm-helper-textarea" in page and ".focus(" in page
    assert 'data-font-size="28"' in page
    assert f"ws://127.0.0.1:{served.port}/ws" in page


def test_websocket_from_another_origin_is_refused(served: Served) -> None:
    before = children(served.proc.pid)
    for origin in ("http://evil.example", "http://127.0.0.1:1", None):
        data, status = asyncio.run(first_output(served.ws_url, origin))
        assert status == 403 and data == b"", origin
    # and no app was started for them
    assert alive(children(served.proc.pid)) == alive(before)


@pytest.mark.slow
def test_own_page_gets_the_app_and_it_ends_with_its_client(served: Served) -> None:
    data, status = asyncio.run(first_output(served.ws_url, served.origin))
    assert status == 101 and b"swap_map" in data
    # the client went away: its app process (and anything under it) is gone soon
    deadline = time.monotonic() + WAIT_S
    while alive(children(served.proc.pid)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not alive(children(served.proc.pid))


@pytest.mark.slow
def test_an_app_that_stops_listening_still_ends_with_its_client(served: Served) -> None:
    """The app is frozen (SIGSTOP: it cannot read the quit request) when its client
    goes: the server ends its process group all the same."""

    async def connect_freeze_leave() -> set[int]:
        async with aiohttp.ClientSession() as session:
            ws = await session.ws_connect(
                f"{served.ws_url}?width=100&height=30",
                headers={"Origin": served.origin},
                timeout=WS_TIMEOUT,
            )
            await asyncio.wait_for(ws.receive(), WAIT_S)  # the app is up
            apps = alive(children(served.proc.pid))
            for pid in apps:
                os.kill(pid, signal.SIGSTOP)
            await ws.close()
            return apps

    apps = asyncio.run(connect_freeze_leave())
    assert apps
    deadline = time.monotonic() + WAIT_S
    while alive(apps) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not alive(apps)
    # and the server still serves
    assert "swaptui" in fetch(f"{served.origin}/", time.monotonic() + WAIT_S)


@pytest.mark.slow
def test_a_huge_screen_is_capped(served: Served) -> None:
    data, status = asyncio.run(first_output(served.ws_url, served.origin, 100_000, 100_000))
    assert status == 101 and data
    # the app draws rows and columns by cursor moves: none beyond the caps
    moves = [(int(r), int(c)) for r, c in re.findall(rb"\x1b\[(\d+);(\d+)H", data)]
    assert moves and max(r for r, _c in moves) <= MAX_ROWS
    assert max(c for _r, c in moves) <= MAX_COLS


@pytest.mark.slow
def test_sigterm_ends_the_server_and_its_apps(served: Served) -> None:
    async def hold_open() -> set[int]:
        async with aiohttp.ClientSession() as session:
            ws = await session.ws_connect(
                f"{served.ws_url}?width=100&height=30",
                headers={"Origin": served.origin},
                timeout=WS_TIMEOUT,
            )
            await asyncio.wait_for(ws.receive(), WAIT_S)  # the app is up
            apps = alive(children(served.proc.pid))
            served.proc.send_signal(signal.SIGTERM)
            with pytest.raises((asyncio.TimeoutError, aiohttp.ClientError)):
                while True:  # the server closes the socket as it stops
                    msg = await asyncio.wait_for(ws.receive(), WAIT_S)
                    if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
                        raise aiohttp.ClientError("closed")
            return apps

    apps = asyncio.run(hold_open())
    assert apps
    served.proc.wait(timeout=WAIT_S)
    deadline = time.monotonic() + WAIT_S
    while alive(apps) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not alive(apps)


@pytest.mark.slow
def test_serves_on_loopback_only_then_stops(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "SWAPTUI_CONFIG_DIR": str(tmp_path / "config")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "swaptui", "serve", "--port", str(port)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    try:
        page = fetch(f"http://127.0.0.1:{port}/", time.monotonic() + WAIT_S)
        assert "swaptui" in page
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=WAIT_S)
    assert proc.returncode is not None
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0, out


def test_app_argv_passes_every_run_flag() -> None:
    ns = argparse.Namespace(
        scenario="my scenario.toml",
        algo="linear",
        disk=None,
        readahead=None,
        theme="light",
        granularity=None,
        fault=["eintr:after=5"],
        disk_param=["seek_ms=4"],
        cpu_param=["pte_ns=1"],
    )
    assert app_argv(ns)[1:] == [
        "-m", "swaptui", "my scenario.toml", "--algo", "linear", "--theme", "light",
        "--fault", "eintr:after=5", "--disk-param", "seek_ms=4", "--cpu-param", "pte_ns=1",
    ]  # fmt: skip


def test_clamp_size() -> None:
    assert clamp_size("100000", "100000") == (MAX_COLS, MAX_ROWS)
    assert clamp_size("-5", "0") == (1, 1)
    assert clamp_size("wide", None) == (80, 24)
    assert clamp_size(120, 36) == (120, 36)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "70000"], "--port"),
        (["--theme", "neon"], "unknown theme"),
        (["no-such-scenario"], "no-such-scenario"),
        (["--fault", "eintr:after=x"], "--fault"),
        (["--cpu-param", "warp=9"], "warp"),
        (["--algo", "legacy", "--readahead", "vma"], "vma"),
    ],
)
def test_bad_options(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    assert main(["serve", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
