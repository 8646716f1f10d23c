"""``ocsf``: Open Cybersecurity Schema Framework 1.7.0 events, one per line.

Classes (docs/siem.md has the full table):

| ledger action | OCSF class | activity |
|---|---|---|
| query | Datastore Activity (6005) | 4 Query |
| load, seed | Datastore Activity (6005) | 5 Write |
| login | Authentication (3002) | 1 Logon |
| logout | Authentication (3002) | 2 Logoff |
| login in the break-glass role, decision | Authorize Session (3003) | 1 Assign Privileges |
| every other tool or API call (columns, verify, ledger_read, export, ...) | API Activity (6003) | 2 Read, 99 Other |
| a checkpoint | Base Event (0) | 99 Other (``Checkpoint``) |

Every event has the required base attributes ``activity_id``, ``category_uid``, ``class_uid``,
``type_uid`` (class_uid x 100 + activity_id), ``severity_id``, ``time`` (epoch ms) and
``metadata`` (``product``, ``version``), plus each class's required objects: ``actor`` and
``src_endpoint`` (6003, 6005), ``api.operation`` (6003), ``user`` (3002, 3003), and the
at-least-one constraints (``database`` for 6005, ``service`` for 3002, ``privileges`` for 3003).
``time_dt`` (datetime profile) and ``metadata.original_time`` keep the exact ledger time;
``unmapped.phi_workbench`` keeps the ledger's stored fields exactly.
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
    epoch_ms,
    instant,
    reason,
    severity,
    summary,
)
from workbench.siem.formats.jsonl import checkpoint_object, entry_object, notice_object
from workbench.siem.lines import json_line

OCSF_VERSION: Final = "1.7.0"

SEVERITY_ID: Final[dict[Severity, tuple[int, str]]] = {
    "info": (1, "Informational"),
    "low": (2, "Low"),
    "medium": (3, "Medium"),
    "high": (4, "High"),
}
CATEGORIES: Final = {0: "Uncategorized", 3: "Identity & Access Management", 6: "Application Activity"}
CLASSES: Final = {
    0: "Base Event",
    3002: "Authentication",
    3003: "Authorize Session",
    6003: "API Activity",
    6005: "Datastore Activity",
}
ACTIVITIES: Final = {
    (3002, 1): "Logon",
    (3002, 2): "Logoff",
    (3003, 1): "Assign Privileges",
    (6003, 1): "Create",
    (6003, 2): "Read",
    (6003, 3): "Update",
    (6003, 4): "Delete",
    (6005, 4): "Query",
    (6005, 5): "Write",
}
API_ACTIVITY: Final = {
    "columns": 2,
    "verify": 2,
    "ledger_read": 2,
    "export": 2,
    "impact": 2,
    "lineage": 2,
    "scan": 2,
    "mask": 2,
}


def classify(entry: LedgerEntry) -> tuple[int, int, str]:
    """(class_uid, activity_id, activity_name) for an entry."""
    if entry.action == "decision" or (entry.action == "login" and is_break_glass(entry)):
        return 3003, 1, ACTIVITIES[(3003, 1)]
    if entry.action in ("login", "logout"):
        activity = 1 if entry.action == "login" else 2
        return 3002, activity, ACTIVITIES[(3002, activity)]
    if entry.action == "query":
        return 6005, 4, ACTIVITIES[(6005, 4)]
    if entry.action in ("load", "seed"):
        return 6005, 5, ACTIVITIES[(6005, 5)]
    activity = API_ACTIVITY.get(entry.action, 99)
    return 6003, activity, ACTIVITIES.get((6003, activity), entry.action)


def _base(
    class_uid: int, activity_id: int, activity_name: str, level: Severity, moment_ms: int, source: Source
) -> dict[str, object]:
    category_uid = class_uid // 1000
    severity_id, severity_name = SEVERITY_ID[level]
    return {
        "activity_id": activity_id,
        "activity_name": activity_name,
        "category_uid": category_uid,
        "category_name": CATEGORIES[category_uid],
        "class_uid": class_uid,
        "class_name": CLASSES[class_uid],
        "type_uid": class_uid * 100 + activity_id,
        "type_name": f"{CLASSES[class_uid]}: {activity_name}",
        "severity_id": severity_id,
        "severity": severity_name,
        "time": moment_ms,
        "timezone_offset": 0,
        "metadata": {
            "version": OCSF_VERSION,
            "profiles": ["datetime"],
            "product": {"name": PRODUCT, "vendor_name": VENDOR, "version": source.version},
            "log_name": "ledger",
        },
    }


def entry_event(entry: LedgerEntry, source: Source) -> dict[str, object]:
    class_uid, activity_id, activity_name = classify(entry)
    moment = instant(entry)
    event = _base(class_uid, activity_id, activity_name, severity(entry), epoch_ms(moment), source)
    metadata = event["metadata"]
    assert isinstance(metadata, dict)
    metadata.update(uid=entry.hash, sequence=entry.seq, original_time=entry.ts, event_code=entry.action)
    user: dict[str, object] = {"name": entry.actor}
    endpoint = {"hostname": source.host, "name": PRODUCT}
    tables = tables_of(entry)
    if class_uid in (6003, 6005):
        event["actor"] = {"user": user}
        event["src_endpoint"] = endpoint
    if class_uid == 6003:
        event["api"] = {"operation": entry.action, "service": {"name": PRODUCT}}
        if tables:
            event["resources"] = [{"name": table, "type": "table"} for table in tables]
    elif class_uid == 6005:
        event["database"] = {"name": "warehouse", "type": "Relational", "type_id": 1}
        if len(tables) == 1:
            event["table"] = {"name": tables[0]}
    elif class_uid == 3002:
        event["user"] = user
        event["service"] = {"name": PRODUCT}
    elif class_uid == 3003:
        event["user"] = user
        event["privileges"] = [entry.role] if entry.role else [entry.action]
    ok = entry.outcome == "ok"
    event.update(
        time_dt=entry.ts,
        status_id=1 if ok else 2,
        status="Success" if ok else "Failure",
        status_code=entry.outcome,
        message=summary(entry),
    )
    why = reason(entry)
    if why is not None:
        event["status_detail"] = why
    ledger = entry_object(entry)
    del ledger["kind"]
    event["unmapped"] = {"phi_workbench": ledger}
    return event


def checkpoint_event(checkpoint: CheckpointRecord, source: Source) -> dict[str, object]:
    event = _base(0, 99, "Checkpoint", severity(checkpoint), epoch_ms(instant(checkpoint)), source)
    event["type_name"] = "Base Event: Checkpoint"
    metadata = event["metadata"]
    assert isinstance(metadata, dict)
    metadata.update(original_time=checkpoint.timestamp, event_code="checkpoint")
    body = checkpoint_object(checkpoint)
    del body["kind"]
    event.update(
        time_dt=checkpoint.timestamp,
        status_id=1,
        status="Success",
        message=summary(checkpoint),
        unmapped={"phi_workbench": {"checkpoint": body}},
    )
    return event


def entry_line(entry: LedgerEntry, source: Source) -> str:
    return json_line(entry_event(entry, source))


def checkpoint_line(checkpoint: CheckpointRecord, source: Source) -> str:
    return json_line(checkpoint_event(checkpoint, source))


def notice_event(notice: IntegrityNotice, source: Source) -> dict[str, object]:
    event = _base(0, 99, "Integrity Failure", severity(notice), epoch_ms(instant(notice)), source)
    event["type_name"] = "Base Event: Integrity Failure"
    metadata = event["metadata"]
    assert isinstance(metadata, dict)
    metadata.update(original_time=notice.timestamp, event_code="integrity")
    body = notice_object(notice)
    del body["kind"]
    event.update(
        time_dt=notice.timestamp,
        status_id=2,
        status="Failure",
        status_code="incomplete",
        status_detail=notice.message,
        message=summary(notice),
        unmapped={"phi_workbench": {"integrity": body}},
    )
    return event


def notice_line(notice: IntegrityNotice, source: Source) -> str:
    return json_line(notice_event(notice, source))
