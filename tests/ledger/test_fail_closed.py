"""When the ledger cannot be written, appending raises LedgerError and nothing is recorded."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.ledger.sample import query_event, raw_sqlite
from workbench.errors import LedgerError
from workbench.ledger import Ledger, LedgerEvent

NOBODY = 65534
SECRET_ACTOR = "ana-4111-1111"
EVENT = LedgerEvent(SECRET_ACTOR, "researcher", "research", "query", "ok", {"marker": "v-7f3a"})


@contextmanager
def unprivileged() -> Iterator[None]:
    """Run the body without root's power to ignore file permissions (a no-op for other users)."""
    if os.geteuid() != 0:
        yield
        return
    os.seteuid(NOBODY)
    try:
        yield
    finally:
        os.seteuid(0)


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder outside pytest's private temp tree, so an unprivileged user can reach it."""
    folder = Path(tempfile.mkdtemp(prefix="ledger-fail-closed-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for path in (folder, *folder.rglob("*")):
            path.chmod(0o700)
        shutil.rmtree(folder)


def append_refused(path: Path) -> LedgerError:
    """Open the ledger at `path` and append, expecting LedgerError (raised by either step)."""
    with pytest.raises(LedgerError) as caught:
        Ledger(path, busy_ms=200).append(EVENT)
    message = str(caught.value)
    assert SECRET_ACTOR not in message and "v-7f3a" not in message
    return caught.value


def existing_ledger(folder: Path) -> Path:
    path = folder / "ledger.sqlite"
    Ledger(path).append(query_event(1))
    return path


def stored_count(path: Path) -> int:
    with raw_sqlite(path) as db:
        return int(db.execute("SELECT count(*) FROM entries").fetchone()[0])


def read_only_file(folder: Path) -> Path:
    path = existing_ledger(folder)
    folder.chmod(0o777)  # the folder stays writable: only the file is read-only
    path.chmod(0o444)
    return path


def read_only_folder(folder: Path) -> Path:
    path = existing_ledger(folder)
    if os.geteuid() == 0:
        os.chown(path, NOBODY, -1)  # the file stays writable to its owner: only the folder is read-only
    folder.chmod(0o555)
    return path


def missing_in_read_only_folder(folder: Path) -> Path:
    folder.chmod(0o555)
    return folder / "ledger.sqlite"


def missing_below_read_only_folder(folder: Path) -> Path:
    folder.chmod(0o555)
    return folder / "home" / "ledger.sqlite"


# (name, setup returning the ledger path, whether an existing file must be unchanged)
READ_ONLY = [
    ("read-only file", read_only_file, True),
    ("read-only folder", read_only_folder, True),
    ("no ledger, read-only folder", missing_in_read_only_folder, False),
    ("no ledger, read-only parent of the folder", missing_below_read_only_folder, False),
]


@pytest.mark.parametrize(("name", "setup", "existing"), READ_ONLY, ids=[row[0] for row in READ_ONLY])
def test_read_only_ledger_fails_closed(
    shared_dir: Path, name: str, setup: Callable[[Path], Path], existing: bool
) -> None:
    path = setup(shared_dir)
    with unprivileged():
        append_refused(path)
    if existing:
        assert stored_count(path) == 1
    else:
        assert not path.exists()


def test_ledger_path_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "ledger.sqlite").mkdir()
    append_refused(tmp_path / "ledger.sqlite")


def test_parent_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "home").write_text("not a folder")
    append_refused(tmp_path / "home" / "ledger.sqlite")


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    path.write_bytes(b"this is not SQLite\n" * 100)
    error = append_refused(path)
    assert "SQLITE_NOTADB" in str(error)


def test_entries_table_gone(tmp_path: Path) -> None:
    path = existing_ledger(tmp_path)
    ledger = Ledger(path)
    with raw_sqlite(path) as db:
        db.execute("DROP TABLE entries")
    with pytest.raises(LedgerError):
        ledger.append(EVENT)


def test_lock_held_longer_than_the_busy_budget(tmp_path: Path) -> None:
    path = existing_ledger(tmp_path)
    ledger = Ledger(path, busy_ms=100)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        with pytest.raises(LedgerError, match="SQLITE_BUSY") as caught:
            ledger.append(EVENT)
        assert SECRET_ACTOR not in str(caught.value)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert stored_count(path) == 1
    assert ledger.append(EVENT).seq == 2 and ledger.verify().ok


def test_readers_do_not_block_appends(tmp_path: Path) -> None:
    """In WAL mode an open read transaction does not delay an append."""
    path = existing_ledger(tmp_path)
    reader = sqlite3.connect(path, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM entries").fetchone()
        assert Ledger(path, busy_ms=100).append(EVENT).seq == 2
    finally:
        reader.execute("COMMIT")
        reader.close()
