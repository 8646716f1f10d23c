"""Sample inputs shared by the ledger tests: a deterministic clock and typical events."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from workbench.ledger import (
    Checkpoint,
    CheckpointSchedule,
    Keyring,
    Ledger,
    LedgerEntry,
    LedgerEvent,
    Notary,
    Witness,
)


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


class Witnessed:
    """A ledger with a notary (keys and witness beside it) that writes checkpoints only when asked."""

    def __init__(self, home: Path, clock: TickingClock | None = None) -> None:
        self.home = home
        self.path = home / "ledger.sqlite"
        self.notary = Notary(Keyring(home / "keys"), Witness(home / "witness"))
        self.ledger = Ledger(self.path, clock=clock or TickingClock(), notary=self.notary, schedule=MANUAL)

    def append(self, count: int, actor: str = "ana") -> list[LedgerEntry]:
        start = self.ledger.size() + 1
        return [self.ledger.append(query_event(n, actor)) for n in range(start, start + count)]

    def checkpoint(self) -> Checkpoint:
        signed = self.ledger.checkpoint()
        assert signed is not None
        return signed.checkpoint

    def checkpoints(self) -> list[Checkpoint]:
        return [signed.checkpoint for signed in self.notary.trusted().checkpoints]

    def verify(self, **kwargs: int | None) -> dict[str, object]:
        return self.ledger.verify(self.checkpoints(), **kwargs).to_json()  # type: ignore[arg-type]

    def snapshot(self, to: Path) -> None:
        """A consistent copy of the database file (what an attacker would keep to roll back to)."""
        with closing(sqlite3.connect(self.path)) as source, closing(sqlite3.connect(to)) as target:
            source.backup(target)


MANUAL = CheckpointSchedule(every_entries=0, every_seconds=0)
"""No automatic checkpoints (except at exit): tests decide when one is written."""


def kind_of(report: dict[str, object]) -> tuple[object, object]:
    return report["first_bad_seq"], report["kind"]
