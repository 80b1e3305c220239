"""The command palette, taking a choice or a key only while it is open.

Textual's palette runs a command when it gets a selection: Enter on the highlighted
command, or a click on one.  Both arriving together (found by the soak, #18 item 6)
post two selections; the first closes the palette and runs its command, the second
reaches the closed palette, whose dismiss() pops the top screen whoever asks: the
main screen, the last one (ScreenStackError), and it would run a command the user
no longer sees.  Likewise a key typed into the palette as a click on its background
closed it (seed 12): the closed palette searched again for it and showed the matches
in a list that was gone (NoMatches in a worker).  A selection, Enter, button press or
change of the typed text that reaches the palette once it is no longer in front is
dropped (the "enlarge" notice over it aside: a choice made just before a shrink
still runs, under the notice).
"""

from __future__ import annotations

from textual import on
from textual.command import CommandPalette
from textual.message import Message
from textual.widgets import Button, Input, OptionList

from swaptui.screens.modals import in_front

PALETTE_ID = "--command-palette"  # the id Textual's own ctrl+p gives it


class Palette(CommandPalette):
    @on(OptionList.OptionSelected)
    @on(Input.Submitted)
    @on(Button.Pressed)
    @on(Input.Changed)
    def _drop_when_closed(self, event: Message) -> None:
        if not in_front(self):
            # handled before the base class's handlers, which prevent_default skips
            event.stop()
            event.prevent_default()
