"""The remembered settings: a broken config file never stops swaptui, and is rewritten whole."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest

from swaptui import config
from swaptui.cli import main
from swaptui.viewer.app import SwapApp
from tests.pilot import sync

HOSTILE = Path(__file__).parent / "data" / "hostile"


@pytest.fixture
def broken(config_dir: Path) -> Path:
    """The config file as a crash mid-write leaves it: binary bytes where TOML was."""
    config_dir.mkdir(parents=True, exist_ok=True)
    path = config_dir / "config.toml"
    shutil.copy(HOSTILE / "config-binary.toml", path)
    return path


def test_roundtrip_with_quotes_and_control_characters(config_dir: Path) -> None:
    assert config.load() == {} and config.problem() is None  # no file: nothing to say
    config.save(theme='a"b\\c\n\x1b[31m')
    assert config.load() == {"theme": 'a"b\\c\n\x1b[31m'}
    assert config.problem() is None
    assert sorted(os.listdir(config_dir)) == ["config.toml"]  # no temporary file left


def test_binary_bytes_are_ignored_with_one_line(broken: Path) -> None:
    assert config.load() == {}
    assert config.problem() == (
        f"{broken}: is not UTF-8 text: ignored (it is rewritten when a setting changes)"
    )


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"theme = [", "is not valid TOML"),
        (b"x" * (config.MAX_BYTES + 1), "more than a settings file holds"),
    ],
    ids=["syntax", "size"],
)
def test_other_broken_files(config_dir: Path, content: bytes, reason: str) -> None:
    config_dir.mkdir()
    (config_dir / "config.toml").write_bytes(content)
    assert config.load() == {}
    assert reason in (config.problem() or "")


def test_a_fifo_does_not_block_the_start(config_dir: Path) -> None:
    config_dir.mkdir()
    fifo = config_dir / "config.toml"
    os.mkfifo(fifo)  # opening it to read would wait for a writer
    # Should load() open it anyway, this writer releases it after a while, so that
    # the regression fails below instead of hanging the suite.
    release = threading.Timer(10, lambda: os.close(os.open(fifo, os.O_WRONLY)))
    release.start()
    try:
        assert config.load() == {}
        assert "is not a regular file" in (config.problem() or "")
    finally:
        release.cancel()


def test_saving_replaces_the_broken_file(broken: Path) -> None:
    config.save(theme="swaptui-light")
    assert config.load() == {"theme": "swaptui-light"} and config.problem() is None
    assert sorted(os.listdir(broken.parent)) == ["config.toml"]


def test_the_app_command_says_so_in_one_line_and_starts(
    broken: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    started: list[str] = []

    def fake(scenario: str, **_kw: Any) -> int:
        started.append(scenario)
        return 0

    monkeypatch.setattr("swaptui.commands.app.run_app", fake)
    assert main(["demo"]) == 0
    assert started == ["demo"]
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(broken) in err and "ignored" in err


@sync
async def test_the_app_starts_on_its_default_theme(broken: Path) -> None:
    app = SwapApp.from_ref("demo", "legacy")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.theme == "swaptui-dark"
        await pilot.press("t")  # a theme change rewrites the file, whole
        await pilot.pause()
    assert config.load() == {"theme": app.theme} and config.problem() is None
