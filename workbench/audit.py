"""Recording governed operations in the workspace ledger: one place that builds ledger events.

Fail closed: if the entry cannot be written, the caller's operation fails with LedgerError.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Mapping
from functools import lru_cache
from pathlib import Path

from sqlglot import exp

from workbench.errors import NoSession
from workbench.keys import derive_key, keyed_hash, workspace_secret
from workbench.ledger import Ledger, LedgerEntry, LedgerEvent, Verification
from workbench.ledger.entry import LedgerAction, Outcome
from workbench.session import Principal, current, os_user
from workbench.settings import Settings


@lru_cache(maxsize=8)
def _ledger(path: Path, busy_ms: int) -> Ledger:
    return Ledger(path, busy_ms=busy_ms)


def ledger(settings: Settings) -> Ledger:
    settings.ensure_home()
    return _ledger(settings.ledger_path, settings.ledger_busy_ms)


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


def sql_shape(expression: exp.Expr, known_names: Collection[str] = ()) -> str:
    """The query with literals replaced by `?`, comments dropped, and every identifier that is not
    a known table or column name (aliases, mistyped names, a value in double quotes) replaced by
    `n1`, `n2`, ...: safe to store, since a user can type a value anywhere."""
    known = {name.lower() for name in known_names}
    renamed: dict[str, str] = {}

    def blank(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Literal):
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


def verify_ledger(settings: Settings) -> Verification:
    """Verify the whole chain, then record that a verification ran and what it found."""
    verification = ledger(settings).verify()
    principal = None
    with contextlib.suppress(NoSession):
        principal = current(settings)
    outcome: Outcome = "ok" if verification.ok else "error"
    record(settings, "verify", outcome, verification.to_json(), principal)
    return verification
