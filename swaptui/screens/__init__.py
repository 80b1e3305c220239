"""Screens shown over the main one: help, details, open, and the too-small notice."""
