"""Signed ledger checkpoints as audit evidence carries them: one `CheckpointRecord` per witness line.

A checkpoint (made by `workbench.ledger`, C2SP signed-note format) says the ledger had `size`
entries whose RFC 6962 Merkle root is `root_hash`; the witness file keeps one JSON line per
checkpoint (`workbench.ledger.witness`). Exports, shipped streams, audit answers and archives
carry the checkpoints that cover what they hold, so a receiver can recompute the root over the
entries it got and check the signature: then no entry in 1..size is missing or changed.

`checkpoint_records(settings)` is the one place that reads them; `RootCheck` recomputes roots
over leaves as they stream by (for archives, which have no stored tree).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from workbench.errors import LedgerError
from workbench.ledger.checkpoint import Checkpoint, CheckpointRejected, NoteVerifier, open_note
from workbench.ledger.keyring import Keyring
from workbench.ledger.merkle import Frontier
from workbench.ledger.witness import Witness
from workbench.settings import Settings


@dataclass(frozen=True)
class CheckpointRecord:
    """One signed checkpoint: the first `size` entries have Merkle root `root_hash` (base64).

    `signatures` are the note's signature lines; `note` is the complete signed note (what a
    verifier checks); `timestamp` is when the witness line was written (UTC, ``+00:00``; not
    itself signed).
    """

    origin: str
    size: int
    root_hash: str
    signatures: tuple[str, ...]
    timestamp: str
    note: str

    def to_json(self) -> dict[str, object]:
        return {
            "origin": self.origin,
            "size": self.size,
            "root_hash": self.root_hash,
            "signatures": list(self.signatures),
            "timestamp": self.timestamp,
            "note": self.note,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> CheckpointRecord:
        signatures = data.get("signatures")
        return cls(
            origin=str(data["origin"]),
            size=int(str(data["size"])),
            root_hash=str(data["root_hash"]),
            signatures=tuple(str(s) for s in signatures) if isinstance(signatures, list) else (),
            timestamp=str(data["timestamp"]),
            note=str(data["note"]),
        )

    @property
    def root(self) -> bytes:
        return base64.b64decode(self.root_hash)

    def signed_by(self, verifiers: Sequence[NoteVerifier]) -> str | None:
        """The key id (hex) of a trusted key that validly signed the note, or None."""
        try:
            return open_note(self.note, tuple(verifiers)).key_id.hex()
        except (CheckpointRejected, LedgerError):
            return None


def record_from_note(note: str, timestamp: str) -> CheckpointRecord:
    """A signed note as a record; CheckpointRejected when it is not a checkpoint note."""
    text, sep, block = note.rpartition("\n\n")
    if not sep:
        raise CheckpointRejected("note has no signature block")
    checkpoint = Checkpoint.from_text(text + "\n")
    signatures = tuple(line for line in block.split("\n") if line)
    return CheckpointRecord(
        checkpoint.origin, checkpoint.size, checkpoint.root_b64, signatures, timestamp, note
    )


def checkpoint_records(settings: Settings) -> tuple[CheckpointRecord, ...]:
    """Every checkpoint in the workspace's witness file, smallest tree size first.

    Lines that are not checkpoint notes are left out here; `workbench ledger verify` reports them.
    """
    records = []
    for line in Witness(settings.witness_path).read().records:
        try:
            records.append(record_from_note(line.note, line.time))
        except CheckpointRejected:
            continue
    return tuple(sorted(records, key=lambda record: record.size))


def trusted_keys(settings: Settings) -> tuple[NoteVerifier, ...]:
    """The workspace's trusted checkpoint keys (none when there is no key folder yet)."""
    folder = settings.ledger_verifier_dir
    return Keyring(folder, settings.ledger_signing_key).verifiers() if folder.is_dir() else ()


def trusted_checkpoints(
    records: Sequence[CheckpointRecord], keys: Sequence[NoteVerifier]
) -> tuple[Checkpoint, ...]:
    """The checkpoints among `records` whose signature by one of `keys` verifies."""
    return tuple(
        Checkpoint(record.origin, record.size, record.root)
        for record in records
        if record.signed_by(keys) is not None
    )


@dataclass
class RootCheck:
    """Recomputes the Merkle root as entries stream by, and compares it at each checkpoint's size.

    Start from `frontier` (the tree over the entries before the first one fed; empty for seq 1).
    `matches[size]` is True when the recomputed root equals the checkpoint's root.
    """

    checkpoints: Sequence[CheckpointRecord]
    frontier: Frontier = field(default_factory=Frontier)
    matches: dict[int, bool] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_size: dict[int, list[CheckpointRecord]] = {}
        for record in self.checkpoints:
            self._by_size.setdefault(record.size, []).append(record)
        self._check()

    def feed(self, leaves: Iterable[bytes]) -> None:
        for leaf in leaves:
            self.frontier.push(leaf)
            self._check()

    def _check(self) -> None:
        found = self._by_size.get(self.frontier.size)
        if found:
            root = self.frontier.root()
            self.matches[self.frontier.size] = all(record.root == root for record in found)
