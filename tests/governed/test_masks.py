"""Each presentation as a table of (column, value, expected), run in a real DuckDB."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from workbench.catalog import CatalogColumn
from workbench.governed.masks import INNER_PAD, RESTRICTED_ZIP3, hash_parameters, present_sql
from workbench.keys import keyed_hash
from workbench.kinds import IdentifierKind as K

KEY = bytes(range(32))
TODAY = dt.date.today()


def col(name: str, type_: str, *kinds: K) -> CatalogColumn:
    return CatalogColumn(name=name, type=type_, kinds=kinds, confidence=1.0, evidence="test")


def present(column: CatalogColumn, action: str, value: object) -> object:
    expression = present_sql(column, action)  # type: ignore[arg-type]
    assert expression is not None
    assert KEY.hex() not in expression.lower()  # the key is bound as a parameter, never in the text
    con = duckdb.connect()
    con.execute(f'CREATE TABLE t ("{column.name}" {column.type})')
    con.execute("INSERT INTO t VALUES (?)", [value])
    parameters = hash_parameters(KEY) if f"${INNER_PAD}" in expression else None
    return con.execute(f"SELECT {expression} FROM t", parameters).fetchone()[0]  # type: ignore[index]


ROWS = [
    (col("FIRST", "VARCHAR", K.NAME), "mask", "Maynard46", "[NAME]"),
    (col("SSN", "VARCHAR", K.SSN), "mask", "999-17-5017", "[SSN]"),
    (col("FIRST", "VARCHAR", K.NAME), "mask", None, None),
    (col("FIRST", "VARCHAR", K.NAME), "allow", "Maynard46", "Maynard46"),
    (col("Id", "VARCHAR", K.OTHER_ID), "hash", "3edac2e3-d223", keyed_hash(KEY, "3edac2e3-d223")),
    (col("FIRST", "VARCHAR", K.NAME), "hash", "Zoë|=\\", keyed_hash(KEY, "Zoë|=\\")),
    (col("Id", "VARCHAR", K.OTHER_ID), "hash", None, None),
    (col("BIRTHDATE", "DATE", K.DATE), "generalize", dt.date(1987, 3, 14), "1987"),
    (col("BIRTHDATE", "DATE", K.DATE), "generalize", dt.date(1930, 1, 1), "90+"),
    (col("BIRTHDATE", "DATE", K.DATE), "generalize", TODAY.replace(year=TODAY.year - 90), "90+"),
    (
        col("BIRTHDATE", "DATE", K.DATE),
        "generalize",
        TODAY.replace(year=TODAY.year - 89),
        str(TODAY.year - 89),
    ),
    (col("BIRTHDATE", "DATE", K.DATE), "generalize", None, None),
    (col("START", "TIMESTAMP", K.DATE), "generalize", dt.datetime(2020, 5, 6, 7, 8), 2020),
    (col("DATE", "VARCHAR", K.DATE), "generalize", "2019-07-22", 2019),
    (col("DATE", "VARCHAR", K.DATE), "generalize", "not a date", None),
    (col("AGE", "INTEGER", K.DATE), "generalize", 93, "90+"),
    (col("AGE", "INTEGER", K.DATE), "generalize", 89, "89"),
    (col("ZIP", "VARCHAR", K.GEO), "generalize", "02155", "021"),
    (col("ZIP", "VARCHAR", K.GEO), "generalize", "03601", "000"),
    (col("ZIP", "VARCHAR", K.GEO), "generalize", "89301-1234", "000"),
    (col("ZIP", "INTEGER", K.GEO), "generalize", 2155, "021"),
    (col("CITY", "VARCHAR", K.GEO), "generalize", "Somerville", "[GEO]"),
    (col("LAT", "DOUBLE", K.GEO), "generalize", 42.36, "[GEO]"),
    (col("FIRST", "VARCHAR", K.NAME), "generalize", "Maynard46", "[NAME]"),
]


@pytest.mark.parametrize(("column", "action", "value", "expected"), ROWS)
def test_presentations(column: CatalogColumn, action: str, value: object, expected: object) -> None:
    assert present(column, action, value) == expected


def test_every_restricted_zip3_becomes_000() -> None:
    zip_column = col("ZIP", "VARCHAR", K.GEO)
    assert all(present(zip_column, "generalize", z + "01") == "000" for z in RESTRICTED_ZIP3)
    assert len(RESTRICTED_ZIP3) == 17


def test_deny_leaves_the_column_out() -> None:
    assert present_sql(col("SSN", "VARCHAR", K.SSN), "deny") is None
