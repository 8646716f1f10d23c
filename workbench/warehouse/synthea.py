"""Loading a Synthea v3 CSV export into the warehouse: typed, checked first, and all-or-nothing.

The 18 files are checked before the warehouse is opened (each present, each header holding the v3.0
columns); then every table is created from its file with an explicit column type list in one
transaction, so a bad value anywhere leaves the warehouse exactly as it was.

Types: dates are DATE; Synthea's `...T...Z` instants are TIMESTAMP holding UTC (no session time zone
can shift them, so a year or a date derived from one is the same in every process); money is
DECIMAL(18,2); latitude, longitude and the QOLS average are DOUBLE; counts are INTEGER, or BIGINT for
the simulation-wide totals in payers, organizations and providers. Identifiers, codes, ZIP codes,
phone numbers and SSNs stay VARCHAR, so leading zeros survive ('02155', CVX '08').
`observations.VALUE` stays VARCHAR: it holds text and numbers. Columns a newer v3.x export adds
(MIDDLE, FIPS, INCOME, ...) are loaded as VARCHAR and listed in the report.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Literal

import duckdb

from workbench.errors import BadInput
from workbench.warehouse.duck import scrub_engine_error, writer

SqlType = Literal["VARCHAR", "DATE", "TIMESTAMP", "DECIMAL(18,2)", "DOUBLE", "INTEGER", "BIGINT"]

_TEXT: SqlType = "VARCHAR"
_DATE: SqlType = "DATE"
_INSTANT: SqlType = "TIMESTAMP"
_MONEY: SqlType = "DECIMAL(18,2)"
_REAL: SqlType = "DOUBLE"
_COUNT: SqlType = "INTEGER"
_TOTAL: SqlType = "BIGINT"


def _columns(text: str, sql_type: SqlType) -> dict[str, SqlType]:
    return dict.fromkeys(text.split(), sql_type)


#: The Synthea v3.0 CSV columns, table by table, in export order, with the type each is loaded as.
SYNTHEA_SCHEMA: Mapping[str, Mapping[str, SqlType]] = MappingProxyType(
    {
        "patients": {
            "Id": _TEXT,
            "BIRTHDATE": _DATE,
            "DEATHDATE": _DATE,
            **_columns("SSN DRIVERS PASSPORT PREFIX FIRST LAST SUFFIX MAIDEN MARITAL RACE ETHNICITY", _TEXT),
            **_columns("GENDER BIRTHPLACE ADDRESS CITY STATE COUNTY ZIP", _TEXT),
            **_columns("LAT LON", _REAL),
            **_columns("HEALTHCARE_EXPENSES HEALTHCARE_COVERAGE", _MONEY),
        },
        "encounters": {
            "Id": _TEXT,
            **_columns("START STOP", _INSTANT),
            **_columns("PATIENT ORGANIZATION PROVIDER PAYER ENCOUNTERCLASS CODE DESCRIPTION", _TEXT),
            **_columns("BASE_ENCOUNTER_COST TOTAL_CLAIM_COST PAYER_COVERAGE", _MONEY),
            **_columns("REASONCODE REASONDESCRIPTION", _TEXT),
        },
        "conditions": {
            **_columns("START STOP", _DATE),
            **_columns("PATIENT ENCOUNTER CODE DESCRIPTION", _TEXT),
        },
        "observations": {
            "DATE": _INSTANT,
            **_columns("PATIENT ENCOUNTER CATEGORY CODE DESCRIPTION VALUE UNITS TYPE", _TEXT),
        },
        "medications": {
            **_columns("START STOP", _INSTANT),
            **_columns("PATIENT PAYER ENCOUNTER CODE DESCRIPTION", _TEXT),
            **_columns("BASE_COST PAYER_COVERAGE", _MONEY),
            "DISPENSES": _COUNT,
            "TOTALCOST": _MONEY,
            **_columns("REASONCODE REASONDESCRIPTION", _TEXT),
        },
        "procedures": {
            **_columns("START STOP", _INSTANT),
            **_columns("PATIENT ENCOUNTER CODE DESCRIPTION", _TEXT),
            "BASE_COST": _MONEY,
            **_columns("REASONCODE REASONDESCRIPTION", _TEXT),
        },
        "claims": {
            **_columns(
                "Id PATIENTID PROVIDERID PRIMARYPATIENTINSURANCEID SECONDARYPATIENTINSURANCEID", _TEXT
            ),
            **_columns("DEPARTMENTID PATIENTDEPARTMENTID", _TEXT),
            **_columns(" ".join(f"DIAGNOSIS{n}" for n in range(1, 9)), _TEXT),
            **_columns("REFERRINGPROVIDERID APPOINTMENTID", _TEXT),
            **_columns("CURRENTILLNESSDATE SERVICEDATE", _INSTANT),
            **_columns("SUPERVISINGPROVIDERID STATUS1 STATUS2 STATUSP", _TEXT),
            **_columns("OUTSTANDING1 OUTSTANDING2 OUTSTANDINGP", _MONEY),
            **_columns("LASTBILLEDDATE1 LASTBILLEDDATE2 LASTBILLEDDATEP", _INSTANT),
            **_columns("HEALTHCARECLAIMTYPEID1 HEALTHCARECLAIMTYPEID2", _TEXT),
        },
        "claims_transactions": {
            **_columns("ID CLAIMID CHARGEID PATIENTID TYPE", _TEXT),
            "AMOUNT": _MONEY,
            "METHOD": _TEXT,
            **_columns("FROMDATE TODATE", _INSTANT),
            **_columns("PLACEOFSERVICE PROCEDURECODE MODIFIER1 MODIFIER2", _TEXT),
            **_columns("DIAGNOSISREF1 DIAGNOSISREF2 DIAGNOSISREF3 DIAGNOSISREF4 UNITS", _COUNT),
            **_columns("DEPARTMENTID NOTES", _TEXT),
            "UNITAMOUNT": _MONEY,
            **_columns("TRANSFEROUTID TRANSFERTYPE", _TEXT),
            **_columns("PAYMENTS ADJUSTMENTS TRANSFERS OUTSTANDING", _MONEY),
            **_columns("APPOINTMENTID LINENOTE PATIENTINSURANCEID FEESCHEDULEID PROVIDERID", _TEXT),
            "SUPERVISINGPROVIDERID": _TEXT,
        },
        "providers": {
            **_columns("Id ORGANIZATION NAME GENDER SPECIALITY ADDRESS CITY STATE ZIP", _TEXT),
            **_columns("LAT LON", _REAL),
            "UTILIZATION": _TOTAL,
        },
        "organizations": {
            **_columns("Id NAME ADDRESS CITY STATE ZIP", _TEXT),
            **_columns("LAT LON", _REAL),
            "PHONE": _TEXT,
            "REVENUE": _MONEY,
            "UTILIZATION": _TOTAL,
        },
        "payers": {
            **_columns("Id NAME ADDRESS CITY STATE_HEADQUARTERED ZIP PHONE", _TEXT),
            **_columns("AMOUNT_COVERED AMOUNT_UNCOVERED REVENUE", _MONEY),
            **_columns(
                "COVERED_ENCOUNTERS UNCOVERED_ENCOUNTERS COVERED_MEDICATIONS UNCOVERED_MEDICATIONS", _TOTAL
            ),
            **_columns("COVERED_PROCEDURES UNCOVERED_PROCEDURES", _TOTAL),
            **_columns("COVERED_IMMUNIZATIONS UNCOVERED_IMMUNIZATIONS UNIQUE_CUSTOMERS", _TOTAL),
            "QOLS_AVG": _REAL,
            "MEMBER_MONTHS": _TOTAL,
        },
        "payer_transitions": {
            **_columns("PATIENT MEMBERID", _TEXT),
            **_columns("START_YEAR END_YEAR", _INSTANT),
            **_columns("PAYER SECONDARY_PAYER OWNERSHIP OWNERNAME", _TEXT),
        },
        "allergies": {
            **_columns("START STOP", _DATE),
            **_columns("PATIENT ENCOUNTER CODE SYSTEM DESCRIPTION TYPE CATEGORY", _TEXT),
            **_columns("REACTION1 DESCRIPTION1 SEVERITY1 REACTION2 DESCRIPTION2 SEVERITY2", _TEXT),
        },
        "careplans": {
            "Id": _TEXT,
            **_columns("START STOP", _DATE),
            **_columns("PATIENT ENCOUNTER CODE DESCRIPTION REASONCODE REASONDESCRIPTION", _TEXT),
        },
        "immunizations": {
            "DATE": _INSTANT,
            **_columns("PATIENT ENCOUNTER CODE DESCRIPTION", _TEXT),
            "BASE_COST": _MONEY,
        },
        "supplies": {
            "DATE": _DATE,
            **_columns("PATIENT ENCOUNTER CODE DESCRIPTION", _TEXT),
            "QUANTITY": _COUNT,
        },
        "devices": {
            **_columns("START STOP", _INSTANT),
            **_columns("PATIENT ENCOUNTER CODE DESCRIPTION UDI", _TEXT),
        },
        "imaging_studies": {
            "Id": _TEXT,
            "DATE": _INSTANT,
            **_columns("PATIENT ENCOUNTER SERIES_UID BODYSITE_CODE BODYSITE_DESCRIPTION", _TEXT),
            **_columns("MODALITY_CODE MODALITY_DESCRIPTION INSTANCE_UID SOP_CODE SOP_DESCRIPTION", _TEXT),
            "PROCEDURE_CODE": _TEXT,
        },
    }
)

#: The 18 tables of a Synthea v3 CSV export, each loaded from `<table>.csv`; every one is required.
SYNTHEA_TABLES: tuple[str, ...] = tuple(SYNTHEA_SCHEMA)

#: What a value of each type must look like, for messages that cannot show the value itself.
_EXPECTED: Mapping[SqlType, str] = MappingProxyType(
    {
        "VARCHAR": "text",
        "DATE": "a date (YYYY-MM-DD)",
        "TIMESTAMP": "a timestamp (YYYY-MM-DDTHH:MM:SSZ)",
        "DECIMAL(18,2)": "an amount (digits with a decimal point)",
        "DOUBLE": "a number",
        "INTEGER": "a whole number",
        "BIGINT": "a whole number",
    }
)

_HINT = "is this a Synthea v3 CSV export?"
_FIX = "fix the file or export it again from Synthea."


@dataclass(frozen=True)
class LoadReport:
    """What a load did: rows per table, columns beyond the v3.0 schema, and CSV files it did not load."""

    tables: dict[str, int]
    extra_columns: dict[str, list[str]] = field(default_factory=dict)
    ignored_files: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _SourceFile:
    """One checked CSV file: the table it loads, its header in file order, and the type of each column."""

    table: str
    path: Path
    columns: tuple[str, ...]
    types: tuple[SqlType, ...]
    extra_columns: tuple[str, ...]

    def create_statement(self) -> str:
        """CREATE OR REPLACE the table from the file: no sniffing, empty fields NULL, instants as UTC."""
        # Instants are read as TIMESTAMPTZ, so an explicit offset is honoured, then stored as UTC TIMESTAMP.
        read_types = {
            name: "TIMESTAMPTZ" if t == "TIMESTAMP" else t
            for name, t in zip(self.columns, self.types, strict=True)
        }
        struct = ", ".join(f"{_literal(name)}: {_literal(t)}" for name, t in read_types.items())
        select = ", ".join(
            f"timezone('UTC', {_ident(name)}) AS {_ident(name)}" if t == "TIMESTAMP" else _ident(name)
            for name, t in zip(self.columns, self.types, strict=True)
        )
        return (
            f"CREATE OR REPLACE TABLE main.{_ident(self.table)} AS SELECT {select} "
            f"FROM read_csv({_literal(str(self.path))}, columns = {{{struct}}}, header = true, "
            "auto_detect = false, delim = ',', quote = '\"', escape = '\"', nullstr = '', "
            "strict_mode = true, encoding = 'utf-8')"
        )

    def type_of(self, column: str) -> SqlType:
        return self.types[self.columns.index(column)]


def load_synthea(directory: Path, warehouse: Path, *, wait_seconds: float = 30.0) -> LoadReport:
    """Load the 18 tables of a Synthea v3 CSV export into the warehouse, replacing tables of the same name.

    All or nothing: a missing file, a header without a v3.0 column, or a value that does not convert
    raises `BadInput` (naming file, line and column, never the value) and leaves the warehouse as it was.
    """
    folder = _export_folder(Path(directory))
    sources = tuple(_check_file(folder, table) for table in SYNTHEA_TABLES)
    counts: dict[str, int] = {}
    loading: _SourceFile | None = None
    try:
        with writer(Path(warehouse), wait_seconds=wait_seconds) as con:
            for source in sources:
                loading = source
                con.execute(source.create_statement())
                counts[source.table] = _row_count(con, source.table)
            loading = None
    except duckdb.Error as exc:
        # Built here, raised below: the engine error (which may quote a value) must not ride along as context.
        failure = _load_failure(loading, exc)
    else:
        return LoadReport(
            tables=counts,
            extra_columns={s.table: list(s.extra_columns) for s in sources if s.extra_columns},
            ignored_files=sorted(p.name for p in folder.glob("*.csv") if p.stem not in SYNTHEA_SCHEMA),
        )
    raise BadInput(failure)


def _export_folder(directory: Path) -> Path:
    if not directory.exists():
        raise BadInput(f"No folder at {directory}; give the csv folder of a Synthea export.")
    if not directory.is_dir():
        raise BadInput(f"{directory} is not a folder; give the csv folder of a Synthea export.")
    folder = directory.resolve()
    if not any(folder.glob("*.csv")):
        inner = folder / "csv"
        hint = f"; did you mean {inner}?" if (inner / "patients.csv").is_file() else f"; {_HINT}"
        raise BadInput(f"{directory} holds no CSV files{hint}")
    missing = [f"{table}.csv" for table in SYNTHEA_TABLES if not (folder / f"{table}.csv").is_file()]
    if missing:
        raise BadInput(
            f"{directory} is missing {', '.join(missing)}; a Synthea v3 CSV export has all "
            f"{len(SYNTHEA_TABLES)} tables."
        )
    return folder


def _check_file(folder: Path, table: str) -> _SourceFile:
    """Read and check the header; a column the schema does not know is kept as VARCHAR.

    Required columns are checked first: until they are all there, the first line may be data, so no
    message may quote it.
    """
    path = folder / f"{table}.csv"
    header = _read_header(path)
    schema = SYNTHEA_SCHEMA[table]
    keys = [name.upper() for name in header]
    missing = [name for name in schema if name.upper() not in keys]
    if missing:
        noun = "column" if len(missing) == 1 else "columns"
        raise BadInput(f"{path.name} is missing {noun} {', '.join(missing)}; {_HINT}")
    if not all(name.strip() for name in header):
        raise BadInput(f"{path.name} has an empty column name in its header; {_HINT}")
    repeated = sorted({name for name, key in zip(header, keys, strict=True) if keys.count(key) > 1})
    if repeated:
        raise BadInput(f"{path.name} repeats column {', '.join(repeated)} in its header; {_HINT}")
    by_key = {name.upper(): sql_type for name, sql_type in schema.items()}
    return _SourceFile(
        table=table,
        path=path,
        columns=tuple(header),
        types=tuple(by_key.get(key, _TEXT) for key in keys),
        extra_columns=tuple(name for name, key in zip(header, keys, strict=True) if key not in by_key),
    )


def _read_header(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), None)
    except UnicodeDecodeError:
        raise BadInput(f"{path.name} is not UTF-8 text; {_HINT}") from None
    except csv.Error:
        raise BadInput(f"{path.name} has a header that is not valid CSV; {_HINT}") from None
    except OSError as exc:
        raise BadInput(f"Cannot read {path.name} ({exc.strerror}); check its permissions.") from None
    if not header:
        raise BadInput(f"{path.name} is empty; {_HINT}")
    return header


def _row_count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    rows = con.execute(f"SELECT count(*) FROM main.{_ident(table)}").fetchall()
    return int(rows[0][0])


_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
_CAST_COLUMN = re.compile(r'Error when converting column "(.+?)"\. ')
_FIELD_COUNT = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


def _load_failure(source: _SourceFile | None, exc: duckdb.Error) -> str:
    """One sentence for a failed load; built from the file, line and column, never from the engine's value."""
    if source is None:
        return f"The load could not be committed ({scrub_engine_error(exc)}); the warehouse is unchanged."
    text = str(exc)
    line = _CSV_LINE.search(text)
    if line is None:
        return (
            f"{source.path.name} could not be loaded ({scrub_engine_error(exc)}); the warehouse is unchanged."
        )
    where = f"{source.path.name} line {line.group(1)}"
    column = _CAST_COLUMN.search(text)
    if column is not None and column.group(1) in source.columns:
        name = column.group(1)
        expected = _EXPECTED[source.type_of(name)]
        return f"{where}: column {name} does not hold {expected}; {_FIX} The warehouse is unchanged."
    fields = _FIELD_COUNT.search(text)
    if fields is not None:
        return (
            f"{where} has {fields.group(2)} fields where the header has {fields.group(1)}; {_FIX} "
            "The warehouse is unchanged."
        )
    if "unicode" in text.lower():
        return f"{where} is not UTF-8 text; {_FIX} The warehouse is unchanged."
    return f"{where} is not valid CSV (an unclosed quote?); {_FIX} The warehouse is unchanged."


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
