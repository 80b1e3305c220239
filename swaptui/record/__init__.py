"""Recordings: asciicasts, scripted recordings and SVG frames, made headless."""
