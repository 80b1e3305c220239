"""Help, details of a slot or PTE, opening a scenario file, and the too-small notice."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Static

MIN_WIDTH, MIN_HEIGHT = 80, 24

KEYS = (
    ("space", "play / pause"),
    ("→  l", "step forward"),
    ("←  h", "step back"),
    ("[  ]", "finer / coarser steps: pte, range, entry, mm, pass"),
    ("+  -", "faster / slower (1 to 1000 frames a second; frames are skipped, never queued)"),
    ("Home  End", "first / last frame"),
    ("a", "next algorithm: legacy, rfc, linear (restarts at frame 0)"),
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


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,enter,space", "dismiss", "close")
    ]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: auto; max-width: 90%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    """

    def compose(self) -> ComposeResult:
        text = Text()
        text.append("swaptui: the Linux swapoff algorithms, frame by frame\n\n", style="bold")
        for key, what in KEYS:
            text.append(f"{key:>10}  ", style="bold")
            text.append(what + "\n")
        text.append(
            "\nLegend: █ in use  ▒ shared (forked)  ░ shmem  ▓ swap cache  ◆ being read"
            "  · free  X bad  ◎ entry in focus  ○ just freed\n"
            "PTEs: · none  ▪ present  ■ just restored  and a swap PTE in its slot's colour\n"
            "Faults (--fault): ↯ a fault fired  ! page lost to a read error (SIGBUS)"
            "  × entry dropped (exit, unlink)  ✝ exited mm\n"
            "\nescape closes this help"
        )
        with VerticalScroll():
            yield Static(text)

    def on_click(self) -> None:
        self.dismiss()


class DetailsScreen(ModalScreen[None]):
    """Who references a slot, and what has happened to it so far."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,enter,space", "dismiss", "close")]
    DEFAULT_CSS = """
    DetailsScreen { align: center middle; }
    DetailsScreen > VerticalScroll {
        width: auto; max-width: 90%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    """

    def __init__(self, title: str, body: Text) -> None:
        super().__init__()
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        with VerticalScroll() as v:
            v.border_title = self.title_text
            yield Static(self.body)

    def on_click(self) -> None:
        self.dismiss()


class OpenScreen(ModalScreen[str | None]):
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
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


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
