"""Column classification: person-level tables, names against values, and bounded sampling."""

from __future__ import annotations

import duckdb
import pytest

from workbench.detect.classify import classify_columns, classify_table, is_person_level, sample_table
from workbench.errors import UnknownTable
from workbench.kinds import IdentifierKind as K

UUIDS = [f"3edac2e3-d223-6fae-d515-daf96ef6{n:04x}" for n in range(20)]
SSNS = [f"999-17-{5000 + n}" for n in range(20)]
EMAILS = [f"person{n}@example.org" for n in range(20)]
TIMESTAMPS = [f"2023-01-{n + 1:02d} 16:17:47+00" for n in range(20)]
SPARSE_NOTES = ["Called Mrs. Zofia Kowalczyk at 508-222-5200 re: results"] * 15 + [
    f"Encounter for problem {n}" for n in range(180)
]


@pytest.mark.parametrize(
    ("table", "columns", "person_level"),
    [
        ("patients", ["Id", "FIRST"], True),
        ("persons", [], True),
        ("members", ["X"], True),
        ("main.patient", ["X"], True),
        ("encounters", ["Id", "PATIENT"], True),
        ("claims", ["Id", "PATIENTID"], True),
        ("cohort", ["PERSON_ID", "VALUE"], True),
        ("enrollment", ["MEMBER_ID"], True),
        ("lab_results", ["patient_id"], True),
        ("staff_extract", ["SSN", "NAME"], True),
        ("providers", ["Id", "ORGANIZATION", "NAME", "GENDER", "ADDRESS", "ZIP"], False),
        ("organizations", ["Id", "NAME", "ADDRESS", "PHONE"], False),
        ("payers", ["Id", "NAME", "PHONE", "MEMBER_MONTHS", "UNIQUE_CUSTOMERS"], False),
        ("dim_provider", ["provider_key", "NAME"], False),
        ("main.payers", ["Id", "NAME"], False),
        ("ref_facilities", ["FACILITY_ID", "ADDRESS"], False),
        # fail safe: a table is person-level unless it is positively a reference table
        ("codes", ["CODE", "DESCRIPTION"], True),
        ("patient_counts", ["COUNT"], True),
        ("claims_summary", ["PATIENTDEPARTMENTID", "TOTAL"], True),
        ("dim_patient", ["pat_id", "full_name", "ssn_txt", "tel", "addr", "note", "born", "mail"], True),
        ("patient_demographics", ["ID", "NAME"], True),
        ("clients", ["client_id", "NAME"], True),
        ("residents", ["pt_id", "empi"], True),
        ("dataframe", ["note"], True),
        ("extract_2024", [], True),
        ("providers", ["Id", "PATIENT", "NAME"], True),  # a provider table with a patient link
        ("organizations", ["Id", "NAME", "SSN"], True),  # only a person has an SSN
    ],
)
def test_is_person_level(table: str, columns: list[str], person_level: bool) -> None:
    assert is_person_level(table, columns) is person_level


# (column, type, sampled values, expected kinds) in a person-level table
COLUMNS = [
    ("SSN", "VARCHAR", SSNS, (K.SSN,)),
    ("ssn", "VARCHAR", [], (K.SSN,)),
    ("DRIVERS", "VARCHAR", ["S99994942", "S99953844"], (K.LICENSE,)),
    ("MEMBERID", "VARCHAR", UUIDS, (K.HEALTH_PLAN_ID,)),
    ("PATIENT", "VARCHAR", UUIDS, (K.OTHER_ID,)),
    ("PATIENT", "VARCHAR", SSNS, (K.SSN, K.OTHER_ID)),
    ("CONTACT_PHONE", "VARCHAR", EMAILS, (K.PHONE, K.EMAIL)),
    ("START", "TIMESTAMP WITH TIME ZONE", TIMESTAMPS, (K.DATE,)),
    ("SERVICEDATE", "VARCHAR", TIMESTAMPS, (K.DATE,)),
    ("CREATED", "VARCHAR", TIMESTAMPS, (K.DATE,)),  # no name hint: the values say DATE
    ("X1", "VARCHAR", EMAILS, (K.EMAIL,)),
    ("X2", "VARCHAR", ["abc", "def", "ghi"], ()),
    ("VALUE", "VARCHAR", ["12.5", "Never smoker", "784 Stamm Lock Unit 46", "98.6"], (K.GEO,)),
    ("NOTES", "VARCHAR", ["Called 508-222-5200 about results", "ok"], (K.PHONE,)),
    ("COMMENTS", "VARCHAR", ["seen 2023-01-27 for follow-up"], (K.DATE,)),
    ("NOTES", "VARCHAR", ["Encounter for symptom", "Well child visit (procedure)"], ()),
    ("LINENOTE", "VARCHAR", [], ()),
    ("FOO_ID", "BIGINT", list(range(40)), (K.OTHER_ID,)),
    ("DEPT_ID", "BIGINT", [1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3], ()),
    ("CODE", "VARCHAR", EMAILS, (K.EMAIL,)),  # a "not PHI" name, but the values are emails
    ("CODE", "BIGINT", [195662009, 10509002, 1149222004], ()),
    # a "not PHI" name yields to sure findings however sparse: a name is a hint, values are evidence
    (
        "DESCRIPTION",
        "VARCHAR",
        ["Loratadine 5 MG Chewable Tablet"] * 19 + ["Call 508-222-1222 for help"],
        (K.PHONE,),
    ),
    (
        "DESCRIPTION",
        "VARCHAR",
        ["Loratadine 5 MG Chewable Tablet", "Call 508-222-1222 for help"] * 10,
        (K.PHONE,),
    ),
    ("REASONDESCRIPTION", "VARCHAR", SPARSE_NOTES, (K.NAME, K.PHONE)),
    ("DESCRIPTION", "VARCHAR", SPARSE_NOTES, (K.NAME, K.PHONE)),
    ("NOTES", "VARCHAR", SPARSE_NOTES, (K.NAME, K.PHONE)),
    (
        "DESCRIPTION",
        "VARCHAR",
        ["Writes to Mr. Kowalczyk"] + ["Acute bronchitis"] * 19,
        (),
    ),  # a name alone, rare
    # dictionary names in code descriptions ("Peanut IgE Ab") count only in a tenth of the values
    (
        "DESCRIPTION",
        "VARCHAR",
        ["Peanut IgE Ab in Serum"] + ["Glucose 91/42/7.36/25/-1", "Apgar score"] * 10,
        (),
    ),
    ("DESCRIPTION", "VARCHAR", ["Amoxicillin 250 MG / Clavulanate 125 MG", "BP 120/80 mmHg"] * 10, ()),
    ("REASONDESCRIPTION", "VARCHAR", ["Are you Hispanic or Latino?"] + ["Body mass index"] * 19, ()),
    ("CODE", "VARCHAR", ["999-12-3456", "195662009", "10509002"] * 7, (K.SSN,)),
    ("REASONCODE", "VARCHAR", ["123456789", "219099999", "195662009"] * 7, (K.SSN,)),  # bare SSNs
    ("REASONCODE", "BIGINT", [195662009, 431855005, 1149222004, 73211009, 22298006] * 4, ()),  # SNOMED CT
    ("CODE", "VARCHAR", ["000123456", "666123456", "123006789"] * 7, ()),  # not valid SSNs
    # a *_YEAR column: years and timestamps are years; full dates with no time of day are dates
    ("START_YEAR", "VARCHAR", ["1931-05-10", "1944-12-01"] * 10, (K.DATE,)),
    ("END_YEAR", "DATE", ["1931-05-10", "1944-12-01"], (K.DATE,)),
    ("END_YEAR", "TIMESTAMP", ["1931-05-10 00:00:00"], (K.DATE,)),
    ("START_YEAR", "BIGINT", [1931, 1944, 2014], ()),
    # a name that sounds like a date, values that are not: no DATE
    ("LAST_UPDATED_BY", "VARCHAR", ["etl_job", "nightly_load"] * 10, ()),
    ("UPDATED_AT", "VARCHAR", TIMESTAMPS, (K.DATE,)),
    ("AGE", "BIGINT", [34, 93, 55], (K.DATE,)),  # an age over 89 is a date element
    ("AGE", "BIGINT", [34, 45, 55], ()),
    ("ssn_txt", "VARCHAR", [], (K.SSN,)),  # a storage suffix says nothing
    ("empi", "VARCHAR", [], (K.MRN,)),
    ("pt_id", "VARCHAR", ["p1", "p1", "p2"], (K.OTHER_ID,)),
    ("PROVIDER", "VARCHAR", UUIDS, ()),
    ("PROVIDERID", "VARCHAR", UUIDS, ()),
    ("START_YEAR", "TIMESTAMP WITH TIME ZONE", TIMESTAMPS, ()),
    ("START_YEAR", "VARCHAR", ["2014-10-14T04:17:47Z"], ()),
    ("PREFIX", "VARCHAR", ["Mr.", "Mrs.", "Ms."], ()),
    ("SUFFIX", "VARCHAR", ["PhD", "MD", "Jr."], ()),
    ("STATE", "VARCHAR", ["Massachusetts"], ()),
    ("HEALTHCARE_EXPENSES", "DOUBLE", [227761.06, 49112.871], ()),
    ("FLAG", "BOOLEAN", [True, False], ()),
    # images and biometrics are judged by name and type: their bytes are never scanned
    ("PHOTO", "BLOB", [b"\x89PNG..."], (K.PHOTO,)),
    ("PATIENT_PHOTO_URL", "VARCHAR", ["https://example.org/p/1.jpg"], (K.URL, K.PHOTO)),
    ("FINGERPRINT_TEMPLATE", "BLOB", [b"\x00\x01"], (K.BIOMETRIC,)),
    ("IMAGING_STUDY_ID", "VARCHAR", UUIDS, (K.OTHER_ID,)),
]


@pytest.mark.parametrize(("column", "column_type", "values", "kinds"), COLUMNS)
def test_classify_columns(column: str, column_type: str, values: list[object], kinds: tuple[K, ...]) -> None:
    (tag,) = classify_columns("t", [(column, column_type)], {column: values}, person_level=True)
    assert (tag.table, tag.column, tag.kinds) == ("t", column, kinds), tag.evidence
    assert 0.0 <= tag.confidence <= 1.0
    for value in values:
        if len(str(value)) >= 5:
            assert str(value) not in tag.evidence


def test_tables_that_are_not_person_level_get_no_kinds() -> None:
    columns = [("SSN", "VARCHAR"), ("PHONE", "VARCHAR"), ("NAME", "VARCHAR")]
    samples = {"SSN": SSNS, "PHONE": ["508-222-5200"], "NAME": ["Ann Smith"]}
    tags = classify_columns("providers", columns, samples, person_level=False)
    assert [(tag.column, tag.kinds) for tag in tags] == [("SSN", ()), ("PHONE", ()), ("NAME", ())]
    assert all("not person-level" in tag.evidence for tag in tags)


def test_every_column_gets_a_tag_in_order_even_without_samples() -> None:
    columns = [("Id", "VARCHAR"), ("FIRST", "VARCHAR"), ("GENDER", "VARCHAR"), ("ZIP", "VARCHAR")]
    tags = classify_columns("patients", columns, {}, person_level=True)
    assert [(tag.column, tag.kinds) for tag in tags] == [
        ("Id", (K.OTHER_ID,)),
        ("FIRST", (K.NAME,)),
        ("GENDER", ()),
        ("ZIP", (K.GEO,)),
    ]
    assert all("no non-null values sampled" in tag.evidence for tag in tags)


@pytest.mark.parametrize(
    ("column", "values", "evidence", "confidence"),
    [
        (
            "SSN",
            SSNS,
            "name hint 'ssn' (social security number); 20/20 sampled values matched SSN (recognizer ssn)",
            1.0,
        ),
        ("SSN", [], "name hint 'ssn' (social security number); no non-null values sampled", 0.6),
        ("X1", EMAILS, "no name hint; 20/20 sampled values matched EMAIL (recognizer email)", 1.0),
        # the evidence cites what gave the column its kind, not a name found in a place
        (
            "CITY",
            ["Zofia Kowalczyk", "Boston", "Springfield"],
            "name hint 'city' (a place smaller than a state); 0/3 sampled values matched GEO",
            0.6,
        ),
        (
            "CODE",
            ["8302-2", "72166-2"],
            "name hint 'code': a clinical or billing code, not an identifier; "
            "0/2 sampled values matched any recognizer",
            1.0,
        ),
    ],
)
def test_evidence_and_confidence(column: str, values: list[object], evidence: str, confidence: float) -> None:
    (tag,) = classify_columns("t", [(column, "VARCHAR")], {column: values}, person_level=True)
    assert (tag.evidence, tag.confidence) == (evidence, confidence)


def _person_table(con: duckdb.DuckDBPyConnection, name: str, rows: int) -> None:
    con.execute(
        f"""
        CREATE TABLE {name} AS
        SELECT
            uuid()::VARCHAR AS PATIENT,
            printf('999-%02d-%04d', i % 100, i % 10000 + 1) AS SSN,
            TIMESTAMP '2020-01-01' + INTERVAL (i) MINUTE AS START,
            CASE WHEN i % 20 = 0 THEN 'call 508-222-' || printf('%04d', i % 10000) END AS NOTES,
            CASE WHEN i % 20 = 0 THEN NULL ELSE (i % 7) END AS DEPARTMENTID,
            i * 1.5 AS AMOUNT
        FROM range({rows}) AS t(i)
        """
    )


def test_cells_examined_do_not_grow_with_the_table() -> None:
    con = duckdb.connect()
    _person_table(con, "visits_small", 20_000)
    _person_table(con, "visits_large", 200_000)
    small = sample_table(con, "visits_small", sample_rows=200)
    large = sample_table(con, "visits_large", sample_rows=200)
    assert small.cells == large.cells == 200 * len(small.columns)
    assert all(len(values) == 200 for values in large.values.values())
    assert [tag.kinds for tag in classify_table(con, "visits_small")] == [
        tag.kinds for tag in classify_table(con, "visits_large")
    ]
    assert [tag.kinds for tag in classify_table(con, "visits_large")] == [
        (K.OTHER_ID,),
        (K.SSN,),
        (K.DATE,),
        (K.PHONE,),
        (),
        (),
    ]


def test_sampling_is_repeatable() -> None:
    con = duckdb.connect()
    _person_table(con, "visits", 5_000)
    assert sample_table(con, "visits").values == sample_table(con, "visits").values
    assert classify_table(con, "visits") == classify_table(con, "visits")


def test_sampling_reads_nothing_from_tables_that_are_not_person_level() -> None:
    con = duckdb.connect()
    con.execute("CREATE TABLE providers AS SELECT 'Ann Smith' AS NAME, '508-222-5200' AS PHONE")
    sample = sample_table(con, "providers")
    assert (sample.person_level, sample.cells) == (False, 0)
    assert [tag.kinds for tag in classify_table(con, "providers")] == [(), ()]


def test_sparse_columns_still_yield_their_values() -> None:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE patients AS SELECT i AS n, CASE WHEN i % 100 = 0 THEN 'S9999' || printf('%04d', i) END "
        "AS DRIVERS FROM range(10000) AS t(i)"
    )
    sample = sample_table(con, "patients", sample_rows=50)
    assert len(sample.values["DRIVERS"]) == 50
    assert classify_table(con, "patients")[1].kinds == (K.LICENSE,)


def test_awkward_table_and_column_names_are_quoted() -> None:
    con = duckdb.connect()
    con.execute('CREATE TABLE "patient ""notes""" AS SELECT \'999-17-5017\' AS "S S N", NULL::VARCHAR AS "x"')
    tags = classify_table(con, 'patient "notes"')
    assert [(tag.column, tag.kinds) for tag in tags] == [("S S N", (K.SSN,)), ("x", ())]
    con.execute("CREATE SCHEMA clinic")
    con.execute("CREATE TABLE clinic.patients AS SELECT '999-17-5017' AS SSN")
    assert [tag.kinds for tag in classify_table(con, "clinic.patients")] == [(K.SSN,)]


def test_unknown_table_raises_a_workbench_error() -> None:
    con = duckdb.connect()
    with pytest.raises(UnknownTable) as raised:
        classify_table(con, "nope")
    assert raised.value.table == "nope"


_DIM_PATIENT = """
    CREATE TABLE {name} AS SELECT
        'p' || i AS {key}, 'Zofia Kowalczyk' AS full_name, printf('999-12-%04d', i + 1) AS ssn_txt,
        '508-222-5200' AS tel, '784 Stamm Lock Unit 46' AS addr, 'Called daughter Ann at 508-222-5200' AS note,
        DATE '1931-05-10' + i::INTEGER AS born, 'zofia' || i || '@example.org' AS mail
    FROM range(30) AS t(i)
"""


# Tables the classifier does not know as person-level are read and flagged: only a reference table
# of providers, organizations, payers or facilities is cleared, on its name.
@pytest.mark.parametrize(
    ("name", "key", "kinds"),
    [
        ("dim_patient", "pat_id", [(K.OTHER_ID,), (K.NAME,), (K.SSN,), (K.PHONE,), (K.GEO,), (K.NAME, K.PHONE), (K.DATE,), (K.EMAIL,)]),
        ("patient_demographics", "empi", [(K.MRN,), (K.NAME,), (K.SSN,), (K.PHONE,), (K.GEO,), (K.NAME, K.PHONE), (K.DATE,), (K.EMAIL,)]),
        ("clients", "client_id", [(K.OTHER_ID,), (K.NAME,), (K.SSN,), (K.PHONE,), (K.GEO,), (K.NAME, K.PHONE), (K.DATE,), (K.EMAIL,)]),
        ("residents", "pt_id", [(K.OTHER_ID,), (K.NAME,), (K.SSN,), (K.PHONE,), (K.GEO,), (K.NAME, K.PHONE), (K.DATE,), (K.EMAIL,)]),
        ("dim_provider", "provider_id", [()] * 8),  # a reference table: not read
        ("organizations", "org_id", [()] * 8),
    ],
)  # fmt: skip
def test_tables_are_person_level_unless_they_are_reference_tables(
    name: str, key: str, kinds: list[tuple[K, ...]]
) -> None:
    con = duckdb.connect()
    con.execute(_DIM_PATIENT.format(name=name, key=key))
    tags = classify_table(con, name)
    assert [tag.kinds for tag in tags] == kinds, [tag.evidence for tag in tags]
    assert (sample_table(con, name).cells == 0) is (kinds == [()] * 8)
