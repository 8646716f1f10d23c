"""Fixtures for the ledger tests: a deterministic clock and ledgers filled with a few entries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ledger.sample import FilledLedger, TickingClock, query_event
from workbench.ledger import Ledger, LedgerEntry
from workbench.ledger.notary import pending


@pytest.fixture
def filled_ledger(tmp_path: Path) -> FilledLedger:
    """A factory: a ledger in tmp_path with `count` query entries, and the entries it returned."""

    def fill(count: int) -> tuple[Ledger, list[LedgerEntry]]:
        ledger = Ledger(tmp_path / "ledger.sqlite", clock=TickingClock())
        return ledger, [ledger.append(query_event(n)) for n in range(1, count + 1)]

    return fill


@pytest.fixture(autouse=True)
def _no_checkpoints_at_exit() -> Iterator[None]:
    """Ledgers a test appended to are not checkpointed when pytest exits (tests that need the
    exit checkpoint run a subprocess); a tampered one would only log a warning then."""
    yield
    pending.discard_all()
