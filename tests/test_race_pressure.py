"""Race mode under memory pressure: the time lost to reclaim's writes and re-reads,
per side, on the bars and in the verdict."""

from __future__ import annotations

import attrs
import pytest

from models.breakdown import CATEGORIES, Breakdown
from models.cost import CpuCost, DiskModel
from models.engine import RunOptions, run_swapoff
from models.scenario import load_preset
from models.scenario_model import FreshArea, Load
from swaptui.race.model import Race, verdict_text
from swaptui.widgets.breakdown import BreakdownBars
from tests.test_widgets_panels import lines, sized

PRESSED = attrs.evolve(
    load_preset("demo"), free_pages=8, reclaim=True, fresh=FreshArea(64), load=Load(12, 2.0)
)
WRITE, REREAD = CATEGORIES.index("write"), CATEGORIES.index("reread")


@pytest.mark.parametrize("disk", ["hdd", "ssd", "zram"])
@pytest.mark.parametrize("algorithm", ["legacy", "linear", "prefetch"])
def test_the_parts_add_up_and_say_what_reclaim_cost(algorithm: str, disk: str) -> None:
    run = run_swapoff(PRESSED, RunOptions(algorithm, disk=disk))
    assert run.events is not None
    c = run.counters
    model = DiskModel(run.scenario.disk, run.scenario.slots)
    bd = Breakdown(run.events, model, CpuCost.from_params(run.scenario.cpu), run.machine.refs.slot)
    assert sum(bd.total) == c.cpu_ps + c.io_ns * 1000
    assert bd.total[WRITE] == c.write_ns * 1000
    # the counter rounds each request's share to whole ns, the bar to whole ps
    assert abs(bd.total[REREAD] - c.reread_ns * 1000) <= 1000 * c.io_requests
    assert (bd.total[REREAD] > 0) == (c.pages_reread > 0)


def test_the_bars_show_reclaim_only_under_pressure() -> None:
    bars = sized(BreakdownBars(), 60, 9)
    parts = (1000, 1000, 0, 0, 0, 5000, 3000, 2000)
    bars.show(parts, 5000, "zram", pressure=True)
    text = lines(bars, 9)
    assert any(t.startswith("writes") for t in text)
    assert any(t.startswith("re-reads") for t in text)
    bars.show((*parts[:6], 0, 0), 5000, "zram")
    assert not any("writes" in t for t in lines(bars, 9))


def test_the_verdict_names_what_pressure_cost_each_side() -> None:
    race = Race(PRESSED, ("legacy", "linear", "prefetch"))
    race.to_end()
    v = race.verdict()
    assert v is not None and "writes and re-reads under memory pressure: legacy " in v
    for f in race.finishes():
        assert f.reclaim_ns is not None and f.reclaim_ns > 0
    plain = Race(load_preset("demo"), ("legacy", "linear"))
    assert all(f.reclaim_ns is None for f in plain.finishes())
    plain.to_end()
    assert "memory pressure" not in (plain.verdict() or "")
    assert "memory pressure" not in verdict_text(plain.finishes(), "hdd")
