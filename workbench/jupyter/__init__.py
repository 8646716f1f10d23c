"""Jupyter adapter: the `%phi` magics, the rich result display, and the save hook."""
