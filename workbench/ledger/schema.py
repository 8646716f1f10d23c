"""The ledger file's SQLite schema, and the check that the file holds that schema and nothing else.

Anyone who can write `ledger.sqlite` can also add schema objects that change what the workbench
writes or reads without touching a stored row: a trigger that rewrites or deletes each inserted
entry, a view named `entries` over a renamed table that hides some rows, a table rebuilt without
its CHECK or UNIQUE constraints. So before trusting the file, its `sqlite_master` is compared
with the schema this module creates; any difference is tampering of kind ``schema``.

SQL text is compared with whitespace normalized (SQLite stores a table's CREATE statement as
written, and only whitespace is free to differ). The statistics tables `ANALYZE` creates only
steer the query planner and are allowed.
"""

from __future__ import annotations

import re
import sqlite3
from contextlib import closing
from functools import cache
from typing import Final

from workbench.ledger import tree

TABLES: Final = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS entries (
        seq INTEGER PRIMARY KEY CHECK (seq >= 1),
        ts TEXT NOT NULL,
        actor TEXT NOT NULL,
        role TEXT NOT NULL,
        purpose TEXT NOT NULL,
        action TEXT NOT NULL,
        outcome TEXT NOT NULL,
        detail TEXT NOT NULL,
        prev_hash TEXT NOT NULL UNIQUE,
        hash TEXT NOT NULL
    )""",
    tree.TREE_SCHEMA,
)
"""The statements that create a ledger file's tables (schema version 2)."""

_PLANNER_STATISTICS: Final = frozenset({"sqlite_stat1", "sqlite_stat2", "sqlite_stat3", "sqlite_stat4"})
_SPACE: Final = re.compile(r"\s+")
_AROUND_PUNCTUATION: Final = re.compile(r"\s*([(),])\s*")

SchemaObject = tuple[str, str, str, str | None]
"""(type, name, tbl_name, normalized sql) of one row of sqlite_master."""


def _normalized(sql: str | None) -> str | None:
    if sql is None:
        return None
    return _AROUND_PUNCTUATION.sub(r"\1", _SPACE.sub(" ", sql)).strip()


@cache
def expected() -> frozenset[SchemaObject]:
    """The sqlite_master rows of a ledger file as this module creates it."""
    with closing(sqlite3.connect(":memory:")) as conn:
        for statement in TABLES:
            conn.execute(statement)
        return frozenset(_objects(conn))


def _objects(conn: sqlite3.Connection) -> list[SchemaObject]:
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM main.sqlite_master").fetchall()
    return [(str(kind), str(name), str(table), _normalized(sql)) for kind, name, table, sql in rows]


def problems(conn: sqlite3.Connection) -> tuple[str, ...]:
    """What is wrong with the schema of the file open on `conn`, as short phrases; () when nothing.

    Phrases name object types and the ledger's own table names only (never a name someone else
    chose). A missing table is not reported here: opening refuses such a file (a version-1 file,
    without `tree`, is upgraded), and reading fails on it.
    """
    wanted = expected()
    wanted_kinds = {name: kind for kind, name, _, _ in wanted}
    found = _objects(conn)
    unexpected: dict[str, int] = {}
    changed: list[str] = []
    for obj in found:
        kind, name, _, _ = obj
        if obj in wanted or name in _PLANNER_STATISTICS:
            continue
        if name in wanted_kinds:
            same = wanted_kinds[name] == kind
            changed.append(f"changed {kind} {name}" if same else f"{name} is a {kind}")
        else:
            unexpected[kind] = unexpected.get(kind, 0) + 1
    described = [f"{n} unexpected {kind}{'s' if n > 1 else ''}" for kind, n in sorted(unexpected.items())]
    return (*changed, *described)
