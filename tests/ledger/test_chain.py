"""Appending, reading back and verifying an untampered ledger."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.ledger.sample import FilledLedger, TickingClock, query_event, raw_sqlite
from workbench.errors import BadInput, LedgerError, LedgerTampered
from workbench.kinds import Purpose
from workbench.ledger import (
    GENESIS_PREV_HASH,
    LEDGER_ACTIONS,
    OUTCOMES,
    Ledger,
    LedgerEvent,
    Verification,
)
from workbench.ledger.canonical import entry_bytes, entry_hash
from workbench.ledger.merkle import leaf_hash, root_of

TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$")


def test_round_trip(filled_ledger: FilledLedger) -> None:
    ledger, written = filled_ledger(3)
    assert [entry.seq for entry in written] == [1, 2, 3]
    assert written[0].prev_hash == GENESIS_PREV_HASH == "0" * 64
    assert [entry.prev_hash for entry in written[1:]] == [entry.hash for entry in written[:-1]]
    assert all(TS.match(entry.ts) and re.fullmatch("[0-9a-f]{64}", entry.hash) for entry in written)
    assert list(ledger.entries()) == written
    assert list(ledger.entries(since_seq=3)) == written[2:]
    assert ledger.last() == written[-1]
    assert ledger.verify() == Verification(ok=True, entries=3, first_bad_seq=None, kind=None)


def test_stored_hash_is_sha256_of_the_canonical_bytes(filled_ledger: FilledLedger) -> None:
    ledger, (entry,) = filled_ledger(1)
    with raw_sqlite(ledger.path) as db:
        detail_text = db.execute("SELECT detail FROM entries WHERE seq = 1").fetchone()[0]
    canonical = entry_bytes(
        seq=entry.seq,
        ts=entry.ts,
        actor=entry.actor,
        role=entry.role,
        purpose=entry.purpose,
        action=entry.action,
        outcome=entry.outcome,
        detail_text=detail_text,
        prev_hash=entry.prev_hash,
    )
    assert entry_hash(canonical) == entry.hash
    assert entry.detail == {"n": 1, "tables": ["patients"], "columns": {"patients.ssn": "mask"}}


def test_empty_ledger(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "new" / "folder" / "ledger.sqlite")
    assert ledger.last() is None and list(ledger.entries()) == []
    assert ledger.verify().to_json() == {"ok": True, "entries": 0, "first_bad_seq": None, "kind": None}


def test_the_chain_continues_across_ledger_objects(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    first = Ledger(path).append(query_event(1))
    second = Ledger(path).append(query_event(2))
    assert (second.seq, second.prev_hash) == (2, first.hash)
    assert Ledger(path).verify().ok


def test_file_is_wal_with_versions_recorded(filled_ledger: FilledLedger) -> None:
    ledger, _ = filled_ledger(1)
    with raw_sqlite(ledger.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        meta = dict(db.execute("SELECT key, value FROM meta"))
    assert meta == {"schema_version": "2", "serialization_version": "1"}


@pytest.mark.parametrize(
    ("key", "value"), [("schema_version", "3"), ("serialization_version", "2"), ("schema_version", "")]
)
def test_a_ledger_from_another_version_is_refused(tmp_path: Path, key: str, value: str) -> None:
    path = tmp_path / "ledger.sqlite"
    Ledger(path).append(query_event(1))
    with raw_sqlite(path) as db:
        db.execute("UPDATE meta SET value = ? WHERE key = ?", (value, key))
    with pytest.raises(LedgerError, match=key):
        Ledger(path)


# (clock reading, stored ts): times are stored in UTC with microseconds and an explicit offset.
TIMES = [
    (datetime(2026, 12, 3, 14, 5, 1, 123456, tzinfo=UTC), "2026-12-03T14:05:01.123456+00:00"),
    (datetime(2026, 12, 3, 14, 5, 1, tzinfo=UTC), "2026-12-03T14:05:01.000000+00:00"),
    (
        datetime(2026, 12, 3, 16, 5, 1, 7, tzinfo=timezone(timedelta(hours=2))),
        "2026-12-03T14:05:01.000007+00:00",
    ),
    (datetime(2027, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=-5))), "2027-01-01T05:30:00.000000+00:00"),
]


@pytest.mark.parametrize(("moment", "stored"), TIMES)
def test_timestamps_come_from_the_injected_clock(tmp_path: Path, moment: datetime, stored: str) -> None:
    ledger = Ledger(tmp_path / "ledger.sqlite", clock=lambda: moment)
    assert ledger.append(query_event(1)).ts == stored
    assert next(ledger.entries()).ts == stored


def test_a_naive_clock_is_refused(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.sqlite", clock=lambda: datetime(2026, 12, 3, 14, 5))
    with pytest.raises(LedgerError, match="timezone"):
        ledger.append(query_event(1))
    assert ledger.last() is None


ACTORS = [
    "a|b",
    "back\\slash",
    "key=value",
    "|\\=|",
    'quote"d',
    "os:root",
    "  spaced  ",
    unicodedata.normalize("NFC", "José"),
    unicodedata.normalize("NFD", "José"),
    "李雷",
    "Zoë 🧪",
    "tab\there",
]


def test_user_names_survive_unchanged(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.sqlite")
    written = [ledger.append(query_event(n, actor=actor)) for n, actor in enumerate(ACTORS)]
    assert [entry.actor for entry in written] == ACTORS
    assert [entry.actor for entry in ledger.entries()] == ACTORS
    with raw_sqlite(ledger.path) as db:
        assert [row[0] for row in db.execute("SELECT actor FROM entries ORDER BY seq")] == ACTORS
    assert ledger.verify().ok
    assert len({entry.hash for entry in written}) == len(ACTORS)


def test_str_enums_are_stored_as_their_values(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "ledger.sqlite")
    event = LedgerEvent("ana", "researcher", Purpose.RESEARCH, "query", "ok", {"purpose": Purpose.AUDIT})
    entry = ledger.append(event)
    assert (entry.purpose, entry.detail) == ("research", {"purpose": "audit"})
    assert type(entry.purpose) is str and ledger.verify().ok


@pytest.mark.parametrize("action", LEDGER_ACTIONS)
@pytest.mark.parametrize("outcome", OUTCOMES)
def test_every_action_and_outcome_is_accepted(tmp_path: Path, action: str, outcome: str) -> None:
    entry = Ledger(tmp_path / "ledger.sqlite").append(LedgerEvent("os:ana", "", "", action, outcome, {}))  # type: ignore[arg-type]
    assert (entry.action, entry.outcome, entry.role, entry.purpose) == (action, outcome, "", "")


# (name, event): events refused before anything is written.
REFUSED_EVENTS = [
    ("unknown action", LedgerEvent("ana", "", "", "select", "ok", {})),  # type: ignore[arg-type]
    ("action in upper case", LedgerEvent("ana", "", "", "QUERY", "ok", {})),  # type: ignore[arg-type]
    ("unknown outcome", LedgerEvent("ana", "", "", "query", "maybe", {})),  # type: ignore[arg-type]
    ("empty actor", LedgerEvent("", "", "", "query", "ok", {})),
    ("actor not text", LedgerEvent(5, "", "", "query", "ok", {})),  # type: ignore[arg-type]
    ("role None", LedgerEvent("ana", None, "", "query", "ok", {})),  # type: ignore[arg-type]
    ("detail not a mapping", LedgerEvent("ana", "", "", "query", "ok", ["x"])),  # type: ignore[arg-type]
    ("float in detail", LedgerEvent("ana", "", "", "query", "ok", {"seconds": 0.25})),
    ("lone surrogate actor", LedgerEvent("an\ud800a", "", "", "query", "ok", {})),
]


@pytest.mark.parametrize(("name", "event"), REFUSED_EVENTS, ids=[row[0] for row in REFUSED_EVENTS])
def test_malformed_events_are_refused_and_not_written(tmp_path: Path, name: str, event: LedgerEvent) -> None:
    ledger = Ledger(tmp_path / "ledger.sqlite", clock=TickingClock())
    ledger.append(query_event(1))
    with pytest.raises(LedgerError):
        ledger.append(event)
    assert [entry.seq for entry in ledger.entries()] == [1]
    assert ledger.append(query_event(2)).seq == 2


def test_raise_if_tampered() -> None:
    Verification(ok=True, entries=4).raise_if_tampered()
    with pytest.raises(LedgerTampered) as caught:
        Verification(ok=False, entries=4, first_bad_seq=2, kind="deletion").raise_if_tampered()
    assert (caught.value.seq, caught.value.kind, caught.value.exit_code) == (2, "deletion", 3)


def test_paths_with_uri_characters(tmp_path: Path) -> None:
    path = tmp_path / "we#ird ?%20 José" / "ledger.sqlite"
    Ledger(path).append(query_event(1))
    assert path.is_file() and Ledger(path).verify().ok


def test_synchronous_level_is_checked(tmp_path: Path) -> None:
    assert Ledger(tmp_path / "fast.sqlite", synchronous="NORMAL").append(query_event(1)).seq == 1
    with pytest.raises(BadInput):
        Ledger(tmp_path / "ledger.sqlite", synchronous="OFF; DROP TABLE entries")  # type: ignore[arg-type]


def test_a_deleted_file_is_not_read_as_empty(filled_ledger: FilledLedger) -> None:
    ledger, _ = filled_ledger(3)
    ledger.path.unlink()
    for read in (ledger.verify, ledger.last, lambda: list(ledger.entries())):
        with pytest.raises(LedgerError):
            read()
    assert not ledger.path.exists()


def test_a_deleted_file_starts_a_new_chain_on_append(filled_ledger: FilledLedger) -> None:
    """As a new process would: deleting the whole file is undetectable until checkpoints exist."""
    ledger, _ = filled_ledger(3)
    ledger.path.unlink()
    assert ledger.append(query_event(4)).seq == 1
    assert ledger.verify().to_json() == {"ok": True, "entries": 1, "first_bad_seq": None, "kind": None}


def test_a_version_1_file_is_upgraded_with_its_tree(tmp_path: Path) -> None:
    """Files written before the Merkle tree existed get the `tree` table computed from their entries."""
    path = tmp_path / "ledger.sqlite"
    with raw_sqlite(path) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute(
            "CREATE TABLE entries (seq INTEGER PRIMARY KEY CHECK (seq >= 1), ts TEXT NOT NULL, actor TEXT NOT NULL, "
            "role TEXT NOT NULL, purpose TEXT NOT NULL, action TEXT NOT NULL, outcome TEXT NOT NULL, "
            "detail TEXT NOT NULL, prev_hash TEXT NOT NULL UNIQUE, hash TEXT NOT NULL)"
        )
        db.executemany(
            "INSERT INTO meta VALUES (?, ?)", [("schema_version", "1"), ("serialization_version", "1")]
        )
        prev, leaves = GENESIS_PREV_HASH, []
        for seq in range(1, 6):
            fields = dict(
                ts=f"2026-12-03T14:05:0{seq}.000000+00:00",
                actor="ana",
                role="",
                purpose="",
                action="login",
                outcome="ok",
            )
            data = entry_bytes(seq=seq, detail_text="{}", prev_hash=prev, **fields)
            db.execute(
                "INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (seq, *fields.values(), "{}", prev, entry_hash(data)),
            )
            prev = entry_hash(data)
            leaves.append(leaf_hash(data))
    ledger = Ledger(path)
    with raw_sqlite(path) as db:
        assert dict(db.execute("SELECT key, value FROM meta"))["schema_version"] == "2"
    assert ledger.size() == 5 and ledger.root(5) == root_of(leaves)
    assert ledger.append(query_event(6)).seq == 6 and ledger.verify().ok
