"""Column classification of the real Synthea export (27 patients, 18 tables) as a table.

Every column of every person-level table has a row; the three tables that are not person-level
(providers, organizations, payers) must have no PHI column at all. The CSVs are loaded into an
in-memory DuckDB twice, with inferred types and as all-VARCHAR, because a loader may do either.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator

import duckdb
import pytest

from workbench.detect.classify import ColumnTag, classify_table, sample_table
from workbench.kinds import IdentifierKind as K

SYNTHEA = os.environ.get("WORKBENCH_SYNTHEA_SAMPLE", "/work/shared/data/synthea")
TABLES = (
    "allergies",
    "careplans",
    "claims",
    "claims_transactions",
    "conditions",
    "devices",
    "encounters",
    "imaging_studies",
    "immunizations",
    "medications",
    "observations",
    "organizations",
    "patients",
    "payer_transitions",
    "payers",
    "procedures",
    "providers",
    "supplies",
)
NOT_PERSON_LEVEL = ("providers", "organizations", "payers")

pytestmark = pytest.mark.skipif(
    not all(os.path.exists(f"{SYNTHEA}/{table}.csv") for table in TABLES),
    reason=f"the Synthea sample export is not at {SYNTHEA} (see its README.md for where it comes from)",
)

NONE: tuple[K, ...] = ()
DATE = (K.DATE,)
KEY = (K.OTHER_ID,)

# The patients table: what Safe Harbor (45 CFR 164.514(b)(2)) lists, and what it does not.
PATIENTS = [
    ("patients", "Id", KEY),
    ("patients", "BIRTHDATE", DATE),
    ("patients", "DEATHDATE", DATE),
    ("patients", "SSN", (K.SSN,)),
    ("patients", "DRIVERS", (K.LICENSE,)),
    ("patients", "PASSPORT", (K.LICENSE,)),
    ("patients", "PREFIX", NONE),
    ("patients", "FIRST", (K.NAME,)),
    ("patients", "LAST", (K.NAME,)),
    ("patients", "SUFFIX", NONE),
    ("patients", "MAIDEN", (K.NAME,)),
    ("patients", "MARITAL", NONE),
    ("patients", "RACE", NONE),
    ("patients", "ETHNICITY", NONE),
    ("patients", "GENDER", NONE),
    ("patients", "BIRTHPLACE", (K.GEO,)),
    ("patients", "ADDRESS", (K.GEO,)),
    ("patients", "CITY", (K.GEO,)),
    ("patients", "STATE", NONE),
    ("patients", "COUNTY", (K.GEO,)),
    ("patients", "ZIP", (K.GEO,)),
    ("patients", "LAT", (K.GEO,)),
    ("patients", "LON", (K.GEO,)),
    ("patients", "HEALTHCARE_EXPENSES", NONE),
    ("patients", "HEALTHCARE_COVERAGE", NONE),
]

# Every other person-level table.
EXPECTED = [
    # allergies
    ("allergies", "START", DATE),
    ("allergies", "STOP", DATE),
    ("allergies", "PATIENT", KEY),
    ("allergies", "ENCOUNTER", KEY),
    ("allergies", "CODE", NONE),
    ("allergies", "SYSTEM", NONE),
    ("allergies", "DESCRIPTION", NONE),
    ("allergies", "TYPE", NONE),
    ("allergies", "CATEGORY", NONE),
    ("allergies", "REACTION1", NONE),
    ("allergies", "DESCRIPTION1", NONE),
    ("allergies", "SEVERITY1", NONE),
    ("allergies", "REACTION2", NONE),
    ("allergies", "DESCRIPTION2", NONE),
    ("allergies", "SEVERITY2", NONE),
    # careplans
    ("careplans", "Id", KEY),
    ("careplans", "START", DATE),
    ("careplans", "STOP", DATE),
    ("careplans", "PATIENT", KEY),
    ("careplans", "ENCOUNTER", KEY),
    ("careplans", "CODE", NONE),
    ("careplans", "DESCRIPTION", NONE),
    ("careplans", "REASONCODE", NONE),
    ("careplans", "REASONDESCRIPTION", NONE),
    # claims
    ("claims", "Id", KEY),
    ("claims", "PATIENTID", KEY),
    ("claims", "PROVIDERID", NONE),
    ("claims", "PRIMARYPATIENTINSURANCEID", (K.HEALTH_PLAN_ID,)),
    ("claims", "SECONDARYPATIENTINSURANCEID", (K.HEALTH_PLAN_ID,)),
    ("claims", "DEPARTMENTID", NONE),
    ("claims", "PATIENTDEPARTMENTID", NONE),
    ("claims", "DIAGNOSIS1", NONE),
    ("claims", "DIAGNOSIS2", NONE),
    ("claims", "DIAGNOSIS3", NONE),
    ("claims", "DIAGNOSIS4", NONE),
    ("claims", "DIAGNOSIS5", NONE),
    ("claims", "DIAGNOSIS6", NONE),
    ("claims", "DIAGNOSIS7", NONE),
    ("claims", "DIAGNOSIS8", NONE),
    ("claims", "REFERRINGPROVIDERID", NONE),
    ("claims", "APPOINTMENTID", KEY),
    ("claims", "CURRENTILLNESSDATE", DATE),
    ("claims", "SERVICEDATE", DATE),
    ("claims", "SUPERVISINGPROVIDERID", NONE),
    ("claims", "STATUS1", NONE),
    ("claims", "STATUS2", NONE),
    ("claims", "STATUSP", NONE),
    ("claims", "OUTSTANDING1", NONE),
    ("claims", "OUTSTANDING2", NONE),
    ("claims", "OUTSTANDINGP", NONE),
    ("claims", "LASTBILLEDDATE1", DATE),
    ("claims", "LASTBILLEDDATE2", DATE),
    ("claims", "LASTBILLEDDATEP", DATE),
    ("claims", "HEALTHCARECLAIMTYPEID1", NONE),
    ("claims", "HEALTHCARECLAIMTYPEID2", NONE),
    # claims_transactions
    ("claims_transactions", "ID", KEY),
    ("claims_transactions", "CLAIMID", KEY),
    ("claims_transactions", "CHARGEID", KEY),
    ("claims_transactions", "PATIENTID", KEY),
    ("claims_transactions", "TYPE", NONE),
    ("claims_transactions", "AMOUNT", NONE),
    ("claims_transactions", "METHOD", NONE),
    ("claims_transactions", "FROMDATE", DATE),
    ("claims_transactions", "TODATE", DATE),
    ("claims_transactions", "PLACEOFSERVICE", NONE),
    ("claims_transactions", "PROCEDURECODE", NONE),
    ("claims_transactions", "MODIFIER1", NONE),
    ("claims_transactions", "MODIFIER2", NONE),
    ("claims_transactions", "DIAGNOSISREF1", NONE),
    ("claims_transactions", "DIAGNOSISREF2", NONE),
    ("claims_transactions", "DIAGNOSISREF3", NONE),
    ("claims_transactions", "DIAGNOSISREF4", NONE),
    ("claims_transactions", "UNITS", NONE),
    ("claims_transactions", "DEPARTMENTID", NONE),
    ("claims_transactions", "NOTES", NONE),
    ("claims_transactions", "UNITAMOUNT", NONE),
    ("claims_transactions", "TRANSFEROUTID", KEY),
    ("claims_transactions", "TRANSFERTYPE", NONE),
    ("claims_transactions", "PAYMENTS", NONE),
    ("claims_transactions", "ADJUSTMENTS", NONE),
    ("claims_transactions", "TRANSFERS", NONE),
    ("claims_transactions", "OUTSTANDING", NONE),
    ("claims_transactions", "APPOINTMENTID", KEY),
    ("claims_transactions", "LINENOTE", NONE),
    ("claims_transactions", "PATIENTINSURANCEID", (K.HEALTH_PLAN_ID,)),
    ("claims_transactions", "FEESCHEDULEID", NONE),
    ("claims_transactions", "PROVIDERID", NONE),
    ("claims_transactions", "SUPERVISINGPROVIDERID", NONE),
    # conditions
    ("conditions", "START", DATE),
    ("conditions", "STOP", DATE),
    ("conditions", "PATIENT", KEY),
    ("conditions", "ENCOUNTER", KEY),
    ("conditions", "CODE", NONE),
    ("conditions", "DESCRIPTION", NONE),
    # devices
    ("devices", "START", DATE),
    ("devices", "STOP", DATE),
    ("devices", "PATIENT", KEY),
    ("devices", "ENCOUNTER", KEY),
    ("devices", "CODE", NONE),
    ("devices", "DESCRIPTION", NONE),
    ("devices", "UDI", (K.DEVICE_ID,)),
    # encounters
    ("encounters", "Id", KEY),
    ("encounters", "START", DATE),
    ("encounters", "STOP", DATE),
    ("encounters", "PATIENT", KEY),
    ("encounters", "ORGANIZATION", NONE),
    ("encounters", "PROVIDER", NONE),
    ("encounters", "PAYER", NONE),
    ("encounters", "ENCOUNTERCLASS", NONE),
    ("encounters", "CODE", NONE),
    ("encounters", "DESCRIPTION", NONE),
    ("encounters", "BASE_ENCOUNTER_COST", NONE),
    ("encounters", "TOTAL_CLAIM_COST", NONE),
    ("encounters", "PAYER_COVERAGE", NONE),
    ("encounters", "REASONCODE", NONE),
    ("encounters", "REASONDESCRIPTION", NONE),
    # imaging_studies
    ("imaging_studies", "Id", KEY),
    ("imaging_studies", "DATE", DATE),
    ("imaging_studies", "PATIENT", KEY),
    ("imaging_studies", "ENCOUNTER", KEY),
    ("imaging_studies", "SERIES_UID", KEY),
    ("imaging_studies", "BODYSITE_CODE", NONE),
    ("imaging_studies", "BODYSITE_DESCRIPTION", NONE),
    ("imaging_studies", "MODALITY_CODE", NONE),
    ("imaging_studies", "MODALITY_DESCRIPTION", NONE),
    ("imaging_studies", "INSTANCE_UID", KEY),
    ("imaging_studies", "SOP_CODE", NONE),
    ("imaging_studies", "SOP_DESCRIPTION", NONE),
    ("imaging_studies", "PROCEDURE_CODE", NONE),
    # immunizations
    ("immunizations", "DATE", DATE),
    ("immunizations", "PATIENT", KEY),
    ("immunizations", "ENCOUNTER", KEY),
    ("immunizations", "CODE", NONE),
    ("immunizations", "DESCRIPTION", NONE),
    ("immunizations", "BASE_COST", NONE),
    # medications
    ("medications", "START", DATE),
    ("medications", "STOP", DATE),
    ("medications", "PATIENT", KEY),
    ("medications", "PAYER", NONE),
    ("medications", "ENCOUNTER", KEY),
    ("medications", "CODE", NONE),
    ("medications", "DESCRIPTION", NONE),
    ("medications", "BASE_COST", NONE),
    ("medications", "PAYER_COVERAGE", NONE),
    ("medications", "DISPENSES", NONE),
    ("medications", "TOTALCOST", NONE),
    ("medications", "REASONCODE", NONE),
    ("medications", "REASONDESCRIPTION", NONE),
    # observations
    ("observations", "DATE", DATE),
    ("observations", "PATIENT", KEY),
    ("observations", "ENCOUNTER", KEY),
    ("observations", "CATEGORY", NONE),
    ("observations", "CODE", NONE),
    ("observations", "DESCRIPTION", NONE),
    ("observations", "VALUE", (K.GEO,)),
    ("observations", "UNITS", NONE),
    ("observations", "TYPE", NONE),
    # payer_transitions
    ("payer_transitions", "PATIENT", KEY),
    ("payer_transitions", "MEMBERID", (K.HEALTH_PLAN_ID,)),
    ("payer_transitions", "START_YEAR", NONE),
    ("payer_transitions", "END_YEAR", NONE),
    ("payer_transitions", "PAYER", NONE),
    ("payer_transitions", "SECONDARY_PAYER", NONE),
    ("payer_transitions", "OWNERSHIP", NONE),
    ("payer_transitions", "OWNERNAME", (K.NAME,)),
    # procedures
    ("procedures", "START", DATE),
    ("procedures", "STOP", DATE),
    ("procedures", "PATIENT", KEY),
    ("procedures", "ENCOUNTER", KEY),
    ("procedures", "CODE", NONE),
    ("procedures", "DESCRIPTION", NONE),
    ("procedures", "BASE_COST", NONE),
    ("procedures", "REASONCODE", NONE),
    ("procedures", "REASONDESCRIPTION", NONE),
    # supplies
    ("supplies", "DATE", DATE),
    ("supplies", "PATIENT", KEY),
    ("supplies", "ENCOUNTER", KEY),
    ("supplies", "CODE", NONE),
    ("supplies", "DESCRIPTION", NONE),
    ("supplies", "QUANTITY", NONE),
]


@pytest.fixture(scope="module", params=["typed", "all_varchar"])
def synthea(
    request: pytest.FixtureRequest,
) -> Iterator[tuple[duckdb.DuckDBPyConnection, dict[str, list[ColumnTag]]]]:
    con = duckdb.connect()
    options = ", all_varchar = true" if request.param == "all_varchar" else ""
    for path in sorted(glob.glob(f"{SYNTHEA}/*.csv")):
        table = os.path.basename(path)[: -len(".csv")]
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM read_csv(?, header = true{options})", [path])
    tags = {table: classify_table(con, table) for table in TABLES}
    yield con, tags
    con.close()


def _tag(tags: dict[str, list[ColumnTag]], table: str, column: str) -> ColumnTag:
    (tag,) = [tag for tag in tags[table] if tag.column == column]
    return tag


@pytest.mark.parametrize(("table", "column", "kinds"), PATIENTS)
def test_patients_columns(
    synthea: tuple[duckdb.DuckDBPyConnection, dict[str, list[ColumnTag]]],
    table: str,
    column: str,
    kinds: tuple[K, ...],
) -> None:
    tag = _tag(synthea[1], table, column)
    assert tag.kinds == kinds, tag.evidence


@pytest.mark.parametrize(("table", "column", "kinds"), EXPECTED)
def test_synthea_column(
    synthea: tuple[duckdb.DuckDBPyConnection, dict[str, list[ColumnTag]]],
    table: str,
    column: str,
    kinds: tuple[K, ...],
) -> None:
    tag = _tag(synthea[1], table, column)
    assert tag.kinds == kinds, tag.evidence


@pytest.mark.parametrize("table", NOT_PERSON_LEVEL)
def test_tables_that_are_not_person_level_have_no_phi(
    synthea: tuple[duckdb.DuckDBPyConnection, dict[str, list[ColumnTag]]], table: str
) -> None:
    con, tags = synthea
    columns = [row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()]
    assert [tag.column for tag in tags[table]] == columns
    assert all(tag.kinds == () for tag in tags[table])
    assert all("not person-level" in tag.evidence for tag in tags[table])
    assert sample_table(con, table).cells == 0


def test_every_column_is_tagged_and_in_the_table(
    synthea: tuple[duckdb.DuckDBPyConnection, dict[str, list[ColumnTag]]],
) -> None:
    con, tags = synthea
    expected = {(table, column) for table, column, _kinds in PATIENTS + EXPECTED}
    for table in TABLES:
        columns = [row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()]
        assert [tag.column for tag in tags[table]] == columns
        assert all(
            tag.table == table and 0.0 <= tag.confidence <= 1.0 and tag.evidence for tag in tags[table]
        )
        if table not in NOT_PERSON_LEVEL:
            assert {(table, column) for column in columns} <= expected


def test_evidence_names_the_hint_and_the_hit_rate(
    synthea: tuple[duckdb.DuckDBPyConnection, dict[str, list[ColumnTag]]],
) -> None:
    tags = synthea[1]
    ssn = _tag(tags, "patients", "SSN")
    assert (
        ssn.evidence
        == "name hint 'ssn' (social security number); 27/27 sampled values matched SSN (recognizer ssn)"
    )
    assert ssn.confidence == 1.0
    assert (
        "19/19 sampled values matched LICENSE (recognizer drivers_license)"
        in _tag(tags, "patients", "DRIVERS").evidence
    )
    assert _tag(tags, "patients", "FIRST").confidence < ssn.confidence  # a name hint with no value evidence
    assert "ignored" in _tag(tags, "encounters", "PROVIDER").evidence
    for column in ("CITY", "BIRTHPLACE"):  # GEO by name: the evidence speaks of GEO, not of names
        assert "person_name" not in _tag(tags, "patients", column).evidence


def test_evidence_never_holds_a_value(
    synthea: tuple[duckdb.DuckDBPyConnection, dict[str, list[ColumnTag]]],
) -> None:
    con, tags = synthea
    evidence = "\n".join(tag.evidence for table_tags in tags.values() for tag in table_tags)
    for table in ("patients", "payer_transitions", "observations"):
        for row in con.execute(f"SELECT * FROM {table}").fetchall():
            for cell in row:
                text = str(cell)
                # Category words ("procedure") may equal column names; identifying values have digits.
                if cell is not None and len(text) >= 5 and any(char.isdigit() for char in text):
                    assert text not in evidence, table


def test_sampling_is_bounded(synthea: tuple[duckdb.DuckDBPyConnection, dict[str, list[ColumnTag]]]) -> None:
    con, _tags = synthea
    for table in TABLES:
        sample = sample_table(con, table, sample_rows=50)
        assert all(len(values) <= 50 for values in sample.values.values())
        assert sample.cells <= 50 * len(sample.columns)
