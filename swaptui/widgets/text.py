"""The one-line panels: the header, the "now" narration and the counters."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Footer, Static

from models import events as ev
from models.algorithms import algorithm
from models.narrate import FAULT_GLYPH, duration, fault_tag, left_behind, literal, narrate
from models.timeline import FrameView
from swaptui.viewer.jobs import Job, bar
from swaptui.viewer.player import Player, outcome
from swaptui.widgets.numbers import count, plural

HINT = "space play · → step · ← back · 1-9 jump · [ ] step size · z zoom · c race · ? help · q quit"
READAHEAD_SHORT = {"cluster-adaptive": "adaptive"}


def wall(seconds: float) -> str:
    """How long playing takes, in wall time: 48 s, 2.5 min, 1.4 h."""
    if seconds < 100:
        return f"{seconds:.0f} s"
    if seconds < 6000:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.1f} h"


def header_parts(player: Player, view: FrameView, ready: bool = True) -> list[tuple[str, str, str]]:
    """(full text, short text, style) pieces in display order; "" short: may be dropped.

    Before the first run is ready only the algorithm and the scenario are known: the
    rest (disk, frames, time) would be numbers of no run at all."""
    run = player.timeline.run
    name = literal(player.scenario.name)
    head = [
        (f" {player.key.algorithm} ", f" {player.key.algorithm} ", "bold reverse"),
        (f" {name} ", f" {name} ", "bold"),
    ]
    if not ready:
        return head
    ra = run.readahead
    g, speed = view.granularity, player.speed
    state = "▶" if player.playing else "‖"
    last = max(view.frames - 1, 0)
    return [
        *head,
        (f"· {run.disk} ", f"· {run.disk} ", ""),
        (f"· readahead {ra} ", f"· ra {READAHEAD_SHORT.get(ra, ra)} ", ""),
        # play state, and the pace the run was given (viewer.pace): what it makes of it
        (
            f"· {state} {g} {speed}/s: {wall(player.play_seconds())} a run ",
            f"· {state} {g} {speed}/s ",
            "bold",
        ),
        (f"· frame {view.frame:,}/{last:,} ", f"· {view.frame:,}/{last:,} ", ""),
        (f"· simulated t = {duration(view.time_ps)} ", f"· t {duration(view.time_ps)} ", "bold"),
        (f"· {algorithm(run.algorithm).title} ", "", "italic"),
        (f"· {literal(run.scenario.title)} ", "", "italic"),
    ]


# what is shortened first when the header does not fit
SHORTEN_ORDER = (8, 7, 3, 4, 6, 5)
# what goes before the scenario's name is cut: the readahead; and when a badge needs the
# room, the disk and the pace too
DROP_ORDER = (3,)
BADGE_DROP_ORDER = (3, 2, 4)


Badge = tuple[str, str]  # (text, kind): "fault", "result", "broken", "pass" or "busy"


def header_badges(
    player: Player, view: FrameView, job: Job | None = None, ready: bool = True
) -> list[Badge]:
    """What a viewer must not miss on this frame: a run being computed, an injected fault
    firing, a retry pass, and on the last frame a run that gave up or left swap entries
    behind."""
    out: list[Badge] = []
    if job is not None:
        out.append((f" ⟳ {job.short()} ", "busy"))
    if not ready:
        return out
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
    ready: bool = True,
    badges: Sequence[tuple[str, Style | str]] = (),
) -> Text:
    """Everything fits at 80 columns: words are abbreviated before anything is dropped;
    a long scenario name is cut last.  `badges` (text, style) follow the algorithm and
    are never dropped (a long one is cut)."""
    parts = header_parts(player, view, ready)
    room = width - len(parts[0][0])
    fitted: list[tuple[str, Style | str]] = []
    for text, style in badges:
        if len(text) > room - 24:  # leave the rest of the header a little room
            text = text[: max(6, room - 24) - 2] + "… "
        fitted.append((text, style))
        room -= len(text)
    width -= sum(len(t) for t, _s in fitted)
    texts = [full for full, _short, _style in parts]
    if len(parts) > 8 and not parts[8][0].strip("· "):
        texts[8] = ""
    for i in SHORTEN_ORDER:
        if sum(len(t) for t in texts) <= width:
            break
        if i < len(parts):
            texts[i] = parts[i][1]
    for i in BADGE_DROP_ORDER if fitted else DROP_ORDER:  # badges come before details
        if sum(len(t) for t in texts) <= width:
            break
        if i < len(parts):
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


def counter_items(view: FrameView) -> list[tuple[str, str]]:
    """The run's counters so far, most telling first (the tail is cut when narrow)."""
    c = view.counters
    # under memory pressure what reclaim did comes right after the reads it caused
    pressure = (
        [
            ("written", count(c.pages_written)),
            ("dropped", count(c.pages_dropped)),
            ("re-read", count(c.pages_reread)),
        ]
        if view.state.mem is not None
        else []
    )
    return [
        ("unuse_pte_range", count(c.unuse_pte_range_calls)),
        ("PTEs", count(c.ptes_scanned)),
        ("unuse_pte", count(c.unuse_pte_calls)),
        ("unuse_mm", count(c.unuse_mm_calls)),
        ("reads", count(c.pages_read)),
        *pressure,
        ("requests", count(c.io_requests)),
        ("cpu", duration(c.cpu_ps)),
        ("io", duration(c.io_ns * 1000)),
        (
            "swap cache",
            f"{plural(view.state.cache_size, 'page')} (peak {count(c.swapcache_peak)})",
        ),
        ("readahead hits", count(c.readahead_hits)),
        ("passes", str(c.passes)),
    ]


def counters_text(view: FrameView, width: int, hints: bool = True) -> Text:
    """'so far: unuse_pte_range 11.3M · PTEs 2.89G · ...', cut at a whole item."""
    if view.frame == 0 and hints:  # presentation mode shows the (zero) counters
        return Text(HINT, no_wrap=True, overflow="ellipsis", style="italic")
    return so_far(counter_items(view), width)


def so_far(items: Iterable[tuple[str, str]], width: int | None = None) -> Text:
    """Running counters as one line, 'so far: name value · name value ...': the main
    screen's and each race side's.  With a `width`, cut at a whole item."""
    out = Text(no_wrap=True, overflow="ellipsis")
    out.append("so far: ", style="dim italic")
    for i, (name, value) in enumerate(items):
        piece = f"{name} {value}"
        if width is not None and out.cell_len + len(piece) + 3 > width and i > 0:
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

    def show(
        self, player: Player, view: FrameView, job: Job | None = None, ready: bool = True
    ) -> None:
        styles = self.badge_styles()
        badges = [(t, styles[k]) for t, k in header_badges(player, view, job, ready)]
        # a fixed height (CSS): new text never changes the layout, so none is asked for
        self.update(header_text(player, view, max(1, self.size.width), ready, badges), layout=False)

    def badge_styles(self) -> dict[str, Style]:
        """The theme's warning and error colours, as badges (recomputed per theme)."""
        try:
            theme = self.app.current_theme
        except RuntimeError:  # a header with no active app (tests): the dark theme's
            theme = None
        name = theme.name if theme is not None else ""
        if self._badge_styles is None or self._badge_styles[0] != name:
            warning = (theme.warning if theme else None) or "#f0c674"
            error = (theme.error if theme else None) or "#ff5c5c"
            back = (theme.background if theme else None) or "#000000"
            accent = (theme.accent if theme else None) or "#5fa8ff"
            self._badge_styles = (
                name,
                {
                    "fault": Style(color=back, bgcolor=warning, bold=True),
                    "result": Style(color=back, bgcolor=warning, bold=True),
                    "broken": Style(color=back, bgcolor=error, bold=True),
                    "pass": Style(bold=True, reverse=True),
                    "busy": Style(color=back, bgcolor=accent, bold=True),
                },
            )
        return self._badge_styles[1]


def progress_text(player: Player, view: FrameView, width: int) -> Text:
    """'▕█████▌      ▏ frame 6,400 of 12,801 · simulated 2.12 s of 4.25 s': where in the
    run this frame is, as a bar as wide as the line allows."""
    end = player.timeline.run.counters.total_ns * 1000
    last = max(view.frames - 1, 1)
    now, total = duration(view.time_ps), duration(end)
    # (the header has said once that times are simulated)
    forms = (
        f" frame {view.frame:,} of {last:,} · t {now} of {total} · 1-9: 10%…90%",
        f" frame {view.frame:,} of {last:,} · t {now} of {total}",
        f" {view.frame:,}/{last:,} · {now} of {total}",
    )
    words = next((f for f in forms if width - len(f) - 2 >= width // 3), forms[-1])
    cells = max(4, width - len(words) - 2)
    out = Text(no_wrap=True, overflow="ellipsis")
    out.append(bar(view.frame / last, cells), style="dim")
    out.append(words, style="dim")
    return out


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

    def show(
        self, player: Player, view: FrameView, job: Job | None = None, ready: bool = True
    ) -> None:
        width = max(1, self.size.width)
        rows = max(2, self.size.height or 3)  # lines: the sentence's, then the counters
        if job is not None:
            # what is being computed comes first: a key press is never followed by silence
            line = job.line(width=width)
            parts = [Text(line, no_wrap=True, overflow="ellipsis", style="bold")]
            if ready:
                parts.append(
                    Text("the run on screen stays until the new one is ready", style="dim")
                )
                parts.append(counters_text(view, width))
            else:
                parts.append(Text("? help · q quit", style="dim italic"))
            self.update(Text("\n", no_wrap=True, overflow="ellipsis").join(parts), layout=False)
            return
        sentence = narrate(view, player.timeline.machine)
        done = outcome(player.timeline) if view.finished else None
        if done is not None and done.broken:
            run = player.timeline.run
            sentence = left_behind(run.algorithm, done.left, done.problems)
        # the sentence takes the lines it needs (two at most); a line it leaves over
        # shows where in the run the frame is
        lines = now_lines(sentence, width, max(1, min(2, rows - 1)))
        parts = [Text(line, no_wrap=True, overflow="ellipsis", style="bold") for line in lines]
        if len(parts) < rows - 1:
            parts.append(progress_text(player, view, width))
        while len(parts) < rows - 1:
            parts.append(Text(""))
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
