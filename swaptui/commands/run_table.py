"""The Rich table of `swaptui run`: one column per algorithm, counters as rows."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from models.engine import RunResult
from models.faults import fault_spec
from models.narrate import duration, literal


def human_ns(ns: int) -> str:
    """A duration a person reads at a glance (the narration's format)."""
    return duration(ns * 1000)


_TIME_ROWS = ("cpu_ns", "io_ns", "total_ns")
_READAHEAD_SHORT = {"cluster-adaptive": "cl-adaptive"}


def _fit(text: str, short: dict[str, str], room: int) -> str:
    """The short name when the full one would be cut (narrow terminals)."""
    return short.get(text, text) if len(text) > room else text


def _count(value: int, room: int) -> str:
    """12,345,678 when it fits, else 12.3M: a number is never cut."""
    full = f"{value:,}"
    if len(full) <= room:
        return full
    for scale, suffix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= scale:
            return f"{value / scale:.3g}{suffix}"
    return full


def print_table(results: list[tuple[RunResult, list[str]]], console: Console | None = None) -> None:
    console = console or Console()
    first = results[0][0]
    title = Text("swapoff of ")
    # literal text: names never become markup
    title.append(literal(first.scenario.name), style="bold")
    title.append(f" · {first.scenario.slots:,} slots · disk {first.disk}")
    table = Table(title=title, title_justify="left")
    # counter names are kernel names: never cut them
    table.add_column("", style="dim", no_wrap=True)
    for r, _ in results:
        table.add_column(r.algorithm, justify="right")
    # room per value column (label column of 21, padding and borders around each)
    room = (console.width - 21 - 2 - len(results) * 3 - 1) // max(1, len(results))
    table.add_row("readahead", *(_fit(r.readahead, _READAHEAD_SHORT, room) for r, _ in results))
    table.add_row(
        "result",
        *(Text(r.result, style="green" if r.result == "ok" else "yellow") for r, _ in results),
    )
    table.add_row(
        "invariants",
        *(
            Text("ok", style="green") if not p else Text(f"{len(p)} broken", style="bold red")
            for _, p in results
        ),
    )
    names = list(first.counters.as_dict())
    for name in names:
        values = [r.counters.as_dict()[name] for r, _ in results]
        cells = [human_ns(v) if name in _TIME_ROWS else _count(v, room) for v in values]
        table.add_row(name, *cells, end_section=name == "io_errors")
    if len(results) > 1:
        best = min(r.counters.total_ns for r, _ in results)
        table.add_row(
            "vs fastest",
            *(f"{r.counters.total_ns / best:.1f}x" if best else "-" for r, _ in results),
        )
    console.print(table)
    for i, f in enumerate(first.faults):
        fired = [(r.algorithm, dict(r.fired)[i]) for r, _ in results if i in dict(r.fired)]
        line = Text(f"fault {literal(fault_spec(f))}: ", style="yellow")
        line.append(
            ", ".join(f"{a} at {human_ns(t)}" for a, t in fired) if fired else "never fired"
        )
        console.print(line)
    for r, problems in results:
        for p in problems[:5]:
            console.print(Text(f"{r.algorithm}: invariant broken: {p}", style="red"))
