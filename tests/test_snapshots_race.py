"""Race mode compared with stored SVGs (update with --snapshot-update).

The race is paused and its clock set by hand, so nothing moves between runs; the
scenario is built here so that retuning the presets does not move the snapshots.
"""

from __future__ import annotations

from typing import Any

import pytest

from models.scenario_model import Mm, Scenario, ShmemFile, Vma
from swaptui.race.model import Race
from swaptui.race.screen import RaceApp

BASE = 0x7F00_0000_0000


def scenario() -> Scenario:
    """Three processes whose pages interleave on the swap area, and a tmpfs file:
    legacy reads the slots in order, linear jumps between them."""
    a = [(i, 1 + 3 * i) for i in range(14)]
    b = [(i, 2 + 3 * i) for i in range(14)]
    c = [(i, 3 + 3 * i) for i in range(12)]
    shm = [(i, 50 + i) for i in range(6)]
    return Scenario(
        name="race-snap",
        title="interleaved pages for the race snapshots",
        slots=64,
        bad=(60,),
        mms=(
            Mm(201, "postgres", None, (Vma(BASE, 64, True, ((20, 40),), a),)),
            Mm(202, "firefox", None, (Vma(BASE + (1 << 30), 600, True, ((100, 300),), b),)),
            Mm(203, "Xorg", None, (Vma(BASE + (2 << 30), 32, True, (), c),)),
        ),
        shmem=(ShmemFile("/dev/shm/pulse", 8, shm),),
    )


def app(theme: str = "dark", algos: tuple[str, ...] = ("legacy", "linear")) -> RaceApp:
    return RaceApp(
        Race(scenario(), algos, "hdd"), theme=theme, remember_theme=False, autoplay=False
    )


def at(fraction: float) -> Any:
    async def run_before(pilot: Any) -> None:
        screen = pilot.app.screen
        screen.race.seek(int(screen.race.end_ps * fraction))
        screen.show_race()
        await pilot.pause()

    return run_before


def test_race_160x48(snap_compare: Any) -> None:
    assert snap_compare(app(), terminal_size=(160, 48), run_before=at(0.3))


@pytest.mark.slow
def test_race_source_160x48_light(snap_compare: Any) -> None:
    assert snap_compare(
        app("light", ("legacy", "rfc", "linear")),
        press=("s",),
        terminal_size=(160, 48),
        run_before=at(0.02),
    )


def test_verdict_80x24(snap_compare: Any) -> None:
    assert snap_compare(app(), press=("end",), terminal_size=(80, 24))


@pytest.mark.slow
def test_kelley_50m_verdict_120x36(snap_compare: Any) -> None:
    """The published 50 MB preset raced to its verdict: legacy's ramp against linear's
    storm, the time bars and the memory each held (a few seconds: it is generated)."""
    from models.scenario import load_preset

    race = Race(load_preset("kelley-50m"), ("legacy", "linear"), "hdd")
    racer = RaceApp(race, theme="dark", remember_theme=False, autoplay=False)
    assert snap_compare(racer, press=("end",), terminal_size=(120, 36))
