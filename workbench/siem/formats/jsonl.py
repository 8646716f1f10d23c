"""``json``: the ledger's own fields, one JSON object per line (JSON Lines).

Entries: ``{"kind": "entry", "seq", "ts", "actor", "role", "purpose", "action", "outcome",
"detail", "prev_hash", "hash"}`` -- exactly the stored fields, so a receiver can recompute each
hash (docs/ledger.md). Checkpoints: ``{"kind": "checkpoint", "origin", "size", "root_hash",
"signatures", "timestamp", "note"}``. The integrity notice ending a forced export of a ledger that
failed verification: ``{"kind": "integrity", "complete": false, "failure", "first_bad_seq",
"timestamp", "message"}``.
"""

from __future__ import annotations

from workbench.audit_query import entry_json
from workbench.ledger import LedgerEntry
from workbench.siem.checkpoints import CheckpointRecord
from workbench.siem.events import IntegrityNotice, Source
from workbench.siem.lines import json_line


def entry_object(entry: LedgerEntry) -> dict[str, object]:
    return {"kind": "entry", **entry_json(entry)}


def checkpoint_object(checkpoint: CheckpointRecord) -> dict[str, object]:
    return {"kind": "checkpoint", **checkpoint.to_json()}


def notice_object(notice: IntegrityNotice) -> dict[str, object]:
    return {"kind": "integrity", **notice.to_json()}


def entry_line(entry: LedgerEntry, source: Source) -> str:
    return json_line(entry_object(entry))


def checkpoint_line(checkpoint: CheckpointRecord, source: Source) -> str:
    return json_line(checkpoint_object(checkpoint))


def notice_line(notice: IntegrityNotice, source: Source) -> str:
    return json_line(notice_object(notice))
