"""swaptui: the Linux swapoff algorithms, visible in a terminal."""

__version__ = "0.1.0"
