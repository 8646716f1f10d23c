"""Leaks closed: path segments with dots, names across segments and dots, parser messages, the path map."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.lineage.test_guarded_sources import leaks, run
from workbench.lineage.build import lineage_folder, trace_files
from workbench.lineage.graph import LineageGraph
from workbench.lineage.safe_names import NameGuard
from workbench.lineage.source_paths import SOURCE_PATHS_FILE
from workbench.lineage.sql import ColumnRef
from workbench.settings import Settings

KEY = b"k" * 32
PIPELINES = REPO / "data" / "synthetic" / "pipelines"

# (location, values that must not survive)
DOTTED_SEGMENTS = [
    ("/exports/mrn.12345678/x.csv", ["12345678", "mrn."]),
    ("/home/john.smith/", ["john", "smith"]),
    ("/home/john.smith", ["john", "smith"]),
    ("/exports/Dr.Smith/a.sql", ["Smith"]),
    ("/exports/pt.12345678", ["12345678"]),
    ("/exports/mr.garcia", ["garcia"]),
    ("/exports/mr.garcia/x.csv", ["garcia"]),
    ("/exports/jane_doe.csv", ["jane", "doe"]),
]


@pytest.mark.parametrize(("location", "values"), DOTTED_SEGMENTS)
def test_a_segment_is_checked_whole_and_keeps_no_suffix_but_an_alphabetic_extension(
    location: str, values: list[str]
) -> None:
    guarded = NameGuard(KEY).location(location)
    assert all(v not in guarded for v in values), guarded
    assert guarded.startswith("/")
    assert NameGuard(KEY).location(guarded) == guarded  # tokens are not PHI


def test_an_alphabetic_extension_of_the_last_segment_is_kept() -> None:
    guard = NameGuard(KEY)
    assert guard.location("/exports/jane_doe.csv").endswith(".csv")
    assert guard.location("/exports/maria_garcia_123456789.parquet").endswith(".parquet")
    assert guard.location("/srv/marts/finance/daily.sql") == "/srv/marts/finance/daily.sql"
    assert guard.location("/data/2024/01/01/part.csv") == "/data/2024/01/01/part.csv"


ACROSS = [
    ("/exports/ssn/123-45/6789.csv", ["123", "6789"]),
    ("/exports/123/45/6789.csv", ["123", "6789"]),
    ("/exports/jane/doe/", ["jane", "doe"]),
]


@pytest.mark.parametrize(("location", "values"), ACROSS)
def test_an_identifier_across_path_segments_is_tokenised(location: str, values: list[str]) -> None:
    guarded = NameGuard(KEY).location(location)
    assert all(v not in guarded for v in values), guarded
    assert guarded.startswith("/exports/")


@pytest.mark.parametrize(
    ("table", "values"),
    [
        ("john.smith", ["john", "smith"]),
        ("main.john.smith", ["john", "smith"]),
        ("source.clinic.jane.doe", ["jane", "doe"]),
    ],
)
def test_a_dotted_name_is_checked_as_a_whole(table: str, values: list[str]) -> None:
    guarded = NameGuard(KEY).table(table)
    assert all(v not in guarded for v in values), guarded
    assert NameGuard(KEY).table("main.patients") == "main.patients"


@pytest.mark.parametrize(
    "table",
    [  # ordinary dotted names are kept: the pair rule is the dictionary's, not the detector's
        "mart.mart_265",
        "mart.mart_265.amount",
        "stg.stg_visits.provider",
        "main.orders.amount",
        "clinic.main.patients",
        "staging.grace_period.days",
        "int.int_001.patient_id",
        "dim.dim_provider.city",
    ],
)
def test_an_ordinary_dotted_name_is_kept(table: str) -> None:
    assert NameGuard(KEY).table(table) == table


def test_the_repo_pipelines_keep_every_name() -> None:
    """Built with a keyed guard, no table or column of the project's own pipelines becomes a token."""
    files = [(str(p), p.read_text(encoding="utf-8")) for p in sorted(PIPELINES.glob("*.sql"))]
    assert len(files) >= 5
    assert trace_files(files, guard=NameGuard(KEY)) == trace_files(files)


def test_a_table_and_column_that_read_as_a_name_are_tokenised() -> None:
    guard = NameGuard(KEY)
    ref = guard.column(ColumnRef("john", "smith"))
    assert "john" not in str(ref) and "smith" not in str(ref)
    assert guard.column(ColumnRef("main.patients", "ssn")) == ColumnRef("main.patients", "ssn")


# -- parser messages ------------------------------------------------------------------------------

BAD_SQL = [
    ("MERGE INTO x USING y ON 1 WHEN SMITH_123456789 THEN DELETE;", ["SMITH", "123456789"]),
    (
        'SELECT FROM WHERE /* patient O\'Brien "x" Jane Doe mrn_12345678 */ a;',
        ["Brien", "Jane", "Doe", "12345678"],
    ),
]


def _duck(message: str) -> str:
    return json.dumps(
        {"type": "QueryLog", "timestamp": "2024-05-01 10:00:00", "message": message, "user": "bo"}
    )


@pytest.mark.parametrize(("sql", "values"), BAD_SQL)
def test_parser_errors_quote_no_sql_in_a_build(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str], sql: str, values: list[str]
) -> None:
    source = tmp_path / "bad.sql"
    source.write_text(sql + "\n")
    code, out, err = run(capsys, "lineage", "build", str(source), "--json")
    assert code == 0, err
    errors = json.loads(out)["errors"]
    assert errors
    code, text, err2 = run(capsys, "lineage", "build", str(source))
    assert code == 0
    for shown in (out, err, text, err2):
        assert all(v not in shown for v in values), shown
    assert leaks(settings.home, *values, private=()) == []


@pytest.mark.parametrize(("sql", "values"), BAD_SQL)
def test_parser_errors_quote_no_sql_in_import_history(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str], sql: str, values: list[str]
) -> None:
    log = tmp_path / "queries.jsonl"
    log.write_text(_duck("CREATE TABLE t AS SELECT ssn FROM patients") + "\n" + _duck(sql) + "\n")
    code, out, err = run(capsys, "lineage", "import-history", str(log), "--format", "duckdb", "--json")
    code2, text, err2 = run(capsys, "lineage", "import-history", str(log), "--format", "duckdb")
    for shown in (out, err, text, err2):
        assert all(v not in shown for v in values), shown
    assert code == 0 and code2 == 0, err + err2
    assert leaks(settings.home, *values, private=()) == []


# -- the real-path map ----------------------------------------------------------------------------

SSN = "123-45-6789"


def _built(settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    folder = tmp_path / "src" / f"Jane Doe {SSN}"
    folder.mkdir(parents=True)
    source = folder / "q.sql"
    source.write_text("CREATE TABLE out1 AS SELECT ssn FROM patients;\n")
    code, _, err = run(capsys, "lineage", "build", str(source))
    assert code == 0, err
    (key,) = LineageGraph.load(lineage_folder(settings)).files
    return source, key


def test_an_edited_path_map_reads_no_other_file(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, key = _built(settings, tmp_path, capsys)
    other = tmp_path / "other.sql"
    other.write_text("CREATE TABLE stolen AS SELECT zip FROM patients;\n")
    secret = tmp_path / "secret.txt"
    secret.write_text("CREATE TABLE stolen2 AS SELECT zip FROM patients;\n")
    for target in (other, secret):
        (lineage_folder(settings) / SOURCE_PATHS_FILE).write_text(json.dumps({key: str(target)}))
        code, _out, err = run(capsys, "lineage", "build", "--json")
        assert code == 0, err
        tables = {e.target.split(".")[0] for e in LineageGraph.load(lineage_folder(settings)).edges()}
        assert "stolen" not in tables and "stolen2" not in tables
        assert "out1" in tables


def test_a_lost_path_map_keeps_the_records_and_says_so(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source, key = _built(settings, tmp_path, capsys)
    (lineage_folder(settings) / SOURCE_PATHS_FILE).unlink()
    code, out, err = run(capsys, "lineage", "build")
    assert code == 0, err
    assert "no longer exist" not in out
    assert "1 file kept without their source path" in out
    assert LineageGraph.load(lineage_folder(settings)).edge_count() == 1
    code, out, err = run(capsys, "lineage", "build", "--json")
    report = json.loads(out)
    assert report["removed"] == [] and report["kept_without_source_path"] == [key]
    # building by path refreshes it
    code, out, err = run(capsys, "lineage", "build", str(source))
    assert code == 0 and "kept without" not in out
    assert (lineage_folder(settings) / SOURCE_PATHS_FILE).exists()


# -- dbt ----------------------------------------------------------------------------------------------


def test_a_dbt_node_naming_no_table_is_one_line(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = tmp_path / "manifest.json"
    manifest.write_text(
        json.dumps({"nodes": {"model.a.b": {"resource_type": "model", "unique_id": "model.a.b"}}})
    )
    code, _out, err = run(capsys, "lineage", "build", "--dbt-manifest", str(manifest))
    assert code == 1
    assert err.count("\n") == 1 and "names no table" in err and "Traceback" not in err
