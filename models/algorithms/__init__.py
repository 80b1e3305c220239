"""The swapoff algorithms: one `try_to_unuse` each, in the shape of the kernel's.

    legacy.py        Linux 3.14 (its mmlist search in legacy_search.py)
    rfc.py           the February 2014 prototype
    linear.py        Linux 5.1 as merged, with and without the 2020 lookup
    prefetch.py      a what-if in no kernel: the area in disk order, then linear's walk

`registry.py` lists them with everything the program says about each;
`ALGORITHMS` is their names, in the order the program offers them.
"""

from models.algorithms.registry import ALGORITHMS, APP_CYCLE, REGISTRY, Algorithm, algorithm

__all__ = ["ALGORITHMS", "APP_CYCLE", "REGISTRY", "Algorithm", "algorithm"]
