"""Facts about the machine besides its processes: memory, swap-ins, the disk under swap.

Each reader returns None when its file is missing or unreadable (the capture then says
what it assumed instead); a file that is not a regular file is `BadTree`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from swaptui.capture.files import first_line, lines, read_text
from swaptui.capture.proc import SwapArea, unescape


def read_meminfo_kib(proc: Path, key: str) -> int | None:
    try:
        text = read_text(proc / "meminfo")
    except OSError:
        return None
    for line in lines(text):
        if line.startswith(key + ":"):
            try:
                return int(line.split()[1])
            except (IndexError, ValueError):
                return None
    return None


def read_vmstat(proc: Path, key: str) -> int | None:
    """One counter of /proc/vmstat (`pswpin`: pages swapped in since boot)."""
    try:
        text = read_text(proc / "vmstat")
    except OSError:
        return None
    for line in lines(text):
        name, _, value = line.partition(" ")
        if name == key:
            return int(value) if value.strip().isdigit() else None
    return None


def sys_root_for(proc: Path) -> Path | None:
    """The sysfs tree that goes with a /proc tree.

    The live /proc pairs with /sys.  A copied tree (--proc-root DIR) pairs with a `sys`
    directory beside it (DIR/../sys), which is how a copy taken elsewhere is laid out:
    `capture/proc` and `capture/sys`.
    """
    if proc.resolve() == Path("/proc"):
        return Path("/sys") if Path("/sys/block").is_dir() else None
    candidate = proc.parent / "sys"
    return candidate if candidate.is_dir() else None


def _strip_partition(name: str) -> str:
    # sda2 -> sda, nvme0n1p3 -> nvme0n1, mmcblk0p1 -> mmcblk0
    m = re.fullmatch(r"(.*\d)p\d+", name)
    if m and (name.startswith(("nvme", "mmcblk", "loop", "nbd"))):
        return m.group(1)
    return re.sub(r"\d+$", "", name)


def _mount_device(proc: Path, path: str) -> str | None:
    """The block device holding `path`: the longest mount point that prefixes it."""
    try:
        text = read_text(proc / "mounts")
    except OSError:
        return None
    best: tuple[int, str] | None = None
    for line in lines(text):
        fields = line.split()
        if len(fields) < 2:
            continue
        device, mount = unescape(fields[0]), unescape(fields[1])
        inside = path == mount or path.startswith(mount.rstrip("/") + "/")
        if inside and device.startswith("/dev/") and (best is None or len(mount) > best[0]):
            best = (len(mount), device)
    return best[1] if best else None


def _area_device(proc: Path, area: SwapArea) -> tuple[str | None, str]:
    """(the block device an area is on, or None when no mount holds its file; for a
    file, where it lives, said the way disk_kind explains itself)."""
    if area.kind == "partition":
        device, how = area.filename, ""
    else:
        found = _mount_device(proc, area.filename)
        if found is None:
            return None, ""
        device, how = found, f"the file lives on {found}; "
    if proc.resolve() == Path("/proc") and os.path.islink(device):
        device = os.path.realpath(device)  # /dev/mapper/x -> /dev/dm-0
    return device, how


def whole_disk(proc: Path, area: SwapArea) -> str | None:
    """The disk an area lies on (sda for /dev/sda2, or for a file on a partition of
    sda), to tell whether two areas share one; None when unknown."""
    device, _how = _area_device(proc, area)
    return None if device is None else _strip_partition(os.path.basename(device))


def disk_kind(proc: Path, area: SwapArea) -> tuple[str | None, str]:
    """(hdd|ssd|zram or None when unknown, how we found out)."""
    device, how = _area_device(proc, area)
    if device is None:
        return None, "no mount in /proc/mounts holds the swap file"
    name = os.path.basename(device)
    if re.fullmatch(r"zram\d+", name):
        return "zram", how + f"{name} is a compressed RAM disk"
    sys_root = sys_root_for(proc)
    if sys_root is None:
        return None, how + "no sysfs tree beside the /proc tree"
    candidates = [
        sys_root / "class" / "block" / name / "queue" / "rotational",
        sys_root / "class" / "block" / name / ".." / "queue" / "rotational",
        sys_root / "block" / name / "queue" / "rotational",
        sys_root / "block" / _strip_partition(name) / "queue" / "rotational",
    ]
    for c in candidates:
        value = first_line(c)
        if value in ("0", "1"):
            # shown relative to the sysfs root: the root may be a user's directory
            shown = os.path.normpath(c.relative_to(sys_root))
            return ("hdd" if value == "1" else "ssd"), how + f"sys/{shown} = {value}"
    return None, how + f"no queue/rotational for {name} in sysfs"
