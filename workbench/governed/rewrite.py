"""Rewrite a query so every warehouse table is read through its masked projection.

Each reference to a base table becomes `(SELECT <masked columns> FROM main.<table>) AS <alias>`,
as column-masking policies do in large warehouses: every use of a column anywhere in the query
(SELECT, WHERE, JOIN, GROUP BY, window, function argument, CTE, UNION branch) sees the value
only as the role may. Denied columns are left out of the projection, so even a query the
lineage could not trace cannot reach them. A table that is not in the catalog is refused.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import lru_cache

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
def _projection(table: CatalogTable, actions: tuple[Action, ...]) -> str:
    """`(SELECT <each column as presented> FROM main.<table>)`, as SQL text."""
    parts = []
    for column, action in zip(table.columns, actions, strict=True):
        expression = present_sql(column, action)
        if expression is not None:
            parts.append(f"{expression} AS {quote(column.name)}")
    if not parts:
        parts.append("NULL AS phi_no_visible_columns")
    return f"(SELECT {', '.join(parts)} FROM main.{quote(table.name)})"


def rewrite(query: exp.Query, catalog: Catalog, role: Role) -> Rewritten:
    """Replace every base-table reference in `query` with its masked projection for `role`.

    Each reference first becomes a placeholder table with a name no user can guess; after the
    tree is turned into SQL, each placeholder is replaced by the cached projection text.
    """
    tree = query.copy()
    cte_names = {cte.alias_or_name.lower() for cte in tree.find_all(exp.CTE)}
    shadowing = sorted(name for name in cte_names if name in catalog.tables)
    if shadowing:
        raise SqlRefused(
            "a CTE named like a table", f"rename the CTE {shadowing[0]!r}; it shadows a warehouse table"
        )
    base_refs: dict[int, exp.Table] = {}
    for scope in traverse_scope(tree):
        for source in scope.sources.values():
            if isinstance(source, exp.Table):
                base_refs.setdefault(id(source), source)
    token = secrets.token_hex(8)
    projections: dict[str, str] = {}
    used: list[str] = []
    for number, ref in enumerate(base_refs.values()):
        table = catalog.table(table_name(ref))
        if table.name not in used:
            used.append(table.name)
        placeholder = f"phi_masked_{token}_{number}"
        projections[f'"{placeholder}"'] = _projection(table, tuple(column_actions(table, role).values()))
        alias = ref.args.get("alias")
        stand_in = exp.Table(this=exp.to_identifier(placeholder, quoted=True))
        stand_in.set(
            "alias", alias.copy() if alias is not None else exp.TableAlias(this=exp.to_identifier(ref.name))
        )
        stand_in.meta[_INTERNAL] = True
        ref.replace(stand_in)
    for leftover in tree.find_all(exp.Table):
        if leftover.meta.get(_INTERNAL):
            continue
        if not leftover.db and leftover.name.lower() in cte_names:
            continue
        # A table the scope analysis did not see as a source: never run it unmasked.
        catalog.table(table_name(leftover))
        raise SqlRefused("query", f"table {leftover.name!r} is used in a way the masking cannot follow")
    sql = tree.sql(dialect=DIALECT, comments=False)
    for placeholder, projection in projections.items():
        if sql.count(placeholder) != 1:
            raise SqlRefused("query", "the masking could not place every table it reads")
        sql = sql.replace(placeholder, projection)
    return Rewritten(sql=sql, tables=tuple(used))
