"""A command imports what it uses: `swaptui --help` stays off the engine, the scenario
parser and generator, and Textual (tests/bench/startup.py measures the time).

Each case runs in a fresh interpreter and lists the modules it ended up with.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

PROBE = """
import contextlib, io, json, sys
from swaptui.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
    main({argv!r})
print(json.dumps(sorted(sys.modules)))
"""

# what reading the flags must not pull in
HEAVY = (
    "textual",
    "rich.console",
    "models.engine",
    "models.timeline",
    "models.narrate",
    "models.scenario.generate",
    "models.scenario.parse",
    "models.scenario.export",
    "swaptui.viewer.player",
)


def _modules(argv: list[str]) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(argv=argv)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(json.loads(out.splitlines()[-1]))


@pytest.mark.parametrize("argv", [["--help"], ["--version"]])
def test_help_reads_no_engine_and_no_textual(argv: list[str]) -> None:
    loaded = _modules(argv)
    assert not [m for m in HEAVY if m in loaded]
    assert "models.algorithms.registry" in loaded  # the names in the help come from it


def test_the_scenario_package_loads_its_parts_on_first_use() -> None:
    """models.scenario's names still resolve (lazily) to the modules that hold them."""
    import models.scenario as scenario
    from models.scenario.load import parse_scenario
    from models.scenario.presets import preset_names

    assert scenario.parse_scenario is parse_scenario
    assert scenario.preset_names is preset_names
    with pytest.raises(AttributeError):
        scenario.no_such_name  # noqa: B018
