"""`swaptui serve`: the page is served on a loopback port, and the server stops."""

from __future__ import annotations

import argparse
import os
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from swaptui.cli import main
from swaptui.commands.serve import app_command

pytest.importorskip("textual_serve")

WAIT_S = 10.0  # starting Python and aiohttp; the server answers well before this


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fetch(url: str, deadline: float) -> str:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                return str(r.read().decode("utf-8"))
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.mark.slow
def test_serves_the_page_on_loopback_then_stops(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "SWAPTUI_CONFIG_DIR": str(tmp_path / "config")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "swaptui", "serve", "--port", str(port)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    killed = False
    try:
        page = fetch(f"http://127.0.0.1:{port}/?fontsize=24", time.monotonic() + WAIT_S)
        plain = fetch(f"http://127.0.0.1:{port}/", time.monotonic() + WAIT_S)
        assert "swaptui" in page
        assert "ws://127.0.0.1:" in page  # the app's websocket, on the same address
        # the font size reached the terminal in the page; without it, the default
        assert 'data-font-size="24"' in page
        assert 'data-font-size="16"' in plain
    finally:
        proc.terminate()
        try:
            out, _ = proc.communicate(timeout=WAIT_S)
        except subprocess.TimeoutExpired:
            killed = True
            proc.kill()
            out, _ = proc.communicate()
    # SIGTERM alone stopped it: no kill was needed
    assert not killed, out
    # only the loopback address was bound: nothing listens there any more either
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0, out


def test_app_command_quotes_its_arguments() -> None:
    ns = argparse.Namespace(
        scenario="my scenario.toml",
        algo="linear",
        disk=None,
        readahead=None,
        theme="light",
        granularity=None,
    )
    argv = shlex.split(app_command(ns))
    assert argv[1:] == ["-m", "swaptui", "my scenario.toml", "--algo", "linear", "--theme", "light"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "70000"], "--port"),
        (["--theme", "neon"], "unknown theme"),
        (["no-such-scenario"], "no-such-scenario"),
    ],
)
def test_bad_options(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    assert main(["serve", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
