"""Tampering with the file through raw sqlite3, and what verification names.

Every case starts from a valid ledger of ten entries (seq 1..10); the rules are in docs/ledger.md.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.ledger.sample import FilledLedger, query_event, raw_sqlite
from workbench.ledger import Ledger
from workbench.ledger.canonical import detail_json, entry_bytes, entry_hash

Tamper = Callable[[sqlite3.Connection], None]

OTHER_HASH = "f" * 64


def sql(*statements: str) -> Tamper:
    def run(db: sqlite3.Connection) -> None:
        for statement in statements:
            db.execute(statement)

    return run


def swap_seq(a: int, b: int) -> Tamper:
    """Swap two rows' seq values (the same as swapping everything else), via a free seq."""
    return sql(
        f"UPDATE entries SET seq = 1000 WHERE seq = {a}",
        f"UPDATE entries SET seq = {a} WHERE seq = {b}",
        f"UPDATE entries SET seq = {b} WHERE seq = 1000",
    )


def swap_contents(a: int, b: int) -> Tamper:
    """Swap every column except seq between two rows, in place."""
    columns = "ts, actor, role, purpose, action, outcome, detail, prev_hash, hash"
    return sql(
        f"CREATE TEMP TABLE saved AS SELECT seq, {columns} FROM entries WHERE seq IN ({a}, {b})",
        f"UPDATE entries SET prev_hash = 'moving' || seq WHERE seq IN ({a}, {b})",
        f"UPDATE entries SET ({columns}) = "
        f"(SELECT {columns} FROM saved WHERE saved.seq = {a + b} - entries.seq) WHERE seq IN ({a}, {b})",
    )


def move_after(seq: int, target: int) -> Tamper:
    """Move entry `seq` to just after `target`, renumbering the ones between (seq < target)."""
    statements = [f"UPDATE entries SET seq = 1000 WHERE seq = {seq}"]
    statements += [f"UPDATE entries SET seq = {n - 1} WHERE seq = {n}" for n in range(seq + 1, target + 1)]
    statements.append(f"UPDATE entries SET seq = {target} WHERE seq = 1000")
    return sql(*statements)


def shift_up_from(seq: int) -> list[str]:
    """Statements that renumber entries seq..10 to seq+1..11, opening a hole at seq."""
    return [f"UPDATE entries SET seq = {n + 1} WHERE seq = {n}" for n in range(10, seq - 1, -1)]


def forged(seq: int, prev_hash: str, actor: str = "mallory") -> tuple[object, ...]:
    """A self-consistent row, as someone who knows the format (but not the chain) would write it."""
    ts, detail = "2026-12-03T14:05:01.500000+00:00", detail_json({"n": 0})
    fields = {"ts": ts, "actor": actor, "role": "admin", "purpose": "", "action": "query", "outcome": "ok"}
    digest = entry_hash(entry_bytes(seq=seq, detail_text=detail, prev_hash=prev_hash, **fields))
    return (seq, *fields.values(), detail, prev_hash, digest)


def insert_forged_row(seq: int, hashes: bool) -> Tamper:
    def run(db: sqlite3.Connection) -> None:
        sql(*shift_up_from(seq))(db)
        row = (
            forged(seq, OTHER_HASH)
            if hashes
            else (seq, "t", "mallory", "", "", "query", "ok", "{}", "e" * 64, "x")
        )
        db.execute("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)

    return run


def rewrite_with_recomputed_hash(seq: int) -> Tamper:
    """Change entry `seq`'s actor and store the hash that matches, keeping its prev_hash."""

    def run(db: sqlite3.Connection) -> None:
        prev_hash = db.execute("SELECT prev_hash FROM entries WHERE seq = ?", (seq,)).fetchone()[0]
        db.execute("DELETE FROM entries WHERE seq = ?", (seq,))
        db.execute("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", forged(seq, prev_hash))

    return run


# (name, tampering, first_bad_seq, kind)
DETECTED = [
    # one field of the middle entry
    ("edit ts", sql("UPDATE entries SET ts = '2020-01-01T00:00:00.000000+00:00' WHERE seq = 5"), 5, "edit"),
    (
        "edit ts by a microsecond",
        sql("UPDATE entries SET ts = substr(ts, 1, 25) || '7' || substr(ts, 27) WHERE seq = 5"),
        5,
        "edit",
    ),
    ("edit actor", sql("UPDATE entries SET actor = 'mallory' WHERE seq = 5"), 5, "edit"),
    ("edit actor to NFD", sql("UPDATE entries SET actor = 'ana' || char(769) WHERE seq = 5"), 5, "edit"),
    ("edit role", sql("UPDATE entries SET role = 'admin' WHERE seq = 5"), 5, "edit"),
    ("edit purpose", sql("UPDATE entries SET purpose = 'treatment' WHERE seq = 5"), 5, "edit"),
    ("edit action", sql("UPDATE entries SET action = 'login' WHERE seq = 5"), 5, "edit"),
    ("edit outcome", sql("UPDATE entries SET outcome = 'denied' WHERE seq = 5"), 5, "edit"),
    ("edit detail", sql("UPDATE entries SET detail = '{}' WHERE seq = 5"), 5, "edit"),
    (
        "edit detail spacing",
        sql("UPDATE entries SET detail = replace(detail, ':', ': ') WHERE seq = 5"),
        5,
        "edit",
    ),
    (
        "edit detail with a duplicate key",
        sql("""UPDATE entries SET detail = '{"columns":{},' || substr(detail, 2) WHERE seq = 5"""),
        5,
        "edit",
    ),
    ("edit detail to a float", sql("""UPDATE entries SET detail = '{"n":5.0}' WHERE seq = 5"""), 5, "edit"),
    ("edit prev_hash", sql(f"UPDATE entries SET prev_hash = '{OTHER_HASH}' WHERE seq = 5"), 5, "edit"),
    ("edit hash", sql(f"UPDATE entries SET hash = '{OTHER_HASH}' WHERE seq = 5"), 5, "edit"),
    ("edit hash to upper case", sql("UPDATE entries SET hash = upper(hash) WHERE seq = 5"), 5, "edit"),
    (
        "actor stored as a blob",
        sql("UPDATE entries SET actor = CAST(actor AS BLOB) WHERE seq = 5"),
        5,
        "edit",
    ),
    ("edit the first entry", sql("UPDATE entries SET actor = 'mallory' WHERE seq = 1"), 1, "edit"),
    ("edit the last entry", sql("UPDATE entries SET actor = 'mallory' WHERE seq = 10"), 10, "edit"),
    # the seq column itself
    ("edit seq far past the end", sql("UPDATE entries SET seq = 99 WHERE seq = 5"), 5, "edit"),
    ("edit seq just past the end", sql("UPDATE entries SET seq = 11 WHERE seq = 5"), 5, "edit"),
    ("edit seq of the first entry", sql("UPDATE entries SET seq = 50 WHERE seq = 1"), 1, "edit"),
    ("edit seq of the last entry", sql("UPDATE entries SET seq = 12 WHERE seq = 10"), 10, "edit"),
    # deletions
    ("delete a middle entry", sql("DELETE FROM entries WHERE seq = 5"), 5, "deletion"),
    ("delete the first entry", sql("DELETE FROM entries WHERE seq = 1"), 1, "deletion"),
    ("delete a run", sql("DELETE FROM entries WHERE seq BETWEEN 4 AND 6"), 4, "deletion"),
    ("delete two apart", sql("DELETE FROM entries WHERE seq IN (3, 7)"), 3, "deletion"),
    ("delete all but the last", sql("DELETE FROM entries WHERE seq < 10"), 1, "deletion"),
    # reordering
    ("swap contents of 5 and 6", swap_contents(5, 6), 5, "reorder"),
    ("swap seq of 5 and 6", swap_seq(5, 6), 5, "reorder"),
    ("swap 2 and 8", swap_seq(2, 8), 2, "reorder"),
    ("swap the first two", swap_seq(1, 2), 1, "reorder"),
    ("swap the last two", swap_contents(9, 10), 9, "reorder"),
    ("move 3 after 6", move_after(3, 6), 3, "reorder"),
    # insertions and rewrites by someone who can compute hashes
    ("insert a forged row, renumbering", insert_forged_row(6, hashes=True), 6, "reorder"),
    ("insert a garbage row, renumbering", insert_forged_row(6, hashes=False), 6, "reorder"),
    ("open a hole by renumbering", sql(*shift_up_from(6)), 6, "edit"),
    ("rewrite with a recomputed hash", rewrite_with_recomputed_hash(5), 5, "edit"),
    ("rewrite the first with a recomputed hash", rewrite_with_recomputed_hash(1), 1, "edit"),
    # several at once: the first divergence is named
    (
        "edit 7 then delete 3",
        sql("UPDATE entries SET role = 'x' WHERE seq = 7", "DELETE FROM entries WHERE seq = 3"),
        3,
        "deletion",
    ),
    (
        "delete 8 then edit 4",
        sql("DELETE FROM entries WHERE seq = 8", "UPDATE entries SET ts = 'x' WHERE seq = 4"),
        4,
        "edit",
    ),
]


@pytest.mark.parametrize(
    ("name", "tamper", "first_bad_seq", "kind"), DETECTED, ids=[row[0] for row in DETECTED]
)
def test_tampering_is_detected_and_named(
    filled_ledger: FilledLedger, name: str, tamper: Tamper, first_bad_seq: int, kind: str
) -> None:
    ledger, _ = filled_ledger(10)
    with raw_sqlite(ledger.path) as db:
        tamper(db)
        stored = db.execute("SELECT count(*) FROM entries").fetchone()[0]
    report = ledger.verify()
    assert report.to_json() == {"ok": False, "entries": stored, "first_bad_seq": first_bad_seq, "kind": kind}


# (name, tampering, entries left): changes a chain alone cannot reveal (checkpoints will).
UNDETECTABLE_WITHOUT_CHECKPOINTS = [
    ("delete the last entry", sql("DELETE FROM entries WHERE seq = 10"), 9),
    ("delete the last three", sql("DELETE FROM entries WHERE seq > 7"), 7),
    ("rewrite the last with a recomputed hash", rewrite_with_recomputed_hash(10), 10),
]


@pytest.mark.parametrize(
    ("name", "tamper", "left"),
    UNDETECTABLE_WITHOUT_CHECKPOINTS,
    ids=[row[0] for row in UNDETECTABLE_WITHOUT_CHECKPOINTS],
)
def test_tail_changes_need_checkpoints(
    filled_ledger: FilledLedger, name: str, tamper: Tamper, left: int
) -> None:
    ledger, _ = filled_ledger(10)
    with raw_sqlite(ledger.path) as db:
        tamper(db)
    assert ledger.verify().to_json() == {"ok": True, "entries": left, "first_bad_seq": None, "kind": None}


def test_rows_below_seq_1(filled_ledger: FilledLedger) -> None:
    """Only a writer that switched off CHECK constraints can store seq 0; moving the last row there
    is an edit. (A table rebuilt without the CHECK is a `schema` finding: tests/ledger/test_schema.py.)"""
    ledger, _ = filled_ledger(4)
    with raw_sqlite(ledger.path) as db:
        db.execute("PRAGMA ignore_check_constraints = ON")
        db.execute("UPDATE entries SET seq = 0 WHERE seq = 4")
    assert ledger.verify().to_json() == {"ok": False, "entries": 4, "first_bad_seq": 4, "kind": "edit"}
    with raw_sqlite(ledger.path) as db:
        db.execute("PRAGMA ignore_check_constraints = ON")
        db.execute("UPDATE entries SET seq = -2 WHERE seq = 2")
    assert ledger.verify().to_json() == {"ok": False, "entries": 4, "first_bad_seq": 2, "kind": "edit"}


def test_appending_after_tampering_keeps_it_visible(filled_ledger: FilledLedger) -> None:
    ledger, _ = filled_ledger(5)
    with raw_sqlite(ledger.path) as db:
        db.execute("UPDATE entries SET actor = 'mallory' WHERE seq = 3")
    ledger.append(query_event(6))
    assert ledger.verify().to_json() == {"ok": False, "entries": 6, "first_bad_seq": 3, "kind": "edit"}


def test_a_field_rewritten_into_its_escaped_spelling_is_an_edit(tmp_path: Path) -> None:
    """Actor `x","role":"admin` is stored quoted as "x\\",\\"role\\":\\"admin"; writing that escaped
    spelling itself into the column must not be read as the same entry."""
    ledger = Ledger(tmp_path / "ledger.sqlite")
    ledger.append(query_event(1, actor='x","role":"admin'))
    ledger.append(query_event(2))
    with raw_sqlite(ledger.path) as db:
        db.execute("UPDATE entries SET actor = ? WHERE seq = 1", ('x\\",\\"role\\":\\"admin',))
    assert ledger.verify().to_json() == {"ok": False, "entries": 2, "first_bad_seq": 1, "kind": "edit"}


# (name, SQL): values only tampering can store; each is an edit of entry 2.
ODD_VALUES = [
    ("actor not UTF-8", "UPDATE entries SET actor = CAST(x'616e61ff' AS TEXT) WHERE seq = 2"),
    ("NUL in a field", "UPDATE entries SET role = 'res' || char(0) || 'earcher' WHERE seq = 2"),
    ("detail as a number", "UPDATE entries SET detail = 5 WHERE seq = 2"),
    ("seq as text", "UPDATE entries SET ts = 7 WHERE seq = 2"),
]


@pytest.mark.parametrize(("name", "statement"), ODD_VALUES, ids=[row[0] for row in ODD_VALUES])
def test_values_only_tampering_can_store(filled_ledger: FilledLedger, name: str, statement: str) -> None:
    ledger, _ = filled_ledger(3)
    with raw_sqlite(ledger.path) as db:
        db.execute(statement)
    assert ledger.verify().to_json() == {"ok": False, "entries": 3, "first_bad_seq": 2, "kind": "edit"}
