"""The one-line panels: the header, the "now" narration and the counters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Footer, Static

from models import events as ev
from models.narrate import FAULT_GLYPH, duration, fault_tag, left_behind, literal, narrate
from models.timeline import FrameView
from swaptui.viewer.player import Player, outcome

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
# what goes next when a badge needs the room: readahead, step size, speed, disk
DROP_ORDER = (3, 4, 5, 2)


Badge = tuple[str, str]  # (text, kind): kind "fault", "result", "broken" or "pass"


def header_badges(player: Player, view: FrameView, computing: bool = False) -> list[Badge]:
    """What a viewer must not miss on this frame: an injected fault firing, a retry
    pass, and on the last frame a run that gave up or left swap entries behind."""
    if computing:
        return []
    out: list[Badge] = []
    e = view.event
    if isinstance(e, ev.FaultFired):
        out.append((f" {FAULT_GLYPH} {fault_tag(e)} ", "fault"))
    if view.counters.passes > 1:
        out.append((f" pass {view.counters.passes} ", "pass"))
    if view.finished:
        done = outcome(player.timeline)
        if done.result != "ok":
            out.append((f" {done.result} ", "result"))
        if done.broken:
            what = f"{done.left:,} left behind" if done.left else "invariants broken"
            out.append((f" ⚠ {what} ", "broken"))
    return out


def header_text(
    player: Player,
    view: FrameView,
    width: int,
    computing: bool = False,
    badges: Sequence[tuple[str, Style | str]] = (),
) -> Text:
    """Everything fits at 80 columns: words are abbreviated before anything is dropped;
    a long scenario name is cut last.  `badges` (text, style) follow the algorithm and
    are never dropped (a long one is cut)."""
    parts = header_parts(player, view, computing)
    room = width - len(parts[0][0])
    fitted: list[tuple[str, Style | str]] = []
    for text, style in badges:
        if len(text) > room - 24:  # leave the rest of the header a little room
            text = text[: max(6, room - 24) - 2] + "… "
        fitted.append((text, style))
        room -= len(text)
    width -= sum(len(t) for t, _s in fitted)
    texts = [full for full, _short, _style in parts]
    if not parts[9][0].strip("· "):
        texts[9] = ""
    for i in SHORTEN_ORDER:
        if sum(len(t) for t in texts) <= width:
            break
        texts[i] = parts[i][1]
    for i in DROP_ORDER if fitted else ():  # badges take precedence over the details
        if sum(len(t) for t in texts) <= width:
            break
        texts[i] = ""
    over = sum(len(t) for t in texts) - width
    if over > 0:
        name = texts[1]
        keep = max(3, len(name) - over - 1)
        texts[1] = name[: keep - 1] + "… " if keep < len(name) else name
    out = Text(no_wrap=True, overflow="ellipsis")
    for i, (text, (_f, _s, style)) in enumerate(zip(texts, parts, strict=True)):
        if text:
            out.append(text, style=style)
        if i == 0:
            for badge, badge_style in fitted:
                out.append(badge, style=badge_style)
    return out


def counters_text(view: FrameView, width: int, hints: bool = True) -> Text:
    if view.frame == 0 and hints:  # presentation mode shows the (zero) counters
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

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._badge_styles: tuple[str, dict[str, Style]] | None = None

    def show(self, player: Player, view: FrameView, computing: bool = False) -> None:
        styles = self.badge_styles()
        badges = [(t, styles[k]) for t, k in header_badges(player, view, computing)]
        # a fixed height (CSS): new text never changes the layout, so none is asked for
        self.update(
            header_text(player, view, max(1, self.size.width), computing, badges), layout=False
        )

    def badge_styles(self) -> dict[str, Style]:
        """The theme's warning and error colours, as badges (recomputed per theme)."""
        try:
            theme = self.app.current_theme
        except Exception:  # a detached header (tests): the dark theme's
            theme = None
        name = theme.name if theme is not None else ""
        if self._badge_styles is None or self._badge_styles[0] != name:
            warning = (theme.warning if theme else None) or "#f0c674"
            error = (theme.error if theme else None) or "#ff5c5c"
            back = (theme.background if theme else None) or "#000000"
            self._badge_styles = (
                name,
                {
                    "fault": Style(color=back, bgcolor=warning, bold=True),
                    "result": Style(color=back, bgcolor=warning, bold=True),
                    "broken": Style(color=back, bgcolor=error, bold=True),
                    "pass": Style(bold=True, reverse=True),
                },
            )
        return self._badge_styles[1]


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
            done = outcome(player.timeline) if view.finished else None
            if done is not None and done.broken:
                run = player.timeline.run
                sentence = left_behind(run.algorithm, done.left, done.problems)
        rows = max(1, self.size.height - 1) if self.size.height else 2
        lines = now_lines(sentence, width, min(2, rows))
        while len(lines) < min(2, rows):
            lines.append("")
        parts = [Text(line, no_wrap=True, overflow="ellipsis", style="bold") for line in lines]
        parts.append(counters_text(view, width, hints=not getattr(self.app, "presenting", False)))
        self.update(Text("\n", no_wrap=True, overflow="ellipsis").join(parts), layout=False)


class KeyFooter(Footer):
    """Textual's Footer, minus a leak: each recompose (every refresh_bindings) binds
    new keys to the footer's `compact` reactive, and Textual drops the watchers of
    removed keys only when `compact` itself changes, which it never does here.  So
    the old keys (widgets with their styles and message queues) piled up, about
    2 MiB per 200 key presses.  Here they are dropped at each compose."""

    def compose(self) -> ComposeResult:
        watchers: dict[str, list[tuple[Any, Any]]] = getattr(self, "__watchers", {})
        for found in watchers.values():
            found[:] = [(node, cb) for node, cb in found if not node._closing]
        yield from super().compose()
