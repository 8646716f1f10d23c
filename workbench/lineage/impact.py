"""Breach impact: for an exposed table or column, everything a HIPAA 164.402 assessment needs.

`impact(settings, target, since, until)` answers, from the stored column graph and the ledger:

- **downstream**: every column reached from the target, by the shortest path, with its hop count,
  the path and the edge type of each hop. Value-carrying edges (DIRECT) and value-deciding edges
  (CONDITIONAL, WINDOW) are followed on; row-level edges (FILTER, JOIN, GROUP_BY, SORT) are reported
  as `table.*` and not followed.
- **readers**: every principal who read the target or a downstream column that carries its values
  within the UTC window (a date-only `--until` means the end of that day, i.e. before the next day
  starts), one `ReaderSummary` per principal, role, purpose and source: governed queries (ledger
  action `query`, outcome `ok`) and the statements of imported query logs
  (`workbench lineage import-history`; see `workbench.lineage.readers`). Columns are warehouse
  names (`patients.SSN`), matched case-insensitively; warehouse tables live in schema `main`, so
  `patients.ssn`, `main.patients.ssn` and `db.main.patients.ssn` are the same column.
- **recipients**: every place outside the covered entity the values reach: a file written by
  `COPY ... TO` or `EXPORT DATA`, or a table in a schema the workspace declares external
  (`Settings.external_schemas`), named by `[lineage.recipients]` in `settings.toml` when given.
- **kinds**: the identifier kinds of the target, and those its values keep downstream (a hash
  turns them into OTHER_ID).
- **individuals**: the number of distinct patients whose rows are affected. Each affected table
  that exists in the warehouse is counted by its patient key: the column that lineage (an IDENTITY
  path from the patients' `Id`) or naming (`patient`, `patient_id`, ...) ties to the patients'
  `Id`; only rows where an affected column is not null count, and keys are counted once across
  tables. Tables that exist only as SQL are not counted (their rows derive from warehouse tables
  that are). `null` when no affected table is in the warehouse or none has a patient key.

Only a session whose role may investigate (`privacy_analyst`, `break_glass`) may ask; every call,
answered or refused, is recorded in the ledger as `impact`, with names and counts, never values. A
target that does not name a table or column is stored as its shape only (`ddd-dd-dddd`): it may be
a value typed by mistake.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlglot import exp

from workbench import audit, session
from workbench.catalog import Catalog
from workbench.errors import AccessDenied, BadInput, WorkbenchError
from workbench.kinds import IdentifierKind
from workbench.lineage.build import catalog_seeds, lineage_folder
from workbench.lineage.graph import LineageGraph, Reach, collection_deferred, is_external_table, warehouse_key
from workbench.lineage.readers import ReaderSummary, all_reads, readers_of
from workbench.lineage.safe_names import NameGuard
from workbench.lineage.statements import FILE_PREFIX
from workbench.session import Principal
from workbench.settings import Settings

INVESTIGATOR_ROLES: tuple[str, ...] = ("privacy_analyst", "break_glass")
DEFAULT_KEY_NAMES: tuple[str, ...] = ("patient", "patient_id", "patientid")


@dataclass(frozen=True)
class ImpactSettings:
    """`[lineage]` in `$WORKBENCH_HOME/settings.toml`: how impact finds patients and names recipients."""

    patient_table: str = field(default="patients", metadata={"help": "The warehouse table of patients."})
    patient_id: str = field(default="id", metadata={"help": "Its key column (Synthea: Id)."})
    patient_key_names: tuple[str, ...] = field(
        default=DEFAULT_KEY_NAMES,
        metadata={"help": "Column names that hold a patient's Id in other tables."},
    )
    recipients: Mapping[str, str] = field(
        default_factory=dict,
        metadata={"help": "Table or file (`file:PATH`) -> recipient name, e.g. a business associate."},
    )

    @classmethod
    def load(cls, settings: Settings) -> ImpactSettings:
        file = settings.home / "settings.toml"
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8")).get("lineage", {})
        except FileNotFoundError:
            return cls()
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise BadInput(f"{file} is not valid TOML ({type(exc).__name__}); fix or delete it.") from None
        if not isinstance(data, dict):
            raise BadInput(f"[lineage] in {file} must be a table; fix the file.")
        unknown = sorted(set(data) - {"patient_table", "patient_id", "patient_key_names", "recipients"})
        if unknown:
            raise BadInput(f"Unknown setting {unknown[0]!r} in [lineage] of {file}; see docs/lineage.md.")
        return cls(
            patient_table=str(data.get("patient_table", cls.patient_table)).lower(),
            patient_id=str(data.get("patient_id", cls.patient_id)).lower(),
            patient_key_names=tuple(str(n).lower() for n in data.get("patient_key_names", DEFAULT_KEY_NAMES)),
            recipients={str(k): str(v) for k, v in dict(data.get("recipients", {})).items()},
        )


@dataclass(frozen=True)
class Downstream:
    """A column the target's data reaches."""

    column: str
    hops: int
    path: tuple[str, ...]
    types: tuple[str, ...]  # `TYPE:SUBTYPE` of each hop along `path`

    def to_json(self) -> dict[str, object]:
        return {"column": self.column, "hops": self.hops, "path": list(self.path), "types": list(self.types)}


@dataclass(frozen=True)
class Recipient:
    """A place outside the covered entity that receives affected columns."""

    name: str
    via: str
    columns: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "via": self.via, "columns": list(self.columns)}


@dataclass(frozen=True)
class ImpactReport:
    """The breach impact of one table or column."""

    target: str
    columns: tuple[str, ...]  # the graph columns the target names
    downstream: tuple[Downstream, ...]
    readers: tuple[ReaderSummary, ...]
    recipients: tuple[Recipient, ...]
    kinds: tuple[str, ...]
    individuals: int | None
    since: str | None = None
    until: str | None = None
    until_exclusive: bool = False  # a date-only --until: readers before the next day starts

    def to_json(self) -> dict[str, object]:
        return {
            "target": self.target,
            "downstream": [d.to_json() for d in self.downstream],
            "readers": [r.to_json() for r in self.readers],
            "recipients": [r.to_json() for r in self.recipients],
            "kinds": list(self.kinds),
            "individuals": self.individuals,
            "window": {"since": self.since, "until": self.until, "until_exclusive": self.until_exclusive},
        }

    def window(self) -> str:
        """The applied reader window, in words."""
        start = self.since or "the beginning"
        if self.until is None:
            return f"from {start} until now"
        return f"from {start} {'to before' if self.until_exclusive else 'through'} {self.until}"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """How IPython shows the report (`%phi impact ...` returns it)."""
        printer.text(self.summary())

    def summary(self) -> str:
        """A few lines for a terminal or a notebook."""
        window = f" {self.window()}" if self.since or self.until else ""
        lines = [
            f"Impact of {self.target}: {len(self.downstream)} downstream columns, "
            f"{len(self.readers)} readers{window}, {len(self.recipients)} external recipients, "
            f"kinds {', '.join(self.kinds) or '-'}, individuals "
            f"{self.individuals if self.individuals is not None else 'unknown'}.",
            f"  window (UTC) {self.window()}",
        ]
        for d in self.downstream:
            lines.append(f"  {d.hops}  {d.column}  ({' > '.join(d.types)})")
        for r in self.readers:
            who = ", ".join(x for x in (r.role, r.purpose) if x)
            lines.append(
                f"  reader {r.principal} ({who + '; ' if who else ''}{r.source}): {r.count} reads, "
                f"{r.first} .. {r.last}"
            )
        for rc in self.recipients:
            lines.append(f"  recipient {rc.name} via {rc.via}: {', '.join(rc.columns)}")
        return "\n".join(lines)


# -- the operation -------------------------------------------------------------------------------


def impact(
    settings: Settings,
    target: str,
    since: str | datetime | None = None,
    until: str | datetime | None = None,
) -> ImpactReport:
    """The breach impact of `target` (`table` or `table.column`), recorded in the ledger."""
    principal: Principal | None = None
    # until the target resolves it may be a value typed by mistake: the ledger keeps its shape only
    detail: dict[str, object] = {"target": shape(target)}
    try:
        principal = session.current(settings)
        if principal.role not in INVESTIGATOR_ROLES:
            raise AccessDenied(
                f"Role {principal.role!r} may not run a breach impact analysis; log in as "
                f"{' or '.join(INVESTIGATOR_ROLES)}.",
                resource=f"impact:{shape(target)}",
            )
        start = _instant(since, "--since")
        end = _instant(until, "--until", end_of_day=True)
        exclusive = _date_only(until)
        if start is not None and end is not None and (start >= end if exclusive else start > end):
            raise BadInput("--since is after --until; swap them.")
        detail.update(
            since=start.isoformat() if start else None,
            until=end.isoformat() if end else None,
            until_exclusive=exclusive,
        )
        graph = LineageGraph.load(lineage_folder(settings))
        report = analyse(graph, settings, target, start, end, until_exclusive=exclusive)
        detail["target"] = report.target
    except WorkbenchError as error:
        detail.update(error=type(error).__name__, reason=error.message)
        outcome = (
            "denied" if isinstance(error, AccessDenied) else "refused" if error.exit_code == 2 else "error"
        )
        audit.record(settings, "impact", outcome, detail, principal)  # type: ignore[arg-type]
        raise
    detail.update(
        columns=len(report.columns),
        downstream=len(report.downstream),
        readers=len(report.readers),
        recipients=[r.name for r in report.recipients],
        kinds=list(report.kinds),
        individuals=report.individuals,
    )
    audit.record(settings, "impact", "ok", detail, principal)
    return report


def analyse(
    graph: LineageGraph,
    settings: Settings,
    target: str,
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    until_exclusive: bool = False,
) -> ImpactReport:
    """The report itself, without the session check or the ledger entry (the API under `impact`).

    Readers are counted from `since` through `until` (before `until` when `until_exclusive`).
    """
    with collection_deferred():
        return _analyse(graph, settings, target, since, until, until_exclusive)


def _analyse(
    graph: LineageGraph,
    settings: Settings,
    target: str,
    since: datetime | None,
    until: datetime | None,
    until_exclusive: bool = False,
) -> ImpactReport:
    config = ImpactSettings.load(settings)
    catalog = Catalog.load(settings.catalog_path)
    tables, column = resolve_target(graph, catalog, target)
    starts = _start_nodes(graph, tables, column)
    reached = graph.downstream(starts)
    downstream = tuple(
        Downstream(r.column, r.hops, r.path, r.types)
        for r in sorted(reached.values(), key=lambda r: (r.hops, r.column))
        if r.hops > 0
    )
    affected = [r for r in reached.values() if r.carries]
    return ImpactReport(
        target=f"{tables[0]}.{column}" if column else tables[0],
        columns=tuple(starts) if starts else tuple(f"{t}.{column}" if column else t for t in tables),
        downstream=downstream,
        readers=tuple(_readers(settings, tables, column, affected, graph, since, until, until_exclusive)),
        recipients=tuple(
            _recipients(graph, reached.values(), settings.external_schemas, config, NameGuard.of(settings))
        ),
        kinds=tuple(sorted(k.value for k in _kinds(graph, catalog, tables, column, starts))),
        individuals=_individuals(settings, graph, catalog, config, tables, column, affected),
        since=since.isoformat() if since else None,
        until=until.isoformat() if until else None,
        until_exclusive=until_exclusive and until is not None,
    )


_DATE_ONLY = re.compile(r"\s*\d{4}-\d{2}-\d{2}\s*")


def _date_only(value: str | datetime | None) -> bool:
    return isinstance(value, str) and _DATE_ONLY.fullmatch(value) is not None


def _instant(value: str | datetime | None, flag: str, *, end_of_day: bool = False) -> datetime | None:
    """A UTC instant; with `end_of_day`, a date-only value means the start of the next day (exclusive)."""
    if value is None or isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise BadInput(f"{flag} needs an ISO date or time such as 2024-09-30T12:00:00+00:00.") from None
        if end_of_day and _date_only(value):
            moment += timedelta(days=1)
    if moment is not None and moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC) if moment is not None else None


# -- the target ----------------------------------------------------------------------------------


def _same_table(a: str, b: str) -> bool:
    if a.lower() == b.lower():
        return True
    key_a, key_b = warehouse_key(a), warehouse_key(b)
    return key_a is not None and key_a == key_b and len(key_a.split(".")) == 1


def resolve_target(graph: LineageGraph, catalog: Catalog, target: str) -> tuple[list[str], str | None]:
    """The graph tables `target` names (the longest prefix naming a table) and the column, if any.

    A prefix names the table spelled so (`patients`, `main.patients` and `db.main.patients` are the
    same warehouse table); otherwise the one table that ends with it. A prefix that ends more than
    one distinct table is ambiguous and refused, listing the candidates.
    """
    text = target.strip()
    if not text:
        raise BadInput("Name a table or a column to analyse, e.g. `patients.SSN`.")
    parts = text.split(".")
    lookup = graph.lookup()
    tables_known, by_name, by_suffix = lookup.known, lookup.by_name, lookup.by_suffix
    warehouse = {key.lower() for key in catalog.tables}
    ambiguous: list[str] = []
    for k in range(len(parts), 0, -1):
        name = ".".join(parts[:k])
        key = warehouse_key(name)
        exact = [t for t in by_name.get(name.lower(), []) if _spelled(t, name)]
        tables = list(dict.fromkeys(exact + by_name.get(name.lower(), []) + by_name.get(key or "", [])))
        tables = [t for t in tables if _same_table(t, name)]
        in_catalog = key in warehouse if key else False
        if not exact and in_catalog:
            tables = [t for t in tables if _identity(t) == key]  # the warehouse table it names
        elif not exact:
            candidates = list(dict.fromkeys(tables + by_suffix.get(name.lower(), [])))
            if len({_identity(t) for t in candidates}) > 1:
                ambiguous = ambiguous or sorted(candidates)
                continue
            tables = candidates
        if not tables and not in_catalog:
            continue
        rest = parts[k:]
        if len(rest) > 1:
            break
        if not tables:
            tables = [key or name]
        tables.sort(key=lambda t: (t.lower() != name.lower(), len(t.split(".")), t))
        column = rest[0].lower() if rest else None
        if column is not None and not _has_column(graph, catalog, tables, column, tables_known):
            raise BadInput(f"{UNRESOLVED}; table {tables[0]} has no such column (check the name).")
        return tables, column
    if ambiguous:
        raise BadInput(
            f"The table name is ambiguous: it could be {', '.join(ambiguous[:10])}"
            f"{' and more' if len(ambiguous) > 10 else ''}; qualify it with its schema."
        )
    raise BadInput(f"{UNRESOLVED}; run `workbench lineage build PATH` or check the name.")


def _spelled(table: str, name: str) -> bool:
    """`table` is `name` as typed, or the same warehouse table in schema `main` (`x`, `main.x`)."""
    lowered, typed = table.lower(), name.lower()
    return lowered == typed or lowered == f"main.{typed}" or typed == f"main.{lowered}"


def _identity(table: str) -> str:
    """Tables with the same identity are one table: `x`, `main.x` and `db.main.x` are the warehouse's `x`."""
    key = warehouse_key(table)
    return key if key is not None and "." not in key else table.lower()


UNRESOLVED = "The target does not name a table or column in the lineage graph"


def shape(text: str) -> str:
    """`text` with letters as `a` and digits as `d` (`999-17-5017` -> `ddd-dd-dddd`), cut at 64."""
    shaped = "".join("a" if c.isalpha() else "d" if c.isdigit() else c for c in text[:64])
    return shaped + ("…" if len(text) > 64 else "")


def _has_column(
    graph: LineageGraph,
    catalog: Catalog,
    tables: list[str],
    column: str,
    known: Mapping[str, tuple[str, ...] | None],
) -> bool:
    for table in tables:
        if f"{table}.{column}" in graph.graph or column in (c.lower() for c in known.get(table) or ()):
            return True
        key = warehouse_key(table)
        if key is not None and key in catalog.tables and catalog.tables[key].column(column) is not None:
            return True
    return False


def _start_nodes(graph: LineageGraph, tables: list[str], column: str | None) -> list[str]:
    nodes: list[str] = []
    for table in tables:
        if column is not None:
            candidates = [f"{table}.{column}"]
        else:
            candidates = [f"{table}.{c}" for c in graph.columns_of(table)] + [f"{table}.*"]
        nodes.extend(n for n in candidates if n in graph.graph)
    return nodes


# -- readers ---------------------------------------------------------------------------------------


def _ledger_name(node_table: str, column: str) -> str | None:
    key = warehouse_key(node_table)
    return None if key is None else f"{key}.{column.lower()}"


def _readers(
    settings: Settings,
    tables: list[str],
    column: str | None,
    affected: Iterable[Reach],
    graph: LineageGraph,
    since: datetime | None,
    until: datetime | None,
    until_exclusive: bool = False,
) -> list[ReaderSummary]:
    """Who read the target or a column that carries its values: governed queries and imported logs."""
    columns: set[str] = set()
    whole_tables: set[str] = set()
    for table in tables:
        key = warehouse_key(table)
        if key is None:
            continue
        if column is None:
            whole_tables.add(key)
        else:
            columns.add(f"{key}.{column}")
    for reach in affected:
        data = graph.graph.nodes[reach.column]
        if data["column"] == "*":
            key = warehouse_key(data["table"])
            if key is not None:
                whole_tables.add(key)
        elif (name := _ledger_name(data["table"], data["column"])) is not None:
            columns.add(name)
    return readers_of(
        all_reads(settings), columns, whole_tables, since, until, until_exclusive=until_exclusive
    )


# -- recipients ------------------------------------------------------------------------------------

_VIA = {
    "copy": "COPY TO",
    "export": "EXPORT DATA",
    "insert": "INSERT",
    "create_table": "CREATE TABLE AS",
    "create_view": "CREATE VIEW AS",
    "select_into": "SELECT INTO",
    "merge": "MERGE",
    "update": "UPDATE",
    "clone": "CLONE",
}


def _recipients(
    graph: LineageGraph,
    reached: Iterable[Reach],
    external_schemas: Iterable[str],
    config: ImpactSettings,
    guard: NameGuard,
) -> list[Recipient]:
    schemas = tuple(external_schemas)
    named = _recipient_names(config, guard)
    by_table: dict[str, list[str]] = {}
    for reach in reached:
        if not reach.carries:
            continue  # rows shaped by the target, but none of its values
        table = graph.graph.nodes[reach.column]["table"]
        if is_external_table(table, schemas):
            by_table.setdefault(table, []).append(reach.column)
    writes = graph.writes()
    recipients = []
    for table, columns in sorted(by_table.items()):
        ways = []
        for write, path in writes.get(table, []):
            label = _VIA.get(write.kind, write.kind.upper())
            if not table.startswith(FILE_PREFIX):
                label += f" into external schema {table.split('.')[-2]!r}"
            ways.append(f"{label} ({path.rsplit('/', 1)[-1]}:{write.line})")
        name = named.get(table) or named.get(table.removeprefix(FILE_PREFIX))
        recipients.append(
            Recipient(
                name=name or table.removeprefix(FILE_PREFIX),
                via="; ".join(dict.fromkeys(ways)) or "external table",
                columns=tuple(sorted(columns)),
            )
        )
    return recipients


def _recipient_names(config: ImpactSettings, guard: NameGuard) -> dict[str, str]:
    """Configured recipient names by table or file, also as the graph spells a name that looks like PHI."""
    names: dict[str, str] = dict(config.recipients)
    for key, name in config.recipients.items():
        names.setdefault(guard.table(key), name)
        names.setdefault(guard.location(key), name)
    return names


# -- kinds -----------------------------------------------------------------------------------------


def _kinds(
    graph: LineageGraph, catalog: Catalog, tables: list[str], column: str | None, starts: list[str]
) -> set[IdentifierKind]:
    """Kinds of the target columns, and the kinds their values keep downstream."""
    kinds: dict[str, set[IdentifierKind]] = {}
    for table in tables:  # the warehouse classification, also for columns the graph never saw
        key = warehouse_key(table)
        if key is not None and key in catalog.tables:
            for col in catalog.tables[key].columns:
                if col.kinds and (column is None or col.name.lower() == column):
                    kinds.setdefault(f"{table}.{col.name.lower()}", set()).update(col.kinds)
    if starts:
        ancestors: set[str] = set(starts)
        for node in starts:
            ancestors |= _ancestors(graph, node)
        seeds = catalog_seeds(graph, catalog, ancestors)
        upstream = graph.propagate(seeds)
        for node in starts:
            if node in upstream and upstream[node].direct:
                kinds.setdefault(node, set()).update(upstream[node].direct)
        flowing = graph.propagate({n: k for n, k in kinds.items() if n in graph.graph})
        for tags in flowing.values():
            kinds.setdefault("", set()).update(tags.direct)
    return set().union(*kinds.values()) if kinds else set()


def _ancestors(graph: LineageGraph, node: str) -> set[str]:
    seen: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        for source, _, data in graph.graph.in_edges(current, data=True):
            if data["type"] == "DIRECT" and source not in seen:
                seen.add(source)
                stack.append(source)
    return seen


# -- individuals -----------------------------------------------------------------------------------


def _individuals(
    settings: Settings,
    graph: LineageGraph,
    catalog: Catalog,
    config: ImpactSettings,
    tables: list[str],
    column: str | None,
    affected: list[Reach],
) -> int | None:
    """Distinct patient keys over the affected rows of the affected tables that are in the warehouse."""
    if not settings.warehouse_path.exists():
        return None
    wanted: dict[str, set[str] | None] = {}  # warehouse table -> affected columns (None: every row)
    for table in tables:
        key = warehouse_key(table)
        if key is not None:
            wanted[key] = {column} if column is not None else None
    for reach in affected:
        data = graph.graph.nodes[reach.column]
        key = warehouse_key(data["table"])
        if key is None or (key in wanted and wanted[key] is None):
            continue
        if data["column"] == "*":
            wanted[key] = None
        else:
            wanted.setdefault(key, set()).add(data["column"].lower())  # type: ignore[union-attr]
    present = _warehouse_tables(settings)
    identity = _identity_columns(graph, config)
    branches: list[exp.Select] = []
    for key, columns in sorted(wanted.items()):
        if key not in present:
            continue
        patient_key = _patient_key(key, present[key], identity, config)
        if patient_key is None:
            continue
        branch = exp.select(exp.cast(_column(patient_key, present[key]), "VARCHAR").as_("k")).from_(
            _table(key)
        )
        filters = [
            exp.column(real, quoted=True).is_(exp.null()).not_()
            for c in sorted(columns or ())
            if (real := _real(c, present[key])) is not None
        ]
        if columns and not filters:
            continue  # the affected columns do not exist in the warehouse table
        if filters:
            branch = branch.where(exp.or_(*filters))
        branches.append(branch)
    if not branches:
        return None
    union: exp.Query = branches[0]
    for branch in branches[1:]:
        union = exp.union(union, branch, distinct=False)
    query = exp.select("count(DISTINCT k)").from_(union.subquery("affected")).where("k IS NOT NULL")
    from workbench.warehouse.duck import reader

    with reader(settings.warehouse_path, wait_seconds=settings.lock_wait_seconds) as con:
        row = con.execute(query.sql(dialect="duckdb")).fetchone()
    return int(row[0]) if row else None


def _warehouse_tables(settings: Settings) -> dict[str, list[str]]:
    """Catalog key (`patients`, `staging.x`) -> column names as the warehouse spells them."""
    from workbench.warehouse.duck import reader

    found: dict[str, list[str]] = {}
    with reader(settings.warehouse_path, wait_seconds=settings.lock_wait_seconds) as con:
        rows = con.execute(
            "SELECT table_schema, table_name, column_name FROM information_schema.columns "
            "WHERE table_catalog = current_database() ORDER BY ordinal_position"
        ).fetchall()
    for schema, table, column in rows:
        key = table.lower() if schema.lower() == "main" else f"{schema.lower()}.{table.lower()}"
        found.setdefault(key, []).append(column)
    return found


def _real(column: str, columns: list[str]) -> str | None:
    return next((c for c in columns if c.lower() == column.lower()), None)


def _column(name: str, columns: list[str]) -> exp.Column:
    return exp.column(_real(name, columns) or name, quoted=True)


def _table(key: str) -> exp.Table:
    parts = key.split(".")
    return exp.table_(parts[-1], db=parts[0] if len(parts) > 1 else None, quoted=True)


def _identity_columns(graph: LineageGraph, config: ImpactSettings) -> set[str]:
    """Graph columns that copy the patients' Id unchanged (IDENTITY edges only), as catalog names."""
    names: set[str] = set()
    starts = [
        n
        for n, d in graph.graph.nodes(data=True)
        if warehouse_key(d["table"]) == config.patient_table and d["column"].lower() == config.patient_id
    ]
    for reach in graph.downstream(starts).values():
        if all(t == "DIRECT:IDENTITY" for t in reach.types):
            data = graph.graph.nodes[reach.column]
            if (name := _ledger_name(data["table"], data["column"])) is not None:
                names.add(name)
    return names


def _patient_key(table: str, columns: list[str], identity: set[str], config: ImpactSettings) -> str | None:
    lowered = [c.lower() for c in columns]
    if table == config.patient_table and config.patient_id in lowered:
        return columns[lowered.index(config.patient_id)]
    for column, low in zip(columns, lowered, strict=True):
        if f"{table}.{low}" in identity:
            return column
    for name in config.patient_key_names:
        if name in lowered:
            return columns[lowered.index(name)]
    return None
