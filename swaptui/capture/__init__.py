"""Capture: read /proc (and sysfs) and build a scenario of this machine."""
