"""Sample inputs shared by the ledger tests: a deterministic clock and typical events."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from workbench.ledger import Ledger, LedgerEntry, LedgerEvent


class TickingClock:
    """A clock that starts at a fixed instant and advances one millisecond per reading."""

    def __init__(self, start: datetime = datetime(2026, 12, 3, 14, 5, 1, 123456, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        reading = self.now
        self.now += timedelta(milliseconds=1)
        return reading


def query_event(n: int, actor: str = "ana") -> LedgerEvent:
    """The n-th event of a typical session: a researcher's query, recorded without values."""
    return LedgerEvent(
        actor=actor,
        role="researcher",
        purpose="research",
        action="query",
        outcome="ok",
        detail={"n": n, "tables": ["patients"], "columns": {"patients.ssn": "mask"}},
    )


FilledLedger = Callable[[int], tuple[Ledger, list[LedgerEntry]]]
"""The `filled_ledger` fixture: a ledger with `count` entries, and the entries append returned."""


@contextmanager
def raw_sqlite(path: Path) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection to a ledger file (how tampering is done), committed and closed after."""
    db = sqlite3.connect(path)
    try:
        yield db
        db.commit()
    finally:
        db.close()
