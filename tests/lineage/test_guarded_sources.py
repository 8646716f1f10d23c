"""Paths of SQL files and dbt unique_ids can hold PHI: only their guarded form is stored or shown."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.lineage.test_dbt import MANIFEST
from workbench.cli.main import main
from workbench.lineage.build import lineage_folder
from workbench.lineage.graph import LineageGraph
from workbench.lineage.source_paths import SOURCE_PATHS_FILE
from workbench.settings import Settings

SSN = "123-45-6789"
NAME = "Maria Garcia"


def leaks(home: Path, *values: str, private: tuple[str, ...] = (SOURCE_PATHS_FILE,)) -> list[str]:
    """Files of the workspace (other than the private map) holding one of `values`."""
    found = []
    for file in home.rglob("*"):
        if file.is_file() and file.name not in private:
            data = file.read_bytes()
            if any(v.encode() in data for v in values):
                found.append(str(file.relative_to(home)))
    return found


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_sql_file_paths_are_guarded_everywhere_and_rebuild_reads_the_real_file(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "src" / f"Jane Doe {SSN}"
    folder.mkdir(parents=True)
    (folder / f"{SSN}.sql").write_text("CREATE TABLE out1 AS SELECT ssn FROM patients;\n")
    (tmp_path / "src" / f"bad_{NAME}.sql").write_text("CREATE TABLE out2 AS SELECT ssn FROM patients;\n")
    code, out, err = run(capsys, "lineage", "build", str(tmp_path / "src"), "--json")
    assert code == 0, err
    assert SSN not in out and "Jane Doe" not in out
    code, out, _ = run(capsys, "lineage", "edges", "--json")
    assert code == 0 and SSN not in out and "Jane Doe" not in out and out.count("\n") == 2
    code, out, _ = run(capsys, "lineage", "export", "--format", "openlineage")
    assert code == 0 and SSN not in out and "Jane Doe" not in out
    assert leaks(settings.home, SSN, "Jane Doe") == []
    private = lineage_folder(settings) / SOURCE_PATHS_FILE
    assert private.stat().st_mode & 0o077 == 0
    # a rebuild re-reads the user's real files: a change is traced
    (folder / f"{SSN}.sql").write_text("CREATE TABLE out1 AS SELECT ssn, zip FROM patients;\n")
    code, out, err = run(capsys, "lineage", "build", "--json")
    assert code == 0, err
    assert json.loads(out)["removed"] == []
    targets = {e.target for e in LineageGraph.load(lineage_folder(settings)).edges()}
    assert "out1.zip" in targets
    assert leaks(settings.home, SSN, "Jane Doe") == []


def test_a_dbt_unique_id_holding_an_identifier_is_guarded(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    uid = f"model.clinic.jane_doe_{SSN}"
    text = MANIFEST.read_text().replace("model.clinic.stg_patients", uid)
    manifest = tmp_path / "manifest.json"
    manifest.write_text(text)
    code, out, err = run(capsys, "lineage", "build", "--dbt-manifest", str(manifest), "--json")
    assert code == 0, err
    assert SSN not in out
    code, out, _ = run(capsys, "lineage", "export", "--format", "openlineage")
    assert code == 0 and SSN not in out
    assert leaks(settings.home, SSN) == []


# -- query logs: literals in JSON paths, file tables, user names ------------------------------------

# (dialect, a logged write whose JSON path holds a value) -- every path is blanked in the stored file
JSON_PATHS = [
    ("postgres", f"CREATE TABLE t AS SELECT p.data ->> 'Jane Doe {SSN}' AS a FROM patients AS p"),
    ("postgres", f"CREATE TABLE t AS SELECT JSON_EXTRACT_PATH_TEXT(p.data, 'ssn_{SSN}') AS a FROM patients AS p"),
    ("duckdb", f"CREATE TABLE t AS SELECT d -> '$.\"Jane Doe {SSN}\"' AS a FROM patients"),
    ("duckdb", f"CREATE TABLE t AS SELECT json_extract(d, '$.\"Jane Doe {SSN}\"') AS a FROM patients"),
    ("bigquery", f"CREATE TABLE t AS SELECT JSON_VALUE(d, '$.jane_{SSN.replace('-', '')}') AS a FROM patients"),
    ("snowflake", f'CREATE TABLE t AS SELECT d:"Jane Doe {SSN}" AS a FROM patients'),
    ("tsql", f"SELECT JSON_VALUE(d, '$.jane_{SSN.replace('-', '')}') AS a INTO t FROM patients"),
]  # fmt: skip


@pytest.mark.parametrize(("dialect", "sql"), JSON_PATHS)
def test_json_paths_in_logged_statements_are_blanked(dialect: str, sql: str) -> None:
    import sqlglot

    from workbench.lineage.origins import blank_literals

    stored = blank_literals(sqlglot.parse_one(sql, read=dialect)).sql(dialect=dialect)
    assert SSN not in stored and SSN.replace("-", "") not in stored and "Jane" not in stored
    assert sqlglot.parse_one(stored, read=dialect) is not None  # still SQL the engine re-reads


def _duck_log(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text(
        "".join(
            json.dumps({"type": "QueryLog", "timestamp": "2024-05-02 10:00:00", "message": m, "user": u})
            + "\n"
            for u, m in rows
        )
    )
    return path


def test_file_tables_and_user_names_of_a_query_log_are_guarded(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = _duck_log(
        tmp_path / "q.jsonl",
        [
            ("eve", f"CREATE TABLE x2 AS SELECT ssn FROM read_parquet('/data/jane_doe_{SSN}.parquet')"),
            ("eve", f"CREATE TABLE x3 AS SELECT ssn FROM '/data/jane_doe_{SSN}.parquet'"),
            (SSN, "CREATE TABLE x4 AS SELECT ssn FROM patients"),
        ],
    )
    code, out, err = run(capsys, "lineage", "import-history", str(log), "--format", "duckdb", "--json")
    assert code == 0, err
    assert SSN not in out
    edges = {(e.source, e.target) for e in LineageGraph.load(lineage_folder(settings)).edges()}
    sources = {s for s, t in edges if t in {"x2.ssn", "x3.ssn"}}
    # the file is a table with a name (its segments guarded), the same for both spellings
    assert len(sources) == 1 and all(s.startswith("/data/h_") and s.endswith(".parquet.ssn") for s in sources)
    code, out, _ = run(capsys, "lineage", "export", "--format", "openlineage")
    assert code == 0 and SSN not in out
    assert leaks(settings.home, SSN, "jane_doe") == []


def test_a_star_in_a_query_log_reads_the_columns_the_workspace_knows(
    hospital: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = _duck_log(
        tmp_path / "q.jsonl",
        [("ann", "SELECT * FROM patients"), ("bob", "SELECT p.* FROM main.patients p"), ("cy", "SELECT 1")],
    )
    code, _, err = run(capsys, "lineage", "import-history", str(log), "--format", "duckdb")
    assert code == 0, err
    assert run(capsys, "login", "--user", "pia", "--role", "privacy_analyst")[0] == 0
    code, out, err = run(capsys, "impact", "patients.SSN", "--json")
    assert code == 0, err
    assert {r["principal"] for r in json.loads(out)["readers"]} == {"ann", "bob"}


def test_a_star_over_an_unknown_table_reads_every_column_of_it() -> None:
    from workbench.lineage.readers import Read, readers_of

    star = Read(
        "ann", "", "", "2024-05-02T10:00:00+00:00", frozenset({"vault.*"}), frozenset({"vault"}), "log"
    )
    other = Read(
        "bob", "", "", "2024-05-02T10:00:00+00:00", frozenset({"other.*"}), frozenset({"other"}), "log"
    )
    assert [r.principal for r in readers_of([star, other], ["vault.ssn"])] == ["ann"]


# -- query logs: encodings -----------------------------------------------------------------------------


def test_a_byte_order_mark_is_accepted_and_bad_utf8_fails_naming_its_line(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    row = json.dumps(
        {
            "type": "QueryLog",
            "timestamp": "2024-05-02 10:00:00",
            "message": "CREATE TABLE f1 AS SELECT ssn FROM patients",
        }
    ).encode()
    bom = tmp_path / "bom.jsonl"
    bom.write_bytes(b"\xef\xbb\xbf" + row + b"\n")
    code, out, err = run(capsys, "lineage", "import-history", str(bom), "--format", "duckdb", "--json")
    assert code == 0, err
    assert json.loads(out)["writes"] == 1
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(row + b"\n" + row.replace(b"SELECT", b"SELECT \xff\xfe") + b"\n")
    code, _, err = run(capsys, "lineage", "import-history", str(bad), "--format", "duckdb")
    assert code == 1 and err.count("\n") == 1 and "Line 2 " in err and "UTF-8" in err


@pytest.mark.parametrize("text", ["", "random text file\nnot a log at all\n"])
def test_a_file_that_is_not_a_postgres_log_fails(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    log = tmp_path / "x.log"
    log.write_text(text)
    code, _, err = run(capsys, "lineage", "import-history", str(log), "--format", "postgres")
    assert code == 1 and err.count("\n") == 1 and "random" not in err


def test_an_empty_dialect_is_a_usage_error(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.sql").write_text("CREATE TABLE t AS SELECT 1 AS x;\n")
    code, _, err = run(capsys, "lineage", "build", "--dialect", "", str(tmp_path / "a.sql"))
    assert code != 0 and err.count("\n") == 1 and "dialect" in err


# -- one-line errors, never tracebacks -------------------------------------------------------------


def test_export_to_a_missing_folder_or_a_folder_is_one_line(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for target in (tmp_path / "missing" / "x.jsonl", tmp_path):
        code, _, err = run(capsys, "lineage", "export", "--format", "openlineage", "--output", str(target))
        assert code == 1 and err.count("\n") == 1 and "Traceback" not in err


def test_deeply_nested_json_is_one_line(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deep = tmp_path / "deep.jsonl"
    deep.write_text("[" * 200_000 + "]" * 200_000 + "\n")
    deep_obj = tmp_path / "deep_obj.jsonl"
    deep_obj.write_text('{"a":' * 200_000 + "1" + "}" * 200_000 + "\n")
    for argv in (
        ["lineage", "import-openlineage", str(deep)],
        ["lineage", "import-openlineage", str(deep_obj)],
        ["lineage", "build", "--dbt-manifest", str(deep)],
    ):
        code, _, err = run(capsys, *argv)
        assert code == 1 and err.count("\n") == 1 and "Traceback" not in err, argv


def test_a_statement_too_costly_to_trace_is_an_error_and_the_build_goes_on(tmp_path: Path) -> None:
    from workbench.lineage.build import trace_files

    chain = "CREATE TABLE chain AS SELECT " + " || ".join(["ssn"] * 20_000) + " FROM patients;\n"
    fine = "CREATE TABLE ok AS SELECT ssn FROM patients;\n"
    [bad, good] = trace_files([("chain.sql", chain), ("ok.sql", fine)])
    assert [e.message for e in bad.errors] == [
        "statement nested too deeply to trace within the time budget; skipped"
    ]
    assert good.errors == () and good.edges


def test_a_record_stored_before_paths_were_guarded_moves_to_its_guarded_key(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from workbench.lineage.build import trace_files
    from workbench.lineage.graph import locked

    folder = tmp_path / f"Jane Doe {SSN}"
    folder.mkdir()
    (folder / "a.sql").write_text("CREATE TABLE out1 AS SELECT ssn FROM patients;\n")
    real = str(folder / "a.sql")
    lineage = lineage_folder(settings)
    lineage.mkdir(parents=True)
    with locked(lineage):  # what an older workbench stored: the real path as the key
        graph = LineageGraph.load(lineage)
        for record in trace_files([(real, (folder / "a.sql").read_text())]):
            graph.replace(record)
        graph.save(lineage)
    code, _, err = run(capsys, "lineage", "build")
    assert code == 0, err
    assert list(LineageGraph.load(lineage).files) != [real]
    assert len(LineageGraph.load(lineage).files) == 1
    assert leaks(settings.home, SSN, "Jane Doe", private=(SOURCE_PATHS_FILE, "ledger.sqlite")) == []
