"""The ledger file: an append-only SQLite hash chain plus its Merkle tree, shared by every process.

Kernel, MCP server and CLI are separate processes appending to one file. An append is:

1. take the write lock (`workbench.ledger.lock`: flock, fair, bounded by `busy_ms`);
2. `BEGIN IMMEDIATE`; read the last (seq, hash); build the next entry and its hash;
3. insert the entry and its Merkle nodes (`workbench.ledger.tree`); `COMMIT`; release the lock.

Each `Ledger` keeps one write connection for its process (so an append is a handful of
statements, not an open/close); before each append it checks that the path still names the
file it has open, so a file replaced underneath a long-running kernel is never written through
a stale handle. WAL with `synchronous=NORMAL` by default: a committed append survives the
process being killed; a power loss can drop the appends since the WAL was last synced (each
checkpoint syncs it first). `synchronous="FULL"` syncs every append. Any failure raises
`LedgerError`, so the audited operation fails closed. `PRIMARY KEY (seq)`, `UNIQUE (prev_hash)`
and the tree's `PRIMARY KEY (level, idx)` reject a duplicate even from a writer that ignored
the lock.

A file whose SQLite schema is not the ledger's (a trigger, a view, a rebuilt table: see
`workbench.ledger.schema`) still opens, so that it can be verified, but every append raises
`LedgerTampered` (kind ``schema``); an append re-checks the schema whenever SQLite's schema
cookie has changed since the last check, so a trigger added under a long-running kernel is
caught at its next append.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing, suppress
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Literal, TypeVar, cast, get_args

from workbench.errors import BadInput, LedgerError, LedgerTampered
from workbench.ledger import schema, tree
from workbench.ledger.canonical import (
    GENESIS_PREV_HASH,
    SERIALIZATION_VERSION,
    detail_json,
    entry_bytes,
    entry_hash,
    parse_detail,
)
from workbench.ledger.checkpoint import Checkpoint, SignedCheckpoint
from workbench.ledger.entry import LEDGER_ACTIONS, OUTCOMES, LedgerAction, LedgerEntry, LedgerEvent, Outcome
from workbench.ledger.lock import LockTimeout, WriteLock
from workbench.ledger.merkle import consistency_proof, inclusion_proof, leaf_hash
from workbench.ledger.notary import CheckpointSchedule, Notary, pending
from workbench.ledger.verify import (
    COLUMNS,
    StoredRow,
    Verification,
    row_bytes,
    schema_check,
    seq_at_or_after,
    tampered,
    verify_all,
    verify_range,
)

SCHEMA_VERSION: Final = 2
"""2 adds the `tree` table to version 1; a version-1 file is upgraded when first opened."""

Synchronous = Literal["FULL", "EXTRA", "NORMAL"]
Clock = Callable[[], datetime]

_META: Final = {"schema_version": str(SCHEMA_VERSION), "serialization_version": str(SERIALIZATION_VERSION)}
_LAST: Final = "SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1"
_INSERT: Final = f"INSERT INTO entries ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

_WAL_PAGES: Final = 4000
"""Pages (16 MB) the WAL may hold before an append copies it into the file: fewer, longer syncs."""
_BUSY_CODES: Final = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
_T = TypeVar("_T")


def utc_now() -> datetime:
    """The default ledger clock."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class InclusionProof:
    """Entry `seq` is leaf seq-1 of the tree of `size` leaves: its canonical bytes and sibling hashes."""

    seq: int
    size: int
    entry: bytes
    proof: tuple[bytes, ...]


class Ledger:
    """The audit ledger at `path`: append events, read entries, verify, prove."""

    def __init__(
        self,
        path: Path,
        busy_ms: int = 10_000,
        *,
        clock: Clock = utc_now,
        synchronous: Synchronous = "NORMAL",
        notary: Notary | None = None,
        schedule: CheckpointSchedule | None = None,
    ) -> None:
        """Open the ledger at `path`, creating the file, its folder and the schema if missing.

        `busy_ms` bounds how long an operation waits for other writers; `clock` must return
        timezone-aware datetimes (tests inject one); `synchronous` is SQLite's durability level;
        with a `notary`, checkpoints are written on `schedule` and when the process exits.
        """
        if synchronous not in get_args(Synchronous):
            raise BadInput(f"synchronous must be one of {', '.join(get_args(Synchronous))}.")
        self.path = Path(path)
        self.busy_ms = busy_ms
        self.notary = notary
        self.schedule = schedule or CheckpointSchedule()
        self._clock = clock
        self._synchronous = synchronous
        self._conn: sqlite3.Connection | None = None
        self._opened: tuple[int, int, int] | None = None  # (pid, st_dev, st_ino) of the open file
        self._schema_cookie: int | None = None  # PRAGMA schema_version when the schema was last checked
        self._lock = WriteLock(self.path.with_name(self.path.name + ".lock"))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _ledger_error(self.path, "created", exc) from None
        with suppress(LedgerTampered):  # a file with a foreign schema opens, to be verified; appends raise
            self._write("opened", lambda conn: None)

    # -- writing ---------------------------------------------------------------------------------

    def append(self, event: LedgerEvent) -> LedgerEntry:
        """Record `event` as the next entry and return it; raise `LedgerError` if it cannot be stored."""
        checked = _checked(event)
        detail_text = detail_json(checked.detail)
        detail = parse_detail(detail_text)  # what a reader gets back; done before taking the lock
        seq, ts, prev_hash, digest = self._write(
            "written", lambda conn: self._append(conn, checked, detail_text)
        )
        if self.notary is not None:
            pending.appended(self.path, self.notary, self.busy_ms, self.schedule)
        return LedgerEntry(
            seq, ts, checked.actor, checked.role, checked.purpose, checked.action, checked.outcome,
            detail, prev_hash, digest,
        )  # fmt: skip

    def checkpoint(self) -> SignedCheckpoint | None:
        """Sign and witness the current tree head now (needs a notary); None for an empty ledger.

        When the signer refuses, verification against the trusted checkpoints says why: tampering
        raises `LedgerTampered` naming the kind and first bad seq (exit code 3); anything else
        (a damaged tree, a locked witness) is the signer's `LedgerError`.
        """
        if self.notary is None:
            raise LedgerError("This ledger has no checkpoint signer configured.")
        pending.discard(self.path)
        try:
            return self.notary.notarize(self.path, self.busy_ms)
        except LedgerError:
            trusted = [signed.checkpoint for signed in self.notary.trusted().checkpoints]
            self.verify(trusted).raise_if_tampered("No checkpoint written: ")
            raise

    def rebuild_tree(self, checkpoints: Sequence[Checkpoint]) -> Verification:
        """Recompute the stored Merkle tree from the entries, when they verify against `checkpoints`.

        The tree is an index over the entries; a damaged one (rows deleted or overwritten) stops
        proofs and checkpoints although every entry is intact. Under the write lock and in one
        transaction, this verifies the chain and the checkpoints from the entries alone, and only
        if that passes replaces the tree and checks that it reproduces every checkpoint it covers.
        Returns the verification; a failed one changes nothing.
        """

        def rebuild(conn: sqlite3.Connection) -> Verification:
            with _transaction(conn):
                verification = verify_all(conn, checkpoints)
                if not verification.ok:
                    return verification
                rows = conn.execute(f"SELECT {COLUMNS} FROM entries ORDER BY seq")
                leaves = [leaf_hash(row_bytes(StoredRow(*raw))) for raw in rows]
                conn.execute("DELETE FROM tree")
                tree.store(conn, tree.all_nodes(leaves))
                reader = tree.SubtreeReader(conn)
                if any(c.size <= len(leaves) and reader(0, c.size) != c.root for c in checkpoints if c.size):
                    raise LedgerError(  # cannot happen after a passing verification; never committed
                        f"The Merkle tree rebuilt for {self.path} does not reproduce a checkpoint; nothing was changed."
                    )
                return verification

        return self._write("rebuilt", rebuild)

    def close(self) -> None:
        """Close the write connection (it reopens on the next append)."""
        with self._lock_held("closed"):
            self._drop()

    # -- reading ---------------------------------------------------------------------------------

    def entries(self, since_seq: int = 1) -> Iterator[LedgerEntry]:
        """Stored entries with seq >= `since_seq`, in seq order, streamed (not verified)."""
        try:
            with closing(self._connect(self.busy_ms / 1000, create=False)) as conn:
                for raw in conn.execute(
                    f"SELECT {COLUMNS} FROM entries WHERE seq >= ? ORDER BY seq", (since_seq,)
                ):
                    yield _entry(raw)
        except sqlite3.Error as exc:
            raise _ledger_error(self.path, "read", exc) from None

    def last(self) -> LedgerEntry | None:
        """The entry with the highest seq, or None when the ledger is empty."""

        def read(conn: sqlite3.Connection) -> LedgerEntry | None:
            raw = conn.execute(f"SELECT {COLUMNS} FROM entries ORDER BY seq DESC LIMIT 1").fetchone()
            return None if raw is None else _entry(raw)

        return self._read(read)

    def size(self) -> int:
        """How many leaves the Merkle tree has (equal to the last seq in an intact ledger)."""
        return self._read(tree.leaf_count)

    def verify(
        self,
        checkpoints: Sequence[Checkpoint] = (),
        *,
        first_seq: int = 1,
        last_seq: int | None = None,
        workers: int | None = None,
    ) -> Verification:
        """Recompute the chain and the tree and compare with `checkpoints` (see `workbench.ledger.verify`).

        With `first_seq`/`last_seq`, only that range is recomputed, anchored at the checkpoints
        around it. A large ledger is hashed by `workers` processes (default: one per CPU, up to 8).
        """
        processes = workers if workers is not None else min(os.cpu_count() or 1, 8)

        def check(conn: sqlite3.Connection) -> Verification:
            if first_seq <= 1 and last_seq is None:
                return verify_all(conn, checkpoints, workers=processes)
            return verify_range(conn, checkpoints, first_seq, last_seq)

        return self._read(check)

    def seq_range(self, since: datetime | None, until: datetime | None) -> tuple[int, int | None]:
        """The seqs of the first entry at or after `since` and the last at or before `until`."""

        def find(conn: sqlite3.Connection) -> tuple[int, int | None]:
            first = seq_at_or_after(conn, _timestamp(since)) if since else 1
            last = None if until is None else seq_at_or_after(conn, _timestamp(until) + "\x00") - 1
            return first, last

        return self._read(find)

    def inclusion_proof(self, seq: int, size: int) -> InclusionProof:
        """Entry `seq`'s canonical bytes and its RFC 9162 inclusion proof in the tree of `size` leaves."""
        if not 1 <= seq <= size:
            raise BadInput(f"Entry {seq} is not in a tree of {size} entries.")

        def prove(conn: sqlite3.Connection) -> InclusionProof:
            raw = conn.execute(f"SELECT {COLUMNS} FROM entries WHERE seq = ?", (seq,)).fetchone()
            if raw is None:
                raise LedgerError(f"The ledger has no entry {seq}.")
            data = row_bytes(StoredRow(*raw))
            reader = tree.SubtreeReader(conn)
            return InclusionProof(seq, size, data, tuple(inclusion_proof(seq - 1, size, reader)))

        return self._read(prove)

    def consistency_proof(self, old_size: int, new_size: int) -> tuple[bytes, ...]:
        """The RFC 9162 consistency proof from the tree of `old_size` leaves to that of `new_size`."""
        if not 1 <= old_size <= new_size:
            raise BadInput(
                f"No consistency proof from {old_size} to {new_size} entries; need 1 <= old <= new."
            )
        return self._read(lambda conn: tuple(consistency_proof(old_size, new_size, tree.SubtreeReader(conn))))

    def root(self, size: int) -> bytes:
        """The Merkle root of the first `size` entries, from the stored tree."""
        return self._read(lambda conn: tree.SubtreeReader(conn).frontier(size).root())

    # -- SQLite plumbing -------------------------------------------------------------------------

    def _read(self, operation: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run `operation` in one read transaction on a fresh connection (never creates the file)."""
        try:
            with closing(self._connect(self.busy_ms / 1000, create=False)) as conn:
                conn.execute("BEGIN")  # one snapshot; concurrent appends are not seen half-way
                try:
                    return operation(conn)
                finally:
                    conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise _ledger_error(self.path, "read", exc) from None
        except tree.TreeDamaged:
            raise LedgerError(
                f"The Merkle tree in {self.path} is damaged; run `workbench ledger verify`."
            ) from None

    def _write(self, doing: str, operation: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run `operation` on the write connection holding the write lock; LedgerError on any failure."""
        with self._lock_held(doing):
            deadline = time.monotonic() + self.busy_ms / 1000
            while True:
                try:
                    return operation(self._connection())
                except sqlite3.IntegrityError as exc:
                    raise LedgerError(
                        f"The audit ledger at {self.path} could not be {doing}: it already holds a row for "
                        f"the next entry ({exc.sqlite_errorname}), so it was changed outside the workbench; "
                        "the operation is refused. Run `workbench ledger verify`."
                    ) from None
                except sqlite3.Error as exc:
                    self._drop()  # the next attempt starts from a fresh connection
                    if _is_busy(exc) and time.monotonic() < deadline:
                        time.sleep(0.001)  # a writer outside our lock (e.g. a sqlite3 shell) holds it
                        continue
                    raise _ledger_error(self.path, doing, exc) from None
                except LedgerError:
                    raise
                except LedgerTampered:
                    self._drop()
                    raise
                except Exception as exc:  # fail closed: whatever went wrong, the entry was not recorded
                    self._drop()
                    raise _ledger_error(self.path, doing, exc) from exc

    def _lock_held(self, doing: str) -> _Held:
        return _Held(self, doing)

    def _connection(self) -> sqlite3.Connection:
        """The write connection, reopened when the path names another file than the one open."""
        try:
            st = os.stat(self.path)
            current: tuple[int, int, int] | None = (os.getpid(), st.st_dev, st.st_ino)
        except FileNotFoundError:
            current = None
        if self._conn is not None and current == self._opened:
            return self._conn
        self._drop()
        conn = self._connect(self.busy_ms / 1000, create=True)
        try:
            conn.execute(f"PRAGMA synchronous={self._synchronous}")
            conn.execute(f"PRAGMA wal_autocheckpoint={_WAL_PAGES}")
            self._ensure_schema(conn)
        except BaseException:
            conn.close()
            raise
        st = os.stat(self.path)
        self._conn, self._opened = conn, (os.getpid(), st.st_dev, st.st_ino)
        return conn

    def _drop(self) -> None:
        conn, opened = self._conn, self._opened
        self._conn, self._opened, self._schema_cookie = None, None, None
        if conn is not None and opened is not None and opened[0] == os.getpid():
            conn.close()  # a connection inherited through fork() is the parent's: left alone

    def _connect(self, timeout_s: float, *, create: bool) -> sqlite3.Connection:
        """A connection in autocommit mode (transactions are explicit); `create` allows a new file."""
        uri = f"{self.path.absolute().as_uri()}?mode={'rwc' if create else 'rw'}"
        return sqlite3.connect(
            uri, uri=True, timeout=timeout_s, isolation_level=None, check_same_thread=False
        )

    def _ensure_schema(self, conn: sqlite3.Connection) -> None:
        """Create the tables in a new (empty) file, upgrade a version-1 file, refuse anything else."""
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode=WAL")
            with _transaction(conn):
                for statement in schema.TABLES:
                    conn.execute(statement)
                conn.executemany("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", _META.items())
            return
        self._check_schema(conn)  # first: a view named `entries` is tampering, not a missing table
        if not {"entries", "meta"} <= tables:
            raise self._refusal("is missing a table")
        stored = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        if stored.get("schema_version") == "1" and stored.get("serialization_version") == "1":
            self._upgrade_from_1(conn)
            self._schema_cookie = None  # the upgrade added `tree`: checked again at the first append
            return
        for key, supported in _META.items():
            if stored.get(key) != supported:
                raise LedgerError(
                    f"The audit ledger at {self.path} has {key} {stored.get(key)!r}, but this PHI Workbench "
                    f"reads {supported!r}; use the workbench version that wrote it."
                )
        if "tree" not in tables:
            raise self._refusal("is missing a table")

    def _check_schema(self, conn: sqlite3.Connection) -> None:
        """Raise LedgerTampered (kind ``schema``) when the file holds objects the ledger does not create."""
        cookie = conn.execute("PRAGMA schema_version").fetchone()[0]
        if cookie == self._schema_cookie:
            return
        found = schema_check(conn)
        if found is not None:
            raise tampered(found, "Nothing was recorded: ")
        self._schema_cookie = cookie

    def _upgrade_from_1(self, conn: sqlite3.Connection) -> None:
        """Version 1 had no tree: compute the leaves from the stored entries and add the table."""
        with _transaction(conn):
            conn.execute(tree.TREE_SCHEMA)
            leaves = []
            for expected, raw in enumerate(conn.execute(f"SELECT {COLUMNS} FROM entries ORDER BY seq"), 1):
                row = StoredRow(*raw)
                if row.seq != expected:
                    raise self._refusal("cannot be upgraded: its entries are not numbered 1, 2, 3, …")
                leaves.append(leaf_hash(row_bytes(row)))
            tree.store(conn, tree.all_nodes(leaves))
            conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))

    def _refusal(self, what: str) -> LedgerError:
        return LedgerError(
            f"The audit ledger at {self.path} {what}; the operation is refused. "
            "Preserve the workspace and report it to your privacy officer."
        )

    def _append(
        self, conn: sqlite3.Connection, event: LedgerEvent, detail_text: str
    ) -> tuple[int, str, str, str]:
        """Insert the next entry and its tree nodes; (seq, ts, prev_hash, hash). Runs under the write lock."""
        with _transaction(conn):
            self._check_schema(conn)  # one PRAGMA unless the schema changed since the last check
            last = conn.execute(_LAST).fetchone()
            seq, prev_hash = (1, GENESIS_PREV_HASH) if last is None else (last[0] + 1, last[1])
            ts = _timestamp(self._clock())  # read inside the lock, so on one host ts follows seq
            data = entry_bytes(
                seq=seq,
                ts=ts,
                actor=event.actor,
                role=event.role,
                purpose=event.purpose,
                action=event.action,
                outcome=event.outcome,
                detail_text=detail_text,
                prev_hash=prev_hash,
            )
            digest = entry_hash(data)
            row = (seq, ts, event.actor, event.role, event.purpose, event.action, event.outcome, detail_text)
            conn.execute(_INSERT, (*row, prev_hash, digest))
            tree.store(conn, tree.completed_nodes(conn, seq - 1, leaf_hash(data)))
        return seq, ts, prev_hash, digest


class _Held:
    """Context manager: the ledger's write lock, turning a timeout or an unopenable lock file into LedgerError."""

    def __init__(self, ledger: Ledger, doing: str) -> None:
        self._ledger, self._doing = ledger, doing

    def __enter__(self) -> None:
        ledger = self._ledger
        try:
            ledger._lock.acquire(ledger.busy_ms / 1000)
        except LockTimeout:
            raise LedgerError(
                f"The audit ledger at {ledger.path} could not be {self._doing} (locked by another process "
                f"for more than {ledger.busy_ms} ms); the operation is refused."
            ) from None
        except OSError as exc:
            raise _ledger_error(ledger.path, self._doing, exc) from None

    def __exit__(self, *exc: object) -> None:
        self._ledger._lock.release()


class _transaction:
    """`BEGIN IMMEDIATE` … `COMMIT`, rolled back on any exception."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def __enter__(self) -> None:
        self._conn.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, *rest: object) -> None:
        if kind is None:
            self._conn.execute("COMMIT")
        elif self._conn.in_transaction:
            self._conn.execute("ROLLBACK")


def _checked(event: LedgerEvent) -> LedgerEvent:
    """`event` with plain-str fields, or LedgerError when a field is outside its vocabulary."""
    texts: dict[str, str] = {}
    for name in ("actor", "role", "purpose", "action", "outcome"):
        value = getattr(event, name)
        if not isinstance(value, str):
            raise LedgerError(f"Ledger event field {name!r} must be text.")
        texts[name] = str.__str__(value)
    if not texts["actor"]:
        raise LedgerError(
            "A ledger event needs an actor: a user name, or os:<login> for session-less commands."
        )
    if texts["action"] not in LEDGER_ACTIONS:
        raise LedgerError(f"Unknown ledger action; use one of {', '.join(LEDGER_ACTIONS)}.")
    if texts["outcome"] not in OUTCOMES:
        raise LedgerError(f"Unknown ledger outcome; use one of {', '.join(OUTCOMES)}.")
    if not isinstance(event.detail, Mapping):
        raise LedgerError("Ledger event detail must be a mapping with str keys.")
    return replace(
        event,
        actor=texts["actor"],
        role=texts["role"],
        purpose=texts["purpose"],
        action=cast(LedgerAction, texts["action"]),
        outcome=cast(Outcome, texts["outcome"]),
    )


def _timestamp(moment: datetime) -> str:
    """UTC ISO-8601 with microseconds and an explicit offset: 2026-12-03T14:05:01.123456+00:00."""
    if not isinstance(moment, datetime) or moment.utcoffset() is None:
        raise LedgerError("The ledger clock must return a timezone-aware datetime.")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _entry(raw: tuple[object, ...]) -> LedgerEntry:
    """A stored row as an entry, fields as stored (verify() is what judges them)."""
    seq, ts, actor, role, purpose, action, outcome, detail, prev_hash, digest = cast(tuple[Any, ...], raw)
    try:
        parsed = parse_detail(detail)
    except (LedgerError, TypeError):
        raise LedgerError(
            f"Ledger entry {seq} has an unreadable detail; run `workbench ledger verify`."
        ) from None
    return LedgerEntry(seq, ts, actor, role, purpose, action, outcome, parsed, prev_hash, digest)


def _is_busy(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return "locked" in str(exc) or "busy" in str(exc)
    return code & 0xFF in _BUSY_CODES


def _ledger_error(path: Path, doing: str, exc: Exception) -> LedgerError:
    """A LedgerError naming the SQLite error code only (SQLite messages are not shown)."""
    code = getattr(exc, "sqlite_errorname", None) or type(exc).__name__
    return LedgerError(
        f"The audit ledger at {path} could not be {doing} ({code}); the operation is refused. "
        "Check that the workspace folder exists and is writable."
    )
