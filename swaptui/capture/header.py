"""The part of a captured scenario that comes from the machine, not its processes.

The disk kind, page-cluster, free memory (and the other swap area reclaim would write
to), the readahead state and the scenario's name
and title, from the facts `swaptui.capture.host` reads, each with a note saying where
it came from or what was assumed instead.
"""

from __future__ import annotations

import re

from attrs import define

from models.scenario_model import PAGE_SIZE, DiskParams, FreshArea, Mm, Scenario, ShmemFile
from swaptui.capture.notes import Namer, Notes


@define
class Host:
    """Facts about the machine besides its processes."""

    hostname: str | None = None
    release: str | None = None
    page_cluster: int | None = None
    mem_available_kib: int | None = None
    pswpin: int | None = None  # pages swapped in since boot (/proc/vmstat)
    disk: str | None = None
    disk_how: str = ""
    other_rotational: tuple[str, ...] = ()  # other active areas on rotational disks
    vma_readahead_off: bool = False  # /sys/kernel/mm/swap/vma_ra_enabled is false
    when: str = ""
    # another active area, where reclaim writes while this one is swapped off: its
    # name, its free slots and whether it shares this area's disk (the highest priority)
    other_area: tuple[str, int, bool] | None = None


def other_area(host: Host, namer: Namer, notes: Notes) -> FreshArea | None:
    """The other active swap area as the fresh area reclaim writes to (or None)."""
    if host.other_area is None:
        return None
    name, free, shared = host.other_area
    if free < 1:
        notes.approximations.append(
            f"{namer.file(name)} is active but full: reclaim has nowhere to write"
        )
        return None
    where = "on the same disk" if shared else "on another disk (or one not known)"
    notes.approximations.append(
        f"{namer.file(name)}, the other active area with the highest priority, is where "
        f"reclaim writes: its {free:,} free slots become the [fresh] area, {where}"
    )
    return FreshArea(slots=free + 1, disk="shared" if shared else "own")


def readahead_start(host: Host, notes: Notes) -> tuple[int, int]:
    """The hit counts readahead starts from: ([readahead] hits, vma_hits).

    Cluster readahead keeps one count for the machine: Linux boots with 4, and every
    swap-in fault takes it and starts again from 0.  A machine that swapped nothing in
    since boot still has 4; otherwise it holds what the last faults left, which /proc
    does not show, and 0 is taken.  VMA readahead keeps a count per VMA, and a VMA that
    never had a swap-in reads as 4 whatever happened elsewhere.  The pages still on swap
    at swapoff mostly belong to VMAs nobody touched since, so 4 is taken for every VMA
    (the kernel test checks both against Linux 6.1's readahead hit counters).
    """
    pswpin = host.pswpin
    if pswpin == 0:
        notes.approximations.append(
            "readahead: nothing was swapped in since boot (/proc/vmstat pswpin 0), so "
            "readahead starts from Linux's boot state: hits 4, and 4 for every VMA"
        )
        return 4, 4
    if pswpin is None:
        seen = "/proc/vmstat unreadable: what earlier swap-ins left is unknown"
    else:
        seen = f"{pswpin} pages were swapped in since boot (/proc/vmstat pswpin)"
    notes.approximations.append(
        f"readahead: {seen}; cluster readahead's hit count assumed 0 (what a swap-in "
        "fault leaves), 4 for every VMA (a VMA never swapped in reads as 4, and the "
        "pages still on swap mostly belong to such VMAs)"
    )
    return 0, 4


def machine_scenario(
    host: Host,
    namer: Namer,
    notes: Notes,
    slots: int,
    mms: tuple[Mm, ...],
    shmem: tuple[ShmemFile, ...],
) -> Scenario:
    """The scenario around the captured mms and files: disk, page-cluster, memory,
    readahead, name and title, from the host's facts, noting every assumption."""
    disk = host.disk
    if disk is None:
        notes.approximations.append(
            f"disk kind unknown ({host.disk_how}): assumed ssd; try `--disk hdd` when running"
        )
        disk = "ssd"
    else:
        notes.approximations.append(f"disk kind {disk}: {host.disk_how}")
    if disk != "hdd" and (host.other_rotational or host.vma_readahead_off):
        why = (
            "VMA readahead is switched off (vma_ra_enabled)"
            if host.vma_readahead_off
            else f"{namer.file(host.other_rotational[0])} is on a rotational disk"
        )
        notes.approximations.append(
            f"readahead policy: Linux uses cluster readahead here, as {why}; swaptui "
            f"chooses by this area's disk: run with --readahead cluster-adaptive"
        )
    notes.approximations.append(
        "disk and CPU cost parameters are swaptui's defaults for that kind, not measured here"
    )
    page_cluster = 3
    if host.page_cluster is None:
        notes.approximations.append("vm.page-cluster unreadable: assumed the default, 3")
    else:
        page_cluster = min(max(host.page_cluster, 0), 5)
        if page_cluster != host.page_cluster:
            notes.resolved.append(
                f"vm.page-cluster = {host.page_cluster} clamped to {page_cluster}"
            )
    free_pages = None
    fresh = None
    if host.mem_available_kib is not None:
        free_pages = host.mem_available_kib // (PAGE_SIZE // 1024)
        notes.approximations.append(
            f"free memory: MemAvailable ({host.mem_available_kib} KiB) taken as the pages "
            "free when swapoff starts; when they run out reclaim drops and writes pages "
            "(docs/engine.md, section 9); delete [memory] and [fresh] for no limit"
        )
        fresh = other_area(host, namer, notes)
    else:
        notes.approximations.append("free memory unknown (/proc/meminfo): no limit")
    ra_hits, ra_vma_hits = readahead_start(host, notes)
    notes.approximations.append("bad slots are not visible in /proc: none marked")
    notes.approximations.append(
        "swap cache: pages both in RAM and on swap are not visible in pagemap, so none "
        "start in the swap cache"
    )
    notes.approximations.append(
        "shmem: only swapped pages that pagemap reports inside shared mappings are "
        "modelled; tmpfs/shm pages whose PTEs were cleared, and unmapped tmpfs files, "
        "are missing; shmem_swaplist order = first seen"
    )
    name = "capture"
    if host.hostname and not namer.anonymize:
        tail = re.sub(r"[^a-z0-9-]+", "-", host.hostname.lower()).strip("-")
        name = f"capture-{tail}"[:64].rstrip("-") if tail else name
    title = "captured with swaptui capture"
    if not namer.anonymize and host.hostname:
        title += f" on {host.hostname}"
    if host.release:
        title += f", Linux {host.release}"
    if host.when:
        title += f", {host.when}"
    return Scenario(
        name=name,
        slots=slots,
        title=title,
        page_cluster=page_cluster,
        disk=DiskParams().with_kind(disk),
        free_pages=free_pages,
        reclaim=free_pages is not None,
        fresh=fresh,
        readahead_hits=ra_hits,
        readahead_vma_hits=ra_vma_hits,
        mms=mms,
        shmem=shmem,
    )
