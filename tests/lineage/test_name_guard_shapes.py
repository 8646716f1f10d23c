"""Identifier shapes the fast scan misses in names (no word boundaries, no capitals) are still tokenised.

A name is scanned as written, then with `_ . /` read as spaces after NFKC, then by shape: long digit
runs, dates written year last (or year first beside a person cue), and first+last names the
dictionaries know in any case. The negative rows and every name of the repository's SQL fixtures,
the dbt manifest and the Synthea headers must come through unchanged.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from workbench.lineage.safe_names import NameGuard

ROOT = Path(__file__).resolve().parents[2]
SYNTHEA = ROOT.parent / "shared" / "data" / "synthea"
TOKEN = re.compile(r"h_[0-9a-f]{16}")
KEY = b"k" * 32

# (name, placeholder kind without a key) -- each must be replaced whole
PHI_NAMES = [
    ("ssn_123-45-6789", "[SSN]"),
    ("john_smith_123-45-6789", "[SSN]"),
    ("dob_1980-04-12", "[DATE]"),
    ("smith_john_dob_19800412", "[NAME]"),
    ("mrn_00012345", "[MRN]"),
    ("pt_123456789", "[OTHER_ID]"),
    ("phone_6175550199", "[PHONE]"),
    ("patient_maria_garcia", "[NAME]"),
    ("patient_garcia", "[NAME]"),
    ("jane doe", "[NAME]"),
    ("maria garcia", "[NAME]"),
    ("JANE DOE", "[NAME]"),
    ("MariaGarcia", "[NAME]"),
    ("１２３-４５-６７８９", "[SSN]"),
    ("ssn_１２３４５６７８９", "[SSN]"),
    ("report_04-12-1980", "[DATE]"),
    ("snomed_44054006_patient_123456789", "[OTHER_ID]"),
    ("mrn00012345", "[MRN]"),
    ("maria_j_garcia", "[NAME]"),
    ("dr_smith", "[NAME]"),
    ("order_id_1234567", "[OTHER_ID]"),
    ("birth_19800412", "[DATE]"),
    ("123_45_6789", "[SSN]"),
]

# names that must stay as written: column names of person data, partitions, versions, codes
KEPT_NAMES = [
    "first_name", "last_name", "patient_id", "name", "ssn", "birthdate", "city", "patient_city",
    "patient_name", "mrn", "dob", "stg_patients", "fct_claims_2024", "dim_date", "encounters_20240101",
    "encounters_2024_01_01", "events_20240101_120000", "q4_2023", "v2", "col_123", "claims_2019_2024",
    "fiscal_2019-2020", "int_encounter_costs", "max_price", "bill_amount", "grant_date", "mark_total",
    "payer_id", "patient_payer", "zip3", "icd10_code", "loinc_8302_2", "snomed_44054006",
    "tmp_550e8400_e29b_41d4_a716_446655440000", "build_3f9a2c4d5e6f7081", "First Name", "BIRTHDATE",
    "HEALTHCARE_EXPENSES", "lat", "lat_lon", "min_max", "patient_dx", "name_sum", "dbtObj", "mrn_lookup", "pop_1000000", "dr_20240101", "garcia_claims", "lee_county", "ssn_hash", "dob_year", "pt_status",
]  # fmt: skip

# (location, what it must become with the key; TOKEN stands for any token)
LOCATIONS = [
    ("/exports/ssn_123-45-6789.csv", "/exports/TOKEN.csv"),
    ("/exports/123456789.csv", "/exports/TOKEN.csv"),
    ("/exports/04/12/1980/x.csv", "/exports/TOKEN/TOKEN/TOKEN/x.csv"),
    ("/exports/jane_doe.csv", "/exports/TOKEN.csv"),
    ("https://user:pw@host.example.com/ssn_123-45-6789/out.csv", "https://host.example.com/TOKEN/out.csv"),
    ("https://user:pw@host.example.com/exports/claims.csv", "https://host.example.com/exports/claims.csv"),
    ("sftp://acme@sftp.acme-billing.example.com:2222/in/feed.csv", "sftp://sftp.acme-billing.example.com:2222/in/feed.csv"),
    # negative rows: partition folders and ordinary files are kept
    ("/exports/2024/01/01/x.csv", "/exports/2024/01/01/x.csv"),
    ("s3://acme-bucket/exports/encounters_20240101.parquet", "s3://acme-bucket/exports/encounters_20240101.parquet"),
    ("exports/billing_feed.csv", "exports/billing_feed.csv"),
    ("@stage/claims/q4_2023/part-0001.csv.gz", "@stage/claims/q4_2023/part-0001.csv.gz"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "kind"), PHI_NAMES)
def test_a_phi_shaped_name_is_tokenised_whole(name: str, kind: str) -> None:
    guard = NameGuard(KEY)
    token = guard.name(name)
    assert TOKEN.fullmatch(token), token
    assert guard.name(token) == token  # a token is not PHI
    assert kind in NameGuard().name(name)


@pytest.mark.parametrize("name", KEPT_NAMES)
def test_an_ordinary_name_is_kept(name: str) -> None:
    assert NameGuard(KEY).name(name) == name


@pytest.mark.parametrize(("location", "expected"), LOCATIONS)
def test_locations_keep_the_recipient_and_tokenise_phi_segments(location: str, expected: str) -> None:
    guard = NameGuard(KEY)
    guarded = guard.location(location)
    assert re.fullmatch(re.escape(expected).replace("TOKEN", TOKEN.pattern), guarded), guarded
    assert "pw" not in guarded and "user:" not in guarded
    assert guard.location(guarded) == guarded


# -- no name of the repository's own fixtures is taken for PHI ----------------------------------------

_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/|\{#.*?#\}", re.S)
_STRING = re.compile(r"'(?:[^']|'')*'")
_QUOTED = re.compile(r'"([^"\n]+)"|`([^`\n]+)`|\[([^\]\n]+)\]')
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_LOCATION = re.compile(r"\bTO\s+'([^']+)'", re.I)


def _sql_names(sql: str) -> set[str]:
    """Every word and quoted identifier of a SQL text (keywords too: a superset of its names)."""
    sql = _COMMENT.sub(" ", sql)
    code = _STRING.sub(" ", sql)
    names = set(_WORD.findall(code))
    names.update(next(g for g in match.groups() if g) for match in _QUOTED.finditer(code))
    return names


def _fixture_names() -> tuple[set[str], set[str]]:
    sql_files = [
        *sorted((ROOT / "data/synthetic/pipelines").glob("*.sql")),
        *sorted(ROOT.glob("tests/fixtures/**/*.sql")),
    ]
    names: set[str] = set()
    locations: set[str] = set()
    for path in sql_files:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
        names |= _sql_names(text)
        locations.update(_LOCATION.findall(_COMMENT.sub(" ", text)))
    manifest = json.loads((ROOT / "tests/fixtures/dbt_project/target/manifest.json").read_text())
    for node in [*manifest["nodes"].values(), *manifest["sources"].values()]:
        for key in ("database", "schema", "name", "alias", "identifier"):
            if node.get(key):
                names.add(node[key])
        names.update(node.get("columns") or {})
        for key in ("raw_code", "compiled_code"):
            names |= _sql_names(node.get(key) or "")
    if SYNTHEA.is_dir():
        for csv in sorted(SYNTHEA.glob("*.csv")):
            with csv.open(encoding="utf-8") as lines:
                names.update(lines.readline().strip().split(","))
    return names, locations


def test_no_fixture_name_is_tokenised() -> None:
    names, locations = _fixture_names()
    assert len(names) > 500  # the fixtures were found
    guard = NameGuard(KEY)
    assert sorted(n for n in names if guard.name(n) != n) == []
    assert sorted(loc for loc in locations if guard.location(loc) != loc) == []
