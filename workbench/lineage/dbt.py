"""dbt projects -> the column graph: every model (ephemeral ones too), snapshot, seed and source.

`build_dbt(settings, manifest, catalog)` reads a dbt `target/manifest.json` (and `catalog.json`
for schemas) and traces the compiled SQL of every enabled model and snapshot with the lineage
engine, in the dialect of the manifest's adapter (`metadata.adapter_type`):

- **Nodes.** Models (table, view, incremental, materialized view, ephemeral, Python), snapshots,
  seeds and sources; disabled nodes, tests, unit tests, analyses and hooks are skipped. A node is
  named by its relation as dbt renders it (`"clinic"."main"."stg_patients"` ->
  `clinic.main.stg_patients`); an ephemeral model, which has no relation, by its database, schema
  and name like the others.
- **Ephemeral models.** dbt inlines them into their consumers as `__dbt__cte__<name>` CTEs. Those
  CTEs are taken out, references to them point at the ephemeral model, and the ephemeral model is
  traced on its own: it is a node with edges into it and out of it.
- **Schemas.** From `catalog.json` when given. Without it, a seed's columns come from its CSV header
  when the file is at hand; documented columns are used only when they are complete: a model
  with an enforced contract, or a source or seed whose documented columns include every column the
  project's SQL reads from it (its consumers traced without the schema, through CTEs; a column the
  trace cannot place counts against it). Otherwise the table has no schema (a `SELECT *` from it
  becomes `table.* -> ...`, a column read from it is `inferred`).
- **Fallbacks.** A model without compiled code (a manifest from `dbt parse`) is rendered from its
  raw code (`ref`, `source` and `this` resolved, `is_incremental()` blocks dropped, other Jinja
  removed). A model that still does not parse, and a Python model, gets table-level edges from the
  nodes it depends on (`up.* -> model.*`, DIRECT TRANSFORMATION, `inferred`), so it appears anyway.
- **Snapshots** get dbt's meta columns (`dbt_scd_id`, `dbt_updated_at`, `dbt_valid_from`,
  `dbt_valid_to`, and `dbt_is_deleted` with `hard_deletes: new_record`) after the snapshotted ones.

Each node becomes one SQL file under `$WORKBENCH_HOME/lineage/dbt/<project>/` (sources and seeds
as `CREATE TABLE` schemas in `_sources.sql` and `_seeds.sql`; literals blanked), traced layer by
layer of the DAG with a progress bar. A rebuild re-traces only what changed and drops the files of nodes that are gone.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from workbench import audit, session
from workbench.catalog import Catalog
from workbench.errors import BadInput, NoSession
from workbench.lineage.build import (
    SEARCH_DIRECTIVE,
    BuildReport,
    catalog_seeds,
    check_dialect,
    lineage_folder,
    trace_files,
)
from workbench.lineage.build import Fallback as TableFallback
from workbench.lineage.graph import LineageGraph, locked
from workbench.lineage.origins import (
    Origin,
    blank_literals,
    load_origins,
    safe_name,
    save_origins,
    stale_files,
    trace_in_chunks,
    write_files,
)
from workbench.lineage.progress import Progress, silent
from workbench.lineage.safe_names import NameGuard
from workbench.lineage.source_paths import load_source_paths
from workbench.lineage.split import FileError, quiet_sqlglot, scrub
from workbench.lineage.statements import table_parts
from workbench.settings import Settings

# dbt adapter -> sqlglot dialect (an adapter not listed is tried by name, else sqlglot's default)
ADAPTER_DIALECTS: dict[str, str] = {
    "duckdb": "duckdb", "motherduck": "duckdb", "postgres": "postgres", "materialize": "postgres",
    "alloydb": "postgres", "redshift": "redshift", "snowflake": "snowflake", "bigquery": "bigquery",
    "databricks": "databricks", "spark": "spark", "glue": "spark", "trino": "trino",
    "starburst": "trino", "athena": "athena", "presto": "presto", "sqlserver": "tsql",
    "fabric": "tsql", "synapse": "tsql", "clickhouse": "clickhouse", "oracle": "oracle",
    "teradata": "teradata", "mysql": "mysql", "sqlite": "sqlite", "doris": "doris",
    "starrocks": "starrocks", "hive": "hive", "dremio": "dremio", "risingwave": "risingwave",
    "exasol": "exasol",
}  # fmt: skip
MODEL_TYPES = ("model", "snapshot")
_EPHEMERAL_PREFIX = "__dbt__cte__"
_SOURCES_FILE = "_sources.sql"
_SEEDS_FILE = "_seeds.sql"
_CHUNK = 25  # files per engine call: the progress bar's step
# Dialects whose unquoted and quoted names match regardless of case.
_CASE_INSENSITIVE = {
    "duckdb", "bigquery", "tsql", "databricks", "spark", "redshift", "mysql", "sqlite", "trino", "athena",
    "presto", "hive",
}  # fmt: skip


@dataclass(frozen=True)
class DbtNode:
    """One node of the project the graph gets: a model, snapshot, seed or source."""

    unique_id: str
    resource_type: str  # model | snapshot | seed | source
    name: str
    alias: str
    package: str
    relation: str  # the graph's table name
    relation_sql: str  # the relation as SQL (to write into generated statements)
    materialized: str
    language: str
    compiled: str | None  # compiled SQL (None: not compiled, or a seed/source)
    raw: str | None
    depends_on: tuple[str, ...]
    documented: tuple[str, ...]
    contract: bool  # an enforced contract: documented columns are the schema
    catalog_columns: tuple[str, ...] | None
    config: Mapping[str, Any] = field(default_factory=dict)
    csv_header: tuple[str, ...] | None = None

    @property
    def ephemeral(self) -> bool:
        return self.materialized == "ephemeral"


@dataclass
class DbtProject:
    """The nodes of one manifest (and catalog) the lineage graph takes."""

    name: str
    adapter: str
    dialect: str
    nodes: dict[str, DbtNode]
    skipped: Counter[str] = field(default_factory=Counter)

    @classmethod
    def read(cls, manifest_path: Path, catalog_path: Path | None = None) -> DbtProject:
        manifest = _read_json(manifest_path, "manifest")
        catalog = _read_json(catalog_path, "catalog") if catalog_path is not None else None
        # target/manifest.json sits in the project folder: seeds are found there when moved
        return cls.from_manifest(manifest, catalog, project_dir=Path(manifest_path).resolve().parent.parent)

    @classmethod
    def from_manifest(
        cls,
        manifest: Mapping[str, Any],
        catalog: Mapping[str, Any] | None = None,
        project_dir: Path | None = None,
    ) -> DbtProject:
        if not isinstance(manifest, Mapping) or not isinstance(manifest.get("nodes"), Mapping):
            raise BadInput(
                "This is not a dbt manifest (no `nodes`); pass target/manifest.json of a dbt project."
            )
        metadata = manifest.get("metadata") or {}
        adapter = str(metadata.get("adapter_type") or "").lower()
        dialect = dialect_of(adapter)
        quoting = metadata.get("quoting") or {}
        cat_nodes = dict((catalog or {}).get("nodes") or {})
        cat_sources = dict((catalog or {}).get("sources") or {})
        nodes: dict[str, DbtNode] = {}
        skipped: Counter[str] = Counter()
        raw_nodes = list((manifest.get("nodes") or {}).values()) + list(
            (manifest.get("sources") or {}).values()
        )
        for raw in raw_nodes:
            if not isinstance(raw, Mapping):
                continue
            kind = str(raw.get("resource_type", ""))
            config = raw.get("config") or {}
            if kind not in (*MODEL_TYPES, "seed", "source"):
                skipped[kind or "unknown"] += 1
                continue
            if config.get("enabled") is False:
                skipped["disabled"] += 1
                continue
            if not isinstance(raw.get("unique_id"), str) or not raw["unique_id"]:
                raise BadInput(
                    "The dbt manifest has a node with no unique_id; regenerate it with `dbt compile`."
                )
            uid = str(raw["unique_id"])
            cat = (cat_sources if kind == "source" else cat_nodes).get(uid)
            relation_sql, relation = _relation(raw, dialect, quoting)
            nodes[uid] = DbtNode(
                unique_id=uid,
                resource_type=kind,
                name=str(raw.get("name", uid.rsplit(".", 1)[-1])),
                alias=str(raw.get("alias") or raw.get("name") or uid.rsplit(".", 1)[-1]),
                package=str(raw.get("package_name", "")),
                relation=relation,
                relation_sql=relation_sql,
                materialized=str(config.get("materialized") or kind),
                language=str(raw.get("language") or "sql"),
                compiled=_text(raw.get("compiled_code", raw.get("compiled_sql"))),
                raw=_text(raw.get("raw_code", raw.get("raw_sql"))),
                depends_on=tuple(str(n) for n in (raw.get("depends_on") or {}).get("nodes") or ()),
                documented=tuple(_column(str(c.get("name", k)), dialect) for k, c in (raw.get("columns") or {}).items()),
                contract=bool((config.get("contract") or {}).get("enforced")),
                catalog_columns=_catalog_columns(cat, dialect),
                config=config,
                csv_header=_csv_header(raw, dialect, project_dir) if kind == "seed" else None,
            )  # fmt: skip
        skipped["disabled"] += sum(
            len(v) for v in (manifest.get("disabled") or {}).values() if isinstance(v, list)
        )
        if not skipped["disabled"]:
            del skipped["disabled"]
        name = str(metadata.get("project_name") or "dbt")
        return cls(name=name, adapter=adapter or "unknown", dialect=dialect, nodes=nodes, skipped=skipped)

    def ephemeral_by_cte(self) -> dict[str, DbtNode]:
        """`__dbt__cte__<name>` -> the ephemeral model (dbt names the CTE by the alias, else the name)."""
        found: dict[str, DbtNode] = {}
        for node in self.nodes.values():
            if node.ephemeral:
                for name in (node.name, node.alias):
                    found[(_EPHEMERAL_PREFIX + name).lower()] = node
        return found

    def counts(self) -> dict[str, int]:
        found: Counter[str] = Counter()
        for node in self.nodes.values():
            label = "ephemeral" if node.ephemeral else node.resource_type
            if node.resource_type == "model" and node.language == "python":
                label = "python"
            found[label] += 1
        return dict(sorted(found.items()))


def dialect_of(adapter: str) -> str:
    """The sqlglot dialect of a dbt adapter."""
    candidate = ADAPTER_DIALECTS.get(adapter, adapter)
    try:
        return check_dialect(candidate)
    except Exception:
        return ""


# -- reading the manifest --------------------------------------------------------------------------


def _read_json(path: Path, what: str) -> dict[str, Any]:
    name = Path(path).name  # a folder's name can hold PHI: only the file's name is repeated
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BadInput(f"No dbt {what} {name}; run `dbt compile` or `dbt docs generate` first.") from None
    except (OSError, ValueError, RecursionError) as exc:
        raise BadInput(f"The dbt {what} {name} is not readable JSON ({type(exc).__name__}).") from None
    if not isinstance(data, dict):
        raise BadInput(f"The dbt {what} {name} is not a JSON object.")
    return data


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _column(name: str, dialect: str) -> str:
    """A column name as the engine names it: case-insensitive names in lower case, others as stored."""
    if dialect in _CASE_INSENSITIVE or name in (name.lower(), name.upper()):
        return name.lower()
    return name


def _catalog_columns(entry: Mapping[str, Any] | None, dialect: str) -> tuple[str, ...] | None:
    if not isinstance(entry, Mapping) or not isinstance(entry.get("columns"), Mapping):
        return None
    columns = sorted(entry["columns"].values(), key=lambda c: int(c.get("index") or 0))
    names = tuple(dict.fromkeys(_column(str(c.get("name")), dialect) for c in columns if c.get("name")))
    return names or None


def _csv_header(raw: Mapping[str, Any], dialect: str, project_dir: Path | None) -> tuple[str, ...] | None:
    """A seed's columns from the first line of its CSV file, in the project folder or next to the manifest."""
    relative = raw.get("original_file_path")
    if not relative:
        return None
    for root in (raw.get("root_path"), project_dir):
        if not root:
            continue
        with contextlib.suppress(OSError, UnicodeDecodeError):
            with open(Path(str(root)) / str(relative), encoding="utf-8") as handle:
                header = handle.readline().strip()
            if header:
                return tuple(_column(c.strip().strip('"'), dialect) for c in header.split(","))
    return None


def _relation(raw: Mapping[str, Any], dialect: str, quoting: Mapping[str, Any]) -> tuple[str, str]:
    """(the relation as SQL, the graph's table name) of a node."""
    text = raw.get("relation_name")
    if isinstance(text, str) and text.strip():
        with contextlib.suppress(SqlglotError, ValueError), quiet_sqlglot():
            table = exp.to_table(text, dialect=dialect or None)
            if isinstance(table, exp.Table) and table.name:
                return text, table_parts(table)
    parts = [
        (raw.get("database"), bool(quoting.get("database"))),
        (raw.get("schema"), bool(quoting.get("schema"))),
        (raw.get("alias") or raw.get("identifier") or raw.get("name"), bool(quoting.get("identifier"))),
    ]
    identifiers = [exp.to_identifier(str(p), quoted=q) for p, q in parts if p]
    if not identifiers or not parts[-1][0]:
        # the node's id is not repeated: a model's name can hold PHI
        raise BadInput(
            "The dbt manifest has a node with no relation_name, name, alias, schema or database, "
            "so it names no table; regenerate the manifest with `dbt compile`."
        )
    table = exp.Table(this=identifiers[-1])
    if len(identifiers) > 1:
        table.set("db", identifiers[-2])
    if len(identifiers) > 2:
        table.set("catalog", identifiers[-3])
    return table.sql(dialect=dialect or None), table_parts(table)


# -- turning nodes into SQL files --------------------------------------------------------------------


@dataclass(frozen=True)
class Fallback:
    """Table-level lineage for a node whose SQL cannot be traced."""

    table: str
    upstream: tuple[str, ...]
    columns: tuple[str, ...] | None
    why: str


@dataclass
class DbtPlan:
    """The SQL files for a project, the order to trace them in, and the fallbacks."""

    files: dict[str, str]  # file name -> SQL text
    chunks: list[list[str]]
    nodes_of: dict[str, str]  # file name -> unique_id ('' for the sources and seeds files)
    fallbacks: dict[str, Fallback]  # file name -> fallback
    rendered: set[str] = field(default_factory=set)  # nodes rendered from raw code


def plan(project: DbtProject, guard: NameGuard | None = None) -> DbtPlan:
    """SQL files for every node, chunked in DAG order; pure (no files are written).

    `guard` replaces names that look like PHI in the files (keyless placeholders when none is given).
    """
    guard = guard or NameGuard()
    dialect = project.dialect or None
    by_cte = project.ephemeral_by_cte()
    trees: dict[str, exp.Query] = {}
    errors: dict[str, str] = {}
    rendered: set[str] = set()
    models = [n for n in project.nodes.values() if n.resource_type in MODEL_TYPES]
    with quiet_sqlglot():
        for node in models:
            if node.language != "sql":
                errors[node.unique_id] = f"a {node.language} model: lineage from its dependencies only"
                continue
            code = node.compiled
            if code is None and node.raw is not None:
                code = render_raw(node, project)
                rendered.add(node.unique_id)
            if code is None:
                errors[node.unique_id] = "no SQL in the manifest"
                continue
            try:
                trees[node.unique_id] = _inline_ephemerals(_parse_query(code, dialect), by_cte, dialect)
            except (SqlglotError, ValueError, RecursionError) as exc:
                errors[node.unique_id] = scrub(exc) if isinstance(exc, SqlglotError) else type(exc).__name__
    files: dict[str, str] = {}
    nodes_of: dict[str, str] = {}
    texts: dict[str, str] = {}  # unique_id -> its statement
    for node in models:
        tree = trees.get(node.unique_id)
        if tree is not None:
            with quiet_sqlglot(), contextlib.suppress(SqlglotError, ValueError, RecursionError):
                texts[node.unique_id] = _statement(node, tree, dialect, guard)
    schemas = _schemas(project, texts)
    for file, kind in ((_SOURCES_FILE, "source"), (_SEEDS_FILE, "seed")):
        schema = _schema_file(
            [n for n in project.nodes.values() if n.resource_type == kind], schemas, dialect, guard
        )
        if schema:
            files[file], nodes_of[file] = schema, ""
    fallbacks: dict[str, Fallback] = {}
    for node in models:
        file = f"{safe_name(safe_uid(node.unique_id, guard), 200)}.sql"
        nodes_of[file] = node.unique_id
        text = texts.get(node.unique_id)
        if text is None:
            why = errors.get(node.unique_id, "could not write the model's statement")
            upstream = tuple(project.nodes[u].relation for u in node.depends_on if u in project.nodes)
            fallbacks[file] = Fallback(node.relation, upstream, schemas.get(node.unique_id), why)
            # the edges live in the file, so every later re-trace of it keeps them
            columns = schemas.get(node.unique_id)
            lineage = TableFallback(
                guard.table(node.relation),
                tuple(guard.table(u) for u in upstream),
                tuple(guard.name(c) for c in columns) if columns is not None else None,
            )
            text = f"-- dbt {safe_uid(node.unique_id, guard)}: {why}\n{lineage.directive()}\n"
        files[file] = text
    return DbtPlan(files, _chunks(project, nodes_of), nodes_of, fallbacks, rendered)


def safe_uid(unique_id: str, guard: NameGuard) -> str:
    """A dbt unique_id as it may be stored or shown: each dotted part guarded (`model.clinic.h_…`)."""
    return ".".join(guard.name(part) for part in unique_id.split(".")) if unique_id else unique_id


def _parse_query(code: str, dialect: str | None) -> exp.Query:
    statements = [s for s in sqlglot.parse(code, read=dialect) if s is not None]
    queries = [s for s in statements if isinstance(s, exp.Query)]
    if not queries:
        raise ValueError("no query")
    return queries[-1]


def _inline_ephemerals(tree: exp.Query, by_cte: Mapping[str, DbtNode], dialect: str | None) -> exp.Query:
    """Take out dbt's `__dbt__cte__<name>` CTEs and point their references at the ephemeral models."""
    if not by_cte:
        return tree
    with_ = tree.args.get("with_")
    if isinstance(with_, exp.With):
        kept = [cte for cte in with_.expressions if cte.alias_or_name.lower() not in by_cte]
        if len(kept) != len(with_.expressions):
            if kept:
                with_.set("expressions", kept)
            else:
                tree.set("with_", None)
    for table in list(tree.find_all(exp.Table)):
        node = by_cte.get(table.name.lower()) if not table.args.get("db") else None
        if node is None:
            continue
        replacement = exp.to_table(node.relation_sql, dialect=dialect)
        replacement.set(
            "alias", table.args.get("alias") or exp.TableAlias(this=exp.to_identifier(table.name))
        )
        table.replace(replacement)
    return tree


def _statement(node: DbtNode, tree: exp.Query, dialect: str | None, guard: NameGuard) -> str:
    query: exp.Expr = tree.copy()
    if node.resource_type == "snapshot":
        query = _snapshot_query(node, tree.copy(), dialect)
    kind = "VIEW" if node.materialized in {"view", "ephemeral", "materialized_view"} else "TABLE"
    target = exp.to_table(node.relation_sql, dialect=dialect)
    create = guard.statement(
        blank_literals(exp.Create(this=target, kind=kind, expression=query, replace=True))
    )
    header = f"-- dbt {safe_uid(node.unique_id, guard)} ({node.materialized})\n"
    home = node.relation.split(".")[:-1]  # bare names in its SQL resolve in its target schema
    if 1 <= len(home) <= 2:
        header += f"{SEARCH_DIRECTIVE}{'.'.join(home)}\n"
    return header + create.sql(dialect=dialect, pretty=True, comments=False) + ";\n"


def _snapshot_query(node: DbtNode, query: exp.Query, dialect: str | None) -> exp.Expr:
    """`SELECT *, <dbt's meta columns> FROM (<snapshot query>)`."""
    names = {
        "dbt_scd_id": "dbt_scd_id", "dbt_updated_at": "dbt_updated_at", "dbt_valid_from": "dbt_valid_from",
        "dbt_valid_to": "dbt_valid_to", "dbt_is_deleted": "dbt_is_deleted",
    }  # fmt: skip
    for key, value in (node.config.get("snapshot_meta_column_names") or {}).items():
        if key in names and value:
            names[key] = str(value)
    updated: exp.Expr = exp.cast(exp.null(), "TIMESTAMP")
    if node.config.get("strategy") == "timestamp" and node.config.get("updated_at"):
        with contextlib.suppress(SqlglotError):
            updated = exp.maybe_parse(str(node.config["updated_at"]), dialect=dialect)
    meta: list[tuple[str, exp.Expr]] = [
        (names["dbt_scd_id"], exp.cast(exp.null(), "VARCHAR")),
        (names["dbt_updated_at"], updated.copy()),
        (names["dbt_valid_from"], updated.copy()),
        (names["dbt_valid_to"], exp.cast(exp.null(), "TIMESTAMP")),
    ]
    if node.config.get("hard_deletes") == "new_record":
        meta.append((names["dbt_is_deleted"], exp.cast(exp.null(), "VARCHAR")))
    selects = [exp.Star(), *(exp.alias_(e, n) for n, e in meta)]
    return exp.select(*selects).from_(query.subquery("dbt_snapshot_source"))


def render_raw(node: DbtNode, project: DbtProject) -> str:
    """A model's raw code with its Jinja resolved as far as lineage needs (no compiled code)."""
    text = _JINJA_COMMENT.sub("", node.raw or "")
    text = _INCREMENTAL.sub("", text)
    upstream = [project.nodes[u] for u in node.depends_on if u in project.nodes]

    def expression(match: re.Match[str]) -> str:
        body = match.group(1).strip()
        if body.startswith("config("):
            return ""
        if body == "this":
            return node.relation_sql
        if found := _REF.match(body):
            package, name = (found.group(2), found.group(4)) if found.group(4) else (None, found.group(2))
            for up in upstream:
                if (
                    up.name == name
                    and up.resource_type != "source"
                    and (package is None or up.package == package)
                ):
                    return up.relation_sql
        if found := _SOURCE.match(body):
            for up in upstream:
                if up.resource_type == "source" and up.unique_id.endswith(
                    f".{found.group(2)}.{found.group(4)}"
                ):
                    return up.relation_sql
        return "NULL"

    return _TAG.sub("", _EXPRESSION.sub(expression, text))


_JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)
_INCREMENTAL = re.compile(r"\{%-?\s*if\s+is_incremental\(\)\s*-?%\}.*?\{%-?\s*endif\s*-?%\}", re.S)
_EXPRESSION = re.compile(r"\{\{-?(.*?)-?\}\}", re.S)
_TAG = re.compile(r"\{%-?.*?-?%\}", re.S)
_REF = re.compile(
    r"""^ref\(\s*(['"])([^'"]+)\1\s*(?:,\s*(['"])([^'"]+)\3\s*)?(?:,\s*v(?:ersion)?\s*=\s*\S+\s*)?\)$"""
)
_SOURCE = re.compile(r"""^source\(\s*(['"])([^'"]+)\1\s*,\s*(['"])([^'"]+)\3\s*\)$""")


def _schemas(project: DbtProject, texts: Mapping[str, str]) -> dict[str, tuple[str, ...] | None]:
    """unique_id -> columns, by the rules of the module docstring."""
    schemas: dict[str, tuple[str, ...] | None] = {}
    candidates: dict[str, DbtNode] = {}  # documented only: complete if the SQL reads nothing else from it
    for node in project.nodes.values():
        columns = node.catalog_columns
        if columns is None and node.csv_header:
            columns = node.csv_header
        if columns is None and node.documented:
            if node.contract:
                columns = node.documented
            elif node.resource_type in ("source", "seed"):
                candidates[node.unique_id] = node
        schemas[node.unique_id] = columns
    for uid in _verified(project, texts, candidates, schemas):
        schemas[uid] = candidates[uid].documented
    return schemas


def _verified(
    project: DbtProject,
    texts: Mapping[str, str],
    candidates: Mapping[str, DbtNode],
    schemas: Mapping[str, tuple[str, ...] | None],
) -> list[str]:
    """The candidates whose documented columns hold every column their consumers read.

    The consumers are traced without the candidates' schemas, so a column read from a candidate is
    attributed to it (also through `WITH s AS (SELECT * FROM source)`). A column the trace cannot
    place (`?.x`, e.g. unqualified in a join) that is not documented might be the candidate's: the
    documentation is then not trusted either.
    """
    if not candidates:
        return []
    by_relation = {n.relation: uid for uid, n in candidates.items()}
    consumers = [
        uid for uid, n in project.nodes.items() if uid in texts and set(n.depends_on) & set(candidates)
    ]
    known = {project.nodes[u].relation: c for u, c in schemas.items() if c is not None}
    records = trace_files([(uid, texts[uid]) for uid in consumers], project.dialect, known)
    read: dict[str, set[str]] = {uid: set() for uid in candidates}
    for record in records:
        placed_nowhere = {e.source.column for e, _ in record.edges if not e.source.resolved}
        for upstream in project.nodes[record.path].depends_on:
            if upstream in read:
                read[upstream] |= placed_nowhere
        for edge, _ in record.edges:
            uid = by_relation.get(edge.source.table)
            if uid is not None and edge.source.column != "*":
                read[uid].add(edge.source.column)
    return [uid for uid, node in candidates.items() if read[uid] <= set(node.documented)]


def _schema_file(
    nodes: Sequence[DbtNode],
    schemas: Mapping[str, tuple[str, ...] | None],
    dialect: str | None,
    guard: NameGuard,
) -> str:
    statements = []
    for node in sorted(nodes, key=lambda n: n.unique_id):
        columns = schemas.get(node.unique_id)
        if not columns:
            continue
        definitions = [
            exp.ColumnDef(
                this=exp.to_identifier(c, quoted=c != c.lower()), kind=exp.DataType.build("VARCHAR")
            )
            for c in columns
        ]
        target = exp.Schema(this=exp.to_table(node.relation_sql, dialect=dialect), expressions=definitions)
        with quiet_sqlglot(), contextlib.suppress(SqlglotError, ValueError):
            statements.append(
                f"-- dbt {safe_uid(node.unique_id, guard)}\n"
                + guard.statement(exp.Create(this=target, kind="TABLE")).sql(dialect=dialect)
                + ";"
            )
    return "\n".join(statements) + "\n" if statements else ""


def _chunks(project: DbtProject, nodes_of: Mapping[str, str]) -> list[list[str]]:
    """Files in DAG order: the schema files, then each generation of models in steps of `_CHUNK`."""
    file_of = {uid: file for file, uid in nodes_of.items() if uid}
    dag = nx.DiGraph()
    dag.add_nodes_from(file_of)
    for uid in file_of:
        for up in project.nodes[uid].depends_on:
            if up in file_of:
                dag.add_edge(up, uid)
    try:
        generations = [sorted(g) for g in nx.topological_generations(dag)]
    except nx.NetworkXUnfeasible:  # a cycle: the engine orders statements within one call
        generations = [sorted(file_of)]
    chunks = [[f for f in nodes_of if not nodes_of[f]]]
    for generation in generations:
        files = [file_of[uid] for uid in generation]
        chunks.extend(files[i : i + _CHUNK] for i in range(0, len(files), _CHUNK))
    return [c for c in chunks if c]


# -- the workspace operation -----------------------------------------------------------------------


@dataclass(frozen=True)
class DbtReport:
    """What `workbench lineage build --dbt-manifest` did."""

    project: str
    adapter: str
    dialect: str
    nodes: Mapping[str, int]  # model, ephemeral, python, snapshot, seed, source -> count
    skipped: Mapping[str, int]  # disabled, test, analysis, operation, ... -> count
    fallbacks: tuple[str, ...]  # unique_ids traced at table level only
    rendered: tuple[str, ...]  # unique_ids rendered from raw code
    build: BuildReport
    tables: Mapping[str, str] = field(default_factory=dict)  # unique_id -> the graph table

    def to_json(self) -> dict[str, object]:
        return {
            "project": self.project,
            "adapter": self.adapter,
            "dialect": self.dialect,
            "nodes": dict(self.nodes),
            "skipped": dict(self.skipped),
            "fallbacks": list(self.fallbacks),
            "rendered_from_raw": list(self.rendered),
            **self.build.to_json(),
            "tables": dict(self.tables),
        }

    def summary(self) -> str:
        nodes = ", ".join(f"{n} {k}" for k, n in self.nodes.items()) or "no nodes"
        skipped = ", ".join(f"{n} {k}" for k, n in self.skipped.items()) or "nothing"
        lines = [
            f"dbt project {self.project} ({self.adapter}, dialect {self.dialect or 'generic'}): {nodes}; "
            f"skipped {skipped}.",
            f"Lineage: {len(self.build.traced)} files traced in {self.build.seconds:.2f}s, "
            f"{self.build.edges} edges over {self.build.columns} columns, "
            f"{self.build.phi_columns} columns carry PHI.",
        ]
        if self.fallbacks:
            lines.append(
                f"Table-level lineage only for {len(self.fallbacks)} nodes: {', '.join(self.fallbacks)}"
            )
        if self.rendered:
            lines.append(f"Rendered from raw code (no compiled SQL): {len(self.rendered)} nodes.")
        lines.extend(f"  error {e}" for e in self.build.errors)
        return "\n".join(lines)


def build_dbt(
    settings: Settings,
    manifest: Path,
    catalog: Path | None = None,
    *,
    progress: Progress = silent,
) -> DbtReport:
    """Trace a dbt project's manifest (and catalog) into the workspace graph; recorded in the ledger."""
    principal = None
    with contextlib.suppress(NoSession):
        principal = session.current(settings)
    guard = NameGuard.of(settings)
    detail: dict[str, object] = {"source": "dbt", "manifest": guard.location(Path(manifest).name)}
    if catalog is not None:
        detail["catalog"] = guard.location(Path(catalog).name)
    try:
        try:
            project = DbtProject.read(Path(manifest), Path(catalog) if catalog is not None else None)
        except (AttributeError, TypeError, KeyError, ValueError, RecursionError) as exc:
            raise BadInput(
                f"The dbt manifest {Path(manifest).name} does not have the shape dbt writes "
                f"({type(exc).__name__}); pass target/manifest.json of a dbt project."
            ) from None
        detail.update(project=guard.name(project.name), adapter=project.adapter)
        report = _build(settings, project, progress)
    except Exception as error:
        detail["error"] = type(error).__name__
        audit.record(settings, "lineage", "error", detail, principal)
        raise
    detail.update(
        dialect=report.dialect,
        nodes=dict(report.nodes),
        skipped=dict(report.skipped),
        fallbacks=len(report.fallbacks),
        rendered=len(report.rendered),
        traced=len(report.build.traced),
        removed=len(report.build.removed),
        edges=report.build.edges,
        columns=report.build.columns,
        phi_columns=report.build.phi_columns,
        errors=[{"file": Path(e.file).name, "line": e.line, "col": e.col} for e in report.build.errors],
    )
    audit.record(settings, "lineage", "ok", detail, principal)
    return report


def _build(settings: Settings, project: DbtProject, progress: Progress) -> DbtReport:
    folder = lineage_folder(settings)
    guard = NameGuard.of(settings)
    base = folder / "dbt" / safe_name(guard.name(project.name))
    made = plan(project, guard)
    paths = {name: str(base / name) for name in made.files}
    texts = {paths[name]: text for name, text in made.files.items()}
    with locked(folder):
        graph = LineageGraph.load(folder)
        origins = load_origins(folder)
        write_files(texts)
        removed = stale_files(graph, base, texts)
        for path in removed:
            Path(path).unlink(missing_ok=True)
        results = trace_in_chunks(
            graph,
            [[paths[name] for name in chunk] for chunk in made.chunks],
            texts,
            project.dialect,
            removed=removed,
            progress=progress,
            description=f"dbt {project.name}",
            guard=guard,
            sources=load_source_paths(folder, guard.location),
        )
        for name, uid in made.nodes_of.items():
            label = (
                safe_uid(uid, guard) or f"{name.strip('_').removesuffix('.sql')}.{guard.name(project.name)}"
            )
            origins[paths[name]] = Origin("dbt", label, source="manifest.json")
        graph.save(folder)
        save_origins(folder, origins, graph)
        tags = graph.propagate(catalog_seeds(graph, Catalog.load(settings.catalog_path)))
        traced = tuple(dict.fromkeys(p for r in results for p in r.traced))
        errors = tuple(graph.errors(texts))
        build = BuildReport(
            files=len(texts),
            traced=traced,
            removed=tuple(removed),
            statements=sum(graph.files[p].statements for p in texts if p in graph.files),
            edges=graph.edge_count(),
            columns=graph.graph.number_of_nodes(),
            phi_columns=sum(1 for t in tags.values() if t.direct),
            errors=errors + _fallback_notes(made, paths),
            seconds=sum(r.seconds for r in results),
            tags=tags,
        )
    return DbtReport(
        project=guard.name(project.name),
        adapter=project.adapter,
        dialect=project.dialect,
        nodes=project.counts(),
        skipped=dict(sorted(project.skipped.items())),
        fallbacks=tuple(sorted(safe_uid(made.nodes_of[n], guard) for n in made.fallbacks)),
        rendered=tuple(sorted(safe_uid(u, guard) for u in made.rendered)),
        build=build,
        tables={
            safe_uid(uid, guard): guard.table(node.relation) for uid, node in sorted(project.nodes.items())
        },
    )


def _fallback_notes(made: DbtPlan, paths: Mapping[str, str]) -> tuple[FileError, ...]:
    return tuple(
        FileError(paths[name], 1, 1, f"table-level lineage only ({fallback.why})")
        for name, fallback in sorted(made.fallbacks.items())
        if not fallback.why.startswith("a python model")
    )


def models_in(project: DbtProject) -> list[DbtNode]:
    """The project's models and snapshots, ephemeral ones included (what the graph must show)."""
    return sorted(
        (n for n in project.nodes.values() if n.resource_type in MODEL_TYPES), key=lambda n: n.unique_id
    )


def relations(nodes: Iterable[DbtNode]) -> set[str]:
    return {n.relation for n in nodes}
