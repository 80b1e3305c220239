"""The kernel functions every swapoff algorithm shares, one module per kernel file.

    models/kernel/swapfile.py    mm/swapfile.c    find_next_to_unuse, unuse_mm, unuse_vma,
                                                  unuse_pte_range, unuse_pte, try_to_free_swap
    models/kernel/swap_state.py  mm/swap_state.c  read_swap_cache_async, swap_cluster_readahead,
                                                  swap_vma_readahead, swapin_readahead,
                                                  lookup_swap_cache, delete_from_swap_cache
    models/kernel/shmem.py       mm/shmem.c       shmem_unuse, shmem_swapin
    models/kernel/memory.py      mm/memory.c      do_swap_page
    models/kernel/vmscan.py      mm/vmscan.c      reclaim under memory pressure: drop clean
                                                  swap-cache pages, write mapped ones to the
                                                  fresh area (shrink_folio_list, pageout)

Each `try_to_unuse` (one per algorithm, in `models/algorithms/`) calls these as the
kernel's does.  They emit the events; the state follows from the events.
"""
