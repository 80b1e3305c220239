"""Hypothesis profiles: `ci` runs every property test at its full count, `dev` at a
quarter of it, for a quick loop.  conftest.py registers both and loads the one named by
$HYPOTHESIS_PROFILE (default `dev`); CI sets HYPOTHESIS_PROFILE=ci.

A property test asks for `examples(N)`: N examples under `ci`, N/4 under `dev` (at
least 10), so each test keeps its own weight relative to the others under both.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

ENV = "HYPOTHESIS_PROFILE"
DEFAULT = "dev"
SCALE = {"ci": 1.0, "dev": 0.25}


def register() -> str:
    """Register both profiles and load the chosen one; returns its name."""
    common = {
        # a loaded 2-core machine makes any per-example deadline a coin toss
        "deadline": None,
        "suppress_health_check": [HealthCheck.too_slow],
        "print_blob": True,  # a failure prints the line that replays it
    }
    # property tests without examples() get Hypothesis's 100, scaled the same way
    settings.register_profile("ci", max_examples=100, **common)
    settings.register_profile("dev", max_examples=25, **common)
    name = os.environ.get(ENV, DEFAULT)
    if name not in SCALE:
        raise ValueError(f"{ENV}={name!r}: expected one of {', '.join(SCALE)}")
    settings.load_profile(name)
    return name


def examples(n: int) -> int:
    """`n` examples under the ci profile, a quarter of them under dev."""
    scale = SCALE.get(os.environ.get(ENV, DEFAULT), SCALE[DEFAULT])
    return max(10, round(n * scale)) if n >= 10 else n
