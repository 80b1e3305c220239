"""The swapoff simulation: scenarios, the machine, the algorithms, the timeline.

This package imports only the standard library and attrs, so it can be tested,
benchmarked and reused without a terminal.
"""
