"""What the race screen writes about the race around its sides: the header line (the
scenario, disk, speed, simulated clock and readahead) and, until the verdict, how far
the sides are.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from models.narrate import duration, literal
from swaptui.race.model import RA_LABELS, Race


def race_header(race: Race | None, name: str, algorithms: Sequence[str], width: int) -> Text:
    """The header line in `width` columns; `name`: the scenario's, while `race` is
    still being computed (None)."""
    out = Text(no_wrap=True, overflow="ellipsis")
    out.append(" race ", style="bold reverse")
    if race is None:
        out.append(f" {literal(name)} ", style="bold")
        out.append(f"· {' against '.join(algorithms)} · computing…")
        return out
    play = "▶" if race.playing else "‖"
    out.append(f" {literal(race.scenario.name)} ", style="bold")
    out.append(f"· {race.disk} ", style="bold")
    out.append(f"· {play} {race.speed_text()} ", style="bold")
    out.append(
        f"· simulated t = {duration(race.clock_ps)} of {duration(race.end_ps)} ",
        style="bold",
    )
    ra = f"· {RA_LABELS.get(race.readahead, race.readahead)} "
    if out.cell_len + len(ra) <= width:  # rather than cut it in the middle
        out.append(ra)
        out.append(f"· {literal(race.scenario.title)}", style="italic")
    return out


def race_progress(race: Race) -> Text:
    """The verdict's place before the verdict: who is done, who is awaited."""
    done = [s for s in race.sides if s.finished_at(race.clock_ps)]
    out = Text(no_wrap=True, overflow="ellipsis")
    if done:
        first = done[0]
        out.append(f"{first.algorithm} is done in {duration(first.total_ns * 1000)}; ")
        waiting = [s.algorithm for s in race.sides if s not in done]
        out.append(f"waiting for {', '.join(waiting)}")
    else:
        out.append(f"{' against '.join(race.algorithms)}: the verdict comes when all finish")
    out.append(
        f"\n{race.speed_text()}: the race takes {race.wall_seconds():.0f} s · "
        "End: verdict · 1-9: jump · d: disk",
        style="dim",
    )
    return out
