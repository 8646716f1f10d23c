"""Turn a SQL query into column edges.

The governed path uses this to record, for every output column, which warehouse columns it
comes from, and which columns the query read anywhere (filters, joins, sort keys). Edges carry
OpenLineage's transformation vocabulary: DIRECT (IDENTITY, TRANSFORMATION, AGGREGATION) and
INDIRECT (FILTER, JOIN, GROUP_BY, SORT, WINDOW, CONDITIONAL). INDIRECT edges that shape every
row of the output point at the target `*`.

Resolution follows sqlglot's scopes after `qualify`: a column is traced through CTEs, derived
tables and set operations (by position) down to a base table. What cannot be traced is kept,
graded `unresolved`, never dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, build_scope

from workbench.errors import SqlError

EdgeType = Literal["DIRECT", "INDIRECT"]
Subtype = Literal[
    "IDENTITY", "TRANSFORMATION", "AGGREGATION", "FILTER", "JOIN", "GROUP_BY", "SORT", "WINDOW", "CONDITIONAL"
]
Grade = Literal["resolved", "inferred", "unresolved"]

# How strongly a path transforms a value: the strongest step along a path wins.
_STRENGTH: dict[str, int] = {"IDENTITY": 0, "TRANSFORMATION": 1, "AGGREGATION": 2}

# Clauses whose columns shape every row of a scope's output, and the INDIRECT subtype they give.
_ROW_CLAUSES: tuple[tuple[str, Subtype], ...] = (
    ("where", "FILTER"),
    ("having", "FILTER"),
    ("qualify", "FILTER"),
    ("joins", "JOIN"),
    ("group", "GROUP_BY"),
    ("order", "SORT"),
)


@dataclass(frozen=True, order=True)
class ColumnRef:
    """A column of a warehouse table, named in lower case (DuckDB matches names case-insensitively)."""

    table: str
    column: str

    def __str__(self) -> str:
        return f"{self.table}.{self.column}"


@dataclass(frozen=True)
class Edge:
    source: ColumnRef
    target: str  # an output column name, or "*" for every row of the output
    type: EdgeType
    subtype: Subtype
    grade: Grade = "resolved"


@dataclass(frozen=True)
class QueryLineage:
    """Where each output column of one query comes from, and what the query read."""

    outputs: tuple[str, ...]
    edges: tuple[Edge, ...]
    referenced: frozenset[ColumnRef]
    unresolved: tuple[str, ...] = ()

    def sources_of(self, output: str) -> frozenset[ColumnRef]:
        return frozenset(e.source for e in self.edges if e.target == output and e.type == "DIRECT")


Schema = Mapping[str, Mapping[str, str]]


@dataclass
class _Tracer:
    schema: Schema
    unresolved: list[str] = field(default_factory=list)
    _memo: dict[tuple[int, int], dict[ColumnRef, str]] = field(default_factory=dict)

    def table_columns(self, table: exp.Table) -> list[ColumnRef]:
        name = table_name(table)
        return [ColumnRef(name, c.lower()) for c in self.schema.get(name, {})]

    def column(self, scope: Scope, column: exp.Column) -> dict[ColumnRef, str]:
        """Base columns behind one column reference, with the strongest transform on the way."""
        alias, name = column.table, column.name
        if not alias and name in _visible_sources(scope):
            alias, name = name, "*"  # DuckDB whole-row reference: `SELECT p FROM patients p`
        source = _find_source(scope, alias) if alias else None
        if source is None:
            self.unresolved.append(f"?.{name}")
            return {}
        if isinstance(source, exp.Table):
            if name == "*":
                return dict.fromkeys(self.table_columns(source), "TRANSFORMATION")
            return {ColumnRef(table_name(source), name.lower()): "IDENTITY"}
        if name == "*":
            merged: dict[ColumnRef, str] = {}
            for position in range(len(_named_selects(source))):
                _merge(merged, self.output(source, position), floor="TRANSFORMATION")
            return merged
        names = [n.lower() for n in _named_selects(source)]
        if name.lower() not in names:
            self.unresolved.append(f"?.{name}")
            return {}
        return self.output(source, names.index(name.lower()))

    def output(self, scope: Scope, position: int) -> dict[ColumnRef, str]:
        """Base columns behind the output at `position` of a scope (set operations by position)."""
        key = (id(scope), position)
        if key in self._memo:
            return self._memo[key]
        self._memo[key] = {}  # a cycle resolves to nothing rather than recursing forever
        result: dict[ColumnRef, str] = {}
        if isinstance(scope.expression, exp.SetOperation):
            for branch in scope.set_operation_scopes:
                _merge(result, self.output(branch, position))
        elif isinstance(scope.expression, exp.Select):
            selects = scope.expression.selects
            if position < len(selects):
                result = self.expression(scope, selects[position])
        self._memo[key] = result
        return result

    def expression(self, scope: Scope, node: exp.Expr) -> dict[ColumnRef, str]:
        """DIRECT sources of one select expression."""
        bare = node.unalias() if isinstance(node, exp.Alias) else node
        result: dict[ColumnRef, str] = {}
        for col in _own_columns(bare):
            if _is_indirect_position(col, bare):
                continue
            step = "IDENTITY" if col is bare else "TRANSFORMATION"
            if col.find_ancestor(exp.AggFunc) is not None:
                step = "AGGREGATION"
            for ref, kind in self.column(scope, col).items():
                _merge(result, {ref: kind}, floor=step)
        for whole_row in bare.find_all(exp.TableColumn):
            source = _find_source(scope, whole_row.name)
            if isinstance(source, exp.Table):
                _merge(result, dict.fromkeys(self.table_columns(source), "TRANSFORMATION"))
            elif isinstance(source, Scope):
                for position in range(len(_named_selects(source))):
                    _merge(result, self.output(source, position), floor="TRANSFORMATION")
            else:
                self.unresolved.append(f"?.{whole_row.name}")
        for sub_scope in scope.subquery_scopes:
            if sub_scope.expression.parent is not None and _is_within(sub_scope.expression, bare):
                _merge(result, self.output(sub_scope, 0), floor="TRANSFORMATION")
        if has_open_star(bare):
            self.unresolved.append("?.*")
        return result


def has_open_star(node: exp.Expr) -> bool:
    """True when `node` selects columns by pattern that qualification could not expand."""
    if node.find(exp.Columns) is not None:
        return True
    return any(star.find_ancestor(exp.Count) is None for star in node.find_all(exp.Star))


def _is_within(node: exp.Expr, top: exp.Expr) -> bool:
    current: exp.Expr | None = node
    while current is not None:
        if current is top:
            return True
        current = current.parent
    return False


def _merge(into: dict[ColumnRef, str], new: Mapping[ColumnRef, str], floor: str = "IDENTITY") -> None:
    for ref, kind in new.items():
        strongest = max(kind, floor, into.get(ref, "IDENTITY"), key=_STRENGTH.__getitem__)
        into[ref] = strongest


def _own_columns(node: exp.Expr) -> list[exp.Column]:
    """Column nodes of `node`, not descending into nested subqueries (they are scopes of their own)."""
    if isinstance(node, exp.Column):
        return [node]
    found = []
    for col in node.find_all(exp.Column):
        if col.find_ancestor(exp.Subquery, exp.Select) in (None, node.find_ancestor(exp.Select)):
            found.append(col)
    return found


def _is_indirect_position(col: exp.Column, top: exp.Expr) -> bool:
    """True for a column that only decides *which* value appears: a CASE condition or a window key."""
    node: exp.Expr | None = col
    while node is not None and node is not top:
        parent = node.parent
        if isinstance(parent, exp.If) and node.arg_key == "this":
            return True
        if isinstance(parent, exp.Case) and node.arg_key == "this":
            return True
        if isinstance(parent, exp.Window) and node.arg_key in {"partition_by", "order"}:
            return True
        if (
            isinstance(parent, exp.Ordered)
            and isinstance(parent.parent, exp.Order)
            and isinstance(parent.parent.parent, exp.Window)
        ):
            return True
        node = parent
    return False


def _indirect_subtype(col: exp.Column, top: exp.Expr) -> Subtype:
    return "WINDOW" if col.find_ancestor(exp.Window) is not None else "CONDITIONAL"


def _visible_sources(scope: Scope) -> set[str]:
    names: set[str] = set()
    current: Scope | None = scope
    while current is not None:
        names.update(current.sources)
        current = current.parent
    return names


def _find_source(scope: Scope, alias: str) -> exp.Table | Scope | None:
    current: Scope | None = scope
    while current is not None:
        if alias in current.sources:
            return current.sources[alias]
        current = current.parent
    return None


def _named_selects(scope: Scope) -> list[str]:
    expression = scope.expression
    while isinstance(expression, exp.SetOperation):
        expression = expression.this
    if isinstance(expression, exp.Subquery):
        expression = expression.unnest()
    return list(expression.named_selects) if isinstance(expression, exp.Query) else []


def table_name(table: exp.Table) -> str:
    """A base table's name as the catalog knows it: `name`, or `schema.name` outside `main`."""
    db = (table.db or "").lower()
    name = table.name.lower()
    return name if db in ("", "main") else f"{db}.{name}"


def query_lineage(expression: exp.Expr, schema: Schema, dialect: str = "duckdb") -> QueryLineage:
    """Column lineage of one query. `schema` maps table -> column -> type (names in lower case)."""
    try:
        qualified = qualify(
            expression.copy(),
            schema={t: dict(cols) for t, cols in schema.items()},
            dialect=dialect,
            validate_qualify_columns=False,
            quote_identifiers=False,
        )
        root = build_scope(qualified)
    except SqlglotError as exc:
        raise SqlError(
            f"Could not trace the query's columns ({type(exc).__name__}); check the SQL."
        ) from None
    if root is None:
        raise SqlError("Could not trace the query's columns; check the SQL.")
    tracer = _Tracer(schema)
    outputs = tuple(_named_selects(root))
    edges: list[Edge] = []
    for position, name in enumerate(outputs):
        for ref, kind in sorted(tracer.output(root, position).items()):
            edges.append(Edge(ref, name, "DIRECT", kind))  # type: ignore[arg-type]

    referenced: set[ColumnRef] = set()
    for scope in root.traverse():
        base_tables = [s for s in scope.sources.values() if isinstance(s, exp.Table)]
        before = len(tracer.unresolved)
        for col in scope.columns:
            refs = tracer.column(scope, col)
            referenced.update(refs)
            subtype = _clause_subtype(col, scope)
            if subtype is not None and scope is root:
                edges.extend(Edge(ref, "*", "INDIRECT", subtype) for ref in sorted(refs))
        if isinstance(scope.expression, exp.Select):
            for position, select in enumerate(scope.expression.selects):
                bare = select.unalias() if isinstance(select, exp.Alias) else select
                for col in _own_columns(bare):
                    if not _is_indirect_position(col, bare):
                        continue
                    refs = tracer.column(scope, col)
                    if scope is root:
                        target = outputs[position] if position < len(outputs) else "*"
                        subtype = _indirect_subtype(col, bare)
                        edges.extend(Edge(ref, target, "INDIRECT", subtype) for ref in sorted(refs))
            for whole_row in scope.expression.find_all(exp.TableColumn):
                source = _find_source(scope, whole_row.name)
                if isinstance(source, exp.Table):
                    referenced.update(tracer.table_columns(source))
            if any(has_open_star(select) for select in scope.expression.selects):
                before = -1  # an unexpanded star: be conservative below
        if len(tracer.unresolved) != before:
            # Something in this scope could not be traced: count every column of its tables as read.
            for table in base_tables:
                referenced.update(tracer.table_columns(table))
    return QueryLineage(
        outputs=outputs,
        edges=tuple(dict.fromkeys(edges)),
        referenced=frozenset(referenced),
        unresolved=tuple(dict.fromkeys(tracer.unresolved)),
    )


def _clause_subtype(col: exp.Column, scope: Scope) -> Subtype | None:
    """The INDIRECT subtype of a column used in a row-shaping clause of its scope, if any."""
    node: exp.Expr | None = col
    while node is not None and node is not scope.expression:
        parent = node.parent
        if parent is scope.expression:
            for key, subtype in _ROW_CLAUSES:
                if node.arg_key == key:
                    return subtype
            return None
        if isinstance(parent, exp.Join) and node.arg_key in {"on", "using"}:
            return "JOIN"
        node = parent
    return None
