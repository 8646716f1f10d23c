"""Names that look like PHI (an SSN-shaped file name, a person's name as an alias) never enter the graph.

Identifiers and the locations of external targets are checked with the detection engine's fast scan;
one that holds an identifier is replaced by a keyed token (`h_` + 16 hex), the same one wherever the
name appears, so the edges still connect.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.lineage.sources import column_lineage, run_event
from workbench.cli.main import main
from workbench.lineage.build import lineage_folder, trace_files
from workbench.lineage.graph import LineageGraph
from workbench.lineage.safe_names import NameGuard
from workbench.settings import Settings

TOKEN = r"h_[0-9a-f]{16}"

# (statement, the PHI it holds) -- none of these values may reach edges or stored records
PHI_NAMES = [
    ("COPY (SELECT name FROM patients) TO '/tmp/123-45-6789.csv'", "123-45-6789"),
    ('CREATE TABLE t1 AS SELECT ssn AS "123-45-6789" FROM patients', "123-45-6789"),
    ('CREATE TABLE t2 AS SELECT first AS "John Smith" FROM patients', "John Smith"),
    ('CREATE TABLE t3 AS SELECT email AS "ana.garcia@example.com" FROM patients', "ana.garcia@example.com"),
    ('CREATE TABLE t4 AS SELECT phone AS "(617) 253-1000" FROM patients', "253-1000"),
    ("COPY (SELECT id FROM patients) TO 's3://feeds/ana.garcia@example.com/out.csv'", "ana.garcia"),
    ('CREATE TABLE "123-45-6789" AS SELECT id FROM patients', "123-45-6789"),
]

# (statement, names it must keep as written) -- negative rows: ordinary names are not touched
KEPT_NAMES = [
    ("COPY (SELECT ssn FROM patients) TO 'exports/billing_feed.csv'", ["file:exports/billing_feed.csv.ssn"]),
    ("CREATE TABLE marts.t AS SELECT first AS first_name, ssn AS member_key FROM patients",
     ["marts.t.first_name", "marts.t.member_key"]),
    ("COPY (SELECT id FROM patients) TO 's3://acme-bucket/exports/claims.parquet'",
     ["file:s3://acme-bucket/exports/claims.parquet.id"]),
]  # fmt: skip


def _names(sql: str, guard: NameGuard | None = None) -> str:
    [record] = trace_files([("q.sql", sql + ";\n")], guard=guard)
    return json.dumps(record.to_json())


@pytest.mark.parametrize(("sql", "value"), PHI_NAMES)
def test_a_phi_looking_name_is_replaced_by_a_keyed_token(sql: str, value: str) -> None:
    stored = _names(sql, NameGuard(b"k" * 32))
    assert value not in stored
    assert "h_" in stored


@pytest.mark.parametrize(("sql", "kept"), KEPT_NAMES)
def test_ordinary_names_are_kept(sql: str, kept: list[str]) -> None:
    [record] = trace_files([("q.sql", sql + ";\n")], guard=NameGuard(b"k" * 32))
    targets = {str(e.target) for e, _ in record.edges}
    assert set(kept) <= targets


def test_without_a_key_the_kind_stands_in() -> None:
    stored = _names(PHI_NAMES[1][0])
    assert "123-45-6789" not in stored and "[ssn]" in stored.lower()


def test_tokens_are_stable_and_keyed() -> None:
    one, two = NameGuard(b"a" * 32), NameGuard(b"b" * 32)
    assert one.name("123-45-6789") == NameGuard(b"a" * 32).name("123-45-6789")
    assert one.name("123-45-6789") != two.name("123-45-6789")
    assert one.name(one.name("123-45-6789")) == one.name("123-45-6789")  # a token is not PHI
    assert one.location("/tmp/123-45-6789.csv").endswith(".csv")


def _build_and_read(settings: Settings, capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    assert main(list(argv)) == 0, capsys.readouterr().err
    assert main(["lineage", "edges", "--json"]) == 0
    out = capsys.readouterr().out
    stored = "".join(
        p.read_text(errors="replace") for p in lineage_folder(settings).rglob("*") if p.is_file()
    )
    return out + stored


def test_no_phi_name_reaches_edges_or_stored_records_and_edges_connect(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sql = tmp_path / "sql"
    sql.mkdir()
    (sql / "a.sql").write_text(
        'CREATE TABLE t AS SELECT ssn AS "123-45-6789", first AS "John Smith" FROM patients;\n'
    )
    (sql / "b.sql").write_text("COPY (SELECT \"123-45-6789\" FROM t) TO '/tmp/987-65-4321.csv';\n")
    text = _build_and_read(settings, capsys, "lineage", "build", str(sql))
    for value in ("123-45-6789", "987-65-4321", "John Smith"):
        assert value not in text
    graph = LineageGraph.load(lineage_folder(settings))
    reached = graph.downstream(["patients.ssn"])
    assert any(
        c.startswith("file:/tmp/h_") and c.endswith(".csv.h_" + c.rsplit(".h_", 1)[-1]) for c in reached
    )
    # rebuilding one file alone traces against the stored tokens: still connected
    (sql / "b.sql").write_text("COPY (SELECT \"123-45-6789\" AS x FROM t) TO '/tmp/987-65-4321.csv';\n")
    _build_and_read(settings, capsys, "lineage", "build", str(sql / "b.sql"))
    graph = LineageGraph.load(lineage_folder(settings))
    assert any(c.startswith("file:/tmp/h_") and c.endswith(".x") for c in graph.downstream(["patients.ssn"]))


def test_query_history_names_are_checked(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "pg.log"
    log.write_text(
        "2024-05-01 10:00:00.100 UTC [101] bo@hospital LOG:  statement: "
        'CREATE TABLE t AS SELECT ssn AS "123-45-6789" FROM patients\n'
        "2024-05-01 10:01:00.100 UTC [101] bo@hospital LOG:  statement: "
        "COPY (SELECT \"123-45-6789\" FROM t) TO '/tmp/987-65-4321.csv'\n"
        "2024-05-01 10:02:00.100 UTC [102] ana@hospital LOG:  statement: "
        'SELECT "123-45-6789" FROM t\n'
    )
    text = _build_and_read(settings, capsys, "lineage", "import-history", str(log), "--format", "postgres")
    assert "123-45-6789" not in text and "987-65-4321" not in text
    graph = LineageGraph.load(lineage_folder(settings))
    assert any(c.startswith("file:/tmp/h_") for c in graph.downstream(["patients.ssn"]))


def test_openlineage_names_are_checked(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    event = run_event(
        "export 123-45-6789",
        [
            {
                "namespace": "s3://feeds",
                "name": "out/John Smith.csv",
                "facets": {
                    **column_lineage(
                        {
                            "123-45-6789": {
                                "inputFields": [{"namespace": "pg", "name": "patients", "field": "ssn"}]
                            }
                        }
                    ),
                    "schema": {"fields": [{"name": "123-45-6789"}]},
                },
            }
        ],
        [{"namespace": "pg", "name": "patients"}],
    )
    events = tmp_path / "events.jsonl"
    events.write_text(json.dumps(event) + "\n")
    text = _build_and_read(settings, capsys, "lineage", "import-openlineage", str(events))
    assert "123-45-6789" not in text and "John Smith" not in text
    graph = LineageGraph.load(lineage_folder(settings))
    [target] = graph.downstream(["patients.ssn"]).keys() - {"patients.ssn"}
    assert target.startswith("file:s3://feeds/out/h_") and ".csv.h_" in target
