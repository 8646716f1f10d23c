"""The lineage engine: statement splitting, per-file errors, ordering, incremental builds, storage, tags."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.kinds import IdentifierKind as K
from workbench.lineage.build import UNSUPPORTED_ENCODING, build, decode_sql, trace_files, update
from workbench.lineage.graph import LineageGraph, apply_transform
from workbench.lineage.split import FileError, parse_file
from workbench.lineage.sql import ColumnRef
from workbench.lineage.statements import ColumnEdge
from workbench.settings import Settings

# (T-SQL batch, the statements it holds, by their first words)
TSQL_SPLITS = [
    ("SELECT a INTO t FROM s SELECT b FROM t", ["SELECT a INTO", "SELECT b FROM"]),
    ("INSERT INTO t (x) SELECT a FROM s UNION ALL SELECT b FROM s", ["INSERT INTO t"]),
    ("IF @x = 1 INSERT INTO t SELECT a FROM s ELSE INSERT INTO t SELECT b FROM s",
     ["INSERT INTO t SELECT a", "INSERT INTO t SELECT b"]),
    ("IF OBJECT_ID('t') IS NOT NULL DROP TABLE t\nGO\nCREATE TABLE t (a INT)", ["DROP TABLE t", "CREATE TABLE t"]),
    ("WITH c AS (SELECT a FROM s) UPDATE t SET x = c.a FROM c", ["WITH c AS"]),
    ("MERGE t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET x = s.x "
     "WHEN NOT MATCHED THEN INSERT (id) VALUES (s.id);", ["MERGE INTO t USING"]),
    ("SELECT CASE WHEN a = 1 THEN 2 ELSE 3 END AS c INTO t FROM s", ["SELECT CASE WHEN"]),
    ("CREATE PROCEDURE p @a INT AS BEGIN SET NOCOUNT ON; DELETE FROM t WHERE a = @a END",
     ["SET NOCOUNT ON", "DELETE FROM t"]),
    ("BEGIN TRY INSERT INTO t SELECT a FROM s END TRY BEGIN CATCH PRINT 'x' END CATCH", ["INSERT INTO t"]),
    ("SELECT a FROM s WITH (NOLOCK) INSERT INTO t SELECT 1", ["SELECT a FROM", "INSERT INTO t"]),
    ("DECLARE @n INT SELECT @n = COUNT(*) FROM s", ["DECLARE @n INT", "SELECT @n ="]),
    ("CREATE VIEW v AS SELECT a FROM s SELECT 1", ["CREATE VIEW v", "SELECT 1"]),
    # SET <option> ON|OFF, SET @v = ... and PRINT are complete statements without a semicolon
    ("SET NOCOUNT ON\nINSERT INTO t (k) SELECT a FROM s", ["SET NOCOUNT ON", "INSERT INTO t"]),
    ("SET XACT_ABORT OFF UPDATE t SET k = 1", ["SET XACT_ABORT OFF", "UPDATE t"]),
    ("SET IDENTITY_INSERT t ON MERGE t USING s ON t.id = s.id WHEN MATCHED THEN DELETE;",
     ["MERGE INTO t"]),
    ("SET @n = 1\nDELETE FROM t WHERE a = @n", ["SET @n = 1", "DELETE FROM t"]),
    ("SET @n = CASE WHEN @m = 1 THEN 2 END INSERT INTO t SELECT @n", ["SET @n = CASE", "INSERT INTO t"]),
    ("PRINT 'x'\nSELECT a INTO t FROM s", ["SELECT a INTO"]),
    ("PRINT @m SELECT a INTO t FROM s", ["SELECT a INTO"]),
    ("INSERT INTO t SELECT 1;\nPRINT 'x'\nINSERT INTO u SELECT a FROM s", ["INSERT INTO t", "INSERT INTO u"]),
    ("BEGIN\nINSERT INTO t SELECT 1;\nEND\nINSERT INTO u SELECT a FROM s", ["INSERT INTO t", "INSERT INTO u"]),
]  # fmt: skip


@pytest.mark.parametrize(("sql", "starts"), TSQL_SPLITS)
def test_tsql_statements_without_semicolons(sql: str, starts: list[str]) -> None:
    statements, errors = parse_file(sql, "tsql")
    assert errors == []
    texts = [s.expression.sql("tsql") for s in statements]
    assert len(texts) == len(starts), texts
    for text, start in zip(texts, starts, strict=True):
        assert text.upper().startswith(start.upper()), (text, start)


# (dialect, file text, statements expected) -- procedural wrappers are peeled off, not errors
SCRIPTS = [
    ("snowflake", "BEGIN\n IF (x) THEN INSERT INTO t SELECT a FROM s; END IF;\nEND;", 1),
    ("bigquery", "BEGIN\n INSERT INTO d.t SELECT a FROM d.s;\nEND;", 1),
    ("postgres", "BEGIN; INSERT INTO t SELECT a FROM s; COMMIT;", 1),
    ("duckdb", "-- only a comment\n", 0),
    ("duckdb", "", 0),
]


@pytest.mark.parametrize(("dialect", "sql", "count"), SCRIPTS)
def test_scripting_wrappers(dialect: str, sql: str, count: int) -> None:
    statements, errors = parse_file(sql, dialect)
    assert errors == []
    assert len(statements) == count


def test_a_malformed_statement_is_an_error_of_its_file_and_the_rest_builds() -> None:
    good = "CREATE TABLE a AS SELECT id, ssn FROM patients;"
    bad = (
        "CREATE TABLE b AS SELECT id FROM patients;\n"
        "CREATE TABLE c AS SELECT FROM WHERE '123-45-6789' (;\n"
        "CREATE TABLE d AS SELECT ssn FROM patients;\n"
    )
    records = {r.path: r for r in trace_files([("good.sql", good), ("bad.sql", bad)])}
    assert records["good.sql"].errors == ()
    [error] = records["bad.sql"].errors
    assert (error.file, error.line) == ("bad.sql", 2)
    assert "123" not in error.message and "6789" not in error.message
    targets = {str(e.target) for r in records.values() for e, _ in r.edges}
    assert targets == {"a.id", "a.ssn", "b.id", "d.ssn"}


def test_an_unclosed_quote_spoils_only_its_statement() -> None:
    text = "CREATE TABLE a AS SELECT x FROM s;\nCREATE TABLE b AS SELECT 'oops FROM s;\n"
    [record] = trace_files([("q.sql", text)])
    assert [e.line for e in record.errors] == [2]
    assert {str(e.target) for e, _ in record.edges} == {"a.x"}


def test_a_five_megabyte_file_does_not_hang() -> None:
    rows = ",\n".join(f"({i}, 'name {i}', DATE '2020-01-01')" for i in range(140_000))
    dump = (
        "CREATE TABLE people (id INT, name VARCHAR, born DATE);\n"
        f"INSERT INTO people VALUES\n{rows};\n"
        "CREATE TABLE names AS SELECT id, upper(name) AS name FROM people;\n"
        + "INSERT INTO names SELECT id, name FROM people WHERE id > 10;\n"
        * 20_000
    )
    assert len(dump) > 5_000_000
    [record] = trace_files([("dump.sql", dump)])
    assert record.errors == ()
    assert {e.line() for e, _ in record.edges} >= {"people.name -> names.name DIRECT TRANSFORMATION resolved"}


def test_a_file_past_its_time_budget_is_cut_and_reported() -> None:
    text = "\n".join(f"CREATE TABLE t{i} AS SELECT a, b{i} FROM s{i};" for i in range(2_000))
    [record] = trace_files([("slow.sql", text)], budget=0.0)
    assert record.errors and "time budget" in record.errors[-1].message


def test_a_cycle_among_statements_terminates() -> None:
    text = (
        "CREATE TABLE a AS SELECT * FROM b;\n"
        "CREATE TABLE b AS SELECT x, y FROM a;\n"
        "INSERT INTO a SELECT x, y FROM a;\n"
        "WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM r WHERE n < 3) "
        "SELECT n INTO c FROM r;\n"
    )
    [record] = trace_files([("cycle.sql", text)])
    assert record.errors == ()
    assert "a.x -> b.x DIRECT IDENTITY inferred" in {e.line() for e, _ in record.edges}


def test_statements_are_ordered_across_files() -> None:
    # the reader comes first; its SELECT * still expands because the definer is traced first
    reader = ("1_reader.sql", "CREATE VIEW v AS SELECT * FROM staging.people;")
    definer = ("2_definer.sql", "CREATE TABLE staging.people AS SELECT id, zip FROM raw.people;")
    records = {r.path: r for r in trace_files([reader, definer])}
    assert {e.line() for e, _ in records["1_reader.sql"].edges} == {
        "staging.people.id -> v.id DIRECT IDENTITY resolved",
        "staging.people.zip -> v.zip DIRECT IDENTITY resolved",
    }


@pytest.mark.parametrize(
    ("defined", "read", "source", "grade"),
    [
        # a bare name is looked up in the default schema `main`, as the SQL engine does
        ("main.staff", "staff", "main.staff", "resolved"),
        ("staff", "staff", "staff", "resolved"),
        ("main.staff", "main.staff", "main.staff", "resolved"),
        # never in another schema or catalog just because it is the only table so named
        ("hr.staff", "staff", "staff", "inferred"),
        ("clinic.main.staff", "staff", "staff", "inferred"),
        ("clinic.raw.staff", "raw.staff", "raw.staff", "inferred"),
        ("hr.staff", "hr.staff", "hr.staff", "resolved"),
    ],
)
def test_partial_names_resolve_in_the_default_schema(
    defined: str, read: str, source: str, grade: str
) -> None:
    text = f"CREATE TABLE {defined} (id INT, ssn TEXT);\nCREATE TABLE copy AS SELECT ssn FROM {read};"
    [record] = trace_files([("n.sql", text)])
    assert {e.line() for e, _ in record.edges} == {f"{source}.ssn -> copy.ssn DIRECT IDENTITY {grade}"}


def test_a_file_can_name_its_default_catalog_and_schema() -> None:
    # dbt models are written with their target database and schema as the default
    text = (
        "-- workbench: search clinic.main\n"
        "CREATE TABLE clinic.main.staff (id INT, ssn TEXT);\n"
        "CREATE TABLE clinic.main.copy AS SELECT ssn FROM staff;"
    )
    [record] = trace_files([("m.sql", text)])
    assert {e.line() for e, _ in record.edges} == {
        "clinic.main.staff.ssn -> clinic.main.copy.ssn DIRECT IDENTITY resolved"
    }


def project() -> dict[str, str]:
    return {
        "a.sql": "CREATE TABLE a AS SELECT id, ssn FROM raw;",
        "b.sql": "CREATE TABLE b AS SELECT * FROM a;",
        "c.sql": "CREATE TABLE c AS SELECT id FROM other;",
    }


def test_incremental_update_retraces_changed_files_and_their_readers() -> None:
    graph = LineageGraph()
    files = project()
    assert update(graph, files).traced == ("a.sql", "b.sql", "c.sql")
    assert update(graph, files).traced == ()
    # a new column in `a` reaches `b` through its SELECT *: b is re-traced, c is not
    files["a.sql"] = "CREATE TABLE a AS SELECT id, ssn, zip FROM raw;"
    assert update(graph, files, read_text=files).traced == ("a.sql", "b.sql")
    assert "a.zip -> b.zip" in {f"{e.source} -> {e.target}" for e in graph.edges()}
    # a change that keeps a's columns touches a alone
    files["a.sql"] = "CREATE TABLE a AS SELECT id, ssn, zip FROM raw WHERE id > 0;"
    assert update(graph, files, read_text=files).traced == ("a.sql",)
    # edges of a file are replaced, not added to
    files["c.sql"] = "CREATE TABLE c AS SELECT name FROM other;"
    update(graph, files)
    assert {str(e.target) for e, _ in graph.files["c.sql"].edges} == {"c.name"}
    assert "c.id" not in graph.graph
    update(graph, {}, removed=["c.sql"])
    assert "c.sql" not in graph.files and "c.name" not in graph.graph


def test_the_same_edge_from_two_files_survives_the_removal_of_one() -> None:
    graph = LineageGraph()
    update(graph, {"x.sql": "INSERT INTO t SELECT a FROM s;", "y.sql": "INSERT INTO t SELECT a FROM s;"})
    [edge] = graph.edges()
    assert edge.origin == "x.sql"
    update(graph, {}, removed=["x.sql"])
    [edge] = graph.edges()
    assert edge.origin == "y.sql"


def test_storage_round_trip_and_stale_records(tmp_path: Path) -> None:
    graph = LineageGraph()
    files = project()
    update(graph, files)
    graph.save(tmp_path)
    loaded = LineageGraph.load(tmp_path)
    assert list(loaded.edges()) == list(graph.edges())
    assert loaded.files == graph.files
    files["c.sql"] = "CREATE TABLE c AS SELECT name FROM other;"
    update(loaded, files)
    loaded.save(tmp_path)
    assert len(list((tmp_path / "records").glob("*.json"))) == 3
    assert list(LineageGraph.load(tmp_path).edges()) == list(loaded.edges())
    (tmp_path / "graph.json").write_text("{not json")
    with pytest.raises(Exception, match="unreadable"):
        LineageGraph.load(tmp_path)


# (kinds in, protective transform, kinds out)
TRANSFORMS = [
    ({K.SSN}, None, {K.SSN}),
    ({K.SSN}, "hash", {K.OTHER_ID}),
    ({K.DATE}, "generalize", set()),
    ({K.GEO}, "generalize", set()),
    ({K.NAME}, "generalize", {K.OTHER_ID}),
    ({K.PHONE}, "mask", set()),
    ({K.MRN}, "count", set()),
    (set(), "hash", set()),
]


@pytest.mark.parametrize(("kinds", "transform", "out"), TRANSFORMS)
def test_tags_through_a_transform(kinds: set[K], transform: str | None, out: set[K]) -> None:
    assert apply_transform(kinds, transform) == out


def edge(
    source: str, target: str, kind: str = "DIRECT", subtype: str = "IDENTITY", transform: str | None = None
):
    s_table, s_col = source.rsplit(".", 1)
    t_table, t_col = target.rsplit(".", 1)
    return ColumnEdge(
        ColumnRef(s_table, s_col), ColumnRef(t_table, t_col), kind, subtype, "resolved", transform
    )  # type: ignore[arg-type]


def small_graph() -> LineageGraph:
    from workbench.lineage.graph import FileRecord

    edges = [
        edge("p.ssn", "s.ssn"),
        edge("s.ssn", "r.study_id", subtype="TRANSFORMATION", transform="hash"),
        edge("s.ssn", "m.flag", "INDIRECT", "CONDITIONAL"),
        edge("m.flag", "x.flag"),
        edge("s.ssn", "f.*", "INDIRECT", "FILTER"),
        edge("f.*", "g.*"),
        edge("p.birth", "r.birth_year", subtype="TRANSFORMATION", transform="generalize"),
        edge("u.*", "v.*"),
    ]
    graph = LineageGraph()
    graph.replace(FileRecord("f.sql", "", "duckdb", "", 1, (), {}, (), (), tuple((e, 1) for e in edges)))
    return graph


def test_tags_propagate_directly_and_mark_indirectly() -> None:
    tags = small_graph().propagate({"p.ssn": {K.SSN}, "p.birth": {K.DATE}})
    assert tags["s.ssn"].direct == {K.SSN}
    assert tags["r.study_id"].direct == {K.OTHER_ID}
    assert "r.birth_year" not in tags
    assert tags["m.flag"].direct == frozenset() and tags["m.flag"].indirect == {K.SSN}
    assert tags["x.flag"].indirect == {K.SSN}
    assert tags["g.*"].indirect == {K.SSN}


def test_downstream_follows_values_and_stops_at_row_level_edges() -> None:
    reached = small_graph().downstream(["p.ssn"])
    assert {n: r.hops for n, r in reached.items()} == {
        "p.ssn": 0, "s.ssn": 1, "r.study_id": 2, "m.flag": 2, "x.flag": 3, "f.*": 2,
    }  # fmt: skip
    assert reached["x.flag"].types == ("DIRECT:IDENTITY", "INDIRECT:CONDITIONAL", "DIRECT:IDENTITY")
    assert reached["x.flag"].path == ("p.ssn", "s.ssn", "m.flag", "x.flag")
    assert not reached["f.*"].carries and reached["x.flag"].carries


def test_downstream_from_a_column_of_a_table_read_by_star() -> None:
    from workbench.lineage.graph import FileRecord

    graph = small_graph()
    graph.replace(FileRecord("g.sql", "", "duckdb", "", 1, (), {}, (), (), ((edge("u.id", "w.id"), 1),)))
    assert set(graph.downstream(["u.id"])) == {"u.id", "w.id", "v.*"}


def test_a_tsql_set_without_semicolon_keeps_the_insert_and_is_no_model() -> None:
    sql = (
        "CREATE PROCEDURE dbo.p AS\nBEGIN\n  SET NOCOUNT ON\n"
        "  INSERT INTO export.t10 (k) SELECT ssn FROM patients\nEND\nGO\n"
    )
    [record] = trace_files([("proc.sql", sql)], "tsql")
    assert record.errors == ()
    assert [e.line() for e, _ in record.edges] == ["patients.ssn -> export.t10.k DIRECT IDENTITY inferred"]
    assert "proc" not in record.defines


def test_a_tsql_batch_with_one_query_and_other_statements_is_an_error_not_a_model() -> None:
    sql = "CREATE PROCEDURE dbo.q AS\nPRINT 'hi'\nSELECT ssn FROM patients\nGO\n"
    [record] = trace_files([("q.sql", sql)], "tsql")
    assert record.edges == () and record.defines == {}
    [error] = record.errors
    assert (error.line, error.col) == (3, 1) and "batch with other statements" in error.message
    [plain] = trace_files([("m.sql", "SELECT ssn FROM patients\n")], "tsql")  # a one-query file still is
    assert "m" in plain.defines


# (dialect, file text, line, column) -- a statement sqlglot keeps as a raw command is an error
COMMAND_FALLBACKS = [
    ("duckdb", "CREATE TABLE x AS SELECT a FROM t WHERE name = JohnSmithPatient JaneDoe;", 1, 1),
    ("duckdb", "SELECT 1;\n  CREATE TABLE x AS SELECT a FROM t WHERE name = JohnSmithPatient JaneDoe;", 2, 3),
]


@pytest.mark.parametrize(("dialect", "sql", "line", "col"), COMMAND_FALLBACKS)
def test_a_statement_the_parser_gives_up_on_is_an_error(dialect: str, sql: str, line: int, col: int) -> None:
    [record] = trace_files([("f.sql", sql)], dialect)
    [error] = record.errors
    assert (error.line, error.col) == (line, col)
    assert "JohnSmith" not in error.message and "JaneDoe" not in error.message
    assert "not support" in error.message


@pytest.mark.parametrize(
    ("dialect", "sql"),
    [
        ("duckdb", "SET threads = 4;\nINSTALL httpfs;\nLOAD httpfs;"),
        ("tsql", "PRINT 'x'\nGO\n"),
        ("snowflake", "USE WAREHOUSE wh;"),
    ],
)
def test_commands_that_write_nothing_are_not_errors(dialect: str, sql: str) -> None:
    _, errors = parse_file(sql, dialect)
    assert errors == []


def test_an_unclassified_copy_is_an_error() -> None:
    from sqlglot import exp

    from workbench.lineage.statements import TableIndex, UnclassifiedStatement, trace_statement

    odd = exp.Copy(this=exp.Subquery(this=exp.select("ssn").from_("patients")), kind=False, files=[])
    with pytest.raises(UnclassifiedStatement):
        trace_statement(odd, TableIndex(), "postgres")
    export = exp.Export(this=exp.Literal.string("x"))
    with pytest.raises(UnclassifiedStatement):
        trace_statement(export, TableIndex(), "bigquery")


def test_copy_loads_and_unloads_are_told_apart() -> None:
    [record] = trace_files(
        [("c.sql", "COPY INTO patients FROM 's3://b/in/';\nCOPY INTO @st/out FROM patients;\n")], "snowflake"
    )
    assert record.errors == ()
    assert [w.table for w in record.writes] == ["file:@st/out"]


# (file bytes) -- decoded by the byte-order mark, else UTF-8
SQL_TEXT = "CREATE TABLE b AS SELECT ssn FROM patients;\n"
ENCODINGS = [
    SQL_TEXT.encode("utf-8"),
    SQL_TEXT.encode("utf-8-sig"),
    SQL_TEXT.encode("utf-16"),
    "\ufeff".encode("utf-16-be") + SQL_TEXT.encode("utf-16-be"),
]


@pytest.mark.parametrize("data", ENCODINGS)
def test_files_are_decoded_by_their_byte_order_mark(data: bytes) -> None:
    text = decode_sql(data)
    assert text == SQL_TEXT
    [record] = trace_files([("b.sql", text)])
    assert record.errors == () and len(record.edges) == 1


@pytest.mark.parametrize(
    "data", [SQL_TEXT.encode("utf-16-le"), SQL_TEXT.encode("utf-32"), "é".encode("latin-1") + b" SELECT 1;"]
)
def test_other_encodings_are_one_clear_error(data: bytes) -> None:
    assert decode_sql(data) is None


def test_a_bom_passed_as_text_is_ignored() -> None:
    [record] = trace_files([("b.sql", "\ufeff" + SQL_TEXT)])
    assert record.errors == () and len(record.edges) == 1


def test_an_unsupported_encoding_is_reported_once_per_file(hospital: Settings, tmp_path: Path) -> None:
    (tmp_path / "good.sql").write_bytes(SQL_TEXT.encode("utf-8-sig"))
    (tmp_path / "bad.sql").write_bytes(SQL_TEXT.encode("utf-16-le"))
    report = build(hospital, [tmp_path])
    assert report.files == 1 and report.edges >= 1
    [error] = report.errors
    assert Path(error.file).name == "bad.sql" and error.message == UNSUPPORTED_ENCODING


@pytest.mark.parametrize(
    ("line", "col", "shown"), [(8, -26, "8:1"), (0, 0, "0:0"), (3, 0, "3:1"), (-1, 5, "0:5")]
)
def test_error_positions_are_never_negative(line: int, col: int, shown: str) -> None:
    assert str(FileError("bin.sql", line, col, "m")) == f"bin.sql:{shown}: m"
