"""The Rich table of `swaptui run`: one column per algorithm, counters as rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from models.engine import RunResult
from models.faults import fault_spec
from models.narrate import duration, literal
from swaptui.commands.run import NotApplicable, Outcome


def human_ns(ns: int) -> str:
    """A duration a person reads at a glance (the narration's format)."""
    return duration(ns * 1000)


_TIME_ROWS = ("cpu_ns", "io_ns", "write_ns", "reread_ns", "total_ns")
# the counters of memory pressure (docs/engine.md, section 9)
_PRESSURE_ROWS = ("pages_dropped", "pages_written", "pages_reread", "write_ns", "reread_ns")
_READAHEAD_SHORT = {"cluster-adaptive": "cl-adapt"}
_LABEL = 21  # the longest counter name (unuse_pte_range_calls): never cut


def _layout(width: int, names: list[str]) -> tuple[bool, int]:
    """(boxed, room per value column).  Boxed while every algorithm's name fits in its
    column; on a narrow terminal (five algorithms at 80 columns) the lines between the
    columns go, one space apart, so that no name is cut."""
    n = max(1, len(names))
    boxed = (width - _LABEL - 2 - n * 3 - 1) // n  # borders and padding around each
    if boxed >= max(len(a) for a in names):
        return True, boxed
    return False, (width - _LABEL - n) // n


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


def print_table(results: Sequence[Outcome], console: Console | None = None) -> None:
    """One column per algorithm; an algorithm that did not run shows "n/a" and why."""
    console = console or Console()
    ran = [o for o in results if not isinstance(o, NotApplicable)]
    first = ran[0][0]
    title = Text("swapoff of ")
    # literal text: names never become markup
    title.append(literal(first.scenario.name), style="bold")
    title.append(f" · {first.scenario.slots:,} slots · disk {first.disk}")
    names = [o.algorithm if isinstance(o, NotApplicable) else o[0].algorithm for o in results]
    boxed, room = _layout(console.width, names)
    # the title is its own line, not the table's: a table's title wraps at the table's
    # width, which for one algorithm is half the terminal ("disk hdd" went below)
    if boxed:
        table = Table()
    else:
        table = Table(
            box=box.SIMPLE_HEAD,
            padding=(0, 0, 0, 1),
            pad_edge=False,
            show_edge=False,
        )
    # counter names are kernel names: never cut them
    table.add_column("", style="dim", no_wrap=True)
    for name in names:
        table.add_column(name, justify="right", no_wrap=True)

    def row(name: str, cell: Callable[[RunResult, list[str]], str | Text], na: str = "-") -> None:
        table.add_row(
            name,
            *(Text(na, style="dim") if isinstance(o, NotApplicable) else cell(*o) for o in results),
            end_section=name == "io_errors",
        )

    table.add_row(
        "readahead",
        *(
            _fit(
                o.readahead if isinstance(o, NotApplicable) else o[0].readahead,
                _READAHEAD_SHORT,
                room,
            )
            for o in results
        ),
    )
    row(
        "result",
        lambda r, _p: Text(r.result, style="green" if r.result == "ok" else "yellow"),
        na="n/a",
    )
    row(
        "invariants",
        lambda _r, p: (
            Text("ok", style="green") if not p else Text(f"{len(p)} broken", style="bold red")
        ),
    )

    def counter(name: str) -> Callable[[RunResult, list[str]], str]:
        def cell(r: RunResult, _problems: list[str]) -> str:
            value = r.counters.as_dict()[name]
            return human_ns(value) if name in _TIME_ROWS else _count(value, room)

        return cell

    pressure = first.final.mem is not None
    for name in first.counters.as_dict():
        if name in _PRESSURE_ROWS and not pressure:
            continue  # no reclaim without memory pressure: five rows of zeros
        row(name, counter(name))
    if len(ran) > 1:
        best = min(r.counters.total_ns for r, _ in ran)
        row("vs fastest", lambda r, _p: f"{r.counters.total_ns / best:.1f}x" if best else "-")
    console.print(title)
    console.print(table)
    for o in results:
        if isinstance(o, NotApplicable):
            console.print(Text(f"{o.algorithm}: n/a: {o.reason}", style="dim"))
    for i, f in enumerate(first.faults):
        fired = [(r.algorithm, dict(r.fired)[i]) for r, _ in ran if i in dict(r.fired)]
        line = Text(f"fault {literal(fault_spec(f))}: ", style="yellow")
        line.append(
            ", ".join(f"{a} at {human_ns(t)}" for a, t in fired) if fired else "never fired"
        )
        console.print(line)
    for r, problems in ran:
        for p in problems[:5]:
            console.print(Text(f"{r.algorithm}: invariant broken: {p}", style="red"))
