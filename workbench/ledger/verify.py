"""Verification: recompute the chain and the Merkle tree, compare with signed checkpoints, name the first divergence.

One pass over the rows in seq order recomputes each entry's hash (it must equal the stored
`hash`, and the next row's `prev_hash` must equal it) and its Merkle leaf, and folds the leaves
into the tree, taking the root at every checkpoint size on the way. docs/ledger.md states the
rules for auditors; in short, the first problem in seq order is reported as one of

* chain kinds, from the rows alone (`e` = the seq expected next, *successor* = the row whose
  `prev_hash` is the last good hash, wherever it is stored):
  nothing at e and no successor → ``deletion`` at e; nothing at e but the successor elsewhere
  → ``edit`` (its seq was changed); the row at e does not hash but would under another seq, or
  the successor is stored elsewhere → ``reorder``; does not hash otherwise → ``edit``; hashes
  but links to a hash no row has → ``edit`` at e-1 (a row rewritten with a recomputed hash);
* checkpoint kinds, from the signed checkpoints (the roots they vouch for):
  a checkpoint whose root the ledger does not reproduce → ``rewrite``, or ``fork`` when a
  checkpoint of the same or a larger size does match (two histories were both signed, as are
  two checkpoints of one size with different roots); fewer entries than the newest checkpoint
  → ``rollback`` when the file is exactly the state an older checkpoint describes, else
  ``truncation``;
* ``schema``, checked before anything is read: the file holds SQLite objects the ledger does not
  create (a trigger, a view, an index, a table) or a changed table (`workbench.ledger.schema`).
  No entry is named (`first_bad_seq` is None): such objects can change what is read or written.

A range (`since`/`until`, as seq bounds) is checked against the checkpoints at its edges: the
stored tree up to the left checkpoint must reproduce that checkpoint's root, and the entries
from there to the right checkpoint are recomputed, so an auditor need not replay everything.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from typing import Any, Final, Literal, NamedTuple

from workbench.errors import LedgerError, LedgerTampered
from workbench.ledger import schema
from workbench.ledger.canonical import GENESIS_PREV_HASH, entry_bytes, entry_hash
from workbench.ledger.checkpoint import Checkpoint
from workbench.ledger.merkle import Frontier, inclusion_proof, leaf_hash, root_from_inclusion
from workbench.ledger.tree import SubtreeReader, TreeDamaged, leaf_at, leaf_count

TamperKind = Literal["edit", "reorder", "deletion", "truncation", "rewrite", "rollback", "fork", "schema"]
TAMPER_KINDS: Final[tuple[TamperKind, ...]] = (
    "edit", "reorder", "deletion", "truncation", "rewrite", "rollback", "fork", "schema",
)  # fmt: skip

COLUMNS: Final = "seq, ts, actor, role, purpose, action, outcome, detail, prev_hash, hash"

_sha256 = hashlib.sha256
_FLUSH: Final = 4096


@dataclass(frozen=True)
class Verification:
    """The result of a check: ok, how many entries are stored, the first divergence and what anchored it.

    `checkpoint` is the newest trusted checkpoint the ledger reproduced (None when there is
    none); `checked` is the seq range recomputed when a time range was asked for; `schema` says
    what is wrong with the file's SQLite schema (kind ``schema``, no `first_bad_seq`).
    """

    ok: bool
    entries: int
    first_bad_seq: int | None = None
    kind: TamperKind | None = None
    checkpoint: Checkpoint | None = None
    checked: tuple[int, int] | None = None
    witness_rejected: int = 0
    schema: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        """`ok`, `entries`, `first_bad_seq`, `kind`; `checkpoint`, `uncovered`, `checked` and
        `witness_rejected` and `schema` only when there is something to say."""
        out: dict[str, object] = {
            "ok": self.ok,
            "entries": self.entries,
            "first_bad_seq": self.first_bad_seq,
            "kind": self.kind,
        }
        if self.checkpoint is not None:
            out["checkpoint"] = {
                "origin": self.checkpoint.origin,
                "size": self.checkpoint.size,
                "root": self.checkpoint.root_b64,
            }
            out["uncovered"] = max(self.entries - self.checkpoint.size, 0)
        if self.checked is not None:
            out["checked"] = {"from_seq": self.checked[0], "to_seq": self.checked[1]}
        if self.witness_rejected:
            out["witness_rejected"] = self.witness_rejected
        if self.schema:
            out["schema"] = list(self.schema)
        return out

    def finding(self) -> str:
        """The failure in a few words: ``rollback at sequence 4``, ``schema (1 unexpected trigger)``."""
        if self.ok:
            return "none"
        if self.kind == "schema":
            return f"schema ({', '.join(self.schema)})"
        return f"{self.kind or 'edit'} at sequence {self.first_bad_seq or 0}"

    def raise_if_tampered(self, doing: str = "") -> None:
        """Raise `LedgerTampered` (exit code 3) when verification failed; `doing` starts the message
        (e.g. "No checkpoint written: ")."""
        if not self.ok:
            raise tampered(self, doing)


def tampered(verification: Verification, doing: str = "") -> LedgerTampered:
    """The `LedgerTampered` error for a failed verification, its message naming the finding."""
    error = LedgerTampered(verification.first_bad_seq or 0, verification.kind or "edit")
    if doing or verification.kind == "schema":  # LedgerTampered's own message has no room for either
        error.message = (
            f"{doing}Ledger integrity failure: {verification.finding()}. "
            "Preserve the workspace and report it to your privacy officer."
        )
        error.args = (error.message,)
    return error


def schema_check(conn: sqlite3.Connection) -> Verification | None:
    """A failed verification of kind ``schema`` when the file holds objects the ledger does not create."""
    found = schema.problems(conn)
    if not found:
        return None
    try:
        total = conn.execute("SELECT count(*) FROM entries").fetchone()[0]
    except sqlite3.Error:
        total = 0
    return Verification(False, total if isinstance(total, int) else 0, None, "schema", schema=found)


class StoredRow(NamedTuple):
    """A row exactly as SQLite returns it: tampering may have put any type in any column, so the
    fields are `Any` and the hashing code checks each type before use."""

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


Divergence = tuple[int, TamperKind]


@dataclass
class Scan:
    """What one pass over rows found: the last good seq and hash, the first chain divergence, the
    tree so far, and the root at each requested size reached."""

    last_seq: int
    last_hash: str
    frontier: Frontier
    roots: dict[int, bytes] = field(default_factory=dict)
    divergence: Divergence | None = None
    snapshots: dict[int, Frontier] | None = None  # the frontier itself at each size, when asked for


class _Quoted(dict[str, str]):
    """JSON string literals of the few distinct actions, outcomes, roles, purposes and actors."""

    def __missing__(self, text: str) -> str:
        quoted = encode_basestring(text)  # TypeError unless text is a str: the row is then not canonical
        if len(self) < 4096:
            self[text] = quoted
        return quoted


def scan(
    conn: sqlite3.Connection,
    *,
    start_seq: int = 1,
    prev_hash: str = GENESIS_PREV_HASH,
    frontier: Frontier | None = None,
    stop_seq: int | None = None,
    sizes: Iterable[int] = (),
    snapshots: bool = False,
) -> Scan:
    """Walk rows start_seq..stop_seq in seq order until the first one that is not good.

    A row is good when its seq is the next expected, its fields serialize (canonical v1) to
    bytes whose SHA-256 is its stored `hash`, and its `prev_hash` is the previous good hash.
    Each good row's leaf is folded into `frontier`, and the root is recorded at each of `sizes`
    (with `snapshots`, a copy of the frontier too).
    """
    tree = frontier.copy() if frontier is not None else Frontier()
    wanted = sorted(s for s in set(sizes) if s >= start_seq - 1)
    result = Scan(start_seq - 1, prev_hash, tree, snapshots={} if snapshots else None)
    if wanted and wanted[0] == start_seq - 1:
        result.roots[wanted.pop(0)] = tree.root()
    stop = conn.execute("SELECT max(seq) FROM entries").fetchone()[0] or 0
    if stop_seq is not None:
        stop = min(stop, stop_seq)
    if stop < start_seq:
        return result
    try:
        _walk(conn, result, stop, wanted)
    except sqlite3.OperationalError as exc:  # text that is not UTF-8 (only tampering stores it)
        if "decode" not in str(exc):
            raise
        conn.text_factory = lambda raw: raw.decode("utf-8", "surrogateescape")
        _walk(conn, result, stop, wanted)
    return result


def _walk(conn: sqlite3.Connection, result: Scan, stop: int, wanted: list[int]) -> None:
    """The hot loop of `scan` (resumable: it continues from `result`)."""
    quoted, sha = _Quoted(), _sha256
    expected, prev = result.last_seq + 1, result.last_hash
    tree, pending = result.frontier, []
    next_size = wanted.pop(0) if wanted else -1
    rows = conn.execute(
        f"SELECT {COLUMNS} FROM entries WHERE seq >= ? AND seq <= ? ORDER BY seq", (expected, stop)
    )
    try:
        for row in rows:
            seq, ts, actor, role, purpose, action, outcome, detail, ph, digest = row
            try:
                data = (
                    f'{{"action":{quoted[action]},"actor":{quoted[actor]},"detail":{detail},'
                    f'"outcome":{quoted[outcome]},"prev_hash":{encode_basestring(ph)},'
                    f'"purpose":{quoted[purpose]},"role":{quoted[role]},"seq":{seq},'
                    f'"ts":{encode_basestring(ts)},"v":1}}'
                ).encode()
                hashes = detail.__class__ is str and sha(data).hexdigest() == digest
            except (TypeError, UnicodeEncodeError):
                hashes = False
            if seq == expected and hashes and ph == prev:
                pending.append(sha(b"\x00" + data).digest())
                prev, expected = digest, expected + 1
                if seq == next_size:
                    tree.extend(pending)
                    pending.clear()
                    result.roots[seq] = tree.root()
                    if result.snapshots is not None:
                        result.snapshots[seq] = tree.copy()
                    next_size = wanted.pop(0) if wanted else -1
                elif len(pending) >= _FLUSH:
                    tree.extend(pending)
                    pending.clear()
                continue
            result.divergence = _classify(conn, StoredRow(*row), hashes, expected, prev, stop)
            break
    finally:
        tree.extend(pending)
        result.last_seq, result.last_hash = expected - 1, prev


def _classify(
    conn: sqlite3.Connection,
    row: StoredRow,
    hashes: bool,
    expected_seq: int,
    expected_prev: str,
    max_seq: int,
) -> Divergence:
    """Name the divergence at `row`, the first row that is not good (rules in the module docstring)."""
    successor = conn.execute(
        "SELECT seq FROM entries WHERE prev_hash = ? ORDER BY seq LIMIT 1", (expected_prev,)
    ).fetchone()
    successor_elsewhere = successor is not None and successor[0] != expected_seq
    if row.seq != expected_seq:  # nothing stored at expected_seq
        return expected_seq, "edit" if successor is not None else "deletion"
    if not hashes:
        # An intact ledger numbers its rows 1..count, so a moved row was written under a seq
        # within count + 1; a seq far beyond that (an inserted 9e15) must not set the search.
        rows = conn.execute("SELECT count(*) FROM entries").fetchone()[0]
        if _hashes_under_another_seq(row, expected_seq, min(max_seq, rows)):
            return expected_seq, "reorder"
        return expected_seq, "reorder" if successor_elsewhere else "edit"
    if successor_elsewhere:
        return expected_seq, "reorder"  # a forged row pushed in; the real entries moved up
    return max(expected_seq - 1, 1), "edit"


def _hashes_under_another_seq(row: StoredRow, seq: int, max_seq: int) -> bool:
    """Whether `row` is an intact entry that was written with some other seq in 1..max_seq+1.

    The caller bounds `max_seq` by the number of rows: the search costs one SHA-256 per seq.

    The canonical bytes differ only in the digits of seq, so hash the shared prefix once.
    """
    try:
        zero, one = row_bytes(row, 0), row_bytes(row, 1)
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


def row_bytes(row: StoredRow, seq: int | None = None) -> bytes:
    """Canonical bytes of the stored fields (with `seq` if given); LedgerError if any field is not text."""
    if not isinstance(row.detail, str):
        raise LedgerError("A ledger detail is not text.")
    return entry_bytes(
        seq=row.seq if seq is None else seq,
        ts=row.ts,
        actor=row.actor,
        role=row.role,
        purpose=row.purpose,
        action=row.action,
        outcome=row.outcome,
        detail_text=row.detail,
        prev_hash=row.prev_hash,
    )


# -- judging against checkpoints ------------------------------------------------------------------


def judge(
    conn: sqlite3.Connection,
    checkpoints: Sequence[Checkpoint],
    walked: Scan,
    *,
    entries_end: int | None,
) -> Divergence | None:
    """The first divergence, given the rows' scan and the trusted checkpoints it was compared with.

    `entries_end` is the number of entries when the scan covered the ledger to its end (then
    checkpoints beyond it mean truncation or rollback), None for a range ending earlier.
    """
    by_size: dict[int, set[bytes]] = {}
    for checkpoint in checkpoints:
        by_size.setdefault(checkpoint.size, set()).add(checkpoint.root)
    roots = walked.roots
    matched = {size for size, root in roots.items() if root in by_size.get(size, ())}
    mismatched = sorted(size for size, root in roots.items() if by_size.get(size, {root}) - {root})
    if mismatched:
        x = mismatched[0]
        before = max((s for s in matched if s < x), default=0)
        kind: TamperKind = "fork" if any(s >= x for s in matched) else "rewrite"
        claimed = next(iter(by_size[x] - {roots[x]}))
        return _first_changed_leaf(conn, before, x, claimed), kind
    conflicts = sorted(size for size, found in by_size.items() if len(found) > 1)
    if conflicts:  # two histories signed, beyond what this file holds
        before = max((s for s in matched if s < conflicts[0]), default=0)
        return before + 1, "fork"
    if walked.divergence is not None:
        return walked.divergence
    newest = max(by_size, default=0)
    if entries_end is not None and entries_end < newest:
        exact_older_state = entries_end in matched and _leaves_end_at(conn, entries_end)
        return entries_end + 1, "rollback" if exact_older_state else "truncation"
    return None


def _leaves_end_at(conn: sqlite3.Connection, size: int) -> bool:
    """Whether the stored tree ends exactly after `size` leaves (no trace of later entries)."""
    try:
        return leaf_count(conn) == size
    except TreeDamaged:
        return False


def _first_changed_leaf(conn: sqlite3.Connection, before: int, size: int, claimed_root: bytes) -> int:
    """The first seq in (before, size] whose entry no longer has the leaf the checkpoint vouched for.

    Only answerable when the stored tree still reproduces the checkpoint's root (then its leaves
    are the checkpointed ones); otherwise the first seq after the last matching checkpoint.
    """
    try:
        if SubtreeReader(conn)(0, size) != claimed_root:
            return before + 1
    except TreeDamaged:
        return before + 1
    rows = conn.execute(
        f"SELECT {COLUMNS} FROM entries WHERE seq > ? AND seq <= ? ORDER BY seq", (before, size)
    )
    expected = before + 1
    for raw in rows:
        row = StoredRow(*raw)
        try:
            recomputed = leaf_hash(row_bytes(row))
        except LedgerError:
            return expected
        if row.seq != expected or recomputed != leaf_at(conn, expected - 1):
            return expected
        expected += 1
    return min(expected, size)


# -- whole-ledger and range verification ----------------------------------------------------------


def verify_all(
    conn: sqlite3.Connection, checkpoints: Sequence[Checkpoint] = (), *, workers: int = 1
) -> Verification:
    """Check every entry against the chain and every checkpoint; `conn` holds one read snapshot.

    With `workers` > 1 a large ledger is hashed by that many processes (`workbench.ledger.parallel`);
    if any part finds a problem, the single-process pass runs and names it.
    """
    bad_schema = schema_check(conn)
    if bad_schema is not None:
        return bad_schema
    total, max_seq = conn.execute("SELECT count(*), coalesce(max(seq), 0) FROM entries").fetchone()
    sizes = [c.size for c in checkpoints]
    walked = None
    if workers > 1 and max_seq == total:  # otherwise rows are missing or misnumbered: one pass names it
        from workbench.ledger.parallel import parallel_scan

        walked = parallel_scan(conn, max_seq, sizes, workers)
    if walked is None:
        walked = scan(conn, sizes=sizes)
    if walked.divergence is None and conn.execute("SELECT 1 FROM entries WHERE seq < 1 LIMIT 1").fetchone():
        # Only a rebuilt table (without CHECK) can hold such a row: the last entry's seq was changed.
        walked.divergence = (walked.last_seq + 1, "edit")
    found = judge(conn, checkpoints, walked, entries_end=walked.last_seq)
    if found is not None:
        return Verification(False, total, found[0], found[1])
    return Verification(True, total, checkpoint=_anchor(checkpoints, walked.roots))


def verify_range(
    conn: sqlite3.Connection, checkpoints: Sequence[Checkpoint], first_seq: int, last_seq: int | None
) -> Verification:
    """Check entries first_seq..last_seq (None: to the end) against the checkpoints at the edges.

    Falls back to `verify_all` when the stored tree does not reproduce the left checkpoint.
    """
    bad_schema = schema_check(conn)
    if bad_schema is not None:
        return bad_schema
    total, max_seq = conn.execute("SELECT count(*), max(seq) FROM entries").fetchone()
    max_seq = max_seq or 0
    ordered = sorted(checkpoints, key=lambda c: c.size)
    left = max((c for c in ordered if c.size <= first_seq - 1), key=lambda c: c.size, default=None)
    end = last_seq if last_seq is not None else max_seq
    right = next((c for c in ordered if c.size >= end), None)
    start = left.size if left is not None else 0
    stop = right.size if right is not None and last_seq is not None else max_seq
    to_the_end = last_seq is None or stop >= max_seq  # then newer checkpoints say how many should exist
    frontier, prev = Frontier(), GENESIS_PREV_HASH
    if left is not None and left.size > 0:
        anchored = _anchor_at(conn, left)
        if anchored is None:
            return verify_all(conn, checkpoints)
        frontier, prev = anchored
    inside = [c for c in ordered if start <= c.size <= stop]
    walked = scan(
        conn,
        start_seq=start + 1,
        prev_hash=prev,
        frontier=frontier,
        stop_seq=stop,
        sizes=[c.size for c in inside],
    )
    if to_the_end:
        inside = [c for c in ordered if c.size >= start]
    found = judge(conn, inside, walked, entries_end=walked.last_seq if to_the_end else None)
    checked = (start + 1, walked.last_seq)
    if found is not None:
        return Verification(False, total, found[0], found[1], checked=checked)
    return Verification(True, total, checkpoint=_anchor(inside, walked.roots), checked=checked)


def _anchor_at(conn: sqlite3.Connection, checkpoint: Checkpoint) -> tuple[Frontier, str] | None:
    """The stored tree's frontier at the checkpoint and the hash of its last entry, if both check out."""
    size = checkpoint.size
    reader = SubtreeReader(conn)
    try:
        frontier = reader.frontier(size)
        if frontier.root() != checkpoint.root:
            return None
        raw = conn.execute(f"SELECT {COLUMNS} FROM entries WHERE seq = ?", (size,)).fetchone()
        if raw is None:
            return None
        row = StoredRow(*raw)
        data = row_bytes(row)
        leaf = leaf_hash(data)
        proof = inclusion_proof(size - 1, size, reader)
        if (
            entry_hash(data) != row.hash
            or root_from_inclusion(size - 1, size, leaf, proof) != checkpoint.root
        ):
            return None
    except (TreeDamaged, LedgerError, ValueError):
        return None
    return frontier, row.hash


def _anchor(checkpoints: Sequence[Checkpoint], roots: Mapping[int, bytes]) -> Checkpoint | None:
    matching = [c for c in checkpoints if roots.get(c.size) == c.root]
    return max(matching, key=lambda c: c.size, default=None)


def seq_at_or_after(conn: sqlite3.Connection, ts: str) -> int:
    """The first seq whose timestamp is >= `ts` (binary search; timestamps follow seq on one host)."""
    lo, hi = 1, (conn.execute("SELECT max(seq) FROM entries").fetchone()[0] or 0) + 1
    while lo < hi:
        mid = (lo + hi) // 2
        found = conn.execute("SELECT ts FROM entries WHERE seq >= ? ORDER BY seq LIMIT 1", (mid,)).fetchone()
        if found is None or not isinstance(found[0], str) or found[0] >= ts:
            hi = mid
        else:
            lo = mid + 1
    return lo
