"""The hugh-test preset: Hugh Dickins's test of swapoff under memory pressure (#16).

With the fresh area every algorithm completes, the invariants hold and the fresh area
holds what reclaim pushed out; without it every algorithm ends with ENOMEM, nothing
lost and the old area still in use.
"""

from __future__ import annotations

import json

import attrs
import pytest

from models.algorithms import ALGORITHMS
from models.engine import RunOptions, run_swapoff
from models.invariants import check
from models.scenario import cache, export_scenario, load_preset, presets
from models.scenario_model import FreshArea, Load
from models.state import ERROR, FRESH, PRESENT, SWAP
from models.tokens import token
from swaptui.cli import main


def test_the_preset_is_hughs_recipe() -> None:
    s = load_preset("hugh-test")
    swapped = s.swap_references()
    assert s.reclaim and s.fresh is not None and s.load is not None
    assert s.fresh.slots == s.slots and s.fresh.disk == "shared"  # same size, same disk
    assert s.free_pages is not None and s.free_pages * 4 <= swapped  # a fraction of it
    assert s.load.pages >= s.free_pages  # a heavy load: more than all free memory


@pytest.mark.slow
def test_every_algorithm_completes_with_the_fresh_area(capsys: pytest.CaptureFixture) -> None:
    assert main(["run", "hugh-test", "--algo", "all", "--json"]) == 0
    docs = json.loads(capsys.readouterr().out)
    assert [d["algorithm"] for d in docs] == list(ALGORITHMS)
    for d in docs:
        c, mem = d["counters"], d["memory"]
        assert d["result"] == "ok" and d["invariants"] == "ok", d["algorithm"]
        # the fresh area holds what reclaim pushed out: one slot per page written
        assert c["pages_written"] > 0 and mem["fresh_used"] == c["pages_written"]
        assert mem["fresh_slots"] == 262144 and mem["fresh_disk"] == "shared"
        assert c["pages_reread"] <= c["pages_dropped"]
        assert c["io_ns"] >= c["write_ns"] + c["reread_ns"] > 0
        assert mem["load_touched"] == 16384
    by = {d["algorithm"]: d["counters"] for d in docs}
    # prefetch reads the whole area first and memory holds an eighth of it: most of
    # what it read is dropped and read again
    assert by["prefetch"]["pages_reread"] > max(
        c["pages_reread"] for a, c in by.items() if a != "prefetch"
    )
    assert by["legacy"]["pages_dropped"] == 0  # it never holds a page nothing maps


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_without_the_fresh_area_swapoff_fails_and_loses_nothing(algorithm: str) -> None:
    s = attrs.evolve(load_preset("hugh-test"), fresh=None)
    r = run_swapoff(s, RunOptions(algorithm=algorithm))
    assert r.result == "ENOMEM"
    assert check(r) == []
    st, m = r.final, r.machine
    assert st.mem is not None and st.counters.pages_written == 0
    # every page is either back (with its own content) or still in the old area,
    # whose swap counts still match: the area stays usable
    for i in range(len(m.refs)):
        state = st.ref_state[i]
        assert state in (PRESENT, SWAP), (i, state)
        assert state not in (FRESH, ERROR)
        if state == PRESENT:
            assert st.ref_token[i] == token(s.seed, m.refs.slot[i])
    assert st.inuse > 0
    left = sum(1 for i in range(len(m.refs)) if st.ref_state[i] == SWAP)
    assert sum(st.count) == left > 0


def test_scenario_show_names_the_fresh_area_and_the_load(capsys: pytest.CaptureFixture) -> None:
    assert main(["scenario", "show", "hugh-test"]) == 0
    out = capsys.readouterr().out
    assert "fresh area    262,144 slots, on the same disk" in out
    assert "load          16,384 new pages at 4 a millisecond" in out
    assert main(["scenario", "show", "demo"]) == 0
    assert "fresh area" not in capsys.readouterr().out


def test_the_trace_holds_the_writes_in_issue_order(tmp_path) -> None:
    s = attrs.evolve(
        load_preset("demo"), free_pages=8, reclaim=True, fresh=FreshArea(64), load=Load(12, 2.0)
    )
    path = tmp_path / "demo.toml"
    path.write_text(export_scenario(s))
    trace = tmp_path / "t.jsonl"
    assert main(["run", str(path), "--algo", "linear", "--trace", str(trace)]) == 0
    lines = [json.loads(x) for x in trace.read_text().splitlines()]
    writes = [x for x in lines if x["reason"] == "write"]
    r = run_swapoff(s, RunOptions(algorithm="linear"))
    assert len(writes) == len(r.writes) > 0
    assert sum(w["pages"] for w in writes) == r.counters.pages_written
    assert all(w["area"] == "fresh" for w in writes)
    assert [x["t_ns"] for x in lines] == sorted(x["t_ns"] for x in lines)
    assert len(lines) == len(writes) + r.counters.io_requests


def test_the_preset_cache_keeps_the_memory_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """hugh-test is generated, so it is kept in the preset cache (models/scenario/
    cache.py).  Its key must change with each memory key (a cache hit for another
    free_pages, fresh area or load would run the wrong machine), and what is read
    back must carry them."""
    text = presets.preset_text("hugh-test")
    k = cache.key("hugh-test", text)
    edits = [
        ("free_pages = 4096", "free_pages = 2048"),
        ('disk = "shared"', 'disk = "own"'),
        ("[fresh]\nslots = 262144", "[fresh]\nslots = 131072"),
        ("pages_per_ms = 4.0", "pages_per_ms = 8.0"),
        ("[load]\npages = 16384", "[load]\npages = 8192"),
    ]
    for old, new in edits:
        assert text.count(old) == 1, old
        assert cache.key("hugh-test", text.replace(old, new)) != k, new
    monkeypatch.setattr(presets, "_loaded", {})
    first = presets.load_preset("hugh-test")  # generated, and stored
    monkeypatch.setattr(presets, "_loaded", {})
    generated: list[str] = []
    monkeypatch.setattr(presets, "parse_scenario", lambda *a, **k: generated.append("!"))
    second = presets.load_preset("hugh-test")  # read back from the cache
    assert generated == []
    assert (second.free_pages, second.reclaim, second.fresh, second.load) == (
        4096,
        True,
        FreshArea(262144, "shared"),
        Load(16384, 4.0),
    )
    assert second == first
