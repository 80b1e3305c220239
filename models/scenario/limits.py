"""Size limits of a scenario: they keep a bad or hostile file from eating the machine.

Each is checked as early as it can be: the file's size and its keys' depth before
the TOML parser runs (load.py), a [generate] recipe's bounds before the generator
runs (genspec.py), the counts of an explicit file while it is converted (parse.py),
and the rest with the other rules (validate_header.py, validate.py).  The README lists them all.

The sizes are set so that the largest legal scenario runs each algorithm in about a
minute and within 1 GB on the reference machine (2 cores): 2**21 swapped references
is 8 GiB of swapped memory, a little more than the vineeth-6g preset (1,572,864).
"""

MAX_MMS = 4096
MAX_SLOTS = 1 << 26  # 256 GiB of 4 KiB slots: servers have areas this big
MAX_REFERENCES = 1 << 21  # swapped references (anon PTEs and shmem pages)
MAX_RESIDENT_RANGES = 1 << 20  # [first, end) ranges of resident pages, all VMAs together
MAX_VMAS = 65530  # in one mm: the kernel's default vm.max_map_count
MAX_TOTAL_VMAS = 1 << 18  # in all mms together
MAX_SHMEM_FILES = 65536
MAX_SHARERS = 62  # SWAP_MAP_MAX: the largest swap count swap_map stores inline
MAX_PID = 1 << 22  # PID_MAX_LIMIT on 64-bit
MAX_LOAD_PAGES = 1 << 21  # pages a [load] touches while swapoff runs (8 GiB)
MAX_POPULATED = 1 << 24  # pages a [generate] recipe populates (64 GiB), counted per mm

# The text itself, before the TOML parser sees it.  The parser holds about 11 bytes
# per byte of text, and takes seconds per megabyte: 32 MiB is about 350 MB and 15 s,
# and holds 1.7 million swapped references in the explicit form (export writes about
# 19 bytes a reference).  Bigger machines are written as [generate] recipes.
MAX_FILE_BYTES = 32 << 20
# Dotted key parts (`a.b.c = 1` has 3, as has the header `[a.b.c]`): the format's
# deepest key has 2 (`[[mm.vma]]`).  The parser's memory grows with the square of a
# key's parts: one 40,000-part key (an 80 KB file) took 6.3 GB.
MAX_KEY_PARTS = 8


def over_limit(noun: str, limit: int, count: int | None = None, why: str = "") -> str:
    """The one wording of every limit error: "too many mms: 4097, the limit is 4096"."""
    if not why and limit > 0 and limit & (limit - 1) == 0:
        why = f"2**{limit.bit_length() - 1}"
    have = str(count) if count is not None else f"more than {limit}"
    return f"too many {noun}: {have}, the limit is {limit}" + (f" ({why})" if why else "")


# The cost constants' bounds: name -> (lowest, highest, unit).  Each keeps one
# operation at or under about a second of simulated time, so that every total stays a
# finite number (pte_ns = 1e308 overflowed the cost model) and a slider-like mistake
# is caught; the lower ends keep rates and the swap area's share of the disk above
# zero, where the cost model divides by them.
COST_BOUNDS: dict[str, tuple[float, float, str]] = {
    # [disk]
    "rpm": (60.0, 1e6, "rpm"),
    "hdd_mb_s": (0.01, 1e6, "MB/s"),
    "track_ms": (1e-6, 1e3, "ms"),
    "stroke_ms": (1e-6, 1e3, "ms"),
    "span": (1e-6, 1.0, "(the swap area's share of the disk)"),
    "skip_slots": (0, MAX_SLOTS, "slots"),
    "ssd_request_us": (1e-6, 1e6, "µs"),
    "ssd_mb_s": (0.01, 1e6, "MB/s"),
    "zram_page_us": (1e-6, 1e6, "µs"),
    # [cpu]
    "pte_ns": (0.0, 1e9, "ns"),
    "range_ns": (0.0, 1e9, "ns"),
    "mm_ns": (0.0, 1e9, "ns"),
    "unuse_pte_ns": (0.0, 1e9, "ns"),
    "slot_scan_ns": (0.0, 1e9, "ns"),
}


def _num(x: float) -> str:
    """16777216, 60, 0.01, 1e9, 1e-6: as one would type them in the file."""
    if float(x).is_integer() and abs(x) < 1e8:
        return str(int(x))
    return f"{x:g}".replace("e+0", "e").replace("e-0", "e-").replace("e+", "e")


def cost_problem(name: str, value: float) -> str | None:
    """What is wrong with a cost constant's value (None if nothing): one wording for
    the scenario file and the --disk-param/--cpu-param flags."""
    low, high, unit = COST_BOUNDS[name]
    if name == "skip_slots":
        if type(value) is not int or not low <= value <= high:
            return f"must be an integer from {_num(low)} to {_num(high)} {unit}, got {value!r}"
        return None
    if value != value or not low <= value <= high:  # NaN fails every comparison
        return f"must be a number from {_num(low)} to {_num(high)} {unit}, got {value!r}"
    return None
