"""``cef``: ArcSight Common Event Format, version 0.

    CEF:0|PHI Workbench|phi-workbench|0.1.0|query|query denied on patients|6|rt=… act=query …

Escaping (CEF specification): in the seven header fields ``\\`` becomes ``\\\\`` and ``|`` becomes
``\\|``; in extension values ``\\`` becomes ``\\\\``, ``=`` becomes ``\\=``, LF becomes ``\\n`` and CR
becomes ``\\r``. Header fields cannot hold a line break at all. Every other character that would
break a line or is a control character (except TAB), and each bidi embedding, override or isolate
(U+202A-U+202E, U+2066-U+2069), becomes U+FFFD (`lines.SUBSTITUTE`) in headers and extension values
alike.

Length limits (characters, counted on the value before escaping): header vendor and product 63,
version 31, signature id 1023, name 512; extension ``act`` and ``outcome`` 63, ``suser``,
``spriv``, ``msg``, ``reason`` and custom-string labels 1023, ``cs1``-``cs6`` 4000,
``externalId`` 40, ``dvchost`` 100. A longer value is cut at the limit and the field is named in
``cs6`` (label ``truncated``), comma-separated, so a receiver knows the value is a prefix.

Field mapping for entries: rt (epoch ms), act=action, outcome=outcome, suser=actor, spriv=role,
externalId=seq, msg=summary, reason=detail.reason, cs1=purpose, cs2=detail (ASCII JSON, so the
detail always parses back exactly), cs3=hash, cs4=prev_hash, cs5=ts (exact ledger timestamp),
dvchost=sending host. Checkpoints: signature id ``checkpoint``, cs1=origin, externalId=size,
cs2=the signed note, cs3=root hash, cs5=timestamp.
"""

from __future__ import annotations

import json
from typing import Final

from workbench.ledger import LedgerEntry
from workbench.siem.checkpoints import CheckpointRecord
from workbench.siem.events import (
    PRODUCT,
    VENDOR,
    IntegrityNotice,
    Severity,
    Source,
    StreamEvent,
    epoch_ms,
    instant,
    reason,
    severity,
    summary,
)
from workbench.siem.lines import substitute_unsafe

SEVERITY: Final[dict[Severity, int]] = {"info": 3, "low": 4, "medium": 6, "high": 8}

HEADER_LIMITS: Final = {"vendor": 63, "product": 63, "version": 31, "signature": 1023, "name": 512}
EXTENSION_LIMITS: Final = {
    "act": 63,
    "outcome": 63,
    "suser": 1023,
    "spriv": 1023,
    "msg": 1023,
    "reason": 1023,
    "externalId": 40,
    "dvchost": 100,
    **{f"cs{n}": 4000 for n in range(1, 7)},
    **{f"cs{n}Label": 1023 for n in range(1, 7)},
}
TRUNCATED_KEY: Final = "cs6"


def escape_header(text: str) -> str:
    return substitute_unsafe(text).replace("\\", "\\\\").replace("|", "\\|")


def escape_value(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("=", "\\=").replace("\n", "\\n").replace("\r", "\\r")
    return substitute_unsafe(escaped)


def _header(event: StreamEvent, source: Source, signature: str, name: str, cut: list[str]) -> str:
    fields = {
        "vendor": VENDOR,
        "product": PRODUCT,
        "version": source.version,
        "signature": signature,
        "name": name,
    }
    parts = []
    for key, value in fields.items():
        limit = HEADER_LIMITS[key]
        if len(value) > limit:
            value = value[:limit]
            cut.append(key)
        parts.append(escape_header(value))
    return "CEF:0|" + "|".join(parts) + f"|{SEVERITY[severity(event)]}|"


def _extension(pairs: list[tuple[str, str | None]], cut: list[str]) -> str:
    out = []
    for key, value in pairs:
        if value is None:
            continue
        limit = EXTENSION_LIMITS.get(key)
        if limit is not None and len(value) > limit:
            value = value[:limit]
            cut.append(key)
        out.append(f"{key}={escape_value(value)}")
    if cut:
        out.append(f"{TRUNCATED_KEY}Label=truncated {TRUNCATED_KEY}={escape_value(','.join(cut))}")
    return " ".join(out)


def entry_line(entry: LedgerEntry, source: Source) -> str:
    cut: list[str] = []
    header = _header(entry, source, entry.action, summary(entry), cut)
    extension = _extension(
        [
            ("rt", str(epoch_ms(instant(entry)))),
            ("act", entry.action),
            ("outcome", entry.outcome),
            ("suser", entry.actor),
            ("spriv", entry.role or None),
            ("externalId", str(entry.seq)),
            ("msg", summary(entry)),
            ("reason", reason(entry)),
            ("cs1Label", "purpose"),
            ("cs1", entry.purpose),
            ("cs2Label", "detail"),
            ("cs2", json.dumps(entry.detail, ensure_ascii=True, sort_keys=True, separators=(",", ":"))),
            ("cs3Label", "hash"),
            ("cs3", entry.hash),
            ("cs4Label", "prevHash"),
            ("cs4", entry.prev_hash),
            ("cs5Label", "ts"),
            ("cs5", entry.ts),
            ("dvchost", source.host),
        ],
        cut,
    )
    return header + extension


def checkpoint_line(checkpoint: CheckpointRecord, source: Source) -> str:
    cut: list[str] = []
    header = _header(checkpoint, source, "checkpoint", summary(checkpoint), cut)
    extension = _extension(
        [
            ("rt", str(epoch_ms(instant(checkpoint)))),
            ("act", "checkpoint"),
            ("externalId", str(checkpoint.size)),
            ("msg", summary(checkpoint)),
            ("cs1Label", "origin"),
            ("cs1", checkpoint.origin),
            ("cs2Label", "note"),
            ("cs2", checkpoint.note),
            ("cs3Label", "rootHash"),
            ("cs3", checkpoint.root_hash),
            ("cs5Label", "ts"),
            ("cs5", checkpoint.timestamp),
            ("dvchost", source.host),
        ],
        cut,
    )
    return header + extension


def notice_line(notice: IntegrityNotice, source: Source) -> str:
    cut: list[str] = []
    header = _header(notice, source, "integrity", summary(notice), cut)
    extension = _extension(
        [
            ("rt", str(epoch_ms(instant(notice)))),
            ("act", "integrity"),
            ("outcome", "incomplete"),
            ("externalId", None if notice.first_bad_seq is None else str(notice.first_bad_seq)),
            ("msg", notice.message),
            ("reason", notice.failure),
            ("cs5Label", "ts"),
            ("cs5", notice.timestamp),
            ("dvchost", source.host),
        ],
        cut,
    )
    return header + extension
