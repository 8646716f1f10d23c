"""Verification of the hash chain: recompute every entry in seq order, name the first divergence.

Rules (docs/ledger.md states them for auditors). Walking rows by seq, a row is *good* when its
seq is the next one expected (1, 2, 3, …), its stored fields hash to its stored `hash`, and its
`prev_hash` equals the previous good row's hash (64 zeros for seq 1). At the first row that is
not good, with `e` the seq expected there and *the successor* the row whose `prev_hash` is the
last good hash (the row that belongs at `e`, wherever it is now):

* nothing stored at `e` (a gap) and no successor            → ``deletion`` at e
* nothing stored at `e`, the successor stored at another seq → ``edit`` at e (its seq was changed)
* the row at `e` does not hash, but would under another seq  → ``reorder`` at e (rows moved or swapped)
* the row at `e` does not hash, the successor is elsewhere   → ``insertion`` at e (a row pushed in)
* the row at `e` does not hash, otherwise                    → ``edit`` at e (a field was changed)
* the row at `e` hashes but its link is broken and the successor is elsewhere
                                                             → ``insertion`` at e (a forged row)
* the row at `e` hashes but links to a hash no row has       → ``edit`` at e-1 (a row rewritten with a
  recomputed hash: the one before, or this row's link; the earlier seq is named)

Rows with a seq below 1 (only possible in a rebuilt table) are walked around: the hole they leave
is found as above. Entries removed from the end leave no trace; that needs checkpoints (a later
`ledger/merkle.py`, see docs/ledger.md).
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from workbench.errors import LedgerError, LedgerTampered
from workbench.ledger.canonical import (
    GENESIS_PREV_HASH,
    entry_bytes,
    entry_hash,
    parse_detail,
)

TamperKind = Literal["edit", "deletion", "reorder", "insertion"]

COLUMNS = "seq, ts, actor, role, purpose, action, outcome, detail, prev_hash, hash"


@dataclass(frozen=True)
class Verification:
    """The result of checking the chain: ok, how many entries are stored, and the first divergence."""

    ok: bool
    entries: int
    first_bad_seq: int | None = None
    kind: TamperKind | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "first_bad_seq": self.first_bad_seq,
            "kind": self.kind,
        }

    def raise_if_tampered(self) -> None:
        """Raise `LedgerTampered` (exit code 3) when verification failed."""
        if not self.ok:
            raise LedgerTampered(self.first_bad_seq or 0, self.kind or "edit")


class StoredRow(NamedTuple):
    """A row exactly as SQLite returns it: tampering may have put any type in any column, so the
    fields are `Any` and `entry_bytes` / `parse_detail` check each type before use."""

    seq: Any
    ts: Any
    actor: Any
    role: Any
    purpose: Any
    action: Any
    outcome: Any
    detail: Any
    prev_hash: Any
    hash: Any


def verify_chain(conn: sqlite3.Connection) -> Verification:
    """Check every entry; `conn` should hold a read transaction so the rows form one snapshot."""
    total, max_seq = conn.execute("SELECT count(*), max(seq) FROM entries").fetchone()
    expected_seq, expected_prev = 1, GENESIS_PREV_HASH
    for raw in conn.execute(f"SELECT {COLUMNS} FROM entries WHERE seq >= 1 ORDER BY seq"):
        row = StoredRow(*raw)
        hashes = _hash_under(row, row.seq) == row.hash
        if row.seq == expected_seq and hashes and row.prev_hash == expected_prev:
            expected_seq += 1
            expected_prev = row.hash
            continue
        bad_seq, kind = _classify(conn, row, hashes, expected_seq, expected_prev, max_seq or 0)
        return Verification(ok=False, entries=total, first_bad_seq=bad_seq, kind=kind)
    if conn.execute("SELECT 1 FROM entries WHERE seq < 1 LIMIT 1").fetchone():
        # Only a rebuilt table (without CHECK) can hold such a row: the last entry's seq was changed.
        return Verification(ok=False, entries=total, first_bad_seq=expected_seq, kind="edit")
    return Verification(ok=True, entries=total)


def _classify(
    conn: sqlite3.Connection,
    row: StoredRow,
    hashes: bool,
    expected_seq: int,
    expected_prev: str,
    max_seq: int,
) -> tuple[int, TamperKind]:
    successor = conn.execute(
        "SELECT seq FROM entries WHERE prev_hash = ? ORDER BY seq LIMIT 1", (expected_prev,)
    ).fetchone()
    successor_elsewhere = successor is not None and successor[0] != expected_seq
    if row.seq != expected_seq:  # nothing stored at expected_seq
        return expected_seq, "edit" if successor is not None else "deletion"
    if not hashes:
        if _hashes_under_another_seq(row, expected_seq, max_seq):
            return expected_seq, "reorder"
        return expected_seq, "insertion" if successor_elsewhere else "edit"
    if successor_elsewhere:
        return expected_seq, "insertion"
    return max(expected_seq - 1, 1), "edit"


def _hash_under(row: StoredRow, seq: int) -> str | None:
    """The hash `row` would have with `seq`, or None when its stored fields cannot be canonical."""
    try:
        return entry_hash(_row_bytes(row, seq))
    except LedgerError:
        return None


def _hashes_under_another_seq(row: StoredRow, seq: int, max_seq: int) -> bool:
    """Whether `row` is an intact entry that was written with some other seq in 1..max_seq+1.

    The canonical bytes differ only in the digits of seq, so hash the shared prefix once.
    """
    try:
        zero, one = _row_bytes(row, 0), _row_bytes(row, 1)
    except LedgerError:
        return False
    at = next(i for i, (a, b) in enumerate(zip(zero, one, strict=True)) if a != b)
    head, tail = hashlib.sha256(zero[:at]), zero[at + 1 :]
    for other in range(1, max_seq + 2):
        if other == seq:
            continue
        candidate = head.copy()
        candidate.update(b"%d" % other + tail)
        if candidate.hexdigest() == row.hash:
            return True
    return False


def _row_bytes(row: StoredRow, seq: int) -> bytes:
    """Canonical bytes of the stored fields with `seq`; LedgerError if any field cannot be canonical."""
    if not isinstance(row.detail, str):
        raise LedgerError("A ledger detail is not text.")
    parse_detail(row.detail)  # refuses anything but the canonical JSON of an object
    return entry_bytes(
        seq=seq,
        ts=row.ts,
        actor=row.actor,
        role=row.role,
        purpose=row.purpose,
        action=row.action,
        outcome=row.outcome,
        detail_text=row.detail,
        prev_hash=row.prev_hash,
    )
