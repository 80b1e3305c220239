"""Where the app gets scenarios: `models.scenario` (presets and files)."""

from __future__ import annotations

from models.scenario import ScenarioError, load_scenario, preset_names
from models.scenario_model import Mm, Scenario, ShmemFile, Vma

__all__ = ["ScenarioError", "largest_preset", "load", "preset_names"]


def load(ref: str) -> Scenario:
    """A preset name or a path; ScenarioError (one line) when it cannot be used."""
    try:
        return load_scenario(ref)
    except OSError:
        # models.scenario listed `demo` before its preset file existed (work in
        # progress when this was written): fall back to a small built-in one
        if ref == "demo":
            return _fallback_demo()
        raise


def _fallback_demo() -> Scenario:
    """Three processes and a tmpfs file, their pages interleaved on 64 slots."""
    base = 0x7F00_0000_0000
    slot = iter(range(1, 64))
    a = [(i, next(slot)) for i in range(12)]
    b = [(i, next(slot)) for i in range(10)]
    c = [(i, next(slot)) for i in range(300, 312)]
    shm = [(i, next(slot)) for i in range(6)]
    return Scenario(
        name="demo",
        title="three processes and a tmpfs file",
        slots=64,
        bad=(60,),
        mms=(
            Mm(101, "firefox", None, (Vma(base, 96, True, ((40, 60),), a),)),
            Mm(102, "sshd", None, (Vma(base + (1 << 30), 48, True, (), b),)),
            Mm(103, "postgres", None, (Vma(base + (2 << 30), 1024, True, ((0, 100),), c),)),
        ),
        shmem=(ShmemFile("/dev/shm/pulse", 16, shm),),
    )


def largest_preset() -> str:
    """The preset with the most swap references (presets that fail to load are skipped)."""
    best, size = "demo", -1
    for name in preset_names():
        try:
            n = load(name).swap_references()
        except Exception:  # a preset still being written must not break the caller
            continue
        if n > size:
            best, size = name, n
    return best
