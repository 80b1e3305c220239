"""The readahead state swapoff starts from: the `[readahead]` table and what capture puts in it.

Linux boots with swapin_readahead_hits = 4 (cluster readahead), and a VMA that never had
a swap-in reads as hits 4 (GET_SWAP_RA_VAL); swaptui starts from 0 unless the scenario
says otherwise.  A captured machine that swapped nothing in since boot (/proc/vmstat
pswpin 0) still has the boot values, and the capture writes them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from models.engine import RunOptions, run_swapoff
from models.scenario import ScenarioError, export_scenario, parse_scenario
from swaptui.commands.capture import collect, render
from tests.procfs import Tree

# One VMA of 8 pages at a page-table boundary, pages 0..7 on slots 9..16.
EIGHT_PAGES = """format = "swaptui-scenario/1"
[scenario]
name = "eight"
page_cluster = 3
[swap]
slots = 32
[disk]
kind = "{kind}"
{readahead}
[[mm]]
pid = 1
  [[mm.vma]]
  start = 0x7f0000000000
  pages = 8
  swapped = [[0, 9], [1, 10], [2, 11], [3, 12], [4, 13], [5, 14], [6, 15], [7, 16]]
"""
BOOT_STATE = "[readahead]\nhits = 4\nvma_hits = 4\n"


def _requests(kind: str, readahead: str, table: str) -> list[tuple[int, int]]:
    s = parse_scenario(EIGHT_PAGES.format(kind=kind, readahead=table), "eight.toml")
    run = run_swapoff(s, RunOptions(algorithm="linear", readahead=readahead))
    assert run.result == "ok"
    return [(q.start, q.pages) for q in run.requests]


def test_cluster_readahead_from_zero_hits() -> None:
    # __swapin_nr_pages with page_cluster 3 (at most 8 pages):
    # slot 9: hits 0, not next to prev_offset 0: 1 page.           -> [9]
    # slot 10: hits 0, next to 9: 2 pages, aligned block 10-11.     -> [10, 11]
    # slot 11: in the swap cache, a readahead hit (hits 1).
    # slot 12: hits 1: 3 rounded up to 4, block 12-15.             -> [12..15]
    # slots 13-15 hit (hits 3); slot 16: 5 -> 8, block 16-23, 16 in use -> [16]
    assert _requests("hdd", "cluster-adaptive", "") == [(9, 1), (10, 2), (12, 4), (16, 1)]


def test_cluster_readahead_from_the_boot_state() -> None:
    # slot 9: hits 4: 6 rounded up to 8, block 8-15 (8 is free)    -> [9..15]
    # slots 10-15 hit (hits 6); slot 16: 8 pages, block 16-23      -> [16]
    assert _requests("hdd", "cluster-adaptive", BOOT_STATE) == [(9, 7), (16, 1)]


def test_vma_readahead_from_zero_hits() -> None:
    # the VMA's state: no address, window 0, hits 0.  Page 0: 1 page.  Page 1 follows
    # page 0: 2 pages forward (1-2).  Page 2 hits (hits 1).  Page 3: 4 pages forward
    # (3-6).  Pages 4-6 hit (hits 3); page 7: 8 pages forward, clamped to the VMA: 7.
    assert _requests("ssd", "vma", "") == [(9, 1), (10, 2), (12, 4), (16, 1)]


def test_vma_readahead_from_the_boot_state() -> None:
    # Page 0 with hits 4: 8 pages, no direction yet, so centred (3 before, 4 after),
    # clamped to the VMA's start: pages 0-4.  Pages 1-4 hit (hits 4); page 5 follows
    # page 4: 8 pages forward, clamped to the VMA's end: 5-7.
    assert _requests("ssd", "vma", BOOT_STATE) == [(9, 5), (14, 3)]


def test_readahead_table_round_trips_through_export() -> None:
    s = parse_scenario(
        EIGHT_PAGES.format(kind="hdd", readahead="[readahead]\nhits = 4\nvma_hits = 2\n"), "e"
    )
    assert (s.readahead_hits, s.readahead_vma_hits) == (4, 2)
    text = export_scenario(s)
    assert "[readahead]\nhits = 4\nvma_hits = 2\n" in text
    assert parse_scenario(text, "again") == s
    plain = parse_scenario(EIGHT_PAGES.format(kind="hdd", readahead=""), "p")
    assert (plain.readahead_hits, plain.readahead_vma_hits) == (0, 0)
    assert "[readahead]" not in export_scenario(plain)  # the default is not written


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("hits = 64", "eight.toml:10: readahead.hits: 64 is out of range (0..63)"),
        ("vma_hits = -1", "eight.toml:10: readahead.vma_hits: -1 is out of range (0..63)"),
        ('hits = "4"', "eight.toml:10: readahead.hits: expected an integer, got a string"),
        (
            "window = 4",
            "eight.toml:10: readahead: unknown key 'window' (valid keys: hits, vma_hits)",
        ),
    ],
)
def test_bad_readahead_values_are_refused(table: str, message: str) -> None:
    text = EIGHT_PAGES.format(kind="hdd", readahead="[readahead]\n" + table)
    with pytest.raises(ScenarioError) as err:
        parse_scenario(text, "eight.toml")
    assert str(err.value) == message


# ---------------------------------------------------------------- what capture chooses


def _tree(tmp_path: Path, vmstat: str | None) -> Tree:
    t = Tree(tmp_path).area("/dev/sda2", 4096, used_kib=8)
    t.rotational["sda"] = 1
    t.process(10, "app").vma(0x7F0000000000, 8).swap(0, 3).swap(1, 4)
    t.write()
    if vmstat is not None:
        (t.proc / "vmstat").write_text(vmstat)
    return t


def _capture(t: Tree) -> tuple[int, int, str]:
    text = render(collect(str(t.proc)))
    s = parse_scenario(text, "captured.toml")
    return s.readahead_hits, s.readahead_vma_hits, text


def test_nothing_swapped_in_since_boot_gives_the_boot_state(tmp_path: Path) -> None:
    hits, vma_hits, text = _capture(_tree(tmp_path, "nr_free_pages 1000\npswpin 0\npswpout 812\n"))
    assert (hits, vma_hits) == (4, 4)
    assert "pswpin 0" in text and "boot state" in text


def test_swap_ins_since_boot_leave_the_cluster_count_unknown(tmp_path: Path) -> None:
    # a swap-in fault takes the machine's count and starts again from 0; a VMA never
    # swapped in still reads as 4
    hits, vma_hits, text = _capture(_tree(tmp_path, "pswpin 5145\npswpout 12203\n"))
    assert (hits, vma_hits) == (0, 4)
    assert "5145 pages were swapped in since boot" in text


def test_no_vmstat_is_taken_as_swap_ins_and_said(tmp_path: Path) -> None:
    hits, vma_hits, text = _capture(_tree(tmp_path, None))
    assert (hits, vma_hits) == (0, 4)
    assert "/proc/vmstat unreadable" in text
