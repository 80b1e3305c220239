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

from swaptui.record.raster import Canvas

VIDEO_SUFFIXES = (".mp4", ".gif")
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
    def frame(self, tick: int, canvas: Canvas, rows: list[int]) -> None: ...
    def close(self, end_tick: int) -> None: ...
    def abort(self) -> None: ...


class _Temp:
    """A temporary file beside `target`, renamed onto it by `commit()`."""

    def __init__(self, target: str, suffix: str) -> None:
        p = Path(target)
        parent = p.parent if str(p.parent) else Path(".")
        fd, self.path = tempfile.mkstemp(prefix=f".{p.name}.", suffix=suffix, dir=parent)
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

    def frame(self, tick: int, canvas: Canvas, rows: list[int]) -> None:
        self._send(tick)
        self._last = canvas.image.tobytes()
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
    def __init__(self, target: str, canvas: Canvas, fps: float) -> None:
        self.tmp = _Temp(target, ".gif")
        self.fps = fps
        self._f: IO[bytes] = open(self.tmp.path, "wb")  # noqa: SIM115 (closed in close/abort)
        w, h = canvas.size
        # header, no global colour table (each frame has its own), loop forever
        self._f.write(b"GIF89a" + struct.pack("<HHBBB", w, h, 0, 0, 0))
        self._f.write(b"!\xff\x0bNETSCAPE2.0\x03\x01" + struct.pack("<H", 0) + b"\x00")
        # the frame on show, written once the next one says how long it stayed
        self._pending: tuple[Image.Image, tuple[int, int], int, int] | None = None
        self._prev: Image.Image | None = None
        self.frames = 0

    def _centis(self, tick: int) -> int:
        return round(tick * 100 / self.fps)

    def _flush(self, until: int) -> None:
        if self._pending is None:
            return
        im, offset, tick, spare = self._pending
        delay = max(1, self._centis(until) - self._centis(tick))
        extra = {"transparency": spare} if self.frames else {}
        for chunk in GifImagePlugin.getdata(
            im, offset, duration=delay * 10, disposal=1, include_color_table=True, **extra
        ):
            self._f.write(chunk)
        self._pending = None
        self.frames += 1

    def frame(self, tick: int, canvas: Canvas, rows: list[int]) -> None:
        self._flush(tick)
        new = canvas.image
        if self._prev is None:
            first, _spare = _paletted(new)
            self._pending = (first, (0, 0), tick, 0)
        else:
            # only the pixels that changed: the box around them, and inside it every
            # unchanged pixel transparent (long runs of one index compress to little)
            band = canvas.row_band(rows)
            diff = ImageChops.difference(new.crop(band), self._prev.crop(band))
            inner = diff.getbbox()
            if inner is None:
                inner = (0, 0, 1, 1)  # the cast changed, the picture not: one pixel
            box = (band[0] + inner[0], band[1] + inner[1], band[0] + inner[2], band[1] + inner[3])
            im, spare = _paletted(new.crop(box))
            same = diff.crop(inner).convert("L").point(lambda v: 255 if v == 0 else 0)
            im.paste(spare, mask=same)
            self._pending = (im, (box[0], box[1]), tick, spare)
        self._prev = new.copy()

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


def _paletted(im: Image.Image) -> tuple[Image.Image, int]:
    """A P-mode copy and a palette index no pixel uses (for "unchanged").

    Exact when the picture has at most 255 colours (a stretch of terminal mostly
    has): every pixel then finds its own colour at distance 0, and the spare entry
    is a colour the picture does not have, so no pixel can land on it.  Otherwise
    the 255 most telling colours, and index 255 spare.
    """
    found = im.getcolors(255)
    if found is None:
        q = im.quantize(255, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        flat = list(q.getpalette() or [])[: 3 * 255]
        q.putpalette(flat + [0] * (3 * 256 - len(flat)))
        return q, 255
    used = {rgb for _n, rgb in found}
    spare = next(c for c in ((1, 2, 3), (3, 2, 1), (2, 3, 1), (1, 3, 2)) if c not in used)
    flat = []
    for rgb in [*sorted(used), spare]:
        flat.extend(rgb if isinstance(rgb, tuple) else (int(rgb),) * 3)
    pal = Image.new("P", (1, 1))
    pal.putpalette(flat)
    return im.quantize(palette=pal, dither=Image.Dither.NONE), len(used)


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
