"""The tamper-evident audit ledger: every governed operation is recorded here, hash-chained.

`Ledger(settings.ledger_path).append(LedgerEvent(...))` records one operation; `verify()`
recomputes the chain. Canonical bytes: `workbench.ledger.canonical`; rules: docs/ledger.md.
"""

from __future__ import annotations

from workbench.ledger.canonical import GENESIS_PREV_HASH, SERIALIZATION_VERSION
from workbench.ledger.entry import (
    LEDGER_ACTIONS,
    OUTCOMES,
    LedgerAction,
    LedgerEntry,
    LedgerEvent,
    Outcome,
)
from workbench.ledger.store import SCHEMA_VERSION, Ledger
from workbench.ledger.verify import TamperKind, Verification

__all__ = [
    "GENESIS_PREV_HASH",
    "LEDGER_ACTIONS",
    "OUTCOMES",
    "SCHEMA_VERSION",
    "SERIALIZATION_VERSION",
    "Ledger",
    "LedgerAction",
    "LedgerEntry",
    "LedgerEvent",
    "Outcome",
    "TamperKind",
    "Verification",
]
