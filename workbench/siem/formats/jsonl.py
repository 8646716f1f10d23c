"""``json``: the ledger's own fields, one JSON object per line (JSON Lines).

Entries: ``{"kind": "entry", "seq", "ts", "actor", "role", "purpose", "action", "outcome",
"detail", "prev_hash", "hash"}`` -- exactly the stored fields, so a receiver can recompute each
hash (docs/ledger.md). Checkpoints: ``{"kind": "checkpoint", "origin", "size", "root_hash",
"signatures", "timestamp", "note"}``.
"""

from __future__ import annotations

from workbench.audit_query import entry_json
from workbench.ledger import LedgerEntry
from workbench.siem.checkpoints import CheckpointRecord
from workbench.siem.events import Source
from workbench.siem.lines import json_line


def entry_object(entry: LedgerEntry) -> dict[str, object]:
    return {"kind": "entry", **entry_json(entry)}


def checkpoint_object(checkpoint: CheckpointRecord) -> dict[str, object]:
    return {"kind": "checkpoint", **checkpoint.to_json()}


def entry_line(entry: LedgerEntry, source: Source) -> str:
    return json_line(entry_object(entry))


def checkpoint_line(checkpoint: CheckpointRecord, source: Source) -> str:
    return json_line(checkpoint_object(checkpoint))
