"""Textual themes and the semantic state colours of swaptui."""
