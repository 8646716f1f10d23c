"""One SQL statement -> column edges into the table (or file) it writes.

Statement kinds: CREATE TABLE/VIEW ... AS (and a column list), CREATE TABLE (columns) as a schema,
INSERT ... SELECT (by position, honouring the INSERT column list), SELECT ... INTO, MERGE (the ON
condition is a JOIN, each WHEN's condition CONDITIONAL for the columns it assigns), UPDATE ... SET
pairs, COPY ... TO and EXPORT DATA (writes outside the warehouse), CREATE TABLE ... CLONE and ALTER
TABLE ... ADD COLUMN. Other statements (DROP, SET, GRANT, a bare SELECT) write nothing.

Table names keep every part the SQL gives, each lower-cased unless quoted; a name with fewer parts
is completed with the statement's default schema (and catalog) when that table is known
(`patients` -> `main.patients`), as the SQL engine would. Before qualification each base table is renamed to a private identifier and the
schema holds exactly the tables the statement reads, so names of any depth mix freely; a table with
no known columns simply has no schema.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Literal

from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import build_scope
from sqlglot.schema import MappingSchema

from workbench.lineage.sql import (
    ColumnRef,
    Edge,
    EdgeType,
    Grade,
    Subtype,
    Transform,
    ident,
    trace,
)

StatementKind = Literal[
    "create_table", "create_view", "insert", "select_into", "merge", "update", "copy", "export", "clone",
    "ddl", "alter", "model",
]  # fmt: skip
FILE_PREFIX = "file:"
_PRIVATE = "_wb_t"


@dataclass(frozen=True, order=True)
class ColumnEdge:
    """An edge of the column graph: `source` feeds `target` (a column, or `table.*` for every row)."""

    source: ColumnRef
    target: ColumnRef
    type: EdgeType
    subtype: Subtype
    grade: Grade = "resolved"
    transform: Transform | None = None

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (str(self.source), str(self.target), self.type, self.subtype)

    def line(self) -> str:
        """The fixture form: `source -> target TYPE SUBTYPE grade [transform]`."""
        text = f"{self.source} -> {self.target} {self.type} {self.subtype} {self.grade}"
        return f"{text} {self.transform}" if self.transform else text


@dataclass(frozen=True)
class StatementLineage:
    """What one statement writes and where each written column comes from."""

    kind: StatementKind
    target: str
    columns: tuple[str, ...] | None  # the target's columns when this statement defines them
    edges: tuple[ColumnEdge, ...]
    reads: tuple[str, ...]
    external: bool = False  # writes outside the warehouse (COPY ... TO, EXPORT)


@dataclass(frozen=True)
class Footprint:
    """What a statement touches, known before tracing: used to order statements."""

    target: str | None
    defines: bool
    reads: tuple[str, ...]


# -- table names -------------------------------------------------------------------------------


def table_parts(table: exp.Table) -> str:
    """`catalog.db.name` with the parts the SQL gives."""
    parts = [ident(table.args.get(key)) for key in ("catalog", "db", "this")]
    return ".".join(p for p in parts if p)


WAREHOUSE_SCHEMA = "main"


@dataclass
class TableIndex:
    """Known tables and their columns (None when unknown); resolves names as a SQL engine would.

    A bare or partly qualified name is looked up in the statement's default catalog and schema
    (`search`: the warehouse's `main` for plain SQL and query logs, a dbt model's target database
    and schema): `patients` is `patients` or `main.patients`, never `clinic.raw.patients` of
    another catalog just because it is the only table with that last part.
    """

    _columns: dict[str, tuple[str, ...] | None] = field(default_factory=dict)
    _models: set[str] = field(default_factory=set)
    search: tuple[str | None, str] = (None, WAREHOUSE_SCHEMA)  # (default catalog, default schema)

    def add(self, name: str, columns: Iterable[str] | None) -> None:
        """Record `name`; `columns` replaces what was known unless it is None."""
        if name not in self._columns:
            self._columns[name] = None
        if columns is not None:
            self._columns[name] = tuple(dict.fromkeys(columns))

    def define(self, name: str, columns: Iterable[str] | None) -> None:
        """Record what a statement that (re)creates `name` says its columns are, even when unknown."""
        self.add(name, columns)
        if columns is None:
            self._columns[name] = None

    def resolve(self, name: str) -> str:
        """`name` if known, else `name` completed with the default schema (and catalog) if that is
        known, else `name` as given."""
        for candidate in (name, name.lower()) if name != name.lower() else (name,):
            if candidate in self._columns:
                return candidate
        catalog, schema = self.search
        parts = name.split(".")
        completions = []
        if len(parts) == 1:
            completions.append(f"{schema}.{name}")
            if catalog:
                completions.append(f"{catalog}.{schema}.{name}")
        elif len(parts) == 2 and catalog:
            completions.append(f"{catalog}.{name}")
        for candidate in completions:
            if candidate in self._columns:
                return candidate
        for i in range(1, len(parts)):  # `project.dataset.model` read from a file named `model.sql`
            if ".".join(parts[i:]) in self._models:
                return ".".join(parts[i:])
        return name

    def add_model(self, name: str) -> None:
        """Record a table defined by a file holding one bare query (named after the file)."""
        self._models.add(name)
        self.add(name, None)

    def columns(self, name: str) -> tuple[str, ...] | None:
        return self._columns.get(name)


# -- footprints --------------------------------------------------------------------------------


def _read_tables(node: exp.Expr | None, skip: exp.Expr | None = None) -> list[exp.Table]:
    """Base tables read in `node`: every table reference except CTE names (one walk of the tree)."""
    if node is None:
        return []
    ctes: set[str] = set()
    tables: list[exp.Table] = []
    for found in node.find_all(exp.Table, exp.CTE):
        if isinstance(found, exp.CTE):
            if found.args.get("alias"):
                ctes.add(ident(found.args["alias"].this))
        elif isinstance(found, exp.Table) and found is not skip and isinstance(found.this, exp.Identifier):
            tables.append(found)
    return [t for t in tables if t.args.get("db") or ident(t.this) not in ctes]


def _target_table(node: exp.Expr | None) -> exp.Table | None:
    if isinstance(node, exp.Schema):
        node = node.this
    return node if isinstance(node, exp.Table) and isinstance(node.this, exp.Identifier) else None


def footprint(statement: exp.Expr) -> Footprint:
    """The table a statement writes (and whether it defines its columns) and the tables it reads."""
    target: exp.Table | None = None
    defines = False
    if isinstance(statement, exp.Create) and _create_kind(statement):
        target, defines = _target_table(statement.this), True
    elif isinstance(statement, exp.Insert | exp.Merge | exp.Alter):
        target = _target_table(statement.this)
        defines = isinstance(statement, exp.Alter)
    elif isinstance(statement, exp.Update):
        target = _update_target(statement)
    elif isinstance(statement, exp.Select) and isinstance(statement.args.get("into"), exp.Into):
        target, defines = _target_table(statement.args["into"].this), True
    reads = [table_parts(t) for t in _read_tables(statement, skip=target)]
    if target is not None and not defines:
        reads.append(table_parts(target))  # position mapping needs the target's columns
    return Footprint(
        target=table_parts(target) if target is not None else None,
        defines=defines,
        reads=tuple(dict.fromkeys(reads)),
    )


def _create_kind(statement: exp.Create) -> StatementKind | None:
    kind = str(statement.args.get("kind") or "").upper()
    if kind not in {"TABLE", "VIEW"}:
        return None
    if statement.args.get("clone") is not None:
        return "clone"
    if isinstance(statement.expression, exp.Query):
        return "create_view" if kind == "VIEW" else "create_table"
    return "ddl"


def _update_target(statement: exp.Update) -> exp.Table | None:
    """The table an UPDATE writes; in T-SQL `UPDATE t ... FROM dbo.tbl t` names it by its alias."""
    target = _target_table(statement.this)
    if target is None:
        return None
    if not target.args.get("db"):
        source = statement.args.get("from_")
        for table in source.find_all(exp.Table) if source else ():
            named = table.alias or (table.name if not table.args.get("db") else "")
            if named and named.lower() == target.name.lower():
                return table
    return target


# -- tracing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Traced:
    outputs: tuple[str, ...]
    edges: tuple[Edge, ...]
    reads: tuple[str, ...]


def _schema_name(name: str, dialect: Dialect) -> str:
    """A column name as qualification normalizes it: mixed case was quoted and stays as written."""
    identifier = exp.to_identifier(name, quoted=name != name.lower())
    return dialect.normalize_identifier(identifier).name


def trace_query(query: exp.Expr, tables: TableIndex, dialect: str) -> _Traced:
    """Qualify one query against the known tables and trace its columns."""
    dialect_obj = Dialect.get_or_raise(dialect)
    query = query.copy()
    while isinstance(query, exp.Subquery) and not query.alias:  # `CREATE TABLE t AS (SELECT ...)`
        query = query.this
    full_names: dict[str, str] = {}
    private: dict[str, str] = {}
    schema: dict[str, object] = {}
    for table in _read_tables(query):
        full = tables.resolve(table_parts(table))
        name = private.setdefault(full, f"{_PRIVATE}{len(private)}")
        full_names[name] = full
        if not table.args.get("alias"):
            table.set("alias", exp.TableAlias(this=table.this.copy()))
        table.set("this", exp.to_identifier(name, quoted=True))
        table.set("db", None)
        table.set("catalog", None)
        columns = tables.columns(full)
        if columns:
            schema[name] = {_schema_name(c, dialect_obj): "VARCHAR" for c in columns}

    def name_of(table: exp.Table) -> str:
        return full_names.get(table.name, table_parts(table))

    def columns_of(name: str) -> list[str] | None:
        columns = tables.columns(name)
        return None if columns is None else list(columns)

    try:
        qualified = qualify(
            query,
            schema=MappingSchema(dict(schema), dialect=dialect, normalize=False),
            dialect=dialect,
            validate_qualify_columns=False,
            quote_identifiers=False,
            identify=False,
        )
    except SqlglotError:  # e.g. a LATERAL whose sources have no schema: qualify tables only
        qualified = qualify(
            query,
            dialect=dialect,
            qualify_columns=False,
            validate_qualify_columns=False,
            quote_identifiers=False,
            identify=False,
        )
    root = build_scope(qualified)
    if root is None:
        return _Traced((), (), tuple(full_names.values()))
    _, outputs, edges = trace(root, name_of, columns_of)
    canonical = dict(zip(outputs, _output_names(qualified, outputs), strict=True))
    canonical["*"] = "*"
    named = [replace(e, target=canonical.get(e.target, e.target)) for e in edges]
    return _Traced(tuple(canonical[n] for n in outputs), tuple(named), tuple(full_names.values()))


def _output_names(query: exp.Expr, raw: tuple[str, ...]) -> list[str]:
    """Output names as lineage spells them: lower case unless the alias or column was quoted."""
    while isinstance(query, exp.SetOperation):
        query = query.this
    if isinstance(query, exp.Subquery):
        query = query.unnest()
    selects = query.selects if isinstance(query, exp.Select) else []
    names = []
    for i, name in enumerate(raw):
        select = selects[i] if i < len(selects) else None
        identifier = None
        if isinstance(select, exp.Alias):
            identifier = select.args.get("alias")
        elif isinstance(select, exp.Column) and isinstance(select.this, exp.Identifier):
            identifier = select.this
        if name == "*" or identifier is None or identifier.name != name:
            names.append(name if name == "*" or name != name.lower() else name.lower())
        else:
            names.append(ident(identifier))
    return names


def _column_edges(
    traced: _Traced, target: str, columns: list[str | None], *, by_name: bool = False
) -> list[ColumnEdge]:
    """Map the query's outputs (by position) onto the target's columns; `None` drops an output."""
    position_of: dict[str, list[int]] = {}
    for i, name in enumerate(traced.outputs):
        position_of.setdefault(name, []).append(i)
    edges: list[ColumnEdge] = []
    for edge in traced.edges:
        if edge.target == "*":
            targets: list[str] = ["*"]
        else:
            targets = [c for i in position_of.get(edge.target, []) if (c := columns[i]) is not None]
        grade = edge.grade
        if by_name and grade == "resolved" and edge.target != "*":
            grade = "inferred"  # the target column was matched by name, not by a known position
        for column in targets:
            edges.append(
                ColumnEdge(
                    edge.source, ColumnRef(target, column), edge.type, edge.subtype, grade, edge.transform
                )
            )
    return edges


def _positional(outputs: tuple[str, ...], names: list[str]) -> list[str | None]:
    columns: list[str | None] = []
    for i, output in enumerate(outputs):
        columns.append("*" if output == "*" else names[i] if i < len(names) else None)
    return columns


def is_bare_query(statement: exp.Expr) -> bool:
    """A SELECT (or set operation) that writes nothing itself."""
    return isinstance(statement, exp.Query) and not isinstance(statement.args.get("into"), exp.Into)


def trace_statement(
    statement: exp.Expr, tables: TableIndex, dialect: str, model: str | None = None
) -> StatementLineage | None:
    """The lineage of one statement, or None when it writes nothing lineage follows.

    `model` names the table a bare query defines when it is the only statement of its file
    (dbt models and the concept queries of projects such as MIMIC are written so).
    """
    if model is not None and is_bare_query(statement):
        traced = trace_query(statement, tables, dialect)
        columns = _positional(traced.outputs, list(traced.outputs))
        defined = None if "*" in columns else tuple(c for c in columns if c is not None)
        edges = tuple(_column_edges(traced, model, columns))
        return StatementLineage("model", model, defined, edges, traced.reads)
    if isinstance(statement, exp.Create):
        return _create(statement, tables, dialect)
    if isinstance(statement, exp.Insert):
        return _insert(statement, tables, dialect)
    if isinstance(statement, exp.Select) and isinstance(statement.args.get("into"), exp.Into):
        return _select_into(statement, tables, dialect)
    if isinstance(statement, exp.Merge):
        return _merge(statement, tables, dialect)
    if isinstance(statement, exp.Update):
        return _update(statement, tables, dialect)
    if isinstance(statement, exp.Copy):
        return _copy(statement, tables, dialect)
    if isinstance(statement, exp.Export):
        return _export(statement, tables, dialect)
    if isinstance(statement, exp.Alter):
        return _alter(statement, tables)
    return None


def _create(statement: exp.Create, tables: TableIndex, dialect: str) -> StatementLineage | None:
    kind = _create_kind(statement)
    table = _target_table(statement.this)
    if kind is None or table is None:
        return None
    target = table_parts(table)
    listed = [
        ident(e.this if isinstance(e, exp.ColumnDef) else e)
        for e in (statement.this.expressions if isinstance(statement.this, exp.Schema) else [])
        if isinstance(e, exp.ColumnDef | exp.Identifier)
    ]
    if kind == "ddl":
        like = statement.find(exp.LikeProperty)
        if like is not None and isinstance(like.this, exp.Table):
            source_columns = tables.columns(tables.resolve(table_parts(like.this)))
            return StatementLineage("ddl", target, source_columns, (), ())
        return StatementLineage("ddl", target, tuple(listed) if listed else None, (), ())
    if kind == "clone":
        source = tables.resolve(table_parts(statement.args["clone"].this))
        cloned = tables.columns(source)
        pairs: list[tuple[str, Grade]] = [(c, "resolved") for c in cloned] if cloned else [("*", "inferred")]
        edges = tuple(
            ColumnEdge(ColumnRef(source, c), ColumnRef(target, c), "DIRECT", "IDENTITY", grade)
            for c, grade in pairs
        )
        return StatementLineage("clone", target, cloned, edges, (source,))
    traced = trace_query(statement.expression, tables, dialect)
    names = listed or list(traced.outputs)
    columns = _positional(traced.outputs, names)
    defined = None if "*" in columns else tuple(c for c in columns if c is not None)
    return StatementLineage(
        kind, target, defined, tuple(_column_edges(traced, target, columns)), traced.reads
    )


def _insert(statement: exp.Insert, tables: TableIndex, dialect: str) -> StatementLineage | None:
    table = _target_table(statement.this)
    query = statement.expression
    if table is None or not isinstance(query, exp.Query):
        return None
    target = tables.resolve(table_parts(table))
    traced = trace_query(_with_ctes(query, statement), tables, dialect)
    listed = [ident(e) for e in statement.this.expressions] if isinstance(statement.this, exp.Schema) else []
    known = tables.columns(target)
    by_name = False
    if listed:
        names = listed
    elif known and "*" not in traced.outputs:
        names = list(known)
    else:
        names, by_name = list(traced.outputs), True
    columns = _positional(traced.outputs, names)
    edges = _column_edges(traced, target, columns, by_name=by_name)
    return StatementLineage("insert", target, None, tuple(edges), traced.reads)


def _with_ctes(query: exp.Expr, statement: exp.Expr) -> exp.Expr:
    """The query with the CTEs its statement declares (`WITH c AS (...) INSERT INTO t SELECT ...`)."""
    with_ = statement.args.get("with_")
    if with_ is None or not isinstance(query, exp.Query):
        return query
    query = query.copy()
    own = query.args.get("with_")
    ctes = [c.copy() for c in with_.expressions] + (list(own.expressions) if own is not None else [])
    query.set("with_", exp.With(expressions=ctes, recursive=with_.args.get("recursive")))
    return query


def _select_into(statement: exp.Select, tables: TableIndex, dialect: str) -> StatementLineage | None:
    table = _target_table(statement.args["into"].this)
    if table is None:
        return None
    target = table_parts(table)
    query = statement.copy()
    query.set("into", None)
    traced = trace_query(query, tables, dialect)
    columns = _positional(traced.outputs, list(traced.outputs))
    defined = None if "*" in columns else tuple(c for c in columns if c is not None)
    return StatementLineage(
        "select_into", target, defined, tuple(_column_edges(traced, target, columns)), traced.reads
    )


_CONDITION = "_wb_condition"


def _assignments(
    pairs: list[tuple[str, exp.Expr]],
    condition: exp.Expr | None,
    source: exp.Expr,
    joins: list[exp.Expr],
    where: exp.Expr | None,
    with_: exp.Expr | None,
    target: str,
    tables: TableIndex,
    dialect: str,
) -> tuple[list[ColumnEdge], tuple[str, ...]]:
    """Edges for `SET column = value` pairs, traced as `SELECT value AS column FROM source ...`."""
    selects = [exp.alias_(value.copy(), f"_wb_c{i}") for i, (_, value) in enumerate(pairs)]
    names: list[str | None] = [column for column, _ in pairs]
    if condition is not None:
        selects.append(exp.alias_(condition.copy(), _CONDITION))
        names.append(None)
    if not selects:  # nothing assigned: only the row-shaping clauses are traced
        selects.append(exp.alias_(exp.Literal.number(1), "_wb_none"))
        names.append(None)
    query = exp.Select(expressions=selects)
    query.set("from_", exp.From(this=source.copy()))
    if joins:
        query.set("joins", [j.copy() for j in joins])
    if where is not None:
        query.set("where", where.copy())
    if with_ is not None:
        query.set("with_", with_.copy())
    traced = trace_query(query, tables, dialect)
    edges = _column_edges(traced, target, names)
    if condition is not None:
        assigned = [ColumnRef(target, column) for column, _ in pairs]
        for edge in traced.edges:
            if edge.target == _CONDITION:
                edges.extend(
                    ColumnEdge(edge.source, ref, "INDIRECT", "CONDITIONAL", edge.grade) for ref in assigned
                )
    return edges, traced.reads


def _merge(statement: exp.Merge, tables: TableIndex, dialect: str) -> StatementLineage | None:
    table = _target_table(statement.this)
    using = statement.args.get("using")
    if table is None or using is None:
        return None
    target = tables.resolve(table_parts(table))
    join = exp.Join(this=table.copy(), on=statement.args.get("on"), side="LEFT")
    edges: list[ColumnEdge] = []
    reads: list[str] = []
    whens = statement.args.get("whens")
    for when in whens.expressions if whens is not None else ():
        then = when.args.get("then")
        pairs: list[tuple[str, exp.Expr]] = []
        if isinstance(then, exp.Update):
            pairs = [
                (ident(eq.this.this), eq.expression) for eq in then.expressions if isinstance(eq, exp.EQ)
            ]
        elif isinstance(then, exp.Insert) and isinstance(then.this, exp.Tuple):
            values = then.expression.expressions if isinstance(then.expression, exp.Tuple) else []
            names = [ident(c.this if isinstance(c, exp.Column) else c) for c in then.this.expressions]
            pairs = list(zip(names, values, strict=False))
        if not pairs:
            continue
        found, read = _assignments(
            pairs, when.args.get("condition"), using, [join], None, statement.args.get("with_"), target,
            tables, dialect,
        )  # fmt: skip
        edges.extend(found)
        reads.extend(read)
    if not edges:  # no assignment traced: the ON condition still decides the target's rows
        found, read = _assignments(
            [], None, using, [join], None, statement.args.get("with_"), target, tables, dialect
        )
        edges.extend(found)
        reads.extend(read)
    return StatementLineage("merge", target, None, tuple(dict.fromkeys(edges)), tuple(dict.fromkeys(reads)))


def _update(statement: exp.Update, tables: TableIndex, dialect: str) -> StatementLineage | None:
    table = _update_target(statement)
    if table is None:
        return None
    target = tables.resolve(table_parts(table))
    pairs = [
        (ident(eq.this.this), eq.expression)
        for eq in statement.expressions
        if isinstance(eq, exp.EQ) and isinstance(eq.this, exp.Column)
    ]
    source: exp.Expr = statement.this
    joins: list[exp.Expr] = []
    from_ = statement.args.get("from_")
    if from_ is not None:
        first = from_.this.copy()
        inner_joins = first.args.pop("joins", None) or []
        if table is statement.this:  # `UPDATE t SET ... FROM s`: t joins the FROM sources
            joins = [exp.Join(this=first)]
        else:  # T-SQL: the target is one of the FROM sources
            source = first
        joins.extend(inner_joins)
    edges, reads = _assignments(
        pairs, None, source, joins, statement.args.get("where"), statement.args.get("with_"), target,
        tables, dialect,
    )  # fmt: skip
    return StatementLineage("update", target, None, tuple(dict.fromkeys(edges)), reads)


def _outbound(
    kind: StatementKind, query: exp.Expr, destination: str, tables: TableIndex, dialect: str
) -> StatementLineage:
    target = FILE_PREFIX + destination
    traced = trace_query(query, tables, dialect)
    columns = _positional(traced.outputs, list(traced.outputs))
    edges = _column_edges(traced, target, columns)
    return StatementLineage(kind, target, None, tuple(edges), traced.reads, external=True)


class UnclassifiedStatement(Exception):
    """A statement that may write outside the warehouse but whose destination could not be told.

    The message never holds SQL text: it is reported as an error of the file.
    """


def _copy(statement: exp.Copy, tables: TableIndex, dialect: str) -> StatementLineage | None:
    source = statement.this
    files = statement.args.get("files") or []
    if statement.args.get("kind"):  # COPY ... FROM: a load, unless Snowflake unloads into a stage or URL
        destination = _unload_destination(source)
        if destination is not None:
            if not files:
                raise UnclassifiedStatement("COPY INTO a stage or location without a source; not traced")
            inner = files[0]
            if isinstance(inner, exp.Subquery):
                stage_query: exp.Expr = inner.this
            elif isinstance(inner, exp.Table):
                stage_query = exp.select("*").from_(inner.copy())
            else:
                raise UnclassifiedStatement(
                    "COPY INTO a stage or location from an unknown source; not traced"
                )
            return _outbound("copy", stage_query, destination, tables, dialect)
        if isinstance(source, exp.Table | exp.Schema):
            return None  # a load into a warehouse table: the files it reads are not traced
        raise UnclassifiedStatement("COPY with a target that is neither a table nor a location; not traced")
    if isinstance(source, exp.Subquery):
        query: exp.Expr = source.this
    elif isinstance(source, exp.Schema) and isinstance(source.this, exp.Table):
        query = exp.select(*[exp.column(ident(c)) for c in source.expressions]).from_(source.this.copy())
    elif isinstance(source, exp.Table):
        query = exp.select("*").from_(source.copy())
    else:
        raise UnclassifiedStatement("COPY TO from a source that is neither a table nor a query; not traced")
    return _outbound("copy", query, _copy_destination(statement, files), tables, dialect)


def _unload_destination(target: exp.Expr | None) -> str | None:
    """The stage (`@stage/path`) or quoted location (`'s3://...'`) a Snowflake `COPY INTO` unloads into."""
    if not isinstance(target, exp.Table):
        return None
    if isinstance(target.this, exp.Literal) and target.this.is_string:
        return target.this.name or None
    if target.name.startswith("@"):
        return table_parts(target) or target.name
    return None


def _copy_destination(statement: exp.Copy, files: list[exp.Expr]) -> str:
    """Where `COPY ... TO` writes: a file path, STDOUT, or `program:<command word>`."""
    if not files:
        raise UnclassifiedStatement("COPY TO without a destination; not traced")
    first = files[0]
    if isinstance(first, exp.Literal) and first.is_string:
        return first.name
    if isinstance(first, exp.Identifier | exp.Var | exp.Column) and first.name.upper() == "STDOUT":
        return "STDOUT"
    if isinstance(first, exp.Identifier | exp.Var | exp.Column) and first.name.upper() == "PROGRAM":
        params = statement.args.get("params") or []
        command = params[0].this if params and isinstance(params[0], exp.CopyParameter) else None
        words = command.name.split() if isinstance(command, exp.Var | exp.Literal) else []
        if words:
            return "program:" + words[0].rsplit("/", 1)[-1]
        raise UnclassifiedStatement("COPY TO PROGRAM without a command; not traced")
    raise UnclassifiedStatement("COPY TO a destination that could not be classified; not traced")


def _export(statement: exp.Export, tables: TableIndex, dialect: str) -> StatementLineage | None:
    query = statement.this
    if not isinstance(query, exp.Query):
        raise UnclassifiedStatement("EXPORT without a query; not traced")
    destination = "export"
    options = statement.args.get("options")
    for prop in options.expressions if options is not None else ():
        if isinstance(prop, exp.Property) and prop.name.lower() == "uri":
            destination = prop.args["value"].name
    return _outbound("export", query, destination, tables, dialect)


def _alter(statement: exp.Alter, tables: TableIndex) -> StatementLineage | None:
    table = _target_table(statement.this)
    if table is None:
        return None
    target = tables.resolve(table_parts(table))
    added = [ident(a.this) for a in statement.args.get("actions") or () if isinstance(a, exp.ColumnDef)]
    known = tables.columns(target)
    if not added or known is None:
        return None
    return StatementLineage("alter", target, (*known, *added), (), ())
