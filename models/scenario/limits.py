"""Size limits of a scenario: they keep a bad or hostile file from eating the machine.

The first three are fixed by scenario-format.md; the others are ours, and realistic.
"""

MAX_MMS = 4096
MAX_SLOTS = 1 << 26  # 256 GiB of 4 KiB slots: servers have areas this big
MAX_REFERENCES = 1 << 22
MAX_VMAS = 65530  # the kernel's default vm.max_map_count
MAX_SHMEM_FILES = 65536
MAX_SHARERS = 62  # SWAP_MAP_MAX: the largest swap count swap_map stores inline
MAX_PID = 1 << 22  # PID_MAX_LIMIT on 64-bit


def over_limit(noun: str, limit: int, count: int | None = None, why: str = "") -> str:
    """The one wording of every limit error: "too many mms: 4097, the limit is 4096"."""
    if not why and limit > 0 and limit & (limit - 1) == 0:
        why = f"2**{limit.bit_length() - 1}"
    have = str(count) if count is not None else f"more than {limit}"
    return f"too many {noun}: {have}, the limit is {limit}" + (f" ({why})" if why else "")
