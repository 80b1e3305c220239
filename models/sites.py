"""The engine's *sites*: where in the kernel's code an event happens.

Every event carries one (`models.events.Event.site`).  The source pane highlights the
pseudo-C line of the site, the narration words its sentence by it.  Sites are the
kernel's function names, with a suffix where one function holds several steps
(``try_to_unuse:find_next_to_unuse`` is the call inside legacy's loop).

A `StrEnum`: members compare and hash as their text, so a site can key a dict of
strings, and the type checker refuses a site that is not listed here.
"""

from __future__ import annotations

from enum import StrEnum


class Site(StrEnum):
    # try_to_unuse itself (mm/swapfile.c), in each algorithm
    TRY_TO_UNUSE = "try_to_unuse"
    TRY_TO_UNUSE_RETRY = "try_to_unuse:retry"
    TRY_TO_UNUSE_RETURN = "try_to_unuse:return"
    LEGACY_FIND_NEXT = "try_to_unuse:find_next_to_unuse"
    LEGACY_SEARCH = "try_to_unuse:search"
    LEGACY_DELETE = "try_to_unuse:delete_from_swap_cache"
    FOLIO_FREE_SWAP = "try_to_unuse:folio_free_swap"
    FIND_NEXT_TO_UNUSE = "find_next_to_unuse"
    # the walk (mm/swapfile.c)
    UNUSE_MM = "unuse_mm"
    UNUSE_PTE_RANGE = "unuse_pte_range"
    UNUSE_PTE_RANGE_LOOKUP = "unuse_pte_range:lookup_swap_cache"
    UNUSE_VMA_SHORTCUT = "unuse_vma:page_address_in_vma"
    UNUSE_PTE = "unuse_pte"
    TRY_TO_FREE_SWAP = "try_to_free_swap"
    # the swap cache (mm/swap_state.c)
    READ_SWAP_CACHE_ASYNC = "read_swap_cache_async"
    SWAPIN_READAHEAD = "swapin_readahead"
    DELETE_FROM_SWAP_CACHE = "delete_from_swap_cache"
    # tmpfs (mm/shmem.c)
    SHMEM_UNUSE = "shmem_unuse"
    SHMEM_UNUSE_INODE = "shmem_unuse_inode"
    SHMEM_UNUSE_INODE_DELETE = "shmem_unuse_inode:delete_from_swap_cache"
    SHMEM_SWAPIN = "shmem_swapin"
    SHMEM_SWAPIN_LOOKUP = "shmem_swapin:lookup"
    # prefetch's phase 1 (a what-if: no kernel has it)
    PREFETCH_FIND_NEXT = "prefetch:find_next_to_unuse"
    PREFETCH_READ = "prefetch:read_swap_cache_async"
    # other tasks racing swapoff (the injected faults)
    DO_SWAP_PAGE = "do_swap_page"
    DO_SWAP_PAGE_LOOKUP = "do_swap_page:lookup_swap_cache"
    DO_SWAP_PAGE_SWAPIN = "do_swap_page:swapin_readahead"
    DO_SWAP_PAGE_FREE = "do_swap_page:try_to_free_swap"
    EXIT_MMAP = "exit_mmap"
    ZAP_PTE_RANGE = "exit_mmap:zap_pte_range"
    FREE_SWAP_AND_CACHE = "free_swap_and_cache"
    COPY_ONE_PTE = "copy_one_pte"
    TRY_TO_UNMAP = "try_to_unmap"
    SHMEM_EVICT_INODE = "shmem_evict_inode"
    # memory pressure (mm/vmscan.c, mm/oom_kill.c) and the concurrent load
    SHRINK_DROP = "shrink_folio_list:__remove_mapping"
    SHRINK_UNMAP = "shrink_folio_list:try_to_unmap"
    SHRINK_PAGEOUT = "shrink_folio_list:pageout"
    OOM_KILL = "out_of_memory"
    LOAD_TOUCH = "load:touch"
    # the moment a fault takes effect: one per fault kind (models/faults.py)
    FAULT_ENOMEM = "fault:enomem"
    FAULT_EINTR = "fault:eintr"
    FAULT_EIO = "fault:eio"
    FAULT_TOUCH = "fault:touch"
    FAULT_EXIT = "fault:exit"
    FAULT_FORK = "fault:fork"
    FAULT_PRESSURE = "fault:pressure"
    FAULT_UNLINK = "fault:unlink"


FAULT_PREFIX = "fault:"


def fault_site(kind: str) -> Site:
    """The site of a fault of this kind taking effect (ValueError for an unknown kind)."""
    return Site(FAULT_PREFIX + kind)
