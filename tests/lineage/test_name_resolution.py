"""Table names resolve as the SQL engine would, so the graph never depends on the order of builds.

A bare or partly qualified name is looked up in the statement's default catalog and schema (the
warehouse's `main` for plain SQL and query logs, a dbt model's target schema), never in another
catalog just because it is the only table with that last part.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.lineage.sources import DBT_BUILD, PIPELINES
from workbench.cli.main import main
from workbench.lineage.build import lineage_folder
from workbench.lineage.graph import LineageGraph
from workbench.settings import Settings

PIPELINE_BUILD = ["lineage", "build", str(PIPELINES)]


def _edges(settings: Settings) -> list[tuple[str, ...]]:
    graph = LineageGraph.load(lineage_folder(settings))
    return [(e.source, e.target, e.type, e.subtype, e.grade, e.transform or "") for e in graph.edges()]


def _run(*commands: list[str]) -> None:
    for argv in commands:
        assert main([*argv, "--json"]) == 0


def test_the_graph_does_not_depend_on_the_build_order(
    hospital: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other"
    shutil.copytree(hospital.home, other)
    _run(DBT_BUILD, PIPELINE_BUILD)
    dbt_first = _edges(hospital)
    monkeypatch.setenv("WORKBENCH_HOME", str(other))
    _run(PIPELINE_BUILD, DBT_BUILD)
    pipelines_first = _edges(Settings.load())
    assert dbt_first == pipelines_first
    # the pipelines' `FROM patients` is the warehouse's table, not the dbt source `clinic.raw.patients`
    sources = {s for s, *_ in dbt_first}
    assert "patients.ssn" in sources
    assert not any(
        t.startswith(("export.", "staging.")) and s.startswith("clinic.") for s, t, *_ in dbt_first
    )


def test_a_logged_statement_reads_the_warehouse_table_after_a_dbt_build(
    hospital: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "pg.log"
    log.write_text(
        "2026-11-30 09:03:04.000 UTC [4244] erin@clinic LOG:  statement: "
        "CREATE TABLE scratch_ssn AS SELECT Id, SSN, LAST FROM patients;\n"
    )
    _run(DBT_BUILD, ["lineage", "import-history", str(log), "--format", "postgres"])
    pairs = {(s, t) for s, t, *_ in _edges(hospital)}
    assert ("patients.ssn", "scratch_ssn.ssn") in pairs
    assert ("clinic.raw.patients.ssn", "scratch_ssn.ssn") not in pairs


def test_warehouse_schema_qualifies_every_bare_name_with_dbt_loaded(
    hospital: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(DBT_BUILD, [*PIPELINE_BUILD, "--schema-from-warehouse"])
    edges = _edges(hospital)
    from_pipelines = [e for e in edges if e[1].startswith(("staging.", "export.", "analytics."))]
    assert from_pipelines
    bare = {s.split(".")[0] for s, *_ in from_pipelines if s.count(".") == 1}
    assert not bare & {"patients", "encounters", "payers"}, bare
    assert ("main.patients.ssn", "resolved") in {(s, g) for s, _, _, _, g, _ in edges}
    capsys.readouterr()
    assert main(["lineage", "edges", "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert not any(e["source"].startswith("clinic.raw.patients") and "staging." in e["target"] for e in lines)
