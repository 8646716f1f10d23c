"""Plain-text tables for terminals and for `text/plain` notebook output."""

from __future__ import annotations

import json
from collections.abc import Sequence


def render_table(columns: Sequence[str], rows: Sequence[Sequence[object]], limit: int = 50) -> str:
    """A plain fixed-width table for terminals."""
    shown = [["" if v is None else str(v) for v in row] for row in rows[:limit]]
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
