"""Plain-text tables for terminals and for `text/plain` notebook output."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _printable(text: str) -> str:
    """Show control and bidi characters as escapes so data cannot drive the terminal."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def render_table(columns: Sequence[str], rows: Sequence[Sequence[object]], limit: int = 50) -> str:
    """A plain fixed-width table for terminals."""
    shown = [["" if v is None else _printable(str(v)) for v in row] for row in rows[:limit]]
    widths = [max([len(c), *(len(r[i]) for r in shown)]) for i, c in enumerate(columns)]
    widths = [w if i == len(widths) - 1 else min(40, w) for i, w in enumerate(widths)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(cell[:w].ljust(w) for cell, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(columns), line(["-" * w for w in widths]), *(line(r) for r in shown)]
    if len(rows) > limit:
        more = len(rows) - limit
        out.append(f"... {more} more row{'s' if more != 1 else ''}")
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def print_json(data: object) -> None:
    """One JSON document on stdout, non-ASCII kept, unknown types as strings."""
    print(json.dumps(data, ensure_ascii=False, default=str))
