"""Who read which columns: governed queries in the ledger and statements of imported query logs.

A `Read` is one access: the principal (and role and purpose when the governed path knows them), its
time, the columns and tables it read, and where it is known from (`governed query`, or `query log
<file>`). Governed queries are the ledger's `query` entries that succeeded (their `columns`,
`outputs[].sources` and `tables`); logged reads are stored by `workbench lineage import-history`
under `$WORKBENCH_HOME/lineage/reads/`, one file per log, replaced when the log is imported again.

Names are compared as the warehouse names them: `patients.ssn`, `main.patients.ssn` and
`db.main.patients.ssn` are one column (`workbench.lineage.build.warehouse_key`). Reads hold
names and times only, never a value.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from workbench import audit
from workbench.lineage.build import lineage_folder
from workbench.lineage.graph import warehouse_key
from workbench.lineage.origins import write_atomic
from workbench.settings import Settings

READS_FOLDER = "reads"
GOVERNED = "governed query"


@dataclass(frozen=True)
class Read:
    """One access to columns: who, when, what, and where it is known from."""

    principal: str
    role: str
    purpose: str
    time: str  # ISO 8601
    columns: frozenset[str]
    tables: frozenset[str]
    source: str

    def to_json(self) -> dict[str, object]:
        return {
            "principal": self.principal,
            "role": self.role,
            "purpose": self.purpose,
            "time": self.time,
            "columns": sorted(self.columns),
            "tables": sorted(self.tables),
            "source": self.source,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Read:
        return cls(
            principal=str(data.get("principal", "")),
            role=str(data.get("role", "")),
            purpose=str(data.get("purpose", "")),
            time=str(data.get("time", "")),
            columns=frozenset(str(c) for c in data.get("columns", ()) or ()),  # type: ignore[attr-defined]
            tables=frozenset(str(t) for t in data.get("tables", ()) or ()),  # type: ignore[attr-defined]
            source=str(data.get("source", "")),
        )


@dataclass(frozen=True)
class ReaderSummary:
    """A principal's reads of some columns, from one source, within a window."""

    principal: str
    role: str
    purpose: str
    source: str
    first: str
    last: str
    count: int

    def to_json(self) -> dict[str, object]:
        return {
            "principal": self.principal,
            "role": self.role,
            "purpose": self.purpose,
            "source": self.source,
            "first": self.first,
            "last": self.last,
            "count": self.count,
        }


# -- where reads come from ---------------------------------------------------------------------


def ledger_reads(settings: Settings) -> list[Read]:
    """Every governed query that succeeded, as a read (the ledger is not verified here)."""
    reads = []
    for entry in audit.ledger(settings).entries():
        if entry.action != "query" or entry.outcome != "ok":
            continue
        detail = entry.detail
        columns: set[str] = set()
        for item in detail.get("columns", ()) or ():  # type: ignore[attr-defined]
            if isinstance(item, dict) and isinstance(item.get("column"), str):
                columns.add(item["column"])
        for output in detail.get("outputs", ()) or ():  # type: ignore[attr-defined]
            if isinstance(output, dict):
                columns.update(str(s) for s in output.get("sources", ()) or ())
        tables = {str(t) for t in detail.get("tables", ()) or ()}  # type: ignore[attr-defined]
        reads.append(
            Read(
                entry.actor,
                entry.role,
                entry.purpose,
                entry.ts,
                frozenset(columns),
                frozenset(tables),
                GOVERNED,
            )
        )
    return reads


def reads_folder(settings: Settings) -> Path:
    return lineage_folder(settings) / READS_FOLDER


def save_logged_reads(settings: Settings, log_id: str, log: str, reads: Sequence[Read]) -> Path:
    """Store the reads of one imported log, replacing what an earlier import of it stored."""
    path = reads_folder(settings) / f"{log_id}.json"
    write_atomic(path, json.dumps({"log": log, "reads": [r.to_json() for r in reads]}, ensure_ascii=False))
    return path


def logged_reads(settings: Settings) -> list[Read]:
    """Reads of every imported query log."""
    reads: list[Read] = []
    for file in sorted(reads_folder(settings).glob("*.json")):
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        reads.extend(Read.from_json(r) for r in data.get("reads", ()) if isinstance(r, dict))
    return reads


def all_reads(settings: Settings) -> list[Read]:
    return ledger_reads(settings) + logged_reads(settings)


# -- matching ------------------------------------------------------------------------------------


def column_key(name: str) -> str | None:
    """`[db.][schema.]table.column` -> the warehouse's `table.column` (`schema.table.column` outside main)."""
    table, _, column = name.rpartition(".")
    key = warehouse_key(table) if table else None
    return None if key is None or not column else f"{key}.{column.lower()}"


def table_key(name: str) -> str | None:
    return warehouse_key(name)


def readers_of(
    reads: Iterable[Read],
    columns: Iterable[str] = (),
    tables: Iterable[str] = (),
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    until_exclusive: bool = False,
) -> list[ReaderSummary]:
    """Who read any of `columns` (graph or warehouse names) or anything of `tables`, in the window.

    The window runs from `since` through `until` (before `until` when `until_exclusive`, as for a
    date-only `--until`); a read whose time is unknown is kept rather than hidden.
    """
    wanted_columns = {k for c in columns if (k := column_key(c)) is not None}
    wanted_tables = {k for t in tables if (k := table_key(t)) is not None}
    found: dict[tuple[str, str, str, str], list[str]] = {}
    for read in reads:
        if not _within(read.time, since, until, until_exclusive):
            continue
        keys = {k for c in read.columns if (k := column_key(c)) is not None}
        # `table.*`: a star over a table whose columns were unknown reads every column of it
        starred = {k.removesuffix(".*") for k in keys if k.endswith(".*")}
        hit = bool(keys & wanted_columns) or any(c.rpartition(".")[0] in starred for c in wanted_columns)
        if not hit and wanted_tables:
            read_tables = {k for t in read.tables if (k := table_key(t)) is not None}
            read_tables |= {k.rpartition(".")[0] for k in keys}
            hit = bool(read_tables & wanted_tables)
        if hit:
            found.setdefault((read.principal, read.role, read.purpose, read.source), []).append(read.time)
    return [
        ReaderSummary(principal, role, purpose, source, min(times), max(times), len(times))
        for (principal, role, purpose, source), times in sorted(found.items())
    ]


def instant(text: str) -> datetime | None:
    """An ISO time as UTC (naive times are UTC); None when unreadable."""
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def _within(text: str, since: datetime | None, until: datetime | None, until_exclusive: bool = False) -> bool:
    if since is None and until is None:
        return True
    moment = instant(text)
    if moment is None:
        return True  # unknown time: kept rather than hidden
    if since is not None and moment < since:
        return False
    return until is None or (moment < until if until_exclusive else moment <= until)
