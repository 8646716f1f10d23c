"""Overlap queries over many spans in logarithmic time (a text can hold tens of thousands of findings)."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from itertools import accumulate


class Spans:
    """A set of ``(start, end)`` spans, possibly overlapping, that answers "does anything overlap [a, b)?"."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self.starts = [start for start, _end in ordered]
        self.max_end = list(accumulate((end for _start, end in ordered), max))

    def overlaps(self, start: int, end: int) -> bool:
        """True when some span ``(s, e)`` has ``s < end`` and ``e > start``."""
        count = bisect.bisect_left(self.starts, end)
        return count > 0 and self.max_end[count - 1] > start

    def covers(self, position: int) -> bool:
        """True when some span holds `position`."""
        return self.overlaps(position, position + 1)
