"""Loading a Synthea v3 CSV export: the real 27-patient sample, its types, and bad folders that must leave
the warehouse exactly as it was."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from workbench.errors import BadInput
from workbench.warehouse.duck import reader, writer
from workbench.warehouse.synthea import SYNTHEA_SCHEMA, SYNTHEA_TABLES, load_synthea

CopySample = Callable[[Path], Path]

# Row counts from the sample's README.md.
SAMPLE_ROWS = {
    "patients": 27,
    "encounters": 604,
    "conditions": 438,
    "observations": 990,
    "medications": 663,
    "procedures": 249,
    "claims": 1267,
    "claims_transactions": 5228,
    "payer_transitions": 1051,
    "providers": 166,
    "organizations": 63,
    "payers": 10,
    "allergies": 40,
    "careplans": 49,
    "immunizations": 29,
    "supplies": 72,
    "devices": 3,
    "imaging_studies": 1,
}


def table_counts(warehouse: Path) -> dict[str, int]:
    """Every table in the warehouse with its row count (so a stray table shows up too)."""
    with reader(warehouse) as con:
        names = [
            row[0] for row in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()
        ]
        return {name: con.execute(f'SELECT count(*) FROM "{name}"').fetchall()[0][0] for name in names}


def rewrite(path: Path, edit: Callable[[list[list[str]]], None]) -> None:
    """Apply `edit` to the rows (header first) of a CSV file."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    edit(rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


# --- the real sample ----------------------------------------------------------------------------------


def test_schema_lists_the_eighteen_tables() -> None:
    assert len(SYNTHEA_TABLES) == 18
    assert set(SYNTHEA_TABLES) == set(SAMPLE_ROWS)


@pytest.mark.parametrize("table", SYNTHEA_TABLES)
def test_schema_matches_the_sample_header(synthea_sample: Path, table: str) -> None:
    """The sample is a v3.0.0 export: its header is exactly the schema's columns, in order."""
    with (synthea_sample / f"{table}.csv").open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert header == list(SYNTHEA_SCHEMA[table])


def test_load_reports_every_table(synthea_sample: Path, tmp_path: Path) -> None:
    report = load_synthea(synthea_sample, tmp_path / "w.duckdb")
    assert report.tables == SAMPLE_ROWS
    assert list(report.tables) == list(SYNTHEA_TABLES)
    assert report.extra_columns == {}
    assert report.ignored_files == []


@pytest.fixture(scope="module")
def sample_db(loaded_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """One read-only connection for the checks below; nothing writes this warehouse."""
    with reader(loaded_warehouse) as con:
        yield con


@pytest.mark.parametrize(("table", "rows"), SAMPLE_ROWS.items())
def test_row_counts(sample_db: duckdb.DuckDBPyConnection, table: str, rows: int) -> None:
    assert sample_db.execute(f'SELECT count(*) FROM main."{table}"').fetchall() == [(rows,)]


def test_only_the_eighteen_tables(loaded_warehouse: Path) -> None:
    assert table_counts(loaded_warehouse) == SAMPLE_ROWS


# (table, column, DuckDB type): dates, UTC instants, money, coordinates, counts, and text that must stay text.
COLUMN_TYPES = [
    ("patients", "Id", "VARCHAR"),
    ("patients", "BIRTHDATE", "DATE"),
    ("patients", "DEATHDATE", "DATE"),
    ("patients", "SSN", "VARCHAR"),
    ("patients", "ZIP", "VARCHAR"),
    ("patients", "LAT", "DOUBLE"),
    ("patients", "LON", "DOUBLE"),
    ("patients", "HEALTHCARE_EXPENSES", "DECIMAL(18,2)"),
    ("encounters", "START", "TIMESTAMP"),
    ("encounters", "STOP", "TIMESTAMP"),
    ("encounters", "CODE", "VARCHAR"),
    ("encounters", "TOTAL_CLAIM_COST", "DECIMAL(18,2)"),
    ("conditions", "START", "DATE"),
    ("allergies", "STOP", "DATE"),
    ("careplans", "STOP", "DATE"),
    ("supplies", "DATE", "DATE"),
    ("supplies", "QUANTITY", "INTEGER"),
    ("observations", "DATE", "TIMESTAMP"),
    ("observations", "VALUE", "VARCHAR"),
    ("medications", "DISPENSES", "INTEGER"),
    ("claims", "DIAGNOSIS1", "VARCHAR"),
    ("claims", "OUTSTANDING1", "DECIMAL(18,2)"),
    ("claims", "HEALTHCARECLAIMTYPEID1", "VARCHAR"),
    ("claims_transactions", "PROCEDURECODE", "VARCHAR"),
    ("claims_transactions", "MODIFIER1", "VARCHAR"),
    ("claims_transactions", "AMOUNT", "DECIMAL(18,2)"),
    ("claims_transactions", "UNITS", "INTEGER"),
    ("payers", "ZIP", "VARCHAR"),
    ("payers", "QOLS_AVG", "DOUBLE"),
    ("payers", "MEMBER_MONTHS", "BIGINT"),
    ("payer_transitions", "START_YEAR", "TIMESTAMP"),
    ("organizations", "PHONE", "VARCHAR"),
    ("providers", "UTILIZATION", "BIGINT"),
    ("immunizations", "CODE", "VARCHAR"),
    ("imaging_studies", "SOP_CODE", "VARCHAR"),
]


@pytest.mark.parametrize(("table", "column", "sql_type"), COLUMN_TYPES)
def test_column_types(sample_db: duckdb.DuckDBPyConnection, table: str, column: str, sql_type: str) -> None:
    rows = sample_db.execute(
        "SELECT data_type FROM information_schema.columns WHERE table_schema = 'main' "
        "AND table_name = ? AND column_name = ?",
        [table, column],
    ).fetchall()
    assert rows == [(sql_type,)]


# (query, expected rows): values that a sniffing loader would get wrong.
VALUES = [
    ("SELECT count(*) FROM patients WHERE ZIP = '02155'", [(2,)]),  # leading zero kept
    ("SELECT count(*) FROM immunizations WHERE CODE = '08'", [(1,)]),  # CVX code, leading zero kept
    ("SELECT count(*) FROM patients WHERE SUFFIX IS NULL", [(27,)]),  # empty field -> NULL
    ("SELECT count(DEATHDATE) FROM patients", [(2,)]),
    ("SELECT count(*) FROM patients WHERE ZIP = ''", [(0,)]),
    (
        "SELECT BIRTHDATE, HEALTHCARE_EXPENSES FROM patients "
        "WHERE Id = '3edac2e3-d223-6fae-d515-daf96ef6bc76'",
        [(date(2014, 10, 6), Decimal("227761.06"))],
    ),
    (  # 49112.87100000001 in the file, rounded to cents
        "SELECT HEALTHCARE_EXPENSES FROM patients WHERE Id = '9d188916-8390-282b-3ec2-73fce6e08649'",
        [(Decimal("49112.87"),)],
    ),
    (  # 2023-01-27T16:17:47Z, stored as UTC
        "SELECT START FROM encounters WHERE Id = '57f2562b-445c-f11c-ba40-edc55af3c84f'",
        [(datetime(2023, 1, 27, 16, 17, 47),)],
    ),
    ("SELECT count(*) FROM payers WHERE isnan(QOLS_AVG)", [(1,)]),
    ("SELECT count(*) FROM claims_transactions WHERE PROCEDURECODE = '08'", [(2,)]),
]


@pytest.mark.parametrize(("query", "expected"), VALUES)
def test_values(sample_db: duckdb.DuckDBPyConnection, query: str, expected: list[tuple[object, ...]]) -> None:
    assert sample_db.execute(query).fetchall() == expected


def test_reload_replaces(synthea_sample: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    load_synthea(synthea_sample, warehouse)
    report = load_synthea(synthea_sample, warehouse)
    assert report.tables == SAMPLE_ROWS
    assert table_counts(warehouse) == SAMPLE_ROWS


def test_other_tables_are_left_alone(synthea_sample: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "w.duckdb"
    load_synthea(synthea_sample, warehouse)
    with writer(warehouse) as con:
        con.execute("CREATE TABLE notes AS SELECT 1 AS n")
    load_synthea(synthea_sample, warehouse)
    assert table_counts(warehouse) == {**SAMPLE_ROWS, "notes": 1}


def test_relative_paths(copy_sample: CopySample, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy_sample(tmp_path / "exports" / "run1")
    monkeypatch.chdir(tmp_path)
    report = load_synthea(Path("exports/run1"), Path("w.duckdb"))
    assert report.tables == SAMPLE_ROWS
    assert table_counts(tmp_path / "w.duckdb") == SAMPLE_ROWS


def test_columns_of_a_newer_export_load_as_text(export_copy: Path, tmp_path: Path) -> None:
    """v3.x exports add MIDDLE (and FIPS, INCOME); extra columns load as VARCHAR, in file order."""

    def add_middle(rows: list[list[str]]) -> None:
        at = rows[0].index("FIRST") + 1
        for n, row in enumerate(rows):
            row.insert(at, "MIDDLE" if n == 0 else f"Middle{n}")

    rewrite(export_copy / "patients.csv", add_middle)
    (export_copy / "notes.csv").write_text("a,b\n1,2\n")
    warehouse = tmp_path / "w.duckdb"
    report = load_synthea(export_copy, warehouse)
    assert report.extra_columns == {"patients": ["MIDDLE"]}
    assert report.ignored_files == ["notes.csv"]
    assert report.tables == SAMPLE_ROWS
    with reader(warehouse) as con:
        columns = con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'patients' "
            "AND column_name IN ('FIRST', 'MIDDLE', 'LAST') ORDER BY ordinal_position"
        ).fetchall()
        assert columns == [("FIRST", "VARCHAR"), ("MIDDLE", "VARCHAR"), ("LAST", "VARCHAR")]
        assert con.execute("SELECT count(MIDDLE) FROM patients").fetchall() == [(27,)]
        assert "notes" not in table_counts(warehouse)


def test_columns_in_another_order_keep_their_types(export_copy: Path, tmp_path: Path) -> None:
    def swap_zip_and_ssn(rows: list[list[str]]) -> None:
        ssn, zip_code = rows[0].index("SSN"), rows[0].index("ZIP")
        for row in rows:
            row[ssn], row[zip_code] = row[zip_code], row[ssn]

    rewrite(export_copy / "patients.csv", swap_zip_and_ssn)
    warehouse = tmp_path / "w.duckdb"
    load_synthea(export_copy, warehouse)
    with reader(warehouse) as con:
        assert con.execute("SELECT count(*) FROM patients WHERE ZIP = '02155'").fetchall() == [(2,)]
        assert con.execute("SELECT typeof(BIRTHDATE) FROM patients LIMIT 1").fetchall() == [("DATE",)]


# --- bad input leaves the warehouse as it was ----------------------------------------------------------


def _delete(name: str) -> Callable[[Path], Path]:
    def apply(folder: Path) -> Path:
        (folder / name).unlink()
        return folder

    return apply


def _edit(name: str, edit: Callable[[list[list[str]]], None]) -> Callable[[Path], Path]:
    def apply(folder: Path) -> Path:
        rewrite(folder / name, edit)
        return folder

    return apply


def _set_cell(row: int, column: str, value: str) -> Callable[[list[list[str]]], None]:
    def edit(rows: list[list[str]]) -> None:
        rows[row][rows[0].index(column)] = value

    return edit


def _rename_column(old: str, new: str) -> Callable[[list[list[str]]], None]:
    def edit(rows: list[list[str]]) -> None:
        rows[0][rows[0].index(old)] = new

    return edit


def _drop_columns(*names: str) -> Callable[[list[list[str]]], None]:
    def edit(rows: list[list[str]]) -> None:
        keep = [n for n, name in enumerate(rows[0]) if name not in names]
        rows[:] = [[row[n] for n in keep] for row in rows]

    return edit


def _drop_header(rows: list[list[str]]) -> None:
    del rows[0]


def _add_column(name: str, value: str) -> Callable[[list[list[str]]], None]:
    def edit(rows: list[list[str]]) -> None:
        rows[0].append(name)
        for row in rows[1:]:
            row.append(value)

    return edit


def _append_field(row: int, value: str) -> Callable[[list[list[str]]], None]:
    def edit(rows: list[list[str]]) -> None:
        rows[row].append(value)

    return edit


def _keep_rows(count: int) -> Callable[[list[list[str]]], None]:
    def edit(rows: list[list[str]]) -> None:
        del rows[count + 1 :]

    return edit


def _empty_folder(folder: Path) -> Path:
    for csv_file in folder.glob("*.csv"):
        csv_file.unlink()
    return folder


def _a_file(folder: Path) -> Path:
    return folder / "patients.csv"


def _nowhere(folder: Path) -> Path:
    return folder / "no-such-folder"


def _truncate(name: str) -> Callable[[Path], Path]:
    def apply(folder: Path) -> Path:
        (folder / name).write_text("")
        return folder

    return apply


@pytest.fixture(scope="module")
def five_patients(copy_sample: CopySample, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse of the sample cut to 5 patients, so a reload that half-happened would show."""
    folder = copy_sample(tmp_path_factory.mktemp("five") / "export")
    rewrite(folder / "patients.csv", _keep_rows(5))
    warehouse = folder.parent / "w.duckdb"
    load_synthea(folder, warehouse)
    return warehouse


# (id, how to break the export, fragments the message must hold, fragments it must not hold)
BAD_EXPORTS = [
    ("missing file", _delete("devices.csv"), ["is missing devices.csv", "all 18 tables"], []),
    (
        "wrong header",
        _edit("patients.csv", _rename_column("SSN", "SOCIAL")),
        ["patients.csv is missing column SSN; is this a Synthea v3 CSV export?"],
        [],
    ),
    (
        "two missing columns",
        _edit("encounters.csv", _drop_columns("START", "STOP")),
        ["encounters.csv is missing columns START, STOP"],
        [],
    ),
    ("empty file", _truncate("payers.csv"), ["payers.csv is empty"], []),
    (
        "no header: the first row is data and is never quoted",
        _edit("patients.csv", _drop_header),
        ["patients.csv is missing columns Id, BIRTHDATE"],
        ["Maynard46", "999-17-5017"],
    ),
    (
        "repeated column",
        _edit("devices.csv", _add_column("START", "2000-01-01T00:00:00Z")),
        ["devices.csv repeats column START in its header"],
        [],
    ),
    (
        "empty column name",
        _edit("devices.csv", _add_column("", "x")),
        ["devices.csv has an empty column name"],
        [],
    ),
    (
        "bad date",
        _edit("patients.csv", _set_cell(4, "BIRTHDATE", "notadate")),
        ["patients.csv line 5", "column BIRTHDATE", "a date (YYYY-MM-DD)", "warehouse is unchanged"],
        ["notadate"],
    ),
    (
        "bad timestamp in the last table loaded",
        _edit("imaging_studies.csv", _set_cell(1, "DATE", "Zebulon-4417")),
        ["imaging_studies.csv line 2", "column DATE", "timestamp"],
        ["Zebulon", "4417"],
    ),
    (
        "bad money",
        _edit("claims_transactions.csv", _set_cell(300, "AMOUNT", "O'Hara 12")),
        ["claims_transactions.csv line 301", "column AMOUNT", "amount"],
        ["Hara", "12"],
    ),
    (
        "bad count",
        _edit("supplies.csv", _set_cell(72, "QUANTITY", "two")),
        ["supplies.csv line 73", "column QUANTITY", "whole number"],
        ["two"],
    ),
    (
        "extra field in a row",
        _edit("conditions.csv", _append_field(10, "Zebulon")),
        ["conditions.csv line 11 has 7 fields where the header has 6"],
        ["Zebulon"],
    ),
    ("empty folder", _empty_folder, ["holds no CSV files"], []),
    ("not a folder", _a_file, ["is not a folder"], []),
    ("no such folder", _nowhere, ["No folder at"], []),
]


@pytest.mark.parametrize(
    ("breaks", "says", "never_says"),
    [case[1:] for case in BAD_EXPORTS],
    ids=[case[0] for case in BAD_EXPORTS],
)
def test_bad_export_leaves_the_warehouse_unchanged(
    copy_sample: CopySample,
    five_patients: Path,
    tmp_path: Path,
    breaks: Callable[[Path], Path],
    says: list[str],
    never_says: list[str],
) -> None:
    warehouse = Path(shutil.copyfile(five_patients, tmp_path / "w.duckdb"))
    expected = {**SAMPLE_ROWS, "patients": 5}
    assert table_counts(warehouse) == expected

    target = breaks(copy_sample(tmp_path / "bad"))
    with pytest.raises(BadInput) as caught:
        load_synthea(target, warehouse)

    message = str(caught.value)
    for fragment in says:
        assert fragment in message
    for fragment in never_says:
        assert fragment not in message
    assert caught.value.__cause__ is None and caught.value.__context__ is None
    assert table_counts(warehouse) == expected


def test_bad_header_never_creates_a_warehouse(export_copy: Path, tmp_path: Path) -> None:
    rewrite(export_copy / "patients.csv", _rename_column("SSN", "SOCIAL"))
    warehouse = tmp_path / "w.duckdb"
    with pytest.raises(BadInput):
        load_synthea(export_copy, warehouse)
    assert not warehouse.exists()


def test_the_csv_folder_inside_a_synthea_output_is_suggested(copy_sample: CopySample, tmp_path: Path) -> None:
    copy_sample(tmp_path / "output" / "csv")
    with pytest.raises(BadInput, match=r"did you mean .*output/csv\?"):
        load_synthea(tmp_path / "output", tmp_path / "w.duckdb")
