"""Writing checkpoints: sign the ledger's tree head and append it to the witness, on a schedule.

`Notary.notarize(path)` reads the ledger's size and Merkle root from the stored tree and, holding
the witness lock, compares them with the newest checkpoint already witnessed. It signs only a
tree that *extends* that checkpoint (same root over the first old-size leaves), so a ledger that
was truncated, rolled back or rewritten is never re-signed: the log never signs a fork (C2SP
tlog-checkpoint). Before signing it fsyncs the ledger's WAL, so a witnessed entry is on disk
even under `synchronous=NORMAL`.

When: every process that appended writes a checkpoint when it exits (atexit); long-running
processes (kernel, MCP server) also after every `every_entries` appends and, through one daemon
thread per process, within `every_seconds` of an append even when no further append comes. A
process killed with SIGKILL writes nothing; the next checkpoint by any process covers its entries.
"""

from __future__ import annotations

import atexit
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from workbench.errors import LedgerError
from workbench.ledger import schema
from workbench.ledger.checkpoint import (
    Checkpoint,
    CheckpointRejected,
    NoteVerifier,
    SignedCheckpoint,
    open_note,
)
from workbench.ledger.keyring import Keyring
from workbench.ledger.tree import SubtreeReader, TreeDamaged, leaf_count
from workbench.ledger.witness import Witness, WitnessRecord

log = logging.getLogger("workbench.ledger")


@dataclass(frozen=True)
class CheckpointSchedule:
    """How often a process that appends writes a checkpoint (besides when it exits)."""

    every_entries: int = 1000
    every_seconds: float = 60.0


@dataclass(frozen=True)
class TrustedCheckpoints:
    """Checkpoints whose signatures verified, oldest first, and how many notes were rejected."""

    checkpoints: tuple[SignedCheckpoint, ...]
    rejected: int

    @property
    def latest(self) -> SignedCheckpoint | None:
        return max(self.checkpoints, key=lambda c: c.checkpoint.size, default=None)

    def of_size(self, size: int) -> SignedCheckpoint | None:
        return next((c for c in reversed(self.checkpoints) if c.checkpoint.size == size), None)


class Notary:
    """Signs checkpoints of a ledger with the keyring's key and records them in the witness."""

    def __init__(self, keyring: Keyring, witness: Witness, *, sign: bool = True) -> None:
        self.keyring = keyring
        self.witness = witness
        self.sign = sign

    def trusted(self, notes: Iterable[str] | None = None) -> TrustedCheckpoints:
        """Open `notes` (default: every witness record) with the trusted verifier keys."""
        verifiers = self.keyring.verifiers()
        rejected = 0
        if notes is None:
            contents = self.witness.read()
            notes, rejected = [record.note for record in contents.records], contents.malformed
        opened: list[SignedCheckpoint] = []
        seen: set[str] = set()
        for note in notes:
            if note in seen:
                continue
            seen.add(note)
            try:
                opened.append(open_note(note, verifiers))
            except CheckpointRejected:
                rejected += 1
        return TrustedCheckpoints(tuple(opened), rejected)

    def notarize(self, path: Path, busy_ms: int = 10_000) -> SignedCheckpoint | None:
        """Sign and witness the ledger's current tree head; None when the ledger is empty.

        Returns the newest witnessed checkpoint unchanged when nothing was appended since.
        Raises LedgerError when the ledger no longer extends the newest checkpoint.
        """
        signer = self.keyring.signer()
        verifiers = (*self.keyring.verifiers(), signer.verifier())
        with self.witness.appending() as witness:
            latest = witness.latest(lambda record: _ours(record, verifiers, signer.name))
            size, root = _tree_head(path, busy_ms, latest.checkpoint if latest else None)
            if size == 0:
                return None
            if latest is not None and latest.checkpoint.size == size:
                return latest
            _sync_wal(path)
            checkpoint = Checkpoint(signer.name, size, root)
            note = signer.sign(checkpoint)
            witness.append(note)
        return SignedCheckpoint(checkpoint, note, signer.verifier().key_id)


def _ours(record: WitnessRecord, verifiers: tuple[NoteVerifier, ...], origin: str) -> SignedCheckpoint | None:
    try:
        opened = open_note(record.note, verifiers)
    except CheckpointRejected:
        return None
    return opened if opened.checkpoint.origin == origin else None


def _tree_head(path: Path, busy_ms: int, latest: Checkpoint | None) -> tuple[int, bytes]:
    """Size and root of the stored tree, after checking it extends `latest`; one read snapshot."""
    uri = f"{path.absolute().as_uri()}?mode=ro"
    try:
        with closing(sqlite3.connect(uri, uri=True, timeout=busy_ms / 1000, isolation_level=None)) as conn:
            conn.execute("BEGIN")
            if schema.problems(conn):
                raise LedgerError(
                    f"No checkpoint written: the ledger at {path} holds SQLite objects the workbench "
                    "does not create; run `workbench ledger verify`."
                )
            size = leaf_count(conn)
            last_seq = conn.execute("SELECT coalesce(max(seq), 0) FROM entries").fetchone()[0]
            if last_seq != size:
                raise LedgerError(
                    f"No checkpoint written: the ledger at {path} ends at entry {last_seq} but its "
                    f"tree has {size} leaves; run `workbench ledger verify`, and if the entries verify, "
                    "`workbench ledger rebuild-tree`."
                )
            reader = SubtreeReader(conn)
            if latest is not None and size < latest.size:
                raise LedgerError(
                    f"No checkpoint written: the ledger at {path} has {size} entries, fewer than the "
                    f"{latest.size} its newest checkpoint vouches for; run `workbench ledger verify`."
                )
            if latest is not None and latest.size and reader(0, latest.size) != latest.root:
                raise LedgerError(
                    f"No checkpoint written: the ledger at {path} no longer extends its newest "
                    f"checkpoint (size {latest.size}); run `workbench ledger verify`, and if the entries "
                    "verify, `workbench ledger rebuild-tree`."
                )
            return size, reader.frontier(size).root()
    except TreeDamaged:
        raise LedgerError(
            f"No checkpoint written: the Merkle tree in {path} is damaged; run `workbench ledger verify`, "
            "and if the entries verify, `workbench ledger rebuild-tree`."
        ) from None
    except sqlite3.Error as exc:
        code = getattr(exc, "sqlite_errorname", None) or type(exc).__name__
        raise LedgerError(
            f"No checkpoint written: the ledger at {path} could not be read ({code})."
        ) from None


def _sync_wal(path: Path) -> None:
    """fsync the write-ahead log, so every entry the checkpoint covers survives a power loss."""
    try:
        fd = os.open(f"{path}-wal", os.O_RDONLY)
    except FileNotFoundError:
        return  # everything is in the main file, which SQLite synced when it checkpointed
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# -- the per-process schedule ---------------------------------------------------------------------


@dataclass
class _Pending:
    notary: Notary
    busy_ms: int
    schedule: CheckpointSchedule
    count: int = 0
    since: float = 0.0


class PendingCheckpoints:
    """Ledgers this process appended to since their last checkpoint, written when due and at exit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[Path, _Pending] = {}
        self._wake = threading.Event()
        self._timer: threading.Thread | None = None
        self._registered = False

    def appended(self, path: Path, notary: Notary, busy_ms: int, schedule: CheckpointSchedule) -> None:
        """Note one append; write a checkpoint now when `every_entries` are pending."""
        with self._lock:
            if not self._registered:
                atexit.register(self.flush)
                self._registered = True
            pending = self._pending.get(path)
            if pending is None:
                pending = self._pending[path] = _Pending(notary, busy_ms, schedule, since=time.monotonic())
                if schedule.every_seconds > 0:
                    self._ensure_timer()
                    self._wake.set()
            pending.count += 1
            due = pending.count >= schedule.every_entries > 0
            if due:
                del self._pending[path]
        if due:
            _notarize_quietly(path, pending)

    def discard(self, path: Path) -> None:
        """Forget `path`'s pending appends (its checkpoint is being written by the caller)."""
        with self._lock:
            self._pending.pop(path, None)

    def discard_all(self) -> None:
        with self._lock:
            self._pending.clear()

    def flush(self, paths: Iterable[Path] | None = None) -> None:
        """Write checkpoints for pending ledgers now (all of them, or those in `paths`)."""
        with self._lock:
            chosen = list(self._pending) if paths is None else [p for p in paths if p in self._pending]
            taken = [(path, self._pending.pop(path)) for path in chosen]
        for path, pending in taken:
            _notarize_quietly(path, pending)

    def _ensure_timer(self) -> None:
        if self._timer is None or not self._timer.is_alive():
            self._timer = threading.Thread(target=self._run, name="ledger-checkpoints", daemon=True)
            self._timer.start()

    def _run(self) -> None:
        """Timer thread: write each pending ledger's checkpoint once it has waited `every_seconds`."""
        while True:
            with self._lock:
                now = time.monotonic()
                due = [
                    path
                    for path, p in self._pending.items()
                    if p.schedule.every_seconds > 0 and now - p.since >= p.schedule.every_seconds
                ]
                waits = [
                    p.since + p.schedule.every_seconds - now
                    for p in self._pending.values()
                    if p.schedule.every_seconds > 0
                ]
            if due:
                self.flush(due)
                continue
            self._wake.wait(timeout=min(waits, default=_IDLE_POLL_S) + 0.01)
            self._wake.clear()


_IDLE_POLL_S: Final = 30.0

pending = PendingCheckpoints()
"""This process's pending checkpoints (one registry per process, shared by every Ledger in it)."""


def _notarize_quietly(path: Path, pending: _Pending) -> None:
    """A scheduled checkpoint: failures are logged (paths and counts only), never raised into an append."""
    if not pending.notary.sign:
        return
    try:
        pending.notary.notarize(path, pending.busy_ms)
    except LedgerError as exc:
        log.warning("workbench: %s", exc)
    except Exception as exc:  # a scheduled checkpoint must not break the process that appended
        log.warning("workbench: no checkpoint written for %s (%s).", path, type(exc).__name__)
