"""The ledger file: an append-only SQLite hash chain shared by every process of the workspace.

Kernel, CLI and (later) the MCP server are short-lived processes that write the same file, so
each operation opens its own connection and closes it: nothing is cached between calls, and a
workspace file that is replaced underneath a long-running kernel is never written through a
stale handle. The file is in WAL mode; an append is one `BEGIN IMMEDIATE` transaction that reads
the last (seq, hash) and inserts the next entry, so two processes can never take the same seq.
`synchronous=FULL` by default: an entry is on disk before `append` returns. Any failure raises
`LedgerError`, so the audited operation fails closed.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, Literal, TypeVar, cast, get_args

from workbench.errors import BadInput, LedgerError
from workbench.ledger.canonical import (
    GENESIS_PREV_HASH,
    SERIALIZATION_VERSION,
    detail_json,
    entry_bytes,
    entry_hash,
    parse_detail,
)
from workbench.ledger.entry import LEDGER_ACTIONS, OUTCOMES, LedgerAction, LedgerEntry, LedgerEvent, Outcome
from workbench.ledger.verify import COLUMNS, Verification, verify_chain

SCHEMA_VERSION: Final = 1

Synchronous = Literal["FULL", "EXTRA", "NORMAL"]
Clock = Callable[[], datetime]

_SCHEMA: Final = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS entries (
        seq INTEGER PRIMARY KEY CHECK (seq >= 1),
        ts TEXT NOT NULL,
        actor TEXT NOT NULL,
        role TEXT NOT NULL,
        purpose TEXT NOT NULL,
        action TEXT NOT NULL,
        outcome TEXT NOT NULL,
        detail TEXT NOT NULL,
        prev_hash TEXT NOT NULL UNIQUE,
        hash TEXT NOT NULL
    )""",
)
_META: Final = {"schema_version": str(SCHEMA_VERSION), "serialization_version": str(SERIALIZATION_VERSION)}

_BUSY_CODES: Final = frozenset({sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED})
_T = TypeVar("_T")


def utc_now() -> datetime:
    """The default ledger clock."""
    return datetime.now(UTC)


class Ledger:
    """The audit ledger at `path`: append events, read entries, verify the chain."""

    def __init__(
        self,
        path: Path,
        busy_ms: int = 10_000,
        *,
        clock: Clock = utc_now,
        synchronous: Synchronous = "FULL",
    ) -> None:
        """Open the ledger at `path`, creating the file, its folder and the schema if missing.

        `busy_ms` bounds how long an operation waits for other writers; `clock` must return
        timezone-aware datetimes (tests inject one); `synchronous` is SQLite's durability level.
        """
        if synchronous not in get_args(Synchronous):
            raise BadInput(f"synchronous must be one of {', '.join(get_args(Synchronous))}.")
        self.path = Path(path)
        self.busy_ms = busy_ms
        self._clock = clock
        self._synchronous = synchronous
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _ledger_error(self.path, "created", exc) from None
        self._with_retry("opened", self._ensure_schema, create=True)

    def append(self, event: LedgerEvent) -> LedgerEntry:
        """Record `event` as the next entry and return it; raise `LedgerError` if it cannot be stored."""
        checked = _checked(event)
        detail_text = detail_json(checked.detail)
        return self._with_retry("written", lambda conn: self._append(conn, checked, detail_text), create=True)

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

        return self._with_retry("read", read)

    def verify(self) -> Verification:
        """Recompute the chain from the stored fields; see `workbench.ledger.verify` for the rules."""

        def check(conn: sqlite3.Connection) -> Verification:
            conn.execute("BEGIN")  # one read snapshot; concurrent appends are not seen half-way
            try:
                return verify_chain(conn)
            finally:
                conn.execute("COMMIT")

        return self._with_retry("read", check)

    # -- SQLite plumbing -------------------------------------------------------------------------

    def _connect(self, timeout_s: float, *, create: bool) -> sqlite3.Connection:
        """A connection in autocommit mode (transactions are explicit); `create` allows a new file."""
        uri = f"{self.path.absolute().as_uri()}?mode={'rwc' if create else 'rw'}"
        conn = sqlite3.connect(uri, uri=True, timeout=timeout_s, isolation_level=None)
        try:
            conn.execute(f"PRAGMA synchronous={self._synchronous}")
        except BaseException:
            conn.close()
            raise
        return conn

    def _with_retry(
        self, doing: str, operation: Callable[[sqlite3.Connection], _T], *, create: bool = False
    ) -> _T:
        """Run `operation` on a fresh connection, retrying SQLITE_BUSY until `busy_ms` is spent.

        Only opening and appending may create the file: reading a ledger that was deleted fails.
        """
        deadline = time.monotonic() + self.busy_ms / 1000
        pause = 0.001
        while True:
            remaining = deadline - time.monotonic()
            try:
                with closing(self._connect(max(remaining, 0.0), create=create)) as conn:
                    return operation(conn)
            except sqlite3.Error as exc:
                if _is_busy(exc) and time.monotonic() + pause < deadline:
                    time.sleep(pause)  # another process holds the file; back off, bounded by busy_ms
                    pause = min(pause * 2, 0.05)
                    continue
                raise _ledger_error(self.path, doing, exc) from None
            except LedgerError:
                raise
            except Exception as exc:  # fail closed: whatever went wrong, the entry was not recorded
                raise _ledger_error(self.path, doing, exc) from exc

    def _ensure_schema(self, conn: sqlite3.Connection) -> None:
        """Create the tables in a new (empty) file; refuse a file that has only some of them."""
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("BEGIN IMMEDIATE")
            try:
                for statement in _SCHEMA:
                    conn.execute(statement)
                conn.executemany("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", _META.items())
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        elif not {"entries", "meta"} <= tables:
            raise LedgerError(
                f"The audit ledger at {self.path} is missing a table; the operation is refused. "
                "Preserve the workspace and report it to your privacy officer."
            )
        stored = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        for key, supported in _META.items():
            if stored.get(key) != supported:
                raise LedgerError(
                    f"The audit ledger at {self.path} has {key} {stored.get(key)!r}, but this PHI Workbench "
                    f"reads {supported!r}; use the workbench version that wrote it."
                )

    def _append(self, conn: sqlite3.Connection, event: LedgerEvent, detail_text: str) -> LedgerEntry:
        self._ensure_schema(conn)  # the file may have been replaced since this object opened it
        conn.execute("BEGIN IMMEDIATE")
        try:
            last = conn.execute("SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev_hash = (1, GENESIS_PREV_HASH) if last is None else (last[0] + 1, last[1])
            ts = _timestamp(self._clock())  # read inside the lock, so on one host ts follows seq
            entry = LedgerEntry(
                seq=seq,
                ts=ts,
                actor=event.actor,
                role=event.role,
                purpose=event.purpose,
                action=event.action,
                outcome=event.outcome,
                detail=parse_detail(detail_text),
                prev_hash=prev_hash,
                hash="",
            )
            entry = replace(entry, hash=entry_hash(_canonical(entry, detail_text)))
            conn.execute(
                f"INSERT INTO entries ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    entry.seq,
                    entry.ts,
                    entry.actor,
                    entry.role,
                    entry.purpose,
                    entry.action,
                    entry.outcome,
                    detail_text,
                    entry.prev_hash,
                    entry.hash,
                ),
            )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return entry


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


def _canonical(entry: LedgerEntry, detail_text: str) -> bytes:
    return entry_bytes(
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
