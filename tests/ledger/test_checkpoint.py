"""Checkpoints as C2SP signed notes, the key formats, and where the keys live."""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from workbench.errors import LedgerError
from workbench.ledger.checkpoint import (
    Checkpoint,
    CheckpointRejected,
    NoteSigner,
    NoteVerifier,
    key_id,
    open_note,
)
from workbench.ledger.keyring import Keyring

ORIGIN = "phi-workbench.local/ledger-test"
ROOT = hashlib.sha256(b"root").digest()
SIGNER = NoteSigner(ORIGIN, bytes(range(32)))
OTHER = NoteSigner(ORIGIN, bytes(range(1, 33)))  # same name, another key (a rotation)
STRANGER = NoteSigner("example.com/another-log", bytes(range(2, 34)))


HEAD = Checkpoint(ORIGIN, 42, ROOT)


def note(checkpoint: Checkpoint = HEAD, signer: NoteSigner = SIGNER) -> str:
    return signer.sign(checkpoint)


def test_note_layout() -> None:
    text = note()
    lines = text.split("\n")
    assert lines[:4] == [ORIGIN, "42", base64.b64encode(ROOT).decode(), ""]
    assert lines[4].startswith(f"\u2014 {ORIGIN} ") and lines[5] == ""
    blob = base64.b64decode(lines[4].split(" ")[2])
    assert blob[:4] == SIGNER.verifier().key_id and len(blob) == 68
    # The signature is plain Ed25519 over the three text lines (RFC 8032), checkable by anyone.
    Ed25519PublicKey.from_public_bytes(SIGNER.verifier().public_key).verify(
        blob[4:], "\n".join(lines[:3]).encode() + b"\n"
    )


def test_key_id_is_the_c2sp_one() -> None:
    public = SIGNER.verifier().public_key
    assert key_id(ORIGIN, public) == hashlib.sha256(ORIGIN.encode() + b"\n\x01" + public).digest()[:4]


def test_open_returns_the_checkpoint_and_key() -> None:
    opened = open_note(note(), (SIGNER.verifier(),))
    assert opened.checkpoint == Checkpoint(ORIGIN, 42, ROOT)
    assert opened.key_id == SIGNER.verifier().key_id and opened.note == note()


def test_rotated_keys_still_verify_old_notes() -> None:
    both = (SIGNER.verifier(), OTHER.verifier())
    assert SIGNER.verifier().key_id != OTHER.verifier().key_id
    assert open_note(note(), both).key_id == SIGNER.verifier().key_id
    assert open_note(note(signer=OTHER), both).key_id == OTHER.verifier().key_id


def test_cosignatures_by_unknown_keys_are_ignored() -> None:
    """A witness's cosignature (another key, another name) over the same text does no harm."""
    text = Checkpoint(ORIGIN, 42, ROOT).text().encode()
    signature = Ed25519PrivateKey.from_private_bytes(STRANGER.seed).sign(text)
    blob = base64.b64encode(STRANGER.verifier().key_id + signature).decode()
    cosigned = note() + f"\u2014 {STRANGER.name} {blob}\n"
    assert open_note(cosigned, (SIGNER.verifier(),)).checkpoint.size == 42
    assert open_note(cosigned, (SIGNER.verifier(), STRANGER.verifier())).key_id == SIGNER.verifier().key_id


def tamper(line: int, value: str) -> str:
    lines = note().split("\n")
    lines[line] = value
    return "\n".join(lines)


# (name, note, trusted keys): notes that must be rejected.
REJECTED = [
    ("size changed", tamper(1, "43"), (SIGNER.verifier(),)),
    ("root changed", tamper(2, base64.b64encode(b"\x01" * 32).decode()), (SIGNER.verifier(),)),
    ("origin changed", tamper(0, "phi-workbench.local/other"), (SIGNER.verifier(),)),
    ("signature changed", tamper(4, note().split("\n")[4][:-6] + "AAAAA="), (SIGNER.verifier(),)),
    ("signed by an untrusted key", note(signer=OTHER), (SIGNER.verifier(),)),
    ("no trusted keys", note(), ()),
    (
        "origin is not the key's name",  # a genuine signature line under another origin
        Checkpoint("phi-workbench.local/other", 42, ROOT).text() + "\n" + note().split("\n\n")[1],
        (SIGNER.verifier(),),
    ),
    ("leading zero in size", tamper(1, "042"), (SIGNER.verifier(),)),
    ("negative size", tamper(1, "-1"), (SIGNER.verifier(),)),
    ("root of 31 bytes", tamper(2, base64.b64encode(b"\x01" * 31).decode()), (SIGNER.verifier(),)),
    ("no blank line", note().replace("\n\n", "\n"), (SIGNER.verifier(),)),
    ("no final newline", note()[:-1], (SIGNER.verifier(),)),
    ("control character", note().replace("42", "4\x002"), (SIGNER.verifier(),)),
    ("empty extension line", note().replace("=\n\n", "=\n\n\n"), (SIGNER.verifier(),)),
    ("not a note", "hello\n", (SIGNER.verifier(),)),
]


@pytest.mark.parametrize(("name", "text", "keys"), REJECTED, ids=[row[0] for row in REJECTED])
def test_rejected_notes(name: str, text: str, keys: tuple[NoteVerifier, ...]) -> None:
    with pytest.raises(CheckpointRejected):
        open_note(text, keys)


def test_extension_lines_are_accepted_and_ignored() -> None:
    text = Checkpoint(ORIGIN, 7, ROOT).text() + "extension\n"
    assert Checkpoint.from_text(text) == Checkpoint(ORIGIN, 7, ROOT)


def test_signing_refuses_a_checkpoint_of_another_origin() -> None:
    with pytest.raises(LedgerError):
        SIGNER.sign(Checkpoint("phi-workbench.local/other", 1, ROOT))
    with pytest.raises(LedgerError):
        Checkpoint("has space", 1, ROOT).text()


def test_key_texts_round_trip_even_with_plus_in_base64() -> None:
    seeds = (bytes([n]) * 32 for n in range(256))
    signers = [NoteSigner(ORIGIN, seed) for seed in seeds]
    with_plus = [
        s for s in signers if "+" in s.skey().split("+", 4)[4] and "+" in s.verifier().vkey().split("+", 2)[2]
    ]
    assert with_plus, "no key with '+' in its base64 among the samples"
    for signer in with_plus[:5] + signers[:5]:
        assert NoteSigner.from_skey(signer.skey()) == signer
        assert NoteVerifier.from_vkey(signer.verifier().vkey()) == signer.verifier()


# (name, vkey text): verifier keys that are refused.
BAD_VKEYS = [
    ("empty", ""),
    ("no id", f"{ORIGIN}+" + base64.b64encode(b"\x01" + bytes(32)).decode()),
    ("wrong id", f"{ORIGIN}+00000000+" + base64.b64encode(b"\x01" + bytes(32)).decode()),
    (
        "not Ed25519",
        SIGNER.verifier().vkey().rsplit("+", 1)[0] + "+" + base64.b64encode(b"\x02" + bytes(32)).decode(),
    ),
    ("bad base64", SIGNER.verifier().vkey()[:-3] + "!!!"),
]


@pytest.mark.parametrize(("name", "text"), BAD_VKEYS, ids=[row[0] for row in BAD_VKEYS])
def test_bad_verifier_keys(name: str, text: str) -> None:
    with pytest.raises(LedgerError):
        NoteVerifier.from_vkey(text)


def test_the_default_key_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    keyring = Keyring(tmp_path / "keys")
    signer = keyring.signer()
    key_file = tmp_path / "keys" / "signing.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert signer.name.startswith("phi-workbench.local/ledger-")
    assert keyring.signer() == signer and Keyring(tmp_path / "keys").signer() == signer
    assert keyring.verifiers() == (signer.verifier(),)
    assert (
        tmp_path / "keys" / f"{signer.verifier().key_id.hex()}.vkey"
    ).read_text().strip() == signer.verifier().vkey()


def test_a_key_others_can_read_is_refused(tmp_path: Path) -> None:
    keyring = Keyring(tmp_path / "keys")
    keyring.signer()
    (tmp_path / "keys" / "signing.key").chmod(0o640)
    with pytest.raises(LedgerError, match="chmod 600"):
        keyring.signer()


def test_key_from_an_environment_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHI_LEDGER_KEY", SIGNER.skey())
    keyring = Keyring(tmp_path / "keys", "env:PHI_LEDGER_KEY")
    assert keyring.signer() == SIGNER
    assert keyring.verifiers() == (SIGNER.verifier(),)  # its public half is trusted from then on
    monkeypatch.delenv("PHI_LEDGER_KEY")
    with pytest.raises(LedgerError, match="PHI_LEDGER_KEY"):
        keyring.signer()
    assert not list((tmp_path / "keys").glob("signing.key"))  # nothing written for an env key


def test_key_from_a_configured_file(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere.key"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(fd, SIGNER.skey().encode())
    os.close(fd)
    assert Keyring(tmp_path / "keys", str(path)).signer() == SIGNER
    with pytest.raises(LedgerError, match="does not exist"):
        Keyring(tmp_path / "keys", str(tmp_path / "missing.key")).signer()


def test_rotation_keeps_the_old_public_key(tmp_path: Path) -> None:
    keyring = Keyring(tmp_path / "keys")
    old = keyring.signer()
    old_note = old.sign(Checkpoint(old.name, 3, ROOT))
    new = keyring.rotate()
    assert new.name == old.name and new != old and keyring.signer() == new
    assert {v.key_id for v in keyring.verifiers()} == {old.verifier().key_id, new.verifier().key_id}
    assert open_note(old_note, keyring.verifiers()).key_id == old.verifier().key_id
    assert stat.S_IMODE((tmp_path / "keys" / "signing.key").stat().st_mode) == 0o600
    with pytest.raises(LedgerError):
        Keyring(tmp_path / "keys", "env:X").rotate()
