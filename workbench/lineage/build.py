"""Build the column graph from SQL files: parse, order, trace, merge into the stored graph.

`trace_files` is the engine, pure and in memory: every statement of the given files is parsed
(a statement that fails is an error of its file, the rest goes on), statements are ordered so
that the statements that define a table come before those that read it (each target's columns
feed later files; statements in a cycle keep their file order), and each is traced against the
tables known at that point: the warehouse schema, the tables other files define, and the tables
defined so far.

`update` makes it incremental. A file is re-traced when its text, the dialect or the warehouse
schema changed; when that changes the columns of a table it defines, the files that read that
table are re-traced as well (bounded: each file at most once per round, rounds at most the number
of files). `build` is the workspace operation: read the files, update the stored graph, save it,
record a `lineage` ledger entry (file names, counts, error positions; no SQL text). A rebuild (no
paths) re-reads every stored SQL file in the dialect it was built in and keeps records without SQL
(OpenLineage jobs) as they are.

Every parsed statement passes a `NameGuard` first: an identifier or an external file name that
looks like PHI becomes a keyed token, so no record holds one. Parsing and tracing report to a
`Progress` (a bar on the terminal for `workbench lineage build`).
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import json
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import networkx as nx
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import SqlglotError

from workbench import audit, session
from workbench.catalog import Catalog
from workbench.errors import BadInput, NoSession, UsageError
from workbench.kinds import IdentifierKind
from workbench.lineage.graph import (
    FileRecord,
    LineageGraph,
    NodeTags,
    Write,
    collection_deferred,
    locked,
    warehouse_key,
)
from workbench.lineage.progress import Progress, silent
from workbench.lineage.safe_names import NameGuard
from workbench.lineage.source_paths import SOURCE_PATHS_FILE, load_source_paths, real_path, save_source_paths
from workbench.lineage.split import FileError, Statement, parse_file_detail, quiet_sqlglot, scrub
from workbench.lineage.sql import ColumnRef, ident
from workbench.lineage.statements import (
    WAREHOUSE_SCHEMA,
    ColumnEdge,
    Footprint,
    StatementLineage,
    TableIndex,
    UnclassifiedStatement,
    footprint,
    is_bare_query,
    trace_statement,
)
from workbench.settings import Settings

DEFAULT_DIALECT = "duckdb"
# the `dialect` of records that hold edges without SQL (OpenLineage jobs): never re-traced
EVENTS_DIALECT = "openlineage"
SQL_SUFFIXES = (".sql",)
MAX_FILE_BYTES = 64 * 1024 * 1024
# Seconds one file may spend being parsed, and again being traced, before the rest is skipped.
FILE_BUDGET_SECONDS = 120.0
# The budget is checked between statements, so one statement must not run far past it. sqlglot's
# scope analysis walks from every column up to its enclosing query, so tracing costs about the sum
# of the columns' depths in the tree (a chain `a || a || ...` of n terms costs n^2/2: 4,000 terms
# take about 25 s here). A statement costing more is an error of its file, never traced.
MAX_TRACE_COST = 10_000_000
_TOO_COSTLY = "statement nested too deeply to trace within the time budget; skipped"


def trace_cost(statement: exp.Expr) -> int:
    """Sum over the statement's columns of their depth in the tree (iterative: any depth is fine)."""
    cost = 0
    stack: list[tuple[exp.Expr, int]] = [(statement, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, exp.Column):
            cost += depth
            if cost > MAX_TRACE_COST:
                return cost
        for child in node.iter_expressions():
            stack.append((child, depth + 1))
    return cost


def lineage_folder(settings: Settings) -> Path:
    return settings.home / "lineage"


def check_dialect(dialect: str) -> str:
    if not dialect.strip():
        raise UsageError("An empty SQL dialect; use duckdb, postgres, bigquery, snowflake, tsql, ...")
    try:
        Dialect.get_or_raise(dialect)
    except (ValueError, SqlglotError):
        raise UsageError(
            f"Unknown SQL dialect {dialect!r}; use duckdb, postgres, bigquery, snowflake, tsql, ..."
        ) from None
    return dialect.lower()


# -- the engine ---------------------------------------------------------------------------------


@dataclass
class _Parsed:
    path: str
    sha256: str
    statements: list[Statement]
    footprints: list[Footprint]
    errors: list[FileError]
    model: str | None = None  # a file holding one bare query defines the table named after it
    fallbacks: tuple[Fallback, ...] = ()
    search: tuple[str | None, str] = (None, WAREHOUSE_SCHEMA)  # default catalog and schema of names


# A derived file (a dbt model) names the default catalog and schema of its bare table names in a
# first-lines comment: `-- workbench: search clinic.main`. Other files resolve in the warehouse's `main`.
SEARCH_DIRECTIVE = "-- workbench: search "


# A derived file for a node whose SQL cannot be traced (a dbt Python model) states its table-level
# lineage in a comment, so that every re-trace (a rebuild, a changed warehouse schema) keeps it:
# `-- workbench: fallback {"table": ..., "upstream": [...], "columns": [...] | null}`.
FALLBACK_DIRECTIVE = "-- workbench: fallback "


@dataclass(frozen=True)
class Fallback:
    """Table-level lineage for a node whose SQL cannot be traced: `up.* -> table.*` per upstream."""

    table: str
    upstream: tuple[str, ...]
    columns: tuple[str, ...] | None

    def directive(self) -> str:
        data = {"table": self.table, "upstream": list(self.upstream), "columns": self.columns}
        return FALLBACK_DIRECTIVE + json.dumps(data, ensure_ascii=False)

    def apply(self, record: FileRecord) -> FileRecord:
        """The record with the table-level edges added, unless the table was traced after all."""
        if any(w.table == self.table for w in record.writes):
            return record
        edges = tuple(
            (ColumnEdge(ColumnRef(up, "*"), ColumnRef(self.table, "*"), "DIRECT", "TRANSFORMATION", "inferred"), 1)
            for up in sorted(set(self.upstream))
        )  # fmt: skip
        return replace(
            record,
            defines={**record.defines, self.table: self.columns},
            reads=tuple(dict.fromkeys((*record.reads, *self.upstream))),
            writes=(*record.writes, Write(self.table, "create_table", 1)),
            edges=tuple(sorted({*record.edges, *edges}, key=lambda item: item[0].key)),
        )


def fallbacks_in(text: str) -> list[Fallback]:
    """The fallback directives of a file (none for the user's own SQL unless it writes one)."""
    found = []
    for line in text.splitlines()[:5]:
        if line.startswith(FALLBACK_DIRECTIVE):
            with contextlib.suppress(ValueError, TypeError, KeyError, AttributeError):
                data = json.loads(line[len(FALLBACK_DIRECTIVE) :])
                columns = data.get("columns")
                found.append(
                    Fallback(
                        str(data["table"]),
                        tuple(str(u) for u in data.get("upstream") or ()),
                        tuple(str(c) for c in columns) if isinstance(columns, list) else None,
                    )
                )
    return found


def search_path(text: str) -> tuple[str | None, str]:
    """The default (catalog, schema) a file's bare table names resolve in."""
    for line in text.splitlines()[:3]:
        if line.startswith(SEARCH_DIRECTIVE):
            parts = line[len(SEARCH_DIRECTIVE) :].strip().split(".")
            if len(parts) == 2 and all(parts):
                return parts[0], parts[1]
            if len(parts) == 1 and parts[0]:
                return None, parts[0]
    return None, WAREHOUSE_SCHEMA


def _parse(path: str, text: str, dialect: str, budget: float | None, guard: NameGuard) -> _Parsed:
    deadline = time.monotonic() + budget if budget is not None else None
    parsed = parse_file_detail(text, dialect, deadline)
    statements, errors = parsed.statements, list(parsed.errors)
    footprints: dict[int, Footprint] = {}  # repeated statements share one parsed tree
    for statement in statements:
        if id(statement.expression) not in footprints:
            footprints[id(statement.expression)] = footprint(guard.statement(statement.expression))
    model = None
    if len(statements) == 1 and not errors and is_bare_query(statements[0].expression):
        if parsed.dropped and dialect == "tsql":
            # a batch with other statements (a procedure, PRINT, SET, ...): its SELECT returns rows
            # to a caller, it does not define a table named after the file
            first = statements[0]
            errors.append(
                FileError(
                    "", first.line, 1, "query in a batch with other statements writes no table; not traced"
                )
            )
        else:
            model = guard.name(_model_name(path))
    if model is not None:
        fp = footprints[id(statements[0].expression)]
        footprints[id(statements[0].expression)] = Footprint(model, True, fp.reads)
    return _Parsed(
        path=path,
        sha256=sha256(text),
        statements=statements,
        footprints=[footprints[id(s.expression)] for s in statements],
        errors=[FileError(path, e.line, e.col, e.message) for e in errors],
        model=model,
        search=search_path(text),
        fallbacks=tuple(fallbacks_in(text)),
    )


UNSUPPORTED_ENCODING = "unsupported encoding (use UTF-8, or UTF-16 with a byte-order mark); skipped"


def decode_sql(data: bytes) -> str | None:
    """The text of a SQL file: by its byte-order mark (UTF-8 or UTF-16), else UTF-8; None if neither."""
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data.decode("utf-8-sig")
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            if data.startswith(codecs.BOM_UTF32_LE):
                return None  # UTF-32 starts with the UTF-16 little-endian mark
            return data.decode("utf-16")
        if b"\x00" in data:  # UTF-16 or UTF-32 without a mark, or a binary file
            return None
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def read_sql(path: Path) -> str | None:
    """`decode_sql` of the file at `path` (OSError propagates)."""
    return decode_sql(path.read_bytes())


def _model_name(path: str) -> str:
    return Path(path).stem.lower()


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def schema_digest(schema: Mapping[str, Iterable[str]]) -> str:
    canonical = json.dumps({t: list(c) for t, c in sorted(schema.items())}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _order(parsed: Sequence[_Parsed], index: TableIndex) -> list[tuple[int, int]]:
    """(file, statement) positions, definers of a table before its readers; cycles in file order."""
    positions = [(f, s) for f, p in enumerate(parsed) for s in range(len(p.statements))]
    definers: dict[str, list[int]] = {}
    for i, (f, s) in enumerate(positions):
        index.search = parsed[f].search
        fp = parsed[f].footprints[s]
        if fp.target is not None and fp.defines:
            definers.setdefault(index.resolve(fp.target), []).append(i)
    if not definers:
        return positions
    graph = nx.DiGraph()
    graph.add_nodes_from(range(len(positions)))
    for i, (f, s) in enumerate(positions):
        index.search = parsed[f].search
        fp = parsed[f].footprints[s]
        if fp.target is not None and fp.defines:
            graph.add_edge(i, ("table", index.resolve(fp.target)))
        for table in fp.reads:
            resolved = index.resolve(table)
            if resolved in definers:
                graph.add_edge(("table", resolved), i)
    condensed = nx.condensation(graph)
    members = condensed.graph["mapping"]
    first: dict[int, int] = {}
    for node, component in members.items():
        if isinstance(node, int):
            first[component] = min(first.get(component, node), node)
    order: list[int] = []
    for component in nx.lexicographical_topological_sort(condensed, key=lambda c: first.get(c, -1)):
        order.extend(sorted(n for n in condensed.nodes[component]["members"] if isinstance(n, int)))
    return [positions[i] for i in order]


def trace_files(
    files: Sequence[tuple[str, str]],
    dialect: str = DEFAULT_DIALECT,
    known: Mapping[str, tuple[str, ...] | None] | None = None,
    digest: str = "",
    budget: float | None = FILE_BUDGET_SECONDS,
    *,
    guard: NameGuard | None = None,
    progress: Progress = silent,
) -> list[FileRecord]:
    """Trace `files` ((path, text) pairs) against the `known` tables; one record per file.

    `budget` bounds the seconds each file may spend in parsing and again in tracing; what is
    left when it is spent is skipped and reported as an error of that file. `guard` replaces names
    that look like PHI (keyless placeholders when none is given); `progress` is told of each file
    parsed and each statement traced.
    """
    guard = guard or NameGuard()
    with quiet_sqlglot():
        parsed = []
        with progress(len(files), "parsing SQL") as advance:
            for path, text in files:
                parsed.append(_parse(path, text, dialect, budget, guard))
                advance(1)
        index = TableIndex()
        for table, columns in (known or {}).items():
            index.add(table, columns)
        for p in parsed:
            for fallback in p.fallbacks:
                index.add(fallback.table, fallback.columns)
            if p.model is not None:
                index.add_model(p.model)
            for fp, statement in zip(p.footprints, p.statements, strict=True):
                if fp.target is not None and fp.defines:
                    index.add(fp.target, _listed_columns(statement))
        results: dict[tuple[int, int], StatementLineage | None] = {}
        errors: dict[int, list[FileError]] = {f: list(p.errors) for f, p in enumerate(parsed)}
        spent: dict[int, float] = {}
        traced_before: dict[tuple[object, ...], StatementLineage | None] = {}
        order = _order(parsed, index)
        with progress(len(order), "tracing SQL") as advance:
            for f, s in order:
                advance(1)
                statement = parsed[f].statements[s]
                if budget is not None and spent.get(f, 0.0) > budget:
                    if spent[f] != float("inf"):
                        errors[f].append(
                            FileError(
                                parsed[f].path, statement.line, 1, "time budget for tracing spent; skipped"
                            )
                        )
                        spent[f] = float("inf")
                    continue
                started = time.monotonic()
                index.search = parsed[f].search
                # a repeated statement over tables whose columns did not change traces the same
                fp = parsed[f].footprints[s]
                key = (
                    id(statement.expression),
                    index.search,
                    *((t, index.columns(index.resolve(t))) for t in fp.reads),
                )
                try:
                    if key in traced_before:
                        result = traced_before[key]
                    elif trace_cost(statement.expression) > MAX_TRACE_COST:
                        errors[f].append(FileError(parsed[f].path, statement.line, 1, _TOO_COSTLY))
                        result = traced_before[key] = None
                    else:
                        model = parsed[f].model
                        result = traced_before[key] = trace_statement(
                            statement.expression, index, dialect, model
                        )
                except UnclassifiedStatement as exc:
                    errors[f].append(FileError(parsed[f].path, statement.line, 1, str(exc)))
                    result = None
                except (SqlglotError, RecursionError, ValueError, KeyError, AttributeError, TypeError) as exc:
                    message = scrub(exc) if isinstance(exc, SqlglotError) else type(exc).__name__
                    errors[f].append(
                        FileError(parsed[f].path, statement.line, 1, f"could not trace: {message}")
                    )
                    result = None
                spent[f] = spent.get(f, 0.0) + time.monotonic() - started
                results[(f, s)] = result
                if result is not None and (result.columns is not None or result.kind in {"model","create_table",
                                                                                        "create_view",
                                                                                        "select_into"}):  # fmt: skip
                    index.define(result.target, result.columns)
    records = []
    for f, p in enumerate(parsed):
        edges: dict[ColumnEdge, int] = {}
        defines: dict[str, tuple[str, ...] | None] = {}
        reads: dict[str, None] = {}
        writes: list[Write] = []
        for s, statement in enumerate(p.statements):
            result = results.get((f, s))
            if result is None:
                continue
            for edge in result.edges:
                edges.setdefault(edge, statement.line)
            reads.update(dict.fromkeys(result.reads))
            if result.columns is not None or result.kind in {
                "create_table",
                "create_view",
                "select_into",
                "model",
            }:
                defines[result.target] = result.columns
            if result.kind not in {"ddl", "alter"}:
                writes.append(Write(result.target, result.kind, statement.line, result.external))
        record = FileRecord(
            path=p.path,
            sha256=p.sha256,
            dialect=dialect,
            schema_digest=digest,
            statements=len(p.statements),
            errors=tuple(sorted(errors[f], key=lambda e: (e.line, e.col))),
            defines=defines,
            reads=tuple(reads),
            writes=tuple(writes),
            edges=tuple(sorted(edges.items(), key=lambda item: item[0].key)),
        )
        for fallback in p.fallbacks:
            record = fallback.apply(record)
        records.append(guard.record(record))
    return records


def _listed_columns(statement: Statement) -> tuple[str, ...] | None:
    """Columns a CREATE TABLE lists explicitly (known before any tracing)."""
    node = statement.expression
    if isinstance(node, exp.Create) and isinstance(node.this, exp.Schema) and node.expression is None:
        names = [ident(e.this) for e in node.this.expressions if isinstance(e, exp.ColumnDef)]
        return tuple(names) if names else None
    return None


@dataclass(frozen=True)
class UpdateResult:
    traced: tuple[str, ...]  # files (re)traced, in order
    removed: tuple[str, ...]
    seconds: float


def update(
    graph: LineageGraph,
    files: Mapping[str, str],
    dialect: str = DEFAULT_DIALECT,
    *,
    removed: Iterable[str] = (),
    read_text: Mapping[str, str] | None = None,
    dialects: Mapping[str, str] | None = None,
    guard: NameGuard | None = None,
    progress: Progress = silent,
    sources: Mapping[str, str] | None = None,
) -> UpdateResult:
    """Re-trace the changed `files` (path -> text) and the files their changes reach; patch `graph`.

    A file is traced in its `dialects` entry when given, else in `dialect`; a file re-traced only
    because a table it reads changed keeps the dialect of its stored record, and is read from its
    real path (`sources`: guarded path -> real path, `workbench.lineage.source_paths`).
    """
    started = time.perf_counter()
    guard = guard or NameGuard()
    digest = schema_digest(graph.external_schema)
    gone = [p for p in removed if p in graph.files]
    for path in gone:
        graph.remove(path)
    chosen = dialects or {}
    pending = {
        path: (text, chosen.get(path, dialect))
        for path, text in files.items()
        if (record := graph.files.get(path)) is None
        or record.sha256 != sha256(text)
        or record.dialect != chosen.get(path, dialect)
        or record.schema_digest != digest
    }
    traced: list[str] = []
    rounds = 0
    limit = len(graph.files) + len(pending) + 1
    while pending and rounds < limit:
        rounds += 1
        before = {p: dict(graph.files[p].defines) if p in graph.files else {} for p in pending}
        waiting = set(pending)
        group_of: dict[str, int] = {}  # file traced this round -> its group (one group per dialect)
        changed_by: dict[str, int] = {}  # table whose columns changed -> the last group that changed it
        for number, group_dialect in enumerate(sorted({d for _, d in pending.values()})):
            group = sorted((p, t) for p, (t, d) in pending.items() if d == group_dialect)
            known: dict[str, tuple[str, ...] | None] = dict(graph.external_schema)
            for path, record in graph.files.items():
                if path not in waiting:
                    for table, columns in record.defines.items():
                        if columns is not None or table not in known:
                            known[table] = columns
            records = trace_files(group, group_dialect, known, digest, guard=guard, progress=progress)
            with collection_deferred():
                for record in records:
                    old = before[record.path]
                    for table in set(old) | set(record.defines):
                        if old.get(table, ()) != record.defines.get(table, ()):
                            # a reader may name it by a shorter name that now resolves to it
                            parts = table.split(".")
                            for i in range(len(parts)):
                                changed_by[".".join(parts[i:])] = number
                    graph.replace(record)
                    traced.append(record.path)
                    group_of[record.path] = number
            waiting -= {p for p, _ in group}
        pending = {}
        for path, record in graph.files.items():
            if record.dialect == EVENTS_DIALECT:
                continue
            # a reader of a changed table, unless it was traced with (or after) the change
            mine = group_of.get(path)
            if any(t in changed_by and (mine is None or changed_by[t] > mine) for t in record.reads):
                text = (read_text or {}).get(path)
                if text is None:
                    with contextlib.suppress(OSError):
                        text = read_sql(real_path(path, sources or {}))
                if text is not None:
                    pending[path] = (text, record.dialect)
    return UpdateResult(tuple(traced), tuple(gone), time.perf_counter() - started)


# -- the workspace operation -------------------------------------------------------------------


@dataclass(frozen=True)
class BuildReport:
    """What `workbench lineage build` did."""

    files: int
    traced: tuple[str, ...]
    removed: tuple[str, ...]
    statements: int
    edges: int
    columns: int
    phi_columns: int
    errors: tuple[FileError, ...]
    seconds: float
    tags: Mapping[str, NodeTags] = field(default_factory=dict)
    kept: tuple[str, ...] = ()  # stored files kept without their real path (the path map lacks it)

    def to_json(self) -> dict[str, object]:
        return {
            "files": self.files,
            "traced": list(self.traced),
            "removed": list(self.removed),
            "kept_without_source_path": list(self.kept),
            "statements": self.statements,
            "edges": self.edges,
            "columns": self.columns,
            "phi_columns": self.phi_columns,
            "errors": [
                {"file": e.file, "line": e.line, "col": e.col, "message": e.message} for e in self.errors
            ],
            "seconds": round(self.seconds, 3),
        }


def discover(paths: Sequence[Path]) -> tuple[list[Path], list[Path]]:
    """SQL files under `paths` (folders recursively, sorted) and the folders searched."""
    found: dict[Path, None] = {}
    folders: list[Path] = []
    for number, raw in enumerate(paths, 1):
        path = raw.expanduser()
        if path.is_dir():
            folders.append(path.resolve())
            for file in sorted(path.rglob("*")):
                if file.is_file() and file.suffix.lower() in SQL_SUFFIXES and not _hidden(file, path):
                    found[file.resolve()] = None
        elif path.is_file():
            found[path.resolve()] = None
        else:
            # the path is not repeated: a folder or file name can hold PHI
            raise BadInput(
                f"No such file or folder (path {number} of {len(paths)}); "
                "pass SQL files or folders holding them."
            )
    return list(found), folders


def _hidden(file: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in file.relative_to(root).parts)


def warehouse_schema(settings: Settings) -> dict[str, tuple[str, ...]]:
    """`schema.table` -> columns from the warehouse's information_schema (read-only)."""
    from workbench.warehouse.duck import reader

    schema: dict[str, list[str]] = {}
    with reader(settings.warehouse_path, wait_seconds=settings.lock_wait_seconds) as con:
        rows = con.execute(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns "
            "WHERE table_catalog = current_database() ORDER BY table_schema, table_name, ordinal_position"
        ).fetchall()
    for table_schema, table, column in rows:
        schema.setdefault(f"{_part(table_schema)}.{_part(table)}", []).append(_part(column))
    return {t: tuple(c) for t, c in schema.items()}


def _part(name: str) -> str:
    # DuckDB matches names case-insensitively; lineage names are lower case unless quoted.
    return str(name).lower()


def catalog_seeds(
    graph: LineageGraph, catalog: Catalog, among: Iterable[str] | None = None
) -> dict[str, set[IdentifierKind]]:
    """Graph nodes (all, or those `among`) of classified warehouse columns -> their kinds.

    `patients.ssn`, `main.patients.ssn` and `db.main.patients.ssn` all take `patients.SSN`'s kinds.
    """
    by_table: dict[str, dict[str, set[IdentifierKind]]] = {}
    for name, table in catalog.tables.items():
        kinds = {c.name.lower(): set(c.kinds) for c in table.columns if c.kinds}
        if kinds:
            by_table[name.lower()] = kinds
    seeds: dict[str, set[IdentifierKind]] = {}
    nodes = graph.graph.nodes
    chosen = nodes(data=True) if among is None else ((n, nodes[n]) for n in among if n in nodes)
    for node, data in chosen:
        key = warehouse_key(data["table"])
        if key is None or key not in by_table:
            continue
        column = data["column"].lower()
        if column == "*":
            seeds[node] = set().union(*by_table[key].values())
        elif column in by_table[key]:
            seeds[node] = by_table[key][column]
    return seeds


def build(
    settings: Settings,
    paths: Sequence[Path],
    dialect: str | None = None,
    schema_from_warehouse: bool = False,
    *,
    progress: Progress = silent,
) -> BuildReport:
    """Build the given SQL files and folders into the workspace graph (all stored files if none).

    Given files are traced in `dialect` (duckdb by default). A rebuild (no paths) re-reads every
    stored SQL file, and each keeps the dialect it was built in: the user's files take `dialect`
    only when one is given, files written for dbt models and logged statements never do, and
    records without SQL (OpenLineage jobs) are kept as they are.
    """
    from workbench.lineage.origins import load_origins

    explicit = check_dialect(dialect) if dialect is not None else None
    dialect = explicit or DEFAULT_DIALECT
    principal = None
    with contextlib.suppress(NoSession):
        principal = session.current(settings)
    shown = explicit or (DEFAULT_DIALECT if paths else "as built")
    guard = NameGuard.of(settings)
    # a SQL file is known by its guarded path everywhere; its real path only in source_paths.json
    detail: dict[str, object] = {"dialect": shown, "paths": [guard.location(str(p)) for p in paths]}
    try:
        folder = lineage_folder(settings)
        with locked(folder):
            graph = LineageGraph.load(folder)
            sources = load_source_paths(folder, guard.location)
            if schema_from_warehouse:
                graph.external_schema = warehouse_schema(settings)
            dialects: dict[str, str] = {}
            found: dict[str, Path] = {}  # guarded path -> the file
            unmapped: list[str] = []  # stored files whose real path the map lacks
            if paths:
                files, folders = discover(paths)
                found = {guard.location(str(f)): f for f in files}
                removed = [
                    p
                    for p in graph.files
                    if p not in found and any(_under(real_path(p, sources), f) for f in folders)
                ]
            elif graph.files:
                stored = {p: r for p, r in graph.files.items() if r.dialect != EVENTS_DIALECT}
                derived = load_origins(folder)
                # the user's files are re-keyed by their guarded path (a record stored before paths
                # were guarded moves to its guarded key); files the workspace wrote keep theirs
                keyed = {p: p if p in derived else guard.location(str(real_path(p, sources))) for p in stored}
                # a guarded key the map has no real path for: the file may well exist, the map lost
                # it (deleted, damaged, or an entry dropped as not the workspace's); keep its records
                unmapped = [p for p in stored if p not in derived and p not in sources and _GUARDED.search(p)]
                found = {
                    keyed[p]: real_path(p, sources)
                    for p in stored
                    if p not in unmapped and real_path(p, sources).exists()
                }
                removed = [
                    p for p in stored if p not in unmapped and (keyed[p] not in found or keyed[p] != p)
                ]
                dialects = {
                    keyed[p]: explicit if explicit is not None and p not in derived else r.dialect
                    for p, r in stored.items()
                }
            else:
                raise UsageError(
                    "Nothing to build; pass SQL files or folders: `workbench lineage build PATH...`."
                )
            sources.update({key: str(file) for key, file in found.items()})
            texts: dict[str, str] = {}
            read_errors: list[FileError] = []
            for key, file in found.items():
                try:
                    if file.stat().st_size > MAX_FILE_BYTES:
                        read_errors.append(FileError(key, 0, 0, "file larger than 64 MB; skipped"))
                        continue
                    text = read_sql(file)
                    if text is None:
                        read_errors.append(FileError(key, 0, 0, UNSUPPORTED_ENCODING))
                        continue
                    texts[key] = text
                except OSError as exc:
                    read_errors.append(FileError(key, 0, 0, f"could not read ({type(exc).__name__})"))
            result = update(
                graph,
                texts,
                dialect,
                removed=removed,
                dialects=dialects,
                guard=guard,
                progress=progress,
                sources=sources,
            )
            graph.save(folder)
            save_source_paths(folder, sources, graph.files)
            tags = graph.propagate(catalog_seeds(graph, Catalog.load(settings.catalog_path)))
            errors = tuple(read_errors) + tuple(graph.errors(texts))
            if unmapped:
                errors += (FileError(f"lineage/{SOURCE_PATHS_FILE}", 0, 0, _unmapped_message(len(unmapped))),)
            report = BuildReport(
                files=len(texts),
                traced=result.traced,
                removed=result.removed,
                statements=sum(graph.files[p].statements for p in texts if p in graph.files),
                edges=graph.edge_count(),
                columns=graph.graph.number_of_nodes(),
                phi_columns=sum(1 for t in tags.values() if t.direct),
                errors=errors,
                seconds=result.seconds,
                tags=tags,
                kept=tuple(unmapped),
            )
    except Exception as error:
        detail["error"] = type(error).__name__
        audit.record(settings, "lineage", "error", detail, principal)
        raise
    detail.update(
        files=[Path(p).name for p in texts],
        traced=len(report.traced),
        removed=len(report.removed),
        statements=report.statements,
        edges=report.edges,
        columns=report.columns,
        phi_columns=report.phi_columns,
        errors=[{"file": Path(e.file).name, "line": e.line, "col": e.col} for e in report.errors],
    )
    audit.record(settings, "lineage", "ok", detail, principal)
    return report


_GUARDED = re.compile(r"h_[0-9a-f]{16}")


def _unmapped_message(count: int) -> str:
    files = "file" if count == 1 else "files"
    return (
        f"{count} {files} kept without their source path (the path map is missing an entry); "
        "build them by path to refresh"
    )


def _under(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True
