"""Run one swapoff: pick the algorithm and readahead, apply the cost model, collect events."""

from __future__ import annotations

from collections.abc import Callable

from attrs import evolve, field, frozen

from models import events as ev
from models.algorithms.registry import ALGORITHMS, BY_NAME
from models.cost import CpuCost, DiskModel
from models.counters import Counters
from models.faults import check_faults, with_fork_children
from models.inject import Injector
from models.machine import Machine
from models.readahead import POLICIES
from models.run import Run
from models.scenario.limits import cost_problem
from models.scenario_model import CPU_PARAM_NAMES, DISK_KINDS, DISK_PARAM_NAMES, Fault, Scenario
from models.state import State


class OptionError(ValueError):
    """An option combination the engine refuses (the CLI turns it into exit status 2)."""


def _pairs(value: object) -> tuple[tuple[str, float], ...]:
    return tuple((str(k), float(v)) for k, v in dict(value).items())  # type: ignore[call-overload]


@frozen
class RunOptions:
    """How to run a scenario: algorithm, readahead policy, disk kind and cost overrides."""

    algorithm: str = "legacy"
    readahead: str | None = None  # None: the algorithm's default on its disk (the registry's)
    disk: str | None = None  # None: the scenario's disk kind
    disk_params: tuple[tuple[str, float], ...] = field(default=(), converter=_pairs)
    cpu_params: tuple[tuple[str, float], ...] = field(default=(), converter=_pairs)
    keep_events: bool = True
    keep_requests: bool = True  # the disk requests alone (for --trace), even without events
    faults: tuple[Fault, ...] = ()  # injected besides the scenario's own


def configure(scenario: Scenario, options: RunOptions) -> tuple[Scenario, str]:
    """The scenario with the option's disk and cost overrides applied, and the readahead policy."""
    if options.algorithm not in ALGORITHMS:
        raise OptionError(
            f"unknown algorithm {options.algorithm!r} (choose from {', '.join(ALGORITHMS)})"
        )
    disk = scenario.disk
    if options.disk is not None:
        if options.disk not in DISK_KINDS:
            raise OptionError(
                f"unknown disk {options.disk!r} (choose from {', '.join(DISK_KINDS)})"
            )
        disk = disk.with_kind(options.disk)
    if options.disk_params:
        values = disk.as_dict()
        for name, value in options.disk_params:
            if name not in DISK_PARAM_NAMES or name == "kind":
                valid = ", ".join(n for n in DISK_PARAM_NAMES if n != "kind")
                raise OptionError(f"unknown disk parameter {name!r} (valid: {valid})")
            if name == "skip_slots" and float(value).is_integer():
                value = int(value)
            # the bounds of the scenario file and the flags, for callers in code too
            problem = cost_problem(name, value)
            if problem is not None:
                raise OptionError(f"disk parameter {name} {problem}")
            values[name] = value
        disk = type(disk)(**values)  # type: ignore[arg-type]
    cpu = scenario.cpu
    if options.cpu_params:
        values_c: dict[str, float] = cpu.as_dict()
        for name, value in options.cpu_params:
            if name not in CPU_PARAM_NAMES:
                raise OptionError(
                    f"unknown cpu parameter {name!r} (valid: {', '.join(CPU_PARAM_NAMES)})"
                )
            problem = cost_problem(name, value)
            if problem is not None:
                raise OptionError(f"cpu parameter {name} {problem}")
            values_c[name] = value
        cpu = type(cpu)(**values_c)
    algorithm = BY_NAME[options.algorithm]
    readahead = options.readahead or algorithm.default_readahead(disk.kind)
    if readahead not in POLICIES:
        raise OptionError(f"unknown readahead {readahead!r} (choose from {', '.join(POLICIES)})")
    if readahead in algorithm.refused:
        raise OptionError(algorithm.refused[readahead])
    return evolve(scenario, disk=disk, cpu=cpu), readahead


@frozen
class RunResult:
    scenario: Scenario
    algorithm: str
    readahead: str
    result: str
    counters: Counters
    events: tuple[ev.Event, ...] | None
    requests: tuple[ev.DiskRequest, ...]
    machine: Machine = field(eq=False)
    final: State = field(eq=False)
    faults: tuple[Fault, ...] = ()  # every fault asked for (scenario's, then the options')
    fired: tuple[tuple[int, int], ...] = ()  # (index in `faults`, time in ns) of those fired
    writes: tuple[ev.PageOut, ...] = ()  # reclaim's writes to the fresh area (memory pressure)

    @property
    def disk(self) -> str:
        return self.scenario.disk.kind


def run_swapoff(
    scenario: Scenario,
    options: RunOptions = RunOptions(),
    machine: Machine | None = None,
    progress: Callable[[float], None] | None = None,
) -> RunResult:
    """Simulate swapoff of the scenario's swap area; deterministic for the same inputs.

    `progress`, if given, is called now and then with the fraction of slots freed.
    """
    configured, readahead = configure(scenario, options)
    faults = configured.faults + options.faults
    try:
        check_faults(configured, faults)
    except ValueError as e:
        raise OptionError(str(e)) from None
    walked, children = with_fork_children(configured, faults)
    if machine is None or machine.scenario != walked:
        machine = Machine(walked, unborn=frozenset(children.values()))
    run = Run(
        machine,
        options.algorithm,
        readahead,
        DiskModel(configured.disk, configured.slots),
        CpuCost.from_params(configured.cpu),
        keep_events=options.keep_events,
        keep_requests=options.keep_requests,
        faults=faults,
    )
    if any(f.kind not in ("enomem", "eio") for f in faults):
        run.poll = Injector(run, faults, children).poll
    run.progress = progress
    BY_NAME[options.algorithm].try_to_unuse(run)
    return RunResult(
        scenario=configured,
        algorithm=options.algorithm,
        readahead=readahead,
        result=run.state.result,
        counters=run.state.counters,
        events=tuple(run.events) if run.events is not None else None,
        requests=tuple(run.requests or ()),
        machine=machine,
        final=run.state,
        faults=faults,
        fired=tuple(run.fired),
        writes=tuple(run.writes or ()),
    )
