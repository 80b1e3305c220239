"""The memory panel (gauge and fresh area) and the head chart's writes, through
render_line(i).text on detached widgets, without running the app."""

from __future__ import annotations

import attrs
import pytest

from models import events as ev
from models.scenario import load_preset
from models.scenario_model import FreshArea, Load
from swaptui.viewer.player import Player, RunKey, build_timeline
from swaptui.widgets.diskhead import DiskHead
from swaptui.widgets.memory import MemoryPanel, shares
from tests.test_widgets_panels import lines, sized
from themes import GLYPHS


def pressed(fresh: str | None = "shared", free: int = 8) -> Player:
    s = attrs.evolve(
        load_preset("demo"),
        free_pages=free,
        reclaim=True,
        fresh=None if fresh is None else FreshArea(64, fresh),
        load=Load(pages=12, pages_per_ms=2.0),
    )
    key = RunKey("linear", None, None)
    return Player(s, build_timeline(s, key), key)


def panel(p: Player, w: int = 40, h: int = 4) -> MemoryPanel:
    m = MemoryPanel()
    m.set_timeline(p.timeline)
    m.show(p.view())
    return sized(m, w, h)


def test_shares_split_the_width_and_keep_every_part_visible() -> None:
    assert shares([2, 2, 0, 4], 8) == [2, 2, 0, 4]
    assert sum(shares([1, 500, 3, 9000], 30)) == 30
    assert all(n >= 1 for n in shares([1, 500, 3, 9000], 30))  # the 1 page shows
    assert shares([0, 0], 10) == [0, 0]


def test_only_a_run_under_pressure_has_the_panel() -> None:
    plain = load_preset("demo")
    key = RunKey("linear", None, None)
    m = MemoryPanel()
    m.set_timeline(build_timeline(plain, key))
    assert not m.active
    assert panel(pressed()).active


def test_the_gauge_adds_up_to_the_free_pages_at_every_frame() -> None:
    p = pressed()
    m = panel(p, w=48)
    for frame in range(0, p.last_frame + 1, 7):
        p.seek(frame)
        m.show(p.view())
        parts = m.parts()
        assert sum(parts.values()) == 8
        gauge = lines(m, 1)[0]
        # one cell per part's share: the bar is as wide as the panel leaves it
        bar = gauge.split("▕", 1)[1].split("▏", 1)[0]
        assert sum(bar.count(g) for g in "▓█░·") == len(bar)
        assert gauge.endswith(f"{parts['free']} free")


def test_the_fresh_area_fills_from_the_left_and_is_full_at_the_end() -> None:
    p = pressed()
    m = panel(p, w=40, h=4)
    p.seek(0)
    m.show(p.view())
    start = lines(m, 4)
    assert "no" not in start[2] and GLYPHS["used"] not in start[2]
    p.seek(p.last_frame)
    m.show(p.view())
    end = lines(m, 4)
    written = p.view().state.mem.fresh_used
    assert written > 0
    assert GLYPHS["used"] in end[2] or GLYPHS["shmem"] in end[2]
    assert f"fresh area: {written} of 64 slots written" in m.title(120)


def test_a_write_in_flight_is_highlighted() -> None:
    p = pressed()
    m = panel(p, w=40, h=4)
    tl = p.timeline
    p.set_granularity("pte")  # every event is a frame of its own
    i = next(k for k, e in enumerate(tl.events) if isinstance(e, ev.PageOut))
    p.seek(tl.frame_of_event("pte", i))
    view = p.view()
    assert view.event_index == i
    m.show(view)
    assert GLYPHS["head"] in lines(m, 4)[2]
    p.step(1)
    m.show(p.view())
    assert GLYPHS["head"] not in lines(m, 4)[2]


def test_without_a_fresh_area_it_says_nothing_can_be_written() -> None:
    m = panel(pressed(fresh=None), w=80, h=4)
    assert "no fresh area" in lines(m, 4)[2]
    assert "no fresh area" in m.title(80)


@pytest.mark.parametrize("where", ["shared", "own"])
def test_the_head_chart_shows_the_writes(where: str) -> None:
    p = pressed(where)
    p.seek(p.last_frame)
    d = DiskHead()
    d.set_timeline(p.timeline)
    d.show(p.view())
    sized(d, 80, 10)
    text = lines(d, 10)
    writes = sum(1 for e in p.timeline.events if isinstance(e, ev.PageOut))
    reads = p.view().counters.io_requests
    if where == "shared":
        # the writes are requests of this head: the chart counts them, and its top
        # line holds the spikes up to the fresh area
        assert len(d._reqs) == reads + writes
        assert "writes to the fresh area" in d.subtitle()
        assert "written" in d.title(200)
    else:
        assert len(d._reqs) == reads
        assert "▴" in text[1]  # marks along the chart's top line
        assert "own disk" in d.subtitle()


@pytest.mark.parametrize("width", [12, 24, 32, 48, 120])
def test_the_border_names_the_fresh_area_at_every_width(width: int) -> None:
    """The fresh area's rows are labelled with slot numbers only, like the old
    swap_map's: whatever the panel's width (80x24 gives it 32 columns, 120x36 48), the
    title or the subtitle must say whose slots they are, and each must fit its border."""
    p = pressed()
    p.seek(p.last_frame)
    m = panel(p, w=width, h=4)
    title, sub = m.title(width), m.subtitle(width)
    assert len(sub) + 4 <= width
    assert "fresh" in title or "fresh" in sub, (title, sub)
