"""Regenerate the screenshots in README.md and docs/ from the current app (a script, not
a test: pytest does not collect docs/).

    python docs/pictures.py            # all of them (about ten seconds: kelley-50m is
                                       # generated and run)
    python docs/pictures.py race-      # those whose file name starts with race-

Each picture is the app (or the race) on a preset, at a size and theme, after a few
keys, exported as SVG by Textual itself.  Runs are built before the screen comes up
and the race is paused, so the same code makes the same pictures.  After a UI change,
run this and look at the pictures before committing them; tests/test_docs_pictures.py
checks that every picture the docs show is one this script makes.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

from attrs import frozen

DOCS = Path(__file__).resolve().parent


@frozen
class Picture:
    file: str  # under docs/
    scenario: str  # a preset
    algorithm: str  # "race" for a race of legacy against linear
    size: tuple[int, int]
    theme: str
    keys: tuple[str, ...] = ()
    race_at: float | None = None  # the race's clock, as a share of its end
    algos: tuple[str, ...] = ("legacy", "linear")  # the sides of a race


PICTURES = (
    Picture("app-80x24-dark.svg", "demo", "legacy", (80, 24), "dark", ("5",)),
    Picture("app-120x36-kelley-legacy.svg", "kelley-50m", "legacy", (120, 36), "dark", ("5",)),
    Picture("app-120x36-kelley-linear.svg", "kelley-50m", "linear", (120, 36), "light", ("5",)),
    Picture("app-160x48-linear.svg", "demo", "linear", (160, 48), "dark", ("4", "s")),
    Picture("app-250x70-light.svg", "fragmented", "linear", (250, 70), "light", ("3",)),
    Picture("race-160x48-dark.svg", "demo", "race", (160, 48), "dark", (), race_at=0.3),
    Picture("race-verdict-80x24-light.svg", "demo", "race", (80, 24), "light", ("end",)),
    Picture("race-kelley-50m-120x36.svg", "kelley-50m", "race", (120, 36), "dark", ("end",)),
    Picture("app-120x36-hugh-test.svg", "hugh-test", "linear", (120, 36), "dark", ("5",)),
    Picture(
        "race-hugh-test-160x48.svg",
        "hugh-test",
        "race",
        (160, 48),
        "dark",
        ("end",),
        algos=("legacy", "linear", "prefetch"),
    ),
)


async def shoot(pic: Picture) -> str:
    """The picture as SVG text."""
    from models.scenario import load_preset
    from swaptui.race.model import Race
    from swaptui.race.screen import RaceApp
    from swaptui.viewer.app import SwapApp
    from swaptui.viewer.player import RunKey, build_timeline

    scenario = load_preset(pic.scenario)
    app: SwapApp | RaceApp
    if pic.algorithm == "race":
        race = Race(scenario, pic.algos)
        app = RaceApp(race, theme=pic.theme, remember_theme=False, autoplay=False)
    else:
        key = RunKey(pic.algorithm, None, None)
        timeline = build_timeline(scenario, key)
        app = SwapApp(scenario, timeline, key, theme=pic.theme, remember_theme=False)
    async with app.run_test(size=pic.size) as pilot:
        await pilot.pause()
        if pic.race_at is not None and isinstance(app, RaceApp) and app.race is not None:
            app.race.seek(int(app.race.end_ps * pic.race_at))
            app.main.show_race()
        for key in pic.keys:
            await pilot.press(key)
        await pilot.pause()
        await pilot.pause()
        return app.export_screenshot(title="swaptui")


def main(argv: list[str]) -> int:
    os.environ.setdefault("SWAPTUI_CONFIG_DIR", tempfile.mkdtemp())  # never the user's
    os.environ["TEXTUAL_ANIMATIONS"] = "none"
    sys.path.insert(0, str(DOCS.parent))
    chosen = [p for p in PICTURES if not argv or any(p.file.startswith(a) for a in argv)]
    for pic in chosen:
        svg = asyncio.run(shoot(pic))
        (DOCS / pic.file).write_text(svg, encoding="utf-8")
        print(f"docs/{pic.file}: {pic.scenario} {pic.algorithm} {pic.size[0]}x{pic.size[1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
