"""Query logs -> lineage and readers: what was run, by whom and when.

`import_history(settings, FILE, format)` reads a query log and sorts its statements:

- **Statements that write** (CREATE TABLE/VIEW AS, INSERT, SELECT INTO, MERGE, UPDATE, COPY TO,
  CREATE TABLE with columns) are traced by the lineage engine. Each becomes a SQL file under
  `$WORKBENCH_HOME/lineage/history/<log>/` named by its position, user and time, with every literal
  blanked (a log holds values; the stored file never does; file names of `COPY ... TO` are kept),
  and its `Origin` records the user and the time: the edges it adds say who made them and when.
- **Queries** (SELECT, set operations) are reads: the user, the time, the columns and tables read
  (`workbench.lineage.readers`). Writes read their sources, so they are reads as well.
- Everything else (SET, SHOW, BEGIN, DROP, ...) is skipped, and so are statements the log says
  failed.

Formats:

- `duckdb`: DuckDB's query log (`CALL enable_logging('QueryLog')`), exported from `duckdb_logs` as
  CSV or JSON lines, or the folder that file storage writes (`duckdb_log_entries.csv`). Only
  `QueryLog` rows are read. DuckDB logs no user: a `user`/`user_name` column is used when the export
  adds one, else `--user`, else `unknown`.
- `postgres`: the server log with `log_statement = 'all'` (or `log_min_duration_statement`), as
  `stderr` text (a `log_line_prefix` with the time first and `%u@%d` or `user=%u`, as Debian's
  default `%m [%p] %q%u@%d `), `csvlog` or `jsonlog`. A statement whose backend then logs an `ERROR`
  failed and is skipped.

Times are stored in UTC; a time written with a zone name other than UTC/GMT is read as UTC.
A log is read all or nothing: a JSON line that is not an object, or a CSV row without the log's
fields, refuses the whole log with its line number (never its text), and nothing is imported.
Names in the statements that look like PHI (an alias `"123-45-6789"`, a `COPY ... TO` file named
after a person) are replaced by keyed tokens before anything is stored (`workbench.lineage.safe_names`).
Importing the same log again replaces what it contributed. Each import is recorded in the ledger as
`lineage` with counts (no SQL, no values).
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Literal, get_args

from sqlglot import exp
from sqlglot.errors import SqlglotError

from workbench import audit, session
from workbench.catalog import Catalog
from workbench.errors import BadInput, NoSession, UsageError
from workbench.lineage.build import BuildReport, catalog_seeds, check_dialect, lineage_folder
from workbench.lineage.graph import LineageGraph, locked
from workbench.lineage.origins import (
    Origin,
    blank_literals,
    file_tables,
    load_origins,
    safe_name,
    save_origins,
    stale_files,
    trace_in_chunks,
    utc_iso,
    write_files,
)
from workbench.lineage.progress import Progress, silent
from workbench.lineage.readers import Read, save_logged_reads
from workbench.lineage.safe_names import NameGuard
from workbench.lineage.source_paths import load_source_paths
from workbench.lineage.split import FileError, parse_file, quiet_sqlglot
from workbench.lineage.statements import WAREHOUSE_SCHEMA, TableIndex, table_parts, trace_query
from workbench.settings import Settings

LogFormat = Literal["duckdb", "postgres"]
LOG_FORMATS: tuple[LogFormat, ...] = get_args(LogFormat)
HISTORY_FOLDER = "history"
_CHUNK = 50
_WRITES = (exp.Create, exp.Insert, exp.Merge, exp.Update, exp.Copy, exp.Export, exp.Alter)


@dataclass(frozen=True)
class LoggedStatement:
    """One entry of a query log: its SQL (never stored or shown as is), user, time and log line."""

    text: str
    user: str
    time: str  # ISO 8601, UTC ('' when the log has none)
    line: int
    failed: bool = False


# -- reading logs ----------------------------------------------------------------------------------


def read_log(path: Path, fmt: LogFormat, user: str | None = None) -> list[LoggedStatement]:
    """The statements of a query log, in log order."""
    if fmt not in LOG_FORMATS:
        raise UsageError(f"Unknown log format {fmt!r}; use {' or '.join(LOG_FORMATS)}.")
    if path.is_dir():
        path = path / "duckdb_log_entries.csv"
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadInput(f"Cannot read the query log {path.name} ({type(exc).__name__}).") from None
    try:
        text = _decode(data)
        if not text.strip():
            raise BadInput(
                f"The query log {path.name} is empty; check the file and --format (nothing was imported)."
            )
        if fmt == "duckdb":
            return list(_duckdb_log(text, user))
        return list(_postgres_log(text))
    except RecursionError:
        raise BadInput(
            f"The query log {path.name} nests JSON too deeply to read (nothing was imported)."
        ) from None
    except BadLine as bad:
        raise BadInput(
            f"Line {bad.line} of {path.name} {bad.what}; fix or remove that line and import again "
            "(nothing was imported)."
        ) from None


def _decode(data: bytes) -> str:
    """UTF-8 text (a byte-order mark dropped); bytes that are not UTF-8 are a `BadLine`, never replaced."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadLine(data[: exc.start].count(b"\n") + 1, "is not valid UTF-8") from None


class BadLine(Exception):
    """A line of a log that cannot be read: the whole log is refused (never holds the line's text)."""

    def __init__(self, line: int, what: str) -> None:
        super().__init__(f"line {line} {what}")
        self.line = line
        self.what = what


_SQL_KEYS = ("message", "query", "sql", "query_text")
_USER_KEYS = ("user", "user_name", "username", "usename")
_TIME_KEYS = ("timestamp", "time", "ts", "start_time")


def _duckdb_log(text: str, default_user: str | None) -> Iterator[LoggedStatement]:
    stripped = text.lstrip()
    if stripped.startswith("[") or stripped.startswith("{"):
        rows: Iterator[tuple[int, Mapping[str, object]]] = _json_rows(text)
    else:
        rows = _csv_rows(text)
    for line, row in rows:
        lowered = {str(k).lower(): v for k, v in row.items() if k is not None}
        kind = lowered.get("type", "QueryLog")
        if not isinstance(kind, str):
            raise BadLine(line, "has a type that is not text")
        if (kind or "QueryLog") != "QueryLog":
            continue
        # every field read must have its shape: a row without a statement or a time is refused
        sql = next((lowered[k] for k in _SQL_KEYS if k in lowered), None)
        if not isinstance(sql, str) or not sql.strip():
            raise BadLine(line, "has no statement (a `message` that is text)")
        who = next((lowered[k] for k in _USER_KEYS if lowered.get(k) not in (None, "")), None)
        if who is not None and not isinstance(who, str):
            raise BadLine(line, "has a user that is not text")
        when = next((lowered[k] for k in _TIME_KEYS if k in lowered), None)
        moment = _utc(when) if isinstance(when, str) else ""
        if not moment:
            raise BadLine(line, "has no readable time (an ISO 8601 `timestamp`)")
        yield LoggedStatement(sql, who or default_user or "unknown", moment, line)


def _json_rows(text: str) -> Iterator[tuple[int, Mapping[str, object]]]:
    """(line, object) of JSON lines or of a JSON array of objects; a line that is neither is a `BadLine`."""
    if text.lstrip().startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise BadLine(exc.lineno, "is not valid JSON") from None
        for i, item in enumerate(items, 1):
            if not isinstance(item, dict):
                raise BadLine(1, f"holds an entry (number {i}) that is not a JSON object")
            yield i, item
        return
    for i, line in enumerate(text.splitlines(), 1):
        if line.strip():
            try:
                item = json.loads(line)
            except ValueError:
                raise BadLine(i, "is not a JSON object") from None
            if not isinstance(item, dict):
                raise BadLine(i, "is not a JSON object")
            yield i, item


def _csv_rows(text: str) -> Iterator[tuple[int, Mapping[str, object]]]:
    """(line, row) of a CSV export with a header; a row with other fields than the header is a `BadLine`."""
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = {str(f).strip().lower() for f in reader.fieldnames or ()}
        if not header & set(_SQL_KEYS):
            raise BadLine(reader.line_num or 1, "is neither a JSON object nor the CSV header of a query log")
        for row in reader:
            if None in row or None in row.values():
                raise BadLine(reader.line_num, "does not have the columns of the header")
            yield reader.line_num, row
    except csv.Error:
        raise BadLine(reader.line_num, "is not valid CSV") from None


_PG_LINE = re.compile(
    r"^(?P<ts>\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?: ?(?:[A-Z]{1,5}|[+-]\d{2}(?::?\d{2})?))?)"
    r"(?P<prefix>.*?)\b(?P<level>LOG|ERROR|STATEMENT|DETAIL|HINT|CONTEXT|WARNING|NOTICE|FATAL|PANIC|INFO|DEBUG\d?):\s+"
    r"(?P<message>.*)$"
)
_PG_STATEMENT = re.compile(r"^(?:duration: [\d.]+ ms\s+)?(?:statement|execute [^:]*): (?P<sql>.*)$", re.S)
_PG_USER = re.compile(r"user=(?P<a>[^,\s\]]+)|(?P<b>[^\s\[\]@:]+)@[^\s\[\]]+")
_PG_PID = re.compile(r"\[(\d+)\]")
_PG_SEVERITIES = {
    "LOG",
    "ERROR",
    "STATEMENT",
    "DETAIL",
    "HINT",
    "CONTEXT",
    "WARNING",
    "NOTICE",
    "FATAL",
    "PANIC",
}


def _postgres_log(text: str) -> Iterator[LoggedStatement]:
    first = next((line for line in text.splitlines() if line.strip()), "")
    if first.lstrip().startswith("{"):
        yield from _pg_entries(_pg_json(text))
        return
    with contextlib.suppress(csv.Error):
        row = next(csv.reader(io.StringIO(first)), [])
        if len(row) >= 14 and row[11] in _PG_SEVERITIES:
            yield from _pg_entries(_pg_csv(text))
            return
    yield from _pg_entries(_pg_stderr(text))


# (line, time, user, pid, severity, message)
_PgEntry = tuple[int, str, str, str, str, str]


def _pg_stderr(text: str) -> Iterator[_PgEntry]:
    lines = text.splitlines()
    if not any(_PG_LINE.match(line) for line in lines):
        raise BadInput(
            "Not a Postgres log: no line starts with a time and a severity; check --format and "
            "log_line_prefix (nothing was imported)."
        )
    current: list[object] | None = None
    for number, line in enumerate(lines, 1):
        match = _PG_LINE.match(line)
        if match is None:
            # a statement's later lines are tab-indented; anything else is not this log's
            if current is not None and (line.startswith("\t") or not line.strip()):
                current[5] = f"{current[5]}\n{line[1:] if line.startswith(chr(9)) else line}"
                continue
            if not line.strip():
                continue
            raise BadLine(number, "is not a log line (check --format and log_line_prefix)")
        if current is not None:
            yield tuple(current)  # type: ignore[misc]
        prefix = match.group("prefix")
        who = _PG_USER.search(prefix)
        pid = _PG_PID.search(prefix)
        current = [
            number,
            match.group("ts"),
            (who.group("a") or who.group("b")) if who else "unknown",
            pid.group(1) if pid else "",
            match.group("level"),
            match.group("message"),
        ]
    if current is not None:
        yield tuple(current)  # type: ignore[misc]


def _pg_csv(text: str) -> Iterator[_PgEntry]:
    reader = csv.reader(io.StringIO(text))
    try:
        for row in reader:
            if not row:
                continue
            if len(row) < 14:
                raise BadLine(reader.line_num, "does not have the fields of a csvlog entry")
            yield (reader.line_num, row[0], row[1] or "unknown", row[3], row[11], row[13])
    except csv.Error:
        raise BadLine(reader.line_num, "is not valid CSV") from None


def _pg_json(text: str) -> Iterator[_PgEntry]:
    for line, item in _json_rows(text):
        yield (
            line,
            str(item.get("timestamp", "")),
            str(item.get("user") or "unknown"),
            str(item.get("pid", "")),
            str(item.get("error_severity", "")),
            str(item.get("message", "")),
        )


def _pg_entries(entries: Iterator[_PgEntry]) -> Iterator[LoggedStatement]:
    pending: list[tuple[str, LoggedStatement]] = []  # (pid, statement), in log order
    last_of: dict[str, int] = {}
    for line, when, who, pid, severity, message in entries:
        if severity == "LOG":
            match = _PG_STATEMENT.match(message)
            if match:
                moment = _utc(when)
                if not moment:
                    raise BadLine(line, "has a time that cannot be read")
                last_of[pid] = len(pending)
                pending.append((pid, LoggedStatement(match.group("sql"), who, moment, line)))
        elif severity in {"ERROR", "FATAL", "PANIC"} and pid in last_of:
            index = last_of.pop(pid)
            _, statement = pending[index]
            pending[index] = (
                pid,
                LoggedStatement(statement.text, statement.user, statement.time, statement.line, True),
            )
    for _, statement in pending:
        yield statement


def _utc(text: str) -> str:
    """A log's time as ISO 8601 UTC; '' when unreadable."""
    value = text.strip()
    if not value:
        return ""
    zone: timezone | None = None
    named = re.search(r"\s?([A-Z]{1,5})$", value)
    if named:
        value = value[: named.start()].strip()
        zone = UTC  # UTC, GMT or Z; any other name is read as UTC too (documented)
    offset = re.search(r"([+-])(\d{2}):?(\d{2})?$", value)
    if offset and re.search(r"\d{2}:\d{2}:\d{2}", value[: offset.start()]):
        sign = 1 if offset.group(1) == "+" else -1
        zone = timezone(sign * timedelta(hours=int(offset.group(2)), minutes=int(offset.group(3) or 0)))
        value = value[: offset.start()]
    try:
        moment = datetime.fromisoformat(value.replace(" ", "T", 1))
    except ValueError:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone or UTC)
    return utc_iso(moment)


# -- the workspace operation -----------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryReport:
    """What `workbench lineage import-history` did."""

    log: str
    format: LogFormat
    statements: int
    writes: int
    reads: int
    skipped: int
    failed: int
    users: int
    build: BuildReport

    def to_json(self) -> dict[str, object]:
        return {
            **self.build.to_json(),
            "log": self.log,
            "format": self.format,
            "statements": self.statements,
            "writes": self.writes,
            "reads": self.reads,
            "skipped": self.skipped,
            "failed": self.failed,
            "users": self.users,
        }

    def summary(self) -> str:
        lines = [
            f"Query log {self.log} ({self.format}): {self.statements} statements by {self.users} users; "
            f"{self.writes} writes traced, {self.reads} reads recorded, {self.skipped} skipped, "
            f"{self.failed} failed.",
            f"Lineage: {self.build.edges} edges over {self.build.columns} columns, "
            f"{self.build.phi_columns} columns carry PHI.",
        ]
        lines.extend(f"  error {e}" for e in self.build.errors)
        return "\n".join(lines)


def log_id(path: Path, guard: NameGuard | None = None) -> str:
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:8]
    return f"{safe_name((guard or NameGuard()).location(path.name), 60)}-{digest}"


def import_history(
    settings: Settings,
    path: Path,
    fmt: LogFormat,
    *,
    dialect: str | None = None,
    user: str | None = None,
    progress: Progress = silent,
) -> HistoryReport:
    """Import a query log: write edges with their user and time, and reads; recorded in the ledger."""
    principal = None
    with contextlib.suppress(NoSession):
        principal = session.current(settings)
    guard = NameGuard.of(settings)
    detail: dict[str, object] = {"source": "query_log", "format": fmt, "log": guard.location(Path(path).name)}
    try:
        chosen = check_dialect(dialect if dialect is not None else fmt)
        # user names are the workforce's, but one shaped like an identifier is never stored
        statements = [replace(s, user=guard.name(s.user)) for s in read_log(Path(path), fmt, user)]
        report = _import(settings, Path(path), fmt, chosen, statements, progress)
    except Exception as error:
        detail["error"] = type(error).__name__
        audit.record(settings, "lineage", "error", detail, principal)
        raise
    detail.update(
        statements=report.statements,
        writes=report.writes,
        reads=report.reads,
        skipped=report.skipped,
        failed=report.failed,
        users=report.users,
        edges=report.build.edges,
        errors=[{"file": Path(e.file).name, "line": e.line, "col": e.col} for e in report.build.errors],
    )
    audit.record(settings, "lineage", "ok", detail, principal)
    return report


def _import(
    settings: Settings,
    path: Path,
    fmt: LogFormat,
    dialect: str,
    logged: list[LoggedStatement],
    progress: Progress,
) -> HistoryReport:
    folder = lineage_folder(settings)
    guard = NameGuard.of(settings)
    identity = log_id(path, guard)
    log = guard.location(path.name)
    base = folder / HISTORY_FOLDER / identity
    texts: dict[str, str] = {}
    origins_new: dict[str, Origin] = {}
    reads_of: dict[str, LoggedStatement] = {}  # write file -> its statement (its sources are reads)
    queries: list[tuple[LoggedStatement, exp.Expr]] = []
    errors: list[FileError] = []
    skipped = failed = 0
    with quiet_sqlglot(), progress(len(logged), f"reading {log}") as advance:
        for entry in logged:
            advance(1)
            if entry.failed:
                failed += 1
                continue
            parsed, parse_errors = parse_file(entry.text, dialect)
            errors.extend(FileError(log, entry.line + e.line - 1, e.col, e.message) for e in parse_errors)
            if not parsed and not parse_errors:
                skipped += 1  # nothing lineage follows (`CALL disable_logging()`, `SET ...`)
            for statement in parsed:
                node = guard.statement(file_tables(statement.expression, guard))  # PHI-like names: tokens
                writes = isinstance(node, _WRITES) or (
                    isinstance(node, exp.Select) and isinstance(node.args.get("into"), exp.Into)
                )
                if isinstance(node, exp.Query) and not writes:
                    queries.append((entry, node))
                    continue
                if not writes:
                    skipped += 1
                    continue
                try:
                    sql = blank_literals(node).sql(dialect=dialect, comments=False)
                except (SqlglotError, ValueError, RecursionError):
                    errors.append(FileError(log, entry.line, 1, "could not store the statement; skipped"))
                    continue
                n = len(texts) + 1
                stamp = entry.time.replace("-", "").replace(":", "").split(".")[0].split("+")[0]
                file = str(
                    base / f"{n:06d}_{safe_name(entry.user, 40)}_{stamp + 'Z' if stamp else 'notime'}.sql"
                )
                texts[file] = f"-- query log {log} line {entry.line}\n{sql};\n"
                origins_new[file] = Origin(
                    "query_log",
                    f"line {entry.line}",
                    source=log,
                    user=entry.user,
                    time=entry.time or None,
                )
                reads_of[file] = entry
    with locked(folder):
        graph = LineageGraph.load(folder)
        origins = load_origins(folder)
        write_files(texts)
        removed = stale_files(graph, base, texts)
        for stale in removed:
            Path(stale).unlink(missing_ok=True)
        files = list(texts)
        results = trace_in_chunks(
            graph,
            [files[i : i + _CHUNK] for i in range(0, len(files), _CHUNK)],
            texts,
            dialect,
            removed=removed,
            progress=progress,
            description=f"tracing {log}",
            guard=guard,
            sources=load_source_paths(folder, guard.location),
        )
        origins.update(origins_new)
        graph.save(folder)
        save_origins(folder, origins, graph)
        warehouse = _catalog_schema(Catalog.load(settings.catalog_path))
        reads = _reads(graph, reads_of, queries, dialect, log, warehouse)
        save_logged_reads(settings, identity, log, reads)
        tags = graph.propagate(catalog_seeds(graph, Catalog.load(settings.catalog_path)))
        build = BuildReport(
            files=len(texts),
            traced=tuple(dict.fromkeys(p for r in results for p in r.traced)),
            removed=tuple(removed),
            statements=len(texts),
            edges=graph.edge_count(),
            columns=graph.graph.number_of_nodes(),
            phi_columns=sum(1 for t in tags.values() if t.direct),
            errors=tuple(errors) + tuple(graph.errors(texts)),
            seconds=sum(r.seconds for r in results),
            tags=tags,
        )
    return HistoryReport(
        log=log,
        format=fmt,
        statements=len(logged),
        writes=len(texts),
        reads=len(reads),
        skipped=skipped,
        failed=failed,
        users=len({e.user for e in logged}),
        build=build,
    )


def _catalog_schema(catalog: Catalog) -> dict[str, tuple[str, ...]]:
    """The classified warehouse tables as `schema.table` -> columns (`main.` for a bare name)."""
    return {
        (name if "." in name else f"{WAREHOUSE_SCHEMA}.{name}"): tuple(c.name.lower() for c in table.columns)
        for name, table in catalog.tables.items()
        if table.columns
    }


def _reads(
    graph: LineageGraph,
    writes: Mapping[str, LoggedStatement],
    queries: list[tuple[LoggedStatement, exp.Expr]],
    dialect: str,
    log: str,
    warehouse: Mapping[str, tuple[str, ...]] | None = None,
) -> list[Read]:
    """Reads of the log's queries and of its writes (their sources).

    Queries are traced against every schema the workspace knows: the graph's tables (SQL files, dbt
    catalogs, `--schema-from-warehouse`) and the classified warehouse tables (`warehouse`), so a
    `SELECT *` reads named columns. A star over a table whose columns are still unknown is recorded
    as the read `table.*`, which impact counts as a read of every column of that table.
    """
    source = f"query log {log}"
    reads: list[Read] = []
    for file, entry in writes.items():
        record = graph.files.get(file)
        if record is None:
            continue
        sources = {str(e.source) for e, _ in record.edges if e.source.resolved or e.source.column == "*"}
        reads.append(
            Read(entry.user, "", "", entry.time, frozenset(sources), frozenset(record.reads), source)
        )
    index = TableIndex()
    tables_known = graph.tables()
    for table, known in tables_known.items():
        index.add(table, known)
    for table, known in (warehouse or {}).items():
        if tables_known.get(table) is None:
            index.add(table, known)
    with quiet_sqlglot():
        for entry, query in queries:
            tables = {index.resolve(table_parts(t)) for t in query.find_all(exp.Table) if t.name}
            columns: set[str] = set()
            try:
                traced = trace_query(query, index, dialect)
                tables = set(traced.reads)
                columns = {str(e.source) for e in traced.edges if e.source.resolved or e.source.column == "*"}
            except (SqlglotError, RecursionError, ValueError, KeyError, AttributeError, TypeError):
                pass
            reads.append(Read(entry.user, "", "", entry.time, frozenset(columns), frozenset(tables), source))
    return reads
