"""Proofs for auditors: one entry is in a signed checkpoint; one checkpoint extends an older one.

Both are built from the stored tree and checked against the signed checkpoint before they are
returned, so a damaged or rewritten file shows up as an integrity failure, not as a proof that
does not verify. docs/ledger.md gives the procedure to check them with `sha256sum`-level tools.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from workbench.errors import BadInput, LedgerError
from workbench.ledger.checkpoint import Checkpoint, NoteVerifier, SignedCheckpoint
from workbench.ledger.merkle import leaf_hash, root_from_inclusion, verify_consistency
from workbench.ledger.notary import TrustedCheckpoints
from workbench.ledger.store import Ledger


@dataclass(frozen=True)
class EntryProof:
    """Entry `seq` (its canonical bytes) is leaf seq-1 of the tree a signed checkpoint vouches for."""

    seq: int
    entry: bytes
    proof: tuple[bytes, ...]
    checkpoint: SignedCheckpoint
    verifier: NoteVerifier | None

    def to_json(self) -> dict[str, object]:
        head = self.checkpoint.checkpoint
        return {
            "seq": self.seq,
            "leaf_index": self.seq - 1,
            "tree_size": head.size,
            "entry": self.entry.decode("utf-8"),
            "entry_hash": hashlib.sha256(self.entry).hexdigest(),
            "leaf_hash": leaf_hash(self.entry).hex(),
            "proof": [node.hex() for node in self.proof],
            "root": head.root.hex(),
            "checkpoint": self.checkpoint.note,
            "verifier_key": self.verifier.vkey() if self.verifier else None,
        }


@dataclass(frozen=True)
class ConsistencyProof:
    """The tree of `new` extends the tree of `old` (RFC 9162 consistency proof)."""

    old: Checkpoint
    old_note: str | None
    new: SignedCheckpoint
    proof: tuple[bytes, ...]
    verifier: NoteVerifier | None

    def to_json(self) -> dict[str, object]:
        new = self.new.checkpoint
        return {
            "old_size": self.old.size,
            "new_size": new.size,
            "old_root": self.old.root.hex(),
            "new_root": new.root.hex(),
            "proof": [node.hex() for node in self.proof],
            "old_checkpoint": self.old_note,
            "new_checkpoint": self.new.note,
            "verifier_key": self.verifier.vkey() if self.verifier else None,
        }


def prove_entry(ledger: Ledger, trusted: TrustedCheckpoints, seq: int) -> EntryProof:
    """An inclusion proof for entry `seq` against the newest checkpoint (written now if none covers it)."""
    _within(ledger, seq, "entry")
    head = _head(ledger, trusted, seq)
    made = ledger.inclusion_proof(seq, head.checkpoint.size)
    root = root_from_inclusion(seq - 1, head.checkpoint.size, leaf_hash(made.entry), made.proof)
    if root != head.checkpoint.root:
        _explain(ledger, trusted, head)
    return EntryProof(seq, made.entry, made.proof, head, _verifier(ledger, head))


def prove_consistency(ledger: Ledger, trusted: TrustedCheckpoints, old_size: int) -> ConsistencyProof:
    """A consistency proof from the checkpoint of `old_size` entries (or the stored tree's root at
    that size, when no checkpoint of exactly that size was witnessed) to the newest checkpoint."""
    _within(ledger, old_size, "size")
    head = _head(ledger, trusted, old_size)
    witnessed = trusted.of_size(old_size)
    old = (
        witnessed.checkpoint
        if witnessed
        else Checkpoint(head.checkpoint.origin, old_size, ledger.root(old_size))
    )
    proof = ledger.consistency_proof(old_size, head.checkpoint.size)
    if not verify_consistency(old_size, head.checkpoint.size, old.root, head.checkpoint.root, proof):
        _explain(ledger, trusted, head)
    return ConsistencyProof(old, witnessed.note if witnessed else None, head, proof, _verifier(ledger, head))


def _within(ledger: Ledger, number: int, what: str) -> None:
    size = ledger.size()
    if not 1 <= number <= size:
        raise BadInput(f"There is no {what} {number}: the ledger has {size} entries.")


def _head(ledger: Ledger, trusted: TrustedCheckpoints, size: int) -> SignedCheckpoint:
    """The newest trusted checkpoint, if it covers `size` entries; else a new one when this process signs."""
    head = trusted.latest
    if (head is None or head.checkpoint.size < size) and ledger.notary is not None and ledger.notary.sign:
        head = ledger.checkpoint()
    if head is None or head.checkpoint.size < size:
        raise LedgerError(
            f"No checkpoint covers entry {size} yet; run `workbench ledger checkpoint` (as the account "
            "that holds the signing key), then try again."
        )
    return head


def _explain(ledger: Ledger, trusted: TrustedCheckpoints, head: SignedCheckpoint) -> None:
    """The stored tree disagrees with a signed checkpoint: raise what verification finds."""
    checkpoints = [signed.checkpoint for signed in (*trusted.checkpoints, head)]
    ledger.verify(checkpoints).raise_if_tampered()
    raise LedgerError(
        f"The Merkle tree stored in {ledger.path} is damaged although every entry verifies; "
        "restore the file from a backup."
    )


def _verifier(ledger: Ledger, head: SignedCheckpoint) -> NoteVerifier | None:
    if ledger.notary is None:
        return None
    return next((v for v in ledger.notary.keyring.verifiers() if v.key_id == head.key_id), None)
