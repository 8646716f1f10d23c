"""Where the checkpoint keys live: the signing key (outside the ledger file) and the trusted public keys.

* The **signing key** is referenced by the setting `ledger_signing_key`: empty means the file
  `<verifier folder>/signing.key`, generated on first use with mode 0600; otherwise a path to
  such a file, or ``env:NAME`` for an environment variable holding the key text. A key file
  that group or others can read is refused, as ssh does.
* The **verifier folder** (setting `ledger_verifier_keys`, default `$WORKBENCH_HOME/keys/ledger`)
  holds one ``<key id>.vkey`` file per public key ever used. Rotation adds a file and keeps the
  old ones, so checkpoints signed before a rotation still verify.

The key name, which is also the checkpoint origin, is chosen when the first key is generated
(``phi-workbench.local/ledger-<10 random hex digits>``) and kept across rotations.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from workbench.errors import LedgerError
from workbench.ledger.checkpoint import NoteSigner, NoteVerifier

SIGNING_KEY_FILE: Final = "signing.key"


@dataclass(frozen=True)
class Keyring:
    """The checkpoint signing key reference and the folder of trusted verifier keys."""

    verifier_dir: Path
    signing_ref: str = ""

    def signer(self) -> NoteSigner:
        """The signing key; the default key file is generated on first use (mode 0600)."""
        if self.signing_ref.startswith("env:"):
            name = self.signing_ref[4:]
            text = os.environ.get(name)
            if not text:
                raise LedgerError(f"The checkpoint signing key variable {name} is not set.")
            signer = NoteSigner.from_skey(text)
        else:
            path = Path(self.signing_ref) if self.signing_ref else self.verifier_dir / SIGNING_KEY_FILE
            if not path.exists() and not self.signing_ref:
                self._create(path, NoteSigner.generate(_new_origin()))
            signer = NoteSigner.from_skey(_read_private(path))
        self._trust(signer.verifier())
        return signer

    def verifiers(self) -> tuple[NoteVerifier, ...]:
        """Every trusted public key (the `*.vkey` files), in file-name order."""
        try:
            files = sorted(self.verifier_dir.glob("*.vkey"))
            return tuple(NoteVerifier.from_vkey(path.read_text(encoding="utf-8")) for path in files)
        except OSError as exc:
            raise LedgerError(
                f"The ledger verifier keys in {self.verifier_dir} could not be read ({type(exc).__name__})."
            ) from None

    def rotate(self) -> NoteSigner:
        """Replace the default signing key by a new one with the same name; keep the old public key."""
        if self.signing_ref:
            raise LedgerError(
                "The signing key is configured (ledger_signing_key); rotate it where it is kept, "
                "then add its verifier key to the verifier folder."
            )
        old = self.signer()
        path = self.verifier_dir / SIGNING_KEY_FILE
        new = NoteSigner.generate(old.name)
        self._trust(new.verifier())
        tmp = path.with_name(f".{SIGNING_KEY_FILE}.{os.getpid()}.tmp")
        _write_private(tmp, new.skey())
        os.replace(tmp, path)  # the old private key is gone; its public key stays trusted
        return new

    def _create(self, path: Path, signer: NoteSigner) -> None:
        """Write a new key file atomically; if another process won the race, keep theirs."""
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        _write_private(tmp, signer.skey())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()

    def _trust(self, verifier: NoteVerifier) -> None:
        """Make sure the public half of the signing key is in the verifier folder."""
        path = self.verifier_dir / f"{verifier.key_id.hex()}.vkey"
        if path.exists():
            return
        self.verifier_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(verifier.vkey() + "\n", encoding="utf-8")
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
        tmp.unlink()


def _new_origin() -> str:
    return f"phi-workbench.local/ledger-{secrets.token_hex(5)}"


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text + "\n")
        out.flush()
        os.fsync(out.fileno())


def _read_private(path: Path) -> str:
    try:
        mode = path.stat().st_mode
        if stat.S_IMODE(mode) & 0o077:
            raise LedgerError(
                f"The checkpoint signing key {path} is readable by other users; run `chmod 600 {path}`."
            )
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LedgerError(f"The checkpoint signing key {path} does not exist.") from None
    except OSError as exc:
        raise LedgerError(
            f"The checkpoint signing key {path} could not be read ({type(exc).__name__})."
        ) from None
