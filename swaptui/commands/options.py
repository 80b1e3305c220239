"""Engine options shared by the app and the commands: algorithm, disk, readahead, costs."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from models.algorithms import ALGORITHMS, REGISTRY
from models.readahead import POLICIES
from models.scenario.limits import COST_BOUNDS, cost_problem
from models.scenario_model import CPU_PARAM_NAMES, DISK_KINDS, DISK_PARAM_NAMES, Fault
from swaptui.errors import UsageError

if TYPE_CHECKING:  # imported when a command runs, not for --help
    from models.engine import RunOptions


def add_engine_options(p: argparse.ArgumentParser, multi_algo: bool) -> None:
    algos = (*ALGORITHMS, "all") if multi_algo else ALGORITHMS
    p.add_argument("--algo", choices=algos, help="algorithm (default: legacy)")
    p.add_argument(
        "--disk", choices=DISK_KINDS, help="disk under the swap area (default: the scenario's)"
    )
    p.add_argument(
        "--readahead", choices=POLICIES, help=f"swap readahead policy (default: {_defaults()})"
    )
    add_extra_options(p)


def _defaults() -> str:
    """'none for legacy; cluster-adaptive for rfc; ... on hdd, vma on ssd/zram': the registry's."""
    groups: dict[str, list[str]] = {}
    for a in REGISTRY:
        by_kind: dict[str, list[str]] = {}
        for kind, policy in a.defaults.items():
            by_kind.setdefault(policy, []).append(kind)
        if len(by_kind) == 1:
            text = next(iter(by_kind))
        else:
            text = ", ".join(f"{policy} on {'/'.join(kinds)}" for policy, kinds in by_kind.items())
        groups.setdefault(text, []).append(a.name)
    return "; ".join(f"{text} for {', '.join(names)}" for text, names in groups.items())


def add_extra_options(p: argparse.ArgumentParser) -> None:
    """The flags every command that runs the engine shares: faults and cost overrides."""
    disk_names = ", ".join(n for n in DISK_PARAM_NAMES if n != "kind")
    p.add_argument(
        "--disk-param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help=f"override a disk cost constant ({disk_names})",
    )
    p.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SPEC",
        help=(
            "inject a fault while swapoff runs (repeatable): enomem:after=N, eintr:after=N, "
            "eio:slot=S, touch:pid=P:after=N, exit:pid=P:after=N, fork:pid=P:after=N, "
            "pressure:pages=K:after=N, unlink:shmem=NAME:after=N (after = slots freed)"
        ),
    )
    p.add_argument(
        "--cpu-param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help=f"override a CPU cost constant ({', '.join(CPU_PARAM_NAMES)})",
    )


def _assignments(values: list[str], flag: str, names: tuple[str, ...]) -> dict[str, float]:
    out: dict[str, float] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageError(f"{flag} {item!r}: expected NAME=VALUE")
        try:
            number = float(value)
        except ValueError:
            raise UsageError(f"{flag} {name}: {value!r} is not a number") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise UsageError(f"{flag} {name}: {value!r} is not a finite number")
        name = name.strip()
        if name in names and name in COST_BOUNDS:  # the engine refuses unknown names
            checked: float = number
            if name == "skip_slots" and number.is_integer():
                checked = int(number)
            problem = cost_problem(name, checked)
            if problem is not None:
                raise UsageError(f"{flag} {name}: {problem}")
        out[name] = number
    return out


def run_options(
    ns: argparse.Namespace, algorithm: str, keep_events: bool, keep_requests: bool = True
) -> RunOptions:
    from models.engine import RunOptions

    return RunOptions(
        algorithm=algorithm,
        readahead=ns.readahead,
        disk=ns.disk,
        disk_params=_assignments(ns.disk_param, "--disk-param", DISK_PARAM_NAMES),
        cpu_params=_assignments(ns.cpu_param, "--cpu-param", CPU_PARAM_NAMES),
        keep_events=keep_events,
        keep_requests=keep_requests,
        faults=parse_faults(getattr(ns, "fault", [])),
    )


def parse_faults(specs: list[str]) -> tuple[Fault, ...]:
    from models.faults import parse_fault

    try:
        return tuple(parse_fault(s) for s in specs)
    except ValueError as e:
        raise UsageError(f"--fault: {e}") from None
