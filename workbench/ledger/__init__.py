"""The tamper-evident audit ledger: every governed operation is recorded here, hash-chained and
Merkle-checkpointed.

`Ledger(settings.ledger_path).append(LedgerEvent(...))` records one operation; `verify()`
recomputes the chain and the tree and compares them with signed checkpoints. Canonical bytes:
`workbench.ledger.canonical`; the tree and its proofs: `merkle`; checkpoints: `checkpoint`,
`keyring`, `witness`, `notary`; rules and threat model: docs/ledger.md.
"""

from __future__ import annotations

from workbench.ledger.canonical import GENESIS_PREV_HASH, SERIALIZATION_VERSION
from workbench.ledger.checkpoint import Checkpoint, SignedCheckpoint
from workbench.ledger.entry import (
    LEDGER_ACTIONS,
    OUTCOMES,
    LedgerAction,
    LedgerEntry,
    LedgerEvent,
    Outcome,
)
from workbench.ledger.keyring import Keyring
from workbench.ledger.notary import CheckpointSchedule, Notary, TrustedCheckpoints
from workbench.ledger.store import SCHEMA_VERSION, InclusionProof, Ledger
from workbench.ledger.verify import TAMPER_KINDS, TamperKind, Verification
from workbench.ledger.witness import Witness

__all__ = [
    "GENESIS_PREV_HASH",
    "LEDGER_ACTIONS",
    "OUTCOMES",
    "SCHEMA_VERSION",
    "SERIALIZATION_VERSION",
    "TAMPER_KINDS",
    "Checkpoint",
    "CheckpointSchedule",
    "InclusionProof",
    "Keyring",
    "Ledger",
    "LedgerAction",
    "LedgerEntry",
    "LedgerEvent",
    "Notary",
    "Outcome",
    "SignedCheckpoint",
    "TamperKind",
    "TrustedCheckpoints",
    "Verification",
    "Witness",
]
