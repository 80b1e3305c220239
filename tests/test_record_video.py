"""MP4, GIF and PNG from `swaptui record`: the cast's frames and clock, the theme's colours."""

from __future__ import annotations

import importlib.util
import os
import signal
from pathlib import Path

import pytest

from swaptui.cli import main
from tests.castplay import read_cast
from tests.signal_child import signal_while_writing

pytest.importorskip("pyte")
PIL = pytest.importorskip("PIL", reason="the video extra (Pillow) is not installed")
imageio_ffmpeg = pytest.importorskip(
    "imageio_ffmpeg", reason="the video extra (imageio-ffmpeg) is not installed"
)
from PIL import Image  # noqa: E402

SMALL = ["--size", "80x24", "--granularity", "entry", "--speed", "50"]
# the head chart's glyphs (swaptui.widgets.diskhead.QUADS): bit 1 top left, 2 top
# right, 4 bottom left, 8 bottom right
QUADS = " ▘▝▀▖▌▞▛▗▚▐▜▄▙▟█"
DARK_HEAD = (0xFF, 0x9E, 0x3D)  # themes.DARK's head colour


def record(tmp_path: Path, *args: str) -> int:
    return main(["record", "demo", *args])


@pytest.mark.slow
def test_mp4_lasts_as_long_as_the_cast(tmp_path: Path) -> None:
    cast, mp4 = tmp_path / "t.cast", tmp_path / "t.mp4"
    assert record(tmp_path, "-o", str(cast), "-o", str(mp4), *SMALL, "--hold", "1s") == 0
    header, _events = read_cast(cast)
    frames, secs = imageio_ffmpeg.count_frames_and_secs(str(mp4))
    duration = float(header["duration"])  # type: ignore[arg-type]
    # one video frame per tick of the cast's clock (10 fps), so the same length
    assert abs(secs - duration) <= 0.05 * duration
    assert frames == round(duration * 10)


def test_gif_has_one_frame_per_distinct_screen(tmp_path: Path) -> None:
    cast, gif = tmp_path / "t.cast", tmp_path / "t.gif"
    assert record(tmp_path, "-o", str(cast), "-o", str(gif), *SMALL, "--fps", "4") == 0
    header, events = read_cast(cast)
    # every output event but the last (which only restores the terminal) is a screen
    distinct = sum(1 for e in events[:-1] if e[1] == "o")
    with Image.open(gif) as im:
        assert im.n_frames == distinct
        total = 0
        for i in range(im.n_frames):
            im.seek(i)
            total += im.info["duration"]
    # shown as long as the cast shows each screen: GIF counts 1/100 s, 4 fps is exact
    assert total == round(float(header["duration"]) * 1000)  # type: ignore[arg-type]


def test_gif_frames_show_what_the_cast_shows(tmp_path: Path) -> None:
    cast, gif, stills = tmp_path / "t.cast", tmp_path / "t.gif", tmp_path / "png"
    args = ["-o", str(cast), "-o", str(gif), "--png-dir", str(stills), *SMALL]
    assert record(tmp_path, *args) == 0
    w, h, rows = _cells(cast)
    with Image.open(gif) as im:
        im.seek(im.n_frames - 1)
        shown = im.convert("RGB")
    still = Image.open(sorted(stills.glob("frame-*.png"))[-1]).convert("RGB")
    assert shown.size == still.size
    # the GIF draws text without anti-aliasing (its palette has no blended edges);
    # the colours are the cells' own: the middle of every blank cell, and of every
    # head-chart block, is the same pixel in the GIF and in the PNG
    cell_w, cell_h = shown.width / w, shown.height / h
    checked = 0
    for y, row in enumerate(rows):
        for x, (ch, _fg) in enumerate(row):
            if ch in (" ", "█"):
                at = (int((x + 0.5) * cell_w), int((y + 0.5) * cell_h))
                assert shown.getpixel(at) == still.getpixel(at), (x, y, ch)
                checked += 1
    assert checked > w * h // 4


def _cells(cast: Path) -> tuple[int, int, list[list[tuple[str, str]]]]:
    import pyte

    header, events = read_cast(cast)
    w, h = int(header["width"]), int(header["height"])  # type: ignore[call-overload]
    screen = pyte.Screen(w, h)
    stream = pyte.Stream(screen)
    for _t, code, data in events:
        if code == "o":
            stream.feed(str(data))
    rows = [
        [(screen.buffer[y][x].data, screen.buffer[y][x].fg) for x in range(w)] for y in range(h)
    ]
    return w, h, rows


def test_png_still_shows_the_head_chart_in_the_themes_colour(tmp_path: Path) -> None:
    cast, stills = tmp_path / "t.cast", tmp_path / "png"
    assert (
        record(tmp_path, "-o", str(cast), "--png-dir", str(stills), *SMALL, "--theme", "dark") == 0
    )
    w, h, rows = _cells(cast)
    png = Image.open(sorted(stills.glob("frame-*.png"))[-1]).convert("RGB")
    cell_w, cell_h = png.width / w, png.height / h
    # the newest request in the head chart is drawn in the theme's head colour: find
    # such marks on the screen the cast ends with, then look at those cells in the PNG
    marks = [
        (x, y, ch)
        for y, row in enumerate(rows)
        for x, (ch, fg) in enumerate(row)
        if ch in QUADS[1:] and fg == "ff9e3d"
    ]
    assert marks, "no head-coloured mark in the head chart"
    for x, y, ch in marks:
        bits = QUADS.index(ch)
        for bit, (fx, fy) in {
            1: (0.25, 0.25),
            2: (0.75, 0.25),
            4: (0.25, 0.75),
            8: (0.75, 0.75),
        }.items():
            if bits & bit:
                px = png.getpixel((int((x + fx) * cell_w), int((y + fy) * cell_h)))
                assert px == DARK_HEAD, (x, y, ch, px)


def test_every_n_keeps_the_last_frame(tmp_path: Path) -> None:
    stills, cast = tmp_path / "png", tmp_path / "t.cast"
    assert record(tmp_path, "-o", str(cast), "--png-dir", str(stills), "--every", "7", *SMALL) == 0
    _header, events = read_cast(cast)
    # the last screen appeared at the last output event before the restore
    last_tick = round(float(events[-2][0]) * 10)  # type: ignore[arg-type]
    names = sorted(p.name for p in stills.glob("frame-*.png"))
    assert names[0] == "frame-00000.png" and names[-1] == f"frame-{last_tick:05d}.png"
    assert last_tick % 7  # not a multiple of 7: kept because it is the last
    assert all(int(n[6:11]) % 7 == 0 for n in names[:-1])


def test_video_without_the_extra_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importlib.util.find_spec

    def no_ffmpeg(name: str, *a: object) -> object:
        return None if name == "imageio_ffmpeg" else real(name, *a)  # type: ignore[arg-type]

    monkeypatch.setattr(importlib.util, "find_spec", no_ffmpeg)
    out = tmp_path / "talk.mp4"
    assert record(tmp_path, "-o", str(out), *SMALL) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'swaptui[video]'" in err
    assert [p.name for p in tmp_path.iterdir() if p.name != "config"] == []


def test_unknown_kind_of_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert record(tmp_path, "-o", str(tmp_path / "talk.avi")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and ".cast, .mp4 or .gif" in err


def test_failed_video_leaves_nothing(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from swaptui import crash
    from swaptui.record import video

    monkeypatch.setenv(crash.ENV_DIR, str(tmp_path_factory.mktemp("crashes")))

    def boom(*_a: object, **_k: object) -> None:
        raise RuntimeError("ffmpeg went away")

    monkeypatch.setattr(video.GifSink, "frame", boom)
    out = tmp_path / "talk.gif"
    # a swaptui bug: exit status 70, the traceback in a report file (swaptui.crash)
    assert record(tmp_path, "-o", str(out), *SMALL) == crash.CRASH_STATUS
    # no half-written GIF, and no temporary file beside it
    assert [p.name for p in tmp_path.iterdir() if p.name != "config"] == []


def test_font_size_sets_the_picture_size(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    assert record(tmp_path, "--png-dir", str(a), "--frames", "1", *SMALL, "--font-size", "10") == 0
    assert record(tmp_path, "--png-dir", str(b), "--frames", "1", *SMALL, "--font-size", "20") == 0
    small = Image.open(next(a.glob("*.png")))
    big = Image.open(next(b.glob("*.png")))
    assert 1.8 < big.width / small.width < 2.2 and 1.8 < big.height / small.height < 2.2


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["-o", "/proc/talk.mp4"], "/proc/talk.mp4: cannot write in /proc"),
        (["-o", "/proc/talk.gif"], "/proc/talk.gif: cannot write in /proc"),
        (["--png-dir", "/proc/slides"], "--png-dir /proc/slides: cannot write in /proc"),
        (["-o", "x.mp4", "--size", "500x200", "--font-size", "40"], "at most 8192 a side"),
        (["-o", "x.mp4", "--font-size", "2"], "--font-size 2: must be 6 to 200"),
        (["-o", "x.mp4", "--font", "/no/such.ttf"], "--font /no/such.ttf: no such file"),
    ],
)
def test_bad_picture_output_is_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    words: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert record(tmp_path, *args, "--frames", "2") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err, err
    assert [p.name for p in tmp_path.iterdir() if p.name != "config"] == []


# a recording stopped by a signal while the frames go into the video: the child stalls in
# its second frame (the temporary MP4 and the ffmpeg behind it exist by then) and says so
VIDEO_CHILD = """
import sys, time
from swaptui.cli import main
from swaptui.record import video

real = video.Mp4Sink.frame
seen = []

def stalling(self, *args, **kwargs):
    seen.append(1)
    if len(seen) == 2:
        print("writing", flush=True)
        time.sleep(60)
    return real(self, *args, **kwargs)

video.Mp4Sink.frame = stalling
sys.exit(main(["record", "demo", "--size", "80x24", "--frames", "5", "-o", sys.argv[1]]))
"""


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_during_a_video_leaves_no_temporary_file(tmp_path: Path, sig: int) -> None:
    out = tmp_path / "talk.mp4"
    status, err = signal_while_writing(
        VIDEO_CHILD,
        [str(out)],
        sig,
        holding=lambda: any(n.startswith(".talk.mp4.") for n in os.listdir(tmp_path)),
        timeout=60,
    )
    assert status == 128 + sig, err
    assert os.listdir(tmp_path) == []
