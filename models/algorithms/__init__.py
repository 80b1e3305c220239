"""The swapoff algorithms, each in the shape of the kernel function it models."""

ALGORITHMS = ("legacy", "rfc", "linear", "linear-5.1")
