"""The governed query: the one path every SQL access takes.

identify (session) -> decide (policy x catalog, lineage) -> rewrite (mask in SQL) -> execute
(read-only, sandboxed DuckDB) -> scan the result -> record (ledger). Every call appends exactly
one ledger entry, whether it succeeds, is refused or fails; if that entry cannot be written,
the call fails and shows nothing (fail closed).
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
import threading
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import duckdb

from workbench import audit, session
from workbench.catalog import Catalog
from workbench.detect.scan import mask_values
from workbench.errors import AccessDenied, BadInput, Refused, SqlError, WorkbenchError
from workbench.governed.guard import parse_single_query
from workbench.governed.masks import INNER_PAD, hash_parameters
from workbench.governed.rewrite import column_actions, rewrite
from workbench.kinds import Action, IdentifierKind, strictest
from workbench.ledger.entry import Outcome
from workbench.lineage.sql import QueryLineage, query_lineage
from workbench.policy import Role, load_policy
from workbench.session import Principal
from workbench.settings import Settings
from workbench.warehouse.duck import reader, scrub_engine_error


@dataclass(frozen=True)
class ColumnDecision:
    """How one warehouse column the query reads is presented to the principal."""

    column: str  # table.column
    kinds: tuple[IdentifierKind, ...]
    action: Action


@dataclass(frozen=True)
class GovernedResult:
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    decisions: tuple[ColumnDecision, ...]
    presented: tuple[Action, ...]  # per output column: the strictest action among its PHI sources
    findings: dict[str, int]  # result-scan findings masked, by kind
    principal: Principal
    purpose: str
    seq: int
    unresolved: tuple[str, ...] = field(default=())

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame.from_records(self.rows, columns=list(self.columns))

    def to_json(self) -> dict[str, object]:
        return {"columns": list(self.columns), "rows": [[_jsonable(v) for v in row] for row in self.rows]}


def _jsonable(value: object) -> object:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None  # NaN and infinities are not JSON
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def decide(lineage: QueryLineage, catalog: Catalog, role: Role) -> tuple[ColumnDecision, ...]:
    """Decisions for every PHI column the query reads; AccessDenied if any is denied."""
    decisions = []
    for ref in sorted(lineage.referenced):
        table = catalog.table(ref.table)
        column = table.column(ref.column)
        if column is None or not column.kinds:
            continue
        action = column_actions(table, role)[column.name]
        decisions.append(ColumnDecision(f"{table.name}.{column.name}", column.kinds, action))
        if action == "deny":
            kinds = ", ".join(k.value for k in column.kinds)
            raise AccessDenied(
                f"Column {table.name}.{column.name} holds {kinds}, which role {role.name!r} may not read; "
                "remove it from the query or ask for a role that may.",
                resource=f"{table.name}.{column.name}",
            )
    return tuple(decisions)


def _scan_result(
    columns: Sequence[str], rows: list[tuple[Any, ...]], role: Role
) -> tuple[list[tuple[Any, ...]], Counter[str]]:
    """Mask identifiers the role may not see that turn up inside text cells."""
    hidden = {k for k in IdentifierKind if role.actions.get(k, "deny") != "allow"}
    hidden.discard(IdentifierKind.OTHER_ID)  # record keys are judged by column classification
    found: Counter[str] = Counter()
    if not hidden or not rows:
        return rows, found
    scanned = [list(row) for row in rows]
    for i, name in enumerate(columns):
        positions = [r for r, row in enumerate(rows) if isinstance(row[i], str)]
        if not positions:
            continue
        masked, counts = mask_values([rows[r][i] for r in positions], hidden, context=[name])
        if counts:
            found.update({k.value: n for k, n in counts.items()})
            for r, value in zip(positions, masked, strict=True):
                scanned[r][i] = value
    return [tuple(row) for row in scanned], found


def run_query(sql: str, settings: Settings, purpose: str | None = None) -> GovernedResult:
    """Run `sql` as the logged-in principal, masked by policy, and record it in the ledger.

    Exactly one ledger entry per call: ok, refused, denied or error. An unexpected failure is
    recorded as an error and surfaces as a one-line WorkbenchError (fail closed, no traceback).
    """
    attempt = _Attempt(detail={"sql_hmac": audit.sql_fingerprint(settings, sql)})
    try:
        result = _govern(sql, settings, purpose, attempt)
    except WorkbenchError as error:
        _record_failure(settings, attempt, error)
        raise
    except (Exception, RecursionError) as exc:  # every failure is recorded, none shows a traceback
        internal = WorkbenchError(
            "The query could not be governed (internal error, recorded in the ledger); simplify it and try again."
        )
        attempt.detail["internal"] = type(exc).__name__
        _record_failure(settings, attempt, internal)
        raise internal from None
    entry = audit.record(settings, "query", "ok", attempt.detail, attempt.principal, attempt.purpose)
    return replace(result, seq=entry.seq)


@dataclass
class _Attempt:
    """What is known so far about one governed query, for its ledger entry."""

    detail: dict[str, object]
    principal: Principal | None = None
    purpose: str | None = None
    known: frozenset[str] = frozenset()


def _record_failure(settings: Settings, attempt: _Attempt, error: WorkbenchError) -> None:
    attempt.detail["error"] = type(error).__name__
    attempt.detail["reason"] = scrub_quoted(error.message, attempt.known)
    if isinstance(error, AccessDenied):
        outcome: Outcome = "denied"
    elif isinstance(error, Refused):
        outcome = "refused"
    else:
        outcome = "error"
    audit.record(settings, "query", outcome, attempt.detail, attempt.principal, attempt.purpose)


def _govern(sql: str, settings: Settings, purpose: str | None, attempt: _Attempt) -> GovernedResult:
    detail = attempt.detail
    principal = attempt.principal = session.current(settings)
    policy = load_policy(settings.policy_path)
    role = policy.role(principal.role)
    chosen = policy.purpose_for(role, purpose if purpose is not None else principal.purpose.value).value
    attempt.purpose = chosen
    statement = parse_single_query(sql)
    catalog = Catalog.load(settings.catalog_path)
    known = attempt.known = catalog.names()
    detail["sql_shape"] = audit.sql_shape(statement, known)
    if not catalog.tables:
        raise BadInput("No data is loaded; run `workbench seed` or `workbench load synthea DIR` first.")
    lineage = query_lineage(statement, catalog.schema())
    decisions = decide(lineage, catalog, role)
    detail["columns"] = [
        {"column": d.column, "kinds": [k.value for k in d.kinds], "action": d.action} for d in decisions
    ]
    rewritten = rewrite(statement, catalog, role)
    detail["tables"] = list(rewritten.tables)
    actions = {d.column.lower(): d.action for d in decisions}
    presented = tuple(
        strictest([actions[str(ref)] for ref in lineage.sources_of(name) if str(ref) in actions])
        for name in lineage.outputs
    )
    detail["outputs"] = [
        {
            "position": i,
            "sources": sorted(str(r) for r in lineage.sources_of(name)),
            "presented": presented[i],
        }
        for i, name in enumerate(lineage.outputs)
        if lineage.sources_of(name)
    ]
    if lineage.unresolved:
        detail["unresolved"] = len(lineage.unresolved)
    columns, rows = _execute(rewritten.sql, settings, known)
    rows, findings = _scan_result(columns, rows, role)
    detail["rows"] = len(rows)
    if findings:
        detail["result_scan"] = dict(sorted(findings.items()))
    return GovernedResult(
        columns=columns,
        rows=rows,
        decisions=decisions,
        presented=presented if len(presented) == len(columns) else tuple("allow" for _ in columns),
        findings=dict(findings),
        principal=principal,
        purpose=chosen,
        seq=0,
        unresolved=lineage.unresolved,
    )


def scrub_quoted(message: str, known: Collection[str]) -> str:
    """Hide every quoted span of `message` that is not a warehouse table or column name."""
    lowered = {name.lower() for name in known}

    def hide(match: re.Match[str]) -> str:
        quote, body = match.group(0)[0], match.group(0)[1:-1]
        return match.group(0) if body.lower() in lowered else f"{quote}…{quote}"

    return re.sub(r"'[^']*'|\"[^\"]*\"", hide, message)


def scrub_identifiers(message: str, known: Collection[str]) -> str:
    """Hide quoted names in an engine message unless they are warehouse table or column names:
    a value typed in double quotes is read as an identifier and echoed back by the engine."""
    lowered = {name.lower() for name in known}

    def hide(match: re.Match[str]) -> str:
        return match.group(0) if match.group(1).lower() in lowered else '"…"'

    return re.sub(r'"([^"]*)"', hide, message)


def _execute(
    sql: str, settings: Settings, known: Collection[str]
) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    parameters = hash_parameters(audit.value_key(settings)) if f"${INNER_PAD}" in sql else None
    with reader(settings.warehouse_path, wait_seconds=settings.lock_wait_seconds) as con:
        watchdog = threading.Timer(settings.query_timeout_seconds, con.interrupt)
        watchdog.daemon = True
        watchdog.start()
        try:
            cursor = con.execute(sql, parameters)
            rows = cursor.fetchall()
        except duckdb.InterruptException:
            raise SqlError(
                f"The query ran longer than {settings.query_timeout_seconds:g} s and was stopped; "
                "narrow it, or raise query_timeout_seconds."
            ) from None
        except duckdb.Error as exc:
            raise SqlError(scrub_identifiers(scrub_engine_error(exc), known)) from None
        finally:
            watchdog.cancel()
        columns = tuple(d[0] for d in cursor.description or ())
    return columns, rows
