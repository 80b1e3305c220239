"""MP4 and GIF from a recording: the cast's frames, drawn by the rasterizer, on its clock.

Both are fed while the recording runs, one call per distinct screen, so nothing is
held in memory but the current picture:
- MP4: ffmpeg (the one imageio-ffmpeg ships) encodes H.264 at the cast's frame rate;
  a screen that stays up for n ticks is sent n times (an unchanged frame costs x264
  almost nothing), so the video lasts exactly as long as the cast.
- GIF: written here, one GIF frame per distinct screen, each holding only the rows
  that changed and shown for as long as the cast shows it (GIF counts in 1/100 s:
  the delays are rounded on the running total, so they never drift).

Both are written to a temporary file beside the target and renamed at the end.
Pillow and imageio-ffmpeg come with the `video` extra.
"""

from __future__ import annotations

import contextlib
import os
import struct
import tempfile
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import IO, Any, Protocol

from PIL import GifImagePlugin, Image, ImageChops

from swaptui.record.grid import Grid
from swaptui.record.raster import SPARE, Canvas

EXTRA = "pip install 'swaptui[video]'"


class VideoError(Exception):
    """ffmpeg failed: the message is its last line of complaint."""


def missing_extra(what: str) -> str | None:
    """None when the video extra is installed, else one line saying what to install."""
    import importlib.util

    for module in ("PIL", "imageio_ffmpeg"):
        if importlib.util.find_spec(module) is None:
            return f"{what} needs the video extra ({EXTRA})"
    return None


class Sink(Protocol):
    def frame(self, tick: int, grid: Grid, rows: list[int], rgb: Canvas | None) -> None: ...
    def close(self, end_tick: int) -> None: ...
    def abort(self) -> None: ...


class _Temp:
    """A temporary file beside `target`, renamed onto it by `commit()`."""

    def __init__(self, target: str, suffix: str) -> None:
        p = Path(target)
        parent = p.parent if str(p.parent) else Path(".")
        try:
            fd, self.path = tempfile.mkstemp(prefix=f".{p.name}.", suffix=suffix, dir=parent)
        except OSError as e:
            raise VideoError(f"{target}: cannot write there ({e.strerror or e})") from None
        os.close(fd)
        self.target = p

    def commit(self) -> None:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(self.path, 0o666 & ~umask)
        os.replace(self.path, self.target)

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            os.unlink(self.path)


class Mp4Sink:
    def __init__(self, target: str, canvas: Canvas, fps: float) -> None:
        import imageio_ffmpeg  # type: ignore[import-untyped]

        self.tmp = _Temp(target, ".mp4")
        w, h = canvas.size
        # yuv420p (what slide software plays) needs even sides: pad with the edge
        pad = ["-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2"] if w % 2 or h % 2 else []
        self._gen: Generator[None, bytes, None] | None = imageio_ffmpeg.write_frames(
            self.tmp.path,
            (w, h),
            fps=fps,
            codec="libx264",
            pix_fmt_out="yuv420p",
            quality=None,
            macro_block_size=1,
            ffmpeg_log_level="error",
            output_params=[
                *pad,
                "-crf", "20", "-preset", "veryfast", "-tune", "animation",
                "-movflags", "+faststart", "-f", "mp4",
            ],
        )  # fmt: skip
        self._gen.send(None)  # starts ffmpeg
        self._last: bytes | None = None
        self._last_tick = 0

    def _send(self, upto: int) -> None:
        assert self._gen is not None
        if self._last is None:
            return
        try:
            for _ in range(max(0, upto - self._last_tick)):
                self._gen.send(self._last)
        except (OSError, RuntimeError) as e:
            raise VideoError(f"ffmpeg stopped: {e}") from None
        self._last_tick = max(upto, self._last_tick)

    def frame(self, tick: int, grid: Grid, rows: list[int], rgb: Canvas | None) -> None:
        assert rgb is not None  # the recorder draws the RGB canvas for MP4s
        self._send(tick)
        self._last = rgb.image.tobytes()
        self._last_tick = tick

    def close(self, end_tick: int) -> None:
        # the last screen stays for the hold, and for one frame at least
        self._send(max(end_tick, self._last_tick + 1))
        gen, self._gen = self._gen, None
        if gen is not None:
            try:
                gen.close()
            except (OSError, RuntimeError) as e:
                self.tmp.discard()
                raise VideoError(f"ffmpeg failed: {e}") from None
        self.tmp.commit()

    def abort(self) -> None:
        gen, self._gen = self._gen, None
        if gen is not None:
            with contextlib.suppress(Exception):
                gen.close()
        self.tmp.discard()


class GifSink:
    """GIF frames from a canvas of its own: paletted, so each pixel is exactly a
    cell's colour and no frame needs quantizing (text is drawn without anti-aliasing,
    as the palette has no room for blended edges)."""

    def __init__(self, target: str, like: Canvas, fps: float) -> None:
        self.canvas = Canvas(like.cols, like.rows, like.font_size, like.font_path, paletted=True)
        self.tmp = _Temp(target, ".gif")
        self.fps = fps
        self._f: IO[bytes] = open(self.tmp.path, "wb")  # noqa: SIM115 (closed in close/abort)
        w, h = self.canvas.size
        # header, no global colour table (each frame has its own), loop forever
        self._f.write(b"GIF89a" + struct.pack("<HHBBB", w, h, 0, 0, 0))
        self._f.write(b"!\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", 0) + b"\x00")
        # the frame on show, written once the next one says how long it stayed
        self._pending: tuple[Image.Image, tuple[int, int], int] | None = None
        self._prev: Image.Image | None = None  # the indexes on show, as an L image
        self.frames = 0

    def _centis(self, tick: int) -> int:
        return round(tick * 100 / self.fps)

    def _flush(self, until: int) -> None:
        if self._pending is None:
            return
        im, offset, tick = self._pending
        delay = max(1, self._centis(until) - self._centis(tick))
        extra = {"transparency": SPARE} if self.frames else {}
        for chunk in GifImagePlugin.getdata(
            im, offset, duration=delay * 10, disposal=1, include_color_table=True, **extra
        ):
            self._f.write(chunk)
        self._pending = None
        self.frames += 1

    def frame(self, tick: int, grid: Grid, rows: list[int], _rgb: Canvas | None) -> None:
        self._flush(tick)
        canvas = self.canvas
        canvas.draw_grid(grid, rows)
        new = canvas.image
        now = Image.frombytes("L", new.size, new.tobytes())  # the indexes, comparable
        if self._prev is None:
            self._pending = (new.copy(), (0, 0), tick)
        else:
            # only the pixels that changed: the box around them, and inside it every
            # unchanged pixel transparent (long runs of one index compress to little)
            band = canvas.row_band(rows)
            diff = ImageChops.difference(now.crop(band), self._prev.crop(band))
            inner = diff.getbbox() or (0, 0, 1, 1)  # the cast changed, the picture not
            box = (band[0] + inner[0], band[1] + inner[1], band[0] + inner[2], band[1] + inner[3])
            im = new.crop(box)
            same = diff.crop(inner).point(lambda v: 255 if v == 0 else 0)
            im.paste(SPARE, mask=same)
            self._pending = (im, (box[0], box[1]), tick)
        self._prev = now

    def close(self, end_tick: int) -> None:
        if self._pending is not None:
            self._flush(max(end_tick, self._pending[2] + 1))
        self._f.write(b";")
        self._f.close()
        self.tmp.commit()

    def abort(self) -> None:
        with contextlib.suppress(OSError):
            self._f.close()
        self.tmp.discard()


def open_sinks(targets: list[str], canvas: Canvas, fps: float) -> list[Any]:
    """A sink per video file, by extension; on failure the ones opened are removed."""
    sinks: list[Any] = []
    try:
        for t in targets:
            suffix = Path(t).suffix.lower()
            sinks.append(Mp4Sink(t, canvas, fps) if suffix == ".mp4" else GifSink(t, canvas, fps))
    except BaseException:
        for s in sinks:
            s.abort()
        raise
    return sinks


def frames_of(path: str) -> Iterator[Image.Image]:
    """Every frame of a GIF (tests and the docs' check)."""
    with Image.open(path) as im:
        for i in range(getattr(im, "n_frames", 1)):
            im.seek(i)
            yield im.convert("RGB")
