"""The recording script language, and recordings driven by scripts."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from swaptui.cli import main
from swaptui.record.recorder import race_available
from swaptui.record.script import (
    ScriptError,
    builtin_names,
    known_key,
    load_script,
    parse,
    parse_duration,
)


@pytest.fixture(autouse=True)
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SWAPTUI_CONFIG_DIR", str(tmp_path / "config"))
    return tmp_path / "config"


def test_parses_every_command() -> None:
    script = parse(
        """
        # a comment, then blank lines

        play 3s
        play            # to the end
        pause
        step 5
        back
        granularity entry
        algo linear
        disk ssd
        readahead default
        speed 20
        race on
        theme light
        key t space  # two keys
        wait 250ms
        caption "now the head seeks" 2s
        caption 'single # not a comment'
        caption off
        """,
        "talk.txt",
    )
    names = [c.name for c in script.commands]
    assert names[:4] == ["play", "play", "pause", "step"]
    assert script.commands[0].seconds == 3.0 and script.commands[1].seconds is None
    assert script.commands[3].count == 5 and script.commands[4].count == 1
    theme = next(c for c in script.commands if c.name == "theme")
    assert theme.args == ("swaptui-light",)
    key = next(c for c in script.commands if c.name == "key")
    assert key.args == ("t", "space")
    captions = [c for c in script.commands if c.name == "caption"]
    assert captions[0].args == ("now the head seeks",) and captions[0].seconds == 2.0
    assert captions[1].args == ("single # not a comment",)
    assert captions[2].args == ()
    assert script.uses_race
    assert script.where(script.commands[0]) == "talk.txt:4"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("play 3s\njump 4", "talk.txt:2: unknown command 'jump'"),
        ("play three", "talk.txt:1: 'three' is not a duration"),
        ("wait", "talk.txt:1: usage: wait DURATION"),
        ("step 0", "talk.txt:1: '0' is not a count"),
        ("\n\ngranularity page", "talk.txt:3: unknown granularity 'page'"),
        ("algo fastest", "unknown algorithm 'fastest'"),
        ("disk floppy", "unknown disk 'floppy'"),
        ("readahead lots", "unknown readahead 'lots'"),
        ("speed 7", "unknown speed '7'"),
        ("theme neon", "unknown theme 'neon'"),
        ("race maybe", "unknown race setting 'maybe'"),
        ("key o", "key o: opens a file prompt"),
        ("key q", "quits the app"),
        ("key notakey", "not a key name"),
        ('caption "unclosed', "talk.txt:1: No closing quotation"),
        ('caption "a" "b" "c"', "usage: caption"),
        ("pause now", "usage: pause"),
        # a typo of a few digits would record for days: refused up front
        ("wait 99999999999s", "talk.txt:1: 99999999999s: at most 3600s"),
        ("play 2h", "'2h' is not a duration"),
        ("play 3601s", "at most 3600s"),
        ('caption "x" 86400s', "at most 3600s"),
        ("step 99999999999", "at most 1,000,000 steps"),
    ],
)
def test_errors_name_the_line(text: str, message: str) -> None:
    with pytest.raises(ScriptError) as e:
        parse(text, "talk.txt")
    assert message in str(e.value)
    assert "\n" not in str(e.value)


def test_durations_and_keys() -> None:
    assert parse_duration("3s") == 3.0
    assert parse_duration("1.5s") == 1.5
    assert parse_duration("250ms") == 0.25
    assert parse_duration("2") == 2.0
    assert parse_duration("-1s") is None and parse_duration("s") is None
    for key in ("t", "+", "space", "left", "ctrl+left", "question_mark", "left_square_bracket"):
        assert known_key(key), key
    for key in ("", "nope", "hyper+x", "ctrl+"):
        assert not known_key(key), key


def test_builtin_scripts_parse_and_are_listed(capsys: pytest.CaptureFixture[str]) -> None:
    assert builtin_names() == ["hdd-vs-ssd", "overview"]
    for name in builtin_names():
        assert load_script(name).commands
    assert main(["record", "--list-scripts"]) == 0
    out = capsys.readouterr().out
    assert "overview" in out and "hdd-vs-ssd" in out and "60-second" in out


def test_script_file_error_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    script = tmp_path / "talk.txt"
    script.write_text("play 1s\nfly away\n")
    assert main(["record", "demo", "-o", str(tmp_path / "x.cast"), "--script", str(script)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "talk.txt:2: unknown command 'fly'" in err


def test_runtime_error_names_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # legacy cannot read ahead by VMA: the engine refuses, the script says where
    script = tmp_path / "talk.txt"
    script.write_text("play 1s\nreadahead vma\n")
    out = tmp_path / "x.cast"
    assert main(["record", "demo", "-o", str(out), "--script", str(script)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("swaptui: talk.txt:2:") and err.count("\n") == 1
    assert not out.exists()


@pytest.mark.slow
def test_script_drives_the_app(tmp_path: Path) -> None:
    script = tmp_path / "talk.txt"
    script.write_text(
        'caption "now the head seeks" 1s\n'
        "speed 20\n"
        "step 3\n"
        "back 1\n"
        "granularity pte\n"
        "theme light\n"
        "algo linear\n"
        "wait 2s\n"
    )
    out = tmp_path / "talk.cast"
    assert (
        main(["record", "demo", "-o", str(out), "--script", str(script), "--size", "100x30"]) == 0
    )
    pytest.importorskip("pyte")
    from tests.castplay import read_cast, screens

    header, events = read_cast(out)
    # 4 ticks of stepping, 2 s of waiting, then the last frame for its own tick
    assert header["duration"] == 2.5
    assert [e for e in events if e[1] == "m"] == [[0.0, "m", "now the head seeks"]]
    shown = ["\n".join(s) for _t, s in screens(header, events)]
    assert "now the head seeks" in shown[0]
    assert "now the head seeks" not in shown[-1]  # gone after its second
    assert "linear" in shown[-1] and "pte 20/s" in shown[-1]


@pytest.mark.slow
@pytest.mark.parametrize("name", ["overview", "hdd-vs-ssd"])
def test_builtin_scripts_record(tmp_path: Path, name: str) -> None:
    if name == "hdd-vs-ssd" and not race_available():
        pytest.skip("race mode is not available")
    out = tmp_path / f"{name}.cast"
    assert main(["record", "demo", "-o", str(out), "--script", name, "--size", "100x30"]) == 0
    pytest.importorskip("pyte")
    from tests.castplay import read_cast, replay

    header, events = read_cast(out)
    if name == "overview":
        assert 55 <= float(header["duration"]) <= 65  # type: ignore[arg-type]
    else:
        # the race ends on its verdict (on the ssd), the screen a slide wants
        last = "\n".join(replay(header, events))
        assert "faster" in last and "ssd" in last, last


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_first_ctrl_c_stops_a_scripted_recording(tmp_path: Path) -> None:
    """In a terminal (a pty, as the user has), one ctrl+c ends the recording: exit
    status 130 and no cast written (nothing half-written either)."""
    import contextlib
    import os
    import pty
    import select
    import time

    out = tmp_path / "talk.cast"
    pid, fd = pty.fork()
    if pid == 0:  # the child: swaptui on the pty
        os.environ["SWAPTUI_CONFIG_DIR"] = str(tmp_path / "config")
        os.execv(
            sys.executable,
            [sys.executable, "-m", "swaptui", "record", "demo", "--script", "overview",
             "-o", str(out)],
        )  # fmt: skip
    seen = b""
    deadline = time.monotonic() + 30
    try:
        # wait until the recording runs (its progress bar), then one ctrl+c
        while b"recording" not in seen and time.monotonic() < deadline:
            if select.select([fd], [], [], 0.5)[0]:
                seen += os.read(fd, 4096)
        assert b"recording" in seen, seen
        os.write(fd, b"\x03")
        status = None
        while status is None and time.monotonic() < deadline:
            if select.select([fd], [], [], 0.2)[0]:
                with contextlib.suppress(OSError):
                    os.read(fd, 4096)
            done, code = os.waitpid(pid, os.WNOHANG)
            if done:
                status = code
        assert status is not None, "still running 30 s after one ctrl+c"
        assert os.waitstatus_to_exitcode(status) == 130
    finally:
        try:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(fd)
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name != "config"] == []
