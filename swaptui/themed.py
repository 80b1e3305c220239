"""The house both apps live in: themes, the remembered choice, the size guard.

`swaptui` (the viewer) and `swaptui race` are thin `App`s over their main screen;
what they share is written here once: the swaptui themes registered and the one to
start with (the command line's, else the saved one, else the dark default), the
choice saved when the user changes it, the "enlarge to 80x24" notice below that size
(the screens keep running behind it) and the theme key; for talks, ctrl+s (a
still of the run, `swaptui.record.still`) and presentation mode (`p`, `--present`:
no key bar, no key hints, no toasts but errors); and what a crash does
(`run_for_status`: one line and a report file, `swaptui.crash`).
"""

from __future__ import annotations

import io
from typing import Any, ClassVar

from rich.console import Console
from textual.binding import Binding, BindingType
from textual.events import Resize
from textual.widgets import Footer

import themes
from swaptui import config, crash
from swaptui.screens.palette import PALETTE_ID, Palette
from swaptui.screens.size_guard import SizeGuardApp
from swaptui.widgets.base import LinePanel


class ThemedApp(SizeGuardApp):
    """An app with swaptui's themes and size guard; subclasses supply the screen."""

    CSS = """
    /* presentation mode: the key bar is noise on a slide */
    .-present Footer { display: none; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save_still", "screenshot", show=False, priority=True),
        Binding("p", "toggle_present", "present", show=False),
    ]
    STILL_WAIT_S = 0.05  # between clearing the toasts and taking the still

    def __init__(
        self, *, theme: str | None = None, remember_theme: bool = True, present: bool = False
    ) -> None:
        self._booted = False  # theme changes before mount are not the user's
        super().__init__()
        self.presenting = present
        self.set_class(present, "-present")
        for t in themes.THEMES:
            self.register_theme(t)
        self.remember_theme = remember_theme
        chosen = themes.resolve(theme) if theme else None
        if chosen is None:
            saved = config.load().get("theme")
            chosen = themes.resolve(saved) if saved else None
        self.theme = chosen or themes.DEFAULT_THEME
        self.crashed: BaseException | None = None  # the first unhandled error
        self.crash_context = ""

    # ---- crashes --------------------------------------------------------------------
    def _handle_exception(self, error: Exception) -> None:
        # Every unhandled error reaches Textual here (handlers, timers, workers).  Textual
        # then closes the app, prints the traceback over the terminal and lets run()
        # return as if all went well: keep the error for run_for_status, print nothing.
        if self.crashed is None:
            self.crashed = error
            # what was on screen, for the report: most crashes depend on it
            try:
                stack = " > ".join(type(s).__name__ for s in self.screen_stack)
            except Exception:  # no screen yet, or the stack is what broke
                stack = "?"
            self.crash_context = f"screens: {stack}; terminal {self.size.width}x{self.size.height}"
        self.error_console = Console(file=io.StringIO())
        super()._handle_exception(error)

    def run_for_status(self, **kwargs: Any) -> int:
        """Run the app; its exit status.  A crash is one line on stderr naming the file
        that holds the traceback, and exit status 70 (`swaptui.crash`)."""
        try:
            result = self.run(**kwargs)
        except Exception as e:  # before or after Textual's own loop (the driver, ...)
            return crash.report(e)
        if self.crashed is not None:
            return crash.report(self.crashed, self.crash_context)
        return result if isinstance(result, int) else 0

    def get_theme_variable_defaults(self) -> dict[str, str]:
        # Textual's own themes (command palette) get the dark theme's state colours
        return dict(themes.DEFAULT_VARIABLES)

    def on_mount(self) -> None:
        self.check_size()
        self._booted = True

    # ---- size -----------------------------------------------------------------------
    def on_resize(self, event: Resize) -> None:
        # App.size follows a debounce timer: the event has the new size now
        self.check_size(event.size.width, event.size.height)

    def check_size(self, w: int | None = None, h: int | None = None) -> None:
        """Below 80x24 the notice covers the screen, which goes on behind it."""
        if w is None or h is None:
            w, h = self.size
        self.fit(w, h)
        self.guard_size(w, h)

    def fit(self, w: int, h: int) -> None:
        """Lay the main screen out for a new size (before the guard looks at it)."""

    def action_command_palette(self) -> None:
        # Nothing opens over the notice: Textual asks only the top screen whether a
        # palette is open, so ctrl+p with the notice over an open palette pushed a second
        # one with the same id (DuplicateIds), and a palette over the notice hid it.
        if not self.too_small and self.use_command_palette and self.screen.id != PALETTE_ID:
            self.push_screen(Palette(id=PALETTE_ID))

    # ---- talks: presentation mode and stills ----------------------------------------
    def action_toggle_present(self) -> None:
        self.set_presenting(not self.presenting)

    def set_presenting(self, on: bool) -> None:
        self.presenting = on
        self.set_class(on, "-present")
        for screen in self.screen_stack:
            for footer in screen.query(Footer):
                footer.refresh(layout=True)
        self.presentation_changed()

    def presentation_changed(self) -> None:
        """Redraw what shows key hints (the subclasses' screens)."""

    def notify(self, message: str, *args: Any, **kwargs: Any) -> None:
        if self.presenting and kwargs.get("severity", "information") != "error":
            return  # a talk's screen shows the run, not the app's chatter
        super().notify(message, *args, **kwargs)

    def action_save_still(self) -> None:
        """Clear the toasts, let the screen repaint without them, then take the still."""
        self.clear_notifications()
        self.set_timer(self.STILL_WAIT_S, self._take_still)

    def _take_still(self) -> None:
        from swaptui.record.still import save_still

        try:
            saved = save_still(self)
        except OSError as e:
            self.notify(f"screenshot not saved: {e.strerror or e}", severity="error")
            return
        self.notify(f"saved {', '.join(saved)}", timeout=4)

    # ---- themes ---------------------------------------------------------------------
    def action_cycle_theme(self) -> None:
        names = themes.THEME_NAMES
        i = names.index(self.theme) if self.theme in names else -1
        self.set_theme(names[(i + 1) % len(names)])

    def set_theme(self, name: str) -> None:
        self.theme = name
        self.notify(f"theme {name}", timeout=2)

    def watch_theme(self, theme: str) -> None:
        if not self._booted:
            return
        if self.remember_theme and theme in themes.THEME_NAMES:
            config.save(theme=theme)
        # the strips of every screen, also those under the one on top, hold old colours
        for screen in self.screen_stack:
            for panel in screen.query(LinePanel):
                panel.clear_caches()
                panel.refresh()
