"""`workbench lineage build` with no path rebuilds every source: SQL files, dbt, query logs, OpenLineage."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.lineage.sources import DBT_BUILD, LOG, PIPELINES, column_lineage, run_event
from workbench.cli.main import main
from workbench.lineage.build import lineage_folder
from workbench.lineage.graph import LineageGraph
from workbench.settings import Settings

EVENT = run_event(
    "claims_feed",
    [
        {
            "namespace": "pg",
            "name": "feed.claims_out",
            "facets": column_lineage(
                {"member": {"inputFields": [{"namespace": "pg", "name": "claims", "field": "patientid"}]}}
            ),
        }
    ],
    [{"namespace": "pg", "name": "claims"}],
)


def _edges(settings: Settings) -> list[tuple[str, ...]]:
    graph = LineageGraph.load(lineage_folder(settings))
    return [
        (e.source, e.target, e.type, e.subtype, e.grade, e.transform or "", e.origin) for e in graph.edges()
    ]


def _dialects(settings: Settings) -> dict[str, str]:
    return {p: r.dialect for p, r in LineageGraph.load(lineage_folder(settings)).files.items()}


def test_a_rebuild_keeps_every_source_with_its_own_dialect(
    hospital: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text(json.dumps(EVENT) + "\n")
    for argv in (
        ["lineage", "build", str(PIPELINES), "--dialect", "postgres"],
        DBT_BUILD,
        ["lineage", "import-history", str(LOG), "--format", "postgres"],
        ["lineage", "import-openlineage", str(events)],
    ):
        assert main(argv) == 0, capsys.readouterr().err
    before, dialects = _edges(hospital), _dialects(hospital)
    assert {"postgres", "duckdb", "openlineage"} <= set(dialects.values())
    assert any(o.startswith("openlineage:") for *_, o in before)
    capsys.readouterr()
    assert main(["lineage", "build", "--json"]) == 0, capsys.readouterr().err
    report = json.loads(capsys.readouterr().out)
    assert report["removed"] == [] and report["traced"] == []  # nothing changed: nothing re-traced
    assert _edges(hospital) == before
    assert _dialects(hospital) == dialects


def test_a_rebuild_after_a_change_retraces_in_the_files_dialect(
    hospital: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sql = tmp_path / "sql"
    sql.mkdir()
    (sql / "a.sql").write_text("CREATE TABLE t AS SELECT ssn FROM patients;\n")
    assert main(["lineage", "build", str(sql), "--dialect", "postgres"]) == 0
    assert main(["lineage", "import-history", str(LOG), "--format", "postgres"]) == 0
    (sql / "a.sql").write_text("CREATE TABLE t AS SELECT ssn, first FROM patients;\n")
    capsys.readouterr()
    assert main(["lineage", "build"]) == 0, capsys.readouterr().err
    assert set(_dialects(hospital).values()) == {"postgres"}


def test_files_of_two_dialects_see_each_others_changes(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """b (duckdb) reads t, which a (postgres) defines: traced in one rebuild, b still sees a's columns."""
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "a.sql").write_text("CREATE TABLE t AS SELECT ssn FROM patients;\n")
    (b / "b.sql").write_text("CREATE TABLE u AS SELECT * FROM t;\n")
    assert main(["lineage", "build", str(a), "--dialect", "postgres"]) == 0
    assert main(["lineage", "build", str(b)]) == 0
    (a / "a.sql").write_text("CREATE TABLE t AS SELECT ssn, first FROM patients;\n")
    (b / "b.sql").write_text("CREATE TABLE u AS SELECT * FROM t WHERE 1 = 1;\n")
    capsys.readouterr()
    assert main(["lineage", "build"]) == 0, capsys.readouterr().err
    edges = {(s, t) for s, t, *_ in _edges(settings)}
    assert ("t.first", "u.first") in edges and ("t.ssn", "u.ssn") in edges
    assert _dialects(settings) == {str(a / "a.sql"): "postgres", str(b / "b.sql"): "duckdb"}


PYTHON_MODEL_EDGE = ("clinic.main_marts.patient_costs.*", "clinic.main_marts.payer_mix.*")


@pytest.mark.parametrize(
    "rebuild",
    [
        ["lineage", "build", "--schema-from-warehouse"],
        ["lineage", "build", "--dialect", "postgres"],
        ["lineage", "build", str(PIPELINES)],
    ],
)
def test_a_rebuild_keeps_the_table_level_fallback_of_a_python_model(
    hospital: Settings, capsys: pytest.CaptureFixture[str], rebuild: list[str]
) -> None:
    assert main(DBT_BUILD) == 0
    assert PYTHON_MODEL_EDGE in {(s, t) for s, t, *_ in _edges(hospital)}
    assert main(rebuild) == 0, capsys.readouterr().err
    assert PYTHON_MODEL_EDGE in {(s, t) for s, t, *_ in _edges(hospital)}
    assert main(DBT_BUILD) == 0  # and the dbt build again still has it
    assert PYTHON_MODEL_EDGE in {(s, t) for s, t, *_ in _edges(hospital)}


def test_a_moved_workspace_reads_its_own_files(
    hospital: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in (DBT_BUILD, ["lineage", "import-history", str(LOG), "--format", "postgres"]):
        assert main(argv) == 0, capsys.readouterr().err
    before = _edges(hospital)
    folder = lineage_folder(hospital)
    stored = (folder / "graph.json").read_text() + (folder / "origins.json").read_text()
    stored += "".join(p.read_text() for p in (folder / "records").glob("*.json"))
    assert str(hospital.home) not in stored  # the workspace's own files are stored relative to it
    moved = tmp_path / "moved"
    shutil.copytree(hospital.home, moved)
    shutil.rmtree(folder)  # the old workspace's files are gone
    monkeypatch.setenv("WORKBENCH_HOME", str(moved))
    settings = Settings.load()
    capsys.readouterr()
    assert main(["lineage", "build", "--json"]) == 0, capsys.readouterr().err
    report = json.loads(capsys.readouterr().out)
    assert report["removed"] == []
    moved_folder = str(lineage_folder(settings))
    after = _edges(settings)
    assert after == [(*e[:-1], e[-1].replace(str(folder), moved_folder)) for e in before]
    assert all(str(hospital.home) not in p for p in LineageGraph.load(lineage_folder(settings)).files)
