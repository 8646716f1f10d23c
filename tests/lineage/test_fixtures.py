"""SQL -> column edges, as input/expected fixture pairs: `tests/fixtures/lineage/<case>.sql` + `.edges`.

Each `.edges` file lists every edge of the case exactly, one a line, sorted:
`source -> target TYPE SUBTYPE grade [transform]`. A `-- dialect: NAME` line in the `.sql` file
picks the dialect (DuckDB otherwise).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workbench.lineage.build import trace_files

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "lineage"
CASES = sorted(p.stem for p in FIXTURES.glob("*.sql"))


def dialect_of(text: str) -> str:
    found = re.search(r"^-- dialect: (\w+)", text, re.MULTILINE)
    return found.group(1) if found else "duckdb"


def expected(case: str) -> list[str]:
    lines = (FIXTURES / f"{case}.edges").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


def traced(case: str) -> list[str]:
    text = (FIXTURES / f"{case}.sql").read_text(encoding="utf-8")
    [record] = trace_files([(f"{case}.sql", text)], dialect_of(text))
    assert record.errors == (), [str(e) for e in record.errors]
    return sorted({edge.line() for edge, _ in record.edges})


@pytest.mark.parametrize("case", CASES)
def test_fixture(case: str) -> None:
    assert traced(case) == expected(case)


@pytest.mark.parametrize("case", CASES)
def test_expected_files_are_sorted_and_unique(case: str) -> None:
    lines = expected(case)
    assert lines == sorted(set(lines)), "keep .edges sorted and without duplicates"
    assert lines, "a case must expect at least one edge"


# (construct the issue names, the fixture that shows it, an edge line that must be in it)
CONSTRUCTS = [
    ("CREATE TABLE AS", "ctas_basic", "patients.last -> patient_spend.last_name DIRECT TRANSFORMATION"),
    ("CREATE VIEW AS with columns", "create_view_columns", "patients.id -> v_names.patient_key DIRECT"),
    ("INSERT column list", "insert_column_list", "source.x -> target.c DIRECT IDENTITY"),
    ("INSERT by position", "insert_by_position", "claims.patient_id -> target.member_key DIRECT"),
    ("INSERT by name, unknown target", "insert_unknown_target", "unknown_target.charged DIRECT IDENTITY inferred"),
    ("SELECT INTO", "select_into", "patients.ssn -> patient_ssn.ssn DIRECT IDENTITY"),
    ("MERGE", "merge_into", "staging.contacts_delta.op -> crm.contacts.email INDIRECT CONDITIONAL"),
    ("UPDATE ... SET", "update_from", "owners.full_name -> accounts.owner_name DIRECT TRANSFORMATION"),
    ("T-SQL UPDATE alias", "update_tsql_alias", "dbo.owners.full_name -> dbo.accounts.owner_name"),
    ("CTE", "cte_chain", "observations.value -> latest_value.egfr DIRECT TRANSFORMATION"),
    ("subquery", "derived_table", "patients.last -> cost_by_patient.last_name DIRECT AGGREGATION"),
    ("UNION by position", "union_by_position", "payments.claim -> movements.claim_id DIRECT IDENTITY"),
    ("SELECT * from schema", "star_from_schema", "patients.ssn -> copy_of_patients.ssn DIRECT IDENTITY"),
    ("EXCLUDE", "star_exclude", "patients.zip -> research_patients.zip DIRECT IDENTITY"),
    ("table without columns", "star_unknown_table", "warehouse.raw_events.* -> extract.* DIRECT IDENTITY inferred"),
    ("UNNEST", "unnest", "clinic.visits.codes -> clinic.visit_codes.code DIRECT TRANSFORMATION"),
    ("window functions", "window_functions", "encounters.patient -> timeline.visit_number INDIRECT WINDOW"),
    ("T-SQL batches and IF", "tsql_batches", "dbo.patients.last_name -> dbo.audit_names.name DIRECT"),
    ("statement order", "statement_order", "summary.zip -> v_summary.zip DIRECT IDENTITY"),
    ("COPY TO", "copy_to_file", "statements.amount -> file:out/statements.csv.amount DIRECT"),
    ("EXPORT DATA", "export_data", "billing.invoices.email -> file:gs://partner-bucket/invoices-*.csv.email"),
    ("Snowflake names", "snowflake_names", "Raw.ehr.patients.FirstName -> analytics.core.dim_patient.GivenName"),
    ("Postgres", "postgres_dialect", "public.notes.written_at -> public.note_authors.authors INDIRECT SORT"),
    ("unresolved", "unresolved_columns", "?.amount -> joined.amount DIRECT IDENTITY unresolved"),
    ("protective transforms", "protective_transforms", "patients.ssn -> deidentified.study_id DIRECT TRANSFORMATION resolved hash"),
    ("CLONE and ALTER", "clone_and_alter", "ehr.patients.zip -> backup.patients.zip DIRECT IDENTITY"),
    ("scripting blocks", "scripting_blocks", "ehr.patients.ssn -> ehr.ssn_copy.ssn DIRECT IDENTITY"),
    ("whole-row reference", "whole_row", "patients.ssn -> packed.patient_row DIRECT TRANSFORMATION"),
    ("bare query file", "bare_query_model", "physionet-data.mimiciv_hosp.admissions.hadm_id -> bare_query_model.hadm_id"),
    ("CTE before INSERT", "insert_with_cte", "visits.visit_type -> inpatient_costs.* INDIRECT FILTER"),
    ("FILTER (WHERE)", "indirect_where", "patients.state -> living_in_ma.* INDIRECT FILTER"),
    ("JOIN ON / USING", "indirect_join", "claims.encounter_id -> encounter_costs.* INDIRECT JOIN"),
    ("GROUP BY", "indirect_group_by", "claims.payer -> spend_by_payer.* INDIRECT GROUP_BY"),
    ("HAVING", "indirect_having", "claims.status -> big_spenders.* INDIRECT FILTER"),
    ("QUALIFY", "indirect_qualify", "observations.observed_at -> latest.* INDIRECT FILTER"),
    ("window keys", "indirect_window", "labs.taken_at -> ranked_labs.lab_rank INDIRECT WINDOW"),
    ("CASE condition", "indirect_case_condition", "admissions.diagnosis_code -> ckd_flags.has_ckd INDIRECT CONDITIONAL"),
    ("EXISTS", "indirect_exists", "allergies.patient -> allergic.* INDIRECT FILTER"),
    ("IN subquery", "indirect_in_subquery", "conditions.code -> diabetics.* INDIRECT FILTER"),
    ("ORDER BY", "indirect_order_by", "encounters.started_at -> ordered_encounters.* INDIRECT SORT"),
    ("through CTEs", "indirect_through_cte", "patients.state -> ma_inpatients.* INDIRECT FILTER"),
    ("aggregate FILTER", "indirect_agg_filter", "encounters.class -> acute.acute_visits INDIRECT CONDITIONAL"),
]  # fmt: skip


@pytest.mark.parametrize(("construct", "case", "edge"), CONSTRUCTS, ids=[c[0] for c in CONSTRUCTS])
def test_every_construct_has_a_fixture(construct: str, case: str, edge: str) -> None:
    assert any(edge in line for line in expected(case)), f"{construct}: {edge!r} not in {case}.edges"


def test_at_least_ten_indirect_cases() -> None:
    indirect = [
        c for c in CASES if c.startswith("indirect_") and any("INDIRECT" in line for line in expected(c))
    ]
    assert len(indirect) >= 10
    subtypes = {line.split()[4] for case in CASES for line in expected(case) if " INDIRECT " in line}
    assert subtypes == {"FILTER", "JOIN", "GROUP_BY", "SORT", "WINDOW", "CONDITIONAL"}


def test_row_level_edges_point_at_the_table_and_value_level_at_a_column() -> None:
    for case in CASES:
        for line in expected(case):
            _, _, target, kind, subtype, *_ = line.split()
            if kind == "INDIRECT" and subtype in {"FILTER", "JOIN", "GROUP_BY"}:
                assert target.endswith(".*"), line
            if kind == "INDIRECT" and subtype in {"CONDITIONAL", "WINDOW"}:
                assert not target.endswith(".*"), line
