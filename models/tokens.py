"""Content tokens: what each swapped page "contains", so that lost data shows.

Every slot's page carries a 64-bit value derived from (scenario seed, slot).  A read
puts the slot's token into the swap cache; unuse_pte copies whatever the cache holds
into the PTE.  The invariants then check that every PTE ended with its own slot's
token: a PTE restored from the wrong page, or from no page, cannot pass.
"""

from __future__ import annotations

_MASK = (1 << 64) - 1


def token(seed: int, slot: int) -> int:
    """splitmix64 of (seed, slot): well mixed, never 0 for a real page."""
    z = ((seed & 0xFFFFFFFF) << 32 | slot) & _MASK
    z = (z + 0x9E3779B97F4A7C15) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    z ^= z >> 31
    return z or 1
