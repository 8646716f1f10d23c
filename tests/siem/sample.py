"""Inputs shared by the SIEM and audit tests: hostile values, clocks, ledgers holding them."""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from workbench.ledger import Ledger, LedgerEntry, LedgerEvent
from workbench.siem.checkpoints import CheckpointRecord

FORGED_CEF = "CEF:0|Evil Corp|Forge|1.0|100|admin login|10|suser=admin act=allow outcome=ok"

HOSTILE: list[tuple[str, str]] = [
    # (id, value)
    ("pipe", "a|b|c"),
    ("backslash", "back\\slash\\"),
    ("equals", "key=value other=x"),
    ("crlf", "line1\r\nline2\nline3\r"),
    ("tab", "col1\tcol2"),
    ("caret", "up^and^away"),
    ("u2028", "para\u2028graph\u2029end"),
    ("u202e", "txt.\u202eexe"),
    ("nul", "nul\x00byte\x1bescape\x7fdel\x85nel"),
    ("ten_kb", "x" * 10_000),
    ("forged_cef", FORGED_CEF),
    ("forged_leef", "LEEF:2.0|Evil|Forge|1|100|^|usrName=root^sev=10"),
    ("escapes_mix", "\\|\\=\\n^|\t\r\n\u2028\u2029\x0b\x0c\x1c\x1d\x1e"),
    ("spaces", "  padded  "),
    ("key_like", " suser=root act=allow"),
    ("unicode", "José Müller 🎉 ﷽"),
    ("json_like", '{"a": "b"}, "x": ]'),
]


class Clock:
    """Returns the given instants in turn, then keeps ticking one millisecond."""

    def __init__(
        self, *moments: datetime, start: datetime = datetime(2026, 12, 3, 14, 5, 1, tzinfo=UTC)
    ) -> None:
        self.moments = list(moments)
        self.now = start

    def __call__(self) -> datetime:
        if self.moments:
            return self.moments.pop(0)
        reading = self.now
        self.now += timedelta(milliseconds=1)
        return reading


def hostile_event(value: str) -> LedgerEvent:
    """A query event whose every free-text field holds `value` (the actor must not be empty)."""
    return LedgerEvent(
        actor=value or "empty",
        role=value,
        purpose=value,
        action="query",
        outcome="denied",
        detail={"reason": value, "tables": [value], value: [value], "rows": 3},
    )


def ledger_with(
    path: Path, events: Iterable[LedgerEvent], clock: Callable[[], datetime] | None = None
) -> tuple[Ledger, list[LedgerEntry]]:
    ledger = Ledger(path, clock=clock or Clock())
    return ledger, [ledger.append(event) for event in events]


def checkpoint(size: int, timestamp: str = "2026-12-03T15:00:00.000000+00:00") -> CheckpointRecord:
    """A well-formed signed note for tests of the formats (not a real signature)."""
    root = base64.b64encode(bytes([size % 256]) * 32).decode()
    signature = "\u2014 workbench-test " + base64.b64encode(b"\x01\x02\x03\x04" + b"s" * 64).decode()
    note = f"workbench/ledger\n{size}\n{root}\n\n{signature}\n"
    return CheckpointRecord("workbench/ledger", size, root, (signature,), timestamp, note)
