"""Drive a headless SwapApp through a recording: a clock of whole ticks, one frame each.

The app's own play clock reads the wall clock, which would make every recording
different; here it is silenced and the recorder advances the player (or the race) by
exactly 1/fps per tick.  Commands that change the screen take effect at the current
tick and are seen in the next frame; only play, wait, step and back move time on.
"""

from __future__ import annotations

import contextlib
import importlib.util
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.screen import Screen

from models.engine import OptionError
from swaptui.record.cast import Cast
from swaptui.record.frames import HIDE_CURSOR, CaptionBar, Encoder
from swaptui.record.grid import Grid
from swaptui.record.headless import RecordingApp, settle
from swaptui.record.script import Command, Script, ScriptError
from swaptui.record.stills import Stills
from swaptui.viewer.app import SwapApp
from swaptui.viewer.player import build_timeline

RACE_MISSING = "race mode is not available yet"
# a script's `play` (no duration) stops here even if the run somehow never ends
MAX_TICKS = 10_000_000


def race_available() -> bool:
    return importlib.util.find_spec("swaptui.race.screen") is not None


@dataclass
class Settings:
    size: tuple[int, int]
    fps: float
    title: str
    frame_limit: int | None = None  # --frames N
    hold_s: float = 0.0
    svg_dir: Path | None = None
    png_dir: Path | None = None
    every: int = 1
    race: bool = False
    videos: list[str] = field(default_factory=list)  # .mp4 and .gif files to write
    font_size: int = 20
    font: str | None = None


@dataclass
class Result:
    cast: Cast
    final_screen: list[str]
    ticks: int
    stills: Stills


class _Stop(Exception):
    """The --frames limit was reached: the recording ends where it is."""


class Recorder:
    def __init__(
        self,
        app: SwapApp,
        pilot: Pilot[Any],
        settings: Settings,
        cast: Cast,
        grid: Grid,
        on_frame: Callable[[int], None] | None = None,
        canvas: Any = None,
        sinks: list[Any] | None = None,
    ) -> None:
        self.app = app
        self.pilot = pilot
        self.s = settings
        self.cast = cast
        self.on_frame = on_frame
        self.tick = 0
        self.dirty = True  # the screen may differ from the last frame taken
        self.grid = grid
        self.encoder = Encoder()
        self.changes = 0  # distinct screens so far
        self.stills = Stills(settings.svg_dir, settings.png_dir, settings.every, settings.title)
        self.canvas = canvas
        self.sinks = sinks or []
        # the RGB canvas serves MP4s and PNG stills; a GIF draws on its own
        self.rgb_wanted = settings.png_dir is not None or any(
            not v.lower().endswith(".gif") for v in settings.videos
        )
        self._caption: str | None = None
        self._caption_until: int | None = None
        self._caption_shown: tuple[Screen[Any], str | None] | None = None
        self._bar: CaptionBar | None = None
        self._race: Any = None  # the race screen while race mode is on

    # ---- the clock ------------------------------------------------------------------
    def ticks(self, seconds: float) -> int:
        return round(seconds * self.s.fps)

    async def capture(self) -> None:
        """Take the frame of the current tick, then move the clock on one tick."""
        if self.s.frame_limit is not None and self.tick >= self.s.frame_limit:
            raise _Stop
        if self._caption_until is not None and self.tick >= self._caption_until:
            self._caption, self._caption_until = None, None
            self.dirty = True
        if self.dirty:
            await self._sync_caption()
            await settle(self.pilot)
            rows = self.grid.take_dirty()
            data = self.encoder.frame(self.grid, rows)
            if data:
                self.changes += 1
                self.cast.output(self.tick, (HIDE_CURSOR if not self.cast.events else "") + data)
                if self.canvas is not None and self.rgb_wanted:
                    self.canvas.draw_grid(self.grid, rows)
                for sink in self.sinks:
                    sink.frame(self.tick, self.grid, rows, self.canvas)
            self.dirty = False
        self.stills.offer(self.tick, self.changes, self.app, self.canvas)
        if self.on_frame is not None:
            self.on_frame(self.tick)
        self.tick += 1
        self._advance()

    def _advance(self) -> None:
        dt = 1 / self.s.fps
        if self._race is not None:
            race = self._race.race
            was = race.playing
            if race.tick(dt) or was != race.playing:
                self._race.show_race()
                self.dirty = True
            return
        p = self.app.player
        was = p.playing
        if p.tick(dt) or was != p.playing:
            self.app.changed()
            self.dirty = True

    async def hold(self, n: int) -> None:
        for _ in range(n):
            await self.capture()

    def playing(self) -> bool:
        return bool(self._race.race.playing if self._race is not None else self.app.player.playing)

    async def play_until_done(self) -> None:
        start = self.tick
        while self.playing() and self.tick - start < MAX_TICKS:
            await self.capture()

    async def finish(self) -> None:
        """The last frame, then the hold: the end of the recording is its point."""
        with contextlib.suppress(_Stop):
            await self.capture()
        self.stills.offer(max(self.tick - 1, 0), self.changes, self.app, self.canvas, last=True)
        self.cast.end_tick = self.tick + self.ticks(self.s.hold_s)
        for sink in self.sinks:
            sink.close(self.cast.end_tick)

    # ---- captions -------------------------------------------------------------------
    def set_caption(self, text: str | None, seconds: float | None) -> None:
        self._caption = text
        self._caption_until = (
            None if seconds is None or text is None else self.tick + self.ticks(seconds)
        )
        if text:
            self.cast.marker(self.tick, text)
        self.dirty = True

    async def _sync_caption(self) -> None:
        """Show the caption on the screen now on top (the race screen, the help...)."""
        screen = self.app.screen
        if self._caption_shown == (screen, self._caption):
            return
        setter = getattr(self.app, "set_caption", None)
        if self._bar is not None:
            await self._bar.remove()
            self._bar = None
        if callable(setter):
            setter(None)
        if self._caption:
            # the app's own caption lives on its main screen; elsewhere, our overlay
            if callable(setter) and screen is self.app.screen_stack[0]:
                setter(self._caption)
            else:
                self._bar = CaptionBar(self._caption, markup=False)
                await screen.mount(self._bar)
        self._caption_shown = (screen, self._caption)

    # ---- commands -------------------------------------------------------------------
    async def run_script(self, script: Script) -> None:
        for cmd in script.commands:
            await self.run(cmd, script.where(cmd))

    async def run(self, cmd: Command, where: str) -> None:
        app, p = self.app, self.app.player
        name = cmd.name
        in_race = self._race is not None
        if in_race and name in ("step", "back", "granularity", "speed", "algo", "readahead"):
            raise ScriptError(f"{where}: {name} does not apply in race mode (race off first)")
        self.dirty = True
        if name == "play":
            await self._play()
            if cmd.seconds is None:
                await self.play_until_done()
            else:
                await self.hold(self.ticks(cmd.seconds))
        elif name == "wait":
            await self.hold(self.ticks(cmd.seconds or 0))
        elif name == "pause":
            self._pause()
        elif name in ("step", "back"):
            for _ in range(cmd.count):
                app.action_step(1 if name == "step" else -1)
                self.dirty = True
                await self.capture()
        elif name == "granularity":
            app.set_granularity(cmd.args[0])
        elif name == "speed":
            p.speed = int(cmd.args[0])
            app.changed()
        elif name in ("algo", "disk", "readahead"):
            self._rerun(name, cmd.args[0], where)
        elif name == "theme":
            app.theme = cmd.args[0]
        elif name == "race":
            await self.set_race(cmd.args[0] == "on", where)
        elif name == "key":
            await self.pilot.press(*cmd.args)
            # a key may start a worker (`a` reruns the engine): wait for its result
            await app.workers.wait_for_complete()
            await settle(self.pilot)
        elif name == "caption":
            self.set_caption(cmd.args[0] if cmd.args else None, cmd.seconds)
        else:  # the parser lets no other name through
            raise ScriptError(f"{where}: unknown command {name!r}")

    async def _play(self) -> None:
        if self._race is not None:
            if not self._race.race.playing:
                self._race.race.toggle()
                self._race.show_race()
            return
        if not self.app.player.playing:
            self.app.player.toggle()  # at the last frame this starts again from the first
            self.app.changed()

    def _pause(self) -> None:
        if self._race is not None:
            self._race.race.playing = False
            self._race.show_race()
        else:
            self.app.player.playing = False
            self.app.changed()

    def _rerun(self, what: str, value: str, where: str) -> None:
        """A new run built here, not in the app's worker thread: the recording waits for
        it, and a refused combination stops the recording with its script line."""
        if self._race is not None:  # only `disk` gets here in race mode
            self._new_race(value, where)
            return
        p = self.app.player
        k = p.key
        if what == "algo":
            key = k.but(algorithm=value)
        elif what == "disk":
            key = k.but(disk=value)
        else:
            key = k.but(readahead=None if value == "default" else value)
        try:
            timeline = build_timeline(p.scenario, key)
        except OptionError as e:
            raise ScriptError(f"{where}: {e}") from None
        self.app.install_run(p.scenario, timeline, key)

    # ---- race mode ------------------------------------------------------------------
    async def set_race(self, on: bool, where: str) -> None:
        if on == (self._race is not None):
            return
        if not on:
            screen, self._race = self._race, None
            screen.dismiss()
            await settle(self.pilot)
            return
        if not race_available():
            raise ScriptError(f"{where}: {RACE_MISSING}")
        from swaptui.race.model import DEFAULT_ALGOS, Race, RaceError

        try:
            p = self.app.player
            race = Race(p.scenario, DEFAULT_ALGOS, p.key.disk, extras=p.key.extras)
        except RaceError as e:
            raise ScriptError(f"{where}: {e}") from None
        screen = _race_screen(race)
        self._race = screen
        await self.app.push_screen(screen)
        await settle(self.pilot)

    def _new_race(self, disk: str, where: str) -> None:
        from swaptui.race.model import Race, RaceError

        old = self._race.race
        try:
            race = Race(old.scenario, old.algorithms, disk, old.readahead, extras=old.extras)
        except RaceError as e:
            raise ScriptError(f"{where}: {e}") from None
        race.playing = old.playing
        self._race.replace_race(race)


def _race_screen(race: Any) -> Any:
    from swaptui.race.screen import RaceScreen

    class RecordedRaceScreen(RaceScreen):
        """The race screen with its wall-clock timer silenced, like RecordingApp."""

        def tick(self) -> None:
            pass

    return RecordedRaceScreen(race)


def estimate_ticks(app: SwapApp, script: Script | None, settings: Settings) -> int | None:
    """How many frames the recording will take, for the progress bar (None: unknown)."""
    if settings.frame_limit is not None:
        return settings.frame_limit
    fps = settings.fps
    if script is None:
        if settings.race:
            return None
        p = app.player
        return math.ceil(p.last_frame * fps / p.speed) + 1
    total = 1
    for cmd in script.commands:
        if cmd.name in ("play", "wait"):
            if cmd.seconds is None:
                return None
            total += round(cmd.seconds * fps)
        elif cmd.name in ("step", "back"):
            total += cmd.count
    return total


async def record(
    app: SwapApp,
    settings: Settings,
    script: Script | None,
    cast: Cast,
    on_frame: Callable[[int], None] | None = None,
) -> Result:
    """Run `app` headless through the script (or one play to the end) into `cast`
    (and the settings' video files and stills)."""
    app.animation_level = "none"  # animations run on the wall clock
    grid = Grid(*settings.size)
    if isinstance(app, RecordingApp):
        app.grid = grid
    canvas = None
    sinks: list[Any] = []
    if settings.videos or settings.png_dir is not None:
        from swaptui.record.raster import Canvas

        canvas = Canvas(*settings.size, font_size=settings.font_size, font=settings.font)
    if settings.videos and canvas is not None:
        from swaptui.record.video import open_sinks

        sinks = open_sinks(settings.videos, canvas, settings.fps)
    try:
        async with app.run_test(size=settings.size, headless=True) as pilot:
            await settle(pilot)
            rec = Recorder(app, pilot, settings, cast, grid, on_frame, canvas, sinks)
            try:
                if settings.race:
                    await rec.set_race(True, "--race")
                if script is not None:
                    await rec.run_script(script)
                else:
                    await rec._play()
                    await rec.play_until_done()
                    if settings.frame_limit is not None:
                        # --frames N: N frames even when the run ends sooner
                        await rec.hold(settings.frame_limit)
            except _Stop:
                pass
            await rec.finish()
    except BaseException:
        for sink in sinks:
            sink.abort()
        raise
    return Result(cast, grid.text(), rec.tick, rec.stills)
