"""The workspace secret: generated on first use, stored 0600, never printed.

Sub-keys for different uses are derived with HMAC-SHA256(secret, label) so a hash that joins
tables never equals a hash that fingerprints SQL text.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from workbench.errors import BadInput


def workspace_secret(path: Path) -> bytes:
    """Read the 32-byte secret at `path`, creating it atomically with mode 0600 if missing."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(32))
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(tmp, path)  # fails if another process won the race; theirs is kept
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    data = path.read_bytes()
    if len(data) != 32:
        raise BadInput(f"Workspace key {path} is damaged; restore it from backup (hashes depend on it).")
    return data


def derive_key(secret: bytes, label: str) -> bytes:
    """A 32-byte sub-key for one purpose (e.g. "value-hash", "sql-fingerprint")."""
    return hmac.new(secret, label.encode("utf-8"), hashlib.sha256).digest()


def keyed_hash(key: bytes, text: str, digits: int = 16) -> str:
    """`h_` plus the first `digits` hex digits of HMAC-SHA256(key, text)."""
    return "h_" + hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:digits]
