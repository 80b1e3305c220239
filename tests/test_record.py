"""`swaptui record`: casts that replay to the app's screen, byte for byte reproducible."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from swaptui.cli import main

pyte = pytest.importorskip("pyte")

from tests.castplay import read_cast, replay  # noqa: E402

SMALL = ["--size", "80x24", "--granularity", "entry", "--speed", "50"]


@pytest.fixture(autouse=True)
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SWAPTUI_CONFIG_DIR", str(tmp_path / "config"))
    return tmp_path / "config"


def record(tmp_path: Path, *args: str, name: str = "demo.cast") -> Path:
    out = tmp_path / name
    assert main(["record", "demo", "-o", str(out), *args]) == 0
    return out


@pytest.mark.slow
def test_cast_replays_to_the_apps_final_screen(tmp_path: Path) -> None:
    import asyncio

    from swaptui.record.cast import Cast
    from swaptui.record.recorder import RecordingApp, Settings
    from swaptui.record.recorder import record as run_record

    app = RecordingApp.from_ref("demo", "legacy", theme="dark", remember_theme=False)
    app.player.speed = 50
    cast = Cast(width=80, height=24, fps=10, title="t")
    result = asyncio.run(run_record(app, Settings(size=(80, 24), fps=10, title="t"), None, cast))
    path = tmp_path / "x.cast"
    path.write_text(cast.dumps(), encoding="utf-8")
    header, events = read_cast(path)
    assert replay(header, events) == [line.rstrip() for line in result.final_screen]
    # the run was played to its end: the last frame is on screen and says so
    assert app.player.frame == app.player.last_frame
    assert "every slot is free" in "\n".join(result.final_screen)


def test_header_and_timestamps(tmp_path: Path) -> None:
    out = record(tmp_path, *SMALL, "--fps", "4", "--hold", "1s", "--title", "talk")
    header, events = read_cast(out)
    assert header["version"] == 2 and header["width"] == 80 and header["height"] == 24
    assert header["title"] == "talk" and "timestamp" not in header
    assert header["env"] == {"TERM": "xterm-256color", "COLORTERM": "truecolor"}
    times = [float(e[0]) for e in events]  # type: ignore[arg-type]
    assert times == sorted(times) and times[0] == 0.0
    # every stamp is a whole number of 1/4 s ticks
    assert all(abs(t * 4 - round(t * 4)) < 1e-9 for t in times)
    assert header["duration"] == times[-1]
    first = events[0][2]
    assert isinstance(first, str) and first.startswith("\x1b[?25l\x1b[H")
    # later frames are what changed: each starts by moving the cursor to a changed cell
    later = [str(e[2]) for e in events[1:-1] if e[1] == "o"]
    assert later and all(re.match(r"\x1b\[\d+;\d+H", d) for d in later)
    assert all(len(d) < len(first) / 2 for d in later)


@pytest.mark.slow
def test_asciinema_reads_it(tmp_path: Path) -> None:
    asciicast = pytest.importorskip("asciinema.asciicast")
    out = record(tmp_path, *SMALL)
    with asciicast.open_from_url(str(out)) as cast:
        assert cast.version == 2
        events = list(cast.events())
    _header, ours = read_cast(out)
    assert cast.v2_header["width"] == 80
    assert [e[0] for e in events] == [e[0] for e in ours]


@pytest.mark.slow
def test_asciinema_cat_shows_the_app(tmp_path: Path) -> None:
    pytest.importorskip("asciinema")
    out = record(tmp_path, *SMALL)
    played = subprocess.run(
        [sys.executable, "-m", "asciinema", "cat", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        check=True,
    ).stdout
    screen = pyte.Screen(80, 24)
    pyte.Stream(screen).feed(played)
    header, events = read_cast(out)
    assert [line.rstrip() for line in screen.display] == replay(header, events)


@pytest.mark.slow
def test_same_inputs_same_bytes(tmp_path: Path) -> None:
    a = record(tmp_path, *SMALL, "--theme", "light", name="a.cast")
    b = record(tmp_path, *SMALL, "--theme", "light", name="b.cast")
    assert a.read_bytes() == b.read_bytes()


@pytest.mark.slow
def test_version_3_stamps_intervals(tmp_path: Path) -> None:
    v2 = record(tmp_path, *SMALL, name="v2.cast")
    v3 = record(tmp_path, *SMALL, "--cast-version", "3", name="v3.cast")
    h2, e2 = read_cast(v2)
    h3, e3 = read_cast(v3)
    assert h3["version"] == 3 and h3["term"] == {"cols": 80, "rows": 24, "type": "xterm-256color"}
    assert "duration" not in h3
    total = 0.0
    for (t2, c2, d2), (dt, c3, d3) in zip(e2, e3, strict=True):
        total += float(dt)  # type: ignore[arg-type]
        assert abs(total - float(t2)) < 1e-5 and (c2, d2) == (c3, d3)  # type: ignore[arg-type]
    assert replay(h2, e2) == replay(h3, e3)


def test_frames_limit(tmp_path: Path) -> None:
    out = record(tmp_path, *SMALL, "--frames", "5", "--hold", "0")
    header, events = read_cast(out)
    assert header["duration"] == 0.5  # five frames at 10 fps
    assert all(float(e[0]) < 0.5 for e in events[:-1])  # type: ignore[arg-type]


def test_timestamp_on_request(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    header, _ = read_cast(record(tmp_path, *SMALL, "--frames", "2", "--timestamp"))
    assert header["timestamp"] == 1700000000


def test_existing_file_needs_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo.cast"
    out.write_text("keep me")
    assert main(["record", "demo", "-o", str(out), "--frames", "2"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--force" in err
    assert out.read_text() == "keep me"
    assert main(["record", "demo", "-o", str(out), "--frames", "2", "--force"]) == 0
    assert out.read_text().startswith('{"version": 2')
    # written through a temporary file beside it: nothing is left over
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "config") == ["demo.cast"]


def test_failed_recording_leaves_the_old_file(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from swaptui import crash

    monkeypatch.setenv(crash.ENV_DIR, str(tmp_path_factory.mktemp("crashes")))
    out = tmp_path / "demo.cast"
    out.write_text("old")

    def boom(*_a: object, **_k: object) -> str:
        raise RuntimeError("disk full")

    monkeypatch.setattr("swaptui.record.cast.Cast.dumps", boom)
    # a swaptui bug: exit status 70, the traceback in a report file (swaptui.crash)
    assert (
        main(["record", "demo", "-o", str(out), "--frames", "2", "--force"]) == crash.CRASH_STATUS
    )
    assert out.read_text() == "old"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--size", "60x20"], "at least 80x24"),
        (["--size", "big"], "WIDTHxHEIGHT"),
        (["--fps", "0"], "--fps"),
        (["--fps", "fast"], "not a number"),
        (["--theme", "neon"], "unknown theme"),
        (["--frames", "0"], "--frames"),
        (["--hold", "soon"], "--hold"),
        (["--algo", "quick"], "invalid choice"),
        (["--script", "no-such-script"], "built-in"),
        (["--every", "0", "--svg-dir", "x"], "--every"),
    ],
)
def test_bad_options_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["record", "demo", "-o", str(tmp_path / "x.cast"), *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("swaptui") and message in err
    assert not (tmp_path / "x.cast").exists()


def test_help_states_the_defaults_the_recording_uses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["record", "--help"])
    text = " ".join(capsys.readouterr().out.split())  # argparse wraps lines anywhere
    # no fixed defaults: the recording takes the run's own pace, as the app does
    assert "as + and - set it (default: the run's own pace" in text
    assert "what one step shows (default: the run's own pace" in text
    assert "frames per second of the cast (10)" in text
    # and a recording without those options uses them: the header says so
    out = record(tmp_path, "--frames", "1", "--size", "120x36")
    header, events = read_cast(out)
    top = replay(header, events)[0]
    # demo on legacy: 168 frames at range, which play in 34 s at 5/s (viewer.pace)
    assert "range 5/s: 34 s a run" in top


def test_version_3_is_refused_by_asciinema_2(tmp_path: Path) -> None:
    """docs/talks.md says which players read v3; the asciinema of the test extra (the
    2.x Python one) reads v2 only, and says so."""
    pytest.importorskip("asciinema")
    v3 = record(tmp_path, *SMALL, "--frames", "2", "--cast-version", "3", name="v3.cast")
    played = subprocess.run(
        [sys.executable, "-m", "asciinema", "cat", str(v3)],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert played.returncode != 0 and "v1 and v2" in played.stderr


def test_needs_an_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["record", "demo"]) == 2
    assert "-o FILE.cast, FILE.mp4 or FILE.gif" in capsys.readouterr().err


@pytest.mark.slow
def test_svg_frames(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    svg = tmp_path / "slides"
    assert main(["record", "demo", "--svg-dir", str(svg), "--every", "4", *SMALL]) == 0
    frames = int(re.search(r"(\d+) frames", capsys.readouterr().err).group(1))  # type: ignore[union-attr]
    files = sorted(svg.glob("frame-*.svg"))
    # every fourth frame, and the last one whatever its number
    ticks = [int(f.stem.split("-")[1]) for f in files]
    assert frames % 4 != 1  # else the last frame is a multiple of 4 anyway
    assert ticks == [*range(0, frames, 4), frames - 1]
    assert files[0].read_text().lstrip().startswith("<svg")
    # a second run into the same folder needs --force, and then leaves no stale frames
    assert main(["record", "demo", "--svg-dir", str(svg), *SMALL]) == 2
    assert main(["record", "demo", "--svg-dir", str(svg), "--frames", "1", "--force", *SMALL]) == 0
    assert [f.name for f in svg.glob("frame-*.svg")] == ["frame-00000.svg"]


def test_record_takes_faults_and_replays_to_eintr(tmp_path: Path) -> None:
    out = record(tmp_path, "--fault", "eintr:after=5", "--cpu-param", "pte_ns=1", *SMALL)
    header, events = read_cast(out)
    screen = "\n".join(replay(header, events))
    assert " EINTR " in screen.splitlines()[0]  # the header's badge
    assert "swapoff gave up with EINTR (a signal arrived)" in screen


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--fault", "eintr:after=x"], "is not an integer"),
        (["--fault", "exit:pid=1:after=1"], "no process with pid 1"),
        (["--disk-param", "warp=9"], "unknown disk parameter"),
    ],
)
def test_record_bad_fault_one_line_exit_2(
    tmp_path: Path, args: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["record", "demo", "-o", str(tmp_path / "x.cast"), *args]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1
    assert not (tmp_path / "x.cast").exists()
