"""The race screen's help: its keys and what its bars and head chart show."""

from __future__ import annotations

from swaptui.race.model import RACE_SECONDS
from swaptui.screens.modals import HelpScreen

RACE_KEYS = (
    ("space", "pause / play (at the end: race again)"),
    ("+  -", f"faster / slower (1x: the slower side takes about {RACE_SECONDS:.0f} s)"),
    ("1 … 9  0", "jump to 10% … 90% of the race's time; 0: the start"),
    ("End", "jump to the verdict"),
    ("Home", "start the race again"),
    ("d", "next disk: hdd, ssd, zram (the race restarts: watch the verdict move)"),
    ("r", "readahead: each algorithm's own, none, on for all (restarts)"),
    ("z", "zoom: the slots the race is about, or the whole swap area"),
    ("s", "source pane: the pseudo-C line each side is running"),
    ("t", "next theme"),
    ("escape", "back to the single-run screen (quit when started as swaptui race)"),
    ("q", "quit"),
)


class RaceHelp(HelpScreen):
    TITLE = "race: two or three algorithms, one scenario, one clock"
    KEYS = RACE_KEYS
    NOTES = (
        "Bars: where each side's simulated time went (one scale for all sides), and the\n"
        "pages it holds in the swap cache now (one scale too; the peak is written).\n"
        "Head chart: head position request by request (x: the requests, y: the slots):\n"
        "a ramp reads in order, a storm seeks.\n"
    )
