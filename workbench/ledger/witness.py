"""The witness file: every signed checkpoint, appended as one JSON line, outside `ledger.sqlite`.

    {"time": "2026-12-03T14:05:01.123456+00:00", "note": "<origin>\\n<size>\\n<root>\\n\\n— <key> <sig>\\n"}

One line per checkpoint, so each record is self-delimiting and a log shipper (the SIEM issue)
can forward it as it is; `time` is when the line was written and is not signed, the note is.
Writers open the file with O_APPEND and hold an exclusive flock(2) while they read the latest
checkpoint, decide, write one line and fsync, so several processes can witness at once and no
checkpoint is ever written that is older than, or a fork of, the one before it (see `notary`).

The default location is `$WORKBENCH_HOME/witness/checkpoints`; setting `witness_dir` moves it
to another disk, a mount owned by another account, or a folder a log shipper watches.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, TypeVar

from workbench.errors import LedgerError

WITNESS_FILE: Final = "checkpoints"
_TAIL: Final = 65_536
_T = TypeVar("_T")


@dataclass(frozen=True)
class WitnessRecord:
    """One line of the witness file: when it was written (unsigned) and the signed note."""

    time: str
    note: str

    def line(self) -> bytes:
        return (json.dumps({"time": self.time, "note": self.note}, ensure_ascii=False) + "\n").encode("utf-8")


@dataclass(frozen=True)
class WitnessContents:
    """Every record that parsed, and how many lines did not (torn by a crash, or edited)."""

    records: tuple[WitnessRecord, ...]
    malformed: int


class Witness:
    """The append-only file of signed checkpoints at `folder/checkpoints`."""

    def __init__(self, folder: Path, lock_timeout_s: float = 10.0) -> None:
        self.folder = Path(folder)
        self.path = self.folder / WITNESS_FILE
        self.lock_timeout_s = lock_timeout_s

    def read(self) -> WitnessContents:
        """All records, oldest first; a missing file is an empty witness."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return WitnessContents((), 0)
        except OSError as exc:
            raise _witness_error(self.path, "read", exc) from None
        records, malformed = [], 0
        for raw in data.splitlines():
            record = _parse(raw)
            if record is None:
                malformed += raw.strip() != b""
            else:
                records.append(record)
        return WitnessContents(tuple(records), malformed)

    @contextmanager
    def appending(self) -> Iterator[WitnessAppender]:
        """Hold the witness lock: read the latest records and append, with no other writer between."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
        except OSError as exc:
            raise _witness_error(self.path, "opened", exc) from None
        try:
            _lock(fd, self.path, self.lock_timeout_s)
            yield WitnessAppender(fd, self.path)
        finally:
            os.close(fd)  # closing releases the flock


class WitnessAppender:
    """Operations allowed while the witness lock is held."""

    def __init__(self, fd: int, path: Path) -> None:
        self._fd, self._path = fd, path

    def latest(self, accept: Callable[[WitnessRecord], _T | None]) -> _T | None:
        """The last record (reading backwards from the end) for which `accept` returns a value."""
        try:
            end = os.fstat(self._fd).st_size
            cut = b""  # the start of a line whose beginning is in the next chunk back
            while end > 0:
                start = max(0, end - _TAIL)
                lines = (os.pread(self._fd, end - start, start) + cut).split(b"\n")
                cut = lines.pop(0) if start else b""
                end = start
                for raw in reversed(lines):
                    record = _parse(raw)
                    found = None if record is None else accept(record)
                    if found is not None:
                        return found
        except OSError as exc:
            raise _witness_error(self._path, "read", exc) from None
        return None

    def append(self, note: str) -> None:
        """Write one record and fsync it."""
        record = WitnessRecord(datetime.now(UTC).isoformat(timespec="microseconds"), note)
        try:
            os.write(self._fd, record.line())
            os.fsync(self._fd)
        except OSError as exc:
            raise _witness_error(self._path, "written", exc) from None


def _parse(raw: bytes) -> WitnessRecord | None:
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(value, dict) or not isinstance(value.get("note"), str):
        return None
    stamp = value.get("time")
    return WitnessRecord(stamp if isinstance(stamp, str) else "", value["note"])


def _lock(fd: int, path: Path, timeout_s: float) -> None:
    deadline, pause = time.monotonic() + timeout_s, 0.0005
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() + pause > deadline:
                raise LedgerError(
                    f"The ledger witness {path} stayed locked by another process; no checkpoint was written."
                ) from None
            time.sleep(pause)  # witness writes take milliseconds; poll, bounded by the deadline
            pause = min(pause * 2, 0.05)


def _witness_error(path: Path, doing: str, exc: OSError) -> LedgerError:
    return LedgerError(
        f"The ledger witness {path} could not be {doing} ({type(exc).__name__}); "
        "check that its folder exists and is writable."
    )


def notes_in(text: str) -> list[str]:
    """The checkpoint notes in a file: witness lines (JSON, one per line) or one signed note as printed."""
    lines = [line for line in text.splitlines() if line.strip()]
    records = [_parse(line.encode("utf-8")) for line in lines]
    if records and all(record is not None for record in records):
        return [record.note for record in records if record is not None]
    return [text if text.endswith("\n") else text + "\n"]
