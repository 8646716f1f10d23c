"""The synthetic data generator: deterministic, Synthea-shaped, exact gold spans, runnable pipelines."""

from __future__ import annotations

import csv
import importlib
import json
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import duckdb
import pytest
import sqlglot

from workbench.kinds import IdentifierKind

ROOT = Path(__file__).resolve().parents[2]
SYNTHETIC = ROOT / "data" / "synthetic"
COMMITTED_HOSPITAL, COMMITTED_NOTES, PIPELINES = (
    SYNTHETIC / "hospital",
    SYNTHETIC / "notes",
    SYNTHETIC / "pipelines",
)
REAL_EXPORT = Path(os.environ.get("WORKBENCH_SYNTHEA_SAMPLE", ROOT.parent / "shared" / "data" / "synthea"))
REGENERATE = ".venv/bin/python data/synthetic/generate.py --seed 7 --patients 60 --notes 300"

sys.path.insert(0, str(SYNTHETIC))  # data/synthetic is a folder of scripts, not an installed package
generate = importlib.import_module("generate")
hospital = importlib.import_module("synthgen.hospital")
notes_mod = importlib.import_module("synthgen.notes")
ids = importlib.import_module("synthgen.identifiers")

TABLES: tuple[str, ...] = hospital.TABLES


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _run(out: Path, *args: str) -> Path:
    assert generate.main([*args, "--out", str(out / "hospital"), "--notes-out", str(out / "notes")]) == 0
    return out


def _rows(folder: Path, table: str) -> list[dict[str, str]]:
    with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committed configuration (seed 7, 60 patients, 300 notes), generated afresh."""
    return _run(tmp_path_factory.mktemp("seed7"), "--seed", "7", "--patients", "60", "--notes", "300")


@pytest.fixture(scope="module")
def notes() -> list[dict[str, Any]]:
    return _jsonl(COMMITTED_NOTES / "notes.jsonl")


@pytest.fixture(scope="module")
def spans_by_note() -> dict[str, list[dict[str, Any]]]:
    by_note: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for span in _jsonl(COMMITTED_NOTES / "spans.jsonl"):
        by_note[span["note_id"]].append(span)
    return by_note


# --- determinism --------------------------------------------------------------------------------------


def test_script_with_other_hash_seed_writes_identical_bytes(generated: Path, tmp_path: Path) -> None:
    """The documented command, in a fresh interpreter with another PYTHONHASHSEED, gives the same bytes."""
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    cmd = [
        sys.executable,
        str(SYNTHETIC / "generate.py"),
        "--seed",
        "7",
        "--patients",
        "60",
        "--notes",
        "300",
    ]
    cmd += ["--out", str(tmp_path / "hospital"), "--notes-out", str(tmp_path / "notes")]
    subprocess.run(cmd, check=True, env=env, capture_output=True, timeout=120)
    assert _files(tmp_path) == _files(generated)


def test_another_seed_gives_other_data(tmp_path: Path) -> None:
    a = _files(_run(tmp_path / "a", "--seed", "7", "--patients", "6", "--notes", "12"))
    b = _files(_run(tmp_path / "b", "--seed", "8", "--patients", "6", "--notes", "12"))
    assert a.keys() == b.keys()
    assert all(
        a[name] != b[name] for name in ("hospital/patients.csv", "notes/notes.jsonl", "notes/spans.jsonl")
    )


def test_committed_files_are_what_the_generator_writes(generated: Path) -> None:
    committed = {f"hospital/{k}": v for k, v in _files(COMMITTED_HOSPITAL).items()}
    committed |= {f"notes/{k}": v for k, v in _files(COMMITTED_NOTES).items()}
    fresh = _files(generated)
    assert sorted(committed) == sorted(fresh)
    drifted = [name for name in fresh if committed[name] != fresh[name]]
    assert not drifted, f"committed data drifted from the generator in {drifted}; regenerate: {REGENERATE}"


def test_committed_set_stays_small() -> None:
    assert sum(p.stat().st_size for p in COMMITTED_HOSPITAL.glob("*.csv")) < 2_000_000
    assert 300_000 <= sum(p.stat().st_size for p in COMMITTED_NOTES.glob("*.jsonl")) < 1_000_000


@pytest.mark.parametrize("args", [["--patients", "0"], ["--notes", "-1"]])
def test_cli_refuses_impossible_sizes(args: list[str], tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        _run(tmp_path, *args)


# --- the Synthea shape -------------------------------------------------------------------------------


@pytest.mark.parametrize("table", TABLES)
def test_header_is_synthea_v3(table: str) -> None:
    real = REAL_EXPORT / f"{table}.csv"
    if not real.exists():
        pytest.skip(f"real Synthea export not found at {REAL_EXPORT} (set WORKBENCH_SYNTHEA_SAMPLE)")
    with real.open(encoding="utf-8") as f:
        expected = f.readline().rstrip("\r\n")
    with (COMMITTED_HOSPITAL / f"{table}.csv").open(encoding="utf-8") as f:
        assert f.readline().rstrip("\n") == expected


def test_all_18_tables_have_rows() -> None:
    assert len(TABLES) == 18
    assert {p.stem for p in COMMITTED_HOSPITAL.glob("*.csv")} == set(TABLES)
    assert all(_rows(COMMITTED_HOSPITAL, t) for t in TABLES)


CLINICAL = ("allergies", "careplans", "conditions", "devices", "imaging_studies", "immunizations", "medications",
            "observations", "procedures", "supplies")  # fmt: skip
# (child table, column, parent table, column)
REFERENCES = [
    ("encounters", "PATIENT", "patients", "Id"),
    ("encounters", "PROVIDER", "providers", "Id"),
    ("encounters", "ORGANIZATION", "organizations", "Id"),
    ("encounters", "PAYER", "payers", "Id"),
    ("providers", "ORGANIZATION", "organizations", "Id"),
    ("claims", "PATIENTID", "patients", "Id"),
    ("claims", "PROVIDERID", "providers", "Id"),
    ("claims", "APPOINTMENTID", "encounters", "Id"),
    ("claims_transactions", "CLAIMID", "claims", "Id"),
    ("claims_transactions", "PATIENTID", "patients", "Id"),
    ("claims_transactions", "APPOINTMENTID", "encounters", "Id"),
    ("claims_transactions", "PLACEOFSERVICE", "organizations", "Id"),
    ("claims_transactions", "PROVIDERID", "providers", "Id"),
    ("payer_transitions", "PATIENT", "patients", "Id"),
    ("payer_transitions", "PAYER", "payers", "Id"),
    ("medications", "PAYER", "payers", "Id"),
    *((table, "PATIENT", "patients", "Id") for table in CLINICAL),
    *((table, "ENCOUNTER", "encounters", "Id") for table in CLINICAL),
]


@pytest.mark.parametrize(("child", "column", "parent", "key"), REFERENCES)
def test_reference_resolves(child: str, column: str, parent: str, key: str) -> None:
    keys = {row[key] for row in _rows(COMMITTED_HOSPITAL, parent)}
    values = [row[column] for row in _rows(COMMITTED_HOSPITAL, child)]
    assert values and all(values)
    assert set(values) <= keys


def test_claim_payer_is_the_encounters_payer_or_none() -> None:
    payer = {row["Id"]: row["PAYER"] for row in _rows(COMMITTED_HOSPITAL, "encounters")}
    for claim in _rows(COMMITTED_HOSPITAL, "claims"):
        assert claim["PRIMARYPATIENTINSURANCEID"] in (payer[claim["APPOINTMENTID"]], "0")


def test_encounter_patient_matches_its_claims_patient() -> None:
    patient_of = {row["Id"]: row["PATIENT"] for row in _rows(COMMITTED_HOSPITAL, "encounters")}
    assert all(patient_of[c["APPOINTMENTID"]] == c["PATIENTID"] for c in _rows(COMMITTED_HOSPITAL, "claims"))


UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
DAY = r"\d{4}-\d{2}-\d{2}"
MOMENT = DAY + r"T\d{2}:\d{2}:\d{2}Z"
MONEY = r"-?\d+\.\d{2}"
# (table, column, pattern the whole cell must match; "" allowed where the pattern allows it)
FORMATS = [
    ("patients", "Id", UUID),
    ("patients", "BIRTHDATE", DAY),
    ("patients", "DEATHDATE", f"(?:{DAY})?"),
    ("patients", "SSN", r"999-\d{2}-\d{4}"),
    ("patients", "DRIVERS", r"(?:S999\d{5})?"),
    ("patients", "PASSPORT", r"(?:X\d{8}X)?"),
    ("patients", "ZIP", r"\d{5}"),
    ("patients", "LAT", r"-?\d+\.\d+"),
    ("patients", "GENDER", "[MF]"),
    ("patients", "HEALTHCARE_EXPENSES", MONEY),
    ("encounters", "START", MOMENT),
    ("encounters", "TOTAL_CLAIM_COST", MONEY),
    ("encounters", "ENCOUNTERCLASS", "wellness|ambulatory|outpatient|emergency|inpatient|urgentcare"),
    ("claims_transactions", "TYPE", "CHARGE|PAYMENT|TRANSFERIN|TRANSFEROUT"),
    ("claims_transactions", "AMOUNT", f"(?:{MONEY})?"),
    ("organizations", "ZIP", r"0[12]\d{3}"),
    ("organizations", "PHONE", r"\d{10}"),
    ("devices", "UDI", r"\(01\)\d{14}\(11\)\d{6}\(17\)\d{6}\(10\)[A-Z]\d+\(21\)\d+"),
    ("payer_transitions", "START_YEAR", MOMENT),
]


@pytest.mark.parametrize(("table", "column", "pattern"), FORMATS)
def test_value_format(table: str, column: str, pattern: str) -> None:
    bad = [row[column] for row in _rows(COMMITTED_HOSPITAL, table) if not re.fullmatch(pattern, row[column])]
    assert not bad, bad[:5]


RESTRICTED_ZIP3 = {"036", "059", "063", "102", "203", "556", "692", "790", "821", "823", "830", "831", "878",
                  "879", "884", "890", "893"}  # fmt: skip


def test_population_has_the_edge_cases() -> None:
    patients = _rows(COMMITTED_HOSPITAL, "patients")
    zip3s = {p["ZIP"][:3] for p in patients}
    assert sum(p["BIRTHDATE"] < "1934" for p in patients) >= 3  # over 89 at the export date
    assert sum(bool(p["DEATHDATE"]) for p in patients) >= 3
    assert len(zip3s & RESTRICTED_ZIP3) >= 5
    assert any(p["ZIP"].startswith("0") for p in patients)
    assert sum(not (p["FIRST"] + p["LAST"]).isascii() for p in patients) >= 10  # names of many origins
    assert not any(any(ch.isdigit() for ch in p["FIRST"] + p["LAST"]) for p in patients)


# --- identifier shapes -------------------------------------------------------------------------------

# (validator, valid, invalid)
CHECK_DIGITS = [
    (ids.npi_valid, "1234567893", "1234567890"),  # the CMS example NPI
    (ids.dea_valid, "AB1234563", "AB1234564"),
    (ids.vin_valid, "1M8GDM9AXKP042788", "1M8GDM9A1KP042788"),  # the textbook VIN, check digit X
    (ids.luhn_valid, "79927398713", "79927398710"),
]


@pytest.mark.parametrize(("valid", "good", "bad"), CHECK_DIGITS)
def test_check_digit_rules(valid: Any, good: str, bad: str) -> None:
    assert valid(good)
    assert not valid(bad)


def _gtin_valid(gtin: str) -> bool:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(gtin[:-1])))
    return (10 - total % 10) % 10 == int(gtin[-1])


MBI = r"[1-9][AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?[AC-HJKMNP-RT-Y][AC-HJKMNP-RT-Y0-9]\d-?[AC-HJKMNP-RT-Y]{2}\d{2}"


def test_identifiers_in_notes_carry_valid_check_digits(
    spans_by_note: dict[str, list[dict[str, Any]]],
) -> None:
    spans = [s for group in spans_by_note.values() for s in group]
    npis = [s["text"] for s in spans if s["kind"] == "LICENSE" and re.fullmatch(r"\d{10}", s["text"])]
    deas = [s["text"] for s in spans if s["kind"] == "LICENSE" and re.fullmatch(r"[A-Z]{2}\d{7}", s["text"])]
    vins = [s["text"] for s in spans if s["kind"] == "VEHICLE_ID" and len(s["text"]) == 17]
    gtins = [m for s in spans if s["kind"] == "DEVICE_ID" for m in re.findall(r"\(01\)(\d{14})", s["text"])]
    mbis = [s["text"] for s in spans if s["kind"] == "HEALTH_PLAN_ID" and re.fullmatch(MBI, s["text"])]
    assert npis and deas and vins and gtins and mbis
    assert all(map(ids.npi_valid, npis))
    assert all(map(ids.dea_valid, deas))
    assert all(map(ids.vin_valid, vins))
    assert all(map(_gtin_valid, gtins))


# --- notes and spans ---------------------------------------------------------------------------------


def test_note_records_have_the_documented_shape(notes: list[dict[str, Any]]) -> None:
    assert len(notes) == 300
    assert len({n["id"] for n in notes}) == len(notes)
    assert all(list(n) == ["id", "style", "split", "text"] for n in notes)
    assert {n["style"] for n in notes} == {"nursing", "discharge", "portal", "radiology", "telephone"}
    heldout = sum(n["split"] == "heldout" for n in notes) / len(notes)
    assert 0.25 <= heldout <= 0.35


def test_spans_are_exact(notes: list[dict[str, Any]], spans_by_note: dict[str, list[dict[str, Any]]]) -> None:
    text = {n["id"]: n["text"] for n in notes}
    kinds = {k.value for k in IdentifierKind}
    assert set(spans_by_note) <= set(text)
    for note_id, spans in spans_by_note.items():
        previous_end = 0
        for s in spans:
            assert list(s) == ["note_id", "start", "end", "kind", "text"]
            assert s["kind"] in kinds
            assert text[note_id][s["start"] : s["end"]] == s["text"], (note_id, s)
            assert s["text"] == s["text"].strip() and s["start"] >= previous_end, (note_id, s)
            previous_end = s["end"]


@pytest.mark.parametrize("split", ["train", "heldout"])
def test_every_kind_occurs_in_split(
    split: str, notes: list[dict[str, Any]], spans_by_note: dict[str, list[dict[str, Any]]]
) -> None:
    in_split = {n["id"] for n in notes if n["split"] == split}
    kinds = Counter(s["kind"] for note_id in in_split for s in spans_by_note[note_id])
    assert set(kinds) == {k.value for k in IdentifierKind}


def _covered(spans: list[dict[str, Any]], start: int, end: int) -> bool:
    return any(s["start"] < end and start < s["end"] for s in spans)


@pytest.mark.parametrize(("name", "pattern"), notes_mod.DISTRACTORS)
def test_distractor_present_and_never_labeled(
    name: str, pattern: str, notes: list[dict[str, Any]], spans_by_note: dict[str, list[dict[str, Any]]]
) -> None:
    rx = re.compile(pattern)
    group = 1 if rx.groups else 0
    hits = [(n["id"], m.span(group)) for n in notes for m in rx.finditer(n["text"])]
    assert hits, f"no {name} in the corpus"
    labeled = [(note_id, span) for note_id, span in hits if _covered(spans_by_note[note_id], *span)]
    assert not labeled, labeled[:3]


# (text that must be labeled as DATE when it is an age, text that must not be)
AGES = re.compile(r"(?i)\b(\d{1,3})(?: ?(?:yo|y/o)\b|-year-old\b| year old\b|Y [MF]\b)")


def test_ages_over_89_are_labeled_and_younger_ones_not(
    notes: list[dict[str, Any]], spans_by_note: dict[str, list[dict[str, Any]]]
) -> None:
    over, under = 0, 0
    for n in notes:
        for m in AGES.finditer(n["text"]):
            age, span = int(m.group(1)), m.span(1)
            dated = [
                s for s in spans_by_note[n["id"]] if (s["start"], s["end"]) == span and s["kind"] == "DATE"
            ]
            if age > 89:
                over += 1
                assert dated, (n["id"], m.group(0))
            else:
                under += 1
                assert not _covered(spans_by_note[n["id"]], *span), (n["id"], m.group(0))
    assert over and under


def _skeleton(text: str, spans: list[dict[str, Any]]) -> set[str]:
    """The note's lines with identifiers replaced by their kind and digits by 0."""
    out, cursor = [], 0
    for s in spans:
        out += [text[cursor : s["start"]], f"<{s['kind']}>"]
        cursor = s["end"]
    out.append(text[cursor:])
    return {re.sub(r"\d+", "0", line) for line in "".join(out).splitlines() if len(line) > 30}


def test_heldout_phrasing_is_not_in_train(
    notes: list[dict[str, Any]], spans_by_note: dict[str, list[dict[str, Any]]]
) -> None:
    lines: dict[str, set[str]] = {"train": set(), "heldout": set()}
    for n in notes:
        lines[n["split"]] |= _skeleton(n["text"], spans_by_note[n["id"]])
    assert lines["heldout"] and not (lines["heldout"] & lines["train"])


# --- pipelines ---------------------------------------------------------------------------------------


def _load(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    for table in TABLES:
        path = (folder / f"{table}.csv").as_posix()
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM read_csv('{path}', all_varchar=false)")


def test_pipeline_files_are_numbered_steps() -> None:
    names = [p.name for p in sorted(PIPELINES.glob("*.sql"))]
    assert 6 <= len(names) <= 10
    assert [int(n[:2]) for n in names] == list(range(1, len(names) + 1))


@pytest.mark.parametrize("path", sorted(PIPELINES.glob("*.sql")), ids=lambda p: p.name)
def test_pipeline_parses_as_duckdb_sql(path: Path) -> None:
    assert all(sqlglot.parse(path.read_text(encoding="utf-8"), read="duckdb"))


def _warehouse(export: Path, cwd: Path, monkeypatch: pytest.MonkeyPatch) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with `export` loaded and every pipeline run in order; COPY writes under `cwd`."""
    monkeypatch.chdir(cwd)
    (cwd / "exports").mkdir()
    con = duckdb.connect()
    _load(con, export)
    for path in sorted(PIPELINES.glob("*.sql")):
        con.execute(path.read_text(encoding="utf-8"))
    return con


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    row = con.execute(sql).fetchone()
    assert row is not None
    return row[0]


@pytest.mark.parametrize("export", [COMMITTED_HOSPITAL, REAL_EXPORT], ids=["synthetic", "real-synthea"])
def test_pipelines_run_in_order_on_duckdb(
    export: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not (export / "patients.csv").exists():
        pytest.skip(f"no Synthea export at {export} (set WORKBENCH_SYNTHEA_SAMPLE)")
    con = _warehouse(export, tmp_path, monkeypatch)
    assert _scalar(con, "SELECT count(*) FROM staging.stg_patients") == _scalar(
        con, "SELECT count(*) FROM patients"
    )
    assert _scalar(con, "SELECT count(*) FROM export.ba_acme_billing") > 0
    assert (
        _scalar(con, "SELECT count(*) FROM export.ba_acme_billing WHERE acme_member_key NOT LIKE 'ACME-%'")
        == 0
    )
    assert _scalar(con, "SELECT count(*) FROM marts.v_patient_contact") > 0
    research = {row[0] for row in con.execute("DESCRIBE research.ckd_cohort").fetchall()}
    assert not research & {"ssn", "first_name", "last_name", "zip", "birth_date"}
    exported = (tmp_path / "exports" / "acme_billing.csv").read_text(encoding="utf-8").splitlines()
    assert exported[0].startswith("acme_member_key,") and len(exported) > 1


def test_synthetic_marts_flag_some_patients(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    con = _warehouse(COMMITTED_HOSPITAL, tmp_path, monkeypatch)
    patients = _scalar(con, "SELECT count(*) FROM marts.patient_conditions")
    for flag in ("has_ckd", "has_diabetes", "has_hypertension"):
        assert 0 < _scalar(con, f"SELECT sum({flag}) FROM marts.patient_conditions") < patients, flag
    assert _scalar(con, "SELECT count(*) FROM research.ckd_cohort WHERE zip3 = '000'") >= 0
    assert _scalar(con, "SELECT max(age_years) FROM research.ckd_cohort") <= 90
