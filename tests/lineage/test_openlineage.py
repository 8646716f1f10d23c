"""OpenLineage: export the graph as run events, import events (ours and other producers')."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from tests.lineage.sources import DBT_BUILD, LOG, PIPELINES, column_lineage, run_event
from workbench.cli.main import main
from workbench.errors import BadInput
from workbench.lineage.build import lineage_folder
from workbench.lineage.graph import LineageGraph
from workbench.lineage.openlineage import records_from_events, table_of
from workbench.lineage.origins import load_origins
from workbench.settings import Settings


def full_edges(settings: Settings) -> set[tuple[str, str, str, str, str, str | None]]:
    graph = LineageGraph.load(lineage_folder(settings))
    return {(e.source, e.target, e.type, e.subtype, e.grade, e.transform) for e in graph.edges()}


def test_export_then_import_into_an_empty_workspace_gives_the_same_edges(
    hospital: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in (
        ["lineage", "build", str(PIPELINES)],
        DBT_BUILD,
        ["lineage", "import-history", str(LOG), "--format", "postgres"],
    ):
        assert main(argv) == 0, capsys.readouterr().err
    events = tmp_path / "events.jsonl"
    assert main(["lineage", "export", "--format", "openlineage", "--output", str(events)]) == 0
    original, tables = full_edges(hospital), LineageGraph.load(lineage_folder(hospital)).tables()
    empty = tmp_path / "empty"
    monkeypatch.setenv("WORKBENCH_HOME", str(empty))
    capsys.readouterr()
    assert main(["lineage", "import-openlineage", str(events), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    imported = Settings.load()
    assert imported.home == empty
    assert full_edges(imported) == original and len(original) > 300
    assert LineageGraph.load(lineage_folder(imported)).tables() == tables
    assert report["graph_edges"] == len(original)
    # statement lines and the kind of each write survive too (a recipient's `via` names them)
    before = LineageGraph.load(lineage_folder(hospital)).files.values()
    after = LineageGraph.load(lineage_folder(imported)).files.values()
    assert {(e.key, n) for r in after for e, n in r.edges} == {(e.key, n) for r in before for e, n in r.edges}
    writes = {(w.table, w.kind, w.line, w.external) for r in before for w in r.writes}
    assert {(w.table, w.kind, w.line, w.external) for r in after for w in r.writes} >= {
        w for w in writes if w[0].startswith(("file:", "export."))
    }
    # who and when survive the trip: a logged statement's user and time
    origins = load_origins(lineage_folder(imported))
    assert any(o.user == "bo" and o.time == "2024-05-01T10:00:00.100000+00:00" for o in origins.values())


def test_exported_events_are_openlineage_run_events(
    hospital: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lineage", "build", str(PIPELINES)]) == 0
    capsys.readouterr()
    assert main(["lineage", "export", "--format", "openlineage", "--namespace", "duckdb://hospital"]) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(events) == 9
    for event in events:
        assert event["eventType"] == "COMPLETE" and event["schemaURL"].startswith(
            "https://openlineage.io/spec/"
        )
        uuid.UUID(event["run"]["runId"])
        assert event["job"]["namespace"] == "duckdb://hospital"
        for output in event["outputs"]:
            facet = output["facets"]["columnLineage"]
            assert facet["_schemaURL"].endswith(
                "ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet"
            )
    export = next(e for e in events if e["job"]["name"].endswith("09_export_acme_billing.sql"))
    namespaces = {(o["namespace"], o["name"]) for o in export["outputs"]}
    assert ("file", "exports/acme_billing.csv") in namespaces
    assert ("duckdb://hospital", "export.ba_acme_billing") in namespaces
    billing = next(o for o in export["outputs"] if o["name"] == "export.ba_acme_billing")
    [source] = billing["facets"]["columnLineage"]["fields"]["acme_member_key"]["inputFields"]
    assert (source["name"], source["field"]) == ("staging.stg_patients", "ssn")
    [how] = source["transformations"]
    assert (how["type"], how["subtype"], how["masking"]) == ("DIRECT", "TRANSFORMATION", False)
    research = next(e for e in events if e["job"]["name"].endswith("08_research_ckd_extract.sql"))
    cohort = next(o for o in research["outputs"] if o["name"] == "research.ckd_cohort")
    [hashed] = cohort["facets"]["columnLineage"]["fields"]["research_id"]["inputFields"]
    assert hashed["transformations"][0]["masking"] is True  # sha256 of the SSN
    assert "transform=hash" in hashed["transformations"][0]["description"]


PG = "postgres://db:5432"
# (an event another producer wrote, the edges it gives: source, target, type, subtype, grade, transform)
FOREIGN = [
    (  # the current facet: transformations per input field
        run_event("j1", [{"namespace": PG, "name": "hr.public.out", "facets": column_lineage({"a": {"inputFields": [
            {"namespace": PG, "name": "hr.public.src", "field": "x",
             "transformations": [{"type": "DIRECT", "subtype": "AGGREGATION"},
                                 {"type": "INDIRECT", "subtype": "WINDOW"}]}]}})}]),
        {("hr.public.src.x", "hr.public.out.a", "DIRECT", "AGGREGATION", "resolved", None),
         ("hr.public.src.x", "hr.public.out.a", "INDIRECT", "WINDOW", "resolved", None)},
    ),
    (  # the deprecated field-level transformationType
        run_event("j2", [{"namespace": PG, "name": "o", "facets": column_lineage({"b": {
            "inputFields": [{"namespace": PG, "name": "s", "field": "y"}], "transformationType": "IDENTITY"}})}]),
        {("s.y", "o.b", "DIRECT", "IDENTITY", "resolved", None)},
    ),
    (  # masking without our description: a code derived from the value (hash)
        run_event("j3", [{"namespace": PG, "name": "o", "facets": column_lineage({"k": {"inputFields": [
            {"namespace": PG, "name": "s", "field": "ssn",
             "transformations": [{"type": "DIRECT", "subtype": "TRANSFORMATION", "masking": True}]}]}})}]),
        {("s.ssn", "o.k", "DIRECT", "TRANSFORMATION", "resolved", "hash")},
    ),
    (  # dataset-level lineage and a storage namespace: a file outside the warehouse
        run_event("j4", [{"namespace": "s3://bucket", "name": "feeds/out.parquet", "facets": column_lineage({}, [
            {"namespace": PG, "name": "s", "field": "state", "transformations": [{"type": "INDIRECT", "subtype": "FILTER"}]}])}]),
        {("s.state", "file:s3://bucket/feeds/out.parquet.*", "INDIRECT", "FILTER", "resolved", None)},
    ),
    (  # no column-lineage facet: table level, inferred
        run_event("j5", [{"namespace": PG, "name": "o"}], [{"namespace": PG, "name": "s"}]),
        {("s.*", "o.*", "DIRECT", "TRANSFORMATION", "inferred", None)},
    ),
    (  # an unknown subtype is read as the nearest one we know, never dropped
        run_event("j6", [{"namespace": PG, "name": "o", "facets": column_lineage({"c": {"inputFields": [
            {"namespace": PG, "name": "s", "field": "z", "transformations": [{"type": "INDIRECT", "subtype": "MAGIC"}]}]}})}]),
        {("s.z", "o.c", "INDIRECT", "CONDITIONAL", "resolved", None)},
    ),
    (  # negative: an event without a job or outputs adds nothing
        {"eventType": "START", "run": {"runId": "x"}, "outputs": []},
        set(),
    ),
]  # fmt: skip


@pytest.mark.parametrize(("event", "expected"), FOREIGN)
def test_events_of_other_producers(event: dict[str, object], expected: set[tuple[str, ...]]) -> None:
    records, _ = records_from_events([(1, event)])
    found = {
        (str(e.source), str(e.target), e.type, e.subtype, e.grade, e.transform)
        for r in records
        for e, _ in r.edges
    }
    assert found == expected


# (namespace, name, graph table)
DATASETS = [
    ("workbench", "staging.stg_patients", "staging.stg_patients"),
    ("postgres://db:5432", "hr.public.t", "hr.public.t"),
    ("file", "exports/a.csv", "file:exports/a.csv"),
    ("file://host", "/data/a.csv", "file:/data/a.csv"),
    ("gs://bucket", "x/y.csv", "file:gs://bucket/x/y.csv"),
    ("bigquery", "proj.ds.t", "proj.ds.t"),
]


@pytest.mark.parametrize(("namespace", "name", "table"), DATASETS)
def test_dataset_names(namespace: str, name: str, table: str) -> None:
    assert table_of(namespace, name) == table


def test_a_file_that_is_not_json_lines_is_refused(settings: Settings, tmp_path: Path) -> None:
    bad = tmp_path / "events.txt"
    bad.write_text("not json\nalso not json\n")
    from workbench.lineage.openlineage import import_openlineage

    with pytest.raises(BadInput, match="not JSON"):
        import_openlineage(settings, bad)


# (event, refused because ...): an event without its job or run fails the whole import
NOT_RUN_EVENTS = [
    ({"eventType": "START", "run": {"runId": "x"}, "outputs": []}, "no job"),
    ({**run_event("j", []), "job": {"namespace": "spark"}}, "no job"),
    ({**run_event("j", []), "run": None}, "no run"),
    ({k: v for k, v in run_event("j", []).items() if k != "run"}, "no run"),
]


@pytest.mark.parametrize(("event", "why"), NOT_RUN_EVENTS)
def test_an_event_without_a_job_or_run_refuses_the_import(
    settings: Settings, tmp_path: Path, event: dict[str, object], why: str
) -> None:
    from workbench.lineage.openlineage import import_openlineage

    good = run_event("fine", [{"namespace": "pg", "name": "o"}], [{"namespace": "pg", "name": "s"}])
    path = tmp_path / "events.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps(event) + "\n")
    with pytest.raises(BadInput, match=f"Line 2 of events.jsonl is not a run event \\({why}"):
        import_openlineage(settings, path)
    assert not (lineage_folder(settings) / "graph.json").exists()  # nothing was imported
    path.write_text(json.dumps(good) + "\n")
    assert import_openlineage(settings, path).jobs == 1
