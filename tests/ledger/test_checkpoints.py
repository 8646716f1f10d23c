"""Signed checkpoints and the witness: what they catch that the chain cannot, and how they are written.

Each tampering case runs on a real ledger with real signed checkpoints in a real witness file,
then asserts the kind and the first bad seq that verification reports (docs/ledger.md, rules).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.ledger.sample import Witnessed, kind_of, query_event, raw_sqlite
from workbench.errors import LedgerError, LedgerTampered
from workbench.ledger import CheckpointSchedule, Keyring, Ledger, Notary, Witness, parallel
from workbench.ledger.canonical import entry_bytes, entry_hash
from workbench.ledger.merkle import leaf_hash
from workbench.ledger.tree import all_nodes


@pytest.fixture
def book(tmp_path: Path) -> Witnessed:
    return Witnessed(tmp_path / "a")


def rechain(path: Path, from_seq: int, actor: str = "mallory") -> None:
    """Rewrite entries from `from_seq` on with another actor and recompute every hash after it,
    as someone who knows the format and can write the file would: the chain stays valid."""
    with raw_sqlite(path) as db:
        rows = db.execute("SELECT * FROM entries WHERE seq >= ? ORDER BY seq", (from_seq,)).fetchall()
        prev = rows[0][8]
        for seq, ts, _, role, purpose, action, outcome, detail, _, _ in rows:
            fields = {"ts": ts, "actor": actor, "role": role, "purpose": purpose, "action": action}
            digest = entry_hash(
                entry_bytes(seq=seq, outcome=outcome, detail_text=detail, prev_hash=prev, **fields)
            )
            db.execute(
                "UPDATE entries SET actor = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                (actor, f"moving-{seq}", digest, seq),
            )
            db.execute("UPDATE entries SET prev_hash = ? WHERE seq = ?", (prev, seq))
            prev = digest


def rebuild_tree(path: Path) -> None:
    """Recompute the stored tree from the (rewritten) entries, hiding the rewrite from it too."""
    with raw_sqlite(path) as db:
        rows = db.execute("SELECT * FROM entries ORDER BY seq").fetchall()
        leaves = [
            leaf_hash(entry_bytes(seq=r[0], ts=r[1], actor=r[2], role=r[3], purpose=r[4], action=r[5],
                                  outcome=r[6], detail_text=r[7], prev_hash=r[8]))
            for r in rows
        ]  # fmt: skip
        db.execute("DELETE FROM tree")
        db.executemany("INSERT INTO tree (pos, hash) VALUES (?, ?)", all_nodes(leaves))


def remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def put_back(book: Witnessed, copy: Path) -> None:
    """Replace ledger.sqlite by an older copy (the live connection is closed first, as on a restart)."""
    book.ledger.close()
    remove_database(book.path)
    os.replace(copy, book.path)


# -- what the checkpoints catch ----------------------------------------------------------------------


def test_truncated_tail(book: Witnessed) -> None:
    book.append(10)
    book.checkpoint()
    with raw_sqlite(book.path) as db:
        db.execute("DELETE FROM entries WHERE seq > 7")
    assert kind_of(book.verify()) == (8, "truncation")


def test_truncated_tail_with_its_tree_nodes(book: Witnessed) -> None:
    """Deleting the tree rows too leaves no trace inside the file; without a checkpoint of exactly
    the remaining size it is still a truncation."""
    book.append(10)
    book.checkpoint()
    with raw_sqlite(book.path) as db:
        db.execute("DELETE FROM entries WHERE seq > 7")
        db.execute("DELETE FROM tree WHERE pos >= ?", (2 * 7 - 3,))  # stored_nodes(7) = 11
    assert kind_of(book.verify()) == (8, "truncation")


def test_deleted_database(book: Witnessed) -> None:
    book.append(4)
    book.checkpoint()
    book.ledger.close()
    remove_database(book.path)
    assert kind_of(Witnessed(book.home).verify()) == (1, "truncation")


def test_rollback_to_an_older_copy(book: Witnessed, tmp_path: Path) -> None:
    book.append(5)
    book.checkpoint()
    book.snapshot(tmp_path / "old.sqlite")
    book.append(5)
    book.checkpoint()
    put_back(book, tmp_path / "old.sqlite")
    assert kind_of(book.verify()) == (6, "rollback")


def test_rollback_then_more_appends_is_refused_by_the_notary_and_caught(
    book: Witnessed, tmp_path: Path
) -> None:
    book.append(5)
    book.checkpoint()
    book.snapshot(tmp_path / "old.sqlite")
    book.append(5)
    book.checkpoint()
    put_back(book, tmp_path / "old.sqlite")
    book.append(7)  # 12 entries again, but a different history from entry 6 on
    with pytest.raises(LedgerTampered, match=r"^No checkpoint written: .*rewrite at sequence 6") as refused:
        book.checkpoint()  # never signs the forked history
    assert (refused.value.exit_code, refused.value.kind, refused.value.seq) == (3, "rewrite", 6)
    assert kind_of(book.verify()) == (6, "rewrite")


@pytest.mark.parametrize("tree_too", [False, True], ids=["entries only", "entries and tree"])
def test_rewrite_with_recomputed_hashes(book: Witnessed, tree_too: bool) -> None:
    book.append(3)
    book.checkpoint()
    book.append(7)
    book.checkpoint()
    rechain(book.path, 6)
    if tree_too:
        rebuild_tree(book.path)
    assert book.ledger.verify().ok  # the chain alone sees nothing
    # Entries only: the stored tree still vouches for the old leaves, so the exact entry is named;
    # tree rebuilt too: the first entry after the last checkpoint that still matches.
    assert kind_of(book.verify()) == ((4, "rewrite") if tree_too else (6, "rewrite"))


def test_whole_file_rewritten(book: Witnessed) -> None:
    book.append(12)
    book.checkpoint()
    rechain(book.path, 1)
    rebuild_tree(book.path)
    assert book.ledger.verify().ok
    assert kind_of(book.verify()) == (1, "rewrite")


def fork(tmp_path: Path, extra_a: int, extra_b: int) -> tuple[Witnessed, Witnessed]:
    """Two copies of one workspace (keys, witness, database) that went on separately."""
    a = Witnessed(tmp_path / "a")
    a.append(5)
    a.checkpoint()
    (tmp_path / "b").mkdir()
    for part in ("keys", "witness"):
        shutil.copytree(a.home / part, tmp_path / "b" / part)
    a.snapshot(tmp_path / "b" / "ledger.sqlite")
    b = Witnessed(tmp_path / "b")
    a.append(extra_a, actor="ana")
    a.checkpoint()
    b.append(extra_b, actor="bob")
    b.checkpoint()
    return a, b


def merge_witness(into: Witnessed, other: Witnessed) -> None:
    """What a SIEM that received both copies' checkpoints holds."""
    with open(into.notary.witness.path, "ab") as out:
        out.write(other.notary.witness.path.read_bytes())


@pytest.mark.parametrize(("extra_a", "extra_b"), [(3, 3), (7, 3)], ids=["same size", "a went further"])
def test_fork(tmp_path: Path, extra_a: int, extra_b: int) -> None:
    a, b = fork(tmp_path, extra_a, extra_b)
    merge_witness(a, b)
    assert kind_of(a.verify()) == (6, "fork")


def test_the_other_history_alone_reads_as_a_rewrite(tmp_path: Path) -> None:
    a, b = fork(tmp_path, 3, 3)
    trusted = a.notary.trusted(
        [line["note"] for line in map(json.loads, b.notary.witness.path.read_text().splitlines())]
    )
    report = a.ledger.verify([c.checkpoint for c in trusted.checkpoints]).to_json()
    assert kind_of(report) == (6, "rewrite")


# (name, SQL, first_bad_seq, kind): the chain's kinds are unchanged when checkpoints exist.
CHAIN_KINDS = [
    ("edit before the checkpoint", "UPDATE entries SET actor = 'mallory' WHERE seq = 4", 4, "edit"),
    (
        "edit a timestamp",
        "UPDATE entries SET ts = '2020-01-01T00:00:00.000000+00:00' WHERE seq = 9",
        9,
        "edit",
    ),
    ("edit after the checkpoint", "UPDATE entries SET role = 'admin' WHERE seq = 11", 11, "edit"),
    ("delete in the middle", "DELETE FROM entries WHERE seq = 3", 3, "deletion"),
    (
        "swap two",
        "UPDATE entries SET seq = seq + 1000 WHERE seq IN (5, 6); "
        "UPDATE entries SET seq = 1011 - seq WHERE seq > 1000",
        5,
        "reorder",
    ),
]


@pytest.mark.parametrize(
    ("name", "statements", "first_bad", "kind"), CHAIN_KINDS, ids=[r[0] for r in CHAIN_KINDS]
)
def test_chain_kinds_with_checkpoints(
    book: Witnessed, name: str, statements: str, first_bad: int, kind: str
) -> None:
    book.append(10)
    book.checkpoint()
    book.append(2)
    with raw_sqlite(book.path) as db:
        db.executescript(statements)
    assert kind_of(book.verify()) == (first_bad, kind)


def test_untampered_report_names_the_checkpoint(book: Witnessed) -> None:
    book.append(6)
    head = book.checkpoint()
    book.append(2)
    report = book.verify()
    assert report == {
        "ok": True,
        "entries": 8,
        "first_bad_seq": None,
        "kind": None,
        "checkpoint": {"origin": head.origin, "size": 6, "root": head.root_b64},
        "uncovered": 2,
    }


# -- the witness ------------------------------------------------------------------------------------


def test_forged_and_damaged_witness_lines_are_ignored_and_counted(book: Witnessed) -> None:
    book.append(4)
    book.checkpoint()
    lines = book.notary.witness.path.read_text().splitlines()
    forged = json.loads(lines[0])
    forged["note"] = forged["note"].replace("\n4\n", "\n9\n")  # claims more entries: signature fails
    with open(book.notary.witness.path, "a") as out:
        out.write(json.dumps(forged) + "\n")
        out.write('{"time": "torn\n')
    trusted = book.notary.trusted()
    assert [c.checkpoint.size for c in trusted.checkpoints] == [4] and trusted.rejected == 2
    assert book.verify()["ok"] is True


def test_witness_lines_are_self_delimiting_json(book: Witnessed) -> None:
    book.append(2)
    book.checkpoint()
    book.append(1)
    book.checkpoint()
    records = [json.loads(line) for line in book.notary.witness.path.read_text().splitlines()]
    assert [set(r) for r in records] == [{"time", "note"}] * 2
    assert [r["note"].split("\n")[1] for r in records] == ["2", "3"]


# -- when checkpoints are written ----------------------------------------------------------------------


def test_nothing_new_writes_nothing(book: Witnessed) -> None:
    book.append(3)
    first = book.ledger.checkpoint()
    assert book.ledger.checkpoint() == first
    assert len(book.notary.witness.path.read_text().splitlines()) == 1
    assert Witnessed(book.home / "empty").ledger.checkpoint() is None


def test_truncated_ledger_is_not_signed(book: Witnessed) -> None:
    book.append(5)
    book.checkpoint()
    with raw_sqlite(book.path) as db:
        db.execute("DELETE FROM entries WHERE seq = 5")
    with pytest.raises(LedgerTampered, match="truncation at sequence 5") as refused:
        book.checkpoint()  # the tree still has 5 leaves
    assert refused.value.exit_code == 3
    with raw_sqlite(book.path) as db:
        db.execute("DELETE FROM tree WHERE pos >= 7")  # stored_nodes(4) = 7
    with pytest.raises(LedgerTampered, match="truncation at sequence 5"):
        book.checkpoint()  # fewer entries than the newest checkpoint
    assert len(book.notary.witness.path.read_text().splitlines()) == 1


def test_a_damaged_tree_is_not_signed_but_is_no_tampering(book: Witnessed) -> None:
    """The tree is an index: entries that verify with a damaged tree are the signer's error (exit 1)."""
    book.append(5)
    with raw_sqlite(book.path) as db:
        db.execute("DELETE FROM tree WHERE pos = 6")  # the subtree over entries 1-4
    assert book.ledger.verify().ok
    with pytest.raises(LedgerError, match="damaged"):
        book.checkpoint()


def test_every_n_entries(tmp_path: Path) -> None:
    notary = Notary(Keyring(tmp_path / "keys"), Witness(tmp_path / "witness"))
    ledger = Ledger(
        tmp_path / "ledger.sqlite",
        notary=notary,
        schedule=CheckpointSchedule(every_entries=4, every_seconds=0),
    )
    for n in range(9):
        ledger.append(query_event(n))
    assert [c.checkpoint.size for c in notary.trusted().checkpoints] == [4, 8]


def test_idle_timer(tmp_path: Path) -> None:
    notary = Notary(Keyring(tmp_path / "keys"), Witness(tmp_path / "witness"))
    ledger = Ledger(
        tmp_path / "ledger.sqlite",
        notary=notary,
        schedule=CheckpointSchedule(every_entries=0, every_seconds=0.2),
    )
    ledger.append(query_event(1))
    ledger.append(query_event(2))
    deadline = time.monotonic() + 20
    while not notary.trusted().checkpoints and time.monotonic() < deadline:
        time.sleep(0.05)  # bounded wait for the timer thread; nothing else will write a checkpoint
    assert [c.checkpoint.size for c in notary.trusted().checkpoints] == [2]


EXITING_WRITER = """
import sys
from pathlib import Path
from workbench.ledger import CheckpointSchedule, Keyring, Ledger, LedgerEvent, Notary, Witness

home = Path(sys.argv[1])
notary = Notary(Keyring(home / "keys"), Witness(home / "witness"), sign=sys.argv[2] == "sign")
ledger = Ledger(home / "ledger.sqlite", notary=notary, schedule=CheckpointSchedule(1000, 60))
for n in range(3):
    ledger.append(LedgerEvent("os:cli", "", "", "query", "ok", {"n": n}))
"""


@pytest.mark.parametrize(("mode", "sizes"), [("sign", [3]), ("no-sign", [])])
def test_a_process_that_appended_checkpoints_when_it_exits(
    tmp_path: Path, mode: str, sizes: list[int]
) -> None:
    subprocess.run([sys.executable, "-c", EXITING_WRITER, str(tmp_path), mode], check=True, timeout=60)
    notary = Notary(Keyring(tmp_path / "keys"), Witness(tmp_path / "witness"))
    assert [c.checkpoint.size for c in notary.trusted().checkpoints] == sizes


def test_the_witness_can_live_elsewhere(tmp_path: Path) -> None:
    elsewhere = tmp_path / "other-disk" / "witness"
    notary = Notary(Keyring(tmp_path / "keys"), Witness(elsewhere))
    ledger = Ledger(tmp_path / "home" / "ledger.sqlite", notary=notary)
    ledger.append(query_event(1))
    ledger.checkpoint()
    assert (elsewhere / "checkpoints").is_file() and not (tmp_path / "home" / "witness").exists()


def test_sqlite_sees_every_checkpointed_entry_after_the_wal_sync(book: Witnessed) -> None:
    """The notary fsyncs the WAL before signing; the file then holds what the checkpoint covers."""
    book.append(3)
    book.checkpoint()
    with sqlite3.connect(book.path) as db:
        assert db.execute("SELECT max(seq) FROM entries").fetchone()[0] == 3


# -- several processes ---------------------------------------------------------------------------------


@pytest.fixture
def parallel_from_small_sizes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 1)


@pytest.mark.usefixtures("parallel_from_small_sizes")
def test_parallel_verification_agrees_with_one_process(book: Witnessed) -> None:
    book.append(5000)
    book.checkpoint()
    book.append(1234)
    book.checkpoint()
    book.append(7)
    checkpoints = book.checkpoints()
    one = book.ledger.verify(checkpoints, workers=1)
    three = book.ledger.verify(checkpoints, workers=3)
    assert one == three and one.ok and one.checkpoint is not None and one.checkpoint.size == 6234
    # A problem in any run sends verification back to one process, which names it.
    with raw_sqlite(book.path) as db:
        db.execute("UPDATE entries SET role = 'admin' WHERE seq = 4100")
    assert kind_of(book.ledger.verify(checkpoints, workers=3).to_json()) == (4100, "edit")
