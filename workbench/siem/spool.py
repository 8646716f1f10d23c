"""The shipper's spool: a folder on disk that holds what was read from the ledger until a receiver took it.

    <spool>/spool.json      what this spool ships: the target and the format (fixed at creation)
    <spool>/cursor.json     {"next_seq": …, "checkpoint_size": …, "next_batch": …}
    <spool>/batches/NNNNNNNNNNNN.batch   pending batches, one ready-to-send event per line
    <spool>/lock            held (flock) by the one shipper using the spool

Order of writes: a batch file is written and synced before the cursor moves past its entries,
and deleted only after the receiver accepted it. A crash between two steps repeats a step (the
same batch file is rewritten, or resent), never skips one: delivery is at least once, and a
receiver can drop duplicates by the entry hash each event carries. Entries stay in the spool
while the receiver is down, even if the ledger is archived meanwhile.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType

from workbench.errors import BadInput


@dataclass(frozen=True)
class Cursor:
    """How far the spool has read: the next ledger seq, the largest checkpoint size, the next batch number."""

    next_seq: int = 1
    checkpoint_size: int = 0
    next_batch: int = 0


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` with `data` so that a crash leaves the old or the new content, synced to disk."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Spool:
    """One shipper's durable queue; use as a context manager (it takes the spool's lock)."""

    def __init__(self, folder: Path, identity: dict[str, str]) -> None:
        self.folder = Path(folder)
        self.identity = identity
        self._lock_fd: int | None = None

    def __enter__(self) -> Spool:
        self.batches.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(PermissionError):
            os.chmod(self.folder, 0o700)
        fd = os.open(self.folder / "lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise BadInput(
                f"Another shipper is using the spool {self.folder}; stop it or pass another --spool."
            ) from None
        self._lock_fd = fd
        try:
            self._check_identity()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._lock_fd is not None:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = None

    @property
    def batches(self) -> Path:
        return self.folder / "batches"

    def _check_identity(self) -> None:
        path = self.folder / "spool.json"
        if path.exists():
            stored = json.loads(path.read_text(encoding="utf-8"))
            if stored != self.identity:
                raise BadInput(
                    f"The spool {self.folder} ships {stored.get('format')} to {stored.get('target')}; "
                    "pass another --spool for a different target or format."
                )
        else:
            write_atomically(path, json.dumps(self.identity).encode("utf-8"))

    def cursor(self) -> Cursor:
        if not (self.folder / "cursor.json").exists():
            return Cursor()
        cursor = read_cursor(self.folder)
        if cursor is None:
            raise BadInput(
                f"The spool cursor in {self.folder} is damaged; move the spool aside and ship again."
            )
        return cursor

    def add(self, units: list[str], next_seq: int, checkpoint_size: int) -> Path:
        """Store one batch, then move the cursor to `next_seq` and `checkpoint_size`."""
        number = self.cursor().next_batch
        path = self.batches / f"{number:012d}.batch"
        write_atomically(path, "".join(unit + "\n" for unit in units).encode("utf-8"))
        cursor = Cursor(next_seq, checkpoint_size, number + 1)
        write_atomically(self.folder / "cursor.json", json.dumps(asdict(cursor)).encode("utf-8"))
        return path

    def pending(self) -> list[Path]:
        """Batches not yet accepted by the receiver, oldest first."""
        return sorted(self.batches.glob("*.batch"))

    @staticmethod
    def read(batch: Path) -> list[str]:
        return batch.read_text(encoding="utf-8").split("\n")[:-1]

    def ack(self, batch: Path) -> None:
        """The receiver took `batch`: forget it."""
        batch.unlink(missing_ok=True)
        _sync_folder(self.batches)


def read_cursor(folder: Path) -> Cursor | None:
    """The cursor of the spool at `folder` without taking its lock (for the archive's safety check)."""
    path = folder / "cursor.json"
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Cursor(int(data["next_seq"]), int(data["checkpoint_size"]), int(data["next_batch"]))
    except (ValueError, KeyError, TypeError):
        return None
