"""A handful of screens compared with stored SVGs (update with --snapshot-update).

No cursor blink, no animation; each theme at least once; 80x24, 120x36 and 200x60.
"""

from __future__ import annotations

from typing import Any

import pytest

from models.scenario_model import Mm, Scenario, ShmemFile, Vma
from swaptui.viewer.app import SwapApp
from swaptui.viewer.player import RunKey, build_timeline

BASE = 0x7F00_0000_0000


def scenario() -> Scenario:
    """Fixed here, so that the snapshots do not move when the presets are retuned."""
    slot = iter(range(1, 200))
    a = [(i, next(slot)) for i in range(20)]
    b = [(i, next(slot)) for i in range(16)]
    c = [(i, next(slot)) for i in range(300, 320)]
    shm = [(i, next(slot)) for i in range(8)]
    return Scenario(
        name="snap",
        title="a fixed scenario for snapshots",
        slots=96,
        bad=(90,),
        mms=(
            Mm(101, "firefox", None, (Vma(BASE, 96, True, ((40, 60),), a),)),
            Mm(102, "sshd", None, (Vma(BASE + (1 << 30), 48, True, (), b),)),
            Mm(103, "postgres", None, (Vma(BASE + (2 << 30), 1024, True, ((0, 100),), c),)),
        ),
        shmem=(ShmemFile("/dev/shm/pulse", 16, shm),),
    )


def app(algorithm: str = "legacy", theme: str = "dark", granularity: str = "entry") -> SwapApp:
    sc = scenario()
    key = RunKey(algorithm, None, None)
    return SwapApp(
        sc,
        build_timeline(sc, key),
        key,
        theme=theme,
        granularity=granularity,
        remember_theme=False,
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("size", "theme", "algorithm", "press"),
    [
        ((80, 24), "dark", "legacy", ()),
        ((80, 24), "light", "linear", ("right",) * 12),
        ((120, 36), "high-contrast", "legacy", ("right",) * 7),
        ((200, 60), "okabe-ito", "linear", ("right",) * 20),
        (
            (200, 60),
            "light",
            "legacy",
            ("left_square_bracket", "left_square_bracket") + ("right",) * 9,
        ),
    ],
)
def test_screens(
    snap_compare: Any, size: tuple[int, int], theme: str, algorithm: str, press: tuple[str, ...]
) -> None:
    assert snap_compare(app(algorithm, theme), press=press, terminal_size=size)


def test_too_small(snap_compare: Any) -> None:
    assert snap_compare(app(), terminal_size=(60, 20))


def test_help(snap_compare: Any) -> None:
    assert snap_compare(app(), press=("question_mark",), terminal_size=(120, 36))


def test_enomem_end_frame(snap_compare: Any) -> None:
    """The last frame of a run that gave up: the badge and the calm sentence, at 80x24."""
    from models.faults import parse_fault
    from swaptui.viewer.player import Extras

    sc = scenario()
    key = RunKey("legacy", None, None, Extras((parse_fault("enomem:after=20"),)))
    timeline = build_timeline(sc, key)
    assert timeline.run.result == "ENOMEM"
    app = SwapApp(sc, timeline, key, theme="dark", granularity="entry", remember_theme=False)
    assert snap_compare(app, press=("end",), terminal_size=(80, 24))


@pytest.mark.slow
@pytest.mark.parametrize("algorithm", ["legacy", "linear"])
def test_kelley_50m_mid_run_120x36(snap_compare: Any, algorithm: str) -> None:
    """The published 50 MB preset in the middle of its run (5: half the frames) at its
    own pace: the swap_map zoomed on the 12,800 slots in use, the head chart's ramp or
    storm over its whole height (a few seconds: the preset is generated, then run)."""
    from models.scenario import load_preset

    sc = load_preset("kelley-50m")
    key = RunKey(algorithm, None, None)
    app = SwapApp(sc, build_timeline(sc, key), key, theme="dark", remember_theme=False)
    assert snap_compare(app, press=("5",), terminal_size=(120, 36))
