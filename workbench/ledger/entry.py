"""What the audit ledger records: its closed vocabularies, the event a caller writes, the entry read back.

The vocabularies live here and only here; adding an action is one edit to `LedgerAction`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, get_args

LedgerAction = Literal[
    "login", "logout", "load", "query", "verify", "columns", "decision", "seed", "demo",
    "impact", "lineage", "scan", "mask", "ledger_read", "export", "archive",
]  # fmt: skip
LEDGER_ACTIONS: tuple[LedgerAction, ...] = get_args(LedgerAction)

Outcome = Literal["ok", "refused", "error", "denied"]
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)


@dataclass(frozen=True)
class LedgerEvent:
    """One audited operation as a caller reports it; the ledger adds seq, time and hashes.

    `actor` is a user name or ``os:<login>`` for commands that need no session; `role` and
    `purpose` are ``""`` when there is none. `detail` holds names, counts, kinds and keyed
    hashes -- never a PHI value -- as JSON types without floats (see `workbench.ledger.canonical`).
    """

    actor: str
    role: str
    purpose: str
    action: LedgerAction
    outcome: Outcome
    detail: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class LedgerEntry:
    """One stored row of the ledger, as read back (run `Ledger.verify` before trusting it)."""

    seq: int
    ts: str
    actor: str
    role: str
    purpose: str
    action: LedgerAction
    outcome: Outcome
    detail: dict[str, object]
    prev_hash: str
    hash: str
