"""Progress for long lineage operations: the core reports, an adapter chooses how to show it.

A `Progress` is called as `with progress(total, description) as advance: advance(n)`. The core
defaults to `silent`; the CLI and the notebook pass `bar`, tqdm's automatic bar (a widget in a
notebook, a line on the terminal's stderr). Short jobs show no bar, nor does a terminal that is
asked to be quiet (`TQDM_DISABLE=1`).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

Advance = Callable[[int], None]
Progress = Callable[[int, str], AbstractContextManager[Advance]]

# Fewer items than this finish in about a second: no bar.
MIN_ITEMS = 20
_YES = {"1", "true", "yes", "on"}


@contextlib.contextmanager
def silent(total: int, description: str) -> Iterator[Advance]:
    """No progress shown."""
    yield lambda n: None


@contextlib.contextmanager
def bar(total: int, description: str) -> Iterator[Advance]:
    """tqdm's automatic bar; none for short jobs, when stderr is not a terminal outside a notebook,
    or when asked to be quiet with tqdm's own switch (`TQDM_DISABLE=1`)."""
    if total < MIN_ITEMS or os.environ.get("TQDM_DISABLE", "").strip().lower() in _YES:
        yield lambda n: None
        return
    from tqdm.auto import tqdm

    # disable=None: tqdm shows nothing when stderr is not a terminal (pipes, CI, tests)
    with tqdm(total=total, desc=description, unit="item", leave=False, disable=None) as shown:
        yield shown.update
