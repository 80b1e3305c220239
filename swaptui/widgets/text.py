"""The one-line panels: the header, the "now" narration and the counters."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from models.narrate import duration, literal, narrate
from models.timeline import FrameView
from swaptui.player import Player

ALGORITHM_TITLES = {
    "legacy": "try_to_unuse (3.14)",
    "rfc": "the 2014 RFC",
    "linear": "try_to_unuse (5.1+)",
    "linear-5.1": "try_to_unuse (5.1, no lookup)",
}
HINT = "space play · → step · ← back · [ ] step size · ? help · q quit"


def compact(n: int) -> str:
    """611,204 -> 611k: counters must stay short at 80 columns."""
    if n < 10_000:
        return f"{n:,}"
    if n < 10_000_000:
        return f"{n / 1000:.0f}k"
    return f"{n / 1e6:.0f}M"


def header_parts(player: Player, view: FrameView) -> list[tuple[str, str]]:
    """(text, style) pieces, most important first; the header keeps what fits."""
    run = player.timeline.run
    play = "▶" if player.playing else "‖"
    return [
        (f" {run.algorithm} ", "bold reverse"),
        (f" {literal(run.scenario.name)} ", "bold"),
        (f"{play} {player.speed}/s ", "bold"),
        (f"frame {view.frame:,}/{view.frames - 1:,} ", ""),
        (f"t = {duration(view.time_ps)} ", "bold"),
        (f"· {run.disk} · readahead {run.readahead} ", ""),
        (f"· step {view.granularity} ", ""),
        (f"· {ALGORITHM_TITLES.get(run.algorithm, '')} ", "italic"),
        (f"· {literal(run.scenario.title)} ", "italic"),
    ]


def header_text(player: Player, view: FrameView, width: int) -> Text:
    parts = header_parts(player, view)
    keep: list[tuple[str, str]] = []
    used = 0
    for text, style in parts:
        if used + len(text) <= width:
            keep.append((text, style))
            used += len(text)
    # shown in their natural order: algorithm, scenario, disk, readahead, play state ...
    order = [0, 1, 5, 6, 7, 8, 2, 3, 4]
    out = Text(no_wrap=True, overflow="ellipsis")
    for i in order:
        if parts[i] in keep:
            out.append(parts[i][0], style=parts[i][1])
    return out


def counters_text(view: FrameView, width: int) -> Text:
    if view.frame == 0:
        return Text(HINT, no_wrap=True, overflow="ellipsis", style="italic")
    c = view.counters
    items = [
        ("unuse_pte_range", compact(c.unuse_pte_range_calls)),
        ("ptes", compact(c.ptes_scanned)),
        ("unuse_pte", compact(c.unuse_pte_calls)),
        ("unuse_mm", compact(c.unuse_mm_calls)),
        ("reads", compact(c.pages_read)),
        ("requests", compact(c.io_requests)),
        ("ra hits", compact(c.readahead_hits)),
        ("cpu", duration(c.cpu_ps)),
        ("io", duration(c.io_ns * 1000)),
        ("cache peak", compact(c.swapcache_peak)),
        ("pass", str(c.passes)),
    ]
    out = Text(no_wrap=True, overflow="ellipsis")
    for i, (name, value) in enumerate(items):
        piece = f"{name} {value}"
        if out.cell_len + len(piece) + 3 > width and i > 0:
            break
        if i:
            out.append(" · ", style="dim")
        out.append(name + " ", style="dim")
        out.append(value, style="bold")
    return out


class Header(Static):
    DEFAULT_CSS = """
    Header { height: 1; background: $panel; color: $foreground; text-wrap: nowrap; }
    """

    def show(self, player: Player, view: FrameView) -> None:
        self.update(header_text(player, view, max(1, self.size.width)))


class NowLine(Static):
    """What just happened, in words (models.narrate), then the spec's counters."""

    DEFAULT_CSS = """
    NowLine { height: 2; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def show(self, player: Player, view: FrameView) -> None:
        now = Text(narrate(view, player.timeline.machine), no_wrap=True, overflow="ellipsis")
        text = Text("\n", no_wrap=True, overflow="ellipsis").join(
            [now, counters_text(view, max(1, self.size.width))]
        )
        self.update(text)
