"""dbt projects: the committed manifest and catalog of tests/fixtures/dbt_project, built as dbt made them."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from tests.conftest import REPO
from workbench.cli.main import main
from workbench.ledger import Ledger
from workbench.lineage.build import lineage_folder
from workbench.lineage.dbt import DbtProject, dialect_of, plan, render_raw
from workbench.lineage.graph import LineageGraph
from workbench.lineage.origins import load_origins
from workbench.settings import Settings

PROJECT = REPO / "tests" / "fixtures" / "dbt_project"
MANIFEST = PROJECT / "target" / "manifest.json"
CATALOG = PROJECT / "target" / "catalog.json"

# every model, snapshot, seed and source of the project -> its table in the graph
NODES = {
    "model.clinic.stg_patients": "clinic.main.stg_patients",
    "model.clinic.stg_encounters": "clinic.main.stg_encounters",
    "model.clinic.int_patient_keys": "clinic.main.int_patient_keys",  # ephemeral
    "model.clinic.int_encounter_costs": "clinic.main.int_encounter_costs",  # ephemeral over an ephemeral
    "model.clinic.patient_costs": "clinic.main_marts.patient_costs",
    "model.clinic.patient_contacts": "clinic.main_marts.contact_list",  # an alias, incremental
    "model.clinic.current_patients": "clinic.main_marts.current_patients",
    "model.clinic.payer_mix": "clinic.main_marts.payer_mix",  # a Python model
    "snapshot.clinic.patients_snapshot": "clinic.main_snapshots.patients_snapshot",
    "seed.clinic.payers": "clinic.main.payers",
    "source.clinic.raw.patients": "clinic.raw.patients",
    "source.clinic.raw.encounters": "clinic.raw.encounters",
}
# (source, target, TYPE:SUBTYPE, transform): lineage runs through the ephemeral models
THROUGH_EPHEMERALS = [
    ("clinic.main.stg_patients.ssn", "clinic.main.int_patient_keys.ssn_hash", "DIRECT:TRANSFORMATION", "hash"),
    ("clinic.main.stg_patients.zip", "clinic.main.int_patient_keys.zip3", "DIRECT:TRANSFORMATION", "generalize"),
    ("clinic.main.int_patient_keys.ssn_hash", "clinic.main.int_encounter_costs.ssn_hash", "DIRECT:IDENTITY", None),
    ("clinic.main.int_patient_keys.patient_id", "clinic.main.int_encounter_costs.*", "INDIRECT:JOIN", None),
    ("clinic.main.payers.payer_name", "clinic.main.int_encounter_costs.payer_name", "DIRECT:IDENTITY", None),
    ("clinic.main.stg_encounters.total_cost", "clinic.main.int_encounter_costs.*", "INDIRECT:FILTER", None),
    ("clinic.main.int_encounter_costs.ssn_hash", "clinic.main_marts.patient_costs.ssn_hash", "DIRECT:IDENTITY", None),
    ("clinic.main.int_encounter_costs.total_cost", "clinic.main_marts.patient_costs.total_cost",
     "DIRECT:AGGREGATION", None),
    # a SELECT * over a source whose columns the catalog knows, and dbt's snapshot columns
    ("clinic.raw.encounters.diagnosis_code", "clinic.main.stg_encounters.diagnosis_code", "DIRECT:IDENTITY", None),
    ("clinic.main.stg_patients.email", "clinic.main_snapshots.patients_snapshot.email", "DIRECT:IDENTITY", None),
    ("clinic.main_snapshots.patients_snapshot.dbt_valid_to", "clinic.main_marts.current_patients.*",
     "INDIRECT:FILTER", None),
    # a Python model: table level, from what it depends on
    ("clinic.main_marts.patient_costs.*", "clinic.main_marts.payer_mix.*", "DIRECT:TRANSFORMATION", None),
]  # fmt: skip
# edges that must not exist: the inlined CTEs do not bypass the ephemeral models
NOT_EDGES = [
    ("clinic.main.stg_patients.ssn", "clinic.main_marts.patient_costs.ssn_hash"),
    ("clinic.main.stg_patients.ssn", "clinic.main.int_encounter_costs.ssn_hash"),
    ("clinic.main.stg_encounters.total_cost", "clinic.main_marts.patient_costs.total_cost"),
]
# names that must not appear: disabled models, tests, analyses, hooks, dbt's CTE names
ABSENT = [
    "legacy_ssn_export",
    "assert_costs_positive",
    "adhoc_ssn_lookup",
    "not_null",
    "__dbt__cte__",
    "on-run-start",
]


def build(capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, object]:
    code = main(["lineage", "build", "--dbt-manifest", str(MANIFEST), *extra, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)  # type: ignore[no-any-return]


def edges(settings: Settings) -> dict[tuple[str, str, str], str | None]:
    graph = LineageGraph.load(lineage_folder(settings))
    return {(e.source, e.target, f"{e.type}:{e.subtype}"): e.transform for e in graph.edges()}


@pytest.fixture
def built(settings: Settings, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    return build(capsys, "--catalog", str(CATALOG))


def test_every_node_appears_ephemeral_ones_included(built: dict[str, object], settings: Settings) -> None:
    tables = LineageGraph.load(lineage_folder(settings)).tables()
    missing = {uid: table for uid, table in NODES.items() if table not in tables}
    assert not missing
    assert built["tables"] == dict(sorted(NODES.items()))  # the report names each node's table
    assert built["nodes"] == {"ephemeral": 2, "model": 5, "python": 1, "seed": 1, "snapshot": 1, "source": 2}
    assert built["skipped"] == {"analysis": 1, "disabled": 1, "operation": 1, "test": 5}


@pytest.mark.parametrize(("source", "target", "kind", "transform"), THROUGH_EPHEMERALS)
def test_edges_run_through_ephemeral_models(
    built: dict[str, object], settings: Settings, source: str, target: str, kind: str, transform: str | None
) -> None:
    found = edges(settings)
    assert (source, target, kind) in found
    assert found[(source, target, kind)] == transform


def test_inlined_ctes_do_not_bypass_or_appear(built: dict[str, object], settings: Settings) -> None:
    found = edges(settings)
    for source, target in NOT_EDGES:
        assert not any(s == source and t == target for s, t, _ in found), (source, target)
    names = {n for s, t, _ in found for n in (s, t)} | set(
        LineageGraph.load(lineage_folder(settings)).tables()
    )
    for absent in ABSENT:
        assert not any(absent in name for name in names), absent


def test_impact_reaches_marts_through_ephemerals(built: dict[str, object], settings: Settings) -> None:
    graph = LineageGraph.load(lineage_folder(settings))
    reach = graph.downstream(["clinic.raw.patients.ssn"])["clinic.main_marts.patient_costs.ssn_hash"]
    assert reach.path == (
        "clinic.raw.patients.ssn",
        "clinic.main.stg_patients.ssn",
        "clinic.main.int_patient_keys.ssn_hash",
        "clinic.main.int_encounter_costs.ssn_hash",
        "clinic.main_marts.patient_costs.ssn_hash",
    )


def test_a_rebuild_traces_nothing_and_origins_name_the_dbt_node(
    built: dict[str, object], settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    again = build(capsys, "--catalog", str(CATALOG))
    assert again["traced"] == [] and again["edges"] == built["edges"]
    origins = load_origins(lineage_folder(settings))
    assert {o.name for o in origins.values() if o.kind == "dbt"} >= set(NODES) - {
        uid for uid in NODES if uid.startswith(("seed.", "source."))
    }


def test_a_node_gone_from_the_manifest_is_dropped(
    built: dict[str, object], settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = json.loads(MANIFEST.read_text())
    del manifest["nodes"]["model.clinic.current_patients"]
    changed = tmp_path / "manifest.json"
    changed.write_text(json.dumps(manifest))
    code = main(["lineage", "build", "--dbt-manifest", str(changed), "--catalog", str(CATALOG), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and len(report["removed"]) == 1
    assert "clinic.main_marts.current_patients" not in LineageGraph.load(lineage_folder(settings)).tables()


# (table, its columns without a catalog): documented columns only where complete
SCHEMAS_WITHOUT_CATALOG = [
    ("clinic.raw.encounters", ("encounter_id", "patient_id", "payer_id", "started_at", "total_cost", "diagnosis_code")),
    ("clinic.raw.patients", None),  # documented in part: stg_patients reads first_name, email, ...
    ("clinic.main.payers", ("payer_id", "payer_name", "plan_type")),  # the seed's CSV header
]  # fmt: skip


def test_without_a_catalog_only_complete_documentation_is_a_schema(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    build(capsys)
    tables = LineageGraph.load(lineage_folder(settings)).tables()
    for table, columns in SCHEMAS_WITHOUT_CATALOG:
        assert tables.get(table) == columns, table
    found = edges(settings)
    # the partly documented source does not break its model: every column is still traced
    for column in ("id", "first_name", "last_name", "ssn", "birth_date", "zip", "email"):
        assert any(
            s == f"clinic.raw.patients.{column}" and t.startswith("clinic.main.stg_patients.")
            for s, t, _ in found
        )
    assert (
        "clinic.raw.encounters.diagnosis_code",
        "clinic.main.stg_encounters.diagnosis_code",
        "DIRECT:IDENTITY",
    ) in found


def test_a_manifest_without_compiled_code_is_rendered_from_raw_code(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = json.loads(MANIFEST.read_text())
    for node in manifest["nodes"].values():
        node.pop("compiled_code", None)  # what `dbt parse` leaves
    parsed = tmp_path / "target" / "manifest.json"
    parsed.parent.mkdir()
    parsed.write_text(json.dumps(manifest))
    code = main(["lineage", "build", "--dbt-manifest", str(parsed), "--catalog", str(CATALOG), "--json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0
    assert len(report["rendered_from_raw"]) == 8 and report["fallbacks"] == ["model.clinic.payer_mix"]
    tables = LineageGraph.load(lineage_folder(settings)).tables()
    assert all(table in tables for table in NODES.values())
    found = edges(settings)
    for source, target, kind, _ in THROUGH_EPHEMERALS[:8]:
        assert (source, target, kind) in found


def test_the_build_is_recorded_without_sql(built: dict[str, object], settings: Settings) -> None:
    [entry] = [e for e in Ledger(settings.ledger_path).entries() if e.action == "lineage"]
    assert entry.outcome == "ok" and entry.detail["source"] == "dbt" and entry.detail["project"] == "clinic"
    text = json.dumps(entry.detail).lower()
    assert "select" not in text and "999-00" not in text


# (adapter, sqlglot dialect)
DIALECTS = [("duckdb", "duckdb"), ("snowflake", "snowflake"), ("sqlserver", "tsql"), ("fabric", "tsql"),
            ("bigquery", "bigquery"), ("materialize", "postgres"), ("postgres", "postgres"),
            ("no_such_adapter", "")]  # fmt: skip


@pytest.mark.parametrize(("adapter", "dialect"), DIALECTS)
def test_dialect_of_the_adapter(adapter: str, dialect: str) -> None:
    assert dialect_of(adapter) == dialect


# (raw code, what the rendering holds, what it must not hold)
RAW = [
    ("select * from {{ ref('stg_patients') }}", 'from "clinic"."main"."stg_patients"', "ref("),
    ("select * from {{ ref('clinic', 'stg_patients') }}", '"clinic"."main"."stg_patients"', "{{"),
    ("select id from {{ source('raw', 'patients') }}", '"clinic"."raw"."patients"', "source("),
    ("{{ config(materialized='table') }} select 1 as a", "select 1 as a", "config"),
    ("select a from t {% if is_incremental() %} where a > (select max(a) from {{ this }}) {% endif %}",
     "select a from t", "max(a)"),
    ("select {{ dbt_utils.star(ref('x')) }} from t {# a comment #}", "select NULL from t", "comment"),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "holds", "not_holds"), RAW)
def test_raw_code_rendering(raw: str, holds: str, not_holds: str) -> None:
    project = DbtProject.read(MANIFEST, CATALOG)
    node = project.nodes["model.clinic.patient_costs"]
    upstream = ("model.clinic.stg_patients", "source.clinic.raw.patients")
    text = render_raw(replace(node, raw=raw, depends_on=upstream), project)
    assert holds in text and not_holds not in text


def test_the_plan_is_pure_and_orders_models_after_their_parents() -> None:
    made = plan(DbtProject.read(MANIFEST, CATALOG))
    order = [name for chunk in made.chunks for name in chunk]
    position = {name: i for i, name in enumerate(order)}
    assert order[:2] == ["_sources.sql", "_seeds.sql"]
    assert position["model.clinic.stg_patients.sql"] < position["model.clinic.int_patient_keys.sql"]
    assert position["model.clinic.int_patient_keys.sql"] < position["model.clinic.int_encounter_costs.sql"]
    assert position["model.clinic.int_encounter_costs.sql"] < position["model.clinic.patient_costs.sql"]
    assert not any(re.search(r"__dbt__cte__\w+ AS \(", text, re.I) for text in made.files.values())


def test_the_build_reports_progress_over_every_file(settings: Settings) -> None:
    from contextlib import contextmanager

    from workbench.lineage.dbt import build_dbt

    seen: list[tuple[int, str]] = []
    advanced: list[int] = []

    @contextmanager
    def recording(total: int, description: str):  # type: ignore[no-untyped-def]
        seen.append((total, description))
        yield advanced.append

    build_dbt(settings, MANIFEST, CATALOG, progress=recording)
    assert seen == [(11, "dbt clinic")] and sum(advanced) == 11  # 9 models and snapshots, 2 schema files


# (stg_patients' compiled SQL, whether the partly documented raw.patients is trusted as a schema)
IMPORT_CTES = [
    ('with s as (select * from "clinic"."raw"."patients") select id as patient_id, ssn from s', True),
    ('with s as (select * from "clinic"."raw"."patients") select id as patient_id, first_name from s', False),
    ('select p.id, p.ssn from "clinic"."raw"."patients" as p', True),
    ('select p.id, p.email from "clinic"."raw"."patients" as p', False),
    # an unqualified column in a join could be the source's: not trusted unless documented
    ('select id, zip from "clinic"."raw"."patients" join "clinic"."main"."payers" on true', False),
    ('select id, ssn from "clinic"."raw"."patients" join "clinic"."main"."payers" on true', True),
]


@pytest.mark.parametrize(("compiled", "trusted"), IMPORT_CTES)
def test_documented_columns_are_checked_against_what_the_sql_reads(compiled: str, trusted: bool) -> None:
    manifest = json.loads(MANIFEST.read_text())
    manifest["nodes"]["model.clinic.stg_patients"]["compiled_code"] = compiled
    schema = plan(DbtProject.from_manifest(manifest)).files.get("_sources.sql", "")
    assert ('"clinic"."raw"."patients" (id TEXT, ssn TEXT, birth_date TEXT)' in schema) is trusted


def test_a_catalog_without_a_manifest_is_a_usage_error(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lineage", "build", "--catalog", str(CATALOG)]) == 1
    err = capsys.readouterr().err
    assert "--catalog goes with --dbt-manifest" in err and len(err.strip().splitlines()) == 1
    assert main(["lineage", "build", str(PROJECT / "models"), "--catalog", str(CATALOG)]) == 1
