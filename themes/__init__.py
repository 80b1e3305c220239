"""Textual themes and the semantic state colours of swaptui.

Each theme defines the eight state colours exactly once (`Palette`); they travel to
the widgets as Textual theme variables (``$swap-used`` ...), so a theme switch
recolours every panel and CSS can use the same names.  Glyphs are fixed across
themes (`GLYPHS`): colour is never the only cue.
"""

from __future__ import annotations

from attrs import fields, frozen
from textual.theme import Theme

STATES = ("free", "used", "shared", "shmem", "cached", "bad", "head", "cursor")

# One glyph per state, so the swap_map reads on a monochrome projector or with NO_COLOR.
GLYPHS = {
    "free": "·",
    "used": "█",
    "shared": "▒",
    "shmem": "░",
    "cached": "▓",
    "bad": "X",
    "head": "◆",
    "cursor": "◎",
}


@frozen
class Palette:
    """The semantic colours of one theme (hex strings)."""

    free: str
    used: str
    shared: str
    shmem: str
    cached: str
    bad: str
    head: str
    cursor: str
    dim: str  # faded trail, page-table addresses, empty PTEs

    def variables(self) -> dict[str, str]:
        return {f"swap-{f.name}": getattr(self, f.name) for f in fields(Palette)}


def _theme(name: str, palette: Palette, **kwargs: object) -> Theme:
    return Theme(name=name, variables=palette.variables(), **kwargs)  # type: ignore[arg-type]


DARK = _theme(
    "swaptui-dark",
    Palette(
        free="#4a5160",
        used="#5fa8ff",
        shared="#c792ea",
        shmem="#4fd1c5",
        cached="#f0c674",
        bad="#ff5c5c",
        head="#ff9e3d",
        cursor="#ffffff",
        dim="#6b7280",
    ),
    primary="#5fa8ff",
    secondary="#c792ea",
    accent="#ff9e3d",
    foreground="#e6e6e6",
    background="#16181d",
    surface="#1e2128",
    panel="#262a33",
    warning="#f0c674",
    error="#ff5c5c",
    success="#7bd88f",
    dark=True,
)

# For projectors: dark ink on white, saturated enough to survive a washed-out beam.
LIGHT = _theme(
    "swaptui-light",
    Palette(
        free="#9aa1ad",
        used="#1f5fbf",
        shared="#7b2fa8",
        shmem="#00806e",
        cached="#a86b00",
        bad="#c4001a",
        head="#d14900",
        cursor="#000000",
        dim="#6b7280",
    ),
    primary="#1f5fbf",
    secondary="#7b2fa8",
    accent="#d14900",
    foreground="#111111",
    background="#ffffff",
    surface="#f3f4f6",
    panel="#e5e7eb",
    warning="#a86b00",
    error="#c4001a",
    success="#1d7a34",
    dark=False,
)

HIGH_CONTRAST = _theme(
    "swaptui-high-contrast",
    Palette(
        free="#808080",
        used="#ffffff",
        shared="#ffff00",
        shmem="#00ffff",
        cached="#00ff00",
        bad="#ff0000",
        head="#ff00ff",
        cursor="#ffff00",
        dim="#a0a0a0",
    ),
    primary="#ffff00",
    secondary="#00ffff",
    accent="#ff00ff",
    foreground="#ffffff",
    background="#000000",
    surface="#000000",
    panel="#1a1a1a",
    warning="#ffff00",
    error="#ff0000",
    success="#00ff00",
    dark=True,
)

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common
# colour-vision deficiency.
OKABE_ITO = _theme(
    "swaptui-okabe-ito",
    Palette(
        free="#5c5c5c",
        used="#0072B2",
        shared="#CC79A7",
        shmem="#009E73",
        cached="#F0E442",
        bad="#D55E00",
        head="#E69F00",
        cursor="#56B4E9",
        dim="#8a8a8a",
    ),
    primary="#56B4E9",
    secondary="#CC79A7",
    accent="#E69F00",
    foreground="#f0f0f0",
    background="#121212",
    surface="#1b1b1b",
    panel="#262626",
    warning="#F0E442",
    error="#D55E00",
    success="#009E73",
    dark=True,
)

THEMES: tuple[Theme, ...] = (DARK, LIGHT, HIGH_CONTRAST, OKABE_ITO)
THEME_NAMES = tuple(t.name for t in THEMES)
SHORT_NAMES = {"dark": DARK.name, "light": LIGHT.name, "high-contrast": HIGH_CONTRAST.name}
SHORT_NAMES["okabe-ito"] = OKABE_ITO.name
SHORT_NAMES["colorblind"] = OKABE_ITO.name
DEFAULT_THEME = DARK.name
# for Textual's built-in themes (picked from the command palette)
DEFAULT_VARIABLES = DARK.variables


def resolve(name: str) -> str | None:
    """A theme name as typed (`light`, `swaptui-light`) to its registered name, or None."""
    if name in THEME_NAMES:
        return name
    return SHORT_NAMES.get(name)


def palette_of(variables: dict[str, str]) -> dict[str, str]:
    """The state colours of a theme's variables, falling back to the dark theme's."""
    return {
        f.name: variables.get(f"swap-{f.name}", DEFAULT_VARIABLES[f"swap-{f.name}"])
        for f in fields(Palette)
    }
