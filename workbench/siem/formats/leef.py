"""``leef`` (LEEF 1.0, TAB-delimited) and ``leef2`` (LEEF 2.0, ``^``-delimited, declared in the header).

    LEEF:1.0|PHI Workbench|phi-workbench|0.1.0|query|<TAB>devTime=…<TAB>usrName=…
    LEEF:2.0|PHI Workbench|phi-workbench|0.1.0|query|^|devTime=…^usrName=…

LEEF has no escaping. So in every header field and attribute value, the attribute delimiter (TAB
or ``^``), ``|``, every character that would break a line or is a control character, and every
bidi embedding, override or isolate (U+202A-U+202E, U+2066-U+2069) are replaced by U+FFFD (`lines.SUBSTITUTE`); a receiver gets the value with that substitution. Keys
are fixed ASCII names. There are no length limits, so nothing is truncated. The detail is ASCII
JSON (its line breaks and tabs are JSON escapes), and a checkpoint's signed note, whose lines
cannot be written, is carried as base64 (``noteB64``).

Attributes for entries: devTime and devTimeFormat (milliseconds, UTC), cat=action, sev (1-10),
usrName=actor, role=role, isLoginEvent / isLogoutEvent for logins and logouts, resource=tables
(comma-separated), outcome, purpose, reason, seq, ts (exact ledger timestamp), hash, prevHash,
detail. Checkpoints: cat=checkpoint, origin, treeSize, rootHash, noteB64, ts.
"""

from __future__ import annotations

import base64
import json
from typing import Final

from workbench.audit_query import tables_of
from workbench.ledger import LedgerEntry
from workbench.siem.checkpoints import CheckpointRecord
from workbench.siem.events import (
    PRODUCT,
    VENDOR,
    IntegrityNotice,
    Severity,
    Source,
    StreamEvent,
    instant,
    reason,
    severity,
)
from workbench.siem.lines import substitute_unsafe

V2_DELIMITER: Final = "^"
SEVERITY: Final[dict[Severity, int]] = {"info": 3, "low": 4, "medium": 6, "high": 8}
DEV_TIME_FORMAT: Final = "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"


def clean(text: str, delimiter: str) -> str:
    """`text` with the delimiter, ``|`` and unsafe characters replaced by the substitute."""
    return substitute_unsafe(text, also=delimiter + "|")


def _dev_time(event: StreamEvent) -> str:
    moment = instant(event)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+00:00"


def _entry_attributes(entry: LedgerEntry) -> list[tuple[str, str | None]]:
    return [
        ("devTime", _dev_time(entry)),
        ("devTimeFormat", DEV_TIME_FORMAT),
        ("cat", entry.action),
        ("sev", str(SEVERITY[severity(entry)])),
        ("usrName", entry.actor),
        ("role", entry.role or None),
        ("isLoginEvent", "true" if entry.action == "login" else None),
        ("isLogoutEvent", "true" if entry.action == "logout" else None),
        ("resource", ",".join(tables_of(entry)) or None),
        ("outcome", entry.outcome),
        ("purpose", entry.purpose),
        ("reason", reason(entry)),
        ("seq", str(entry.seq)),
        ("ts", entry.ts),
        ("hash", entry.hash),
        ("prevHash", entry.prev_hash),
        ("detail", json.dumps(entry.detail, ensure_ascii=True, sort_keys=True, separators=(",", ":"))),
    ]


def _checkpoint_attributes(checkpoint: CheckpointRecord) -> list[tuple[str, str | None]]:
    return [
        ("devTime", _dev_time(checkpoint)),
        ("devTimeFormat", DEV_TIME_FORMAT),
        ("cat", "checkpoint"),
        ("sev", str(SEVERITY[severity(checkpoint)])),
        ("origin", checkpoint.origin),
        ("treeSize", str(checkpoint.size)),
        ("rootHash", checkpoint.root_hash),
        ("noteB64", base64.b64encode(checkpoint.note.encode("utf-8")).decode("ascii")),
        ("ts", checkpoint.timestamp),
    ]


def _render(
    version: str, event_id: str, attributes: list[tuple[str, str | None]], source: Source, declare: bool
) -> str:
    delimiter = V2_DELIMITER if declare else "\t"
    header = [f"LEEF:{version}", VENDOR, PRODUCT, source.version, event_id]
    text = "|".join(clean(part, delimiter) for part in header) + "|"
    if declare:
        text += f"{V2_DELIMITER}|"
    body = delimiter.join(
        f"{key}={clean(value, delimiter)}" for key, value in attributes if value is not None
    )
    return text + body


def entry_line_v1(entry: LedgerEntry, source: Source) -> str:
    return _render("1.0", entry.action, _entry_attributes(entry), source, declare=False)


def entry_line_v2(entry: LedgerEntry, source: Source) -> str:
    return _render("2.0", entry.action, _entry_attributes(entry), source, declare=True)


def checkpoint_line_v1(checkpoint: CheckpointRecord, source: Source) -> str:
    return _render("1.0", "checkpoint", _checkpoint_attributes(checkpoint), source, declare=False)


def checkpoint_line_v2(checkpoint: CheckpointRecord, source: Source) -> str:
    return _render("2.0", "checkpoint", _checkpoint_attributes(checkpoint), source, declare=True)


def _notice_attributes(notice: IntegrityNotice) -> list[tuple[str, str | None]]:
    return [
        ("devTime", _dev_time(notice)),
        ("devTimeFormat", DEV_TIME_FORMAT),
        ("cat", "integrity"),
        ("sev", str(SEVERITY[severity(notice)])),
        ("outcome", "incomplete"),
        ("failure", notice.failure),
        ("firstBadSeq", None if notice.first_bad_seq is None else str(notice.first_bad_seq)),
        ("reason", notice.message),
        ("ts", notice.timestamp),
    ]


def notice_line_v1(notice: IntegrityNotice, source: Source) -> str:
    return _render("1.0", "integrity", _notice_attributes(notice), source, declare=False)


def notice_line_v2(notice: IntegrityNotice, source: Source) -> str:
    return _render("2.0", "integrity", _notice_attributes(notice), source, declare=True)
