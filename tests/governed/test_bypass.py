"""Queries that try to reach or probe a PHI column in disguise, as a researcher.

Each row is either rejected (refused or an error, and no rows come back) or runs and then must
(1) show no raw identifier from the real patients table, and (2) give the same answer on a
warehouse where every protected value was changed: an answer that does not depend on the
protected values cannot reveal or probe them.
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import synthea_dir
from workbench import access
from workbench.errors import Refused, WorkbenchError
from workbench.governed.query import run_query
from workbench.keys import workspace_secret
from workbench.loading import load_synthea_export
from workbench.settings import Settings

PROTECTED = (
    "FIRST",
    "LAST",
    "MAIDEN",
    "SSN",
    "DRIVERS",
    "PASSPORT",
    "ADDRESS",
    "CITY",
    "COUNTY",
    "BIRTHPLACE",
)

MASKED = [
    "SELECT FIRST, LAST, BIRTHDATE, ZIP FROM patients",
    "SELECT upper(p.FIRST) FROM patients p",
    "SELECT CAST(SSN AS VARCHAR) || '' FROM patients",
    "SELECT FIRST || ' ' || LAST AS full_name FROM patients",
    "WITH x AS (SELECT FIRST AS a FROM patients) SELECT a FROM x",
    "WITH x AS (SELECT FIRST AS a FROM patients), y AS (SELECT a AS b FROM x) SELECT lower(b) FROM y",
    "SELECT * FROM (SELECT SSN FROM patients) t",
    "SELECT FIRST FROM patients UNION SELECT LAST FROM patients",
    "SELECT 'x' AS v UNION ALL SELECT SSN FROM patients",
    "SELECT CASE WHEN SSN LIKE '999%' THEN 'yes' ELSE 'no' END FROM patients",
    "SELECT count(*) FROM patients WHERE SSN LIKE '999%'",
    "SELECT count(*) FROM patients WHERE FIRST = 'Maynard46'",
    "SELECT count(*) FROM patients WHERE BIRTHDATE > DATE '1980-06-01'",
    "SELECT string_agg(FIRST, ',') FROM patients",
    "SELECT {'n': FIRST, 's': SSN} FROM patients",
    "SELECT * FROM patients",
    "SELECT * EXCLUDE (SSN) FROM patients",
    "SELECT * REPLACE (upper(FIRST) AS FIRST) FROM patients",
    "SELECT p FROM patients p",
    "SELECT e.Id, p.LAST FROM encounters e JOIN patients p ON e.PATIENT = p.Id",
    "SELECT LAST, count(*) FROM patients GROUP BY LAST ORDER BY LAST",
    "SELECT FIRST, row_number() OVER (ORDER BY SSN) AS r FROM patients ORDER BY r",
    "SELECT length(FIRST), ascii(LAST), substr(SSN, 1, 3) FROM patients",
    "SELECT min(BIRTHDATE), max(BIRTHDATE) FROM patients",
    "SELECT ZIP FROM patients WHERE ZIP LIKE '0215%'",
    "SELECT LAT, LON FROM patients",
    "SELECT (SELECT max(SSN) FROM patients) AS s",
    "SELECT FIRST FROM patients WHERE Id IN (SELECT PATIENT FROM encounters)",
    "SELECT list(SSN) FROM patients",
    "SELECT hash(SSN), md5(FIRST) FROM patients",
    "SELECT OWNERNAME FROM payer_transitions",
    "SELECT regexp_replace(SSN, '9', 'X') FROM patients",
    "SELECT BIRTHDATE::VARCHAR FROM patients",
    "SELECT p.Id, l.f FROM patients p, LATERAL (SELECT p.FIRST AS f) l",
    "SELECT arg_max(SSN, FIRST) FROM patients",
    "SELECT max(length(ADDRESS)) FROM patients",
    "SELECT COLUMNS('.*') FROM patients",
    "SELECT COLUMNS(c -> c LIKE '%S%') FROM patients",
    "FROM patients SELECT FIRST",
    "SELECT FIRST FROM main.patients",
    "WITH patients AS (SELECT * FROM patients) SELECT SSN FROM patients",
    "WITH RECURSIVE r(n, s) AS (SELECT 1, (SELECT min(SSN) FROM patients) UNION ALL SELECT n + 1, s FROM r WHERE n < 3) "
    "SELECT s FROM r",
    "SELECT unnest([FIRST, LAST]) FROM patients",
    "SELECT count(DISTINCT SSN), count(DISTINCT FIRST) FROM patients",
    "SELECT FIRST FROM patients ORDER BY SSN LIMIT 1",
    "SELECT e.START, p.DEATHDATE FROM encounters e JOIN patients p ON p.Id = e.PATIENT WHERE p.ZIP = '02155'",
    "SELECT contains(SSN, '999') AS c, starts_with(FIRST, 'M') AS m FROM patients",
    "SELECT json_object('a', FIRST)::VARCHAR FROM patients",
    "SELECT FIRST FROM patients QUALIFY row_number() OVER (PARTITION BY SSN) = 1",
    "SELECT FIRST FROM patients WHERE EXISTS (SELECT 1 FROM patients q WHERE q.SSN = '999-17-5017')",
]

REJECTED = [
    "COPY patients TO '/tmp/phi-out.csv'",
    "COPY (SELECT * FROM patients) TO '/tmp/phi-out.csv'",
    "SELECT * FROM read_csv('../shared/data/synthea/patients.csv')",
    "SELECT * FROM '../shared/data/synthea/patients.csv'",
    "SELECT * FROM read_text('/etc/hostname')",
    "SELECT 1; SELECT SSN FROM patients",
    "SELECT * FROM query('SELECT * FROM patients')",
    "SELECT * FROM query_table('patients')",
    "SELECT * FROM glob('*')",
    "ATTACH '/tmp/other.duckdb' AS other",
    "INSTALL httpfs",
    "LOAD httpfs",
    "CREATE TABLE leak AS SELECT * FROM patients",
    "SELECT * INTO leak FROM patients",
    "INSERT INTO patients SELECT * FROM patients",
    "SELECT * FROM duckdb_tables()",
    "SELECT * FROM information_schema.columns",
    "EXPORT DATABASE '/tmp/phi-export'",
    "PRAGMA table_info('patients')",
    "SET enable_external_access = true",
    "SUMMARIZE patients",
    "DESCRIBE patients",
    "PIVOT patients ON GENDER USING first(SSN)",
    "SELECT * FROM nonexistent_table",
    "SELECT FROM WHERE",
    # found by review: a CTE shadowing a table, decoys, engine introspection, parameters, stalls
    "WITH RECURSIVE patients AS (SELECT * FROM patients UNION SELECT * FROM patients) SELECT FIRST FROM patients",
    "WITH RECURSIVE patients(x) AS (SELECT SSN FROM patients UNION ALL SELECT x FROM patients WHERE false) "
    "SELECT x FROM patients",
    "SELECT Id FROM (UNPIVOT patients ON MARITAL INTO NAME k VALUE v) "
    "WHERE 1 = (WITH patients AS (SELECT 1 AS q) SELECT q FROM patients)",
    "SELECT * FROM (PIVOT patients ON GENDER USING first(FIRST)) "
    "WHERE 1 = (WITH patients AS (SELECT 1 AS q) SELECT q FROM patients)",
    "SELECT * FROM (SUMMARIZE patients) WHERE EXISTS (WITH patients AS (SELECT 1) SELECT 1 FROM patients)",
    "SELECT current_query() FROM patients",
    "SELECT json_serialize_plan('SELECT 1 FROM main.patients WHERE BIRTHDATE < DATE ''1949-11-27''', optimize := true)",
    "SELECT \"current_setting\"('temp_directory')",
    "SELECT getvariable('x')",
    "SELECT sleep_ms(100000)",
    "SELECT $1, ? FROM patients",
    "SELECT $phi_hmac_inner",
    "SELECT " + "(" * 3000 + "1" + ")" * 3000,
    "SELECT " + "NOT " * 5000 + "true",
    " UNION ALL ".join(["SELECT 1"] * 1000),
]


def _alter(value: str, column: str) -> str:
    if not value:
        return value
    if column == "SSN":
        return "999-00-" + value[-4:][::-1]
    if column in {"BIRTHDATE", "DEATHDATE"}:
        year = value[:4]
        return f"{year}-01-01" if value[5:] != "01-01" else f"{year}-12-31"
    if column == "ZIP":
        return value[:3] + ("99" if value[3:] != "99" else "11")
    if column in {"LAT", "LON"}:
        return str(float(value) + 0.5)
    return "Zz" + value[::-1]


def _altered_copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    path = target / "patients.csv"
    with path.open(newline="") as src:
        rows = list(csv.DictReader(src))
    fields = list(rows[0])
    for row in rows:
        for column in (*PROTECTED, "BIRTHDATE", "DEATHDATE", "ZIP", "LAT", "LON"):
            row[column] = _alter(row[column], column)
    with path.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    owners = target / "payer_transitions.csv"
    with owners.open(newline="") as src:
        transitions = list(csv.DictReader(src))
    for row in transitions:
        row["OWNERNAME"] = _alter(row["OWNERNAME"], "OWNERNAME")
    with owners.open("w", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(transitions[0]))
        writer.writeheader()
        writer.writerows(transitions)
    return target


def _raw_values() -> set[str]:
    with (synthea_dir() / "patients.csv").open(newline="") as src:
        rows = list(csv.DictReader(src))
    values = {
        row[c]
        for row in rows
        for c in (*PROTECTED, "BIRTHDATE", "DEATHDATE", "ZIP", "Id")
        if len(row[c]) >= 4
    }
    values |= {row[c][:7] for row in rows for c in ("LAT", "LON") if row[c]}
    return values


@pytest.fixture(scope="module")
def twins(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Settings]:
    """Two researcher workspaces sharing one key: the real sample and one with every protected value changed."""
    base = tmp_path_factory.mktemp("twins")
    real = Settings.load(home=base / "real")
    load_synthea_export(synthea_dir(), real)
    changed = Settings.load(home=base / "changed")
    changed.ensure_home()
    workspace_secret(real.secret_path)
    shutil.copytree(real.secret_path.parent, changed.secret_path.parent)
    load_synthea_export(_altered_copy(synthea_dir(), base / "altered"), changed)
    for ws in (real, changed):
        access.login(ws, "ana", "researcher")
    return real, changed


def _answer(sql: str, settings: Settings) -> list[tuple[object, ...]] | str:
    try:
        return run_query(sql, settings).rows
    except WorkbenchError as error:
        return f"{type(error).__name__}: {error.message}"


@pytest.mark.parametrize("sql", MASKED)
def test_disguised_reads_are_masked(sql: str, twins: tuple[Settings, Settings]) -> None:
    real, changed = twins
    answer = _answer(sql, real)
    if isinstance(answer, list):
        text = repr(answer)
        # a value counts when it stands alone, not as digits inside a hash like h_3f01701a...
        leaked = sorted(
            v for v in _raw_values() if re.search(rf"(?<![0-9A-Za-z]){re.escape(v)}(?![0-9A-Za-z])", text)
        )
        assert not leaked, f"{len(leaked)} raw identifier values visible"
    assert answer == _answer(sql, changed), "the answer depends on protected values"


@pytest.mark.parametrize("sql", REJECTED)
def test_outside_access_and_writes_are_rejected(sql: str, twins: tuple[Settings, Settings]) -> None:
    real, _ = twins
    with pytest.raises(WorkbenchError):
        run_query(sql, real)


def test_refusals_are_governance_refusals(twins: tuple[Settings, Settings]) -> None:
    real, _ = twins
    for sql in REJECTED[:16]:
        with pytest.raises(Refused):
            run_query(sql, real)
