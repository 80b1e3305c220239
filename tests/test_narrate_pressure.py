"""The "now" line under memory pressure: one sentence per reclaim event, exact numbers."""

from __future__ import annotations

import attrs
import pytest

from models import events as ev
from models.engine import RunOptions, run_swapoff
from models.narrate import narrate
from models.scenario import load_preset
from models.scenario_model import FreshArea, Load
from models.timeline import Timeline


def _sentences(scenario, algorithm: str) -> dict[type, list[str]]:
    r = run_swapoff(scenario, RunOptions(algorithm=algorithm))
    tl = Timeline(r)
    out: dict[type, list[str]] = {}
    for f in range(tl.frame_count("pte")):
        v = tl.view("pte", f)
        if v.event is not None and v.progress is None:
            out.setdefault(type(v.event), []).append(narrate(v, r.machine))
    return out


PRESSED = attrs.evolve(
    load_preset("demo"), free_pages=8, reclaim=True, fresh=FreshArea(64), load=Load(30, 2.0)
)


@pytest.mark.parametrize("algorithm", ["linear", "prefetch"])
def test_every_reclaim_event_has_its_own_sentence(algorithm: str) -> None:
    said = _sentences(PRESSED, algorithm)
    assert said[ev.LoadTouch][0].startswith("the load touched 2 new pages: another task")
    assert any(
        "clean swap-cache page" in s and "read them again" in s for s in said[ev.ReclaimDrop]
    )
    writes = said[ev.PageOut]
    assert writes and all("their PTEs hold fresh-area entries now" in s for s in writes)
    assert any("of the load's" in s for s in writes)
    # the write's time comes from the cost model: a shared hdd turns or seeks
    assert all(("seek" in s or "platter" in s or "already there" in s) for s in writes)
    assert "reclaim wrote" in said[ev.Done][0] and "to the fresh area" in said[ev.Done][0]
    # no event falls through to the generic "EventName (site)" text
    for sentences in said.values():
        assert not any(s.endswith(")") and s.split(" (")[0].isidentifier() for s in sentences)


def test_no_fresh_area_says_why_swapoff_fails() -> None:
    said = _sentences(attrs.evolve(PRESSED, fresh=None), "linear")
    (oom,) = said[ev.NoMemory]
    assert "there is no other swap area to write to" in oom
    assert "the OOM killer would take swapoff first (set_current_oom_origin)" in oom
    assert said[ev.Done][0].startswith("swapoff gave up with ENOMEM")


def test_a_write_to_a_disk_of_its_own_says_so() -> None:
    own = attrs.evolve(PRESSED, fresh=FreshArea(64, "own"), load=None)
    writes = _sentences(own, "linear")[ev.PageOut]
    assert writes and all("on its own disk" in s for s in writes)


def test_an_unmapped_shared_page_is_explained() -> None:
    """postgres and its forked child share slots 8-11: with 6 free pages, reclaim meets
    the parent's restored page while the child still holds the slot, and unmaps it."""
    s = attrs.evolve(PRESSED, free_pages=6, fresh=FreshArea(128), load=Load(20, 1.0))
    (first, *_rest) = _sentences(s, "linear")[ev.ReclaimUnmap]
    assert first.startswith("reclaim unmapped 1 page the walk had mapped but other references")
    assert "(slot 8)" in first and "the old entries are back behind the walk" in first
