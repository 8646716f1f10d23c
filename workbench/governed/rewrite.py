"""Rewrite a query so every warehouse table is read through its masked projection.

Each reference to a base table becomes `(SELECT <masked columns> FROM main.<table>) AS <alias>`,
as column-masking policies do in large warehouses: every use of a column anywhere in the query
(SELECT, WHERE, JOIN, GROUP BY, window, function argument, CTE, UNION branch) sees the value
only as the role may. Denied columns are left out of the projection, so even a query the
lineage could not trace cannot reach them. A table that is not in the catalog is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import sqlglot
from sqlglot import exp
from sqlglot.optimizer.scope import traverse_scope

from workbench.catalog import Catalog, CatalogTable
from workbench.errors import SqlRefused
from workbench.governed.guard import DIALECT
from workbench.governed.masks import present_sql, quote
from workbench.kinds import Action
from workbench.lineage.sql import table_name
from workbench.policy import Role

_INTERNAL = "phi_masked_source"  # marks the base-table reference inside a masked projection


@dataclass(frozen=True)
class Rewritten:
    sql: str
    tables: tuple[str, ...]


def column_actions(table: CatalogTable, role: Role) -> dict[str, Action]:
    """Action per column of `table` for `role`; columns with no identifier kinds are allowed."""
    return {c.name: role.action_for(c.kinds) if c.kinds else "allow" for c in table.columns}


@lru_cache(maxsize=256)
def _projection(table: CatalogTable, actions: tuple[Action, ...], key: bytes) -> exp.Subquery:
    parts = []
    for column, action in zip(table.columns, actions, strict=True):
        expression = present_sql(column, action, key)
        if expression is not None:
            parts.append(f"{expression} AS {quote(column.name)}")
    if not parts:
        parts.append("NULL AS phi_no_visible_columns")
    select = sqlglot.parse_one(f"SELECT {', '.join(parts)} FROM main.{quote(table.name)}", read=DIALECT)
    inner = select.find(exp.Table)
    assert inner is not None
    inner.meta[_INTERNAL] = True
    return exp.Subquery(this=select)


def rewrite(query: exp.Query, catalog: Catalog, role: Role, key: bytes) -> Rewritten:
    """Replace every base-table reference in `query` with its masked projection for `role`."""
    tree = query.copy()
    cte_names = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    base_refs: list[exp.Table] = []
    for scope in traverse_scope(tree):
        for source in scope.sources.values():
            if isinstance(source, exp.Table) and source not in base_refs:
                base_refs.append(source)
    used: list[str] = []
    for ref in base_refs:
        table = catalog.table(table_name(ref))
        if table.name not in used:
            used.append(table.name)
        actions = tuple(column_actions(table, role).values())
        projection = _projection(table, actions, key).copy()
        for node in projection.find_all(exp.Table):
            node.meta[_INTERNAL] = True
        alias = ref.args.get("alias")
        projection.set(
            "alias", alias.copy() if alias is not None else exp.TableAlias(this=exp.to_identifier(ref.name))
        )
        ref.replace(projection)
    for leftover in tree.find_all(exp.Table):
        if leftover.meta.get(_INTERNAL):
            continue
        if not leftover.db and leftover.name.lower() in cte_names:
            continue
        # A table the scope analysis did not see as a source: never run it unmasked.
        catalog.table(table_name(leftover))
        raise SqlRefused("query", f"table {leftover.name!r} is used in a way the masking cannot follow")
    return Rewritten(sql=tree.sql(dialect=DIALECT, comments=False), tables=tuple(used))
