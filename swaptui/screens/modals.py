"""Help, details of a slot or PTE, opening a scenario file, and the too-small notice."""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Static

from swaptui.viewer.player import ALGO_CYCLE

MIN_WIDTH, MIN_HEIGHT = 80, 24
R = TypeVar("R")

KEYS = (
    ("space", "play / pause"),
    ("→  l", "step forward"),
    ("←  h", "step back"),
    (
        "[  ]",
        "finer / coarser steps (pte, range, entry, mm, pass, ordered by the frames each"
        " makes of this run: for legacy mm is finer than entry)",
    ),
    ("+  -", "faster / slower (1 to 1000 frames a second; frames are skipped, never queued)"),
    ("1 … 9  0", "jump to 10% … 90% of the run; 0: the start"),
    ("Home  End", "first / last frame"),
    ("z", "zoom: the slots the run is about, or the whole swap area"),
    ("a", f"next algorithm: {', '.join(ALGO_CYCLE)} (restarts at frame 0)"),
    ("d", "next disk: hdd, ssd, zram"),
    ("r", "next readahead: default, none, cluster, cluster-adaptive, vma"),
    ("c", "race: this algorithm against another on one clock, with a verdict"),
    ("s", "source pane: the pseudo-C line running now (beside the panels from 160 columns)"),
    ("o", "open a scenario file or preset"),
    ("t", "next theme: dark, light, high-contrast, okabe-ito"),
    ("ctrl+s", "save an SVG screenshot in the current directory"),
    ("ctrl+p", "command palette"),
    ("?", "this help"),
    ("q", "quit"),
    ("click", "a slot or a PTE: who references it and what happened to it"),
)


def in_front(screen: Screen[Any]) -> bool:
    """Is `screen` the one the user sees on top (the "enlarge" notice aside)?

    A key or click reaches a screen through that screen's own queue: one pressed just
    before another screen came over it is handled after, and Textual's dismiss() pops
    the top screen, whoever asks.  Help's escape popped the command palette opened
    over it (ctrl+p), the palette crashed gathering its commands (NoMatches); the
    race's escape popped its own help, and the next escape dismissed the race a
    second time (InvalidStateError).  Such a late key is dropped instead.
    """
    stack = [s for s in screen.app.screen_stack if not isinstance(s, TooSmallScreen)]
    return bool(stack) and stack[-1] is screen


class Dialog(ModalScreen[R]):
    """A dialog that closes only while it is in front (see `in_front`)."""

    def action_close(self, result: R | None = None) -> None:
        if in_front(self):
            self.dismiss(result)


class HelpScreen(Dialog[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,enter,space", "close", "close")
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 96; max-width: 96%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    HelpScreen > VerticalScroll > Static { width: 100%; height: auto; }
    """

    # what a screen's help says: a title, its keys, then notes (subclasses change them)
    TITLE = "swaptui: the Linux swapoff algorithms, frame by frame"
    KEYS: tuple[tuple[str, str], ...] = KEYS
    NOTES = (
        "Legend: █ in use  ▒ shared (forked)  ░ shmem  ▓ swap cache  ◆ being read"
        "  · free  X bad  ◎ entry in focus  ○ just freed\n"
        "PTEs: 12 a swap PTE holding slot 12, on its slot's colour (narrow: the slot's"
        " glyph, the slots after the line)  ▪ present  ■ just restored  · none\n"
        "Faults (--fault): ↯ a fault fired  ! page lost to a read error (SIGBUS)"
        "  × entry dropped (exit, unlink)  ✝ exited mm\n"
        "Every run gets its own pace: the step size and speed that play it in about a"
        " minute (the header says which); what you choose with [ ] + - stays.\n"
        "Times are simulated (the engine's cost model), not the time on your clock.\n"
    )

    def compose(self) -> ComposeResult:
        # a grid, so that a long description wraps under itself, not under the keys
        keys = Table.grid(padding=(0, 2))
        keys.add_column(style="bold", no_wrap=True)
        keys.add_column(ratio=1)
        for key, what in self.KEYS:
            keys.add_row(key, what)
        title = Text(self.TITLE + "\n", style="bold")
        notes = Text("\n" + self.NOTES + "\nescape closes this help")
        with VerticalScroll():
            yield Static(Group(title, keys, notes))

    def on_click(self) -> None:
        self.action_close()


class DetailsScreen(Dialog[None]):
    """Who references a slot, and what has happened to it so far."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,enter,space", "close", "close")]
    # a scroll container sized `auto` measures its children at no width: it drew an
    # empty 4x2 box.  The box is as wide as the longest line (within the screen), the
    # text as wide as the box, and as tall as it needs.
    DEFAULT_CSS = """
    DetailsScreen { align: center middle; }
    DetailsScreen > VerticalScroll {
        width: 60; max-width: 95%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    DetailsScreen > VerticalScroll > Static { width: 100%; height: auto; }
    """
    MIN_WIDTH, MAX_WIDTH = 40, 110

    def __init__(self, title: str, body: Text) -> None:
        super().__init__()
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        longest = max((len(line) for line in self.body.plain.splitlines()), default=0)
        longest = max(longest, len(self.title_text) + 4)
        with VerticalScroll() as v:
            v.border_title = self.title_text
            # border and padding: 4 columns around the text
            v.styles.width = max(self.MIN_WIDTH, min(self.MAX_WIDTH, longest + 4))
            yield Static(self.body)

    def on_click(self) -> None:
        self.action_close()


class OpenScreen(Dialog[str | None]):
    """Ask for a scenario file (or a preset name)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "cancel")]
    DEFAULT_CSS = """
    OpenScreen { align: center middle; }
    OpenScreen > Vertical {
        width: 70; max-width: 95%; height: auto;
        border: round $accent; background: $surface; padding: 0 1;
    }
    """

    def __init__(self, presets: list[str]) -> None:
        super().__init__()
        self.presets = presets

    def compose(self) -> ComposeResult:
        with Vertical() as v:
            v.border_title = "open a scenario"
            yield Static(Text("a file path or a preset: " + ", ".join(self.presets)))
            yield Input(placeholder="scenario.toml", id="path")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_close(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.action_close(None)


class TooSmallScreen(Screen[None]):
    """Shown below 80x24; the run goes on behind it."""

    DEFAULT_CSS = """
    TooSmallScreen { align: center middle; }
    TooSmallScreen > Static { width: 100%; height: auto; content-align: center middle;
        text-align: center; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "app.quit", "quit")]

    def compose(self) -> ComposeResult:
        yield Static(id="msg")

    def on_mount(self) -> None:
        self.update_size()

    def on_resize(self) -> None:
        self.update_size()

    def update_size(self) -> None:
        w, h = self.app.size
        self.query_one("#msg", Static).update(
            Text(f"enlarge to {MIN_WIDTH}x{MIN_HEIGHT}\n(now {w}x{h})", style="bold")
        )
