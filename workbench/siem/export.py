"""Exporting a time range of the ledger in one SIEM format, with the checkpoints that cover it.

The entries are those with ``since <= ts < until`` (`workbench.audit_query`), in seq order. The
checkpoints are: every checkpoint whose tree size falls inside the exported seq span, the newest
one before the span (the anchor a receiver chains from) and the oldest one at or after its last
entry (which covers it). Each checkpoint line follows the entry whose seq equals its size, so a
receiver meets a checkpoint right after the last entry it commits to.

Before anything is written the ledger is verified against the trusted signed checkpoints (the
check `workbench ledger query` reports as ``complete``/``kind``). A ledger that fails is not
exported: the attempt is recorded (outcome ``error``, ``complete: false`` and the ``kind``) and
`LedgerTampered` is raised. With ``force=True`` the events are written anyway, the stream ends with
an `IntegrityNotice` event saying it is incomplete, and the summary says ``complete: false``.

The export is written to a temporary file first, then the export is recorded in the ledger
(action ``export``, with ``complete`` and ``kind``), and only then is it copied to the
destination: if the record cannot be written, nothing is exported (fail closed).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO

from workbench import audit
from workbench.audit_query import AuditFilter, current_principal, reading, utc_text
from workbench.ledger import Ledger, LedgerEntry
from workbench.ledger.verify import tampered
from workbench.settings import Settings
from workbench.siem.checkpoints import (
    CheckpointRecord,
    checkpoint_records,
    trusted_checkpoints,
    trusted_keys,
)
from workbench.siem.events import AuditEvent, IntegrityNotice, Source
from workbench.siem.formats import FormatName, format_event


def covering_checkpoints(
    checkpoints: Sequence[CheckpointRecord], first_seq: int | None, last_seq: int | None
) -> list[CheckpointRecord]:
    """The checkpoints an export of entries first_seq..last_seq carries (see the module docstring).

    With no entries, the newest checkpoint alone.
    """
    ordered = sorted(checkpoints, key=lambda cp: cp.size)
    if first_seq is None or last_seq is None:
        return ordered[-1:]
    before = [cp for cp in ordered if cp.size < first_seq]
    inside = [cp for cp in ordered if first_seq <= cp.size <= last_seq]
    after = [cp for cp in ordered if cp.size > last_seq]
    chosen = before[-1:] + inside
    if not inside or inside[-1].size != last_seq:
        chosen += after[:1]
    return chosen


def interleave(
    entries: Iterable[LedgerEntry], checkpoints: Sequence[CheckpointRecord]
) -> Iterator[AuditEvent]:
    """Entries in seq order with each checkpoint placed after the last entry it covers."""
    pending = sorted(checkpoints, key=lambda cp: cp.size)
    i = 0
    for entry in entries:
        while i < len(pending) and pending[i].size < entry.seq:
            yield pending[i]
            i += 1
        yield entry
    yield from pending[i:]


@dataclass(frozen=True)
class ExportSummary:
    """What an export held: entry count, seq span, checkpoints, and the ledger entry recording it."""

    format: FormatName
    entries: int
    first_seq: int | None
    last_seq: int | None
    checkpoints: int
    recorded_seq: int
    complete: bool = True
    kind: str | None = None
    first_bad_seq: int | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "format": self.format,
            "entries": self.entries,
            "first_seq": self.first_seq,
            "last_seq": self.last_seq,
            "checkpoints": self.checkpoints,
            "recorded_seq": self.recorded_seq,
            "complete": self.complete,
            "kind": self.kind,
            "first_bad_seq": self.first_bad_seq,
        }


def export(
    settings: Settings,
    form: FormatName,
    criteria: AuditFilter,
    out: BinaryIO,
    source: Source | None = None,
    force: bool = False,
) -> ExportSummary:
    """Write the entries `criteria` selects (a time range) as lines of `form` to `out`; record it.

    LedgerTampered (nothing written) when the ledger fails verification, unless `force`.
    """
    source = source or Source.local()
    ledger = audit.ledger(settings)
    last = ledger.last()
    through = last.seq if last is not None else 0
    records = checkpoint_records(settings)
    verification = ledger.verify(trusted_checkpoints(records, trusted_keys(settings)))
    integrity: dict[str, object] = {"complete": verification.ok, "kind": verification.kind}
    if not verification.ok:
        integrity["first_bad_seq"] = verification.first_bad_seq
        if not force:
            # Nothing is appended to a ledger that failed verification (see `audit.verify_ledger`).
            raise tampered(verification)
    count, first_seq, last_seq = 0, None, None
    for entry in _selected(ledger, criteria, through):  # pass 1: the seq span, for the checkpoints
        count, first_seq, last_seq = count + 1, first_seq or entry.seq, entry.seq
    checkpoints = covering_checkpoints(records, first_seq, last_seq)
    with tempfile.TemporaryFile() as staging:
        for event in interleave(_selected(ledger, criteria, through), checkpoints):
            staging.write(format_event(form, event, source).encode("utf-8") + b"\n")
        if not verification.ok:
            notice = IntegrityNotice(
                verification.kind or "edit", verification.first_bad_seq, utc_text(datetime.now(UTC))
            )
            staging.write(format_event(form, notice, source).encode("utf-8") + b"\n")
        detail = {
            "format": form,
            "criteria": criteria.to_json(),
            "entries": count,
            "first_seq": first_seq,
            "last_seq": last_seq,
            "checkpoints": len(checkpoints),
            **integrity,
        }
        recorded = audit.record(settings, "export", "ok", detail, current_principal(settings))
        staging.seek(0)
        shutil.copyfileobj(staging, out)
    out.flush()
    return ExportSummary(
        form,
        count,
        first_seq,
        last_seq,
        len(checkpoints),
        recorded.seq,
        verification.ok,
        verification.kind,
        verification.first_bad_seq,
    )


def _selected(ledger: Ledger, criteria: AuditFilter, through: int) -> Iterator[LedgerEntry]:
    """The matching entries with seq <= through, streamed in seq order."""
    with reading(ledger) as stream:
        for entry in stream:
            if entry.seq > through:
                return
            if criteria.matches(entry):
                yield entry
