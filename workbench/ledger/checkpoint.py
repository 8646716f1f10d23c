"""Checkpoints: signed tree heads in the C2SP tlog-checkpoint format (a C2SP signed note).

A checkpoint says "the ledger named ORIGIN had SIZE entries and this Merkle root":

    phi-workbench.local/ledger-3f9c2a71d0
    1024
    2KcOSb5Y0pN0S3V1p8m7aU9eQ9tqz8g3wYbq4m1Hk0Q=

    — phi-workbench.local/ledger-3f9c2a71d0 b5rXn1Ht…(base64 of key id ‖ Ed25519 signature)

The note text is the first three lines (each ending in a newline); the signature line follows a
blank line. The signature is Ed25519 (RFC 8032) over the note text; the four-byte key id is
SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ public key)[:4], so a rotated key (same name, new key) has a
new id and old checkpoints still verify with the old public key. The key name is the origin.

Keys travel in the textual forms of golang.org/x/mod/sumdb/note, which other tooling reads:
verifier key ``NAME+KEYIDHEX+base64(0x01 ‖ public key)`` and signer key
``PRIVATE+KEY+NAME+KEYIDHEX+base64(0x01 ‖ 32-byte seed)``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from typing import Final

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from workbench.errors import LedgerError

ED25519: Final = b"\x01"  # signed-note signature type for Ed25519
_NAME: Final = re.compile(r"[^\s+]+")
_SIZE: Final = re.compile(r"0|[1-9][0-9]{0,18}")
_SIGNATURE_LINE: Final = re.compile(r"\u2014 (\S+) ([A-Za-z0-9+/=]+)")
_MAX_NOTE: Final = 16_384


class CheckpointRejected(ValueError):
    """A note that is malformed, or not validly signed by a trusted key. Carries no note contents."""


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: the ledger `origin` had `size` entries whose Merkle root is `root` (32 bytes)."""

    origin: str
    size: int
    root: bytes

    def text(self) -> str:
        """The note text: origin, size and base64 root, one per line."""
        if not _NAME.fullmatch(self.origin):
            raise LedgerError("A checkpoint origin must be non-empty, without spaces or '+'.")
        if self.size < 0 or len(self.root) != 32:
            raise LedgerError("A checkpoint needs a size >= 0 and a 32-byte root.")
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode('ascii')}\n"

    @classmethod
    def from_text(cls, text: str) -> Checkpoint:
        """Parse note text (extension lines, which this ledger never writes, are ignored)."""
        lines = text.split("\n")
        if len(lines) < 4 or lines[-1] != "" or any(not line for line in lines[:-1]):
            raise CheckpointRejected("checkpoint text must be three or more non-empty lines")
        origin, size, root = lines[0], lines[1], lines[2]
        if not _SIZE.fullmatch(size):
            raise CheckpointRejected("checkpoint size is not a decimal number without leading zeros")
        digest = _b64decode(root)
        if len(digest) != 32 or base64.b64encode(digest).decode("ascii") != root:
            raise CheckpointRejected("checkpoint root is not the base64 of 32 bytes")
        return cls(origin, int(size), digest)

    @property
    def root_b64(self) -> str:
        return base64.b64encode(self.root).decode("ascii")


@dataclass(frozen=True)
class NoteVerifier:
    """A public key that checkpoints are checked against: name (the origin), 4-byte id, Ed25519 key."""

    name: str
    key_id: bytes
    public_key: bytes

    @classmethod
    def from_vkey(cls, vkey: str) -> NoteVerifier:
        """Read ``NAME+KEYIDHEX+base64(0x01 ‖ key)``; the id must match the name and key."""
        parts = vkey.strip().split("+", 2)  # base64 may hold "+"; name and id cannot
        if len(parts) != 3 or not _NAME.fullmatch(parts[0]) or not re.fullmatch(r"[0-9a-f]{8}", parts[1]):
            raise LedgerError(
                "A verifier key must read NAME+KEYID+KEY (the form `ledger rotate-key` prints)."
            )
        raw = _b64decode(parts[2], LedgerError("A verifier key's key part is not base64."))
        if len(raw) != 33 or raw[:1] != ED25519:
            raise LedgerError("A verifier key must hold an Ed25519 public key.")
        verifier = cls(parts[0], bytes.fromhex(parts[1]), raw[1:])
        if key_id(verifier.name, verifier.public_key) != verifier.key_id:
            raise LedgerError("A verifier key's id does not match its name and key.")
        return verifier

    def vkey(self) -> str:
        key = base64.b64encode(ED25519 + self.public_key).decode("ascii")
        return f"{self.name}+{self.key_id.hex()}+{key}"

    def verifies(self, text: str, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, text.encode("utf-8"))
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class NoteSigner:
    """An Ed25519 private key and the name (origin) it signs checkpoints as. Never printed."""

    name: str
    seed: bytes

    @classmethod
    def generate(cls, name: str) -> NoteSigner:
        if not _NAME.fullmatch(name):
            raise LedgerError("A key name must be non-empty, without spaces or '+'.")
        return cls(name, Ed25519PrivateKey.generate().private_bytes_raw())

    @classmethod
    def from_skey(cls, skey: str) -> NoteSigner:
        """Read ``PRIVATE+KEY+NAME+KEYIDHEX+base64(0x01 ‖ seed)``."""
        parts = skey.strip().split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"] or not _NAME.fullmatch(parts[2]):
            raise LedgerError("The checkpoint signing key is not in PRIVATE+KEY+NAME+ID+KEY form.")
        raw = _b64decode(parts[4], LedgerError("The checkpoint signing key is damaged."))
        if len(raw) != 33 or raw[:1] != ED25519:
            raise LedgerError("The checkpoint signing key is not an Ed25519 key.")
        signer = cls(parts[2], raw[1:])
        if signer.verifier().key_id.hex() != parts[3]:
            raise LedgerError("The checkpoint signing key's id does not match its key.")
        return signer

    def skey(self) -> str:
        key = base64.b64encode(ED25519 + self.seed).decode("ascii")
        return f"PRIVATE+KEY+{self.name}+{self.verifier().key_id.hex()}+{key}"

    def verifier(self) -> NoteVerifier:
        public = (
            Ed25519PrivateKey.from_private_bytes(self.seed)
            .public_key()
            .public_bytes(Encoding.Raw, PublicFormat.Raw)
        )
        return NoteVerifier(self.name, key_id(self.name, public), public)

    def sign(self, checkpoint: Checkpoint) -> str:
        """The signed note: the checkpoint text, a blank line, and this key's signature line."""
        if checkpoint.origin != self.name:
            raise LedgerError("A checkpoint is signed by the key named after its origin.")
        text = checkpoint.text()
        signature = Ed25519PrivateKey.from_private_bytes(self.seed).sign(text.encode("utf-8"))
        blob = base64.b64encode(self.verifier().key_id + signature).decode("ascii")
        return f"{text}\n\u2014 {self.name} {blob}\n"


def key_id(name: str, public_key: bytes) -> bytes:
    """SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4] (C2SP signed-note, Ed25519)."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + ED25519 + public_key).digest()[:4]


@dataclass(frozen=True)
class SignedCheckpoint:
    """A checkpoint whose note verified, with the note itself and the id of the key that signed it."""

    checkpoint: Checkpoint
    note: str
    key_id: bytes


def open_note(note: str, verifiers: tuple[NoteVerifier, ...]) -> SignedCheckpoint:
    """Verify a signed checkpoint note against trusted keys (C2SP signed-note rules).

    Signatures by unknown keys are ignored; a signature by a known key that fails rejects the
    whole note; at least one known key must have signed; the signing key's name must be the origin.
    """
    if len(note) > _MAX_NOTE or any(c < " " and c != "\n" for c in note):
        raise CheckpointRejected("note is too long or holds control characters")
    text, sep, signatures = note.rpartition("\n\n")
    if not sep or not signatures.endswith("\n"):
        raise CheckpointRejected("note has no signature block")
    text += "\n"
    checkpoint = Checkpoint.from_text(text)
    known = {(v.name, v.key_id): v for v in verifiers}
    signed_by: bytes | None = None
    for line in signatures[:-1].split("\n"):
        found = _SIGNATURE_LINE.fullmatch(line)
        if not found:
            raise CheckpointRejected("malformed signature line")
        blob = _b64decode(found.group(2))
        if len(blob) < 5:
            raise CheckpointRejected("signature too short")
        verifier = known.get((found.group(1), blob[:4]))
        if verifier is None:
            continue
        if not verifier.verifies(text, blob[4:]):
            raise CheckpointRejected("a signature by a trusted key does not verify")
        if verifier.name == checkpoint.origin:
            signed_by = verifier.key_id
    if signed_by is None:
        raise CheckpointRejected("no trusted key for this origin signed the note")
    return SignedCheckpoint(checkpoint, note, signed_by)


def _b64decode(text: str, error: Exception | None = None) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise (error or CheckpointRejected("invalid base64")) from None
