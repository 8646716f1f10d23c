"""Recording governed operations in the workspace ledger: one place that builds ledger events.

Fail closed: if the entry cannot be written, the caller's operation fails with LedgerError.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Mapping
from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from sqlglot import exp

from workbench.errors import BadInput, NoSession
from workbench.keys import derive_key, keyed_hash, workspace_secret
from workbench.ledger import (
    CheckpointSchedule,
    Keyring,
    Ledger,
    LedgerEntry,
    LedgerEvent,
    Notary,
    Verification,
    Witness,
)
from workbench.ledger.entry import LedgerAction, Outcome
from workbench.ledger.witness import notes_in
from workbench.session import Principal, current, os_user
from workbench.settings import Settings


@lru_cache(maxsize=8)
def _ledger(settings: Settings) -> Ledger:
    if settings.ledger_synchronous not in ("NORMAL", "FULL"):
        raise BadInput("Setting ledger_synchronous must be NORMAL or FULL.")
    return Ledger(
        settings.ledger_path,
        busy_ms=settings.ledger_busy_ms,
        synchronous=settings.ledger_synchronous,  # type: ignore[arg-type]
        notary=notary(settings),
        schedule=CheckpointSchedule(settings.ledger_checkpoint_entries, settings.ledger_checkpoint_seconds),
    )


def ledger(settings: Settings) -> Ledger:
    """The process's ledger for this workspace: one write connection, checkpoints on schedule."""
    settings.ensure_home()
    return _ledger(settings)


def notary(settings: Settings) -> Notary:
    """Signs checkpoints with the workspace's checkpoint key and records them in its witness file."""
    keyring = Keyring(settings.ledger_verifier_dir, settings.ledger_signing_key)
    return Notary(keyring, Witness(settings.witness_path), sign=settings.ledger_sign_checkpoints)


def record(
    settings: Settings,
    action: LedgerAction,
    outcome: Outcome,
    detail: Mapping[str, object],
    principal: Principal | None = None,
    purpose: str | None = None,
) -> LedgerEntry:
    """Append one entry for `principal` (or the OS user when there is no session)."""
    event = LedgerEvent(
        actor=principal.user if principal else os_user(),
        role=principal.role if principal else "",
        purpose=purpose if purpose is not None else (principal.purpose.value if principal else ""),
        action=action,
        outcome=outcome,
        detail=dict(detail),
    )
    return ledger(settings).append(event)


# Every node that carries text a user typed as a value (plain, raw, national, byte, hex, bit strings).
_STRING_LIKE = tuple(
    getattr(exp, name)
    for name in ("Literal", "RawString", "National", "ByteString", "HexString", "BitString", "UnicodeString")
    if hasattr(exp, name)
)


def sql_shape(expression: exp.Expr, known_names: Collection[str] = ()) -> str:
    """The query with literals replaced by `?`, comments dropped, and every identifier that is not
    a known table or column name (aliases, mistyped names, a value in double quotes) replaced by
    `n1`, `n2`, ...: safe to store, since a user can type a value anywhere."""
    known = {name.lower() for name in known_names}
    renamed: dict[str, str] = {}

    def blank(node: exp.Expr) -> exp.Expr:
        if isinstance(node, _STRING_LIKE):
            return exp.Placeholder()
        if isinstance(node, exp.JSONPath):
            return exp.Placeholder()
        if isinstance(node, exp.Identifier) and node.name.lower() not in known:
            return exp.to_identifier(renamed.setdefault(node.name, f"n{len(renamed) + 1}"))
        if isinstance(node, exp.Anonymous) and str(node.this).lower() not in known:
            node = node.copy()
            node.set("this", renamed.setdefault(str(node.this), f"f{len(renamed) + 1}"))
        return node

    return expression.copy().transform(blank).sql(dialect="duckdb", comments=False)


def sql_fingerprint(settings: Settings, text: str) -> str:
    """A keyed hash of the full SQL text: equal texts match, the text cannot be recovered."""
    key = derive_key(workspace_secret(settings.secret_path), "sql-fingerprint")
    return keyed_hash(key, text, digits=32)


def value_key(settings: Settings) -> bytes:
    """The key behind `hash` presentations (`h_` + 16 hex), stable within the workspace."""
    return derive_key(workspace_secret(settings.secret_path), "value-hash")


def verify_ledger(
    settings: Settings,
    checkpoint_file: Path | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Verification:
    """Verify the ledger against its witness (or the checkpoints in `checkpoint_file`), whole or
    for the entries between `since` and `until`.

    A passing verification is recorded in the ledger (and fails closed if it cannot be). A failing
    one is not: appending to a damaged ledger would change the evidence, so a second verify would
    name a different kind or seq (after a rollback, its own entry turns `rollback` into `rewrite`).
    The caller reports the finding (the CLI on stderr, exit 3); the project keeps no separate
    integrity log yet, so a failed verification leaves no record of its own."""
    book = ledger(settings)
    notes = None if checkpoint_file is None else notes_in(_read_text(checkpoint_file))
    trusted = notary(settings).trusted(notes)
    checkpoints = [signed.checkpoint for signed in trusted.checkpoints]
    first, last = book.seq_range(since, until) if since or until else (1, None)
    verification = book.verify(checkpoints, first_seq=first, last_seq=last)
    if trusted.rejected:
        verification = replace(verification, witness_rejected=trusted.rejected)
    principal = None
    with contextlib.suppress(NoSession):
        principal = current(settings)
    if verification.ok:  # fail closed: a verification that cannot be recorded did not happen
        record(settings, "verify", "ok", verification.to_json(), principal)
    return verification


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInput(f"Cannot read the checkpoint file {path} ({type(exc).__name__}).") from None
