"""Admit exactly one read-only query over warehouse tables; refuse everything else.

The governed path never runs the user's text: it runs SQL regenerated from the parsed tree, so
DuckDB executes what this module inspected (no parser differentials, no hidden comments).
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from workbench.errors import BadInput, SqlError, SqlRefused
from workbench.governed.functions import ALLOWED_ANONYMOUS

DIALECT = "duckdb"

# sqlglot logs unsupported statements with their full text, which may hold PHI values.
logging.getLogger("sqlglot").setLevel(logging.CRITICAL)

# Statements refused by their first keyword, before parsing (some do not parse at all).
_REFUSED_KEYWORDS = {
    "ATTACH",
    "CALL",
    "CHECKPOINT",
    "COPY",
    "CREATE",
    "DELETE",
    "DETACH",
    "DROP",
    "EXPORT",
    "IMPORT",
    "INSERT",
    "INSTALL",
    "LOAD",
    "MERGE",
    "PRAGMA",
    "RESET",
    "SET",
    "UPDATE",
    "USE",
    "VACUUM",
    "ALTER",
    "BEGIN",
    "COMMIT",
    "ROLLBACK",
    "ABORT",
    "TRUNCATE",
    "EXPLAIN",
    "DESCRIBE",
    "SHOW",
    "SUMMARIZE",
    "PREPARE",
    "EXECUTE",
    "DEALLOCATE",
    "GRANT",
    "REVOKE",
    "COMMENT",
    "UPDATE_EXTENSIONS",
    "FORCE",
}
_LEADING_NOISE = re.compile(r"^(\s+|--[^\n]*\n?|/\*.*?\*/|\()*", re.DOTALL)

# Statement nodes that write, change settings or reach outside the warehouse.
_REFUSED_NODES: tuple[tuple[type[exp.Expr], str], ...] = (
    (exp.Into, "SELECT INTO writes a table"),
    (exp.Create, "DDL changes the warehouse"),
    (exp.Drop, "DDL changes the warehouse"),
    (exp.Alter, "DDL changes the warehouse"),
    (exp.Insert, "DML changes the warehouse"),
    (exp.Update, "DML changes the warehouse"),
    (exp.Delete, "DML changes the warehouse"),
    (exp.Merge, "DML changes the warehouse"),
    (exp.Copy, "COPY reads or writes files"),
    (exp.Export, "EXPORT writes files"),
    (exp.Attach, "ATTACH opens another database"),
    (exp.Detach, "DETACH changes attached databases"),
    (exp.Install, "INSTALL loads extensions"),
    (exp.Pragma, "PRAGMA changes settings"),
    (exp.Set, "SET changes settings"),
    (exp.Command, "this statement kind is not a query"),
    (exp.Summarize, "SUMMARIZE reads statistics of the raw table"),
    (exp.Describe, "DESCRIBE is not a query"),
    (exp.Placeholder, "parameters are not accepted in governed queries"),
    (exp.Parameter, "parameters are not accepted in governed queries"),
)

MAX_SQL_CHARS = 1_000_000

# Functions that read files, URLs or other queries, or reveal the environment.
_FILE_FUNCTIONS = re.compile(
    r"^(read_\w+|\w+_scan|glob|query|query_table|sniff_csv|parquet_\w+|iceberg_\w+|delta_\w+|"
    r"getenv|current_setting|duckdb_\w+|pragma_\w+|which_secret|load_aws_credentials|"
    r"sqlite_attach|postgres_\w+|mysql_\w+|httpfs_\w+|json_execute_serialized_sql|"
    r"from_substrait\w*|get_substrait\w*|generate_series_table)$",
    re.IGNORECASE,
)


def _parse_error_message(exc: ParseError | TokenError) -> str:
    errors = getattr(exc, "errors", None) or []
    if errors:
        first = errors[0]
        description = str(first.get("description", "")).splitlines()[0] if first.get("description") else ""
        # sqlglot's descriptions can name internal classes or echo the text; keep only plain ones.
        plain = (
            "syntax error" if ("<" in description or "'" in description or not description) else description
        )
        return (
            f"Malformed SQL at line {first.get('line', '?')}, column {first.get('col', '?')} ({plain.lower()}); "
            "fix the query and run it again."
        )
    return "Malformed SQL; fix the query and run it again."


def parse_single_query(sql: str) -> exp.Query:
    """The one read-only query in `sql`; SqlRefused or SqlError for anything else."""
    if not sql or not sql.strip():
        raise BadInput("The query is empty; write one SELECT statement.")
    if "\x00" in sql:
        raise BadInput("The query holds a NUL character; remove it.")
    if len(sql) > MAX_SQL_CHARS:
        raise BadInput(f"The query is longer than {MAX_SQL_CHARS:,} characters; shorten it.")
    if any("\ud800" <= char <= "\udfff" for char in sql):
        raise BadInput("The query is not valid UTF-8 text; re-type it.")
    first_word = re.match(r"[A-Za-z_]+", _LEADING_NOISE.sub("", sql))
    if first_word and first_word.group(0).upper() in _REFUSED_KEYWORDS:
        raise SqlRefused(first_word.group(0).upper(), "only one read-only SELECT query is governed")
    try:
        statements = [s for s in sqlglot.parse(sql, read=DIALECT) if s is not None]
    except (ParseError, TokenError) as exc:
        raise SqlError(_parse_error_message(exc)) from None
    if not statements:
        raise BadInput("The query is empty; write one SELECT statement.")
    if len(statements) > 1:
        raise SqlRefused("several statements", "run one query at a time")
    statement = statements[0]
    while isinstance(statement, exp.Subquery):
        statement = statement.this
    for node_type, why in _REFUSED_NODES:
        if isinstance(statement, node_type) or statement.find(node_type) is not None:
            raise SqlRefused(_statement_name(statement, node_type), why)
    if not isinstance(statement, exp.Select | exp.SetOperation):
        raise SqlRefused(_statement_name(statement, type(statement)), "only SELECT queries are governed")
    _refuse_outside_access(statement)
    return statement


def _statement_name(statement: exp.Expr, node_type: type[exp.Expr]) -> str:
    if isinstance(statement, exp.Command):
        return str(statement.this).upper().split()[0] if statement.this else "statement"
    return node_type.__name__.upper()


@lru_cache(maxsize=1)
def _engine_functions() -> frozenset[str]:
    """DuckDB's own function names: only these are echoed in refusals (anything else may be a value)."""
    with duckdb.connect() as con:
        return frozenset(
            name
            for (name,) in con.execute("SELECT DISTINCT function_name FROM duckdb_functions()").fetchall()
        )


def _refuse_outside_access(statement: exp.Expr) -> None:
    for func in statement.find_all(exp.Func):
        if isinstance(func, exp.Anonymous):
            name = func.name.lower()
            if name not in ALLOWED_ANONYMOUS:
                shown = f"function {name}()" if name in _engine_functions() else "an unknown function"
                raise SqlRefused(shown, "it is not on the list of functions governed queries may call")
            continue
        name = func.sql_name()
        if isinstance(func, exp.ReadCSV | exp.ReadParquet) or _FILE_FUNCTIONS.match(name or ""):
            raise SqlRefused(f"function {name.lower()}()", "it reads outside the warehouse")
    for table in statement.find_all(exp.Table):
        if not isinstance(table.this, exp.Identifier):
            raise SqlRefused("table function", "only warehouse tables can be queried")
        if table.this.quoted and re.search(r"[./\\:]", table.name):
            raise SqlRefused("file or URL as a table", "it reads outside the warehouse")
        if table.catalog:
            raise SqlRefused("database-qualified table", "only the workspace warehouse can be queried")
