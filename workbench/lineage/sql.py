"""Turn a SQL query into column edges.

The governed path uses this to record, for every output column, which warehouse columns it
comes from, and which columns the query read anywhere (filters, joins, sort keys); the lineage
engine (`workbench.lineage.statements`) uses the same tracer for every statement of a project.

Edges carry OpenLineage's transformation vocabulary. DIRECT edges say where an output value
comes from: IDENTITY (copied), TRANSFORMATION (computed), AGGREGATION (summarised). INDIRECT
edges say what decided it: CONDITIONAL (a CASE/IF/NULLIF condition, an aggregate's FILTER) and
WINDOW (a window's PARTITION BY/ORDER BY) point at the output column they shape; FILTER (WHERE,
HAVING, QUALIFY, EXISTS/IN subqueries there), JOIN (ON/USING), GROUP_BY and SORT (ORDER BY)
shape every row, so they point at the output `*`. An ORDER BY inside an aggregate
(`string_agg(x ORDER BY y)`) shapes that one column and is a SORT edge to it.

Indirect influence travels with the data: a CTE column that a CASE derived from `code` carries
`code` as a CONDITIONAL source into every column that copies it, and the filters and joins of
every CTE or derived table that feeds the output shape the output's rows.

DIRECT edges also record a protective transform on the way: `hash` (md5, sha*, ...),
`generalize` (year, left/substring, date_trunc to the year), `mask` (mask/redact functions, a
replacement by mask characters) or `count`. Tag propagation uses it to stop or downgrade PHI.

Resolution follows sqlglot's scopes after `qualify`: a column is traced through CTEs, derived
tables, UNNEST and set operations (by position) down to a base table. What cannot be traced is
kept as a source named `?.<column>`, graded `unresolved`, never dropped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
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
Transform = Literal["generalize", "hash", "mask", "count"]

DIRECT_SUBTYPES: tuple[Subtype, ...] = ("IDENTITY", "TRANSFORMATION", "AGGREGATION")
ROW_SUBTYPES: tuple[Subtype, ...] = ("FILTER", "JOIN", "GROUP_BY", "SORT")
UNRESOLVED_TABLE = "?"

# How strongly a path transforms a value: the strongest step along a path wins.
_STRENGTH: dict[str, int] = {"IDENTITY": 0, "TRANSFORMATION": 1, "AGGREGATION": 2}
# How much of a value survives a protective transform; along one path the strongest protection
# wins, across alternative paths the weakest (a value copied once in clear is in clear).
_PROTECTION: dict[Transform | None, int] = {None: 0, "generalize": 1, "hash": 2, "count": 3, "mask": 3}

# Clauses whose columns shape every row of a scope's output, and the INDIRECT subtype they give.
_ROW_CLAUSES: dict[str, Subtype] = {
    "where": "FILTER",
    "having": "FILTER",
    "qualify": "FILTER",
    "joins": "JOIN",
    "group": "GROUP_BY",
    "order": "SORT",
}


def _classes(*names: str) -> tuple[type[exp.Expr], ...]:
    return tuple(getattr(exp, n) for n in names if isinstance(getattr(exp, n, None), type))


_HASH_NODES = _classes(
    "MD5", "MD5Digest", "MD5NumberLower64", "MD5NumberUpper64", "SHA", "SHA1Digest", "SHA2", "SHA2Digest",
    "StandardHash", "FarmFingerprint", "CityHash64",
)  # fmt: skip
_HASH_NAMES = frozenset(
    {"hash", "md5", "sha", "sha1", "sha2", "sha256", "sha512", "hashbytes", "hash_md5", "hash_sha256",
     "md5_hex", "sha1_hex", "sha2_hex", "xxhash32", "xxhash64", "murmur3", "murmur_hash3_32", "hmac",
     "keyed_hash", "fingerprint"}
)  # fmt: skip
_MASK_NAMES = frozenset(
    {"mask", "redact", "anonymize", "mask_inner", "mask_outer", "mask_first_n", "mask_last_n",
     "mask_show_first_n", "mask_show_last_n", "mask_hash", "pseudonymize"}
)  # fmt: skip
_MASK_CHARACTERS = frozenset("*Xx#•")
# Window functions that pick a value from another row: a transformation, not a summary.
_NAVIGATION = _classes("Lag", "Lead", "FirstValue", "LastValue", "NthValue")
_COUNT_NODES = _classes("Count", "ApproxDistinct", "CountIf")
_TRUNC_NODES = _classes("DateTrunc", "TimestampTrunc", "DatetimeTrunc", "Trunc")


@dataclass(frozen=True, order=True)
class ColumnRef:
    """A column of a table: `table` is the dotted table name (`?` when it could not be traced)."""

    table: str
    column: str

    def __str__(self) -> str:
        return f"{self.table}.{self.column}"

    @property
    def resolved(self) -> bool:
        return self.table != UNRESOLVED_TABLE


@dataclass(frozen=True)
class Edge:
    """One edge of a query: `target` is an output column name, or `*` for every row of the output."""

    source: ColumnRef
    target: str
    type: EdgeType
    subtype: Subtype
    grade: Grade = "resolved"
    transform: Transform | None = None


@dataclass(frozen=True)
class QueryLineage:
    """Where each output column of one query comes from, and what the query read."""

    outputs: tuple[str, ...]
    edges: tuple[Edge, ...]
    referenced: frozenset[ColumnRef]
    unresolved: tuple[str, ...] = ()
    tables: tuple[str, ...] = ()  # the base tables the query reads

    def sources_of(self, output: str) -> frozenset[ColumnRef]:
        """The traced columns an output's value comes from (DIRECT edges)."""
        return frozenset(
            e.source for e in self.edges if e.target == output and e.type == "DIRECT" and e.source.resolved
        )


Schema = Mapping[str, Mapping[str, str]]


# -- traces: what one output column (or one column reference) depends on ------------------------


@dataclass
class _Trace:
    """DIRECT sources with their strongest step and protection, and column-level INDIRECT sources."""

    direct: dict[ColumnRef, tuple[str, Transform | None]] = field(default_factory=dict)
    indirect: dict[ColumnRef, dict[Subtype, None]] = field(default_factory=dict)

    def add_direct(self, ref: ColumnRef, step: str, transform: Transform | None) -> None:
        if ref in self.direct:
            old_step, old_transform = self.direct[ref]
            step = max(step, old_step, key=_STRENGTH.__getitem__)
            transform = min(transform, old_transform, key=_PROTECTION.__getitem__)
        self.direct[ref] = (step, transform)

    def add_indirect(self, ref: ColumnRef, subtype: Subtype) -> None:
        self.indirect.setdefault(ref, {})[subtype] = None

    def lift(self, source: _Trace, step: str, transform: Transform | None) -> None:
        """Add `source` seen through one more step: DIRECT sources get the step, INDIRECT keep theirs."""
        for ref, (kind, protection) in source.direct.items():
            self.add_direct(
                ref,
                max(kind, step, key=_STRENGTH.__getitem__),
                max(protection, transform, key=_PROTECTION.__getitem__),
            )
        for ref, subtypes in source.indirect.items():
            for subtype in subtypes:
                self.add_indirect(ref, subtype)

    def lift_indirect(self, source: _Trace, subtype: Subtype) -> None:
        """Add every source of `source` as an INDIRECT source of kind `subtype`."""
        for ref in source.refs():
            self.add_indirect(ref, subtype)

    def refs(self) -> list[ColumnRef]:
        return list(dict.fromkeys([*self.direct, *self.indirect]))


_Rows = dict[ColumnRef, dict[Subtype, None]]


def _add_rows(into: _Rows, refs: Iterable[ColumnRef], subtype: Subtype) -> None:
    for ref in refs:
        into.setdefault(ref, {})[subtype] = None


def _merge_rows(into: _Rows, rows: _Rows) -> None:
    for ref, subtypes in rows.items():
        into.setdefault(ref, {}).update(subtypes)


TableNamer = Callable[[exp.Table], str]
ColumnLister = Callable[[str], "list[str] | None"]


@dataclass
class Tracer:
    """Traces columns through the scopes of one qualified query.

    `name_of` names a base table; `columns_of` lists a named table's columns (None when unknown).
    """

    name_of: TableNamer
    columns_of: ColumnLister
    unresolved: list[str] = field(default_factory=list)
    _outputs: dict[tuple[int, int], _Trace] = field(default_factory=dict)
    _rows: dict[int, _Rows] = field(default_factory=dict)

    def grade(self, ref: ColumnRef) -> Grade:
        if not ref.resolved:
            return "unresolved"
        columns = self.columns_of(ref.table)
        return "resolved" if columns is not None and ref.column in columns else "inferred"

    def table_columns(self, table: exp.Table) -> list[ColumnRef]:
        name = self.name_of(table)
        return [ColumnRef(name, c) for c in self.columns_of(name) or ()]

    def _unresolved(self, name: str) -> _Trace:
        self.unresolved.append(f"{UNRESOLVED_TABLE}.{name}")
        trace = _Trace()
        trace.add_direct(ColumnRef(UNRESOLVED_TABLE, name), "IDENTITY", None)
        return trace

    def _whole_table(self, table: exp.Table) -> _Trace:
        """Every column of a table; `table.*` stands for them when they are not known."""
        trace = _Trace()
        name = self.name_of(table)
        columns = self.columns_of(name)
        for column in columns if columns else ["*"]:
            trace.add_direct(ColumnRef(name, column), "IDENTITY", None)
        return trace

    def _whole_scope(self, scope: Scope) -> _Trace:
        trace = _Trace()
        for position in range(len(_named_selects(scope))):
            trace.lift(self.output(scope, position), "IDENTITY", None)
        return trace

    def _open_star(self, scope: Scope, star: exp.Expr) -> _Trace:
        """An unexpanded `*` or `t.*` in a select list: everything its source(s) hold."""
        trace = _Trace()
        qualifier = star.table if isinstance(star, exp.Column) else ""
        if qualifier:
            source = _find_source(scope, qualifier)
            sources = [source] if source is not None else []
        else:
            sources = [s for _, s in scope.selected_sources.values()]
        for source in sources:
            trace.lift(self.in_source(source, "*"), "IDENTITY", None)
        if not sources:
            trace.lift(self._unresolved("*"), "IDENTITY", None)
        return trace

    def column(self, scope: Scope, column: exp.Column) -> _Trace:
        """The sources behind one column reference in `scope`."""
        alias, name = column.table, ident(column.this) if isinstance(column.this, exp.Identifier) else "*"
        if not alias and column.name in _visible_sources(scope):
            # DuckDB whole-row reference, `SELECT p FROM patients p`: a struct of every column
            whole = _Trace()
            whole.lift(self.in_source(_find_source(scope, column.name), "*"), "TRANSFORMATION", None)  # type: ignore[arg-type]
            return whole
        source = _find_source(scope, alias) if alias else self._only_candidate(scope, name)
        if source is None:
            return self._unresolved(name)
        return self.in_source(source, name)

    def _only_candidate(self, scope: Scope, name: str) -> exp.Table | Scope | None:
        """The one source of `scope` an unqualified column can come from, when qualification
        (which needs a schema) left it open: a table whose columns are unknown or include it, or
        a derived table or CTE that outputs it."""
        candidates: list[exp.Table | Scope] = []
        lowered = name.lower()
        for _, source in scope.selected_sources.values():
            if isinstance(source, exp.Table):
                columns = self.columns_of(self.name_of(source))
                if columns is None or lowered in (c.lower() for c in columns):
                    candidates.append(source)
            elif isinstance(source, Scope):
                names = [n.lower() for n in _named_selects(source)]
                if lowered in names or _single_star_source(source) is not None:
                    candidates.append(source)
        return candidates[0] if len(candidates) == 1 else None

    def in_source(self, source: exp.Table | Scope, name: str) -> _Trace:
        """The sources behind column `name` of a FROM source (a table or a scope)."""
        if isinstance(source, exp.Table):
            if name == "*":
                return self._whole_table(source)
            trace = _Trace()
            trace.add_direct(ColumnRef(self.name_of(source), name), "IDENTITY", None)
            return trace
        if name == "*":
            return self._whole_scope(source)
        if not isinstance(source.expression, exp.Query):  # UNNEST, VALUES, a table function
            trace = _Trace()
            for col in source.columns:
                trace.lift(self.column(source, col), "TRANSFORMATION", None)
            return trace
        names = [n.lower() for n in _named_selects(source)]
        if name.lower() in names:
            return self.output(source, names.index(name.lower()))
        star_source = _single_star_source(source)
        if star_source is not None:  # `SELECT * FROM t` whose columns are unknown: assume t has it
            return self.in_source(star_source, name)
        return self._unresolved(name)

    def output(self, scope: Scope, position: int) -> _Trace:
        """The sources behind the output at `position` of a scope (set operations by position)."""
        key = (id(scope), position)
        if key in self._outputs:
            return self._outputs[key]
        self._outputs[key] = _Trace()  # a cycle resolves to nothing rather than recursing forever
        result = _Trace()
        if isinstance(scope.expression, exp.SetOperation):
            for branch in scope.set_operation_scopes:
                result.lift(self.output(branch, position), "IDENTITY", None)
        elif isinstance(scope.expression, exp.Select):
            selects = scope.expression.selects
            if position < len(selects):
                result = self.expression(scope, selects[position])
        self._outputs[key] = result
        return result

    def expression(self, scope: Scope, node: exp.Expr) -> _Trace:
        """DIRECT and column-level INDIRECT sources of one select expression."""
        bare = node.unalias() if isinstance(node, exp.Alias) else node
        result = _Trace()
        if isinstance(bare, exp.Star) or (isinstance(bare, exp.Column) and isinstance(bare.this, exp.Star)):
            self.unresolved.append(f"{UNRESOLVED_TABLE}.*")
            return self._open_star(scope, bare)
        for col in _own_columns(bare):
            step, transform, indirect = _position(col, bare)
            source = self.column(scope, col)
            if indirect is not None:
                result.lift_indirect(source, indirect)
            else:
                result.lift(source, step, transform)
        for window in bare.find_all(exp.Window):
            spec = _named_window(scope, window)
            if spec is not None:
                for col in spec.find_all(exp.Column):
                    result.lift_indirect(self.column(scope, col), "WINDOW")
        for whole_row in bare.find_all(exp.TableColumn):
            row_source = _find_source(scope, whole_row.name)
            if row_source is None:
                result.lift(self._unresolved(whole_row.name), "TRANSFORMATION", None)
            else:
                result.lift(self.in_source(row_source, "*"), "TRANSFORMATION", None)
        for sub_scope in scope.subquery_scopes:
            sub = sub_scope.expression
            if sub.parent is None or not _is_within(sub, bare):
                continue
            step, transform, indirect = _position(sub, bare)
            value = _Trace()
            for position in range(max(1, len(_named_selects(sub_scope)))):
                value.lift(self.output(sub_scope, position), "IDENTITY", None)
            decided = _Trace()
            for ref in self.rows(sub_scope):
                decided.add_indirect(ref, "CONDITIONAL")
            if indirect is not None:
                result.lift_indirect(value, indirect)
                result.lift_indirect(decided, indirect)
            else:
                result.lift(value, max(step, "TRANSFORMATION", key=_STRENGTH.__getitem__), transform)
                result.lift(decided, "IDENTITY", None)
        if has_open_star(bare):
            self.unresolved.append(f"{UNRESOLVED_TABLE}.*")
        return result

    def rows(self, scope: Scope) -> _Rows:
        """Sources that decide which rows a scope outputs, with the clause they act in."""
        key = id(scope)
        if key in self._rows:
            return self._rows[key]
        self._rows[key] = {}
        result: _Rows = {}
        expression = scope.expression
        if isinstance(expression, exp.SetOperation):
            for branch in scope.set_operation_scopes:
                _merge_rows(result, self.rows(branch))
        elif isinstance(expression, exp.Select):
            seen: set[int] = set()
            for col in scope.columns:
                seen.add(id(col))
                subtype = _clause_subtype(col, expression)
                if subtype is not None:
                    _add_rows(result, self.column(scope, col).refs(), subtype)
            self._alias_references(scope, expression, seen, result)
            group = expression.args.get("group")
            if isinstance(group, exp.Group) and group.args.get("all"):
                for position, select in enumerate(expression.selects):
                    if select.find(exp.AggFunc) is None:
                        _add_rows(result, self.output(scope, position).refs(), "GROUP_BY")
            for source in scope.sources.values():
                if isinstance(source, Scope) and _feeds(source, scope):
                    _merge_rows(result, self.rows(source))
            for sub_scope in scope.subquery_scopes:
                subtype = _clause_subtype(sub_scope.expression, expression)
                if subtype is None:
                    continue
                for position in range(max(1, len(_named_selects(sub_scope)))):
                    _add_rows(result, self.output(sub_scope, position).refs(), subtype)
                _add_rows(result, self.rows(sub_scope), subtype)
        self._rows[key] = result
        return result

    def _alias_references(self, scope: Scope, select: exp.Select, seen: set[int], into: _Rows) -> None:
        """ORDER BY/HAVING/QUALIFY/GROUP BY naming an output alias: the sources of that output."""
        names = [n.lower() for n in select.named_selects]
        for key in ("order", "having", "qualify", "group"):
            clause = select.args.get(key)
            if clause is None:
                continue
            for col in clause.find_all(exp.Column):
                if id(col) in seen or col.table or col.name.lower() not in names:
                    continue
                if _enclosing_select(col) is not select:
                    continue
                position = names.index(col.name.lower())
                _add_rows(into, self.output(scope, position).refs(), _ROW_CLAUSES[key])


def ident(identifier: exp.Expr | None) -> str:
    """An identifier as lineage names it: lower case unless quoted."""
    if identifier is None:
        return ""
    name = identifier.name
    return name if isinstance(identifier, exp.Identifier) and identifier.quoted else name.lower()


def has_open_star(node: exp.Expr) -> bool:
    """True when `node` selects columns by pattern that qualification could not expand."""
    if node.find(exp.Columns) is not None:
        return True
    return any(star.find_ancestor(exp.Count) is None for star in node.find_all(exp.Star))


def _single_star_source(scope: Scope) -> exp.Table | Scope | None:
    """The one source an unexpanded `SELECT *` (or `SELECT t.*`) of `scope` reads, if exactly one."""
    expression = scope.expression
    if not isinstance(expression, exp.Select):
        return None
    for select in expression.selects:
        if isinstance(select, exp.Star):
            sources = [s for s in scope.selected_sources.values()]
            if len(sources) == 1:
                return sources[0][1]
        if isinstance(select, exp.Column) and isinstance(select.this, exp.Star) and select.table:
            return _find_source(scope, select.table)
    return None


def _feeds(source: Scope, scope: Scope) -> bool:
    """True when `source` is read by `scope`'s FROM/JOIN (not merely a CTE defined alongside)."""
    return any(s is source for _, s in scope.selected_sources.values())


def _is_within(node: exp.Expr, top: exp.Expr) -> bool:
    current: exp.Expr | None = node
    while current is not None:
        if current is top:
            return True
        current = current.parent
    return False


def _enclosing_select(node: exp.Expr) -> exp.Expr | None:
    return node.find_ancestor(exp.Select)


def _own_columns(node: exp.Expr) -> list[exp.Column]:
    """Column nodes of `node`, not descending into nested subqueries (they are scopes of their own)."""
    if isinstance(node, exp.Column):
        return [node]
    found = []
    owner = node.find_ancestor(exp.Select)
    for col in node.find_all(exp.Column):
        nearest = col.find_ancestor(exp.Subquery, exp.Select)
        if nearest is None or nearest is owner:
            found.append(col)
    return found


def _position(node: exp.Expr, top: exp.Expr) -> tuple[str, Transform | None, Subtype | None]:
    """How `node` feeds `top`: (step, protective transform, INDIRECT subtype or None for DIRECT)."""
    step = "IDENTITY" if node is top else "TRANSFORMATION"
    transform: Transform | None = None
    indirect: Subtype | None = None
    current = node
    while current is not top and current.parent is not None:
        parent, key = current.parent, current.arg_key or ""
        if indirect is None:
            indirect = _indirect_role(parent, key)
        if isinstance(parent, exp.AggFunc) and not isinstance(parent, _NAVIGATION):
            step = "AGGREGATION"
        protection = _protection(parent, key)
        if _PROTECTION[protection] > _PROTECTION[transform]:
            transform = protection
        current = parent
    return step, transform, indirect


def _indirect_role(parent: exp.Expr, key: str) -> Subtype | None:
    """The INDIRECT subtype of the child at `key` of `parent`, when that child only decides the value."""
    if isinstance(parent, exp.If | exp.Case) and key == "this":
        return "CONDITIONAL"
    if isinstance(parent, exp.Filter) and key == "expression":
        return "CONDITIONAL"
    if isinstance(parent, exp.Nullif) and key == "expression":
        return "CONDITIONAL"
    if isinstance(parent, exp.Window) and key in {"partition_by", "order"}:
        return "WINDOW"
    if isinstance(parent, exp.Order) and key == "expressions":
        grand = parent.parent
        if isinstance(grand, exp.Window):
            return "WINDOW"
        if grand is not None and not isinstance(grand, exp.Query):
            return "SORT"  # ORDER BY inside an aggregate: string_agg(x ORDER BY y), WITHIN GROUP
    if isinstance(parent, exp.WithinGroup) and key == "expression":
        return "SORT"
    return None


def _protection(parent: exp.Expr, key: str) -> Transform | None:
    """The protective transform `parent` applies to its child at `key`, if any."""
    if isinstance(parent, _HASH_NODES):
        return "hash"
    if isinstance(parent, _COUNT_NODES):
        return "count"
    if isinstance(parent, exp.Year | exp.Left | exp.Substring):
        return "generalize" if key == "this" else None
    if isinstance(parent, exp.Extract) and key == "expression":
        return "generalize" if parent.name.upper() in {"YEAR", "YEARS", "YYYY"} else None
    if isinstance(parent, _TRUNC_NODES):
        unit = parent.args.get("unit")
        return "generalize" if unit is not None and unit.name.upper() in {"YEAR", "YEARS"} else None
    if isinstance(parent, exp.Anonymous):
        name = parent.name.lower()
        if name in _HASH_NAMES:
            return "hash"
        if name in _MASK_NAMES:
            return "mask"
        return None
    if isinstance(parent, exp.RegexpReplace | exp.Translate) and key == "this":
        replacement = parent.args.get("replacement") or parent.args.get("to")
        if isinstance(replacement, exp.Literal) and replacement.is_string:
            text = replacement.this
            if text and set(text) <= _MASK_CHARACTERS:
                return "mask"
    return None


def _named_window(scope: Scope, window: exp.Window) -> exp.Expr | None:
    """The WINDOW-clause definition a window such as `OVER w` or `OVER (w ORDER BY x)` refers to."""
    alias = window.args.get("alias")
    select = scope.expression
    if alias is None or not isinstance(select, exp.Select):
        return None
    for spec in select.args.get("windows") or ():
        if spec.name.lower() == alias.name.lower():
            return spec
    return None


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


def _clause_subtype(node: exp.Expr, select: exp.Expr) -> Subtype | None:
    """The row-level INDIRECT subtype of `node` when it sits in a row-shaping clause of `select`."""
    current: exp.Expr | None = node
    in_condition = False
    while current is not None and current is not select:
        parent = current.parent
        if isinstance(parent, exp.Join) and current.arg_key in {"on", "using"}:
            in_condition = True
        if parent is select:
            if current.arg_key == "joins":
                return "JOIN" if in_condition else None
            return _ROW_CLAUSES.get(current.arg_key or "")
        current = parent
    return None


def table_name(table: exp.Table) -> str:
    """A base table's name as the catalog knows it: `name`, or `schema.name` outside `main`."""
    db = (table.db or "").lower()
    name = table.name.lower()
    return name if db in ("", "main") else f"{db}.{name}"


def trace(
    root: Scope, name_of: TableNamer, columns_of: ColumnLister
) -> tuple[Tracer, tuple[str, ...], list[Edge]]:
    """Edges from the sources of a qualified query's scope tree to its outputs (and to `*`)."""
    tracer = Tracer(name_of, columns_of)
    outputs = tuple(_named_selects(root))
    edges: list[Edge] = []
    for position, name in enumerate(outputs):
        result = tracer.output(root, position)
        for ref, (step, transform) in sorted(result.direct.items()):
            edges.append(Edge(ref, name, "DIRECT", step, tracer.grade(ref), transform))  # type: ignore[arg-type]
        for ref, subtypes in sorted(result.indirect.items()):
            edges.extend(Edge(ref, name, "INDIRECT", s, tracer.grade(ref)) for s in subtypes)
    for ref, subtypes in sorted(tracer.rows(root).items()):
        edges.extend(Edge(ref, "*", "INDIRECT", s, tracer.grade(ref)) for s in subtypes)
    return tracer, outputs, edges


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

    def columns_of(name: str) -> list[str] | None:
        columns = schema.get(name)
        return None if columns is None else [c.lower() for c in columns]

    tracer, outputs, edges = trace(root, table_name, columns_of)
    return QueryLineage(
        outputs=outputs,
        edges=tuple(dict.fromkeys(edges)),
        referenced=frozenset(_referenced(root, tracer)),
        unresolved=tuple(dict.fromkeys(tracer.unresolved)),
        tables=tuple(dict.fromkeys(table_name(t) for s in root.traverse() for t in _base_tables(s))),
    )


def _base_tables(scope: Scope) -> list[exp.Table]:
    return [s for s in scope.sources.values() if isinstance(s, exp.Table)]


def _referenced(root: Scope, tracer: Tracer) -> set[ColumnRef]:
    """Every table column the query reads anywhere; conservative where a scope could not be traced."""
    referenced: set[ColumnRef] = set()
    for scope in root.traverse():
        before = len(tracer.unresolved)
        for col in scope.columns:
            referenced.update(ref for ref in tracer.column(scope, col).refs() if ref.resolved)
        if isinstance(scope.expression, exp.Select):
            for whole_row in scope.expression.find_all(exp.TableColumn):
                source = _find_source(scope, whole_row.name)
                if isinstance(source, exp.Table):
                    referenced.update(tracer.table_columns(source))
            if any(has_open_star(select) for select in scope.expression.selects):
                before = -1  # an unexpanded star: be conservative below
        if len(tracer.unresolved) != before:
            # Something in this scope could not be traced: count every column of its tables as read.
            for table in _base_tables(scope):
                referenced.update(tracer.table_columns(table))
    return {ref for ref in referenced if ref.column != "*"}
