"""Retention: moving the oldest ledger entries to an archive file that verifies on its own.

HIPAA asks that required documentation be kept six years from its creation or the date it was
last in effect (45 CFR 164.316(b)(2)(i)); audit records are kept at least as long (docs/siem.md
states the practice). The live ledger need not hold six years: `archive(settings, before)` takes
the next segment -- the entries after the previous archive, in seq order, up to the first one
recorded at or after `before`, cut back to the last signed checkpoint inside it -- writes it to
an archive file with the checkpoints that cover it, checks the file, and records the archive in
the ledger (action ``archive``, with the file's SHA-256 and the hash of its last entry, so the
chain itself vouches for the file). Consecutive archives chain: each starts where the last ended.

The archive file is JSON Lines: a header, one line per entry holding the stored row exactly
(``row``: the ten stored columns, the detail as its canonical text), then one line per
checkpoint. The header holds the anchor (the ``prev_hash`` of its first entry), the Merkle
frontier of the entries before it, and the public keys that signed its checkpoints.
`verify_archive(path)` recomputes every hash and link, the Merkle root at each checkpoint, and
each checkpoint's signature, needing nothing else. A chain alone proves nothing (anyone can drop
the checkpoints and recompute the hashes), so the result says whether a signed checkpoint covers
the last entry (`covered`) and whose keys were trusted: the auditor's (`verifiers`) or the ones the
archive's header lists (`keys_from == "archive"`, to be compared with the published key ids).
`live_archive_check` compares the file's SHA-256 with the ``archive`` entries of a live ledger.

Removing the archived entries from the live database needs the live verifier to start at an
archived prefix (meta ``archived_through`` and ``archived_hash``, written in the same transaction
as the delete). Until `workbench.ledger` declares that it does (`ARCHIVED_PREFIX_META`),
`archive` copies and leaves the live ledger whole, so `workbench ledger verify` keeps passing.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import sqlite3
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import workbench.ledger as ledger_package
from workbench import audit
from workbench.audit_query import current_principal, entry_instant, reading, utc_text
from workbench.errors import BadInput, LedgerError, LedgerTampered
from workbench.ledger import GENESIS_PREV_HASH, LedgerEntry
from workbench.ledger.canonical import entry_bytes, entry_hash, parse_detail
from workbench.ledger.checkpoint import NoteVerifier
from workbench.ledger.merkle import Frontier, leaf_hash
from workbench.settings import Settings
from workbench.siem.checkpoints import (
    CheckpointRecord,
    RootCheck,
    checkpoint_records,
    trusted_checkpoints,
    trusted_keys,
)
from workbench.siem.spool import read_cursor, write_atomically

ARCHIVE_FORMAT: Final = "phi-workbench-ledger-archive"
ARCHIVE_VERSION: Final = 1
ARCHIVED_THROUGH: Final = "archived_through"
ARCHIVED_HASH: Final = "archived_hash"
COLUMNS: Final = ("seq", "ts", "actor", "role", "purpose", "action", "outcome", "detail", "prev_hash", "hash")

Row = tuple[object, ...]


def archive_folder(settings: Settings) -> Path:
    return settings.home / "archive"


def spool_root(settings: Settings) -> Path:
    return settings.home / "spool"


@dataclass(frozen=True)
class ArchiveVerification:
    """The result of checking an archive file alone."""

    ok: bool
    entries: int
    first_seq: int | None
    last_seq: int | None
    checkpoints: int
    problem: str | None = None
    bad_seq: int | None = None
    signers: tuple[str, ...] = ()  # ids of the keys whose checkpoint signatures verified
    signed_through: int | None = None  # the largest checkpoint size whose signature and root verified
    keys_from: str = "archive"  # "archive": the header's own keys; "auditor": keys given to the verifier

    @property
    def covered(self) -> bool:
        """True when a signed checkpoint covers the archive's last entry (not the chain alone)."""
        return self.ok and self.last_seq is not None and self.signed_through == self.last_seq

    def to_json(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "first_seq": self.first_seq,
            "last_seq": self.last_seq,
            "checkpoints": self.checkpoints,
            "problem": self.problem,
            "bad_seq": self.bad_seq,
            "signers": list(self.signers),
            "signed_through": self.signed_through,
            "covered": self.covered,
            "keys_from": self.keys_from,
        }


@dataclass(frozen=True)
class LiveArchiveCheck:
    """How an archive file compares with the ``archive`` entries of the workspace's live ledger.

    `recorded_seq` is the entry recording this file's SHA-256 (None when none does); `conflicting_seq`
    an entry recording the same seq span with another SHA-256 and no entry recording this one.
    """

    sha256: str
    recorded_seq: int | None
    conflicting_seq: int | None
    conflicting_sha256: str | None = None

    @property
    def consistent(self) -> bool:
        return self.conflicting_seq is None

    @property
    def sentence(self) -> str:
        if self.recorded_seq is not None:
            return f"The live ledger recorded this file's SHA-256 {self.sha256} (entry {self.recorded_seq})"
        if self.conflicting_seq is not None:
            return (
                f"the live ledger's entry {self.conflicting_seq} archived these entries as a file with "
                f"SHA-256 {self.conflicting_sha256}, not this file's {self.sha256}"
            )
        return f"No archive entry in the live ledger records this file's SHA-256 {self.sha256}"

    def to_json(self) -> dict[str, object]:
        return {
            "sha256": self.sha256,
            "recorded_seq": self.recorded_seq,
            "conflicting_seq": self.conflicting_seq,
            "conflicting_sha256": self.conflicting_sha256,
            "consistent": self.consistent,
        }


@dataclass(frozen=True)
class ArchiveReport:
    """What `archive` did."""

    path: Path | None
    entries: int
    first_seq: int | None
    last_seq: int | None
    checkpoints: int
    sha256: str | None
    removed_from_live: bool
    recorded_seq: int | None

    def to_json(self) -> dict[str, object]:
        return {
            "path": str(self.path) if self.path else None,
            "entries": self.entries,
            "first_seq": self.first_seq,
            "last_seq": self.last_seq,
            "checkpoints": self.checkpoints,
            "sha256": self.sha256,
            "removed_from_live": self.removed_from_live,
            "recorded_seq": self.recorded_seq,
        }


def live_removal_supported() -> bool:
    """True once the ledger package verifies a chain that starts after an archived prefix.

    The ledger package declares it by exporting ``ARCHIVED_PREFIX_META`` (the two meta keys).
    """
    return hasattr(ledger_package, "ARCHIVED_PREFIX_META")


# -- stored rows ------------------------------------------------------------------------------------


@contextlib.contextmanager
def _snapshot(path: Path) -> Iterator[sqlite3.Connection]:
    """A private copy of the live ledger (SQLite online backup: one consistent read), removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="ledger-snapshot-") as folder:
        copy = Path(folder) / "ledger.sqlite"
        source = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
        try:
            target = sqlite3.connect(copy)
            try:
                source.backup(target)
            finally:
                target.close()
        finally:
            source.close()
        conn = sqlite3.connect(copy)
        try:
            yield conn
        finally:
            conn.close()


def _rows(conn: sqlite3.Connection) -> Iterator[Row]:
    yield from conn.execute(f"SELECT {', '.join(COLUMNS)} FROM entries ORDER BY seq")


def _entry(row: Row) -> LedgerEntry:
    seq, ts, actor, role, purpose, action, outcome, detail, prev_hash, digest = row
    return LedgerEntry(
        int(str(seq)),
        str(ts),
        str(actor),
        str(role),
        str(purpose),
        str(action),  # type: ignore[arg-type]  # as stored; verification judges it
        str(outcome),  # type: ignore[arg-type]
        parse_detail(str(detail)),
        str(prev_hash),
        str(digest),
    )


def _canonical(row: Sequence[object]) -> bytes:
    """The canonical bytes of a stored row; LedgerError when a field has the wrong type or form."""
    seq, ts, actor, role, purpose, action, outcome, detail, prev_hash, _ = row
    parse_detail(detail)  # type: ignore[arg-type]  # checked: must be canonical JSON text
    return entry_bytes(
        seq=seq,  # type: ignore[arg-type]
        ts=ts,  # type: ignore[arg-type]
        actor=actor,  # type: ignore[arg-type]
        role=role,  # type: ignore[arg-type]
        purpose=purpose,  # type: ignore[arg-type]
        action=action,  # type: ignore[arg-type]
        outcome=outcome,  # type: ignore[arg-type]
        detail_text=detail,  # type: ignore[arg-type]
        prev_hash=prev_hash,  # type: ignore[arg-type]
    )


def _checked_row(row: Sequence[object], expected_seq: int, previous: str) -> tuple[str, bytes]:
    """(hash, Merkle leaf) of a stored row after checking its seq, link and hash; ValueError says why."""
    if len(row) != len(COLUMNS):
        raise ValueError("a row does not have the ten stored columns")
    if row[0] != expected_seq:
        raise ValueError("missing or out-of-order entry")
    if row[8] != previous:
        raise ValueError("entry does not follow the one before it")
    try:
        canonical = _canonical(row)
    except (LedgerError, TypeError):
        raise ValueError("entry is not in canonical form") from None
    if entry_hash(canonical) != row[9]:
        raise ValueError("entry does not match its hash")
    return str(row[9]), leaf_hash(canonical)


# -- archive files ----------------------------------------------------------------------------------


def _frontier_json(frontier: Frontier | None) -> dict[str, object] | None:
    if frontier is None:
        return None
    return {
        "size": frontier.size,
        "nodes": [base64.b64encode(node).decode("ascii") for node in frontier.nodes],
    }


def _frontier_from(data: object) -> Frontier | None:
    if not isinstance(data, dict):
        return None
    return Frontier(int(data["size"]), [base64.b64decode(node, validate=True) for node in data["nodes"]])


def verify_archive(path: Path, verifiers: Sequence[NoteVerifier] | None = None) -> ArchiveVerification:
    """Check an archive file alone: header, every hash and link from its anchor, the Merkle root
    at each checkpoint, and each checkpoint's signature (by `verifiers`, else the keys the archive
    names -- compare those with the keys your organisation published). `ok` is about the file's
    consistency; `covered` says whether a signed checkpoint vouches for its last entry."""
    entries, first_seq, last_seq, checkpoints = 0, None, None, 0
    keys_from = "archive" if verifiers is None else "auditor"
    try:
        lines = Path(path).read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        return ArchiveVerification(False, 0, None, None, 0, "the file cannot be read as UTF-8 text")
    signers: set[str] = set()
    try:
        header = json.loads(lines[0])
        if header.get("format") != ARCHIVE_FORMAT or header.get("version") != ARCHIVE_VERSION:
            raise ValueError("not a ledger archive of a version this workbench reads")
        first_seq, last_seq = int(header["first_seq"]), int(header["last_seq"])
        previous = str(header["anchor_prev_hash"])
        if first_seq == 1 and previous != GENESIS_PREV_HASH:
            raise ValueError("the first entry of the ledger must follow the genesis hash")
        frontier = _frontier_from(header.get("frontier_before"))
        if frontier is not None and frontier.size != first_seq - 1:
            raise ValueError("the Merkle frontier does not end where the archive starts")
        keys = tuple(verifiers) if verifiers is not None else _embedded_keys(header)
        leaves: list[bytes] = []
        records: list[CheckpointRecord] = []
        expected = first_seq
        for text in lines[1:]:
            if not text:
                continue
            item = json.loads(text)
            if item.get("kind") == "entry":
                if records:
                    raise ValueError("an entry follows the checkpoints")
                try:
                    previous, leaf = _checked_row(item["row"], expected, previous)
                except ValueError as problem:
                    return ArchiveVerification(
                        False, entries, first_seq, last_seq, 0, str(problem), expected, keys_from=keys_from
                    )
                leaves.append(leaf)
                entries += 1
                expected += 1
            elif item.get("kind") == "checkpoint":
                records.append(CheckpointRecord.from_json(item["checkpoint"]))
            else:
                raise ValueError("a line is neither an entry nor a checkpoint")
        if expected != last_seq + 1:
            raise ValueError(f"the archive ends at entry {expected - 1}, its header says {last_seq}")
        if previous != header["last_hash"]:
            raise ValueError("the last entry's hash differs from the header's")
        if int(header["entries"]) != entries:
            raise ValueError("the entry count differs from the header's")
        for record in records:
            if not first_seq <= record.size <= last_seq:
                raise ValueError(f"the checkpoint of size {record.size} is outside the archive")
            signer = record.signed_by(keys)
            if signer is None:
                raise ValueError(
                    f"the checkpoint of size {record.size} has no valid signature by a known key"
                )
            signers.add(signer)
        checkpoints = len(records)
        if records:
            if frontier is None:
                raise ValueError("the archive lacks the Merkle frontier its checkpoints need")
            roots = RootCheck(records, frontier)
            roots.feed(leaves)
            wrong = sorted(size for size, ok in roots.matches.items() if not ok)
            if wrong or len(roots.matches) != len({r.size for r in records}):
                raise ValueError(
                    f"the Merkle root at checkpoint size {wrong[0] if wrong else '?'} does not match"
                )
    except (ValueError, KeyError, TypeError, AttributeError) as problem:
        return ArchiveVerification(
            False, entries, first_seq, last_seq, checkpoints, str(problem), keys_from=keys_from
        )
    return ArchiveVerification(
        True,
        entries,
        first_seq,
        last_seq,
        checkpoints,
        signers=tuple(sorted(signers)),
        signed_through=max((record.size for record in records), default=None),
        keys_from=keys_from,
    )


def live_archive_check(settings: Settings, path: Path, check: ArchiveVerification) -> LiveArchiveCheck | None:
    """Compare archive `path` (checked as `check`) with the live ledger's ``archive`` entries.

    None when the workspace has no ledger. Reads the ledger without writing to it.
    """
    if not settings.ledger_path.exists():
        return None
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    recorded, conflicting, other = None, None, None
    with reading(audit.ledger(settings)) as stream:
        for entry in stream:
            if entry.action != "archive" or entry.outcome != "ok":
                continue
            detail = entry.detail
            if detail.get("file_sha256") == digest:
                recorded = entry.seq
            elif (detail.get("first_seq"), detail.get("last_seq")) == (check.first_seq, check.last_seq):
                conflicting, other = entry.seq, str(detail.get("file_sha256"))
    if recorded is not None:
        return LiveArchiveCheck(digest, recorded, None)
    return LiveArchiveCheck(digest, None, conflicting, other)


def _embedded_keys(header: dict[str, object]) -> tuple[NoteVerifier, ...]:
    keys = header.get("verifier_keys") or []
    if not isinstance(keys, list):
        raise ValueError("the archive's verifier keys are not a list")
    try:
        return tuple(NoteVerifier.from_vkey(str(key)) for key in keys)
    except LedgerError:
        raise ValueError("the archive names a verifier key that is not well formed") from None


def _archive_bytes(
    header: dict[str, object], rows: Sequence[Row], checkpoints: Sequence[CheckpointRecord]
) -> bytes:
    out = [json.dumps(header, ensure_ascii=False, sort_keys=True)]
    out += [json.dumps({"kind": "entry", "row": list(row)}, ensure_ascii=False) for row in rows]
    out += [
        json.dumps({"kind": "checkpoint", "checkpoint": cp.to_json()}, ensure_ascii=False)
        for cp in checkpoints
    ]
    return ("\n".join(out) + "\n").encode("utf-8")


def archive_rows(path: Path) -> list[Row]:
    """The stored rows an archive file holds, in seq order (to rebuild or audit a full chain)."""
    rows = []
    for text in Path(path).read_text(encoding="utf-8").split("\n")[1:]:
        if text:
            item = json.loads(text)
            if item.get("kind") == "entry":
                rows.append(tuple(item["row"]))
    return rows


# -- archiving --------------------------------------------------------------------------------------


def _next_start(rows: Sequence[Row]) -> int:
    """The first seq not yet archived: one past the last successful archive recorded in the ledger."""
    start = int(str(rows[0][0])) if rows else 1
    for row in reversed(rows):
        if row[5] == "archive" and row[6] == "ok":
            last = _entry(row).detail.get("last_seq")
            if isinstance(last, int):
                return max(start, last + 1)
    return start


def _segment(rows: Sequence[Row], start: int, before: datetime, sizes: Sequence[int]) -> list[Row]:
    """Rows from `start` up to the first recorded at or after `before`, cut back to a checkpoint size."""
    segment = []
    for row in rows:
        seq = int(str(row[0]))
        if seq < start:
            continue
        if entry_instant(_entry(row)) >= before:
            break
        segment.append(row)
    if sizes and segment:
        inside = [size for size in sizes if start <= size <= start + len(segment) - 1]
        segment = segment[: max(inside) - start + 1] if inside else []
    return segment


def _unshipped(settings: Settings, last_seq: int) -> list[Path]:
    """Spools whose shipper has not yet read through `last_seq` (archiving would take entries from them)."""
    root = spool_root(settings)
    if not root.is_dir():
        return []
    behind = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        cursor = read_cursor(folder)
        if cursor is None or cursor.next_seq <= last_seq:
            behind.append(folder)
    return behind


def archive(settings: Settings, before: datetime, output: Path | None = None) -> ArchiveReport:
    """Archive the next segment of entries recorded before `before` (module docstring); record it."""
    if before.utcoffset() is None:
        raise BadInput("The archive time needs a UTC offset.")
    ledger = audit.ledger(settings)
    checkpoints = list(checkpoint_records(settings))
    keys = trusted_keys(settings)
    ledger.verify(trusted_checkpoints(checkpoints, keys)).raise_if_tampered()
    with _snapshot(ledger.path) as conn:
        rows = list(_rows(conn))
    start = _next_start(rows)
    segment = _segment(rows, start, before, [cp.size for cp in checkpoints])
    if not segment:
        return ArchiveReport(None, 0, None, None, 0, None, False, None)
    first_seq, last_seq = int(str(segment[0][0])), int(str(segment[-1][0]))
    behind = _unshipped(settings, last_seq)
    if behind:
        raise BadInput(
            f"The shipper spool {behind[0]} has not read through entry {last_seq} yet; "
            "let `workbench ledger ship` catch up (or move that spool aside), then archive."
        )
    frontier: Frontier | None = None
    if rows and rows[0][0] == 1:  # the entries before the segment are still stored: fold them
        frontier = Frontier()
        frontier.extend([leaf_hash(_canonical(row)) for row in rows if int(str(row[0])) < first_seq])
    covering = [cp for cp in checkpoints if first_seq <= cp.size <= last_seq]
    header: dict[str, object] = {
        "format": ARCHIVE_FORMAT,
        "version": ARCHIVE_VERSION,
        "serialization_version": 1,
        "first_seq": first_seq,
        "last_seq": last_seq,
        "entries": len(segment),
        "anchor_prev_hash": segment[0][8],
        "last_hash": segment[-1][9],
        "frontier_before": _frontier_json(frontier),
        "verifier_keys": [key.vkey() for key in keys],
        "before": utc_text(before),
        "created": utc_text(datetime.now(UTC)),
    }
    data = _archive_bytes(header, segment, covering)
    path = output or archive_folder(settings) / f"ledger-{first_seq:012d}-{last_seq:012d}.jsonl"
    if path.exists():
        raise BadInput(f"{path} already exists; archives are never overwritten. Pass another --output.")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, data)
    check = verify_archive(path, keys)
    if not check.ok:
        path.unlink()
        raise LedgerError(f"The new archive did not verify ({check.problem}); the live ledger is unchanged.")
    digest = hashlib.sha256(data).hexdigest()
    removing = live_removal_supported()
    recorded = audit.record(
        settings,
        "archive",
        "ok",
        {
            "first_seq": first_seq,
            "last_seq": last_seq,
            "entries": len(segment),
            "last_hash": str(segment[-1][9]),
            "file": path.name,
            "file_sha256": digest,
            "checkpoints": len(covering),
            "before": utc_text(before),
            "removed_from_live": removing,
        },
        current_principal(settings),
    )
    if removing:
        remove_archived_prefix(ledger.path, last_seq, str(segment[-1][9]), busy_ms=settings.ledger_busy_ms)
    return ArchiveReport(
        path, len(segment), first_seq, last_seq, len(covering), digest, removing, recorded.seq
    )


def remove_archived_prefix(path: Path, last_seq: int, last_hash: str, busy_ms: int = 10_000) -> None:
    """Delete entries up to `last_seq` from the live ledger and record where the live chain now starts.

    One `BEGIN IMMEDIATE` transaction: it checks that entry `last_seq` still has `last_hash`, writes
    meta ``archived_through`` and ``archived_hash``, and deletes the rows. Concurrent appends wait.
    """
    conn = sqlite3.connect(
        f"{path.absolute().as_uri()}?mode=rw", uri=True, timeout=busy_ms / 1000, isolation_level=None
    )
    try:
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("BEGIN IMMEDIATE")
        try:
            stored = conn.execute("SELECT hash FROM entries WHERE seq = ?", (last_seq,)).fetchone()
            if stored is None or stored[0] != last_hash:
                raise LedgerTampered(last_seq, "edit")
            conn.executemany(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                [(ARCHIVED_THROUGH, str(last_seq)), (ARCHIVED_HASH, last_hash)],
            )
            conn.execute("DELETE FROM entries WHERE seq <= ?", (last_seq,))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    except sqlite3.Error as exc:
        code = getattr(exc, "sqlite_errorname", type(exc).__name__)
        raise LedgerError(
            f"The audit ledger at {path} could not be pruned ({code}); it is unchanged."
        ) from None
    finally:
        conn.close()


def verify_live_after_archive(path: Path) -> tuple[bool, int, int | None]:
    """Check the live chain from its archived-prefix marker: (ok, entries, first bad seq).

    What `workbench ledger verify` needs to do once entries have been removed; here so the move
    can be tested end to end until the ledger package does it.
    """
    conn = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
    try:
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        expected = int(meta.get(ARCHIVED_THROUGH, "0")) + 1
        previous = meta.get(ARCHIVED_HASH, GENESIS_PREV_HASH)
        count = 0
        for row in _rows(conn):
            try:
                previous, _ = _checked_row(row, expected, previous)
            except ValueError:
                return False, count, expected
            count += 1
            expected += 1
        return True, count, None
    finally:
        conn.close()
