"""Words for numbers, names, durations and disk requests: what the narration and the
app's panels say, in one place.  Standard library and the cost model only."""

from __future__ import annotations

from models.cost import DiskModel, ps


def literal(name: str) -> str:
    """A name from a scenario file with control characters spelled out (\\x1b, \\n)."""
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in name)


def duration(ps: int) -> str:
    """Picoseconds to a short human duration: 1.5 ns, 830 µs, 5.2 ms, 12.9 s, 8.0 min."""
    ns = ps / 1000
    if ns < 1000:
        return f"{ns:.3g} ns"
    if ns < 1e6:
        return f"{ns / 1e3:.3g} µs"
    if ns < 1e9:
        return f"{ns / 1e6:.3g} ms"
    if ns < 600e9:  # up to 10 minutes in seconds ("477 s"), never "1.2e+03 s"
        return f"{ns / 1e9:.3g} s"
    return f"{ns / 60e9:.1f} min"


def plural(k: int, word: str) -> str:
    """'1 page', '3 pages', '1,024 swap_map entries'."""
    if k != 1:
        if word.endswith("s"):
            word += "es"
        elif word.endswith("y"):
            word = word[:-1] + "ies"
        else:
            word += "s"
    return f"{k:,} {word}"


def disk_cost(
    model: DiskModel, head: int, start: int, n: int, t_ps: int, write: bool = False
) -> str:
    """`n` pages at disk position `start`, the head at `head`, costing `t_ps`: in words.

    The parts are the cost model's own (models.cost), so they add up to the total and
    follow any change of a constant."""
    parts = model.parts(head, start, n)
    p = model.params
    total = duration(t_ps)
    pages = plural(n, "page")
    if parts.how == "zram":
        verb = "compresses" if write else "decompresses"
        return f"zram {verb} {pages} at {p.zram_page_us:g} µs each = {total}"
    if parts.how == "ssd":
        return (
            f"ssd latency {duration(ps(parts.access))} + {pages} at {p.ssd_mb_s:g} MB/s = {total}"
        )
    transfer = duration(ps(parts.transfer))
    d = start - head
    if parts.how == "at head":
        return f"the head is already there: transfer {pages} ({transfer}) = {total}"
    if parts.how == "gap":
        # short gaps ahead are waited out while the platter turns, no seek
        return (
            f"no seek, the platter turns past {plural(d, 'slot')} ({duration(ps(parts.rotation))}) "
            f"+ transfer {pages} ({transfer}) = {total}"
        )
    return (
        f"seek {plural(abs(d), 'slot')} ({duration(ps(parts.seek))}) + half a rotation "
        f"({duration(ps(parts.rotation))}) + transfer {pages} ({transfer}) = {total}"
    )
