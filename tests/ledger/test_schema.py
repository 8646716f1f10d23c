"""SQLite objects added to the ledger file (triggers, views, indexes, tables, a rebuilt table) are
tampering of kind `schema`: verification names it, and no append goes through such a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ledger.sample import MANUAL, FilledLedger, TickingClock, Witnessed, query_event, raw_sqlite
from workbench.errors import LedgerTampered
from workbench.ledger import Ledger

ENTRY_COLUMNS = "seq, ts, actor, role, purpose, action, outcome, detail, prev_hash, hash"

# (name, statements, what verification says about the schema)
FOREIGN_OBJECTS = [
    (
        "trigger rewriting each inserted entry",
        [
            "CREATE TRIGGER relabel AFTER INSERT ON entries "
            "BEGIN UPDATE entries SET actor = 'someone-else' WHERE seq = NEW.seq; END"
        ],
        ["1 unexpected trigger"],
    ),
    (
        "trigger deleting the entries of one actor as they are written",
        [
            "CREATE TRIGGER hide AFTER INSERT ON entries WHEN NEW.actor = 'mallory' "
            "BEGIN DELETE FROM tree WHERE pos >= (SELECT count(*) FROM tree) - 1; "
            "DELETE FROM entries WHERE seq = NEW.seq; END"
        ],
        ["1 unexpected trigger"],
    ),
    (
        "view shadowing the entries table",
        [
            "ALTER TABLE entries RENAME TO entries_all",
            f"CREATE VIEW entries AS SELECT {ENTRY_COLUMNS} FROM entries_all WHERE actor != 'mallory'",
        ],
        ["entries is a view", "1 unexpected index", "1 unexpected table"],
    ),
    (
        "trigger on the tree",
        ["CREATE TRIGGER keep BEFORE DELETE ON tree BEGIN SELECT RAISE(IGNORE); END"],
        ["1 unexpected trigger"],
    ),
    ("index", ["CREATE INDEX by_actor ON entries (actor)"], ["1 unexpected index"]),
    ("extra table", ["CREATE TABLE notes (x TEXT)"], ["1 unexpected table"]),
    (
        "entries rebuilt without CHECK and UNIQUE",
        [
            "CREATE TABLE loose AS SELECT * FROM entries",
            "DROP TABLE entries",
            "ALTER TABLE loose RENAME TO entries",
        ],
        ["changed table entries"],
    ),
]


@pytest.mark.parametrize(
    ("name", "statements", "found"), FOREIGN_OBJECTS, ids=[r[0] for r in FOREIGN_OBJECTS]
)
def test_foreign_schema_objects_are_tampering(
    filled_ledger: FilledLedger, name: str, statements: list[str], found: list[str]
) -> None:
    ledger, _ = filled_ledger(4)
    with raw_sqlite(ledger.path) as db:
        for statement in statements:
            db.execute(statement)
    report = ledger.verify().to_json()
    assert report == {"ok": False, "entries": 4, "first_bad_seq": None, "kind": "schema", "schema": found}
    assert ledger.verify(first_seq=2, last_seq=3).to_json()["kind"] == "schema"  # a range, too
    for opened in (ledger, Ledger(ledger.path, clock=TickingClock())):  # a running and a new process
        with pytest.raises(LedgerTampered, match=r"^Nothing was recorded: .* schema \(") as refused:
            opened.append(query_event(5, actor="mallory"))
        assert (refused.value.exit_code, refused.value.kind) == (3, "schema")
    with raw_sqlite(ledger.path) as db:
        assert db.execute("SELECT count(*) FROM entries").fetchone()[0] == 4  # nothing was written


# (name, statements): changes that are not tampering with the schema.
HARMLESS = [
    ("ANALYZE writes planner statistics", ["ANALYZE"]),
    ("a temporary trigger lives only in its own connection", [
        "CREATE TEMP TRIGGER t AFTER INSERT ON main.entries BEGIN SELECT 1; END"
    ]),
    ("VACUUM", ["VACUUM"]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "statements"), HARMLESS, ids=[r[0] for r in HARMLESS])
def test_what_is_not_a_schema_change(filled_ledger: FilledLedger, name: str, statements: list[str]) -> None:
    ledger, _ = filled_ledger(3)
    with raw_sqlite(ledger.path) as db:
        for statement in statements:
            db.execute(statement)
    assert ledger.append(query_event(4)).seq == 4
    assert ledger.verify().ok


def test_a_trigger_added_under_a_running_process_stops_its_next_append(tmp_path: Path) -> None:
    """A kernel keeps its write connection open; the schema is re-checked when SQLite's schema cookie moves."""
    ledger = Ledger(tmp_path / "ledger.sqlite", clock=TickingClock())
    ledger.append(query_event(1))
    with raw_sqlite(ledger.path) as db:
        db.execute(
            "CREATE TRIGGER relabel AFTER INSERT ON entries "
            "BEGIN UPDATE entries SET detail = '{}' WHERE seq = NEW.seq; END"
        )
    with pytest.raises(LedgerTampered, match="1 unexpected trigger"):
        ledger.append(query_event(2))
    with raw_sqlite(ledger.path) as db:
        db.execute("DROP TRIGGER relabel")
    assert ledger.append(query_event(2)).seq == 2 and ledger.verify().ok  # removed again: appends resume


def test_messages_name_no_object_an_attacker_named(filled_ledger: FilledLedger) -> None:
    ledger, _ = filled_ledger(2)
    with raw_sqlite(ledger.path) as db:
        db.execute('CREATE VIEW "ssn 123-45-6789" AS SELECT 1')
    report = ledger.verify()
    with pytest.raises(LedgerTampered) as refused:
        ledger.append(query_event(3))
    assert "123-45-6789" not in str(report.to_json()) and "123-45-6789" not in str(refused.value)
    assert "schema (1 unexpected view)" in report.finding()


def test_the_signer_refuses_a_foreign_schema_with_the_tamper_exit_code(tmp_path: Path) -> None:
    book = Witnessed(tmp_path)
    book.append(3)
    book.checkpoint()
    book.append(2)
    with raw_sqlite(book.path) as db:
        db.execute("CREATE TRIGGER t AFTER INSERT ON entries BEGIN SELECT 1; END")
    with pytest.raises(
        LedgerTampered, match=r"^No checkpoint written: .*schema \(1 unexpected trigger\)"
    ) as refused:
        book.ledger.checkpoint()
    assert refused.value.exit_code == 3
    assert len(book.checkpoints()) == 1


def test_a_version_1_file_with_a_trigger_is_not_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    Ledger(path, clock=TickingClock()).append(query_event(1))
    with raw_sqlite(path) as db:
        db.execute("DROP TABLE tree")
        db.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
        db.execute("CREATE TRIGGER t AFTER INSERT ON entries BEGIN SELECT 1; END")
    with pytest.raises(LedgerTampered, match="1 unexpected trigger"):
        Ledger(path, schedule=MANUAL).append(query_event(2))
    with raw_sqlite(path) as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"meta", "entries"}
