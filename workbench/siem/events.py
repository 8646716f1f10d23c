"""What every SIEM format says the same way about an event: its time, severity and a short summary.

An `AuditEvent` is a ledger entry or a signed checkpoint. `Source` is the sending side (host name
and workbench version), which the ledger itself does not record.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from typing import Final, Literal

from workbench.audit_query import entry_instant, is_break_glass, tables_of
from workbench.errors import LedgerError
from workbench.ledger import LedgerEntry
from workbench.siem.checkpoints import CheckpointRecord

AuditEvent = LedgerEntry | CheckpointRecord


@dataclass(frozen=True)
class IntegrityNotice:
    """The last event of an export forced out of a ledger that failed verification (``--force``).

    It says, in every format, that the stream is not complete evidence: the ledger's verification
    found `failure` (edit, deletion, truncation, rewrite, ...) at `first_bad_seq`. `timestamp` is
    when the export was made (UTC, ``+00:00``).
    """

    failure: str
    first_bad_seq: int | None
    timestamp: str

    @property
    def message(self) -> str:
        return (
            f"export incomplete: ledger integrity failure: {self.failure} at {self.first_bad_seq}; "
            "these events are not complete evidence"
        )

    def to_json(self) -> dict[str, object]:
        return {
            "complete": False,
            "failure": self.failure,
            "first_bad_seq": self.first_bad_seq,
            "timestamp": self.timestamp,
            "message": self.message,
        }


StreamEvent = AuditEvent | IntegrityNotice
"""What an export stream holds: entries, checkpoints and, for a forced export, an integrity notice."""

VENDOR: Final = "PHI Workbench"
PRODUCT: Final = "phi-workbench"

Severity = Literal["info", "low", "medium", "high"]
"""info: ok and checkpoints; low: the operation failed (error); medium: refused or denied by
governance; high: anything done in the break-glass role."""


@dataclass(frozen=True)
class Source:
    """The sending side of an export or a shipped stream."""

    host: str
    version: str

    @classmethod
    def local(cls) -> Source:
        try:
            version = metadata.version("phi-workbench")
        except metadata.PackageNotFoundError:
            version = "0"
        return cls(host=socket.gethostname() or "localhost", version=version)


def severity(event: StreamEvent) -> Severity:
    if isinstance(event, IntegrityNotice):
        return "high"
    if isinstance(event, CheckpointRecord):
        return "info"
    if is_break_glass(event):
        return "high"
    if event.outcome in ("refused", "denied"):
        return "medium"
    if event.outcome == "ok":
        return "info"
    return "low"


def instant(event: StreamEvent) -> datetime:
    """When the event happened (entries), the checkpoint was made or the export ran, in UTC."""
    if isinstance(event, LedgerEntry):
        return entry_instant(event)
    try:
        moment = datetime.fromisoformat(event.timestamp)
    except ValueError:
        moment = None
    if moment is None or moment.utcoffset() is None:
        what = (
            "integrity notice" if isinstance(event, IntegrityNotice) else f"checkpoint of size {event.size}"
        )
        raise LedgerError(f"The {what} has an unreadable timestamp.")
    return moment.astimezone(UTC)


def epoch_ms(moment: datetime) -> int:
    """Milliseconds since the Unix epoch, truncated (CEF ``rt``, OCSF ``time``)."""
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return delta.days * 86_400_000 + delta.seconds * 1000 + delta.microseconds // 1000


def epoch_seconds_text(moment: datetime) -> str:
    """Seconds since the epoch with exactly six decimals, as decimal text (no binary float rounding)."""
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return f"{delta.days * 86_400 + delta.seconds}.{delta.microseconds:06d}"


def reason(entry: LedgerEntry) -> str | None:
    """The one-sentence reason a refused, denied or failed operation recorded (never a PHI value)."""
    text = entry.detail.get("reason")
    return text if isinstance(text, str) else None


def summary(event: StreamEvent) -> str:
    """A short human line: ``query denied on patients`` or ``checkpoint workbench/ledger size 12``."""
    if isinstance(event, IntegrityNotice):
        return f"export incomplete: {event.failure} at {event.first_bad_seq}"
    if isinstance(event, CheckpointRecord):
        return f"checkpoint {event.origin} size {event.size}"
    tables = tables_of(event)
    return f"{event.action} {event.outcome}" + (f" on {', '.join(tables)}" if tables else "")
