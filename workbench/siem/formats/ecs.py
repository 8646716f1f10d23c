"""``ecs``: Elastic Common Schema 8.x documents, one per line.

Standard fields: ``@timestamp`` (the ledger time, UTC with offset), ``ecs.version``,
``event.kind`` (``event``; ``state`` for checkpoints), ``event.category`` and ``event.type``
(allowed values, table below), ``event.action`` (the ledger action, the verb), ``event.outcome``
(``success`` for ok; ``failure`` for refused, denied and error; ``unknown`` for anything else),
``event.sequence`` (seq), ``event.id`` (the entry hash), ``event.severity``, ``event.reason``,
``event.dataset``/``event.module``/``event.provider``, ``user.name`` (actor), ``user.roles``
(role), ``observer.*`` (the sending workbench) and ``message``. The ledger's own fields, exactly as
stored, are under ``phi_workbench`` (a custom field set, as ECS asks for non-ECS data).
"""

from __future__ import annotations

from typing import Final

from workbench.audit_query import is_break_glass, tables_of
from workbench.ledger import LedgerEntry
from workbench.siem.checkpoints import CheckpointRecord
from workbench.siem.events import (
    PRODUCT,
    VENDOR,
    IntegrityNotice,
    Severity,
    Source,
    reason,
    severity,
    summary,
)
from workbench.siem.formats.cef import SEVERITY as CEF_SEVERITY
from workbench.siem.formats.jsonl import checkpoint_object, entry_object, notice_object
from workbench.siem.lines import json_line

ECS_VERSION: Final = "8.17.0"
DATASET: Final = "phi_workbench.ledger"

# action -> (event.category, event.type); every value from ECS's allowed lists.
CATEGORIZATION: Final[dict[str, tuple[list[str], list[str]]]] = {
    "login": (["authentication", "session"], ["start"]),
    "logout": (["authentication", "session"], ["end"]),
    "query": (["database"], ["access"]),
    "load": (["database"], ["change"]),
    "seed": (["database"], ["change"]),
    "columns": (["database"], ["info"]),
    "decision": (["iam"], ["info"]),
    "verify": (["database"], ["info"]),
    "ledger_read": (["database"], ["access"]),
    "export": (["database"], ["access"]),
    "archive": (["database"], ["change"]),
    "demo": (["api"], ["info"]),
    "impact": (["api"], ["info"]),
    "lineage": (["api"], ["info"]),
    "scan": (["api"], ["info"]),
    "mask": (["api"], ["info"]),
}
OUTCOME: Final = {"ok": "success", "refused": "failure", "denied": "failure", "error": "failure"}


def _severity(level: Severity) -> int:
    return CEF_SEVERITY[level]


def _observer(source: Source) -> dict[str, object]:
    return {"vendor": VENDOR, "product": PRODUCT, "version": source.version, "hostname": source.host}


def entry_document(entry: LedgerEntry, source: Source) -> dict[str, object]:
    category, types = CATEGORIZATION.get(entry.action, (["api"], ["info"]))
    category, types = list(category), list(types)
    if entry.action == "login" and is_break_glass(entry):
        category.append("iam")
        types.append("admin")
    if entry.outcome == "error" and "database" in category:
        types.append("error")
    elif entry.outcome == "denied" and "api" in category:
        types.append("denied")
    event: dict[str, object] = {
        "kind": "event",
        "category": category,
        "type": types,
        "action": entry.action,
        "outcome": OUTCOME.get(entry.outcome, "unknown"),
        "sequence": entry.seq,
        "id": entry.hash,
        "severity": _severity(severity(entry)),
        "dataset": DATASET,
        "module": "phi_workbench",
        "provider": PRODUCT,
    }
    why = reason(entry)
    if why is not None:
        event["reason"] = why
    user: dict[str, object] = {"name": entry.actor}
    if entry.role:
        user["roles"] = [entry.role]
    ledger = entry_object(entry)
    del ledger["kind"]
    ledger["tables"] = list(tables_of(entry))
    ledger["break_glass"] = is_break_glass(entry)
    return {
        "@timestamp": entry.ts,
        "ecs": {"version": ECS_VERSION},
        "event": event,
        "user": user,
        "observer": _observer(source),
        "message": summary(entry),
        "phi_workbench": ledger,
    }


def checkpoint_document(checkpoint: CheckpointRecord, source: Source) -> dict[str, object]:
    body = checkpoint_object(checkpoint)
    del body["kind"]
    return {
        "@timestamp": checkpoint.timestamp,
        "ecs": {"version": ECS_VERSION},
        "event": {
            "kind": "state",
            "category": ["database"],
            "type": ["info"],
            "action": "checkpoint",
            "outcome": "success",
            "sequence": checkpoint.size,
            "severity": _severity(severity(checkpoint)),
            "dataset": DATASET,
            "module": "phi_workbench",
            "provider": PRODUCT,
        },
        "observer": _observer(source),
        "message": summary(checkpoint),
        "phi_workbench": {"checkpoint": body},
    }


def entry_line(entry: LedgerEntry, source: Source) -> str:
    return json_line(entry_document(entry, source))


def checkpoint_line(checkpoint: CheckpointRecord, source: Source) -> str:
    return json_line(checkpoint_document(checkpoint, source))


def notice_document(notice: IntegrityNotice, source: Source) -> dict[str, object]:
    body = notice_object(notice)
    del body["kind"]
    return {
        "@timestamp": notice.timestamp,
        "ecs": {"version": ECS_VERSION},
        "event": {
            "kind": "alert",
            "category": ["database"],
            "type": ["info"],
            "action": "integrity_failure",
            "outcome": "failure",
            "severity": _severity(severity(notice)),
            "reason": notice.message,
            "dataset": DATASET,
            "module": "phi_workbench",
            "provider": PRODUCT,
        },
        "observer": _observer(source),
        "message": summary(notice),
        "phi_workbench": {"integrity": body},
    }


def notice_line(notice: IntegrityNotice, source: Source) -> str:
    return json_line(notice_document(notice, source))
