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
HINT = "space play · → step · ← back · [ ] step size · c race · s source · ? help · q quit"


def compact(n: int) -> str:
    """611,204 -> 611k: counters must stay short at 80 columns."""
    if n < 10_000:
        return f"{n:,}"
    if n < 10_000_000:
        return f"{n / 1000:.0f}k"
    return f"{n / 1e6:.0f}M"


READAHEAD_SHORT = {"cluster-adaptive": "adaptive"}


def header_parts(
    player: Player, view: FrameView, computing: bool = False
) -> list[tuple[str, str, str]]:
    """(full text, short text, style) pieces in display order; "" short: may be dropped."""
    run = player.timeline.run
    if computing:
        play, play_short = "… computing the run", "… computing"
    elif player.playing:
        play, play_short = f"▶ playing {player.speed}/s", f"▶ {player.speed}/s"
    else:
        play, play_short = f"‖ paused {player.speed}/s", f"‖ {player.speed}/s"
    ra = run.readahead
    last = max(view.frames - 1, 0)
    return [
        (f" {run.algorithm} ", f" {run.algorithm} ", "bold reverse"),
        (f" {literal(run.scenario.name)} ", f" {literal(run.scenario.name)} ", "bold"),
        (f"· {run.disk} ", f"· {run.disk} ", ""),
        (f"· readahead {ra} ", f"· ra {READAHEAD_SHORT.get(ra, ra)} ", ""),
        (f"· step {view.granularity} ", f"· {view.granularity} ", ""),
        (f"· {play} ", f"· {play_short} ", "bold"),
        (f"· frame {view.frame:,}/{last:,} ", f"· {view.frame:,}/{last:,} ", ""),
        (f"· t = {duration(view.time_ps)} ", f"· {duration(view.time_ps)} ", "bold"),
        (f"· {ALGORITHM_TITLES.get(run.algorithm, '')} ", "", "italic"),
        (f"· {literal(run.scenario.title)} ", "", "italic"),
    ]


# what is shortened first when the header does not fit
SHORTEN_ORDER = (9, 8, 3, 6, 4, 5, 7)


def header_text(player: Player, view: FrameView, width: int, computing: bool = False) -> Text:
    """Everything fits at 80 columns: words are abbreviated before anything is dropped;
    a long scenario name is cut last."""
    parts = header_parts(player, view, computing)
    texts = [full for full, _short, _style in parts]
    if not parts[9][0].strip("· "):
        texts[9] = ""
    for i in SHORTEN_ORDER:
        if sum(len(t) for t in texts) <= width:
            break
        texts[i] = parts[i][1]
    over = sum(len(t) for t in texts) - width
    if over > 0:
        name = texts[1]
        keep = max(3, len(name) - over - 1)
        texts[1] = name[: keep - 1] + "… " if keep < len(name) else name
    out = Text(no_wrap=True, overflow="ellipsis")
    for text, (_f, _s, style) in zip(texts, parts, strict=True):
        if text:
            out.append(text, style=style)
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

    def show(self, player: Player, view: FrameView, computing: bool = False) -> None:
        self.update(header_text(player, view, max(1, self.size.width), computing))


def now_lines(sentence: str, width: int, lines: int = 2) -> list[str]:
    """The narration wrapped on words into at most `lines` lines of `width`.

    Kernel function names are single words, so they are never cut; only a sentence
    too long for every line loses its tail (with an ellipsis).
    """
    words = sentence.split(" ")
    out: list[str] = [""]
    for word in words:
        cur = out[-1]
        if not cur:
            out[-1] = word
        elif len(cur) + 1 + len(word) <= width:
            out[-1] = f"{cur} {word}"
        else:
            out.append(word)
    if len(out) > lines:
        tail = " ".join(out[lines - 1 :])
        out = [*out[: lines - 1], tail]
    out = [line if len(line) <= width else line[: max(0, width - 1)] + "…" for line in out]
    return out


class NowLine(Static):
    """What just happened, in words (models.narrate, up to two lines), then the counters."""

    DEFAULT_CSS = """
    NowLine { height: 3; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def show(self, player: Player, view: FrameView, computing: bool = False) -> None:
        width = max(1, self.size.width)
        if computing:
            sentence = "computing the run (engine and timeline): the frames appear in a moment"
        else:
            sentence = narrate(view, player.timeline.machine)
        rows = max(1, self.size.height - 1) if self.size.height else 2
        lines = now_lines(sentence, width, min(2, rows))
        while len(lines) < min(2, rows):
            lines.append("")
        parts = [Text(line, no_wrap=True, overflow="ellipsis", style="bold") for line in lines]
        parts.append(counters_text(view, width))
        self.update(Text("\n", no_wrap=True, overflow="ellipsis").join(parts))
